#!/usr/bin/python3
"""Plots of the response-time model of a zoneplace HDF5 run (the /perf groups), as PNG files.

usage: /usr/bin/python3 postproc/perf_plots.py RUN.h5 [--outdir DIR] [--task T] [--dpi N]

For each task with a "perf" section (or only task T) it writes into DIR (default: next to
RUN.h5):
  task<T>_latency_cdf.png       distribution over the dependencies of the predicted mean and
                                percentile response time, initial placement (the task's)
                                against the final one; dependencies behind an unstable queue
                                (unbounded time) are counted in the legend and keep the curve
                                below 1
  task<T>_link_utilisation.png  utilisation of every link direction (row: from, column: to;
                                the diagonal is a zone's own link; a bundle shows its busiest
                                member), initial against final, on one colour scale up to 1;
                                directions at or above 1 (unstable) are marked with a cross
It prints the paths it wrote, and exits 1 when the file has no /perf group. The functions take a
zpload.Run, so a notebook can use them too; postproc/plots.py calls them as well.
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
import zpload  # noqa: E402

STYLE = {"initial": dict(color="tab:gray", ls="--", label="initial"),
         "final": dict(color="tab:blue", ls="-", label="final")}


def _cdf(ax, values, style, what):
    """Step CDF of the finite values over all of them (unbounded ones keep it below 1)."""
    finite = np.sort(values[np.isfinite(values)])
    n = len(values)
    unbounded = n - len(finite)
    label = style["label"]
    if len(finite):
        label += f": mean {np.mean(finite):.3g} ms" if unbounded == 0 else ""
    if unbounded:
        label += f" ({unbounded} of {n} unbounded: unstable)"
    y = np.arange(1, len(finite) + 1) / max(n, 1)
    ax.step(np.concatenate([[finite[0] if len(finite) else 0], finite]),
            np.concatenate([[0], y]), where="post", color=style["color"], ls=style["ls"],
            label=label)
    ax.set_xlabel(f"{what} response time (ms)")


def plot_latency_cdf(run, task=None):
    """Two panels: CDF over the dependencies of the predicted mean and percentile response
    times, initial against final."""
    info = run.task(task)
    perf = run.perf(info["task"])
    if perf is None:
        raise KeyError(f"task {info['task']} has no /perf group")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    pct = f"p{perf.percentile:g}"
    for placement in perf.PLACEMENTS:
        _cdf(axes[0], perf.mean_times(placement), STYLE[placement], "mean")
        _cdf(axes[1], perf.percentile_times(placement), STYLE[placement], pct)
    for ax in axes:
        ax.set_ylabel("fraction of dependencies")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="lower right")
    s = perf.summary("final")
    net = "with network" if perf.network else "without network"
    fig.suptitle(f"{info['instance']} task {info['task']} (objective {perf.objective}): predicted "
                 f"response times {net}; rate-weighted mean {s.get('mean_ms', float('nan')):.4g} "
                 f"ms (initial {perf.summary('initial').get('mean_ms', float('nan')):.4g})")
    fig.tight_layout()
    return fig


def plot_link_utilisation(run, task=None):
    """Heatmaps of the utilisation of every link direction (its busiest bundle member), initial
    and final."""
    info = run.task(task)
    perf = run.perf(info["task"])
    if perf is None:
        raise KeyError(f"task {info['task']} has no /perf group")
    p = run.problem_of(info["task"])
    mats = {pl: perf.utilisation_matrix(pl) for pl in perf.PLACEMENTS}
    k = mats["final"].shape[0]
    names = list(p.zone_names) if p is not None and p.k == k else [str(z) for z in range(k)]
    # one scale up to 1 (or the largest utilisation if all are below): links at or above 1 are
    # unstable whatever their value, so they saturate the scale and get a cross
    finite = np.concatenate([m[np.isfinite(m)] for m in mats.values()])
    top = float(finite.max()) if len(finite) else 0.0
    vmax = min(1.0, top) if top > 0 else 1.0
    size = max(4.0, 0.35 * k + 2)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 1.5, size))
    for ax, placement in zip(axes, perf.PLACEMENTS):
        m = mats[placement]
        im = ax.imshow(np.where(np.isfinite(m), m, vmax), vmin=0, vmax=vmax, cmap="viridis")
        bad = np.argwhere(m >= 1)
        if len(bad):
            ax.scatter(bad[:, 1], bad[:, 0], marker="x", color="red", s=30,
                       label=f"{len(bad)} unstable link directions")
            ax.legend(fontsize="small", loc="upper right")
        ax.set_title(f"{STYLE[placement]['label']}: max {np.nanmax(np.where(np.isfinite(m), m, np.nan)):.3g}")
        ticks = np.arange(k)
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        fs = "small" if k <= 16 else "xx-small"
        ax.set_xticklabels(names, rotation=90, fontsize=fs)
        ax.set_yticklabels(names, fontsize=fs)
    fig.colorbar(im, ax=list(axes), shrink=0.8,
                 label="busiest member's utilisation (load / bandwidth; x: >= 1, unstable)")
    fig.suptitle(f"{info['instance']} task {info['task']}: link utilisation from zone (row) to "
                 f"zone (column) (diagonal: inside a zone)")
    return fig


def perf_tasks(run, task=None):
    """Tasks (all, or only task) that have a /perf group."""
    tasks = [task] if task is not None else run.task_ids()
    return [t for t in tasks if run.perf(t) is not None]


def write_all(run, outdir, task=None, dpi=80):
    """Writes the model's plots of every task with a /perf group (or of one task) into outdir;
    returns the paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for t in perf_tasks(run, task):
        for fig, name in ((plot_latency_cdf(run, t), f"task{t}_latency_cdf.png"),
                          (plot_link_utilisation(run, t), f"task{t}_link_utilisation.png")):
            path = os.path.join(outdir, name)
            fig.savefig(path, dpi=dpi)
            plt.close(fig)
            paths.append(path)
    return paths


def main(argv=None):
    ap = argparse.ArgumentParser(description="PNG plots of the response-time model of a "
                                             "zoneplace HDF5 run")
    ap.add_argument("h5", help="the run's HDF5 file")
    ap.add_argument("--outdir", help="folder for the PNGs (default: the file's folder)")
    ap.add_argument("--task", type=int, help="only this task")
    ap.add_argument("--dpi", type=int, default=80)
    args = ap.parse_args(argv)
    try:
        run = zpload.load(args.h5)
        if not perf_tasks(run, args.task):
            raise KeyError("no /perf group (run zoneplace on a config with a \"perf\" section)")
        outdir = args.outdir or os.path.dirname(os.path.abspath(args.h5))
        for path in write_all(run, outdir, args.task, args.dpi):
            print(path)
    except (OSError, KeyError, ValueError) as e:
        print(f"perf_plots.py: {args.h5}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
