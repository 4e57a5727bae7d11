/* Unit tests of the runner: whole cases through sandbox and verdict, the
 * printed failure block, filters. */
#define _POSIX_C_SOURCE 200809L
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/target_elf.h"
#include "report/console.h"
#include "exec/scratch.h"
#include "suite.h"
#include "table/table.h"

static const char tables[] =
	"scenario hang\n    socket l inet stream\n    bind l 127.0.0.1:0\n    listen l 1\n  ? accept l a\n"
	"scenario one\n    socket s inet stream\n  ? bind s $addr\n"
	"scenario setup\n    socket s inet stream\n    bind s 192.0.2.1:0\n  ? listen s 1\n"
	"scenario unbound\n    socket s0 inet stream\n  ? bind s0 192.0.2.1:0\n    getsockname s0 P\n"
	"    socket s1 inet stream\n  ? bind s1 127.0.0.1:P\n"
	"scenario named\n    socket s inet stream\n    bind s 127.0.0.1:0\n    getsockname s P\n  ? bind s $addr\n  ? getsockname s\n"
	/* Only the hang has a short timeout: the others must finish even
	 * under Memcheck on a busy machine. */
	"id     scenario addr              linux          freebsd timeout source\n"
	"hangs  hang     -                 ok             -       300ms   \"accept with no peer\"\n"
	"wrong  one      127.0.0.1:0       EADDRINUSE     -       -       \"deliberately wrong\"\n"
	"right  one      192.0.2.1:0       EADDRNOTAVAIL  -       -       \"NL-01\"\n"
	"na     one      127.0.0.1:0       n/a            ok      -       \"not for linux\"\n"
	"broken setup    -                 ok             -       -       \"setup cannot succeed\"\n"
	"port   named    127.0.0.2:0       EINVAL,=127.0.0.1:P -  -       \"REB-02\"\n"
	"vacant unbound  -                 EADDRNOTAVAIL,ok -     -       \"NL-01, then port 0\"\n"
	"port2  named    127.0.0.2:0       EINVAL,=127.0.0.2:P -  -       \"deliberately wrong\"\n";

static struct bc_runner runner;
static struct bc_table table;

static int setup(void)
{
	bc_runner_init(&runner, "bindcheck");
	return bc_suite_read_table("cases/r.tbl", tables, &table, 8);
}

static int teardown(void)
{
	bc_table_free(&table);
	return 0;
}

static const struct bc_case *find(const char *id)
{
	return bc_suite_find_case(&table, id);
}


static void hang_is_an_error_naming_the_step(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("hangs"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_ERROR);
	if (!strstr(res.j.reason, "timeout: killed after 300 ms in step 4 (accept l a)"))
		BC_FAILF("reason: %s", res.j.reason);
	CU_ASSERT(res.duration_us < 3000000);
}

static void wrong_expectation_fails_with_a_rerun_command(void)
{
	struct bc_case_result res;
	char *text = NULL;
	size_t len = 0;
	bc_run_case(&runner, find("wrong"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_FAIL);
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	bc_console_print_result(runner.prog, &res, f);
	fclose(f);
	static const char *const want[] = {
		"FAIL  r/wrong\n",
		"expected: EADDRINUSE (column linux)\n",
		"observed: ok\n",
		"? bind s 127.0.0.1:0 -> ok   <- expected EADDRINUSE\n",
		"source:   deliberately wrong\n",
		"table:    cases/r.tbl:",
		"rerun:    bindcheck run cases/r.tbl --filter 'r/wrong'\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			BC_FAILF("the failure block lacks '%s':\n%s", want[i], text);
	free(text);
}

static void lo_is_up_and_only_lo(void)
{
	struct bc_case_result res;
	/* 192.0.2.1 would bind before lo is up; once it is, it is not local. */
	bc_run_case(&runner, find("right"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_PASS);
	CU_ASSERT_STRING_EQUAL(res.j.observed_text, "EADDRNOTAVAIL");
}

static void setup_failure_names_the_step(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("broken"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_ERROR);
	if (!strstr(res.j.reason, "setup step 2 (bind s 192.0.2.1:0) failed: EADDRNOTAVAIL"))
		BC_FAILF("reason: %s", res.j.reason);
}

static void keep_result(void *arg, int index, const struct bc_case_result *res)
{
	(void)index;
	*(struct bc_case_result *)arg = *res;
}

/* A port variable read from a socket that is not bound holds 0: the step
 * that uses it, checked or not, does not run, and the case is an error that
 * names it and the step the variable came from, in place and sandboxed. */
static void unbound_port_variable_is_a_setup_error(void)
{
	static const char want[] = "setup step 5 (bind s1 127.0.0.1:P) did not run: port variable 'P' is 0, because "
				   "step 3 (getsockname s0 P) read a socket that is not bound";
	const struct bc_case *c = find("vacant");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (int sandbox = 0; sandbox < 2; sandbox++) {
		struct bc_case_result res;
		memset(&res, 0, sizeof(res));
		runner.isolation = sandbox ? BC_ISO_SANDBOX : BC_ISO_AUTO;
		bc_run_cases(&runner, &c, 1, 1, keep_result, &res);
		runner.isolation = BC_ISO_AUTO;
		CU_ASSERT_EQUAL(res.j.verdict, BC_ERROR);
		if (!strstr(res.j.reason, want))
			BC_FAILF("%s: reason: %s", sandbox ? "sandbox" : "auto", res.j.reason);
		CU_ASSERT_EQUAL(res.obs.failed_step, 4);
		CU_ASSERT_EQUAL(res.obs.nsteps, 4);
		CU_ASSERT_STRING_EQUAL(res.j.observed_text, "EADDRNOTAVAIL,(not run)");
		CU_ASSERT_EQUAL(res.in_place, !sandbox);
	}
}

/* "=127.0.0.1:P" takes the port the case stored in P. */
static void expected_values_use_port_variables(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("port"), &res);
	if (res.j.verdict != BC_PASS)
		BC_FAILF("port: %s, observed %s, expected %s", bc_verdict_name(res.j.verdict), res.j.observed_text,
			 res.j.expected_text);
	CU_ASSERT_STRING_EQUAL(res.j.expected_text, "EINVAL,=127.0.0.1:P");
	bc_run_case(&runner, find("port2"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_FAIL);
}

static void not_applicable_is_skipped_unrun(void)
{
	struct bc_case_result res;
	if (runner.platform.slot != BC_SLOT_LINUX)
		return;
	bc_run_case(&runner, find("na"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_SKIP);
	CU_ASSERT(!res.ran);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.j.reason, "not applicable on linux"));
}

static void filters(void)
{
	const struct bc_case *c = find("wrong");
	char *none[] = {NULL};
	char *glob[] = {"r/w*"};
	char *table_name[] = {"r"};
	char *other[] = {"args/*", "r/right"};
	CU_ASSERT(bc_filter_match(c, none, 0));
	CU_ASSERT(bc_filter_match(c, glob, 1));
	CU_ASSERT(bc_filter_match(c, table_name, 1));
	CU_ASSERT(!bc_filter_match(c, other, 2));
}

/* A made-up ELF executable of this machine's class and byte order: one
 * PT_LOAD, then PT_INTERP when dynamic (PT_NOTE otherwise). */
static void write_elf(const char *path, bool dynamic)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
	} f;
	static const union {
		unsigned short s;
		unsigned char c;
	} order = {1};
	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = order.c ? ELFDATA2LSB : ELFDATA2MSB;
	f.eh.e_ident[EI_VERSION] = EV_CURRENT;
	f.eh.e_type = ET_EXEC;
	f.eh.e_phoff = sizeof(f.eh);
	f.eh.e_phentsize = sizeof(Elf64_Phdr);
	f.eh.e_phnum = 2;
	f.ph[0].p_type = PT_LOAD;
	f.ph[1].p_type = dynamic ? PT_INTERP : PT_NOTE;
	FILE *out = fopen(path, "wb");
	if (out) {
		fwrite(&f, sizeof(f), 1, out);
		fclose(out);
	}
	chmod(path, 0755);
}

static void write_script(const char *path, const char *interp)
{
	FILE *out = fopen(path, "w");
	if (out) {
		fprintf(out, "#!%s\nexit 0\n", interp);
		fclose(out);
	}
	chmod(path, 0755);
}

/* libfiu's preload cannot reach a statically linked program: its cases
 * are skipped with that reason, whether the program is named, found on
 * PATH, or a script's interpreter. */
static void static_target_is_skipped(void)
{
	char dir[] = "/tmp/bc-elf-XXXXXX", stat_prog[64], dyn_prog[64], script[64], env_script[64], text[1024], cmd[128];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(stat_prog, sizeof(stat_prog), "%s/static", dir);
	snprintf(dyn_prog, sizeof(dyn_prog), "%s/dynamic", dir);
	snprintf(script, sizeof(script), "%s/script", dir);
	snprintf(env_script, sizeof(env_script), "%s/env-script", dir);
	write_elf(stat_prog, false);
	write_elf(dyn_prog, true);
	write_script(script, stat_prog);
	snprintf(cmd, sizeof(cmd), "/usr/bin/env %s", stat_prog);
	write_script(env_script, cmd);
	CU_ASSERT(bc_elf_is_static(stat_prog));
	CU_ASSERT(!bc_elf_is_static(dyn_prog));
	CU_ASSERT(!bc_elf_is_static(script));     /* not ELF: the exec will say */
	CU_ASSERT(!bc_elf_is_static("/proc/self/exe")); /* this suite is linked dynamically */
	snprintf(text, sizeof(text),
		 "target st\n    command %s\ntarget sc\n    command %s\ntarget en\n    command %s\ntarget dy\n    command %s\n"
		 "scenario st\n  ? run st\nscenario sc\n  ? run sc\nscenario en\n  ? run en\nscenario dy\n  ? run dy\n"
		 "id scenario expect source\nst st =running s\nsc sc =running s\nen en =running s\ndy dy =running s\n",
		 stat_prog, script, env_script, dyn_prog);
	struct bc_table t;
	char why[512];
	CU_ASSERT_EQUAL_FATAL(bc_suite_read_table("cases/elf.tbl", text, &t, 4), 0);
	for (int i = 0; i < 3; i++) {
		const char *r = bc_runner_skip_reason(&runner, &t.cases[i], why, sizeof(why));
		if (runner.platform.slot == BC_SLOT_LINUX && (!r || !strstr(r, "statically linked") || !strstr(r, stat_prog)))
			BC_FAILF("%s: skip reason %s", t.cases[i].id, r ? r : "(none)");
	}
	const char *r = bc_runner_skip_reason(&runner, &t.cases[3], why, sizeof(why));
	CU_ASSERT(!r || !strstr(r, "statically linked"));
	bc_table_free(&t);
	bc_scratch_remove(dir);
}

int bc_suite_runner(void)
{
	CU_pSuite s = CU_add_suite("unit/runner", setup, teardown);
	if (!s)
		return -1;
	/* Cases that run need a private network namespace. */
	BC_ADD_NETNS(s, hang_is_an_error_naming_the_step);
	BC_ADD_NETNS(s, wrong_expectation_fails_with_a_rerun_command);
	BC_ADD_NETNS(s, lo_is_up_and_only_lo);
	BC_ADD_NETNS(s, setup_failure_names_the_step);
	BC_ADD_NETNS(s, unbound_port_variable_is_a_setup_error);
	BC_ADD_NETNS(s, expected_values_use_port_variables);
	BC_ADD(s, not_applicable_is_skipped_unrun);
	BC_ADD(s, filters);
	BC_ADD(s, static_target_is_skipped);
	return 0;
}
