/* header: the header line of a table, "id" and the names of its columns,
 * into the reader's columns; and the checks a header must pass: the
 * columns every table needs, and a column for every cell its scenarios
 * put into their steps. */
#define _POSIX_C_SOURCE 200809L
#include "table/header.h"

#include <stdlib.h>
#include <string.h>

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

static bool scenario_uses(const struct bc_scenario *sc, struct find_ref *f)
{
	for (int s = 0; s < sc->nsteps && !f->found; s++)
		for (int w = 0; w < sc->steps[s].nwords; w++)
			bc_rd_scan_refs(sc->steps[s].words[w].s, match_ref, f);
	return f->found;
}

/* Is col a parameter: one the header's scenarios put into a step?  A
 * section's header has one scenario; the table-wide header, all. */
static bool scenarios_use(const struct rd *r, const char *col)
{
	struct find_ref f = {col, false};
	if (r->section >= 0)
		return scenario_uses(&r->sc[r->section], &f);
	for (int i = 0; i < r->nsc && !f.found; i++)
		scenario_uses(&r->sc[i], &f);
	return f.found;
}

static bool any_bad_scenario(const struct rd *r)
{
	for (int i = 0; i < r->nsc; i++)
		if (r->sc[i].bad)
			return true;
	return false;
}

struct check_ref {
	struct rd *r;
	const struct bc_scenario *sc;
	int line, col;
};

static void check_ref(void *arg, const char *s, size_t n)
{
	struct check_ref *c = arg;
	struct rd *r = c->r;
	int i = bc_rd_column_index(r, s, n);
	if (i >= 0 && r->cols[i].kind == COL_PARAM)
		return;
	/* The table-wide header is blamed at the step, a section's header at
	 * itself: a scenario may have several sections, and one may lack it. */
	if (r->section < 0)
		BC_RD_ERR(r, c->line, c->col, "scenario '%s' uses column '%.*s', which the header does not have as a parameter column",
		    c->sc->name, (int)n, s);
	else
		BC_RD_ERR(r, r->header.lineno, r->header.tok[0].col,
		    "scenario '%s' uses column '%.*s' (line %d), which this header does not have; hint: add the column, or write the value into the step",
		    c->sc->name, (int)n, s, c->line);
}

static bool has_kind(const struct rd *r, enum colkind kind)
{
	for (int i = 0; i < r->ncols; i++)
		if (r->cols[i].kind == kind)
			return true;
	return false;
}

static void check_refs(struct rd *r, const struct bc_scenario *sc)
{
	if (sc->bad)
		return; /* its rows are dropped */
	for (int s = 0; s < sc->nsteps; s++) {
		for (int w = 0; w < sc->steps[s].nwords; w++) {
			struct check_ref c = {r, sc, sc->steps[s].line, sc->steps[s].words[w].col};
			bc_rd_scan_refs(sc->steps[s].words[w].s, check_ref, &c);
		}
	}
}

/* The columns every table needs, and every scenario's references (a
 * section's: its own scenario's). */
static void check_required(struct rd *r, int lineno)
{
	if (r->nsc == 0) {
		BC_RD_ERR(r, lineno, 1, "the table has no scenario; hint: write 'scenario NAME' and its steps before the header");
		r->rows_dropped = true;
	}
	if (!has_kind(r, COL_SOURCE)) {
		BC_RD_ERR(r, lineno, 1, "the header has no 'source' column; hint: every row names where its expectation comes from");
		r->rows_dropped = true;
	}
	if (!has_kind(r, COL_SLOT)) {
		BC_RD_ERR(r, lineno, 1, "the header has no expectation column; hint: add expect, linux, freebsd, darwin or posix");
		r->rows_dropped = true;
	}
	if (r->section >= 0) {
		check_refs(r, &r->sc[r->section]);
		return;
	}
	if (r->nsc > 1 && !has_kind(r, COL_SCENARIO)) {
		BC_RD_ERR(r, lineno, 1, "the table has %d scenarios but no 'scenario' column", r->nsc);
		r->rows_dropped = true;
	}
	for (int i = 0; i < r->nsc; i++)
		check_refs(r, &r->sc[i]);
}

static const struct {
	const char *name;
	enum colkind kind;
} fixed_columns[] = {
	{"id", COL_ID},         {"scenario", COL_SCENARIO}, {"source", COL_SOURCE},
	{"deviation", COL_DEVIATION}, {"note", COL_NOTE},  {"timeout", COL_TIMEOUT},
	{"profile", COL_PROFILE}, {"fault", COL_FAULT},
};

/* What a header word names: a column of the format, an expectation slot, a
 * parameter some scenario uses, or nothing (an error). */
static enum colkind classify_column(struct rd *r, const struct bc_tok *tk, int lineno)
{
	const struct bc_scenario *sc = r->section >= 0 ? &r->sc[r->section] : NULL;
	for (size_t k = 0; k < sizeof(fixed_columns) / sizeof(fixed_columns[0]); k++) {
		if (strcmp(tk->s, fixed_columns[k].name) != 0)
			continue;
		if (sc && fixed_columns[k].kind == COL_SCENARIO) {
			BC_RD_ERR(r, lineno, tk->col, "a 'scenario' column under 'rows %s'; hint: these rows all run scenario '%s', leave the column out",
				  sc->name, sc->name);
			return COL_BAD;
		}
		return fixed_columns[k].kind;
	}
	if (bc_slot_from_name(tk->s) >= 0)
		return COL_SLOT;
	/* A scenario that lost a line may have used it there. */
	if (scenarios_use(r, tk->s) || (sc ? sc->bad : any_bad_scenario(r)))
		return COL_PARAM;
	if (sc)
		BC_RD_ERR(r, lineno, tk->col,
			  "unknown column '%s'; hint: columns are id, expect, linux, freebsd, darwin, posix, source, deviation, note, timeout, profile, fault, or one scenario '%s' uses as $%s",
			  tk->s, sc->name, tk->s);
	else
		BC_RD_ERR(r, lineno, tk->col,
			  "unknown column '%s'; hint: columns are id, scenario, expect, linux, freebsd, darwin, posix, source, deviation, note, timeout, profile, fault, or one a scenario uses as $%s",
			  tk->s, tk->s);
	return COL_BAD;
}

void bc_rd_read_header(struct rd *r, struct bc_line *l)
{
	free(r->cols); /* the previous section's */
	bc_line_free(&r->header);
	r->rows_dropped = false;
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
		if (bc_rd_column_index(r, tk->s, strlen(tk->s)) < i) {
			BC_RD_ERR(r, l->lineno, tk->col, "column '%s' appears twice", tk->s);
			c->kind = COL_BAD;
		} else {
			c->kind = classify_column(r, tk, l->lineno);
		}
	}
	check_required(r, l->lineno);
}
