/* expect: an expectation cell.
 *   cell    := "-" | "n/a" | clause { ";" clause }
 *   clause  := [ (">=" | "<") VERSION ":" ] item { "," item }
 *   item    := outcome { "|" outcome }          (a set of allowed results)
 * One item per checked step, in step order.  VERSION is the platform's
 * release (the kernel's on Linux), compared numerically. */
#define _POSIX_C_SOURCE 200809L
#include "table/reader.h"

#include "model/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_version(const char *s, size_t n, int ver[3])
{
	int k = 0;
	size_t i = 0;
	ver[0] = ver[1] = ver[2] = 0;
	while (i < n) {
		int v = 0, digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 6) {
			v = v * 10 + (s[i] - '0');
			i++;
			digits++;
		}
		if (!digits || k == 3)
			return -1;
		ver[k++] = v;
		if (i < n) {
			if (s[i] != '.')
				return -1;
			i++;
			if (i == n)
				return -1;
		}
	}
	return k ? 0 : -1;
}

static int parse_item(const char *s, size_t n, size_t base, struct bc_clause *cl, struct bc_expect_item *it,
		      char *err, size_t errlen, size_t *offset)
{
	size_t start = 0;
	it->nalts = 0;
	it->alts = cl->outs + cl->nouts;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '|')
			continue;
		char word[BC_VALUE_MAX + 2];
		size_t wl = i - start;
		*offset = base + start;
		if (wl == 0) {
			snprintf(err, errlen, "empty result; hint: write ok, an errno name, or =VALUE");
			return -1;
		}
		if (wl >= sizeof(word)) {
			snprintf(err, errlen, "result too long");
			return -1;
		}
		if (it->nalts == BC_MAX_ALTS) {
			snprintf(err, errlen, "more than %d allowed results in one set", BC_MAX_ALTS);
			return -1;
		}
		memcpy(word, s + start, wl);
		word[wl] = '\0';
		if (bc_outcome_parse(word, &it->alts[it->nalts], err, errlen) < 0)
			return -1;
		it->nalts++;
		cl->nouts++;
		start = i + 1;
	}
	return 0;
}

static int parse_clause(struct bc_store *st, const char *s, size_t n, size_t base, int nchecked, struct bc_clause *cl,
			char *err, size_t errlen, size_t *offset)
{
	size_t i = 0;
	cl->op = BC_VER_ANY;
	if (n && (s[0] == '>' || s[0] == '<')) {
		const char *colon = memchr(s, ':', n);
		size_t skip = s[0] == '>' ? 2 : 1;
		*offset = base;
		if ((s[0] == '>' && (n < 2 || s[1] != '=')) || !colon) {
			snprintf(err, errlen, "bad version condition; hint: write >=4.19:RESULTS or <4.19:RESULTS");
			return -1;
		}
		cl->op = s[0] == '>' ? BC_VER_GE : BC_VER_LT;
		if (parse_version(s + skip, (size_t)(colon - s) - skip, cl->ver) < 0) {
			snprintf(err, errlen, "bad version '%.*s'; hint: a version is like 4.19 or 6.1.0",
				 (int)((size_t)(colon - s) - skip), s + skip);
			return -1;
		}
		i = (size_t)(colon - s) + 1;
	}
	/* Count the results first, so that a wrong count is said exactly. */
	int total = 1;
	size_t extra = n; /* where the first result past nchecked starts */
	for (size_t k = i; k < n; k++) {
		if (s[k] != ',')
			continue;
		if (total == nchecked)
			extra = k + 1;
		total++;
	}
	if (total != nchecked) {
		*offset = base + (total > nchecked ? extra : i);
		snprintf(err, errlen, "%d result%s given, but the scenario checks %d step%s; hint: one result per step marked '?', separated by commas",
			 total, total == 1 ? "" : "s", nchecked, nchecked == 1 ? "" : "s");
		return -1;
	}
	size_t nouts = (size_t)nchecked; /* one per item, and one more per '|' */
	for (size_t k = i; k < n; k++)
		nouts += s[k] == '|';
	cl->nitems = 0;
	cl->nouts = 0;
	cl->items = bc_store_alloc(st, (size_t)nchecked * sizeof(*cl->items));
	cl->outs = bc_store_alloc(st, nouts * sizeof(*cl->outs));
	if (!cl->items || !cl->outs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t start = i;
	for (; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		if (parse_item(s + start, i - start, base + start, cl, &cl->items[cl->nitems], err, errlen, offset) < 0)
			return -1;
		cl->nitems++;
		start = i + 1;
	}
	return 0;
}

int bc_expect_parse(struct bc_store *st, const char *text, int nchecked, struct bc_expect *e, char *err,
		    size_t errlen, size_t *offset)
{
	size_t n = strlen(text), start = 0;
	struct bc_clause *clauses;
	memset(e, 0, sizeof(*e));
	*offset = 0;
	if (strcmp(text, "-") == 0)
		return 0;
	e->text = bc_store_str(st, text);
	if (!e->text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strcmp(text, "n/a") == 0) {
		e->state = BC_EXP_NA;
		return 0;
	}
	e->state = BC_EXP_SET;
	size_t want = 1;
	for (size_t i = 0; i < n; i++)
		want += text[i] == ';';
	want = want > BC_MAX_CLAUSES ? BC_MAX_CLAUSES : want;
	e->clauses = clauses = bc_store_alloc(st, want * sizeof(*clauses));
	if (!clauses) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i < n && text[i] != ';')
			continue;
		if (e->nclauses == BC_MAX_CLAUSES) {
			*offset = start;
			snprintf(err, errlen, "more than %d clauses", BC_MAX_CLAUSES);
			goto fail;
		}
		struct bc_clause *cl = &clauses[e->nclauses++];
		if (parse_clause(st, text + start, i - start, start, nchecked, cl, err, errlen, offset) < 0)
			goto fail;
		start = i + 1;
	}
	return 0;
fail:
	/* What it took of the store stays there until the table goes. */
	memset(e, 0, sizeof(*e));
	return -1;
}
