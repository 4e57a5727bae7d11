/* matrix: platforms and profile runs side by side (see matrix.h). */
#define _POSIX_C_SOURCE 200809L
#include "report/matrix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"

#define str bc_json_str
#define MAX_NAMED 64

const char *bc_matrix_run_name(const struct bc_matrix *m, int k)
{
	return str(json_object_get(m->roots[k], "platform"), "id");
}

const char *bc_matrix_run_profile(const struct bc_matrix *m, int k)
{
	return str(json_object_get(m->roots[k], "platform"), "profile");
}

/* Every number in s, into named (up to MAX_NAMED in all). */
static void numbers_in(const char *s, long *named, int *n)
{
	while (s && *s) {
		if (!isdigit((unsigned char)*s)) {
			s++;
			continue;
		}
		char *end;
		long v = strtol(s, &end, 10);
		if (*n < MAX_NAMED)
			named[(*n)++] = v;
		s = end;
	}
}

/* The numbers the row names: in its steps and its expectation cells. */
static int named_numbers(const json_t *c, long *named)
{
	int n = 0;
	const json_t *v, *exp = json_object_get(c, "expected");
	const char *key;
	size_t i;
	json_array_foreach(json_object_get(c, "steps"), i, v)
		numbers_in(str(v, "step"), named, &n);
	json_object_foreach((json_t *)json_object_get(exp, "all"), key, v)
		numbers_in(json_string_value(v), named, &n);
	numbers_in(str(exp, "results"), named, &n);
	return n;
}

static bool is_named(long port, const long *named, int n)
{
	for (int i = 0; i < n; i++)
		if (named[i] == port)
			return true;
	return false;
}

void bc_matrix_mask(const json_t *c, const char *observed, char *buf, size_t n)
{
	long named[MAX_NAMED];
	int nnamed = named_numbers(c, named);
	size_t o = 0;
	bool bracket = false;
	if (!n)
		return;
	for (const char *s = observed; *s && o + 1 < n;) {
		bracket = *s == '[' ? true : *s == ']' ? false : bracket;
		/* ADDR:PORT: a ':' outside brackets right after ']' or an IPv4 digit. */
		if (*s == ':' && !bracket && s > observed && (s[-1] == ']' || isdigit((unsigned char)s[-1])) &&
		    isdigit((unsigned char)s[1])) {
			char *end;
			long port = strtol(s + 1, &end, 10);
			if (port >= 1024 && !is_named(port, named, nnamed) && !isalnum((unsigned char)*end)) {
				buf[o++] = ':';
				if (o + 1 < n)
					buf[o++] = '*';
				s = end;
				continue;
			}
		}
		buf[o++] = *s++;
	}
	buf[o] = '\0';
}

static int add_row(struct bc_matrix *m, json_t *index, const json_t *c)
{
	char key[600];
	snprintf(key, sizeof(key), "%s\x1f%s", str(c, "table"), str(c, "id"));
	if (json_object_get(index, key))
		return 0;
	struct bc_mrow *v = realloc(m->rows, (size_t)(m->nrows + 1) * sizeof(*v));
	if (!v)
		return -1;
	m->rows = v;
	struct bc_mrow *r = &m->rows[m->nrows];
	memset(r, 0, sizeof(*r));
	r->table = str(c, "table");
	r->id = str(c, "id");
	r->cells = calloc((size_t)m->nruns, sizeof(*r->cells));
	r->masked = calloc((size_t)m->nruns, sizeof(*r->masked));
	if (!r->cells || !r->masked) {
		free(r->cells);
		free(r->masked);
		return -1;
	}
	json_object_set_new(index, key, json_integer(m->nrows++));
	return 0;
}

static int add_table(struct bc_matrix *m, const char *t)
{
	for (int i = 0; i < m->ntables; i++)
		if (strcmp(m->tables[i], t) == 0)
			return 0;
	const char **v = realloc(m->tables, (size_t)(m->ntables + 1) * sizeof(*v));
	if (!v)
		return -1;
	m->tables = v;
	m->tables[m->ntables++] = t;
	return 0;
}

/* Every case of every run, in the order they first appear, each with its
 * cell in every run and its masked observation. */
static int collect(struct bc_matrix *m)
{
	json_t *index = json_object();
	int rc = index ? 0 : -1;
	for (int k = 0; k < m->nruns && rc == 0; k++) {
		const json_t *c;
		size_t i;
		json_array_foreach(json_object_get(m->roots[k], "cases"), i, c)
		{
			char key[600], buf[4096];
			if ((rc = add_row(m, index, c)) < 0 || (rc = add_table(m, str(c, "table"))) < 0)
				break;
			snprintf(key, sizeof(key), "%s\x1f%s", str(c, "table"), str(c, "id"));
			struct bc_mrow *r = &m->rows[json_integer_value(json_object_get(index, key))];
			r->cells[k] = c;
			if (json_is_string(json_object_get(c, "observed"))) {
				bc_matrix_mask(c, str(c, "observed"), buf, sizeof(buf));
				if (!(r->masked[k] = strdup(buf)))
					rc = -1;
			}
		}
	}
	json_decref(index);
	return rc;
}

/* Two cells differ: verdict, or observation with ports masked. */
static bool cells_differ(const struct bc_mrow *r, int a, int b)
{
	const char *ma = r->masked[a] ? r->masked[a] : "", *mb = r->masked[b] ? r->masked[b] : "";
	return strcmp(str(r->cells[a], "verdict"), str(r->cells[b], "verdict")) != 0 || strcmp(ma, mb) != 0;
}

static void judge_row(struct bc_matrix *m, struct bc_mrow *r)
{
	int first = -1;
	for (int i = 0; i < m->nplat; i++) {
		int k = m->plat[i];
		if (!r->cells[k])
			continue;
		if (first < 0)
			first = k;
		else if (cells_differ(r, first, k))
			r->disagrees = true;
	}
	for (int i = 0; i < m->nprof; i++) {
		int k = m->prof[i], b = m->base[i];
		if (b >= 0 && r->cells[k] && r->cells[b] && cells_differ(r, b, k))
			r->changed |= 1u << i;
	}
	m->ndis += r->disagrees;
	m->nchanged += r->changed != 0;
}

/* The base of a profile run: the platform whose id it extends with
 * "+PROFILE", else the first platform. */
static int base_of(const struct bc_matrix *m, int k)
{
	const char *id = bc_matrix_run_name(m, k), *plus = strrchr(id, '+');
	size_t len = plus ? (size_t)(plus - id) : strlen(id);
	for (int i = 0; i < m->nplat; i++) {
		const char *p = bc_matrix_run_name(m, m->plat[i]);
		if (strlen(p) == len && strncmp(p, id, len) == 0)
			return m->plat[i];
	}
	return m->nplat ? m->plat[0] : -1;
}

static int classify(struct bc_matrix *m)
{
	m->plat = calloc((size_t)m->nruns, sizeof(int));
	m->prof = calloc((size_t)m->nruns, sizeof(int));
	m->base = calloc((size_t)m->nruns, sizeof(int));
	if (!m->plat || !m->prof || !m->base)
		return -1;
	for (int k = 0; k < m->nruns; k++) {
		if (bc_matrix_run_profile(m, k)[0] && m->nprof < 32)
			m->prof[m->nprof++] = k;
		else
			m->plat[m->nplat++] = k;
	}
	for (int i = 0; i < m->nprof; i++)
		m->base[i] = base_of(m, m->prof[i]);
	return 0;
}

/* Disagreeing rows first, each group in run order. */
static int order_rows(struct bc_matrix *m)
{
	struct bc_mrow *v = malloc((size_t)(m->nrows ? m->nrows : 1) * sizeof(*v));
	int o = 0;
	if (!v)
		return -1;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < m->nrows; i++)
			if (m->rows[i].disagrees == (pass == 0))
				v[o++] = m->rows[i];
	free(m->rows);
	m->rows = v;
	return 0;
}

int bc_matrix_build(struct bc_matrix *m, json_t *const *roots, int n)
{
	memset(m, 0, sizeof(*m));
	m->roots = roots;
	m->nruns = n;
	if (classify(m) < 0 || collect(m) < 0) {
		bc_matrix_free(m);
		return -1;
	}
	for (int i = 0; i < m->nrows; i++)
		judge_row(m, &m->rows[i]);
	if (order_rows(m) < 0) {
		bc_matrix_free(m);
		return -1;
	}
	return 0;
}

void bc_matrix_free(struct bc_matrix *m)
{
	for (int i = 0; i < m->nrows; i++) {
		for (int k = 0; k < m->nruns; k++)
			free(m->rows[i].masked ? m->rows[i].masked[k] : NULL);
		free(m->rows[i].masked);
		free(m->rows[i].cells);
	}
	free(m->rows);
	free(m->tables);
	free(m->plat);
	free(m->prof);
	free(m->base);
	memset(m, 0, sizeof(*m));
}

int bc_matrix_count(const struct bc_matrix *m, int k, const char *t, const char *v)
{
	const json_t *c;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(m->roots[k], "cases"), i, c)
		n += (!t || strcmp(str(c, "table"), t) == 0) && strcmp(str(c, "verdict"), v) == 0;
	return n;
}
