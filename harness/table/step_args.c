/* step_args: one parser per kind of positional argument.  Each checks its
 * word and fills the field of the step's family that the kind stands for. */
#define _POSIX_C_SOURCE 200809L
#include "table/step_args.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault/faults.h"

#define FAIL(...) BC_STEP_FAIL(p, w, __VA_ARGS__)

static const char *const hostile_names[] = {"hang", "crash", "leakfd", "leakmem", "linger", "escape", "spew"};

static int name_index(const struct bc_names *n, const char *name)
{
	for (int i = 0; i < n->n; i++)
		if (strcmp(n->v[i], name) == 0)
			return i;
	return -1;
}

static bool is_name(const char *s)
{
	return strlen(s) < BC_NAME_MAX && bc_is_identifier(s);
}

static int define(struct bc_names *n, const char *name, int cap)
{
	int i = name_index(n, name);
	if (i >= 0)
		return i;
	if (n->n >= cap)
		return -1;
	snprintf(n->v[n->n], sizeof(n->v[0]), "%s", name);
	return n->n++;
}

/* The index of resolve result name; in a dry run an unknown one is -1
 * without a diagnostic, since its name may come from a cell. */
static int lookup_list(struct bc_step_pc *p, struct bc_word *w, const char *name)
{
	int idx = name_index(&p->scope->lists, name);
	if (idx < 0 && !p->dry)
		FAIL("resolve result '%s' is used before a resolve step fills it; hint: 'resolve %s HOST SERVICE'", name, name);
	return idx;
}

static int arg_none(struct bc_step_pc *p, struct bc_word *w)
{
	(void)p, (void)w;
	return 0;
}

static int arg_handle(struct bc_step_pc *p, struct bc_word *w)
{
	long n;
	if (bc_parse_int(w->s, INT_MIN, INT_MAX, &n) == 0) {
		p->st->handle = -1;
		p->st->fd = (int)n;
		return 0;
	}
	int idx = name_index(&p->scope->handles, w->s);
	if (idx < 0)
		FAIL("handle '%s' is used before a step creates it; hint: create it with socket, open or accept", w->s);
	p->st->handle = idx;
	return 0;
}

static int new_handle(struct bc_step_pc *p, struct bc_word *w, int *dst)
{
	if (!is_name(w->s))
		FAIL("bad handle name '%s'; hint: a name is letters, digits and '_'", w->s);
	*dst = define(&p->scope->handles, w->s, BC_MAX_HANDLES);
	if (*dst < 0)
		FAIL("more than %d handles in one scenario", BC_MAX_HANDLES);
	return 0;
}

static int arg_newhandle(struct bc_step_pc *p, struct bc_word *w)
{
	return new_handle(p, w, &p->st->handle);
}

static int arg_newconn(struct bc_step_pc *p, struct bc_word *w)
{
	return new_handle(p, w, &p->st->conn.accepted);
}

static int arg_family(struct bc_step_pc *p, struct bc_word *w)
{
	struct bc_step_socket *s = &p->st->sock;
	struct bc_addr a;
	char err[256];
	if (bc_family_from_name(w->s, &s->family) == 0)
		return 0;
	/* "R.N": the family of a resolve result, known when the step runs. */
	if ((bc_is_identifier(w->s) || strchr(w->s, '.')) && bc_addr_parse(w->s, &a, err, sizeof(err)) == 0 &&
	    a.list[0] && !a.list_port) {
		s->family_list = lookup_list(p, w, a.list);
		if (s->family_list < 0 && !p->dry)
			return -1;
		s->family_list_idx = a.list_idx;
		return 0;
	}
	/* A bare address ("[::]", "127.0.0.1") names its family. */
	char with_port[BC_VALUE_MAX + 4];
	snprintf(with_port, sizeof(with_port), "%s:0", w->s);
	if (bc_addr_parse(with_port, &a, err, sizeof(err)) == 0 && !a.null && a.family != AF_UNIX && !a.port_var[0]) {
		s->family = a.family;
		return 0;
	}
	FAIL("unknown family '%s'; hint: inet, inet6, unix, unspec, or an address", w->s);
}

static int arg_type(struct bc_step_pc *p, struct bc_word *w)
{
	if (bc_socktype_from_name(w->s, &p->st->sock.type) < 0)
		FAIL("unknown socket type '%s'; hint: stream, dgram, seqpacket or raw", w->s);
	return 0;
}

static int arg_proto(struct bc_step_pc *p, struct bc_word *w)
{
	if (strcmp(w->s, "-") == 0) { /* an empty cell: the default protocol */
		p->st->sock.proto = 0;
		return 0;
	}
	if (bc_proto_from_name(w->s, &p->st->sock.proto) < 0)
		FAIL("unknown protocol '%s'; hint: 0, tcp, udp, udplite, sctp, icmp, icmpv6 or a number", w->s);
	return 0;
}

/* Does path climb out of the directory it starts in ("..", "d/../..")? */
static bool path_leaves(const char *path)
{
	int depth = 0;
	for (const char *s = path; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && strncmp(s, "..", 2) == 0) {
			if (--depth < 0)
				return true;
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			depth++;
		}
		s += n + strspn(s + n, "/");
	}
	return false;
}

#define BENEATH_HINT "hint: paths are relative to the case's scratch directory"

/* A path that a step writes, or a unix: path (what is "path" or "unix:
 * path"): beneath the scratch directory.  A symlink made by the case is
 * caught when the step runs (exec/beneath.c); this is what the text alone
 * shows. */
static int beneath(struct bc_step_pc *p, struct bc_word *w, const char *path, const char *what)
{
	const char *verb = bc_verb_name(p->st->verb);
	if (path[0] == '/')
		FAIL("absolute %s '%s' in %s; " BENEATH_HINT "; only stat and open may read an absolute path", what, path,
		     verb);
	if (path_leaves(path))
		FAIL("%s '%s' in %s leaves the scratch directory; " BENEATH_HINT ", and '..' may not climb out of it", what,
		     path, verb);
	return 0;
}

/* Connecting to or sending to a socket file reaches the program behind it,
 * which a read-only file system does not stop: a unix: path is never
 * absolute, whatever the verb.  abstract: names have no path. */
static int arg_addr(struct bc_step_pc *p, struct bc_word *w)
{
	struct bc_step_addr_op *a = &p->st->addr_op;
	char err[256];
	if (bc_addr_parse(w->s, &a->addr, err, sizeof(err)) < 0)
		FAIL("%s", err);
	if (a->addr.family == AF_UNIX && strncmp(w->s, "unix:", 5) == 0 && beneath(p, w, w->s + 5, "unix: path") < 0)
		return -1;
	a->port_var = -1;
	if (a->addr.list[0]) {
		a->list = lookup_list(p, w, a->addr.list);
		if (a->list < 0 && !p->dry)
			return -1;
	}
	if (a->addr.port_var[0]) {
		a->port_var = name_index(&p->scope->vars, a->addr.port_var);
		if (a->port_var < 0 && !p->dry)
			FAIL("port variable '%s' is not set; hint: set it first with 'getsockname HANDLE %s'", a->addr.port_var,
			     a->addr.port_var);
	}
	return 0;
}

static int bytes_into(struct bc_step_pc *p, struct bc_word *w)
{
	long n;
	if (p->st->addr_op.has_bytes)
		FAIL("send takes one byte count; hint: send H [ADDR] [BYTES], as send s 127.0.0.1:P 100");
	if (bc_parse_int(w->s, 0, BC_SEND_MAX, &n) < 0)
		FAIL("bad byte count '%s'; hint: 0 to %d", w->s, BC_SEND_MAX);
	p->st->addr_op.bytes = (int)n;
	p->st->addr_op.has_bytes = true;
	return 0;
}

/* send's second word: where to (sendto), '-' for nowhere (send), or, as
 * no address is a bare number, already the byte count. */
static int arg_dest(struct bc_step_pc *p, struct bc_word *w)
{
	long n;
	if (strcmp(w->s, "-") == 0)
		return 0;
	if (bc_parse_int(w->s, LONG_MIN, LONG_MAX, &n) == 0)
		return bytes_into(p, w);
	if (arg_addr(p, w) < 0)
		return -1;
	p->st->addr_op.has_addr = true;
	return 0;
}

static int arg_bytes(struct bc_step_pc *p, struct bc_word *w)
{
	return bytes_into(p, w);
}

static int arg_opt(struct bc_step_pc *p, struct bc_word *w)
{
	struct bc_step_sockopt *o = &p->st->sockopt;
	if (strcmp(w->s, "-") == 0) {
		if (p->st->verb == BC_V_GETSOCKOPT)
			FAIL("getsockopt needs an option name");
		o->none = true;
		return 0;
	}
	if (bc_sockopt_from_name(w->s, &o->level, &o->name) == 0)
		return 0;
	const char *s = bc_suggest_sockopt(w->s);
	if (s)
		FAIL("unknown socket option '%s'; hint: did you mean %s?", w->s, s);
	FAIL("unknown socket option '%s'; hint: see cases/README.md for the list", w->s);
}

static int arg_optval(struct bc_step_pc *p, struct bc_word *w)
{
	long n;
	if (bc_parse_int(w->s, INT_MIN, INT_MAX, &n) < 0)
		FAIL("bad integer '%s'", w->s);
	p->st->sockopt.value = (int)n;
	return 0;
}

static int arg_backlog(struct bc_step_pc *p, struct bc_word *w)
{
	long n;
	if (bc_parse_int(w->s, INT_MIN, INT_MAX, &n) < 0)
		FAIL("bad backlog '%s'; hint: an integer, negative ones included", w->s);
	p->st->conn.backlog = (int)n;
	return 0;
}

static int arg_how(struct bc_step_pc *p, struct bc_word *w)
{
	if (bc_shutdown_from_name(w->s, &p->st->conn.how) < 0)
		FAIL("unknown shutdown mode '%s'; hint: rd, wr or rdwr", w->s);
	return 0;
}

static int arg_newvar(struct bc_step_pc *p, struct bc_word *w)
{
	if (!is_name(w->s))
		FAIL("bad variable name '%s'", w->s);
	p->st->conn.port_var = define(&p->scope->vars, w->s, BC_MAX_VARS);
	if (p->st->conn.port_var < 0)
		FAIL("more than %d variables in one scenario", BC_MAX_VARS);
	return 0;
}

static int arg_uid(struct bc_step_pc *p, struct bc_word *w)
{
	long n;
	if (bc_parse_int(w->s, 0, 0x7fffffff, &n) < 0)
		FAIL("bad uid '%s'", w->s);
	p->st->seteuid.uid = (unsigned)n;
	return 0;
}

static int path_into(struct bc_step_pc *p, struct bc_word *w, char dst[BC_STEP_PATH_MAX])
{
	if (w->s[0] == '\0')
		FAIL("empty path");
	if (strlen(w->s) >= BC_STEP_PATH_MAX)
		FAIL("path of %zu bytes, longer than the %d a step may name", strlen(w->s), BC_STEP_PATH_MAX - 1);
	snprintf(dst, BC_STEP_PATH_MAX, "%s", w->s);
	return 0;
}

/* stat and open only read, and may name any path (the host's are read
 * only); every other verb with a path writes there. */
static int arg_path(struct bc_step_pc *p, struct bc_word *w)
{
	bool reads = p->st->verb == BC_V_STAT || p->st->verb == BC_V_OPEN;
	if (!reads && beneath(p, w, w->s, "path") < 0)
		return -1;
	return path_into(p, w, p->st->file.path);
}

/* What a symlink points to is only data: it may be anything. */
static int arg_linktarget(struct bc_step_pc *p, struct bc_word *w)
{
	return path_into(p, w, p->st->file.target);
}

static int arg_newlist(struct bc_step_pc *p, struct bc_word *w)
{
	if (!is_name(w->s))
		FAIL("bad result name '%s'; hint: a name is letters, digits and '_'", w->s);
	p->st->resolve.list = define(&p->scope->lists, w->s, BC_MAX_LISTS);
	if (p->st->resolve.list < 0)
		FAIL("more than %d resolve results in one scenario", BC_MAX_LISTS);
	return 0;
}

static int arg_host(struct bc_step_pc *p, struct bc_word *w)
{
	struct bc_step_resolve *r = &p->st->resolve;
	if (strlen(w->s) >= sizeof(r->host))
		FAIL("host name too long");
	r->host_null = strcmp(w->s, "null") == 0;
	r->host_is_hostname = strcmp(w->s, "@hostname") == 0;
	snprintf(r->host, sizeof(r->host), "%s", r->host_null ? "" : w->s);
	return 0;
}

static int arg_service(struct bc_step_pc *p, struct bc_word *w)
{
	struct bc_step_resolve *r = &p->st->resolve;
	if (strlen(w->s) >= sizeof(r->service))
		FAIL("service name too long");
	r->service_null = strcmp(w->s, "null") == 0;
	snprintf(r->service, sizeof(r->service), "%s", r->service_null ? "" : w->s);
	return 0;
}

static int count_into(struct bc_step_pc *p, struct bc_word *w, int *dst)
{
	long n;
	if (bc_parse_int(w->s, 1, 256, &n) < 0)
		FAIL("bad count '%s'; hint: 1 to 256 connections", w->s);
	*dst = (int)n;
	return 0;
}

static int arg_count(struct bc_step_pc *p, struct bc_word *w)
{
	return count_into(p, w, &p->st->conn.attempts);
}

static int arg_mib(struct bc_step_pc *p, struct bc_word *w)
{
	return count_into(p, w, &p->st->hostile.mib);
}

static int arg_hostile(struct bc_step_pc *p, struct bc_word *w)
{
	for (size_t i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++) {
		if (strcmp(w->s, hostile_names[i]) == 0) {
			p->st->hostile.kind = (enum bc_hostile)i;
			return 0;
		}
	}
	FAIL("unknown misbehaviour '%s'; hint: hang, crash, leakfd, leakmem, linger, escape or spew", w->s);
}

static int arg_target(struct bc_step_pc *p, struct bc_word *w)
{
	if (!is_name(w->s))
		FAIL("bad target name '%s'; hint: a name is letters, digits and '_'", w->s);
	snprintf(p->st->observe.target, sizeof(p->st->observe.target), "%s", w->s);
	return 0;
}

static int arg_resultname(struct bc_step_pc *p, struct bc_word *w)
{
	struct bc_outcome o;
	char e2[128];
	if (strcmp(w->s, "@fault") != 0 &&
	    (bc_outcome_parse(w->s, &o, e2, sizeof(e2)) < 0 || (o.kind != BC_OUT_ERRNO && o.kind != BC_OUT_EAI)))
		FAIL("bad name '%s'; hint: an errno or EAI_* name, or @fault for the row's injected result", w->s);
	snprintf(p->st->observe.result, sizeof(p->st->observe.result), "%s", w->s);
	return 0;
}

static int arg_text(struct bc_step_pc *p, struct bc_word *w)
{
	if (!w->s[0] || strlen(w->s) >= sizeof(p->st->observe.text))
		FAIL("bad text '%s'; hint: 1 to %zu bytes", w->s, sizeof(p->st->observe.text) - 1);
	snprintf(p->st->observe.text, sizeof(p->st->observe.text), "%s", w->s);
	return 0;
}

static int arg_call(struct bc_step_pc *p, struct bc_word *w)
{
	char all[128];
	if (!bc_fault_call_known(w->s))
		FAIL("unknown call '%s'; hint: %s", w->s, bc_fault_calls_text(all, sizeof(all)));
	snprintf(p->st->observe.call, sizeof(p->st->observe.call), "%s", w->s);
	return 0;
}

static int arg_from(struct bc_step_pc *p, struct bc_word *w)
{
	if (strcmp(w->s, "local") != 0 && strcmp(w->s, "peer") != 0)
		FAIL("unknown place '%s'; hint: local (this host, over loopback) or peer (the profile's peer host)", w->s);
	snprintf(p->st->observe.from, sizeof(p->st->observe.from), "%s", w->s);
	return 0;
}

static int arg_mode(struct bc_step_pc *p, struct bc_word *w)
{
	char *end;
	unsigned long m = strtoul(w->s, &end, 8);
	if (!w->s[0] || *end || m > 07777)
		FAIL("bad mode '%s'; hint: octal, like 0755", w->s);
	p->st->file.mode = (int)m;
	return 0;
}

static int (*const kinds[])(struct bc_step_pc *p, struct bc_word *w) = {
	[BC_ARG_NONE] = arg_none,             [BC_ARG_HANDLE] = arg_handle,
	[BC_ARG_NEWHANDLE] = arg_newhandle,   [BC_ARG_NEWCONN] = arg_newconn,
	[BC_ARG_FAMILY] = arg_family,         [BC_ARG_TYPE] = arg_type,
	[BC_ARG_PROTO] = arg_proto,           [BC_ARG_ADDR] = arg_addr,
	[BC_ARG_DEST] = arg_dest,             [BC_ARG_BYTES] = arg_bytes,
	[BC_ARG_OPT] = arg_opt,               [BC_ARG_OPTVAL] = arg_optval,
	[BC_ARG_BACKLOG] = arg_backlog,       [BC_ARG_HOW] = arg_how,
	[BC_ARG_NEWVAR] = arg_newvar,         [BC_ARG_PATH] = arg_path,
	[BC_ARG_LINKTARGET] = arg_linktarget, [BC_ARG_UID] = arg_uid,
	[BC_ARG_NEWLIST] = arg_newlist,       [BC_ARG_HOST] = arg_host,
	[BC_ARG_SERVICE] = arg_service,       [BC_ARG_COUNT] = arg_count,
	[BC_ARG_MIB] = arg_mib,               [BC_ARG_MODE] = arg_mode,
	[BC_ARG_HOSTILE] = arg_hostile,       [BC_ARG_TARGET] = arg_target,
	[BC_ARG_RESULTNAME] = arg_resultname, [BC_ARG_TEXT] = arg_text,
	[BC_ARG_CALL] = arg_call,             [BC_ARG_FROM] = arg_from,
};

void bc_step_arg_init(enum bc_arg kind, struct bc_step *st)
{
	switch (kind) {
	case BC_ARG_FAMILY:
		st->sock.family_list = -1;
		break;
	case BC_ARG_ADDR:
	case BC_ARG_DEST:
		st->addr_op.port_var = st->addr_op.list = -1;
		break;
	case BC_ARG_BYTES:
		st->addr_op.bytes = 1;
		break;
	case BC_ARG_OPTVAL:
		st->sockopt.value = 1;
		break;
	case BC_ARG_NEWCONN:
		st->conn.accepted = -1;
		break;
	case BC_ARG_NEWVAR:
		st->conn.port_var = -1;
		break;
	case BC_ARG_COUNT:
		st->conn.attempts = 1;
		break;
	case BC_ARG_NEWLIST:
		st->resolve.list = -1;
		break;
	case BC_ARG_MODE:
		st->file.mode = 0755;
		break;
	case BC_ARG_MIB:
		st->hostile.mib = 1;
		break;
	default:
		break;
	}
}

int bc_step_arg(struct bc_step_pc *p, enum bc_arg kind, struct bc_word *w)
{
	/* In a dry run a cell may hold anything, and so may a handle's name. */
	if (p->dry && (strstr(w->s, BC_ANY_VALUE) || kind == BC_ARG_HANDLE))
		return 0;
	if ((size_t)kind >= sizeof(kinds) / sizeof(kinds[0]) || !kinds[kind])
		return 0;
	return kinds[kind](p, w);
}
