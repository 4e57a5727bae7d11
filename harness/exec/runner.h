/* runner: runs cases in order through the sandbox, judges them, and prints
 * one stable line per case. */
#ifndef BC_RUNNER_H
#define BC_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "model/case.h"
#include "model/platform.h"
#include "exec/sandbox.h"
#include "exec/steps.h"
#include "model/result.h"
#include "model/verdict.h"

/* --isolation: auto runs a case in place in a pool worker where it can
 * leave nothing behind, in the full sandbox otherwise; sandbox runs every
 * case in the full sandbox.  The verdicts must be the same. */
enum bc_isolation { BC_ISO_AUTO, BC_ISO_SANDBOX };

struct bc_runner {
	struct bc_platform platform;
	struct bc_sandbox_caps caps;
	const char *prog;   /* how to call bindcheck in a re-run command */
	int timeout_ms;     /* > 0: overrides every case's timeout */
	double time_scale;  /* --time-scale (> 1: under emulation): every case's timeout and
	                       its target's grace and stop times are this many times longer */
	bool allow_host_net; /* without a private network namespace, run cases in a
	                        plain child on the host's network instead of skipping */
	unsigned long host_net; /* the runner's own network namespace: no profile applies there */
	bool reaper;        /* orphans of cases come back to this process, which kills them */
	bool pooled;        /* cases run on pool workers (pool.c) */
	bool root;          /* the run is uid 0 with the capabilities a "needs root" target wants */
	enum bc_isolation isolation;
	const struct bc_profile *run_profile; /* applied under every case's own (--platform-profile) */
	char run_profile_name[BC_ID_MAX];
	/* Set (by a signal handler) when the run is to stop: no case is
	 * started after it, and the running ones end with their workers. */
	const volatile sig_atomic_t *stop;
};

/* How cases are isolated on this runner, in words for reports. */
const char *bc_runner_isolation(const struct bc_runner *r);
/* The run in plain data, for results.json and the console (exec/describe.c).
 * Call it once the runner is set up: its strings point into r. */
void bc_runner_describe(const struct bc_runner *r, struct bc_run_info *info);



void bc_runner_init(struct bc_runner *r, const char *prog);
/* Is this process uid 0 with the capabilities a daemon started as root
 * uses (to give up its identity and own its files)?  A run as another uid
 * runs its cases as root of a user namespace, where they do not reach
 * beyond it.  A target that says "needs root" is a skip otherwise. */
#define BC_ROOT_CAPS_TEXT "CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_DAC_OVERRIDE and CAP_NET_BIND_SERVICE"
bool bc_runner_is_root(void);
/* --platform-profile NAME: run every case under one of the built-in
 * profiles that make this host behave like another platform (bindv6only,
 * noipv6, lowports); the platform id gets "+NAME".  -1: unknown name. */
int bc_runner_set_platform_profile(struct bc_runner *r, const char *name);
/* Why c will not run here (no expectation for this platform, no isolation,
 * no IPv6), or NULL.  The reason may be written into buf. */
const char *bc_runner_skip_reason(const struct bc_runner *r, const struct bc_case *c, char *buf, unsigned len);
/* The timeout a case runs under: --timeout, else its own, times
 * --time-scale. */
int bc_runner_timeout_ms(const struct bc_runner *r, const struct bc_case *c);
/* Do this runner's workers put up their own walls (exec/confine.h)?  Not
 * under gVisor: runsc's sandbox is the wall there, and its
 * unshare(CLONE_NEWNS) makes no private mount namespace to build in. */
static inline bool bc_runner_confines(const struct bc_runner *r)
{
	return r->platform.slot != BC_SLOT_GVISOR;
}
/* The walls, in words for reports. */
const char *bc_runner_confinement(const struct bc_runner *r);
/* Has the run been told to stop (r->stop)? */
static inline bool bc_runner_stopped(const struct bc_runner *r)
{
	return r->stop && *r->stop;
}
/* Run c in the full sandbox under profile (its own, merged with the run's;
 * see exec/plan.h): the facts of the run, and the observation when its
 * steps ran.  Judges nothing. */
void bc_run_sandboxed(const struct bc_runner *r, const struct bc_case *c, const struct bc_profile *profile,
		      struct bc_observation *obs, struct bc_run_facts *f);
/* Does "table/id" match any of the patterns (shell globs; a bare table name
 * matches all its cases)?  No patterns: everything matches. */
bool bc_filter_match(const struct bc_case *c, char *const *patterns, int n);

#endif
