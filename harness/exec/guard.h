/* guard: what a case may not leave behind, measured the same way at every
 * isolation level: open fds, heap growth, processes, and its output.  The
 * executor takes the readings around the steps (exec/worker.c in place,
 * exec/sandbox.c in a case's own process) and puts them in the run facts;
 * only exec/judge.c turns them into a verdict. */
#ifndef BC_GUARD_H
#define BC_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A case whose heap grows by more than this during its steps has leaked
 * (glibc only; Valgrind's Memcheck finds the smaller leaks). */
#define BC_HEAP_LEAK_MIN (256 * 1024)

/* fds a case can hold at once: its handles, the connections a handshakes
 * step keeps, and a margin.  In place, a worker's own fds sit above
 * BC_GUARD_FD_HIGH, so the fds a case opens are the lowest free ones and
 * all of them fall in [first, first + the most it can hold at once), at
 * most BC_GUARD_FD_WINDOW. */
#define BC_GUARD_FD_WINDOW 320
#define BC_GUARD_FD_HIGH 900

/* Of a case's stdout and stderr this much is kept; the rest is counted. */
#define BC_GUARD_OUT_MAX (64 * 1024)

/* Open fds of this process, -1 when they cannot be counted. */
int bc_guard_count_fds(void);
/* Open fds in [first, first + n), n at most BC_GUARD_FD_WINDOW, in one
 * system call. */
int bc_guard_fds_open_from(int first, int n);
/* Move fd to BC_GUARD_FD_HIGH or above (close-on-exec); returns the new fd,
 * or fd itself when it cannot be moved. */
int bc_guard_fd_high(int fd);
/* Is this process running under Valgrind?  (Its 3.19 knows neither
 * mallinfo2, mount_setattr, openat2 nor pidfd_open: callers take another
 * way there.) */
bool bc_guard_under_valgrind(void);
/* Bytes of heap in use (glibc), 0 where unknown. */
long bc_guard_heap(void);
/* Does this process have a child (a process it started, or an orphan it
 * reaps)?  Reaps nothing. */
bool bc_guard_has_children(void);
/* This process's children, at most max of them. */
int bc_guard_children(pid_t *out, int max);
/* How many processes descend from pid (at most 1024). */
int bc_guard_descendants(pid_t pid);
/* Kill and reap every child of this process but those in keep, again and
 * again while orphans of the killed ones arrive; returns how many. */
int bc_guard_reap(const pid_t *keep, int nkeep);
/* Make this process the reaper of every orphan its cases leave, so that a
 * process that left the case's group (setsid) is still found.  False where
 * that is not possible. */
bool bc_guard_become_reaper(void);

/* Output of cases run in place: stdout and stderr of this process go to an
 * anonymous file from now on; take() reads how much was written since the
 * last take and empties it.  false when no such file could be made (the
 * output then goes where it went). */
bool bc_guard_capture_start(void);
void bc_guard_capture_take(size_t *total, size_t *kept);

#endif
