#!/bin/bash
# slurm-local.sh - start, stop or show a private single-node Slurm (munged + slurmctld + slurmd)
# on this machine, as root, without systemd or cgroups: for tests (tests/e2e/test_slurm.sh) and
# for trying the job scripts of jobs/ on a laptop or VM. Adapted from the project's stack recipe.
#
#   apt-get install -y slurm-wlm munge          # Debian 12: Slurm 22.05, munge 0.5
#   SLURM_LOCAL_ROOT=$PWD/scratch/slurm jobs/slurm-local.sh start    # about 3-10 s
#   export SLURM_CONF=$PWD/scratch/slurm/slurm.conf                  # for sbatch, squeue, sinfo
#   sbatch --partition=local jobs/run.sbatch
#   jobs/slurm-local.sh status
#   jobs/slurm-local.sh stop                    # by the recorded PIDs only, never by name
#
# Settings (environment):
#   SLURM_LOCAL_ROOT        folder for state, logs, spool, munge key and socket
#                           (default $PWD/scratch/slurm-local). Every folder above it must be
#                           world-executable (munged refuses its socket otherwise): after
#                           `mktemp -d`, chmod 755 the folder.
#   SLURM_LOCAL_CTLD_PORT   slurmctld port (default 6817)
#   SLURM_LOCAL_SLURMD_PORT slurmd port (default 6818)
#   SLURM_LOCAL_PARTITION   name of the one partition (default local)
#   SLURM_LOCAL_CPUS        CPUs to advertise (default: what `slurmd -C` finds; more than that
#                           adds SlurmdParameters=config_overrides so that e.g. 8 one-CPU MPI
#                           tasks fit on 2 cores)
#   SLURM_LOCAL_TIMEOUT     seconds to wait for each daemon (default 60)
# Exit status: 0 ok, 1 failure (with the last log lines of the daemon that failed).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${SLURM_LOCAL_ROOT:-$PWD/scratch/slurm-local}
case $ROOT in /*) ;; *) ROOT=$PWD/$ROOT ;; esac   # the daemons need absolute paths
CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-6818}
PARTITION=${SLURM_LOCAL_PARTITION:-local}
TIMEOUT=${SLURM_LOCAL_TIMEOUT:-60}
TEMPLATE=${SLURM_LOCAL_TEMPLATE:-$HERE/slurm.conf.in}
export SLURM_CONF=$ROOT/slurm.conf
SOCK=$ROOT/munge/munge.socket
HOST=$(hostname -s)

log() { printf '[slurm-local %s] %s\n' "$(date +%T)" "$*" >&2; }

pid_alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

node_idle() { [[ $(sinfo -h -n "$HOST" -o '%t' 2>/dev/null) == idle ]]; }

# wait_up PIDFILE NAME LOG CHECK...: polls CHECK until it succeeds; fails at once (showing LOG)
# if the daemon died, or after $TIMEOUT seconds
wait_up() {
    local pidf=$1 name=$2 logf=$3; shift 3
    local deadline=$((SECONDS + TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        if ! pid_alive "$pidf"; then
            log "$name exited during start-up; last lines of $logf:"
            tail -15 "$logf" >&2 || true
            return 1
        fi
        if ((SECONDS >= deadline)); then
            log "$name: not ready after ${TIMEOUT}s; last lines of $logf:"
            tail -15 "$logf" >&2 || true
            return 1
        fi
        sleep 0.3
    done
}

start() {
    for cmd in munged mungekey slurmctld slurmd sinfo; do
        command -v "$cmd" >/dev/null || { log "$cmd not found: apt-get install slurm-wlm munge"; exit 1; }
    done
    for p in "$CTLD_PORT" "$SLURMD_PORT"; do
        port_free "$p" || { log "port $p is in use (another Slurm?): set SLURM_LOCAL_*_PORT"; exit 1; }
    done
    if pid_alive "$ROOT/run/slurmctld.pid.fg" || pid_alive "$ROOT/run/munged.pid"; then
        log "a Slurm of $ROOT is already running (jobs/slurm-local.sh stop first)"
        exit 1
    fi
    mkdir -p "$ROOT"/{munge,state,run,log} "$ROOT/spool/$HOST"
    chmod 755 "$ROOT" "$ROOT/munge"
    # munged refuses a socket unless every folder above it is world-executable ("Socket is
    # inaccessible: execute permissions for all required"); check the whole path up front
    local d=$ROOT
    while [[ $d != / ]]; do
        if ! (( 8#$(stat -c %a "$d") & 1 )); then
            log "$d is not world-executable (mode $(stat -c %a "$d")): munged would refuse its"
            log "socket. chmod 755 it (mktemp -d makes 0700 folders) or choose another SLURM_LOCAL_ROOT"
            exit 1
        fi
        d=$(dirname "$d")
    done
    if (( ${#SOCK} > 100 )); then
        log "$SOCK is too long for a Unix socket: choose a shorter SLURM_LOCAL_ROOT"
        exit 1
    fi

    # 1. munge: a private key and daemon (runs as root with its own socket)
    [[ -s $ROOT/munge/munge.key ]] || mungekey --create --keyfile="$ROOT/munge/munge.key"
    chmod 600 "$ROOT/munge/munge.key"
    munged -F --socket="$SOCK" --key-file="$ROOT/munge/munge.key" \
        --log-file="$ROOT/log/munged.log" --pid-file="$ROOT/run/munged.pid.internal" \
        --seed-file="$ROOT/munge/munged.seed" </dev/null >>"$ROOT/log/munged.out" 2>&1 &
    echo $! >"$ROOT/run/munged.pid"
    wait_up "$ROOT/run/munged.pid" munged "$ROOT/log/munged.out" \
        bash -c "munge -S '$SOCK' -n | unmunge -S '$SOCK'"
    log "munged up (pid $(cat "$ROOT/run/munged.pid"))"

    # 2. slurm.conf from the template, with this machine's CPUs and memory
    local hw cpus mem extra=""
    hw=$(slurmd -C | head -1)
    cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
    mem=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
    if [[ -n ${SLURM_LOCAL_CPUS:-} && ${SLURM_LOCAL_CPUS} -gt $cpus ]]; then
        extra="SlurmdParameters=config_overrides"
        cpus=$SLURM_LOCAL_CPUS
    fi
    sed -e "s#@ROOT@#$ROOT#g" -e "s#@HOST@#$HOST#g" -e "s#@CPUS@#$cpus#g" -e "s#@MEM@#$mem#g" \
        -e "s#@CTLD_PORT@#$CTLD_PORT#g" -e "s#@SLURMD_PORT@#$SLURMD_PORT#g" \
        -e "s#@PARTITION@#$PARTITION#g" -e "s#@EXTRA@#$extra#g" "$TEMPLATE" >"$SLURM_CONF"
    log "wrote $SLURM_CONF (node $HOST: $cpus CPUs, ${mem} MB; partition $PARTITION; ports $CTLD_PORT/$SLURMD_PORT)"

    # 3. slurmctld in the foreground (-D) so that $! is its PID; -c: fresh state
    slurmctld -D -c -f "$SLURM_CONF" </dev/null >>"$ROOT/log/slurmctld.out" 2>&1 &
    echo $! >"$ROOT/run/slurmctld.pid.fg"
    wait_up "$ROOT/run/slurmctld.pid.fg" slurmctld "$ROOT/log/slurmctld.log" \
        bash -c "scontrol ping | grep -q 'is UP'"
    log "slurmctld up (pid $(cat "$ROOT/run/slurmctld.pid.fg"))"

    # 4. slurmd (-N: the node name of slurm.conf)
    slurmd -D -N "$HOST" -f "$SLURM_CONF" </dev/null >>"$ROOT/log/slurmd.out" 2>&1 &
    echo $! >"$ROOT/run/slurmd.pid.fg"
    if ! wait_up "$ROOT/run/slurmd.pid.fg" slurmd "$ROOT/log/slurmd.log" node_idle; then
        sinfo -N -l >&2 || true
        exit 1
    fi
    log "slurmd up (pid $(cat "$ROOT/run/slurmd.pid.fg")); node $HOST idle"
}

# stop_pid FILE NAME: SIGTERM to the PID recorded in FILE, wait up to 15 s, then SIGKILL
stop_pid() {
    local f=$1 name=$2 pid
    [[ -s $f ]] || return 0
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 15))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$name ($pid) still alive after 15 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        log "$name ($pid) stopped"
    fi
    rm -f "$f"
}

stop() {
    if pid_alive "$ROOT/run/slurmctld.pid.fg"; then
        # cancel what is left so that no job outlives slurmd (slurmd -D does not kill jobs)
        scancel --quiet --full --user="$(id -un)" 2>/dev/null || true
        local deadline=$((SECONDS + 20))
        while [[ -n $(squeue -h -o %i 2>/dev/null) ]] && ((SECONDS < deadline)); do sleep 0.3; done
    fi
    stop_pid "$ROOT/run/slurmd.pid.fg" slurmd
    stop_pid "$ROOT/run/slurmctld.pid.fg" slurmctld
    stop_pid "$ROOT/run/munged.pid" munged
}

status() {
    local f
    for f in munged.pid slurmctld.pid.fg slurmd.pid.fg; do
        if pid_alive "$ROOT/run/$f"; then echo "${f%%.*}: running (pid $(cat "$ROOT/run/$f"))"
        else echo "${f%%.*}: not running"; fi
    done
    if pid_alive "$ROOT/run/slurmctld.pid.fg"; then sinfo -N -l; fi
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
env) echo "export SLURM_CONF=$SLURM_CONF" ;;
*) echo "usage: $0 start|stop|status|env   (settings: see the top of this file)" >&2; exit 2 ;;
esac
