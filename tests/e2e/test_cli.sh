#!/usr/bin/env bash
# The command line: help, version, usage errors, every bundled input validated and run, the
# report, and the bad inputs named by issue 2 (each exits 3 with "file: path: message").
source "$(dirname "$0")/../lib.sh"
out=$ZP_TMP/cli; mkdir -p "$out"

status() { "$@" >/dev/null 2>&1; echo $?; }
check "--help exits 0 and prints usage" bash -c "'$ZP_BIN' --help | grep -q 'Usage: zoneplace'"
check "--version exits 0" bash -c "'$ZP_BIN' --version | grep -q '^zoneplace '"
check "run --help exits 0" bash -c "'$ZP_BIN' run --help | grep -q -- '--config'"
expect_eq "no command: usage error" "$(status "$ZP_BIN")" 2
expect_eq "unknown command: usage error" "$(status "$ZP_BIN" frobnicate)" 2
expect_eq "unknown option: usage error" "$(status "$ZP_BIN" run --config inputs/examples/tiny.json --bogus)" 2
expect_eq "bad --seed: usage error" "$(status "$ZP_BIN" run --config inputs/examples/tiny.json --seed -3)" 2
expect_eq "missing --config: usage error" "$(status "$ZP_BIN" run)" 2
expect_eq "missing file: I/O error" "$(status "$ZP_BIN" run --config "$out/nope.json")" 4
expect_eq "summary in a missing folder: I/O error" \
    "$(status "$ZP_BIN" run --config inputs/examples/tiny.json --summary "$out/no/such/s.json")" 4
check "no summary file created in a missing folder" test ! -e "$out/no"

# Every example is a test: each input validates and runs with 0 violations.
for f in inputs/thesis/*.json inputs/examples/*.json; do
    check "validate $f" bash -c "'$ZP_BIN' validate --config '$f' | grep -q ': ok:'"
    s=$out/$(basename "$f" .json).summary.json
    "$ZP_BIN" run --quiet --config "$f" --summary "$s" --iterations 50
    expect_eq "run $f: 0 violations" "$(jq_py "$s" "d['tasks'][0]['final']['violations']")" 0
done

# Summary files are not overwritten without --force.
s=$out/tiny.summary.json; before=$(md5sum < "$s")
expect_eq "existing summary refused" "$(status "$ZP_BIN" run --quiet --config inputs/examples/tiny.json --summary "$s")" 4
expect_eq "existing summary untouched" "$(md5sum < "$s")" "$before"
check "--force overwrites" "$ZP_BIN" run --quiet --force --config inputs/examples/tiny.json --summary "$s"

# The report: phase table and the thesis's per-zone bars.
"$ZP_BIN" run --config inputs/thesis/case1.json > "$out/report.txt"
check "report has the phase table" grep -qE '^rr +3840 +15 +6 ' "$out/report.txt"
check "report has zone bars" grep -qE '^zone0 +:\+{10} 10$' "$out/report.txt"

# Bad inputs of issue 2: exit 3 and "file: json.path: message".
bad() { # NAME JSON EXPECTED_PREFIX
    local f=$out/$1.json
    printf '%s' "$2" > "$f"
    local msg rc
    msg=$("$ZP_BIN" run --config "$f" 2>&1 >/dev/null); rc=$?
    expect_eq "bad input $1: exit 3" "$rc" 3
    case "$msg" in
        "zoneplace: $f$3"*) ok "bad input $1: message '$msg'" ;;
        *) not_ok "bad input $1: message '$msg' does not start with '$f$3'" ;;
    esac
}
Z='"zones":[{"name":"z0","capacity":{"cpu":4}},{"name":"z1","capacity":{"cpu":4}}]'
bad malformed '{"apps": [' ":1:11: malformed JSON" 
bad unknown_key "{\"resources\":[\"cpu\"],$Z,\"apps\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"colour\":1}" ": (top level): unknown key \"colour\""
bad unknown_app "{\"resources\":[\"cpu\"],$Z,\"apps\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"dependencies\":[[\"a\",\"zz\"]]}" ': dependencies[0][1]: unknown app "zz"'
bad negative_demand "{\"resources\":[\"cpu\"],$Z,\"apps\":[{\"name\":\"a\",\"demand\":{\"cpu\":-1}},{\"name\":\"b\"}]}" ": apps[0].demand.cpu: expected a number in [0,"
bad fits_no_zone "{\"resources\":[\"cpu\"],$Z,\"apps\":[{\"name\":\"a\",\"demand\":{\"cpu\":9}},{\"name\":\"b\"}]}" ': apps[0]: app "a" fits no zone: cpu 9 > largest zone 4'
bad self_loop "{\"resources\":[\"cpu\"],$Z,\"apps\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"dependencies\":[[\"b\",\"b\"]]}" ': dependencies[0]: app "b" depends on itself'
check "malformed JSON names line and column" bash -c "'$ZP_BIN' run --config '$out/malformed.json' 2>&1 | grep -q 'malformed.json:1:11: malformed JSON'"
finish
