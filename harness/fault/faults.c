/* faults: the fault column's text into bc_fault rules, the errnos a sweep
 * covers for each call, and the rules as the preload (fiu_shim.c) reads them.
 * Pure: nothing here arms anything. */
#define _POSIX_C_SOURCE 200809L
#include "fault/faults.h"
#include "fault/protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALL_NAME(call, point) #call,
static const char *const calls[] = {BC_FAULT_CALLS(CALL_NAME)};
#undef CALL_NAME
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

const char *bc_fault_calls_text(char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NCALLS && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i == 0 ? "" : i + 1 < NCALLS ? ", " : " or ", calls[i]);
	return buf;
}

bool bc_fault_call_known(const char *call)
{
	for (size_t i = 0; i < NCALLS; i++)
		if (strcmp(calls[i], call) == 0)
			return true;
	return false;
}

/* The errors each call is documented to give: the Linux man page's ERRORS
 * section together with POSIX's (socket(2), setsockopt(2), bind(2),
 * listen(2), getaddrinfo(3), and the POSIX pages of the same names). */
static const char *const socket_errs[] = {"EACCES", "EAFNOSUPPORT", "EINVAL", "EMFILE", "ENFILE", "ENOBUFS", "ENOMEM",
					  "EPROTONOSUPPORT", "EPROTOTYPE"};
static const char *const setsockopt_errs[] = {"EBADF", "EFAULT", "EINVAL", "ENOPROTOOPT", "ENOTSOCK", "EDOM", "EISCONN",
					      "ENOMEM", "ENOBUFS"};
static const char *const bind_errs[] = {"EACCES", "EADDRINUSE", "EBADF", "EINVAL", "ENOTSOCK", "EADDRNOTAVAIL",
					"EFAULT", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR", "EROFS",
					"EAFNOSUPPORT", "EALREADY", "EINPROGRESS", "EISCONN", "EOPNOTSUPP", "EIO",
					"ENOBUFS", "EDESTADDRREQ"};
static const char *const listen_errs[] = {"EADDRINUSE", "EBADF", "ENOTSOCK", "EOPNOTSUPP", "EDESTADDRREQ", "EINVAL",
					  "EACCES", "ENOBUFS"};
static const char *const getaddrinfo_errs[] = {"EAI_ADDRFAMILY", "EAI_AGAIN", "EAI_BADFLAGS", "EAI_FAIL", "EAI_FAMILY",
					       "EAI_MEMORY", "EAI_NODATA", "EAI_NONAME", "EAI_SERVICE", "EAI_SOCKTYPE",
					       "EAI_SYSTEM"};

const char *const *bc_fault_sweep_results(const char *call, int *n)
{
#define LIST(c, a)                                            \
	if (strcmp(call, c) == 0) {                           \
		*n = (int)(sizeof(a) / sizeof(a[0]));         \
		return a;                                     \
	}
	LIST("socket", socket_errs);
	LIST("setsockopt", setsockopt_errs);
	LIST("bind", bind_errs);
	LIST("listen", listen_errs);
	LIST("getaddrinfo", getaddrinfo_errs);
#undef LIST
	*n = 0;
	return NULL;
}

static int parse_when(const char *w, struct bc_fault *f)
{
	char *end;
	if (strcmp(w, "*") == 0) {
		f->when = BC_WHEN_ALWAYS;
		return 0;
	}
	if (w[0] == 'p') {
		f->p = strtod(w + 1, &end);
		f->when = BC_WHEN_PROB;
		return w[1] && !*end && f->p > 0 && f->p < 1 ? 0 : -1;
	}
	long n = strtol(w, &end, 10);
	if (end == w || n < 1 || n > 1000000)
		return -1;
	f->n = (int)n;
	f->when = *end == '+' ? BC_WHEN_FROM : BC_WHEN_NTH;
	return (*end == '+' && !end[1]) || !*end ? 0 : -1;
}

static const struct {
	const char *name;
	int family;
} families[] = {{"inet", AF_INET}, {"inet6", AF_INET6}, {"unix", AF_UNIX}, {"netlink", AF_NETLINK}};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* "A.B.C.D[:PORT]" or "[V6][:PORT]". */
static int parse_sel_addr(const char *s, struct bc_fault *f)
{
	char host[64];
	const char *port = NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (size_t)(close - s) > sizeof(host) || (close[1] && close[1] != ':'))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		port = close[1] ? close + 2 : NULL;
		f->family = AF_INET6;
	} else {
		size_t n = strcspn(s, ":");
		if (n >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)n, s);
		port = s[n] ? s + n + 1 : NULL;
		f->family = AF_INET;
	}
	long p = -1;
	if (inet_pton(f->family, host, f->addr) != 1 || (port && bc_parse_int(port, 0, 65535, &p) < 0))
		return -1;
	f->port = (int)p;
	f->sel = BC_SEL_ADDR;
	return 0;
}

/* The part after '@': a family, an address, or an option; which of them
 * the call can have. */
static int parse_sel(const char *sel, struct bc_fault *f, char *err, size_t errlen)
{
	static const char hint[] = "hint: a family (inet, inet6, unix, netlink), an address (127.0.0.1, [::1], [::1]:8080) "
				   "or, for setsockopt, an option (SO_REUSEADDR, IPV6_V6ONLY)";
	bool getaddrinfo = strcmp(f->call, "getaddrinfo") == 0, sockopt = strcmp(f->call, "setsockopt") == 0;
	if (getaddrinfo) {
		snprintf(err, errlen, "getaddrinfo takes no selector; hint: getaddrinfo:WHEN:RESULT");
		return -1;
	}
	for (size_t i = 0; i < NFAMILIES; i++) {
		if (strcmp(sel, families[i].name) == 0) {
			f->sel = BC_SEL_FAMILY;
			f->family = families[i].family;
			return 0;
		}
	}
	if (sel[0] == '[' || (sel[0] >= '0' && sel[0] <= '9')) {
		if (parse_sel_addr(sel, f) < 0) {
			snprintf(err, errlen, "bad address '%s' in a fault's selector; hint: 127.0.0.1, [::1] or either with :PORT", sel);
			return -1;
		}
		if (strcmp(f->call, "socket") == 0 || sockopt) {
			snprintf(err, errlen, "%s has no address to select by; hint: %s@inet6%s", f->call, f->call,
				 sockopt ? " or setsockopt@IPV6_V6ONLY" : "");
			return -1;
		}
		return 0;
	}
	if (bc_sockopt_from_name(sel, &f->level, &f->optname) == 0) {
		if (!sockopt) {
			snprintf(err, errlen, "option '%s' selects setsockopt calls only; hint: setsockopt@%s", sel, sel);
			return -1;
		}
		f->sel = BC_SEL_OPT;
		return 0;
	}
	const char *s = bc_suggest_sockopt(sel);
	for (size_t i = 0; !s && i < NFAMILIES; i++)
		if (strncmp(sel, families[i].name, 4) == 0)
			s = families[i].name;
	if (s)
		snprintf(err, errlen, "unknown selector '%s' in a fault; hint: did you mean %s?", sel, s);
	else
		snprintf(err, errlen, "unknown selector '%s' in a fault; %s", sel, hint);
	return -1;
}

static int parse_result(const char *call, char *res, struct bc_fault *f, char *err, size_t errlen)
{
	char *slash = strchr(res, '/');
	if (slash)
		*slash = '\0';
	if (strcmp(call, "getaddrinfo") == 0) {
		int code;
		if (bc_eai_from_name(res, &code) < 0) {
			snprintf(err, errlen, "unknown result '%s' for getaddrinfo; hint: an EAI_* name, as EAI_AGAIN, or EAI_SYSTEM/EMFILE", res);
			return -1;
		}
		f->result.kind = BC_OUT_EAI;
		f->result.code = code;
		if (code == EAI_SYSTEM) {
			int e = EIO;
			if (slash && bc_errno_from_name(slash + 1, &e) < 0) {
				snprintf(err, errlen, "unknown errno '%s' after EAI_SYSTEM/", slash + 1);
				return -1;
			}
			f->sys_errno = e;
		} else if (slash) {
			snprintf(err, errlen, "only EAI_SYSTEM takes an errno after '/'");
			return -1;
		}
		return 0;
	}
	int code;
	if (slash || bc_errno_from_name(res, &code) < 0) {
		const char *s = bc_suggest_errno(res);
		snprintf(err, errlen, "unknown errno '%s' in a fault%s%s%s", res, s ? "; hint: did you mean " : "", s ? s : "",
			 s ? "?" : "");
		return -1;
	}
	if (code <= 0) {
		snprintf(err, errlen, "errno '%s' does not exist on this platform", res);
		return -1;
	}
	f->result.kind = BC_OUT_ERRNO;
	f->result.code = code;
	return 0;
}

static int bad_call(const char *call, char *err, size_t errlen)
{
	const char *s = bc_suggest_from(call, calls, NCALLS);
	char all[128];
	snprintf(err, errlen, "unknown call '%s' in a fault; hint: %s%s%s", call, s ? "did you mean " : bc_fault_calls_text(all, sizeof(all)),
		 s ? s : "", s ? "?" : "");
	return -1;
}

int bc_fault_parse_rule(const char *text, struct bc_fault *f, char *err, size_t errlen, size_t *bad)
{
	char buf[128];
	memset(f, 0, sizeof(*f));
	f->sys_errno = -1;
	f->port = -1;
	*bad = 0;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "fault too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	/* From the right: an address in the selector has colons of its own. */
	char *c2 = strrchr(buf, ':'), *c1 = c2;
	while (c1 && c1 > buf && *--c1 != ':')
		;
	if (!c2 || !c1 || *c1 != ':') {
		snprintf(err, errlen, "bad fault '%s'; hint: CALL[@SELECTOR]:WHEN:RESULT, as bind:3:EADDRINUSE (the 3rd bind fails), bind:*:EACCES, bind:2+:EINVAL, bind@[::1]:*:EADDRINUSE, getaddrinfo:1:EAI_AGAIN", text);
		return -1;
	}
	*c1 = *c2 = '\0';
	char *call = buf, *at = strchr(buf, '@'), *when = c1 + 1, *res = c2 + 1;
	if (at)
		*at = '\0';
	if (!bc_fault_call_known(call))
		return bad_call(call, err, errlen);
	memcpy(f->call, call, strlen(call) + 1); /* a known call: it fits */
	if (at && parse_sel(at + 1, f, err, errlen) < 0) {
		*bad = (size_t)(at + 1 - buf);
		return -1;
	}
	if (parse_when(when, f) < 0) {
		*bad = (size_t)(when - buf);
		snprintf(err, errlen, "bad WHEN '%s' in a fault; hint: N (only the Nth call), N+ (from the Nth on), * (every call) or pP (probability, as p0.25)", when);
		return -1;
	}
	*bad = (size_t)(res - buf);
	return parse_result(call, res, f, err, errlen);
}

static bool same_selector(const struct bc_fault *a, const struct bc_fault *b)
{
	if (a->sel != b->sel)
		return false;
	switch (a->sel) {
	case BC_SEL_FAMILY:
		return a->family == b->family;
	case BC_SEL_ADDR:
		return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
	case BC_SEL_OPT:
		return a->level == b->level && a->optname == b->optname;
	default:
		return true;
	}
}

bool bc_fault_conflict(const struct bc_fault *a, const struct bc_fault *b)
{
	if (strcmp(a->call, b->call) != 0 || !same_selector(a, b))
		return false;
	if (a->when == BC_WHEN_NTH && b->when == BC_WHEN_NTH)
		return a->n == b->n;
	if (a->when == BC_WHEN_NTH && b->when == BC_WHEN_FROM)
		return a->n >= b->n;
	if (a->when == BC_WHEN_FROM && b->when == BC_WHEN_NTH)
		return b->n >= a->n;
	return true; /* N+ and N+, *, pP: they meet */
}

/* The selector as BC_FAULTS writes it (fault/protocol.h), "" for none. */
static void sel_env(const struct bc_fault *f, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	if (f->sel == BC_SEL_FAMILY) {
		snprintf(buf, len, BC_FAULT_SEL_SEP "%c%d", BC_FAULT_SEL_FAMILY, f->family);
	} else if (f->sel == BC_SEL_OPT) {
		snprintf(buf, len, BC_FAULT_SEL_SEP "%c%d.%d", BC_FAULT_SEL_OPT, f->level, f->optname);
	} else if (f->sel == BC_SEL_ADDR) {
		off = (size_t)snprintf(buf, len, BC_FAULT_SEL_SEP "%c%d.", BC_FAULT_SEL_ADDR, f->family);
		for (int i = 0; i < (f->family == AF_INET ? 4 : 16) && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%02x", f->addr[i]);
		if (f->port >= 0 && off < len)
			snprintf(buf + off, len - off, ".%d", f->port);
	}
}

void bc_fault_env(const struct bc_fault *faults, int n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++) {
		const struct bc_fault *f = &faults[i];
		char when[32];
		if (f->when == BC_WHEN_ALWAYS)
			snprintf(when, sizeof(when), "*");
		else if (f->when == BC_WHEN_PROB)
			snprintf(when, sizeof(when), "p%.6f", f->p);
		else
			snprintf(when, sizeof(when), "%d%s", f->n, f->when == BC_WHEN_FROM ? "+" : "");
		char sel[64];
		sel_env(f, sel, sizeof(sel));
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s" BC_FAULT_FIELD_SEP "%s" BC_FAULT_FIELD_SEP "%d",
					i ? BC_FAULT_RULE_SEP : "", f->call, sel, when, f->result.code);
		if (f->result.kind == BC_OUT_EAI && f->sys_errno >= 0 && off < len)
			off += (size_t)snprintf(buf + off, len - off, "/%d", f->sys_errno);
	}
}
