#!/usr/bin/python3
"""Targets for cases/selftest/target.tbl: small servers that daemonize, that
stay short of their "listens", that write a lot, or that check an argument.

serve.py MODE [ARG]
  daemon-keep   the first process exits 0; a grandchild keeps stdout and
                stderr, listens on 127.0.0.1:8080 (TCP) and 127.0.0.1:8053
                (UDP) and says so
  daemon-close  the same, but the grandchild closes every fd first
  daemon-dies   the grandchild exits 1 at once, listening nowhere
  fallback      listens on 127.0.0.1:8080 only, then says what it skipped
  spew          writes 10000 bytes to stderr and exits 3
  conf          ARG is --conf=PATH: exits 0 when PATH is an absolute path
                to a file, else 1
"""
import os
import socket
import sys
import time


def listen():
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 8080))
    tcp.listen(5)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 8053))
    return tcp, udp


def daemonize(close):
    print("daemon: forking", flush=True)
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    if close:
        os.closerange(0, 1024)
        fd = os.open(os.devnull, os.O_RDWR)
        os.dup2(fd, 1)
        os.dup2(fd, 2)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode in ("daemon-keep", "daemon-close", "daemon-dies"):
        daemonize(mode == "daemon-close")
        if mode == "daemon-dies":
            os._exit(1)
        socks = listen()
        print("daemon: listening", flush=True)
        time.sleep(60)
        return 0 if socks else 1
    if mode == "fallback":
        socks = listen()
        time.sleep(0.1)
        print("fallback: 127.0.0.2:8080 skipped", flush=True)
        time.sleep(60)
        return 0 if socks else 1
    if mode == "spew":
        for i in range(200):
            sys.stderr.write("spew line %03d %s\n" % (i, "x" * 35))
        return 3
    if mode == "conf":
        arg = sys.argv[2] if len(sys.argv) > 2 else ""
        path = arg[len("--conf="):] if arg.startswith("--conf=") else ""
        ok = os.path.isabs(path) and os.path.isfile(path)
        print("conf: %s %s" % (path, "found" if ok else "not found"), flush=True)
        return 0 if ok else 1
    print("serve.py: unknown mode %r" % mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
