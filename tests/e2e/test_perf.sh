#!/usr/bin/env bash
# The response-time model through the command line: the optimised placement of case 2 has a
# lower predicted mean response time than round robin's, reported in the summary and on stdout;
# --objective latency minimises the model's objective (never worse than traffic's placement,
# much better where the network dominates), deterministically on 1 and 2 ranks; the report and
# summary show the bundle members' loads; the HDF5 file's /perf tables agree with the summary and
# postproc plots them; reservations that exceed the zones' cpu are warned about (per-app
# capacity) or refused (cumulative); a broken "perf" section is an input error naming its JSON
# path.
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
expect_eq "default objective: traffic (summary)" "$(jq_py "$out/s.json" "d['tasks'][0]['objective_kind']")" traffic
check "default objective: traffic (report)" grep -qE '^case2_perf: .*, objective traffic$' "$out/report.txt"

# ---- --objective latency ----
# Summary numbers of a run: objective, phases, external deps, violations, final and initial mean
# (ms, 9 decimals), worst p99, unstable links of the final placement.
numbers() {
    jq_py "$1" "(lambda t: ' '.join(str(v) for v in (t['objective_kind'], ','.join(ph['phase'] for ph in t['phases']), t['final']['external_deps'], t['final']['violations'], t['perf']['final']['mean_ms'] and '%.9f' % t['perf']['final']['mean_ms'], t['perf']['initial']['mean_ms'] and '%.9f' % t['perf']['initial']['mean_ms'], t['perf']['final']['max_percentile_ms'] and '%.3f' % t['perf']['final']['max_percentile_ms'], t['perf']['final']['unstable_links'])))(d['tasks'][0])"
}
"$ZP_BIN" run --config inputs/examples/case2_perf.json --objective latency --summary "$out/lat.json" \
    > "$out/lat.txt"
check "--objective latency runs" test -s "$out/lat.json"
check "the report names the objective" grep -qE '^case2_perf: .*, objective latency$' "$out/lat.txt"
check "the report shows the latency_search phase" grep -qE '^latency_search +33360 +104 ' "$out/lat.txt"
# case 2: links idle and reservations fixed, so the model's objective is the cut weight up to
# link terms of 1e-8 ms: the latency search keeps the traffic optimum (104 external deps) and
# only spreads its cross-zone dependencies over the links
expect_eq "case2_perf, objective traffic: numbers" "$(numbers "$out/s.json")" \
    "traffic rr,search,rebalance 104 0 22.026501352 22.647021057 116.501 0"
expect_eq "case2_perf, objective latency: numbers" "$(numbers "$out/lat.json")" \
    "latency rr,search,latency_search,rebalance 104 0 22.026501269 22.647021057 116.501 0"
expect_eq "latency: final mean strictly below traffic's and round robin's" "$("$PY" -c "
import json, sys
t, l = (json.load(open(f))['tasks'][0]['perf'] for f in sys.argv[1:])
print(l['final']['mean_ms'] < t['final']['mean_ms'] < l['initial']['mean_ms'])" "$out/s.json" "$out/lat.json")" True
expect_eq "latency: the model's objective of every phase is non-increasing" "$(jq_py "$out/lat.json" "(lambda o: all(a >= b for a, b in zip(o, o[1:])))([ph['objective'] for ph in d['tasks'][0]['phases']])")" True

# sweeps evaluate the model of instances with a "perf" section: per task in the summary and /tasks
printf '{"name": "perf-sweep", "instances": ["%s"], "seeds": [1]}\n' \
    "$PWD/inputs/examples/case2_perf.json" > "$out/sweep.json"
sweep_h5=()
[ "$MPI" = 1 ] && sweep_h5=(--out "$out/sweep.h5")
"$ZP_BIN" sweep --quiet --config "$out/sweep.json" --summary "$out/sweep_s.json" "${sweep_h5[@]}"
expect_eq "sweep: the task's predicted mean and p99 are the run's" \
    "$(jq_py "$out/sweep_s.json" "'%.9f %.3f' % (d['tasks'][0]['perf_mean_ms'], d['tasks'][0]['perf_max_percentile_ms'])")" \
    "22.026501352 116.501"
if [ "$MPI" = 1 ]; then
    expect_eq "sweep: /tasks holds them" "$("$PY" -c "
import h5py, sys
t = h5py.File(sys.argv[1], 'r')['tasks']
print('%.9f %.3f' % (t['perf_mean_ms'][0], t['perf_pct_ms'][0]))" "$out/sweep.h5")" "22.026501352 116.501"
fi

# with arrivals: each stage minimises the model of its problem (the base stage the part of the
# arrivals' model that concerns the base apps)
"$PY" - "$out/arrivals.json" <<'PYEOF'
import json, sys
c = json.load(open('tests/bad_inputs/valid_tiny.json'))
c['search'] = {'objective': 'latency'}
c['arrivals'] = {'apps': [{'name': 'G', 'demand': {k: 1 for k in c['resources']}}],
                 'dependencies': [['G', c['apps'][0]['name']]]}
c['perf'] = {'service_rate': 100}
json.dump(c, open(sys.argv[1], 'w'))
PYEOF
"$ZP_BIN" run --quiet --config "$out/arrivals.json" --summary "$out/arrivals_s.json"
expect_eq "latency objective with arrivals: both stages minimise the model" \
    "$(jq_py "$out/arrivals_s.json" "(lambda t: (t['objective_kind'], [p['phase'] for p in t['phases']].count('latency_search'), t['perf']['final']['unstable_dependencies'], t['perf']['final']['mean_ms'] <= t['perf']['initial']['mean_ms']))(d['tasks'][0])")" \
    "('latency', 2, 0, True)"

# 1 MB requests over bundles of 2 x 25 Mbit/s between zones (802.3ad: a conversation per member,
# a queue per direction): the network dominates; traffic's placement saturates a member, the
# latency objective's placement has no unstable queue, at 12 more external deps
h5=()
[ "$MPI" = 1 ] && h5=(--out "$out/links_latency.h5") # the serial build has no HDF5
"$ZP_BIN" run --quiet --config inputs/examples/case2_perf_links.json --objective traffic \
    --summary "$out/links_traffic.json"
"$ZP_BIN" run --quiet --config inputs/examples/case2_perf_links.json --objective latency \
    --summary "$out/links_latency.json" "${h5[@]}"
expect_eq "case2_perf_links, objective traffic: numbers" "$(numbers "$out/links_traffic.json")" \
    "traffic rr,search,rebalance 104 0 None None None 1"
expect_eq "case2_perf_links, objective latency: numbers" "$(numbers "$out/links_latency.json")" \
    "latency rr,search,latency_search,rebalance 116 0 212.401442013 None 4120.183 0"
expect_eq "case2_perf_links: round robin's link queues saturate" "$(jq_py "$out/links_latency.json" "d['tasks'][0]['perf']['initial']['unstable_links']")" 35
expect_eq "summary: every loaded link queue with its bundle member" "$(jq_py "$out/links_latency.json" "(lambda q: (len(q), sorted(set(e['member'] for e in q)), round(sum(e['load_mbps'] for e in q), 6)))(d['tasks'][0]['perf']['final']['link_queues'])")" \
    "(120, [0, 1], 2512)"
"$ZP_BIN" run --config inputs/examples/case2_perf_links.json --objective traffic \
    > "$out/links_traffic.txt" 2>/dev/null
check "report: the busiest link queues with each member's utilisation" grep -qE \
    '^busiest link queues \(utilisation of each bundle member\): zone[0-9]+->zone[0-9]+ [0-9.e-]+ \*1\.[0-9]+;' \
    "$out/links_traffic.txt"
check "report: queues near saturation are warned about" grep -qE \
    '^warning: near saturation \(utilisation >= 0.9, where the model is least reliable\): 0 servers, [1-9][0-9]* link queues$' \
    "$out/links_traffic.txt"

# determinism: same seed, same placement; 1 and 2 ranks identical (objective latency)
det=(run --quiet --config inputs/examples/case2_perf_links.json --objective latency --seed 5
     --starts 3 --epochs 2 --iterations 150)
zp_mpi 1 "${det[@]}" --summary "$out/det1a.json"
zp_mpi 1 "${det[@]}" --summary "$out/det1b.json"
zp_mpi 2 "${det[@]}" --summary "$out/det2.json"
same() { "$PY" -c "
import json, sys
a, b = (json.load(open(f))['tasks'][0] for f in sys.argv[1:])
print(a['placement'] == b['placement'] and a['best_start'] == b['best_start'] and
      a['perf'] == b['perf'] and [p['objective'] for p in a['phases']] == [p['objective'] for p in b['phases']])" "$1" "$2"; }
expect_eq "latency: same seed, same placement and predictions" "$(same "$out/det1a.json" "$out/det1b.json")" True
expect_eq "latency: 1 and 2 ranks identical" "$(same "$out/det1a.json" "$out/det2.json")" True

# ---- HDF5 /perf and its plots ----
if [ "$MPI" = 1 ]; then
    check "/perf/task_0 loads with zpload and matches the summary" "$PY" - \
        "$out/links_latency.h5" "$out/links_latency.json" <<'PYEOF'
import json, sys
import numpy as np
sys.path.insert(0, "postproc")
import zpload
run = zpload.load(sys.argv[1])
task = json.load(open(sys.argv[2]))["tasks"][0]
s, perf = task["perf"], run.perf(0)
col = lambda t, c: np.asarray(t[c])
deps, links, apps = perf.dependencies, perf.links, perf.apps
def close(a, b):
    assert abs(a - b) <= 1e-12 * abs(b), (a, b)
assert perf.objective == "latency" and perf.percentile == 99 and perf.network, perf.attrs
# the rate-weighted mean of the per-dependency means is the summary's mean (rates: 1 request/s,
# 2 for A3-A22, listed both ways and merged)
rate = col(deps, "rate")
assert sorted(set(rate)) == [1.0, 2.0] and np.sum(rate == 2) == 1, rate
close(float(np.sum(rate * col(deps, "final_mean_ms")) / np.sum(rate)), s["final"]["mean_ms"])
close(perf.weighted_mean("final"), s["final"]["mean_ms"])
close(perf.summary("final")["mean_ms"], s["final"]["mean_ms"])
close(float(np.max(col(deps, "final_pct_ms"))), s["final"]["max_percentile_ms"])
close(float(np.max(col(deps, "final_mean_ms"))), s["final"]["worst_mean_ms"])
close(float(np.sum(rate * col(deps, "final_mean_nonet_ms")) / np.sum(rate)),
      s["final"]["mean_ms_without_network"])
# round robin: unstable links, unbounded times (null in JSON, inf in HDF5)
assert s["initial"]["mean_ms"] is None and perf.weighted_mean("initial") == float("inf")
assert np.isinf(perf.summary("initial")["mean_ms"])
assert int(np.sum(col(deps, "initial_unstable") & 2 > 0)) == s["initial"]["unstable_dependencies"]
assert int(np.sum(col(links, "initial_unstable"))) == s["initial"]["unstable_links"] == 35
assert int(np.sum(col(links, "final_unstable"))) == s["final"]["unstable_links"] == 0
# one queue per zone's own link, two members per direction between zones: 10 + 90 x 2
assert len(links) == 190 and perf.attrs["bundle"] == "hash"
own = col(links, "zone_from") == col(links, "zone_to")
assert np.sum(own) == 10 and set(col(links, "member")[~own]) == {0, 1}
# every dependency's queue goes from its client's zone to its server's
q = col(deps, "final_queue")
zone = col(apps, "final_zone")
assert np.all(col(links, "zone_from")[q] == zone[col(deps, "client")])
assert np.all(col(links, "zone_to")[q] == zone[col(deps, "server")])
# every request crosses one link: the total load is the same in both placements, 8e6 bit each
total = float(np.sum(rate) * 8e6)
close(float(np.sum(col(links, "initial_load"))), total)
close(float(np.sum(col(links, "final_load"))), total)
assert float(np.max(perf.utilisation_matrix("final"))) < 1
# rows follow /problem/dependencies; the apps' zones are the placements
d = run.problem.dependencies
c, v = col(deps, "client"), col(deps, "server")
assert np.all(np.minimum(c, v) == col(d, "src")) and np.all(np.maximum(c, v) == col(d, "dst"))
assert list(col(apps, "final_zone")) == task["placement"] == list(run.placement(0))
assert list(col(apps, "initial_zone")) == list(run.placement(0, initial=True))
assert np.all(col(apps, "final_reservation") == 0.1)
close(float(run.task(0)["objective"]), task["final"]["objective"])
close(perf.summary("final")["objective"], task["final"]["objective"])
print("perf tables ok:", len(deps), "dependencies,", len(links), "links,", len(apps), "apps")
PYEOF
    # the model's initial placement is the one the pipeline started from, whatever the init
    "$ZP_BIN" run --quiet --config inputs/examples/case2_perf.json --init greedy \
        --out "$out/greedy.h5" --summary "$out/greedy.json"
    check "init greedy: /perf's initial zones are /initial_placements" "$PY" -c "
import sys; sys.path.insert(0, 'postproc')
import zpload
run = zpload.load('$out/greedy.h5')
init, apps = list(run.placement(0, initial=True)), run.perf(0).apps
assert list(apps['initial_zone']) == init and init != list(run.placement(0)), init"
    check "perf_plots.py exits 0" "$PY" postproc/perf_plots.py "$out/links_latency.h5" \
        --outdir "$out/png"
    check "plots.py exits 0 (and draws the model too)" "$PY" postproc/plots.py \
        "$out/links_latency.h5" --outdir "$out/png_all"
    for name in png/task0_latency_cdf png/task0_link_utilisation png_all/task0_latency_cdf \
                png_all/task0_link_utilisation; do
        check "$name.png is a PNG" bash -c \
            "[ \$(stat -c %s '$out/$name.png') -gt 5000 ] && head -c 8 '$out/$name.png' | grep -q PNG"
    done
    "$ZP_BIN" run --quiet --config tests/bad_inputs/valid_tiny.json --out "$out/noperf.h5"
    expect_eq "perf_plots.py on a file without /perf: exit 1" \
        "$("$PY" postproc/perf_plots.py "$out/noperf.h5" --outdir "$out/png" >/dev/null 2>&1; echo $?)" 1
    check "no /perf group without a perf section" "$PY" -c "
import h5py, sys; sys.exit('perf' in h5py.File('$out/noperf.h5', 'r'))"
fi

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

# reservations against the zones' cpu: 200 apps x 0.5 cores in zones of 3-7 cores
"$PY" - "$out" <<'PYEOF'
import json, sys
c = json.load(open('inputs/examples/case2_perf.json'))
c['perf']['reservation'] = 0.5
json.dump(c, open(sys.argv[1] + '/overbooked.json', 'w'))
c['capacity_mode'] = 'cumulative'
json.dump(c, open(sys.argv[1] + '/overbooked_cumulative.json', 'w'))
c['perf']['reservation'] = 1.5
json.dump(c, open(sys.argv[1] + '/fractional_cores.json', 'w'))
PYEOF
"$ZP_BIN" run --config "$out/overbooked.json" --summary "$out/overbooked_s.json" \
    > "$out/overbooked.txt" 2>/dev/null
check "per-app capacity: overbooked zones are warned about in the report" grep -qx \
    'warning: the cpu reservations of the apps exceed the cpu capacity of 10 of 10 zones' \
    "$out/overbooked.txt"
expect_eq "per-app capacity: overbooked zones in the summary" \
    "$(jq_py "$out/overbooked_s.json" "d['tasks'][0]['perf']['final']['overbooked_zones']")" 10
msg=$("$ZP_BIN" run --quiet --config "$out/overbooked_cumulative.json" 2>&1 >/dev/null); rc=$?
expect_eq "cumulative capacity: reservations that cannot fit are refused (exit 3)" "$rc" 3
expect_eq "cumulative capacity: the message names the reservations" "$msg" \
    "zoneplace: $out/overbooked_cumulative.json: perf.reservation: the cpu reservations (cores) cannot be placed: $out/overbooked_cumulative.json: zones: total cpu capacity 50 cannot hold the apps' 100"
msg=$("$ZP_BIN" validate --config "$out/fractional_cores.json" 2>&1 >/dev/null); rc=$?
expect_eq "1.5 cores (no M/M/c): exit 3" "$rc" 3
expect_eq "1.5 cores: the message" "$msg" \
    "zoneplace: $out/fractional_cores.json: perf.reservation: expected at most 1 core or a whole number of cores (M/M/c), not 1.5"
finish
