/* Unit tests of gVisor as a platform: recognising it from what it says of
 * itself, its expectation column (which falls back to linux), version
 * clauses read as of the newest release, and deviations per platform. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/verdict.h"
#include "suite.h"
#include "table/table.h"

#define GV_VERSION "#1 SMP Sun Jan 10 15:06:54 PST 2016"

static void recognised_from_canned_inputs(void)
{
	/* runsc 20221219 on this host: uname and the kernel log. */
	CU_ASSERT_TRUE(bc_platform_is_gvisor("4.4.0", GV_VERSION, NULL));
	/* A Debian kernel's point release comes from uname's version. */
	int v[3];
	bc_platform_parse_release("6.1.0-47-cloud-amd64", v);
	bc_platform_distro_version("#1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-04-01)", v);
	CU_ASSERT(v[0] == 6 && v[1] == 1 && v[2] == 170);
	bc_platform_parse_release("6.12.57+deb12-cloud-amd64", v);
	bc_platform_distro_version("#1 SMP PREEMPT_DYNAMIC Debian 6.12.57-1~deb12u1 (2025-11-05)", v);
	CU_ASSERT(v[0] == 6 && v[1] == 12 && v[2] == 57);
	bc_platform_parse_release("6.18.44", v);
	bc_platform_distro_version("#1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3", v); /* another series: ignored */
	CU_ASSERT(v[0] == 6 && v[1] == 18 && v[2] == 44);
	CU_ASSERT_TRUE(bc_platform_is_gvisor("4.4.0", "", "[    0.000000] Starting gVisor...\n[    0.1] Moo\n"));
	/* Newer releases name themselves in the release. */
	CU_ASSERT_TRUE(bc_platform_is_gvisor("4.19.0-gvisor", "#1 SMP", NULL));
	/* Real kernels, an old one included, and an unreadable log. */
	CU_ASSERT_FALSE(bc_platform_is_gvisor("6.18.0-1-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.18.3-1 (2026-01-02)",
					      "[    0.000000] Linux version 6.18.0-1-amd64\n"));
	CU_ASSERT_FALSE(bc_platform_is_gvisor("4.4.0-210-generic", "#242-Ubuntu SMP Fri Apr 16 09:57:56 UTC 2021", ""));
	CU_ASSERT_FALSE(bc_platform_is_gvisor(NULL, NULL, NULL));
	CU_ASSERT_FALSE(bc_platform_is_gvisor("", "", "gVisor"));

	struct bc_platform p;
	memset(&p, 0, sizeof(p));
	p.slot = BC_SLOT_LINUX;
	snprintf(p.machine, sizeof(p.machine), "x86_64");
	snprintf(p.libc, sizeof(p.libc), "glibc 2.36");
	bc_platform_parse_release("4.4.0", p.version);
	bc_platform_set_gvisor(&p);
	CU_ASSERT_EQUAL(p.slot, BC_SLOT_GVISOR);
	CU_ASSERT_STRING_EQUAL(p.id, "gvisor-runsc-x86_64-glibc-2.36");
	CU_ASSERT_TRUE(p.newest_clauses);
	CU_ASSERT_STRING_EQUAL(bc_slot_name(BC_SLOT_GVISOR), "gvisor");
}

/* One checked bind; columns as given. */
static int load(const char *header, const char *row, struct bc_table *t, struct bc_diags *d)
{
	char text[1024];
	snprintf(text, sizeof(text), "scenario s\n    socket h inet stream\n  ? bind h 127.0.0.1:0\n%s\n%s\n", header, row);
	return bc_table_parse("g.tbl", text, strlen(text), t, d);
}

static void observe(struct bc_observation *o, int err)
{
	memset(o, 0, sizeof(*o));
	o->magic = BC_OBS_MAGIC;
	o->nsteps = 2;
	o->failed_step = -1;
	o->steps[0].ran = o->steps[1].ran = true;
	o->steps[1].out.kind = err ? BC_OUT_ERRNO : BC_OUT_OK;
	o->steps[1].out.code = err;
}

struct gcase {
	const char *header, *row;
	int err;
	enum bc_verdict want;
	int slot;           /* the column used */
	const char *reason; /* words the reason must contain, or NULL */
};

static const struct gcase gcases[] = {
	/* No gvisor column: Linux's result, else expect. */
	{"id linux expect source", "r EINVAL ok s", EINVAL, BC_PASS, BC_SLOT_LINUX, NULL},
	{"id expect source", "r EADDRINUSE s", EADDRINUSE, BC_PASS, BC_SLOT_EXPECT, NULL},
	{"id freebsd source", "r ok s", 0, BC_SKIP, -1, "no expectation for gvisor"},
	{"id linux source", "r n/a s", 0, BC_SKIP, -1, "not applicable on gvisor (column linux)"},
	/* The claimed 4.4 chooses no clause: the newest applies. */
	{"id linux source", "r >=5.14:EADDRINUSE;EINVAL s", EADDRINUSE, BC_PASS, BC_SLOT_LINUX, NULL},
	{"id linux source", "r <4.19:EINVAL;EADDRINUSE s", EADDRINUSE, BC_PASS, BC_SLOT_LINUX, NULL},
	{"id linux source", "r <5.0:EINVAL s", 0, BC_SKIP, -1, "no expectation for gvisor"},
	/* A gVisor finding: xfail when it holds, xpass when gVisor does what
	 * Linux does. */
	{"id linux gvisor deviation source", "r EINVAL ok \"gvisor: accepts it (GV socket_ip_tcp_generic.cc)\" s", 0,
	 BC_XFAIL, BC_SLOT_GVISOR, "known deviation: accepts it (GV socket_ip_tcp_generic.cc)"},
	{"id linux gvisor deviation source", "r EINVAL ok \"gvisor: accepts it\" s", EINVAL, BC_XPASS, BC_SLOT_GVISOR,
	 "is gone"},
	{"id linux gvisor deviation source", "r EINVAL ok \"gvisor: accepts it\" s", EPERM, BC_FAIL, BC_SLOT_GVISOR,
	 "neither"},
	/* Linux's own deviation and gVisor's, in one cell. */
	{"id expect linux gvisor deviation source",
	 "r EADDRINUSE ok EADDRINUSE \"linux: honours it late; gvisor: refuses it, as documented (GV socket_inet_loopback.cc)\" s",
	 EADDRINUSE, BC_XFAIL, BC_SLOT_GVISOR, "known deviation: refuses it, as documented (GV socket_inet_loopback.cc)"},
	{"id expect linux gvisor deviation source",
	 "r EADDRINUSE ok EADDRINUSE \"linux: honours it late; gvisor: refuses it, as documented\" s", 0, BC_XPASS,
	 BC_SLOT_GVISOR, NULL},
};

/* gVisor as runsc reports itself: release 4.4.0. */
static void gvisor_platform(struct bc_platform *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->release, sizeof(p->release), "4.4.0");
	bc_platform_parse_release(p->release, p->version);
	bc_platform_set_gvisor(p);
}

static void column_and_deviations(void)
{
	struct bc_platform p;
	gvisor_platform(&p);
	for (size_t i = 0; i < sizeof(gcases) / sizeof(gcases[0]); i++) {
		const struct gcase *g = &gcases[i];
		struct bc_table t;
		struct bc_diags d = {0};
		struct bc_observation o;
		struct bc_judgement j;
		if (load(g->header, g->row, &t, &d) != 0 || t.ncases != 1) {
			BC_FAILF("case %zu: %s", i, d.n ? d.v[0].msg : "not read");
		} else {
			observe(&o, g->err);
			bc_judge(&t.cases[0], &p, &o, &j);
			if (j.verdict != g->want || j.slot != g->slot)
				BC_FAILF("case %zu (%s): verdict %s column %d, wanted %s column %d (%s)", i, g->row,
					 bc_verdict_name(j.verdict), j.slot, bc_verdict_name(g->want), g->slot, j.reason);
			if (g->reason && !strstr(j.reason, g->reason))
				BC_FAILF("case %zu: reason '%s' lacks '%s'", i, j.reason, g->reason);
		}
		bc_table_free(&t);
		bc_diags_free(&d);
	}
}

/* On Linux the same rows keep their verdicts: the gvisor column and
 * gVisor's part of a deviation are not Linux's. */
static void linux_ignores_gvisor(void)
{
	struct bc_platform p;
	struct bc_table t;
	struct bc_diags d = {0};
	struct bc_observation o;
	struct bc_judgement j;
	memset(&p, 0, sizeof(p));
	p.slot = BC_SLOT_LINUX;
	p.version[0] = 6;
	CU_ASSERT_FATAL(load("id expect linux gvisor deviation source",
			     "r EADDRINUSE ok EADDRINUSE \"linux: honours it late; gvisor: refuses it\" s", &t, &d) == 0);
	observe(&o, 0);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_XFAIL);
	CU_ASSERT_STRING_EQUAL(j.reason, "known deviation: honours it late");
	CU_ASSERT_EQUAL(j.documented_slot, BC_SLOT_EXPECT);
	bc_table_free(&t);
	CU_ASSERT_FATAL(load("id linux gvisor deviation source", "r EINVAL ok \"gvisor: accepts it\" s", &t, &d) == 0);
	observe(&o, EINVAL);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_PASS);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* gvisor n/a: the row cannot run there as written; the skip gives the
 * deviation's reason, and Linux still runs it. */
static void not_applicable_says_why(void)
{
	struct bc_platform p;
	struct bc_table t;
	struct bc_diags d = {0};
	struct bc_observation o;
	struct bc_judgement j;
	gvisor_platform(&p);
	CU_ASSERT_FATAL(load("id expect gvisor deviation source", "r EINVAL n/a \"gvisor: orders them otherwise\" s", &t,
			     &d) == 0);
	observe(&o, EINVAL);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_SKIP);
	if (!strstr(j.reason, "not applicable on gvisor (column gvisor): orders them otherwise"))
		BC_FAILF("reason '%s'", j.reason);
	memset(&p, 0, sizeof(p));
	p.slot = BC_SLOT_LINUX;
	p.version[0] = 6;
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_PASS);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void deviation_parts(void)
{
	char b[128];
	const char *cell = "linux, freebsd: late; see a;b; gvisor : refuses it; GV x.cc";
	CU_ASSERT_TRUE(bc_deviation_reason(cell, BC_SLOT_LINUX, b, sizeof(b)));
	CU_ASSERT_STRING_EQUAL(b, "late; see a;b");
	CU_ASSERT_TRUE(bc_deviation_reason(cell, BC_SLOT_FREEBSD, b, sizeof(b)));
	CU_ASSERT_TRUE(bc_deviation_reason(cell, BC_SLOT_GVISOR, b, sizeof(b)));
	CU_ASSERT_STRING_EQUAL(b, "refuses it; GV x.cc");
	CU_ASSERT_FALSE(bc_deviation_reason(cell, BC_SLOT_DARWIN, b, sizeof(b)));
	CU_ASSERT_FALSE(bc_deviation_reason("no platform here", BC_SLOT_LINUX, b, sizeof(b)));
}

struct gerr {
	const char *header, *row, *msg;
};

static const struct gerr gerrs[] = {
	{"id linux gvisor source", "r EINVAL ok s",
	 "row 'r' gives a gvisor result without its reason; hint: add a deviation \"gvisor: why, with its source\""},
	{"id linux gvisor source", "r EINVAL n/a s",
	 "row 'r' gives a gvisor result without its reason; hint: add a deviation \"gvisor: why, with its source\""},
	{"id linux gvisor deviation source", "r EINVAL ok \"linux: why\" s",
	 "a deviation needs the documented result in 'expect' or 'posix' to deviate from"},
	{"id linux deviation source", "r EINVAL \"gvisor: why\" s",
	 "deviation for gvisor, but the row gives no gvisor result; hint: put what gvisor does in the gvisor column"},
	{"id linux gvisor deviation source", "r EINVAL ok \"hurd: why\" s",
	 "unknown platform 'hurd' in deviation; hint: linux, freebsd, darwin or gvisor"},
	{"id expect linux gvisor deviation source", "r EINVAL ok ok \"linux: a; gvisor:\" s",
	 "deviation without a reason; hint: say why, with a link or source"},
};

static void reader_errors(void)
{
	for (size_t i = 0; i < sizeof(gerrs) / sizeof(gerrs[0]); i++) {
		struct bc_table t;
		struct bc_diags d = {0};
		load(gerrs[i].header, gerrs[i].row, &t, &d);
		if (d.n < 1 || !strstr(d.v[0].msg, gerrs[i].msg))
			BC_FAILF("error %zu: got '%s', wanted '%s'", i, d.n ? d.v[0].msg : "(none)", gerrs[i].msg);
		bc_table_free(&t);
		bc_diags_free(&d);
	}
}

int bc_suite_gvisor(void)
{
	CU_pSuite s = CU_add_suite("unit/gvisor", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, recognised_from_canned_inputs);
	BC_ADD(s, column_and_deviations);
	BC_ADD(s, linux_ignores_gvisor);
	BC_ADD(s, deviation_parts);
	BC_ADD(s, not_applicable_says_why);
	BC_ADD(s, reader_errors);
	return 0;
}
