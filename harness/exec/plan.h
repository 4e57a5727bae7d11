/* plan: where a case runs, decided once per case from data: in place in a
 * pool worker (its namespace prepared for the case's profile), or in the
 * full sandbox (a process and namespaces of its own).  The guards are the
 * same at both levels (exec/guard.h); --isolation sandbox puts every case in
 * the sandbox, and the verdicts must not change. */
#ifndef BC_PLAN_H
#define BC_PLAN_H

#include <stdbool.h>

#include "exec/runner.h"
#include "model/result.h"

enum bc_where { BC_WHERE_IN_PLACE, BC_WHERE_SANDBOX };

struct bc_plan {
	enum bc_where where;
	const struct bc_profile *profile; /* the case's under the run's, NULL for none */
	bool reset_after;  /* in place: it leaves state in the namespace, which is renewed after it */
	bool retire_after; /* in place: the worker is replaced after it */
};

/* Plan c for a process that has (worker_net) or has not a private network
 * namespace of its own to run cases in.  merged holds the merged profile
 * when one is needed.  Returns 0, or -1 when the case cannot run at all:
 * refused then says why (a skip or an error). */
int bc_plan_case(const struct bc_runner *r, const struct bc_case *c, bool worker_net, struct bc_profile *merged,
		 struct bc_plan *pl, struct bc_run_facts *refused);
/* A profile a worker can give its own namespace, so that cases under it
 * run in place too: namespace sysctls, lo addresses and lo down only (NULL:
 * none).  For lo down the worker moves to a namespace whose lo never came
 * up (exec/worker.c prepare_netns). */
bool bc_plan_profile_netns_only(const struct bc_profile *p);

/* Does this case run in place and leave nothing behind once its sockets
 * are closed: no profile, target, file or identity change, no connection
 * (no TIME_WAIT)?  What `bindcheck bare` times. */
bool bc_plan_in_place_clean(const struct bc_case *c);

#endif
