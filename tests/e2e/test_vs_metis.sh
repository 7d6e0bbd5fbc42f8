#!/usr/bin/env bash
# The default settings against METIS at the sizes of many classic partitioning benchmarks: a
# 2-D grid, a grid with diagonals, a 3-D mesh, a microservice graph and a Barabasi-Albert
# power-law graph of 2,000 vertices, at
# k = 4 and 32 and 3% imbalance (`run --graph G --zones K`, nothing else). Each placement is
# recounted from the graph file (cut, every zone within floor(1.03 ceil(n/k)) apps); its cut is
# the exact value of this instance and seed, and no more than METIS's (METIS 5.1
# METIS_PartGraphKway under the same bound, measured once with `bench/baselines --tool metis`:
# the numbers below, so the test needs no METIS). `make bench` (BENCH_SMALL) shows these sizes
# and 5,000 vertices next to METIS and Scotch, with times.
source "$(dirname "$0")/../lib.sh"
WORK=$ZP_TMP/vs_metis
rm -rf "$WORK" && mkdir -p "$WORK"

# name: generate arguments
declare -A GEN=(
    [grid]="grid --rows 40 --cols 50"
    [grid8]="grid --rows 40 --cols 50 --diagonals"
    [mesh3d]="mesh3d --nx 10 --ny 10 --nz 20"
    [micro]="micro --n 2000 --m 20000 --seed 1"
    [powerlaw]="powerlaw --n 2000 --seed 1"
)
# name k zoneplace-cut metis-cut
CASES="grid 4 90 108
grid 32 438 473
grid8 4 265 273
grid8 32 1169 1212
mesh3d 4 300 364
mesh3d 32 1124 1220
micro 4 34059 41727
micro 32 99104 111736
powerlaw 4 2158 2239
powerlaw 32 3433 3499"

# recount G SUMMARY K: "cut max_load hi" of the placement, from the graph file
recount() {
    "$PY" - "$@" <<'EOF'
import json, math, sys
graph, summary, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
x = json.load(open(summary))["tasks"][0]["placement"]
with open(graph) as f:
    head = f.readline().split()
    n, ewgt = int(head[0]), len(head) > 2 and head[2].endswith("1")
    cut = 0
    for u, line in enumerate(f):
        vals = list(map(int, line.split()))
        pairs = zip(vals[0::2], vals[1::2]) if ewgt else ((v, 1) for v in vals)
        cut += sum(w for v, w in pairs if v - 1 > u and x[v - 1] != x[u])
print(cut, max(x.count(z) for z in range(k)), math.floor(1.03 * math.ceil(n / k) + 1e-9))
EOF
}

for name in "${!GEN[@]}"; do
    # shellcheck disable=SC2086
    "$ZP_BIN" generate ${GEN[$name]} --out "$WORK/$name.graph" --quiet
done
while read -r name k want metis; do
    g=$WORK/$name.graph s=$WORK/$name-$k.json
    "$ZP_BIN" run --graph "$g" --zones "$k" --summary "$s" --quiet
    expect_eq "$name k=$k: exit 0" "$?" 0
    read -r cut load hi < <(recount "$g" "$s" "$k")
    expect_eq "$name k=$k: cut recounted equals the summary's" "$cut" \
        "$(jq_py "$s" "d['tasks'][0]['final']['cut_weight']")"
    expect_le "$name k=$k: every zone within floor(1.03 ceil(n/k)) apps" "$load" "$hi"
    expect_eq "$name k=$k: the cut of this instance" "$cut" "$want"
    expect_le "$name k=$k: cut no more than METIS's" "$cut" "$metis"
done <<<"$CASES"
finish
