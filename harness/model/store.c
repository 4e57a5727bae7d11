/* store: interned strings and blocks in chunks (see store.h). */
#include "model/store.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 16384 /* a larger block gets a chunk of its own */
#define ALIGN alignof(max_align_t)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct entry {
	uint64_t hash; /* 0: free */
	const void *p;
	size_t n;
	void *val; /* what bc_store_memo keeps under this key */
};

struct bc_store {
	struct chunk *head;
	struct entry *slots; /* open addressing, a power of two, at most half full */
	size_t nslots, nused, bytes;
};

struct bc_store *bc_store_new(void)
{
	return calloc(1, sizeof(struct bc_store));
}

void bc_store_free(struct bc_store *s)
{
	if (!s)
		return;
	for (struct chunk *c = s->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(s->slots);
	free(s);
}

size_t bc_store_bytes(const struct bc_store *s)
{
	return s ? s->bytes : 0;
}

/* Never 0 (0 marks a free slot).  A word at a time (blocks are steps of
 * some hundred bytes, mostly zero): each 8 bytes mixed in by a multiply and
 * a shift, the tail byte by byte (FNV-1a), then a final avalanche.  Only
 * the table's spread depends on it; equal keys are told apart by memcmp. */
static uint64_t hash_of(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h ? h : 1;
}

static void *carve(struct bc_store *s, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
	struct chunk *c = s->head;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > CHUNK / 2 ? need : CHUNK;
		struct chunk *k = malloc(sizeof(*k) + cap);
		if (!k)
			return NULL;
		k->used = 0;
		k->cap = cap;
		if (c && cap != CHUNK) {
			/* A big block goes behind the current chunk, which keeps
			 * filling. */
			k->next = c->next;
			c->next = k;
		} else {
			k->next = c;
			s->head = k;
		}
		c = k;
		s->bytes += sizeof(*k) + cap;
	}
	void *p = c->data + c->used;
	c->used += need;
	return p;
}

static bool grow(struct bc_store *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 256;
	struct entry *v = calloc(n, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < s->nslots; i++) {
		struct entry *e = &s->slots[i];
		if (!e->hash)
			continue;
		size_t k = (size_t)e->hash & (n - 1);
		while (v[k].hash)
			k = (k + 1) & (n - 1);
		v[k] = *e;
	}
	free(s->slots);
	s->slots = v;
	s->nslots = n;
	return true;
}

/* The entry holding the bytes at p, made when there is none. */
static struct entry *intern(struct bc_store *s, const void *p, size_t n)
{
	if (2 * (s->nused + 1) > s->nslots && !grow(s))
		return NULL;
	uint64_t h = hash_of(p, n);
	size_t k = (size_t)h & (s->nslots - 1);
	for (; s->slots[k].hash; k = (k + 1) & (s->nslots - 1)) {
		struct entry *e = &s->slots[k];
		if (e->hash == h && e->n == n && memcmp(e->p, p, n) == 0)
			return e;
	}
	void *q = carve(s, n ? n : 1);
	if (!q)
		return NULL;
	memcpy(q, p, n);
	s->slots[k] = (struct entry){h, q, n, NULL};
	s->nused++;
	return &s->slots[k];
}

const void *bc_store_blob(struct bc_store *s, const void *p, size_t n)
{
	struct entry *e = intern(s, p, n);
	return e ? e->p : NULL;
}

void **bc_store_memo(struct bc_store *s, const void *key, size_t n)
{
	struct entry *e = intern(s, key, n);
	return e ? &e->val : NULL;
}

void *bc_store_alloc(struct bc_store *s, size_t n)
{
	void *p = carve(s, n ? n : 1);
	if (p)
		memset(p, 0, n);
	return p;
}

const char *bc_store_str(struct bc_store *s, const char *str)
{
	return str ? bc_store_blob(s, str, strlen(str) + 1) : NULL;
}
