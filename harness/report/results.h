/* results: results.json, the one truth of a run.  Every other report is
 * made from it, never from the run's internal state. */
#ifndef BC_RESULTS_H
#define BC_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "model/case.h"
#include "model/result.h"
#include "table/diag.h"

#define BC_RESULTS_SCHEMA "bindcheck-results"
#define BC_RESULTS_VERSION 1
#define BC_VERSION "0.1.0"

/* A results document for the run described by run, with no case yet. */
json_t *bc_results_new(const struct bc_run_info *run);
void bc_results_add_table(json_t *root, const struct bc_table *t);
void bc_results_add_case(json_t *root, const struct bc_run_info *run, const struct bc_case_result *res);
void bc_results_add_diags(json_t *root, const struct bc_diags *d);
/* Fill in the summary counts; call once, after the last case. */
void bc_results_finish(json_t *root);
/* The run was stopped by a signal (its name, "SIGINT") with `planned`
 * cases selected: the document says so ("interrupted", "interrupted_by",
 * "planned"); its cases are those that finished. */
void bc_results_mark_interrupted(json_t *root, const char *signal_name, int planned);
/* The document as results.json holds it, into out; 0 or -1. */
int bc_results_dump(const json_t *root, FILE *out);
/* results.json at path, replaced whole (report/replace.h); 0, or -1 with
 * errno set and the previous file left as it was. */
int bc_results_write(const json_t *root, const char *path);

#endif
