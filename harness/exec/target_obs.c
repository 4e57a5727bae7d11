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


/* Listening TCP sockets of this namespace, "A+B" in sorted order. */
void bc_target_listeners(char *buf, size_t n)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	char found[16][64];
	int k = 0;
	for (int f = 0; f < 2; f++) {
		FILE *fp = fopen(files[f], "re");
		char line[512];
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp) && k < 16) {
			char local[80];
			unsigned state, port;
			if (sscanf(line, " %*d: %79[0-9A-Fa-f]:%x %*s %x", local, &port, &state) != 3 || state != 0x0A)
				continue;
			struct sockaddr_storage ss;
			memset(&ss, 0, sizeof(ss));
			if (f == 0) {
				struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
				sin->sin_family = AF_INET;
				sin->sin_addr.s_addr = (in_addr_t)strtoul(local, NULL, 16);
				sin->sin_port = htons((in_port_t)port);
			} else {
				struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
				sin6->sin6_family = AF_INET6;
				for (int w = 0; w < 4; w++) {
					char word[9];
					memcpy(word, local + 8 * w, 8);
					word[8] = '\0';
					uint32_t v = (uint32_t)strtoul(word, NULL, 16);
					memcpy(&sin6->sin6_addr.s6_addr[4 * w], &v, 4);
				}
				sin6->sin6_port = htons((in_port_t)port);
			}
			bc_sockaddr_format((struct sockaddr *)&ss, f == 0 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
					   found[k++], sizeof(found[0]));
		}
		fclose(fp);
	}
	qsort(found, (size_t)k, sizeof(found[0]), (int (*)(const void *, const void *))strcmp);
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < k && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "+" : "", found[i]);
	if (k == 0)
		snprintf(buf, n, "none");
}

/* Does the case's namespace have every listener the target's "listens"
 * names?  (bc_target_listeners joins them with '+', sorted.) */
bool bc_target_listens_all(const struct bc_target *t)
{
	char now[1024];
	bc_target_listeners(now, sizeof(now));
	for (int i = 0; i < t->nlistens; i++) {
		size_t n = strlen(t->listens[i]);
		bool found = false;
		for (const char *p = now; !found && (p = strstr(p, t->listens[i])); p++)
			found = (p == now || p[-1] == '+') && (p[n] == '\0' || p[n] == '+');
		if (!found)
			return false;
	}
	return true;
}

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
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s",
		 (name && contains_nocase(x->run->out, name)) || (msg && contains_nocase(x->run->out, msg)) ? "yes" : "no");
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
