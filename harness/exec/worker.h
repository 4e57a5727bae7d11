/* worker: one pool worker's life (see worker.c).  Private to exec/. */
#ifndef BC_WORKER_H
#define BC_WORKER_H

#include "exec/runner.h"
#include "exec/wire.h"

/* Runs in the forked worker: takes cases from cmd (exec/wire.h), answers
 * on out, and never returns. */
_Noreturn void bc_worker_main(const struct bc_runner *r, int cmd, int out, struct bc_beat *beat);

#endif
