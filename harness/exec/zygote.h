/* zygote: a small process that pool workers are made from.  The runner
 * starts it before it reads the tables, so a worker holds none of them:
 * forking a process costs in proportion to its memory, and a worker forks
 * a child for every case it sandboxes and every target it starts.  The
 * workers it makes are the runner's children (CLONE_PARENT), as forked
 * workers are; cases reach them over their pipe (exec/wire.h).  Private to
 * exec/ and the command line. */
#ifndef BC_ZYGOTE_H
#define BC_ZYGOTE_H

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
/* End it (a worker it made is not touched). */
void bc_zygote_stop(void);

#endif
