#!/usr/bin/env bash
# Citations of documents must lead somewhere: every "X.md" that src/, README.md, docs/ or the tests
# name must exist (from the repository root or the citing file's folder), every "X.md section N"
# must have a heading "N. ..." there, and every link "X.md#anchor" or "(#anchor)" a heading with
# that anchor (GitHub's rule: lower case, punctuation dropped, spaces to dashes).
source "$(dirname "$0")/../lib.sh"
"$PY" - > "$ZP_TMP/doc_refs.log" 2>&1 <<'PYEOF'
import glob, os, re
files = sorted(glob.glob("src/*.[ch]") + ["README.md"] + glob.glob("docs/*.md") +
               glob.glob("tests/e2e/*.sh") + glob.glob("tests/unit/*.[ch]"))
def ok(cond, desc):
    print(("ok - " if cond else "FAIL - ") + desc, flush=True)
def slug(heading):
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")
def headings(path):
    return [m.group(2) for m in re.finditer(r"^(#+)\s+(.*)$", open(path).read(), re.M)]
def resolve(name, citing):
    for cand in (name, os.path.join(os.path.dirname(citing), name)):
        if os.path.isfile(cand):
            return os.path.normpath(cand)
    return None
ref = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.md)(#[\w-]+)?"
                 r"(?:,?\s+sections?\s+(\d+(?:(?:,\s*|\s+and\s+|\s+or\s+)\d+)*))?")
local_anchor = re.compile(r"\]\((#[\w-]+)\)")
count = 0
bad = []
for f in files:
    if f.endswith("test_doc_refs.sh"):  # its own examples
        continue
    text = open(f, errors="replace").read()
    for m in ref.finditer(text):
        name, anchor, sections = m.group(1), m.group(2), m.group(3)
        line = text.count("\n", 0, m.start()) + 1
        where = f"{f}:{line}: {m.group(0).strip()}"
        count += 1
        target = resolve(name, f)
        if not target:
            bad.append(f"{where}: no such document")
            continue
        if anchor and target.endswith(".md"):
            if anchor[1:] not in {slug(h) for h in headings(target)}:
                bad.append(f"{where}: {target} has no heading {anchor}")
        for n in re.findall(r"\d+", sections or ""):
            if not any(re.match(rf"{n}\.\s", h) for h in headings(target)):
                bad.append(f"{where}: {target} has no section {n}")
    if f.endswith(".md"):
        for m in local_anchor.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            count += 1
            if m.group(1)[1:] not in {slug(h) for h in headings(f)}:
                bad.append(f"{f}:{line}: {m.group(1)}: no such heading in {f}")
for b in bad:
    print("    " + b)
ok(count > 20, f"{count} citations of documents found in {len(files)} files")
ok(not bad, f"every cited document, section and anchor exists ({len(bad)} do not)")
print("checker done")
PYEOF
done=0
while IFS= read -r line; do
    case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "FAIL - "*) not_ok "${line#FAIL - }" ;;
        "checker done") done=1 ;;
        *) echo "$line" ;;
    esac
done < "$ZP_TMP/doc_refs.log"
[ "$done" = 1 ] || { cat "$ZP_TMP/doc_refs.log"; not_ok "the Python checker did not finish"; }
finish
