/* worker: one pool worker's life (see worker.c).  Private to exec/. */
#ifndef BC_WORKER_H
#define BC_WORKER_H

#include "exec/runner.h"
#include "exec/wire.h"

/* Runs in the forked worker: takes cases from cmd (exec/wire.h), answers
 * on out, and never returns. */
_Noreturn void bc_worker_main(const struct bc_runner *r, int cmd, int out, struct bc_beat *beat);

/* Kill the worker whose process this one made is pid, on its beat.  That
 * process stays behind its confined worker (exec/confine.h) and ends when
 * the worker's PID namespace's pid 1 ends, which is when every process of
 * that namespace has ended: killing that pid 1 and waiting for pid leaves
 * nothing running.  Until that pid is known, or if pid has already ended
 * (that pid may then be anyone's), pid is killed and pid 1 follows it
 * (PR_SET_PDEATHSIG).  The caller waits for pid. */
void bc_worker_kill(pid_t pid, const struct bc_beat *beat);

#endif
