/* bindpath: the reference server bind path (see bindpath.c). */
#ifndef BC_BINDPATH_H
#define BC_BINDPATH_H

#include <stdbool.h>

enum bc_broken {
	BC_BROKEN_NONE,
	BC_BROKEN_LEAK_ON_LISTEN, /* a failed listen() leaves its socket open */
};

struct bc_bindpath_opts {
	const char *host; /* NULL: the wildcard of each family */
	const char *port;
	int family;
	int backlog;
	bool once;        /* close and return as soon as it listens */
	enum bc_broken broken;
};

/* Returns the exit status: 0 when at least one address listened, else 1. */
int bc_bindpath_serve(const struct bc_bindpath_opts *o);
/* `bindcheck serve ARGS` (argv[0] is "serve"). */
int bc_bindpath_main(int argc, char **argv);

#endif
