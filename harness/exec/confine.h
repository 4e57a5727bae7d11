/* confine: the walls every case and target runs inside, put up once per
 * worker (and once per case child that runs outside a worker):
 *
 *  - a private PID namespace with its own /proc, in which the worker runs
 *    under a pid 1 that only waits: no host pid is visible, and when the
 *    worker ends every process it left ends with it;
 *  - a private mount namespace in which the host's file system is a
 *    recursive read-only, nosuid bind; /tmp, /var/tmp and /dev/shm are
 *    private tmpfs, /dev holds only null, zero, full, random, urandom and
 *    tty; in /proc only /proc/sys/net is writable;
 *  - private UTS and IPC namespaces, PR_SET_NO_NEW_PRIVS, and a capability
 *    bounding set without what no case needs (module loading, raw I/O,
 *    the clock, reboot, mknod, open_by_handle_at, BPF, ...);
 *  - as an unprivileged user, all of it inside a user namespace in which
 *    the caller's uid is root.
 *
 * Targets are confined further just before they exec (bc_confine_target):
 * without CAP_SYS_ADMIN they cannot remount, unmount or enter another
 * namespace. */
#ifndef BC_CONFINE_H
#define BC_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Enter the confinement.  The caller forks the namespace's pid 1, which
 * puts up the walls and forks the worker: that returns 0, confined, as pid
 * 2 of its PID namespace (pid 1 only waits), with TMPDIR set to its
 * private /tmp.  The caller stays behind, waits, and ends as the worker
 * ended (it never returns).  If real_pid is given, the caller stores pid
 * 1's pid (as the caller's parent sees it) there first, so that the parent
 * can kill the namespace, and with it everything in it, itself.  Returns
 * -1 with why, unconfined, when the platform cannot do it. */
int bc_confine_enter(pid_t *real_pid, char *why, size_t n);

/* Is this process inside a confinement made by bc_confine_enter? */
bool bc_confined(void);

/* In a target's process, just before exec: drop what a program run as
 * root could use to leave the confinement (CAP_SYS_ADMIN: mount, umount,
 * setns, unshare; CAP_SYS_PTRACE; CAP_NET_ADMIN stays, it is the case's
 * own namespace).  Async-signal-safe: it runs in a vfork child.  0, or -1
 * with errno. */
int bc_confine_target(void);
/* The system calls a target may not make (exec/filter.c): a seccomp
 * filter; needs PR_SET_NO_NEW_PRIVS first.  0, or -1 with errno. */
int bc_confine_filter(void);

#endif
