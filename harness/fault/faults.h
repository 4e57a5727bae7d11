/* faults: fault rules as the table writes them (see faults.c). */
#ifndef BC_FAULTS_H
#define BC_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"

bool bc_fault_call_known(const char *call);
/* "socket, bind, ... or getaddrinfo": the calls a fault can name
 * (fault/protocol.h), for a hint.  Returns buf. */
const char *bc_fault_calls_text(char *buf, size_t len);
/* One rule "CALL[@SELECTOR]:WHEN:RESULT" (cases/README.md).  On error: a message, and in *bad the byte
 * offset of the part to blame. */
int bc_fault_parse_rule(const char *text, struct bc_fault *f, char *err, size_t errlen, size_t *bad);
/* Do a and b fail some call alike: the same call and selector, and WHENs
 * that can pick the same call (N and N, N and M+ with N >= M, N+ and M+,
 * and any pair with * or pP)? */
bool bc_fault_conflict(const struct bc_fault *a, const struct bc_fault *b);
/* The results a sweep tries for a call (names), NULL when it has none. */
const char *const *bc_fault_sweep_results(const char *call, int *n);
/* The rules as BC_FAULTS for the preload: numbers of this platform. */
void bc_fault_env(const struct bc_fault *faults, int n, char *buf, size_t len);

#endif
