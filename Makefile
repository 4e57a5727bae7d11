# bindcheck: build, test and report.  See README.md.
#   make              build build/bindcheck and build/bc_suite
#   make check        install missing packages, build, run the CUnit suite
#   make report       install missing packages, build, run every table, write reports/out/<platform>/
#   make check-valgrind   the suite under Valgrind's Memcheck
#   make SAN=address,undefined check    the same under ASan and UBSan (its own build directory)
#   make fuzz FUZZ_SECONDS=N    libFuzzer on the table reader (clang), N seconds
#   make lint         file and function sizes (pmccabe)
#   make bench [BASE=<commit>] [BENCH_QUICK=1] [BENCH_SUITE=1] [BENCH_ONLY=full,...] paired figures and their goals
#   make check-workflow   the CI workflow against its schema (ci/check-workflow --self-test)
#   make platforms    the host, the Debian kernels (make kernels) and gVisor (make gvisor), one matrix
#   make gvisor       the tables under gVisor (runsc), merged with the host's run
#   make kernels [KERNELS="linux-image-..."]   the suite on Debian's kernels under qemu,
#                     merged with the host's run into reports/out/matrix.{html,md}
#   make install [PREFIX=/usr/local] [DESTDIR=]   bindcheck, bc_fiu.so, the tables, bindcheck(1)
#   make uninstall    removes what make install installed
# check, report and the other targets that build do so with the jobs make
# was given (-j N), else one per CPU.  V=1 shows the commands.

CC      ?= cc
PKGS    := cunit libfiu libcap jansson
SAN     ?=
BUILD   := build$(if $(SAN),-san)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g

# Where make install puts things, and where an installed bindcheck looks
# for them (compiled in; BINDCHECK_LIBEXECDIR and BINDCHECK_DATADIR
# override at run time: see bindcheck(1), FILES).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PATH_DEFS  := -DBC_LIBEXECDIR='"$(LIBEXECDIR)/bindcheck"' -DBC_DATADIR='"$(DATADIR)/bindcheck"'

# V=1 shows each command; otherwise one short line per file.
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = printf '  %-5s %s\n' $(1) $(2);
endif
# The jobs make was given reach a sub-make through MAKEFLAGS; with none,
# one per CPU.
NPROC := $(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
JOBS   = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))
SUBMAKE_BUILD = @$(MAKE) --no-print-directory $(JOBS) build
# libfiu's POSIX preload, where the libfiu that pkg-config finds installs it.
FIU_LIBDIR  := $(shell pkg-config --variable=libdir libfiu 2>/dev/null)
FIU_PRELOAD := $(if $(FIU_LIBDIR),$(FIU_LIBDIR),/usr/lib)/fiu/fiu_posix_preload.so

CFLAGS  += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Iharness $(PKG_CFLAGS) \
	-DBC_FIU_PRELOAD='"$(FIU_PRELOAD)"'
# Each object depends on the headers it includes (gcc writes them to .d files).
DEPFLAGS := -MMD -MP
LDLIBS  += $(PKG_LIBS)
ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif

# harness/ has one folder per stage of the data flow (harness/README.md).
# cli/ is the command's own; the library is everything the suite links too.
CLI_SRC   := $(wildcard harness/cli/*.c)
CLI_OBJ   := $(CLI_SRC:harness/%.c=$(BUILD)/harness/%.o)
LIB_SRC   := $(filter-out $(CLI_SRC) harness/fault/fiu_shim.c,$(wildcard harness/*/*.c))
LIB_OBJ   := $(LIB_SRC:harness/%.c=$(BUILD)/harness/%.o)
SUITE_SRC := $(wildcard suite/*.c)
SUITE_OBJ := $(SUITE_SRC:suite/%.c=$(BUILD)/suite/%.o)
REPORT_DIR := reports/out

.PHONY: all deps build check check-valgrind report matrix kernels gvisor bench fuzz lint clean install uninstall
all: deps
	$(SUBMAKE_BUILD)

deps:
	@ci/install-deps

build: $(BUILD)/bindcheck $(BUILD)/bc_suite $(BUILD)/bc_fiu.so

# The preload a fault case's target runs with (after libfiu's POSIX preload).
# Never built with sanitizers: it is loaded into programs that have none.
SHIM_CFLAGS := -O2 -g -std=c11 -Wall -Wextra -Werror -fPIC -DFIU_ENABLE $(PKG_CFLAGS)
$(BUILD)/bc_fiu.so: harness/fault/fiu_shim.c $(wildcard harness/fault/*.h)
	@mkdir -p $(@D)
	$(Q)$(call say,CCLD,$@)$(CC) $(SHIM_CFLAGS) -shared -o $@ $< -lfiu -ldl -lpthread

# The one object that holds the installed paths is built again when they
# change (the stamp's text is the definitions; it is rewritten only then).
PATHS_STAMP := $(BUILD)/paths.stamp
$(shell mkdir -p $(BUILD) && { echo '$(PATH_DEFS)' | cmp -s - $(PATHS_STAMP) || echo '$(PATH_DEFS)' >$(PATHS_STAMP); })
$(BUILD)/harness/exec/paths.o: CFLAGS += $(PATH_DEFS)
$(BUILD)/harness/exec/paths.o: $(PATHS_STAMP)

$(BUILD)/harness/%.o: harness/%.c
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$<)$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/suite/%.o: suite/%.c
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$<)$(CC) $(CFLAGS) $(DEPFLAGS) -DBC_BUILD_DIR='"$(BUILD)"' -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(SUITE_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

$(BUILD)/libbindcheck.a: $(LIB_OBJ)
	$(Q)$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bindcheck: $(CLI_OBJ) $(BUILD)/libbindcheck.a
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bc_suite: $(SUITE_OBJ) $(BUILD)/libbindcheck.a
	$(Q)$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The suite runs build/bindcheck too (unit/cli), so both are built first.
# unit/install installs into a temporary DESTDIR with ci/install.  Its
# suites run BC_SUITE_JOBS at a time (default: 2 x CPUs + 1; suite/parallel.c);
# BC_SUITES=PATTERN,... runs only those named (with more than one job).
check: deps
	$(SUBMAKE_BUILD)
	$(BUILD)/bc_suite

# ci/install copies what the build made; the build knows the paths (PREFIX).
install: $(BUILD)/bindcheck $(BUILD)/bc_fiu.so
	@ci/install --build $(BUILD) --destdir "$(DESTDIR)" --bindir $(BINDIR) --libexecdir $(LIBEXECDIR) \
		--datadir $(DATADIR) --mandir $(MANDIR)

uninstall:
	@ci/install --uninstall --destdir "$(DESTDIR)" --bindir $(BINDIR) --libexecdir $(LIBEXECDIR) \
		--datadir $(DATADIR) --mandir $(MANDIR)

# The same suite under Memcheck.  Each case child reports its own errors and
# exits 99 (--error-exitcode), which the runner turns into an error verdict.
# The fault tables' reference path (`bindcheck serve`, started by the cases
# as a program) runs under Memcheck too: BC_TARGET_VALGRIND holds the options
# added to its command; an error there is exit 99, which fails its case.  Of a
# sweep's cases, which differ only in the errno a call fails with, one per
# call (and EAI_SYSTEM) runs under Memcheck: the reference path takes the same
# path for every errno (harness/bindpath.c); the others run natively.  Of a
# table's two runs in the suite, the one in place starts them under Memcheck;
# the one with --isolation sandbox (same program, same faults) natively.
# The suite's runner processes are forked, so Memcheck watches them too,
# silently (--child-silent-after-fork): one that ends with status 99 fails
# the run and names its suites; BC_SUITE_JOBS=1 shows Memcheck's report.
# The host's socket watcher is exec'd and runs natively, and so is each
# table's run with --isolation sandbox (bc_suite --sandbox-run: a case child
# forked under Memcheck translates all it runs afresh, some 60 ms a case; the
# sandbox's own code is Memcheck's in unit/runner, selftest/hostile and
# selftest/confine), which still has to give the same verdicts.  The
# reference path's Memcheck skips inlined frames' names
# (--read-inline-info=no): a fifth of its start-up.
VALGRIND_SUPP := --suppressions=$(CURDIR)/ci/valgrind.supp
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--child-silent-after-fork=yes $(VALGRIND_SUPP)
check-valgrind: deps
	$(SUBMAKE_BUILD)
	BC_TARGET_VALGRIND="$(VALGRIND_SUPP) --read-inline-info=no" $(VALGRIND) $(BUILD)/bc_suite

# Numbers, not tests: ci/bench builds in build-bench/ and prints paired
# figures, each with its goal.  BASE=<commit>: every figure paired against
# that commit too (built in a scratch worktree); BENCH_QUICK=1: fewer rounds;
# BENCH_SUITE=1: make check and make check-valgrind timed too.
bench: deps
	BASE="$(BASE)" BENCH_QUICK="$(BENCH_QUICK)" BENCH_SUITE="$(BENCH_SUITE)" BENCH_ONLY="$(BENCH_ONLY)" ci/bench

# The host's run, runs under profiles that imitate other platforms, and their
# matrix: reports/out/matrix.html and matrix.md (ci/platform-matrix).
matrix: deps
	$(SUBMAKE_BUILD)
	ci/platform-matrix

# Every platform this machine can run for real: the host (make report), each
# Debian kernel under qemu (make kernels, ci/kernels) and gVisor (make gvisor,
# ci/gvisor), one after another (they share the build directory, so never
# as parallel prerequisites), then one matrix of every results.json in
# reports/out, the host first: reports/out/matrix.html and matrix.md.  CI
# runs the same pieces as jobs (.github/workflows/bindcheck.yml).
.PHONY: platforms
platforms: deps
	$(SUBMAKE_BUILD)
	@$(MAKE) --no-print-directory report
	@$(MAKE) --no-print-directory kernels
	@$(MAKE) --no-print-directory gvisor
	@host=$$($(BUILD)/bindcheck platform); \
	$(BUILD)/bindcheck merge $(REPORT_DIR)/$$host/results.json \
		$$(ls $(REPORT_DIR)/*/results.json | grep -vF "$(REPORT_DIR)/$$host/results.json") \
		--html $(REPORT_DIR)/matrix.html --markdown $(REPORT_DIR)/matrix.md && \
	echo "make platforms: $(REPORT_DIR)/matrix.html, $(REPORT_DIR)/matrix.md"
# The tables under gVisor (ci/gvisor): its report in reports/out/<gvisor-id>/
# and the matrix with the host's run.  Installs runsc (ci/install-deps gvisor).
gvisor: deps
	@ci/install-deps gvisor
	$(SUBMAKE_BUILD)
	@ci/gvisor $(BUILD)/bindcheck
# The suite on other Linux kernels: each Debian kernel package in KERNELS
# (default: the newest 6.1 and 6.12 cloud kernels) booted under qemu with an
# initramfs of this build, its reports in reports/out/<platform-id>/, and the
# host's run and theirs merged into reports/out/matrix.{html,md} (ci/kernels).
# It installs qemu and what else it needs (ci/install-deps kernels).
kernels:
	@ci/install-deps kernels
	$(SUBMAKE_BUILD)
	@ci/kernels

# A failing case is a result the report shows, not a broken run: make
# report exits 0 then and says so (ci/report); bad input (2) fails it.
report: deps
	$(SUBMAKE_BUILD)
	@ci/report $(BUILD)/bindcheck $(REPORT_DIR)

# The reader under libFuzzer with ASan and UBSan.  New inputs go to
# build-fuzz/corpus; the seeds are suite/fuzz/corpus and every table.  A crash
# leaves crash-* here: add it as suite/fuzz/corpus/NAME.tbl, where the suite parses
# every file (unit/fuzz-corpus), then fix it.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iharness $(PKG_CFLAGS)
fuzz: deps
	@mkdir -p build-fuzz/corpus
	$(FUZZ_CC) $(FUZZ_FLAGS) -o build-fuzz/fuzz_reader suite/fuzz/fuzz_reader.c $(LIB_SRC) $(PKG_LIBS)
	build-fuzz/fuzz_reader -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 -max_len=8192 \
		build-fuzz/corpus suite/fuzz/corpus cases cases/selftest

# Sizes a reader can hold: no source file over LINT_FILE_LINES lines, no
# function over LINT_FN_LINES lines or (modified) cyclomatic complexity
# LINT_CCN, as pmccabe (Debian package pmccabe) counts them.
LINT_FILE_LINES ?= 600
LINT_FN_LINES   ?= 80
LINT_CCN        ?= 25
lint: deps
	@ci/lint $(LINT_FILE_LINES) $(LINT_FN_LINES) $(LINT_CCN)

# The CI workflow: broken workflows must be rejected and ours accepted
# (ci/check-workflow; its schema part needs npm and says SKIP without it).
.PHONY: check-workflow
check-workflow:
	@ci/check-workflow --self-test

clean:
	rm -rf build build-san build-fuzz build-bench build-kernels $(REPORT_DIR)
