/* check: whether a JSON document read back (bindcheck report, bindcheck
 * merge) has the shape of results.json, schema version 1
 * (reports/README.md): every field of the version, of its type, and the
 * values a report relies on (the schema, its version, the verdicts).
 * Fields may be added within a version: unknown keys are let through, and
 * the fields added after the first files (time_scale, documented, ...) may
 * be missing. */
#ifndef BC_CHECK_H
#define BC_CHECK_H

#include <jansson.h>
#include <stddef.h>

/* 0 when root is such a document; else -1 and what is wrong, naming the
 * field (`"cases[3].verdict" is missing`), in why. */
int bc_results_check(const json_t *root, char *why, size_t n);

#endif
