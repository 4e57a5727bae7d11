/* write: report files, each made from a results document alone. */
#define _POSIX_C_SOURCE 200809L
#include "report/write.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "report/escape.h"
#include "report/replace.h"
#include "report/report.h"
#include "report/results.h"

bool bc_report_files_any(const struct bc_report_files *f)
{
	return f->json || f->markdown || f->junit || f->html || f->dir;
}

int bc_report_mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* "cannot write PATH: why", with the errno of the call that failed (EIO
 * when it left none: a short write that set no errno). */
static int cannot(const char *verb, const char *path, int err)
{
	fprintf(stderr, "bindcheck: cannot %s %s: %s\n", verb, path, strerror(err ? err : EIO));
	return -1;
}

int bc_report_mkdirs_said(const char *path)
{
	return bc_report_mkdirs(path) < 0 ? cannot("create", path, errno) : 0;
}

/* One report, made by one or many from the document(s), as
 * bc_replace_file wants it. */
struct made {
	int (*one)(const json_t *, FILE *);
	int (*many)(json_t *const *, int, FILE *);
	const json_t *root;
	json_t *const *roots;
	int n;
};

static int make(void *arg, FILE *out)
{
	const struct made *m = arg;
	return m->many ? m->many(m->roots, m->n, out) : m->one(m->root, out);
}

/* Write one report made by fn from root into path, replacing it whole. */
static int write_with(int (*fn)(const json_t *, FILE *), const json_t *root, const char *path)
{
	struct made m = {.one = fn, .root = root};
	return bc_replace_file(path, make, &m) < 0 ? cannot("write", path, errno) : 0;
}

/* results.json itself into path. */
static int write_results(const json_t *root, const char *path)
{
	return write_with(bc_results_dump, root, path);
}

int bc_report_write_derived(const json_t *root, const char *dir, bool say)
{
	static const struct {
		const char *name;
		int (*fn)(const json_t *, FILE *);
	} reports[] = {{"summary.md", bc_report_markdown}, {"junit.xml", bc_report_junit}, {"index.html", bc_report_html}};
	char path[4096];
	int rc = 0;
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, reports[i].name);
		if (write_with(reports[i].fn, root, path) < 0)
			rc = -1;
		else if (say)
			printf("report: %s\n", path);
	}
	return rc;
}

int bc_report_write_requested(const json_t *root, const struct bc_report_files *f)
{
	int rc = 0;
	if (f->markdown && write_with(bc_report_markdown, root, f->markdown) < 0)
		rc = -1;
	if (f->junit && write_with(bc_report_junit, root, f->junit) < 0)
		rc = -1;
	if (f->html && write_with(bc_report_html, root, f->html) < 0)
		rc = -1;
	return rc;
}

int bc_report_write_run(const json_t *root, const struct bc_report_files *f)
{
	const char *id = bc_json_str(json_object_get(root, "platform"), "id");
	char path[4096];
	int rc = 0;
	if (f->json && write_results(root, f->json) < 0)
		rc = -1;
	if (bc_report_write_requested(root, f) < 0)
		rc = -1;
	if (!f->dir)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", f->dir, id);
	if (bc_report_mkdirs(path) < 0)
		return cannot("create", path, errno);
	snprintf(path, sizeof(path), "%s/%s/results.json", f->dir, id);
	if (write_results(root, path) < 0)
		rc = -1;
	else
		printf("report: %s\n", path);
	snprintf(path, sizeof(path), "%s/%s", f->dir, id);
	if (bc_report_write_derived(root, path, true) < 0)
		rc = -1;
	return rc;
}

int bc_report_write_merged(int (*fn)(json_t *const *, int, FILE *), json_t *const *roots, int n, const char *path)
{
	struct made m = {.many = fn, .roots = roots, .n = n};
	return bc_replace_file(path, make, &m) < 0 ? cannot("write", path, errno) : 0;
}
