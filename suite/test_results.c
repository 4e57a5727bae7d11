/* Unit tests of results.json and the Markdown summary made from it. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/escape.h"
#include "report/report.h"
#include "report/results.h"
#include "suite.h"
#include "table/table.h"

static const char table_text[] = "scenario s\n    socket h inet stream\n  ? bind h 127.0.0.1:0\n"
				 "id expect posix source\n"
				 "good ok ok \"LTP bind01\"\n"
				 "bad EADDRINUSE|EINVAL EINVAL \"KSRC __inet_bind\"\n";

static void fake_run(struct bc_run_info *r)
{
	memset(r, 0, sizeof(*r));
	r->prog = "bindcheck";
	r->platform.slot = BC_SLOT_LINUX;
	snprintf(r->platform.os, sizeof(r->platform.os), "Linux");
	snprintf(r->platform.release, sizeof(r->platform.release), "6.1.0");
	r->platform.version[0] = 6;
	r->platform.version[1] = 1;
	snprintf(r->platform.id, sizeof(r->platform.id), "linux-6.1-test");
	r->isolation = "fork + private network namespace";
	r->private_net = r->ipv6 = true;
}

static void result_for(const struct bc_run_info *r, const struct bc_case *c, int err, struct bc_case_result *res)
{
	memset(res, 0, sizeof(*res));
	res->c = c;
	res->ran = true;
	res->obs.magic = BC_OBS_MAGIC;
	res->obs.nsteps = 2;
	res->obs.steps[0].ran = res->obs.steps[1].ran = true;
	res->obs.steps[1].out.kind = err ? BC_OUT_ERRNO : BC_OUT_OK;
	res->obs.steps[1].out.code = err;
	res->duration_us = 1234;
	bc_judge(c, &r->platform, &res->obs, &res->j);
}

static json_t *build(struct bc_table *t)
{
	struct bc_run_info r;
	struct bc_diags d = {0};
	struct bc_case_result res;
	fake_run(&r);
	if (bc_table_parse("cases/x.tbl", table_text, strlen(table_text), t, &d) != 0 || t->ncases != 2)
		return NULL;
	bc_diag_add(&d, "cases/y.tbl", 3, 7, "unknown column 'z'");
	json_t *root = bc_results_new(&r);
	bc_results_add_table(root, t);
	result_for(&r, &t->cases[0], 0, &res);
	bc_results_add_case(root, &r, &res);
	result_for(&r, &t->cases[1], 13 /* EACCES */, &res);
	bc_results_add_case(root, &r, &res);
	bc_results_add_diags(root, &d);
	bc_results_finish(root);
	bc_diags_free(&d);
	return root;
}

static void json_document(void)
{
	struct bc_table t;
	json_t *root = build(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(root, "schema")), BC_RESULTS_SCHEMA);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(root, "schema_version")), BC_RESULTS_VERSION);
	json_t *sum = json_object_get(root, "summary");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "total")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "pass")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "fail")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "input_errors")), 1);
	json_t *bad = json_array_get(json_object_get(root, "cases"), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(bad, "verdict")), "fail");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(bad, "observed")), "EACCES");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(bad, "expected"), "results")),
			       "EADDRINUSE|EINVAL");
	CU_ASSERT(json_is_false(json_object_get(bad, "posix_conformance")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(bad, "rerun")),
			       "bindcheck run cases/x.tbl --filter 'x/bad'");
	json_t *steps = json_object_get(bad, "steps");
	CU_ASSERT_EQUAL(json_array_size(steps), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(steps, 1), "outcome")), "EACCES");
	json_t *err = json_array_get(json_object_get(root, "input_errors"), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(err, "column")), 7);
	json_decref(root);
	bc_table_free(&t);
}

/* What a report makes of root, as a string (NULL when it failed). */
static char *render(int (*report)(const json_t *, FILE *), const json_t *root)
{
	char *text = NULL;
	size_t len = 0;
	if (!root)
		return NULL;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	int rc = report(root, f);
	fclose(f);
	if (rc != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void markdown_from_json(void)
{
	struct bc_table t;
	json_t *root = build(&t);
	char *text = render(bc_report_markdown, root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# bindcheck conformance: linux-6.1-test"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "**1 of 2 judged cases conform: 1 behave as documented (pass), 0 as a known"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| x | 2 | 1 | 1 | 0 | 0 | 0 | 0 |"));
	/* The set's '|' is escaped so the Markdown table keeps its columns. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| `x/bad` | fail | `EADDRINUSE\\|EINVAL` | `EACCES` |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "`cases/y.tbl:3:7`: unknown column 'z'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "POSIX: 1 of 2 cases with a POSIX result set stay within it."));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| `x/bad` | `EINVAL` | `EACCES` | KSRC __inet_bind |"));
	free(text);
	json_decref(root);
	bc_table_free(&t);
}

/* JUnit for a pass/fail pair: the counts, the passing case without a
 * failure, and the failing one with its failure element and text. */
static void junit_from_json_has_the_failure(void)
{
	struct bc_table t;
	json_t *root = build(&t);
	char *text = render(bc_report_junit, root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<testsuites name=\"bindcheck\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<testsuite name=\"x\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<testcase classname=\"x\" name=\"good\" time=\"0.001234\"/>\n"));
	/* One failure, and it is the bad case's. */
	const char *bad = strstr(text, "<testcase classname=\"x\" name=\"bad\" time=\"0.001234\">\n");
	const char *fail = strstr(text, "<failure");
	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fail);
	CU_ASSERT_PTR_NULL(strstr(fail + 1, "<failure"));
	CU_ASSERT(fail > bad && fail < strstr(bad, "</testcase>"));
	static const char want[] = "<failure type=\"fail\" message=\"observed differs from expected\">"
				   "expected: EADDRINUSE|EINVAL (column expect)\nobserved: EACCES\n"
				   "step 1   socket h inet stream -> ok\nstep 2 ? bind h 127.0.0.1:0 -> EACCES\n"
				   "source: KSRC __inet_bind\nrerun: bindcheck run cases/x.tbl --filter &#39;x/bad&#39;\n</failure>\n";
	if (strncmp(fail, want, strlen(want)) != 0)
		BC_FAILF("failure element:\n%.600s\nwanted:\n%s", fail, want);
	free(text);
	json_decref(root);
	bc_table_free(&t);
}

/* A row that records a deviation, judged three ways: the deviating result
 * (xfail), the documented one (xpass), neither (fail).  results.json
 * carries both results; the Markdown and the HTML show both. */
/* Is j the string want? */
static bool is(const json_t *j, const char *want)
{
	return json_is_string(j) && strcmp(json_string_value(j), want) == 0;
}

static void deviation_shows_both_results(void)
{
	static const char text[] = "scenario s\n    socket h inet stream\n  ? bind h 127.0.0.1:0\n"
				   "id expect linux deviation source\n"
				   "dev EADDRINUSE ok \"linux: Linux lets it be, and this reason is long enough to be folded in the "
				   "HTML report, which shows reasons over a hundred and twenty characters folded\" \"socket(7)\"\n";
	static const int seen[] = {0, 98 /* EADDRINUSE */, 13 /* EACCES */};
	static const char *const verdict[] = {"xfail", "xpass", "fail"};
	struct bc_table t;
	struct bc_run_info r;
	struct bc_case_result res;
	struct bc_diags d = {0};
	fake_run(&r);
	CU_ASSERT_FATAL(bc_table_parse("cases/dev.tbl", text, strlen(text), &t, &d) == 0 && t.ncases == 1);
	for (size_t i = 0; i < 3; i++) {
		json_t *root = bc_results_new(&r);
		result_for(&r, &t.cases[0], seen[i], &res);
		bc_results_add_case(root, &r, &res);
		bc_results_finish(root);
		const json_t *c = json_array_get(json_object_get(root, "cases"), 0), *e = json_object_get(c, "expected");
		CU_ASSERT(is(json_object_get(c, "verdict"), verdict[i]));
		CU_ASSERT(is(json_object_get(e, "results"), "ok"));
		CU_ASSERT(is(json_object_get(e, "column"), "linux"));
		CU_ASSERT(is(json_object_get(e, "documented"), "EADDRINUSE"));
		CU_ASSERT(is(json_object_get(e, "documented_column"), "expect"));
		char *md = render(bc_report_markdown, root), *html = render(bc_report_html, root);
		CU_ASSERT_PTR_NOT_NULL_FATAL(md);
		CU_ASSERT_PTR_NOT_NULL_FATAL(html);
		if (i == 0 && !strstr(md, "| `dev/dev` | `EADDRINUSE` (expect) | `ok` (linux) | `ok` | known deviation: "))
			BC_FAILF("Markdown of an xfail:\n%s", md);
		if (i > 0 && !strstr(md, "| `ok` (column linux, a recorded deviation; documented, column expect: `EADDRINUSE`) |"))
			BC_FAILF("Markdown of an %s:\n%s", verdict[i], md);
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"lbl\">documented (expect)</span> <code>EADDRINUSE</code>"));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"lbl\">linux, a recorded deviation</span> <code>ok</code>"));
		if (i == 0)
			CU_ASSERT_PTR_NOT_NULL(strstr(html, "<details onclick=\"event.stopPropagation()\"><summary>known deviation: "));
		free(md);
		free(html);
		json_decref(root);
	}
	bc_table_free(&t);
	/* A row without a deviation has none of it. */
	json_t *plain = build(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	const json_t *e = json_object_get(json_array_get(json_object_get(plain, "cases"), 1), "expected");
	CU_ASSERT(json_is_null(json_object_get(e, "documented")) && json_is_null(json_object_get(e, "documented_column")));
	char *html = render(bc_report_html, plain);
	CU_ASSERT_PTR_NOT_NULL(html && strstr(html, "<td><code>EADDRINUSE|EINVAL</code></td>"));
	CU_ASSERT_PTR_NULL(html ? strstr(html, "<details") : NULL);
	free(html);
	json_decref(plain);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void json_round_trip(void)
{
	struct bc_table t;
	json_t *root = build(&t);
	char path[] = "/tmp/bc-results-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(bc_results_write(root, path), 0);
	json_error_t err;
	json_t *back = json_load_file(path, 0, &err);
	CU_ASSERT_PTR_NOT_NULL(back);
	CU_ASSERT(json_equal(root, back));
	json_decref(back);
	json_decref(root);
	unlink(path);
	bc_table_free(&t);
}

/* A value cut inside a UTF-8 character must not lose the case. */
static void bad_utf8_keeps_the_case(void)
{
	struct bc_table t;
	struct bc_run_info r;
	struct bc_case_result res;
	struct bc_diags d = {0};
	static const char text[] = "scenario s\n    socket h unix stream\n  ? getsockname h\nid expect source\nx =a \"caf\xc3\xa9\"\n";
	fake_run(&r);
	CU_ASSERT_FATAL(bc_table_parse("u.tbl", text, strlen(text), &t, &d) == 0);
	memset(&res, 0, sizeof(res));
	res.c = &t.cases[0];
	res.ran = true;
	res.obs.nsteps = 2;
	res.obs.steps[0].ran = res.obs.steps[1].ran = true;
	res.obs.steps[1].out.kind = BC_OUT_VALUE;
	snprintf(res.obs.steps[1].out.value, sizeof(res.obs.steps[1].out.value), "abstract:\xc3");
	bc_judge(res.c, &r.platform, &res.obs, &res.j);
	json_t *root = bc_results_new(&r);
	bc_results_add_case(root, &r, &res);
	json_t *c = json_array_get(json_object_get(root, "cases"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "observed")), "=abstract:?");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "source")), "caf\xc3\xa9");
	json_decref(root);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* XML cannot carry control characters even as references: they become
 * visible text, and the five special characters are escaped. */
static void xml_escapes_control_bytes(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bc_xml_escape(f, "\x1b[31m<a & 'b'>\"\t\x01");
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "\\x1b[31m&lt;a &amp; &#39;b&#39;&gt;&quot;\t\\x01");
	free(buf);
}

int bc_suite_results(void)
{
	CU_pSuite s = CU_add_suite("unit/results", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, json_document);
	BC_ADD(s, xml_escapes_control_bytes);
	BC_ADD(s, markdown_from_json);
	BC_ADD(s, junit_from_json_has_the_failure);
	BC_ADD(s, json_round_trip);
	BC_ADD(s, deviation_shows_both_results);
	BC_ADD(s, bad_utf8_keeps_the_case);
	return 0;
}
