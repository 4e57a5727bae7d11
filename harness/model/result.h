/* result: one case's result, as the parent makes it from what the executor
 * observed and the verdict; what every report is written from. */
#ifndef BC_RESULT_H
#define BC_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"
#include "model/observation.h"
#include "model/platform.h"
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

/* The run as results.json records it besides its cases: where it ran, how
 * cases were isolated, how to call bindcheck again.  The runner fills it
 * (bc_runner_describe); reports take this, never the runner.  The strings
 * belong to whoever filled it and last as long as that. */
struct bc_run_info {
	struct bc_platform platform;
	const char *profile;    /* --platform-profile NAME, or NULL for none */
	const char *isolation;  /* how cases were isolated, in words */
	bool private_net, ipv6; /* what the sandbox could provide */
	const char *note;       /* why not, when not ("" otherwise) */
	const char *prog;       /* how to call bindcheck in a re-run command, or NULL */
};

#endif
