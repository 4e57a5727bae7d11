/* console: a case's result on the terminal, written from the result alone. */
#define _POSIX_C_SOURCE 200809L
#include "report/console.h"

#include <string.h>

#include "model/values.h"
#include "model/verdict.h"

void bc_console_rerun(const char *prog, const struct bc_case *c, char *buf, unsigned buflen)
{
	snprintf(buf, buflen, "%s run %s --filter '%s/%s'", prog ? prog : "bindcheck", c->file, c->table, c->id);
}

/* Every step with its outcome; a checked step that missed says what was
 * expected of it. */
static void print_steps(const struct bc_case_result *res, FILE *out)
{
	const struct bc_case *c = res->c;
	int k = 0;
	for (int i = 0; i < res->obs.nsteps; i++) {
		const struct bc_step *st = c->steps[i];
		char o[BC_VALUE_MAX + 16], want[BC_MAX_ALTS * (BC_VALUE_MAX + 16)] = "";
		bc_outcome_format(&res->obs.steps[i].out, o, sizeof(o));
		if (st->checked && res->j.expected && k < res->j.expected->nitems) {
			const struct bc_expect_item *it = &res->j.expected->items[k++];
			if (!bc_item_matches(it, &res->obs.steps[i].out, &res->obs))
				bc_item_format(it, want, sizeof(want));
		}
		fprintf(out, "      step %-3d  %s%s -> %s%s%s\n", i + 1, st->checked ? "? " : "  ", st->text, o,
			want[0] ? "   <- expected " : "", want);
	}
}

/* The first lines of what the case's target wrote, each cut short, and
 * what the harness did to it. */
static void print_output(const struct bc_observation *o, FILE *out)
{
	enum { LINES = 4, WIDTH = 110 };
	const char *p = o->target_out;
	int shown = 0;
	if (o->target_note[0])
		fprintf(out, "      target:   %s\n", o->target_note);
	if (!o->target_out_total) {
		fprintf(out, "      output:   (none)\n");
		return;
	}
	for (; *p && shown < LINES; shown++) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "      %s %.*s%s\n", shown ? "         " : "output:  ", (int)(n < WIDTH ? n : WIDTH), p,
			n > WIDTH ? " ..." : "");
		p += n + (p[n] == '\n');
	}
	unsigned long rest = o->target_out_total - (unsigned long)(p - o->target_out);
	if (rest)
		fprintf(out, "                ... %lu bytes more (results.json keeps the first %u)\n", rest, BC_OBS_OUT_MAX);
}

void bc_console_print_result(const char *prog, const struct bc_case_result *res, FILE *out)
{
	static const char *const upper[BC_VERDICT_COUNT] = {"PASS", "FAIL", "XFAIL", "XPASS", "SKIP", "ERROR"};
	const struct bc_case *c = res->c;
	enum bc_verdict v = res->j.verdict;
	char rerun[512];

	fprintf(out, "%-5s %s/%s", upper[v], c->table, c->id);
	if ((v == BC_SKIP || v == BC_XFAIL) && res->j.reason[0])
		fprintf(out, " (%s)", res->j.reason);
	fputc('\n', out);
	if (!bc_verdict_is_failure(v))
		return;
	if (res->j.reason[0])
		fprintf(out, "      why:      %s\n", res->j.reason);
	if (res->j.slot >= 0)
		fprintf(out, "      expected: %s (column %s)\n", res->j.expected_text, bc_slot_name(res->j.slot));
	if (res->j.slot >= 0 && res->j.documented_text[0])
		fprintf(out, "      documented: %s (column %s; column %s records a deviation from it)\n",
			res->j.documented_text, bc_slot_name(res->j.documented_slot), bc_slot_name(res->j.slot));
	if (res->ran) {
		fprintf(out, "      observed: %s\n", res->j.observed_text);
		print_steps(res, out);
		if (res->obs.has_target)
			print_output(&res->obs, out);
	}
	fprintf(out, "      source:   %s\n", c->source);
	fprintf(out, "      table:    %s:%d\n", c->file, c->line);
	bc_console_rerun(prog, c, rerun, sizeof(rerun));
	fprintf(out, "      rerun:    %s\n", rerun);
}
