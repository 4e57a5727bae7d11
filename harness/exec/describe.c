/* describe: the runner in plain data (struct bc_run_info), so that reports
 * and the console are written from the run's description, not the runner. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "exec/runner.h"

void bc_runner_describe(const struct bc_runner *r, struct bc_run_info *info)
{
	memset(info, 0, sizeof(*info));
	info->platform = r->platform;
	info->profile = r->run_profile ? r->run_profile_name : NULL;
	info->isolation = bc_runner_isolation(r);
	info->confinement = bc_runner_confinement(r);
	info->private_net = r->caps.private_net;
	info->ipv6 = r->caps.ipv6;
	info->note = r->caps.reason;
	info->prog = r->prog;
	info->time_scale = r->time_scale > 1.0 ? r->time_scale : 1.0;
}
