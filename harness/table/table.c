/* table: the case-table reader.  A table is a preamble (directives and
 * scenarios), a header line that starts with "id", and one row per case.
 * See cases/README.md for the format; this file enforces it. */
#define _POSIX_C_SOURCE 200809L
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/store.h"
#include "table/blocks.h"
#include "table/header.h"
#include "model/text.h"
#include "table/reader.h"
#include "table/rows.h"

static void ignore_ref(void *arg, const char *s, size_t n)
{
	(void)arg, (void)s, (void)n;
}

static void close_scenario(struct rd *r)
{
	struct bc_scenario *sc = r->open_sc;
	bc_rd_close_profile(r);
	bc_rd_close_target(r);
	int checked = 0;
	r->open_sc = NULL;
	if (!sc || sc->bad)
		return;
	for (int i = 0; i < sc->nsteps; i++)
		checked += sc->steps[i].checked;
	if (sc->nsteps == 0)
		BC_RD_ERR(r, sc->line, sc->col, "scenario '%s' has no steps; hint: indent its steps under it", sc->name);
	else if (checked == 0)
		BC_RD_ERR(r, sc->line, sc->col, "scenario '%s' checks no step; hint: mark the call under test with '?'", sc->name);
	else {
		/* Check every step now, cells standing in as "any value", so
		 * that an error shows even when no row uses the scenario. */
		struct bc_case c;
		memset(&c, 0, sizeof(c));
		bc_rd_instantiate(r, sc, NULL, &c);
		bc_case_free(&c);
	}
}

static void add_step(struct rd *r, struct bc_line *l)
{
	struct bc_scenario *sc = r->open_sc;
	struct bc_tmpl_step *ts;
	int first = 0;
	if (sc->bad)
		return; /* said once; its later lines would only repeat it */
	if (sc->nsteps == BC_MAX_STEPS) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "scenario '%s' has more than %d steps; hint: split it, or move setup into a profile",
			  sc->name, BC_MAX_STEPS);
		sc->bad = true;
		return;
	}
	ts = &sc->steps[sc->nsteps];
	ts->checked = strcmp(l->tok[0].s, "?") == 0 && !l->tok[0].quoted;
	first = ts->checked ? 1 : 0;
	if (first >= l->ntok) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "'?' without a step after it");
		return;
	}
	if (!bc_step_verb_known(l->tok[first].s)) {
		/* Reported with a suggestion when a row instantiates it; report it
		 * here too so a table without rows still hears of it. */
		struct bc_word w = {l->tok[first].s, l->lineno, l->tok[first].col};
		struct bc_step st;
		struct bc_scope scope;
		memset(&scope, 0, sizeof(scope));
		bc_step_parse(r->file, &w, 1, false, &st, &scope, false, r->d);
		return;
	}
	for (int i = first; i < l->ntok; i++) {
		long bad = bc_rd_scan_refs(l->tok[i].s, ignore_ref, NULL);
		if (bad >= 0) {
			BC_RD_ERR(r, l->lineno, l->tok[i].col + (int)bad, "bad column reference; hint: write $name or ${name}");
			return;
		}
	}
	if (l->ntok - first > BC_MAX_WORDS) {
		BC_RD_ERR(r, l->lineno, l->tok[first + BC_MAX_WORDS].col, "a step has at most %d words", BC_MAX_WORDS);
		return;
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

static void open_scenario(struct rd *r, const struct bc_line *l)
{
	const char *name = l->tok[1].s;
	struct bc_scenario *v;
	if (!bc_rd_valid_id(name) || strlen(name) >= BC_NAME_MAX) {
		BC_RD_ERR(r, l->lineno, l->tok[1].col, "bad scenario name '%s'", name);
		return;
	}
	for (int i = 0; i < r->nsc; i++) {
		if (strcmp(r->sc[i].name, name) == 0) {
			BC_RD_ERR(r, l->lineno, l->tok[1].col, "scenario '%s' is defined twice (first on line %d)", name, r->sc[i].line);
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
	r->open_sc->line = l->lineno;
	r->open_sc->col = l->tok[1].col;
}

/* "rows NAME": a header and rows of scenario NAME follow.  A bad one
 * drops them without a message each. */
static void open_section(struct rd *r, const struct bc_line *l)
{
	r->at = AT_SECTION_HEADER;
	r->section = -1;
	r->section_line = l->lineno;
	r->quiet = true;
	if (l->ntok != 2) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "'rows' takes one value, got %d; hint: rows SCENARIO, then a header line", l->ntok - 1);
		return;
	}
	for (int i = 0; i < r->nsc; i++)
		if (strcmp(r->sc[i].name, l->tok[1].s) == 0)
			r->section = i;
	if (r->section < 0)
		BC_RD_ERR(r, l->lineno, l->tok[1].col, "unknown scenario '%s'; hint: define it above with 'scenario %s' and its steps",
			  l->tok[1].s, l->tok[1].s);
	else
		r->quiet = false;
}

static void read_directive(struct rd *r, struct bc_line *l)
{
	const char *kw = l->tok[0].s;
	int line = l->lineno;
	if (strcmp(kw, "rows") == 0) {
		open_section(r, l);
		return;
	}
	if (strcmp(kw, "table") == 0 || strcmp(kw, "timeout") == 0 || strcmp(kw, "scenario") == 0 ||
	    strcmp(kw, "profile") == 0 || strcmp(kw, "target") == 0) {
		if (l->ntok != 2) {
			BC_RD_ERR(r, line, l->tok[0].col, "'%s' takes one value, got %d", kw, l->ntok - 1);
			return;
		}
	}
	if (strcmp(kw, "table") == 0) {
		if (!bc_rd_valid_id(l->tok[1].s))
			bc_rd_bad_id(r, "table name", l->tok[1].s, line, l->tok[1].col);
		else
			snprintf(r->t->name, sizeof(r->t->name), "%s", l->tok[1].s);
	} else if (strcmp(kw, "timeout") == 0) {
		if (bc_rd_parse_timeout(l->tok[1].s, &r->timeout_ms) < 0)
			BC_RD_ERR(r, line, l->tok[1].col, "bad timeout '%s'; hint: like 5s or 250ms, at most 600s", l->tok[1].s);
	} else if (strcmp(kw, "profile") == 0) {
		bc_rd_open_profile(r, l);
	} else if (strcmp(kw, "target") == 0) {
		bc_rd_open_target(r, l);
	} else if (strcmp(kw, "scenario") == 0) {
		open_scenario(r, l);
	} else {
		BC_RD_ERR(r, line, l->tok[0].col,
		    "unknown directive '%s'; hint: before the header come 'table', 'timeout', 'profile', 'target', 'scenario' and 'rows'; the header starts with 'id'",
		    kw);
	}
}

/* A section whose 'rows NAME' line is not followed by its header. */
static void no_section_header(struct rd *r, int line, int col)
{
	BC_RD_ERR(r, line, col, "no header after 'rows %s' (line %d); hint: the line after it names the columns and starts with 'id'",
		  r->sc[r->section].name, r->section_line);
	r->quiet = true;
}

/* A header: the table-wide one (in the preamble), a section's, or one
 * more of the same section's, which replaces the columns for the rows
 * below it. */
static void read_header(struct rd *r, struct bc_line *l)
{
	if (r->at == AT_NO_HEADER) {
		if (!r->quiet)
			BC_RD_ERR(r, l->lineno, l->tok[0].col, "a header without 'rows NAME' above it; hint: after the first header, each header starts a section: write 'rows SCENARIO' on the line before");
		r->quiet = true;
		return;
	}
	r->at = AT_ROWS;
	if (!r->quiet)
		bc_rd_read_header(r, l);
}

/* Directives of the preamble alone: what they set holds for every row. */
static bool preamble_only(const char *kw)
{
	static const char *const words[] = {"table", "timeout", "profile", "target"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(kw, words[i]) == 0)
			return true;
	return false;
}

/* A line after the preamble: a scenario, a section, a header or a row.
 * Under the table-wide header every other line is a row, as it always
 * was; a section's rows end at the next 'scenario' or 'rows' line. */
static void read_body_line(struct rd *r, struct bc_line *l)
{
	const char *kw = l->indented ? "" : l->tok[0].s;
	if (strcmp(kw, "scenario") == 0 || strcmp(kw, "rows") == 0) {
		if (r->at == AT_SECTION_HEADER && !r->quiet)
			no_section_header(r, l->lineno, l->tok[0].col);
		if (strcmp(kw, "scenario") == 0) {
			r->at = AT_NO_HEADER;
			r->quiet = false;
		}
		read_directive(r, l);
	} else if (preamble_only(kw)) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "'%s' after the rows began; hint: 'table', 'timeout', 'profile' and 'target' come before the first header or 'rows' line",
			  kw);
		r->skip_block = true;
	} else if (strcmp(l->tok[0].s, "id") == 0 && (r->at != AT_ROWS || r->section >= 0)) {
		read_header(r, l);
	} else if (r->at == AT_SECTION_HEADER) {
		if (!r->quiet)
			no_section_header(r, l->lineno, l->tok[0].col);
	} else if (r->at == AT_NO_HEADER) {
		if (!r->quiet)
			BC_RD_ERR(r, l->lineno, l->tok[0].col, "a row without a header; hint: after a scenario, its rows follow 'rows %s' and a header line",
				  r->nsc ? r->sc[r->nsc - 1].name : "SCENARIO");
		r->quiet = true;
	} else if (!r->quiet) {
		bc_rd_read_row(r, l);
	}
}

static void read_line(struct rd *r, struct bc_line *l)
{
	if (l->ntok == 0)
		return;
	if (l->indented && (r->open_sc || r->open_prof >= 0 || r->open_tgt >= 0)) {
		if (r->open_sc)
			add_step(r, l);
		else if (r->open_prof >= 0)
			bc_rd_add_profile_line(r, l);
		else
			bc_rd_add_target_line(r, l);
		return;
	}
	if (l->indented && r->skip_block)
		return;
	r->skip_block = false;
	if (l->indented && r->at == AT_PREAMBLE) {
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "indented line outside a scenario, profile or target; hint: steps follow a 'scenario NAME' line");
		return;
	}
	close_scenario(r);
	if (r->at == AT_PREAMBLE && strcmp(l->tok[0].s, "id") != 0)
		read_directive(r, l);
	else
		read_body_line(r, l);
}

/* An indented line that could not be read: its block is lost. */
static void lose_block_line(struct rd *r)
{
	if (r->open_sc)
		r->open_sc->bad = true;
	else if (r->open_prof >= 0)
		r->prof[r->open_prof].bad = true;
	else if (r->open_tgt >= 0)
		r->tgt[r->open_tgt].bad = true;
}

/* A header that could not be read: the rows under it are lost. */
static void lose_header(struct rd *r)
{
	r->at = AT_ROWS;
	r->have_header = true;
	r->quiet = true;
}

/* A row that could not be read keeps its id, as other dropped rows do,
 * when the id itself was read. */
static void lose_row(struct rd *r, const struct bc_line *l)
{
	if (r->at != AT_ROWS || r->quiet || r->rows_dropped)
		return;
	for (int i = 0; i < r->ncols && i < l->ntok; i++)
		if (r->cols[i].kind == COL_ID && bc_rd_valid_id(l->tok[i].s))
			bc_rd_ids_claim(&r->ids, l->tok[i].s, l->lineno);
}

/* An unindented line that could not be read: what it began (a scenario,
 * a profile, a target, a section, a header) is lost with it, and so are
 * the lines that belong to that, without a message each. */
static void lose_line(struct rd *r, struct bc_line *l)
{
	const char *kw = l->ntok ? l->tok[0].s : "";
	bool preamble = r->at == AT_PREAMBLE;
	bool block = strcmp(kw, "scenario") == 0 || strcmp(kw, "profile") == 0 || strcmp(kw, "target") == 0;
	close_scenario(r);
	r->skip_block = true; /* the indented lines under it */
	if (!l->ntok || (block && l->ntok < 2))
		r->lost_names = true;
	if (strcmp(kw, "scenario") == 0 && l->ntok >= 2) {
		if (!preamble) {
			r->at = AT_NO_HEADER;
			r->quiet = false;
		}
		open_scenario(r, l);
		if (r->open_sc)
			r->open_sc->bad = true;
	} else if (preamble && strcmp(kw, "profile") == 0 && l->ntok >= 2) {
		bc_rd_open_profile(r, l);
		if (r->open_prof >= 0)
			r->prof[r->open_prof].bad = true;
	} else if (preamble && strcmp(kw, "target") == 0 && l->ntok >= 2) {
		bc_rd_open_target(r, l);
		if (r->open_tgt >= 0)
			r->tgt[r->open_tgt].bad = true;
	} else if (strcmp(kw, "rows") == 0) {
		r->at = AT_SECTION_HEADER;
		r->section = -1;
		r->section_line = l->lineno;
		r->quiet = true;
	} else if (strcmp(kw, "id") == 0 && (r->at != AT_ROWS || r->section >= 0)) {
		lose_header(r);
	} else if (!preamble && !block) {
		lose_row(r, l);
	}
}

/* A line that could not be read whole (said already): it is lost, with
 * its row or its block, and everything else is still read. */
static void read_bad_line(struct rd *r, struct bc_line *l)
{
	if (l->ntok == 0 && l->comment)
		return; /* a comment: nothing else is lost */
	if (l->indented) {
		lose_block_line(r);
		return;
	}
	lose_line(r, l);
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
	struct rd r = {.file = path, .d = d, .t = t, .timeout_ms = BC_DEFAULT_TIMEOUT_MS, .open_prof = -1, .open_tgt = -1,
		     .section = -1};
	int before = d->n;
	const char *why;
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	default_name(path, t->name, sizeof(t->name));
	t->store = bc_store_new();
	if (!t->store) {
		bc_diag_add(d, path, 1, 1, "out of memory");
		return d->n - before;
	}

	if (bc_rd_not_text(path, text, len, d))
		return d->n - before;
	size_t pos = bc_rd_skip_bom(path, text, len, d);
	int lineno = 0;
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		struct bc_line l;
		lineno++;
		pos += n + (nl ? 1 : 0);
		if (bc_diags_count_file(d, path) > BC_DIAG_MAX_PER_FILE)
			break; /* the last message said so */
		/* A bad byte, or a line the lexer cannot split, loses its row
		 * or block, not the file. */
		long bad = bc_text_find_binary(start, n, &why);
		if (bad >= 0) {
			bc_diag_add(d, path, lineno, bc_rd_byte_col(start, (size_t)bad), "binary data (%s); hint: a case table is UTF-8 text",
				    why);
			bc_lex_line_cut(path, lineno, start, (size_t)bad, &l);
		} else {
			bc_lex_line(path, lineno, start, n, &l, d);
		}
		if (l.bad)
			read_bad_line(&r, &l);
		else
			read_line(&r, &l);
		bc_line_free(&l);
	}
	close_scenario(&r);
	if (r.at == AT_SECTION_HEADER && !r.quiet)
		no_section_header(&r, r.section_line, 1);
	if (!r.have_header && d->n == before)
		bc_diag_add(d, path, lineno ? lineno : 1, 1, "no header line; hint: the header starts with 'id' and names the columns");
	for (int i = 0; i < r.nsc; i++)
		for (int s = 0; s < r.sc[i].nsteps; s++) {
			for (int w = 0; w < r.sc[i].steps[s].nwords; w++)
				free(r.sc[i].steps[s].words[w].s);
			free(r.sc[i].steps[s].words);
			bc_rd_memo_free(r.sc[i].steps[s].memo);
		}
	free(r.sc);
	free(r.prof);
	free(r.tgt);
	free(r.cols);
	bc_rd_ids_free(&r.ids);
	bc_line_free(&r.header);
	/* The room the array grew into for more rows is given back. */
	struct bc_case *fit = t->ncases ? realloc(t->cases, (size_t)t->ncases * sizeof(*t->cases)) : NULL;
	if (fit)
		t->cases = fit;
	return d->n - before;
}
