#!/usr/bin/env bash
# The distributed multilevel engine (--engine dist): the same placement, byte for byte, on 1, 2, 3
# and 4 ranks (oversubscribed) for a microservice graph and a grid (with V-cycles); every placement
# checked by a recount from the input file (cut as reported, every zone within the band, no
# violation); problems the engine does not handle (capacities) fall back to the shared engine; bad
# values of --engine are refused. A --graph run with --engine dist reads the file in slices
# (drun.h): its HDF5 /problem equals the one the whole-graph path writes, its metrics are recounted
# from the file, and a weighted graph is balanced by weight, the same on 1 and 3 ranks.
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, PY, MPI.
source "$(dirname "$0")/../lib.sh"

WORK=$ZP_TMP/dist
rm -rf "$WORK" && mkdir -p "$WORK"
G=$WORK/m8k.graph
"$ZP_BIN" generate micro --n 8k --m 80k --seed 3 --out "$G" --csv "$WORK/m8k" --quiet
"$ZP_BIN" generate grid --rows 90 --cols 90 --out "$WORK/grid.graph" --quiet

# recount FILE.graph SUMMARY K EPS: cut recounted == reported, zones within the band, violations
recount() {
    "$PY" - "$@" <<'EOF'
import json, math, sys
graph, summary, k, eps = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t = json.load(open(summary))["tasks"][0]
x = t["placement"]
lines = [l for l in open(graph) if not l.startswith("%")]
head = lines[0].split()
n, weighted = int(head[0]), len(head) > 2 and head[2].endswith("1")
cut = 0
for u in range(n):
    f = [int(t) for t in lines[1 + u].split()]
    pairs = zip(f[0::2], f[1::2]) if weighted else ((v, 1) for v in f)
    for v, w in pairs:
        if v - 1 > u and x[v - 1] != x[u]:
            cut += w
counts = [0] * k
for z in x:
    counts[z] += 1
hi = math.floor((1 + eps) * math.ceil(n / k))
print("cut", cut == t["final"]["cut_weight"])
print("band", max(counts) <= hi)
print("violations", t["final"]["violations"])
EOF
}
field() { grep "^$1 " "$2" | cut -d' ' -f2; }

for r in 1 2 3 4; do
    zp_mpi "$r" run --graph "$G" --zones 8 --init multilevel --engine dist \
        --summary "$WORK/m$r.json" --quiet
    expect_eq "--engine dist on $r rank(s): exit 0" "$?" 0
    [ "$MPI" = 1 ] || break
done
recount "$G" "$WORK/m1.json" 8 0.03 >"$WORK/m1.check"
expect_eq "--engine dist: cut recounted from the file equals the summary's" \
    "$(field cut "$WORK/m1.check")" True
expect_eq "--engine dist: every zone within the band" "$(field band "$WORK/m1.check")" True
expect_eq "--engine dist: no violation" "$(field violations "$WORK/m1.check")" 0
expect_eq "--engine dist: the multilevel phase ran (levels > 1)" \
    "$(jq_py "$WORK/m1.json" 'd["tasks"][0]["phases"][0]["levels"] > 1')" True
if [ "$MPI" = 1 ]; then
    for r in 2 3 4; do
        check "--engine dist: the same placement on 1 and $r ranks" \
            "$PY" -c 'import json,sys; a,b=(json.load(open(f))["tasks"][0] for f in sys.argv[1:]); sys.exit(a["placement"]!=b["placement"] or a["final"]!=b["final"])' \
            "$WORK/m1.json" "$WORK/m$r.json"
    done
fi

# sliced_case NAME GRAPH K LABEL [run options]: a run on 1 and 3 ranks; the cut recounted, every
# zone in the band, the same placement on both
sliced_case() {
    local name=$1 graph=$2 k=$3 label=$4 r
    shift 4
    for r in 1 3; do
        zp_mpi "$r" run --graph "$graph" --zones "$k" --engine dist "$@" \
            --summary "$WORK/$name$r.json" --quiet
        [ "$MPI" = 1 ] || break
    done
    recount "$graph" "$WORK/${name}1.json" "$k" 0.03 >"$WORK/$name.check"
    expect_eq "--engine dist, $label: cut recounted equals the summary's" \
        "$(field cut "$WORK/$name.check")" True
    expect_eq "--engine dist, $label: every zone within the band" \
        "$(field band "$WORK/$name.check")" True
    if [ "$MPI" = 1 ]; then
        check "--engine dist, $label: the same placement on 1 and 3 ranks" \
            cmp -s <(jq_py "$WORK/${name}1.json" 'd["tasks"][0]["placement"]') \
            <(jq_py "$WORK/${name}3.json" 'd["tasks"][0]["placement"]')
    fi
}

# a grid, k = 32: another structure, the same rule
sliced_case g "$WORK/grid.graph" 32 "grid k = 32" --init multilevel
# a small graph gets more V-cycles than the first (32k adjacency entries: the budget allows 8),
# each coarsening inside the zones found; one cycle alone cut 1,047 here (a2429d3^)
expect_eq "--engine dist, grid k = 32: V-cycles after the first" \
    "$(jq_py "$WORK/g1.json" 'd["tasks"][0]["phases"][0]["cycles"] > 1')" True
expect_eq "--engine dist, grid k = 32: the V-cycles cut less than one cycle (1,047)" \
    "$(jq_py "$WORK/g1.json" 'd["tasks"][0]["final"]["cut_weight"] < 1047')" True

# the band refinement (dband.c): FM and the iterated search on the vertices near the cut,
# replicated on every rank, after every V-cycle, straighten the borders Jet leaves on a grid:
# 357 before it (0b2ae40), 307 now
"$ZP_BIN" generate grid --rows 150 --cols 150 --out "$WORK/grid150.graph" --quiet
sliced_case band "$WORK/grid150.graph" 4 "150x150 grid, k = 4 (band refinement)"
expect_eq "--engine dist, 150x150 grid, k = 4: the band refinement's cut" \
    "$(jq_py "$WORK/band1.json" 'd["tasks"][0]["final"]["cut_weight"]')" 307
expect_eq "--engine dist, 150x150 grid, k = 4: every cycle ends with a band refinement" \
    "$(jq_py "$WORK/band1.json" 'd["tasks"][0]["phases"][0]["bands"] == d["tasks"][0]["phases"][0]["cycles"] > 0')" True
# zones of about 12 apps: most vertices touch the cut, the band would exceed a quarter of the
# graph, and there is none (the placement as the levels left it, still checked)
"$ZP_BIN" generate grid --rows 20 --cols 20 --out "$WORK/grid20.graph" --quiet
sliced_case t "$WORK/grid20.graph" 32 "20x20 grid, k = 32 (no band: the cut is everywhere)"
expect_eq "--engine dist, 20x20 grid, k = 32: no band refinement" \
    "$(jq_py "$WORK/t1.json" 'd["tasks"][0]["phases"][0]["bands"]')" 0

# 3,000 separate pairs, k = 2: the first cycle finds a cut of 0, and a cycle that gains nothing
# (nothing to gain) is the last
"$PY" -c 'print(6000, 3000); [print(u + 2 if u % 2 == 0 else u) for u in range(6000)]' \
    >"$WORK/pairs.graph"
sliced_case p "$WORK/pairs.graph" 2 "3,000 pairs, k = 2"
expect_eq "--engine dist, 3,000 pairs: no cut" \
    "$(jq_py "$WORK/p1.json" 'd["tasks"][0]["final"]["cut_weight"]')" 0
expect_eq "--engine dist, 3,000 pairs: stops after the cycle that gains nothing (2 cycles)" \
    "$(jq_py "$WORK/p1.json" 'd["tasks"][0]["phases"][0]["cycles"]')" 2

# a microservice graph whose clustering stalls above the gather size at k = 32 (50k apps: 3
# levels, then the stalled level clustered again with heavier clusters, a 4th level)
"$ZP_BIN" generate micro --n 50k --m 500k --seed 2 --out "$WORK/s50k.graph" --quiet
sliced_case s "$WORK/s50k.graph" 32 "stalled clustering"
expect_eq "--engine dist, stalled clustering: clustered again (4 levels)" \
    "$(jq_py "$WORK/s1.json" 'd["tasks"][0]["phases"][0]["levels"]')" 4
# most of a microservice graph's vertices touch the cut: the band would be the graph, none
expect_eq "--engine dist, microservice graph: no band refinement" \
    "$(jq_py "$WORK/s1.json" 'd["tasks"][0]["phases"][0]["bands"]')" 0

# The graph read in slices writes the /problem group the whole-graph path (--engine shared)
# writes, dataset by dataset and attribute by attribute, and the same file on 1 and 3 ranks.
"$ZP_BIN" generate micro --n 3k --m 30k --seed 5 --vertex-weights --out "$WORK/w.graph" --quiet
for r in 1 3; do
    zp_mpi "$r" run --graph "$WORK/w.graph" --zones 6 --engine dist --out "$WORK/w$r.h5" \
        --summary "$WORK/w$r.json" --quiet
    [ "$MPI" = 1 ] || break
done
zp_mpi 1 run --graph "$WORK/w.graph" --zones 6 --engine shared --effort 0.1 \
    --out "$WORK/w_shared.h5" --quiet
# same_problem A.h5 B.h5: /problem of both files equal (datasets, their attributes, the group's)
same_problem() {
    "$PY" - "$1" "$2" <<'EOF2'
import sys, h5py, numpy as np
a, b = (h5py.File(f, "r")["problem"] for f in sys.argv[1:])
same = sorted(a) == sorted(b) and dict(a.attrs).keys() == dict(b.attrs).keys()
same = same and all(str(a.attrs[k]) == str(b.attrs[k]) for k in a.attrs)
for name in a:
    same = same and name in b and np.array_equal(a[name][()], b[name][()])
    same = same and all(str(a[name].attrs[k]) == str(b[name].attrs[k]) for k in a[name].attrs)
sys.exit(0 if same else 1)
EOF2
}
if [ "$MPI" = 1 ]; then
    check "--engine dist, graph in slices: /problem equals the whole-graph path's" \
        same_problem "$WORK/w1.h5" "$WORK/w_shared.h5"
    check "--engine dist, graph in slices: /problem the same on 1 and 3 ranks" \
        same_problem "$WORK/w1.h5" "$WORK/w3.h5"
    check "--engine dist, weighted graph: the same placement on 1 and 3 ranks" \
        "$PY" -c 'import json,sys; a,b=(json.load(open(f))["tasks"][0] for f in sys.argv[1:]); sys.exit(a["placement"]!=b["placement"] or a["final"]!=b["final"])' \
        "$WORK/w1.json" "$WORK/w3.json"
    # the metrics recounted from the file and the zones' weights within the band by weight
    "$PY" - "$WORK/w.graph" "$WORK/w1.h5" "$WORK/w1.json" >"$WORK/w1.check" <<'EOF2'
import json, math, sys, h5py
graph, h5, summary = sys.argv[1:]
t = json.load(open(summary))["tasks"][0]
x, f = t["placement"], h5py.File(h5, "r")
lines = [l.split() for l in open(graph) if not l.startswith("%")]
n, k = int(lines[0][0]), len(f["problem/zone_names"])
ncon = int(lines[0][3]) if len(lines[0]) > 3 else 1
D, T = f["problem/D"][()], f["problem"].attrs["requests"]
weight, traffic, cut = [0] * k, 0.0, 0
for u in range(n):
    v = [int(s) for s in lines[1 + u]]
    weight[x[u]] += v[0]
    adj = v[ncon:]
    for nb, w in zip(adj[0::2], adj[1::2]):
        if nb - 1 > u:
            traffic += w * D[x[u]][x[nb - 1]]
            cut += w if x[nb - 1] != x[u] else 0
W = sum(int(l[0]) for l in lines[1:n + 1])
hi = math.floor(1.03 * math.ceil(W / k))
print("traffic", T * traffic == t["final"]["traffic"])
print("cut", cut == t["final"]["cut_weight"])
print("band", max(weight) <= hi and t["final"]["max_zone_apps"] == max(weight))
print("phases", [p["phase"] for p in t["phases"]])
EOF2
    expect_eq "--engine dist, weighted graph in slices: traffic recounted from the file" \
        "$(field traffic "$WORK/w1.check")" True
    expect_eq "--engine dist, weighted graph in slices: cut recounted from the file" \
        "$(field cut "$WORK/w1.check")" True
    expect_eq "--engine dist, weighted graph in slices: every zone's weight within the band" \
        "$(field band "$WORK/w1.check")" True
    expect_eq "--engine dist, graph in slices: one phase, the multilevel placement" \
        "$(grep '^phases ' "$WORK/w1.check")" "phases ['multilevel']"
fi

# capacities: the shared engine places them (the same result as --engine shared)
for e in dist shared; do
    zp_mpi 1 run --services "$WORK/m8k.services.csv" --calls "$WORK/m8k.calls.csv" --zones 8 \
        --capacity-slack 0.1 --init multilevel --engine "$e" --effort 0.2 \
        --summary "$WORK/c_$e.json" --quiet
done
check "--engine dist with capacities: the shared engine's placement" \
    cmp -s <(jq_py "$WORK/c_dist.json" 'd["tasks"][0]["placement"]') \
    <(jq_py "$WORK/c_shared.json" 'd["tasks"][0]["placement"]')
expect_eq "--engine dist with capacities: no violation" \
    "$(jq_py "$WORK/c_dist.json" 'd["tasks"][0]["final"]["violations"]')" 0

"$ZP_BIN" run --graph "$G" --zones 8 --engine fast --quiet 2>"$WORK/bad.err"
expect_eq "--engine fast: refused (exit 2)" "$?" 2
check "--engine fast: ... naming the choices" grep -q "expected shared or dist" "$WORK/bad.err"
finish
