/* table: the case-table reader.  Text in, cases out; every problem becomes a
 * "file:line:col: message" diagnostic and the rest of the table is still read.
 * It creates no sockets and reads nothing but the file it is given. */
#ifndef BC_TABLE_H
#define BC_TABLE_H

#include <stddef.h>

#include "model/case.h"
#include "table/diag.h"

/* Parse a table held in memory; path names it in diagnostics.  Returns the
 * number of diagnostics added; t holds every row that was read correctly. */
int bc_table_parse(const char *path, const char *text, size_t len, struct bc_table *t, struct bc_diags *d);
/* Open path for reading if it is a regular file: the descriptor; or -1
 * with why when it cannot be opened ("cannot open: ..."), -2 when it is
 * something else ("a FIFO, not a regular file").  Never
 * waits: a FIFO, a socket or a device is refused without being read. */
int bc_table_open_regular(const char *path, char *why, size_t n);
/* Read the file at path (a regular file, see above), then parse it. */
int bc_table_load(const char *path, struct bc_table *t, struct bc_diags *d);

/* Expand each path (a .tbl file, or a directory whose *.tbl files are taken
 * in name order) into a list of table files.  A path that does not exist, or
 * a directory without tables, adds a diagnostic and nothing to the list.
 * Returns the count, or -1 when out of memory. */
int bc_table_find(char *const *paths, int npaths, char ***files, struct bc_diags *d);
void bc_table_files_free(char **files, int n);

#endif
