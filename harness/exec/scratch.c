/* scratch: make and remove a case's working directory (see scratch.h). */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */
#include "exec/scratch.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bc_scratch_make(char dir[BC_SCRATCH_PATH_MAX], char *why, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	bool use = tmp && *tmp && strlen(tmp) < 40;
	/* Where it was tried, and why there: the message must let the user
	 * find the directory that failed. */
	const char *base = use ? tmp : "/tmp";
	const char *whence = use ? "$TMPDIR" : tmp && *tmp ? "$TMPDIR is longer than 39 bytes" : "$TMPDIR is not set";
	snprintf(dir, BC_SCRATCH_PATH_MAX, "%s/bindcheck-XXXXXX", base);
	if (!mkdtemp(dir)) {
		snprintf(why, n, "cannot create a scratch directory in %s (%s): %s", base, whence, strerror(errno));
		return -1;
	}
	/* Open to every uid: a profile may run the steps as nobody. */
	if (chmod(dir, 01777) < 0) {
		snprintf(why, n, "cannot open the scratch directory %s to every uid (chmod 1777): %s", dir, strerror(errno));
		rmdir(dir);
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int open_dirs(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, (sb->st_mode & 07777) | S_IRWXU);
	return 0;
}

/* FTW_PHYS: a symlink the case made is reported as itself (FTW_SL) and
 * unlinked, never followed, so neither pass reaches past dir: the chmod
 * pass opens only the case's own directories, and the removal takes
 * everything in them, read-only directories included.  It runs after the
 * case's processes are gone, so nothing swaps a directory for a link
 * under it. */
void bc_scratch_remove(const char *dir)
{
	nftw(dir, open_dirs, 16, FTW_PHYS);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
