#!/usr/bin/env bash
# How outputs reach their names (src/outfile.c, src/h5io.c): (1) a full disk, before and during a
# run and a sweep, on 1 and 2 ranks, ends with exit 4 and one message naming the file and the OS
# error, no crash, no MPI_ABORT, no temporary file left (a sweep keeps what it had committed
# before the disk filled, marked incomplete); a small tmpfs stands for the disk (skipped with a
# note where mounting is not allowed). (2) Two runs writing the same --out and --summary at the
# same time: every final file readable and the pair from one run. (3) A symlink at the old
# temporary name is never written through. (4) --out and --summary naming one file are refused;
# output folders are checked before any input is read.
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, PY.
source "$(dirname "$0")/../lib.sh"

WORK=$ZP_TMP/outputs
rm -rf "$WORK" && mkdir -p "$WORK"
TINY=inputs/examples/tiny.json
SWEEP=inputs/sweeps/case2_zones.json
RANKS=(1)
[ "$MPI" = 1 ] && RANKS=(1 2)

# messages FILE: the lines zoneplace printed (mpirun's own exit-status notice left out)
messages() { grep -c '^zoneplace:' "$1"; }
# leftovers DIR: temporary or reserve files left in DIR
leftovers() { find "$1" -name '*.partial*' | wc -l; }
# no_crash DESCRIPTION LOG RC
no_crash() {
    if grep -qE 'MPI_ABORT|Segmentation|signal 11|core dumped|mca_fbtl' "$2" || [ "$3" -gt 128 ]; then
        not_ok "$1: crashed or printed library noise (exit $3): $(head -c 300 "$2")"
    else
        ok "$1: no crash, no MPI_ABORT"
    fi
}
fill_disk() { dd if=/dev/zero of="$1/fill" bs=64k >/dev/null 2>&1 || true; }
# h5_complete FILE: the root attribute complete and the /tasks rows of a zoneplace file
h5_state() {
    "$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); print(int(f.attrs['complete']), len(f['tasks']))" "$1"
}

# ---- (1) full disk --------------------------------------------------------------------------
MNT=$WORK/mnt
mkdir -p "$MNT"
if [ "$MPI" != 1 ]; then
    echo "note: serial build: no HDF5 output; the summary alone is checked on a full disk"
fi
if ! mount -t tmpfs -o size=8m tmpfs "$MNT" 2>/dev/null; then
    echo "note: cannot mount a tmpfs here (not root, or no mount permission): full-disk part skipped"
    ok "full-disk cases skipped (no tmpfs)"
else
    outs() { if [ "$MPI" = 1 ]; then echo "--out $MNT/$1.h5 --summary $MNT/$1.json"; else echo "--summary $MNT/$1.json"; fi; }
    for n in "${RANKS[@]}"; do
        # before: nothing fits
        rm -rf "${MNT:?}"/*
        fill_disk "$MNT"
        # shellcheck disable=SC2046
        zp_mpi "$n" run --config "$TINY" --quiet $(outs r) >"$WORK/full_run_$n.log" 2>&1
        rc=$?
        expect_eq "full disk, run, $n rank(s): exit 4" "$rc" 4
        expect_eq "full disk, run, $n rank(s): one message" "$(messages "$WORK/full_run_$n.log")" 1
        check "full disk, run, $n rank(s): the message names the file and the OS error" \
            grep -qE "^zoneplace: $MNT/r\.(h5|json): .*No space left on device" "$WORK/full_run_$n.log"
        no_crash "full disk, run, $n rank(s)" "$WORK/full_run_$n.log" "$rc"
        expect_eq "full disk, run, $n rank(s): nothing left" "$(ls "$MNT" | tr '\n' ' ')" "fill "
        # shellcheck disable=SC2046
        zp_mpi "$n" sweep --config "$SWEEP" --quiet $(outs s) >"$WORK/full_sweep_$n.log" 2>&1
        rc=$?
        expect_eq "full disk, sweep, $n rank(s): exit 4" "$rc" 4
        expect_eq "full disk, sweep, $n rank(s): one message" "$(messages "$WORK/full_sweep_$n.log")" 1
        no_crash "full disk, sweep, $n rank(s)" "$WORK/full_sweep_$n.log" "$rc"
        expect_eq "full disk, sweep, $n rank(s): nothing left" "$(ls "$MNT" | tr '\n' ' ')" "fill "

        # during a run: the disk fills while the search runs (1 s of search after the start)
        rm -rf "${MNT:?}"/*
        # shellcheck disable=SC2046
        zp_mpi "$n" run --config "$TINY" --quiet --iterations 1000000000 --time-limit 1 \
            $(outs r) >"$WORK/during_run_$n.log" 2>&1 &
        pid=$!
        fill_disk "$MNT"
        wait "$pid"
        rc=$?
        expect_eq "disk filled during a run, $n rank(s): exit 4" "$rc" 4
        expect_eq "disk filled during a run, $n rank(s): one message" \
            "$(messages "$WORK/during_run_$n.log")" 1
        no_crash "disk filled during a run, $n rank(s)" "$WORK/during_run_$n.log" "$rc"
        expect_eq "disk filled during a run, $n rank(s): nothing left" "$(ls "$MNT" | tr '\n' ' ')" "fill "

        # during a sweep: the disk fills once the first task is committed (the event: the
        # output appears); tasks take 1 s each, so the next commit meets the full disk
        rm -rf "${MNT:?}"/*
        # shellcheck disable=SC2046
        zp_mpi "$n" sweep --config "$SWEEP" --quiet --iterations 1000000000 --time-limit 1 \
            --ranks-per-task "$n" $(outs s) >"$WORK/during_sweep_$n.log" 2>&1 &
        pid=$!
        first=$MNT/s.json
        [ "$MPI" = 1 ] && first=$MNT/s.h5
        while [ ! -e "$first" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
        fill_disk "$MNT"
        wait "$pid"
        rc=$?
        expect_eq "disk filled during a sweep, $n rank(s): exit 4" "$rc" 4
        expect_eq "disk filled during a sweep, $n rank(s): one message" \
            "$(messages "$WORK/during_sweep_$n.log")" 1
        no_crash "disk filled during a sweep, $n rank(s)" "$WORK/during_sweep_$n.log" "$rc"
        expect_eq "disk filled during a sweep, $n rank(s): no temporary file left" "$(leftovers "$MNT")" 0
        if [ "$MPI" = 1 ]; then
            state=$(h5_state "$MNT/s.h5" 2>&1)
            check "disk filled during a sweep, $n rank(s): the committed file opens, incomplete, with tasks ($state)" \
                "$PY" -c "import sys; c, t = map(int, '$state'.split()); sys.exit(0 if c == 0 and t >= 1 else 1)"
        fi
    done
    rm -rf "${MNT:?}"/*
    umount "$MNT"
fi

# ---- (2) concurrent runs on the same outputs ------------------------------------------------
if [ "$MPI" = 1 ]; then
    CONC=$WORK/conc
    mkdir -p "$CONC"
    bad=0
    for trial in 1 2 3 4 5 6 7 8; do
        for s in 1 2; do
            "$ZP_BIN" run --config "$TINY" --quiet --force --seed $((trial * 10 + s)) \
                --out "$CONC/o.h5" --summary "$CONC/o.json" >"$CONC/run$s.log" 2>&1 &
        done
        wait
        pair=$("$PY" - "$CONC/o.h5" "$CONC/o.json" <<'EOF' 2>&1
import h5py, json, sys
f = h5py.File(sys.argv[1], "r")
h5_seed = int(f["tasks"]["seed"][0])
f["trajectory"][:]  # every dataset readable (compressed chunks too)
f["placements"][:]
print(h5_seed == int(json.load(open(sys.argv[2]))["tasks"][0]["seed"]))
EOF
)
        [ "$pair" = True ] || { bad=$((bad + 1)); echo "trial $trial: $pair"; }
    done
    expect_eq "8 trials of two concurrent runs: files readable and .h5/.json from one run" "$bad" 0
    expect_eq "concurrent runs: no temporary file left" "$(leftovers "$CONC")" 0

    # (3) a symlink at the old temporary name is never written through
    SYM=$WORK/sym
    mkdir -p "$SYM"
    echo "precious" >"$SYM/victim"
    ln -s "$SYM/victim" "$SYM/o.h5.partial"
    ln -s "$SYM/victim" "$SYM/o.json.partial"
    "$ZP_BIN" run --config "$TINY" --quiet --out "$SYM/o.h5" --summary "$SYM/o.json" >/dev/null 2>&1
    expect_eq "symlinked .partial names: the run succeeds" "$?" 0
    expect_eq "symlinked .partial names: their target is untouched" "$(cat "$SYM/victim")" "precious"
fi

# ---- (4) command-line checks ----------------------------------------------------------------
mkdir -p "$WORK/same"
"$ZP_BIN" run --config "$TINY" --quiet --out "$WORK/same/x" --summary "$WORK/same/../same/x" \
    >"$WORK/same.log" 2>&1
expect_eq "--out and --summary naming one file: usage error" "$?" 2
check "--out and --summary naming one file: said so" grep -q "name the same file" "$WORK/same.log"
"$ZP_BIN" sweep --config "$SWEEP" --quiet --out "$WORK/same/y" --summary "$WORK/same/y" \
    >"$WORK/same_sweep.log" 2>&1
expect_eq "sweep: --out and --summary naming one file: usage error" "$?" 2
"$ZP_BIN" run --config "$WORK/no/such/config.json" --summary "$WORK/missing/dir/s.json" \
    >"$WORK/folder.log" 2>&1
expect_eq "missing output folder: I/O error before the input is read" "$?" 4
check "missing output folder: named (the missing input never read)" \
    grep -q "folder '$WORK/missing/dir' does not exist" "$WORK/folder.log"
"$ZP_BIN" sweep --config "$WORK/no/such/sweep.json" --summary "$WORK/missing/dir/s.json" \
    >"$WORK/folder_sweep.log" 2>&1
check "sweep: missing output folder named before the input is read" \
    grep -q "folder '$WORK/missing/dir' does not exist" "$WORK/folder_sweep.log"
finish
