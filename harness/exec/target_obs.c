/* target_obs: what the steps after a run step see of its target: its
 * output (names, said), the preload's report (calls, leaked; the format is
 * fault/protocol.h's) and the listeners of the case's namespace
 * (listening, and whether the target is up). */
#define _DEFAULT_SOURCE /* strncasecmp */
#include "exec/step_ctx.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fault/protocol.h"


static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* names E: did the target's output name E, by name or by its message? */
int bc_exec_names(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct bc_outcome o;
	char err[64];
	const char *name = st->observe.result, *msg = NULL;
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	if (strcmp(name, "@fault") == 0) {
		if (!x->c->nfaults) {
			errno = ENOENT;
			return -1;
		}
		o = x->c->faults[0].result;
	} else if (bc_outcome_parse(name, &o, err, sizeof(err)) < 0) {
		errno = EINVAL;
		return -1;
	}
	name = o.kind == BC_OUT_EAI ? bc_eai_name(o.code) : bc_errno_name(o.code);
	msg = o.kind == BC_OUT_EAI ? gai_strerror(o.code) : strerror(o.code);
	bool named = (name && contains_nocase(x->run->out, name)) || (msg && contains_nocase(x->run->out, msg));
	/* EAI_SYSTEM says "see errno" (getaddrinfo(3)): naming that errno
	 * names the error. */
	int sys = strcmp(st->observe.result, "@fault") == 0 ? x->c->faults[0].sys_errno : -1;
	if (!named && o.kind == BC_OUT_EAI && o.code == EAI_SYSTEM && sys > 0) {
		const char *sname = bc_errno_name(sys);
		named = (sname && contains_nocase(x->run->out, sname)) || contains_nocase(x->run->out, strerror(sys));
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s", named ? "yes" : "no");
	return 0;
}

int bc_exec_said(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s", contains_nocase(x->run->out, st->observe.text) ? "yes" : "no");
	return 0;
}

/* calls C: how often the target called C, all its processes together ("=?"
 * when none reported, as when it was killed). */
int bc_exec_calls(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	char key[sizeof(st->observe.call) + 4];
	long total = 0;
	bool any = false;
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	snprintf(key, sizeof(key), BC_REPORT_CALL_KEY_FMT, st->observe.call);
	for (const char *p = x->run->report; (p = strstr(p, key)); p += strlen(key)) {
		total += strtol(p + strlen(key), NULL, 10);
		any = true;
	}
	out->kind = BC_OUT_VALUE;
	if (any)
		snprintf(out->value, sizeof(out->value), "%ld", total);
	else
		snprintf(out->value, sizeof(out->value), "?");
	return 0;
}

int bc_exec_leaked(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)st;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	/* The report of the process the run step started (the same pid across
	 * an exec), else the last one (the highest pid).  A block starts with
	 * its pid line; "ppid N" is a child's. */
	char key[32];
	snprintf(key, sizeof(key), BC_REPORT_PID_KEY_FMT, x->run->pid);
	const char *block = x->run->report, *p = NULL;
	while ((block = strstr(block, key)) && block != x->run->report && block[-1] != '\n')
		block++;
	for (const char *q = block ? block : x->run->report; (q = strstr(q, BC_REPORT_FDS_KEY)); q++) {
		p = q;
		if (block)
			break;
	}
	out->kind = BC_OUT_VALUE;
	if (p)
		snprintf(out->value, sizeof(out->value), "%ld", strtol(p + strlen(BC_REPORT_FDS_KEY), NULL, 10));
	else
		snprintf(out->value, sizeof(out->value), "?");
	return 0;
}

int bc_exec_listening(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)st;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s", x->run->listening);
	return 0;
}
