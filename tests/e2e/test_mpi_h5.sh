#!/usr/bin/env bash
# Parallel runs and the HDF5 output (docs/design.md sections 4 and 5):
# - case 2 with 32 starts, seed 7 on 1, 2, 3 and 4 ranks: identical placements and objectives in the
#   summary JSON, identical /placements, identical trajectories (but for wall times);
# - the file against the summary: /tasks, /phases, /starts (every start's seed), /placements,
#   trajectory rows of all 32 starts, /problem consistent with the metrics, root attributes;
# - h5dump, h5py and postproc/zpload open it; best of 32 starts <= best of 1 start;
# - ranks without starts (4 ranks, 2 starts) and an arrival scenario write valid files;
# - crash safety: SIGKILL leaves no final file, an existing file is kept without --force (exit 4)
#   and replaced with it, a stale NAME.partial does not matter.
source "$(dirname "$0")/../lib.sh"
if [ "$MPI" != 1 ]; then
    echo "serial build (MPI=0): no MPI or HDF5, nothing to test"
    finish
    exit $?
fi
out=$ZP_TMP/mpi_h5
rm -rf "$out" && mkdir -p "$out"
CASE2=inputs/thesis/case2.json

# Runs the Python checks given on stdin with arguments; turns their "ok - "/"FAIL - " lines into
# this script's counts. A checker that dies before printing "checker done" is a failure.
pycheck() {
    local name=$1 line done=0; shift
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok "${line#ok - }" ;;
            "FAIL - "*) not_ok "${line#FAIL - }" ;;
            "checker done") done=1 ;;
            *) echo "    $line" ;;
        esac
    done < <("$PY" - "$@" 2>&1)
    [ "$done" = 1 ] || not_ok "$name: the Python checker did not finish"
}

# ---- the same run on 1, 2, 3 and 4 ranks ----
# The acceptance command, with the automatic number of rounds (ZP_H5_ITERATIONS=N sets it, for
# quick local runs). The 1-rank run goes in the background while the 2-, 3- and 4-rank runs use
# the cores: the same work in less time (3 ranks: 32 starts that do not split evenly).
iters=()
[ -n "${ZP_H5_ITERATIONS:-}" ] && iters=(--iterations "$ZP_H5_ITERATIONS")
run32() { zp_mpi "$1" run --quiet --config "$CASE2" --starts 32 --seed 7 "${iters[@]}" \
    --out "$out/r$1.h5" --summary "$out/s$1.json" >"$out/run$1.log" 2>&1; }
t0=$SECONDS
run32 1 &
bg=$!
run32 2; rc2=$?
run32 3; rc3=$?
run32 4; rc4=$?
wait "$bg"; rc1=$?
echo "    (1, 2, 3 and 4 ranks: $((SECONDS - t0)) s)"
for P in 1 2 3 4; do
    rc=rc$P
    expect_eq "case2, 32 starts, seed 7 on $P rank(s)" "${!rc}" 0
    [ "${!rc}" = 0 ] || cat "$out/run$P.log"
    check "r$P.h5 renamed from its temporary name" bash -c "test -f '$out/r$P.h5' && ! compgen -G '$out/r$P.h5.partial*'"
done

pycheck "ranks and file" "$out" <<'EOF'
import json, math, re, sys
import numpy as np
import h5py
out = sys.argv[1]
def ok(cond, desc):
    print(("ok - " if cond else "FAIL - ") + desc, flush=True)
def same_num(a, b):  # cJSON prints 15 digits when they read back within an ulp: allow that
    return math.isclose(float(a), float(b), rel_tol=1e-14, abs_tol=0.0)

S = {P: json.load(open(f"{out}/s{P}.json"))["tasks"] for P in (1, 2, 3, 4)}
t1 = S[1][0]
for P in (2, 3, 4):
    t = S[P][0]
    ok(len(S[P]) == 1, f"summary of {P} ranks has one task")
    ok(t["placement"] == t1["placement"], f"placement on {P} ranks == on 1 rank")
    ok(t["final"] == t1["final"], f"final metrics on {P} ranks == on 1 rank "
       f"(objective {t['final']['objective']} vs {t1['final']['objective']})")
    ok(t["best_start"] == t1["best_start"], f"best start on {P} ranks == on 1 rank")
    ok([p["objective"] for p in t["phases"]] == [p["objective"] for p in t1["phases"]],
       f"phase objectives on {P} ranks == on 1 rank")
    ok(t["start_seeds"] == t1["start_seeds"], f"start seeds on {P} ranks == on 1 rank")
print(f"objectives: " + ", ".join(f"P={P}: {S[P][0]['final']['objective']}" for P in (1, 2, 3, 4)))

metric_names = ["objective", "traffic", "external_deps", "internal_deps", "cut_weight", "cv",
                "lb_pct", "resource_cv", "move_cost", "moves", "violations", "imbalance",
                "thesis_cost", "thesis_pct", "thesis_lb_pct"]
place, traj_key = {}, {}
for P in (1, 2, 3, 4):
    s = S[P][0]
    with h5py.File(f"{out}/r{P}.h5", "r") as f:
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        ok(a.get("creator") == "zoneplace" and a.get("version") and a.get("git_revision"),
           f"r{P}.h5: creator, version, git revision")
        ok(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a.get("created", "")) is not None,
           f"r{P}.h5: created is ISO 8601 UTC ({a.get('created')})")
        ok(int(a.get("mpi_ranks", -1)) == P, f"r{P}.h5: mpi_ranks == {P}")
        ok("--starts 32" in a.get("command_line", ""), f"r{P}.h5: command line recorded")
        cfg = json.loads(f["parameters/config_json"][()].decode())
        ok(cfg.get("name") == "case2", f"r{P}.h5: /parameters/config_json is the config")

        tasks = f["tasks"][...]
        ok(len(tasks) == 1, f"r{P}.h5: one /tasks row (got {len(tasks)})")
        r = tasks[0]
        same = [k for k in ("task", "zones", "apps", "starts", "epochs", "best_start")
                if int(r[k]) == s[k]]
        same += ["seed"] if int(r["seed"]) == int(s["seed"]) else []
        same += ["wall_seconds"] if same_num(r["wall_seconds"], s["wall_seconds"]) else []
        same += [k for k in metric_names if same_num(r[k], s["final"][k])]
        same += ["instance"] if r["instance"].decode() == s["instance"] else []
        ok(len(same) == 8 + len(metric_names) + 1,
           f"r{P}.h5: /tasks row equals the summary (differs: "
           f"{sorted(set(['task','zones','apps','starts','epochs','best_start','seed','wall_seconds','instance'] + metric_names) - set(same))})")
        ok(int(r["max_zone_apps"]) == s["final"]["max_zone_apps"] and int(r["problem"]) == 0,
           f"r{P}.h5: max zone apps, problem group 0")

        pl = f["placements"][...]
        ok(pl.shape == (1, s["apps"]) and pl.dtype == np.int32,
           f"r{P}.h5: /placements int32 [1][{s['apps']}] (got {pl.shape} {pl.dtype})")
        ok(pl[0].tolist() == s["placement"], f"r{P}.h5: /placements == summary placement")
        place[P] = pl.tobytes()

        ph = f["phases"][...]
        ok([n.decode() for n in ph["name"]] == [p["phase"] for p in s["phases"]] and
           all(same_num(v, p["objective"]) for v, p in zip(ph["objective"], s["phases"])),
           f"r{P}.h5: /phases == summary phases")

        st = f["starts"][...]
        ok(sorted(st["start"].tolist()) == list(range(32)), f"r{P}.h5: /starts has 32 starts")
        seeds = {int(a): str(int(b)) for a, b in zip(st["start"], st["seed"])}
        ok([seeds[i] for i in range(32)] == s["start_seeds"], f"r{P}.h5: start seeds == summary")

        t = f["trajectory"][...]
        starts = set(t["start"].tolist())
        ok(starts == set(range(32)) | {-1}, f"r{P}.h5: trajectory rows for all 32 starts "
           f"(+ phase rows), {len(t)} rows")
        ok(int(np.sum(t["start"] == -1)) == len(s["phases"]), f"r{P}.h5: one phase row per phase")
        mono = all(np.all(np.diff(t["step"][t["start"] == k]) >= 0) for k in range(32))
        ok(mono, f"r{P}.h5: each start's rows in step order")
        names = [n.decode() if isinstance(n, bytes) else n for n in f["trajectory"].attrs["phase_names"]]
        ok(names[:3] == ["init", "search", "rebalance"], f"r{P}.h5: phase_names attribute {names}")
        for tab in ("tasks", "phases", "starts", "trajectory"):
            d = f[tab]
            fn = list(d.attrs["field_names"])
            ok(len(fn) == len(d.dtype.names) == len(d.attrs["field_units"]) ==
               len(d.attrs["field_descriptions"]), f"r{P}.h5: /{tab} documents every field")
        rows = t[t["start"] >= 0]
        order = np.lexsort((rows["epoch"], rows["step"], rows["start"]))  # stable: ties in file order
        traj_key[P] = b"".join(np.ascontiguousarray(rows[k][order]).tobytes()
                               for k in rows.dtype.names if k != "wall")

        p = f["problem"]
        D, dep = p["D"][...], p["dependencies"][...]
        x = pl[0]
        T = float(p.attrs["requests"])
        traffic = T * float(np.sum(dep["weight"] * D[x[dep["src"]], x[dep["dst"]]]))
        ext = int(np.sum(dep["multiplicity"][x[dep["src"]] != x[dep["dst"]]]))
        ok(same_num(traffic, s["final"]["traffic"]) and ext == s["final"]["external_deps"],
           f"r{P}.h5: traffic/external deps recomputed from /problem ({traffic}, {ext})")
        ok(p["app_names"].shape == (200,) and p["demand"].shape == (200, len(p["resources"])) and
           p["capacity"].shape == (10, len(p["resources"])) and D.shape == (10, 10),
           f"r{P}.h5: /problem shapes")
        x0 = f["initial_placements"][0]
        t0 = T * float(np.sum(dep["weight"] * D[x0[dep["src"]], x0[dep["dst"]]]))
        ok(np.all(x0 >= 0) and same_num(t0, s["phases"][0]["traffic"]),
           f"r{P}.h5: /initial_placements scores as phase {s['phases'][0]['phase']} ({t0})")
ok(place[1] == place[2] == place[3] == place[4],
   "/placements byte-identical for 1, 2, 3 and 4 ranks")
ok(traj_key[1] == traj_key[2] == traj_key[3] == traj_key[4],
   "/trajectory identical for 1, 2, 3 and 4 ranks (wall times aside)")

sys.path.insert(0, "postproc")
import zpload
run = zpload.load(f"{out}/r2.h5")
kind = type(run.tasks).__name__
ok(len(run.tasks) == 1 and "objective" in run.tasks.columns and
   same_num(zpload.column(run.tasks, "objective")[0], S[2][0]["final"]["objective"]),
   f"zpload: /tasks as a table ({kind})")
ok(len(run.trajectory_of(0, start=0)) > 0 and run.placement(0).tolist() == S[2][0]["placement"],
   "zpload: trajectory of a start, placement of a task")
zt = run.zone_table(0)
ok(int(np.sum(zpload.column(zt, "apps_after"))) == 200 and "apps_before" in zt.columns,
   "zpload: zone table before and after")
print("checker done")
EOF

check "h5dump reads the header" bash -c "h5dump -H '$out/r2.h5' | grep -q 'DATASET \"trajectory\"'"
check "h5dump reads /placements" bash -c "h5dump -d /placements '$out/r4.h5' >/dev/null"

# ---- more starts never hurt ----
zp_mpi 2 run --quiet --config "$CASE2" --starts 1 --seed 7 --summary "$out/one.json"
best1=$(jq_py "$out/one.json" "d['tasks'][0]['final']['objective']")
best32=$(jq_py "$out/s2.json" "d['tasks'][0]['final']['objective']")
echo "    best of 1 start: $best1, best of 32 starts: $best32"
expect_le "best of 32 starts <= best of 1 start" "$best32" "$best1"

# ---- ranks without starts, and an arrival scenario ----
check "4 ranks, 2 starts (ranks with no rows)" zp_mpi 4 run --quiet --config "$CASE2" --starts 2 \
    --iterations 50 --out "$out/z.h5"
check "arrivals on 2 ranks" zp_mpi 2 run --quiet --config inputs/thesis/case1_arrivals.json \
    --starts 3 --iterations 50 --out "$out/arr.h5" --summary "$out/arr.json"
pycheck "small files" "$out" <<'EOF'
import json, sys
import numpy as np
import h5py
out = sys.argv[1]
def ok(cond, desc):
    print(("ok - " if cond else "FAIL - ") + desc, flush=True)
with h5py.File(f"{out}/z.h5", "r") as f:
    t = f["trajectory"][...]
    ok(len(f["tasks"]) == 1 and set(t["start"].tolist()) == {-1, 0, 1},
       "z.h5: one task, trajectories of starts 0 and 1")
s = json.load(open(f"{out}/arr.json"))["tasks"][0]
with h5py.File(f"{out}/arr.h5", "r") as f:
    ok(f["placements"][0].tolist() == s["placement"], "arr.h5: placement of the arrivals")
    ok("current" in f["problem"] and f["problem/app_names"].shape == (s["apps"],),
       "arr.h5: /problem is the arrival problem with current zones")
    x0, cur = f["initial_placements"][0], f["problem/current"][...]
    ok(bool(np.all(x0[cur < 0] == -1) and np.all(x0[cur >= 0] >= 0)),
       "arr.h5: the base apps' initial placement, -1 for the arriving apps (test_initial.sh)")
print("checker done")
EOF

# ---- crash safety ----
status() { "$@" >/dev/null 2>&1; echo $?; }
mpirun -n 2 "$ZP_BIN" run --quiet --config "$CASE2" --starts 64 --iterations 100000 \
    --out "$out/killed.h5" >/dev/null 2>&1 &
runner=$!
for _ in $(seq 50); do # until mpirun has started its ranks (at most 10 s), then 1 s more
    [ -n "$(pgrep -P "$runner")" ] && break
    sleep 0.2
done
sleep 1
ranks=$(pgrep -P "$runner" | tr '\n' ' ')
echo "    SIGKILL to ranks ${ranks:-(none)}and mpirun $runner"
[ -n "$ranks" ] && kill -9 $ranks 2>/dev/null
kill -9 "$runner" 2>/dev/null
wait "$runner" 2>/dev/null
gone() { # all of the pids have ended (waits up to 5 s for the killed to be reaped)
    local p i
    for i in $(seq 25); do
        for p in "$@"; do kill -0 "$p" 2>/dev/null && break; done
        kill -0 "${p:-0}" 2>/dev/null || return 0
        sleep 0.2
    done
    return 1
}
check "SIGKILL: the ranks are gone" gone $ranks
check "SIGKILL: no killed.h5" test ! -e "$out/killed.h5"
echo "    left behind: $(cd "$out" && ls killed.h5* 2>/dev/null | tr '\n' ' ')"

cp "$out/r1.h5" "$out/keep.h5"
sum=$(md5sum < "$out/keep.h5")
expect_eq "existing file refused without --force (exit 4)" \
    "$(status zp_mpi 2 run --quiet --config inputs/thesis/case1.json --iterations 20 --out "$out/keep.h5")" 4
expect_eq "existing file untouched" "$(md5sum < "$out/keep.h5")" "$sum"
check "no temporary keep.h5.partial.* after a refusal" bash -c "! compgen -G '$out/keep.h5.partial*'"
check "--force replaces it" zp_mpi 2 run --quiet --force --config inputs/thesis/case1.json \
    --iterations 20 --out "$out/keep.h5"
check "replaced file differs and opens" bash -c "[ \"\$(md5sum < '$out/keep.h5')\" != '$sum' ] && h5dump -H '$out/keep.h5' >/dev/null"
echo "not HDF5" > "$out/stale.h5.partial"
check "a stale .partial does not matter" zp_mpi 2 run --quiet --config inputs/thesis/case1.json \
    --iterations 20 --out "$out/stale.h5"
check "stale run published, the stale .partial left alone" bash -c "test -f '$out/stale.h5' && grep -q 'not HDF5' '$out/stale.h5.partial'"
expect_eq "output in a missing folder: exit 4" \
    "$(status zp_mpi 2 run --quiet --config inputs/thesis/case1.json --out "$out/no/such/x.h5")" 4
finish
