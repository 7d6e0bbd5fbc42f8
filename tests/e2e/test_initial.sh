#!/usr/bin/env bash
# /initial_placements holds the placement the search started from, as the pipeline made it, for
# the runs the writer could not reproduce it for before (a multilevel run, an arrival scenario,
# a sweep): every row is scored again from its /problem group with h5py and must give the
# metrics of the task's phase 0 (traffic, external dependencies, apps per zone); arriving apps
# are -1, every other app has a zone.
source "$(dirname "$0")/../lib.sh"
if [ "$MPI" != 1 ]; then
    echo "serial build (MPI=0): no HDF5 output, nothing to test"
    finish
    exit $?
fi
out=$ZP_TMP/initial
rm -rf "$out" && mkdir -p "$out"

check "multilevel run" "$ZP_BIN" run --quiet --config inputs/thesis/case2.json --init multilevel \
    --iterations 50 --out "$out/ml.h5"
check "greedy run on 2 ranks" zp_mpi 2 run --quiet --config inputs/thesis/case2.json \
    --init greedy --starts 2 --iterations 50 --out "$out/greedy.h5"
check "arrival run" "$ZP_BIN" run --quiet --config inputs/thesis/case1_arrivals.json \
    --iterations 50 --out "$out/arr.h5"
check "sweep on 2 ranks" zp_mpi 2 sweep --quiet \
    --config inputs/sweeps/case1_small.json --out "$out/sweep.h5"
check "sweep with --init multilevel" "$ZP_BIN" sweep --quiet --config inputs/sweeps/case1_small.json \
    --init multilevel --out "$out/sweep_ml.h5"

"$PY" - "$out" > "$out/check.log" 2>&1 <<'PYEOF'
import sys
import numpy as np
import h5py
out = sys.argv[1]
def ok(cond, desc):
    print(("ok - " if cond else "FAIL - ") + desc, flush=True)
for name, rows_expected, init in (("ml", 1, "multilevel"), ("greedy", 1, "greedy"),
                                  ("arr", 1, "rr"), ("sweep", 6, "rr"),
                                  ("sweep_ml", 6, "multilevel")):
    with h5py.File(f"{out}/{name}.h5", "r") as f:
        tasks, phases, x0s = f["tasks"][...], f["phases"][...], f["initial_placements"][...]
        ok(len(tasks) == rows_expected, f"{name}.h5: {rows_expected} task rows")
        for i, t in enumerate(tasks):
            ok(t["init"].decode() == init, f"{name}.h5 task {t['task']}: init {init}")
            group = f["problem" if t["problem"] == 0 else f"problem_{t['problem']}"]
            D, dep = group["D"][...], group["dependencies"][...]
            T = float(group.attrs["requests"])
            x0 = x0s[i, :t["apps"]]
            arriving = group["current"][...] < 0 if "current" in group else np.zeros(len(x0), bool)
            ph0 = phases[(phases["task"] == t["task"]) & (phases["phase"] == 0)]
            ok(len(ph0) == 1, f"{name}.h5 task {t['task']}: one phase-0 row")
            ok(bool(np.all(x0[arriving] == -1) and np.all(x0[~arriving] >= 0)),
               f"{name}.h5 task {t['task']}: a zone for every app there at the start "
               f"({int(np.sum(~arriving))}), -1 for the {int(np.sum(arriving))} arriving")
            both = ~arriving[dep["src"]] & ~arriving[dep["dst"]]
            d = dep[both]
            traffic = T * float(np.sum(d["weight"] * D[x0[d["src"]], x0[d["dst"]]]))
            ext = int(np.sum(d["multiplicity"][x0[d["src"]] != x0[d["dst"]]]))
            counts = np.bincount(x0[~arriving], minlength=t["zones"])
            m = ph0[0]
            ok(abs(traffic - m["traffic"]) <= 1e-9 * max(1.0, abs(m["traffic"])) and
               ext == m["external_deps"] and counts.max() == m["max_zone_apps"] and
               counts.min() == m["min_zone_apps"],
               f"{name}.h5 task {t['task']}: /initial_placements scores as phase 0 "
               f"{m['name'].decode()} (traffic {traffic:.0f}, {ext} external deps, "
               f"{counts.min()}..{counts.max()} apps per zone)")
print("checker done")
PYEOF
while IFS= read -r line; do
    case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "FAIL - "*) not_ok "${line#FAIL - }" ;;
        "checker done") done=1 ;;
        *) echo "    $line" ;;
    esac
done < "$out/check.log"
[ "${done:-0}" = 1 ] || not_ok "the Python checker did not finish"
finish
