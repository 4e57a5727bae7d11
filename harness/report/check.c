/* check: the shape of results.json, as a table of fields (see check.h). */
#define _POSIX_C_SOURCE 200809L
#include "report/check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model/verdict.h"
#include "report/results.h"

enum { T_STR = 1, T_INT = 2, T_REAL = 4, T_BOOL = 8, T_NULL = 16, T_OBJ = 32, T_ARR = 64 };

/* One field: the types it may have, whether it was added within version 1
 * (older files lack it), the fields of an object or of each element of an
 * array (key "*": every member), and what a string must be. */
struct field {
	const char *key;
	unsigned types;
	bool added;
	const struct field *inner;
	bool (*valid)(const char *s);
	const char *what; /* what valid wants, for the message */
};

static bool is_verdict(const char *s)
{
	for (int v = 0; v < BC_VERDICT_COUNT; v++)
		if (strcmp(s, bc_verdict_name(v)) == 0)
			return true;
	return false;
}

#define STR_NULL (T_STR | T_NULL)
#define F(key, types) {key, types, false, NULL, NULL, NULL}
#define ADDED(key, types) {key, types, true, NULL, NULL, NULL}
#define IN(key, types, inner) {key, types, false, inner, NULL, NULL}
#define END F(NULL, 0)

static const struct field tool[] = {F("name", T_STR), F("version", T_STR), END};
static const struct field platform[] = {
	F("id", T_STR), F("family", T_STR), F("os", T_STR), F("release", T_STR), F("machine", T_STR),
	F("libc", T_STR), F("euid", T_INT), F("capabilities", T_STR), F("container", T_STR), F("profile", STR_NULL),
	ADDED("time_scale", T_INT | T_REAL), ADDED("accel", T_STR), ADDED("kernel_package", T_STR),
	ADDED("kernel_package_version", T_STR), END};
static const struct field isolation[] = {
	F("mode", T_STR), F("private_net", T_BOOL), F("ipv6", T_BOOL), F("note", STR_NULL), END};
static const struct field summary[] = {F("total", T_INT), F("pass", T_INT), F("fail", T_INT), F("xfail", T_INT),
				       F("xpass", T_INT), F("skip", T_INT), F("error", T_INT), F("input_errors", T_INT), END};
static const struct field table[] = {F("name", T_STR), F("file", T_STR), F("rows", T_INT), END};
static const struct field input_error[] = {
	F("file", T_STR), F("line", T_INT), F("column", T_INT), F("message", T_STR), END};
static const struct field columns[] = {F("*", T_STR), END};
static const struct field expected[] = {F("platform", T_STR), F("column", STR_NULL), F("results", STR_NULL),
					ADDED("documented", STR_NULL), ADDED("documented_column", STR_NULL),
					IN("all", T_OBJ, columns), END};
static const struct field step[] = {F("step", T_STR), F("checked", T_BOOL), F("outcome", STR_NULL), END};
static const struct field output[] = {F("text", T_STR), F("bytes", T_INT), F("note", STR_NULL), END};
static const struct field one_case[] = {
	F("table", T_STR), F("id", T_STR), F("file", T_STR), F("line", T_INT), F("scenario", T_STR),
	F("profile", STR_NULL), F("target", STR_NULL), F("fault", STR_NULL),
	{"verdict", T_STR, false, NULL, is_verdict, "pass, fail, xfail, xpass, skip or error"},
	F("reason", STR_NULL), IN("expected", T_OBJ, expected), F("observed", STR_NULL),
	F("posix_conformance", T_BOOL | T_NULL), IN("steps", T_ARR, step),
	{"output", T_OBJ | T_NULL, true, output, NULL, NULL}, F("source", T_STR),
	F("deviation", STR_NULL), F("note", STR_NULL), F("duration_us", T_INT), F("isolation", T_STR),
	F("rerun", T_STR), END};
static const struct field document[] = {
	IN("tool", T_OBJ, tool), IN("platform", T_OBJ, platform), IN("isolation", T_OBJ, isolation),
	IN("summary", T_OBJ, summary), IN("tables", T_ARR, table), IN("input_errors", T_ARR, input_error),
	IN("cases", T_ARR, one_case), END};

struct ctx {
	char path[256]; /* the field being looked at: cases[3].expected */
	char *why;
	size_t n;
};

static int bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(c->why, c->n, "\"%s\" ", c->path);
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < c->n)
		vsnprintf(c->why + k, c->n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return T_STR;
	case JSON_INTEGER:
		return T_INT;
	case JSON_REAL:
		return T_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return T_BOOL;
	case JSON_NULL:
		return T_NULL;
	case JSON_OBJECT:
		return T_OBJ;
	default:
		return T_ARR;
	}
}

/* "a string or null", of a set of types. */
static void type_names(unsigned types, char *buf, size_t n)
{
	static const char *const names[] = {"a string", "an integer", "a number", "true or false", "null", "an object", "an array"};
	size_t k = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]) && k < n; i++)
		if (types & (1u << i))
			k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? " or " : "", names[i]);
}

static int check_fields(struct ctx *c, const json_t *o, const struct field *fields);

/* Each element of the array a: an object with these fields. */
static int check_elements(struct ctx *c, const json_t *a, const struct field *fields)
{
	size_t len = strlen(c->path), i;
	const json_t *e;
	json_array_foreach(a, i, e)
	{
		snprintf(c->path + len, sizeof(c->path) - len, "[%zu]", i);
		if (!json_is_object(e))
			return bad(c, "is not an object");
		if (check_fields(c, e, fields) < 0)
			return -1;
	}
	c->path[len] = '\0';
	return 0;
}

/* The value v of field f, named key (f->key but for "*"). */
static int check_value(struct ctx *c, const char *key, const json_t *v, const struct field *f)
{
	char want[96], got[32];
	size_t len = strlen(c->path);
	snprintf(c->path + len, sizeof(c->path) - len, "%s%s", len ? "." : "", key);
	if (!(type_of(v) & f->types)) {
		type_names(f->types, want, sizeof(want));
		type_names(type_of(v), got, sizeof(got));
		return bad(c, "is %s, not %s", got, want);
	}
	if (f->valid && json_is_string(v) && !f->valid(json_string_value(v)))
		return bad(c, "is \"%.40s\", not one of %s", json_string_value(v), f->what);
	if (f->inner && (json_is_object(v) ? check_fields(c, v, f->inner) : check_elements(c, v, f->inner)) < 0)
		return -1;
	c->path[len] = '\0';
	return 0;
}

static int check_fields(struct ctx *c, const json_t *o, const struct field *fields)
{
	for (const struct field *f = fields; f->key; f++) {
		const char *key;
		const json_t *v;
		if (strcmp(f->key, "*") == 0) {
			json_object_foreach((json_t *)o, key, v)
				if (check_value(c, key, v, f) < 0)
					return -1;
			continue;
		}
		if (!(v = json_object_get(o, f->key))) {
			if (f->added)
				continue;
			size_t len = strlen(c->path);
			snprintf(c->path + len, sizeof(c->path) - len, "%s%s", len ? "." : "", f->key);
			return bad(c, "is missing");
		}
		if (check_value(c, f->key, v, f) < 0)
			return -1;
	}
	return 0;
}

int bc_results_check(const json_t *root, char *why, size_t n)
{
	struct ctx c = {.path = "", .why = why, .n = n};
	const json_t *schema = json_object_get(root, "schema"), *version = json_object_get(root, "schema_version");
	if (!json_is_object(root)) {
		char got[32];
		type_names(type_of(root), got, sizeof(got));
		snprintf(why, n, "the top level is %s, not an object", got);
		return -1;
	}
	if (!json_is_string(schema) || strcmp(json_string_value(schema), BC_RESULTS_SCHEMA) != 0) {
		snprintf(why, n, "no \"schema\": \"%s\"", BC_RESULTS_SCHEMA);
		return -1;
	}
	if (!json_is_integer(version) || json_integer_value(version) != BC_RESULTS_VERSION) {
		snprintf(why, n, "\"schema_version\" is not %d, the version this bindcheck reads", BC_RESULTS_VERSION);
		return -1;
	}
	return check_fields(&c, root, document);
}
