/* diag: collection and printing of reader errors. */
#define _POSIX_C_SOURCE 200809L
#include "table/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void bc_diag_add(struct bc_diags *d, const char *file, int line, int col, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* Past the cap one last message says so, and the rest is dropped. */
	int in_file = bc_diags_count_file(d, file);
	if (in_file > BC_DIAG_MAX_PER_FILE)
		return;
	if (in_file == BC_DIAG_MAX_PER_FILE)
		snprintf(msg, sizeof(msg), "too many errors; the rest of this table is not read");
	for (int i = 0; i < d->n; i++) {
		const struct bc_diag *x = &d->v[i];
		if (x->line == line && x->col == col && strcmp(x->file, file) == 0 && strcmp(x->msg, msg) == 0)
			return;
	}
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 16;
		struct bc_diag *v = realloc(d->v, (size_t)cap * sizeof(*v));
		if (!v)
			return; /* out of memory: the message is lost, the count is not */
		d->v = v;
		d->cap = cap;
	}
	struct bc_diag *x = &d->v[d->n];
	x->file = strdup(file);
	x->msg = strdup(msg);
	if (!x->file || !x->msg) {
		free(x->file);
		free(x->msg);
		return;
	}
	x->line = line;
	x->col = col;
	d->n++;
}

int bc_diags_count_file(const struct bc_diags *d, const char *file)
{
	int n = 0;
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->v[i].file, file) == 0)
			n++;
	return n;
}

void bc_diags_print(const struct bc_diags *d, FILE *out)
{
	for (int i = 0; i < d->n; i++)
		fprintf(out, "%s:%d:%d: %s\n", d->v[i].file, d->v[i].line, d->v[i].col, d->v[i].msg);
}

void bc_diags_free(struct bc_diags *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
