/* results: building and writing results.json with jansson.  Keys keep their
 * insertion order and cases their run order, so two runs diff cleanly. */
#define _POSIX_C_SOURCE 200809L
#include "report/results.h"

#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "report/console.h"
#include "report/replace.h"

/* A JSON string of any C string.  jansson refuses text that is not UTF-8;
 * a step's value or a cut message may not be, so bad bytes become '?'
 * rather than losing the case. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j)
		return j;
	size_t n = strlen(s);
	char *copy = malloc(n + 1);
	const char *why;
	long bad;
	if (!copy)
		return json_string("(unprintable)");
	memcpy(copy, s, n + 1);
	while ((bad = bc_text_find_binary(copy, n, &why)) >= 0)
		copy[bad] = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_string("(unprintable)");
}

static json_t *jstr_or_null(const char *s)
{
	return s && *s ? jstr(s) : json_null();
}

/* Set key to v in o; v NULL (out of memory) becomes null, not a lost object.
 * Every key is one of this file's own ASCII names (or a slot's), so
 * jansson's UTF-8 check of it is skipped. */
static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new_nocheck(o, key, v ? v : json_null());
}

json_t *bc_results_new(const struct bc_run_info *run)
{
	const struct bc_platform *p = &run->platform;
	json_t *root = json_object(), *plat = json_object(), *iso = json_object();
	put(root, "schema", json_string(BC_RESULTS_SCHEMA));
	put(root, "schema_version", json_integer(BC_RESULTS_VERSION));
	put(root, "tool", json_pack("{s:s, s:s}", "name", "bindcheck", "version", BC_VERSION));
	put(plat, "id", jstr(p->id));
	put(plat, "family", jstr(bc_slot_name(p->slot)));
	put(plat, "os", jstr(p->os));
	put(plat, "release", jstr(p->release));
	put(plat, "machine", jstr(p->machine));
	put(plat, "libc", jstr(p->libc));
	put(plat, "euid", json_integer(p->euid));
	put(plat, "capabilities", jstr(p->caps));
	put(plat, "container", jstr(p->container));
	put(plat, "profile", run->profile ? jstr(run->profile) : json_null());
	put(plat, "time_scale", json_real(run->time_scale > 1.0 ? run->time_scale : 1.0));
	put(root, "platform", plat);
	put(iso, "mode", jstr(run->isolation));
	put(iso, "confinement", jstr(run->confinement ? run->confinement : ""));
	put(iso, "private_net", json_boolean(run->private_net));
	put(iso, "ipv6", json_boolean(run->ipv6));
	put(iso, "note", jstr(run->note));
	put(root, "isolation", iso);
	put(root, "summary", json_object());
	put(root, "tables", json_array());
	put(root, "input_errors", json_array());
	put(root, "cases", json_array());
	return root;
}

void bc_results_add_table(json_t *root, const struct bc_table *t)
{
	json_t *o = json_object();
	put(o, "name", jstr(t->name));
	put(o, "file", jstr(t->path));
	put(o, "rows", json_integer(t->ncases));
	json_array_append_new(json_object_get(root, "tables"), o);
}

static json_t *steps_json(const struct bc_case_result *res)
{
	const struct bc_case *c = res->c;
	json_t *steps = json_array();
	for (int i = 0; i < c->nsteps; i++) {
		char text[BC_VALUE_MAX + 16];
		json_t *st = json_object();
		put(st, "step", jstr(c->steps[i]->text));
		put(st, "checked", json_boolean(c->steps[i]->checked));
		if (res->ran && i < res->obs.nsteps && res->obs.steps[i].ran) {
			bc_outcome_format(&res->obs.steps[i].out, text, sizeof(text));
			put(st, "outcome", jstr(text));
		} else {
			put(st, "outcome", json_null());
		}
		json_array_append_new(steps, st);
	}
	return steps;
}

/* What the case's target wrote (its start, and how much there was) and
 * what the harness did to it; null for a case that ran none. */
static json_t *output_json(const struct bc_case_result *res)
{
	const struct bc_observation *o = &res->obs;
	if (!res->ran || !o->has_target)
		return json_null();
	json_t *obj = json_object();
	char *text = malloc(BC_OBS_OUT_MAX + 64);
	if (text) {
		unsigned long more = o->target_out_total > o->target_out_len ? o->target_out_total - o->target_out_len : 0;
		int n = snprintf(text, BC_OBS_OUT_MAX + 64, "%s", o->target_out);
		if (more)
			snprintf(text + n, (size_t)(BC_OBS_OUT_MAX + 64 - n), "%s... %lu bytes more", n && text[n - 1] != '\n' ? "\n" : "", more);
	}
	put(obj, "text", text ? jstr(text) : NULL);
	free(text);
	put(obj, "bytes", json_integer((json_int_t)o->target_out_total));
	put(obj, "note", jstr_or_null(o->target_note));
	return obj;
}

void bc_results_add_case(json_t *root, const struct bc_run_info *run, const struct bc_case_result *res)
{
	const struct bc_case *c = res->c;
	char rerun[512];
	json_t *obj = json_object(), *exp = json_object(), *all = json_object();

	for (int s = 0; s < BC_SLOT_COUNT; s++)
		if (c->exp[s].state != BC_EXP_UNSET)
			put(all, bc_slot_name(s), jstr(c->exp[s].text));
	put(exp, "platform", jstr(bc_slot_name(run->platform.slot)));
	put(exp, "column", res->j.slot >= 0 ? jstr(bc_slot_name(res->j.slot)) : json_null());
	put(exp, "results", res->j.slot >= 0 ? jstr(res->j.expected_text) : json_null());
	/* A recorded deviation: the documented result it departs from. */
	bool doc = res->j.slot >= 0 && res->j.documented_text[0];
	put(exp, "documented", doc ? jstr(res->j.documented_text) : json_null());
	put(exp, "documented_column", doc ? jstr(bc_slot_name(res->j.documented_slot)) : json_null());
	put(exp, "all", all);
	bc_console_rerun(run->prog, c, rerun, sizeof(rerun));

	put(obj, "table", jstr(c->table));
	put(obj, "id", jstr(c->id));
	put(obj, "file", jstr(c->file));
	put(obj, "line", json_integer(c->line));
	put(obj, "scenario", jstr(c->scenario));
	put(obj, "profile", c->profile ? jstr(c->profile->name) : json_null());
	put(obj, "target", c->target ? jstr(c->target->name) : json_null());
	put(obj, "fault", c->fault_text ? jstr(c->fault_text) : json_null());
	put(obj, "verdict", jstr(bc_verdict_name(res->j.verdict)));
	put(obj, "reason", jstr_or_null(res->j.reason));
	put(obj, "expected", exp);
	put(obj, "observed", res->ran ? jstr(res->j.observed_text) : json_null());
	put(obj, "posix_conformance", res->j.posix < 0 ? json_null() : json_boolean(res->j.posix));
	put(obj, "steps", steps_json(res));
	put(obj, "output", output_json(res));
	put(obj, "source", jstr(c->source));
	put(obj, "deviation", jstr_or_null(c->deviation));
	put(obj, "note", jstr_or_null(c->note));
	put(obj, "duration_us", json_integer(res->duration_us));
	put(obj, "isolation", jstr(res->in_place ? "in-place" : "sandbox"));
	put(obj, "rerun", jstr(rerun));
	json_array_append_new(json_object_get(root, "cases"), obj);
}

void bc_results_add_diags(json_t *root, const struct bc_diags *d)
{
	json_t *arr = json_object_get(root, "input_errors");
	for (int i = 0; i < d->n; i++) {
		json_t *o = json_object();
		put(o, "file", jstr(d->v[i].file));
		put(o, "line", json_integer(d->v[i].line));
		put(o, "column", json_integer(d->v[i].col));
		put(o, "message", jstr(d->v[i].msg));
		json_array_append_new(arr, o);
	}
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

/* jansson's json_dumpf writes every token with its own fwrite, which
 * costs more than building the whole document did (a 3 MB results.json:
 * a fifth of a run's CPU): the tokens are gathered here and written in
 * 64 KiB pieces. */
struct sink {
	FILE *out;
	size_t used;
	char buf[1 << 16];
};

static int sink_flush(struct sink *k)
{
	size_t n = k->used;
	k->used = 0;
	return n && fwrite(k->buf, 1, n, k->out) != n ? -1 : 0;
}

static int sink_put(const char *text, size_t n, void *data)
{
	struct sink *k = data;
	if (n > sizeof(k->buf) - k->used && sink_flush(k) < 0)
		return -1;
	if (n > sizeof(k->buf))
		return fwrite(text, 1, n, k->out) == n ? 0 : -1;
	memcpy(k->buf + k->used, text, n);
	k->used += n;
	return 0;
}

int bc_results_dump(const json_t *root, FILE *out)
{
	static struct sink k;
	k.out = out;
	k.used = 0;
	int rc = json_dump_callback(root, sink_put, &k, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	return sink_flush(&k) < 0 ? -1 : rc;
}

static int dump(void *root, FILE *out)
{
	return bc_results_dump(root, out);
}

int bc_results_write(const json_t *root, const char *path)
{
	return bc_replace_file(path, dump, (void *)root);
}

void bc_results_mark_interrupted(json_t *root, const char *signal_name, int planned)
{
	json_object_set_new(root, "interrupted", json_true());
	json_object_set_new(root, "interrupted_by", json_string(signal_name));
	json_object_set_new(root, "planned", json_integer(planned));
}
