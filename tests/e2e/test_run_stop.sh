#!/usr/bin/env bash
# Stopping a long `zoneplace run` and its checkpoints (README: "Stopping a run; checkpoints"):
#   - a run far longer than any test (case 2, 10^6 rounds per start in 100-round epochs)
#     signalled once its first checkpoint is written: SIGTERM to its rank(s) on 1 and 2 ranks
#     (what Slurm does), SIGUSR1 to mpirun (which forwards it), SIGINT to a run without mpirun:
#     exit status 5 and the message, a summary and an HDF5 file marked incomplete (complete =
#     0, stopped_by) whose placement's metrics, recomputed from /problem, equal what the summary
#     and /tasks say, with every zone limit kept;
#   - SIGKILL of every process of the job after a few checkpoints: an openable file marked
#     incomplete holding a valid placement;
#   - checkpoints never change results: a run checkpointing at every epoch gives the placement,
#     phases and trajectory of a run without checkpoints, marked complete.
# No sleeps as synchronisation and no timing assertions: signals wait for the run's
# "checkpoint N" progress line. Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, PY.
source "$(dirname "$0")/../lib.sh"

WORK=$ZP_TMP/run_stop
rm -rf "$WORK" && mkdir -p "$WORK"
CFG=inputs/thesis/case2.json
LONG=(--iterations 1000000 --epochs 10000 --starts 4 --checkpoint-every 0)
H5=$MPI # the serial build writes no HDF5

outs() { # outs NAME: the output options of a run
    local a=(--summary "$WORK/$1.json"); [ "$H5" = 1 ] && a+=(--out "$WORK/$1.h5"); echo "${a[@]}"
}

# wait_line FILE PATTERN PID: until the log FILE holds PATTERN or the process PID has ended
wait_line() {
    while kill -0 "$3" 2>/dev/null && ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.05; done
    grep -q "$2" "$1" 2>/dev/null
}

# verify NAME COMPLETE STOPPED_BY [same]: the summary (and the HDF5 file) of run NAME: their
# completeness; the placement's metrics recomputed from /problem equal /tasks; every zone limit
# kept; with "same", the HDF5 file and the summary are of the same publish
verify() {
    local line
    "$PY" - "$WORK/$1" "$2" "$3" "$H5" "${4:-}" >"$WORK/$1.verify" 2>&1 <<'EOF'
import json, math, sys
base, complete, stopped_by, h5, same = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4] == "1", sys.argv[5] == "same"
def ok(cond, what):
    print(("ok - " if cond else "FAIL - ") + what, flush=True)
def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)
name = base.rsplit("/", 1)[1]
s = json.load(open(base + ".json"))
t = s["tasks"][0]
ok(s["complete"] == complete and s["stopped_by"] == stopped_by,
   f"{name}: summary complete {s['complete']}, stopped_by '{s['stopped_by']}'")
fin = t["final"]
ok(len(t["placement"]) == t["apps"] == 200 and all(0 <= z < 10 for z in t["placement"]),
   f"{name}: the summary holds a placement of every app")
ok(fin["violations"] == 0 and fin["imbalance"] == 0,
   f"{name}: no violations, no app outside the band ({fin['violations']}, {fin['imbalance']})")
if not h5:
    sys.exit()
import numpy as np, h5py
with h5py.File(base + ".h5", "r") as f:
    ok(int(f.attrs["complete"]) == int(complete), f"{name}.h5: opens, complete = {int(f.attrs['complete'])}")
    r = f["tasks"][0]
    x = f["placements"][0]
    p = f["problem"]
    D, dep = p["D"][...], p["dependencies"][...]
    traffic = float(p.attrs["requests"]) * float(np.sum(dep["weight"] * D[x[dep["src"]], x[dep["dst"]]]))
    ext = int(np.sum(dep["multiplicity"][x[dep["src"]] != x[dep["dst"]]]))
    ok(close(traffic, r["traffic"]) and ext == r["external_deps"] and close(r["objective"], traffic),
       f"{name}.h5: traffic and external deps recomputed from /problem equal /tasks ({traffic}, {ext})")
    k = len(p["zone_names"])
    demand, cap = p["demand"][...], p["capacity"][...]
    per_app = p.attrs["capacity_mode"] in ("per_app", b"per_app")
    counts = np.bincount(x, minlength=k)
    if per_app:
        fits = np.all(demand <= cap[x] + 1e-9)
    else:
        load = np.zeros_like(cap)
        np.add.at(load, x, demand)
        fits = np.all(load <= cap + 1e-9)
    io = np.all(p["zone_io"][...][x] >= p["needs_io"][...])
    ok(bool(fits and io and np.all(counts <= p["slots"][...]) and r["violations"] == 0),
       f"{name}.h5: every app fits its zone (capacity, io, slots)")
    ph = [n.decode() for n in f["phases"]["name"]]
    ok(ph == [q["phase"] for q in t["phases"]] or not same, f"{name}.h5: phases {ph}")
    if same:
        ok(x.tolist() == t["placement"] and close(r["objective"], fin["objective"]) and
           close(r["traffic"], fin["traffic"]) and int(r["external_deps"]) == fin["external_deps"],
           f"{name}.h5: /placements and /tasks equal the summary (objective {fin['objective']})")
EOF
    [ $? = 0 ] || not_ok "$1: the outputs could be read"
    while IFS= read -r line; do
        case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "FAIL - "*) not_ok "${line#FAIL - }" ;;
        *) echo "$line" ;;
        esac
    done <"$WORK/$1.verify"
}

# ---- stopped by a signal -------------------------------------------------------------------------
# stop_run NAME RANKS SIG WHO: the long run on RANKS ranks (0: without mpirun), SIG sent to its
# ranks (WHO=ranks) or to mpirun (WHO=launcher) after its first checkpoint; prints the status
stop_run() {
    local name=$1 nr=$2 sig=$3 who=$4 pid targets
    if [ "$MPI" = 1 ] && [ "$nr" -gt 0 ]; then
        mpirun -n "$nr" "$ZP_BIN" run --config "$CFG" "${LONG[@]}" $(outs "$name") \
            >"$WORK/$name.out" 2>"$WORK/$name.err" &
    else
        "$ZP_BIN" run --config "$CFG" "${LONG[@]}" $(outs "$name") \
            >"$WORK/$name.out" 2>"$WORK/$name.err" &
    fi
    pid=$!
    wait_line "$WORK/$name.err" "checkpoint 1:" "$pid" >/dev/null
    targets=$pid
    [ "$MPI" = 1 ] && [ "$nr" -gt 0 ] && [ "$who" = ranks ] && targets=$(pgrep -P "$pid")
    kill -"$sig" $targets 2>/dev/null
    wait "$pid"
    echo $?
}

cases=("term1 1 TERM ranks" "term2 2 TERM ranks" "usr1 2 USR1 launcher" "int0 0 INT ranks")
[ "$MPI" = 1 ] || cases=("term0 0 TERM ranks" "int0 0 INT ranks")
for c in "${cases[@]}"; do
    read -r name nr sig who <<<"$c"
    what="$name: SIG$sig to the $who of a run on $nr rank(s)"
    [ "$nr" = 0 ] && what="$name: SIG$sig to a run without mpirun"
    expect_eq "$what: exit status 5" "$(stop_run "$name" "$nr" "$sig" "$who")" 5
    check "$what: the message names the signal" \
        grep -q "stopped by SIG$sig: the best placement found so far is saved" "$WORK/$name.err"
    verify "$name" 0 "SIG$sig" same
done

# ---- SIGKILL after checkpoints -----------------------------------------------------------------
if [ "$MPI" = 1 ]; then
    setsid mpirun -n 2 "$ZP_BIN" run --config "$CFG" "${LONG[@]}" $(outs kill) \
        >"$WORK/kill.out" 2>"$WORK/kill.err" &
else
    setsid "$ZP_BIN" run --config "$CFG" "${LONG[@]}" $(outs kill) >"$WORK/kill.out" \
        2>"$WORK/kill.err" &
fi
pid=$!
check "SIGKILL: the run wrote 3 checkpoints" wait_line "$WORK/kill.err" "checkpoint 3:" "$pid"
kill_session "$pid" || not_ok "SIGKILL: processes survived" # setsid: the job's leader
wait "$pid" 2>/dev/null
verify kill 0 "" # a kill between the two renames leaves the JSON one checkpoint behind

# ---- checkpoints do not change results ------------------------------------------------------------
NR=1; [ "$MPI" = 1 ] && NR=2
SHORT=(--iterations 600 --epochs 3 --starts 4 --seed 5)
zp_mpi $NR run --config "$CFG" "${SHORT[@]}" $(outs plain) >/dev/null 2>"$WORK/plain.err"
expect_eq "a run without checkpoints: exit 0" "$?" 0
zp_mpi $NR run --config "$CFG" "${SHORT[@]}" --checkpoint-every 0 $(outs ckpt) >/dev/null \
    2>"$WORK/ckpt.err"
expect_eq "a run checkpointing at every epoch: exit 0" "$?" 0
check "it wrote 4 checkpoints (initial placement, 3 epochs)" grep -q "checkpoint 4:" "$WORK/ckpt.err"
verify ckpt 1 "" same
stripped() { # the summary FILE without its wall times
    "$PY" - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for t in d["tasks"]:
    t.pop("wall_seconds")
    for q in t["phases"]:
        q.pop("seconds")
print(json.dumps(d, sort_keys=True))
EOF
}
expect_eq "checkpoints change no result (summary without wall times)" \
    "$(stripped "$WORK/ckpt.json" | md5sum)" "$(stripped "$WORK/plain.json" | md5sum)"
if [ "$H5" = 1 ]; then
    h5rows() {
        "$PY" - "$1" <<'EOF'
import h5py, sys
f = h5py.File(sys.argv[1], "r")
for tab in ("tasks", "phases", "starts", "trajectory"):
    t = f[tab][:]
    print(tab, [tuple(r[n] for n in t.dtype.names if n not in ("wall", "wall_seconds", "seconds")) for r in t])
print(f["placements"][:].tolist(), int(f.attrs["complete"]))
EOF
    }
    expect_eq "checkpoints change no result (HDF5 tables without wall times, complete = 1)" \
        "$(h5rows "$WORK/ckpt.h5" | md5sum)" "$(h5rows "$WORK/plain.h5" | md5sum)"
fi
finish
