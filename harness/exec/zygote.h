/* zygote: a small process that pool workers are made from.  The runner
 * starts it before it reads the tables, so a worker holds none of them:
 * forking a process costs in proportion to its memory, and a worker forks
 * a child for every case it sandboxes and every target it starts.  The
 * workers it makes are the runner's children (CLONE_PARENT), as forked
 * workers are; cases reach them over their pipe (exec/wire.h).  Private to
 * exec/ and the command line. */
#ifndef BC_ZYGOTE_H
#define BC_ZYGOTE_H

#include <stdbool.h>
#include <sys/types.h>

#include "exec/runner.h"

#define BC_ZYGOTE_SLOTS 64 /* workers at once: pool.c's most */

struct bc_beat;

/* Start it, for workers that run under r as it is now.  0, or -1 when it
 * could not be started (the pool then forks workers itself).  Call it
 * once, with the interrupt handlers in place: its workers keep them. */
int bc_zygote_start(const struct bc_runner *r);
/* The beats its workers write (BC_ZYGOTE_SLOTS of them, shared with the
 * caller), NULL without a zygote. */
struct bc_beat *bc_zygote_beats(void);
/* A worker on beat slot, reading cases from cmd and answering on out
 * (the caller keeps its copies of both): its pid, a child of the caller;
 * -1 when the zygote is gone or failed. */
pid_t bc_zygote_spawn(int slot, int cmd, int out);
/* Start n workers now (slots 0..n-1), while the runner goes on to read
 * the tables: a worker's namespaces and confinement take longer than
 * reading a table, and are then ready when the first case is.  The pool
 * takes them (bc_zygote_take); bc_zygote_stop ends those it did not. */
void bc_zygote_warm(int n);
/* The warm worker on slot, if there is one not yet taken: its pid and the
 * runner's ends of its pipes, now the caller's. */
bool bc_zygote_take(int slot, pid_t *pid, int *cmd, int *res);
/* End it, and the warm workers no one took (a worker taken is not
 * touched). */
void bc_zygote_stop(void);

#endif
