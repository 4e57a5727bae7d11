/* case: names of slots and verbs, and the one release path of a case. */
#define _POSIX_C_SOURCE 200809L
#include "case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const slot_names[BC_SLOT_COUNT] = {
	[BC_SLOT_EXPECT] = "expect",   [BC_SLOT_LINUX] = "linux", [BC_SLOT_FREEBSD] = "freebsd",
	[BC_SLOT_DARWIN] = "darwin",   [BC_SLOT_POSIX] = "posix",
};

static const char *const verb_names[] = {
	[BC_V_SOCKET] = "socket",   [BC_V_SETSOCKOPT] = "setsockopt", [BC_V_GETSOCKOPT] = "getsockopt",
	[BC_V_BIND] = "bind",       [BC_V_LISTEN] = "listen",         [BC_V_CONNECT] = "connect",
	[BC_V_ACCEPT] = "accept",   [BC_V_CLOSE] = "close",           [BC_V_SHUTDOWN] = "shutdown",
	[BC_V_GETSOCKNAME] = "getsockname", [BC_V_OPEN] = "open",
	[BC_V_SETEUID] = "seteuid",
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

const char *bc_verb_name(enum bc_verb verb)
{
	return verb_names[verb];
}

void bc_case_free(struct bc_case *c)
{
	for (int s = 0; s < BC_SLOT_COUNT; s++) {
		for (int i = 0; i < c->exp[s].nclauses; i++)
			free(c->exp[s].clauses[i].items);
		free(c->exp[s].text);
	}
	free(c->steps);
	free(c->source);
	free(c->note);
	free(c->deviation);
	free(c->profile);
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
