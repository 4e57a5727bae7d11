/* paths: where bindcheck finds its own files (paths.h). */
#define _POSIX_C_SOURCE 200809L
#include "exec/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/steps.h"
#include "fault/protocol.h"

/* Set by the Makefile from PREFIX. */
#ifndef BC_LIBEXECDIR
#define BC_LIBEXECDIR "/usr/local/libexec/bindcheck"
#endif
#ifndef BC_DATADIR
#define BC_DATADIR "/usr/local/share/bindcheck"
#endif

static const char *env_dir(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Where an installation that was moved as a whole (or staged under a
 * DESTDIR) has its files: PREFIX/bin/bindcheck, so PREFIX is the
 * executable's directory's parent. */
static void beside_prefix(char *buf, size_t n, const char *rel)
{
	char dir[1024];
	bc_exe_dir(dir, sizeof(dir));
	snprintf(buf, n, "%s/../%s", dir, rel);
}

void bc_paths_fiu_shim(char *buf, size_t n)
{
	char dir[1024];
	const char *over = env_dir(BC_ENV_LIBEXECDIR);
	if (over) {
		snprintf(buf, n, "%s/" BC_FIU_SHIM, over);
		return;
	}
	bc_exe_dir(dir, sizeof(dir));
	snprintf(buf, n, "%s/" BC_FIU_SHIM, dir);
	if (access(buf, R_OK) == 0)
		return;
	beside_prefix(buf, n, "libexec/bindcheck/" BC_FIU_SHIM);
	if (access(buf, R_OK) == 0)
		return;
	snprintf(buf, n, "%s/" BC_FIU_SHIM, BC_LIBEXECDIR);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void bc_paths_default_tables(char *buf, size_t n)
{
	const char *over = env_dir(BC_ENV_DATADIR);
	snprintf(buf, n, "cases");
	if (is_dir(buf))
		return;
	if (over) {
		snprintf(buf, n, "%s/cases", over);
		return;
	}
	beside_prefix(buf, n, "share/bindcheck/cases");
	if (is_dir(buf))
		return;
	snprintf(buf, n, "%s/cases", BC_DATADIR);
	if (!is_dir(buf))
		snprintf(buf, n, "cases");
}
