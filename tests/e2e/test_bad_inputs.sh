#!/usr/bin/env bash
# Every broken input of tests/bad_inputs/cases.tsv through zoneplace: the exact exit status, one
# "zoneplace: ..." line on stderr that starts with the expected message (file and JSON path or
# line), and no file left in the case's output folder (a prior file there stays untouched).
# Input forms the command line does not offer yet (.graph, CSV) go through
# $BUILD/tests/read_driver (tests/fuzz/read_driver.c, the same loaders and feasibility check);
# a form that neither can run (zoneplace sweep before it exists) is skipped with a note, never
# passed silently. Then the fuzz harnesses replay their seed corpus and every bad input.
# Environment (tests/run.sh): ZP_BIN, ZP_TMP, MPI, SANITIZE; ZP_CASES=substring runs some cases.
source "$(dirname "$0")/../lib.sh"

DIR=tests/bad_inputs
BUILD_DIR=$(dirname "$ZP_BIN")
DRIVER=$BUILD_DIR/tests/read_driver
WORK=$ZP_TMP/bad_inputs
rm -rf "$WORK" && mkdir -p "$WORK"
TIMEOUT=60
# every zoneplace here is a single process: no need for the singleton's helper daemon
export OMPI_MCA_ess_singleton_isolated=1

if [ "$SANITIZE" = 1 ]; then
    # A header that announces billions of vertices must fail as an input error, not as an
    # attempt to allocate it: large allocations fail (and show up) instead of thrashing.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:allocator_may_return_null=1:max_allocation_size_mb=4096"
    MEMLIMIT=unlimited
else
    MEMLIMIT=8000000 # KiB of address space per case, for the same reason
fi

# Which forms the command line has (the lead adds --graph/--services to `zoneplace run`).
help=$("$ZP_BIN" --help 2>&1)
cli_graph=0 cli_csv=0 sweep_ok=1
grep -q -- '--graph' <<<"$help" && cli_graph=1
grep -q -- '--services' <<<"$help" && cli_csv=1
mkdir -p "$WORK/.probe"
if "$ZP_BIN" sweep --config "$DIR/sweep/valid.json" --summary "$WORK/.probe/s.json" 2>&1 \
    | grep -q 'not available'; then
    sweep_ok=0
fi
rm -rf "$WORK/.probe"
[ "$cli_graph" = 1 ] || echo "note: zoneplace run has no --graph yet: .graph cases run through $DRIVER"
[ "$cli_csv" = 1 ] || echo "note: zoneplace run has no --services/--calls yet: CSV cases run through $DRIVER"
[ "$sweep_ok" = 1 ] || echo "note: zoneplace sweep is not available yet: the sweep cases are SKIPPED"
if { [ "$cli_graph" = 0 ] || [ "$cli_csv" = 0 ]; } && [ ! -x "$DRIVER" ]; then
    not_ok "the reader driver $DRIVER was not built (make unit builds it)"
fi

# expand TEXT: replaces the placeholders of cases.tsv.
expand() {
    local s=$1
    s=${s//\{dir\}/$DIR}
    s=${s//\{tmp\}/$tmp}
    s=${s//\{existing\}/$tmp/existing.json}
    s=${s//\{file\}/${file:-}}
    s=${s//\{file2\}/${file2:-}}
    printf '%s' "$s"
}

skipped=0 xfailed=0 cases=0 known_files=" "
names=() cmds=() stats=() wants=() knowns=() files=() dirs=()
while IFS=$'\t' read -r name form inputs status prefix known; do
    case "$name" in '' | '#'*) continue ;; esac
    case "$name" in *"${ZP_CASES:-}"*) ;; *) continue ;; esac
    cases=$((cases + 1))
    tmp=$WORK/$name
    mkdir -p "$tmp"
    read -r -a in <<<"$inputs"
    file= file2=
    outs=(--summary "$tmp/summary.json")
    # an error case also names an HDF5 output: it must not appear either
    [ "$status" != 0 ] && [ "$MPI" = 1 ] && outs+=(--out "$tmp/run.h5")
    case "$form" in
    config)
        file=$DIR/${in[0]}
        cmd=("$ZP_BIN" run --config "$file" "${outs[@]}")
        ;;
    graph)
        file=$DIR/${in[0]}
        if [ "$cli_graph" = 1 ]; then
            cmd=("$ZP_BIN" run --graph "$file" --zones "${in[1]}" "${outs[@]}")
        else
            cmd=("$DRIVER" graph "$file" "${in[1]}")
        fi
        ;;
    csv)
        file=$DIR/${in[0]} file2=$DIR/${in[1]}
        if [ "$cli_csv" = 1 ]; then
            cmd=("$ZP_BIN" run --services "$file" --calls "$file2" --zones "${in[2]}" "${outs[@]}")
        else
            cmd=("$DRIVER" csv "$file" "$file2" "${in[2]}")
        fi
        ;;
    sweep)
        file=$DIR/${in[0]}
        if [ "$sweep_ok" = 0 ]; then
            echo "skip - $name (zoneplace sweep not available yet)"
            skipped=$((skipped + 1))
            continue
        fi
        cmd=("$ZP_BIN" sweep --config "$file" --summary "$tmp/summary.json")
        ;;
    cli)
        read -r -a cmd <<<"$(expand "$inputs")"
        cmd=("$ZP_BIN" "${cmd[@]}")
        ;;
    *)
        not_ok "$name: unknown form '$form'"
        continue
        ;;
    esac
    case "$inputs" in *'{existing}'*) printf '%s\n' "prior output of $name" >"$tmp/existing.json" ;; esac
    names+=("$name") stats+=("$status") wants+=("$(expand "$prefix")") knowns+=("${known:-}")
    files+=("$file") dirs+=("$tmp") cmds+=("$(printf '%q ' "${cmd[@]}")")
done <"$DIR/cases.tsv"

# Runs case i (zoneplace start-up with MPI takes most of a second: four at a time).
# Each case gets its own TMPDIR: concurrent Open MPI singletons otherwise race on the session
# folder they share under /tmp (one removes it while another starts).
run_case() {
    local tmp=${dirs[$1]}
    mkdir -p "$WORK/.tmp/$1"
    (ulimit -v "$MEMLIMIT" 2>/dev/null; export TMPDIR=$WORK/.tmp/$1
        eval "exec timeout -k 5 $TIMEOUT ${cmds[$1]}") \
        >"$tmp.stdout" 2>"$tmp.stderr" </dev/null
    echo $? >"$tmp.rc"
}
for i in "${!names[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n; done
    run_case "$i" &
done
wait

for i in "${!names[@]}"; do
    name=${names[$i]} status=${stats[$i]} want=${wants[$i]} known=${knowns[$i]} tmp=${dirs[$i]}
    rc=$(cat "$tmp.rc")
    problems=()
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        problems+=("did not finish within ${TIMEOUT}s")
    elif [ "$rc" -ne "$status" ]; then
        problems+=("exit status $rc, expected $status")
    fi
    msgs=$(grep -c '^zoneplace: ' "$tmp.stderr")
    first=$(grep -m 1 '^zoneplace: ' "$tmp.stderr")
    if [ "$status" != 0 ]; then
        [ "$msgs" -eq 1 ] || problems+=("$msgs 'zoneplace:' lines on stderr, expected 1")
        case "$first" in
        "zoneplace: $want"*) ;;
        *) problems+=("message '${first#zoneplace: }' does not start with '$want'") ;;
        esac
        left=$(cd "$tmp" && find . -mindepth 1 ! -name existing.json | sed 's|^\./||' | tr '\n' ' ')
        [ -z "$left" ] || problems+=("output files were created: $left")
    elif [[ ${cmds[$i]} == "$(printf '%q' "$ZP_BIN") "* ]] && [ ! -s "$tmp/summary.json" ]; then
        problems+=("control case wrote no summary (so the no-output check could not fail)")
    fi
    if [ -f "$tmp/existing.json" ] && [ "$(cat "$tmp/existing.json")" != "prior output of $name" ]; then
        problems+=("the prior output file was changed")
    fi

    if [ ${#problems[@]} -eq 0 ]; then
        if [ -n "$known" ]; then
            not_ok "$name: passes now: remove its known-bug note ($known)"
        else
            ok "$name"
        fi
    elif [ -n "$known" ]; then
        xfailed=$((xfailed + 1)) known_files+="${files[$i]} "
        echo "xfail - $name: known bug, reported: $known (now: ${problems[0]})"
    else
        msg=$(IFS=';'; echo "${problems[*]}")
        not_ok "$name: $msg [${cmds[$i]}]"
        sed 's/^/    stderr: /' "$tmp.stderr" | head -n 5
    fi
done
echo "cases: $cases, skipped: $skipped, known bugs: $xfailed"
[ "$cases" -ge 40 ] || [ -n "${ZP_CASES:-}" ] || not_ok "only $cases cases in $DIR/cases.tsv (at least 40)"

# The fuzz harnesses over their seed corpus and the bad inputs of their form (with gcc and, under
# SANITIZE=1, ASan + UBSan): an input a past fuzz run found stays fixed.
if [ -z "${ZP_CASES:-}" ]; then
    mkdir -p "$WORK/csv_pairs"
    for s in "$DIR"/csv/*.services.csv; do
        base=$(basename "$s" .services.csv)
        { cat "$s"; printf '\0'; cat "$DIR/csv/$base.calls.csv"; } >"$WORK/csv_pairs/$base"
    done
    graphs=()
    for g in "$DIR"/graph/*.graph; do
        case "$known_files" in *" $g "*) ;; *) graphs+=("$g") ;; esac # xfail above already
    done
    for h in config:"$DIR/config $DIR/valid_tiny.json" metis:"${graphs[*]}" csv:"$WORK/csv_pairs"; do
        name=${h%%:*} extra=${h#*:}
        bin=$BUILD_DIR/tests/replay_$name
        if [ ! -x "$bin" ]; then
            not_ok "fuzz replay $name: $bin was not built"
            continue
        fi
        # shellcheck disable=SC2086
        out=$( (ulimit -v "$MEMLIMIT" 2>/dev/null; exec timeout -k 5 300 "$bin" \
            "tests/fuzz/corpus/$name" $extra) 2>&1)
        rc=$?
        if [ "$rc" -eq 0 ]; then
            ok "fuzz replay $name: $(tail -n 1 <<<"$out")"
        else
            not_ok "fuzz replay $name: exit $rc"
            grep -E 'ERROR|runtime error|fuzz:|SUMMARY' <<<"$out" | head -n 10 | sed 's/^/    /'
        fi
    done
fi
finish
