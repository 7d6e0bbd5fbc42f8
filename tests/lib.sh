# tests/lib.sh - helpers for the end-to-end test scripts (sourced). Each script ends with
# `finish`, which prints "N passed, N failed" and sets the exit status.
# Provided by tests/run.sh: ZP_BIN, ZP_ROOT, ZP_TMP, PY, MPI, SANITIZE.
set -u
: "${ZP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${ZP_BIN:=$ZP_ROOT/bin/zoneplace}" "${ZP_TMP:=$ZP_ROOT/tests/tmp}" "${PY:=/usr/bin/python3}"
: "${MPI:=1}" "${SANITIZE:=0}"
cd "$ZP_ROOT"
t_pass=0 t_fail=0

ok() { t_pass=$((t_pass + 1)); echo "ok - $1"; }
not_ok() { t_fail=$((t_fail + 1)); echo "FAIL - $1"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

# expect_eq DESCRIPTION ACTUAL EXPECTED
expect_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', expected '$3')"; fi
}

# expect_le DESCRIPTION ACTUAL LIMIT (numbers)
expect_le() {
    if "$PY" -c "import sys; sys.exit(0 if float('$2') <= float('$3') else 1)"; then
        ok "$1 ($2 <= $3)"
    else
        not_ok "$1 (got $2, limit $3)"
    fi
}

# jq_py FILE EXPR: evaluates a Python expression on the JSON document d of FILE.
jq_py() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# Runs zoneplace on N ranks (plain call for N=1 in a serial build).
zp_mpi() {
    local n=$1; shift
    if [ "$MPI" = 1 ]; then mpirun -n "$n" "$ZP_BIN" "$@"; else "$ZP_BIN" "$@"; fi
}

# kill_session SID: SIGKILLs every process of session SID (a job started with setsid: mpirun
# puts each rank in a process group of its own, so a group kill misses them and they would go
# on publishing) and returns once none is alive, as after a node's death; status 1 if some
# survive 30 s. The leader is signalled by pid too: setsid may not have made it a session yet.
# Zombies do not count: an orphaned rank is reparented to PID 1, which in a container may
# never reap it.
session_alive() { ps -e -o sid=,stat= | awk -v s="$1" '$1 == s && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }
kill_session() {
    local tries
    pkill -KILL -s "$1" 2>/dev/null
    kill -KILL "$1" 2>/dev/null
    for tries in $(seq 3000); do
        pkill -KILL -s "$1" 2>/dev/null # again: a child forked during the first signal
        session_alive "$1" || return 0
        sleep 0.01
    done
    return 1
}

finish() {
    echo "$t_pass passed, $t_fail failed"
    [ "$t_fail" -eq 0 ]
}
