#!/bin/sh
# deps.sh: the Debian packages omv needs to build and test.
#   deps.sh check     install what is missing when root; otherwise print the
#                     exact apt-get line and fail
#   deps.sh install   the same, but also when nothing seems missing (idempotent)
#   deps.sh install PKG...  extra packages (benchmarks use this for peers)
set -u
PKGS="gcc make pkg-config libssh-dev libvterm-dev libconfig-dev libcmocka-dev
libsqlite3-dev libncurses-dev libssl-dev sqlite3 openssh-server openssh-client
tmux asciinema locales"

mode=${1:-check}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && PKGS="$*"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "omv: missing packages:$missing" >&2
	echo "omv: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "omv: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null 2>&1
if ! apt-get install -y -q $missing >/tmp/omv-apt.$$ 2>&1; then
	tail -20 /tmp/omv-apt.$$ >&2
	rm -f /tmp/omv-apt.$$
	echo "omv: apt-get install failed for:$missing" >&2
	exit 1
fi
rm -f /tmp/omv-apt.$$
exit 0
