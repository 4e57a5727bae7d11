/* scratch: a case's private working directory, made and removed in one
 * place for every isolation level. */
#ifndef BC_SCRATCH_H
#define BC_SCRATCH_H

#include <stddef.h>

#define BC_SCRATCH_PATH_MAX 64

/* Make one under $TMPDIR (or /tmp, when it is unset or longer than 39
 * bytes) into dir: 0, or -1 with why, which names the directory tried and
 * the errno. */
int bc_scratch_make(char dir[BC_SCRATCH_PATH_MAX], char *why, size_t n);
/* Remove it and whatever the case left in it (read-only directories too). */
void bc_scratch_remove(const char *dir);

#endif
