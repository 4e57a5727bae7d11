/* report: the reports made from results.json alone (never from a run's
 * state), so that they can be made again, anywhere, byte for byte. */
#ifndef BC_REPORT_H
#define BC_REPORT_H

#include <jansson.h>
#include <stdio.h>

/* The Markdown summary, short enough to paste into a pull request. */
int bc_report_markdown(const json_t *root, FILE *out);
/* JUnit XML: one testsuite per table; passes xmllint --noout. */
int bc_report_junit(const json_t *root, FILE *out);
/* One self-contained HTML page: fingerprint, per-table conformance bars,
 * the case list with filters by verdict and table. */
int bc_report_html(const json_t *root, FILE *out);
/* The cross-platform matrix of several runs (cases x platforms). */
int bc_report_merge_html(json_t *const *roots, int n, FILE *out);
int bc_report_merge_markdown(json_t *const *roots, int n, FILE *out);

#endif
