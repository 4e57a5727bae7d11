/* plan: in place or in the sandbox (see plan.h). */
#define _POSIX_C_SOURCE 200809L
#include "exec/plan.h"

#include <string.h>
#include <sys/socket.h>

#include "exec/guard.h"
#include "exec/judge.h"
#include "model/profile.h"
#include "model/verbs.h"

/* Where one step can run: in place, where closing its handles frees
 * everything (CLEAN), or leaves state in the namespace (RESET), or only in a
 * case with a target (TARGET), or misbehaves so that the worker is replaced
 * after it (RETIRE); otherwise only in the sandbox. */
static enum bc_place step_place(const struct bc_case *c, const struct bc_step *st)
{
	enum bc_place p = bc_verb_place(st->verb);
	if (p == BC_PLACE_TARGET)
		return c->target ? BC_PLACE_RESET : BC_PLACE_SANDBOX;
	const struct bc_addr *a = bc_step_addr(st);
	if (a && a->family == AF_UNIX)
		return BC_PLACE_SANDBOX; /* a relative path would land in the worker's directory */
	if (st->verb == BC_V_SOCKET && st->sock.in_peer)
		return BC_PLACE_SANDBOX;
	/* A literal fd may name one of the worker's own: 0 to 2, or its pipes
	 * above BC_GUARD_FD_HIGH. */
	if (st->handle < 0 && st->fd >= 0 && (st->fd < 3 || st->fd >= BC_GUARD_FD_HIGH))
		return BC_PLACE_SANDBOX;
	return p;
}

/* The steps together: the strictest place any of them needs. */
static enum bc_place steps_place(const struct bc_case *c)
{
	/* A case with a target needs its scratch directory for the target
	 * alone (its working directory): its own steps touch no file.  It
	 * always leaves a used namespace behind. */
	enum bc_place k = c->target ? BC_PLACE_RESET : BC_PLACE_CLEAN;
	if ((c->needs & BC_NEEDS_SCRATCH) && !c->target)
		return BC_PLACE_SANDBOX;
	for (int i = 0; i < c->nsteps; i++) {
		enum bc_place p = step_place(c, c->steps[i]);
		if (p == BC_PLACE_SANDBOX)
			return BC_PLACE_SANDBOX;
		if (p > k)
			k = p;
	}
	return k;
}

bool bc_plan_profile_netns_only(const struct bc_profile *p)
{
	return !p || (!p->set_uid && p->caps == BC_CAPS_DEFAULT && !p->hostname[0] && !p->names && !p->nhosts && !p->peer);
}

/* A case with a target may also have a host name and name files: only its
 * target looks names up, and the target sets them up for itself. */
static bool profile_in_place(const struct bc_case *c, const struct bc_profile *p)
{
	if (bc_plan_profile_netns_only(p))
		return true;
	return c->target && !p->set_uid && p->caps == BC_CAPS_DEFAULT && !p->peer;
}

int bc_plan_case(const struct bc_runner *r, const struct bc_case *c, bool worker_net, struct bc_profile *merged,
		 struct bc_plan *pl, struct bc_run_facts *refused)
{
	char why[512];
	const char *skip = bc_runner_skip_reason(r, c, why, sizeof(why));
	memset(pl, 0, sizeof(*pl));
	if (skip) {
		bc_facts_refused(refused, BC_RUN_UNAVAILABLE, skip);
		return -1;
	}
	pl->profile = c->profile;
	if (r->run_profile) {
		/* The platform's environment first, the case's own on top. */
		*merged = *r->run_profile;
		if (c->profile && bc_profile_merge(merged, c->profile, why, sizeof(why)) < 0) {
			bc_facts_refused(refused, BC_RUN_FAILED, why);
			return -1;
		}
		pl->profile = merged;
	}
	pl->where = BC_WHERE_SANDBOX;
	if (!worker_net || r->isolation == BC_ISO_SANDBOX || !profile_in_place(c, pl->profile))
		return 0;
	enum bc_place k = steps_place(c);
	if (k == BC_PLACE_SANDBOX)
		return 0;
	pl->where = BC_WHERE_IN_PLACE;
	pl->reset_after = k == BC_PLACE_RESET || k == BC_PLACE_RETIRE;
	pl->retire_after = k == BC_PLACE_RETIRE;
	return 0;
}

bool bc_plan_in_place_clean(const struct bc_case *c)
{
	return !c->profile && !c->target && steps_place(c) == BC_PLACE_CLEAN;
}
