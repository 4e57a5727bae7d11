/* instantiate: a scenario's steps with a row's cells put in, each parsed
 * into a bc_step; or, without a row, every step checked with any value
 * standing for each cell (the scenario's dry run). */
#define _POSIX_C_SOURCE 200809L
#include "table/rows.h"

#include "model/store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

/* Put the row's cells into one template word. */
struct subst {
	const struct rd *r;
	const struct bc_line *row;
	char *out;
	size_t len, cap;
	int blame_col;
};

static int append(struct subst *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->len + n + 1) * 2;
		char *o = realloc(s->out, cap);
		if (!o)
			return -1;
		s->out = o;
		s->cap = cap;
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
	s->out[s->len] = '\0';
	return 0;
}

static int substitute(const struct rd *r, const struct bc_tok *w, int tline, const struct bc_line *row,
		      struct bc_word *out)
{
	struct subst s = {r, row, NULL, 0, 0, 0};
	const char *p = w->s;
	if (append(&s, "", 0) < 0)
		return -1;
	while (*p) {
		if (*p != '$') {
			size_t run = strcspn(p, "$");
			if (append(&s, p, run) < 0)
				goto fail;
			p += run;
			continue;
		}
		const char *n;
		size_t nlen, whole = bc_rd_ref(p, &n, &nlen); /* checked when the step was read */
		if (!whole)
			goto fail;
		p += whole;
		if (!row) { /* a dry run: the cell may hold anything */
			if (append(&s, BC_ANY_VALUE, 1) < 0)
				goto fail;
			continue;
		}
		int ci = bc_rd_column_index(r, n, nlen);
		if (ci < 0 || ci >= row->ntok)
			goto fail;
		if (!s.blame_col)
			s.blame_col = row->tok[ci].col;
		if (append(&s, row->tok[ci].s, strlen(row->tok[ci].s)) < 0)
			goto fail;
	}
	out->s = s.out;
	out->line = s.blame_col ? row->lineno : tline;
	out->col = s.blame_col ? s.blame_col : w->col;
	return 0;
fail:
	free(s.out);
	return -1;
}

/* A step whose words hold no cell parses the same for every row, given
 * the same names defined before it: the first row's result is kept, with
 * the scope before and after, and later rows copy it.  (Parsing the steps
 * anew was most of the cost of loading a large matrix.) */
struct bc_step_memo {
	bool tried, usable;
	struct bc_scope before, after;
	const struct bc_step *st; /* in the table's store */
};

void bc_rd_memo_free(struct bc_step_memo *m)
{
	free(m);
}

static bool names_equal(const struct bc_names *a, const struct bc_names *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

static bool scope_equal(const struct bc_scope *a, const struct bc_scope *b)
{
	return names_equal(&a->handles, &b->handles) && names_equal(&a->vars, &b->vars) &&
	       names_equal(&a->lists, &b->lists);
}

static bool has_cell(const struct bc_tmpl_step *ts)
{
	for (int i = 0; i < ts->nwords; i++)
		if (strchr(ts->words[i].s, '$'))
			return true;
	return false;
}

/* true: st and scope came from the memo; false: parse it. */
static bool from_memo(const struct bc_tmpl_step *ts, struct bc_scope *scope, const struct bc_step **st)
{
	const struct bc_step_memo *m = ts->memo;
	if (!m || !m->usable || !scope_equal(&m->before, scope))
		return false;
	*st = m->st;
	*scope = m->after;
	return true;
}

static void remember(struct bc_tmpl_step *ts, const struct bc_scope *before, const struct bc_scope *after,
		     const struct bc_step *st)
{
	struct bc_step_memo *m = ts->memo;
	if (!m || m->tried)
		return;
	m->tried = true;
	m->before = *before;
	m->after = *after;
	m->st = st;
	m->usable = true;
}

/* What a case needs because of one of its steps. */
static unsigned step_needs(const struct bc_step *st)
{
	unsigned needs = 0;
	const struct bc_addr *a = bc_step_addr(st);
	if ((st->verb == BC_V_SOCKET && st->sock.family == AF_INET6) || (a && a->family == AF_INET6))
		needs |= BC_NEEDS_INET6;
	/* Relative paths live in the case's own scratch directory. */
	const struct sockaddr_un *sun = a ? (const struct sockaddr_un *)&a->ss : NULL;
	bool file_verb = st->verb == BC_V_OPEN || st->verb == BC_V_MKFILE || st->verb == BC_V_MKDIR ||
			 st->verb == BC_V_SYMLINK || st->verb == BC_V_CHMOD || st->verb == BC_V_UNLINK ||
			 st->verb == BC_V_STAT;
	if ((a && a->family == AF_UNIX && sun->sun_path[0] && sun->sun_path[0] != '/') ||
	    (file_verb && st->file.path[0] && st->file.path[0] != '/') || st->verb == BC_V_RUN)
		needs |= BC_NEEDS_SCRATCH; /* a target runs there too */
	return needs;
}

/* The step parsed into st, with its text, as the table's store keeps it:
 * once for all the rows that make the same step.  NULL when out of
 * memory. */
static const struct bc_step *keep(struct rd *r, struct bc_step *st, const struct bc_word *w, int nw)
{
	char *text = bc_step_text(w, nw);
	st->text = text ? bc_store_str(r->t->store, text) : NULL;
	free(text);
	return st->text ? bc_store_blob(r->t->store, st, sizeof(*st)) : NULL;
}

/* One template step with the row's cells put in, parsed into *out (or
 * taken from its memo).  Returns 0, or -1 (with a diagnostic unless out
 * of memory). */
static int instantiate_step(struct rd *r, struct bc_tmpl_step *ts, const struct bc_line *row,
			    struct bc_scope *scope, const struct bc_step **out)
{
	struct bc_word w[BC_MAX_WORDS];
	struct bc_step st;
	int nw = ts->nwords, made = 0, rc = 0;
	if (row && !ts->memo && !has_cell(ts))
		ts->memo = calloc(1, sizeof(*ts->memo)); /* none: parsed every time */
	if (row && from_memo(ts, scope, out))
		return 0;
	struct bc_scope before;
	bool learn = ts->memo && !ts->memo->tried;
	if (learn)
		before = *scope;
	for (; made < nw; made++)
		if (substitute(r, &ts->words[made], ts->line, row, &w[made]) < 0)
			break;
	if (made < nw) {
		rc = -1;
	} else {
		rc = bc_step_parse(r->file, w, nw, ts->checked, &st, scope, !row, r->d);
		if (rc == 0 && !(*out = keep(r, &st, w, nw)))
			rc = -1;
		if (rc == 0 && learn)
			remember(ts, &before, scope, *out);
	}
	for (int k = 0; k < made; k++)
		free(w[k].s);
	return rc;
}

int bc_rd_instantiate(struct rd *r, struct bc_scenario *sc, const struct bc_line *row, struct bc_case *c)
{
	struct bc_scope scope;
	int rc = 0;
	memset(&scope, 0, sizeof(scope));
	c->steps = calloc((size_t)sc->nsteps, sizeof(*c->steps));
	if (!c->steps)
		return -1;
	for (int i = 0; i < sc->nsteps && rc == 0; i++) {
		rc = instantiate_step(r, &sc->steps[i], row, &scope, &c->steps[i]);
		if (rc == 0) {
			c->nsteps++;
			c->nchecked += c->steps[i]->checked;
			c->needs |= step_needs(c->steps[i]);
		}
	}
	c->nhandles = scope.handles.n;
	c->nvars = scope.vars.n;
	if (rc == 0 && c->nvars) {
		c->vars = bc_store_blob(r->t->store, scope.vars.v, (size_t)c->nvars * sizeof(scope.vars.v[0]));
		rc = c->vars ? 0 : -1;
	}
	return rc;
}
