#!/usr/bin/python3
"""cog2json.py - convert the thesis's .cog input files into zoneplace JSON configs.

The thesis ("Scheduling Applications on Containers Based on Dependency of The Applications",
A. Alelyani, arXiv 2103.16995) ships its inputs as whitespace-separated token files (.cog).
This converter reproduces what the thesis's own program *read* from them, not what a human
sees in them (see ../shared/thesis-data/README.md):

  * a file is a stream of whitespace-separated tokens; line breaks do not matter;
  * a reader checks only the first token: it must be the section keyword (`Application` or
    `ZONE`), otherwise the reader returns zeros (that is how the RTF file appConst200.cog
    reads as all-zero demands);
  * then it scans forward to a keyword token (`number`, `CPU`, `RAM`, `dependency`, `traffic`,
    `cpu`, `ram`); a keyword search that meets `END` first gives zero (not for `traffic`,
    `number` of ZONE);
  * a value is looked up by exact token match (`A7`, `zone3`) after the keyword and is the
    next token; a non-integer value (`0.7`) reads as 0 (Go strconv.Atoi semantics; `00` is 0);
  * the dependency matrix is the first N*N tokens after `dependency`, read as one stream
    (row-major); d[i][j] = 1 means app i depends on app j, written [ "A<i>", "A<j>" ];
  * apps are called A<i> (0-based, file order); names in appConfi*.cog are cosmetic;
  * arrivals: row r of the arrival matrix is new app A{N_old+r}; its columns 0..N_old+19
    index the old then the new apps; `A<r>` in appConstNewArrive20.cog means new app r.

The io flags are left out (the thesis's program never used them), and so are zone slots
(zoneplace's round robin derives round(n/k) itself, as the thesis's program did).
Self-loops are dropped with a note in stderr and in the JSON "description".

Usage:
  /usr/bin/python3 tools/cog2json.py --thesis-dir ../shared/thesis-data --out inputs/thesis

Python 3 standard library only. Every check that fails raises an error and exits non-zero.
"""

import argparse
import json
import os
import re
import sys

RESOURCES = ["cpu", "ram"]
ALLOWED_TOP = {"name", "description", "resources", "capacity_mode", "topology", "objective",
               "search", "zones", "apps", "dependencies", "arrivals", "perf"}
ALLOWED_APP = {"name", "demand", "needs_io", "size", "current_zone", "allowed_zones"}
ALLOWED_ZONE = {"name", "capacity", "slots", "io"}
SOURCE = ("thesis data (A. Alelyani, 'Scheduling Applications on Containers Based on Dependency "
          "of The Applications', arXiv 2103.16995; files from github.com/abo2512d1/"
          "ContainerSechulingAlgorithm, no license: for reproduction and tests only)")


class ConvertError(Exception):
    pass


def log(msg):
    print("cog2json: " + msg, file=sys.stderr)


# --------------------------------------------------------------------------------------------
# The thesis program's lexical rules
# --------------------------------------------------------------------------------------------

_INT_RE = re.compile(r"[+-]?[0-9]+\Z")


def atoi(tok):
    """Go strconv.Atoi with the error ignored: a non-integer token reads as 0."""
    if tok is not None and _INT_RE.match(tok):
        return int(tok)
    return 0


def is_int(tok):
    return tok is not None and _INT_RE.match(tok) is not None


class TokenFile:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            data = f.read()
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        self.text = text
        self.tokens = text.split()
        self.name = os.path.basename(path)

    def tok(self, i):
        """Token i, or "" past the end (Go's scanner keeps returning an empty text)."""
        return self.tokens[i] if 0 <= i < len(self.tokens) else ""

    def header_ok(self, section):
        return bool(self.tokens) and self.tokens[0] == section

    def find_keyword(self, section, keyword, stop_at_end=True):
        """Index just after `keyword`, scanning from token 1, or None (reader returns zeros)."""
        if not self.header_ok(section):
            return None
        for i in range(1, len(self.tokens)):
            t = self.tokens[i]
            if t == keyword:
                return i + 1
            if stop_at_end and t == "END":
                return None
        if stop_at_end:
            return None
        raise ConvertError("%s: keyword %r not found (the thesis's program would loop forever)"
                           % (self.path, keyword))

    def lookup(self, section, keyword, key):
        """(value token, raw) of `key` after `keyword`, or (None, None) when the header or the
        keyword is missing (the program's reader then returns its zero value)."""
        start = self.find_keyword(section, keyword)
        if start is None:
            return None
        for i in range(start, len(self.tokens)):
            if self.tokens[i] == key:
                return self.tok(i + 1)
        raise ConvertError("%s: %r not found after %r (the thesis's program would loop forever)"
                           % (self.path, key, keyword))

    def lookup_int(self, section, keyword, key, notes=None):
        raw = self.lookup(section, keyword, key)
        if raw is None:
            return 0
        v = atoi(raw)
        if notes is not None and (not is_int(raw) or raw != str(v)):
            notes.append("%s: %s %s value %r reads as %d" % (self.name, keyword, key, raw, v))
        return v

    def number(self, section):
        """`<section> number <N>`."""
        stop = section == "Application"  # the ZONE number reader does not stop at END
        start = self.find_keyword(section, "number", stop_at_end=stop)
        if start is None:
            return 0
        return atoi(self.tok(start))

    def matrix(self, rows, cols_stream, keyword="dependency"):
        """The first rows*cols_stream tokens after `Application ... dependency`, row-major.
        Returns (matrix as list of rows, the raw tokens used)."""
        start = self.find_keyword("Application", keyword)
        if start is None:
            raise ConvertError("%s: no 'Application ... %s' header" % (self.path, keyword))
        raw = [self.tok(start + k) for k in range(rows * cols_stream)]
        m = [[atoi(raw[i * cols_stream + j]) for j in range(cols_stream)] for i in range(rows)]
        return m, raw

    def traffic(self):
        start = self.find_keyword("Application", "traffic", stop_at_end=False)
        return [atoi(self.tok(start + k)) for k in range(4)]


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------

def read_zones(zfile):
    z = TokenFile(zfile)
    k = z.number("ZONE")
    if k <= 0:
        raise ConvertError("%s: zone number reads as %d" % (zfile, k))
    zones = []
    for j in range(k):
        name = "zone%d" % j
        cap = {}
        for r in RESOURCES:
            raw = z.lookup("ZONE", r, name)
            cap[r] = atoi(raw) if raw is not None else 0
            if raw is not None and not is_int(raw):
                raise ConvertError("%s: zone %s %s value %r is not an integer" % (zfile, name, r, raw))
        zones.append({"name": name, "capacity": cap})
    return zones


def read_demands(cfile, count, notes):
    """Demands of A0..A{count-1} as the program read them (all zero for an RTF file)."""
    c = TokenFile(cfile)
    if not c.header_ok("Application"):
        notes.append("%s: first token is %r, not 'Application', so the thesis's program read "
                     "every demand as 0" % (c.name, c.tok(0)[:12]))
    out = []
    for i in range(count):
        d = {r: c.lookup_int("Application", r.upper(), "A%d" % i, notes) for r in RESOURCES}
        out.append(d)
    return out


def read_deps(dfile, n_rows, n_cols, row_offset, label, notes):
    """Dependencies of rows 0..n_rows-1 of a stream-read n_cols x n_cols matrix.
    Row r is app A{row_offset+r}. Returns (deps, ones, selfloops, matrix)."""
    d = TokenFile(dfile)
    m, raw = d.matrix(n_rows, n_cols)
    used = raw[: n_rows * n_cols]
    bad = [t for t in used if not is_int(t) or atoi(t) not in (0, 1)]
    if bad:
        raise ConvertError("%s: the %dx%d block read has tokens other than 0/1: %r"
                           % (dfile, n_rows, n_cols, bad[:5]))
    deps, selfloops, ones = [], [], 0
    for r in range(n_rows):
        for j in range(n_cols):
            if m[r][j] == 1:
                ones += 1
                u, v = "A%d" % (row_offset + r), "A%d" % j
                if u == v:
                    selfloops.append(u)
                    note = ("%s: self-loop %s->%s dropped (zoneplace rejects self-loops; the "
                            "thesis's program counted it as a dependency)" % (d.name, u, v))
                    notes.append(note)
                    log("NOTE " + note)
                    continue
                deps.append([u, v])
    log("%s: %d ones in the %s dependency block, %d self-loop(s), %d dependencies kept"
        % (d.name, ones, label, len(selfloops), len(deps)))
    return deps, ones, selfloops, m, d


def mutual_pairs(deps):
    s = set(map(tuple, deps))
    return sorted({tuple(sorted((u, v), key=lambda a: int(a[1:]))) for (u, v) in s if (v, u) in s},
                  key=lambda p: int(p[0][1:]))


# --------------------------------------------------------------------------------------------
# Intended demands of appConst200.cog (RTF text, decimals, typo "A157" = "A15 7")
# --------------------------------------------------------------------------------------------

_NUM_RE = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_NAME_RE = re.compile(r"A([0-9]+)\Z")


def _num(s):
    v = float(s)
    return int(v) if v == int(v) else v


def read_intended_demands(cfile, count, notes):
    """Parse the demand values visible in the RTF text. Strict: every section must list
    A0..A{count-1} in order, each followed by a number; the only repair allowed is a name
    token that swallowed its value (`A157` where `A15` is expected and a name follows)."""
    with open(cfile, "rb") as f:
        text = f.read().decode("latin-1")
    if not text.startswith("{\\rtf"):
        raise ConvertError("%s: not an RTF file" % cfile)
    toks = []
    for t in text.split():
        if t.startswith("\\") or t.startswith("{") or t == "}":
            continue  # RTF control words, groups
        t = t.rstrip("\\")  # RTF line break "\" glued to the last word of a line
        if t:
            toks.append(t)
    # sections: "Application CPU" ... "Application RAM" ... "Applicatio IO"
    def index_of(seq):
        for i in range(len(toks) - len(seq) + 1):
            if toks[i:i + len(seq)] == seq:
                return i
        raise ConvertError("%s: %r not found in the RTF text" % (cfile, " ".join(seq)))
    i_cpu = index_of(["Application", "CPU"])
    i_ram = index_of(["Application", "RAM"])
    i_io = index_of(["Applicatio", "IO"])
    if not i_cpu < i_ram < i_io:
        raise ConvertError("%s: unexpected section order in the RTF text" % cfile)
    sections = {"cpu": toks[i_cpu + 2:i_ram], "ram": toks[i_ram + 2:i_io]}
    out = [dict() for _ in range(count)]
    for res, st in sections.items():
        i, expect = 0, 0
        while i < len(st):
            name = st[i]
            m = _NAME_RE.match(name)
            if not m:
                raise ConvertError("%s: %s section: expected A%d, got %r" % (cfile, res, expect, name))
            want = "A%d" % expect
            nxt = st[i + 1] if i + 1 < len(st) else None
            if name == want and nxt is not None and _NUM_RE.match(nxt):
                val, i = nxt, i + 2
            elif (name != want and name.startswith(want) and _NUM_RE.match(name[len(want):])
                  and (nxt is None or _NAME_RE.match(nxt))):
                val, i = name[len(want):], i + 1
                note = ("%s: %s: token %r read as %r %r (name and value run together)"
                        % (os.path.basename(cfile), res.upper(), name, want, val))
                notes.append(note)
                log("NOTE " + note)
            else:
                raise ConvertError("%s: %s section: cannot parse %r %r (expected %s)"
                                   % (cfile, res, name, nxt, want))
            if expect >= count:
                raise ConvertError("%s: %s section lists more than %d apps" % (cfile, res, count))
            out[expect][res] = _num(val)
            expect += 1
        if expect != count:
            raise ConvertError("%s: %s section lists %d apps, expected %d" % (cfile, res, expect, count))
    return [{r: d[r] for r in RESOURCES} for d in out]


# --------------------------------------------------------------------------------------------
# JSON output: 2-space indent, one app / zone / dependency per line
# --------------------------------------------------------------------------------------------

def _compact(v):
    return json.dumps(v, separators=(", ", ": "))


def dumps_config(cfg):
    def block(obj, ind, multiline_dict_keys=("arrivals",)):
        pad = "  " * ind
        lines = []
        items = list(obj.items())
        for n, (k, v) in enumerate(items):
            comma = "," if n + 1 < len(items) else ""
            key = json.dumps(k)
            if isinstance(v, dict) and k in multiline_dict_keys:
                lines.append("%s  %s: {" % (pad, key))
                lines.extend(block(v, ind + 1))
                lines.append("%s  }%s" % (pad, comma))
            elif isinstance(v, list) and v and all(isinstance(e, (dict, list)) for e in v):
                lines.append("%s  %s: [" % (pad, key))
                for m_, e in enumerate(v):
                    lines.append("%s    %s%s" % (pad, _compact(e), "," if m_ + 1 < len(v) else ""))
                lines.append("%s  ]%s" % (pad, comma))
            else:
                lines.append("%s  %s: %s%s" % (pad, key, _compact(v), comma))
        return lines
    return "\n".join(["{"] + block(cfg, 0) + ["}"]) + "\n"


def check_keys(cfg, where):
    def bad(keys, allowed, path):
        extra = set(keys) - allowed
        if extra:
            raise ConvertError("%s: %s: unknown keys %s" % (where, path, sorted(extra)))
    bad(cfg, ALLOWED_TOP, "top level")
    for i, z in enumerate(cfg["zones"]):
        bad(z, ALLOWED_ZONE, "zones[%d]" % i)
    apps = list(cfg["apps"]) + list(cfg.get("arrivals", {}).get("apps", []))
    for i, a in enumerate(apps):
        bad(a, ALLOWED_APP, "apps[%d]" % i)
    if "arrivals" in cfg:
        bad(cfg["arrivals"], {"apps", "dependencies"}, "arrivals")
    names = [a["name"] for a in apps]
    if len(set(names)) != len(names):
        raise ConvertError("%s: duplicate app names" % where)
    known = set(names)
    base_known = {a["name"] for a in cfg["apps"]}
    for d in cfg["dependencies"]:
        if d[0] not in base_known or d[1] not in base_known or d[0] == d[1]:
            raise ConvertError("%s: bad dependency %r" % (where, d))
    for d in cfg.get("arrivals", {}).get("dependencies", []):
        if d[0] not in known or d[1] not in known or d[0] == d[1]:
            raise ConvertError("%s: bad arrival dependency %r" % (where, d))


def write(cfg, outdir, fname):
    check_keys(cfg, fname)
    text = dumps_config(cfg)
    if json.loads(text) != cfg:
        raise ConvertError("%s: JSON round trip differs" % fname)
    path = os.path.join(outdir, fname)
    with open(path, "w") as f:
        f.write(text)
    log("wrote %s (%d apps, %d zones, %d dependencies%s)"
        % (path, len(cfg["apps"]), len(cfg["zones"]), len(cfg["dependencies"]),
           "" if "arrivals" not in cfg else ", arrivals: %d apps, %d dependencies"
           % (len(cfg["arrivals"]["apps"]), len(cfg["arrivals"]["dependencies"]))))


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------

# What the thesis README states about the data; the converter fails if the files disagree.
EXPECT = {
    "case1": {"n": 40, "k": 4, "ones": 22, "selfloops": ["A10"], "mutual": [],
              "cpu": [3, 5, 5, 7], "ram": [8, 8, 16, 32]},
    "case2": {"n": 200, "k": 10, "ones": 314, "selfloops": [], "mutual": [("A3", "A22")],
              "cpu": [3, 5, 3, 7, 7, 5, 5, 7, 3, 5], "ram": [8, 10, 16, 32, 8, 18, 16, 32, 16, 32]},
    # arrivals: ones, to old apps, to new apps
    "case1_arrivals": {"ones": 10, "old": 7, "new": 3},
    "case2_arrivals": {"ones": 20, "old": 17, "new": 3},
}


def expect(cond, msg):
    if not cond:
        raise ConvertError("check failed: " + msg)


def build_base(tdir, name, appconfi, appconst, zoneconfi, depndconfi):
    p = lambda f: os.path.join(tdir, f)
    exp = EXPECT[name]
    notes = []
    n = TokenFile(p(appconfi)).number("Application")
    expect(n == exp["n"], "%s: app number %d, expected %d" % (appconfi, n, exp["n"]))
    zones = read_zones(p(zoneconfi))
    expect(len(zones) == exp["k"], "%s: %d zones, expected %d" % (zoneconfi, len(zones), exp["k"]))
    expect([z["capacity"]["cpu"] for z in zones] == exp["cpu"], "%s: zone cpu" % zoneconfi)
    expect([z["capacity"]["ram"] for z in zones] == exp["ram"], "%s: zone ram" % zoneconfi)
    demands = read_demands(p(appconst), n, notes)
    deps, ones, selfloops, m, dfile = read_deps(p(depndconfi), n, n, 0, name, notes)
    expect(ones == exp["ones"], "%s: %d ones, expected %d" % (depndconfi, ones, exp["ones"]))
    expect(selfloops == exp["selfloops"], "%s: self-loops %r, expected %r"
           % (depndconfi, selfloops, exp["selfloops"]))
    mp = mutual_pairs(deps)
    expect(mp == exp["mutual"], "%s: mutual pairs %r, expected %r" % (depndconfi, mp, exp["mutual"]))
    if mp:
        log("%s: mutual pair(s) %s (listed in both directions, kept both)"
            % (depndconfi, ", ".join("%s<->%s" % q for q in mp)))
    c = dfile.traffic()
    expect(c == [10, 100, 100, 10], "%s: traffic block %r, expected [10, 100, 100, 10]" % (depndconfi, c))
    # how different the stream reading is from the line-by-line reading
    lines = [ln.split() for ln in dfile.text.splitlines()]
    start = [i for i, ln in enumerate(lines) if "dependency" in ln][0] + 1
    rows = []
    for ln in lines[start:]:
        if "END" in ln:
            break
        if ln:
            rows.append(ln)
    same = sum(1 for i in range(n) for j in range(n)
               if m[i][j] == 1 and i < len(rows) and j < len(rows[i]) and rows[i][j] == "1")
    nums = sum(len(r) for r in rows)
    widths = sorted({len(r) for r in rows})
    log("%s: %d non-empty lines (widths %s) with %d numbers before END; %d of the %d ones read as "
        "a stream are at the same position line by line"
        % (depndconfi, len(rows), widths, nums, same, ones))
    if name == "case2":
        expect(same == 31, "%s: %d ones at the same position, expected 31" % (depndconfi, same))

    zero = sum(1 for d in demands if all(v == 0 for v in d.values()))
    log("%s: %d apps, %d with all-zero demand; %s: %d zones"
        % (appconst, n, zero, zoneconfi, len(zones)))
    desc = ["Thesis test case %s (%d apps, %d zones), converted by tools/cog2json.py from %s, %s, "
            "%s, %s as the thesis's program read them (token stream); %s."
            % (name[-1], n, len(zones), appconfi, appconst, zoneconfi, depndconfi, SOURCE)]
    if selfloops:
        desc.append("The dependency matrix has %d ones including the self-loop %s; the self-loop "
                    "was dropped, leaving %d dependencies."
                    % (ones, ", ".join("%s->%s" % (a, a) for a in selfloops), len(deps)))
    else:
        desc.append("The dependency matrix has %d ones read as a stream of %d*%d tokens, no "
                    "self-loop." % (ones, n, n))
    if mp:
        desc.append("Mutual pair(s) %s are listed in both directions."
                    % ", ".join("%s<->%s" % q for q in mp))
    if zero == n:
        desc.append("%s is an RTF document, so the thesis's program read cpu=ram=0 for every app; "
                    "the demands here are therefore all zero (case2_intended.json has the values "
                    "visible in the RTF text)." % appconst)
    else:
        desc.append("Demands as read (%d apps with cpu=ram=0; non-integers read as 0)." % zero)
    desc.append("Zone cpu/ram are per-app limits (capacity_mode per_app), as in the thesis. io "
                "flags left out (the thesis's program never used them); slots left out "
                "(round robin uses round(n/k)). e_in/e_core from the traffic block (c00, c01).")
    cfg = {
        "name": name,
        "description": " ".join(desc),
        "resources": list(RESOURCES),
        "capacity_mode": "per_app",
        "topology": {"e_in": c[0], "e_core": c[1]},
        "objective": {"requests": 1, "move_factor": 10},
        "zones": zones,
        "apps": [{"name": "A%d" % i, "demand": demands[i]} for i in range(n)],
        "dependencies": deps,
    }
    for nt in notes:
        if "self-loop" not in nt:
            log("note: " + nt)
    return cfg


def add_arrivals(tdir, base, name, appconfi, appconst, depndconfi):
    p = lambda f: os.path.join(tdir, f)
    exp = EXPECT[name]
    notes = []
    n_old = len(base["apps"])
    n_new = TokenFile(p(appconfi)).number("Application")
    expect(n_new == 20, "%s: %d new apps, expected 20" % (appconfi, n_new))
    demands = read_demands(p(appconst), n_new, notes)
    ncol = n_old + n_new
    deps, ones, selfloops, _, dfile = read_deps(p(depndconfi), n_new, ncol, n_old, name, notes)
    # the file really has n_new rows of ncol numbers before END
    body = dfile.tokens[dfile.find_keyword("Application", "dependency"):]
    nnum = body.index("END") if "END" in body else len(body)
    expect(nnum == n_new * ncol and all(is_int(t) for t in body[:nnum]),
           "%s: %d numbers before END, expected %d" % (depndconfi, nnum, n_new * ncol))
    to_old = sum(1 for d in deps if int(d[1][1:]) < n_old)
    to_new = len(deps) - to_old
    expect(ones == exp["ones"], "%s: %d ones, expected %d" % (depndconfi, ones, exp["ones"]))
    expect(to_old == exp["old"] and to_new + len(selfloops) == exp["new"],
           "%s: %d to old apps, %d to new apps, expected %d and %d"
           % (depndconfi, to_old, to_new + len(selfloops), exp["old"], exp["new"]))
    log("%s: %d ones: %d to old apps, %d to new apps (%d self-loops)"
        % (depndconfi, ones, to_old, to_new + len(selfloops), len(selfloops)))
    cfg = dict(base)
    cfg["name"] = name
    extra = ("Arrivals: %d new apps A%d..A%d with demands from %s (A<r> there is new app r) and "
             "dependencies from %s (%d rows x %d columns, row r = A%d+r; the thesis's program "
             "reads a %dx%d block and uses its first %d rows): %d dependencies, %d to old apps "
             "and %d to new apps."
             % (n_new, n_old, n_old + n_new - 1, appconst, depndconfi, n_new, ncol, n_old,
                ncol, ncol, n_new, len(deps), to_old, to_new))
    if selfloops:
        extra += " Self-loop(s) %s dropped." % ", ".join("%s->%s" % (a, a) for a in selfloops)
    cfg["description"] = base["description"] + " " + extra
    cfg["arrivals"] = {
        "apps": [{"name": "A%d" % (n_old + r), "demand": demands[r]} for r in range(n_new)],
        "dependencies": deps,
    }
    for nt in notes:
        if "self-loop" not in nt:
            log("note: " + nt)
    return cfg


def build_intended(tdir, base, appconst):
    notes = []
    n = len(base["apps"])
    dem = read_intended_demands(os.path.join(tdir, appconst), n, notes)
    zones = base["zones"]
    nofit = [("A%d" % i, d) for i, d in enumerate(dem)
             if not any(all(d[r] <= z["capacity"][r] for r in RESOURCES) for z in zones)]
    nonint = sum(1 for d in dem for v in d.values() if isinstance(v, float))
    log("%s (intended): %d apps parsed, %d non-integer values, sum cpu %g, sum ram %g"
        % (appconst, n, nonint, sum(d["cpu"] for d in dem), sum(d["ram"] for d in dem)))
    cfg = dict(base)
    cfg["name"] = "case2_intended"
    desc = ("Thesis test case 2 with the demands *intended* in the RTF text of %s (the thesis's "
            "program read them all as 0; see case2.json). Parsed from the RTF text: decimals kept "
            "(%d non-integer values such as 0.7 and .5), the token 'A157' in the RAM section read as "
            "'A15 7'. Zones, dependencies and everything else as in case2.json. "
            % (appconst, nonint))
    if nofit:
        desc += ("WARNING: %s fit%s no zone in per_app mode (%s), so zoneplace rejects this file as "
                 "invalid input unless those demands are changed; it is kept as the data's "
                 "intended values, not as a runnable case. "
                 % (", ".join(a for a, _ in nofit), "s" if len(nofit) == 1 else "",
                    "; ".join("%s cpu %g ram %g" % (a, d["cpu"], d["ram"]) for a, d in nofit)))
        for a, d in nofit:
            log("WARNING %s (intended demand cpu %g ram %g) fits no zone: max zone cpu %d, ram %d"
                % (a, d["cpu"], d["ram"], max(z["capacity"]["cpu"] for z in zones),
                   max(z["capacity"]["ram"] for z in zones)))
    cfg["description"] = desc + "Source: " + SOURCE + "."
    cfg["apps"] = [{"name": "A%d" % i, "demand": dem[i]} for i in range(n)]
    return cfg


def main(argv=None):
    ap = argparse.ArgumentParser(description="Convert the thesis's .cog files to zoneplace JSON.")
    ap.add_argument("--thesis-dir", required=True, help="folder with the .cog files")
    ap.add_argument("--out", required=True, help="output folder (e.g. inputs/thesis)")
    ap.add_argument("--no-intended", action="store_true", help="do not write case2_intended.json")
    ap.add_argument("--intended-out", default="tests/bad_inputs",
                    help="folder for case2_intended.json, which is not valid input "
                         "(an app fits no zone); default tests/bad_inputs")
    args = ap.parse_args(argv)
    try:
        os.makedirs(args.out, exist_ok=True)
        t = args.thesis_dir
        c1 = build_base(t, "case1", "appConfi.cog", "appConst.cog", "zoneConfi.cog", "depndConfi.cog")
        c2 = build_base(t, "case2", "appConfi200.cog", "appConst200.cog", "zoneConfi200.cog",
                        "depndConfi200.cog")
        expect(len(c1["dependencies"]) == 21, "case1: %d dependencies, expected 21" % len(c1["dependencies"]))
        expect(len(c2["dependencies"]) == 314, "case2: %d dependencies" % len(c2["dependencies"]))
        expect(all(v == 0 for a in c2["apps"] for v in a["demand"].values()),
               "case2: demands should all read as 0")
        c1a = add_arrivals(t, c1, "case1_arrivals", "appConfiNewArrive20.cog",
                           "appConstNewArrive20.cog", "depndConfiNewArrive20.cog")
        c2a = add_arrivals(t, c2, "case2_arrivals", "appConfiNewArrive20.cog",
                           "appConstNewArrive20.cog", "depndConfiNewArrive200.cog")
        write(c1, args.out, "case1.json")
        write(c2, args.out, "case2.json")
        write(c1a, args.out, "case1_arrivals.json")
        write(c2a, args.out, "case2_arrivals.json")
        if not args.no_intended:
            write(build_intended(t, c2, "appConst200.cog"), args.intended_out, "case2_intended.json")
    except (ConvertError, OSError) as e:
        print("cog2json: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
