/* report_merge: several runs' results.json into one matrix, cases x
 * platforms, each cell the verdict and the observed result.  A case
 * "disagrees" when the platforms that ran it observed different results. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"
#include "report/report.h"

#define E(s) bc_xml_escape(out, (s))

#define str bc_json_str

struct row {
	const char *table, *id;
	const json_t **cells; /* one per run, NULL where the run lacks the case */
};

static const json_t *find_case(const json_t *root, const char *table, const char *id)
{
	const json_t *c;
	size_t i;
	json_array_foreach(json_object_get(root, "cases"), i, c)
		if (strcmp(str(c, "table"), table) == 0 && strcmp(str(c, "id"), id) == 0)
			return c;
	return NULL;
}

/* Every case of every run, in the order they first appear. */
static struct row *collect(json_t *const *roots, int n, int *nrows)
{
	struct row *rows = NULL;
	int count = 0;
	for (int r = 0; r < n; r++) {
		const json_t *c;
		size_t i;
		json_array_foreach(json_object_get(roots[r], "cases"), i, c)
		{
			bool seen = false;
			for (int k = 0; k < count && !seen; k++)
				seen = strcmp(rows[k].table, str(c, "table")) == 0 && strcmp(rows[k].id, str(c, "id")) == 0;
			if (seen)
				continue;
			struct row *v = realloc(rows, (size_t)(count + 1) * sizeof(*v));
			if (!v)
				break;
			rows = v;
			rows[count].table = str(c, "table");
			rows[count].id = str(c, "id");
			rows[count].cells = calloc((size_t)n, sizeof(json_t *));
			if (!rows[count].cells)
				break;
			for (int k = 0; k < n; k++)
				rows[count].cells[k] = find_case(roots[k], rows[count].table, rows[count].id);
			count++;
		}
	}
	*nrows = count;
	return rows;
}

static void free_rows(struct row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i].cells);
	free(rows);
}

/* Disagreement: two runs that ran the case's steps observed different
 * results.  Skips and errors say nothing about the platform's behaviour. */
static bool disagrees(const struct row *r, int n)
{
	const char *first = NULL;
	for (int k = 0; k < n; k++) {
		const json_t *c = r->cells[k];
		const char *v = c ? str(c, "verdict") : "";
		if (!c || !json_is_string(json_object_get(c, "observed")) || strcmp(v, "error") == 0 || strcmp(v, "skip") == 0)
			continue;
		if (!first)
			first = str(c, "observed");
		else if (strcmp(first, str(c, "observed")) != 0)
			return true;
	}
	return false;
}

static const char *platform_name(const json_t *root)
{
	return str(json_object_get(root, "platform"), "id");
}

int bc_report_merge_html(json_t *const *roots, int n, FILE *out)
{
	int nrows, ndis = 0;
	struct row *rows = collect(roots, n, &nrows);
	for (int i = 0; i < nrows; i++)
		ndis += disagrees(&rows[i], n);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bindcheck: platform matrix</title><style>"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}"
	      "td,th{padding:2px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top;max-width:24em;word-break:break-all}"
	      "th{position:sticky;top:0;background:#fff}code{font:12px ui-monospace,monospace}"
	      ".v{display:inline-block;min-width:3.4em;padding:0 4px;border-radius:3px;color:#fff;font-size:12px;text-align:center}"
	      ".pass{background:#2e7d32}.xfail{background:#6a8f2e}.fail{background:#c62828}.xpass{background:#ad1457}"
	      ".error{background:#6a1b9a}.skip{background:#8d8d8d}tr.dis td{background:#fff4e5}"
	      ".muted{color:#666}</style></head><body>\n<h1>bindcheck: platform matrix</h1>\n",
	      out);
	fprintf(out, "<p>%d cases on %d platforms; <b>%d</b> where the platforms observed different results (highlighted). "
		     "<label><input type=\"checkbox\" id=\"only\"> only those</label></p>\n<table><tr><th>case</th>",
		nrows, n, ndis);
	for (int k = 0; k < n; k++) {
		fputs("<th>", out);
		E(platform_name(roots[k]));
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	for (int i = 0; i < nrows; i++) {
		bool dis = disagrees(&rows[i], n);
		fprintf(out, "<tr%s><td><code>", dis ? " class=\"dis\"" : "");
		E(rows[i].table);
		fputs("/", out);
		E(rows[i].id);
		fputs("</code></td>", out);
		for (int k = 0; k < n; k++) {
			const json_t *c = rows[i].cells[k];
			if (!c) {
				fputs("<td class=\"muted\">not run</td>", out);
				continue;
			}
			fprintf(out, "<td><span class=\"v %s\">%s</span> <code>", str(c, "verdict"), str(c, "verdict"));
			E(json_is_string(json_object_get(c, "observed")) ? str(c, "observed") : str(c, "reason"));
			fputs("</code></td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n<script>document.getElementById('only').addEventListener('input',function(e){"
	      "document.querySelectorAll('tr').forEach(function(r,i){if(i&&!r.classList.contains('dis'))"
	      "r.style.display=e.target.checked?'none':''})})</script>\n</body></html>\n",
	      out);
	free_rows(rows, nrows);
	return ferror(out) ? -1 : 0;
}

int bc_report_merge_markdown(json_t *const *roots, int n, FILE *out)
{
	int nrows, ndis = 0;
	struct row *rows = collect(roots, n, &nrows);
	for (int i = 0; i < nrows; i++)
		ndis += disagrees(&rows[i], n);
	fprintf(out, "# bindcheck: platform matrix\n\n%d cases on %d platforms.\n\n| platform | pass | xfail | fail | xpass | skip | error |\n"
		     "|---|---:|---:|---:|---:|---:|---:|\n",
		nrows, n);
	for (int k = 0; k < n; k++) {
		const json_t *sum = json_object_get(roots[k], "summary");
		fputs("| ", out);
		bc_md_cell(out, platform_name(roots[k]));
		fprintf(out, " | %lld | %lld | %lld | %lld | %lld | %lld |\n", (long long)json_integer_value(json_object_get(sum, "pass")),
			(long long)json_integer_value(json_object_get(sum, "xfail")), (long long)json_integer_value(json_object_get(sum, "fail")),
			(long long)json_integer_value(json_object_get(sum, "xpass")), (long long)json_integer_value(json_object_get(sum, "skip")),
			(long long)json_integer_value(json_object_get(sum, "error")));
	}
	fprintf(out, "\n## Where the platforms disagree (%d cases)\n\n", ndis);
	if (ndis) {
		fputs("| case |", out);
		for (int k = 0; k < n; k++) {
			fputc(' ', out);
			bc_md_cell(out, platform_name(roots[k]));
			fputs(" |", out);
		}
		fputs("\n|---|", out);
		for (int k = 0; k < n; k++)
			fputs("---|", out);
		fputc('\n', out);
		for (int i = 0; i < nrows; i++) {
			if (!disagrees(&rows[i], n))
				continue;
			fputs("| `", out);
			bc_md_cell(out, rows[i].table);
			fputc('/', out);
			bc_md_cell(out, rows[i].id);
			fputs("` |", out);
			for (int k = 0; k < n; k++) {
				const json_t *c = rows[i].cells[k];
				fputc(' ', out);
				if (c) {
					fprintf(out, "%s `", str(c, "verdict"));
					bc_md_cell(out, json_is_string(json_object_get(c, "observed")) ? str(c, "observed") : "-");
					fputc('`', out);
				} else {
					fputs("not run", out);
				}
				fputs(" |", out);
			}
			fputc('\n', out);
		}
	} else {
		fputs("None: every case observed the same results wherever it ran.\n", out);
	}
	free_rows(rows, nrows);
	return ferror(out) ? -1 : 0;
}
