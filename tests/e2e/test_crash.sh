#!/usr/bin/env bash
# Crash safety. (1) A run writing --summary and --out is killed with SIGKILL (every process of its
# session, as a dying node would) at several moments, including random ones and
# ones close to the end where the files are written: no file may ever appear under a final
# output name, and a prior output (run with --force) stays byte for byte as it was. An existing
# output without --force is refused before any work. A stale NAME.partial does not block the
# next run. (2) An error raised on rank 1 of 4 (ZP_TEST_FAIL_RANK, main.c) ends the whole job
# within seconds with the message printed once, instead of leaving the other ranks hanging in
# a collective.
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, SANITIZE; ZP_CRASH_SEED fixes the random moments.
source "$(dirname "$0")/../lib.sh"

WORK=$ZP_TMP/crash
rm -rf "$WORK" && mkdir -p "$WORK"
CONFIG=inputs/thesis/case2.json
RANKS=1
[ "$MPI" = 1 ] && RANKS=2
seed=${ZP_CRASH_SEED:-$$}
RANDOM=$seed
echo "random kill moments from seed $seed (ZP_CRASH_SEED=$seed reproduces them)"

# Does this build write HDF5 (h5out.c), or only the summary?
outs_for() { # outs_for DIR: the output options of a run writing into DIR
    local o=(--summary "$1/summary.json")
    [ "$with_h5" = 1 ] && o+=(--out "$1/run.h5")
    printf '%s\n' "${o[@]}"
}
with_h5=0
if [ "$MPI" = 1 ]; then
    mkdir -p "$WORK/probe"
    if zp_mpi 1 run --config inputs/examples/tiny.json --quiet --out "$WORK/probe/p.h5" \
        >/dev/null 2>&1 && [ -f "$WORK/probe/p.h5" ]; then
        with_h5=1
    else
        echo "note: this build cannot write --out (no HDF5 output yet): only --summary is killed"
    fi
fi
finals=(summary.json)
[ "$with_h5" = 1 ] && finals+=(run.h5)

# A long run: the time limit keeps the search going while outputs are pending.
LIMIT=2
long_run() { # long_run DIR [extra options]: starts the run in a session of its own: pid in LR_PID
    local dir=$1
    shift
    mapfile -t o < <(outs_for "$dir")
    if [ "$MPI" = 1 ]; then
        setsid mpirun -n "$RANKS" "$ZP_BIN" run --config "$CONFIG" --iterations 1000000000 \
            --time-limit "$LIMIT" --starts 2 --quiet "${o[@]}" "$@" >"$dir.log" 2>&1 &
    else
        setsid "$ZP_BIN" run --config "$CONFIG" --iterations 1000000000 --time-limit "$LIMIT" \
            --starts 2 --quiet "${o[@]}" "$@" >"$dir.log" 2>&1 &
    fi
    LR_PID=$!
}

# Baseline: how long a complete run takes here (the kill moments are fractions of it).
mkdir -p "$WORK/full"
t0=$(date +%s.%N)
long_run "$WORK/full"
wait "$LR_PID"
rc=$?
t1=$(date +%s.%N)
full=$("$PY" -c "print(round($t1 - $t0, 2))")
expect_eq "complete run succeeds (${full}s)" "$rc" 0
for f in "${finals[@]}"; do
    check "complete run wrote $f" test -s "$WORK/full/$f"
    check "complete run left no temporary $f.partial.*" bash -c "! compgen -G '$WORK/full/$f.partial*'"
done

# Kill moments: early, middle, three random ones, and three in the write window (as soon as
# a temporary NAME.partial.<pid>.<hex> file appears, then 10 and 50 ms later).
moments=$("$PY" - "$full" "$RANDOM" <<'EOF'
import random, sys
full, seed = float(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
fixed = [0.05, 0.3, 0.5 * full]
picks = [round(rnd.uniform(0.05, full), 3) for _ in range(3)]
print(" ".join(str(round(t, 3)) for t in fixed + picks) + " partial+0 partial+0.01 partial+0.05")
EOF
)
echo "kill moments (s): $moments"

# kill_at DIR MOMENT [options]: starts a long run and SIGKILLs its session at the moment
# (seconds, or partial+S: S seconds after the first .partial file appears); KILLED=1 if it was
# still running then (0: it had finished).
kill_at() {
    local dir=$1 at=$2
    shift 2
    long_run "$dir" "$@"
    local pid=$LR_PID
    case "$at" in
    partial+*)
        # builtins only (no fork per check): the write window lasts milliseconds
        while kill -0 "$pid" 2>/dev/null && ! compgen -G "$dir/*.partial.*" >/dev/null; do :; done
        [ "${at#partial+}" = 0 ] || sleep "${at#partial+}"
        ;;
    *) sleep "$at" ;;
    esac
    if kill -0 "$pid" 2>/dev/null; then
        kill_session "$pid" || not_ok "kill at ${at}s: processes survived SIGKILL"
        KILLED=1
    else
        KILLED=0
    fi
    wait "$pid" 2>/dev/null
}

# complete FILE: whether FILE is a whole output of a run (summary JSON with its tasks, or an
# HDF5 file with /tasks): what may be under a final name once renamed.
complete() {
    case "$1" in
    *.json) "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['tasks']" "$1" ;;
    *.h5) "$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); assert 'tasks' in f" "$1" ;;
    esac
} 2>/dev/null

prior_text() { printf 'prior output %s, must stay untouched\n' "$1"; }
i=0 hits=0
for at in $moments; do
    i=$((i + 1))
    # a fresh folder: a file under a final name must be a complete output
    dir=$WORK/kill$i
    mkdir -p "$dir"
    kill_at "$dir" "$at"
    what="run ended before $at"
    [ "$KILLED" = 1 ] && what="SIGKILL at $at"
    for f in "${finals[@]}"; do
        if [ -e "$dir/$f" ]; then
            check "$what: $f under its final name is complete" complete "$dir/$f"
        elif [ "$KILLED" = 1 ]; then
            ok "$what: no $f under its final name"
            hits=$((hits + 1))
        else
            not_ok "$what: the run ended without writing $f"
        fi
    done
    # a folder with prior outputs, replaced only by a complete output (--force)
    dir=$WORK/prior$i
    mkdir -p "$dir"
    for f in "${finals[@]}"; do prior_text "$f" >"$dir/$f"; done
    kill_at "$dir" "$at" --force
    what="run ended before $at"
    [ "$KILLED" = 1 ] && what="SIGKILL at $at"
    for f in "${finals[@]}"; do
        if prior_text "$f" | cmp -s - "$dir/$f"; then
            ok "$what with --force: prior $f untouched"
        else
            check "$what with --force: prior $f replaced only by a complete output" \
                complete "$dir/$f"
        fi
    done
done
# the moments must catch runs before their outputs exist, or the test proves nothing
check "kills caught runs before their outputs were in place ($hits times)" test "$hits" -ge 3

# Without --force an existing output is refused at once and left as it was.
dir=$WORK/noforce
mkdir -p "$dir"
for f in "${finals[@]}"; do prior_text "$f" >"$dir/$f"; done
mapfile -t o < <(outs_for "$dir")
zp_mpi "$RANKS" run --config "$CONFIG" --quiet "${o[@]}" >"$dir.log" 2>&1
expect_eq "existing output without --force: exit 4" "$?" 4
check "existing output without --force: says so once" \
    test "$(grep -c '^zoneplace: .*exists (use --force to overwrite)' "$dir.log")" -eq 1
for f in "${finals[@]}"; do
    expect_eq "existing output without --force: $f untouched" "$(cat "$dir/$f")" "$(prior_text "$f")"
done

# A NAME.partial left by an older zoneplace does not block the next run, which completes normally
# and never opens it (its temporary names are its own).
dir=$WORK/after
mkdir -p "$dir"
for f in "${finals[@]}"; do echo "stale partial" >"$dir/$f.partial"; done
mapfile -t o < <(outs_for "$dir")
zp_mpi "$RANKS" run --config inputs/examples/tiny.json --quiet "${o[@]}" >"$dir.log" 2>&1
expect_eq "run after a killed one (stale .partial files present): exit 0" "$?" 0
for f in "${finals[@]}"; do
    check "run after a killed one: $f written" test -s "$dir/$f"
    expect_eq "run after a killed one: the stale $f.partial untouched" "$(cat "$dir/$f.partial")" \
        "stale partial"
    check "run after a killed one: no temporary file of its own left" \
        bash -c "! compgen -G '$dir/$f.partial.*'"
done
check "summary after a stale .partial is valid JSON" \
    "$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$dir/summary.json"

# An error on one rank only: the job ends (no hang: within the time-out), the message printed once.
dir=$WORK/rankfail
mkdir -p "$dir"
if [ "$MPI" = 1 ]; then
    n=4 bad=1
    t0=$SECONDS
    ZP_TEST_FAIL_RANK=$bad timeout -k 5 60 mpirun -n $n -x ZP_TEST_FAIL_RANK "$ZP_BIN" run \
        --config inputs/thesis/case1.json --quiet --summary "$dir/summary.json" >"$dir.log" 2>&1
    rc=$?
else
    n=1 bad=0
    t0=$SECONDS
    ZP_TEST_FAIL_RANK=$bad timeout -k 5 60 "$ZP_BIN" run --config inputs/thesis/case1.json \
        --quiet --summary "$dir/summary.json" >"$dir.log" 2>&1
    rc=$?
fi
took=$((SECONDS - t0))
# no bound on the time (a loaded machine may take long): the 60 s time-out catches a hang
check "error on rank $bad of $n: job ends (exit $rc after $took s, not a timeout)" test "$rc" -ne 0 -a "$rc" -ne 124 -a "$rc" -ne 137
expect_eq "error on rank $bad of $n: message printed once" \
    "$(grep -c "^zoneplace: injected failure on rank $bad\$" "$dir.log")" 1
expect_eq "error on rank $bad of $n: no other zoneplace message" "$(grep -c '^zoneplace: ' "$dir.log")" 1
check "error on rank $bad of $n: no summary written" test ! -e "$dir/summary.json"
if [ "$t_fail" -gt 0 ]; then
    echo "--- rank failure log:"
    sed 's/^/    /' "$dir.log" | head -n 20
fi
finish
