/* blocks: the preamble's profile and target blocks, "profile NAME" or
 * "target NAME" and their indented lines, into the reader's list of each.
 * A block with an error is kept and marked bad, so that the rows naming it
 * are dropped without a second message. */
#define _POSIX_C_SOURCE 200809L
#include "table/blocks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/profile_parse.h"

void bc_rd_close_profile(struct rd *r)
{
	if (r->open_prof < 0)
		return;
	struct bc_rd_profile *p = &r->prof[r->open_prof];
	r->open_prof = -1;
	if (p->nlines == 0 && !p->bad) {
		BC_RD_ERR(r, p->line, p->col, "profile '%s' has no settings; hint: indent them under it, as '    sysctl net.ipv6.bindv6only 1'", p->name);
		p->bad = true;
	}
}

void bc_rd_add_profile_line(struct rd *r, struct bc_line *l)
{
	struct bc_rd_profile *p = &r->prof[r->open_prof];
	char *words[BC_MAX_WORDS];
	char err[256];
	int bad = 0, nw = l->ntok < BC_MAX_WORDS ? l->ntok : BC_MAX_WORDS;
	p->nlines++;
	for (int i = 0; i < nw; i++) {
		words[i] = l->tok[i].s;
		if (strchr(words[i], '$')) {
			BC_RD_ERR(r, l->lineno, l->tok[i].col, "a profile cannot use columns; hint: define one profile per setting and name them in the profile column, as a+b");
			p->bad = true;
			return;
		}
	}
	if (l->ntok > BC_MAX_WORDS) {
		BC_RD_ERR(r, l->lineno, l->tok[BC_MAX_WORDS].col, "a profile line has at most %d words", BC_MAX_WORDS);
		p->bad = true;
		return;
	}
	if (bc_profile_line(&p->p, words, nw, err, sizeof(err), &bad) < 0) {
		BC_RD_ERR(r, l->lineno, l->tok[bad].col, "%s", err);
		p->bad = true;
	}
}

void bc_rd_open_profile(struct rd *r, struct bc_line *l)
{
	const char *name = l->tok[1].s;
	if (!bc_is_identifier(name) || strlen(name) >= BC_NAME_MAX) {
		BC_RD_ERR(r, l->lineno, l->tok[1].col, "bad profile name '%s'; hint: letters, digits and '_'", name);
		return;
	}
	for (int i = 0; i < r->nprof; i++) {
		if (strcmp(r->prof[i].name, name) == 0) {
			BC_RD_ERR(r, l->lineno, l->tok[1].col, "profile '%s' is defined twice (first on line %d)", name, r->prof[i].line);
			return;
		}
	}
	struct bc_rd_profile *v = realloc(r->prof, (size_t)(r->nprof + 1) * sizeof(*v));
	if (!v)
		return;
	r->prof = v;
	memset(&r->prof[r->nprof], 0, sizeof(r->prof[0]));
	snprintf(r->prof[r->nprof].name, sizeof(r->prof[0].name), "%s", name);
	r->prof[r->nprof].line = l->lineno;
	r->prof[r->nprof].col = l->tok[1].col;
	r->open_prof = r->nprof++;
}

void bc_rd_close_target(struct rd *r)
{
	if (r->open_tgt < 0)
		return;
	struct bc_rd_target *t = &r->tgt[r->open_tgt];
	r->open_tgt = -1;
	if (!t->bad && !t->has_command) {
		BC_RD_ERR(r, t->line, t->col, "target '%s' has no command; hint: indent '    command PROGRAM ARGS...' under it", t->t.name);
		t->bad = true;
	}
}

/* command PROGRAM ARGS... */
static void target_command(struct rd *r, struct bc_line *l, struct bc_rd_target *t)
{
	if (l->ntok < 2 || l->ntok - 1 > BC_TARGET_ARGS) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "'command' takes a program and at most %d arguments", BC_TARGET_ARGS - 1);
		t->bad = true;
		return;
	}
	for (int i = 1; i < l->ntok; i++) {
		if (strlen(l->tok[i].s) >= sizeof(t->t.argv[0])) {
			BC_RD_ERR(r, l->lineno, l->tok[i].col, "argument longer than %zu bytes", sizeof(t->t.argv[0]) - 1);
			t->bad = true;
			return;
		}
		snprintf(t->t.argv[i - 1], sizeof(t->t.argv[0]), "%s", l->tok[i].s);
	}
	t->t.argc = l->ntok - 1;
	t->has_command = true;
}

/* listens ADDR... : up once all of these listen, no need to sit out the
 * grace. */
static void target_listens(struct rd *r, struct bc_line *l, struct bc_rd_target *t)
{
	if (l->ntok < 2 || l->ntok - 1 + t->t.nlistens > 4) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "'listens' takes 1 to 4 addresses with their port in all, as 127.0.0.1:8080 or [::1]:8080");
		t->bad = true;
		return;
	}
	for (int i = 1; i < l->ntok; i++) {
		struct bc_addr a;
		char err[160];
		if (bc_addr_parse(l->tok[i].s, &a, err, sizeof(err)) < 0 || a.port_var[0] || a.list[0] || a.null ||
		    (a.family != AF_INET && a.family != AF_INET6)) {
			BC_RD_ERR(r, l->lineno, l->tok[i].col, "bad listening address '%s'; hint: an IPv4 or IPv6 address and a port number, as 127.0.0.1:8080 or [::1]:8080",
				  l->tok[i].s);
			t->bad = true;
			return;
		}
		bc_sockaddr_format((const struct sockaddr *)&a.ss, a.len, t->t.listens[t->t.nlistens++], sizeof(t->t.listens[0]));
	}
}

/* needs, ready, settle, grace, stop: one value each ("needs root" besides a
 * program).  False when the line is not one of these well formed. */
static bool target_value(struct bc_line *l, struct bc_rd_target *t)
{
	const char *kw = l->tok[0].s;
	if (strcmp(kw, "needs") == 0 && l->ntok == 2 && strcmp(l->tok[1].s, "root") == 0) {
		t->t.needs_root = true;
		return true;
	}
	if ((strcmp(kw, "needs") == 0 || strcmp(kw, "ready") == 0) && l->ntok == 2 && strlen(l->tok[1].s) < sizeof(t->t.needs)) {
		snprintf(strcmp(kw, "needs") == 0 ? t->t.needs : t->t.ready, sizeof(t->t.needs), "%s", l->tok[1].s);
		return true;
	}
	if (strcmp(kw, "grace") == 0 && l->ntok == 2 && bc_rd_parse_timeout(l->tok[1].s, &t->t.grace_ms) == 0)
		return true;
	if (strcmp(kw, "settle") == 0 && l->ntok == 2 && bc_rd_parse_timeout(l->tok[1].s, &t->t.settle_ms) == 0)
		return true;
	return strcmp(kw, "stop") == 0 && l->ntok == 2 && bc_rd_parse_timeout(l->tok[1].s, &t->t.stop_ms) == 0;
}

void bc_rd_add_target_line(struct rd *r, struct bc_line *l)
{
	struct bc_rd_target *t = &r->tgt[r->open_tgt];
	const char *kw = l->tok[0].s;
	t->nlines++;
	if (strcmp(kw, "command") == 0) {
		target_command(r, l, t);
		return;
	}
	if (target_value(l, t))
		return;
	if (strcmp(kw, "listens") == 0) {
		target_listens(r, l, t);
		return;
	}
	bool timed = strcmp(kw, "grace") == 0 || strcmp(kw, "stop") == 0 || strcmp(kw, "settle") == 0;
	if (strcmp(kw, "needs") == 0 || strcmp(kw, "ready") == 0 || timed)
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "'%s' takes one value%s", kw, timed ? "; hint: a time, as 300ms" : "");
	else
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "unknown target setting '%s'; hint: command, needs, ready, listens, settle, grace or stop", kw);
	t->bad = true;
}

void bc_rd_open_target(struct rd *r, struct bc_line *l)
{
	const char *name = l->tok[1].s;
	if (!bc_is_identifier(name) || strlen(name) >= BC_NAME_MAX) {
		BC_RD_ERR(r, l->lineno, l->tok[1].col, "bad target name '%s'; hint: letters, digits and '_'", name);
		return;
	}
	for (int i = 0; i < r->ntgt; i++) {
		if (strcmp(r->tgt[i].t.name, name) == 0) {
			BC_RD_ERR(r, l->lineno, l->tok[1].col, "target '%s' is defined twice (first on line %d)", name, r->tgt[i].line);
			return;
		}
	}
	struct bc_rd_target *v = realloc(r->tgt, (size_t)(r->ntgt + 1) * sizeof(*v));
	if (!v)
		return;
	r->tgt = v;
	memset(&r->tgt[r->ntgt], 0, sizeof(r->tgt[0]));
	snprintf(r->tgt[r->ntgt].t.name, sizeof(r->tgt[0].t.name), "%s", name);
	r->tgt[r->ntgt].t.grace_ms = 500;
	r->tgt[r->ntgt].line = l->lineno;
	r->tgt[r->ntgt].col = l->tok[1].col;
	r->open_tgt = r->ntgt++;
}
