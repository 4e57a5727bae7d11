/* table_rows: one row of a table into a case: its scenario's steps with the
 * row's cells put in (instantiate.c), then its expectations, source,
 * deviation, profile, faults and target. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault/faults.h"
#include "model/profile.h"
#include "model/verdict.h"
#include "table/rows.h"

#include "model/store.h"

static char *trim(char *s)
{
	char *e;
	while (*s == ' ')
		s++;
	for (e = s + strlen(s); e > s && e[-1] == ' '; e--)
		;
	*e = '\0';
	return s;
}

/* The platforms a deviation may name: every platform column. */
static bool deviation_platform(int slot)
{
	return slot == BC_SLOT_LINUX || slot == BC_SLOT_FREEBSD || slot == BC_SLOT_DARWIN || slot == BC_SLOT_GVISOR;
}

/* The first part's platforms ("linux, freebsd" in "linux, freebsd: why"),
 * each a platform column. */
static int check_first_platforms(struct rd *r, const struct bc_tok *cell, int line)
{
	const char *colon = strchr(cell->s, ':');
	char plats[64];
	int n = 0;
	if (!colon || (size_t)(colon - cell->s) >= sizeof(plats)) {
		BC_RD_ERR(r, line, cell->col, "bad deviation; hint: write \"linux: the reason, with a link\"");
		return -1;
	}
	memcpy(plats, cell->s, (size_t)(colon - cell->s));
	plats[colon - cell->s] = '\0';
	for (char *save = NULL, *tok = strtok_r(plats, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		char *p = trim(tok);
		int slot = bc_slot_from_name(p);
		if (!deviation_platform(slot)) {
			BC_RD_ERR(r, line, cell->col, "unknown platform '%s' in deviation; hint: linux, freebsd, darwin or gvisor", p);
			return -1;
		}
	}
	if (n == 0) {
		BC_RD_ERR(r, line, cell->col, "deviation names no platform; hint: write \"linux: the reason\"");
		return -1;
	}
	return 0;
}

/* "linux: why", "linux, freebsd: why", or several such parts joined by ';'
 * ("linux: why; gvisor: why").  A platform's deviation departs from the
 * documented result (expect, else posix); gVisor's from Linux's (linux,
 * expect or posix). */
static int parse_deviation(struct rd *r, const struct bc_tok *cell, int line, struct bc_case *c)
{
	char reason[1024];
	if (strcmp(cell->s, "-") == 0)
		return 0;
	if (check_first_platforms(r, cell, line) < 0)
		return -1;
	for (int slot = 0; slot < BC_SLOT_COUNT; slot++) {
		const char *p = bc_slot_name((enum bc_slot)slot);
		if (!deviation_platform(slot) || !bc_deviation_reason(cell->s, slot, reason, sizeof(reason)))
			continue;
		if (!reason[0]) {
			BC_RD_ERR(r, line, cell->col, "deviation without a reason; hint: say why, with a link or source");
			return -1;
		}
		if (c->exp[slot].state == BC_EXP_NA)
			continue; /* why the row does not apply there: the skip says it */
		if (c->exp[slot].state != BC_EXP_SET) {
			BC_RD_ERR(r, line, cell->col,
			    "deviation for %s, but the row gives no %s result; hint: put what %s does in the %s column",
			    p, p, p, p);
			return -1;
		}
		bool from = c->exp[BC_SLOT_EXPECT].state == BC_EXP_SET || c->exp[BC_SLOT_POSIX].state == BC_EXP_SET ||
			    (slot == BC_SLOT_GVISOR && c->exp[BC_SLOT_LINUX].state == BC_EXP_SET);
		if (!from) {
			BC_RD_ERR(r, line, cell->col, "a deviation needs the documented result in 'expect' or 'posix' to deviate from");
			return -1;
		}
		c->deviation_mask |= 1u << slot;
	}
	c->deviation = bc_store_str(r->t->store, cell->s);
	return c->deviation ? 0 : -1;
}

/* A gvisor result is a finding about gVisor, which the row explains; so is
 * a gvisor n/a (the row cannot run there as written). */
static int check_gvisor_reason(struct rd *r, const struct bc_line *l, int line, const struct bc_case *c)
{
	char reason[8];
	if (c->exp[BC_SLOT_GVISOR].state == BC_EXP_UNSET || (c->deviation_mask & (1u << BC_SLOT_GVISOR)))
		return 0;
	if (c->exp[BC_SLOT_GVISOR].state == BC_EXP_NA && c->deviation &&
	    bc_deviation_reason(c->deviation, BC_SLOT_GVISOR, reason, sizeof(reason)) && reason[0])
		return 0;
	BC_RD_ERR(r, line, l->tok[0].col,
		  "row '%s' gives a gvisor result without its reason; hint: add a deviation \"gvisor: why, with its source\"",
		  c->id);
	return -1;
}

/* "=127.0.0.1:P" in an expectation: P is the port getsockname stored in
 * the case's variable P, filled in when the case is judged. */
static void link_port_vars(const struct bc_expect *e, const struct bc_case *c)
{
	for (int k = 0; k < e->nclauses; k++)
		for (int i = 0; i < e->clauses[k].nitems; i++)
			for (int a = 0; a < e->clauses[k].items[i].nalts; a++) {
				struct bc_outcome *o = &e->clauses[k].items[i].alts[a];
				const char *colon = strrchr(o->value, ':');
				if (o->kind != BC_OUT_VALUE || !colon)
					continue;
				for (int v = 0; v < c->nvars; v++)
					if (strcmp(colon + 1, c->vars[v]) == 0)
						o->port_var = v + 1;
			}
}

/* An expectation cell, parsed once per table for each text, number of
 * checked steps and set of port variables: the rows of a matrix repeat a
 * few results many times. */
static int read_expect(struct rd *r, const struct column *col, const struct bc_tok *cell, int line, struct bc_case *c)
{
	char err[512];
	size_t off, len = strlen(cell->s), klen = sizeof(int) + sizeof(c->vars) + len;
	struct bc_store *st = r->t->store;
	struct bc_expect *e = &c->exp[col->slot];
	char *key = malloc(klen + 2);
	if (!key)
		return -1;
	key[0] = '\x02', key[1] = 'E'; /* see memo() */
	memcpy(key + 2, &c->nchecked, sizeof(int));
	memcpy(key + 2 + sizeof(int), (const void *)&c->vars, sizeof(c->vars)); /* one pointer per set of names */
	memcpy(key + 2 + sizeof(int) + sizeof(c->vars), cell->s, len);
	klen += 2;
	void **known = bc_store_memo(st, key, klen);
	if (known && *known) {
		*e = *(const struct bc_expect *)*known;
		free(key);
		return 0;
	}
	if (bc_expect_parse(st, cell->s, c->nchecked, e, err, sizeof(err), &off) < 0) {
		free(key);
		BC_RD_ERR(r, line, bc_cell_col(cell, off), "%s: %s", col->name, err);
		return -1;
	}
	link_port_vars(e, c);
	struct bc_expect *kept = bc_store_alloc(st, sizeof(*kept));
	if (kept && (known = bc_store_memo(st, key, klen))) {
		*kept = *e;
		*known = kept;
	}
	free(key);
	return 0;
}

static int read_cell(struct rd *r, const struct column *col, const struct bc_tok *cell, int line, struct bc_case *c)
{
	switch (col->kind) {
	case COL_SLOT:
		if (read_expect(r, col, cell, line, c) < 0)
			return -1;
		/* "=ADDR:ephemeral": the executor reads the range only then. */
		if (strstr(cell->s, ":" BC_EPHEMERAL))
			c->needs |= BC_NEEDS_PORT_RANGE;
		return 0;
	case COL_SOURCE:
		if (strcmp(cell->s, "-") == 0 || !cell->s[0]) {
			BC_RD_ERR(r, line, cell->col, "the row names no source; hint: an anchor suite's file, a man page, a spec clause or kernel source");
			return -1;
		}
		c->source = bc_store_str(r->t->store, cell->s);
		return c->source ? 0 : -1;
	case COL_NOTE:
		if (strcmp(cell->s, "-") != 0)
			c->note = bc_store_str(r->t->store, cell->s);
		return 0;
	case COL_TIMEOUT:
		if (strcmp(cell->s, "-") != 0 && bc_rd_parse_timeout(cell->s, &c->timeout_ms) < 0) {
			BC_RD_ERR(r, line, cell->col, "bad timeout '%s'; hint: like 5s or 250ms, at most 600s", cell->s);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* The next call of a sweep's "CALL,CALL...:" list, into call; false at the
 * ':' that ends the list. */
/* The next "CALL[@SELECTOR]" of a sweep's list, which ends at colon (the
 * one before WHEN): all of it into tok, the call alone into call. */
#define SWEEP_CALL_MAX 80
static bool next_sweep_call(const char **p, const char *colon, char tok[SWEEP_CALL_MAX], char call[16])
{
	if (*p >= colon)
		return false;
	size_t n = strcspn(*p, ",");
	if (*p + n > colon)
		n = (size_t)(colon - *p);
	snprintf(tok, SWEEP_CALL_MAX, "%.*s", (int)(n < SWEEP_CALL_MAX - 1 ? n : SWEEP_CALL_MAX - 1), *p);
	snprintf(call, 16, "%.*s", (int)strcspn(tok, "@"), tok);
	*p += n + ((*p)[n] == ',');
	return true;
}

/* The row's rules one by one: "CALL[@SELECTOR]:WHEN:RESULT" joined with
 * ';', none failing a call another before it fails (bc_fault_conflict). */
static int read_rules(struct rd *r, const struct bc_tok *cell, int line, struct bc_case *c)
{
	char err[300];
	const char *text = cell->s, *starts[BC_MAX_FAULTS];
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, ";"), bad;
		char rule[128];
		if (c->nfaults == BC_MAX_FAULTS) {
			BC_RD_ERR(r, line, bc_cell_col(cell, (size_t)(p - text)), "more than %d faults in one row", BC_MAX_FAULTS);
			return -1;
		}
		snprintf(rule, sizeof(rule), "%.*s", (int)(n < sizeof(rule) - 1 ? n : sizeof(rule) - 1), p);
		struct bc_fault *f = &c->faults[c->nfaults];
		if (bc_fault_parse_rule(rule, f, err, sizeof(err), &bad) < 0) {
			BC_RD_ERR(r, line, bc_cell_col(cell, (size_t)(p - text) + bad), "%s", err);
			return -1;
		}
		for (int i = 0; i < c->nfaults; i++) {
			if (!bc_fault_conflict(&c->faults[i], f))
				continue;
			int was = (int)strcspn(starts[i], ";");
			BC_RD_ERR(r, line, bc_cell_col(cell, (size_t)(p - text)),
				  "fault '%s' fails calls that '%.*s' before it fails too; hint: rules on one call and selector pick "
				  "calls apart (bind:1 and bind:3, or bind:1 and bind:3+), or select differently (bind@[::1], bind@inet)",
				  rule, was, starts[i]);
			return -1;
		}
		starts[c->nfaults++] = p;
		p += n + (p[n] == ';');
	}
	return 0;
}

/* The fault cell: '-', rules "CALL:WHEN:RESULT" joined with ';', or
 * "sweep:CALL,CALL...:WHEN", which the row expands into (see expand_sweep). */
static int read_fault(struct rd *r, const struct bc_tok *cell, int line, struct bc_case *c)
{
	char err[300];
	const char *text = cell->s;
	if (strcmp(text, "-") == 0)
		return 0;
	c->fault_text = bc_store_str(r->t->store, text);
	c->faults = bc_store_alloc(r->t->store, BC_MAX_FAULTS * sizeof(*c->faults));
	if (!c->fault_text || !c->faults)
		return -1;
	if (strncmp(text, "sweep:", 6) == 0) {
		const char *calls = text + 6, *colon = strrchr(calls, ':');
		struct bc_fault f;
		size_t bad;
		if (!colon || colon == calls) {
			BC_RD_ERR(r, line, cell->col, "bad sweep; hint: sweep:CALL,CALL...:WHEN, as sweep:bind,listen:1");
			return -1;
		}
		const char *p = calls, *at = p;
		char tok[SWEEP_CALL_MAX], call[16], rule[128];
		for (; next_sweep_call(&p, colon, tok, call); at = p) {
			int nres;
			if (!bc_fault_sweep_results(call, &nres)) {
				BC_RD_ERR(r, line, bc_cell_col(cell, (size_t)(at - text)),
					  "a sweep cannot cover '%s'; hint: socket, setsockopt, bind, listen or getaddrinfo", call);
				return -1;
			}
			snprintf(rule, sizeof(rule), "%s:%s:%s", tok, colon + 1, strcmp(call, "getaddrinfo") ? "EIO" : "EAI_FAIL");
			if (bc_fault_parse_rule(rule, &f, err, sizeof(err), &bad) < 0) {
				size_t blame = bad < strlen(tok) ? (size_t)(at - text) + bad : (size_t)(colon + 1 - text);
				BC_RD_ERR(r, line, bc_cell_col(cell, blame), "%s", err);
				return -1;
			}
		}
		return 0;
	}
	return read_rules(r, cell, line, c);
}

/* "@tabledir" anywhere in a command's argument ("@tabledir/x.py",
 * "--conf=@tabledir/x.conf") is the table's own directory, made absolute:
 * a target runs in the case's scratch directory, not where bindcheck was
 * started.  An argument that would outgrow its slot is left as written. */
static void expand_tabledir(const struct rd *r, struct bc_target *t)
{
	static const char key[] = "@tabledir";
	char dir[PATH_MAX], abs[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", r->file);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(dir, abs))
		return;
	for (int i = 0; i < t->argc; i++) {
		char out[sizeof(t->argv[0])];
		size_t o = 0;
		bool fits = true, any = false;
		for (const char *p = t->argv[i]; *p && fits;) {
			const char *piece = strncmp(p, key, sizeof(key) - 1) == 0 ? abs : NULL;
			size_t n = piece ? strlen(abs) : 1;
			fits = o + n < sizeof(out);
			if (fits)
				memcpy(out + o, piece ? piece : p, n);
			o += n;
			any |= piece != NULL;
			p += piece ? sizeof(key) - 1 : 1;
		}
		if (any && fits) {
			out[o] = '\0';
			memcpy(t->argv[i], out, o + 1);
		}
	}
}

/* The target the row's run steps name, copied into the case. */
static int attach_target(struct rd *r, const struct bc_line *l, struct bc_case *c)
{
	const char *name = NULL;
	for (int i = 0; i < c->nsteps; i++) {
		if (c->steps[i]->verb != BC_V_RUN)
			continue;
		if (name && strcmp(name, c->steps[i]->observe.target) != 0) {
			BC_RD_ERR(r, l->lineno, l->tok[0].col, "row '%s' runs two targets, '%s' and '%s'; hint: one target per case", c->id, name,
				  c->steps[i]->observe.target);
			return -1;
		}
		name = c->steps[i]->observe.target;
	}
	if (!name) {
		if (c->fault_text) {
			BC_RD_ERR(r, l->lineno, l->tok[0].col, "row '%s' injects faults, but its scenario runs no target; hint: faults act on a 'run TARGET' step", c->id);
			return -1;
		}
		return 0;
	}
	for (int i = 0; i < r->ntgt; i++) {
		if (strcmp(r->tgt[i].t.name, name) != 0)
			continue;
		if (r->tgt[i].bad)
			return -1; /* reported where it is defined */
		/* Every row that runs it shares one copy, in the store. */
		void **known = bc_rd_memo(r, 'T', name);
		if (known && *known) {
			c->target = *known;
			return 0;
		}
		struct bc_target *t = bc_store_alloc(r->t->store, sizeof(*t));
		if (!t)
			return -1;
		*t = r->tgt[i].t;
		expand_tabledir(r, t);
		c->target = t;
		if ((known = bc_rd_memo(r, 'T', name)))
			*known = t;
		return 0;
	}
	if (!r->lost_names)
		BC_RD_ERR(r, l->lineno, l->tok[0].col, "row '%s' runs target '%s', which the table does not define; hint: 'target %s' and an indented 'command ...' before the header",
			  c->id, name, name);
	return -1;
}

static int append_case(struct rd *r, const struct bc_case *c)
{
	if (r->t->ncases == r->cases_cap) {
		/* grown geometrically: a case is a few KiB, and copying the
		 * array once per row made a large table's load quadratic */
		int cap = r->cases_cap ? r->cases_cap * 2 : 64;
		struct bc_case *v = realloc(r->t->cases, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		r->t->cases = v;
		r->cases_cap = cap;
	}
	r->t->cases[r->t->ncases++] = *c;
	return 0;
}

/* "sweep:CALLS:WHEN": one case per call and per result the call is
 * documented to give, "ID.CALL.RESULT", each with the row's expectations. */
static void expand_sweep(struct rd *r, struct bc_case *c)
{
	const char *p = c->fault_text + 6, *colon = strrchr(p, ':');
	char tok[SWEEP_CALL_MAX], call[16], sel[SWEEP_CALL_MAX];
	while (next_sweep_call(&p, colon, tok, call)) {
		/* A selector in the case's id: "bind@[::1]:8080" as "bind.--1-8080". */
		char *o = sel;
		for (const char *q = tok + strlen(call); *q; q++)
			if (*q != '[' && *q != ']')
				*o++ = *q == '@' ? '.' : *q == ':' ? '-' : *q;
		*o = '\0';
		int nres;
		const char *const *res = bc_fault_sweep_results(call, &nres);
		int made = 0;
		for (int k = 0; k < nres; k++) {
			char rule[160], err[300];
			size_t bad;
			struct bc_case one;
			struct bc_fault f;
			snprintf(rule, sizeof(rule), "%s:%s:%s", tok, colon + 1, res[k]);
			if (bc_fault_parse_rule(rule, &f, err, sizeof(err), &bad) < 0)
				continue; /* a name this platform lacks */
			if (bc_case_clone(c, &one) < 0)
				return;
			one.faults = bc_store_alloc(r->t->store, sizeof(*one.faults));
			if (!one.faults) {
				bc_case_free(&one);
				return;
			}
			one.faults[0] = f;
			one.nfaults = 1;
			one.sweep_rank = made++;
			char id[200];
			size_t n = (size_t)snprintf(id, sizeof(id), "%.40s.%s%s.%s", c->id, call, sel, res[k]);
			n = n < sizeof(one.id) ? n : sizeof(one.id) - 1;
			memcpy(one.id, id, n);
			one.id[n] = '\0';
			one.fault_text = bc_store_str(r->t->store, rule);
			if (!one.fault_text || append_case(r, &one) < 0)
				bc_case_free(&one);
		}
	}
}

/* The row's id: valid, and new in this table. */
static int claim_id(struct rd *r, const struct bc_line *l, struct bc_case *c)
{
	for (int i = 0; i < r->ncols; i++) {
		const struct bc_tok *cell = &l->tok[i];
		if (r->cols[i].kind != COL_ID)
			continue;
		if (!bc_rd_valid_id(cell->s)) {
			bc_rd_bad_id(r, "id", cell->s, l->lineno, cell->col);
			return -1;
		}
		/* Rows dropped for other errors keep their ids too. */
		int first = bc_rd_ids_claim(&r->ids, cell->s, l->lineno);
		if (first > 0)
			BC_RD_ERR(r, l->lineno, cell->col, "id '%s' is already used on line %d", cell->s, first);
		if (first != 0)
			return -1;
		snprintf(c->id, sizeof(c->id), "%s", cell->s);
	}
	return 0;
}

/* The case a row starts: where it comes from, its table's defaults, and
 * its id. */
static int start_case(struct rd *r, const struct bc_line *l, struct bc_case *c)
{
	memset(c, 0, sizeof(*c));
	c->table = bc_store_str(r->t->store, r->t->name);
	c->file = bc_store_str(r->t->store, r->file);
	if (!c->table || !c->file)
		return -1;
	c->line = l->lineno;
	c->timeout_ms = r->timeout_ms;
	return claim_id(r, l, c);
}

/* The scenario the row names, or the table's only one. */
static int pick_scenario(struct rd *r, const struct bc_line *l, struct bc_scenario **sc)
{
	for (int i = 0; i < r->ncols; i++) {
		const struct bc_tok *cell = &l->tok[i];
		if (r->cols[i].kind != COL_SCENARIO)
			continue;
		*sc = NULL;
		for (int k = 0; k < r->nsc; k++)
			if (strcmp(r->sc[k].name, cell->s) == 0)
				*sc = &r->sc[k];
		if (!*sc && r->lost_names)
			return -1; /* it may be the scenario whose line was lost */
		if (!*sc) {
			BC_RD_ERR(r, l->lineno, cell->col, "unknown scenario '%s'; hint: the table defines %s%s", cell->s,
				  r->sc[0].name, r->nsc > 1 ? " and others" : "");
			return -1;
		}
	}
	return 0;
}

/* Does the row have a cell for every column?  Says what is off if not. */
static bool cells_match_header(struct rd *r, const struct bc_line *l)
{
	if (l->ntok == r->ncols)
		return true;
	const struct bc_tok *last = &l->tok[l->ntok - 1];
	if (l->ntok < r->ncols)
		BC_RD_ERR(r, l->lineno, bc_cell_col(last, strlen(last->s) + 1),
		    "row has %d cells, the header has %d (first missing: '%s'); hint: write '-' for an empty cell",
		    l->ntok, r->ncols, r->cols[l->ntok].name);
	else
		BC_RD_ERR(r, l->lineno, l->tok[r->ncols].col,
		    "row has %d cells, the header has %d; hint: quote a cell that contains blanks", l->ntok, r->ncols);
	return false;
}

/* Every cell but the id and scenario (read first) and the profile and
 * deviation (read after, as they depend on the rest): *prof_col and
 * *dev_col get those two's columns, -1 when absent. */
static int read_cells(struct rd *r, const struct bc_line *l, struct bc_case *c, int *prof_col, int *dev_col)
{
	*prof_col = *dev_col = -1;
	for (int i = 0; i < r->ncols; i++) {
		if (r->cols[i].kind == COL_DEVIATION)
			*dev_col = i;
		else if (r->cols[i].kind == COL_PROFILE)
			*prof_col = i;
		else if (r->cols[i].kind == COL_FAULT) {
			if (read_fault(r, &l->tok[i], l->lineno, c) < 0)
				return -1;
		}
		else if (read_cell(r, &r->cols[i], &l->tok[i], l->lineno, c) < 0)
			return -1;
	}
	return 0;
}

void bc_rd_read_row(struct rd *r, const struct bc_line *l)
{
	struct bc_case c;
	/* A section's scenario, or the one the row names, or the table's only one. */
	struct bc_scenario *sc = r->section >= 0 ? &r->sc[r->section] : r->nsc == 1 ? &r->sc[0] : NULL;
	int line = l->lineno, dev_col, prof_col;
	if (!cells_match_header(r, l) || r->rows_dropped)
		return;
	if (start_case(r, l, &c) < 0 || pick_scenario(r, l, &sc) < 0)
		return;
	if (!sc || sc->nsteps == 0 || sc->bad)
		return; /* what is wrong with the scenario was said once */
	snprintf(c.scenario, sizeof(c.scenario), "%s", sc->name);
	if (bc_rd_instantiate(r, sc, l, &c) < 0 || c.nchecked == 0)
		goto drop;
	if (read_cells(r, l, &c, &prof_col, &dev_col) < 0)
		goto drop;
	if (bc_rd_pick_profile(r, prof_col >= 0 ? &l->tok[prof_col] : NULL, line, &c) < 0)
		goto drop;
	bool any = false;
	for (int s = 0; s < BC_SLOT_COUNT; s++)
		any |= c.exp[s].state != BC_EXP_UNSET;
	if (!any) {
		BC_RD_ERR(r, line, l->tok[0].col, "row '%s' states no expectation; hint: fill expect or a platform column", c.id);
		goto drop;
	}
	if (dev_col >= 0 && parse_deviation(r, &l->tok[dev_col], line, &c) < 0)
		goto drop;
	if (check_gvisor_reason(r, l, line, &c) < 0)
		goto drop;
	if (attach_target(r, l, &c) < 0)
		goto drop;
	if (c.fault_text && c.nfaults == 0 && strncmp(c.fault_text, "sweep:", 6) == 0) {
		expand_sweep(r, &c);
		goto drop; /* the template itself is not a case */
	}
	if (append_case(r, &c) < 0)
		goto drop;
	return;
drop:
	bc_case_free(&c);
}
