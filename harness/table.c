/* table: the case-table reader.  A table is a preamble (directives and
 * scenarios), a header line that starts with "id", and one row per case.
 * See cases/README.md for the format; this file enforces it. */
#define _POSIX_C_SOURCE 200809L
#include "table.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader.h"

#define MAX_TABLE_BYTES (16L << 20)

enum colkind { COL_ID, COL_SCENARIO, COL_SLOT, COL_SOURCE, COL_DEVIATION, COL_NOTE, COL_TIMEOUT, COL_PARAM, COL_BAD };

struct column {
	const char *name;
	enum colkind kind;
	int slot;
};

struct rd {
	const char *file;
	struct bc_diags *d;
	struct bc_table *t;
	int timeout_ms;
	int nsc;
	struct bc_scenario *sc;
	struct bc_scenario *open_sc;
	bool have_header;
	bool rows_dropped;  /* the header lacks a required column */
	int ncols;
	struct column *cols;
	struct bc_line header;
	bool gave_up;
};

static const char *const reserved_later[] = {"profile", "fault", "target"};

#define ERR(r, line, col, ...) bc_diag_add((r)->d, (r)->file, (line), (col), __VA_ARGS__)

static bool valid_id(const char *s)
{
	if (!*s || strlen(s) >= BC_ID_MAX)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '+'))
			return false;
	}
	return true;
}

/* "5s", "250ms" */
static int parse_timeout(const char *s, int *ms)
{
	char num[16];
	size_t n = strlen(s);
	long v;
	int mult;
	if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
		mult = 1;
		n -= 2;
	} else if (n > 1 && s[n - 1] == 's') {
		mult = 1000;
		n -= 1;
	} else {
		return -1;
	}
	if (n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (bc_parse_int(num, 1, 600000, &v) < 0 || v * mult > 600000)
		return -1;
	*ms = (int)(v * mult);
	return 0;
}

/* Calls fn for every "$name" or "${name}" in word; returns the first
 * malformed reference's offset, or -1. */
static long scan_refs(const char *w, void (*fn)(void *, const char *, size_t), void *arg)
{
	for (size_t i = 0; w[i]; i++) {
		if (w[i] != '$')
			continue;
		size_t s = i + 1, e;
		bool brace = w[s] == '{';
		if (brace)
			s++;
		for (e = s; (w[e] >= 'a' && w[e] <= 'z') || (w[e] >= 'A' && w[e] <= 'Z') ||
			    (w[e] >= '0' && w[e] <= '9') || w[e] == '_';
		     e++)
			;
		if (e == s || (brace && w[e] != '}'))
			return (long)i;
		fn(arg, w + s, e - s);
		i = brace ? e : e - 1;
	}
	return -1;
}

struct find_ref {
	const char *name;
	bool found;
};

static void match_ref(void *arg, const char *s, size_t n)
{
	struct find_ref *f = arg;
	if (strlen(f->name) == n && strncmp(f->name, s, n) == 0)
		f->found = true;
}

static bool scenarios_use(const struct rd *r, const char *col)
{
	struct find_ref f = {col, false};
	for (int i = 0; i < r->nsc && !f.found; i++)
		for (int s = 0; s < r->sc[i].nsteps; s++)
			for (int w = 0; w < r->sc[i].steps[s].nwords; w++)
				scan_refs(r->sc[i].steps[s].words[w].s, match_ref, &f);
	return f.found;
}

static int column_index(const struct rd *r, const char *name, size_t n)
{
	for (int i = 0; i < r->ncols; i++)
		if (strlen(r->cols[i].name) == n && strncmp(r->cols[i].name, name, n) == 0)
			return i;
	return -1;
}

struct check_ref {
	struct rd *r;
	const struct bc_scenario *sc;
	int line, col;
};

static void check_ref(void *arg, const char *s, size_t n)
{
	struct check_ref *c = arg;
	int i = column_index(c->r, s, n);
	if (i < 0 || c->r->cols[i].kind != COL_PARAM)
		ERR(c->r, c->line, c->col, "scenario '%s' uses column '%.*s', which the header does not have as a parameter column",
		    c->sc->name, (int)n, s);
}

static void read_header(struct rd *r, struct bc_line *l)
{
	bool have_source = false, have_slot = false, have_scenario = false;
	r->header = *l;
	l->tok = NULL;
	l->ntok = 0;
	r->have_header = true;
	r->ncols = r->header.ntok;
	r->cols = calloc((size_t)r->ncols, sizeof(*r->cols));
	if (!r->cols) {
		r->ncols = 0;
		r->rows_dropped = true;
		return;
	}
	for (int i = 0; i < r->ncols; i++) {
		struct column *c = &r->cols[i];
		const struct bc_tok *tk = &r->header.tok[i];
		c->name = tk->s;
		c->slot = bc_slot_from_name(tk->s);
		if (column_index(r, tk->s, strlen(tk->s)) < i) {
			ERR(r, l->lineno, tk->col, "column '%s' appears twice", tk->s);
			c->kind = COL_BAD;
			continue;
		}
		if (strcmp(tk->s, "id") == 0)
			c->kind = COL_ID;
		else if (strcmp(tk->s, "scenario") == 0)
			c->kind = COL_SCENARIO, have_scenario = true;
		else if (c->slot >= 0)
			c->kind = COL_SLOT, have_slot = true;
		else if (strcmp(tk->s, "source") == 0)
			c->kind = COL_SOURCE, have_source = true;
		else if (strcmp(tk->s, "deviation") == 0)
			c->kind = COL_DEVIATION;
		else if (strcmp(tk->s, "note") == 0)
			c->kind = COL_NOTE;
		else if (strcmp(tk->s, "timeout") == 0)
			c->kind = COL_TIMEOUT;
		else if (scenarios_use(r, tk->s))
			c->kind = COL_PARAM;
		else {
			c->kind = COL_BAD;
			bool later = false;
			for (size_t k = 0; k < sizeof(reserved_later) / sizeof(reserved_later[0]); k++)
				later |= strcmp(tk->s, reserved_later[k]) == 0;
			if (later)
				ERR(r, l->lineno, tk->col, "column '%s' is reserved for a later version of the format", tk->s);
			else
				ERR(r, l->lineno, tk->col,
				    "unknown column '%s'; hint: columns are id, scenario, expect, linux, freebsd, darwin, posix, source, deviation, note, timeout, or one a scenario uses as $%s",
				    tk->s, tk->s);
		}
	}
	if (r->nsc == 0) {
		ERR(r, l->lineno, 1, "the table has no scenario; hint: write 'scenario NAME' and its steps before the header");
		r->rows_dropped = true;
	}
	if (!have_source) {
		ERR(r, l->lineno, 1, "the header has no 'source' column; hint: every row names where its expectation comes from");
		r->rows_dropped = true;
	}
	if (!have_slot) {
		ERR(r, l->lineno, 1, "the header has no expectation column; hint: add expect, linux, freebsd, darwin or posix");
		r->rows_dropped = true;
	}
	if (r->nsc > 1 && !have_scenario) {
		ERR(r, l->lineno, 1, "the table has %d scenarios but no 'scenario' column", r->nsc);
		r->rows_dropped = true;
	}
	for (int i = 0; i < r->nsc; i++) {
		const struct bc_scenario *sc = &r->sc[i];
		for (int s = 0; s < sc->nsteps; s++) {
			for (int w = 0; w < sc->steps[s].nwords; w++) {
				struct check_ref c = {r, sc, sc->steps[s].line, sc->steps[s].words[w].col};
				scan_refs(sc->steps[s].words[w].s, check_ref, &c);
			}
		}
	}
}

static int instantiate(struct rd *r, const struct bc_scenario *sc, const struct bc_line *row, struct bc_case *c);

static bool has_refs(const struct bc_scenario *sc)
{
	for (int s = 0; s < sc->nsteps; s++)
		for (int w = 0; w < sc->steps[s].nwords; w++)
			if (strchr(sc->steps[s].words[w].s, '$'))
				return true;
	return false;
}

static void close_scenario(struct rd *r)
{
	struct bc_scenario *sc = r->open_sc;
	int checked = 0;
	r->open_sc = NULL;
	if (!sc)
		return;
	for (int i = 0; i < sc->nsteps; i++)
		checked += sc->steps[i].checked;
	if (sc->nsteps == 0)
		ERR(r, sc->line, sc->col, "scenario '%s' has no steps; hint: indent its steps under it", sc->name);
	else if (checked == 0)
		ERR(r, sc->line, sc->col, "scenario '%s' checks no step; hint: mark the call under test with '?'", sc->name);
	else if (!has_refs(sc)) {
		/* Nothing comes from the rows: check the steps now, so that an
		 * error shows even when no row uses the scenario. */
		struct bc_line none = {0};
		struct bc_case c;
		memset(&c, 0, sizeof(c));
		instantiate(r, sc, &none, &c);
		bc_case_free(&c);
	}
}

static void add_step(struct rd *r, struct bc_line *l)
{
	struct bc_scenario *sc = r->open_sc;
	struct bc_tmpl_step *ts;
	int first = 0;
	if (sc->nsteps == BC_MAX_STEPS) {
		ERR(r, l->lineno, l->tok[0].col, "scenario '%s' has more than %d steps", sc->name, BC_MAX_STEPS);
		return;
	}
	ts = &sc->steps[sc->nsteps];
	ts->checked = strcmp(l->tok[0].s, "?") == 0 && !l->tok[0].quoted;
	first = ts->checked ? 1 : 0;
	if (first >= l->ntok) {
		ERR(r, l->lineno, l->tok[0].col, "'?' without a step after it");
		return;
	}
	if (!bc_step_verb_known(l->tok[first].s)) {
		/* Reported with a suggestion when a row instantiates it; report it
		 * here too so a table without rows still hears of it. */
		struct bc_word w = {l->tok[first].s, l->lineno, l->tok[first].col};
		struct bc_step st;
		struct bc_names h = {0}, v = {0};
		bc_step_parse(r->file, &w, 1, false, &st, &h, &v, r->d);
		return;
	}
	for (int i = first; i < l->ntok; i++) {
		long bad = scan_refs(l->tok[i].s, match_ref, &(struct find_ref){"", false});
		if (bad >= 0) {
			ERR(r, l->lineno, l->tok[i].col + (int)bad, "bad column reference; hint: write $name or ${name}");
			return;
		}
	}
	ts->line = l->lineno;
	ts->nwords = l->ntok - first;
	ts->words = malloc((size_t)ts->nwords * sizeof(*ts->words));
	if (!ts->words)
		return;
	for (int i = first; i < l->ntok; i++) {
		ts->words[i - first] = l->tok[i];
		l->tok[i].s = NULL;
	}
	sc->nsteps++;
}

static void read_directive(struct rd *r, struct bc_line *l)
{
	const char *kw = l->tok[0].s;
	int line = l->lineno;
	if (strcmp(kw, "table") == 0 || strcmp(kw, "timeout") == 0 || strcmp(kw, "scenario") == 0) {
		if (l->ntok != 2) {
			ERR(r, line, l->tok[0].col, "'%s' takes one value, got %d", kw, l->ntok - 1);
			return;
		}
	}
	if (strcmp(kw, "table") == 0) {
		if (!valid_id(l->tok[1].s))
			ERR(r, line, l->tok[1].col, "bad table name '%s'; hint: letters, digits, '_', '-', '.'", l->tok[1].s);
		else
			snprintf(r->t->name, sizeof(r->t->name), "%s", l->tok[1].s);
	} else if (strcmp(kw, "timeout") == 0) {
		if (parse_timeout(l->tok[1].s, &r->timeout_ms) < 0)
			ERR(r, line, l->tok[1].col, "bad timeout '%s'; hint: like 5s or 250ms, at most 600s", l->tok[1].s);
	} else if (strcmp(kw, "scenario") == 0) {
		const char *name = l->tok[1].s;
		struct bc_scenario *v;
		if (!valid_id(name) || strlen(name) >= BC_NAME_MAX) {
			ERR(r, line, l->tok[1].col, "bad scenario name '%s'", name);
			return;
		}
		for (int i = 0; i < r->nsc; i++) {
			if (strcmp(r->sc[i].name, name) == 0) {
				ERR(r, line, l->tok[1].col, "scenario '%s' is defined twice (first on line %d)", name, r->sc[i].line);
				return;
			}
		}
		v = realloc(r->sc, (size_t)(r->nsc + 1) * sizeof(*v));
		if (!v)
			return;
		r->sc = v;
		r->open_sc = &r->sc[r->nsc++];
		memset(r->open_sc, 0, sizeof(*r->open_sc));
		snprintf(r->open_sc->name, sizeof(r->open_sc->name), "%s", name);
		r->open_sc->line = line;
		r->open_sc->col = l->tok[1].col;
	} else {
		ERR(r, line, l->tok[0].col,
		    "unknown directive '%s'; hint: before the header come 'table', 'timeout' and 'scenario'; the header starts with 'id'",
		    kw);
	}
}

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
			if (append(&s, p++, 1) < 0)
				goto fail;
			continue;
		}
		bool brace = p[1] == '{';
		const char *n = p + 1 + brace, *e = n;
		while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '_')
			e++;
		int ci = column_index(r, n, (size_t)(e - n));
		if (ci < 0 || ci >= row->ntok)
			goto fail;
		if (!s.blame_col)
			s.blame_col = row->tok[ci].col;
		if (append(&s, row->tok[ci].s, strlen(row->tok[ci].s)) < 0)
			goto fail;
		p = e + brace;
	}
	out->s = s.out;
	out->line = s.blame_col ? row->lineno : tline;
	out->col = s.blame_col ? s.blame_col : w->col;
	return 0;
fail:
	free(s.out);
	return -1;
}

static int instantiate(struct rd *r, const struct bc_scenario *sc, const struct bc_line *row, struct bc_case *c)
{
	struct bc_names handles = {0}, vars = {0};
	int rc = 0;
	c->steps = calloc((size_t)sc->nsteps, sizeof(*c->steps));
	if (!c->steps)
		return -1;
	for (int i = 0; i < sc->nsteps && rc == 0; i++) {
		const struct bc_tmpl_step *ts = &sc->steps[i];
		struct bc_word w[16];
		int nw = ts->nwords < 16 ? ts->nwords : 16;
		int made = 0;
		for (; made < nw; made++)
			if (substitute(r, &ts->words[made], ts->line, row, &w[made]) < 0)
				break;
		if (made < nw) {
			rc = -1;
		} else {
			rc = bc_step_parse(r->file, w, nw, ts->checked, &c->steps[i], &handles, &vars, r->d);
		}
		for (int k = 0; k < made; k++)
			free(w[k].s);
		if (rc == 0) {
			const struct bc_step *st = &c->steps[i];
			c->nsteps++;
			c->nchecked += st->checked;
			if (st->family == AF_INET6 || st->addr.family == AF_INET6)
				c->needs |= BC_NEEDS_INET6;
		}
	}
	c->nhandles = handles.n;
	return rc;
}

static int parse_deviation(struct rd *r, const struct bc_tok *cell, int line, struct bc_case *c)
{
	const char *colon = strchr(cell->s, ':');
	char plats[64];
	if (strcmp(cell->s, "-") == 0)
		return 0;
	if (!colon || (size_t)(colon - cell->s) >= sizeof(plats) || !colon[1]) {
		ERR(r, line, cell->col, "bad deviation; hint: write \"linux: the reason, with a link\"");
		return -1;
	}
	memcpy(plats, cell->s, (size_t)(colon - cell->s));
	plats[colon - cell->s] = '\0';
	for (char *save = NULL, *p = strtok_r(plats, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int slot = bc_slot_from_name(p);
		if (slot != BC_SLOT_LINUX && slot != BC_SLOT_FREEBSD && slot != BC_SLOT_DARWIN) {
			ERR(r, line, cell->col, "unknown platform '%s' in deviation; hint: linux, freebsd or darwin", p);
			return -1;
		}
		if (c->exp[slot].state != BC_EXP_SET) {
			ERR(r, line, cell->col,
			    "deviation for %s, but the row gives no %s result; hint: put what %s does in the %s column",
			    p, p, p, p);
			return -1;
		}
		c->deviation_mask |= 1u << slot;
	}
	if (c->exp[BC_SLOT_EXPECT].state != BC_EXP_SET && c->exp[BC_SLOT_POSIX].state != BC_EXP_SET) {
		ERR(r, line, cell->col, "a deviation needs the documented result in 'expect' or 'posix' to deviate from");
		return -1;
	}
	const char *reason = colon + 1;
	while (*reason == ' ')
		reason++;
	c->deviation = strdup(reason);
	return 0;
}

static int read_cell(struct rd *r, const struct column *col, const struct bc_tok *cell, int line, struct bc_case *c)
{
	char err[512];
	size_t off;
	switch (col->kind) {
	case COL_SLOT:
		if (bc_expect_parse(cell->s, c->nchecked, &c->exp[col->slot], err, sizeof(err), &off) < 0) {
			ERR(r, line, cell->col + (int)off + (cell->quoted ? 1 : 0), "%s: %s", col->name, err);
			return -1;
		}
		return 0;
	case COL_SOURCE:
		if (strcmp(cell->s, "-") == 0 || !cell->s[0]) {
			ERR(r, line, cell->col, "the row names no source; hint: an anchor suite's file, a man page, a spec clause or kernel source");
			return -1;
		}
		c->source = strdup(cell->s);
		return c->source ? 0 : -1;
	case COL_NOTE:
		if (strcmp(cell->s, "-") != 0)
			c->note = strdup(cell->s);
		return 0;
	case COL_TIMEOUT:
		if (strcmp(cell->s, "-") != 0 && parse_timeout(cell->s, &c->timeout_ms) < 0) {
			ERR(r, line, cell->col, "bad timeout '%s'; hint: like 5s or 250ms, at most 600s", cell->s);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

static void read_row(struct rd *r, const struct bc_line *l)
{
	struct bc_case c;
	const struct bc_scenario *sc = r->nsc == 1 ? &r->sc[0] : NULL;
	int line = l->lineno, dev_col = -1;
	memset(&c, 0, sizeof(c));
	if (l->ntok != r->ncols) {
		const struct bc_tok *last = &l->tok[l->ntok - 1];
		if (l->ntok < r->ncols)
			ERR(r, line, last->col + (int)strlen(last->s),
			    "row has %d cells, the header has %d (first missing: '%s'); hint: write '-' for an empty cell",
			    l->ntok, r->ncols, r->cols[l->ntok].name);
		else
			ERR(r, line, l->tok[r->ncols].col,
			    "row has %d cells, the header has %d; hint: quote a cell that contains blanks", l->ntok, r->ncols);
		return;
	}
	if (r->rows_dropped)
		return;
	snprintf(c.table, sizeof(c.table), "%s", r->t->name);
	snprintf(c.file, sizeof(c.file), "%s", r->file);
	c.line = line;
	c.timeout_ms = r->timeout_ms;
	for (int i = 0; i < r->ncols; i++) {
		const struct bc_tok *cell = &l->tok[i];
		if (r->cols[i].kind == COL_ID) {
			if (!valid_id(cell->s)) {
				ERR(r, line, cell->col, "bad id '%s'; hint: letters, digits, '_', '-', '.', '+'", cell->s);
				return;
			}
			for (int k = 0; k < r->t->ncases; k++) {
				if (strcmp(r->t->cases[k].id, cell->s) == 0) {
					ERR(r, line, cell->col, "id '%s' is already used on line %d", cell->s, r->t->cases[k].line);
					return;
				}
			}
			snprintf(c.id, sizeof(c.id), "%s", cell->s);
		} else if (r->cols[i].kind == COL_SCENARIO) {
			sc = NULL;
			for (int k = 0; k < r->nsc; k++)
				if (strcmp(r->sc[k].name, cell->s) == 0)
					sc = &r->sc[k];
			if (!sc) {
				ERR(r, line, cell->col, "unknown scenario '%s'; hint: the table defines %s%s", cell->s,
				    r->sc[0].name, r->nsc > 1 ? " and others" : "");
				return;
			}
		}
	}
	if (!sc || sc->nsteps == 0)
		return;
	snprintf(c.scenario, sizeof(c.scenario), "%s", sc->name);
	if (instantiate(r, sc, l, &c) < 0 || c.nchecked == 0)
		goto drop;
	for (int i = 0; i < r->ncols; i++) {
		if (r->cols[i].kind == COL_DEVIATION)
			dev_col = i;
		else if (read_cell(r, &r->cols[i], &l->tok[i], line, &c) < 0)
			goto drop;
	}
	bool any = false;
	for (int s = 0; s < BC_SLOT_COUNT; s++)
		any |= c.exp[s].state != BC_EXP_UNSET;
	if (!any) {
		ERR(r, line, l->tok[0].col, "row '%s' states no expectation; hint: fill expect or a platform column", c.id);
		goto drop;
	}
	if (dev_col >= 0 && parse_deviation(r, &l->tok[dev_col], line, &c) < 0)
		goto drop;
	struct bc_case *v = realloc(r->t->cases, (size_t)(r->t->ncases + 1) * sizeof(*v));
	if (!v)
		goto drop;
	r->t->cases = v;
	r->t->cases[r->t->ncases++] = c;
	return;
drop:
	bc_case_free(&c);
}

static void read_line(struct rd *r, struct bc_line *l)
{
	if (l->ntok == 0)
		return;
	if (r->have_header) {
		read_row(r, l);
		return;
	}
	if (l->indented) {
		if (r->open_sc)
			add_step(r, l);
		else
			ERR(r, l->lineno, l->tok[0].col, "indented line outside a scenario; hint: steps follow a 'scenario NAME' line");
		return;
	}
	close_scenario(r);
	if (strcmp(l->tok[0].s, "id") == 0)
		read_header(r, l);
	else
		read_directive(r, l);
}

static void default_name(const char *path, char *name, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".tbl") == 0)
		len -= 4;
	if (len >= n)
		len = n - 1;
	memcpy(name, base, len);
	name[len] = '\0';
}

int bc_table_parse(const char *path, const char *text, size_t len, struct bc_table *t, struct bc_diags *d)
{
	struct rd r = {.file = path, .d = d, .t = t, .timeout_ms = BC_DEFAULT_TIMEOUT_MS};
	int before = d->n;
	const char *why;
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	default_name(path, t->name, sizeof(t->name));

	long bad = bc_lex_find_binary(text, len, &why);
	if (bad >= 0) {
		int line = 1, col = 1;
		for (long i = 0; i < bad; i++) {
			if (text[i] == '\n')
				line++, col = 1;
			else if (((unsigned char)text[i] & 0xc0) != 0x80)
				col++;
		}
		bc_diag_add(d, path, line, col, "binary data (%s); hint: a case table is UTF-8 text", why);
		return d->n - before;
	}
	size_t pos = 0;
	int lineno = 0;
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		struct bc_line l;
		lineno++;
		pos += n + (nl ? 1 : 0);
		if (bc_diags_count_file(d, path) >= BC_DIAG_MAX_PER_FILE) {
			bc_diag_add(d, path, lineno, 1, "too many errors; the rest of this table is not read");
			break;
		}
		if (bc_lex_line(path, lineno, start, n, &l, d) < 0)
			continue;
		read_line(&r, &l);
		bc_line_free(&l);
	}
	close_scenario(&r);
	if (!r.have_header && d->n == before)
		bc_diag_add(d, path, lineno ? lineno : 1, 1, "no header line; hint: the header starts with 'id' and names the columns");
	for (int i = 0; i < r.nsc; i++)
		for (int s = 0; s < r.sc[i].nsteps; s++) {
			for (int w = 0; w < r.sc[i].steps[s].nwords; w++)
				free(r.sc[i].steps[s].words[w].s);
			free(r.sc[i].steps[s].words);
		}
	free(r.sc);
	free(r.cols);
	bc_line_free(&r.header);
	return d->n - before;
}

int bc_table_load(const char *path, struct bc_table *t, struct bc_diags *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;
	int rc;
	memset(t, 0, sizeof(*t));
	if (!f) {
		bc_diag_add(d, path, 1, 1, "cannot open: %s", strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		bc_diag_add(d, path, 1, 1, "cannot read: %s; hint: a table is a regular file", strerror(errno));
		fclose(f);
		return 1;
	}
	if (size > MAX_TABLE_BYTES) {
		bc_diag_add(d, path, 1, 1, "table is %ld bytes, more than the %ld a table may have", size, MAX_TABLE_BYTES);
		fclose(f);
		return 1;
	}
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		bc_diag_add(d, path, 1, 1, "cannot read: %s", buf ? strerror(errno) : "out of memory");
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	buf[size] = '\0';
	rc = bc_table_parse(path, buf, (size_t)size, t, d);
	free(buf);
	return rc;
}

static int add_file(char ***files, int *n, const char *path)
{
	char **v = realloc(*files, (size_t)(*n + 1) * sizeof(*v));
	if (!v)
		return -1;
	*files = v;
	v[*n] = strdup(path);
	if (!v[*n])
		return -1;
	(*n)++;
	return 0;
}

static int is_table_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".tbl") == 0;
}

int bc_table_find(char *const *paths, int npaths, char ***files, struct bc_diags *d)
{
	int n = 0;
	*files = NULL;
	for (int i = 0; i < npaths; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0) {
			bc_diag_add(d, paths[i], 1, 1, "cannot open: %s", strerror(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (add_file(files, &n, paths[i]) < 0)
				return -1;
			continue;
		}
		struct dirent **ents;
		int k = scandir(paths[i], &ents, is_table_name, alphasort);
		if (k < 0) {
			bc_diag_add(d, paths[i], 1, 1, "cannot read directory: %s", strerror(errno));
			continue;
		}
		for (int j = 0; j < k; j++) {
			char full[4096];
			size_t pl = strlen(paths[i]);
			snprintf(full, sizeof(full), "%s%s%s", paths[i], pl && paths[i][pl - 1] == '/' ? "" : "/",
				 ents[j]->d_name);
			int rc = add_file(files, &n, full);
			free(ents[j]);
			if (rc < 0) {
				for (j++; j < k; j++)
					free(ents[j]);
				free(ents);
				return -1;
			}
		}
		free(ents);
	}
	return n;
}

void bc_table_files_free(char **files, int n)
{
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
}
