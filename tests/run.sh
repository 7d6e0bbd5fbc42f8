#!/usr/bin/env bash
# The whole test suite: every unit-test binary (build/tests/test_*), then every end-to-end
# script (tests/e2e/*.sh). Each prints "N passed, N failed" lines; this adds them up and ends
# with the suite's closing line. A program that fails without such a line counts one failure.
# Environment: ZP_BUILD (build folder, default build), MPI (1/0), SANITIZE (1/0),
# ZP_TESTS (a substring: run only the tests whose name contains it).
set -u
cd "$(dirname "$0")/.."
BUILD=${ZP_BUILD:-build}
export ZP_BIN="$PWD/$BUILD/zoneplace" ZP_ROOT="$PWD" MPI=${MPI:-1} SANITIZE=${SANITIZE:-0}
export PY=/usr/bin/python3 PYDEVD_DISABLE_FILE_VALIDATION=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1 OMPI_MCA_btl=self,vader
if [ "$SANITIZE" = 1 ]; then
    # Open MPI keeps allocations until exit by design; leaks are checked by the valgrind test.
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
fi
export ZP_TMP="$PWD/tests/tmp"
rm -rf "$ZP_TMP" && mkdir -p "$ZP_TMP"

passed=0 failed=0
run_one() {
    local name=$1; shift
    case "$name" in *"${ZP_TESTS:-}"*) ;; *) return ;; esac
    local log="$ZP_TMP/$(basename "$name").log" t0=$SECONDS
    "$@" >"$log" 2>&1 </dev/null
    local rc=$? line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        local p f
        p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
        passed=$((passed + p)); failed=$((failed + f))
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
    else
        if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
        line="(no count, exit $rc)"
    fi
    printf '%-40s %s  [%ss]\n' "$name" "$line" "$((SECONDS - t0))"
    if [ "$rc" -ne 0 ] || ! grep -qE '^[0-9]+ passed, 0 failed' "$log"; then
        grep -E '^FAIL|ERROR|Error:|error:' "$log" | head -n 20 | sed 's/^/    /'
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
for s in tests/e2e/*.sh; do
    [ -f "$s" ] && run_one "e2e/$(basename "$s" .sh)" bash "$s"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
