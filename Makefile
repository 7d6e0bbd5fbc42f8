# zoneplace - build, run, test and benchmark.
#
#   make            build bin/zoneplace (mpicc, parallel HDF5, cJSON)
#   make run        install missing Debian packages, build, run the case-2 example
#   make test       the same set-up, then the whole test suite (closing line "N passed, N failed")
#   make test SANITIZE=1   the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make MPI=0 test-serial  serial build (no MPI, no HDF5) and the tests that need neither
#   make bench      benchmarks against METIS and Scotch (never part of make test)
#   make fuzz FUZZ_TIME=60   libFuzzer runs of the config, .graph and CSV readers (clang)
#   make clean
MPI ?= 1
SANITIZE ?= 0

BUILD := build$(if $(filter 0,$(MPI)),-serial)$(if $(filter 1,$(SANITIZE)),-san)
ifeq ($(MPI),1)
  CC := mpicc
  PKGS := hdf5-openmpi libcjson yaml-0.1
  EDGE_SRC := src/par_mpi.c $(if $(wildcard src/h5out.c),src/h5io.c src/h5out.c src/h5perf.c src/h5read.c,src/h5out_none.c)
else
  CC := gcc
  PKGS := libcjson yaml-0.1
  EDGE_SRC := src/par_serial.c src/h5out_none.c
endif

OPT := -O2
ifeq ($(SANITIZE),1)
  # GCC's undefined leaves out float-cast-overflow (a double cast to an int it cannot hold)
  OPT := -O1 -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
         -fno-sanitize-recover=all
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The revision a build comes from, "-dirty" with local edits: $(BUILD)/gitrev.c is made again by
# every make but rewritten only when the revision changed (a commit, an edit, a checkout), so
# that only it and the link are redone.
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# Messages and JSON paths are cut at a fixed length on purpose, hence no format-truncation.
CFLAGS := -std=c11 -g $(OPT) -Wall -Wextra -Werror -Wno-format-truncation -D_POSIX_C_SOURCE=200809L \
          -DZP_MPI=$(MPI) -Isrc $(PKG_CFLAGS)
LDFLAGS_ALL := $(OPT) $(PKG_LIBS) -lcsv -lm  # libcsv has no pkg-config file

# The core: every module but the CLI and the MPI/HDF5 edge, which unit tests link without MPI.
CORE_SRC := $(filter-out src/main.c src/sweep.c src/mergecmd.c src/par_mpi.c src/par_serial.c src/h5%.c,\
              $(wildcard src/*.c))
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/%.o)
EDGE_OBJ := $(EDGE_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test test-serial unit bench clean
all: bin/zoneplace

ifeq ($(BUILD),build)
bin/zoneplace: $(BUILD)/zoneplace
	@mkdir -p bin
	cp $< $@
else
bin/zoneplace: $(BUILD)/zoneplace
endif

$(BUILD)/zoneplace: $(BUILD)/main.o $(BUILD)/sweep.o $(BUILD)/mergecmd.o $(BUILD)/gitrev.o $(CORE_OBJ) $(EDGE_OBJ)
	$(CC) -o $@ $^ $(LDFLAGS_ALL)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

# Unit tests drive the core without MPI or HDF5: plain gcc is enough.
$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) $(wildcard tests/unit/*.h) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(CORE_OBJ) $(LDFLAGS_ALL)

$(BUILD):
	@mkdir -p $(BUILD)

.PHONY: FORCE
$(BUILD)/gitrev.c: FORCE | $(BUILD)
	@printf 'const char zp_git_rev[] = "%s";\n' '$(GIT_REV)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
$(BUILD)/gitrev.o: $(BUILD)/gitrev.c
	$(CC) $(CFLAGS) -c -o $@ $<

deps:
	@tools/install-deps.sh

unit: $(UNIT_BIN)

# Tools of the input-robustness tests (tests/fuzz): read_driver loads a config, .graph or CSV
# input as zoneplace would (tests/e2e/test_bad_inputs.sh), replay_NAME runs the fuzz harness
# NAME over files without libFuzzer (the seed corpus and past findings, in make test).
FUZZ_NAMES := config metis csv
FUZZ_TOOLS := $(BUILD)/tests/read_driver $(FUZZ_NAMES:%=$(BUILD)/tests/replay_%)
$(BUILD)/tests/read_driver: tests/fuzz/read_driver.c $(CORE_OBJ) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(LDFLAGS_ALL)
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz_common.h $(CORE_OBJ) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Itests/fuzz -o $@ $< tests/fuzz/replay.c $(CORE_OBJ) $(LDFLAGS_ALL)
unit: $(FUZZ_TOOLS)

# dread_driver runs the parallel METIS reader on the ranks of an MPI job (the parallel layer's
# object, par_mpi.o or par_serial.o, linked in): tests/e2e/test_dread.sh.
DRIVER_PAR := $(filter %/par_mpi.o %/par_serial.o,$(EDGE_OBJ))
$(BUILD)/tests/dread_driver: tests/fuzz/dread_driver.c $(CORE_OBJ) $(DRIVER_PAR) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(DRIVER_PAR) $(LDFLAGS_ALL)
unit: $(BUILD)/tests/dread_driver

# make fuzz [FUZZ_TIME=60]: builds the libFuzzer harnesses tests/fuzz/fuzz_NAME.c with clang
# (ASan + UBSan, core objects in build-fuzz/) and runs each for FUZZ_TIME seconds from its seed
# corpus tests/fuzz/corpus/NAME (tests/fuzz/run.sh: new inputs go to build-fuzz/corpus/NAME,
# a crash to build-fuzz/NAME-crash-*; a crash, leak or timeout fails the target).
FUZZ_TIME ?= 60
FUZZ_DIR := build-fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -DZP_MPI=0 -Isrc \
               $(shell pkg-config --cflags libcjson yaml-0.1 2>/dev/null) -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ := $(CORE_SRC:src/%.c=$(FUZZ_DIR)/%.o)
.SECONDARY: $(FUZZ_OBJ)
$(FUZZ_DIR)/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(FUZZ_DIR)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -D_GNU_SOURCE -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) \
	      $(shell pkg-config --libs libcjson yaml-0.1 2>/dev/null) -lcsv -lm
.PHONY: fuzz
fuzz: deps
	$(MAKE) $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_TIME) $(FUZZ_NAMES)

run: deps
	$(MAKE) all
	@mkdir -p results
	bin/zoneplace run --config inputs/thesis/case2.json --force \
	    --summary results/case2-summary.json

test: deps
	$(MAKE) $(BUILD)/zoneplace unit
	ZP_BUILD=$(BUILD) MPI=$(MPI) SANITIZE=$(SANITIZE) tests/run.sh

test-serial:
	$(MAKE) MPI=0 test

bench: deps
	@tools/install-deps.sh libmetis-dev libscotch-dev libmetis-doc
	$(MAKE) all
	bench/run.sh

# results/logs (the job scripts' log folder, kept in git) stays
clean:
	rm -rf build build-serial build-san build-serial-san build-fuzz bin tests/tmp \
	    $(filter-out results/logs,$(wildcard results/*))
