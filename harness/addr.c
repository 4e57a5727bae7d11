/* addr: the address forms a table writes ("127.0.0.1:0", "[::1]:P",
 * "unix:/path", "abstract:name", "null") into socket addresses, and back. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "values.h"

/* PORT is a number or the name of a variable (set by getsockname). */
static int parse_port(const char *p, struct bc_addr *a, in_port_t *port, char *err, size_t errlen)
{
	long n;
	if (bc_parse_int(p, 0, 65535, &n) == 0) {
		*port = htons((in_port_t)n);
		return 0;
	}
	if (bc_is_identifier(p) && strlen(p) < sizeof(a->port_var)) {
		snprintf(a->port_var, sizeof(a->port_var), "%s", p);
		*port = 0;
		return 0;
	}
	snprintf(err, errlen, "bad port '%s': expected 0..65535 or a variable name", p);
	return -1;
}

static int parse_unix(const char *path, bool abstract, struct bc_addr *a, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	size_t n = strlen(path);
	size_t room = sizeof(sun->sun_path) - (abstract ? 1 : 0);
	if (n > room) {
		snprintf(err, errlen, "unix path of %zu bytes is longer than sun_path (%zu)", n, room);
		return -1;
	}
	sun->sun_family = AF_UNIX;
	a->family = AF_UNIX;
	if (abstract) {
		memcpy(sun->sun_path + 1, path, n);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	} else {
		memcpy(sun->sun_path, path, n);
		a->len = sizeof(struct sockaddr_un);
	}
	return 0;
}

static int parse_v6(const char *text, struct bc_addr *a, char *err, size_t errlen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	char host[INET6_ADDRSTRLEN + 20];
	const char *close = strchr(text, ']');
	if (!close || close[1] != ':') {
		snprintf(err, errlen, "bad IPv6 address '%s'", text);
		return -1;
	}
	size_t hl = (size_t)(close - text - 1);
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "IPv6 address too long in '%s'", text);
		return -1;
	}
	memcpy(host, text + 1, hl);
	host[hl] = '\0';
	char *pct = strchr(host, '%');
	if (pct) {
		long scope;
		*pct++ = '\0';
		if (bc_parse_int(pct, 0, UINT_MAX, &scope) == 0)
			sin6->sin6_scope_id = (uint32_t)scope;
		else if (bc_is_identifier(pct) && strlen(pct) < sizeof(a->scope_name))
			snprintf(a->scope_name, sizeof(a->scope_name), "%s", pct);
		else {
			snprintf(err, errlen, "bad scope '%s' in '%s'", pct, text);
			return -1;
		}
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
		snprintf(err, errlen, "bad IPv6 address '%s'", host);
		return -1;
	}
	sin6->sin6_family = AF_INET6;
	a->family = AF_INET6;
	a->len = sizeof(*sin6);
	return parse_port(close + 2, a, &sin6->sin6_port, err, errlen);
}

static int parse_v4(const char *text, struct bc_addr *a, char *err, size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	char host[INET_ADDRSTRLEN + 1];
	const char *colon = strrchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof(host)) {
		snprintf(err, errlen, "bad address '%s': expected A.B.C.D:PORT, [V6]:PORT, unix:PATH, abstract:NAME or null", text);
		return -1;
	}
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		snprintf(err, errlen, "bad IPv4 address '%s'", host);
		return -1;
	}
	sin->sin_family = AF_INET;
	a->family = AF_INET;
	a->len = sizeof(*sin);
	return parse_port(colon + 1, a, &sin->sin_port, err, errlen);
}

int bc_addr_parse(const char *text, struct bc_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (strcmp(text, "null") == 0) {
		a->null = true;
		a->family = AF_UNSPEC;
		return 0;
	}
	if (strncmp(text, "unix:", 5) == 0)
		return parse_unix(text + 5, false, a, err, errlen);
	if (strncmp(text, "abstract:", 9) == 0)
		return parse_unix(text + 9, true, a, err, errlen);
	if (text[0] == '[')
		return parse_v6(text, a, err, errlen);
	return parse_v4(text, a, err, errlen);
}

void bc_sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen)
{
	char host[INET6_ADDRSTRLEN];
	if (len < (socklen_t)sizeof(sa_family_t)) {
		snprintf(buf, buflen, "(none)");
		return;
	}
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, buflen, "%s:%u", host, ntohs(sin->sin_port));
		return;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		if (sin6->sin6_scope_id)
			snprintf(buf, buflen, "[%s%%%u]:%u", host, sin6->sin6_scope_id, ntohs(sin6->sin6_port));
		else
			snprintf(buf, buflen, "[%s]:%u", host, ntohs(sin6->sin6_port));
		return;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);
		if (n == 0)
			snprintf(buf, buflen, "unix:");
		else if (sun->sun_path[0] == '\0')
			snprintf(buf, buflen, "abstract:%.*s", (int)(n - 1), sun->sun_path + 1);
		else
			snprintf(buf, buflen, "unix:%.*s", (int)strnlen(sun->sun_path, n), sun->sun_path);
		return;
	}
	default:
		snprintf(buf, buflen, "family%d", sa->sa_family);
	}
}

