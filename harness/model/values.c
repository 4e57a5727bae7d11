/* values: name tables and text forms for everything a case table can say.
 * Tables, not chains of ifs; every lookup works both ways. */
#define _GNU_SOURCE /* EAI_ADDRFAMILY, EAI_NODATA; Linux socket options */
#include "model/values.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct named {
	const char *name;
	int value;
};

static const struct named errnos[] = {
#include "model/errno_names.inc"
};

static const struct named eais[] = {
	{"EAI_AGAIN", EAI_AGAIN},       {"EAI_BADFLAGS", EAI_BADFLAGS},
	{"EAI_FAIL", EAI_FAIL},         {"EAI_FAMILY", EAI_FAMILY},
	{"EAI_MEMORY", EAI_MEMORY},     {"EAI_NONAME", EAI_NONAME},
	{"EAI_SERVICE", EAI_SERVICE},   {"EAI_SOCKTYPE", EAI_SOCKTYPE},
	{"EAI_SYSTEM", EAI_SYSTEM},     {"EAI_OVERFLOW", EAI_OVERFLOW},
#ifdef EAI_NODATA
	{"EAI_NODATA", EAI_NODATA},
#endif
#ifdef EAI_ADDRFAMILY
	{"EAI_ADDRFAMILY", EAI_ADDRFAMILY},
#endif
};

static const struct named families[] = {
	{"inet", AF_INET},     {"inet6", AF_INET6},     {"unix", AF_UNIX},
	{"unspec", AF_UNSPEC}, {"AF_INET", AF_INET},   {"AF_INET6", AF_INET6},
	{"AF_UNIX", AF_UNIX},  {"AF_UNSPEC", AF_UNSPEC},
};

static const struct named socktypes[] = {
	{"stream", SOCK_STREAM},         {"dgram", SOCK_DGRAM},
	{"seqpacket", SOCK_SEQPACKET},   {"raw", SOCK_RAW},
	{"SOCK_STREAM", SOCK_STREAM},    {"SOCK_DGRAM", SOCK_DGRAM},
	{"SOCK_SEQPACKET", SOCK_SEQPACKET}, {"SOCK_RAW", SOCK_RAW},
};

static const struct named protos[] = {
	{"0", 0},          {"default", 0},
	{"tcp", IPPROTO_TCP}, {"udp", IPPROTO_UDP},
	{"icmp", IPPROTO_ICMP}, {"icmpv6", IPPROTO_ICMPV6},
#ifdef IPPROTO_SCTP
	{"sctp", IPPROTO_SCTP},
#endif
#ifdef IPPROTO_UDPLITE
	{"udplite", IPPROTO_UDPLITE},
#endif
};

/* Linux values for options older headers may lack (ip(7), ipv6(7)). */
#if defined(__linux__) && !defined(IP_BIND_ADDRESS_NO_PORT)
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#if defined(__linux__) && !defined(IPV6_FREEBIND)
#define IPV6_FREEBIND 78
#endif

struct sockopt {
	const char *name;
	int level;
	int optname;
};

static const struct sockopt sockopts[] = {
	{"SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR},
#ifdef SO_REUSEPORT
	{"SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT},
#endif
	{"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE},
	{"SO_BROADCAST", SOL_SOCKET, SO_BROADCAST},
	{"SO_RCVBUF", SOL_SOCKET, SO_RCVBUF},
	{"SO_SNDBUF", SOL_SOCKET, SO_SNDBUF},
	{"SO_ACCEPTCONN", SOL_SOCKET, SO_ACCEPTCONN},
	{"SO_TYPE", SOL_SOCKET, SO_TYPE},
	{"SO_ERROR", SOL_SOCKET, SO_ERROR},
	{"IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY},
#ifdef IP_FREEBIND
	{"IP_FREEBIND", IPPROTO_IP, IP_FREEBIND},
#endif
#ifdef IPV6_FREEBIND
	{"IPV6_FREEBIND", IPPROTO_IPV6, IPV6_FREEBIND},
#endif
#ifdef IP_TRANSPARENT
	{"IP_TRANSPARENT", IPPROTO_IP, IP_TRANSPARENT},
#endif
#ifdef IP_BIND_ADDRESS_NO_PORT
	{"IP_BIND_ADDRESS_NO_PORT", IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT},
#endif
	{"TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY},
};

static const struct named shutdowns[] = {
	{"rd", SHUT_RD}, {"wr", SHUT_WR}, {"rdwr", SHUT_RDWR},
	{"SHUT_RD", SHUT_RD}, {"SHUT_WR", SHUT_WR}, {"SHUT_RDWR", SHUT_RDWR},
};

static int lookup(const struct named *t, size_t n, const char *name, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].value;
			return 0;
		}
	}
	return -1;
}

static const char *rlookup(const struct named *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Expectations name errnos by the thousand: a sorted copy, searched. */
int bc_errno_from_name(const char *name, int *code)
{
	static struct named sorted[ARRAY_LEN(errnos)];
	static bool ready;
	if (!ready) {
		memcpy(sorted, errnos, sizeof(errnos));
		qsort(sorted, ARRAY_LEN(sorted), sizeof(sorted[0]), by_name);
		ready = true;
	}
	const struct named key = {name, 0}, *hit = bsearch(&key, sorted, ARRAY_LEN(sorted), sizeof(sorted[0]), by_name);
	if (!hit)
		return -1;
	*code = hit->value;
	return 0;
}

const char *bc_errno_name(int code)
{
	if (code < 0)
		return NULL;
	return rlookup(errnos, ARRAY_LEN(errnos), code);
}

int bc_eai_from_name(const char *name, int *code)
{
	return lookup(eais, ARRAY_LEN(eais), name, code);
}

const char *bc_eai_name(int code)
{
	return rlookup(eais, ARRAY_LEN(eais), code);
}

int bc_family_from_name(const char *name, int *family)
{
	return lookup(families, ARRAY_LEN(families), name, family);
}

const char *bc_family_name(int family)
{
	return rlookup(families, ARRAY_LEN(families), family);
}

int bc_socktype_from_name(const char *name, int *type)
{
	return lookup(socktypes, ARRAY_LEN(socktypes), name, type);
}

int bc_proto_from_name(const char *name, int *proto)
{
	long n;
	if (lookup(protos, ARRAY_LEN(protos), name, proto) == 0)
		return 0;
	if (bc_parse_int(name, 0, 255, &n) == 0) {
		*proto = (int)n;
		return 0;
	}
	return -1;
}

const char *bc_socktype_name(int type)
{
	return rlookup(socktypes, ARRAY_LEN(socktypes), type);
}

const char *bc_proto_name(int proto)
{
	return rlookup(protos, ARRAY_LEN(protos), proto);
}

int bc_sockopt_from_name(const char *name, int *level, int *optname)
{
	for (size_t i = 0; i < ARRAY_LEN(sockopts); i++) {
		if (strcmp(sockopts[i].name, name) == 0) {
			*level = sockopts[i].level;
			*optname = sockopts[i].optname;
			return 0;
		}
	}
	return -1;
}

int bc_shutdown_from_name(const char *name, int *how)
{
	return lookup(shutdowns, ARRAY_LEN(shutdowns), name, how);
}

/* Levenshtein distance, bounded to short names. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = toupper((unsigned char)a[i - 1]) == toupper((unsigned char)b[j - 1]) ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

const char *bc_suggest_from(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	size_t limit = strlen(word) / 3 + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

const char *bc_suggest_errno(const char *word)
{
	const char *names[ARRAY_LEN(errnos) + ARRAY_LEN(eais) + 1];
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(errnos); i++)
		names[n++] = errnos[i].name;
	for (size_t i = 0; i < ARRAY_LEN(eais); i++)
		names[n++] = eais[i].name;
	names[n++] = "ok";
	return bc_suggest_from(word, names, n);
}

const char *bc_suggest_sockopt(const char *word)
{
	const char *names[ARRAY_LEN(sockopts)];
	for (size_t i = 0; i < ARRAY_LEN(sockopts); i++)
		names[i] = sockopts[i].name;
	return bc_suggest_from(word, names, ARRAY_LEN(sockopts));
}

bool bc_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool bc_is_identifier(const char *s)
{
	if (!bc_is_name_char(*s) || (*s >= '0' && *s <= '9'))
		return false;
	while (*s && bc_is_name_char(*s))
		s++;
	return *s == '\0';
}

int bc_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;
	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int bc_outcome_parse(const char *text, struct bc_outcome *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	if (strcmp(text, "ok") == 0) {
		o->kind = BC_OUT_OK;
		return 0;
	}
	if (text[0] == '=') {
		if (strlen(text + 1) >= sizeof(o->value)) {
			snprintf(err, errlen, "value '%s' is too long", text);
			return -1;
		}
		o->kind = BC_OUT_VALUE;
		snprintf(o->value, sizeof(o->value), "%s", text + 1);
		return 0;
	}
	if (strncmp(text, "EAI_", 4) == 0 && bc_eai_from_name(text, &o->code) == 0) {
		o->kind = BC_OUT_EAI;
		return 0;
	}
	if (bc_errno_from_name(text, &o->code) == 0) {
		o->kind = BC_OUT_ERRNO;
		return 0;
	}
	const char *s = bc_suggest_errno(text);
	if (s)
		snprintf(err, errlen, "unknown result '%s'; hint: did you mean %s?", text, s);
	else
		snprintf(err, errlen, "unknown result '%s'; hint: a result is ok, an errno name (EADDRINUSE), an EAI_* name, or =VALUE", text);
	return -1;
}

void bc_outcome_format(const struct bc_outcome *o, char *buf, size_t buflen)
{
	const char *name;
	switch (o->kind) {
	case BC_OUT_OK:
		snprintf(buf, buflen, "ok");
		return;
	case BC_OUT_VALUE:
		snprintf(buf, buflen, "=%s", o->value);
		return;
	case BC_OUT_EAI:
		name = bc_eai_name(o->code);
		if (name)
			snprintf(buf, buflen, "%s", name);
		else
			snprintf(buf, buflen, "EAI(%d)", o->code);
		return;
	case BC_OUT_ERRNO:
		name = bc_errno_name(o->code);
		if (name)
			snprintf(buf, buflen, "%s", name);
		else
			snprintf(buf, buflen, "errno(%d)", o->code);
		return;
	}
}

bool bc_outcome_equal(const struct bc_outcome *a, const struct bc_outcome *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case BC_OUT_OK:
		return true;
	case BC_OUT_VALUE:
		return strcmp(a->value, b->value) == 0;
	case BC_OUT_ERRNO:
		/* -1 is a name this platform lacks: it never matches. */
		return a->code >= 0 && a->code == b->code;
	case BC_OUT_EAI:
		return a->code == b->code;
	}
	return false;
}
