/* Unit tests of the values module: names both ways, addresses, outcomes. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "suite.h"
#include "model/values.h"

static void errno_names_both_ways(void)
{
	static const struct {
		const char *name;
		int code;
	} t[] = {{"EADDRINUSE", EADDRINUSE}, {"EADDRNOTAVAIL", EADDRNOTAVAIL}, {"EINVAL", EINVAL},
		 {"EBADF", EBADF},           {"ENOTSOCK", ENOTSOCK},           {"EAFNOSUPPORT", EAFNOSUPPORT},
		 {"EACCES", EACCES},         {"EOPNOTSUPP", EOPNOTSUPP},       {"EISCONN", EISCONN}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int code = -2;
		CU_ASSERT_EQUAL(bc_errno_from_name(t[i].name, &code), 0);
		CU_ASSERT_EQUAL(code, t[i].code);
		CU_ASSERT_STRING_EQUAL(bc_errno_name(t[i].code), t[i].name);
	}
}

static void errno_aliases_print_canonical(void)
{
	int code;
	CU_ASSERT_EQUAL(bc_errno_from_name("EWOULDBLOCK", &code), 0);
	CU_ASSERT_EQUAL(code, EAGAIN);
	CU_ASSERT_STRING_EQUAL(bc_errno_name(EWOULDBLOCK), "EAGAIN");
	CU_ASSERT_EQUAL(bc_errno_from_name("ENOTSUP", &code), 0);
	CU_ASSERT_STRING_EQUAL(bc_errno_name(ENOTSUP), "EOPNOTSUPP");
}

static void errno_unknown_and_foreign(void)
{
	int code = 0;
	CU_ASSERT_EQUAL(bc_errno_from_name("EADDRINUS", &code), -1);
	CU_ASSERT_EQUAL(bc_errno_from_name("", &code), -1);
	CU_ASSERT_EQUAL(bc_errno_from_name("eaddrinuse", &code), -1);
	CU_ASSERT_PTR_NULL(bc_errno_name(-1));
	CU_ASSERT_PTR_NULL(bc_errno_name(100000));
#ifdef __linux__
	/* A FreeBSD-only name is known but maps to nothing here. */
	CU_ASSERT_EQUAL(bc_errno_from_name("EDOOFUS", &code), 0);
	CU_ASSERT_EQUAL(code, -1);
#endif
}

static void suggestions(void)
{
	CU_ASSERT_STRING_EQUAL(bc_suggest_errno("EADDRINUS"), "EADDRINUSE");
	CU_ASSERT_STRING_EQUAL(bc_suggest_errno("EADDRNOTAVIAL"), "EADDRNOTAVAIL");
	CU_ASSERT_STRING_EQUAL(bc_suggest_errno("EAI_NONAM"), "EAI_NONAME");
	CU_ASSERT_PTR_NULL(bc_suggest_errno("completely-different-word"));
	CU_ASSERT_STRING_EQUAL(bc_suggest_sockopt("SO_REUSEADR"), "SO_REUSEADDR");
}

static void eai_names(void)
{
	int code;
	CU_ASSERT_EQUAL(bc_eai_from_name("EAI_NONAME", &code), 0);
	CU_ASSERT_EQUAL(code, EAI_NONAME);
	CU_ASSERT_STRING_EQUAL(bc_eai_name(EAI_AGAIN), "EAI_AGAIN");
	CU_ASSERT_EQUAL(bc_eai_from_name("EAI_BOGUS", &code), -1);
}

static void family_type_proto_names(void)
{
	int v;
	CU_ASSERT(bc_family_from_name("inet6", &v) == 0 && v == AF_INET6);
	CU_ASSERT(bc_family_from_name("AF_UNSPEC", &v) == 0 && v == AF_UNSPEC);
	CU_ASSERT_EQUAL(bc_family_from_name("inet7", &v), -1);
	CU_ASSERT_STRING_EQUAL(bc_family_name(AF_INET), "inet");
	CU_ASSERT(bc_socktype_from_name("dgram", &v) == 0 && v == SOCK_DGRAM);
	CU_ASSERT_EQUAL(bc_socktype_from_name("datagram", &v), -1);
	CU_ASSERT(bc_proto_from_name("udp", &v) == 0 && v == IPPROTO_UDP);
	CU_ASSERT(bc_proto_from_name("132", &v) == 0 && v == 132);
	CU_ASSERT_EQUAL(bc_proto_from_name("256", &v), -1);
	CU_ASSERT_EQUAL(bc_proto_from_name("tcpp", &v), -1);
}

static void sockopt_names(void)
{
	int level, name;
	CU_ASSERT(bc_sockopt_from_name("SO_REUSEADDR", &level, &name) == 0 && level == SOL_SOCKET && name == SO_REUSEADDR);
	CU_ASSERT(bc_sockopt_from_name("IPV6_V6ONLY", &level, &name) == 0 && level == IPPROTO_IPV6 && name == IPV6_V6ONLY);
	CU_ASSERT_EQUAL(bc_sockopt_from_name("SO_NOPE", &level, &name), -1);
}

static void parse_int_bounds(void)
{
	long v;
	CU_ASSERT(bc_parse_int("-1", -5, 5, &v) == 0 && v == -1);
	CU_ASSERT_EQUAL(bc_parse_int("6", -5, 5, &v), -1);
	CU_ASSERT_EQUAL(bc_parse_int("", 0, 5, &v), -1);
	CU_ASSERT_EQUAL(bc_parse_int(" 1", 0, 5, &v), -1);
	CU_ASSERT_EQUAL(bc_parse_int("1x", 0, 5, &v), -1);
	CU_ASSERT_EQUAL(bc_parse_int("99999999999999999999999", 0, 5, &v), -1);
}

/* Valid addresses: parse, then print back the same text. */
static void addr_round_trip(void)
{
	static const char *const ok[] = {"0.0.0.0:0", "127.0.0.1:80", "[::]:0", "[::1]:65535",
					 "[::ffff:127.0.0.1]:5", "[fe80::1%3]:9", "unix:/tmp/x.sock", "abstract:bc"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct bc_addr a;
		char err[256], back[BC_VALUE_MAX];
		int rc = bc_addr_parse(ok[i], &a, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, 0);
		if (rc)
			BC_FAILF("%s: %s", ok[i], err);
		bc_sockaddr_format((struct sockaddr *)&a.ss, a.len, back, sizeof(back));
		if (strcmp(back, ok[i]) != 0)
			BC_FAILF("'%s' printed back as '%s'", ok[i], back);
	}
}

static void addr_details(void)
{
	struct bc_addr a;
	char err[256];
	CU_ASSERT_EQUAL(bc_addr_parse("[::1]:P", &a, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(a.port_var, "P");
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_EQUAL(a.len, sizeof(struct sockaddr_in6));
	CU_ASSERT_EQUAL(bc_addr_parse("[fe80::1%lo]:1", &a, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(a.scope_name, "lo");
	CU_ASSERT_EQUAL(bc_addr_parse("null", &a, err, sizeof(err)), 0);
	CU_ASSERT(a.null);
	CU_ASSERT_EQUAL(bc_addr_parse("unix:.", &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a.len, sizeof(struct sockaddr_un));
	CU_ASSERT_EQUAL(bc_addr_parse("abstract:ab", &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a.len, offsetof(struct sockaddr_un, sun_path) + 3);
}

static void addr_malformed(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} bad[] = {
		{"127.0.0.1", "bad address"},         {"127.0.0.1:65536", "bad port"},
		{"127.0.0.1:-1", "bad port"},         {"256.0.0.1:1", "bad IPv4 address"},
		{"[::1:80", "bad IPv6 address"},      {"[::1]80", "bad IPv6 address"},
		{"[::g]:80", "bad IPv6 address"},     {"[::1%]:1", "bad scope"},
		{"localhost:80", "a host name is not an address"}, {"127.0.0.1:9x", "bad port"},
		{"R.8", "bad resolve result 'R.8'"},   {"R.x:80", "bad resolve result"},
		{"R.0:99999", "bad port"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bc_addr a;
		char err[256] = "";
		if (bc_addr_parse(bad[i].text, &a, err, sizeof(err)) == 0)
			BC_FAILF("'%s' was accepted", bad[i].text);
		else if (!strstr(err, bad[i].msg))
			BC_FAILF("'%s': message '%s' lacks '%s'", bad[i].text, err, bad[i].msg);
	}
	char longpath[200];
	struct bc_addr a;
	char err[256];
	memset(longpath, 'x', sizeof(longpath));
	memcpy(longpath, "unix:", 5);
	longpath[sizeof(longpath) - 1] = '\0';
	CU_ASSERT_EQUAL(bc_addr_parse(longpath, &a, err, sizeof(err)), -1);
}

static void outcomes(void)
{
	struct bc_outcome o, p;
	char err[256], buf[128];
	CU_ASSERT(bc_outcome_parse("ok", &o, err, sizeof(err)) == 0 && o.kind == BC_OUT_OK);
	CU_ASSERT(bc_outcome_parse("EADDRINUSE", &o, err, sizeof(err)) == 0 && o.kind == BC_OUT_ERRNO &&
		  o.code == EADDRINUSE);
	CU_ASSERT(bc_outcome_parse("EAI_NONAME", &o, err, sizeof(err)) == 0 && o.kind == BC_OUT_EAI);
	CU_ASSERT(bc_outcome_parse("=0.0.0.0:0", &o, err, sizeof(err)) == 0 && o.kind == BC_OUT_VALUE);
	CU_ASSERT_STRING_EQUAL(o.value, "0.0.0.0:0");
	bc_outcome_format(&o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "=0.0.0.0:0");
	CU_ASSERT_EQUAL(bc_outcome_parse("EADDRINUS", &o, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "did you mean EADDRINUSE"));
	CU_ASSERT_EQUAL(bc_outcome_parse("OK", &o, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(bc_outcome_parse("98", &o, err, sizeof(err)), -1);
	bc_outcome_parse("EINVAL", &o, err, sizeof(err));
	bc_outcome_parse("EINVAL", &p, err, sizeof(err));
	CU_ASSERT(bc_outcome_equal(&o, &p));
	bc_outcome_parse("ok", &p, err, sizeof(err));
	CU_ASSERT(!bc_outcome_equal(&o, &p));
	o.kind = BC_OUT_ERRNO;
	o.code = 4095;
	bc_outcome_format(&o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "errno(4095)");
}

int bc_suite_values(void)
{
	CU_pSuite s = CU_add_suite("unit/values", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, errno_names_both_ways);
	BC_ADD(s, errno_aliases_print_canonical);
	BC_ADD(s, errno_unknown_and_foreign);
	BC_ADD(s, suggestions);
	BC_ADD(s, eai_names);
	BC_ADD(s, family_type_proto_names);
	BC_ADD(s, sockopt_names);
	BC_ADD(s, parse_int_bounds);
	BC_ADD(s, addr_round_trip);
	BC_ADD(s, addr_details);
	BC_ADD(s, addr_malformed);
	BC_ADD(s, outcomes);
	return 0;
}
