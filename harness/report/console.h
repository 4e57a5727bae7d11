/* console: a case's result as bindcheck prints it, one stable line per case
 * and a block for a failure, and the command that re-runs just that case. */
#ifndef BC_CONSOLE_H
#define BC_CONSOLE_H

#include <stdio.h>

#include "model/result.h"

/* The shell command that re-runs just this case; prog is how to call
 * bindcheck (NULL: "bindcheck"). */
void bc_console_rerun(const char *prog, const struct bc_case *c, char *buf, unsigned buflen);
/* "PASS  table/id", and for a failure what was expected, what was seen, every
 * step, the source and the re-run command. */
void bc_console_print_result(const char *prog, const struct bc_case_result *res, FILE *out);

#endif
