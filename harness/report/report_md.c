/* report_md: the Markdown summary, made from results.json alone, short
 * enough to paste into a pull request. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <string.h>

#include "report/escape.h"
#include "report/report.h"

static const char *const verdicts[] = {"pass", "fail", "xfail", "xpass", "skip", "error"};
#define NV (sizeof(verdicts) / sizeof(verdicts[0]))

#define str bc_json_str

static int verdict_index(const char *v)
{
	for (size_t k = 0; k < NV; k++)
		if (strcmp(v, verdicts[k]) == 0)
			return (int)k;
	return -1;
}

static void table_counts(FILE *out, const json_t *root)
{
	const json_t *tables = json_object_get(root, "tables"), *cases = json_object_get(root, "cases"), *t, *c;
	size_t i, j;
	int total[NV] = {0};
	fputs("| table | cases |", out);
	for (size_t k = 0; k < NV; k++)
		fprintf(out, " %s |", verdicts[k]);
	fputs("\n|---|---:|", out);
	for (size_t k = 0; k < NV; k++)
		fputs("---:|", out);
	fputc('\n', out);
	json_array_foreach(tables, i, t)
	{
		int n[NV] = {0}, all = 0;
		json_array_foreach(cases, j, c)
		{
			int k = verdict_index(str(c, "verdict"));
			if (strcmp(str(c, "table"), str(t, "name")) != 0 || k < 0)
				continue;
			n[k]++;
			total[k]++;
			all++;
		}
		fprintf(out, "| %s | %d |", str(t, "name"), all);
		for (size_t k = 0; k < NV; k++)
			fprintf(out, " %d |", n[k]);
		fputc('\n', out);
	}
	fprintf(out, "| **all** | %zu |", json_array_size(cases));
	for (size_t k = 0; k < NV; k++)
		fprintf(out, " %d |", total[k]);
	fputs("\n\n", out);
}

/* The expected results of a case as a cell: for a recorded deviation,
 * this platform's column and the documented result it departs from. */
static void expected_cell(FILE *out, const json_t *e)
{
	fputc('`', out);
	bc_md_cell(out, str(e, "results"));
	fputc('`', out);
	if (!json_is_string(json_object_get(e, "documented")))
		return;
	fprintf(out, " (column %s, a recorded deviation; documented, column %s: `", str(e, "column"),
		str(e, "documented_column"));
	bc_md_cell(out, str(e, "documented"));
	fputs("`)", out);
}

/* A recorded deviation's row: what the sources document, what this
 * platform's column records, what was observed. */
static void deviation_cells(FILE *out, const json_t *c)
{
	const json_t *e = json_object_get(c, "expected");
	fputc('`', out);
	bc_md_cell(out, str(e, "documented"));
	fprintf(out, "` (%s) | `", str(e, "documented_column"));
	bc_md_cell(out, str(e, "results"));
	fprintf(out, "` (%s) | `", str(e, "column"));
	bc_md_cell(out, str(c, "observed"));
	fputs("` | ", out);
}

enum list_kind { PLAIN, DETAILS, DEVIATIONS };

static void case_list(FILE *out, const json_t *root, const char *title, const char *const *which, int nwhich,
		      enum list_kind kind)
{
	const json_t *cases = json_object_get(root, "cases"), *c;
	size_t i;
	bool any = false;
	json_array_foreach(cases, i, c)
	{
		bool take = false;
		for (int k = 0; k < nwhich; k++)
			take |= strcmp(str(c, "verdict"), which[k]) == 0;
		if (!take)
			continue;
		if (!any) {
			fprintf(out, "## %s\n\n", title);
			if (kind == DETAILS)
				fputs("| case | verdict | expected | observed | why | source |\n|---|---|---|---|---|---|\n", out);
			else if (kind == DEVIATIONS)
				fputs("| case | documented | this platform | observed | reason | source |\n"
				      "|---|---|---|---|---|---|\n",
				      out);
			else
				fputs("| case | reason | source |\n|---|---|---|\n", out);
			any = true;
		}
		fprintf(out, "| `%s/%s` | ", str(c, "table"), str(c, "id"));
		if (kind == DETAILS) {
			fprintf(out, "%s | ", str(c, "verdict"));
			expected_cell(out, json_object_get(c, "expected"));
			fputs(" | `", out);
			bc_md_cell(out, str(c, "observed"));
			fputs("` | ", out);
		} else if (kind == DEVIATIONS) {
			deviation_cells(out, c);
		}
		bc_md_cell(out, str(c, "reason"));
		fputs(" | ", out);
		bc_md_cell(out, str(c, "source"));
		fputs(" |\n", out);
	}
	if (any)
		fputc('\n', out);
}

/* Cases whose observation lies outside the set POSIX allows. */
static void posix_section(FILE *out, const json_t *root)
{
	const json_t *cases = json_object_get(root, "cases"), *c;
	size_t i;
	int stated = 0, conform = 0;
	json_array_foreach(cases, i, c)
	{
		const json_t *p = json_object_get(c, "posix_conformance");
		if (json_is_boolean(p)) {
			stated++;
			conform += json_is_true(p);
		}
	}
	if (!stated)
		return;
	fprintf(out, "POSIX: %d of %d cases with a POSIX result set stay within it.\n\n", conform, stated);
	if (conform == stated)
		return;
	fputs("## Outside what POSIX allows\n\n| case | POSIX allows | observed | source |\n|---|---|---|---|\n", out);
	json_array_foreach(cases, i, c)
	{
		if (!json_is_false(json_object_get(c, "posix_conformance")))
			continue;
		fprintf(out, "| `%s/%s` | `", str(c, "table"), str(c, "id"));
		bc_md_cell(out, str(json_object_get(json_object_get(c, "expected"), "all"), "posix"));
		fputs("` | `", out);
		bc_md_cell(out, str(c, "observed"));
		fputs("` | ", out);
		bc_md_cell(out, str(c, "source"));
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

int bc_report_markdown(const json_t *root, FILE *out)
{
	const json_t *p = json_object_get(root, "platform"), *iso = json_object_get(root, "isolation");
	const json_t *sum = json_object_get(root, "summary"), *errs = json_object_get(root, "input_errors"), *e;
	static const char *const bad[] = {"fail", "xpass", "error"};
	static const char *const xfail[] = {"xfail"};
	static const char *const skip[] = {"skip"};
	json_int_t judged = json_integer_value(json_object_get(sum, "total")) -
			    json_integer_value(json_object_get(sum, "skip"));
	json_int_t good = json_integer_value(json_object_get(sum, "pass")) + json_integer_value(json_object_get(sum, "xfail"));
	size_t i;

	fprintf(out, "# bindcheck conformance: %s\n\n", str(p, "id"));
	fprintf(out, "%s %s on %s, %s, euid %lld; isolation: %s.\n\n", str(p, "os"), str(p, "release"), str(p, "machine"),
		str(p, "libc"), (long long)json_integer_value(json_object_get(p, "euid")), str(iso, "mode"));
	fprintf(out, "**%lld of %lld judged cases conform: %lld behave as documented (pass), %lld as a known, recorded "
		"deviation (xfail); %lld skipped.**\n\n",
		(long long)good, (long long)judged, (long long)json_integer_value(json_object_get(sum, "pass")),
		(long long)json_integer_value(json_object_get(sum, "xfail")),
		(long long)json_integer_value(json_object_get(sum, "skip")));
	table_counts(out, root);
	posix_section(out, root);
	case_list(out, root, "Failures", bad, 3, DETAILS);
	case_list(out, root, "Known deviations", xfail, 1, DEVIATIONS);
	case_list(out, root, "Skipped", skip, 1, PLAIN);
	if (json_array_size(errs)) {
		fputs("## Input errors\n\n", out);
		json_array_foreach(errs, i, e)
		{
			fprintf(out, "- `%s:%lld:%lld`: ", str(e, "file"), (long long)json_integer_value(json_object_get(e, "line")),
				(long long)json_integer_value(json_object_get(e, "column")));
			bc_md_cell(out, str(e, "message"));
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
