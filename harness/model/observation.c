/* observation: formatting what a case observed. */
#define _POSIX_C_SOURCE 200809L
#include "model/observation.h"

#include <stdio.h>

void bc_obs_format_checked(const struct bc_case *c, const struct bc_observation *obs, char *buf, unsigned buflen)
{
	size_t off = 0;
	bool first = true;
	buf[0] = '\0';
	for (int i = 0; i < c->nsteps && off < buflen; i++) {
		char one[BC_VALUE_MAX + 16];
		if (!c->steps[i]->checked)
			continue;
		if (i < obs->nsteps && obs->steps[i].ran)
			bc_outcome_format(&obs->steps[i].out, one, sizeof(one));
		else
			snprintf(one, sizeof(one), "(not run)");
		off += (size_t)snprintf(buf + off, buflen - off, "%s%s", first ? "" : ",", one);
		first = false;
	}
}
