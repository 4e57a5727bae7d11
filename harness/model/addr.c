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

#include "model/values.h"

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

/* "R.N" or "R.N:PORT": result N of the resolve step that filled list R. */
static int parse_list(const char *text, struct bc_addr *a, char *err, size_t errlen)
{
	const char *dot = strchr(text, '.');
	const char *colon = strchr(text, ':');
	char idx[12];
	long n;
	size_t nl = dot ? (size_t)(dot - text) : 0;
	size_t il = dot ? (size_t)((colon ? colon : text + strlen(text)) - dot - 1) : 0;
	if (!dot) {
		snprintf(err, errlen, "bad address '%s': a host name is not an address; hint: resolve it first (resolve R NAME SERVICE) and use R.0", text);
		return -1;
	}
	if (!dot || nl == 0 || nl >= sizeof(a->list) || il == 0 || il >= sizeof(idx) || (colon && colon < dot)) {
		snprintf(err, errlen, "bad address '%s': expected A.B.C.D:PORT, [V6]:PORT, unix:PATH, abstract:NAME, null or R.N (a resolve result)", text);
		return -1;
	}
	memcpy(a->list, text, nl);
	a->list[nl] = '\0';
	memcpy(idx, dot + 1, il);
	idx[il] = '\0';
	if (!bc_is_identifier(a->list) || bc_parse_int(idx, 0, 7, &n) < 0) {
		snprintf(err, errlen, "bad resolve result '%s': expected NAME.N with N from 0 to 7", text);
		a->list[0] = '\0';
		return -1;
	}
	a->list_idx = (int)n;
	a->family = AF_UNSPEC;
	if (!colon)
		return 0;
	in_port_t port;
	a->list_port = true;
	if (parse_port(colon + 1, a, &port, err, errlen) < 0)
		return -1;
	((struct sockaddr_in *)&a->ss)->sin_port = port; /* same offset in sockaddr_in6 */
	return 0;
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
	if (bc_is_name_char(text[0]) && !(text[0] >= '0' && text[0] <= '9'))
		return parse_list(text, a, err, errlen);
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

