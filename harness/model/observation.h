/* observation: what running a case's steps saw, step by step.  Written by
 * the executor (exec/), read by the verdict and the reports; plain data. */
#ifndef BC_OBSERVATION_H
#define BC_OBSERVATION_H

#include <stdbool.h>

#include "model/case.h"

#define BC_OBS_MAGIC 0x62634f42u /* "bcOB": a whole observation arrived */
#define BC_OBS_OUT_MAX 3072      /* of a target's output, the first this many bytes are kept */
#define BC_OBS_NOTE_MAX 192

enum bc_obs_status {
	BC_OBS_DONE,         /* every step ran (checked ones may have failed) */
	BC_OBS_SETUP_FAILED, /* an unchecked step failed; failed_step says which */
	BC_OBS_UNSUPPORTED,  /* a setup step this environment cannot do (seteuid to an
	                        unmapped uid in a user namespace); failed_step says which */
};

struct bc_step_obs {
	bool ran;
	struct bc_outcome out;
};

struct bc_observation {
	unsigned magic;
	enum bc_obs_status status;
	int nsteps;
	int failed_step;
	struct bc_step_obs steps[BC_MAX_STEPS];
	unsigned short ports[BC_MAX_VARS]; /* the port variables' values at the end */
	/* net.ipv4.ip_local_port_range of the namespace the steps ran in, as
	 * the executor read it before the first step (0-0: unknown).  The
	 * range is the case's own, which the judging parent cannot read. */
	unsigned short eph_lo, eph_hi;
	/* The target a run step started: what the harness did beyond
	 * stopping it (a daemon followed and stopped), and the start of what
	 * it wrote to stdout and stderr.  Last, so that exec/wire.c sends
	 * only the bytes kept. */
	bool has_target;
	char target_note[BC_OBS_NOTE_MAX];
	unsigned long target_out_total; /* bytes it wrote */
	unsigned target_out_len;        /* of which these were kept, */
	char target_out[BC_OBS_OUT_MAX + 1]; /* NUL-terminated */
};

/* The outcomes of the checked steps, in order, as "a,b,c". */
void bc_obs_format_checked(const struct bc_case *c, const struct bc_observation *obs, char *buf, unsigned buflen);

#endif
