#!/usr/bin/env python3
"""Programs that try bindcheck's fault preload (build/bc_fiu.so) the way real
servers do; cases/faults.tbl (FI-20 and later) runs them.  Each process
binds and listens on PORT, says what it got, closes and exits on its own.

  preload.py fork PORT     the parent binds 127.0.0.1, then forks a child
                           that binds [::1] (as a master and its worker);
                           exit: how many of the two failed
  preload.py netlink PORT  a netlink socket and a unix socket are bound
                           first (as dnsmasq's first bind is its netlink
                           socket), then 127.0.0.1; exit: 1 if the inet
                           bind failed, + 2 netlink, + 4 unix
  preload.py fds PORT LOG  closes every fd it inherited above stderr (as
                           daemons do), opens LOG, which lands on fd 3,
                           binds 127.0.0.1 and writes to the log; exit 0
"""
import os
import socket
import sys


def serve(who, family, addr, listen=True):
    """bind (and listen) one socket; 0 when it worked, else 1."""
    try:
        s = socket.socket(family, socket.SOCK_RAW if family == socket.AF_NETLINK else socket.SOCK_STREAM)
    except OSError as e:
        print("%s: socket: %s" % (who, e), flush=True)
        return 1
    try:
        s.bind(addr)
        if listen:
            s.listen(5)
        print("%s: bound" % who, flush=True)
        return 0
    except OSError as e:
        print("%s: %s" % (who, e), flush=True)
        return 1
    finally:
        s.close()


def fork(port):
    failed = serve("parent", socket.AF_INET, ("127.0.0.1", port))
    pid = os.fork()
    if pid == 0:
        # sys.exit, not os._exit: the child ends as a process does, and
        # the preload writes the child's report at its exit.
        sys.exit(serve("child", socket.AF_INET6, ("::1", port)))
    _, status = os.waitpid(pid, 0)
    return failed + os.waitstatus_to_exitcode(status)


def netlink(port):
    nl = serve("netlink", socket.AF_NETLINK, (0, 0), listen=False)
    un = serve("unix", socket.AF_UNIX, "sock")
    return serve("inet", socket.AF_INET, ("127.0.0.1", port)) + 2 * nl + 4 * un


def fds(port, log):
    os.closerange(3, 65536)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    print("fds: log on fd %d" % fd, flush=True)
    rc = serve("inet", socket.AF_INET, ("127.0.0.1", port))
    os.write(fd, b"fds: the log's own line\n")
    return rc


mode, port = sys.argv[1], int(sys.argv[2])
sys.exit(fork(port) if mode == "fork" else netlink(port) if mode == "netlink" else fds(port, sys.argv[3]))
