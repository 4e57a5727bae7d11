/* results: building and writing results.json with jansson.  Keys keep their
 * insertion order and cases their run order, so two runs diff cleanly. */
#define _POSIX_C_SOURCE 200809L
#include "results.h"

#include <string.h>

json_t *bc_results_new(const struct bc_runner *r)
{
	const struct bc_platform *p = &r->platform;
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string(BC_RESULTS_SCHEMA));
	json_object_set_new(root, "schema_version", json_integer(BC_RESULTS_VERSION));
	json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "bindcheck", "version", BC_VERSION));
	json_object_set_new(root, "platform",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", p->id, "family",
				      bc_slot_name(p->slot), "os", p->os, "release", p->release, "machine", p->machine,
				      "libc", p->libc, "euid", (int)p->euid, "capabilities", p->caps, "container",
				      p->container));
	json_object_set_new(root, "isolation",
			    json_pack("{s:s, s:b, s:b, s:s}", "mode",
				      p->slot == BC_SLOT_LINUX ? "fork + private network namespace" : "fork",
				      "private_net", r->caps.private_net, "ipv6", r->caps.ipv6, "note", r->caps.reason));
	json_object_set_new(root, "summary", json_object());
	json_object_set_new(root, "tables", json_array());
	json_object_set_new(root, "input_errors", json_array());
	json_object_set_new(root, "cases", json_array());
	return root;
}

void bc_results_add_table(json_t *root, const struct bc_table *t)
{
	json_array_append_new(json_object_get(root, "tables"),
			      json_pack("{s:s, s:s, s:i}", "name", t->name, "file", t->path, "rows", t->ncases));
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

void bc_results_add_case(json_t *root, const struct bc_runner *r, const struct bc_case_result *res)
{
	const struct bc_case *c = res->c;
	char rerun[512], text[512];
	json_t *all = json_object(), *steps = json_array();
	json_t *posix = res->j.posix < 0 ? json_null() : json_boolean(res->j.posix);

	for (int s = 0; s < BC_SLOT_COUNT; s++)
		if (c->exp[s].state != BC_EXP_UNSET)
			json_object_set_new(all, bc_slot_name(s), json_string(c->exp[s].text));
	for (int i = 0; i < c->nsteps; i++) {
		json_t *st = json_pack("{s:s, s:b}", "step", c->steps[i].text, "checked", c->steps[i].checked);
		if (res->ran && i < res->obs.nsteps) {
			bc_outcome_format(&res->obs.steps[i].out, text, sizeof(text));
			json_object_set_new(st, "outcome", json_string(text));
		} else {
			json_object_set_new(st, "outcome", json_null());
		}
		json_array_append_new(steps, st);
	}
	bc_rerun_command(r, c, rerun, sizeof(rerun));
	json_t *exp = json_pack("{s:s, s:o, s:o, s:o}", "platform", bc_slot_name(r->platform.slot), "column",
				res->j.slot >= 0 ? json_string(bc_slot_name(res->j.slot)) : json_null(), "results",
				res->j.slot >= 0 ? json_string(res->j.expected_text) : json_null(), "all", all);
	json_t *obj = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:I, s:s}",
				"table", c->table, "id", c->id, "file", c->file, "line", c->line, "scenario",
				c->scenario, "verdict", bc_verdict_name(res->j.verdict), "reason",
				str_or_null(res->j.reason), "expected", exp, "observed",
				res->ran ? json_string(res->j.observed_text) : json_null(), "posix_conformance", posix,
				"steps", steps, "source", c->source, "deviation", str_or_null(c->deviation), "note",
				str_or_null(c->note), "duration_us", (json_int_t)res->duration_us, "rerun", rerun);
	json_array_append_new(json_object_get(root, "cases"), obj);
}

void bc_results_add_diags(json_t *root, const struct bc_diags *d)
{
	json_t *arr = json_object_get(root, "input_errors");
	for (int i = 0; i < d->n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:s}", "file", d->v[i].file, "line", d->v[i].line,
						     "column", d->v[i].col, "message", d->v[i].msg));
}

void bc_results_finish(json_t *root)
{
	json_t *sum = json_object_get(root, "summary"), *cases = json_object_get(root, "cases"), *c;
	size_t i;
	int counts[BC_VERDICT_COUNT] = {0};
	json_array_foreach(cases, i, c)
	{
		const char *v = json_string_value(json_object_get(c, "verdict"));
		for (int k = 0; k < BC_VERDICT_COUNT; k++)
			if (v && strcmp(v, bc_verdict_name(k)) == 0)
				counts[k]++;
	}
	json_object_set_new(sum, "total", json_integer((json_int_t)json_array_size(cases)));
	for (int k = 0; k < BC_VERDICT_COUNT; k++)
		json_object_set_new(sum, bc_verdict_name(k), json_integer(counts[k]));
	json_object_set_new(sum, "input_errors", json_integer((json_int_t)json_array_size(json_object_get(root, "input_errors"))));
}

int bc_results_write(const json_t *root, const char *path)
{
	return json_dump_file(root, path, JSON_INDENT(2) | JSON_ENSURE_ASCII);
}
