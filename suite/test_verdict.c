/* Unit tests of the verdict: every verdict from crafted observations. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "suite.h"
#include "table/table.h"
#include "model/verdict.h"

/* One checked bind; columns as given. */
static int load(const char *header, const char *row, struct bc_table *t)
{
	char text[1024];
	struct bc_diags d = {0};
	snprintf(text, sizeof(text), "scenario s\n    socket h inet stream\n  ? bind h 127.0.0.1:0\n%s\n%s\n", header, row);
	int n = bc_table_parse("v.tbl", text, strlen(text), t, &d);
	if (n)
		BC_FAILF("%d:%d: %s", d.v[0].line, d.v[0].col, d.v[0].msg);
	bc_diags_free(&d);
	return n == 0 && t->ncases == 1 ? 0 : -1;
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

static struct bc_platform linux_at(int major, int minor)
{
	struct bc_platform p;
	memset(&p, 0, sizeof(p));
	p.slot = BC_SLOT_LINUX;
	p.version[0] = major;
	p.version[1] = minor;
	snprintf(p.release, sizeof(p.release), "%d.%d", major, minor);
	return p;
}

struct vcase {
	const char *header, *row;
	int major, minor;
	int err;                 /* what the checked step observed */
	enum bc_verdict want;
	const char *reason;      /* words the reason must contain, or NULL */
	int posix;
};

static const struct vcase vcases[] = {
	{"id expect source", "r EADDRINUSE s", 6, 1, EADDRINUSE, BC_PASS, NULL, -1},
	{"id expect source", "r EADDRINUSE s", 6, 1, 0, BC_FAIL, NULL, -1},
	{"id expect source", "r EADDRINUSE|EINVAL s", 6, 1, EINVAL, BC_PASS, NULL, -1},
	{"id expect linux source", "r EADDRINUSE ok s", 6, 1, 0, BC_PASS, NULL, -1},
	{"id expect linux source", "r EADDRINUSE ok s", 6, 1, EADDRINUSE, BC_FAIL, NULL, -1},
	{"id expect freebsd source", "r ok EINVAL s", 6, 1, 0, BC_PASS, NULL, -1},
	{"id posix source", "r EINVAL|EISCONN s", 6, 1, EISCONN, BC_PASS, NULL, 1},
	{"id linux posix source", "r EINVAL EISCONN s", 6, 1, EINVAL, BC_PASS, NULL, 0},
	{"id linux posix source", "r EINVAL EINVAL|EISCONN s", 6, 1, EINVAL, BC_PASS, NULL, 1},
	{"id linux source", "r n/a s", 6, 1, 0, BC_SKIP, "not applicable on linux", -1},
	{"id freebsd source", "r ok s", 6, 1, 0, BC_SKIP, "no expectation for linux", -1},
	{"id linux source", "r >=4.19:EADDRINUSE;EINVAL s", 6, 1, EADDRINUSE, BC_PASS, NULL, -1},
	{"id linux source", "r >=4.19:EADDRINUSE;EINVAL s", 4, 9, EINVAL, BC_PASS, NULL, -1},
	{"id linux source", "r >=4.19:EADDRINUSE;EINVAL s", 4, 9, EADDRINUSE, BC_FAIL, NULL, -1},
	{"id linux source", "r <5.0:EINVAL s", 6, 1, 0, BC_SKIP, "no expectation for linux 6.1", -1},
	{"id expect linux deviation source", "r EADDRINUSE ok \"linux: late option honoured\" s", 6, 1, 0, BC_XFAIL,
	 "known deviation: late option honoured", -1},
	{"id expect linux deviation source", "r EADDRINUSE ok \"linux: late option honoured\" s", 6, 1, EADDRINUSE,
	 BC_XPASS, "is gone", -1},
	{"id expect linux deviation source", "r EADDRINUSE ok \"linux: late option honoured\" s", 6, 1, EINVAL, BC_FAIL,
	 "neither", -1},
	{"id posix linux deviation source", "r EINVAL ok \"linux: differs from POSIX\" s", 6, 1, EINVAL, BC_XPASS, NULL, 1},
};

static void verdicts_table(void)
{
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *v = &vcases[i];
		struct bc_table t;
		struct bc_observation o;
		struct bc_judgement j;
		struct bc_platform p = linux_at(v->major, v->minor);
		if (load(v->header, v->row, &t) < 0) {
			bc_table_free(&t);
			continue;
		}
		observe(&o, v->err);
		bc_judge(&t.cases[0], &p, &o, &j);
		if (j.verdict != v->want)
			BC_FAILF("case %zu (%s / %s, observed %d): verdict %s, wanted %s (%s)", i, v->header, v->row, v->err,
				 bc_verdict_name(j.verdict), bc_verdict_name(v->want), j.reason);
		if (v->reason && !strstr(j.reason, v->reason))
			BC_FAILF("case %zu: reason '%s' lacks '%s'", i, j.reason, v->reason);
		if (j.posix != v->posix)
			BC_FAILF("case %zu: posix %d, wanted %d", i, j.posix, v->posix);
		bc_table_free(&t);
	}
}

/* A system without a column of its own reads expect before posix. */
static void other_systems_read_expect_first(void)
{
	struct bc_table t;
	struct bc_observation o;
	struct bc_judgement j;
	struct bc_platform p = linux_at(9, 0);
	p.slot = BC_SLOT_POSIX;
	snprintf(p.os, sizeof(p.os), "NetBSD");
	CU_ASSERT_FATAL(load("id expect posix source", "r EADDRINUSE EADDRINUSE|EINVAL s", &t) == 0);
	observe(&o, EINVAL);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_FAIL);
	CU_ASSERT_EQUAL(j.slot, BC_SLOT_EXPECT);
	CU_ASSERT_EQUAL(j.posix, 1);
	bc_table_free(&t);
	CU_ASSERT_FATAL(load("id linux posix source", "r EADDRINUSE EINVAL s", &t) == 0);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_PASS);
	CU_ASSERT_EQUAL(j.slot, BC_SLOT_POSIX);
	bc_table_free(&t);
	CU_ASSERT_FATAL(load("id linux source", "r EADDRINUSE s", &t) == 0);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_SKIP);
	CU_ASSERT_STRING_EQUAL(j.reason, "no expectation for NetBSD");
	bc_table_free(&t);
}

static void setup_failure_is_error(void)
{
	struct bc_table t;
	struct bc_observation o;
	struct bc_judgement j;
	struct bc_platform p = linux_at(6, 1);
	CU_ASSERT_FATAL(load("id expect posix source", "r ok ok s", &t) == 0);
	observe(&o, 0);
	o.status = BC_OBS_SETUP_FAILED;
	o.failed_step = 0;
	o.nsteps = 1;
	o.steps[0].out.kind = BC_OUT_ERRNO;
	o.steps[0].out.code = EAFNOSUPPORT;
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(j.reason, "setup step 1 (socket h inet stream) failed: EAFNOSUPPORT"));
	CU_ASSERT_EQUAL(j.posix, -1); /* nothing to hold against POSIX */
	bc_table_free(&t);
}

static void texts_of_expected_and_observed(void)
{
	struct bc_table t;
	struct bc_observation o;
	struct bc_judgement j;
	struct bc_platform p = linux_at(6, 1);
	CU_ASSERT_FATAL(load("id expect source", "r EADDRINUSE|EINVAL s", &t) == 0);
	observe(&o, EACCES);
	bc_judge(&t.cases[0], &p, &o, &j);
	CU_ASSERT_EQUAL(j.verdict, BC_FAIL);
	CU_ASSERT_STRING_EQUAL(j.expected_text, "EADDRINUSE|EINVAL");
	CU_ASSERT_STRING_EQUAL(j.observed_text, "EACCES");
	CU_ASSERT_EQUAL(j.slot, BC_SLOT_EXPECT);
	bc_table_free(&t);
}

static void failing_verdicts(void)
{
	CU_ASSERT(bc_verdict_is_failure(BC_FAIL));
	CU_ASSERT(bc_verdict_is_failure(BC_XPASS));
	CU_ASSERT(bc_verdict_is_failure(BC_ERROR));
	CU_ASSERT(!bc_verdict_is_failure(BC_PASS));
	CU_ASSERT(!bc_verdict_is_failure(BC_XFAIL));
	CU_ASSERT(!bc_verdict_is_failure(BC_SKIP));
}

/* "=ADDR:ephemeral" is judged against the range the observation carries,
 * the case's own namespace's, not against any fixed one. */
static void ephemeral_port_of_the_case_range(void)
{
	static const struct {
		const char *want, *got;
		unsigned short lo, hi;
		bool match;
	} v[] = {
		{"0.0.0.0:ephemeral", "0.0.0.0:40000", 40000, 40001, true},
		{"0.0.0.0:ephemeral", "0.0.0.0:40001", 40000, 40001, true},
		{"0.0.0.0:ephemeral", "0.0.0.0:40002", 40000, 40001, false},
		{"0.0.0.0:ephemeral", "0.0.0.0:39999", 40000, 40001, false},
		{"0.0.0.0:ephemeral", "0.0.0.0:50000", 40000, 40001, false}, /* in the default range only */
		{"0.0.0.0:ephemeral", "127.0.0.1:40000", 40000, 40001, false},
		{"[::]:ephemeral", "[::]:32768", 32768, 60999, true},
		{"[::]:ephemeral", "[::1]:32768", 32768, 60999, false},
		{"0.0.0.0:ephemeral", "0.0.0.0:0", 0, 0, false},             /* range unknown: never */
		{"0.0.0.0:ephemeral", "0.0.0.0:40000x", 40000, 40001, false},
		{"0.0.0.0:40000-40001", "0.0.0.0:40001", 0, 0, true},         /* the literal range is unchanged */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct bc_outcome want, got;
		struct bc_observation obs;
		char w[64], e[128];
		snprintf(w, sizeof(w), "=%s", v[i].want);
		CU_ASSERT_EQUAL_FATAL(bc_outcome_parse(w, &want, e, sizeof(e)), 0);
		memset(&got, 0, sizeof(got));
		got.kind = BC_OUT_VALUE;
		snprintf(got.value, sizeof(got.value), "%s", v[i].got);
		memset(&obs, 0, sizeof(obs));
		obs.eph_lo = v[i].lo;
		obs.eph_hi = v[i].hi;
		struct bc_expect_item it = {1, &want};
		if (bc_item_matches(&it, &got, &obs) != v[i].match)
			BC_FAILF("%s against %s in %u-%u: wanted %s", v[i].want, v[i].got, v[i].lo, v[i].hi,
				 v[i].match ? "a match" : "no match");
	}
}

static void release_parsing(void)
{
	int v[3];
	bc_platform_parse_release("6.18.44-fc-v782", v);
	CU_ASSERT(v[0] == 6 && v[1] == 18 && v[2] == 44);
	bc_platform_parse_release("14.1-RELEASE", v);
	CU_ASSERT(v[0] == 14 && v[1] == 1 && v[2] == 0);
	bc_platform_parse_release("garbage", v);
	CU_ASSERT(v[0] == 0 && v[1] == 0 && v[2] == 0);
	int a[3] = {4, 19, 0}, b[3] = {4, 9, 300};
	CU_ASSERT(bc_version_cmp(a, b) > 0);
}

/* cases/dualstack.tbl records the 6.1.y bind bug (6.1.168 and later 6.1.y)
 * as version clauses: the clause chosen by the kernel's version gives the
 * last bind ([::ffff:127.0.0.1] beside a [::ffff:0.0.0.0] holder) ok there
 * only, and EADDRINUSE before 6.1.168 and from 6.2 on. */
static void dualstack_611_clause(void)
{
	static const struct {
		int v[3];
		const char *last;
	} want[] = {
		{{6, 1, 167}, "EADDRINUSE"}, {{6, 1, 168}, "ok"},	  {{6, 1, 192}, "ok"},
		{{6, 2, 0}, "EADDRINUSE"},   {{6, 12, 117}, "EADDRINUSE"}, {{6, 18, 0}, "EADDRINUSE"},
	};
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL_FATAL(bc_table_load("cases/dualstack.tbl", &t, &d), 0);
	const struct bc_case *c = NULL;
	for (int i = 0; i < t.ncases; i++)
		if (strcmp(t.cases[i].id, "v6_local_v6_v4mapped_any.plain") == 0)
			c = &t.cases[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct bc_platform p = linux_at(want[i].v[0], want[i].v[1]);
		char why[256], text[512];
		int slot;
		p.version[2] = want[i].v[2];
		const struct bc_clause *cl = bc_expect_for(c, &p, &slot, why, sizeof(why));
		CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
		bc_clause_format(cl, text, sizeof(text));
		const char *last = strrchr(text, ',');
		CU_ASSERT_PTR_NOT_NULL_FATAL(last);
		if (strcmp(last + 1, want[i].last) != 0)
			BC_FAILF("%d.%d.%d: %s, want the last result %s", want[i].v[0], want[i].v[1], want[i].v[2], text,
				 want[i].last);
	}
	bc_table_free(&t);
	bc_diags_free(&d);
}

int bc_suite_verdict(void)
{
	CU_pSuite s = CU_add_suite("unit/verdict", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, verdicts_table);
	BC_ADD(s, other_systems_read_expect_first);
	BC_ADD(s, setup_failure_is_error);
	BC_ADD(s, texts_of_expected_and_observed);
	BC_ADD(s, failing_verdicts);
	BC_ADD(s, release_parsing);
	BC_ADD(s, dualstack_611_clause);
	BC_ADD(s, ephemeral_port_of_the_case_range);
	return 0;
}
