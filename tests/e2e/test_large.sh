#!/usr/bin/env bash
# Large inputs end to end: `zoneplace generate` (same arguments, same bytes; outputs never
# half-written), `run --graph` under the METIS balance convention and `run --services --calls`
# with capacities, each placement checked by a recount in Python from the input files:
# cut weight as reported, every zone within (1+eps)*ceil(n/k) apps, per-zone cpu and ram within
# the capacities; the multilevel engine chosen by default above 5000 apps; the same placement
# on 1 and 2 ranks (1, 2, 3 and 4 ranks with --effort 0.1); a graph with vertex weights
# balanced by weight; a cut no worse than METIS's best of 5 seeds on this instance (131,260 at
# k = 8, measured with bench/baselines --tool metis-best) as a regression floor; --effort.
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, PY, MPI.
source "$(dirname "$0")/../lib.sh"

WORK=$ZP_TMP/large
rm -rf "$WORK" && mkdir -p "$WORK"
G=$WORK/m6k.graph
METIS_BEST_K8=131260

# --- generate ---------------------------------------------------------------------------------
"$ZP_BIN" generate micro --n 6k --m 60k --seed 5 --out "$G" --csv "$WORK/m6k" --quiet
expect_eq "generate micro: exit 0" "$?" 0
expect_eq "generate micro: header (n, merged edges, edge weights)" "$(head -n 1 "$G")" \
    "6000 49561 1"
"$ZP_BIN" generate micro --n 6k --m 60k --seed 5 --out "$WORK/again.graph" --quiet
check "generate micro: same arguments, same bytes" cmp -s "$G" "$WORK/again.graph"
"$ZP_BIN" generate micro --n 6k --m 60k --seed 6 --out "$WORK/other.graph" --quiet
differ() { ! cmp -s "$1" "$2"; }
check "generate micro: another seed, another graph" differ "$G" "$WORK/other.graph"
expect_eq "generate micro --csv: one service line per app (+ header)" \
    "$(wc -l <"$WORK/m6k.services.csv")" 6001
expect_eq "generate micro --csv: header" "$(head -n 1 "$WORK/m6k.services.csv")" \
    "name,cpu_millicores,mem_mib"
"$ZP_BIN" generate grid --rows 2 --cols 3 --out "$WORK/grid.graph" --quiet
expect_eq "generate grid 2x3: the exact file" "$(cat "$WORK/grid.graph")" \
    "$(printf '6 7\n2 4\n1 3 5\n2 6\n1 5\n2 4 6\n3 5')"
"$ZP_BIN" generate powerlaw --n 6 --attach 2 --seed 4 --out "$WORK/pl.graph" --quiet
expect_eq "generate powerlaw 6 apps, 2 links each: the header (a triangle, then 3 x 2 edges)" \
    "$(head -n 1 "$WORK/pl.graph")" "6 9"
earlier_links() { # G.graph: per app, how many of its neighbours come before it
    "$PY" - "$1" <<'EOF'
import sys
rows = open(sys.argv[1]).read().split("\n")[1:]
print(" ".join(str(sum(int(v) - 1 < u for v in r.split())) for u, r in enumerate(rows) if r))
EOF
}
expect_eq "generate powerlaw: the triangle, and each later app links to 2 earlier ones" \
    "$(earlier_links "$WORK/pl.graph")" "0 1 2 2 2 2"
"$ZP_BIN" generate powerlaw --n 100 --attach 0 --out "$WORK/pl0.graph" --quiet 2>"$WORK/gen.err"
expect_eq "generate powerlaw --attach 0: usage error (exit 2)" "$?" 2
check "generate powerlaw --attach 0: ... naming the limits" grep -q "1 <= attach <= 1000" \
    "$WORK/gen.err"
"$ZP_BIN" generate grid --rows 2 --cols 3 --out "$WORK/grid.graph" --quiet 2>"$WORK/gen.err"
expect_eq "generate: an existing output is refused (exit 4)" "$?" 4
check "generate: ... and says to use --force" grep -q "exists (use --force to overwrite)" \
    "$WORK/gen.err"
"$ZP_BIN" generate micro --n 1k --m 2147M --out "$WORK/huge.graph" --quiet 2>"$WORK/gen.err"
expect_eq "generate: a size that cannot fit in memory is refused (exit 2)" "$?" 2
check "generate: ... saying how much it would need" grep -q "needs about 193.2 GB of memory" \
    "$WORK/gen.err"
"$ZP_BIN" generate powerlaw --n 100M --attach 100 --out "$WORK/hugepl.graph" --quiet \
    2>"$WORK/gen.err"
expect_eq "generate powerlaw: a size that cannot fit in memory is refused (exit 2)" "$?" 2
check "generate powerlaw: ... saying how much it would need (100M apps, 10G edges)" \
    grep -q "generate powerlaw: --n 100000000 --attach 100 needs about 910.0 GB of memory" \
    "$WORK/gen.err"
check "generate: no file and no .partial left by refused runs" \
    test ! -e "$WORK/huge.graph" -a ! -e "$WORK/huge.graph.partial" -a \
    ! -e "$WORK/hugepl.graph"

# --- run --graph ------------------------------------------------------------------------------
# recount FILE.graph SUMMARY K EPS: the checks of a placement against its graph, one per line
recount() {
    "$PY" - "$@" <<'EOF'
import json, math, sys
graph, summary, k, eps = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t = json.load(open(summary))["tasks"][0]
x = t["placement"]
with open(graph) as f:
    head = f.readline().split()
    n, fmt = int(head[0]), (head[2] if len(head) > 2 else "0").zfill(3)
    ncon = int(head[3]) if len(head) > 3 else int(fmt[1])
    skip = int(fmt[0]) + (ncon if fmt[1] == "1" else 0)  # vertex size and weights
    cut, vw = 0, []
    for u, line in enumerate(f):
        vals = list(map(int, line.split()))
        vw.append(vals[int(fmt[0])] if fmt[1] == "1" else 1)  # the first weight balances
        vals = vals[skip:]
        pairs = zip(vals[0::2], vals[1::2]) if fmt[2] == "1" else ((v, 1) for v in vals)
        cut += sum(w for v, w in pairs if v - 1 > u and x[v - 1] != x[u])
loads = [0] * k
for u, z in enumerate(x):
    loads[z] += vw[u]
hi = math.floor((1 + eps) * math.ceil(sum(vw) / k) + 1e-9)
print("apps", len(x) == n and all(0 <= z < k for z in x))
print("cut", cut == t["final"]["cut_weight"], cut)
print("band", max(loads) <= hi, max(loads), hi)
print("violations", t["final"]["violations"])
print("init", t["phases"][0]["phase"])
EOF
}
field() { awk -v f="$1" '$1 == f { print $2 }' "$2"; }

zp_mpi 1 run --graph "$G" --zones 8 --starts 2 --summary "$WORK/g1.json" --quiet
expect_eq "run --graph: exit 0" "$?" 0
recount "$G" "$WORK/g1.json" 8 0.03 >"$WORK/g1.check"
expect_eq "run --graph: a zone for every app" "$(field apps "$WORK/g1.check")" True
expect_eq "run --graph: cut recounted from the file equals the summary's" \
    "$(field cut "$WORK/g1.check")" True
expect_eq "run --graph: every zone within (1+0.03)*ceil(n/k) apps" \
    "$(field band "$WORK/g1.check")" True
expect_eq "run --graph: 0 violations" "$(field violations "$WORK/g1.check")" 0
expect_eq "run --graph: multilevel chosen above 5000 apps" "$(field init "$WORK/g1.check")" \
    multilevel
cut=$(awk '$1 == "cut" { print $3 }' "$WORK/g1.check")
expect_le "run --graph: cut no worse than METIS's best of 5 seeds" "$cut" "$METIS_BEST_K8"
if [ "$MPI" = 1 ]; then
    zp_mpi 2 run --graph "$G" --zones 8 --starts 2 --summary "$WORK/g2.json" --quiet
    expect_eq "run --graph on 2 ranks: exit 0" "$?" 0
    expect_eq "run --graph: the same placement on 1 and 2 ranks" \
        "$(jq_py "$WORK/g2.json" "d['tasks'][0]['placement'] == json.load(open('$WORK/g1.json'))['tasks'][0]['placement']")" \
        True
fi

# --effort 0.1: a tenth of the automatic work, reproducibly: its exact cut (between the default's
# and METIS's best +5%), a valid placement, the same on 2 ranks.
zp_mpi 1 run --graph "$G" --zones 8 --starts 2 --effort 0.1 --summary "$WORK/e1.json" --quiet
expect_eq "run --effort 0.1: exit 0" "$?" 0
recount "$G" "$WORK/e1.json" 8 0.03 >"$WORK/e1.check"
expect_eq "run --effort 0.1: cut recounted equals the summary's" "$(field cut "$WORK/e1.check")" True
expect_eq "run --effort 0.1: every zone within the band" "$(field band "$WORK/e1.check")" True
expect_eq "run --effort 0.1: the cut of this instance and seed" \
    "$(awk '$1 == "cut" { print $3 }' "$WORK/e1.check")" 122757
if [ "$MPI" = 1 ]; then
    for P in 2 3 4; do
        zp_mpi $P run --graph "$G" --zones 8 --starts 2 --effort 0.1 --summary "$WORK/e$P.json" \
            --quiet
        expect_eq "run --effort 0.1: the same placement on 1 and $P ranks" \
            "$(jq_py "$WORK/e$P.json" "d['tasks'][0]['placement'] == json.load(open('$WORK/e1.json'))['tasks'][0]['placement']")" \
            True
    done
fi

# --- run --graph with vertex weights -----------------------------------------------------------
# The first vertex weight is the balance weight (as in METIS): every zone's weight within
# floor((1+eps) * ceil(W/k)), recounted from the file; exact cuts of this instance and seed, below
# METIS's on the same weights (bench/baselines --tool metis, computed once: 16,536 and 51,196).
W=$WORK/w500.graph
"$ZP_BIN" generate micro --n 500 --m 5k --seed 3 --vertex-weights --out "$W" --quiet
for kc in 4:14438:16536 32:48258:51196; do
    IFS=: read -r k want metis <<<"$kc"
    zp_mpi 1 run --graph "$W" --zones "$k" --summary "$WORK/w$k.json" --quiet
    expect_eq "weighted graph, k = $k: exit 0" "$?" 0
    recount "$W" "$WORK/w$k.json" "$k" 0.03 >"$WORK/w$k.check"
    expect_eq "weighted graph, k = $k: cut recounted equals the summary's" \
        "$(field cut "$WORK/w$k.check")" True
    expect_eq "weighted graph, k = $k: every zone's weight within (1+0.03)*ceil(W/k)" \
        "$(field band "$WORK/w$k.check")" True
    expect_eq "weighted graph, k = $k: 0 violations" "$(field violations "$WORK/w$k.check")" 0
    cut=$(awk '$1 == "cut" { print $3 }' "$WORK/w$k.check")
    expect_eq "weighted graph, k = $k: the cut of this instance and seed" "$cut" "$want"
    expect_le "weighted graph, k = $k: cut no more than METIS's" "$cut" "$metis"
done

# --- run --services --calls with capacities ---------------------------------------------------
zp_mpi 1 run --services "$WORK/m6k.services.csv" --calls "$WORK/m6k.calls.csv" --zones 16 \
    --capacity-slack 0.1 --summary "$WORK/c.json" --quiet
expect_eq "run --services --calls: exit 0" "$?" 0
capacity_check() {
    "$PY" - "$WORK/m6k.services.csv" "$WORK/c.json" 16 0.1 <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = json.load(open(sys.argv[2]))["tasks"][0]
k, slack = int(sys.argv[3]), float(sys.argv[4])
x = t["placement"]
ok = len(x) == len(rows) and t["final"]["violations"] == 0
for col in ("cpu_millicores", "mem_mib"):
    demand = [float(r[col]) for r in rows]
    cap = (1 + slack) * sum(demand) / k
    used = [0.0] * k
    for d, z in zip(demand, x):
        used[z] += d
    ok = ok and max(used) <= cap * (1 + 1e-9)
print(ok)
EOF
}
expect_eq "run --services --calls: per-zone cpu and ram within (1+0.1)/k of the total" \
    "$(capacity_check)" True
finish
