/* judge: the one place a case's result is made, from what its run observed
 * and the facts of how it ran, whatever ran it (in place, in a sandbox, or a
 * worker that was lost). */
#ifndef BC_JUDGE_H
#define BC_JUDGE_H

#include "exec/runner.h"
#include "model/result.h"

/* obs is read only when f->end is BC_RUN_DONE; it may be &res->obs. */
void bc_result_make(const struct bc_runner *r, const struct bc_case *c, const struct bc_observation *obs,
		    const struct bc_run_facts *f, struct bc_case_result *res);

#endif
