/* protocol: what passes between bindcheck and the fault preload bc_fiu.so
 * (fault/fiu_shim.c) that a case's target runs with.  Both sides include
 * this header: faults.c writes the rules, exec/target.c starts the target
 * with them, fiu_shim.c arms them and reports, exec/target_obs.c reads the
 * report.  The preload is built alone (Makefile: bc_fiu.so), so this header
 * needs nothing but the C preprocessor. */
#ifndef BC_FAULT_PROTOCOL_H
#define BC_FAULT_PROTOCOL_H

/* The calls a fault can name and a "calls" step can count, each with the
 * libfiu fail point that covers it: libfiu's POSIX preload wraps the first
 * six, bc_fiu.so adds the two it leaves alone.  X(call, fail point). */
#define BC_FAULT_CALLS(X)                          \
	X(socket, "posix/io/net/socket")           \
	X(bind, "posix/io/net/bind")               \
	X(listen, "posix/io/net/listen")           \
	X(accept, "posix/io/net/accept")           \
	X(connect, "posix/io/net/connect")         \
	X(close, "posix/io/oc/close")              \
	X(setsockopt, "bindcheck/net/setsockopt")  \
	X(getaddrinfo, "bindcheck/net/getaddrinfo")

#define BC_FAULT_CALL_MAX 16 /* a call's name and its NUL fit */

/* libfiu's POSIX preload; the Makefile gives the path where the libfiu that
 * pkg-config finds installs it. */
#ifndef BC_FIU_PRELOAD
#define BC_FIU_PRELOAD "/usr/lib/fiu/fiu_posix_preload.so"
#endif
/* The preload itself, built next to bindcheck; loaded after libfiu's. */
#define BC_FIU_SHIM "bc_fiu.so"

/* The environment the target gets.
 *
 * BC_FAULTS: rules joined with ';', each CALL:WHEN:RESULT with numbers only
 * (the harness translates names for this platform):
 *   CALL    one of BC_FAULT_CALLS
 *   WHEN    N (only the Nth call), N+ (the Nth and later), * (every call),
 *           pP (each call with probability P, from BC_FAULT_SEED)
 *   RESULT  an errno; for getaddrinfo an EAI code, and for EAI_SYSTEM the
 *           errno after a '/': -11/5
 * BC_FAULT_SEED: the seed of the probabilities, a decimal number.
 * BC_REPORT_FD: the fd the preload writes its report to at exit. */
#define BC_ENV_FAULTS "BC_FAULTS"
#define BC_ENV_FAULT_SEED "BC_FAULT_SEED"
#define BC_ENV_REPORT_FD "BC_REPORT_FD"
/* libfiu's remote control; the target gets it empty, so that no one else
 * can change its faults. */
#define BC_ENV_FIU_CTRL "FIU_CTRL_FIFO"
#define BC_FAULT_RULE_SEP ";"
#define BC_FAULT_FIELD_SEP ":"

/* The fd the target's report pipe is on, after stdin, stdout and stderr;
 * BC_REPORT_FD_TEXT is the same number as BC_REPORT_FD's value. */
#define BC_REPORT_FD 3
#define BC_PROTOCOL_STR_(x) #x
#define BC_PROTOCOL_STR(x) BC_PROTOCOL_STR_(x)
#define BC_REPORT_FD_TEXT BC_PROTOCOL_STR(BC_REPORT_FD)

/* The report: one block per process image of the target (every exec and
 * fork arms the rules afresh and reports on its own), written at its exit:
 *
 *   pid N
 *   calls socket=N bind=N ... getaddrinfo=N
 *   fds N
 *
 * "calls" has every call of BC_FAULT_CALLS, faulted or not; "fds" counts
 * the fds still open besides stdin, stdout, stderr and the report pipe.
 * The writer's formats, then the keys a reader looks for. */
#define BC_REPORT_PID_FMT "pid %d\n"
#define BC_REPORT_CALLS "calls"
#define BC_REPORT_CALL_FMT " %s=%lu"
#define BC_REPORT_FDS_FMT "\nfds %d\n"
#define BC_REPORT_CALL_KEY_FMT " %s="
#define BC_REPORT_FDS_KEY "\nfds "

#endif
