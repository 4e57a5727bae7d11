/* ids: the ids a table has used so far, in a hash table, so that the
 * duplicate check costs the same for the 100 000th row as for the first. */
#define _POSIX_C_SOURCE 200809L
#include "table/reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: ids are short, and a table is not an adversary worth more. */
static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

/* Twice the slots: with at most half of them used, a probe is short. */
static int grow(struct bc_rd_ids *ids)
{
	size_t nslots = ids->nslots ? ids->nslots * 2 : 256;
	int *slot = calloc(nslots, sizeof(*slot));
	if (!slot)
		return -1;
	for (int i = 0; i < ids->n; i++) {
		size_t k = hash(ids->v[i].id) & (nslots - 1);
		while (slot[k])
			k = (k + 1) & (nslots - 1);
		slot[k] = i + 1;
	}
	free(ids->slot);
	ids->slot = slot;
	ids->nslots = nslots;
	return 0;
}

int bc_rd_ids_claim(struct bc_rd_ids *ids, const char *id, int line)
{
	if ((size_t)ids->n * 2 >= ids->nslots && grow(ids) < 0)
		return -1;
	size_t k = hash(id) & (ids->nslots - 1);
	for (; ids->slot[k]; k = (k + 1) & (ids->nslots - 1)) {
		const struct bc_rd_id *seen = &ids->v[ids->slot[k] - 1];
		if (strcmp(seen->id, id) == 0)
			return seen->line;
	}
	if (ids->n == ids->cap) {
		int cap = ids->cap ? ids->cap * 2 : 64;
		struct bc_rd_id *v = realloc(ids->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		ids->v = v;
		ids->cap = cap;
	}
	snprintf(ids->v[ids->n].id, sizeof(ids->v[0].id), "%s", id);
	ids->v[ids->n].line = line;
	ids->slot[k] = ++ids->n;
	return 0;
}

void bc_rd_ids_free(struct bc_rd_ids *ids)
{
	free(ids->v);
	free(ids->slot);
	memset(ids, 0, sizeof(*ids));
}
