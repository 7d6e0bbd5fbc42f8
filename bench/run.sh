#!/bin/bash
# bench/run.sh - `make bench`: zoneplace against METIS and Scotch on the same instances, same k,
# same balance constraint (max zone load <= floor((1+eps) * ceil(n/k))), measured in one run.
#
# Builds bench/baselines (against Debian's libmetis-dev and libscotch-dev),
# generates the instances into bench/work/ (kept between runs: same seed, same bytes), runs
# every tool on every instance and k, appends one JSON line per run to
# bench/work/results.jsonl and prints the table (bench/table.py).
#
# Knobs (environment):
#   BENCH_SIZES="10k 100k 1M"   microservice instances (n; m = 10 n), seed BENCH_SEED (1)
#   BENCH_KS="4 10 32 64"       zone counts;  BENCH_EPS=0.03  imbalance epsilon
#   BENCH_TOOLS="metis metis-best scotch"  BENCH_SEEDS=5 (runs of the *-best tools)
#   BENCH_GRIDS=1               also grids/meshes and a Barabasi-Albert power-law graph of 100k
#                               vertices (1M too when BENCH_SIZES has 1M; 0 to skip)
#   BENCH_SMALL=1               also 2,000 and 5,000-vertex grids, grids with diagonals, 3-D meshes,
#                               microservice and power-law graphs, and METIS's 4elt.graph (7,434 vertices,
#                               from libmetis-doc) at k = BENCH_SMALL_KS ("4 32"); BENCH_SMALL=only
#                               runs these rows alone
#   BENCH_CAP_SIZES="10k 100k"  microservice instances with per-app cpu/ram demands (CSV) and
#                               zones of (1 + BENCH_CAP_SLACK) / k of the total demand each
#   BENCH_CAP_SLACK=0.10        (METIS and Scotch ignore capacities: their violations show)
#   BENCH_ZONEPLACE=auto        auto: run bin/zoneplace when it supports `run --graph`; 0: never
#   BENCH_TIME_LIMIT=           seconds per zoneplace run (passed as --time-limit when set)
#   BENCH_SCALING_RUN=1         then the distributed engine's scaling table (bench/scaling.sh,
#                               its own knobs there; 0 to skip)
# The 1M instances take a few minutes per tool; BENCH_SIZES="10k 100k" is a quick check.
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=bench/work
SIZES=${BENCH_SIZES:-"10k 100k 1M"}
KS=${BENCH_KS:-"4 10 32 64"}
EPS=${BENCH_EPS:-0.03}
TOOLS=${BENCH_TOOLS:-"metis metis-best scotch"}
SEEDS=${BENCH_SEEDS:-5}
SEED=${BENCH_SEED:-1}
GRIDS=${BENCH_GRIDS:-1}
SMALL=${BENCH_SMALL:-1}
SMALL_KS=${BENCH_SMALL_KS:-"4 32"}
METIS_GRAPHS=/usr/share/doc/libmetis-dev/examples/graphs
CAP_SIZES=${BENCH_CAP_SIZES-"10k 100k"}
CAP_SLACK=${BENCH_CAP_SLACK:-0.10}
ZONEPLACE=${BENCH_ZONEPLACE:-auto}
TIME_LIMIT=${BENCH_TIME_LIMIT:-}
SCALING=${BENCH_SCALING_RUN:-1}
RESULTS=$WORK/results.jsonl

log() { echo "bench: $*" >&2; }

# --- build ------------------------------------------------------------------------------------
# The core goes into a static archive so that each program links only the modules it uses
# (the MPI/HDF5 edge and the CLI stay out, as in the Makefile's unit tests). A module that does
# not compile is skipped with a warning: the link then says what is missing, if anything.
build() {
    local cflags obj
    cflags="-std=c11 -O2 -g -Wall -Wextra -D_POSIX_C_SOURCE=200809L -Isrc"
    cflags="$cflags $(pkg-config --cflags libcjson)"
    mkdir -p "$WORK/obj"
    rm -f "$WORK"/obj/*.o "$WORK/libzpcore.a"
    for src in src/*.c; do
        case "$(basename "$src")" in
            main.c | par_*.c | h5*.c) continue ;;
        esac
        obj="$WORK/obj/$(basename "$src" .c).o"
        # shellcheck disable=SC2086
        gcc $cflags -c "$src" -o "$obj" 2>"$obj.log" ||
            log "warning: $src does not compile (see $obj.log)"
    done
    ar rcs "$WORK/libzpcore.a" "$WORK"/obj/*.o
    # shellcheck disable=SC2086,SC2046
    gcc $cflags -I/usr/include/scotch bench/baselines.c "$WORK/libzpcore.a" \
        $(pkg-config --libs libcjson yaml-0.1) -lcsv -lmetis -lscotch -lscotcherr -lm -o bench/baselines
}

# --- instances --------------------------------------------------------------------------------
# Each line: name, the file the tools read, how to make it.
count() { # 10k -> 10000, 1M -> 1000000
    case "$1" in
        *k) echo $((${1%k} * 1000)) ;;
        *M) echo $((${1%M} * 1000000)) ;;
        *) echo "$1" ;;
    esac
}

instances() {
    local s n
    for s in $SIZES; do
        n=$(count "$s")
        echo "micro-$s $WORK/micro-$s-s$SEED.graph micro --n $n --m $((10 * n)) --seed $SEED"
    done
    if [ "$GRIDS" = 1 ]; then
        echo "grid-300x300 $WORK/grid-300x300.graph grid --rows 300 --cols 300"
        echo "grid8-300x300 $WORK/grid8-300x300.graph grid --rows 300 --cols 300 --diagonals"
        echo "mesh3d-50 $WORK/mesh3d-50.graph mesh3d --nx 50 --ny 50 --nz 50"
        # power-law degrees without the clusters of micro: where label propagation's clusters
        # help least
        echo "powerlaw-100k $WORK/powerlaw-100k-s$SEED.graph powerlaw --n 100000 --seed $SEED"
        case " $SIZES " in
            *" 1M "*)
                echo "grid-1000x1000 $WORK/grid-1000x1000.graph grid --rows 1000 --cols 1000"
                echo "powerlaw-1M $WORK/powerlaw-1M-s$SEED.graph powerlaw --n 1000000 --seed $SEED"
                ;;
        esac
    fi
}

# The sizes of many classic partitioning benchmarks, where the default once lost to METIS.
small_instances() {
    local n
    [ "$SMALL" = 0 ] && return
    echo "grid-40x50 $WORK/grid-40x50.graph grid --rows 40 --cols 50"
    echo "grid-50x100 $WORK/grid-50x100.graph grid --rows 50 --cols 100"
    echo "grid8-40x50 $WORK/grid8-40x50.graph grid --rows 40 --cols 50 --diagonals"
    echo "grid8-50x100 $WORK/grid8-50x100.graph grid --rows 50 --cols 100 --diagonals"
    echo "mesh3d-10x10x20 $WORK/mesh3d-10x10x20.graph mesh3d --nx 10 --ny 10 --nz 20"
    echo "mesh3d-10x20x25 $WORK/mesh3d-10x20x25.graph mesh3d --nx 10 --ny 20 --nz 25"
    for n in 2000 5000; do
        echo "micro-$n $WORK/micro-$n-s$SEED.graph micro --n $n --m $((10 * n)) --seed $SEED"
        echo "powerlaw-$n $WORK/powerlaw-$n-s$SEED.graph powerlaw --n $n --seed $SEED"
    done
    if [ -f "$METIS_GRAPHS/4elt.graph" ]; then
        echo "4elt $METIS_GRAPHS/4elt.graph -"
    fi
}

# Capacity instances: name, CSV prefix (PREFIX.services.csv, PREFIX.calls.csv), generate arguments.
capacity_instances() {
    local s n
    for s in $CAP_SIZES; do
        n=$(count "$s")
        echo "cap-$s $WORK/cap-$s-s$SEED micro --n $n --m $((10 * n)) --seed $SEED"
    done
}

make_csv_instance() { # prefix, generate arguments...
    local prefix=$1
    shift
    if [ ! -s "$prefix.services.csv" ] || [ ! -s "$prefix.calls.csv" ]; then
        log "generating $prefix.{services,calls}.csv"
        bin/zoneplace generate "$@" --out "$prefix.graph" --csv "$prefix" --force
    fi
}

make_instance() { # file, generate arguments... ("-": a file that exists)
    local file=$1
    shift
    if [ "$1" != - ] && [ ! -s "$file" ]; then
        log "generating $file"
        bin/zoneplace generate "$@" --out "$file" --force
    fi
}

# --- runs -------------------------------------------------------------------------------------
run_baseline() { # name, input flags..., then: tool k
    local name=$1 tool=$2 k=$3
    shift 3
    local seeds=1
    case "$tool" in *-best) seeds=$SEEDS ;; esac
    log "$name k=$k $tool"
    bench/baselines "$@" --tool "$tool" --seeds "$seeds" --out "$WORK/part-$name-$k-$tool.txt" |
        sed "s/^{/{\"name\":\"$name\",/" >>"$RESULTS"
}

zoneplace_supports_graph() { # grep reads the whole help: with -q it may leave before zoneplace
    # has written it all, and the SIGPIPE then fails the pipeline (pipefail)
    [ "$ZONEPLACE" != 0 ] && [ -x bin/zoneplace ] &&
        bin/zoneplace run --help 2>&1 | grep -- '--graph' >/dev/null
}

# >>> zoneplace row (integration point) <<<
# Runs bin/zoneplace on the same instance and appends its row; bench/table.py then fills the
# ratio columns zoneplace/METIS and zoneplace/Scotch. Expects `run --graph G --zones K
# --imbalance EPS --summary S.json` (issue: large inputs) or `run --config F.json`, and a
# summary whose first task carries cut_weight (or traffic), max_load, objective and friends;
# table.py's zoneplace_row() maps the keys and is the one place to adapt if they differ.
run_zoneplace() { # name, k, eps, input flags for zoneplace...
    local name=$1 k=$2 eps=$3
    shift 3
    local summary="$WORK/zp-$name-$k.json" timing="$WORK/zp-$name-$k.time"
    local extra=()
    [ -n "$TIME_LIMIT" ] && extra+=(--time-limit "$TIME_LIMIT")
    log "$name k=$k zoneplace"
    rm -f "$summary"
    if /usr/bin/time -f '%e %M' -o "$timing" bin/zoneplace run "$@" --summary "$summary" \
        --quiet "${extra[@]}" >&2; then
        python3 bench/table.py zoneplace-row --name "$name" --k "$k" --eps "$eps" \
            --summary "$summary" --time "$timing" >>"$RESULTS"
    else
        log "warning: zoneplace failed on $name k=$k"
    fi
}

# Every tool on every graph read from stdin (name, file, how to make it) at each k of $1.
run_graphs() {
    local name file kind rest k tool
    while read -r name file kind rest; do
        # shellcheck disable=SC2086
        make_instance "$file" "$kind" $rest
        for k in $1; do
            for tool in $TOOLS; do
                run_baseline "$name" "$tool" "$k" --graph "$file" --k "$k" --imbalance "$EPS"
            done
            if [ "$use_zp" = 1 ]; then
                run_zoneplace "$name" "$k" "$EPS" --graph "$file" --zones "$k" --imbalance "$EPS"
            fi
        done
    done
}

main() {
    local name file kind rest k tool use_zp=0
    build
    mkdir -p "$WORK"
    : >"$RESULTS"
    zoneplace_supports_graph && use_zp=1
    if [ "$use_zp" = 0 ]; then
        log "bin/zoneplace has no 'run --graph' yet: baselines only"
    fi
    if [ "$SMALL" != only ]; then
        run_graphs "$KS" < <(instances)
    fi
    run_graphs "$SMALL_KS" < <(small_instances)
    if [ "$SMALL" = only ]; then
        python3 bench/table.py print "$RESULTS"
        return
    fi
    # Capacities: the same zones for every tool; zoneplace keeps them, the others may not.
    local prefix csv
    while read -r name prefix kind rest; do
        # shellcheck disable=SC2086
        make_csv_instance "$prefix" "$kind" $rest
        csv=(--services "$prefix.services.csv" --calls "$prefix.calls.csv"
            --capacity-slack "$CAP_SLACK")
        for k in $KS; do
            for tool in $TOOLS; do
                run_baseline "$name" "$tool" "$k" "${csv[@]}" --k "$k" --imbalance "$EPS"
            done
            if [ "$use_zp" = 1 ]; then
                run_zoneplace "$name" "$k" "$EPS" "${csv[@]}" --zones "$k" --imbalance "$EPS"
            fi
        done
    done < <(capacity_instances)
    # The thesis's case 2 (200 apps, its 10 zones with per-app capacities, LB target 100%:
    # epsilon 0, every zone within one app of n/k).
    local case2=inputs/thesis/case2.json
    if [ -f "$case2" ]; then
        for tool in $TOOLS; do
            run_baseline thesis-case2 "$tool" 10 --config "$case2"
        done
        if [ "$ZONEPLACE" != 0 ] && [ -x bin/zoneplace ]; then
            run_zoneplace thesis-case2 10 0 --config "$case2"
        fi
    fi
    machine | tee "$WORK/machine.txt"
    python3 bench/table.py print "$RESULTS"
    if [ "$SCALING" = 1 ] && [ "$use_zp" = 1 ]; then
        bench/scaling.sh
    fi
}

machine() { # one line: what the numbers were measured on
    local cpu mem
    cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
    mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "machine: ${cpu:-unknown cpu}, $(nproc) cores, $mem; $(uname -sr); one core per tool" \
        "(zoneplace one rank, METIS serial, Scotch one thread)"
}

main "$@"
