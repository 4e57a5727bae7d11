/* steps: execute a case's steps, one system call each, and record what each
 * returned.  Runs inside the case's sandbox; knows nothing of table syntax. */
#ifndef BC_STEPS_H
#define BC_STEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"
#include "model/observation.h"

/* What the profile set up that steps may use: the network namespaces of the
 * case and of its peer (open fds, -1 when there is no peer). */
struct bc_step_env {
	int home_net;
	int peer_net;
	/* A case run in place: what its target's own process sets up before
	 * it execs, which the sandbox would have given the whole case: the
	 * profile's host name and name files (NULL: none), and the working
	 * directory (NULL: the caller's). */
	const struct bc_profile *target_names;
	const char *target_dir;
	/* The run's --time-scale: a target's grace and stop times are this
	 * many times longer (0 counts as 1). */
	double time_scale;
};

/* ms under a run's --time-scale: ms times scale, rounded, at most INT_MAX;
 * a scale below 1 (none given) leaves ms as it is. */
int bc_scaled_ms(double scale, int ms);

/* Run every step of c, then close every handle the case opened.  started,
 * when not NULL, is called before each step with its index, so that a case
 * that hangs can be reported with the step it hung in.  env may be NULL. */
void bc_steps_run(const struct bc_case *c, const struct bc_step_env *env, struct bc_observation *obs,
		  void (*started)(void *, int), void *arg);
/* Under make check-valgrind (BC_TARGET_VALGRIND), does this case's
 * @bindcheck target run under Memcheck?  Every case but a sweep's
 * second and later results for a call (EAI_SYSTEM excepted). */
bool bc_target_memcheck(const struct bc_case *c);
/* Does this run start c's target under Memcheck (BC_TARGET_VALGRIND set and
 * bc_target_memcheck)?  Memcheck runs a program several times slower
 * (Valgrind's manual: 10-50x for its start-up and work), so such a case's
 * timeout and its target's grace and stop times are BC_MEMCHECK_SLOWDOWN
 * times longer: a row that waits for an exit or a ready line ends as soon
 * as it sees it, so that costs nothing when all is well. */
#define BC_MEMCHECK_SLOWDOWN 4.0
bool bc_target_under_memcheck(const struct bc_case *c);
double bc_target_slowdown(const struct bc_case *c);
/* IPV6_V6ONLY for every AF_INET6 socket a socket step creates in the case's
 * own namespace from now on in this process: 0 or 1, or -1 for the
 * system's default.  Set while a profile is applied (exec/profile.c). */
void bc_steps_set_v6only(int v);
/* The directory of this executable: bindcheck, the suite and the fault
 * preload bc_fiu.so are built side by side. */
void bc_exe_dir(char *buf, size_t n);


#endif
