#!/usr/bin/python3
"""Plots of a zoneplace HDF5 run, as PNG files.

usage: /usr/bin/python3 postproc/plots.py RUN.h5 [--outdir DIR] [--task T] [--dpi N]

For each task (or only task T) it writes into DIR (default: next to RUN.h5):
  task<T>_trajectories.png  traffic, CV and move cost against the search step, one line per
                            start, the best start highlighted, phase ends marked
  task<T>_zone_loads.png    apps per zone before (initial placement) and after (best placement)
  task<T>_utilisation.png   per zone and resource: sum of demands / capacity, after
  task<T>_latency_cdf.png, task<T>_link_utilisation.png
                            for tasks with a response-time model (/perf): see perf_plots.py
and, for a file with several tasks (a sweep):
  sweep.png                 objective, external dependencies and LB% of every task against zones
It prints the paths it wrote. The functions take a zpload.Run, so a notebook can use them too.
"""
import argparse
import os
import sys

import matplotlib

if __name__ == "__main__":  # files only; a notebook importing this keeps its own backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perf_plots  # noqa: E402
import zpload  # noqa: E402
from zpload import column  # noqa: E402

METRICS = (("traffic", "traffic (cost)"), ("cv", "CV of apps per zone"),
           ("move_cost", "move cost (cost)"))


def plot_trajectories(run, task=None):
    """Figure with traffic, CV and move cost per start against the step; best start in red."""
    info = run.task(task)
    traj = run.trajectory_of(info["task"])
    starts = column(traj, "start")
    steps = column(traj, "step")
    fig, axes = plt.subplots(len(METRICS), 1, figsize=(8, 7), sharex=True)
    best = info["best_start"]
    # phase-end rows carry step 0: draw each at the last step of the starts' rows of its phase
    # and the phases before it (phase rows come in the order the phases ran)
    phases = column(traj, "phase")
    order = list(phases[starts == -1])
    phase_x = [max([0] + list(steps[(starts >= 0) & np.isin(phases, order[:i + 1])]))
               for i in range(len(order))]
    others = [s for s in np.unique(starts) if s >= 0 and s != best]
    for ax, (name, label) in zip(axes, METRICS):
        values = column(traj, name)
        for s in others:
            m = starts == s
            ax.plot(steps[m], values[m], color="0.6", lw=0.6, alpha=0.6)
        if best >= 0 and np.any(starts == best):
            m = starts == best
            ax.plot(steps[m], values[m], color="tab:red", lw=1.6, label=f"best start {best}")
        phase_rows = starts == -1
        if np.any(phase_rows):
            ax.scatter(phase_x, values[phase_rows], marker="D", s=18, color="k", zorder=3,
                       label="phase ends")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    if others:
        axes[0].plot([], [], color="0.6", lw=0.6, label=f"{len(others)} other starts")
    axes[0].legend(fontsize="small", loc="upper right")
    axes[-1].set_xlabel("search step (rounds)")
    fig.suptitle(f"{info['instance']} task {info['task']}: {info['starts']} starts, "
                 f"best objective {info['objective']:.6g}")
    fig.tight_layout()
    return fig


def plot_zone_loads(run, task=None):
    """Bar chart of apps per zone before and after."""
    zt = run.zone_table(task)
    names = list(column(zt, "name"))
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(names) + 2), 3.5))
    have_before = "apps_before" in zt.columns
    width = 0.4 if have_before else 0.8
    if have_before:
        ax.bar(x - width / 2, column(zt, "apps_before"), width, label="before (initial)",
               color="tab:gray")
    ax.bar(x + (width / 2 if have_before else 0), column(zt, "apps_after"), width,
           label="after (best)", color="tab:blue")
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize="small")
    ax.set_ylabel("apps")
    top = max([1] + list(column(zt, "apps_after")) +
              (list(column(zt, "apps_before")) if have_before else []))
    ax.set_ylim(0, top * 1.3)  # room for the legend
    ax.legend(fontsize="small", ncol=2, loc="upper right")
    info = run.task(task)
    ax.set_title(f"{info['instance']} task {info['task']}: apps per zone")
    fig.tight_layout()
    return fig


def plot_utilisation(run, task=None):
    """Grouped bars: per zone and resource, sum of demands / capacity of the best placement."""
    p = run.problem_of(task)
    zt = run.zone_table(task)
    names = list(column(zt, "name"))
    x = np.arange(len(names))
    nres = len(p.resources)
    width = 0.8 / max(nres, 1)
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(names) + 2), 3.5))
    for r, res in enumerate(p.resources):
        ax.bar(x - 0.4 + width * (r + 0.5), column(zt, f"{res}_util_after"), width, label=res)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    util = np.concatenate([column(zt, f"{r}_util_after").astype(float) for r in p.resources])
    util = util[np.isfinite(util)]
    ax.set_ylim(0, max([1.0] + list(util)) * 1.3)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize="small")
    ax.set_ylabel("sum of demands / capacity")
    mode = "per-app capacity: may exceed 1" if p.capacity_mode == "per_app" else "cumulative"
    info = run.task(task)
    ax.set_title(f"{info['instance']} task {info['task']}: resource utilisation ({mode})")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_sweep(run):
    """Objective, external dependencies and LB% of every task (dots) against its zone count;
    the line joins the best task (least objective) of each zone count, per instance."""
    t = run.tasks
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
    inst, zones, obj = column(t, "instance"), column(t, "zones"), column(t, "objective")
    for i, name in enumerate(sorted(set(inst))):
        color = f"C{i % 10}"
        m = inst == name
        zs = sorted(set(zones[m]))
        best = [np.nonzero(m & (zones == z))[0][np.argmin(obj[m & (zones == z)])] for z in zs]
        for ax, col in zip(axes, ("objective", "external_deps", "lb_pct")):
            values = column(t, col)
            ax.scatter(zones[m], values[m], color=color, alpha=0.4, s=14)
            ax.plot(zs, values[best], color=color, marker="o", label=name)
            ax.set_xlabel("zones")
            ax.set_ylabel(col)
            ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    fig.suptitle("sweep: every task (dots), best per zone count (line)")
    fig.tight_layout()
    return fig


def zone_plots_possible(run, task):
    p = run.problem_of(task)
    info = run.task(task)
    return (p is not None and p.k == info["zones"] and p.n == info["apps"]
            and run.placement(info["task"]) is not None)


def write_all(run, outdir, task=None, dpi=80):
    """Writes every plot of the run (or of one task) into outdir; returns the paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = []

    def save(fig, name):
        path = os.path.join(outdir, name)
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        paths.append(path)

    tasks = [task] if task is not None else run.task_ids()
    for t in tasks:
        save(plot_trajectories(run, t), f"task{t}_trajectories.png")
        if zone_plots_possible(run, t):
            save(plot_zone_loads(run, t), f"task{t}_zone_loads.png")
            save(plot_utilisation(run, t), f"task{t}_utilisation.png")
    if task is None and len(run.tasks) > 1:
        save(plot_sweep(run), "sweep.png")
    return paths + perf_plots.write_all(run, outdir, task, dpi)


def main(argv=None):
    ap = argparse.ArgumentParser(description="PNG plots of a zoneplace HDF5 run")
    ap.add_argument("h5", help="the run's HDF5 file")
    ap.add_argument("--outdir", help="folder for the PNGs (default: the file's folder)")
    ap.add_argument("--task", type=int, help="only this task")
    ap.add_argument("--dpi", type=int, default=80)
    args = ap.parse_args(argv)
    try:
        run = zpload.load(args.h5)
        outdir = args.outdir or os.path.dirname(os.path.abspath(args.h5))
        for path in write_all(run, outdir, args.task, args.dpi):
            print(path)
    except (OSError, KeyError, ValueError) as e:
        print(f"plots.py: {args.h5}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
