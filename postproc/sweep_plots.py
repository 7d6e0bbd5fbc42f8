#!/usr/bin/python3
"""sweep_plots - plots of zoneplace sweeps against the zone count, from one or many files.

    /usr/bin/python3 postproc/sweep_plots.py results/case2_zones/*.h5 --outdir plots
    /usr/bin/python3 postproc/sweep_plots.py sweep.h5 other.json --csv tasks.csv --lines seed

Reads the /tasks table (and the task parameters in /parameters) of every zoneplace HDF5 file
given, or the tasks of summary JSON files (`--summary` of `zoneplace sweep` or `run`), and
merges them: the outputs of a job array's parts (jobs/sweep_zones.sbatch), of slices, or of a
resumed sweep all carry the task ids of the whole sweep, so a task that appears in several
files is kept once (the first file wins). Files of different sweeps may be mixed: tasks are
keyed by (sweep name, task id).

Writes into --outdir (default: the folder of the first file):
  sweep_traffic.png          traffic of the best placement against the zone count
  sweep_external_deps.png    dependencies between zones
  sweep_lb_pct.png           load balance LB% = 100 - 100 CV / sqrt(zones)
  sweep_wall_seconds.png     wall-clock seconds of the task
  sweep_overview.png         the four in one figure
One line per seed (one instance) or per instance (several instances: the mean over seeds,
with the range of the seeds shaded); --lines chooses (seed, instance, or any parameter column
such as capacity_mode, epsilon, requests, move_factor, starts; epsilon is the sweep's
"imbalance" parameter, while the column imbalance is the metric "apps outside the band"). When other parameters vary
too, each of their combinations gets its own set of files (suffix _<param>-<value>...).
--csv writes the merged table. It prints the paths it wrote.

Needs h5py, numpy and matplotlib (Debian: python3-h5py python3-numpy python3-matplotlib; use
/usr/bin/python3). Only /tasks and /parameters are read; postproc/zpload.py loads everything
of one file (trajectories, placements, problems) for a closer look at single tasks.
"""
import argparse
import csv
import json
import os
import sys

import matplotlib

if __name__ == "__main__":  # files only; a notebook importing this keeps its own backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

METRICS = (("traffic", "traffic (cost)"),
           ("external_deps", "external dependencies"),
           ("lb_pct", "LB%"),
           ("wall_seconds", "wall time (s)"))
# Task parameters. "epsilon" is the sweep's "imbalance" parameter (the balance band); the column
# "imbalance" of /tasks is a metric (apps outside the band).
PARAMS = ("instance", "zones", "seed", "starts", "capacity_mode", "epsilon", "requests",
          "move_factor")


def _params(task):
    """The parameters of a task entry of /parameters or a summary, with imbalance -> epsilon."""
    p = {k: v for k, v in task.items() if not isinstance(v, (list, dict))}
    if "imbalance" in p:
        p["epsilon"] = p.pop("imbalance")
    return p


def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _num(v):
    return v.item() if hasattr(v, "item") else v


def read_h5(path):
    """Rows (dicts) of /tasks with the task parameters of /parameters, and the sweep's name."""
    import h5py
    with h5py.File(path, "r") as f:
        if _text(f.attrs.get("creator", b"")) != "zoneplace":
            raise ValueError(f"{path}: not a zoneplace file (creator attribute)")
        tasks = f["tasks"][...]
        text = f["parameters/config_json"][()] if "parameters/config_json" in f else b"{}"
    try:
        params = json.loads(_text(text) or "{}")
    except json.JSONDecodeError:
        params = {}
    name = _sweep_name(params, path)
    by_id = {t.get("task"): t for t in params.get("tasks", []) if isinstance(t, dict)}
    rows = []
    for r in tasks:
        row = {k: (_text(r[k]) if r.dtype[k].kind in "SUO" else _num(r[k]))
               for k in r.dtype.names}
        for k, v in _params(by_id.get(row["task"], {})).items():  # capacity_mode, epsilon, ...
            row.setdefault(k, v)
        rows.append(row)
    return name, rows


def read_json(path):
    """Rows of a summary JSON (zoneplace sweep --summary, or run --summary)."""
    with open(path) as fh:
        d = json.load(fh)
    rows = []
    for t in d.get("tasks", []):
        row = _params(t)
        row.update(t.get("final", {}))
        rows.append(row)
    name = d.get("sweep") or os.path.splitext(os.path.basename(path))[0]
    return name, rows


def _sweep_name(params, path):
    s = params.get("sweep")
    if isinstance(s, dict) and s.get("name"):
        return s["name"]
    if params.get("sweep_file"):
        return os.path.splitext(os.path.basename(params["sweep_file"]))[0]
    return os.path.splitext(os.path.basename(path))[0]


def load(paths):
    """Merged rows of all files: one per (sweep, task), the first file's when repeated, sorted
    by sweep and task. Each row gets 'sweep' and 'file'."""
    seen, rows = set(), []
    for p in paths:
        name, part = read_json(p) if p.endswith(".json") else read_h5(p)
        for r in part:
            key = (name, r.get("task"))
            if key in seen:
                continue
            seen.add(key)
            r["sweep"], r["file"] = name, p
            rows.append(r)
    rows.sort(key=lambda r: (r["sweep"], r.get("task", 0)))
    return rows


def write_csv(rows, path):
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    first = ["sweep", "task"] + [p for p in PARAMS] + [m for m, _ in METRICS]
    cols = [c for c in first if any(c in r for r in rows)]
    cols += sorted({k for r in rows for k in r} - set(cols))
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def _varying(rows, cols):
    return [c for c in cols if len({str(r.get(c)) for r in rows}) > 1]


def _groups(rows, keys):
    out = {}
    for r in rows:
        out.setdefault(tuple(r.get(k) for k in keys), []).append(r)
    return sorted(out.items(), key=lambda kv: tuple(str(v) for v in kv[0]))


def plot_metric(ax, rows, metric, label, lines):
    """One line per value of `lines`; several rows per zone count (e.g. seeds of an instance):
    their mean, with the range shaded."""
    for (value,), rs in _groups(rows, [lines]):
        zones = sorted({r["zones"] for r in rs})
        vals = [[r[metric] for r in rs if r["zones"] == z and r.get(metric) is not None]
                for z in zones]
        mean = np.array([np.mean(v) if v else np.nan for v in vals])
        lo = np.array([np.min(v) if v else np.nan for v in vals])
        hi = np.array([np.max(v) if v else np.nan for v in vals])
        name = f"{lines} {value}" if lines != "instance" else str(value)
        line, = ax.plot(zones, mean, marker="o", label=name)
        if np.any(hi > lo):
            ax.fill_between(zones, lo, hi, color=line.get_color(), alpha=0.15)
    ax.set_xlabel("zones")
    ax.set_ylabel(label)
    zs = sorted({r["zones"] for r in rows})
    if len(zs) > 2 and zs[-1] / max(zs[0], 1) >= 8:
        ax.set_xscale("log", base=2)
    ax.set_xticks(zs)
    ax.set_xticklabels([str(z) for z in zs])
    ax.grid(alpha=0.3)


def write_plots(rows, outdir, lines="auto", dpi=80):
    """Writes the PNGs; returns their paths."""
    os.makedirs(outdir, exist_ok=True)
    if lines == "auto":
        lines = "instance" if len({r.get("instance") for r in rows}) > 1 else "seed"
    # a figure set per combination of the other parameters that vary
    others = [c for c in _varying(rows, ("sweep",) + PARAMS) if c not in ("zones", lines)]
    if lines == "instance" and "seed" in others:
        others.remove("seed")  # seeds are averaged
    written = []
    for combo, rs in _groups(rows, others):
        suffix = "".join(f"_{k}-{v}" for k, v in zip(others, combo))
        title = ", ".join(f"{k} {v}" for k, v in zip(others, combo))
        for metric, label in METRICS:
            fig, ax = plt.subplots(figsize=(6, 4))
            plot_metric(ax, rs, metric, label, lines)
            ax.legend(fontsize="small")
            ax.set_title(f"{label} against zones" + (f" ({title})" if title else ""),
                         fontsize="medium")
            fig.tight_layout()
            path = os.path.join(outdir, f"sweep_{metric}{suffix}.png")
            fig.savefig(path, dpi=dpi)
            plt.close(fig)
            written.append(path)
        fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
        for ax, (metric, label) in zip(axes.flat, METRICS):
            plot_metric(ax, rs, metric, label, lines)
        axes.flat[0].legend(fontsize="small")
        sweeps = sorted({r["sweep"] for r in rs})
        fig.suptitle(f"sweep {', '.join(sweeps)}: {len(rs)} tasks" +
                     (f" ({title})" if title else ""))
        fig.tight_layout()
        path = os.path.join(outdir, f"sweep_overview{suffix}.png")
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        written.append(path)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="zoneplace .h5 files or summary .json files")
    ap.add_argument("--outdir", help="folder of the PNGs (default: the first file's folder)")
    ap.add_argument("--lines", default="auto",
                    help="one line per: seed, instance or a parameter column (default: seed "
                         "for one instance, else instance)")
    ap.add_argument("--csv", help="also write the merged task table to this CSV file")
    ap.add_argument("--no-plots", action="store_true", help="only read (and --csv)")
    ap.add_argument("--dpi", type=int, default=80)
    a = ap.parse_args(argv)
    try:
        rows = load(a.files)
    except (OSError, ValueError, KeyError) as e:
        print(f"sweep_plots: {e}", file=sys.stderr)
        return 1
    if not rows:
        print("sweep_plots: no tasks in " + " ".join(a.files), file=sys.stderr)
        return 1
    missing = [r["file"] for r in rows if "zones" not in r]
    if missing:
        print(f"sweep_plots: {missing[0]}: tasks without a zone count", file=sys.stderr)
        return 1
    print(f"sweep_plots: {len(rows)} tasks from {len(a.files)} file(s)")
    if a.csv:
        print(write_csv(rows, a.csv))
    if not a.no_plots:
        outdir = a.outdir or os.path.dirname(os.path.abspath(a.files[0]))
        for p in write_plots(rows, outdir, a.lines, a.dpi):
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
