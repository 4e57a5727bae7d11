/* write: report files where the user asked for them, for a run (results.json
 * and its companions) or for a results file read back (bindcheck report,
 * bindcheck merge).  Each file is replaced whole (report/replace.h): a
 * reader sees the previous one or the new one, never a part.  Each failure
 * is said on stderr with its errno ("cannot write PATH: No space left on
 * device") and leaves the previous file as it was; the functions go on
 * with the other files and return -1 at the end. */
#ifndef BC_WRITE_H
#define BC_WRITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The files asked for; NULL: not asked. */
struct bc_report_files {
	const char *json;     /* results.json itself (--json) */
	const char *markdown; /* the Markdown summary (--summary, --markdown) */
	const char *junit;    /* --junit */
	const char *html;     /* --html */
	const char *dir;      /* --report-dir */
};

/* Is any file asked for? */
bool bc_report_files_any(const struct bc_report_files *f);
/* Make the directory path and its parents; 0, or -1 with errno set. */
int bc_report_mkdirs(const char *path);
/* The same, and "cannot create PATH: why" on stderr when it fails. */
int bc_report_mkdirs_said(const char *path);
/* The Markdown summary, JUnit XML and HTML page, each where f names a file
 * (f->json and f->dir are not looked at). */
int bc_report_write_requested(const json_t *root, const struct bc_report_files *f);
/* results.json's companions in the directory dir: summary.md, junit.xml,
 * index.html; "report: PATH" on stdout for each when say. */
int bc_report_write_derived(const json_t *root, const char *dir, bool say);
/* Every file a run asked for: f->json, the requested ones, and under
 * f->dir/<platform-id>/ (the id results.json gives) results.json and its
 * companions. */
int bc_report_write_run(const json_t *root, const struct bc_report_files *f);
/* A report of several results documents (the merge matrix) into path. */
int bc_report_write_merged(int (*fn)(json_t *const *, int, FILE *), json_t *const *roots, int n, const char *path);

#endif
