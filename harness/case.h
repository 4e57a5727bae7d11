/* case: a case as plain data, the reader's output and every later stage's
 * input.  Nothing here knows table syntax or runs a system call. */
#ifndef BC_CASE_H
#define BC_CASE_H

#include <stdbool.h>

#include "values.h"

#define BC_MAX_STEPS 48
#define BC_MAX_HANDLES 16
#define BC_MAX_VARS 8
#define BC_MAX_ALTS 8
#define BC_MAX_CLAUSES 4
#define BC_ID_MAX 64
#define BC_DEFAULT_TIMEOUT_MS 5000

enum bc_verb {
	BC_V_SOCKET,
	BC_V_SETSOCKOPT,
	BC_V_GETSOCKOPT,
	BC_V_BIND,
	BC_V_LISTEN,
	BC_V_CONNECT,
	BC_V_ACCEPT,
	BC_V_CLOSE,
	BC_V_SHUTDOWN,
	BC_V_GETSOCKNAME,
	BC_V_OPEN,
	BC_V_SETEUID,
};

struct bc_step {
	enum bc_verb verb;
	bool checked;       /* its outcome is part of what the case observes */
	int handle;         /* index of the handle it acts on; -1: fd_literal */
	int fd_literal;
	int handle2;        /* accept: the handle of the new connection */
	int family, type, proto;
	struct bc_addr addr;
	int addr_var;       /* variable holding the port, -1 when literal */
	bool has_len;       /* bind/connect: address length given explicitly */
	long len;
	bool has_family;    /* bind/connect: sa_family written over the address */
	int family_override;
	bool no_option;     /* setsockopt "-": nothing to set, the step is a no-op */
	int level, optname, optval;
	int backlog;
	int how;
	int var;            /* getsockname: variable to store the port in, -1 none */
	bool nonblock;      /* connect without waiting */
	char path[108];     /* open */
	char text[160];     /* the step as the row made it, for reports */
};

/* Expectation slots: the generic "expect" column, three platforms, and the
 * set POSIX allows. */
enum bc_slot {
	BC_SLOT_EXPECT,
	BC_SLOT_LINUX,
	BC_SLOT_FREEBSD,
	BC_SLOT_DARWIN,
	BC_SLOT_POSIX,
	BC_SLOT_COUNT,
};

struct bc_expect_item {
	int nalts;
	struct bc_outcome alts[BC_MAX_ALTS];
};

enum bc_version_op { BC_VER_ANY, BC_VER_GE, BC_VER_LT };

struct bc_clause {
	enum bc_version_op op;
	int ver[3];
	int nitems;                   /* equals the case's number of checked steps */
	struct bc_expect_item *items;
};

enum bc_expect_state { BC_EXP_UNSET, BC_EXP_NA, BC_EXP_SET };

struct bc_expect {
	enum bc_expect_state state;
	int nclauses;
	struct bc_clause clauses[BC_MAX_CLAUSES];
	char *text; /* the cell as written */
};

enum bc_needs {
	BC_NEEDS_INET6 = 1 << 0,
};

struct bc_case {
	char table[BC_ID_MAX];
	char id[BC_ID_MAX];
	char file[256];
	int line;
	char scenario[BC_NAME_MAX];
	int nsteps;
	struct bc_step *steps;
	int nchecked;
	int nhandles;
	int nvars;                  /* port variables set by getsockname steps */
	char vars[BC_MAX_VARS][BC_NAME_MAX];
	struct bc_expect exp[BC_SLOT_COUNT];
	char *source;
	char *note;
	unsigned deviation_mask;    /* 1 << slot of each platform with a known deviation */
	char *deviation;            /* the reason */
	int timeout_ms;
	unsigned needs;             /* enum bc_needs */
};

struct bc_table {
	char name[BC_ID_MAX];
	char path[256];
	int ncases;
	struct bc_case *cases;
};

const char *bc_slot_name(enum bc_slot slot);
int bc_slot_from_name(const char *name);
const char *bc_verb_name(enum bc_verb verb);
void bc_case_free(struct bc_case *c);
void bc_table_free(struct bc_table *t);
/* "table/id", the name a filter and a re-run command use. */
void bc_case_fullname(const struct bc_case *c, char *buf, unsigned buflen);

#endif
