/* audit: `bindcheck audit [options] -- COMMAND [ARGS...]`, a server's bind
 * path judged from one command.  The audit writes an ordinary case table as
 * text (audit_gen.c), reads it with the table reader under a made-up name,
 * runs it on the same pool as `run` and judges it the same way; then it
 * prints a report card (audit_card.c) and writes the same reports.  Two
 * tables: the first runs the command once without faults, to learn what it
 * listens on and how often it makes each call of its bind path; the second
 * is the checks, made from what the first saw.  Internal to cli/. */
#ifndef BC_AUDIT_H
#define BC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/result.h"

#define AUDIT_MAX_LISTENS 4
#define AUDIT_NCALLS 5

/* The calls of a bind path, in the order a server makes them. */
extern const char *const bc_audit_calls[AUDIT_NCALLS];

struct audit_opts {
	char **argv; /* COMMAND [ARGS...] as given, {port} not yet put in */
	int argc;
	int port;
	const char *family; /* "inet", "inet6" or NULL: what it must keep serving without the other */
	int grace_ms;
	int settle_ms;      /* up once its listeners stay the same this long (a target's settle) */
	const char *only;   /* --only PATTERN: a glob over the checks' ids */
	int jobs;
	int timeout_ms;     /* per check; 0: from the grace */
	int nlistens;
	const char *listens[AUDIT_MAX_LISTENS];
	const char *ready;
	const char *report_dir, *json, *junit, *markdown, *html;
	const char *emit;   /* --emit-table FILE */
	const char *table_name; /* the tables' name; NULL: audit */
	bool verbose;
};

/* What the first run saw. */
struct audit_seen {
	char run[64];           /* its run step's value: "running", "exit:1", ... */
	char listening[160];    /* "A+B", or "none" */
	int nlisten;
	char addr[8][64];       /* the listeners, split */
	char tcp[160];          /* the TCP ones ("udp:..." are not): what a connection can reach */
	int ntcp;
	long calls[AUDIT_NCALLS]; /* -1: unknown */
	long base_fds;          /* fds open at an exit before any socket was made; -1 unknown */
	bool counts_assumed;    /* it gave none (killed at stop): calls holds a guess */
	bool counts_partly;     /* some come from a run in which no bind succeeded */
	char reach_local[160], reach_peer[160];
	char out[512];          /* the start of what it printed */
};

/* A growing text. */
struct audit_buf {
	char *s;
	size_t len, cap;
	bool oom;
};
void bc_audit_printf(struct audit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* audit_gen.c: the tables as text (appended to b). */
void bc_audit_table_observe(const struct audit_opts *o, struct audit_buf *b);
/* annot, when not NULL, gives for a row id what --emit-table adds: the
 * finding (the row's deviation) and in *observed the results seen (its
 * linux cell); NULL for a row whose check held. */
typedef const char *(*audit_annot_fn)(void *arg, const char *id, const char **observed);
void bc_audit_table_checks(const struct audit_opts *o, const struct audit_seen *s, audit_annot_fn annot, void *arg,
			   struct audit_buf *b);
/* The first run's result into s; then its baseline's (no socket can be
 * made), which also fills in the counts it could not give. */
void bc_audit_read_seen(const struct bc_case_result *res, struct audit_seen *s);
void bc_audit_read_baseline(const struct bc_case_result *base, const struct bc_case_result *counted,
			    struct audit_seen *s);

/* audit_card.c: one line per check, then the summary; the number that
 * failed.  And the table --emit-table writes: the checks with what was
 * observed as each failing row's deviation. */
int bc_audit_card(const struct audit_opts *o, const struct audit_seen *s, const struct bc_case_result *res, int n,
		  double seconds);
int bc_audit_emit(const struct audit_opts *o, const struct audit_seen *s, const char *text,
		  const struct bc_case_result *res, int n);

#endif
