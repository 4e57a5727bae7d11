/* table_files: finding table files and reading one from disk. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table/table.h"

#define MAX_TABLE_BYTES (16L << 20)

/* What a file that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "a special file";
}

int bc_table_open_regular(const char *path, char *why, size_t n)
{
	struct stat st;
	/* Looked at before it is opened, so that opening a device has no
	 * effect, and again through the descriptor, so that a file swapped
	 * for a FIFO in between cannot block the read (O_NONBLOCK keeps the
	 * open itself from waiting for a writer). */
	if (stat(path, &st) < 0) {
		snprintf(why, n, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(why, n, "cannot open: %s", strerror(errno));
			return -1;
		}
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			return fd;
		close(fd);
	}
	snprintf(why, n, "%s, not a regular file", file_kind(st.st_mode));
	return -2;
}

/* The whole file into a NUL-terminated buffer: its length, or -1 with why. */
static long read_all(int fd, char **out, char *why, size_t n)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (!buf) {
			snprintf(why, n, "cannot read: out of memory");
			return -1;
		}
		if (len > (size_t)MAX_TABLE_BYTES) {
			snprintf(why, n, "table of more than the %ld bytes a table may have", MAX_TABLE_BYTES);
			free(buf);
			return -1;
		}
		if (len == cap) {
			char *v = realloc(buf, cap * 2 + 1);
			if (!v)
				free(buf);
			buf = v;
			cap *= 2;
			continue;
		}
		ssize_t got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(why, n, "cannot read: %s", strerror(errno));
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	*out = buf;
	return (long)len;
}

int bc_table_load(const char *path, struct bc_table *t, struct bc_diags *d)
{
	char why[256], *buf = NULL;
	long size = -1;
	int rc, fd;
	memset(t, 0, sizeof(*t));
	if ((fd = bc_table_open_regular(path, why, sizeof(why))) >= 0) {
		size = read_all(fd, &buf, why, sizeof(why));
		close(fd);
	}
	if (fd < 0) {
		bc_diag_add(d, path, 1, 1, "%s%s", why, fd == -2 ? "; hint: a case table is a regular file of text" : "");
		return 1;
	}
	if (size < 0) {
		bc_diag_add(d, path, 1, 1, "%s", why);
		return 1;
	}
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
