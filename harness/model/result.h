/* result: one case's result, as the parent makes it from what the executor
 * observed and the verdict; what every report is written from. */
#ifndef BC_RESULT_H
#define BC_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"
#include "model/observation.h"
#include "model/verdict.h"

struct bc_case_result {
	const struct bc_case *c;
	bool ran;                   /* the case's steps ran and obs is valid */
	bool in_place;              /* it ran inside a pool worker's namespace, without a child of its own */
	size_t log_total;           /* bytes the case wrote to stdout and stderr */
	size_t log_kept;
	struct bc_observation obs;
	struct bc_judgement j;
	long duration_us;
};

#endif
