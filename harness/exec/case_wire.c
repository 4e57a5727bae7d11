/* case_wire: a case on its way to a pool worker (see wire.h).  Workers are
 * made by a small process started before the tables are read (zygote.c),
 * so they do not hold the tables: each case goes to its worker as bytes,
 * with what the worker reads of it and nothing else.  That is the case
 * itself, its steps (without their text), profile, target and faults, and
 * of its expectations only what decides whether it runs here: each
 * column's state and clause versions (exec/plan.c asks model/verdict.c),
 * and the deviation that may explain an n/a.  The parent judges with the
 * whole case.  Most of those bytes are zeros (the unused part of a step's
 * union, of a profile's host lines, of a target's arguments): they go as
 * runs of zero words, which takes a typical case from about 6 KB to a few
 * hundred bytes. */
#define _POSIX_C_SOURCE 200809L
#include "exec/wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "exec/sandbox.h" /* bc_sandbox_write */

/* A case's bytes are at most this many: every part at its largest. */
#define CASE_WIRE_MAX (1u << 20)
#define ALIGN 16
#define WORD sizeof(uint64_t)

struct head {
	int32_t idx;
	uint32_t bytes; /* the case's bytes, */
	uint32_t sent;  /* of which this many follow the head, as runs */
	uint32_t zero;
};

/* Room for the message being built or read, grown as needed. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static size_t up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static bool put(struct buf *b, const void *p, size_t n)
{
	size_t need = b->len + up(n);
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < need)
			cap *= 2;
		unsigned char *q = realloc(b->p, cap);
		if (!q)
			return false;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	memset(b->p + b->len + n, 0, up(n) - n);
	b->len = need;
	return true;
}

/* The next n bytes of what was read, or NULL past its end. */
static const void *take(struct buf *b, size_t n)
{
	if (up(n) > b->cap - b->len)
		return NULL;
	const void *p = b->p + b->len;
	b->len += up(n);
	return p;
}

static bool put_case(struct buf *b, const struct bc_case *c)
{
	struct bc_case w = *c;
	/* What the worker does not read goes as nothing. */
	w.table = w.file = w.source = w.note = w.fault_text = NULL;
	w.vars = NULL;
	bool ok = put(b, &w, sizeof(w));
	for (int i = 0; ok && i < c->nsteps; i++) {
		struct bc_step st = *c->steps[i];
		st.text = NULL;
		ok = put(b, &st, sizeof(st));
	}
	if (ok && c->profile)
		ok = put(b, c->profile, sizeof(*c->profile));
	if (ok && c->target)
		ok = put(b, c->target, sizeof(*c->target));
	if (ok && c->faults)
		ok = put(b, c->faults, (size_t)c->nfaults * sizeof(*c->faults));
	for (int s = 0; ok && s < BC_SLOT_COUNT; s++) {
		for (int k = 0; ok && k < c->exp[s].nclauses; k++) {
			struct bc_clause cl = c->exp[s].clauses[k];
			cl.nitems = cl.nouts = 0;
			cl.items = NULL;
			cl.outs = NULL;
			ok = put(b, &cl, sizeof(cl));
		}
	}
	if (ok && c->deviation)
		ok = put(b, c->deviation, strlen(c->deviation) + 1);
	return ok;
}

/* n bytes (a whole number of words) as runs: a word that counts the zero
 * words to skip (low half) and the words that follow as they are (high
 * half), then those words.  Returns the bytes written to out, which has
 * room for n + n / 2 + WORD. */
static size_t pack(const uint64_t *in, size_t n, uint64_t *out)
{
	size_t w = n / WORD, i = 0, o = 0;
	while (i < w) {
		size_t z = i, l;
		while (z < w && !in[z] && z - i < UINT32_MAX)
			z++;
		for (l = z; l < w && (in[l] || (l + 1 < w && in[l + 1])) && l - z < UINT32_MAX; l++)
			;
		out[o++] = (uint64_t)(z - i) | (uint64_t)(l - z) << 32;
		memcpy(out + o, in + z, (l - z) * WORD);
		o += l - z;
		i = l;
	}
	return o * WORD;
}

static bool unpack(const uint64_t *in, size_t nin, uint64_t *out, size_t n)
{
	size_t w = n / WORD, i = 0, o = 0;
	nin /= WORD;
	while (i < nin) {
		size_t z = (size_t)(in[i] & UINT32_MAX), l = (size_t)(in[i] >> 32);
		i++;
		if (z > w - o || l > w - o - z || l > nin - i)
			return false;
		memset(out + o, 0, z * WORD);
		memcpy(out + o + z, in + i, l * WORD);
		o += z + l;
		i += l;
	}
	memset(out + o, 0, (w - o) * WORD);
	return true;
}

bool bc_wire_send_case(int fd, int idx, const struct bc_case *c)
{
	static struct buf b, packed;
	b.len = 0;
	if (!put_case(&b, c) || b.len > CASE_WIRE_MAX)
		return false;
	size_t room = up(sizeof(struct head)) + b.len + b.len / 2 + WORD;
	if (room > packed.cap) {
		unsigned char *q = realloc(packed.p, room);
		if (!q)
			return false;
		packed.p = q;
		packed.cap = room;
	}
	size_t n = pack((const uint64_t *)b.p, b.len, (uint64_t *)(packed.p + up(sizeof(struct head))));
	struct head h = {idx, (uint32_t)b.len, (uint32_t)n, 0};
	memset(packed.p, 0, up(sizeof(h)));
	memcpy(packed.p, &h, sizeof(h));
	return bc_sandbox_write(fd, packed.p, up(sizeof(h)) + n);
}

/* Point the case read into b at its parts, which follow it there. */
static bool rebuild(struct buf *b, struct bc_case *c)
{
	static const struct bc_step *steps[BC_MAX_STEPS];
	static struct bc_fault faults[BC_MAX_FAULTS];
	static struct bc_clause clauses[BC_SLOT_COUNT][BC_MAX_CLAUSES];
	const struct bc_case *w = take(b, sizeof(*c));
	if (!w)
		return false;
	*c = *w;
	if (c->nsteps < 0 || c->nsteps > BC_MAX_STEPS || c->nfaults < 0 || c->nfaults > BC_MAX_FAULTS)
		return false;
	for (int i = 0; i < c->nsteps; i++)
		if (!(steps[i] = take(b, sizeof(struct bc_step))))
			return false;
	c->steps = steps;
	if (c->profile && !(c->profile = take(b, sizeof(*c->profile))))
		return false;
	if (c->target && !(c->target = take(b, sizeof(*c->target))))
		return false;
	if (c->faults) {
		const void *f = take(b, (size_t)c->nfaults * sizeof(*c->faults));
		if (!f)
			return false;
		memcpy(faults, f, (size_t)c->nfaults * sizeof(*c->faults));
		c->faults = faults;
	}
	for (int s = 0; s < BC_SLOT_COUNT; s++) {
		int n = c->exp[s].nclauses;
		const void *cl = n > 0 && n <= BC_MAX_CLAUSES ? take(b, (size_t)n * sizeof(clauses[s][0])) : NULL;
		if (n && !cl)
			return false;
		if (n)
			memcpy(clauses[s], cl, (size_t)n * sizeof(clauses[s][0]));
		c->exp[s].clauses = clauses[s];
		c->exp[s].text = NULL;
	}
	if (c->deviation) {
		const char *d = (const char *)b->p + b->len;
		if (!memchr(d, '\0', b->cap - b->len))
			return false;
		c->deviation = d;
	}
	return true;
}

/* Room for n bytes in b (its contents are not kept). */
static bool room_for(struct buf *b, size_t n)
{
	if (n <= b->cap)
		return true;
	unsigned char *q = realloc(b->p, n);
	if (!q)
		return false;
	b->p = q;
	b->cap = n;
	return true;
}

const struct bc_case *bc_wire_recv_case(int fd, int *idx)
{
	static struct buf b, packed;
	static struct bc_case c;
	struct head h;
	unsigned char pad[ALIGN];
	if (!bc_wire_read(fd, &h, sizeof(h)) || h.bytes > CASE_WIRE_MAX || h.bytes % WORD || h.sent % WORD ||
	    h.sent > h.bytes + h.bytes / 2 + WORD)
		return NULL;
	/* The head went padded to ALIGN. */
	if (up(sizeof(h)) > sizeof(h) && !bc_wire_read(fd, pad, up(sizeof(h)) - sizeof(h)))
		return NULL;
	if (!room_for(&b, h.bytes) || !room_for(&packed, h.sent) || !bc_wire_read(fd, packed.p, h.sent) ||
	    !unpack((const uint64_t *)packed.p, h.sent, (uint64_t *)b.p, h.bytes))
		return NULL;
	/* cap is the case's length while it is taken apart. */
	size_t room = b.cap;
	b.cap = h.bytes;
	b.len = 0;
	bool ok = rebuild(&b, &c);
	b.cap = room;
	*idx = h.idx;
	return ok ? &c : NULL;
}
