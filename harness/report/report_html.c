/* report_html: one self-contained HTML page from results.json alone: no
 * external asset, works offline.  Static markup for every case; a few lines
 * of script only show and hide rows for the filters. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "report/escape.h"
#include "report/report.h"

static const char *const verdicts[] = {"pass", "xfail", "fail", "xpass", "error", "skip"};
#define NV (sizeof(verdicts) / sizeof(verdicts[0]))

#define str bc_json_str

#define E(s) bc_xml_escape(out, (s))

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fff}"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.4em 0 .5em}"
	"table{border-collapse:collapse}td,th{padding:3px 8px;text-align:left;vertical-align:top}"
	".fp td:first-child{color:#555}.num{text-align:right;font-variant-numeric:tabular-nums}"
	".bar{display:flex;width:420px;height:14px;border:1px solid #bbb;background:#f4f4f4}"
	".bar span{display:block;height:100%}"
	".v{display:inline-block;min-width:3.6em;padding:0 4px;border-radius:3px;color:#fff;font-size:12px;text-align:center}"
	".pass{background:#2e7d32}.xfail{background:#6a8f2e}.fail{background:#c62828}.xpass{background:#ad1457}"
	".error{background:#6a1b9a}.skip{background:#8d8d8d}"
	"#cases{width:100%;table-layout:fixed}#cases td code{word-break:break-all}"
	"#cases th:nth-child(1){width:5.5em}#cases th:nth-child(2){width:26%}#cases th:nth-child(3),#cases th:nth-child(4){width:22%}"
	"#cases tr.c{border-top:1px solid #e3e3e3;cursor:pointer}#cases tr.c:hover{background:#f6f8fa}"
	"#cases tr.d td{background:#fafafa;font-size:13px}code,pre{font:12px/1.4 ui-monospace,monospace}"
	"pre{margin:.3em 0;white-space:pre-wrap}.filters{margin:.6em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}"
	".muted{color:#666}.lbl{color:#555;font-size:12px}details summary{cursor:pointer}"
	".legend{margin:.3em 0 .8em;padding:0;list-style:none}.legend li{margin:.15em 0}";

static const char script[] =
	"function f(){var vs={},t=document.getElementById('tbl').value,q=document.getElementById('q').value.toLowerCase();"
	"document.querySelectorAll('.vf').forEach(function(b){vs[b.value]=b.checked});var n=0;"
	"document.querySelectorAll('#cases tr.c').forEach(function(r){"
	"var ok=vs[r.dataset.v]&&(!t||r.dataset.t===t)&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);"
	"r.style.display=ok?'':'none';var d=r.nextElementSibling;if(!ok)d.style.display='none';if(ok)n++;});"
	"document.getElementById('shown').textContent=n;}"
	"function tg(r){var d=r.nextElementSibling;d.style.display=d.style.display==='none'?'':'none';}"
	"document.querySelectorAll('.vf,#tbl,#q').forEach(function(e){e.addEventListener('input',f)});f();";

static int vindex(const char *v)
{
	for (size_t k = 0; k < NV; k++)
		if (strcmp(v, verdicts[k]) == 0)
			return (int)k;
	return -1;
}

static void fingerprint(FILE *out, const json_t *root)
{
	const json_t *p = json_object_get(root, "platform"), *iso = json_object_get(root, "isolation");
	static const char *const keys[] = {"id", "os", "release", "machine", "libc", "capabilities", "container", "profile"};
	fputs("<table class=\"fp\">", out);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_is_string(json_object_get(p, keys[i])))
			continue;
		fprintf(out, "<tr><td>%s</td><td>", keys[i]);
		E(str(p, keys[i]));
		fputs("</td></tr>", out);
	}
	fprintf(out, "<tr><td>euid</td><td>%lld</td></tr>", (long long)json_integer_value(json_object_get(p, "euid")));
	fputs("<tr><td>isolation</td><td>", out);
	E(str(iso, "mode"));
	fputs("</td></tr></table>\n", out);
}

static void counts_of(const json_t *cases, const char *table, int n[NV], int *total)
{
	const json_t *c;
	size_t i;
	memset(n, 0, NV * sizeof(int));
	*total = 0;
	json_array_foreach(cases, i, c)
	{
		int k = vindex(str(c, "verdict"));
		if (k < 0 || (table && strcmp(str(c, "table"), table) != 0))
			continue;
		n[k]++;
		(*total)++;
	}
}

/* A share of the judged cases, or a dash when none was judged. */
static void share(FILE *out, int n, int judged)
{
	if (judged)
		fprintf(out, "<td class=\"num\">%.1f%%</td>", 100.0 * n / judged);
	else
		fputs("<td class=\"num\">&ndash;</td>", out);
}

/* Of the cases judged (not skipped): conforming, those that behaved as
 * the sources say (pass) or as a recorded deviation says (xfail); and
 * pass alone, those that behaved as documented. */
static void conformance_row(FILE *out, const char *name, const int n[NV], int total)
{
	int judged = total - n[5];
	fputs("<tr><td>", out);
	E(name);
	fprintf(out, "</td><td class=\"num\">%d</td>", total);
	share(out, n[0] + n[1], judged);
	share(out, n[0], judged);
	fputs("<td><div class=\"bar\">", out);
	for (size_t k = 0; k < NV; k++)
		if (n[k])
			fprintf(out, "<span class=\"%s\" style=\"width:%.3f%%\" title=\"%s %d\"></span>", verdicts[k],
				100.0 * n[k] / (total ? total : 1), verdicts[k], n[k]);
	fputs("</div></td>", out);
	for (size_t k = 0; k < NV; k++)
		fprintf(out, "<td class=\"num\">%d</td>", n[k]);
	fputs("</tr>\n", out);
}

/* The expected results: for a recorded deviation, both the documented
 * result and this platform's, each with its column. */
static void expected_cell(FILE *out, const json_t *exp)
{
	if (!json_is_string(json_object_get(exp, "documented"))) {
		fputs("<code>", out);
		E(str(exp, "results"));
		fputs("</code>", out);
		return;
	}
	fputs("<div><span class=\"lbl\">documented (", out);
	E(str(exp, "documented_column"));
	fputs(")</span> <code>", out);
	E(str(exp, "documented"));
	fputs("</code></div><div><span class=\"lbl\">", out);
	E(str(exp, "column"));
	fputs(", a recorded deviation</span> <code>", out);
	E(str(exp, "results"));
	fputs("</code></div>", out);
}

/* A reason longer than FOLD_AT is folded: its start, then all of it on a
 * click (which does not also open the case's details). */
#define FOLD_AT 120
static void reason_cell(FILE *out, const char *why)
{
	size_t len = strlen(why), cut = 100;
	if (len <= FOLD_AT) {
		E(why);
		return;
	}
	while (cut > 60 && why[cut] != ' ')
		cut--;
	while (cut > 0 && ((unsigned char)why[cut] & 0xc0) == 0x80) /* not inside a UTF-8 character */
		cut--;
	char head[128];
	snprintf(head, sizeof(head), "%.*s", (int)cut, why);
	fputs("<details onclick=\"event.stopPropagation()\"><summary>", out);
	E(head);
	fputs(" &hellip;</summary>", out);
	E(why);
	fputs("</details>", out);
}

static void case_rows(FILE *out, const json_t *c)
{
	const char *v = str(c, "verdict");
	const json_t *exp = json_object_get(c, "expected"), *steps = json_object_get(c, "steps"), *st;
	size_t i;
	fputs("<tr class=\"c\" onclick=\"tg(this)\" data-v=\"", out);
	E(v);
	fputs("\" data-t=\"", out);
	E(str(c, "table"));
	fprintf(out, "\"><td><span class=\"v %s\">%s</span></td><td><code>", v, v);
	E(str(c, "table"));
	fputs("/", out);
	E(str(c, "id"));
	fputs("</code></td><td>", out);
	expected_cell(out, exp);
	fputs("</td><td><code>", out);
	E(str(c, "observed"));
	fputs("</code></td><td class=\"muted\">", out);
	reason_cell(out, str(c, "reason"));
	fputs("</td></tr>\n<tr class=\"d\" style=\"display:none\"><td></td><td colspan=\"4\">", out);
	fputs("<div><b>source</b> ", out);
	E(str(c, "source"));
	fputs("</div>", out);
	if (json_is_string(json_object_get(c, "deviation"))) {
		fputs("<div><b>deviation</b> ", out);
		E(str(c, "deviation"));
		fputs("</div>", out);
	}
	static const char *const extra[] = {"profile", "target", "fault", "note"};
	for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
		if (!json_is_string(json_object_get(c, extra[k])))
			continue;
		fprintf(out, "<div><b>%s</b> <code>", extra[k]);
		E(str(c, extra[k]));
		fputs("</code></div>", out);
	}
	fputs("<pre>", out);
	json_array_foreach(steps, i, st)
	{
		fprintf(out, "%2zu %s ", i + 1, json_is_true(json_object_get(st, "checked")) ? "?" : " ");
		E(str(st, "step"));
		fputs("  -&gt;  ", out);
		E(json_is_null(json_object_get(st, "outcome")) ? "(not run)" : str(st, "outcome"));
		fputc('\n', out);
	}
	fputs("</pre><div><b>table</b> <code>", out);
	E(str(c, "file"));
	fprintf(out, ":%lld</code> &nbsp; <b>re-run</b> <code>", (long long)json_integer_value(json_object_get(c, "line")));
	E(str(c, "rerun"));
	fputs("</code></div></td></tr>\n", out);
}

int bc_report_html(const json_t *root, FILE *out)
{
	const json_t *tables = json_object_get(root, "tables"), *cases = json_object_get(root, "cases"), *t, *c;
	const json_t *plat = json_object_get(root, "platform");
	size_t i;
	int n[NV], total;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>bindcheck: ",
	      out);
	E(str(plat, "id"));
	fprintf(out, "</title><style>%s</style></head><body>\n<h1>bindcheck conformance report</h1>\n", css);
	fingerprint(out, root);
	fputs("<h2>Conformance per table</h2>\n<table><tr><th>table</th><th>cases</th>"
	      "<th title=\"pass + xfail, of the judged cases\">conforming</th>"
	      "<th title=\"pass alone, of the judged cases\">as documented</th><th></th>",
	      out);
	for (size_t k = 0; k < NV; k++)
		fprintf(out, "<th><span class=\"v %s\">%s</span></th>", verdicts[k], verdicts[k]);
	fputs("</tr>\n", out);
	json_array_foreach(tables, i, t)
	{
		counts_of(cases, str(t, "name"), n, &total);
		if (total)
			conformance_row(out, str(t, "name"), n, total);
	}
	counts_of(cases, NULL, n, &total);
	conformance_row(out, "all tables", n, total);
	fputs("</table>\n<p class=\"muted\">Of the judged cases (skips are left out): <b>conforming</b> counts pass and "
	      "xfail, the cases that behaved as the sources document or as a deviation recorded for this platform says; "
	      "<b>as documented</b> counts pass alone.</p>\n",
	      out);
	fputs("<h2>Cases</h2>\n<ul class=\"legend muted\">"
	      "<li><span class=\"v pass\">pass</span> behaved as the sources document for this platform</li>"
	      "<li><span class=\"v xfail\">xfail</span> a recorded deviation: this platform differs from the documented "
	      "result, as its column records (both are shown, with the reason)</li>"
	      "<li><span class=\"v fail\">fail</span> neither; <span class=\"v xpass\">xpass</span> the documented result "
	      "where a deviation is recorded: the deviation is gone; <span class=\"v error\">error</span> the case could not "
	      "run to its end; <span class=\"v skip\">skip</span> not judged here, with the reason</li></ul>\n"
	      "<div class=\"filters\">", out);
	for (size_t k = 0; k < NV; k++)
		fprintf(out, "<label><input type=\"checkbox\" class=\"vf\" value=\"%s\" checked> <span class=\"v %s\">%s</span> %d</label>",
			verdicts[k], verdicts[k], verdicts[k], n[k]);
	fputs("<select id=\"tbl\"><option value=\"\">all tables</option>", out);
	json_array_foreach(tables, i, t)
	{
		fputs("<option>", out);
		E(str(t, "name"));
		fputs("</option>", out);
	}
	fputs("</select><input id=\"q\" type=\"search\" placeholder=\"search\"> <span class=\"muted\"><span id=\"shown\"></span> shown; "
	      "click a case for its steps, source and re-run command</span></div>\n",
	      out);
	fputs("<table id=\"cases\"><tr><th>verdict</th><th>case</th><th>expected</th><th>observed</th><th>why</th></tr>\n", out);
	json_array_foreach(cases, i, c)
		case_rows(out, c);
	fprintf(out, "</table>\n<script>%s</script>\n</body></html>\n", script);
	return ferror(out) ? -1 : 0;
}
