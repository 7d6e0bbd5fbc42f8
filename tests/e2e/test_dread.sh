#!/usr/bin/env bash
# The parallel METIS reader (src/dread.c) on 1 to 4 MPI ranks against the serial reader, through
# $BUILD/tests/dread_driver (tests/fuzz/dread_driver.c): for every .graph of tests/bad_inputs
# and a few hundred random graphs, valid or damaged (every rank count splits their lines
# differently, lines cut across ranks, ranks left without lines), each rank count must give
# the serial reader's exact message and status, kept by exactly one rank, or the same graph
# (an order-free digest of every row, weight, demand and size). Then a generated graph of
# 20,000 vertices, whose rows spread over every rank.
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI.
source "$(dirname "$0")/../lib.sh"

DRIVER=$(dirname "$ZP_BIN")/tests/dread_driver
WORK=$ZP_TMP/dread
rm -rf "$WORK" && mkdir -p "$WORK/random"
if [ ! -x "$DRIVER" ]; then
    not_ok "$DRIVER is missing (make unit builds it)"
    finish
    exit
fi
# the serial reference is a single process: no need for the singleton's helper daemon
serial() { OMPI_MCA_ess_singleton_isolated=1 "$DRIVER" serial "$@"; }
run_ranks() {
    local n=$1; shift
    if [ "$MPI" = 1 ]; then mpirun -n "$n" "$DRIVER" "$@"; else "$DRIVER" "$@"; fi
}

# Random graphs of up to 12 vertices in every METIS format, with comments, blank lines, rows
# out of order, no final newline; two in three get one to three random edits.
"$PY" - "$WORK/random" <<'PYEOF'
import random, sys
rng = random.Random(15)
out = sys.argv[1]
for i in range(300):
    n = rng.randint(1, 12)
    fmt = rng.choice([0, 1, 10, 11, 100, 101, 110, 111])
    ncon = rng.randint(1, 3) if fmt // 10 % 10 else 0
    w = {}
    for u in range(n):
        for v in range(u + 1, n):
            if rng.randrange(3) == 0:
                w[u, v] = w[v, u] = rng.randint(1, 9 if fmt % 10 else 1)
    lines = ["% comment"] if rng.randrange(3) == 0 else []
    head = [n, len(w) // 2] + ([fmt] if fmt or ncon > 1 else []) + ([ncon] if ncon > 1 else [])
    lines.append(" ".join(map(str, head)))
    for u in range(n):
        if rng.randrange(6) == 0:
            lines.append("% c")
        toks = [rng.randrange(5)] if fmt // 100 else []
        toks += [rng.randrange(9) for _ in range(ncon)]
        nbs = [v for v in range(n) if (u, v) in w]
        if rng.randrange(4) == 0:
            rng.shuffle(nbs)
        for v in nbs:
            toks += [v + 1] + ([w[u, v]] if fmt % 10 else [])
        lines.append(" ".join(map(str, toks)))
    text = "\n".join(lines) + ("" if rng.randrange(4) == 0 else "\n")
    if i % 3:
        for _ in range(rng.randint(1, 3)):
            if not text:
                break
            at = rng.randrange(len(text))
            c = rng.choice("0123456789 \n%-x\t")
            kind = rng.randrange(4)
            if kind == 0:
                text = text[:at] + c + text[at + 1:]
            elif kind == 1:
                text = text[:at] + text[at + 1:]
            elif kind == 2:
                text = text[:at] + c + text[at:]
            else:
                b = text.rfind("\n", 0, at) + 1
                e = text.find("\n", at)
                e = len(text) if e < 0 else e + 1
                text = text[:b] + text[b:e] + text[b:]
    open("%s/r%03d.graph" % (out, i), "w").write(text)
# the header after 3,000 comment lines (the first ranks hold comments only), and a star whose
# centre's line (110 kB) covers the start of several ranks' byte ranges, valid and with a
# defect at its end
star = "20000 19999\n" + " ".join(str(v) for v in range(2, 20001)) + "\n" + "1\n" * 19999
open(out + "/comments.graph", "w").write("% c\n" * 3000 + "3 2\n2\n1 3\n2\n")
open(out + "/star.graph", "w").write(star)
open(out + "/star_bad.graph", "w").write(star.replace(" 20000\n", " 20000 x\n", 1))
PYEOF

files=(tests/bad_inputs/graph/*.graph "$WORK"/random/*.graph)
printf '%s\n' "${files[@]}" >"$WORK/files.txt"
serial "@$WORK/files.txt" >"$WORK/serial.txt" 2>&1
expect_eq "the serial reader reads every file" "$(wc -l <"$WORK/serial.txt")" "${#files[@]}"
check "over 50 valid files" test "$(grep -c '^ok' "$WORK/serial.txt")" -gt 50
check "over 100 defective files" test "$(grep -c '^error 3' "$WORK/serial.txt")" -gt 100
for n in 1 2 3 4; do
    [ "$MPI" = 1 ] || [ "$n" = 1 ] || continue
    run_ranks "$n" read "@$WORK/files.txt" >"$WORK/ranks$n.txt" 2>&1
    if cmp -s "$WORK/serial.txt" "$WORK/ranks$n.txt"; then
        ok "$n rank(s): the serial reader's graph or message for all ${#files[@]} files"
    else
        not_ok "$n rank(s) differ from the serial reader"
        diff "$WORK/serial.txt" "$WORK/ranks$n.txt" | head -n 10
    fi
done

# A larger graph with vertex weights: rows of every rank, ghosts across every pair of ranks.
"$ZP_BIN" generate micro --n 20000 --m 100000 --seed 3 --out "$WORK/micro.graph" >/dev/null
serial "$WORK/micro.graph" >"$WORK/micro_serial.txt" 2>&1
check "the generated graph reads" grep -q '^ok n=20000 ' "$WORK/micro_serial.txt"
for n in 2 4; do
    [ "$MPI" = 1 ] || continue
    run_ranks "$n" read "$WORK/micro.graph" >"$WORK/micro$n.txt" 2>&1
    expect_eq "$n ranks: the same generated graph" "$(cat "$WORK/micro$n.txt")" \
        "$(cat "$WORK/micro_serial.txt")"
done
finish
