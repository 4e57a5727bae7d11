/* Unit tests of the platform matrix (bindcheck merge): which rows disagree,
 * in which order, with ephemeral ports masked, and profile runs of the host
 * shown as sensitivity columns, never as platforms.  The runs are made
 * here, as results.json would hold them. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/matrix.h"
#include "report/report.h"
#include "suite.h"

/* One case: table t, id, verdict, observation (NULL: none), its steps. */
static json_t *mkcase(const char *id, const char *verdict, const char *observed, const char *step)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:{s:{s:s}, s:n}, s:[{s:s}], s:s}", "table", "t", "id", id, "verdict",
			 verdict, "observed", observed, "reason", observed ? NULL : "skipped here", "expected", "all", "linux",
			 "ok", "results", "steps", "step", step, "source", "test source");
}

/* A run: platform id, profile (NULL for a platform), and its cases. */
static json_t *mkrun(const char *id, const char *profile, json_t *cases)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s?}, s:o}", "schema", "bindcheck-results", "platform", "id", id, "release",
			 "6.18.0", "profile", profile, "cases", cases);
}

/* host, another kernel, and the host under bindv6only:
 *   same       identical everywhere
 *   port       differs only by an ephemeral port (not named by the row)
 *   fixed      differs by port 8080, which the row names: disagrees
 *   verdict    pass here, fail there: disagrees
 *   v6only     the same on both platforms, changed under bindv6only */
static void three_runs(json_t *r[3])
{
	r[0] = mkrun("linux-6.18", NULL,
		     json_pack("[o,o,o,o,o]", mkcase("same", "pass", "ok", "bind s 127.0.0.1:0"),
			       mkcase("port", "pass", "EINVAL,=127.0.0.1:36685", "bind s 127.0.0.1:0"),
			       mkcase("fixed", "pass", "=127.0.0.1:8080", "bind s 127.0.0.1:8080"),
			       mkcase("verdict", "pass", "ok", "bind s [::1]:0"), mkcase("v6only", "pass", "ok", "bind s [::]:0")));
	r[1] = mkrun("linux-6.1", NULL,
		     json_pack("[o,o,o,o,o]", mkcase("same", "pass", "ok", "bind s 127.0.0.1:0"),
			       mkcase("port", "pass", "EINVAL,=127.0.0.1:51234", "bind s 127.0.0.1:0"),
			       mkcase("fixed", "pass", "=127.0.0.1:8081", "bind s 127.0.0.1:8080"),
			       mkcase("verdict", "fail", "ok", "bind s [::1]:0"), mkcase("v6only", "pass", "ok", "bind s [::]:0")));
	r[2] = mkrun("linux-6.18+bindv6only", "bindv6only",
		     json_pack("[o,o,o,o,o]", mkcase("same", "pass", "ok", "bind s 127.0.0.1:0"),
			       mkcase("port", "pass", "EINVAL,=127.0.0.1:40001", "bind s 127.0.0.1:0"),
			       mkcase("fixed", "pass", "=127.0.0.1:8080", "bind s 127.0.0.1:8080"),
			       mkcase("verdict", "pass", "ok", "bind s [::1]:0"),
			       mkcase("v6only", "fail", "EADDRINUSE", "bind s [::]:0")));
}

static void free_runs(json_t *r[3])
{
	for (int i = 0; i < 3; i++)
		json_decref(r[i]);
}

static const struct bc_mrow *row(const struct bc_matrix *m, const char *id)
{
	for (int i = 0; i < m->nrows; i++)
		if (strcmp(m->rows[i].id, id) == 0)
			return &m->rows[i];
	return NULL;
}

/* Disagreeing rows come first, in run order; a row that differs only by an
 * ephemeral port does not disagree; a profile run's change is not one. */
static void disagreeing_rows_first(void)
{
	json_t *r[3];
	struct bc_matrix m;
	three_runs(r);
	CU_ASSERT_EQUAL_FATAL(bc_matrix_build(&m, r, 3), 0);
	CU_ASSERT_EQUAL(m.nrows, 5);
	CU_ASSERT_EQUAL(m.ndis, 2);
	CU_ASSERT_STRING_EQUAL(m.rows[0].id, "fixed");
	CU_ASSERT_STRING_EQUAL(m.rows[1].id, "verdict");
	CU_ASSERT_STRING_EQUAL(m.rows[2].id, "same");
	CU_ASSERT_FALSE(row(&m, "port")->disagrees);
	CU_ASSERT_FALSE(row(&m, "v6only")->disagrees);
	bc_matrix_free(&m);
	free_runs(r);
}

/* Ports of 1024 and above that the row does not name are masked; named
 * ones, low ones, and numbers that are not a port stay. */
static void ephemeral_ports_are_masked(void)
{
	json_t *c = mkcase("x", "pass", "-", "bind s 127.0.0.1:8080");
	char buf[256];
	bc_matrix_mask(c, "EINVAL,=127.0.0.1:36685", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "EINVAL,=127.0.0.1:*");
	bc_matrix_mask(c, "=[::1]:40000+[::ffff:127.0.0.1]:8080", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "=[::1]:*+[::ffff:127.0.0.1]:8080");
	bc_matrix_mask(c, "=0.0.0.0:80,=exit:1,=4096/4096,=[2001:db8::1234]:1023", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "=0.0.0.0:80,=exit:1,=4096/4096,=[2001:db8::1234]:1023");
	json_decref(c);
}

/* A profile run is a sensitivity column compared with the platform it
 * extends: a platform column never, and the Markdown and HTML say so. */
static void profile_runs_are_sensitivity_columns(void)
{
	json_t *r[3];
	struct bc_matrix m;
	three_runs(r);
	CU_ASSERT_EQUAL_FATAL(bc_matrix_build(&m, r, 3), 0);
	CU_ASSERT_EQUAL(m.nplat, 2);
	CU_ASSERT_EQUAL(m.nprof, 1);
	CU_ASSERT_EQUAL(m.prof[0], 2);
	CU_ASSERT_EQUAL(m.base[0], 0);
	CU_ASSERT_EQUAL(row(&m, "v6only")->changed, 1u);
	CU_ASSERT_EQUAL(row(&m, "port")->changed, 0u);
	CU_ASSERT_EQUAL(m.nchanged, 1);
	bc_matrix_free(&m);

	char *md = NULL, *html = NULL;
	size_t n;
	FILE *f = open_memstream(&md, &n);
	CU_ASSERT_EQUAL(bc_report_merge_markdown(r, 3, f), 0);
	fclose(f);
	f = open_memstream(&html, &n);
	CU_ASSERT_EQUAL(bc_report_merge_html(r, 3, f), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "on 2 platforms, and 1 profile run of the host as sensitivity columns"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "## Where the platforms disagree (2 cases)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| case | linux-6.18 | linux-6.1 | source |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| bindv6only | linux-6.18 | 1 | t 1 |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| `t/v6only` | pass `ok` | pass `ok` | `EADDRINUSE` |"));
	CU_ASSERT_PTR_NULL(strstr(md, "| linux-6.18+bindv6only |")); /* never a platform row */
	CU_ASSERT_PTR_NULL(strstr(md, "36685"));                     /* ports masked in the text too */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<th class=\"sens\">under bindv6only"));
	CU_ASSERT_PTR_NULL(strstr(html, "<th>linux-6.18+bindv6only"));
	free(md);
	free(html);
	free_runs(r);
}

int bc_suite_matrix(void)
{
	CU_pSuite s = CU_add_suite("unit/matrix", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, disagreeing_rows_first);
	BC_ADD(s, ephemeral_ports_are_masked);
	BC_ADD(s, profile_runs_are_sensitivity_columns);
	return 0;
}
