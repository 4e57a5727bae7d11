/* rows: a table's rows into cases (table_rows.c), through its scenario's
 * steps with the row's cells put in (instantiate.c).  The preamble reader
 * (table.c) calls these; they call nothing of it. */
#ifndef BC_ROWS_H
#define BC_ROWS_H

#include "table/reader.h"

/* One row into a case appended to r->t, or diagnostics. */
void bc_rd_read_row(struct rd *r, const struct bc_line *l);
/* sc's steps with the row's cells put in, into c->steps; without a row,
 * a dry run that only reports what is wrong with the scenario. */
int bc_rd_instantiate(struct rd *r, struct bc_scenario *sc, const struct bc_line *row, struct bc_case *c);
/* The row's profile (row_profile.c): the ones its cell names, joined with
 * '+', or the table's "default" profile when the cell is '-' or there is
 * no column (cell NULL). */
int bc_rd_pick_profile(struct rd *r, const struct bc_tok *cell, int line, struct bc_case *c);
/* What the table's store keeps for a name of one kind (P: a merged profile
 * list, T: a target), NULL until the caller sets it; the slot is good
 * until the store takes more.  NULL when out of memory. */
void **bc_rd_memo(struct rd *r, char kind, const char *name);
/* What instantiate kept of a step without cells (see struct bc_tmpl_step). */
void bc_rd_memo_free(struct bc_step_memo *m);

#endif
