/* header: a table's header line into the reader's columns, and the checks
 * a header must pass (header.c).  Internal to the reader. */
#ifndef BC_HEADER_H
#define BC_HEADER_H

#include "table/reader.h"

/* The header l (its words are taken) becomes r's columns. */
void bc_rd_read_header(struct rd *r, struct bc_line *l);

#endif
