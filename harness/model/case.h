/* case: a case as plain data, the reader's output and every later stage's
 * input.  Nothing here knows table syntax or runs a system call. */
#ifndef BC_CASE_H
#define BC_CASE_H

#include <stdbool.h>

#include "model/profile.h"
#include "model/values.h"
#include "model/verbs.h"

#define BC_MAX_STEPS 48
#define BC_MAX_HANDLES 16
#define BC_MAX_VARS 8
#define BC_MAX_ALTS 8
#define BC_MAX_CLAUSES 4
#define BC_ID_MAX 64
#define BC_DEFAULT_TIMEOUT_MS 5000

/* hostile: misbehaviours for the harness's own self-tests. */
/* The name (comm) of a process a linger or escape step leaves behind. */
#define BC_HOSTILE_LEFT_NAME "bc-hostile-left"

enum bc_hostile {
	BC_HOSTILE_HANG,    /* never returns */
	BC_HOSTILE_CRASH,   /* dies of SIGSEGV */
	BC_HOSTILE_LEAKFD,  /* opens a file and forgets it */
	BC_HOSTILE_LEAKMEM, /* allocates N MiB and forgets them */
	BC_HOSTILE_LINGER,  /* forks a process that sleeps forever, in the case's group */
	BC_HOSTILE_ESCAPE,  /* the same, after setsid(): outside the case's group */
	BC_HOSTILE_SPEW,    /* writes N MiB to stdout */
};

#define BC_MAX_LISTS 4     /* resolve results a scenario names */
#define BC_MAX_RESULTS 8   /* addresses kept from one resolve */

/* The most bytes one send step writes: above the largest datagram, so that
 * EMSGSIZE can be asked for too. */
#define BC_SEND_MAX 65536

/* The longest path, text or name a step holds: a sockaddr_un's path. */
#define BC_STEP_PATH_MAX 108

/* A step is a verb and its arguments, as data.  Every step has the head of
 * struct bc_step; what else it holds depends on its verb's family, in one
 * member of the union (each struct's comment names its verbs).  Fields that
 * name a handle, variable or result list hold its index in the scenario, -1
 * for none. */

/* socket */
struct bc_step_socket {
	int family, type, proto;
	int family_list;     /* the family of resolve result "R.N": R's index, -1 none */
	int family_list_idx; /* and N */
	bool in_peer;        /* create it in the profile's peer namespace */
};

/* setsockopt, getsockopt */
struct bc_step_sockopt {
	bool none;           /* setsockopt "-": nothing to set, the step is a no-op */
	int level, name;
	int value;           /* setsockopt: the int it sets (default 1) */
};

/* bind, connect, send */
struct bc_step_addr_op {
	struct bc_addr addr;
	bool has_addr;       /* send: an address was given (sendto) */
	bool has_bytes;      /* send: the byte count was given */
	int bytes;           /* send: how many bytes (default 1) */
	int port_var;        /* variable holding the port, -1 when literal */
	int list;            /* "R.N": the index of resolve result R, -1 none */
	bool has_len;        /* len=: the address length given explicitly */
	bool has_family;     /* family=: sa_family written over the address */
	bool nonblock;       /* connect: set O_NONBLOCK first */
	int family;
	long len;
};

/* listen, accept, shutdown, getsockname, handshakes (queue takes nothing) */
struct bc_step_conn {
	int backlog;         /* listen */
	int accepted;        /* accept: the handle of the new connection */
	int how;             /* shutdown: SHUT_RD, SHUT_WR or SHUT_RDWR */
	int port_var;        /* getsockname: the variable that gets the port, -1 none */
	int attempts;        /* handshakes: connections to open */
};

/* resolve: getaddrinfo() as the step calls it */
struct bc_step_resolve {
	int list;            /* the result list it fills */
	char host[128];      /* the node; "" with host_null */
	char service[32];    /* "" with service_null */
	bool host_null, service_null;
	bool host_is_hostname; /* "@hostname": what gethostname() returns */
	bool no_hints;       /* hints == NULL */
	bool show_canon;     /* show=canon: the value shows ai_canonname where a result has one */
	bool show_type;      /* show=type: the value shows each result's socket type and protocol */
	int flags, family, socktype, protocol; /* the hints */
};

/* open, mkfile, mkdir, symlink, chmod, unlink, stat */
struct bc_step_file {
	char path[BC_STEP_PATH_MAX];   /* symlink: the link's own name */
	char target[BC_STEP_PATH_MAX]; /* symlink: what it points to */
	int mode;            /* mkdir (default 0755), chmod */
};

/* hostile */
struct bc_step_hostile {
	enum bc_hostile kind;
	int mib;             /* leakmem, spew: MiB (default 1) */
};

/* run, names, said, calls, reach; leaked and listening take nothing */
struct bc_step_observe {
	union {
		char target[BC_NAME_MAX];      /* run: the table's target to start */
		char result[BC_STEP_PATH_MAX]; /* names: an errno or EAI_* name, or "@fault" */
		char text[BC_STEP_PATH_MAX];   /* said: what to look for in the output */
		char call[16];                 /* calls: an injectable call (fault/protocol.h) */
		char from[8];                  /* reach: "local" or "peer" */
	};
};

/* seteuid */
struct bc_step_seteuid {
	unsigned uid;
};

struct bc_step {
	enum bc_verb verb;
	bool checked;        /* its outcome is part of what the case observes */
	int handle;          /* the handle it acts on, or creates (socket, open); -1: fd */
	int fd;              /* with handle -1: the fd number the step gave */
	const char *text;    /* the step as the row made it, for reports (in the table's store) */
	union {
		struct bc_step_socket sock;
		struct bc_step_sockopt sockopt;
		struct bc_step_addr_op addr_op;
		struct bc_step_conn conn;
		struct bc_step_resolve resolve;
		struct bc_step_file file;
		struct bc_step_hostile hostile;
		struct bc_step_observe observe;
		struct bc_step_seteuid seteuid;
	};
};

/* The address a step passes to the kernel (bind, connect), NULL for a verb
 * that has none. */
const struct bc_addr *bc_step_addr(const struct bc_step *st);

/* Expectation slots: the generic "expect" column, three platforms, the
 * set POSIX allows, and gVisor, an implementation of the Linux API whose
 * column records only where it differs from Linux (it falls back to the
 * linux column). */
enum bc_slot {
	BC_SLOT_EXPECT,
	BC_SLOT_LINUX,
	BC_SLOT_FREEBSD,
	BC_SLOT_DARWIN,
	BC_SLOT_POSIX,
	BC_SLOT_GVISOR,
	BC_SLOT_COUNT,
};

struct bc_expect_item {
	int nalts;
	struct bc_outcome *alts; /* nalts results, in the clause's outs */
};

enum bc_version_op { BC_VER_ANY, BC_VER_GE, BC_VER_LT };

struct bc_clause {
	enum bc_version_op op;
	int ver[3];
	int nitems;                   /* equals the case's number of checked steps */
	struct bc_expect_item *items;
	int nouts;                    /* every item's results, back to back: a */
	struct bc_outcome *outs;      /* table holds thousands of these */
};

/* A case's parsed steps, expectations, strings, profile and target live in
 * its table's store (model/store.h), each kept once however many rows
 * share it: the case holds pointers, and only its array of step pointers
 * is its own. */

enum bc_expect_state { BC_EXP_UNSET, BC_EXP_NA, BC_EXP_SET };

struct bc_expect {
	enum bc_expect_state state;
	int nclauses;
	const struct bc_clause *clauses; /* nclauses of them */
	const char *text; /* the cell as written */
};

enum bc_needs {
	BC_NEEDS_INET6 = 1 << 0,
	BC_NEEDS_SCRATCH = 1 << 1, /* a private working directory (unix paths, files) */
	BC_NEEDS_PORT_RANGE = 1 << 2, /* an expectation names the namespace's ephemeral range */
};

/* A fault: "the Nth call of CALL fails with RESULT" and its kin, armed in
 * the target a run step starts (harness/faults.c, harness/fiu_shim.c). */
#define BC_MAX_FAULTS 8
enum bc_when { BC_WHEN_NTH, BC_WHEN_FROM, BC_WHEN_ALWAYS, BC_WHEN_PROB };
/* Which calls of CALL a rule counts: "@inet6", "@[::1]", "@SO_REUSEADDR". */
enum bc_fault_sel { BC_SEL_NONE, BC_SEL_FAMILY, BC_SEL_ADDR, BC_SEL_OPT };

struct bc_fault {
	char call[16];
	enum bc_fault_sel sel;
	int family;                /* FAMILY, ADDR: AF_* */
	unsigned char addr[16];    /* ADDR: 4 bytes for AF_INET, 16 for AF_INET6 */
	int port;                  /* ADDR: -1 for any */
	int level, optname;        /* OPT */
	enum bc_when when;
	int n;
	double p;
	struct bc_outcome result;  /* BC_OUT_ERRNO, or BC_OUT_EAI for getaddrinfo */
	int sys_errno;             /* with EAI_SYSTEM: the errno, -1 none */
};

/* A program a case runs as its system under test. */
#define BC_TARGET_ARGS 16
#define BC_TARGET_SETTLE_MS 300 /* settle's default */
struct bc_target {
	char name[BC_NAME_MAX];
	int argc;
	char argv[BC_TARGET_ARGS][128]; /* "@bindcheck" is this bindcheck */
	char needs[64];                 /* a program that must be installed */
	bool needs_root;                /* "needs root": uid 0 with the capabilities, else a skip */
	char ready[64];                 /* output that says it is up */
	int nlistens;                   /* it is up once it listens on all of these, */
	char listens[4][64];            /* as read_listeners writes them ("[::1]:8080") */
	int settle_ms;                  /* up once its listeners stay the same this long; 0: the default */
	int grace_ms;                   /* how long it may take to come up */
	int stop_ms;                    /* how long it has to end after SIGTERM; 0: 5 s */
};

struct bc_case {
	const char *table;
	char id[BC_ID_MAX];
	const char *file;
	int line;
	char scenario[BC_NAME_MAX];
	int nsteps;
	const struct bc_step **steps; /* the case's own array; the steps are shared */
	int nchecked;
	int nhandles;
	int nvars;                  /* port variables set by getsockname steps */
	const char (*vars)[BC_NAME_MAX]; /* their names, nvars of them */
	struct bc_expect exp[BC_SLOT_COUNT];
	const char *source;
	const char *note;
	unsigned deviation_mask;    /* 1 << slot of each platform with a known deviation */
	const char *deviation;      /* the reason */
	int timeout_ms;
	unsigned needs;             /* enum bc_needs */
	const struct bc_profile *profile; /* NULL: the plain sandbox */
	int nfaults;
	struct bc_fault *faults;    /* room for BC_MAX_FAULTS, in the store; NULL without a fault cell */
	const char *fault_text;     /* the fault cell as written, NULL for none */
	int sweep_rank;             /* a sweep's case: its result's place among its call's (0: the first) */
	const struct bc_target *target; /* what run steps start, NULL when none */
};

struct bc_store;

struct bc_table {
	char name[BC_ID_MAX];
	char path[256];
	int ncases;
	struct bc_case *cases;
	struct bc_store *store; /* what the cases point into */
};

const char *bc_slot_name(enum bc_slot slot);
/* The reason a deviation cell gives for slot: the cell is one or more
 * "PLATFORM[,PLATFORM]: reason" parts joined by ';' (a ';' inside a reason
 * is text unless a platform name and ':' follow it).  Copies the part's
 * reason into buf; false when no part names slot. */
bool bc_deviation_reason(const char *cell, int slot, char *buf, size_t n);
int bc_slot_from_name(const char *name);
/* Frees what the case owns (its array of step pointers), not what it
 * shares through its table's store. */
void bc_case_free(struct bc_case *c);
/* A copy with its own array of step pointers, sharing the rest; -1 when
 * out of memory (nothing to free then). */
int bc_case_clone(const struct bc_case *c, struct bc_case *out);
void bc_table_free(struct bc_table *t);
/* "table/id", the name a filter and a re-run command use. */
void bc_case_fullname(const struct bc_case *c, char *buf, unsigned buflen);

#endif
