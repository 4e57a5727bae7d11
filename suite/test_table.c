/* Unit tests of the table reader: what it accepts, and for each kind of
 * malformed input the exact place and words of its error. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite.h"
#include "exec/steps.h"
#include "table/reader.h"
#include "table/table.h"

#define HEAD "scenario s\n    socket h inet stream\n  ? bind h $addr\n"

static int parse(const char *text, struct bc_table *t, struct bc_diags *d)
{
	return bc_table_parse("t.tbl", text, strlen(text), t, d);
}

static void basic_row(void)
{
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(parse(HEAD "id addr expect source\nr1 127.0.0.1:0 ok \"LTP bind01\"\n", &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 1);
	const struct bc_case *c = &t.cases[0];
	CU_ASSERT_STRING_EQUAL(t.name, "t");
	CU_ASSERT_STRING_EQUAL(c->id, "r1");
	CU_ASSERT_STRING_EQUAL(c->table, "t");
	CU_ASSERT_EQUAL(c->line, 5);
	CU_ASSERT_EQUAL(c->nsteps, 2);
	CU_ASSERT_EQUAL(c->nchecked, 1);
	CU_ASSERT(c->steps[1]->checked);
	CU_ASSERT_STRING_EQUAL(c->steps[1]->text, "bind h 127.0.0.1:0");
	CU_ASSERT_STRING_EQUAL(c->source, "LTP bind01");
	CU_ASSERT_EQUAL(c->exp[BC_SLOT_EXPECT].state, BC_EXP_SET);
	CU_ASSERT_EQUAL(c->exp[BC_SLOT_LINUX].state, BC_EXP_UNSET);
	CU_ASSERT_EQUAL(c->timeout_ms, BC_DEFAULT_TIMEOUT_MS);
	CU_ASSERT_EQUAL(c->needs, 0);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void directives_quotes_comments_braces(void)
{
	static const char text[] =
		"# a comment line\n"
		"table   named   # the table's name\n"
		"timeout 250ms\n"
		"scenario pair\n"
		"    socket      a ${fam} stream\n"
		"    setsockopt  a $opt\n"
		"    bind        a ${host}:0\n"
		"    getsockname a P\n"
		"    socket      b $fam stream\n"
		"  ? bind        b ${host}:P   # same port\n"
		"  ? getsockname b\n"
		"\n"
		"id  fam   host   opt           linux               posix  freebsd  source              note        timeout\n"
		"r1  inet6 [::1]  -             EADDRINUSE,=[::]:0  -      n/a      \"a b \\\"c\\\"\"      \"x # y\"     2s\n"
		"r2  inet  127.0.0.1 SO_REUSEADDR \">=99.1:ok,=x;EADDRINUSE|EINVAL,=0.0.0.0:0\" - - src - -\n";
	struct bc_table t;
	struct bc_diags d = {0};
	int n = parse(text, &t, &d);
	if (n)
		BC_FAILF("%d diagnostics, first: %d:%d %s", n, d.v[0].line, d.v[0].col, d.v[0].msg);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 2);
	CU_ASSERT_STRING_EQUAL(t.name, "named");
	const struct bc_case *a = &t.cases[0], *b = &t.cases[1];
	CU_ASSERT_EQUAL(a->nchecked, 2);
	CU_ASSERT_STRING_EQUAL(a->steps[4]->text, "socket b inet6 stream");
	CU_ASSERT_STRING_EQUAL(a->steps[5]->text, "bind b [::1]:P");
	CU_ASSERT_EQUAL(a->steps[5]->addr_op.port_var, 0);
	CU_ASSERT(a->steps[1]->sockopt.none);
	CU_ASSERT_STRING_EQUAL(a->source, "a b \"c\"");
	CU_ASSERT_STRING_EQUAL(a->note, "x # y");
	CU_ASSERT_EQUAL(a->timeout_ms, 2000);
	CU_ASSERT_EQUAL(b->timeout_ms, 250);
	CU_ASSERT_EQUAL(a->exp[BC_SLOT_FREEBSD].state, BC_EXP_NA);
	CU_ASSERT(a->needs & BC_NEEDS_INET6);
	CU_ASSERT(!(b->needs & BC_NEEDS_INET6));
	CU_ASSERT(!b->steps[1]->sockopt.none);
	const struct bc_expect *e = &b->exp[BC_SLOT_LINUX];
	CU_ASSERT_EQUAL_FATAL(e->nclauses, 2);
	CU_ASSERT_EQUAL(e->clauses[0].op, BC_VER_GE);
	CU_ASSERT_EQUAL(e->clauses[0].ver[0], 99);
	CU_ASSERT_EQUAL(e->clauses[0].ver[1], 1);
	CU_ASSERT_EQUAL(e->clauses[1].op, BC_VER_ANY);
	CU_ASSERT_EQUAL(e->clauses[1].items[0].nalts, 2);
	CU_ASSERT_EQUAL(e->clauses[1].items[1].alts[0].kind, BC_OUT_VALUE);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void scenarios_chosen_per_row(void)
{
	static const char text[] = "scenario one\n  ? socket h inet stream\n"
				   "scenario two\n    socket h inet dgram\n  ? listen h 1\n"
				   "id scenario expect source\n"
				   "a one ok s\n"
				   "b two EOPNOTSUPP s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(parse(text, &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 2);
	CU_ASSERT_STRING_EQUAL(t.cases[0].scenario, "one");
	CU_ASSERT_EQUAL(t.cases[0].nsteps, 1);
	CU_ASSERT_STRING_EQUAL(t.cases[1].scenario, "two");
	CU_ASSERT_EQUAL(t.cases[1].steps[1]->verb, BC_V_LISTEN);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void bad_rows_lose_nothing_else(void)
{
	static const char text[] = HEAD "id addr expect source\n"
					"good1 127.0.0.1:0 ok s\n"
					"bad 127.0.0.1:0 EBOGUS s\n"
					"bad2 1.2.3:0 ok s\n"
					"good2 [::1]:0 ok s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(parse(text, &t, &d), 2);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 2);
	CU_ASSERT_STRING_EQUAL(t.cases[0].id, "good1");
	CU_ASSERT_STRING_EQUAL(t.cases[1].id, "good2");
	CU_ASSERT_EQUAL(d.v[0].line, 6);
	CU_ASSERT_EQUAL(d.v[1].line, 7);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void deviation_row(void)
{
	static const char text[] = HEAD "id addr expect linux freebsd deviation source\n"
					"r 127.0.0.1:0 EADDRINUSE ok ok \" linux , freebsd :  honoured late \" s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(parse(text, &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 1);
	CU_ASSERT_EQUAL(t.cases[0].deviation_mask, (1u << BC_SLOT_LINUX) | (1u << BC_SLOT_FREEBSD));
	/* The cell as written; each platform's reason is read from it. */
	CU_ASSERT_STRING_EQUAL(t.cases[0].deviation, " linux , freebsd :  honoured late ");
	char why[64] = "";
	CU_ASSERT_TRUE(bc_deviation_reason(t.cases[0].deviation, BC_SLOT_FREEBSD, why, sizeof(why)));
	CU_ASSERT_STRING_EQUAL(why, "honoured late");
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* send's optional address and byte count, recv, and resolve's show=. */
static void send_recv_and_resolve_details(void)
{
	static const char text[] = "scenario s\n"
				   "    socket      r inet dgram\n"
				   "    bind        r 127.0.0.1:0\n"
				   "    getsockname r P\n"
				   "    socket      c inet6 dgram\n"
				   "  ? send        c [::ffff:127.0.0.1]:P 100\n"
				   "  ? send        c 7\n"
				   "  ? send        c - 0\n"
				   "  ? send        c\n"
				   "  ? recv        r\n"
				   "  ? resolve     R box 80 canonname,show=canon+type\n"
				   "  ? resolve     Q box 80 show=type\n"
				   "id expect source\n"
				   "r =100,=7,=0,=1,=100,=x,=y s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	int n = parse(text, &t, &d);
	if (n)
		BC_FAILF("%d diagnostics, first: %d:%d %s", n, d.v[0].line, d.v[0].col, d.v[0].msg);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 1);
	const struct bc_step *const *st = t.cases[0].steps;
	CU_ASSERT_EQUAL(st[4]->verb, BC_V_SEND);
	CU_ASSERT(st[4]->addr_op.has_addr);
	CU_ASSERT_EQUAL(st[4]->addr_op.port_var, 0);
	CU_ASSERT_EQUAL(st[4]->addr_op.bytes, 100);
	CU_ASSERT_PTR_NOT_NULL(bc_step_addr(st[4]));
	CU_ASSERT(t.cases[0].needs & BC_NEEDS_INET6);
	CU_ASSERT(!st[5]->addr_op.has_addr);
	CU_ASSERT_EQUAL(st[5]->addr_op.bytes, 7);
	CU_ASSERT_PTR_NULL(bc_step_addr(st[5]));
	CU_ASSERT(!st[6]->addr_op.has_addr);
	CU_ASSERT_EQUAL(st[6]->addr_op.bytes, 0);
	CU_ASSERT_EQUAL(st[7]->addr_op.bytes, 1);
	CU_ASSERT_EQUAL(st[8]->verb, BC_V_RECV);
	CU_ASSERT_EQUAL(st[8]->handle, 0);
	CU_ASSERT(st[9]->resolve.show_canon && st[9]->resolve.show_type);
	CU_ASSERT(st[9]->resolve.flags != 0);
	CU_ASSERT(!st[10]->resolve.show_canon && st[10]->resolve.show_type && st[10]->resolve.flags == 0);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* Each kind of malformed input, with where the error must point and words
 * its message must contain.  cases/README.md lists the same kinds. */
struct bad {
	const char *name;
	const char *text;
	int line, col;
	const char *msg;
};

static const struct bad bads[] = {
	{"unknown errno name", HEAD "id addr expect source\nr1 127.0.0.1:0 EADDRINUS s\n", 5, 16,
	 "unknown result 'EADDRINUS'; hint: did you mean EADDRINUSE?"},
	{"unknown errno in a set", HEAD "id addr expect source\nr1 127.0.0.1:0 EINVAL|ENOPE s\n", 5, 23, "unknown result 'ENOPE'"},
	{"unknown column", HEAD "id addr expect source bogus\n", 4, 23, "unknown column 'bogus'"},
	{"duplicate column", HEAD "id addr expect source expect\n", 4, 23, "column 'expect' appears twice"},
	{"missing cell", HEAD "id addr expect source\nr1 127.0.0.1:0 ok\n", 5, 18, "row has 3 cells, the header has 4 (first missing: 'source')"},
	{"extra cell", HEAD "id addr expect source\nr1 127.0.0.1:0 ok s extra\n", 5, 21, "row has 5 cells, the header has 4"},
	{"unknown step", "scenario s\n  ? bnid h 1.2.3.4:0\nid expect source\n", 2, 5, "unknown step 'bnid'; hint: did you mean bind?"},
	{"NUL byte", "scenario s\n  ? li\0sten h 1\n", 2, 7, "binary data (a NUL byte)"},
	{"not UTF-8", "id expect source\nr \xff\xfe s\n", 2, 3, "binary data (a byte that is not UTF-8)"},
	{"truncated UTF-8", "id expect\xc3", 1, 10, "binary data (an invalid UTF-8 sequence)"},
	{"overlong UTF-8", "id expect\xe0\x80\xaf", 1, 10, "binary data (an invalid UTF-8 sequence)"},
	{"UTF-8 surrogate", "id \xed\xa0\x80", 1, 4, "binary data (an invalid UTF-8 sequence)"},
	{"control character in quotes", HEAD "id addr expect source\nr1 127.0.0.1:0 ok \"a\x1b[31m\"\n", 5, 21, "control character 0x1b"},
	{"unterminated quote", HEAD "id addr expect source\nr1 127.0.0.1:0 ok \"src\n", 5, 19, "unterminated quote"},
	{"text after a quote", HEAD "id addr expect source\nr1 127.0.0.1:0 ok \"src\"x\n", 5, 24, "text right after a closing quote"},
	{"quote inside a word", HEAD "id addr expect source\nr1 127.0.0.1:0 ok s\"rc\n", 5, 20, "quote inside a word"},
	{"control character", HEAD "id addr expect source\nr1 127.0.0.1:0 \x01ok s\n", 5, 16, "control character 0x01"},
	{"duplicate id", HEAD "id addr expect source\nr1 127.0.0.1:0 ok s\nr1 127.0.0.1:0 ok s\n", 6, 1, "id 'r1' is already used on line 5"},
	{"duplicate of a dropped row's id", HEAD "id addr expect source\nr1 127.0.0.1:0 EBOGUS s\nr1 127.0.0.1:0 ok s\n", 6, 1, "id 'r1' is already used on line 5"},
	{"bad id", HEAD "id addr expect source\nr/1 127.0.0.1:0 ok s\n", 5, 1, "bad id 'r/1'"},
	{"unknown scenario", "scenario a\n  ? listen 0 1\nscenario b\n  ? listen 0 1\nid scenario expect source\nr c ok s\n", 6, 3, "unknown scenario 'c'"},
	{"no scenario column", "scenario a\n  ? listen 0 1\nscenario b\n  ? listen 0 1\nid expect source\n", 5, 1, "2 scenarios but no 'scenario' column"},
	{"no scenario", "id expect source\n", 1, 1, "the table has no scenario"},
	{"no source column", HEAD "id addr expect\n", 4, 1, "no 'source' column"},
	{"no expectation column", HEAD "id addr source\n", 4, 1, "no expectation column"},
	{"empty source", HEAD "id addr expect source\nr1 127.0.0.1:0 ok -\n", 5, 19, "the row names no source"},
	{"too many results", HEAD "id addr expect source\nr1 127.0.0.1:0 ok,ok,ok s\n", 5, 19, "3 results given, but the scenario checks 1 step;"},
	{"errno after multi-byte text", HEAD "id addr expect source\nr1 127.0.0.1:0 \"=\xc3\xa9\xc3\xa9|EBOGUS\" s\n", 5, 21, "unknown result 'EBOGUS'"},
	{"errno after an escaped quote", HEAD "id addr expect source\nr1 127.0.0.1:0 \"=\\\"a|EBOGUS\" s\n", 5, 22, "unknown result 'EBOGUS'"},
	{"missing cell after a quoted cell", HEAD "id addr expect source\nr1 127.0.0.1:0 \"o\xc3\xa9\"\n", 5, 20, "row has 3 cells"},
	{"too few results", "scenario s\n  ? listen 0 1\n  ? listen 0 1\nid expect source\nr ok s\n", 5, 3, "1 result given, but the scenario checks 2 steps"},
	{"bad version condition", HEAD "id addr linux source\nr1 127.0.0.1:0 >4.1:ok s\n", 5, 16, "bad version condition"},
	{"bad version", HEAD "id addr linux source\nr1 127.0.0.1:0 >=4.x:ok s\n", 5, 16, "bad version '4.x'"},
	{"empty result in a set", HEAD "id addr expect source\nr1 127.0.0.1:0 ok| s\n", 5, 19, "empty result"},
	{"no checked step", "scenario s\n    socket h inet stream\nid expect source\n", 1, 10, "scenario 's' checks no step"},
	{"scenario without steps", "scenario s\nid expect source\n", 1, 10, "scenario 's' has no steps"},
	{"indented line outside a scenario", "  ? listen 0 1\n", 1, 3, "indented line outside a scenario"},
	{"unknown directive", "tabel x\n", 1, 1, "unknown directive 'tabel'"},
	{"bad timeout", "timeout 5\n", 1, 9, "bad timeout '5'"},
	{"bad table name", "table a/b\n", 1, 7, "bad table name 'a/b'"},
	{"scenario defined twice", "scenario s\n  ? listen 0 1\nscenario s\n", 3, 10, "scenario 's' is defined twice (first on line 1)"},
	{"handle used before it exists", "scenario s\n  ? bind g 1.2.3.4:0\nid expect source\nr ok s\n", 2, 10, "handle 'g' is used before a step creates it"},
	{"port variable not set", "scenario s\n    socket h inet stream\n  ? bind h 127.0.0.1:P\nid expect source\nr ok s\n", 3, 12, "port variable 'P' is not set"},
	{"bad address in a cell", HEAD "id addr expect source\nr1 127.0.0.1 ok s\n", 5, 4, "bad address '127.0.0.1'"},
	{"unknown socket option", "scenario s\n    socket h inet stream\n  ? setsockopt h SO_REUSEADR\nid expect source\nr ok s\n", 3, 18, "did you mean SO_REUSEADDR?"},
	{"column the header lacks", HEAD "id expect source\n", 3, 12, "scenario 's' uses column 'addr'"},
	{"bad column reference", "scenario s\n  ? listen $ 1\n", 2, 12, "bad column reference"},
	{"deviation without a platform result", HEAD "id addr expect deviation source\nr1 127.0.0.1:0 ok \"linux: why\" s\n", 5, 19, "deviation for linux, but the row gives no linux result"},
	{"deviation for an unknown platform", HEAD "id addr expect linux deviation source\nr1 127.0.0.1:0 ok ok \"hurd: why\" s\n", 5, 22, "unknown platform 'hurd'"},
	{"deviation without a colon", HEAD "id addr expect linux deviation source\nr1 127.0.0.1:0 ok ok linux s\n", 5, 22, "bad deviation"},
	{"deviation with an empty reason", HEAD "id addr expect linux deviation source\nr1 127.0.0.1:0 ok ok \"linux: \" s\n", 5, 22, "deviation without a reason"},
	{"deviation without a platform", HEAD "id addr expect linux deviation source\nr1 127.0.0.1:0 ok ok \": why\" s\n", 5, 22, "deviation names no platform"},
	{"no header line", "scenario s\n  ? listen 0 1\n", 2, 1, "no header line"},
	{"too many arguments", "scenario s\n  ? socket h inet stream tcp extra\n", 2, 30, "too many arguments to socket"},
	{"too few arguments", "scenario s\n  ? socket h inet\nid expect source\nr ok s\n", 2, 14, "socket needs 3 arguments, got 2"},
	{"unknown family", "scenario s\n  ? socket h inet7 stream\nid expect source\nr ok s\n", 2, 14, "unknown family 'inet7'"},
	{"step with too many words", "scenario s\n  ? bind h 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", 2, 45, "a step has at most 16 words"},
	{"bad literal in a scenario no row uses", "scenario s\n    socket h $fam stream\n  ? listen h notanumber\nid fam expect source\n", 3, 14, "bad backlog 'notanumber'"},
	{"lone check mark", "scenario s\n  ?\n", 2, 3, "'?' without a step after it"},
	{"row states no expectation", HEAD "id addr expect source\nr1 127.0.0.1:0 - s\n", 5, 1, "row 'r1' states no expectation"},
	/* Rows per scenario: "rows NAME", a header, rows. */
	{"rows of an unknown scenario", HEAD "rows nosuch\nid addr expect source\n", 4, 6, "unknown scenario 'nosuch'; hint: define it above with 'scenario nosuch'"},
	{"rows without a scenario name", HEAD "rows\n", 4, 1, "'rows' takes one value, got 0"},
	{"rows without a header", HEAD "rows s\nr1 127.0.0.1:0 ok x\n", 5, 1, "no header after 'rows s' (line 4); hint: the line after it names the columns"},
	{"rows at the end of the table", HEAD "rows s\n", 4, 1, "no header after 'rows s' (line 4)"},
	{"scenario column under rows", HEAD "rows s\nid scenario addr expect source\n", 5, 4, "a 'scenario' column under 'rows s'; hint: these rows all run scenario 's'"},
	{"section header without a parameter", HEAD "rows s\nid expect source\n", 5, 1, "scenario 's' uses column 'addr' (line 3), which this header does not have"},
	{"column of another scenario under rows", HEAD "scenario t\n  ? listen 0 1\nrows t\nid addr expect source\n", 7, 4, "unknown column 'addr'; hint: columns are id, expect, linux, freebsd, darwin, posix, source, deviation, note, timeout, profile, fault, or one scenario 't' uses as $addr"},
	{"row after a scenario without rows", HEAD "rows s\nid addr expect source\nr1 127.0.0.1:0 ok x\nscenario t\n  ? listen 0 1\nr2 ok x\n", 9, 1, "a row without a header; hint: after a scenario, its rows follow 'rows t'"},
	{"header after a scenario without rows", HEAD "rows s\nid addr expect source\nscenario t\n  ? listen 0 1\nid expect source\n", 8, 1, "a header without 'rows NAME' above it"},
	{"profile after the rows began", HEAD "rows s\nid addr expect source\nprofile p\n    user 1\n", 6, 1, "'profile' after the rows began; hint: 'table', 'timeout', 'profile' and 'target' come before"},
	{"section header without a source", HEAD "rows s\nid addr expect\n", 5, 1, "the header has no 'source' column"},
	{"bad result in a section's row", HEAD "rows s\nid addr expect source\nr1 127.0.0.1:0 EBOGUS x\n", 6, 16, "unknown result 'EBOGUS'"},
	{"id used in two sections", HEAD "rows s\nid addr expect source\nr1 127.0.0.1:0 ok x\nrows s\nid addr linux source\nr1 127.0.0.1:0 ok x\n", 9, 1, "id 'r1' is already used on line 6"},
	{"missing cell under a section's second header", HEAD "rows s\nid addr expect source\nid addr linux posix source\nr2 127.0.0.1:0 ok x\n", 7, 20, "row has 4 cells, the header has 5 (first missing: 'source')"},
	/* Profiles. */
	{"unknown profile setting", "profile p\n    sysctrl net.core.somaxconn 8\n", 2, 5, "unknown profile setting 'sysctrl'; hint: did you mean sysctl?"},
	{"sysctl outside net", "profile p\n    sysctl kernel.hostname box\n", 2, 12, "bad sysctl 'kernel.hostname'"},
	{"sysctl path escape", "profile p\n    sysctl net.ipv4..conf 1\n", 2, 12, "bad sysctl 'net.ipv4..conf'"},
	{"sysctl without a value", "profile p\n    sysctl net.core.somaxconn\n", 2, 5, "'sysctl' takes a name and a value, got 1 words"},
	{"profile without settings", "profile p\nscenario s\n  ? listen 0 1\n", 1, 9, "profile 'p' has no settings"},
	{"profile defined twice", "profile p\n    user 1\nprofile p\n    user 2\n", 3, 9, "profile 'p' is defined twice (first on line 1)"},
	{"bad profile name", "profile a+b\n", 1, 9, "bad profile name 'a+b'"},
	{"bad user", "profile p\n    user nobody\n", 2, 10, "bad user 'nobody'; hint: root or a numeric uid"},
	{"unknown capability set", "profile p\n    caps +net_admin\n", 2, 10, "unknown capability set '+net_admin'"},
	{"bad host name", "profile p\n    hostname -box\n", 2, 14, "bad host name '-box'"},
	{"bad hosts address", "profile p\n    hosts 127.0.1 box\n", 2, 11, "bad address '127.0.1' in a hosts line"},
	{"hosts line without a name", "profile p\n    hosts 127.0.1.1\n", 2, 5, "'hosts' takes an address and at least one name"},
	{"extra address off lo", "profile p\n    addr eth0 192.0.2.1/24\n", 2, 10, "unknown device 'eth0'"},
	{"address without a prefix", "profile p\n    addr lo 192.0.2.1\n", 2, 13, "bad address '192.0.2.1'; hint: ADDRESS/PREFIX"},
	{"peer with one address", "profile p\n    peer 192.0.2.1/24\n", 2, 5, "'peer' takes 2 words, got 1"},
	{"prefix out of range", "profile p\n    peer 192.0.2.1/24 192.0.2.2/33\n", 2, 23, "bad address '192.0.2.2/33'"},
	{"column in a profile", "profile p\n    sysctl net.core.somaxconn $n\n", 2, 31, "a profile cannot use columns"},
	{"unknown profile in a row", "profile p\n    user 1\n" HEAD "id addr profile expect source\nr1 127.0.0.1:0 q ok s\n", 7, 16, "unknown profile 'q'; hint: the table defines p"},
	{"unknown profile after '+'", "profile p\n    user 1\n" HEAD "id addr profile expect source\nr1 127.0.0.1:0 p+q ok s\n", 7, 18, "unknown profile 'q'"},
	{"profile named without any defined", HEAD "id addr profile expect source\nr1 127.0.0.1:0 p ok s\n", 5, 16, "unknown profile 'p'; hint: define it"},
	{"empty profile after '+'", "profile p\n    user 1\n" HEAD "id addr profile expect source\nr1 127.0.0.1:0 p+ ok s\n", 7, 18, "empty profile name after '+'"},
	{"indented line after a profile's header", "profile p\n  ? listen 0 1\n", 2, 3, "unknown profile setting '?'"},
	/* Targets and faults. */
	{"target without a command", "target t\n    needs python3\nscenario s\n  ? listen 0 1\n", 1, 8, "target 't' has no command"},
	{"unknown target setting", "target t\n    comand x\n", 2, 5, "unknown target setting 'comand'"},
	{"bad grace", "target t\n    command x\n    grace soon\n", 3, 5, "'grace' takes one value; hint: a time"},
	{"bad stop", "target t\n    command x\n    stop 1 2\n", 3, 5, "'stop' takes one value; hint: a time"},
	{"bad settle", "target t\n    command x\n    settle soon\n", 3, 5, "'settle' takes one value; hint: a time"},
	{"bad listening address", "target t\n    command x\n    listens 127.0.0.1:80 localhost:80\n", 3, 26,
	 "bad listening address 'localhost:80'"},
	{"listening address without a port variable", "target t\n    command x\n    listens 127.0.0.1:P\n", 3, 13,
	 "bad listening address '127.0.0.1:P'"},
	{"too many listening addresses", "target t\n    command x\n    listens 127.0.0.1:1 127.0.0.1:2 127.0.0.1:3\n    listens [::1]:1 [::1]:2\n", 4, 5,
	 "'listens' takes 1 to 4 addresses"},
	{"listens alone", "target t\n    command x\n    listens\n", 3, 5, "'listens' takes 1 to 4 addresses"},
	{"target defined twice", "target t\n    command x\ntarget t\n", 3, 8, "target 't' is defined twice (first on line 1)"},
	{"row runs an undefined target", "scenario s\n  ? run nosuch\nid expect source\nr =running s\n", 4, 1, "row 'r' runs target 'nosuch', which the table does not define"},
	{"fault without a target", HEAD "id addr fault expect source\nr1 127.0.0.1:0 bind:1:EACCES ok s\n", 5, 1, "row 'r1' injects faults, but its scenario runs no target"},
	{"fault that is not CALL:WHEN:RESULT", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind=EACCES =running s\n", 6, 3, "bad fault 'bind=EACCES'; hint: CALL[@SELECTOR]:WHEN:RESULT"},
	{"fault on an unknown call", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bnid:1:EACCES =running s\n", 6, 3, "unknown call 'bnid' in a fault; hint: did you mean bind?"},
	{"fault with a bad WHEN", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind:0:EACCES =running s\n", 6, 8, "bad WHEN '0' in a fault"},
	{"fault with an unknown errno", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind:1:EADDRINUS =running s\n", 6, 10, "unknown errno 'EADDRINUS' in a fault; hint: did you mean EADDRINUSE?"},
	{"EAI code for a call that is not getaddrinfo", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind:1:EAI_AGAIN =running s\n", 6, 10, "unknown errno 'EAI_AGAIN' in a fault"},
	{"errno for getaddrinfo", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr getaddrinfo:1:EACCES =running s\n", 6, 17, "unknown result 'EACCES' for getaddrinfo; hint: an EAI_* name"},
	{"second fault bad", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind:1:EACCES;listen:x:EINVAL =running s\n", 6, 24, "bad WHEN 'x'"},
	{"too many faults", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind:1:EIO;bind:2:EIO;bind:3:EIO;bind:4:EIO;bind:5:EIO;bind:6:EIO;bind:7:EIO;bind:8:EIO;bind:9:EIO =running s\n", 6, 91, "more than 8 faults in one row"},
	{"fault selecting an unknown family", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind@inet7:1:EACCES =running s\n", 6, 8, "unknown selector 'inet7' in a fault; hint: did you mean inet?"},
	{"fault selecting an unknown option", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr setsockopt@SO_REUSEADR:1:EINVAL =running s\n", 6, 14, "unknown selector 'SO_REUSEADR' in a fault; hint: did you mean SO_REUSEADDR?"},
	{"fault selecting a bad address", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind@[::1:1:EACCES =running s\n", 6, 8, "bad address '[::1' in a fault's selector"},
	{"fault selecting socket by address", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr socket@[::1]:1:EACCES =running s\n", 6, 10, "socket has no address to select by; hint: socket@inet6"},
	{"fault selecting bind by option", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind@SO_REUSEADDR:1:EACCES =running s\n", 6, 8, "option 'SO_REUSEADDR' selects setsockopt calls only"},
	{"fault selecting getaddrinfo", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr getaddrinfo@inet:1:EAI_AGAIN =running s\n", 6, 15, "getaddrinfo takes no selector"},
	{"fault repeated", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind:1:EACCES;bind:1:EADDRINUSE =running s\n", 6, 17, "fault 'bind:1:EADDRINUSE' fails calls that 'bind:1:EACCES' before it fails too; hint: rules on one call and selector pick calls apart"},
	{"fault within an N+ rule", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr bind@[::1]:2+:EACCES;bind@[::1]:3:EIO =running s\n", 6, 24, "fault 'bind@[::1]:3:EIO' fails calls that 'bind@[::1]:2+:EACCES' before it fails too"},
	{"sweep selecting an unknown family", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr sweep:bind@inet9:1 =running s\n", 6, 14, "unknown selector 'inet9' in a fault"},
	{"sweep over a call it cannot cover", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr sweep:bind,accept:1 =running s\n", 6, 14, "a sweep cannot cover 'accept'"},
	{"sweep without WHEN", "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n" "id fault expect source\nr sweep:bind =running s\n", 6, 3, "bad sweep; hint: sweep:CALL,CALL...:WHEN"},
	{"unknown call to count", "scenario s\n  ? calls bnid\nid expect source\nr =1 s\n", 2, 11, "unknown call 'bnid'"},
	{"bad name to look for", "scenario s\n  ? names EADDRINUS\nid expect source\nr =yes s\n", 2, 11, "bad name 'EADDRINUS'; hint: an errno or EAI_* name, or @fault"},
	/* Steps added with profiles. */
	{"resolve result used before resolve", "scenario s\n    socket h R.0 stream\n  ? bind h R.0\nid expect source\nr ok s\n", 2, 14, "resolve result 'R' is used before a resolve step fills it"},
	{"resolve result index too high", "scenario s\n  ? resolve R localhost 80\n    socket h R.9 stream\nid expect source\nr ok s\n", 3, 14, "unknown family 'R.9'"},
	{"bad resolve option", "scenario s\n  ? resolve R localhost 80 passiv\nid expect source\nr ok s\n", 2, 28, "unknown resolve option 'passiv'; hint: did you mean passive?"},
	{"bad resolve family", "scenario s\n  ? resolve R localhost 80 family=inet9\nid expect source\nr ok s\n", 2, 28, "unknown family 'inet9'"},
	{"host name as an address", HEAD "id addr expect source\nr1 localhost:80 ok s\n", 5, 4, "a host name is not an address"},
	{"bad handshake count", "scenario s\n    socket h inet stream\n  ? handshakes h 0\nid expect source\nr ok s\n", 3, 18, "bad count '0'; hint: 1 to 256"},
	{"bad mode", "scenario s\n  ? mkdir d 0999\nid expect source\nr ok s\n", 2, 13, "bad mode '0999'; hint: octal"},
	{"bad byte count", "scenario s\n    socket h inet dgram\n  ? send h 127.0.0.1:9 -1\nid expect source\nr =1 s\n", 3, 24, "bad byte count '-1'; hint: 0 to 65536"},
	{"two byte counts", "scenario s\n    socket h inet dgram\n  ? send h 5 6\nid expect source\nr =5 s\n", 3, 14, "send takes one byte count"},
	{"bad send address", "scenario s\n    socket h inet dgram\n  ? send h localhost:9\nid expect source\nr =1 s\n", 3, 12, "a host name is not an address"},
	{"unknown resolve detail", "scenario s\n  ? resolve R localhost 80 show=canon+types\nid expect source\nr =x s\n", 2, 28, "unknown resolve detail 'types'; hint: show=canon, show=type"},
	{"bad hostconf value", "profile p\n    hostconf multi maybe\n", 2, 20, "bad value 'maybe' for multi; hint: on or off"},
	{"hostconf without multi", "profile p\n    hostconf on\n", 2, 5, "'hostconf' takes 'multi on' or 'multi off'"},
	{"bad lo state", "profile p\n    lo sideways\n", 2, 8, "'lo' takes 'up' or 'down'"},
	{"bad name before a comment", "profile p\n    hosts 127.0.1.1 box b@x \"#c\"\n", 2, 25, "bad host name 'b@x'; hint: a comment starts with '#'"},
	/* Paths stay beneath the case's scratch directory (cases/README.md, "Paths"). */
	{"absolute path in mkfile", "scenario s\n  ? mkfile /tmp/x/outside\nid expect source\nr ok s\n", 2, 12, "absolute path '/tmp/x/outside' in mkfile; hint: paths are relative to the case's scratch directory; only stat and open"},
	{"absolute path in mkdir", "scenario s\n  ? mkdir /x\nid expect source\nr ok s\n", 2, 11, "absolute path '/x' in mkdir"},
	{"absolute path in unlink", "scenario s\n  ? unlink /x\nid expect source\nr ok s\n", 2, 12, "absolute path '/x' in unlink"},
	{"absolute path in chmod", "scenario s\n  ? chmod /x 4777\nid expect source\nr ok s\n", 2, 11, "absolute path '/x' in chmod"},
	{"absolute link path in symlink", "scenario s\n  ? symlink /etc /x\nid expect source\nr ok s\n", 2, 18, "absolute path '/x' in symlink"},
	{"absolute unix: path in bind", "scenario s\n    socket h unix stream\n  ? bind h $addr\nid addr expect source\nr1 unix:/tmp/s ok s\n", 5, 4, "absolute unix: path '/tmp/s' in bind; hint: paths are relative"},
	{"absolute unix: path in connect", "scenario s\n    socket h unix stream\n  ? connect h unix:/run/x.sock\nid expect source\nr ok s\n", 3, 15, "absolute unix: path '/run/x.sock' in connect"},
	{"'..' that leaves in mkfile", "scenario s\n  ? mkfile d/../../x\nid expect source\nr ok s\n", 2, 12, "path 'd/../../x' in mkfile leaves the scratch directory; hint: paths are relative to the case's scratch directory, and '..' may not climb out of it"},
	{"'..' that leaves in a unix: path", "scenario s\n    socket h unix dgram\n  ? send h unix:../s 1\nid expect source\nr =1 s\n", 3, 12, "unix: path '../s' in send leaves the scratch directory"},
	{"path too long for a step", "scenario s\n  ? mkfile aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nid expect source\nr ok s\n", 2, 12, "path of 122 bytes, longer than the 107 a step may name"},
};

#define NBADS (sizeof(bads) / sizeof(bads[0]))

static void malformed_input(void)
{
	const char *name = CU_get_current_test()->pName + strlen("malformed: ");
	const struct bad *b = NULL;
	for (size_t i = 0; i < NBADS; i++)
		if (strcmp(bads[i].name, name) == 0)
			b = &bads[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	/* The NUL case's length runs past the NUL on purpose. */
	size_t len = strlen(b->text);
	if (strcmp(b->name, "NUL byte") == 0)
		len += 1 + strlen(b->text + len + 1);
	struct bc_table t;
	struct bc_diags d = {0};
	int n = bc_table_parse("bad.tbl", b->text, len, &t, &d);
	bool found = false;
	for (int i = 0; i < d.n; i++)
		if (d.v[i].line == b->line && d.v[i].col == b->col && strstr(d.v[i].msg, b->msg))
			found = true;
	if (!found) {
		char got[2048] = "";
		size_t off = 0;
		for (int i = 0; i < d.n && off < sizeof(got); i++)
			off += (size_t)snprintf(got + off, sizeof(got) - off, "\n      %d:%d: %s", d.v[i].line, d.v[i].col, d.v[i].msg);
		BC_FAILF("%s: wanted %d:%d '%s'; got %d diagnostic%s:%s", b->name, b->line, b->col, b->msg, n, n == 1 ? "" : "s",
			 got);
	}
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void hash_inside_a_word_is_text(void)
{
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(parse(HEAD "id addr expect source\nr1 127.0.0.1:0 ok bind01.c#L40 # a comment\n", &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 1);
	CU_ASSERT_STRING_EQUAL(t.cases[0].source, "bind01.c#L40");
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void long_line_is_refused(void)
{
	size_t n = 70000;
	char *text = malloc(n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	memset(text, 'a', n);
	text[n] = '\0';
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(bc_table_parse("long.tbl", text, n, &t, &d), 1);
	CU_ASSERT(d.n == 1 && d.v[0].line == 1 && d.v[0].col == 1 &&
		  strstr(d.v[0].msg, "line of 70000 bytes, longer than the 65536"));
	free(text);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void diags_repeat_once(void)
{
	/* A scenario error without cells in it must not repeat once per row. */
	static const char text[] = "scenario s\n  ? listen h 1\nid expect source\na ok s\nb ok s\nc ok s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(parse(text, &t, &d), 1);
	CU_ASSERT_EQUAL(t.ncases, 0);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void error_flood_is_capped(void)
{
	size_t n = 200, len = 0;
	char *text = malloc(n * 8 + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "bogus%zu\n", i % 10);
	struct bc_table t;
	struct bc_diags d = {0};
	bc_table_parse("flood.tbl", text, len, &t, &d);
	CU_ASSERT(d.n <= BC_DIAG_MAX_PER_FILE + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.v[d.n - 1].msg, "too many errors"));
	free(text);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* A sweep's cases: one per call and result.  Under make check-valgrind the
 * first of each call's, and EAI_SYSTEM, run their target under Memcheck;
 * the others (the same path in the reference server) run natively. */
static void sweep_picks_one_memcheck_case_per_call(void)
{
	static const char text[] = "target t\n    command @bindcheck serve - 80\nscenario s\n  ? run t\n"
				   "id fault expect source\n"
				   "plain bind:1:EACCES =running s\n"
				   "r sweep:bind,getaddrinfo:1 =running s\n";
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL_FATAL(bc_table_parse("sweep.tbl", text, sizeof(text) - 1, &t, &d), 0);
	int n = 0, bind_vg = 0, gai_vg = 0;
	bool plain = false, eai_system = false;
	for (int i = 0; i < t.ncases; i++) {
		const struct bc_case *c = &t.cases[i];
		bool vg = bc_target_memcheck(c);
		if (strcmp(c->id, "plain") == 0) {
			plain = vg;
			continue;
		}
		n++;
		bind_vg += vg && strstr(c->id, ".bind.") != NULL;
		gai_vg += vg && strstr(c->id, ".getaddrinfo.") != NULL;
		if (strcmp(c->id, "r.getaddrinfo.EAI_SYSTEM") == 0)
			eai_system = vg;
	}
	CU_ASSERT(plain);
	CU_ASSERT(n > 10);
	CU_ASSERT_EQUAL(bind_vg, 1);
	CU_ASSERT_EQUAL(gai_vg, 2); /* the first result, and EAI_SYSTEM */
	CU_ASSERT(eai_system);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void missing_file(void)
{
	struct bc_table t;
	struct bc_diags d = {0};
	CU_ASSERT_EQUAL(bc_table_load("/nonexistent/x.tbl", &t, &d), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].msg, "cannot open"));
	bc_diags_free(&d);
	char *paths[] = {"/nonexistent-dir"};
	char **files;
	CU_ASSERT_EQUAL(bc_table_find(paths, 1, &files, &d), 0);
	CU_ASSERT_EQUAL(d.n, 1);
	bc_table_files_free(files, 0);
	bc_diags_free(&d);
	char dir[] = "/tmp/bc-empty-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char *empty[] = {dir};
	CU_ASSERT_EQUAL(bc_table_find(empty, 1, &files, &d), 0);
	CU_ASSERT(d.n == 1 && strstr(d.v[0].msg, "no case tables"));
	bc_table_files_free(files, 0);
	bc_diags_free(&d);
	rmdir(dir);
}

/* Every input the fuzzer was seeded with, or that once crashed the reader,
 * stays in suite/fuzz/corpus; each must read without a crash (and, under
 * make check SAN=address,undefined, without a sanitizer report). */
static void fuzz_corpus_reads(void)
{
	char *path = "suite/fuzz/corpus";
	char **files = NULL;
	struct bc_diags d = {0};
	int n = bc_table_find(&path, 1, &files, &d);
	CU_ASSERT(n >= 2);
	for (int i = 0; i < n; i++) {
		struct bc_table t;
		struct bc_diags dd = {0};
		bc_table_load(files[i], &t, &dd);
		bc_table_free(&t);
		bc_diags_free(&dd);
	}
	bc_table_files_free(files, n > 0 ? n : 0);
	bc_diags_free(&d);
}

/* model/verbs.def is the one list: the reader knows every verb by the
 * name model/ gives it, and each verb runs where the pool's classes say. */
static void verbs_declared_once(void)
{
	static const struct {
		enum bc_verb verb;
		enum bc_place place;
	} places[] = {
		{BC_V_SOCKET, BC_PLACE_CLEAN},       {BC_V_BIND, BC_PLACE_CLEAN},       {BC_V_QUEUE, BC_PLACE_CLEAN},
		{BC_V_GETSOCKNAME, BC_PLACE_CLEAN},  {BC_V_CONNECT, BC_PLACE_RESET},    {BC_V_ACCEPT, BC_PLACE_RESET},
		{BC_V_HANDSHAKES, BC_PLACE_RESET},   {BC_V_RUN, BC_PLACE_TARGET},       {BC_V_LISTENING, BC_PLACE_TARGET},
		{BC_V_HOSTILE, BC_PLACE_RETIRE},     {BC_V_OPEN, BC_PLACE_SANDBOX},     {BC_V_SETEUID, BC_PLACE_SANDBOX},
		{BC_V_RESOLVE, BC_PLACE_SANDBOX},    {BC_V_MKDIR, BC_PLACE_SANDBOX},    {BC_V_SEND, BC_PLACE_CLEAN},
		{BC_V_RECV, BC_PLACE_CLEAN},
	};
	for (int v = 0; v < BC_VERB_COUNT; v++)
		if (!bc_step_verb_known(bc_verb_name((enum bc_verb)v)))
			BC_FAILF("verb %d (%s) is unknown to the reader", v, bc_verb_name((enum bc_verb)v));
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		CU_ASSERT_EQUAL(bc_verb_place(places[i].verb), places[i].place);
	CU_ASSERT_STRING_EQUAL(bc_verb_name(BC_V_LISTEN), "listen");
	CU_ASSERT_STRING_EQUAL(bc_verb_name(BC_VERB_COUNT), "?");
}

int bc_suite_table(void)
{
	CU_pSuite s = CU_add_suite("unit/table", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, basic_row);
	BC_ADD(s, verbs_declared_once);
	BC_ADD(s, send_recv_and_resolve_details);
	BC_ADD(s, fuzz_corpus_reads);
	BC_ADD(s, directives_quotes_comments_braces);
	BC_ADD(s, scenarios_chosen_per_row);
	BC_ADD(s, bad_rows_lose_nothing_else);
	BC_ADD(s, deviation_row);
	BC_ADD(s, hash_inside_a_word_is_text);
	BC_ADD(s, long_line_is_refused);
	BC_ADD(s, diags_repeat_once);
	BC_ADD(s, error_flood_is_capped);
	BC_ADD(s, missing_file);
	BC_ADD(s, sweep_picks_one_memcheck_case_per_call);
	if (bc_suite_table_rows(s) < 0)
		return -1;
	for (size_t i = 0; i < NBADS; i++) {
		char name[128];
		snprintf(name, sizeof(name), "malformed: %s", bads[i].name);
		if (!CU_add_test(s, name, malformed_input))
			return -1;
	}
	return 0;
}
