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

/* How a case's run ended, as the executor saw it, at whatever isolation
 * level it ran: with the observation, all the parent needs to make the
 * result (exec/judge.c).  A worker sends these; it never judges. */
enum bc_run_end {
	BC_RUN_DONE,        /* the steps ran; the observation is valid */
	BC_RUN_TIMEOUT,     /* killed at the case's timeout; step says where */
	BC_RUN_SIGNALED,    /* died of signal `status` */
	BC_RUN_EXITED,      /* the case's process exited with `status` before its report was whole */
	BC_RUN_VALGRIND,    /* Memcheck found errors in the case's process */
	BC_RUN_LOST,        /* its process went away without a word (status: a wait status) */
	BC_RUN_UNAVAILABLE, /* this machine cannot give it what it needs: a skip, detail says why */
	BC_RUN_FAILED,      /* the harness could not run it (fork, pipe, scratch, profile): detail says why */
};

struct bc_run_facts {
	enum bc_run_end end;
	int status;
	int step;          /* the step it was in when it ended, -1 none or unknown */
	int timeout_ms;    /* the timeout it ran under */
	bool in_place;     /* it ran inside a pool worker, without a process of its own */
	int fds_before;    /* the guards' readings: open fds around the steps (-1 unknown), */
	int fds_after;
	long heap_delta;   /* the heap's growth during them (0 unknown), */
	int lingering;     /* processes of the case still running after them (killed), */
	size_t log_total;  /* and what it wrote to stdout and stderr, */
	size_t log_kept;   /* of which this much was kept */
	long duration_us;
	char detail[384];  /* with UNAVAILABLE and FAILED: why */
};

/* Facts for a case that never ran: a skip or an error, with why. */
void bc_facts_refused(struct bc_run_facts *f, enum bc_run_end end, const char *why);

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
	const char *confinement; /* the walls around every case and target, in words */
	bool private_net, ipv6; /* what the sandbox could provide */
	const char *note;       /* why not, when not ("" otherwise) */
	const char *prog;       /* how to call bindcheck in a re-run command, or NULL */
	double time_scale;      /* --time-scale: every timeout, grace and stop time times this (1: none) */
};

#endif
