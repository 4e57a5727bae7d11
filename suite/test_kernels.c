/* The host's side of make kernels that needs no qemu: ci/kernels-result,
 * which adds to a guest's results.json what only the host knows (how qemu
 * ran it, the kernel package), keeps it a results file bindcheck reads,
 * and makes the count of the line printed per kernel.  Needs python3 (the
 * one on PATH, bc_suite_python). */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "exec/scratch.h"
#include "suite.h"

static char dir[] = "/tmp/bc-kernels-XXXXXX";

static int setup(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void)
{
	bc_scratch_remove(dir);
	return 0;
}

/* Run cmd through the shell: its exit status, and its first line of
 * output in line. */
static int sh(const char *cmd, char *line, size_t n)
{
	line[0] = '\0';
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(line, (int)n, p))
		line[strcspn(line, "\n")] = '\0';
	char rest[256];
	while (fgets(rest, sizeof(rest), p))
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *plat_str(json_t *root, const char *key)
{
	return json_string_value(json_object_get(json_object_get(root, "platform"), key));
}

static void guest_results_get_the_host_fields(void)
{
	char cmd[1024], line[512], path[300];
	snprintf(cmd, sizeof(cmd),
		 "printf 'scenario s\\n    socket h inet stream\\n  ? bind h 127.0.0.1:0\\nid linux source\\n"
		 "a ok \"bind(2)\"\\n' >%s/k.tbl && " BC_BUILD_DIR "/bindcheck run %s/k.tbl --time-scale 2 --json %s/guest.json",
		 dir, dir, dir);
	CU_ASSERT_EQUAL_FATAL(sh(cmd, line, sizeof(line)), 0);
	snprintf(cmd, sizeof(cmd), "%s ci/kernels-result %s/guest.json %s/host.json tcg linux-image-9.9.9-test 9.9.9-1",
		 bc_suite_python(), dir, dir);
	CU_ASSERT_EQUAL_FATAL(sh(cmd, line, sizeof(line)), 0);
	json_error_t err;
	snprintf(path, sizeof(path), "%s/host.json", dir);
	json_t *root = json_load_file(path, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	/* It prints the platform id, under which ci/kernels files the reports. */
	CU_ASSERT_STRING_EQUAL(line, plat_str(root, "id"));
	CU_ASSERT_STRING_EQUAL(plat_str(root, "accel"), "tcg");
	CU_ASSERT_STRING_EQUAL(plat_str(root, "kernel_package"), "linux-image-9.9.9-test");
	CU_ASSERT_STRING_EQUAL(plat_str(root, "kernel_package_version"), "9.9.9-1");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_object_get(root, "platform"), "time_scale")), 2.0,
			       1e-9);
	json_decref(root);
	/* Still a results file: bindcheck makes its reports from it. */
	snprintf(cmd, sizeof(cmd), BC_BUILD_DIR "/bindcheck report %s/host.json --markdown %s/summary.md", dir, dir);
	CU_ASSERT_EQUAL(sh(cmd, line, sizeof(line)), 0);
	snprintf(cmd, sizeof(cmd), "%s ci/kernels-result --counts %s/host.json 1.5", bc_suite_python(), dir);
	CU_ASSERT_EQUAL(sh(cmd, line, sizeof(line)), 0);
	if (strcmp(line, "1 cases in 1.5 s: 1 pass, 0 fail, 0 xfail, 0 xpass, 0 skip, 0 error") != 0)
		BC_FAILF("--counts: '%s'", line);
}

/* A file that is not a results file is refused, not annotated. */
static void other_json_is_refused(void)
{
	char cmd[1024], line[512];
	snprintf(cmd, sizeof(cmd), "echo '{\"schema\": \"x\"}' >%s/x.json && %s ci/kernels-result %s/x.json %s/y.json "
		 "kvm p 1 2>&1; test ! -e %s/y.json", dir, bc_suite_python(), dir, dir, dir);
	CU_ASSERT_EQUAL(sh(cmd, line, sizeof(line)), 0);
	if (!strstr(line, "not a bindcheck results file"))
		BC_FAILF("kernels-result said: '%s'", line);
}

int bc_suite_kernels(void)
{
	CU_pSuite s = CU_add_suite("unit/kernels", setup, teardown);
	const char *why = bc_suite_python() ? NULL : "python3 is not installed; ci/kernels-result needs it";
	if (!s || bc_suite_add_test_unless(s, "other_json_is_refused", other_json_is_refused, why) < 0)
		return -1;
	if (why)
		return bc_suite_add_test_unless(s, "guest_results_get_the_host_fields", guest_results_get_the_host_fields,
						why);
	BC_ADD_NETNS(s, guest_results_get_the_host_fields);
	return 0;
}
