#!/usr/bin/env bash
# The thesis's two cases and their arrival scenarios, end to end, scored from the summary JSON
# (which is computed from the actual placement). Numbers from docs/design.md section 2 and issue 2.
source "$(dirname "$0")/../lib.sh"
out=$ZP_TMP/thesis; mkdir -p "$out"

run() { "$ZP_BIN" run --quiet --config "$1" --summary "$2" "${@:3}"; }

# ---- case 1 ----
check "case1 runs" run inputs/thesis/case1.json "$out/c1.json"
rr() { jq_py "$1" "d['tasks'][0]['phases'][0]['$2']"; }
fin() { jq_py "$1" "d['tasks'][0]['final']['$2']"; }
expect_eq "case1 rr phase name" "$(jq_py "$out/c1.json" "d['tasks'][0]['phases'][0]['phase']")" rr
expect_eq "case1 rr external" "$(rr "$out/c1.json" external_deps)" 15
expect_eq "case1 rr internal" "$(rr "$out/c1.json" internal_deps)" 6
expect_eq "case1 rr traffic" "$(rr "$out/c1.json" traffic)" 3840
expect_eq "case1 rr thesis proportion" "$(jq_py "$out/c1.json" "'%.3f' % d['tasks'][0]['phases'][0]['thesis_pct']")" 3.368
expect_eq "case1 rr LB" "$(rr "$out/c1.json" lb_pct)" 100
expect_eq "case1 final violations" "$(fin "$out/c1.json" violations)" 0
expect_eq "case1 final LB" "$(fin "$out/c1.json" lb_pct)" 100
expect_eq "case1 final external (proven optimum)" "$(fin "$out/c1.json" external_deps)" 6
expect_eq "case1 phases" "$(jq_py "$out/c1.json" "' '.join(p['phase'] for p in d['tasks'][0]['phases'])")" "rr search rebalance"
for ph in 0 1 2; do
    expect_eq "case1 phase $ph violations" "$(jq_py "$out/c1.json" "d['tasks'][0]['phases'][$ph]['violations']")" 0
done

# ---- case 2 ----
check "case2 runs" run inputs/thesis/case2.json "$out/c2.json"
expect_eq "case2 rr external" "$(rr "$out/c2.json" external_deps)" 281
expect_eq "case2 rr internal" "$(rr "$out/c2.json" internal_deps)" 33
expect_eq "case2 rr traffic" "$(rr "$out/c2.json" traffic)" 68760
expect_eq "case2 rr LB" "$(rr "$out/c2.json" lb_pct)" 100
expect_eq "case2 final violations" "$(fin "$out/c2.json" violations)" 0
expect_eq "case2 final LB" "$(fin "$out/c2.json" lb_pct)" 100
expect_le "case2 final external deps" "$(fin "$out/c2.json" external_deps)" 107
expect_eq "case2 placement has 200 apps in 10 zones" \
    "$(jq_py "$out/c2.json" "sorted(set(d['tasks'][0]['placement'])) == list(range(10)) and len(d['tasks'][0]['placement'])")" 200

# The summary scores the actual placement: recount external deps from it in Python.
recount=$("$PY" - "$out/c2.json" inputs/thesis/case2.json <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
x = s['tasks'][0]['placement']; idx = {a['name']: i for i, a in enumerate(c['apps'])}
print(sum(1 for d in c['dependencies'] if x[idx[d[0]]] != x[idx[d[1]]]))
PYEOF
)
expect_eq "case2 external deps recounted from the placement" "$recount" "$(fin "$out/c2.json" external_deps)"

# ---- arrivals ----
for c in case1 case2; do
    f=$out/${c}_arr.json
    check "$c arrivals run" run "inputs/thesis/${c}_arrivals.json" "$f"
    n=$(jq_py "$f" "d['tasks'][0]['apps']"); k=$(jq_py "$f" "d['tasks'][0]['zones']")
    expect_eq "$c arrivals: every app placed" \
        "$(jq_py "$f" "len(d['tasks'][0]['placement']) == $n and all(0 <= z < $k for z in d['tasks'][0]['placement'])")" True
    expect_eq "$c arrivals: 0 violations" "$(fin "$f" violations)" 0
    expect_eq "$c arrivals: zones within one app of n/k" \
        "$(jq_py "$f" "d['tasks'][0]['final']['max_zone_apps'] <= -(-$n//$k) and d['tasks'][0]['final']['min_zone_apps'] >= $n//$k")" True
    expect_eq "$c arrivals: moves and move cost reported" \
        "$(jq_py "$f" "'moves' in d['tasks'][0]['final'] and 'move_cost' in d['tasks'][0]['final']")" True
    expect_eq "$c arrivals: phases" "$(jq_py "$f" "' '.join(p['phase'] for p in d['tasks'][0]['phases'])")" \
        "rr search rebalance arrive arrival_search arrival_rebalance"
    expect_eq "$c arrivals: fewer external deps than rr placement of the new apps" \
        "$(jq_py "$f" "d['tasks'][0]['final']['external_deps'] < d['tasks'][0]['phases'][3]['external_deps']")" True
done

# ---- same seed, same result ----
run inputs/thesis/case2.json "$out/c2b.json"
expect_eq "case2 reproducible placement" \
    "$(jq_py "$out/c2.json" "d['tasks'][0]['placement']")" "$(jq_py "$out/c2b.json" "d['tasks'][0]['placement']")"
finish
