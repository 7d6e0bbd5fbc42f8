#!/usr/bin/python3
"""Writes postproc/explore.ipynb (with nbformat), and optionally the bundled example run.

usage: /usr/bin/python3 postproc/make_notebook.py [--example] [--zoneplace BIN]

  (no option)  write explore.ipynb next to this script
  --example    also regenerate example.h5 next to this script, by running
               mpirun -n 2 BIN run --config inputs/thesis/case2.json --starts 4 --seed 7
                   --iterations 300 --out postproc/example.h5 --force --quiet
               (BIN: bin/zoneplace by default; run from the repository root)

The notebook reads the run named by the environment variable ZP_H5, or example.h5 next to the
notebook when ZP_H5 is unset. When ZP_OUTDIR is set it also writes the PNGs of plots.py there.
Run it headless (as make test does):
  ZP_H5=$PWD/r.h5 jupyter nbconvert --to notebook --execute postproc/explore.ipynb \\
      --output-dir /tmp --ExecutePreprocessor.timeout=120 </dev/null
"""
import argparse
import os
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))

CELLS = [
    ("md", """# Exploring a zoneplace run

This notebook loads one HDF5 file written by `zoneplace run --out F.h5` (layout: `docs/hdf5.md`)
with the `zpload` module next to it, shows its tables and plots the search.

* **Input:** the file named by the environment variable `ZP_H5`; when unset, `example.h5` next to
  this notebook (case 2 of the thesis, 4 starts, seed 7, made by
  `/usr/bin/python3 postproc/make_notebook.py --example`).
* **Output:** figures inline; with `ZP_OUTDIR` set, the PNGs of `plots.py` are also written there.
* Kernel: Debian's `/usr/bin/python3` (h5py, numpy, matplotlib; pandas is used when installed)."""),
    ("code", """import os, sys
import numpy as np
import matplotlib.pyplot as plt

here = os.path.abspath('')            # nbconvert runs the notebook in its own folder
if here not in sys.path:
    sys.path.insert(0, here)
import zpload, plots
from zpload import column

path = os.environ.get('ZP_H5') or os.path.join(here, 'example.h5')
run = zpload.load(path)
print(run)
print({k: run.attrs[k] for k in ('creator', 'version', 'created', 'mpi_ranks', 'git_revision')})
print('command line:', run.attrs['command_line'])"""),
    ("md", """## Tasks
One row per task with the final metrics of its best placement (`/tasks`), and the metrics after
every phase (`/phases`)."""),
    ("code", """run.tasks"""),
    ("code", """run.phases"""),
    ("md", """## Trajectories
Every start's search, one row per recorded step (`/trajectory`). The plot has one column per
search phase (`search`; after arrivals also `arrival_search`; with the latency objective
`latency_search`), the round of the phase on a log axis, the best objective so far of every start
(the best start in red) and, where they change, the traffic, CV and move cost; the dashed line is
the phase's result after the exchange of the starts' best placements (rows with `start = -1`)."""),
    ("code", """task = run.task_ids()[0]
info = run.task(task)
traj = run.trajectory_of(task)
starts = column(traj, 'start')
print(f"{len(traj)} rows, starts {sorted(set(starts[starts >= 0]))}, best start {info['best_start']}")
fig = plots.plot_trajectories(run, task)"""),
    ("code", """# where every start ended in each search phase (its best objective at the phase's last round)
# and the phase's result; the last search phase's result is the task's answer before the final
# rebalance (the /phases row of that phase), reached by the best of the starts
ends = plots.start_ends(run, task)
last = plots.phase_names(run, task)[plots.search_phases(traj)[-1]]
col = column(ends, last)
ph = run.phases[(column(run.phases, 'task') == task) & (column(run.phases, 'name') == last)]
# (equal up to rounding: the latency model's objective is recomputed for the phase's result)
assert np.allclose([min(col[:-1]), column(ph, 'objective')[0]], col[-1], rtol=1e-6), (col, ph)
print(f"{last}: result {col[-1]:.6g}; the task's final objective (after rebalancing) {info['objective']:.6g}")
ends"""),
    ("md", """## Zones before and after
Apps per zone in the initial placement and in the best one, and the resource utilisation
(sum of demands over capacity) per zone."""),
    ("code", """if plots.zone_plots_possible(run, task):
    display(run.zone_table(task))
    fig = plots.plot_zone_loads(run, task)
    fig = plots.plot_utilisation(run, task)
else:
    print('no /problem matching this task (a sweep file): zone plots skipped')"""),
    ("md", """## Checks
The file is self-consistent: the traffic and external dependencies recomputed from `/problem`
and `/placements` equal the numbers in `/tasks`, and every start has its seed in `/starts`."""),
    ("code", """p = run.problem_of(task)
if p is not None and plots.zone_plots_possible(run, task):
    x = run.placement(task)
    assert abs(p.traffic(x) - info['traffic']) <= 1e-9 * max(1.0, info['traffic']), (p.traffic(x), info['traffic'])
    assert p.external_deps(x) == info['external_deps']
    x0 = run.placement(task, initial=True)
    if x0 is not None:
        first = run.phases[column(run.phases, 'task') == task].to_dict('records')[0]
        assert abs(p.traffic(x0) - first['traffic']) <= 1e-9 * max(1.0, first['traffic'])
st = run.starts[column(run.starts, 'task') == task]
assert sorted(column(st, 'start')) == list(range(info['starts']))
print('checks passed:', info['instance'], 'objective', info['objective'])"""),
    ("code", """outdir = os.environ.get('ZP_OUTDIR')
if outdir:
    for png in plots.write_all(run, outdir):
        print(png)
plt.close('all')"""),
]


def build():
    cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                       "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def make_example(zoneplace):
    out = os.path.relpath(os.path.join(HERE, "example.h5"))
    cmd = ["mpirun", "-n", "2", zoneplace, "run", "--config", "inputs/thesis/case2.json",
           "--starts", "4", "--seed", "7", "--iterations", "300", "--out", out, "--force",
           "--quiet"]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    subprocess.run(cmd, check=True, env=env, stdin=subprocess.DEVNULL)
    print("wrote", out, os.path.getsize(out), "bytes")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--example", action="store_true", help="also regenerate example.h5")
    ap.add_argument("--zoneplace", default="bin/zoneplace", help="zoneplace binary")
    ap.add_argument("--output", default=os.path.join(HERE, "explore.ipynb"))
    args = ap.parse_args()
    nbformat.write(build(), args.output)
    print("wrote", args.output)
    if args.example:
        make_example(args.zoneplace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
