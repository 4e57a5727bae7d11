/* verbs: the step verbs of a scenario, declared once in model/verbs.def,
 * and the vocabulary that declaration speaks: where a verb may run, the
 * kinds of its arguments and its option words.  Pure data. */
#ifndef BC_VERBS_H
#define BC_VERBS_H

enum bc_verb {
#define BC_VERB(id, name, place, min, max, args, opts, exec) id,
#include "model/verbs.def"
#undef BC_VERB
	BC_VERB_COUNT
};

/* Where a verb can run.  A pool worker runs a case in place when every one
 * of its steps can; the worker's namespace, fds and process are then the
 * case's, so what a verb leaves behind decides what the worker does after. */
enum bc_place {
	BC_PLACE_CLEAN,   /* in place in a pool worker: closing its handles frees everything */
	BC_PLACE_RESET,   /* in place, but leaves namespace state (connections, TIME_WAIT): the worker renews its namespace after */
	BC_PLACE_TARGET,  /* target verbs (run, names, said, calls, leaked, listening): in place only in a case that has a target */
	BC_PLACE_RETIRE,  /* hostile: in place; the guards catch what it leaves and the worker is replaced after it */
	BC_PLACE_SANDBOX, /* identity, files, name resolution, open: only in the full sandbox */
};

/* What a positional argument is; table/step_parse.c has one parser per
 * kind, and the field of struct bc_step each one fills is named there. */
enum bc_arg {
	BC_ARG_NONE,
	BC_ARG_HANDLE,     /* an existing handle, or an fd number */
	BC_ARG_NEWHANDLE,  /* a handle this step creates (socket, open) */
	BC_ARG_NEWCONN,    /* accept: the handle of the new connection */
	BC_ARG_FAMILY,     /* family name, an address whose family is taken, or "R.N" */
	BC_ARG_TYPE,
	BC_ARG_PROTO,
	BC_ARG_ADDR,
	BC_ARG_DEST,       /* send: an address (sendto), '-' for none, or already the byte count */
	BC_ARG_BYTES,      /* send: how many bytes */
	BC_ARG_OPT,        /* socket option name, or "-" for none */
	BC_ARG_OPTVAL,     /* setsockopt's integer value */
	BC_ARG_BACKLOG,
	BC_ARG_HOW,
	BC_ARG_NEWVAR,     /* a port variable this step sets */
	BC_ARG_PATH,
	BC_ARG_LINKTARGET, /* symlink: what the link points to */
	BC_ARG_UID,
	BC_ARG_NEWLIST,    /* a resolve result this step fills */
	BC_ARG_HOST,
	BC_ARG_SERVICE,
	BC_ARG_COUNT,      /* handshakes: connections to attempt */
	BC_ARG_MIB,        /* hostile: MiB to leak or write */
	BC_ARG_MODE,
	BC_ARG_HOSTILE,
	BC_ARG_TARGET,
	BC_ARG_RESULTNAME,
	BC_ARG_TEXT,
	BC_ARG_CALL,
	BC_ARG_FROM,       /* reach: "local" or "peer" */
};

#define BC_VERB_MAX_ARGS 4

/* The option words a verb takes after its positional arguments. */
enum {
	BC_OPT_ADDR = 1 << 0,     /* len=N family=F */
	BC_OPT_NONBLOCK = 1 << 1, /* nonblock */
	BC_OPT_PEER = 1 << 2,     /* peer */
	BC_OPT_HINTS = 1 << 3,    /* family=F type=T proto=P and the AI_* flag words */
};

/* The word a scenario writes for verb, "?" for none. */
const char *bc_verb_name(enum bc_verb verb);
/* Where verb can run; BC_PLACE_SANDBOX for a value that is no verb. */
enum bc_place bc_verb_place(enum bc_verb verb);

#endif
