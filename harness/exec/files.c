/* files: the file verbs (mkfile, mkdir, symlink, chmod, unlink, stat), for
 * AF_UNIX cases.  Relative paths are in the case's own scratch directory. */
#define _POSIX_C_SOURCE 200809L
#include "exec/step_ctx.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int bc_exec_mkfile(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	int f = open(st->file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return f < 0 ? -1 : close(f);
}

int bc_exec_mkdir(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	/* The umask must not change the mode the table asked for. */
	return mkdir(st->file.path, (mode_t)st->file.mode) < 0 ? -1 : chmod(st->file.path, (mode_t)st->file.mode);
}

int bc_exec_symlink(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return symlink(st->file.target, st->file.path);
}

int bc_exec_chmod(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return chmod(st->file.path, (mode_t)st->file.mode);
}

int bc_exec_unlink(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return unlink(st->file.path);
}

/* stat: what is at a path, "=socket", "=file", "=dir", "=symlink" or
 * "=other", or the errno (ENOENT when nothing is there). */
int bc_exec_stat(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct stat sb;
	(void)x, (void)fd;
	if (lstat(st->file.path, &sb) < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s",
		 S_ISSOCK(sb.st_mode) ? "socket" : S_ISREG(sb.st_mode) ? "file" : S_ISDIR(sb.st_mode) ? "dir"
		 : S_ISLNK(sb.st_mode) ? "symlink" : "other");
	return 0;
}

