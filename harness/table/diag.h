/* diag: error messages of the form "file:line:col: message; hint: ...",
 * collected so that one bad row never hides the rest of a table. */
#ifndef BC_DIAG_H
#define BC_DIAG_H

#include <stdio.h>

#define BC_DIAG_MAX_PER_FILE 50

struct bc_diag {
	char *file;
	int line;
	int col;
	char *msg;
};

struct bc_diags {
	int n;
	int cap;
	struct bc_diag *v;
};

/* Adds one message unless the same file, line, column and text is already
 * there (a bad scenario step would otherwise repeat once per row).  After
 * BC_DIAG_MAX_PER_FILE messages for one file, one more says there were too
 * many, and later ones are dropped. */
void bc_diag_add(struct bc_diags *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int bc_diags_count_file(const struct bc_diags *d, const char *file);
void bc_diags_print(const struct bc_diags *d, FILE *out);
void bc_diags_free(struct bc_diags *d);

#endif
