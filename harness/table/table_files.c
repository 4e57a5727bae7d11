/* table_files: finding table files and reading one from disk. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "table/table.h"

#define MAX_TABLE_BYTES (16L << 20)

int bc_table_load(const char *path, struct bc_table *t, struct bc_diags *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;
	int rc;
	memset(t, 0, sizeof(*t));
	if (!f) {
		bc_diag_add(d, path, 1, 1, "cannot open: %s", strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		bc_diag_add(d, path, 1, 1, "cannot read: %s; hint: a table is a regular file", strerror(errno));
		fclose(f);
		return 1;
	}
	if (size > MAX_TABLE_BYTES) {
		bc_diag_add(d, path, 1, 1, "table is %ld bytes, more than the %ld a table may have", size, MAX_TABLE_BYTES);
		fclose(f);
		return 1;
	}
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		bc_diag_add(d, path, 1, 1, "cannot read: %s", buf ? strerror(errno) : "out of memory");
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	buf[size] = '\0';
	rc = bc_table_parse(path, buf, (size_t)size, t, d);
	free(buf);
	return rc;
}

static int add_file(char ***files, int *n, const char *path)
{
	char **v = realloc(*files, (size_t)(*n + 1) * sizeof(*v));
	if (!v)
		return -1;
	*files = v;
	v[*n] = strdup(path);
	if (!v[*n])
		return -1;
	(*n)++;
	return 0;
}

static int is_table_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".tbl") == 0;
}

int bc_table_find(char *const *paths, int npaths, char ***files, struct bc_diags *d)
{
	int n = 0;
	*files = NULL;
	for (int i = 0; i < npaths; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0) {
			bc_diag_add(d, paths[i], 1, 1, "cannot open: %s", strerror(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (add_file(files, &n, paths[i]) < 0)
				return -1;
			continue;
		}
		struct dirent **ents;
		int k = scandir(paths[i], &ents, is_table_name, alphasort);
		if (k < 0) {
			bc_diag_add(d, paths[i], 1, 1, "cannot read directory: %s", strerror(errno));
			continue;
		}
		if (k == 0)
			bc_diag_add(d, paths[i], 1, 1, "no case tables (*.tbl) in this directory");
		for (int j = 0; j < k; j++) {
			char full[4096];
			size_t pl = strlen(paths[i]);
			snprintf(full, sizeof(full), "%s%s%s", paths[i], pl && paths[i][pl - 1] == '/' ? "" : "/",
				 ents[j]->d_name);
			int rc = add_file(files, &n, full);
			free(ents[j]);
			if (rc < 0) {
				for (j++; j < k; j++)
					free(ents[j]);
				free(ents);
				return -1;
			}
		}
		free(ents);
	}
	return n;
}

void bc_table_files_free(char **files, int n)
{
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
}
