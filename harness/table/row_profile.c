/* row_profile: a row's profile, the ones its cell names merged once per
 * table for each list and shared by every row that names the same, and
 * the table store's memo that keeps such things. */
#define _POSIX_C_SOURCE 200809L
#include "table/rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/store.h"

static const struct bc_rd_profile *find_profile(const struct rd *r, const char *name, size_t n)
{
	for (int i = 0; i < r->nprof; i++)
		if (strlen(r->prof[i].name) == n && strncmp(r->prof[i].name, name, n) == 0)
			return &r->prof[i];
	return NULL;
}

/* What the table's store keeps for a name of one kind (P: a merged
 * profile list, T: a target), NULL until set.  The key starts with a byte
 * no table text holds, so it meets no string the store keeps. */
void **bc_rd_memo(struct rd *r, char kind, const char *name)
{
	char key[BC_ID_MAX * 4];
	int n = snprintf(key, sizeof(key), "\x02%c%s", kind, name);
	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	return bc_store_memo(r->t->store, key, (size_t)n);
}

/* The profiles text names, joined with '+', merged into *into. */
static int merge_profiles(struct rd *r, const struct bc_tok *cell, const char *text, int line, struct bc_profile *into)
{
	char err[256];
	snprintf(into->name, sizeof(into->name), "%s", text);
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "+");
		const struct bc_rd_profile *pr = find_profile(r, p, n);
		if (!pr) {
			if (r->lost_names)
				return -1; /* it may be the profile whose line was lost */
			if (r->nprof)
				BC_RD_ERR(r, line, bc_cell_col(cell, (size_t)(p - text)), "unknown profile '%.*s'; hint: the table defines %s%s",
					  (int)n, p, r->prof[0].name, r->nprof > 1 ? " and others" : "");
			else
				BC_RD_ERR(r, line, bc_cell_col(cell, (size_t)(p - text)), "unknown profile '%.*s'; hint: define it before the header with 'profile NAME' and indented settings",
					  (int)n, p);
			return -1;
		}
		if (pr->bad)
			return -1; /* its own error was reported */
		if (bc_profile_merge(into, &pr->p, err, sizeof(err)) < 0) {
			BC_RD_ERR(r, line, cell->col, "%s", err);
			return -1;
		}
		p += n;
		if (*p == '+' && !*++p) {
			BC_RD_ERR(r, line, bc_cell_col(cell, strlen(text)), "empty profile name after '+'");
			return -1;
		}
	}
	return 0;
}

/* The row's profile: the ones its cell names, joined with '+', or the
 * table's "default" profile when the cell is '-' or there is no column. */
int bc_rd_pick_profile(struct rd *r, const struct bc_tok *cell, int line, struct bc_case *c)
{
	const char *text = cell && strcmp(cell->s, "-") != 0 ? cell->s : NULL;
	if (!text) {
		if (!find_profile(r, "default", 7))
			return 0;
		text = "default";
	}
	if (strlen(text) >= sizeof(c->profile->name)) {
		BC_RD_ERR(r, line, cell->col, "profile list too long");
		return -1;
	}
	/* The rows that name the same profiles share one merged profile. */
	void **known = bc_rd_memo(r, 'P', text);
	if (known && *known) {
		c->profile = *known;
		return 0;
	}
	struct bc_profile *merged = calloc(1, sizeof(*merged));
	if (!merged)
		return -1;
	int rc = merge_profiles(r, cell, text, line, merged);
	void *kept = rc == 0 ? bc_store_alloc(r->t->store, sizeof(*merged)) : NULL;
	if (kept) {
		memcpy(kept, merged, sizeof(*merged));
		c->profile = kept;
		if ((known = bc_rd_memo(r, 'P', text)))
			*known = kept;
	}
	free(merged);
	return rc == 0 && !kept ? -1 : rc;
}

