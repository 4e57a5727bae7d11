/* report_junit: JUnit XML from results.json alone: one testsuite per table,
 * the platform as properties, failure, error and skipped elements.  XML 1.0
 * cannot carry control characters even escaped, so they are written as
 * visible text (\x1b). */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "report/escape.h"
#include "report/report.h"

#define str bc_json_str

static double seconds(const json_t *c)
{
	return (double)json_integer_value(json_object_get(c, "duration_us")) / 1e6;
}

/* The failure text: what a CI page shows under the test's name. */
static void details(FILE *out, const json_t *c)
{
	const json_t *exp = json_object_get(c, "expected"), *steps = json_object_get(c, "steps"), *st;
	size_t i;
	fputs("expected: ", out);
	bc_xml_escape(out, str(exp, "results"));
	fputs(" (column ", out);
	bc_xml_escape(out, str(exp, "column"));
	fputs(")\nobserved: ", out);
	bc_xml_escape(out, str(c, "observed"));
	fputc('\n', out);
	json_array_foreach(steps, i, st)
	{
		fprintf(out, "step %zu %s ", i + 1, json_is_true(json_object_get(st, "checked")) ? "?" : " ");
		bc_xml_escape(out, str(st, "step"));
		fputs(" -> ", out);
		bc_xml_escape(out, json_is_null(json_object_get(st, "outcome")) ? "(not run)" : str(st, "outcome"));
		fputc('\n', out);
	}
	fputs("source: ", out);
	bc_xml_escape(out, str(c, "source"));
	fputs("\nrerun: ", out);
	bc_xml_escape(out, str(c, "rerun"));
	fputc('\n', out);
}

static void testcase(FILE *out, const json_t *c)
{
	const char *v = str(c, "verdict");
	fputs("    <testcase classname=\"", out);
	bc_xml_escape(out, str(c, "table"));
	fputs("\" name=\"", out);
	bc_xml_escape(out, str(c, "id"));
	fprintf(out, "\" time=\"%.6f\"", seconds(c));
	if (strcmp(v, "pass") == 0) {
		fputs("/>\n", out);
		return;
	}
	fputs(">\n", out);
	if (strcmp(v, "fail") == 0 || strcmp(v, "xpass") == 0) {
		fprintf(out, "      <failure type=\"%s\" message=\"", v);
		bc_xml_escape(out, strcmp(v, "xpass") == 0 ? "a known deviation did not happen" : "observed differs from expected");
		fputs("\">", out);
		details(out, c);
		fputs("</failure>\n", out);
	} else if (strcmp(v, "error") == 0) {
		fputs("      <error type=\"error\" message=\"", out);
		bc_xml_escape(out, str(c, "reason"));
		fputs("\">", out);
		details(out, c);
		fputs("</error>\n", out);
	} else if (strcmp(v, "skip") == 0) {
		fputs("      <skipped message=\"", out);
		bc_xml_escape(out, str(c, "reason"));
		fputs("\"/>\n", out);
	} else { /* xfail: passes, with the known deviation said */
		fputs("      <system-out>known deviation: ", out);
		bc_xml_escape(out, str(c, "reason"));
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

static void properties(FILE *out, const json_t *root)
{
	const json_t *plat = json_object_get(root, "platform"), *v;
	const char *k;
	fputs("    <properties>\n", out);
	json_object_foreach((json_t *)plat, k, v)
	{
		char num[32];
		const char *val = json_is_string(v) ? json_string_value(v) : NULL;
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			val = num;
		}
		if (!val)
			continue;
		fputs("      <property name=\"platform.", out);
		bc_xml_escape(out, k);
		fputs("\" value=\"", out);
		bc_xml_escape(out, val);
		fputs("\"/>\n", out);
	}
	fputs("    </properties>\n", out);
}

int bc_report_junit(const json_t *root, FILE *out)
{
	const json_t *tables = json_object_get(root, "tables"), *cases = json_object_get(root, "cases"), *t, *c;
	size_t i, j;
	int all[4] = {0};
	double all_time = 0;
	json_array_foreach(cases, j, c)
	{
		const char *v = str(c, "verdict");
		all[0]++;
		all[1] += strcmp(v, "fail") == 0 || strcmp(v, "xpass") == 0;
		all[2] += strcmp(v, "error") == 0;
		all[3] += strcmp(v, "skip") == 0;
		all_time += seconds(c);
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"bindcheck\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.6f\">\n",
		all[0], all[1], all[2], all[3], all_time);
	json_array_foreach(tables, i, t)
	{
		int n[4] = {0};
		double time = 0;
		const char *name = str(t, "name");
		json_array_foreach(cases, j, c)
		{
			const char *v = str(c, "verdict");
			if (strcmp(str(c, "table"), name) != 0)
				continue;
			n[0]++;
			n[1] += strcmp(v, "fail") == 0 || strcmp(v, "xpass") == 0;
			n[2] += strcmp(v, "error") == 0;
			n[3] += strcmp(v, "skip") == 0;
			time += seconds(c);
		}
		if (n[0] == 0)
			continue;
		fputs("  <testsuite name=\"", out);
		bc_xml_escape(out, name);
		fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.6f\">\n", n[0], n[1], n[2],
			n[3], time);
		properties(out, root);
		json_array_foreach(cases, j, c)
			if (strcmp(str(c, "table"), name) == 0)
				testcase(out, c);
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
