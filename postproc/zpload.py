"""zpload - load a zoneplace HDF5 run (docs/hdf5.md) into tables.

Uses h5py and numpy (Debian: python3-h5py, python3-numpy; run with /usr/bin/python3). Tables are
pandas DataFrames when pandas is installed, otherwise zpload.Table, a small column store with
the parts of the DataFrame interface used here: t["col"], t[mask], t[["a", "b"]], len(t),
t.columns, t.head(), t.to_dict("records").

    import zpload
    run = zpload.load("r.h5")
    run.tasks                      # one row per task (final metrics)
    run.trajectory                 # one row per recorded search step
    run.placement(0)               # best placement of task 0 (zone index per app)
    run.zone_table(0)              # apps and resource load per zone, before and after
    run.problem.D                  # zone distance matrix (run.problem_of(t) for task t)
    run.perf(0)                    # response-time model of task 0 (None without "perf")
    run.perf(0).dependencies       # per dependency: rate, initial_/final_ mean_ms, pct_ms, ...

Byte strings of the file are decoded to str. Everything is read at load; the file is closed.
"""
import json

import h5py
import numpy as np

try:  # optional
    import pandas as pd
except ImportError:  # pragma: no cover - depends on the machine
    pd = None

FORMAT_VERSION = 2  # 2: /trajectory has the column kind (docs/hdf5.md)
TABLES = ("tasks", "phases", "starts", "trajectory")


class Table:
    """A minimal column table (used when pandas is missing). Columns are numpy arrays."""

    def __init__(self, columns):
        self._cols = {k: np.asarray(v) for k, v in columns.items()}
        lens = {len(v) for v in self._cols.values()}
        if len(lens) > 1:
            raise ValueError("columns of different lengths")

    @property
    def columns(self):
        return list(self._cols)

    def __len__(self):
        return len(next(iter(self._cols.values()))) if self._cols else 0

    @property
    def shape(self):
        return (len(self), len(self._cols))

    def __contains__(self, name):
        return name in self._cols

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._cols[key]
        if isinstance(key, (list, tuple)) and all(isinstance(k, str) for k in key):
            return Table({k: self._cols[k] for k in key})
        return Table({k: v[key] for k, v in self._cols.items()})  # mask, slice or indices

    def head(self, n=5):
        return self[slice(0, n)]

    def to_dict(self, orient="records"):
        if orient != "records":
            return {k: list(v) for k, v in self._cols.items()}
        names = self.columns
        return [{k: _scalar(self._cols[k][i]) for k in names} for i in range(len(self))]

    def __repr__(self):
        names = self.columns
        rows = [[_fmt(self._cols[k][i]) for k in names] for i in range(min(len(self), 10))]
        widths = [max([len(k)] + [len(r[j]) for r in rows]) for j, k in enumerate(names)]
        lines = ["  ".join(k.rjust(w) for k, w in zip(names, widths))]
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
        if len(self) > 10:
            lines.append(f"... ({len(self)} rows)")
        return "\n".join(lines)


def _scalar(v):
    return v.item() if isinstance(v, np.generic) else v


def _fmt(v):
    return f"{v:.6g}" if isinstance(v, (float, np.floating)) else str(v)


def _decode(a):
    """numpy array of bytes -> array of str (object); other arrays unchanged."""
    a = np.asarray(a)
    if a.dtype.kind == "S":
        return np.array([x.decode("utf-8", "replace") for x in a.ravel()], dtype=object).reshape(a.shape)
    return a


def _attr(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        return [_attr(x) for x in v]
    return _scalar(v)


def make_table(columns):
    """A DataFrame (pandas installed) or a Table from a dict of equal-length columns."""
    return pd.DataFrame(columns) if pd is not None else Table(columns)


def column(table, name):
    """Column name of a DataFrame or Table as a numpy array."""
    return np.asarray(table[name])


def _read_table(ds):
    data = ds[...]
    cols = {name: _decode(data[name]) for name in data.dtype.names}
    return make_table(cols)


def _field_docs(ds):
    names = _attr(ds.attrs.get("field_names", []))
    units = _attr(ds.attrs.get("field_units", [""] * len(names)))
    meanings = _attr(ds.attrs.get("field_descriptions", [""] * len(names)))
    return {n: (u, m) for n, u, m in zip(names, units, meanings)}


class Problem:
    """A /problem group: apps, zones, dependencies and the distance matrix."""

    def __init__(self, group):
        self.attrs = {k: _attr(v) for k, v in group.attrs.items()}
        self.name = self.attrs.get("name", "")
        self.capacity_mode = self.attrs.get("capacity_mode", "per_app")
        self.resources = list(_decode(group["resources"][...]))
        self.app_names = _decode(group["app_names"][...])
        self.zone_names = _decode(group["zone_names"][...])
        self.demand = group["demand"][...]
        self.capacity = group["capacity"][...]
        self.slots = group["slots"][...]
        self.D = group["D"][...]
        self.needs_io = group["needs_io"][...]
        self.zone_io = group["zone_io"][...]
        self.size = group["size"][...] if "size" in group else np.ones(len(self.app_names))
        self.current = group["current"][...] if "current" in group else None
        self.dependencies = _read_table(group["dependencies"])
        self.n = len(self.app_names)
        self.k = len(self.zone_names)

    @property
    def apps(self):
        """Table of apps: name, needs_io, size and one demand column per resource."""
        cols = {"app": np.arange(self.n), "name": self.app_names, "needs_io": self.needs_io,
                "size": self.size}
        for r, res in enumerate(self.resources):
            cols[res] = self.demand[:, r]
        if self.current is not None:
            cols["current"] = self.current
        return make_table(cols)

    @property
    def zones(self):
        """Table of zones: name, slots, io and one capacity column per resource."""
        cols = {"zone": np.arange(self.k), "name": self.zone_names, "slots": self.slots,
                "io": self.zone_io}
        for r, res in enumerate(self.resources):
            cols[res] = self.capacity[:, r]
        return make_table(cols)

    def traffic(self, x):
        """T * sum of w * D[x_u][x_v] over dependencies (the objective's traffic term)."""
        x = np.asarray(x)
        src, dst = column(self.dependencies, "src"), column(self.dependencies, "dst")
        w = column(self.dependencies, "weight")
        return float(self.attrs.get("requests", 1.0) * np.sum(w * self.D[x[src], x[dst]]))

    def external_deps(self, x):
        """Listed dependencies between apps in different zones (mutual pairs count twice)."""
        x = np.asarray(x)
        src, dst = column(self.dependencies, "src"), column(self.dependencies, "dst")
        mult = column(self.dependencies, "multiplicity")
        return int(np.sum(mult[x[src] != x[dst]]))


class Perf:
    """A /perf/task_<T> group: the response-time model's predictions for the initial placement
    (the task's /initial_placements row) and the final one.

    dependencies  one row per dependency (order of /problem/dependencies): client, server, rate
                  and per placement P in (initial, final): P_latency_ms, P_network_ms,
                  P_server_ms, P_mean_ms, P_mean_nonet_ms, P_pct_ms, P_pct_nonet_ms, P_queue
                  (row of links), P_unstable, P_pct_bound
    links         one row per link queue (direction and bundle member): zone_from, zone_to,
                  member, latency_ms, bandwidth and P_load, P_rate, P_utilisation, P_unstable
    apps          one row per app: app, service_rate, arrival_rate and P_zone, P_reservation,
                  P_cpu_utilisation, P_unstable
    attrs         objective, percentile, network, bundle, percentile_method and the summary
                  (P_mean_ms, ...) of the summary JSON's perf object, inf where the JSON has null
    Times are in ms (inf where a queue is unstable), loads and bandwidths in bit/s.
    """

    PLACEMENTS = ("initial", "final")

    def __init__(self, group):
        self.attrs = {k: _attr(v) for k, v in group.attrs.items()}
        self.task = int(self.attrs.get("task", -1))
        self.objective = self.attrs.get("objective", "traffic")
        self.percentile = float(self.attrs.get("percentile", 99.0))
        self.network = bool(self.attrs.get("network", 1))
        self.dependencies = _read_table(group["dependencies"])
        self.links = _read_table(group["links"])
        self.apps = _read_table(group["apps"])
        self.fields = {name: _field_docs(group[name]) for name in ("dependencies", "links", "apps")}

    def summary(self, placement="final"):
        """The summary of a placement as in the summary JSON's perf.initial / perf.final (inf
        where the JSON has null)."""
        prefix = placement + "_"
        return {k[len(prefix):]: v for k, v in self.attrs.items() if k.startswith(prefix)}

    def mean_times(self, placement="final"):
        """Mean response time of every dependency (ms), with the network term when the model's
        summaries use it (attribute network)."""
        return column(self.dependencies, f"{placement}_mean_ms" if self.network
                      else f"{placement}_mean_nonet_ms").astype(float)

    def percentile_times(self, placement="final"):
        """The percentile response time of every dependency (ms), network term as above."""
        return column(self.dependencies, f"{placement}_pct_ms" if self.network
                      else f"{placement}_pct_nonet_ms").astype(float)

    def weighted_mean(self, placement="final"):
        """Rate-weighted mean response time (ms): the summary's mean_ms (inf if unstable)."""
        rate = column(self.dependencies, "rate").astype(float)
        if rate.sum() <= 0:
            return 0.0
        times = self.mean_times(placement)
        if not np.all(np.isfinite(times[rate > 0])):
            return float("inf")
        return float(np.sum(rate * times) / np.sum(rate))

    def utilisation_matrix(self, placement="final"):
        """k x k matrix: [a, b] is the utilisation of the busiest queue (bundle member) of the
        link from zone a to zone b (the diagonal: a zone's own link)."""
        a, b = column(self.links, "zone_from"), column(self.links, "zone_to")
        k = int(max(a.max(), b.max())) + 1 if len(a) else 0
        m = np.zeros((k, k))
        u = column(self.links, f"{placement}_utilisation").astype(float)
        np.maximum.at(m, (a, b), u)
        return m


class Run:
    """Everything of one zoneplace HDF5 file, read into memory."""

    def __init__(self, path):
        self.path = str(path)
        with h5py.File(self.path, "r") as f:
            self.attrs = {k: _attr(v) for k, v in f.attrs.items()}
            if self.attrs.get("creator") != "zoneplace":
                raise ValueError(f"{self.path}: not a zoneplace file (creator attribute)")
            self.format_version = int(self.attrs.get("format_version", 0))
            if self.format_version > FORMAT_VERSION:
                raise ValueError(f"{self.path}: format {self.format_version} is newer than "
                                 f"this zpload ({FORMAT_VERSION})")
            text = f["parameters/config_json"][()] if "parameters/config_json" in f else b"{}"
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            try:
                self.parameters = json.loads(text) if text else {}
            except json.JSONDecodeError:
                self.parameters = {"_text": text}
            for name in TABLES:
                setattr(self, name, _read_table(f[name]))
            self.fields = {name: _field_docs(f[name]) for name in TABLES}
            self.phase_names = _attr(f["trajectory"].attrs.get("phase_names", []))
            self.placements = f["placements"][...]
            self.initial_placements = (f["initial_placements"][...] if "initial_placements" in f
                                       else np.full_like(self.placements, -1))
            groups = sorted((k for k in f if k == "problem" or k.startswith("problem_")),
                            key=lambda k: int(f[k].attrs.get("index", 0)))
            self.problems = [Problem(f[k]) for k in groups]
            self.perfs = {}
            if "perf" in f:
                for name in f["perf"]:
                    p = Perf(f["perf"][name])
                    self.perfs[p.task] = p
        self.problem = self.problems[0] if self.problems else None

    # -- tasks ------------------------------------------------------------------------------
    def task_ids(self):
        return [int(t) for t in column(self.tasks, "task")]

    def _row(self, task):
        ids = column(self.tasks, "task")
        if task is None:
            if len(ids) == 0:
                raise KeyError("no tasks in the file")
            return 0
        hits = np.nonzero(ids == task)[0]
        if len(hits) == 0:
            raise KeyError(f"task {task} not in /tasks")
        return int(hits[0])

    def task(self, task=None):
        """The /tasks row of a task (default: the first) as a dict."""
        i = self._row(task)
        return {name: _scalar(column(self.tasks, name)[i]) for name in self.tasks.columns}

    def placement(self, task=None, initial=False):
        """Zone of every app in the best (or initial) placement of a task; None if unknown."""
        i = self._row(task)
        apps = int(column(self.tasks, "apps")[i])
        x = (self.initial_placements if initial else self.placements)[i, :apps]
        return None if np.any(x < 0) else x.astype(int)

    def problem_of(self, task=None):
        """The Problem of a task: the group its /tasks row names (field problem), else one with
        the task's instance name, zones and apps; None when the file has none (sweeps)."""
        info = self.task(task)
        by_index = {int(p.attrs.get("index", i)): p for i, p in enumerate(self.problems)}
        if int(info.get("problem", -1)) in by_index:
            return by_index[int(info["problem"])]
        for p in self.problems:
            if p.k == info["zones"] and p.n == info["apps"] and p.name == info["instance"]:
                return p
        return None

    def before_placement(self, task=None):
        """The placement before the search: the initial one, else the problem's current zones."""
        x = self.placement(task, initial=True)
        p = self.problem_of(task)
        if x is None and p is not None and p.current is not None:
            if len(p.current) == int(self.task(task)["apps"]):
                x = p.current
        return x

    def perf(self, task=None):
        """The response-time model's tables of a task (a Perf), None when its run had no
        "perf" section."""
        return self.perfs.get(int(self.task(task)["task"]))

    def trajectory_of(self, task=None, start=None):
        """Trajectory rows of a task (and one start; -1 for the phase rows)."""
        tid = self.task(task)["task"]
        t = self.trajectory
        mask = column(t, "task") == tid
        if start is not None:
            mask &= column(t, "start") == start
        return t[mask]

    def zone_table(self, task=None, problem=None):
        """Per zone: apps and resource load before (initial placement) and after (best)."""
        p = problem or self.problem_of(task)
        if p is None:
            raise KeyError(f"no /problem for task {self.task(task)['task']}")
        after = self.placement(task)
        before = self.before_placement(task)
        cols = {"zone": np.arange(p.k), "name": p.zone_names, "slots": p.slots}
        for label, x in (("before", before), ("after", after)):
            if x is None:
                continue
            x = np.asarray(x)
            placed = x >= 0
            cols[f"apps_{label}"] = np.bincount(x[placed], minlength=p.k)
            for r, res in enumerate(p.resources):
                load = np.bincount(x[placed], weights=p.demand[placed, r], minlength=p.k)
                cols[f"{res}_{label}"] = load
                cap = p.capacity[:, r]
                with np.errstate(divide="ignore", invalid="ignore"):
                    cols[f"{res}_util_{label}"] = np.where(np.isfinite(cap) & (cap > 0),
                                                           load / cap, np.nan)
        for r, res in enumerate(p.resources):
            cols[f"{res}_capacity"] = p.capacity[:, r]
        return make_table(cols)

    def __repr__(self):
        return (f"<zoneplace run {self.path}: {len(self.tasks)} task(s), "
                f"{len(self.trajectory)} trajectory rows, {self.attrs.get('mpi_ranks')} ranks>")


def load(path):
    """Reads a zoneplace HDF5 file (the final NAME.h5, or a temporary NAME.h5.partial.* for
    inspection)."""
    return Run(path)


if __name__ == "__main__":
    import sys

    for p in sys.argv[1:] or ["example.h5"]:
        r = load(p)
        print(r)
        print(r.tasks)
