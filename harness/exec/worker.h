/* worker: one pool worker's life (see worker.c).  Private to exec/. */
#ifndef BC_WORKER_H
#define BC_WORKER_H

#include "exec/runner.h"
#include "exec/wire.h"

/* Runs in the forked worker: takes case indexes from cmd, answers on out,
 * and never returns. */
_Noreturn void bc_worker_main(const struct bc_runner *r, const struct bc_case *const *cases, int n, int cmd, int out,
			      struct bc_beat *beat);

#endif
