/* case: names of slots, a step's address, and the one release path of a
 * case. */
#define _POSIX_C_SOURCE 200809L
#include "model/case.h"

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

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void *dup_mem(const void *p, size_t n)
{
	void *q = p && n ? malloc(n) : NULL;
	if (q)
		memcpy(q, p, n);
	return q;
}

/* out->steps: c's steps and their texts.  False when out of memory. */
static bool clone_steps(const struct bc_case *c, struct bc_case *out)
{
	out->steps = dup_mem(c->steps, (size_t)c->nsteps * sizeof(*c->steps));
	bool ok = !c->nsteps || out->steps;
	for (int i = 0; out->steps && i < c->nsteps; i++)
		ok &= (out->steps[i].text = dup_or_null(c->steps[i].text)) || !c->steps[i].text;
	return ok;
}

/* out->exp: c's expectations, each clause's items pointing into its own
 * copy of the results.  False when out of memory. */
static bool clone_expect(const struct bc_case *c, struct bc_case *out)
{
	bool ok = true;
	for (int s = 0; s < BC_SLOT_COUNT; s++) {
		out->exp[s].text = dup_or_null(c->exp[s].text);
		ok &= !c->exp[s].text || out->exp[s].text;
		for (int i = 0; i < c->exp[s].nclauses; i++) {
			const struct bc_clause *cl = &c->exp[s].clauses[i];
			struct bc_clause *oc = &out->exp[s].clauses[i];
			oc->items = dup_mem(cl->items, (size_t)cl->nitems * sizeof(*cl->items));
			oc->outs = dup_mem(cl->outs, (size_t)cl->nouts * sizeof(*cl->outs));
			ok &= (!cl->nitems || oc->items) && (!cl->nouts || oc->outs);
			for (int k = 0; oc->items && oc->outs && k < cl->nitems; k++)
				oc->items[k].alts = oc->outs + (cl->items[k].alts - cl->outs);
		}
	}
	return ok;
}

int bc_case_clone(const struct bc_case *c, struct bc_case *out)
{
	*out = *c;
	bool ok = clone_steps(c, out);
	out->source = dup_or_null(c->source);
	out->note = dup_or_null(c->note);
	out->deviation = dup_or_null(c->deviation);
	out->fault_text = dup_or_null(c->fault_text);
	out->profile = dup_mem(c->profile, c->profile ? sizeof(*c->profile) : 0);
	out->target = dup_mem(c->target, c->target ? sizeof(*c->target) : 0);
	ok &= (!c->source || out->source) && (!c->note || out->note) && (!c->deviation || out->deviation) &&
	      (!c->fault_text || out->fault_text) && (!c->profile || out->profile) && (!c->target || out->target);
	ok &= clone_expect(c, out);
	if (!ok) {
		bc_case_free(out);
		return -1;
	}
	return 0;
}

void bc_case_free(struct bc_case *c)
{
	for (int s = 0; s < BC_SLOT_COUNT; s++) {
		for (int i = 0; i < c->exp[s].nclauses; i++) {
			free(c->exp[s].clauses[i].items);
			free(c->exp[s].clauses[i].outs);
		}
		free(c->exp[s].text);
	}
	for (int i = 0; c->steps && i < c->nsteps; i++)
		free(c->steps[i].text);
	free(c->steps);
	free(c->source);
	free(c->note);
	free(c->deviation);
	free(c->profile);
	free(c->fault_text);
	free(c->target);
	memset(c, 0, sizeof(*c));
}

void bc_table_free(struct bc_table *t)
{
	for (int i = 0; i < t->ncases; i++)
		bc_case_free(&t->cases[i]);
	free(t->cases);
	memset(t, 0, sizeof(*t));
}

void bc_case_fullname(const struct bc_case *c, char *buf, unsigned buflen)
{
	snprintf(buf, buflen, "%s/%s", c->table, c->id);
}
