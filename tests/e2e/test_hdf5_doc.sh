#!/usr/bin/env bash
# docs/hdf5.md matches the files zoneplace writes: every root attribute, every /problem dataset,
# every field of /tasks, /starts, /trajectory, /problem/dependencies and the /perf tables, and
# every top-level object, as documented, in a run (with a perf section) and a sweep; nothing
# written is undocumented and nothing documented is missing (optional entries say "only when" or
# "sweeps:"). Also the trajectory's key (task, start, epoch, phase, step, kind) is unique and the
# steps keep increasing through a task's phases on an arrival run; and the provenance attributes
# hold what they say (git describe of the build, times, hosts, the MPI library, completeness).
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, PY.
source "$(dirname "$0")/../lib.sh"

if [ "$MPI" != 1 ]; then
    echo "note: serial build: no HDF5 output"
    finish
    exit
fi
WORK=$ZP_TMP/hdf5_doc
rm -rf "$WORK" && mkdir -p "$WORK"
zp_mpi 2 run --config inputs/examples/case2_perf.json --quiet --iterations 20 --out "$WORK/run.h5" \
    >"$WORK/run.log" 2>&1
expect_eq "a run with a perf section" "$?" 0
zp_mpi 2 sweep --config inputs/sweeps/case2_zones.json --quiet --zones 2 --out "$WORK/sweep.h5" \
    >"$WORK/sweep.log" 2>&1
expect_eq "a sweep" "$?" 0
zp_mpi 2 run --config inputs/thesis/case2_arrivals.json --quiet --starts 2 --epochs 2 \
    --iterations 200 --out "$WORK/arrivals.h5" >"$WORK/arrivals.log" 2>&1
expect_eq "an arrival run" "$?" 0

ZP_VERSION_LINE=$("$ZP_BIN" --version) \
"$PY" - docs/hdf5.md "$WORK/run.h5" "$WORK/sweep.h5" "$WORK/arrivals.h5" >"$WORK/checks.log" 2>&1 <<'EOF'
import re, sys
import h5py

doc_lines = open(sys.argv[1]).read().splitlines()
files = [h5py.File(p, "r") for p in sys.argv[2:]]
failed = 0

def report(ok, what):
    global failed
    print(("ok - " if ok else "FAIL - ") + what)
    failed += not ok

# Documented tables: section heading -> [(names, optional)], names expanded (P_ -> initial_/final_)
sections, current = {}, None
for line in doc_lines:
    m = re.match(r"^#{2,4} (.*)", line)
    if m:
        current = m.group(1).strip()
        continue
    if current and line.startswith("| `"):
        cells = [c.strip() for c in line.strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        optional = "only when" in line or "sweeps:" in line
        expanded = []
        for n in names:
            expanded += [n.replace("P_", p + "_", 1) for p in ("initial", "final")] if n.startswith("P_") else [n]
        sections.setdefault(current, []).extend((n, optional) for n in expanded)

def check_names(what, documented, actual):
    doc_all = {n for n, _ in documented}
    required = {n for n, opt in documented if not opt}
    extra = sorted(set(actual) - doc_all)
    missing = sorted(required - set(actual))
    report(not extra and not missing,
           f"{what}: documented exactly (undocumented {extra}, missing {missing})")

def section(prefix):
    key = [s for s in sections if s.startswith(prefix)]
    return sections[key[0]] if key else []

root_attrs = set()
for f in files:
    root_attrs |= set(f.attrs.keys())
check_names("root attributes", section("Root attributes"), root_attrs)

# /problem: datasets (some optional) and the dependencies table
prob = files[0]["problem"]
doc_problem = [(n, opt) for n, opt in section("/problem") if n not in ("src", "dst", "weight", "multiplicity")]
check_names("/problem datasets", doc_problem, list(prob.keys()))
check_names("/problem/dependencies fields",
            [(n, False) for n in ("src", "dst", "weight", "multiplicity")],
            prob["dependencies"].dtype.names)
for table in ("tasks", "starts", "trajectory"):
    for f in files:
        check_names(f"/{table} fields ({f.filename.split('/')[-1]})", section("/" + table),
                    f[table].dtype.names)
    report(list(files[0][table].attrs["field_names"]) == list(files[0][table].dtype.names),
           f"/{table}: attribute field_names lists the fields in order")

# /perf: group attributes and the three tables
perf_sections = [s for s in sections if s.startswith("/perf") or "perf" in s.lower()]
g = files[0]["perf"]["task_0"]
doc_perf = []
for s in perf_sections:
    doc_perf += sections[s]
names_in_doc = {n for n, _ in doc_perf}
undocumented = sorted(set(g.attrs.keys()) - names_in_doc - {"description"})
report(not undocumented, f"/perf/task_0 attributes documented (undocumented {undocumented})")
for t in g.keys():
    missing = sorted(set(g[t].dtype.names) - names_in_doc)
    report(not missing, f"/perf/task_0/{t} fields documented (undocumented {missing})")

# top-level objects: each documented in the layout block
layout = "\n".join(doc_lines)
for f in files:
    for name in f.keys():
        base = re.sub(r"_\d+$", "_i", name)
        ok = ("/" + name) in layout or ("/" + base) in layout
        report(ok, f"/{name} ({f.filename.split('/')[-1]}) is in the documented layout")

# trajectory key and steps on the arrival run
arr = files[2]
t = arr["trajectory"][:]
keys = set(zip(t["task"], t["start"], t["epoch"], t["phase"], t["step"], t["kind"]))
report(len(keys) == len(t), f"/trajectory: (task, start, epoch, phase, step, kind) unique ({len(t)} rows)")
names = [n.decode() if isinstance(n, bytes) else n for n in arr["trajectory"].attrs["phase_names"]]
rounds = t[t["kind"] == 0]
def steps(phase):
    s = rounds[rounds["phase"] == names.index(phase)]["step"]
    return s.min(), s.max()
lo1, hi1 = steps("search")
lo2, hi2 = steps("arrival_search")
report(lo1 >= 1 and lo2 > hi1, f"steps go on through the phases: search {lo1}..{hi1}, arrival_search {lo2}..{hi2}")
kinds = [n.decode() if isinstance(n, bytes) else n for n in arr["trajectory"].attrs["kind_names"]]
report(kinds == ["round", "epoch_end", "phase_end", "level"], f"kind_names {kinds}")

# provenance
a = files[0].attrs
report(int(a["complete"]) == 1 and int(files[1].attrs["complete"]) == 1, "complete = 1 in finished files")
report(bool(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", a["started"])) and a["started"] <= a["ended"],
       f"started {a['started']} <= ended {a['ended']}")
report(len(a["hosts"]) >= 1 and all(h for h in a["hosts"]), f"hosts {list(a['hosts'])}")
report(len(a["mpi_library"]) > 0, f"mpi_library {a['mpi_library']}")
report('"iterations": 20' in a["settings"], "settings hold the effective options (iterations 20)")
import os
built = re.search(r"\(git ([^,]+),", os.environ["ZP_VERSION_LINE"])
report(bool(built) and a["git_revision"] == built.group(1) and
       bool(re.match(r"^[0-9A-Za-z._-]+?(-dirty)?$", a["git_revision"])) and a["git_revision"] != "unknown",
       f"git_revision {a['git_revision']}: git describe of the build, as --version says")
sys.exit(1 if failed else 0)
EOF
rc=$?
cat "$WORK/checks.log"
t_pass=$((t_pass + $(grep -c '^ok - ' "$WORK/checks.log")))
t_fail=$((t_fail + $(grep -c '^FAIL - ' "$WORK/checks.log")))
[ "$rc" -eq 0 ] || [ "$(grep -c '^FAIL - ' "$WORK/checks.log")" -gt 0 ] || not_ok "python checks ended with status $rc"
finish
