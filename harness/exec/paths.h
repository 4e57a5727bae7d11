/* paths: where bindcheck finds its own files.  A build-tree bindcheck finds
 * them in the build tree; an installed one where `make install` put them
 * (PREFIX, compiled in); an environment variable overrides either, for a
 * staged (DESTDIR) or moved installation.  See bindcheck(1), FILES. */
#ifndef BC_PATHS_H
#define BC_PATHS_H

#include <stddef.h>

#define BC_ENV_LIBEXECDIR "BINDCHECK_LIBEXECDIR"
#define BC_ENV_DATADIR "BINDCHECK_DATADIR"

/* The fault preload bc_fiu.so, the first of:
 *   $BINDCHECK_LIBEXECDIR/bc_fiu.so, when the variable is set and not empty
 *     (whether or not the file is there: a wrong override is said, not
 *     worked around);
 *   bc_fiu.so next to this executable (the build tree);
 *   ../libexec/bindcheck/bc_fiu.so from this executable's directory (an
 *     installation moved as a whole, or staged under a DESTDIR);
 *   BC_LIBEXECDIR/bc_fiu.so (PREFIX/libexec/bindcheck, compiled in).
 * When none exists, the path of the last one looked at. */
void bc_paths_fiu_shim(char *buf, size_t n);
/* The default tables, the first of: ./cases when it exists;
 * $BINDCHECK_DATADIR/cases when the variable is set and not empty;
 * ../share/bindcheck/cases from this executable's directory; BC_DATADIR/cases
 * (PREFIX/share/bindcheck/cases, compiled in); else "cases", which then is
 * said to be missing. */
void bc_paths_default_tables(char *buf, size_t n);

#endif
