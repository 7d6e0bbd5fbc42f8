#!/usr/bin/python3
"""bench/table.py - the benchmark table of bench/run.sh, and zoneplace's row in it.

  table.py print RESULTS.jsonl
      One row per (instance, k, tool): cut, achieved imbalance, balanced?, tool seconds, peak
      memory, zoneplace's objective of the placement and its violations, and, when a zoneplace
      row exists for the same instance and k, the ratios zoneplace/tool of cut and time
      (< 1: zoneplace cuts less / is faster). Closing lines: geometric means of the ratios.
  table.py markdown RESULTS.jsonl
      The same results as a Markdown table for the README (one row per instance and k).
  table.py zoneplace-row --name N --k K --eps E --summary S.json --time T
      Converts a `bin/zoneplace run --summary` file plus `/usr/bin/time -f '%e %M'` output into
      a results line (the same fields as bench/baselines prints).

Python 3 standard library only.
"""

import argparse
import json
import math
import sys

TOOL_ORDER = {"zoneplace": 0, "metis": 1, "metis-best": 2, "scotch": 3, "scotch-best": 4}


def first_task(summary):
    """The first task's metrics of a summary file, whatever its exact nesting."""
    if isinstance(summary, dict) and isinstance(summary.get("tasks"), list) and summary["tasks"]:
        return summary["tasks"][0]
    if isinstance(summary, list) and summary:
        return summary[0]
    return summary


def pick(d, *keys, default=None):
    for k in keys:
        if isinstance(d, dict) and d.get(k) is not None:
            return d[k]
    return default


def zoneplace_row(args):
    # The summary of `zoneplace run` (main.c): tasks[0] has apps, zones, wall_seconds and the
    # metrics of the final placement in "final" (cut_weight, max_zone_apps, objective, ...).
    # This is the one place to adapt if those names change.
    with open(args.summary) as f:
        task = first_task(json.load(f))
    final = task.get("final", task) if isinstance(task, dict) else {}
    with open(args.time) as f:
        wall, rss_kb = f.read().split()[-2:]
    n = pick(task, "apps", "n")
    k = int(pick(task, "zones", default=args.k))
    max_load = pick(final, "max_zone_apps", "max_load")
    ceil_avg = math.ceil(n / k) if n else None
    hi = math.floor((1 + float(args.eps)) * ceil_avg + 1e-9) if ceil_avg else None
    row = {
        "name": args.name, "tool": "zoneplace", "n": n, "k": k, "eps": float(args.eps),
        "hi": hi,
        "cut": pick(final, "cut_weight", "cut"),
        "max_load": max_load,
        "imbalance": (max_load / ceil_avg - 1) if max_load is not None and ceil_avg else None,
        "balanced": (max_load <= hi) if max_load is not None and hi is not None else None,
        "seconds": pick(task, "wall_seconds", default=float(wall)),
        "process_seconds": float(wall),
        "peak_rss_mb": int(rss_kb) / 1024.0,
        "objective": pick(final, "objective"),
        "traffic": pick(final, "traffic"),
        "external_deps": pick(final, "external_deps"),
        "lb_pct": pick(final, "lb_pct"),
        "violations": pick(final, "violations"),
        "phases": [{k: ph[k] for k in ("phase", "seconds", "coarsen_seconds",
                                       "coarsest_seconds", "refine_seconds") if k in ph}
                   for ph in task.get("phases", [])],
    }
    print(json.dumps(row))


def fmt(v, spec):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return format(v, spec)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def print_table(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    if not rows:
        print("bench: no results")
        return
    zp = {(r["name"], r["k"]): r for r in rows if r["tool"] == "zoneplace"}
    rows.sort(key=lambda r: (r["name"], r["k"], TOOL_ORDER.get(r["tool"], 9)))
    head = ("instance", "n", "k", "tool", "cut", "imbal%", "bal", "sec", "rssMB",
            "objective", "viol", "zp/cut", "zp/sec")
    widths = (16, 8, 3, 11, 12, 7, 4, 8, 7, 14, 5, 7, 7)
    print(" ".join(h.rjust(w) if i not in (0, 3) else h.ljust(w)
                   for i, (h, w) in enumerate(zip(head, widths))))
    logs = {}
    for r in rows:
        z = zp.get((r["name"], r["k"]))
        rc = rs = None
        if z and r["tool"] != "zoneplace":
            rc, rs = ratio(z.get("cut"), r.get("cut")), ratio(z.get("seconds"), r.get("seconds"))
            if rc:
                logs.setdefault(r["tool"], []).append(math.log(rc))
        imb = r.get("imbalance")
        cells = (r["name"][:16], fmt(r.get("n"), "d"), fmt(r["k"], "d"), r["tool"],
                 fmt(r.get("cut"), ".0f"), fmt(imb * 100 if imb is not None else None, ".2f"),
                 fmt(r.get("balanced"), ""), fmt(r.get("seconds"), ".2f"),
                 fmt(r.get("tool_rss_mb", r.get("peak_rss_mb")), ".0f"),
                 fmt(r.get("objective"), ".6g"), fmt(r.get("violations"), "d"),
                 fmt(rc, ".3f"), fmt(rs, ".2f"))
        print(" ".join(c.rjust(w) if i not in (0, 3) else c.ljust(w)
                       for i, (c, w) in enumerate(zip(cells, widths))))
    print("viol: apps that do not fit their zone plus zone limits exceeded (cap-* instances:"
          " cpu and ram capacities of (1 + slack) / k of the total demand per zone).")
    print("cut: sum of the weights of cut edges (each once); imbal%: max load / ceil(n/k) - 1;"
          " bal: max load <= floor((1+eps) ceil(n/k)); sec: tool time (all seeds);"
          " rssMB: peak while the tool ran, instance included; objective: zoneplace's traffic"
          " of the placement (fat tree 40/240); zp/...: zoneplace / this tool, same instance"
          " and k.")
    if not zp:
        print("zoneplace: no rows yet (bin/zoneplace run --graph not available): ratios empty.")
    for tool, ls in sorted(logs.items()):
        print("geometric mean of zoneplace/%s cut: %.4f over %d runs"
              % (tool, math.exp(sum(ls) / len(ls)), len(ls)))
    print_verdicts(rows, zp)
    print_phase_times(rows)


def print_phase_times(rows):
    """Where zoneplace's time goes on the largest instances (one line each)."""
    for r in rows:
        if r["tool"] != "zoneplace" or (r.get("n") or 0) < 1000000:
            continue
        parts = []
        for ph in r.get("phases", []):
            part = "%s %.1f s" % (ph["phase"], ph.get("seconds", float("nan")))
            if "coarsen_seconds" in ph:
                part += " (coarsening %.1f, coarsest level %.1f, refinement %.1f)" % (
                    ph["coarsen_seconds"], ph["coarsest_seconds"], ph["refine_seconds"])
            parts.append(part)
        print("%s k=%d zoneplace: %s; whole process %.1f s wall (reading the input included), "
              "peak %.0f MB" % (r["name"], r["k"], ", ".join(parts),
                                r.get("process_seconds", float("nan")), r["peak_rss_mb"]))


def is_capacity(name):
    return name.startswith("cap-")


def print_verdicts(rows, zp):
    """The issue's acceptance lines: cut against METIS per (instance, k) with k in {4, 10, 32,
    64}, and who breaks capacities where zones have them."""
    for tool in ("metis", "metis-best", "scotch"):
        pairs = [(r, zp[(r["name"], r["k"])]) for r in rows
                 if r["tool"] == tool and r["k"] in (4, 10, 32, 64)
                 and (r["name"], r["k"]) in zp and not is_capacity(r["name"])]
        if not pairs:
            continue
        ratios = [z["cut"] / r["cut"] for r, z in pairs if r.get("cut")]
        wins = sum(1 for r, z in pairs if z["cut"] <= r["cut"])
        worst = max(ratios) if ratios else float("nan")
        print("zoneplace cut <= %s cut on %d of %d (instance, k) pairs without capacities "
              "(%.0f%%); worst zoneplace/%s %.4f" % (tool, wins, len(pairs),
                                                     100.0 * wins / len(pairs), tool, worst))
    caps = [r for r in rows if is_capacity(r["name"])]
    for tool in sorted({r["tool"] for r in caps}, key=lambda t: TOOL_ORDER.get(t, 9)):
        mine = [r for r in caps if r["tool"] == tool]
        broken = [r for r in mine if (r.get("violations") or 0) > 0]
        print("capacity instances: %s breaks zone capacities in %d of %d runs (%d violations in all)"
              % (tool, len(broken), len(mine), sum(r["violations"] for r in broken)))


def print_markdown(path):
    """The README's performance table: one row per (instance, k), cut and seconds of each tool
    (violations in brackets where a tool breaks capacities), zoneplace / METIS."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = {}
    for r in rows:
        by.setdefault((r["name"], r["k"]), {})[r["tool"]] = r
    tools = ("zoneplace", "metis", "metis-best", "scotch")
    print("| instance | n | k | " + " | ".join(tools) + " | zp/METIS | zp s | METIS s |")
    print("|---|--:|--:|" + "--:|" * (len(tools) + 3))
    for (name, k) in sorted(by, key=lambda nk: (nk[0], nk[1])):
        t = by[(name, k)]
        cells = []
        for tool in tools:
            r = t.get(tool)
            if not r:
                cells.append("-")
                continue
            cell = "{:,}".format(int(round(r["cut"])))
            if r.get("violations"):
                cell += " (%d viol.)" % r["violations"]
            cells.append(cell)
        z, m = t.get("zoneplace"), t.get("metis")
        ratio_cell = "%.3f" % (z["cut"] / m["cut"]) if z and m and m["cut"] else "-"
        n = (z or m or {}).get("n")
        print("| %s | %s | %d | %s | %s | %s | %s |" % (
            name, "{:,}".format(n) if n else "-", k, " | ".join(cells), ratio_cell,
            "%.1f" % z["seconds"] if z else "-", "%.2f" % m["seconds"] if m else "-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("print")
    p.add_argument("results")
    md = sub.add_parser("markdown")
    md.add_argument("results")
    z = sub.add_parser("zoneplace-row")
    for opt in ("--name", "--k", "--eps", "--summary", "--time"):
        z.add_argument(opt, required=True)
    args = ap.parse_args()
    if args.cmd == "print":
        print_table(args.results)
    elif args.cmd == "markdown":
        print_markdown(args.results)
    else:
        zoneplace_row(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
