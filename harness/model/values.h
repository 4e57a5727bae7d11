/* values: the names a case table speaks (errno and EAI names, families,
 * socket types, protocols, socket options, addresses, outcomes), parsed from
 * text and printed back.  Pure: libc only, no sockets are created here. */
#ifndef BC_VALUES_H
#define BC_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define BC_VALUE_MAX 160 /* longest printable value: a few addresses joined with '+' */
#define BC_NAME_MAX 32   /* handle, variable and column names */

/* The result of one step, or one allowed result in an expectation. */
enum bc_outcome_kind {
	BC_OUT_OK,    /* the call returned success */
	BC_OUT_ERRNO, /* the call failed; code is the errno (-1: name unknown here) */
	BC_OUT_EAI,   /* a getaddrinfo() error; code is the EAI_* value */
	BC_OUT_VALUE, /* success with a value (getsockname, getsockopt) in value */
};

struct bc_outcome {
	enum bc_outcome_kind kind;
	int code;
	char value[BC_VALUE_MAX];
	int port_var; /* in an expectation "=ADDR:VAR": 1 + the variable's index; else 0 */
};

/* An address as a step uses it.  A port may name a variable set earlier by
 * getsockname; it is filled in when the step runs. */
struct bc_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
	bool null;                  /* pass a NULL pointer */
	char port_var[BC_NAME_MAX]; /* "" when the port is literal */
	char scope_name[16];        /* interface name of a v6 scope, resolved at run time */
	char list[BC_NAME_MAX];     /* "R.N[:PORT]": result N of resolve R; "" otherwise */
	int list_idx;
	bool list_port;             /* a port was given to replace the result's */
};

/* Name tables.  Each lookup returns 0 and stores the value, or -1. */
int bc_errno_from_name(const char *name, int *code);
const char *bc_errno_name(int code); /* NULL when unknown */
int bc_eai_from_name(const char *name, int *code);
const char *bc_eai_name(int code);
int bc_family_from_name(const char *name, int *family);
const char *bc_family_name(int family);
int bc_socktype_from_name(const char *name, int *type);
int bc_proto_from_name(const char *name, int *proto);
/* The names a table writes ("stream", "tcp"), NULL when there is none. */
const char *bc_socktype_name(int type);
const char *bc_proto_name(int proto);
int bc_sockopt_from_name(const char *name, int *level, int *optname);
int bc_shutdown_from_name(const char *name, int *how);

/* "Did you mean" for a misspelt errno, EAI, or option name: the closest known
 * name within a small edit distance, or NULL. */
const char *bc_suggest_errno(const char *word);
const char *bc_suggest_sockopt(const char *word);
const char *bc_suggest_from(const char *word, const char *const *names, size_t n);

/* Names of handles, variables and columns: a letter or '_', then letters,
 * digits or '_'. */
bool bc_is_name_char(char c);
bool bc_is_identifier(const char *s);

/* Integers: the whole string must be a decimal number within [lo, hi]. */
int bc_parse_int(const char *s, long lo, long hi, long *out);

/* Addresses: "A.B.C.D:PORT", "[V6]:PORT", "[V6%SCOPE]:PORT", "unix:PATH",
 * "abstract:NAME", or "null".  PORT is 0..65535 or a variable name.  On error
 * returns -1 and writes a message (and where possible a hint) into err. */
int bc_addr_parse(const char *text, struct bc_addr *a, char *err, size_t errlen);
/* Print a socket address the way a table writes one. */
void bc_sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen);

/* Outcomes: "ok", an errno name, an EAI_* name, or "=VALUE". */
int bc_outcome_parse(const char *text, struct bc_outcome *o, char *err, size_t errlen);
void bc_outcome_format(const struct bc_outcome *o, char *buf, size_t buflen);
bool bc_outcome_equal(const struct bc_outcome *a, const struct bc_outcome *b);

#endif
