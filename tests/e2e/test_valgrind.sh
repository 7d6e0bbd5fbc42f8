#!/usr/bin/env bash
# valgrind memcheck over the MPI-free paths (the MPI runtime itself is noisy under valgrind, and
# a sanitizer build cannot run under it): the serial build (make MPI=0, built here if needed)
# runs the thesis's case 1 end to end, fails on a bad input, and loads a .graph and a CSV pair;
# then the allocation-failure unit test walks every failure path of the loaders under it. Any
# memcheck error or leak (definite, indirect or possible) fails the test. About a minute.
source "$(dirname "$0")/../lib.sh"

if ! command -v valgrind >/dev/null; then
    not_ok "valgrind is not installed (tools/install-deps.sh installs it)"
    finish
    exit
fi
SERIAL=build-serial
targets=("$SERIAL/zoneplace" "$SERIAL/tests/test_alloc_fail" "$SERIAL/tests/read_driver")
if ! make -s MPI=0 SANITIZE=0 "${targets[@]}" >"$ZP_TMP/valgrind-build.log" 2>&1; then
    not_ok "serial build for valgrind (make MPI=0): see $ZP_TMP/valgrind-build.log"
    finish
    exit
fi
WORK=$ZP_TMP/valgrind
rm -rf "$WORK" && mkdir -p "$WORK"

# vg NAME EXPECTED_STATUS COMMAND...: the command under memcheck exits with EXPECTED_STATUS and
# memcheck reports nothing (status 99 is memcheck's).
vg() {
    local name=$1 want=$2
    shift 2
    local log=$WORK/$name.log
    timeout -k 5 300 valgrind -q --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
        --track-fds=no "$@" >"$log.out" 2>"$log"
    local rc=$?
    if [ "$rc" -eq "$want" ] && ! grep -q '^==[0-9]*==' "$log"; then
        ok "valgrind: $name (exit $rc, no memcheck reports)"
    else
        not_ok "valgrind: $name (exit $rc, expected $want)"
        grep -E '^==[0-9]*==' "$log" | head -n 30 | sed 's/^/    /'
    fi
}

vg "run thesis case1 --summary" 0 "$SERIAL/zoneplace" run --config inputs/thesis/case1.json \
    --quiet --summary "$WORK/case1-summary.json"
check "valgrind run wrote its summary" test -s "$WORK/case1-summary.json"
vg "run with arrivals and migration" 0 "$SERIAL/zoneplace" run \
    --config inputs/thesis/case1_arrivals.json --quiet
vg "validate a bad input (self-loop)" 3 "$SERIAL/zoneplace" validate \
    --config tests/bad_inputs/config/dep_self_loop.json
vg "run with an output folder that does not exist" 4 "$SERIAL/zoneplace" run \
    --config inputs/examples/tiny.json --summary "$WORK/no_such_folder/s.json"
vg "read a METIS graph" 0 "$SERIAL/tests/read_driver" graph \
    tests/fuzz/corpus/metis/sizes_fmt111_ncon2.graph 2
vg "reject an asymmetric METIS graph" 3 "$SERIAL/tests/read_driver" graph \
    tests/bad_inputs/graph/asymmetric.graph 2
vg "read a CSV pair" 0 "$SERIAL/tests/read_driver" csv tests/bad_inputs/csv/valid.services.csv \
    tests/bad_inputs/csv/valid.calls.csv 2
# every allocation-failure path of the loaders (the test must not re-exec itself: valgrind
# would not follow it)
ZP_ALLOC_FAIL_REEXEC=1 vg "allocation failure paths (test_alloc_fail)" 0 \
    "$SERIAL/tests/test_alloc_fail"
grep -h 'allocation failure paths walked' "$WORK"/*.log.out | sed 's/^/    /'
finish
