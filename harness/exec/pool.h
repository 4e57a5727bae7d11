/* pool: run cases on N worker processes, each in a network namespace of its
 * own that it prepares once (see pool.c). */
#ifndef BC_POOL_H
#define BC_POOL_H

#include "exec/runner.h"


/* Run cases[0..n) on jobs workers.  done() is called once per case, in
 * index order, whatever order they finish in.  Returns 0, or -1 when no
 * worker could be started (the caller then runs the cases itself). */
int bc_pool_run(const struct bc_runner *r, const struct bc_case *const *cases, int n, int jobs,
		void (*done)(void *arg, int index, const struct bc_case_result *res), void *arg);

/* Run c in the full sandbox of this process and judge it: what the pool
 * falls back to, and what unit tests use to run one case. */
void bc_run_case(const struct bc_runner *r, const struct bc_case *c, struct bc_case_result *res);
/* The one way a list of cases is run, for the command line and the suite
 * alike: on jobs pool workers, or one after another in this process when no
 * worker can be started.  done() is called once per case, in order. */
void bc_run_cases(const struct bc_runner *r, const struct bc_case *const *cases, int n, int jobs,
		  void (*done)(void *arg, int index, const struct bc_case_result *res), void *arg);

#endif
