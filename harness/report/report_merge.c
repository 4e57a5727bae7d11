/* report_merge: the matrix of several runs (report/matrix.h) as one HTML
 * page and as Markdown.  Platforms are columns; the rows where they disagree
 * come first, then the per-table counts per platform; profile runs of the
 * host are sensitivity columns (what changes under a setting), apart. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <string.h>

#include "report/escape.h"
#include "report/matrix.h"
#include "report/report.h"

#define E(s) bc_xml_escape(out, (s))
#define str bc_json_str

static const char *const verdicts[] = {"pass", "xfail", "fail", "xpass", "skip", "error"};
#define NV (sizeof(verdicts) / sizeof(verdicts[0]))

/* A reason, cut to its first 90 bytes (at a character boundary). */
static void short_text(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s), cut = len < 90 ? len : 90;
	while (cut < len && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	snprintf(buf, n, "%.*s%s", (int)cut, s, cut < len ? "..." : "");
}

/* What a cell shows: the masked observation, else the reason (skip, error). */
static const char *cell_text(const struct bc_mrow *r, int k, char *buf, size_t n)
{
	if (r->masked[k])
		return r->masked[k];
	short_text(str(r->cells[k], "reason"), buf, n);
	return buf;
}

/* A sensitivity cell: "" when the profile changes nothing, else what it
 * gives (the verdict is left out: it is judged against the host's own
 * expectations, so it "fails" by design). */
static const char *sens_text(const struct bc_matrix *m, const struct bc_mrow *r, int i, char *buf, size_t n)
{
	int k = m->prof[i];
	const char *v = r->cells[k] ? str(r->cells[k], "verdict") : "";
	char why[128];
	if (!r->cells[k])
		return "not run";
	if (!(r->changed & (1u << i)))
		return "";
	if (strcmp(v, "skip") == 0 || strcmp(v, "error") == 0) {
		short_text(str(r->cells[k], "reason"), why, sizeof(why));
		snprintf(buf, n, "%s: %s", v, why);
		return buf;
	}
	return r->masked[k] ? r->masked[k] : "-";
}

static int changed_in(const struct bc_matrix *m, int i, const char *table)
{
	int n = 0;
	for (int j = 0; j < m->nrows; j++)
		n += (m->rows[j].changed >> i & 1u) && (!table || strcmp(m->rows[j].table, table) == 0);
	return n;
}

/* ---- HTML ---- */

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}h1{font-size:1.4em}h2{font-size:1.1em;margin:1.4em 0 .4em}"
	"table{border-collapse:collapse}td,th{padding:2px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top;"
	"max-width:26em;word-break:break-all}th{position:sticky;top:0;background:#fff}code{font:12px ui-monospace,monospace}"
	".v{display:inline-block;min-width:3.4em;padding:0 4px;border-radius:3px;color:#fff;font-size:12px;text-align:center}"
	".pass{background:#2e7d32}.xfail{background:#6a8f2e}.fail{background:#c62828}.xpass{background:#ad1457}"
	".error{background:#6a1b9a}.skip{background:#8d8d8d}tr.dis td{background:#fff4e5}.num{text-align:right}"
	"th.sens,td.sens{background:#f3f6fb}td.sens.ch{background:#e3ecfa}.muted{color:#777}.note{color:#555;max-width:60em}"
	"td:first-child{word-break:normal;overflow-wrap:anywhere}.nw{white-space:nowrap}";

static void html_head_cells(const struct bc_matrix *m, FILE *out, bool sens)
{
	for (int i = 0; i < m->nplat; i++) {
		fputs("<th>", out);
		E(bc_matrix_run_name(m, m->plat[i]));
		fputs("<br><span class=\"muted\">", out);
		E(str(json_object_get(m->roots[m->plat[i]], "platform"), "release"));
		fputs("</span></th>", out);
	}
	for (int i = 0; sens && i < m->nprof; i++) {
		fputs("<th class=\"sens\">under ", out);
		E(bc_matrix_run_profile(m, m->prof[i]));
		fputs("<br><span class=\"muted\">sensitivity</span></th>", out);
	}
}

/* The row's source, from the first run that has the case. */
static const char *row_source(const struct bc_matrix *m, const struct bc_mrow *r)
{
	for (int k = 0; k < m->nruns; k++)
		if (r->cells[k])
			return str(r->cells[k], "source");
	return "";
}

static void html_row(const struct bc_matrix *m, const struct bc_mrow *r, FILE *out, bool sens, bool source)
{
	char buf[256];
	fprintf(out, "<tr%s><td><code>", r->disagrees ? " class=\"dis\"" : "");
	E(r->table);
	fputc('/', out);
	E(r->id);
	fputs("</code></td>", out);
	for (int i = 0; i < m->nplat; i++) {
		int k = m->plat[i];
		if (!r->cells[k]) {
			fputs("<td class=\"muted\">not run</td>", out);
			continue;
		}
		fprintf(out, "<td><span class=\"v %s\">%s</span> <code>", str(r->cells[k], "verdict"), str(r->cells[k], "verdict"));
		E(cell_text(r, k, buf, sizeof(buf)));
		fputs("</code></td>", out);
	}
	for (int i = 0; sens && i < m->nprof; i++) {
		fprintf(out, "<td class=\"sens%s\"><code>", r->changed >> i & 1u ? " ch" : "");
		E(sens_text(m, r, i, buf, sizeof(buf)));
		fputs("</code></td>", out);
	}
	if (source) {
		fputs("<td class=\"note\">", out);
		E(row_source(m, r));
		fputs("</td>", out);
	}
	fputs("</tr>\n", out);
}

static void html_runs(const struct bc_matrix *m, FILE *out)
{
	fprintf(out, "<p>%d cases. <b>%d</b> platform%s as columns", m->nrows, m->nplat, m->nplat == 1 ? "" : "s");
	if (m->nprof)
		fprintf(out, "; %d profile run%s of the host as sensitivity columns (never a platform: they are judged "
			     "against the host's own expectations, so their fails are by design)",
			m->nprof, m->nprof == 1 ? "" : "s");
	fputs(". Ports of 1024 and above that a row does not name (ephemeral ports) are shown and compared as "
	      "<code>*</code>.</p>\n",
	      out);
}

static void html_disagree(const struct bc_matrix *m, FILE *out)
{
	fprintf(out, "<h2 id=\"disagree\">Where the platforms disagree (%d cases)</h2>\n", m->ndis);
	if (m->nplat < 2) {
		fputs("<p class=\"note\">One platform: nothing to compare.</p>\n", out);
		return;
	}
	if (!m->ndis) {
		fputs("<p class=\"note\">None: every platform gave the same verdict and observation.</p>\n", out);
		return;
	}
	fputs("<table><tr><th>case</th>", out);
	html_head_cells(m, out, false);
	fputs("<th>source</th></tr>\n", out);
	for (int j = 0; j < m->nrows && m->rows[j].disagrees; j++)
		html_row(m, &m->rows[j], out, false, true);
	fputs("</table>\n", out);
}

static void html_counts_cell(const struct bc_matrix *m, int k, const char *t, FILE *out)
{
	fputs("<td>", out);
	for (size_t v = 0; v < NV; v++) {
		int n = bc_matrix_count(m, k, t, verdicts[v]);
		if (n)
			fprintf(out, "<span class=\"v %s\">%d %s</span> ", verdicts[v], n, verdicts[v]);
	}
	fputs("</td>", out);
}

static void html_tables(const struct bc_matrix *m, FILE *out)
{
	fputs("<h2 id=\"tables\">Per table</h2>\n<table><tr><th>table</th>", out);
	html_head_cells(m, out, false);
	fputs("</tr>\n", out);
	for (int t = 0; t <= m->ntables; t++) {
		const char *name = t < m->ntables ? m->tables[t] : NULL;
		fputs(name ? "<tr><td><code>" : "<tr><td><b>", out);
		E(name ? name : "all");
		fputs(name ? "</code></td>" : "</b></td>", out);
		for (int i = 0; i < m->nplat; i++)
			html_counts_cell(m, m->plat[i], name, out);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void html_sensitivity(const struct bc_matrix *m, FILE *out)
{
	if (!m->nprof)
		return;
	fputs("<h2 id=\"sensitivity\">Sensitivity: what changes under a setting</h2>\n<p class=\"note\">Each profile runs the "
	      "host under one setting (bindv6only: IPv6 sockets IPv6-only; noipv6: IPv6 disabled; lowports: any uid binds "
	      "any port). A row it changes is a consequence of that setting on this kernel, not a failure.</p>\n"
	      "<table><tr><th>profile</th><th>compared with</th><th class=\"num\">rows changed</th><th>in tables</th></tr>\n",
	      out);
	for (int i = 0; i < m->nprof; i++) {
		fputs("<tr><td>", out);
		E(bc_matrix_run_profile(m, m->prof[i]));
		fputs("</td><td>", out);
		E(m->base[i] >= 0 ? bc_matrix_run_name(m, m->base[i]) : "no platform");
		fprintf(out, "</td><td class=\"num\">%d</td><td>", changed_in(m, i, NULL));
		for (int t = 0; t < m->ntables; t++) {
			int n = changed_in(m, i, m->tables[t]);
			if (n) {
				fputs("<span class=\"nw\"><code>", out);
				E(m->tables[t]);
				fprintf(out, "</code> %d</span> ", n);
			}
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

int bc_report_merge_html(json_t *const *roots, int n, FILE *out)
{
	struct bc_matrix m;
	if (bc_matrix_build(&m, roots, n) < 0)
		return -1;
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bindcheck: platform matrix</title>"
		     "<style>%s</style></head><body>\n<h1>bindcheck: platform matrix</h1>\n",
		css);
	html_runs(&m, out);
	html_disagree(&m, out);
	html_tables(&m, out);
	html_sensitivity(&m, out);
	fprintf(out, "<h2 id=\"all\">Every case</h2>\n<p><label><input type=\"checkbox\" id=\"only\"> only the %d where the "
		     "platforms disagree</label> <label><input type=\"checkbox\" id=\"ch\"> only the %d a setting changes"
		     "</label></p>\n<table id=\"cases\"><tr><th>case</th>",
		m.ndis, m.nchanged);
	html_head_cells(&m, out, true);
	fputs("</tr>\n", out);
	for (int j = 0; j < m.nrows; j++)
		html_row(&m, &m.rows[j], out, true, false);
	fputs("</table>\n<script>function f(){var o=document.getElementById('only').checked,c=document.getElementById('ch')"
	      ".checked;document.querySelectorAll('#cases tr').forEach(function(r,i){if(!i)return;var s=(!o||r.classList."
	      "contains('dis'))&&(!c||r.querySelector('td.ch'));r.style.display=s?'':'none'})}document.querySelectorAll("
	      "'#only,#ch').forEach(function(e){e.addEventListener('input',f)})</script>\n</body></html>\n",
	      out);
	bc_matrix_free(&m);
	return ferror(out) ? -1 : 0;
}

/* ---- Markdown ---- */

static void md_header(const struct bc_matrix *m, FILE *out, const char *first, bool sens, bool source)
{
	fprintf(out, "| %s |", first);
	for (int i = 0; i < m->nplat; i++) {
		fputc(' ', out);
		bc_md_cell(out, bc_matrix_run_name(m, m->plat[i]));
		fputs(" |", out);
	}
	for (int i = 0; sens && i < m->nprof; i++) {
		fputs(" under ", out);
		bc_md_cell(out, bc_matrix_run_profile(m, m->prof[i]));
		fputs(" |", out);
	}
	fputs(source ? " source |\n|---|" : "\n|---|", out);
	for (int i = 0; i < m->nplat + (sens ? m->nprof : 0) + source; i++)
		fputs("---|", out);
	fputc('\n', out);
}

static void md_row(const struct bc_matrix *m, const struct bc_mrow *r, FILE *out, bool sens, bool source)
{
	char buf[256];
	fputs("| `", out);
	bc_md_cell(out, r->table);
	fputc('/', out);
	bc_md_cell(out, r->id);
	fputs("` |", out);
	for (int i = 0; i < m->nplat; i++) {
		int k = m->plat[i];
		if (!r->cells[k]) {
			fputs(" not run |", out);
			continue;
		}
		fprintf(out, " %s `", str(r->cells[k], "verdict"));
		bc_md_cell(out, cell_text(r, k, buf, sizeof(buf)));
		fputs("` |", out);
	}
	for (int i = 0; sens && i < m->nprof; i++) {
		const char *s = sens_text(m, r, i, buf, sizeof(buf));
		fputs(*s ? " `" : " =", out);
		bc_md_cell(out, s);
		fputs(*s ? "` |" : " |", out);
	}
	if (source) {
		fputc(' ', out);
		bc_md_cell(out, row_source(m, r));
		fputs(" |", out);
	}
	fputc('\n', out);
}

static void md_runs(const struct bc_matrix *m, FILE *out)
{
	fputs("| platform | release | pass | xfail | fail | xpass | skip | error |\n|---|---|---:|---:|---:|---:|---:|---:|\n", out);
	for (int i = 0; i < m->nplat; i++) {
		int k = m->plat[i];
		fputs("| ", out);
		bc_md_cell(out, bc_matrix_run_name(m, k));
		fputs(" | ", out);
		bc_md_cell(out, str(json_object_get(m->roots[k], "platform"), "release"));
		for (size_t v = 0; v < NV; v++)
			fprintf(out, " | %d", bc_matrix_count(m, k, NULL, verdicts[v]));
		fputs(" |\n", out);
	}
}

static void md_tables(const struct bc_matrix *m, FILE *out)
{
	fputs("\n## Per table\n\n", out);
	md_header(m, out, "table", false, false);
	for (int t = 0; t < m->ntables; t++) {
		fputs("| `", out);
		bc_md_cell(out, m->tables[t]);
		fputs("` |", out);
		for (int i = 0; i < m->nplat; i++) {
			const char *sep = " ";
			for (size_t v = 0; v < NV; v++) {
				int n = bc_matrix_count(m, m->plat[i], m->tables[t], verdicts[v]);
				if (n)
					fprintf(out, "%s%d %s", sep, n, verdicts[v]);
				sep = n ? ", " : sep;
			}
			fputs(" |", out);
		}
		fputc('\n', out);
	}
}

static void md_sensitivity(const struct bc_matrix *m, FILE *out)
{
	if (!m->nprof)
		return;
	fputs("\n## Sensitivity: what changes under a setting\n\nEach profile runs the host under one setting and is judged "
	      "against the host's own expectations: a row it changes is a consequence of the setting, not a failure of a "
	      "platform.\n\n| profile | compared with | rows changed | in tables |\n|---|---|---:|---|\n",
	      out);
	for (int i = 0; i < m->nprof; i++) {
		const char *sep = "";
		fputs("| ", out);
		bc_md_cell(out, bc_matrix_run_profile(m, m->prof[i]));
		fputs(" | ", out);
		bc_md_cell(out, m->base[i] >= 0 ? bc_matrix_run_name(m, m->base[i]) : "no platform");
		fprintf(out, " | %d | ", changed_in(m, i, NULL));
		for (int t = 0; t < m->ntables; t++) {
			int n = changed_in(m, i, m->tables[t]);
			if (n)
				fprintf(out, "%s%s %d", sep, m->tables[t], n);
			sep = n ? ", " : sep;
		}
		fputs(" |\n", out);
	}
	fprintf(out, "\n### The %d rows a setting changes (`=`: unchanged)\n\n", m->nchanged);
	md_header(m, out, "case", true, false);
	for (int j = 0; j < m->nrows; j++)
		if (m->rows[j].changed)
			md_row(m, &m->rows[j], out, true, false);
}

int bc_report_merge_markdown(json_t *const *roots, int n, FILE *out)
{
	struct bc_matrix m;
	if (bc_matrix_build(&m, roots, n) < 0)
		return -1;
	fprintf(out, "# bindcheck: platform matrix\n\n%d cases on %d platform%s", m.nrows, m.nplat, m.nplat == 1 ? "" : "s");
	if (m.nprof)
		fprintf(out, ", and %d profile run%s of the host as sensitivity columns", m.nprof, m.nprof == 1 ? "" : "s");
	fputs(". Ports of 1024 and above that a row does not name (ephemeral ports) are shown and compared as `*`.\n\n", out);
	md_runs(&m, out);
	fprintf(out, "\n## Where the platforms disagree (%d cases)\n\n", m.ndis);
	if (m.nplat < 2)
		fputs("One platform: nothing to compare.\n", out);
	else if (!m.ndis)
		fputs("None: every platform gave the same verdict and observation.\n", out);
	else
		md_header(&m, out, "case", false, true);
	for (int j = 0; j < m.nrows && m.rows[j].disagrees; j++)
		md_row(&m, &m.rows[j], out, false, true);
	md_tables(&m, out);
	md_sensitivity(&m, out);
	bc_matrix_free(&m);
	return ferror(out) ? -1 : 0;
}
