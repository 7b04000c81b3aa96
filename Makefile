# omv - OpenManager Vibe operator console.
#
#   make            build ./omv (installs missing packages first when root)
#   make test       build and run every test (unit, e2e)
#   make asan       the same suite under AddressSanitizer + UBSan
#   make fuzz       build the libFuzzer targets (FUZZ_SECONDS=N make fuzz-run runs them)
#   make bench      benchmarks against the real peers, printing ratios
#   make demo       start the loopback test bed and open the console on it
#   make deps       install the Debian packages the project needs
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
CC	?= cc

PKGS	= libssh vterm libconfig cmocka sqlite3 ncursesw libcrypto

WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wwrite-strings -Wformat=2 -Wno-format-nonliteral -Werror
# Deferred (=): evaluated when a recipe runs, after `deps` has installed them.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -I$(BUILD) $(PKG_CFLAGS) $(CFLAGS) $(SAN)
LIBS	= $(PKG_LIBS) -lm

SRCS	= $(filter-out src/main.c,$(wildcard src/*.c))
OBJS	= $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/risk-conf.o
LIBOMV	= $(BUILD)/libomv.a
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNITS	= $(UNIT_SRCS:%.c=$(BUILD)/%)
HELPERS	= $(wildcard tests/helpers/*.c)
HELPER_BINS = $(HELPERS:%.c=$(BUILD)/%)
ifeq ($(BUILD),build)
BIN	= omv
else
BIN	= $(BUILD)/omv
endif

.PHONY: all deps check-deps test unit e2e asan fuzz fuzz-run bench demo install clean
.DEFAULT_GOAL := all

all: $(BIN)

deps:
	@tests/deps.sh install

check-deps:
	@tests/deps.sh check

$(BIN): $(BUILD)/src/main.o $(LIBOMV) | check-deps
	$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/src/main.o $(LIBOMV) $(LIBS)

$(LIBOMV): $(OBJS)
	@rm -f $@
	ar rcs $@ $(OBJS)

$(BUILD)/%.o: %.c $(wildcard include/*.h) | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The default rule set is built into the binary so `omv risk` works with no config.
$(BUILD)/gen/risk-conf.c: conf/risk.conf
	@mkdir -p $(dir $@)
	@{ echo '/* generated from conf/risk.conf; do not edit */'; \
	   echo '#include <stddef.h>'; \
	   echo 'const char risk_conf_text[] = {'; \
	   od -An -v -tx1 conf/risk.conf | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	   echo '0x00 };'; \
	   echo 'const size_t risk_conf_len = sizeof risk_conf_text - 1;'; } > $@

$(BUILD)/gen/risk-conf.o: $(BUILD)/gen/risk-conf.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBOMV)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBOMV) $(LIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(LIBOMV)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBOMV) $(LIBS)

unit: $(BIN) $(UNITS) $(HELPER_BINS)
	@OMV_BUILD=$(BUILD) OMV_BIN=$(abspath $(BIN)) tests/run.sh unit $(UNITS)

e2e: $(BIN) $(HELPER_BINS)
	@OMV_BUILD=$(BUILD) OMV_BIN=$(abspath $(BIN)) tests/run.sh e2e

test: check-deps
	@$(MAKE) --no-print-directory $(BIN) $(UNITS) $(HELPER_BINS)
	@OMV_BUILD=$(BUILD) OMV_BIN=$(abspath $(BIN)) tests/run.sh all $(UNITS)

asan: check-deps
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_MAKE = $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CFLAGS="-O1 -g" \
	    SAN="-fsanitize=fuzzer-no-link,address,undefined"
fuzz: check-deps
	@$(FUZZ_MAKE) build-fuzz/libomv.a
	@$(FUZZ_MAKE) fuzz-bins

fuzz-bins: $(FUZZ_TARGETS)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libomv.a
	clang -std=c11 -D_GNU_SOURCE -O1 -g -Iinclude -Ibuild-fuzz $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $@ $< build-fuzz/libomv.a $(LIBS)

FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: check-deps
	@$(MAKE) --no-print-directory $(BIN) $(LIBOMV) $(HELPER_BINS)
	@OMV_BUILD=$(BUILD) OMV_BIN=$(abspath $(BIN)) tests/bench/run.sh

demo: check-deps
	@$(MAKE) --no-print-directory $(BIN)
	@OMV_BIN=$(abspath $(BIN)) tests/demo.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/omv/conf/runbooks \
	    $(DESTDIR)$(PREFIX)/share/omv/themes $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/omv
	install -m 0644 conf/*.conf $(DESTDIR)$(PREFIX)/share/omv/conf/
	install -m 0644 conf/runbooks/*.conf $(DESTDIR)$(PREFIX)/share/omv/conf/runbooks/
	install -m 0644 themes/*.conf $(DESTDIR)$(PREFIX)/share/omv/themes/
	install -m 0644 doc/omv.1 $(DESTDIR)$(PREFIX)/share/man/man1/omv.1

clean:
	rm -rf build build-asan build-fuzz omv
