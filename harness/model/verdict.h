/* verdict: the expectation for this platform against what was observed. */
#ifndef BC_VERDICT_H
#define BC_VERDICT_H

#include "model/case.h"
#include "model/platform.h"
#include "model/observation.h"

enum bc_verdict { BC_PASS, BC_FAIL, BC_XFAIL, BC_XPASS, BC_SKIP, BC_ERROR, BC_VERDICT_COUNT };

struct bc_judgement {
	enum bc_verdict verdict;
	int slot;                       /* the expectation column used, -1 none */
	const struct bc_clause *expected;
	char expected_text[512];
	char observed_text[512];
	int posix;                      /* observed within the POSIX set: 1, 0, or -1 when the row has none */
	/* A row that records a deviation for the column used: the documented
	 * result this platform departs from (column expect, else posix), and
	 * that column; documented_text "" otherwise. */
	int documented_slot;
	char documented_text[512];
	char reason[512];
};

/* The port of "=ADDR:ephemeral": any port of the range the case's own
 * namespace had (struct bc_observation's eph_lo and eph_hi). */
#define BC_EPHEMERAL "ephemeral"

const char *bc_verdict_name(enum bc_verdict v);
/* Failing verdicts make a run fail: fail, xpass and error. */
int bc_verdict_is_failure(enum bc_verdict v);

/* The clause of c that applies to p, or NULL with the reason for a skip. */
const struct bc_clause *bc_expect_for(const struct bc_case *c, const struct bc_platform *p, int *slot, char *why,
				      unsigned whylen);
bool bc_item_matches(const struct bc_expect_item *it, const struct bc_outcome *o, const struct bc_observation *obs);
void bc_item_format(const struct bc_expect_item *it, char *buf, unsigned buflen);
void bc_clause_format(const struct bc_clause *cl, char *buf, unsigned buflen);

/* Judge an observation of a case whose steps all ran. */
void bc_judge(const struct bc_case *c, const struct bc_platform *p, const struct bc_observation *obs,
	      struct bc_judgement *j);

#endif
