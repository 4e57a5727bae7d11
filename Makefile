# bindcheck: build, test and report.  See README.md.
#   make              build build/bindcheck and build/bc_suite
#   make check        install missing packages, build, run the CUnit suite
#   make report       install missing packages, build, run every table, write reports/out/<platform>/
#   make check-valgrind   the suite under Valgrind's Memcheck
#   make SAN=address,undefined check    the same under ASan and UBSan (its own build directory)

CC      ?= cc
PKGS    := cunit libfiu libcap jansson
SAN     ?=
BUILD   := build$(if $(SAN),-san)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Iharness $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS)
ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif

LIB_SRC   := $(filter-out harness/main.c,$(wildcard harness/*.c))
LIB_OBJ   := $(LIB_SRC:harness/%.c=$(BUILD)/harness/%.o)
SUITE_SRC := $(wildcard suite/*.c)
SUITE_OBJ := $(SUITE_SRC:suite/%.c=$(BUILD)/suite/%.o)
REPORT_DIR := reports/out

.PHONY: all deps build check check-valgrind report clean
all: deps
	@$(MAKE) --no-print-directory build

deps:
	@ci/install-deps

build: $(BUILD)/bindcheck $(BUILD)/bc_suite

$(BUILD)/harness/%.o: harness/%.c $(wildcard harness/*.h) harness/errno_names.inc
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/suite/%.o: suite/%.c $(wildcard harness/*.h suite/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DBC_BUILD_DIR='"$(BUILD)"' -c -o $@ $<

$(BUILD)/libbindcheck.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/bindcheck: $(BUILD)/harness/main.o $(BUILD)/libbindcheck.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bc_suite: $(SUITE_OBJ) $(BUILD)/libbindcheck.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The suite runs build/bindcheck too (unit/cli), so both are built first.
check: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/bc_suite

# The same suite under Memcheck.  Each case child reports its own errors and
# exits 99 (--error-exitcode), which the runner turns into an error verdict.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--child-silent-after-fork=yes
check-valgrind: deps
	@$(MAKE) --no-print-directory build
	$(VALGRIND) $(BUILD)/bc_suite

# A failing case still yields a report (exit 1 is tolerated); bad input (2) does not.
report: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/bindcheck run cases --report-dir $(REPORT_DIR); rc=$$?; [ $$rc -le 1 ]

clean:
	rm -rf build build-san $(REPORT_DIR)
