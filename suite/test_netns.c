/* Unit tests of the namespaces' own TCP tables (exec/netns.h): a namespace
 * made in bindcheck's base, and one made from that, own a small table
 * (net.ipv4.tcp_ehash_entries, Linux 6.1+, is negative for a namespace
 * that shares the host's); the two defaults the table's size sets stay as
 * a namespace sharing the host's table has them; the host's settings are
 * never written. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/netns.h"
#include "exec/sandbox.h"
#include "suite.h"

#define IPV4 "/proc/sys/net/ipv4/"

static bool read_long(const char *path, long *v)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fscanf(f, "%ld", v) == 1;
	if (f)
		fclose(f);
	return ok;
}

/* One namespace's table and defaults, as text. */
static int describe(char *buf, size_t n)
{
	long e = 0, t = 0, s = 0;
	read_long(IPV4 "tcp_ehash_entries", &e);
	read_long(IPV4 "tcp_max_tw_buckets", &t);
	read_long(IPV4 "tcp_max_syn_backlog", &s);
	return snprintf(buf, n, "%ld %ld %ld ", e, t, s);
}

/* In the sandbox's child (no namespace of its own): into the base when
 * *arg says so, then a namespace, and one made from that. */
static int fn_tables(void *arg, int fd)
{
	char msg[256], why[256];
	int len = 0;
	if (*(const bool *)arg && bc_netns_enter_base() < 0)
		return 2;
	for (int i = 0; i < 2; i++) {
		if (bc_sandbox_enter_private_net(why, sizeof(why)) < 0) {
			(void)write(fd, why, strlen(why));
			return 1;
		}
		len += describe(msg + len, sizeof(msg) - (size_t)len);
	}
	(void)write(fd, msg, (size_t)len);
	return 0;
}

struct seen {
	long ehash[2], tw[2], syn[2];
};

static bool tables_of(bool enter, struct seen *s)
{
	struct bc_sandbox_cfg c = {.timeout_ms = 5000};
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_tables, &enter, &r);
	bool ok = r.end == BC_SB_EXITED && r.status == 0 &&
		  sscanf(r.out, "%ld %ld %ld %ld %ld %ld", &s->ehash[0], &s->tw[0], &s->syn[0], &s->ehash[1], &s->tw[1],
			 &s->syn[1]) == 6;
	if (!ok)
		BC_FAILF("the namespaces' tables: %s", r.out ? r.out : "(no output)");
	bc_sandbox_result_free(&r);
	return ok;
}

static void namespaces_own_a_small_table(void)
{
	static struct bc_sandbox_caps caps;
	struct seen s;
	bc_sandbox_probe(&caps);
	if (access(IPV4 "tcp_child_ehash_entries", F_OK) < 0 || caps.shared_sysctls) {
		/* Before Linux 6.1, and under gVisor: no base, nothing changes. */
		CU_ASSERT_FALSE(caps.small_tables);
		return;
	}
	CU_ASSERT_TRUE_FATAL(caps.small_tables);
	if (!tables_of(true, &s))
		return;
	for (int i = 0; i < 2; i++) {
		if (s.ehash[i] != BC_NETNS_EHASH || s.tw[i] != (long)caps.tw_buckets ||
		    s.syn[i] != (long)caps.syn_backlog)
			BC_FAILF("namespace %d: ehash %ld (want %d), tw_buckets %ld (want %u), syn_backlog %ld (want %u)", i,
				 s.ehash[i], BC_NETNS_EHASH, s.tw[i], caps.tw_buckets, s.syn[i], caps.syn_backlog);
	}
	/* A namespace made outside the base shares the host's table (the
	 * reading tells them apart); one made from it has its own again. */
	if (!tables_of(false, &s))
		return;
	CU_ASSERT_TRUE(s.ehash[0] < 0);
	CU_ASSERT_EQUAL(s.ehash[1], BC_NETNS_EHASH);
	CU_ASSERT_EQUAL(s.tw[1], (long)caps.tw_buckets);
}

/* The probe sets up the base, never the host. */
static void the_host_is_not_written(void)
{
	static const char *const names[] = {IPV4 "tcp_child_ehash_entries", IPV4 "tcp_max_tw_buckets",
					    IPV4 "tcp_max_syn_backlog"};
	static struct bc_sandbox_caps caps;
	long before[3] = {-1, -1, -1}, after[3] = {-1, -1, -1};
	for (int i = 0; i < 3; i++)
		read_long(names[i], &before[i]);
	bc_sandbox_probe(&caps);
	for (int i = 0; i < 3; i++) {
		read_long(names[i], &after[i]);
		if (before[i] != after[i])
			BC_FAILF("%s: %ld before the probe, %ld after", names[i], before[i], after[i]);
	}
}

int bc_suite_netns(void)
{
	CU_pSuite s = CU_add_suite("unit/netns", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD_NETNS(s, namespaces_own_a_small_table);
	BC_ADD_NETNS(s, the_host_is_not_written);
	return 0;
}
