#!/usr/bin/env bash
# Durable progress of a sweep: its outputs are published after every round, so a SIGKILL of the
# whole job (every process of its session, as a dying node would) at a random round leaves an
# openable HDF5 file, marked incomplete, holding every task finished before the kill, and
# --resume completes it to the same /tasks as an uninterrupted sweep. The kills are synchronised
# on the sweep's progress line ("k/8 tasks done", printed after round k is published), never on
# sleeps, and the outputs are read once every process is gone. Honest resume: a resume with
# other options or an edited sweep file is refused with status 3 naming what differs;
# --start-over computes the sweep again. Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, PY;
# ZP_DURABLE_SEED fixes the rounds.
source "$(dirname "$0")/../lib.sh"

if [ "$MPI" != 1 ]; then
    echo "note: serial build: no HDF5 output, durable HDF5 commits not tested"
    finish
    exit
fi
WORK=$ZP_TMP/durable
rm -rf "$WORK" && mkdir -p "$WORK"
SWEEP=inputs/sweeps/case2_zones.json # 8 tasks; one group of 2 ranks: one task per round
seed=${ZP_DURABLE_SEED:-$$}
RANDOM=$seed
echo "random kill rounds from seed $seed (ZP_DURABLE_SEED=$seed reproduces them)"

sweep() { mpirun -n 2 "$ZP_BIN" sweep --config "$SWEEP" --ranks-per-task 2 "$@"; }
# tasks_of FILE: the /tasks rows without the wall-clock column, sorted by task
tasks_of() {
    "$PY" - "$1" <<'EOF'
import h5py, sys
t = h5py.File(sys.argv[1], "r")["tasks"][:]
names = [n for n in t.dtype.names if n != "wall_seconds"]
for row in sorted(t, key=lambda r: r["task"]):
    print(" ".join(repr(row[n]) for n in names))
EOF
}

sweep --quiet --out "$WORK/ref.h5" >"$WORK/ref.log" 2>&1
expect_eq "uninterrupted sweep" "$?" 0
tasks_of "$WORK/ref.h5" >"$WORK/ref.tasks"

for trial in 1 2 3 4; do
    dir=$WORK/t$trial
    mkdir -p "$dir"
    k=$((1 + RANDOM % 7)) # rounds published before the kill
    : >"$dir.log"
    setsid mpirun -n 2 "$ZP_BIN" sweep --config "$SWEEP" --ranks-per-task 2 --out "$dir/s.h5" \
        --summary "$dir/s.json" >"$dir.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && ! grep -q "sweep: $k/8 tasks done" "$dir.log"; do
        sleep 0.01
    done
    kill_session "$pid" || not_ok "trial $trial: processes survived SIGKILL" # setsid: mpirun leads
    wait "$pid" 2>/dev/null
    state=$("$PY" - "$dir/s.h5" "$dir/s.json" <<'EOF' 2>&1
import h5py, json, sys
f = h5py.File(sys.argv[1], "r")
ids = sorted(int(i) for i in f["tasks"]["task"])
j = json.load(open(sys.argv[2]))
jids = sorted(t["task"] for t in j["tasks"])
print(int(f.attrs["complete"]), len(ids), len(jids), set(jids) <= set(ids))
EOF
)
    # The kill may land after a later round than k (after the last one the file is complete),
    # or between the two renames of a round, where the JSON (published last, as documented)
    # still holds the round before: its tasks are then a subset of the HDF5 file's.
    read -r complete ntasks njson subset <<<"$state"
    want_complete=0; [ "${ntasks:-0}" = 8 ] && want_complete=1
    check "trial $trial, killed after round $k: file opens, complete iff 8 tasks, >= $k tasks in both outputs, JSON tasks within the HDF5's ($state)" \
        test "$complete" = "$want_complete" -a "${ntasks:-0}" -ge "$k" -a "${njson:-0}" -ge "$k" -a "$subset" = True
    tasks_of "$dir/s.h5" >"$dir/got.tasks"
    expect_eq "trial $trial: every committed task equals the uninterrupted sweep's" \
        "$(grep -cvFxf "$WORK/ref.tasks" "$dir/got.tasks")" 0
    sweep --quiet --resume "$dir/s.h5" >"$dir/resume.log" 2>&1
    expect_eq "trial $trial: --resume completes it" "$?" 0
    tasks_of "$dir/s.h5" >"$dir/final.tasks"
    check "trial $trial: resumed /tasks equal the uninterrupted sweep's" \
        cmp -s "$dir/final.tasks" "$WORK/ref.tasks"
    expect_eq "trial $trial: resumed file marked complete" \
        "$("$PY" -c "import h5py,sys; print(int(h5py.File(sys.argv[1],'r').attrs['complete']))" "$dir/s.h5")" 1
done

# ---- honest resume ---------------------------------------------------------------------------
dig=$WORK/digest
mkdir -p "$dig"
sweep --quiet --zones 2 --out "$dig/s.h5" --summary "$dig/s.json" >/dev/null 2>&1
expect_eq "digest: a first part of the sweep" "$?" 0
sweep --quiet --resume "$dig/s.h5" --iterations 50 >"$dig/iter.log" 2>&1
expect_eq "resume with another --iterations: refused (status 3)" "$?" 3
check "resume with another --iterations: names the options" \
    grep -q "^zoneplace: --resume $dig/s.h5: .*the effective search options .* differ" "$dig/iter.log"
sweep --quiet --resume "$dig/s.json" --iterations 50 >"$dig/iterj.log" 2>&1
expect_eq "resume of the summary with another --iterations: refused (status 3)" "$?" 3
"$PY" - "$SWEEP" "$dig/edited.json" <<'EOF'
import json, os, sys
s = json.load(open(sys.argv[1]))
s["instances"] = [os.path.abspath(os.path.join(os.path.dirname(sys.argv[1]), i)) for i in s["instances"]]
s["starts"] = 3
json.dump(s, open(sys.argv[2], "w"))
EOF
mpirun -n 2 "$ZP_BIN" sweep --config "$dig/edited.json" --ranks-per-task 2 --quiet \
    --resume "$dig/s.h5" >"$dig/edited.log" 2>&1
expect_eq "resume with an edited sweep file: refused (status 3)" "$?" 3
check "resume with an edited sweep file: names the sweep file and the options" \
    grep -q "the sweep file's parameters; the effective search options" "$dig/edited.log"
sweep --quiet --resume "$dig/s.h5" >/dev/null 2>&1
expect_eq "resume with the same inputs and options: accepted" "$?" 0
sweep --quiet --resume "$dig/s.h5" --iterations 50 --start-over >"$dig/over.log" 2>&1
expect_eq "--start-over: the sweep runs again (status 0)" "$?" 0
expect_eq "--start-over: a complete file of all 8 tasks" \
    "$("$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); print(int(f.attrs['complete']), len(f['tasks']))" "$dig/s.h5")" "1 8"
finish
