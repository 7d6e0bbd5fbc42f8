#!/usr/bin/env bash
# zoneplace merge: the parts of one sweep (slices, zone counts, a resumed part; run on 1 or 2
# ranks) merged on 1 and on 2 ranks give the file of the whole sweep run as one job: the same
# /tasks (row order included), /phases, /starts, placements, problem groups and trajectory rows
# (all but wall-clock columns; trajectory rows compared as a set, their order follows the
# ranks), complete = 1, started/ended/hosts taken from the parts. An incomplete subset gives
# complete = 0. Refused with one line and status 3, leaving no output: parts of an edited sweep
# (other options), a task whose rows differ in two parts (a part edited with h5py), a `run`
# output, a file that is not HDF5; status 4: a missing part, an existing --out without --force.
# An identical duplicate part is accepted. The response-time columns of a sweep with a perf
# section survive the merge bit for bit. Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, PY.
source "$(dirname "$0")/../lib.sh"

if [ "$MPI" != 1 ]; then
    out=$("$ZP_BIN" merge a.h5 --out b.h5 2>&1)
    expect_eq "serial build: merge refused as a usage error (status 2: no HDF5)" "$?" 2
    finish
    exit
fi
W=$ZP_TMP/merge
rm -rf "$W" && mkdir -p "$W"
SWEEP=inputs/sweeps/case2_zones.json # 8 tasks: zones 2, 4, 8, 16 x seeds 1, 2
sweep() { local n=$1; shift; zp_mpi "$n" sweep --config "$SWEEP" --quiet "$@"; }

sweep 2 --out "$W/whole.h5" >"$W/whole.log" 2>&1
expect_eq "the whole sweep on 2 ranks" "$?" 0
sweep 1 --slice 0/3 --out "$W/s0.h5" >"$W/s0.log" 2>&1 &&
    sweep 2 --slice 1/3 --out "$W/s1.h5" >"$W/s1.log" 2>&1 &&
    sweep 2 --slice 2/3 --ranks-per-task 2 --out "$W/s2.h5" >"$W/s2.log" 2>&1
expect_eq "three slices (1 rank, 2 ranks, 2 ranks per task)" "$?" 0
# zone-count parts, one of them resumed with another zone count (its problem groups and rows
# are then in the order of the runs, not of the tasks)
sweep 1 --zones 8 --out "$W/z8.h5" >"$W/z.log" 2>&1 &&
    sweep 2 --zones 2 --resume "$W/z8.h5" >>"$W/z.log" 2>&1 &&
    sweep 2 --zones 4,16 --out "$W/z416.h5" >>"$W/z.log" 2>&1
expect_eq "zone-count parts, one resumed" "$?" 0

# same_as REF FILE: what differs between the files beyond wall-clock times and FILE's provenance
# ("" when nothing does); same_as_whole FILE: the same against whole.h5
same_as_whole() { same_as "$W/whole.h5" "$1"; }
same_as() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
import h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
diffs = []
def rows(f, name, key=None):
    t = f[name][()]
    cols = [c for c in t.dtype.names if c not in ("wall_seconds", "wall")]
    if key:
        t = np.sort(t, order=key + [c for c in cols if c not in key])
    return t, cols
for name, key in (("tasks", None), ("phases", None), ("starts", None),
                  ("trajectory", ["task", "start", "epoch", "phase", "step", "kind"])):
    (ta, cols), (tb, _) = rows(a, name, key), rows(b, name, key)
    if len(ta) != len(tb) or not all(np.array_equal(ta[c], tb[c], equal_nan=ta[c].dtype.kind == "f") for c in cols):
        diffs.append(name)
for name in ("placements", "initial_placements"):
    if not np.array_equal(a[name][()], b[name][()]):
        diffs.append(name)
groups = sorted(k for k in a if k.startswith("problem"))
if groups != sorted(k for k in b if k.startswith("problem")):
    diffs.append("problem groups")
for g in groups:
    if g in b and (sorted(a[g]) != sorted(b[g]) or dict(a[g].attrs) != dict(b[g].attrs) or
                   any(not np.array_equal(a[g][d][()], b[g][d][()]) for d in a[g])):
        diffs.append(g)
for attr in ("digest", "settings", "version", "format_version", "creator"):
    if a.attrs[attr] != b.attrs[attr]:
        diffs.append("attribute " + attr)
pa, pb = (json.loads(f["parameters/config_json"][()]) for f in (a, b))
pb.pop("merged_from", None)
pa.pop("ranks_per_task", None), pb.pop("ranks_per_task", None)
pa.pop("groups", None), pb.pop("groups", None)
if pa != pb:
    diffs.append("parameters " + str([k for k in set(pa) | set(pb) if pa.get(k) != pb.get(k)]))
print(" ".join(diffs))
EOF
}
attr() { "$PY" -c "import h5py,sys; v=h5py.File(sys.argv[1],'r').attrs[sys.argv[2]]; print(','.join(map(str,v)) if hasattr(v,'__len__') and not isinstance(v,str) else v)" "$1" "$2"; }

zp_mpi 1 merge "$W/s0.h5" "$W/s1.h5" "$W/s2.h5" --out "$W/m1.h5" >"$W/m1.log" 2>&1
expect_eq "merge of the 3 slices on 1 rank" "$?" 0
expect_eq "  one line on stdout" "$(cat "$W/m1.log")" \
    "zoneplace merge: $W/m1.h5: 8 of the sweep's 8 tasks from 3 parts (complete), 4 problem groups"
expect_eq "  = the whole sweep's file (tasks, phases, starts, trajectory, placements, problems)" \
    "$(same_as_whole "$W/m1.h5")" ""
expect_eq "  complete = 1" "$(attr "$W/m1.h5" complete)" 1
first=$(for p in s0 s1 s2; do attr "$W/$p.h5" started; done | sort | head -1)
last=$(for p in s0 s1 s2; do attr "$W/$p.h5" ended; done | sort | tail -1)
expect_eq "  started: the earliest part's" "$(attr "$W/m1.h5" started)" "$first"
expect_eq "  ended: the latest part's" "$(attr "$W/m1.h5" ended)" "$last"
expect_eq "  hosts: the parts' (one host here)" "$(attr "$W/m1.h5" hosts)" "$(attr "$W/s0.h5" hosts)"
expect_eq "  /parameters lists the parts" "$("$PY" -c "import h5py,json,sys; p=json.loads(h5py.File(sys.argv[1],'r')['parameters/config_json'][()]); print([(q['file'][-5:], q['tasks'], q['slice']) for q in p['merged_from']], p['slice'])" "$W/m1.h5")" \
    "[('s0.h5', 3, [0, 3]), ('s1.h5', 3, [1, 3]), ('s2.h5', 2, [2, 3])] [0, 1]"

zp_mpi 2 merge "$W/s2.h5" "$W/s0.h5" "$W/s1.h5" --out "$W/m2.h5" --quiet >"$W/m2.log" 2>&1
expect_eq "merge on 2 ranks, parts in another order" "$?" 0
expect_eq "  = the whole sweep's file" "$(same_as_whole "$W/m2.h5")" ""
expect_eq "  no output on stdout with --quiet" "$(cat "$W/m2.log")" ""

zp_mpi 2 merge "$W/z416.h5" "$W/z8.h5" --out "$W/mz.h5" --quiet >"$W/mz.log" 2>&1
expect_eq "merge of zone-count parts, one resumed" "$?" 0
expect_eq "  = the whole sweep's file (problem groups renumbered, rows in task order)" \
    "$(same_as_whole "$W/mz.h5")" ""

zp_mpi 1 merge "$W/s0.h5" "$W/s1.h5" "$W/s0.h5" "$W/s2.h5" --out "$W/dup.h5" --quiet \
    >"$W/dup.log" 2>&1
expect_eq "a part given twice (identical duplicate tasks): accepted" "$?" 0
expect_eq "  its tasks once: = the whole sweep's file" "$(same_as_whole "$W/dup.h5")" ""

# a sweep whose instance has a perf section: the response-time columns (stored in ms, read back
# in s) come out bit for bit
cat >"$W/perf.json" <<EOF
{"name": "perf", "instances": ["$ZP_ROOT/inputs/examples/case2_perf.json"], "seeds": [1, 2, 3],
 "starts": 2, "search": {"iterations": 50}}
EOF
zp_mpi 1 sweep --config "$W/perf.json" --quiet --out "$W/pwhole.h5" >"$W/perf.log" 2>&1 &&
    zp_mpi 1 sweep --config "$W/perf.json" --quiet --slice 0/2 --out "$W/p0.h5" >>"$W/perf.log" 2>&1 &&
    zp_mpi 1 sweep --config "$W/perf.json" --quiet --slice 1/2 --out "$W/p1.h5" >>"$W/perf.log" 2>&1 &&
    zp_mpi 1 merge "$W/p1.h5" "$W/p0.h5" --out "$W/pm.h5" --quiet >>"$W/perf.log" 2>&1
expect_eq "a sweep with a perf section: whole, 2 slices, merged" "$?" 0
expect_eq "  = the whole sweep's file (perf_mean_ms, perf_pct_ms included)" \
    "$(same_as "$W/pwhole.h5" "$W/pm.h5")" ""
expect_eq "  the model's columns are numbers" \
    "$("$PY" -c "import h5py,sys,numpy as np; t=h5py.File(sys.argv[1],'r')['tasks']; print(bool(np.isfinite(t['perf_mean_ms']).all()))" "$W/pm.h5")" True

zp_mpi 1 merge "$W/s0.h5" "$W/s2.h5" --out "$W/sub.h5" --quiet >"$W/sub.log" 2>&1
expect_eq "merge of 2 of the 3 slices" "$?" 0
expect_eq "  complete = 0" "$(attr "$W/sub.h5" complete)" 0
expect_eq "  their 5 tasks in task order" \
    "$("$PY" -c "import h5py,sys; print(list(h5py.File(sys.argv[1],'r')['tasks']['task']))" "$W/sub.h5")" \
    "[0, 2, 3, 5, 6]"

# refusals: one line, the status, and no file left under the name or a temporary one
refused() { # DESCRIPTION STATUS PATTERN RANKS ARGS...
    local what=$1 status=$2 pattern=$3 n=$4; shift 4
    local before after
    before=$(ls "$W" | sort)
    zp_mpi "$n" merge "$@" --out "$W/refused.h5" >"$ZP_TMP/merge_refused.out" 2>"$ZP_TMP/merge_refused.err"
    local rc=$?
    after=$(ls "$W" | sort)
    expect_eq "$what: status $status" "$rc" "$status"
    expect_eq "  one line naming it" "$(grep -c '^zoneplace: ' "$ZP_TMP/merge_refused.err")/$(grep -cE "$pattern" "$ZP_TMP/merge_refused.err")" "1/1"
    expect_eq "  no output file left" "$after" "$before"
}
sweep 1 --slice 1/3 --iterations 200 --out "$W/edited.h5" >"$W/edited.log" 2>&1
refused "a part of the sweep run with --iterations 200" 3 \
    "edited.h5: not a part of the same sweep as .*s0.h5: the effective search options .* differ" \
    2 "$W/s0.h5" "$W/edited.h5" "$W/s2.h5"
sweep 1 --zones 2 --config inputs/sweeps/case1_small.json --out "$W/other.h5" >"$W/other.log" 2>&1
refused "a part of another sweep" 3 "other.h5: not a part of the same sweep as .*s0.h5: .*sweep file's parameters" \
    1 "$W/s0.h5" "$W/other.h5"
cp "$W/s0.h5" "$W/forged.h5"
"$PY" - "$W/forged.h5" <<'EOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r+")
row = f["tasks"][0:1]
row["traffic"] += 1
f["tasks"][0:1] = row
EOF
refused "a task whose rows differ in two parts" 3 \
    "forged.h5: task 0 differs from its row in .*s0.h5 \(its final metrics\)" \
    2 "$W/s0.h5" "$W/s1.h5" "$W/forged.h5"
zp_mpi 1 run --config inputs/thesis/case2.json --quiet --iterations 20 --out "$W/run.h5" >/dev/null 2>&1
refused "a run output" 3 "run.h5: records no sweep digest" 1 "$W/s0.h5" "$W/run.h5"
refused "a file that is not HDF5" 3 "case2_zones.json: not an HDF5 file" 1 "$W/s0.h5" "$SWEEP"
refused "a missing part" 4 "nope.h5: cannot open: No such file" 2 "$W/s0.h5" "$W/nope.h5"
cp "$W/sub.h5" "$W/refused.h5"
refused "--out exists" 4 "refused.h5: exists \(use --force" 1 "$W/s0.h5" "$W/s1.h5"
zp_mpi 1 merge "$W/s0.h5" "$W/s1.h5" "$W/s2.h5" --out "$W/refused.h5" --force --quiet
expect_eq "--out exists, --force: replaced" "$?/$(attr "$W/refused.h5" complete)" "0/1"
expect_eq "no temporary files left in the folder" "$(ls "$W" | grep -c partial)" 0
"$ZP_BIN" merge --help >"$W/help.out"
expect_eq "merge --help: usage" "$?/$(head -n 1 "$W/help.out")" \
    "0/Usage: zoneplace merge PART.h5 [PART.h5...] --out ALL.h5 [--force] [--quiet]"
"$ZP_BIN" merge "$W/s0.h5" >/dev/null 2>&1
expect_eq "merge without --out: usage error" "$?" 2
finish
