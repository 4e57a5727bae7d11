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
/* What instantiate kept of a step without cells (see struct bc_tmpl_step). */
void bc_rd_memo_free(struct bc_step_memo *m);

#endif
