/* result: the facts of a case that never ran. */
#define _POSIX_C_SOURCE 200809L
#include "model/result.h"

#include <stdio.h>
#include <string.h>

void bc_facts_refused(struct bc_run_facts *f, enum bc_run_end end, const char *why)
{
	memset(f, 0, sizeof(*f));
	f->end = end;
	f->step = -1;
	snprintf(f->detail, sizeof(f->detail), "%s", why);
}
