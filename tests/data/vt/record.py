#!/usr/bin/env python3
# record.py: how the recorded sessions in this directory were made.  Each
# program runs in a pty of a fixed size with TERM=xterm-256color, is sent a
# script of keystrokes with pauses, and everything it writes is saved raw.
# The files are named NAME-ROWSxCOLS.rec; test_vt feeds them to the emulator
# and to libvterm's VTermScreen and compares the screens.
#
#   python3 tests/data/vt/record.py [NAME ...]     (needs vim, less, top, htop)
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))

SAMPLE = "".join(
    "%03d  %s\n" % (i, s) for i, s in enumerate([
        "int main(int argc, char **argv) { return 0; }",
        "한글 텍스트와 中文字 그리고 emoji 😀🎉 mixed with ASCII",
        "e\u0301t\u00e9 cafe\u0301 na\u0303o — combining marks",
        "a very long line " + "that keeps going " * 12 + "until it wraps",
        "\ttabs\tand\ttrailing spaces   ",
    ] * 12))

COLOURED = "".join(
    "\x1b[3%dm%05d\x1b[0m \x1b[1;38;5;%dmINFO\x1b[0m \x1b[48;2;%d;40;60m%s\x1b[0m 한글 %s\n"
    % (i % 8, i, 16 + i % 200, i % 256, "request served", "x" * (i % 50))
    for i in range(400))

# name: (rows, cols, argv, keys); a key item is bytes to type or a pause in seconds.
SESSIONS = {
    "vim": (24, 80, ["vim", "-u", "NONE", "-N", "-i", "NONE", "{sample}"], [
        1.0, b"jjjjj", 0.3, b"G", 0.3, b"gg", 0.3, b":set nu\r", 0.3,
        b":syntax on\r", 0.3, b"/wraps\r", 0.3, "otyped 한글 line\x1b".encode(), 0.3,
        b"dd", 0.2, b"u", 0.2, b"\x06", 0.3, b"\x02", 0.3, b":vsplit\r", 0.5,
        b"\x17l", 0.2, b"10j", 0.3, b":q!\r", 0.3, b":q!\r", 0.5]),
    "vim-wide": (40, 120, ["vim", "-u", "NONE", "-N", "-i", "NONE", "{sample}"], [
        1.0, b":set list nowrap\r", 0.3, b"20j", 0.3, b"$", 0.3, b":split\r",
        0.3, b"\x04", 0.3, b":set wrap\r", 0.3, b":q!\r", 0.2, b":q!\r", 0.5]),
    "less": (24, 80, ["less", "-R", "{coloured}"], [
        1.0, b" ", 0.3, b" ", 0.3, b"b", 0.3, b"/served\r", 0.3, b"n", 0.3,
        b"G", 0.3, b"g", 0.3, b"j" * 10, 0.3, b"q", 0.5]),
    "top": (24, 80, ["top", "-d", "0.3"], [1.5, b"1", 0.8, b"q", 0.5]),
    "htop": (24, 80, ["htop", "-d", "3"], [
        1.5, b"\x1b[B" * 5, 0.5, b"t", 0.8, b"t", 0.5, b"q", 0.5]),
    "bash": (24, 80, ["bash", "--norc", "--noprofile", "-i"], [
        0.5, b"PS1='\\u@omv:\\w\\$ '\r", 0.3, "echo hello 한글\r".encode(), 0.3,
        b"echo " + b"long-argument-" * 8 + b"end\r", 0.3,
        b"\x1b[A", 0.3, b"\x01", 0.2, b"\x1b[C" * 3, 0.2, b"X", 0.2, b"\r", 0.3,
        b"ls /nonexistent-dir\r", 0.3, b"printf '\\e[31mred\\e[0m\\n'\r", 0.3,
        b"for i in $(seq 1 40); do echo line $i; done\r", 0.5,
        b"\x12echo\x1b[C\r", 0.3, b"exit\r", 0.5]),
}


def run(name, rows, cols, argv, keys):
    sample = os.path.join("/tmp", "omv-vt-sample.txt")
    coloured = os.path.join("/tmp", "omv-vt-coloured.txt")
    with open(sample, "w") as f:
        f.write(SAMPLE)
    with open(coloured, "w") as f:
        f.write(COLOURED)
    argv = [a.format(sample=sample, coloured=coloured) for a in argv]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                          HOME="/tmp", HISTFILE="/dev/null")
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = bytearray()

    def drain(seconds):
        end = time.time() + seconds
        while True:
            left = end - time.time()
            if left <= 0:
                return True
            r, _, _ = select.select([fd], [], [], left)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                out.extend(data)

    for k in keys:
        if isinstance(k, float):
            if not drain(k):
                break
        else:
            os.write(fd, k)
    drain(1.0)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    path = os.path.join(HERE, "%s-%dx%d.rec" % (name, rows, cols))
    with open(path, "wb") as f:
        f.write(out)
    print("%s: %d bytes" % (path, len(out)))


for name in sys.argv[1:] or SESSIONS:
    run(name, *SESSIONS[name])
