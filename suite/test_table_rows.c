/* Unit tests of per-scenario rows ("rows NAME", a header, rows): that they
 * make the same cases as the table-wide header, with every kind of cell,
 * and that the two forms mix as cases/README.md says.  The malformed
 * inputs are in test_table.c's list with the others.  Then what rows share
 * in their table's store, and a case on its way to a pool worker. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/socket.h>

#include <unistd.h>

#include "exec/wire.h"
#include "model/platform.h"
#include "model/verdict.h"
#include "suite.h"
#include "fault/faults.h"
#include "table/table.h"

#define SCENARIOS                                                                                                   \
	"scenario bind\n    socket s $family stream\n  ? bind s $addr\n"                                            \
	"scenario listen\n    socket s inet $type\n  ? listen s 1\n"

static int parse(const char *text, struct bc_table *t, struct bc_diags *d)
{
	int n = bc_table_parse("rows.tbl", text, strlen(text), t, d);
	if (n)
		BC_FAILF("%d diagnostics, first: %d:%d %s", n, d->v[0].line, d->v[0].col, d->v[0].msg);
	return n;
}

static bool same_expect(const struct bc_expect *a, const struct bc_expect *b)
{
	if (a->state != b->state || a->nclauses != b->nclauses)
		return false;
	for (int k = 0; k < a->nclauses; k++)
		if (a->clauses[k].op != b->clauses[k].op || a->clauses[k].nitems != b->clauses[k].nitems)
			return false;
	return true;
}

/* The same rows written both ways make the same cases, in the same order. */
static void rows_match_the_table_wide_header(void)
{
	static const char wide[] = SCENARIOS
		"id  scenario family addr        type  linux        posix       freebsd source note\n"
		"b1  bind     inet   127.0.0.1:0 -     ok           ok          -       s1     -\n"
		"l1  listen   -      -           dgram -            EOPNOTSUPP  -       s2     \"a note\"\n"
		"b2  bind     inet6  [::1]:0     -     \">=4.1:ok;EINVAL\" -     n/a     s3     -\n";
	static const char sections[] = SCENARIOS
		"rows bind\n"
		"id  family addr        linux  posix source\n"
		"b1  inet   127.0.0.1:0 ok     ok    s1\n"
		"rows listen\n"
		"id  type  posix      source note\n"
		"l1  dgram EOPNOTSUPP s2     \"a note\"\n"
		"rows bind\n"
		"id  family addr    linux             freebsd source\n"
		"b2  inet6  [::1]:0 \">=4.1:ok;EINVAL\" n/a     s3\n";
	struct bc_table a, b;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL_FATAL(parse(wide, &a, &d), 0);
	CU_ASSERT_EQUAL_FATAL(parse(sections, &b, &d), 0);
	CU_ASSERT_EQUAL_FATAL(a.ncases, 3);
	CU_ASSERT_EQUAL_FATAL(b.ncases, 3);
	for (int i = 0; i < 3; i++) {
		const struct bc_case *x = &a.cases[i], *y = &b.cases[i];
		CU_ASSERT_STRING_EQUAL(x->id, y->id);
		CU_ASSERT_STRING_EQUAL(x->scenario, y->scenario);
		CU_ASSERT_STRING_EQUAL(x->source, y->source);
		CU_ASSERT_EQUAL(x->note == NULL, y->note == NULL);
		CU_ASSERT_EQUAL_FATAL(x->nsteps, y->nsteps);
		for (int s = 0; s < x->nsteps; s++)
			CU_ASSERT_STRING_EQUAL(x->steps[s]->text, y->steps[s]->text);
		for (int s = 0; s < BC_SLOT_COUNT; s++)
			if (!same_expect(&x->exp[s], &y->exp[s]))
				BC_FAILF("%s: expectation slot %d differs", x->id, s);
	}
	CU_ASSERT_STRING_EQUAL(b.cases[1].steps[0]->text, "socket s inet dgram");
	CU_ASSERT_STRING_EQUAL(b.cases[1].note, "a note");
	CU_ASSERT_EQUAL(b.cases[2].line, 15);
	CU_ASSERT_EQUAL(b.cases[2].exp[BC_SLOT_LINUX].nclauses, 2);
	CU_ASSERT_EQUAL(b.cases[2].exp[BC_SLOT_FREEBSD].state, BC_EXP_NA);
	CU_ASSERT_EQUAL(b.cases[2].exp[BC_SLOT_POSIX].state, BC_EXP_UNSET);
	bc_table_free(&a);
	bc_table_free(&b);
	bc_diags_free(&d);
}

/* A section may have several headers; a scenario may follow the rows, and
 * its own rows after it; the table-wide header may come first. */
static void sections_headers_and_the_table_wide_header_mix(void)
{
	static const char text[] = "scenario bind\n    socket s $family stream\n  ? bind s $addr\n"
				   "id  family addr        expect source\n"
				   "w1  inet   127.0.0.1:0 ok     s\n"
				   "scenario listen\n    socket s inet $type\n  ? listen s 1\n"
				   "rows listen\n"
				   "id  type   expect     source\n"
				   "l1  dgram  EOPNOTSUPP s\n"
				   "id  type   linux      source\n"
				   "l2  stream ok         s\n"
				   "rows bind\n"
				   "id  addr        family linux  source\n"
				   "b1  [::1]:0     inet6  ok     s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL_FATAL(parse(text, &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 4);
	CU_ASSERT_STRING_EQUAL(t.cases[0].scenario, "bind");
	CU_ASSERT_STRING_EQUAL(t.cases[1].scenario, "listen");
	CU_ASSERT_EQUAL(t.cases[1].exp[BC_SLOT_EXPECT].state, BC_EXP_SET);
	CU_ASSERT_EQUAL(t.cases[1].exp[BC_SLOT_LINUX].state, BC_EXP_UNSET);
	CU_ASSERT_STRING_EQUAL(t.cases[2].id, "l2");
	CU_ASSERT_STRING_EQUAL(t.cases[2].steps[0]->text, "socket s inet stream");
	CU_ASSERT_EQUAL(t.cases[2].exp[BC_SLOT_EXPECT].state, BC_EXP_UNSET);
	CU_ASSERT_EQUAL(t.cases[2].exp[BC_SLOT_LINUX].state, BC_EXP_SET);
	CU_ASSERT_STRING_EQUAL(t.cases[3].steps[1]->text, "bind s [::1]:0");
	CU_ASSERT(t.cases[3].needs & BC_NEEDS_INET6);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* Profiles (the table's default among them), deviations, targets, faults
 * and sweeps work in a section as under the table-wide header. */
static void sections_take_every_kind_of_cell(void)
{
	static const char text[] = "profile default\n    user 0\nprofile nobody\n    user 65534\n"
				   "target t\n    command @bindcheck serve - 80\n"
				   "scenario serve\n  ? run t\n"
				   "scenario bind\n    socket s inet stream\n  ? bind s $addr\n"
				   "rows bind\n"
				   "id  addr          profile expect linux deviation      source timeout\n"
				   "p1  127.0.0.1:80  nobody  EACCES ok   \"linux: why\"  s      2s\n"
				   "p2  127.0.0.1:0   -       ok     -    -              s      -\n"
				   "rows serve\n"
				   "id  fault                 expect   source\n"
				   "f1  bind:1:EACCES         =exit:1  s\n"
				   "f2  sweep:listen:1        =exit:1  s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL_FATAL(parse(text, &t, &d), 0);
	CU_ASSERT_FATAL(t.ncases > 3);
	const struct bc_case *p1 = bc_suite_find_case(&t, "p1"), *p2 = bc_suite_find_case(&t, "p2");
	const struct bc_case *f1 = bc_suite_find_case(&t, "f1");
	CU_ASSERT_FATAL(p1 && p2 && f1);
	CU_ASSERT_STRING_EQUAL(p1->profile->name, "nobody");
	CU_ASSERT_STRING_EQUAL(p2->profile->name, "default");
	CU_ASSERT_EQUAL(p1->deviation_mask, 1u << BC_SLOT_LINUX);
	CU_ASSERT_EQUAL(p1->timeout_ms, 2000);
	CU_ASSERT_EQUAL(f1->nfaults, 1);
	CU_ASSERT_PTR_NOT_NULL(f1->target);
	CU_ASSERT_PTR_NOT_NULL(bc_suite_find_case(&t, "f2.listen.EADDRINUSE"));
	CU_ASSERT_PTR_NULL(bc_suite_find_case(&t, "f2"));
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* Selectors: what a rule selects, several rules on one call, and the
 * rules as the preload reads them (fault/protocol.h). */
static void faults_select_by_family_address_and_option(void)
{
	static const char text[] = "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n"
				   "id  fault                                                          expect   source\n"
				   "f1  bind@[::1]:*:EADDRINUSE;bind@127.0.0.1:8080:1:EACCES;bind:2:EIO  =exit:1  s\n"
				   "f2  socket@inet6:1:EAFNOSUPPORT;setsockopt@IPV6_V6ONLY:2+:EINVAL    =exit:1  s\n"
				   "f3  bind:1:EACCES;bind:3:EACCES;bind:5+:EACCES                     =exit:1  s\n"
				   "f4  sweep:bind@[::1]:1                                             =exit:1  s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	char env[512];
	CU_ASSERT_EQUAL_FATAL(parse(text, &t, &d), 0);
	const struct bc_case *f1 = bc_suite_find_case(&t, "f1"), *f2 = bc_suite_find_case(&t, "f2");
	const struct bc_case *f3 = bc_suite_find_case(&t, "f3");
	CU_ASSERT_FATAL(f1 && f2 && f3);
	CU_ASSERT_EQUAL(f1->nfaults, 3);
	CU_ASSERT_EQUAL(f1->faults[0].sel, BC_SEL_ADDR);
	CU_ASSERT_EQUAL(f1->faults[0].family, AF_INET6);
	CU_ASSERT_EQUAL(f1->faults[0].port, -1);
	CU_ASSERT_EQUAL(f1->faults[1].port, 8080);
	CU_ASSERT_EQUAL(f1->faults[2].sel, BC_SEL_NONE);
	bc_fault_env(f1->faults, f1->nfaults, env, sizeof(env));
	CU_ASSERT_STRING_EQUAL(env, "bind@a10.00000000000000000000000000000001:*:98;bind@a2.7f000001.8080:1:13;bind:2:5");
	bc_fault_env(f2->faults, f2->nfaults, env, sizeof(env));
	CU_ASSERT_STRING_EQUAL(env, "socket@f10:1:97;setsockopt@o41.26:2+:22");
	CU_ASSERT_EQUAL(f3->nfaults, 3);
	CU_ASSERT_PTR_NOT_NULL(bc_suite_find_case(&t, "f4.bind.--1.EADDRINUSE"));
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* A bad row, or a bad section, loses only itself. */
static void a_bad_section_loses_only_its_rows(void)
{
	static const char text[] = SCENARIOS
		"rows bind\n"
		"id  family addr        expect source\n"
		"b1  inet   127.0.0.1:0 EBOGUS s\n"
		"b2  inet   127.0.0.1:0 ok     s\n"
		"rows nosuch\n"
		"id  x      expect source\n"
		"n1  1      ok     s\n"
		"rows listen\n"
		"id  type   expect     source\n"
		"l1  dgram  EOPNOTSUPP s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(bc_table_parse("rows.tbl", text, strlen(text), &t, &d), 2);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 2);
	CU_ASSERT_STRING_EQUAL(t.cases[0].id, "b2");
	CU_ASSERT_STRING_EQUAL(t.cases[1].id, "l1");
	CU_ASSERT_EQUAL_FATAL(d.n, 2);
	CU_ASSERT_EQUAL(d.v[0].line, 9);
	CU_ASSERT_EQUAL(d.v[1].line, 11);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* A directive out of place is one error: its block's lines are not rows. */
static void a_late_profile_is_one_error(void)
{
	static const char text[] = SCENARIOS
		"rows listen\n"
		"id  type   expect     source\n"
		"profile p\n"
		"    user 1\n"
		"l1  dgram  EOPNOTSUPP s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(bc_table_parse("rows.tbl", text, strlen(text), &t, &d), 1);
	CU_ASSERT_EQUAL(t.ncases, 1);
	bc_table_free(&t);
	bc_diags_free(&d);
}

#define SHARED                                                                                                      \
	"profile p\n    sysctl net.core.somaxconn 8\n"                                                             \
	"target t\n    command @bindcheck serve - 80\n"                                                            \
	"scenario serve\n  ? run t\n"                                                                              \
	"scenario bind\n    socket s inet stream\n  ? bind s $addr\n"                                             \
	"rows bind\n"                                                                                              \
	"id addr        profile expect        source\n"                                                            \
	"a  127.0.0.1:0 p       ok            s\n"                                                                 \
	"b  127.0.0.1:0 p       ok            s\n"                                                                 \
	"c  127.0.0.2:0 -       EADDRNOTAVAIL s\n"                                                                 \
	"id addr        linux   posix deviation     source\n"                                                      \
	"d  127.0.0.1:0 n/a     ok    \"linux: why\" s\n"                                                           \
	"rows serve\n"                                                                                             \
	"id fault            expect  source\n"                                                                     \
	"f  bind:1:EACCES    =exit:1 s\n"                                                                          \
	"g  listen:1:EACCES  =exit:1 s\n"

/* What rows have alike, they share in the table's store: a step made the
 * same, a string, a parsed expectation, a merged profile, a target. */
static void rows_share_what_is_the_same(void)
{
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL_FATAL(parse(SHARED, &t, &d), 0);
	const struct bc_case *a = bc_suite_find_case(&t, "a"), *b = bc_suite_find_case(&t, "b");
	const struct bc_case *c = bc_suite_find_case(&t, "c"), *f = bc_suite_find_case(&t, "f");
	const struct bc_case *g = bc_suite_find_case(&t, "g");
	CU_ASSERT_FATAL(a && b && c && f && g);
	CU_ASSERT_PTR_EQUAL(a->steps[0], c->steps[0]);
	CU_ASSERT_PTR_EQUAL(a->steps[1], b->steps[1]);
	CU_ASSERT_PTR_NOT_EQUAL(a->steps[1], c->steps[1]);
	CU_ASSERT_STRING_EQUAL(c->steps[1]->text, "bind s 127.0.0.2:0");
	CU_ASSERT_PTR_EQUAL(a->source, c->source);
	CU_ASSERT_PTR_EQUAL(a->profile, b->profile);
	CU_ASSERT_PTR_NULL(c->profile);
	CU_ASSERT_PTR_EQUAL(a->exp[BC_SLOT_EXPECT].clauses, b->exp[BC_SLOT_EXPECT].clauses);
	CU_ASSERT_PTR_NOT_EQUAL(a->exp[BC_SLOT_EXPECT].clauses, c->exp[BC_SLOT_EXPECT].clauses);
	CU_ASSERT_PTR_EQUAL(f->target, g->target);
	CU_ASSERT_STRING_EQUAL(f->faults[0].call, "bind");
	CU_ASSERT_STRING_EQUAL(g->faults[0].call, "listen");
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* A case reaches a pool worker (exec/wire.h) with everything the worker
 * reads of it: the same steps, profile, target and faults, and the same
 * answer to whether it runs here and why not. */
static void a_case_reaches_its_worker_as_it_runs(void)
{
	struct bc_table t;
	struct bc_diags d = {0};
	struct bc_platform plat;
	int fds[2], idx = -1;
	bc_platform_detect(&plat);
	CU_ASSERT_EQUAL_FATAL(parse(SHARED, &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	for (int i = 0; i < t.ncases; i++) {
		const struct bc_case *c = &t.cases[i];
		char why_c[512] = "", why_w[512] = "";
		int slot_c, slot_w;
		CU_ASSERT_FATAL(bc_wire_send_case(fds[1], 40 + i, c));
		const struct bc_case *w = bc_wire_recv_case(fds[0], &idx);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		CU_ASSERT_EQUAL(idx, 40 + i);
		CU_ASSERT_EQUAL_FATAL(w->nsteps, c->nsteps);
		for (int s = 0; s < c->nsteps; s++) {
			struct bc_step x = *c->steps[s], y = *w->steps[s];
			x.text = y.text = NULL;
			if (memcmp(&x, &y, sizeof(x)) != 0)
				BC_FAILF("%s: step %d differs", c->id, s + 1);
		}
		CU_ASSERT_EQUAL(!c->profile, !w->profile);
		CU_ASSERT(!c->profile || memcmp(c->profile, w->profile, sizeof(*c->profile)) == 0);
		CU_ASSERT_EQUAL(!c->target, !w->target);
		CU_ASSERT(!c->target || memcmp(c->target, w->target, sizeof(*c->target)) == 0);
		CU_ASSERT_EQUAL_FATAL(w->nfaults, c->nfaults);
		CU_ASSERT(!c->nfaults || memcmp(c->faults, w->faults, (size_t)c->nfaults * sizeof(*c->faults)) == 0);
		CU_ASSERT(w->timeout_ms == c->timeout_ms && w->needs == c->needs && w->nhandles == c->nhandles);
		bool runs_c = bc_expect_for(c, &plat, &slot_c, why_c, sizeof(why_c)) != NULL;
		bool runs_w = bc_expect_for(w, &plat, &slot_w, why_w, sizeof(why_w)) != NULL;
		CU_ASSERT(runs_c == runs_w && slot_c == slot_w);
		CU_ASSERT_STRING_EQUAL(why_c, why_w);
	}
	close(fds[0]);
	close(fds[1]);
	bc_table_free(&t);
	bc_diags_free(&d);
}

int bc_suite_table_rows(CU_pSuite s)
{
	BC_ADD(s, rows_share_what_is_the_same);
	BC_ADD(s, a_case_reaches_its_worker_as_it_runs);
	BC_ADD(s, rows_match_the_table_wide_header);
	BC_ADD(s, sections_headers_and_the_table_wide_header_mix);
	BC_ADD(s, sections_take_every_kind_of_cell);
	BC_ADD(s, faults_select_by_family_address_and_option);
	BC_ADD(s, a_bad_section_loses_only_its_rows);
	BC_ADD(s, a_late_profile_is_one_error);
	return 0;
}
