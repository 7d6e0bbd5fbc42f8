#!/bin/bash
# slurm-local.sh - start, stop or show a private Slurm (munged + slurmctld + one slurmd per node)
# on this machine, as root, without systemd or cgroups: for tests (tests/e2e/test_slurm.sh) and
# for trying the job scripts of jobs/ on a laptop or VM. One node by default; with
# SLURM_LOCAL_NODES=N (N >= 2) a cluster of N nodes node1..nodeN, each slurmd in its own network
# namespace (own address on a private bridge, reached through a veth pair), UTS namespace (own
# hostname) and mount namespace (own /etc/hosts): jobs started by a node's slurmd inherit them,
# so `hostname` differs per node and MPI ranks on different nodes talk over TCP, as on a real
# cluster. The disk is shared, as a cluster's shared file system is.
#
#   apt-get install -y slurm-wlm munge iproute2   # Debian 12: Slurm 22.05, munge 0.5
#   SLURM_LOCAL_ROOT=$PWD/scratch/slurm jobs/slurm-local.sh start    # about 3-10 s
#   export SLURM_CONF=$PWD/scratch/slurm/slurm.conf                  # for sbatch, squeue, sinfo
#   sbatch --partition=local jobs/run.sbatch
#   SLURM_LOCAL_NODES=2 ... jobs/slurm-local.sh start; sbatch -N 2 jobs/multinode.sbatch
#   jobs/slurm-local.sh check                   # srun on every node: one hostname per node
#   jobs/slurm-local.sh status
#   jobs/slurm-local.sh stop                    # by the recorded PIDs and names only
#
# Settings (environment):
#   SLURM_LOCAL_ROOT        folder for state, logs, spool, munge key and socket
#                           (default $PWD/scratch/slurm-local). Every folder above it must be
#                           world-executable (munged refuses its socket otherwise): after
#                           `mktemp -d`, chmod 755 the folder.
#   SLURM_LOCAL_NODES       nodes (default 1: this host, in its own namespaces; N >= 2 needs
#                           root or CAP_NET_ADMIN + CAP_SYS_ADMIN: `can-multinode` tells)
#   SLURM_LOCAL_NET         first three octets of the private /24 of a cluster (default
#                           10.77.0: bridge .1, nodeI .(10+I)); one this machine does not use
#   SLURM_LOCAL_PREFIX      name prefix of its bridge, namespaces and veths (default zpl:
#                           zplbr, zpln1, zplv1; at most 8 characters)
#   SLURM_LOCAL_CTLD_PORT   slurmctld port (default 6817)
#   SLURM_LOCAL_SLURMD_PORT slurmd port (default 6818)
#   SLURM_LOCAL_PARTITION   name of the one partition (default local)
#   SLURM_LOCAL_CPUS        CPUs to advertise per node (default: what `slurmd -C` finds; more
#                           or fewer adds SlurmdParameters=config_overrides so that e.g. 8
#                           one-CPU MPI tasks fit on 2 cores)
#   SLURM_LOCAL_TIMEOUT     seconds to wait for each daemon (default 60)
# Exit status: 0 ok, 1 failure (with the last log lines of the daemon that failed), 2 usage.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${SLURM_LOCAL_ROOT:-$PWD/scratch/slurm-local}
case $ROOT in /*) ;; *) ROOT=$PWD/$ROOT ;; esac   # the daemons need absolute paths
NODES=${SLURM_LOCAL_NODES:-1}
NET=${SLURM_LOCAL_NET:-10.77.0}
P=${SLURM_LOCAL_PREFIX:-zpl}
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

# node names: this host for one node, node1..nodeN for a cluster
node_names() {
    if ((NODES == 1)); then echo "$HOST"; else seq -f 'node%g' 1 "$NODES"; fi
}

nodes_idle() { [[ $(sinfo -h -p "$PARTITION" -t idle -o '%D' 2>/dev/null) == "$NODES" ]]; }

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

# can_multinode: whether this process may create network namespaces and bridges (root with
# CAP_NET_ADMIN and CAP_SYS_ADMIN; not inside most unprivileged containers); says why not
can_multinode() {
    local cmd probe=${P}cx$$
    for cmd in ip unshare nsenter; do
        command -v "$cmd" >/dev/null || { echo "$cmd not found (apt-get install iproute2 util-linux)"; return 1; }
    done
    ((EUID == 0)) || { echo "not root"; return 1; }
    ip link add "${probe:0:15}" type bridge 2>/dev/null || { echo "cannot create a bridge (no CAP_NET_ADMIN)"; return 1; }
    ip link del "${probe:0:15}"
    unshare --uts --mount true 2>/dev/null || { echo "cannot create UTS and mount namespaces (no CAP_SYS_ADMIN)"; return 1; }
}

# ---- the network of a cluster: a bridge on the host, one namespace + veth pair per node -------
net_up() {
    local i
    ip link add "${P}br" type bridge
    ip addr add "$NET.1/24" dev "${P}br"
    ip link set "${P}br" up
    for ((i = 1; i <= NODES; i++)); do
        ip netns add "${P}n$i"
        ip link add "${P}v$i" type veth peer name "${P}e$i"
        ip link set "${P}v$i" master "${P}br" up
        ip link set "${P}e$i" netns "${P}n$i"
        ip -n "${P}n$i" link set "${P}e$i" name eth0
        ip -n "${P}n$i" addr add "$NET.$((10 + i))/24" dev eth0
        ip -n "${P}n$i" link set eth0 up
        ip -n "${P}n$i" link set lo up
    done
    # the nodes' /etc/hosts (bind-mounted over /etc/hosts in each slurmd's mount namespace)
    {
        echo "127.0.0.1 localhost"
        echo "$NET.1 $HOST"
        for ((i = 1; i <= NODES; i++)); do echo "$NET.$((10 + i)) node$i"; done
    } >"$ROOT/hosts"
    echo "$P $NODES" >"$ROOT/run/net"   # what stop removes
    log "network: bridge ${P}br $NET.1/24, namespaces ${P}n1..${P}n$NODES ($NET.11..$NET.$((10 + NODES)))"
}

net_down() {
    [[ -s $ROOT/run/net ]] || return 0
    local p n i
    read -r p n <"$ROOT/run/net"
    for ((i = 1; i <= n; i++)); do
        ip netns del "${p}n$i" 2>/dev/null || true   # also removes the node's end of the veth
        ip link del "${p}v$i" 2>/dev/null || true
    done
    ip link del "${p}br" 2>/dev/null || true
    rm -f "$ROOT/run/net"
    log "removed bridge ${p}br, namespaces ${p}n1..${p}n$n and their veths"
}

write_conf() {
    local hw cpus mem extra="" addr=127.0.0.1 i
    hw=$(slurmd -C | head -1)
    cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
    mem=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
    if [[ -n ${SLURM_LOCAL_CPUS:-} && ${SLURM_LOCAL_CPUS} -ne $cpus ]]; then
        extra="SlurmdParameters=config_overrides"
        cpus=$SLURM_LOCAL_CPUS
    fi
    if ((NODES > 1)); then
        addr=$NET.1
        mem=$((mem / NODES))
    fi
    sed -e "s#@ROOT@#$ROOT#g" -e "s#@HOST@#$HOST#g" -e "s#@CTLD_ADDR@#$addr#g" \
        -e "s#@CTLD_PORT@#$CTLD_PORT#g" -e "s#@SLURMD_PORT@#$SLURMD_PORT#g" \
        -e "s#@EXTRA@#$extra#g" "$TEMPLATE" >"$SLURM_CONF"
    {
        if ((NODES == 1)); then
            echo "NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN"
        else
            for ((i = 1; i <= NODES; i++)); do
                echo "NodeName=node$i NodeHostname=node$i NodeAddr=$NET.$((10 + i)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"
            done
        fi
        echo "PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    } >>"$SLURM_CONF"
    log "wrote $SLURM_CONF ($NODES node(s) $(node_names | paste -sd ' '): $cpus CPUs, ${mem} MB each; partition $PARTITION; ports $CTLD_PORT/$SLURMD_PORT)"
}

# start_slurmd I NAME: slurmd of node NAME; for a cluster in node I's network namespace (nsenter,
# not `ip netns exec`, which mounts a /sys without /sys/fs/cgroup that slurmd 22.05 fails on),
# a new UTS namespace (its hostname) and a private mount namespace (its /etc/hosts). nsenter and
# unshare exec in place and the shell execs slurmd, so $! is slurmd's PID.
start_slurmd() {
    local i=$1 name=$2 out=$ROOT/log/slurmd-$2.out
    if ((NODES == 1)); then
        slurmd -D -N "$name" -f "$SLURM_CONF" </dev/null >>"$out" 2>&1 &
    else
        nsenter --net="/run/netns/${P}n$i" unshare --uts --mount --propagation private \
            sh -c "hostname $name && mount --bind '$ROOT/hosts' /etc/hosts &&
                   exec slurmd -D -N $name -f '$SLURM_CONF'" </dev/null >>"$out" 2>&1 &
    fi
    echo $! >"$ROOT/run/slurmd-$name.pid.fg"
}

start() {
    local cmd p d i name why
    for cmd in munged mungekey slurmctld slurmd sinfo; do
        command -v "$cmd" >/dev/null || { log "$cmd not found: apt-get install slurm-wlm munge"; exit 1; }
    done
    for p in "$CTLD_PORT" "$SLURMD_PORT"; do
        port_free "$p" || { log "port $p is in use (another Slurm?): set SLURM_LOCAL_*_PORT"; exit 1; }
    done
    if ((NODES > 1)); then
        why=$(can_multinode) || { log "a cluster of $NODES nodes needs network namespaces: $why"; exit 1; }
        if ip link show "${P}br" >/dev/null 2>&1 || ip netns list | grep -q "^${P}n1\b"; then
            log "${P}br or ${P}n1 exists already (another cluster? set SLURM_LOCAL_PREFIX)"; exit 1
        fi
    fi
    if pid_alive "$ROOT/run/slurmctld.pid.fg" || pid_alive "$ROOT/run/munged.pid"; then
        log "a Slurm of $ROOT is already running (jobs/slurm-local.sh stop first)"
        exit 1
    fi
    mkdir -p "$ROOT"/{munge,state,run,log}
    for name in $(node_names); do mkdir -p "$ROOT/spool/$name" "$ROOT/tmp/$name"; done
    chmod 755 "$ROOT" "$ROOT/munge"
    # munged refuses a socket unless every folder above it is world-executable ("Socket is
    # inaccessible: execute permissions for all required"); check the whole path up front
    d=$ROOT
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
    ((NODES > 1)) && net_up

    # 1. munge: a private key and daemon (runs as root with its own socket, a path in the file
    #    system: reachable from every network namespace)
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
    write_conf

    # 3. slurmctld in the foreground (-D) so that $! is its PID; -c: fresh state. It listens on
    #    all addresses, the nodes reach it at the bridge's
    slurmctld -D -c -f "$SLURM_CONF" </dev/null >>"$ROOT/log/slurmctld.out" 2>&1 &
    echo $! >"$ROOT/run/slurmctld.pid.fg"
    wait_up "$ROOT/run/slurmctld.pid.fg" slurmctld "$ROOT/log/slurmctld.log" \
        bash -c "scontrol ping | grep -q 'is UP'"
    log "slurmctld up (pid $(cat "$ROOT/run/slurmctld.pid.fg"))"

    # 4. one slurmd per node (-N: the node name of slurm.conf)
    i=0
    for name in $(node_names); do start_slurmd $((++i)) "$name"; done
    name=$(node_names | head -1)
    if ! wait_up "$ROOT/run/slurmd-$name.pid.fg" "slurmd $name" "$ROOT/log/slurmd-$name.log" nodes_idle; then
        sinfo -N -l >&2 || true
        exit 1
    fi
    for name in $(node_names); do
        pid_alive "$ROOT/run/slurmd-$name.pid.fg" || { log "slurmd $name died"; tail -15 "$ROOT/log/slurmd-$name.log" >&2; exit 1; }
    done
    log "slurmd up on $(node_names | paste -sd ' ') (pids $(cat "$ROOT"/run/slurmd-*.pid.fg | paste -sd ' ')); partition $PARTITION: $NODES node(s) idle"
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
    local f
    if pid_alive "$ROOT/run/slurmctld.pid.fg"; then
        # cancel what is left so that no job outlives slurmd (slurmd -D does not kill jobs)
        scancel --quiet --full --user="$(id -un)" 2>/dev/null || true
        local deadline=$((SECONDS + 40))
        while [[ -n $(squeue -h -o %i 2>/dev/null) ]] && ((SECONDS < deadline)); do sleep 0.3; done
    fi
    for f in "$ROOT"/run/slurmd-*.pid.fg; do
        [[ -e $f ]] || continue
        f=${f##*/slurmd-}
        stop_pid "$ROOT/run/slurmd-$f" "slurmd ${f%.pid.fg}"
    done
    stop_pid "$ROOT/run/slurmctld.pid.fg" slurmctld
    stop_pid "$ROOT/run/munged.pid" munged
    net_down
}

status() {
    local f n
    for f in "$ROOT/run/munged.pid" "$ROOT/run/slurmctld.pid.fg" "$ROOT"/run/slurmd-*.pid.fg; do
        [[ -e $f ]] || continue
        n=$(basename "$f"); n=${n%%.pid*}
        if pid_alive "$f"; then echo "$n: running (pid $(cat "$f"))"; else echo "$n: not running"; fi
    done
    if pid_alive "$ROOT/run/slurmctld.pid.fg"; then sinfo -N -l; fi
}

# check: one task per node reports its hostname; they must all differ
check() {
    local out n
    n=$(sinfo -h -p "$PARTITION" -o '%D')
    out=$(timeout 120 srun -p "$PARTITION" -N "$n" --ntasks-per-node=1 -l hostname | sort)
    echo "$out"
    [[ $(awk '{print $2}' <<<"$out" | sort -u | wc -l) == "$n" ]] ||
        { log "check failed: expected $n different hostnames"; return 1; }
    log "check ok: $n node(s), $n hostname(s)"
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
check) check ;;
can-multinode) if why=$(can_multinode); then echo yes; else echo "no: $why"; exit 1; fi ;;
env) echo "export SLURM_CONF=$SLURM_CONF" ;;
*) echo "usage: $0 start|stop|status|check|can-multinode|env   (settings: see the top of this file)" >&2; exit 2 ;;
esac
