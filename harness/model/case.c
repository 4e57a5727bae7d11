/* case: names of slots, a step's address, and the one release path of a
 * case and of a table (whose store holds what its cases share). */
#define _POSIX_C_SOURCE 200809L
#include "model/case.h"
#include "model/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const slot_names[BC_SLOT_COUNT] = {
	[BC_SLOT_EXPECT] = "expect",   [BC_SLOT_LINUX] = "linux", [BC_SLOT_FREEBSD] = "freebsd",
	[BC_SLOT_DARWIN] = "darwin",   [BC_SLOT_POSIX] = "posix", [BC_SLOT_GVISOR] = "gvisor",
};

const char *bc_slot_name(enum bc_slot slot)
{
	return slot < BC_SLOT_COUNT ? slot_names[slot] : "?";
}

int bc_slot_from_name(const char *name)
{
	for (int i = 0; i < BC_SLOT_COUNT; i++)
		if (strcmp(slot_names[i], name) == 0)
			return i;
	return -1;
}

/* The length of "PLATFORM[,PLATFORM]:" at s (blanks allowed around the
 * names), or 0 when s does not start with one. */
static size_t platforms_prefix(const char *s)
{
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz");
		char name[16];
		if (len == 0 || len >= sizeof(name))
			return 0;
		memcpy(name, p, len);
		name[len] = '\0';
		if (bc_slot_from_name(name) < 0)
			return 0;
		p += len;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ':')
			return (size_t)(p + 1 - s);
		if (*p != ',')
			return 0;
		p++;
	}
}

bool bc_deviation_reason(const char *cell, int slot, char *buf, size_t n)
{
	const char *part = cell;
	while (part && *part) {
		size_t pre = platforms_prefix(part);
		const char *end = part + pre, *next = NULL;
		for (const char *semi = strchr(end, ';'); semi; semi = strchr(semi + 1, ';'))
			if (platforms_prefix(semi + 1)) {
				next = semi;
				break;
			}
		size_t len = next ? (size_t)(next - end) : strlen(end);
		bool named = false;
		for (const char *q = part; pre && q < part + pre - 1;) {
			q += strspn(q, " \t,");
			size_t l = strspn(q, "abcdefghijklmnopqrstuvwxyz");
			named |= l == strlen(bc_slot_name((enum bc_slot)slot)) && strncmp(q, bc_slot_name((enum bc_slot)slot), l) == 0;
			q += l ? l : 1;
		}
		if (named) {
			while (len && (*end == ' ' || *end == '\t'))
				end++, len--;
			while (len && (end[len - 1] == ' ' || end[len - 1] == '\t'))
				len--;
			snprintf(buf, n, "%.*s", (int)len, end);
			return true;
		}
		part = next ? next + 1 : NULL;
	}
	return false;
}

const struct bc_addr *bc_step_addr(const struct bc_step *st)
{
	if (st->verb == BC_V_SEND)
		return st->addr_op.has_addr ? &st->addr_op.addr : NULL;
	return st->verb == BC_V_BIND || st->verb == BC_V_CONNECT ? &st->addr_op.addr : NULL;
}

int bc_case_clone(const struct bc_case *c, struct bc_case *out)
{
	*out = *c;
	out->steps = NULL;
	if (c->nsteps) {
		out->steps = malloc((size_t)c->nsteps * sizeof(*out->steps));
		if (!out->steps)
			return -1;
		memcpy(out->steps, c->steps, (size_t)c->nsteps * sizeof(*out->steps));
	}
	return 0;
}

void bc_case_free(struct bc_case *c)
{
	free(c->steps);
	memset(c, 0, sizeof(*c));
}

void bc_table_free(struct bc_table *t)
{
	for (int i = 0; i < t->ncases; i++)
		bc_case_free(&t->cases[i]);
	free(t->cases);
	bc_store_free(t->store);
	memset(t, 0, sizeof(*t));
}

void bc_case_fullname(const struct bc_case *c, char *buf, unsigned buflen)
{
	snprintf(buf, buflen, "%s/%s", c->table, c->id);
}
