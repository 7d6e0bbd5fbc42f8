#!/usr/bin/env bash
# Runs libFuzzer harnesses for a fixed time each (make fuzz). Usage:
#   tests/fuzz/run.sh BUILD_DIR SECONDS NAME...
# Each harness BUILD_DIR/fuzz_NAME starts from tests/fuzz/corpus/NAME (read only) and keeps what
# it finds in BUILD_DIR/corpus/NAME; a crash, leak, timeout or out-of-memory is written to
# BUILD_DIR/NAME-* and fails the run (copy it into tests/fuzz/corpus/NAME once fixed).
set -u
cd "$(dirname "$0")/../.."
dir=$1 secs=$2
shift 2
failed=0
for name in "$@"; do
    mkdir -p "$dir/corpus/$name"
    dict=()
    [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
    log="$dir/$name.log"
    echo "fuzz_$name: ${secs} s (log $log)"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        "$dir/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/$name-" "${dict[@]}" \
        "$dir/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        failed=$((failed + 1))
        echo "FAIL - fuzz_$name: exit $rc after ${execs:-?} runs; artifacts:"
        ls "$dir/$name-"* 2>/dev/null | sed 's/^/    /'
        grep -E 'ERROR|SUMMARY|runtime error|fuzz:|^    #[0-9]' "$log" | head -n 30 | sed 's/^/    /'
    else
        echo "ok - fuzz_$name: ${execs:-?} runs, $cov, no crash"
    fi
done
echo "$(( $# - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
