#!/usr/bin/python3
"""Plots of a zoneplace HDF5 run, as PNG files.

usage: /usr/bin/python3 postproc/plots.py RUN.h5 [--outdir DIR] [--task T] [--dpi N]

For each task (or only task T) it writes into DIR (default: next to RUN.h5):
  task<T>_trajectories.png  per search phase: the best objective so far (and traffic, CV and
                            move cost where they change) of every start against the round of
                            the phase (log axis), the best start highlighted, the phase's
                            result dashed
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

# what the trajectory plot can show per start; a metric that never changes (e.g. the CV or the
# move cost of a search without migration) gets no panel
METRICS = (("best", "best objective so far"), ("traffic", "traffic (cost)"),
           ("cv", "CV of apps per zone"), ("move_cost", "move cost (cost)"))


def phase_names(run, task):
    """{phase code: name} of one task, from /phases."""
    ph = run.phases[column(run.phases, "task") == task]
    return dict(zip(column(ph, "phase").tolist(), column(ph, "name").tolist()))


def search_phases(traj):
    """Codes of the phases that have starts' rows (the search phases), in the order they ran."""
    starts, phases = column(traj, "start"), column(traj, "phase")
    codes = phases[starts >= 0]
    return sorted(set(codes.tolist()), key=lambda p: column(traj, "wall")[
        (phases == p) & (starts >= 0)].min())


def trajectory_lines(run, task=None, metric="best"):
    """The lines plot_trajectories draws for one metric: one dict per search phase and start,
    {"phase", "name", "start", "x", "y"}, with x the round of the phase counted from 1 (for a
    log axis) in step order. Each phase is a line of its own, so a later phase (the search after
    arrivals, the latency search) never draws back to an earlier step."""
    info = run.task(task)
    traj = run.trajectory_of(info["task"])
    starts, phases, steps = column(traj, "start"), column(traj, "phase"), column(traj, "step")
    values = column(traj, metric).astype(float)
    names = phase_names(run, info["task"])
    lines = []
    for p in search_phases(traj):
        in_phase = (phases == p) & (starts >= 0)
        first = steps[in_phase].min()
        for s in sorted(set(starts[in_phase].tolist())):
            m = in_phase & (starts == s)
            order = np.argsort(steps[m], kind="stable")  # rows with equal steps keep file order
            lines.append({"phase": p, "name": names.get(p, str(p)), "start": s,
                          "x": (steps[m][order] - first + 1).astype(float),
                          "y": values[m][order]})
    return lines


def phase_result(run, task, phase, metric="best"):
    """The metric of the phase's result (its row with start = -1, written after the exchange of
    the starts' best placements), None if the phase has none. For "best" it is in the objective
    the phase's starts minimise: traffic + move cost, except in latency_search (the model's
    objective + move cost), whereas the row's own "best" is in the task's objective."""
    traj = run.trajectory_of(task)
    rows = (column(traj, "start") == -1) & (column(traj, "phase") == phase)
    if not np.any(rows):
        return None
    if metric == "best" and phase_names(run, task).get(phase) != "latency_search":
        return float(column(traj, "traffic")[rows][-1] + column(traj, "move_cost")[rows][-1])
    return float(column(traj, metric)[rows][-1])


def changes(y):
    """Whether the values change by more than rounding (the latency model's objective is
    recomputed, so an unchanged placement may differ in the last digits)."""
    return len(y) > 0 and np.ptp(y) > 1e-9 * max(1.0, float(np.abs(y).max()))


def varying_metrics(run, task=None):
    """The METRICS that change during some search phase of the task ("best" always)."""
    keep = []
    for name, label in METRICS:
        ys = [line["y"] for line in trajectory_lines(run, task, name)]
        if name == "best" or any(changes(y) for y in ys):
            keep.append((name, label))
    return keep


def plot_trajectories(run, task=None):
    """Per search phase (columns) and changing metric (rows): every start against the round of
    the phase on a log axis, the best start in red, the phase's result (after the exchange of
    the starts' best placements) dashed."""
    info = run.task(task)
    traj = run.trajectory_of(info["task"])
    metrics = varying_metrics(run, task)
    phases = search_phases(traj)
    fig, axes = plt.subplots(len(metrics), max(1, len(phases)), squeeze=False, sharex="col",
                             figsize=(4.5 * max(1, len(phases)) + 1.5, 2.4 * len(metrics) + 1))
    best = info["best_start"]
    for r, (name, label) in enumerate(metrics):
        lines = trajectory_lines(run, task, name)
        for c, p in enumerate(phases):
            ax = axes[r][c]
            mine = [line for line in lines if line["phase"] == p]
            ys = np.concatenate([line["y"] for line in mine]) if mine else np.zeros(0)
            if len(ys) and not changes(ys):  # nothing to see: say so instead of a flat line
                ax.text(0.5, 0.5, f"{label}:\n{ys[0]:.6g} in every round", ha="center",
                        va="center", transform=ax.transAxes, color="0.4")
                ax.set_xticks([]), ax.set_yticks([])
                if r == 0:
                    ax.set_title(f"{mine[0]['name']}: {len(mine)} starts")
                continue
            for line in mine:
                is_best = line["start"] == best
                ax.plot(line["x"], line["y"], color="tab:red" if is_best else "0.6",
                        lw=1.6 if is_best else 0.6, alpha=1 if is_best else 0.6, zorder=3 if is_best else 2,
                        label=f"best start {best}" if is_best else None)
            end = phase_result(run, info["task"], p, name)
            if end is not None:
                ax.axhline(end, color="k", lw=0.8, ls="--", label="phase result")
            ax.set_xscale("log")
            ax.grid(alpha=0.3)
            if r == 0:
                ax.set_title(f"{mine[0]['name'] if mine else p}: {len(mine)} starts")
            if c == 0:
                ax.set_ylabel(label)
            if r == len(metrics) - 1:
                ax.set_xlabel("round of the phase (log)")
    axes[0][0].legend(fontsize="small", loc="upper right")
    fig.suptitle(f"{info['instance']} task {info['task']}: {info['starts']} starts, "
                 f"final objective {info['objective']:.6g}")
    fig.tight_layout()
    return fig


def start_ends(run, task=None):
    """Where every start ended in each search phase: one row per start, one column per search
    phase (its name) with the start's best objective at the phase's last round, and a row
    "phase result" with the phase's result after the exchange (for the last search phase, the
    task's answer before the final rebalance: /tasks.objective when that moved nothing)."""
    info = run.task(task)
    cols, result = {}, {}
    for line in trajectory_lines(run, task, "best"):
        cols.setdefault(line["name"], {})[line["start"]] = float(line["y"][-1])
        end = phase_result(run, info["task"], line["phase"])
        result[line["name"]] = float("nan") if end is None else end
    starts = sorted({s for c in cols.values() for s in c})
    table = {"start": np.array([str(s) for s in starts] + ["phase result"])}
    for name, ends in cols.items():
        table[name] = np.array([ends.get(s, np.nan) for s in starts] + [result[name]])
    return zpload.make_table(table)


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
