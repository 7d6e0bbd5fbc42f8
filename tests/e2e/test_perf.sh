#!/usr/bin/env bash
# The response-time model through the command line: the optimised placement of case 2 has a
# lower predicted mean response time than round robin's, reported in the summary and on stdout;
# a broken "perf" section is an input error naming its JSON path.
source "$(dirname "$0")/../lib.sh"
out=$ZP_TMP/perf; mkdir -p "$out"
"$ZP_BIN" run --config inputs/examples/case2_perf.json --summary "$out/s.json" > "$out/report.txt"
check "run with perf parameters" test -s "$out/s.json"
p() { jq_py "$out/s.json" "d['tasks'][0]['perf']$1"; }
expect_eq "percentile reported" "$(p "['percentile']")" 99
expect_eq "no unstable queue" "$(p "['final']['unstable_servers'] + d['tasks'][0]['perf']['final']['unstable_links']")" 0
expect_eq "optimised mean below round robin's" "$(p "['final']['mean_ms'] < d['tasks'][0]['perf']['initial']['mean_ms']")" True
expect_eq "the change is reported" "$(p "['mean_change_pct'] < 0")" True
check "report line shows the change" grep -qE '^response time \(model, with network\): mean [0-9.]+ ms \(initial placement [0-9.]+ ms, -[0-9.]+%\)' "$out/report.txt"
expect_eq "p99 >= mean" "$(p "['final']['max_percentile_ms'] >= d['tasks'][0]['perf']['final']['worst_mean_ms']")" True

"$PY" - "$out/bad.json" <<'PYEOF'
import json, sys
c = json.load(open('inputs/examples/case2_perf.json'))
c['perf']['tiers']['core']['links'] = 0
json.dump(c, open(sys.argv[1], 'w'))
PYEOF
msg=$("$ZP_BIN" validate --config "$out/bad.json" 2>&1 >/dev/null); rc=$?
expect_eq "bad perf section: exit 3" "$rc" 3
case "$msg" in
    "zoneplace: $out/bad.json: perf.tiers.core.links:"*) ok "bad perf section names its path" ;;
    *) not_ok "bad perf message: $msg" ;;
esac
finish
