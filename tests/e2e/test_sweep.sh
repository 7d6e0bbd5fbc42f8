#!/usr/bin/env bash
# zoneplace sweep: the expansion and its outputs, identical results on 1, 2, 3 and 4 ranks with
# 1 or 2 ranks per task, slices and zone filters that merge back into the whole sweep, and
# preemption: SIGTERM midway leaves a valid file and exit status 5, --resume completes it into
# the same /tasks (and placements, trajectories) as an uninterrupted run.
source "$(dirname "$0")/../lib.sh"
out=$ZP_TMP/sweep; rm -rf "$out"; mkdir -p "$out"
SWEEP=inputs/sweeps/case2_zones.json
H5=0; [ "$MPI" = 1 ] && H5=1   # a serial build has no HDF5: summaries only

status() { "$@" >/dev/null 2>&1; echo $?; }

# ---- command line ---------------------------------------------------------------------------
check "sweep --help" bash -c "'$ZP_BIN' sweep --help | grep -q -- '--ranks-per-task'"
expect_eq "missing --config: usage" "$(status "$ZP_BIN" sweep)" 2
expect_eq "bad --slice: usage" "$(status "$ZP_BIN" sweep --config $SWEEP --slice 2/2 --list)" 2
expect_eq "unknown zone count: usage" "$(status "$ZP_BIN" sweep --config $SWEEP --zones 3 --list)" 2
expect_eq "unknown option: usage" "$(status "$ZP_BIN" sweep --config $SWEEP --bogus)" 2
expect_eq "missing sweep file: I/O" "$(status "$ZP_BIN" sweep --config "$out/none.json")" 4
expect_eq "missing resume file: I/O" \
    "$(status "$ZP_BIN" sweep --config $SWEEP --resume "$out/none.h5")" 4
printf '{"instances": ["../thesis/case2.json"], "zones": [2, 2]}' > "$out/dup.json"
msg=$("$ZP_BIN" sweep --config "$out/dup.json" 2>&1 >/dev/null); rc=$?
expect_eq "invalid sweep file: input error" "$rc" 3
expect_eq "message names file and path" "$msg" "zoneplace: $out/dup.json: zones[1]: 2 is listed twice"
"$ZP_BIN" sweep --config $SWEEP --list > "$out/list.txt"
expect_eq "--list: 8 tasks" "$(grep -cE '^ +[0-9]+ case2 ' "$out/list.txt")" 8
check "--list: zones x seeds in expansion order" bash -c \
    "awk '/^ +[0-9]/ {printf \"%s:%s:%s \", \$1, \$3, \$4}' '$out/list.txt' | grep -qx '0:2:1 1:2:2 2:4:1 3:4:2 4:8:1 5:8:2 6:16:1 7:16:2 '"

# ---- identical results on 1, 2, 3, 4 ranks and R = 1, 2 ------------------------------------------
# /tasks without wall_seconds, /placements, and /trajectory without its wall column, all sorted
# by task (and start, step): the "result" of a sweep. Printed to the log to show the numbers.
cat > "$out/digest.py" <<'PYEOF'
import hashlib, json, sys
import numpy as np
from numpy.lib.recfunctions import repack_fields
def digest_h5(path, show):
    import h5py
    with h5py.File(path, "r") as f:
        t = f["tasks"][...]; p = f["placements"][...]; tr = f["trajectory"][...]
    o = np.argsort(t["task"], kind="stable"); t = t[o]; p = p[o]
    cols = [n for n in t.dtype.names if n != "wall_seconds"]
    tcols = [n for n in tr.dtype.names if n != "wall"]
    tr = np.sort(repack_fields(tr[tcols]), order=["task", "start", "epoch", "step", "phase"])
    if show:
        for r in t:
            print("  task %d %s zones %2d seed %d: traffic %.0f, external deps %d, LB%% %.2f, "
                  "best start %d" % (r["task"], r["instance"].decode(), r["zones"], r["seed"],
                                     r["traffic"], r["external_deps"], r["lb_pct"],
                                     r["best_start"]), file=sys.stderr)
    h = hashlib.sha256()
    for a in (repack_fields(t[cols]), p, tr):
        h.update(np.ascontiguousarray(a).tobytes())
    return "%d rows, %d trajectory rows, %s" % (len(t), len(tr), h.hexdigest()[:16])
def digest_json(path, show):
    d = json.load(open(path))
    tasks = sorted(d["tasks"], key=lambda t: t["task"])
    for t in tasks:  # times are the only fields that may differ
        t.pop("wall_seconds")
        for ph in t["phases"]:
            for key in [k for k in ph if k.endswith("seconds")]:
                ph.pop(key)
    return "%d tasks, %s" % (len(tasks), hashlib.sha256(json.dumps(tasks, sort_keys=True)
                                                          .encode()).hexdigest()[:16])
def explain(a, b):
    """The /tasks columns and datasets in which two sweep files differ (sorted by task)."""
    import h5py
    out = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        ta, tb = fa["tasks"][...], fb["tasks"][...]
        oa, ob = np.argsort(ta["task"], kind="stable"), np.argsort(tb["task"], kind="stable")
        for n in ta.dtype.names:
            if n != "wall_seconds" and not np.array_equal(ta[n][oa], tb[n][ob]):
                out.append("/tasks.%s: %s vs %s" % (n, ta[n][oa].tolist(), tb[n][ob].tolist()))
        for d in ("placements", "initial_placements"):
            if not np.array_equal(fa[d][...][oa], fb[d][...][ob]):
                out.append("/" + d)
    return "; ".join(out) or "no difference in /tasks or placements (trajectory?)"
if sys.argv[1] == "--explain":
    print(explain(sys.argv[2], sys.argv[3]))
    sys.exit()
path, show = sys.argv[1], len(sys.argv) > 2
print(digest_h5(path, show) if path.endswith(".h5") else digest_json(path, show))
PYEOF
digest() { "$PY" "$out/digest.py" "$@"; }

if [ "$MPI" = 1 ]; then LAYOUTS="1:1 2:1 2:2 3:1 4:1 4:2"; else LAYOUTS="1:1"; fi
ref_h5="" ref_json=""
for layout in $LAYOUTS; do
    n=${layout%:*} R=${layout#*:}
    base=$out/zones_n${n}_R$R
    outs=(--summary "$base.json"); [ "$H5" = 1 ] && outs+=(--out "$base.h5")
    zp_mpi "$n" sweep --config $SWEEP --ranks-per-task "$R" --quiet "${outs[@]}"
    expect_eq "$n ranks, R=$R: exit 0" "$?" 0
    expect_eq "$n ranks, R=$R: 8 tasks in the summary" "$(jq_py "$base.json" "len(d['tasks'])")" 8
    dj=$(digest "$base.json")
    if [ -z "$ref_json" ]; then ref_json=$dj; echo "reference summary: $dj"
    else expect_eq "$n ranks, R=$R: summary identical to 1 rank" "$dj" "$ref_json"; fi
    if [ "$H5" = 1 ]; then
        if [ -z "$ref_h5" ]; then
            echo "/tasks of the 1-rank run:"
            digest "$base.h5" show 2>&1 >/dev/null
            ref_h5=$(digest "$base.h5")
            echo "reference /tasks: $ref_h5"
            expect_eq "1 rank: 8 /tasks rows" "${ref_h5%% rows*}" 8
        else
            expect_eq "$n ranks, R=$R: /tasks, /placements, /trajectory identical" \
                "$(digest "$base.h5")" "$ref_h5"
        fi
        check "$n ranks, R=$R: no .partial left" test ! -e "$base.h5.partial"
    fi
done
if [ "$H5" = 1 ]; then
    check "/parameters holds the sweep and every task's parameters" "$PY" -c "
import h5py, json
f = h5py.File('$out/zones_n1_R1.h5', 'r')
p = json.loads(f['parameters/config_json'][()])
assert p['command'] == 'sweep' and len(p['tasks']) == 8, p.keys()
assert [t['zones'] for t in p['tasks']] == [2, 2, 4, 4, 8, 8, 16, 16]
assert p['tasks'][7]['problem'] == 'problem_3' and 'problem_3' in f
assert f['problem_3'].attrs['zones'] == 16 and f['problem'].attrs['zones'] == 2
"
fi

# ---- plots against the zone count (postproc/sweep_plots.py) --------------------------------------
src=$out/zones_n1_R1.json; [ "$H5" = 1 ] && src=$out/zones_n1_R1.h5
"$PY" postproc/sweep_plots.py "$src" --outdir "$out/plots" --csv "$out/plots/tasks.csv" \
    > "$out/plots.log" 2>&1
expect_eq "sweep_plots.py: exit 0" "$?" 0
for m in traffic external_deps lb_pct wall_seconds overview; do
    check "sweep_plots.py wrote sweep_$m.png" test -s "$out/plots/sweep_$m.png"
done
expect_eq "sweep_plots.py --csv: 8 task rows" "$(($(wc -l < "$out/plots/tasks.csv") - 1))" 8

# ---- slices and zone counts merge back into the whole sweep -------------------------------------
"$ZP_BIN" sweep --config $SWEEP --slice 0/3 --quiet --summary "$out/slice0.json"
"$ZP_BIN" sweep --config $SWEEP --slice 1/3 --quiet --summary "$out/slice1.json"
"$ZP_BIN" sweep --config $SWEEP --slice 2/3 --quiet --summary "$out/slice2.json"
expect_eq "slice 1/3 runs tasks 1, 4, 7" "$(jq_py "$out/slice1.json" "[t['task'] for t in d['tasks']]")" "[1, 4, 7]"
"$PY" - "$out" <<'PYEOF' > "$out/merged.json"
import json, sys
tasks = []
for i in range(3):
    tasks += json.load(open(f"{sys.argv[1]}/slice{i}.json"))["tasks"]
print(json.dumps({"tasks": tasks}))
PYEOF
expect_eq "three slices merge into the whole sweep" "$(digest "$out/merged.json")" "$ref_json"
"$ZP_BIN" sweep --config $SWEEP --zones 16 --quiet --summary "$out/z16.json"
expect_eq "--zones 16 runs tasks 6 and 7" "$(jq_py "$out/z16.json" "[t['task'] for t in d['tasks']]")" "[6, 7]"
expect_eq "--zones 16: summary not complete as a sweep, complete as a selection" \
    "$(jq_py "$out/z16.json" "(d['tasks_total'], d['tasks_selected'], d['complete'])")" "(8, 2, True)"

# ---- preemption and resume ---------------------------------------------------------------------
# 12 tasks of about a second; 2 groups of one rank. The signal comes right after the first
# round, so the second round finishes and the sweep stops with 2 or 4 of 12 tasks.
cat > "$out/slow.json" <<EOF
{"name": "slow", "instances": ["$ZP_ROOT/inputs/thesis/case2.json"], "zones": [2, 4, 8, 16],
 "seeds": [1, 2, 3], "starts": 2, "search": {"iterations": 300}}
EOF
NR=1; [ "$MPI" = 1 ] && NR=2
outs() { # outs NAME: the output options of a run
    local a=(--summary "$out/$1.json"); [ "$H5" = 1 ] && a+=(--out "$out/$1.h5"); echo "${a[@]}"
}
zp_mpi $NR sweep --config "$out/slow.json" -R 1 --quiet $(outs full)
expect_eq "uninterrupted slow sweep: exit 0" "$?" 0

# run_and_signal NAME SIGNAL WHO: starts the sweep, waits for the first finished round, sends
# SIGNAL to the ranks (WHO=ranks, what Slurm does) or to mpirun (WHO=launcher), waits.
run_and_signal() {
    local name=$1 sig=$2 who=$3 pid targets i
    if [ "$MPI" = 1 ]; then
        mpirun -n $NR "$ZP_BIN" sweep --config "$out/slow.json" -R 1 $(outs "$name") \
            2>"$out/$name.err" >/dev/null &
    else
        "$ZP_BIN" sweep --config "$out/slow.json" $(outs "$name") 2>"$out/$name.err" >/dev/null &
    fi
    pid=$!
    for i in $(seq 600); do   # at most 60 s for the first round
        grep -q 'tasks done' "$out/$name.err" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$MPI" = 1 ] && [ "$who" = ranks ]; then targets=$(pgrep -P "$pid"); else targets=$pid; fi
    kill -"$sig" $targets 2>/dev/null
    wait "$pid"
}

run_and_signal part TERM ranks; rc=$?
expect_eq "SIGTERM midway: exit status 5" "$rc" 5
check "SIGTERM: message says how to resume" grep -q 'stopped by SIGTERM after .* --resume' "$out/part.err"
done_part=$(jq_py "$out/part.json" "len(d['tasks'])")
check "SIGTERM: some but not all tasks saved ($done_part of 12)" test "$done_part" -gt 0 -a "$done_part" -lt 12
expect_eq "SIGTERM: summary says incomplete" "$(jq_py "$out/part.json" "(d['complete'], d['stopped_by'])")" "(False, 'SIGTERM')"
if [ "$H5" = 1 ]; then
    check "SIGTERM: a valid HDF5 file" h5ls "$out/part.h5"
    check "SIGTERM: no .partial left" test ! -e "$out/part.h5.partial"
    expect_eq "SIGTERM: the file holds the finished tasks" \
        "$("$PY" -c "import h5py; print(len(h5py.File('$out/part.h5', 'r')['tasks']))")" "$done_part"
fi

# resume (the .h5, which also updates the summary given with --summary)
if [ "$H5" = 1 ]; then
    zp_mpi $NR sweep --config "$out/slow.json" -R 1 --quiet --resume "$out/part.h5" \
        --summary "$out/part.json" 2>"$out/resume.err"
    rc=$?
    expect_eq "--resume part.h5: exit 0" "$rc" 0
    [ "$rc" = 0 ] || cat "$out/resume.err"
    d_part=$(digest "$out/part.h5") d_full=$(digest "$out/full.h5")
    expect_eq "--resume: /tasks, placements, trajectories equal the uninterrupted run's" \
        "$d_part" "$d_full"
    [ "$d_part" = "$d_full" ] ||
        echo "  differences: $(digest --explain "$out/part.h5" "$out/full.h5")"
else
    zp_mpi $NR sweep --config "$out/slow.json" --quiet --resume "$out/part.json"
    expect_eq "--resume part.json: exit 0" "$?" 0
fi
expect_eq "--resume: the summary equals the uninterrupted run's" \
    "$(digest "$out/part.json")" "$(digest "$out/full.json")"
expect_eq "--resume: summary complete" "$(jq_py "$out/part.json" "d['complete']")" "True"
before=$(md5sum < "$out/part.json")
zp_mpi $NR sweep --config "$out/slow.json" --quiet --resume "$out/part.json"
expect_eq "--resume of a complete sweep: nothing to do, exit 0" "$?" 0
expect_eq "--resume of a complete sweep: summary unchanged" "$(md5sum < "$out/part.json")" "$before"

# a summary-only resume; and the launcher's signal: mpirun forwards SIGUSR1 (SIGTERM to
# mpirun itself kills the ranks within a second)
if [ "$MPI" = 1 ]; then
    run_and_signal usr1 USR1 launcher; rc=$?
    expect_eq "SIGUSR1 to mpirun: exit status 5" "$rc" 5
    rm -f "$out/usr1.h5"
    zp_mpi $NR sweep --config "$out/slow.json" -R 1 --quiet --resume "$out/usr1.json"
    expect_eq "--resume usr1.json (summary only): exit 0" "$?" 0
    expect_eq "--resume usr1.json: equals the uninterrupted summary" \
        "$(digest "$out/usr1.json")" "$(digest "$out/full.json")"
fi
# a resume file from another sweep is refused
expect_eq "--resume with another sweep's output: input error" \
    "$(status "$ZP_BIN" sweep --config $SWEEP --resume "$out/full.json")" 3
finish
