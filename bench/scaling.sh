#!/bin/bash
# bench/scaling.sh - the scaling table of the distributed engine (`--engine dist`), part of
# `make bench` (bench/run.sh calls it last) and runnable alone: for each instance and k, one run
# per rank count with wall time (the slowest rank), CPU time (user + sys) of the busiest rank,
# peak memory of the largest rank, the cut,
# and whether the placement is byte-identical to the 1-rank one. Rank counts above the cores of
# the machine are oversubscribed and marked so (their times say little about speed).
# Rank counts within the cores run BENCH_SCALING_REPEAT times, the rank counts taking turns, and
# the table gives the fastest and the median wall time: on a shared VM a busy neighbour only
# ever slows a run down (2-rank runs of micro-1M took 3.8-5.1 s within minutes), so the fastest
# of a few is the estimate of what the code costs and the median says how much the machine
# varied. Every run's placement is compared with the first 1-rank run's.
# Knobs (environment):
#   BENCH_SCALING="micro-100k:32 micro-1M:64"   instances (micro-N, m = 10 N, seed 1) and k
#   BENCH_SCALING_RANKS="1 2 4 8"                rank counts
#   BENCH_SCALING_REPEAT=5                       runs of each rank count within the cores
#   BENCH_EPS=0.03
#   OMPI_MCA_pml (default here ob1)              Open MPI's point-to-point layer, see below
# Rows go to bench/work/scaling.jsonl; the table is printed as markdown, then each 1-rank row
# against the METIS row of the same instance and k in bench/work/results.jsonl (make bench).
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=bench/work
CASES=${BENCH_SCALING:-"micro-100k:32 micro-1M:64"}
RANKS=${BENCH_SCALING_RANKS:-"1 2 4 8"}
REPEAT=${BENCH_SCALING_REPEAT:-5}
EPS=${BENCH_EPS:-0.03}
OUT=$WORK/scaling.jsonl
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
# Debian's Open MPI, left to choose, probes the cm and ucx layers (libfabric, PSM, UCX) for a
# fast network at every start: 0.35 s before main on this machine, 0.13-0.15 s with ob1 (shared
# memory between the ranks of a node, TCP between nodes), which is what a machine without
# InfiniBand or Omni-Path ends up using. A cluster's own setting, when exported, wins.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}

log() { echo "bench/scaling: $*" >&2; }

count() { # 100k -> 100000, 1M -> 1000000
    case "$1" in
        *k) echo $((${1%k} * 1000)) ;;
        *M) echo $((${1%M} * 1000000)) ;;
        *) echo "$1" ;;
    esac
}

# run_ranks NAME FILE K R REP: run REP on R ranks; each rank's `/usr/bin/time` goes to its own
# file.
run_ranks() {
    local name=$1 file=$2 k=$3 r=$4 rep=$5
    local base="$WORK/scale-$name-$k-r$r"
    rm -f "$base".time.* "$base.json"
    # shellcheck disable=SC2016
    mpirun --oversubscribe -n "$r" sh -c \
        '/usr/bin/time -f "%e %M %U %S" -o "$0.time.$OMPI_COMM_WORLD_RANK" "$@"' "$base" \
        bin/zoneplace run --graph "$file" --zones "$k" --imbalance "$EPS" --engine dist \
        --summary "$base.json" --quiet
    # the first 1-rank run's placement is the reference of every later run
    python3 - "$name" "$k" "$r" "$(nproc)" "$base" "$WORK/scale-$name-$k-r1.json" "$rep" <<'EOF'
import glob, hashlib, json, shutil, sys
name, k, r, cores, base, one = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
rep = int(sys.argv[7])
if r == 1 and rep == 1:
    shutil.copyfile(base + ".json", one + ".ref")
times = [open(f).read().split()[-4:] for f in glob.glob(base + ".time.*")]
t = json.load(open(base + ".json"))["tasks"][0]
same = None
try:
    same = json.load(open(one + ".ref"))["tasks"][0]["placement"] == t["placement"]
except OSError:
    pass
print(json.dumps({"name": name, "k": k, "ranks": r, "oversubscribed": r > cores, "rep": rep,
                  "wall": max(float(t[0]) for t in times),
                  "cpu_per_rank": max(float(t[2]) + float(t[3]) for t in times),
                  "peak_mb_per_rank": max(int(t[1]) for t in times) / 1024.0,
                  "cut": t["final"]["cut_weight"], "violations": t["final"]["violations"],
                  "outside_band": t["final"]["imbalance"], "same_as_1_rank": same}))
EOF
}

main() {
    mkdir -p "$WORK"
    : >"$OUT"
    local c name k n file r rep
    for c in $CASES; do
        name=${c%:*}
        k=${c#*:}
        n=$(count "${name#micro-}")
        file=$WORK/$name-s1.graph
        [ -f "$file" ] || bin/zoneplace generate micro --n "$n" --m $((10 * n)) --seed 1 \
            --out "$file" --force
        rm -f "$WORK/scale-$name-$k-r1.json.ref"
        for rep in $(seq "$REPEAT"); do
            for r in $RANKS; do
                # oversubscribed counts run once: their times say little about speed
                [ "$rep" = 1 ] || [ "$r" -le "$(nproc)" ] || continue
                log "$name k=$k, $r rank(s), run $rep"
                run_ranks "$name" "$file" "$k" "$r" "$rep" >>"$OUT"
            done
        done
    done
    python3 - "$OUT" "$WORK/results.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
# one row per instance, k and rank count: the fastest run's times, the median wall, the largest
# peak, and "yes" only when every run gave the first 1-rank run's placement
groups = {}
for x in rows:
    groups.setdefault((x["name"], x["k"], x["ranks"]), []).append(x)
def summary(runs):
    fast = min(runs, key=lambda x: x["wall"])
    walls = sorted(x["wall"] for x in runs)
    s = dict(fast)
    s["median_wall"] = walls[len(walls) // 2] if len(walls) % 2 else 0.5 * (walls[len(walls) // 2 - 1] + walls[len(walls) // 2])
    s["runs"] = len(runs)
    s["peak_mb_per_rank"] = max(x["peak_mb_per_rank"] for x in runs)
    s["violations"] = max(x["violations"] for x in runs)
    sames = [x["same_as_1_rank"] for x in runs]
    s["same_as_1_rank"] = None if None in sames else all(sames)
    s["cuts"] = sorted(set(x["cut"] for x in runs))
    return s
rows = [summary(groups[key]) for key in groups]
print("| instance | k | ranks | runs | wall s, fastest | speedup | wall s, median | speedup of medians | CPU s of the busiest rank | peak MB per rank | cut | same as 1 rank |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
base, base_median = {}, {}
for x in rows:
    if x["ranks"] == 1:
        base[(x["name"], x["k"])] = x["wall"]
        base_median[(x["name"], x["k"])] = x["median_wall"]
    b = base.get((x["name"], x["k"]))
    bm = base_median.get((x["name"], x["k"]))
    ranks = "%d%s" % (x["ranks"], " (oversubscribed)" if x["oversubscribed"] else "")
    same = {True: "yes", False: "NO", None: "-"}[x["same_as_1_rank"]]
    cut = " / ".join(format(c, ",.0f") for c in x["cuts"])
    print("| %s | %d | %s | %d | %.2f | %s | %.2f | %s | %.1f | %.0f | %s%s | %s |" % (
        x["name"], x["k"], ranks, x["runs"], x["wall"], "%.2fx" % (b / x["wall"]) if b else "-",
        x["median_wall"], "%.2fx" % (bm / x["median_wall"]) if bm else "-",
        x["cpu_per_rank"], x["peak_mb_per_rank"], cut,
        " (%d viol.)" % x["violations"] if x["violations"] else "", same))
# One rank against METIS on the same instance and k, from the rows of the same `make bench` run
# (bench/run.sh writes them before it calls this script): the acceptance of issue 15 is a whole
# run within 2x of METIS's time, a cut at least 4% below its cut, under 1 GB.
metis = {}
try:
    for l in open(sys.argv[2]):
        r = json.loads(l)
        if r.get("tool") == "metis":
            metis[(r.get("name"), r["k"])] = r
except OSError:
    pass
for x in rows:
    if x["ranks"] != 1:
        continue
    m = metis.get((x["name"], x["k"]))
    if not m:
        print("%s k=%d, 1 rank: no METIS row in %s (run make bench)" % (x["name"], x["k"], sys.argv[2]))
        continue
    print("%s k=%d, 1 rank against METIS: whole run %.1f s wall, fastest of %d (%.1f s CPU) / METIS %.1f s = "
          "%.2fx; cut %s / %s = %.3f (%+.1f%%); peak %.0f MB" % (
              x["name"], x["k"], x["wall"], x["runs"], x["cpu_per_rank"], m["seconds"], x["wall"] / m["seconds"],
              format(x["cut"], ",.0f"), format(m["cut"], ",.0f"), x["cut"] / m["cut"],
              100.0 * (x["cut"] / m["cut"] - 1), x["peak_mb_per_rank"]))
EOF
}

main "$@"
