#!/bin/sh
# confine.sh ATTEMPT: one way out of a case's confinement, tried as a target
# run as root would try it.  Exit 0: the attempt was refused, or it landed
# only inside the case; 1: it got out; 3: the suite's environment is
# missing (BC_ESCAPE_DIR, a directory on the host the attempts aim at;
# BC_ESCAPE_PID, a host process outside the case; BC_ESCAPE_RUNSOCK, a
# unix socket listening on the host under /run, as daemons' are).  Used by
# cases/selftest/confine.tbl and suite/test_confine.c, which also checks the
# host afterwards.
dir=${BC_ESCAPE_DIR:-}
pid=${BC_ESCAPE_PID:-}
[ -n "$dir" ] && [ -n "$pid" ] || exit 3
refused() { ! "$@" >/dev/null 2>&1; }
case "$1" in
etc)        refused touch /etc/bindcheck-escape ;;
dir-write)  refused touch "$dir/new" ;;
dir-chmod)  refused chmod 4777 "$dir/file" ;;
dir-remove) refused rm -f "$dir/file" ;;
sys-write)  f=/sys/kernel/mm/transparent_hugepage/enabled # its own value: harmless if it got out
            [ -e "$f" ] || exit 3
            v=$(sed 's/.*\[\(.*\)\].*/\1/' "$f")
            refused sh -c "echo $v > $f" ;;
tmp)        echo probe > /tmp/bindcheck-escape-probe && [ -s /tmp/bindcheck-escape-probe ] ;;
remount)    refused mount -o remount,rw / ;;
umount)     refused umount -l /proc ;;
userns)     refused unshare -Urm sh -c 'mount -o remount,rw /' ;;
nsenter)    refused nsenter -t "$pid" -n true ;;
host-pid)   [ ! -e "/proc/$pid" ] || [ "$(cat /proc/$pid/comm)" != bc_suite ] ;;
proc-list)  [ "$(ls /proc | grep -c '^[0-9]')" -lt 16 ] && [ "$(cat /proc/1/comm)" != systemd ] ;;
kill)       refused kill -0 "$pid" || [ "$(cat /proc/$pid/comm 2>/dev/null)" != bc_suite ] ;;
sysctl)     refused sh -c 'cat /proc/sys/vm/swappiness > /proc/sys/vm/swappiness' ;;
sysrq)      refused sh -c 'echo h > /proc/sysrq-trigger' ;;
disk)       ! ls /dev/sd? /dev/vd? /dev/nvme* /dev/mem /dev/kmsg >/dev/null 2>&1 &&
            refused mknod /dev/bindcheck-disk b 8 0 ;;
hostname)   refused hostname bindcheck-escape ;;
keyring)    refused /usr/bin/python3 -c 'import ctypes, sys
r = ctypes.CDLL(None).syscall(248, b"user", b"bindcheck-escape", b"x", 1, -4)  # add_key, @u
sys.exit(0 if r > 0 else 1)' ;;
run-socket) [ -n "${BC_ESCAPE_RUNSOCK:-}" ] || exit 3
            refused /usr/bin/python3 -c 'import os, socket
s = socket.socket(socket.AF_UNIX)
s.connect(os.environ["BC_ESCAPE_RUNSOCK"])' ;;
tty)        refused sh -c ': </dev/tty' ;;
sched)      refused chrt -f 1 true ;;
*)          exit 3 ;;
esac
