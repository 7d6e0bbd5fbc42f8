#!/usr/bin/env bash
# postproc/: plots.py writes its PNGs from a fresh run; on an arrival run (two search phases whose
# steps both start at round 1) the data of its trajectory plot never goes back to an earlier round
# within a line and shows no constant panel, and the table of where the starts ended matches the
# task's answer; explore.ipynb executes headless on the arrival run (nbconvert); the bundled
# example loads and stays small, and explore.ipynb matches its generator.
source "$(dirname "$0")/../lib.sh"
if [ "$MPI" != 1 ]; then
    echo "serial build (MPI=0): no HDF5 output to post-process"
    finish
    exit $?
fi
out=$ZP_TMP/postproc
rm -rf "$out" && mkdir -p "$out"
JUPYTER=/usr/bin/jupyter
[ -x "$JUPYTER" ] || JUPYTER=jupyter

check "a run to post-process (2 ranks, 4 starts)" zp_mpi 2 run --quiet \
    --config inputs/thesis/case2.json --starts 4 --seed 7 --iterations 300 --out "$out/p.h5"

# ---- plots.py ----
check "plots.py exits 0" "$PY" postproc/plots.py "$out/p.h5" --outdir "$out/png"
for name in task0_trajectories task0_zone_loads task0_utilisation; do
    check "plots.py wrote $name.png (a PNG)" bash -c \
        "[ \$(stat -c %s '$out/png/$name.png') -gt 2000 ] && head -c 8 '$out/png/$name.png' | grep -q PNG"
done
expect_eq "plots.py on a missing file: exit 1" \
    "$("$PY" postproc/plots.py "$out/none.h5" --outdir "$out/png" >/dev/null 2>&1; echo $?)" 1

# ---- an arrival run: the data the trajectory plot is made from ----
check "an arrival run (2 ranks, 4 starts)" zp_mpi 2 run --quiet \
    --config inputs/thesis/case2_arrivals.json --starts 4 --seed 7 --iterations 150 --out "$out/a.h5"
check "plots.py on the arrival run exits 0" "$PY" postproc/plots.py "$out/a.h5" --outdir "$out/apng"
check "arrival run: one line per search phase and start, each going forward from round 1" "$PY" -c "
import sys; sys.path.insert(0, 'postproc'); import numpy as np, plots, zpload
run = zpload.load('$out/a.h5')
for metric, _ in plots.METRICS:
    lines = plots.trajectory_lines(run, 0, metric)
    assert sorted({(l['name'], l['start']) for l in lines}) == sorted(
        (n, s) for n in ('search', 'arrival_search') for s in range(4)), lines
    for l in lines:
        assert l['x'][0] == 1 and np.all(np.diff(l['x']) >= 0), (metric, l['name'], l['start'], l['x'])
"
check "arrival run: no constant panels (case 2: CV stays 0; move cost changes only after arrivals)" "$PY" -c "
import sys; sys.path.insert(0, 'postproc'); import plots, zpload
run = zpload.load('$out/a.h5')
assert [m for m, _ in plots.varying_metrics(run, 0)] == ['best', 'traffic', 'move_cost'], plots.varying_metrics(run, 0)
"
check "arrival run: where the starts ended matches the task's answer" "$PY" -c "
import sys; sys.path.insert(0, 'postproc'); import plots, zpload
from zpload import column
run = zpload.load('$out/a.h5')
ends = plots.start_ends(run, 0)
final = column(ends, 'arrival_search')
ph = run.phases[column(run.phases, 'name') == 'arrival_search']
assert final[-1] == min(final[:-1]) == column(ph, 'objective')[0] == run.task(0)['objective'], (final, run.task(0))
"
check "latency objective: each search phase's result is in the objective its starts minimise" "$PY" -c "
import subprocess, sys; sys.path.insert(0, 'postproc'); import plots, zpload
subprocess.run(['$ZP_BIN', 'run', '--quiet', '--config', 'inputs/examples/case2_perf.json',
                '--objective', 'latency', '--starts', '2', '--iterations', '40', '--out', '$out/l.h5'],
               check=True)
run = zpload.load('$out/l.h5')
ends = plots.start_ends(run, 0)
for name in ('search', 'latency_search'):
    col = zpload.column(ends, name)
    assert abs(col[-1] - min(col[:-1])) <= 1e-6 * abs(col[-1]), (name, col)  # the model: recomputed
"

# the trajectory's key (i11out's `kind` column: round, epoch end, phase end): unique rows, so that
# pandas' pivot works; checked without pandas (and with it where installed)
if [ "$("$PY" -c "import h5py; print('kind' in h5py.File('$out/a.h5', 'r')['trajectory'].dtype.names)")" = True ]; then
    check "arrival run: (task, start, epoch, phase, step, kind) is unique in /trajectory" "$PY" -c "
import sys; sys.path.insert(0, 'postproc'); import zpload
from zpload import column
t = zpload.load('$out/a.h5').trajectory
keys = ['task', 'start', 'epoch', 'phase', 'step', 'kind']
rows = list(zip(*(column(t, k).tolist() for k in keys)))
assert len(set(rows)) == len(rows), len(rows) - len(set(rows))
if zpload.pd is not None:
    zpload.pd.DataFrame({k: column(t, k) for k in keys + ['best']}).pivot(
        index=['task', 'start', 'epoch', 'step', 'kind'], columns='phase', values='best')
"
else
    echo "skip: /trajectory has no kind column yet (the key's uniqueness is checked once it has)"
fi

# ---- the notebook, on the arrival run ----
t0=$SECONDS
ZP_H5="$out/a.h5" ZP_OUTDIR="$out/nbpng" PYDEVD_DISABLE_FILE_VALIDATION=1 \
    "$JUPYTER" nbconvert --to notebook --execute postproc/explore.ipynb --output-dir "$out" \
    --output explore.executed.ipynb --ExecutePreprocessor.timeout=120 </dev/null \
    >"$out/nbconvert.log" 2>&1
rc=$?
echo "    (nbconvert: $((SECONDS - t0)) s)"
expect_eq "nbconvert --execute explore.ipynb exits 0" "$rc" 0
[ "$rc" = 0 ] || tail -n 30 "$out/nbconvert.log"
check "the notebook's checks passed" grep -q "checks passed: case2" "$out/explore.executed.ipynb"
check "the notebook shows figures" grep -q '"image/png"' "$out/explore.executed.ipynb"
check "the notebook wrote the PNGs to ZP_OUTDIR" test -s "$out/nbpng/task0_trajectories.png"

# ---- the bundled example and the generator ----
check "postproc/example.h5 < 200 KB" test "$(stat -c %s postproc/example.h5)" -lt 204800
check "postproc/example.h5 loads with zpload" "$PY" -c "
import sys; sys.path.insert(0, 'postproc'); import zpload
r = zpload.load('postproc/example.h5')
assert len(r.tasks) == 1 and len(r.trajectory) > 0 and r.placement(0) is not None, r"
check "explore.ipynb is what make_notebook.py writes" "$PY" -c "
import nbformat, subprocess, sys
subprocess.run([sys.executable, 'postproc/make_notebook.py', '--output', '$out/gen.ipynb'],
               check=True, stdout=subprocess.DEVNULL)
a, b = (nbformat.read(p, 4) for p in ('postproc/explore.ipynb', '$out/gen.ipynb'))
assert [(c.cell_type, c.source) for c in a.cells] == [(c.cell_type, c.source) for c in b.cells]"
finish
