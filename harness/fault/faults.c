/* faults: the fault column's text into bc_fault rules, the errnos a sweep
 * covers for each call, and the rules as the preload (fiu_shim.c) reads them.
 * Pure: nothing here arms anything. */
#define _POSIX_C_SOURCE 200809L
#include "fault/faults.h"
#include "fault/protocol.h"

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

int bc_fault_parse_rule(const char *text, struct bc_fault *f, char *err, size_t errlen, size_t *bad)
{
	char buf[128];
	memset(f, 0, sizeof(*f));
	f->sys_errno = -1;
	*bad = 0;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "fault too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2) {
		snprintf(err, errlen, "bad fault '%s'; hint: CALL:WHEN:RESULT, as bind:3:EADDRINUSE (the 3rd bind fails), bind:*:EACCES, bind:2+:EINVAL, getaddrinfo:1:EAI_AGAIN", text);
		return -1;
	}
	*c1 = *c2 = '\0';
	const char *call = buf, *when = c1 + 1, *res = c2 + 1;
	if (!bc_fault_call_known(call)) {
		const char *s = bc_suggest_from(call, calls, NCALLS);
		char all[128];
		snprintf(err, errlen, "unknown call '%s' in a fault; hint: %s%s", call,
			 s ? "did you mean " : bc_fault_calls_text(all, sizeof(all)), s ? s : "");
		if (s)
			snprintf(err + strlen(err), errlen - strlen(err), "?");
		return -1;
	}
	memcpy(f->call, call, strlen(call) + 1); /* a known call: it fits */
	if (parse_when(when, f) < 0) {
		*bad = (size_t)(when - buf);
		snprintf(err, errlen, "bad WHEN '%s' in a fault; hint: N (only the Nth call), N+ (from the Nth on), * (every call) or pP (probability, as p0.25)", when);
		return -1;
	}
	*bad = (size_t)(res - buf);
	char *slash = strchr(c2 + 1, '/');
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
		off += (size_t)snprintf(buf + off, len - off, "%s%s" BC_FAULT_FIELD_SEP "%s" BC_FAULT_FIELD_SEP "%d",
					i ? BC_FAULT_RULE_SEP : "", f->call, when, f->result.code);
		if (f->result.kind == BC_OUT_EAI && f->sys_errno >= 0 && off < len)
			off += (size_t)snprintf(buf + off, len - off, "/%d", f->sys_errno);
	}
}
