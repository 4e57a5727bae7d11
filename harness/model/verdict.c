/* verdict: pass, fail, xfail, xpass, skip or error, and why. */
#define _POSIX_C_SOURCE 200809L
#include "model/verdict.h"

#include <stdio.h>
#include <string.h>

static const char *const names[BC_VERDICT_COUNT] = {
	[BC_PASS] = "pass", [BC_FAIL] = "fail", [BC_XFAIL] = "xfail",
	[BC_XPASS] = "xpass", [BC_SKIP] = "skip", [BC_ERROR] = "error",
};

const char *bc_verdict_name(enum bc_verdict v)
{
	return v < BC_VERDICT_COUNT ? names[v] : "?";
}

int bc_verdict_is_failure(enum bc_verdict v)
{
	return v == BC_FAIL || v == BC_XPASS || v == BC_ERROR;
}

static const struct bc_clause *matching_clause(const struct bc_expect *e, const int version[3])
{
	for (int i = 0; i < e->nclauses; i++) {
		const struct bc_clause *cl = &e->clauses[i];
		int cmp = bc_version_cmp(version, cl->ver);
		if (cl->op == BC_VER_ANY || (cl->op == BC_VER_GE && cmp >= 0) || (cl->op == BC_VER_LT && cmp < 0))
			return cl;
	}
	return NULL;
}

/* The platform's own column, else "expect", else "posix"; gVisor's column,
 * else Linux's, else "expect", else "posix". */
const struct bc_clause *bc_expect_for(const struct bc_case *c, const struct bc_platform *p, int *slot, char *why,
				      unsigned whylen)
{
	/* A system bindcheck has no column for reads expect, then posix. */
	const int own[] = {BC_SLOT_GVISOR, (int)p->slot, BC_SLOT_EXPECT, BC_SLOT_POSIX};
	const int *order = p->slot == BC_SLOT_POSIX ? own + 2 : own + 1;
	size_t norder = p->slot == BC_SLOT_POSIX ? 2 : 3;
	if (p->slot == BC_SLOT_GVISOR) {
		static const int gvisor[] = {BC_SLOT_GVISOR, BC_SLOT_LINUX, BC_SLOT_EXPECT, BC_SLOT_POSIX};
		order = gvisor;
		norder = 4;
	}
	const char *plat = p->slot == BC_SLOT_POSIX ? p->os : bc_slot_name(p->slot);
	*slot = -1;
	for (size_t i = 0; i < norder; i++) {
		const struct bc_expect *e = &c->exp[order[i]];
		if (e->state == BC_EXP_UNSET)
			continue;
		if (e->state == BC_EXP_NA) {
			char reason[512];
			bool told = c->deviation && bc_deviation_reason(c->deviation, order[i], reason, sizeof(reason)) &&
				    reason[0];
			snprintf(why, whylen, "not applicable on %s (column %s)%s%s", plat, bc_slot_name(order[i]),
				 told ? ": " : "", told ? reason : "");
			return NULL;
		}
		const struct bc_clause *cl = matching_clause(e, bc_platform_clause_version(p));
		if (!cl) {
			snprintf(why, whylen, "no expectation for %s %s in column %s", plat, p->release, bc_slot_name(order[i]));
			return NULL;
		}
		*slot = order[i];
		return cl;
	}
	snprintf(why, whylen, "no expectation for %s", plat);
	return NULL;
}

/* "=ADDR:LO-HI": ADDR with any port from LO to HI, as an ephemeral port is
 * known only by its range. */
static bool range_matches(const char *want, const char *got)
{
	const char *wc = strrchr(want, ':'), *gc = strrchr(got, ':');
	unsigned lo, hi, port;
	char tail;
	if (!wc || !gc || wc - want != gc - got || strncmp(want, got, (size_t)(wc - want)) != 0)
		return false;
	if (sscanf(wc + 1, "%u-%u%c", &lo, &hi, &tail) != 2 || sscanf(gc + 1, "%u%c", &port, &tail) != 1)
		return false;
	return lo <= port && port <= hi;
}

/* "=ADDR:ephemeral": ADDR with any port of the ephemeral range the case's
 * own namespace had (net.ipv4.ip_local_port_range, which the executor
 * recorded in the observation). */
static bool ephemeral_matches(const char *want, const char *got, const struct bc_observation *obs)
{
	const char *wc = strrchr(want, ':'), *gc = strrchr(got, ':');
	unsigned port;
	char tail;
	if (!wc || !gc || strcmp(wc + 1, BC_EPHEMERAL) != 0 || wc - want != gc - got ||
	    strncmp(want, got, (size_t)(wc - want)) != 0)
		return false;
	if (sscanf(gc + 1, "%u%c", &port, &tail) != 1)
		return false;
	return obs->eph_hi != 0 && obs->eph_lo <= port && port <= obs->eph_hi;
}

static bool alt_matches(const struct bc_outcome *want, const struct bc_outcome *o, const struct bc_observation *obs)
{
	if (want->kind == BC_OUT_VALUE && o->kind == BC_OUT_VALUE && !want->port_var &&
	    ephemeral_matches(want->value, o->value, obs))
		return true;
	if (want->kind == BC_OUT_VALUE && o->kind == BC_OUT_VALUE && strchr(want->value, '-') &&
	    range_matches(want->value, o->value))
		return true;
	if (want->kind != BC_OUT_VALUE || !want->port_var)
		return bc_outcome_equal(want, o);
	/* "=ADDR:VAR": ADDR, then the port the case stored in VAR. */
	char full[BC_VALUE_MAX + 8];
	int prefix = (int)(strrchr(want->value, ':') - want->value);
	snprintf(full, sizeof(full), "%.*s:%u", prefix, want->value, obs->ports[want->port_var - 1]);
	return o->kind == BC_OUT_VALUE && strcmp(full, o->value) == 0;
}

bool bc_item_matches(const struct bc_expect_item *it, const struct bc_outcome *o, const struct bc_observation *obs)
{
	for (int a = 0; a < it->nalts; a++)
		if (alt_matches(&it->alts[a], o, obs))
			return true;
	return false;
}

void bc_item_format(const struct bc_expect_item *it, char *buf, unsigned buflen)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int a = 0; a < it->nalts && off < buflen; a++) {
		char one[BC_VALUE_MAX + 16];
		bc_outcome_format(&it->alts[a], one, sizeof(one));
		off += (size_t)snprintf(buf + off, buflen - off, "%s%s", a ? "|" : "", one);
	}
}

void bc_clause_format(const struct bc_clause *cl, char *buf, unsigned buflen)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < cl->nitems && off < buflen; i++) {
		char item[BC_MAX_ALTS * (BC_VALUE_MAX + 16)];
		bc_item_format(&cl->items[i], item, sizeof(item));
		off += (size_t)snprintf(buf + off, buflen - off, "%s%s", i ? "," : "", item);
	}
}

static bool clause_matches(const struct bc_case *c, const struct bc_clause *cl, const struct bc_observation *obs)
{
	int k = 0;
	for (int i = 0; i < c->nsteps; i++) {
		if (!c->steps[i]->checked)
			continue;
		if (i >= obs->nsteps || !obs->steps[i].ran || !bc_item_matches(&cl->items[k], &obs->steps[i].out, obs))
			return false;
		k++;
	}
	return true;
}

/* Why a setup step failed.  A bind or connect that did not run took its
 * port from a variable that held 0 (exec/steps.c): the getsockname that
 * set it read a socket that was not bound. */
static void setup_reason(const struct bc_case *c, const struct bc_observation *obs, char *buf, size_t n)
{
	int f = obs->failed_step;
	const struct bc_step *st = c->steps[f];
	char o[BC_VALUE_MAX + 16];
	if (f < obs->nsteps && obs->steps[f].ran) {
		bc_outcome_format(&obs->steps[f].out, o, sizeof(o));
		snprintf(buf, n, "setup step %d (%s) failed: %s", f + 1, st->text, o);
		return;
	}
	int v = bc_step_addr(st) ? st->addr_op.port_var : -1;
	int from = -1;
	for (int i = 0; v >= 0 && i < f; i++)
		if (c->steps[i]->verb == BC_V_GETSOCKNAME && c->steps[i]->conn.port_var == v)
			from = i;
	if (v < 0 || v >= BC_MAX_VARS || from < 0) {
		snprintf(buf, n, "setup step %d (%s) did not run", f + 1, st->text);
		return;
	}
	snprintf(buf, n, "setup step %d (%s) did not run: port variable '%s' is 0, because step %d (%s) read a socket "
		 "that is not bound; hint: end the scenario at the bind that failed, or bind before reading the port",
		 f + 1, st->text, c->vars[v], from + 1, c->steps[from]->text);
}

/* For a row that records a deviation in the column j uses: the documented
 * result (column expect, else posix; for gVisor, what Linux does: column
 * linux, else expect, else posix) it departs from, also written into j;
 * NULL otherwise. */
static const struct bc_clause *documented(const struct bc_case *c, struct bc_judgement *j, const struct bc_platform *p)
{
	const int *v = bc_platform_clause_version(p);
	static const int from_docs[] = {BC_SLOT_EXPECT, BC_SLOT_POSIX}, from_linux[] = {BC_SLOT_LINUX, BC_SLOT_EXPECT, BC_SLOT_POSIX};
	const int *order = j->slot == BC_SLOT_GVISOR ? from_linux : from_docs;
	int norder = j->slot == BC_SLOT_GVISOR ? 3 : 2;
	const struct bc_clause *doc = NULL;
	j->documented_slot = -1;
	j->documented_text[0] = '\0';
	if (!(c->deviation_mask & (1u << j->slot)))
		return NULL;
	for (int i = 0; i < norder && !doc; i++)
		if (c->exp[order[i]].state == BC_EXP_SET && (doc = matching_clause(&c->exp[order[i]], v)))
			j->documented_slot = order[i];
	if (doc)
		bc_clause_format(doc, j->documented_text, sizeof(j->documented_text));
	return doc;
}

void bc_judge(const struct bc_case *c, const struct bc_platform *p, const struct bc_observation *obs,
	      struct bc_judgement *j)
{
	char why[256];
	memset(j, 0, sizeof(*j));
	j->posix = -1;
	bc_obs_format_checked(c, obs, j->observed_text, sizeof(j->observed_text));
	j->expected = bc_expect_for(c, p, &j->slot, why, sizeof(why));
	if (!j->expected) {
		j->verdict = BC_SKIP;
		snprintf(j->reason, sizeof(j->reason), "%s", why);
		return;
	}
	bc_clause_format(j->expected, j->expected_text, sizeof(j->expected_text));
	const struct bc_clause *doc = documented(c, j, p);

	if (obs->status == BC_OBS_UNSUPPORTED) {
		j->verdict = BC_SKIP;
		snprintf(j->reason, sizeof(j->reason), "step %d (%s) cannot run here: the uid is not mapped in this user namespace",
			 obs->failed_step + 1, c->steps[obs->failed_step]->text);
		return;
	}
	if (obs->status == BC_OBS_SETUP_FAILED) {
		j->verdict = BC_ERROR;
		setup_reason(c, obs, j->reason, sizeof(j->reason));
		return;
	}
	/* Every step ran: the results can be held against POSIX too. */
	const struct bc_clause *posix = matching_clause(&c->exp[BC_SLOT_POSIX], bc_platform_clause_version(p));
	if (c->exp[BC_SLOT_POSIX].state == BC_EXP_SET && posix)
		j->posix = clause_matches(c, posix, obs) ? 1 : 0;
	bool matches = clause_matches(c, j->expected, obs);
	if (c->deviation_mask & (1u << j->slot)) {
		/* The platform is known to differ from the documented result. */
		char dev[400];
		if (!bc_deviation_reason(c->deviation, j->slot, dev, sizeof(dev)))
			snprintf(dev, sizeof(dev), "%s", c->deviation);
		if (matches) {
			j->verdict = BC_XFAIL;
			snprintf(j->reason, sizeof(j->reason), "known deviation: %s", dev);
		} else if (doc && clause_matches(c, doc, obs)) {
			j->verdict = BC_XPASS;
			snprintf(j->reason, sizeof(j->reason),
				 "the documented result was observed; the known deviation (%s) is gone", dev);
		} else {
			j->verdict = BC_FAIL;
			snprintf(j->reason, sizeof(j->reason), "neither the documented nor the known deviating result");
		}
		return;
	}
	j->verdict = matches ? BC_PASS : BC_FAIL;
}
