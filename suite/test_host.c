/* host: nothing the suite does reaches the machine it runs on.  The state a
 * profile could change if it escaped its namespaces (the network sysctls,
 * the host name, the name-service files, the interfaces and their addresses)
 * is recorded when the suite starts and compared after every table ran; this
 * suite is registered last.  Also: a profile refuses to apply in the host's
 * network namespace, whatever it is asked. */
#define _DEFAULT_SOURCE /* getifaddrs, if_nameindex */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "suite.h"

static const char *const files[] = {
	"/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/net/ipv6/bindv6only",
	"/proc/sys/net/ipv4/ip_nonlocal_bind",          "/proc/sys/net/ipv6/ip_nonlocal_bind",
	"/proc/sys/net/core/somaxconn",                 "/proc/sys/net/ipv4/ip_local_port_range",
	"/proc/sys/net/ipv4/ip_local_reserved_ports",   "/proc/sys/net/ipv4/ip_autobind_reuse",
	"/proc/sys/net/ipv6/conf/all/disable_ipv6",     "/proc/sys/net/ipv6/conf/default/disable_ipv6",
	"/proc/sys/net/ipv6/conf/lo/disable_ipv6",      "/etc/hosts",
	"/etc/nsswitch.conf",                           "/etc/gai.conf",
	"/etc/host.conf",                               "/etc/resolv.conf",
};

#define SNAP_MAX (256 * 1024)

/* "== tag a b" lines, and lines of files as they are. */
static void append(char *buf, size_t *off, const char *a, const char *b, const char *c)
{
	if (*off < SNAP_MAX)
		*off += (size_t)snprintf(buf + *off, SNAP_MAX - *off, "%s%s%s", a, b, c);
}

/* Everything a profile could touch, as one text. */
static char *snapshot(void)
{
	char *buf = calloc(1, SNAP_MAX), line[4096], host[256] = "";
	size_t off = 0;
	if (!buf)
		return NULL;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "r");
		append(buf, &off, "== ", files[i], f ? "\n" : " (absent)\n");
		while (f && fgets(line, sizeof(line), f))
			append(buf, &off, line, "", "");
		if (f)
			fclose(f);
	}
	gethostname(host, sizeof(host) - 1);
	append(buf, &off, "== hostname ", host, "\n");
	struct if_nameindex *ifs = if_nameindex();
	for (struct if_nameindex *i = ifs; i && i->if_index; i++)
		append(buf, &off, "== link ", i->if_name, "\n");
	if (ifs)
		if_freenameindex(ifs);
	struct ifaddrs *ia = NULL;
	getifaddrs(&ia);
	for (struct ifaddrs *a = ia; a; a = a->ifa_next) {
		char text[INET6_ADDRSTRLEN] = "";
		if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
			continue;
		if (a->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, text, sizeof(text));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, text, sizeof(text));
		append(buf, &off, "== addr ", a->ifa_name, " ");
		append(buf, &off, text, "\n", "");
	}
	freeifaddrs(ia);
	return buf;
}

static char *before;

static void host_unchanged(void)
{
	char *after = snapshot();
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	if (strcmp(before, after) != 0) {
		/* Name the first line that differs. */
		const char *a = before, *b = after;
		while (*a && *a == *b)
			a++, b++;
		while (a > before && a[-1] != '\n')
			a--, b--;
		BC_FAILF("the host changed during the run: before '%.*s', after '%.*s'", (int)strcspn(a, "\n"), a,
			 (int)strcspn(b, "\n"), b);
	}
	free(after);
}

/* The refusal comes before anything is applied.  Even so the profile names
 * a sysctl that does not exist, so that a broken check could not change the
 * host either: it would fail with another message. */
static void profile_refuses_host_namespace(void)
{
	struct bc_profile p;
	struct bc_step_env env;
	char why[256] = "";
	memset(&p, 0, sizeof(p));
	p.nsysctl = 1;
	snprintf(p.sysctl[0].name, sizeof(p.sysctl[0].name), "net.bindcheck.absent");
	snprintf(p.sysctl[0].value, sizeof(p.sysctl[0].value), "1");
	CU_ASSERT_EQUAL(bc_profile_apply(&p, bc_profile_net_id(), &env, why, sizeof(why)), BC_PROFILE_UNAVAILABLE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refusing to change the host's"));
	/* An unknown host namespace is treated the same way. */
	why[0] = '\0';
	CU_ASSERT_EQUAL(bc_profile_apply(&p, 0, &env, why, sizeof(why)), BC_PROFILE_UNAVAILABLE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refusing to change the host's"));
	bc_profile_release(&env);
}

static int teardown(void)
{
	free(before);
	before = NULL;
	return 0;
}

int bc_suite_host(void)
{
	before = snapshot();
	CU_pSuite s = CU_add_suite("host/unchanged", NULL, teardown);
	if (!s)
		return -1;
	BC_ADD(s, profile_refuses_host_namespace);
	BC_ADD(s, host_unchanged);
	return 0;
}
