/* step_args: the positional arguments of a step, one parser per kind of
 * argument (enum bc_arg, model/verbs.h).  Internal to table/: step_parse.c
 * picks the kinds from the verb's grammar. */
#ifndef BC_STEP_ARGS_H
#define BC_STEP_ARGS_H

#include <stdbool.h>

#include "table/reader.h"

/* What parsing one step works with. */
struct bc_step_pc {
	const char *file;
	struct bc_step *st;
	struct bc_scope *scope;
	bool dry;
	struct bc_diags *d;
};

/* Gives st the default of what an argument of kind sets, for when the
 * step leaves it out (setsockopt's value 1, mkdir's mode 0755, ...) and
 * "none" (-1) for the indices it would name. */
void bc_step_arg_init(enum bc_arg kind, struct bc_step *st);
/* One argument into p->st.  Returns 0, or -1 after adding a diagnostic. */
int bc_step_arg(struct bc_step_pc *p, enum bc_arg kind, struct bc_word *w);

/* A diagnostic about w, and return -1 from the function using it. */
#define BC_STEP_FAIL(p, w, ...)                                                 \
	do {                                                                    \
		bc_diag_add((p)->d, (p)->file, (w)->line, (w)->col, __VA_ARGS__); \
		return -1;                                                      \
	} while (0)

#endif
