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
#define BC_FAULT_RULES_MAX 8 /* rules the preload arms at most */

/* libfiu's POSIX preload; the Makefile gives the path where the libfiu that
 * pkg-config finds installs it. */
#ifndef BC_FIU_PRELOAD
#define BC_FIU_PRELOAD "/usr/lib/fiu/fiu_posix_preload.so"
#endif
/* The preload itself, built next to bindcheck.  It comes FIRST in
 * LD_PRELOAD: its socket, bind, listen, accept, connect and close note the
 * call's arguments (the family, the address, the option) and then call the
 * next definition, libfiu's wrapper, whose fail point asks bc_fiu.so's
 * callback, which matches the rules against what was noted.  setsockopt and
 * getaddrinfo, which libfiu does not wrap, it checks itself. */
#define BC_FIU_SHIM "bc_fiu.so"

/* The environment the target gets.
 *
 * BC_FAULTS: rules joined with ';', each CALL[@SEL]:WHEN:RESULT with numbers
 * only (the harness translates names for this platform):
 *   CALL    one of BC_FAULT_CALLS
 *   SEL     which calls the rule counts and fails (none: every call of the
 *           bind path, that is every call but those on AF_UNIX and
 *           AF_NETLINK sockets):
 *             fF          the socket's family is F (socket: its domain)
 *             aF.HEX[.P]  the address is HEX (the address's bytes in hex,
 *                         8 digits for AF_INET, 32 for AF_INET6) of family
 *                         F, with port P, any port without; the address
 *                         is bind's and connect's argument, else the
 *                         socket's own (getsockname)
 *             oL.N        setsockopt's level L and option name N
 *   WHEN    N (only the Nth counted call), N+ (the Nth and later), * (every
 *           one), pP (each with probability P, from BC_FAULT_SEED)
 *   RESULT  an errno; for getaddrinfo an EAI code, and for EAI_SYSTEM the
 *           errno after a '/': -11/5
 * Each rule counts its own calls.  When two rules fail the same call, the
 * first one gives the result.
 * BC_FAULT_SEED: the seed of the probabilities, a decimal number.
 * BC_REPORT_DIR: an absolute path, a directory made for this run of the
 *   target alone (in the case's private /tmp, removed after the run), where
 *   every process writes its report at exit (below).  Nothing is open on it
 *   while the program runs, so the program can neither close nor reuse the
 *   channel: a server that closes every inherited fd, or puts its log on
 *   fd 3, loses nothing and gets nothing it did not write.  The target gets
 *   no fd but 0, 1 and 2. */
#define BC_ENV_FAULTS "BC_FAULTS"
#define BC_ENV_FAULT_SEED "BC_FAULT_SEED"
#define BC_ENV_REPORT_DIR "BC_REPORT_DIR"
/* libfiu's remote control; the target gets it empty, so that no one else
 * can change its faults. */
#define BC_ENV_FIU_CTRL "FIU_CTRL_FIFO"
#define BC_FAULT_RULE_SEP ";"
#define BC_FAULT_FIELD_SEP ":"
#define BC_FAULT_SEL_SEP "@"
#define BC_FAULT_SEL_FAMILY 'f'
#define BC_FAULT_SEL_ADDR 'a'
#define BC_FAULT_SEL_OPT 'o'

/* The report: one file per process, named by its decimal pid in
 * BC_REPORT_DIR, written at the process's exit (never opened before): to a
 * temporary name starting with '.', then renamed, so that a reader sees it
 * whole or not at all.  A process killed by a signal, or ended by _exit or
 * an exec, writes none.
 *
 *   pid N
 *   ppid N
 *   calls socket=N bind=N ... getaddrinfo=N
 *   fds N
 *
 * Each process counts only its own calls: a forked child starts from zero
 * (and its probabilities from the seed; fork's pthread_atfork handler, or
 * at exit a pid that is not the counts' owner; a vfork child shares its
 * parent's memory, and counts, until it execs), so that the sum over every report
 * counts every call once, and "the Nth call" of a rule is the Nth in each
 * process (a worker's first bind is its own first).  An exec starts a new
 * count in the same pid.  "calls" has every call of BC_FAULT_CALLS on the
 * bind path (not on AF_UNIX and AF_NETLINK sockets), faulted or not; "fds"
 * counts the fds still open above stdin, stdout and stderr.  The writer's
 * formats, then the keys a reader looks for. */
#define BC_REPORT_PID_FMT "pid %d\nppid %d\n"
#define BC_REPORT_CALLS "calls"
#define BC_REPORT_CALL_FMT " %s=%lu"
#define BC_REPORT_FDS_FMT "\nfds %d\n"
#define BC_REPORT_PID_KEY_FMT "pid %d\n"
#define BC_REPORT_CALL_KEY_FMT " %s="
#define BC_REPORT_FDS_KEY "\nfds "
#define BC_REPORT_TMP_PREFIX "."

#endif
