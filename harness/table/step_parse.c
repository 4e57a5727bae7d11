/* step_parse: the words of one scenario step, after the row's cells were put
 * in, into a bc_step: the verb's grammar (model/verbs.def) and its option
 * words here, its positional arguments in step_args.c. */
#define _POSIX_C_SOURCE 200809L
#include "table/step_args.h"

#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The grammar of each verb, from model/verbs.def. */
struct verb {
	const char *name;
	enum bc_verb verb;
	int min, max;          /* positional arguments */
	enum bc_arg args[BC_VERB_MAX_ARGS];
	unsigned opts;
};

static const struct verb verbs[] = {
#define BC_ARGS(...) {__VA_ARGS__}
#define BC_VERB(id, name, place, min, max, args, opts, exec) {name, id, min, max, args, opts},
#include "model/verbs.def"
#undef BC_VERB
#undef BC_ARGS
};

/* resolve's flag words: AI_* flags, and "nohints" for hints == NULL. */
static const struct {
	const char *name;
	int flag;
} ai_flags[] = {
	{"passive", AI_PASSIVE},       {"canonname", AI_CANONNAME}, {"numerichost", AI_NUMERICHOST},
	{"numericserv", AI_NUMERICSERV}, {"v4mapped", AI_V4MAPPED}, {"all", AI_ALL},
	{"addrconfig", AI_ADDRCONFIG},
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

bool bc_step_verb_known(const char *word)
{
	return find_verb(word) != NULL;
}

static const char *suggest_verb(const char *word)
{
	const char *names[NVERBS];
	for (size_t i = 0; i < NVERBS; i++)
		names[i] = verbs[i].name;
	return bc_suggest_from(word, names, NVERBS);
}

/* "socket, setsockopt, ..., listening": every verb, for a hint. */
static const char *verb_list(char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NVERBS && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? ", " : "", verbs[i].name);
	return buf;
}

#define FAIL(w, ...) BC_STEP_FAIL(p, w, __VA_ARGS__)

static int ai_flag(const char *word)
{
	for (size_t i = 0; i < sizeof(ai_flags) / sizeof(ai_flags[0]); i++)
		if (strcmp(ai_flags[i].name, word) == 0)
			return ai_flags[i].flag;
	return 0;
}

/* Is word an option of v rather than a positional argument? */
static bool is_option(const struct verb *v, const char *word)
{
	if ((v->opts & (BC_OPT_ADDR | BC_OPT_HINTS)) && strchr(word, '='))
		return true;
	if ((v->opts & BC_OPT_NONBLOCK) && strcmp(word, "nonblock") == 0)
		return true;
	if ((v->opts & BC_OPT_PEER) && strcmp(word, "peer") == 0)
		return true;
	if (!(v->opts & BC_OPT_HINTS))
		return false;
	/* Every comma-separated part a flag, "nohints" or "-". */
	for (const char *p = word; *p;) {
		size_t n = strcspn(p, ",");
		char part[32];
		if (n == 0 || n >= sizeof(part))
			return false;
		memcpy(part, p, n);
		part[n] = '\0';
		if (!ai_flag(part) && strcmp(part, "nohints") != 0 && strcmp(part, "-") != 0)
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}

/* show=canon, show=type, show=canon+type: what resolve's value shows of
 * each result besides its address. */
static int parse_show(struct bc_step_pc *p, struct bc_word *w, const char *what)
{
	struct bc_step_resolve *r = &p->st->resolve;
	for (const char *s = what;;) {
		size_t n = strcspn(s, "+");
		if (n == 5 && strncmp(s, "canon", 5) == 0)
			r->show_canon = true;
		else if (n == 4 && strncmp(s, "type", 4) == 0)
			r->show_type = true;
		else
			FAIL(w, "unknown resolve detail '%.*s'; hint: show=canon, show=type or show=canon+type", (int)n, s);
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

static int parse_hint_word(struct bc_step_pc *p, struct bc_word *w, const char *word)
{
	struct bc_step_resolve *r = &p->st->resolve;
	const char *eq = strchr(word, '=');
	if (strcmp(word, "-") == 0)
		return 0;
	if (ai_flag(word)) {
		r->flags |= ai_flag(word);
		return 0;
	}
	if (strcmp(word, "nohints") == 0) {
		r->no_hints = true;
		return 0;
	}
	if (strncmp(word, "family=", 7) == 0) {
		if (bc_family_from_name(eq + 1, &r->family) < 0)
			FAIL(w, "unknown family '%s'; hint: inet, inet6 or unspec", eq + 1);
		return 0;
	}
	if (strncmp(word, "type=", 5) == 0) {
		if (bc_socktype_from_name(eq + 1, &r->socktype) < 0)
			FAIL(w, "unknown socket type '%s'; hint: stream, dgram, seqpacket or raw", eq + 1);
		return 0;
	}
	if (strncmp(word, "show=", 5) == 0)
		return parse_show(p, w, eq + 1);
	if (strncmp(word, "proto=", 6) == 0) {
		if (bc_proto_from_name(eq + 1, &r->protocol) < 0)
			FAIL(w, "unknown protocol '%s'", eq + 1);
		return 0;
	}
	const char *names[sizeof(ai_flags) / sizeof(ai_flags[0])];
	for (size_t i = 0; i < sizeof(ai_flags) / sizeof(ai_flags[0]); i++)
		names[i] = ai_flags[i].name;
	const char *near = bc_suggest_from(word, names, sizeof(names) / sizeof(names[0]));
	if (near)
		FAIL(w, "unknown resolve option '%s'; hint: did you mean %s?", word, near);
	FAIL(w, "unknown resolve option '%s'; hint: family=F, type=T, proto=P, show=canon+type, nohints, or a flag: passive, canonname, numerichost, numericserv, v4mapped, all, addrconfig",
	     word);
}

/* resolve's options; one word may hold several, joined with ',' (a cell
 * such as "passive,addrconfig"), and '-' is none. */
static int parse_hint(struct bc_step_pc *p, struct bc_word *w)
{
	char buf[BC_VALUE_MAX];
	if (strlen(w->s) >= sizeof(buf))
		FAIL(w, "resolve options too long");
	snprintf(buf, sizeof(buf), "%s", w->s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (parse_hint_word(p, w, tok) < 0)
			return -1;
	return 0;
}

static int parse_option(struct bc_step_pc *p, const struct verb *v, struct bc_word *w)
{
	struct bc_step *st = p->st;
	if (p->dry && strstr(w->s, BC_ANY_VALUE))
		return 0;
	const char *eq = strchr(w->s, '=');
	if (v->opts & BC_OPT_HINTS)
		return parse_hint(p, w);
	if ((v->opts & BC_OPT_NONBLOCK) && strcmp(w->s, "nonblock") == 0) {
		st->addr_op.nonblock = true;
		return 0;
	}
	if ((v->opts & BC_OPT_PEER) && strcmp(w->s, "peer") == 0) {
		st->sock.in_peer = true;
		return 0;
	}
	if ((v->opts & BC_OPT_ADDR) && eq && strncmp(w->s, "len=", 4) == 0) {
		if (bc_parse_int(eq + 1, INT_MIN, INT_MAX, &st->addr_op.len) < 0)
			FAIL(w, "bad length '%s'", eq + 1);
		st->addr_op.has_len = true;
		return 0;
	}
	if ((v->opts & BC_OPT_ADDR) && eq && strncmp(w->s, "family=", 7) == 0) {
		if (bc_family_from_name(eq + 1, &st->addr_op.family) < 0)
			FAIL(w, "unknown family '%s'; hint: inet, inet6, unix or unspec", eq + 1);
		st->addr_op.has_family = true;
		return 0;
	}
	FAIL(w, "unexpected argument '%s' to %s%s", w->s, v->name,
	     (v->opts & BC_OPT_ADDR) ? "; hint: options are len=N and family=F" : "");
}

int bc_step_parse(const char *file, struct bc_word *w, int nw, bool checked, struct bc_step *st,
		  struct bc_scope *scope, bool dry, struct bc_diags *d)
{
	struct bc_step_pc pc = {file, st, scope, dry, d}, *p = &pc;
	const struct verb *v = find_verb(w[0].s);
	memset(st, 0, sizeof(*st));
	st->checked = checked;
	st->handle = -1;
	st->fd = -1; /* none: the plan reads a literal fd as one the step names */
	if (!v) {
		const char *s = suggest_verb(w[0].s);
		if (s)
			FAIL(&w[0], "unknown step '%s'; hint: did you mean %s?", w[0].s, s);
		char all[512];
		FAIL(&w[0], "unknown step '%s'; hint: steps are %s", w[0].s, verb_list(all, sizeof(all)));
	}
	st->verb = v->verb;
	for (int k = 0; k < v->max; k++)
		bc_step_arg_init(v->args[k], st);
	int pos = 0;
	for (int i = 1; i < nw; i++) {
		bool is_opt = v->opts && pos >= v->min &&
			      (is_option(v, w[i].s) || (dry && pos >= v->max && strstr(w[i].s, BC_ANY_VALUE)));
		if (is_opt) {
			if (parse_option(p, v, &w[i]) < 0)
				return -1;
			continue;
		}
		if (pos == v->max && (v->opts & BC_OPT_HINTS)) {
			if (parse_hint(p, &w[i]) < 0) /* says what is wrong with it */
				return -1;
			continue;
		}
		if (pos == v->max)
			FAIL(&w[i], "too many arguments to %s (at most %d)", v->name, v->max);
		if (bc_step_arg(p, v->args[pos], &w[i]) < 0)
			return -1;
		pos++;
	}
	if (pos < v->min)
		FAIL(&w[nw - 1], "%s needs %d argument%s, got %d", v->name, v->min, v->min == 1 ? "" : "s", pos);
	return 0;
}

char *bc_step_text(const struct bc_word *w, int nw)
{
	size_t n = 1;
	for (int i = 0; i < nw; i++)
		n += strlen(w[i].s) + 1;
	char *t = malloc(n), *p = t;
	for (int i = 0; t && i < nw; i++) {
		size_t k = strlen(w[i].s);
		if (i)
			*p++ = ' ';
		memcpy(p, w[i].s, k);
		p += k;
	}
	if (t)
		*p = '\0';
	return t;
}
