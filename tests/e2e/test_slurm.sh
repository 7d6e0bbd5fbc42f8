#!/usr/bin/env bash
# The job scripts of jobs/ under a real Slurm (Debian's slurm-wlm and munge, started here by
# jobs/slurm-local.sh as background processes with their own config, state and munge socket
# under $ZP_TMP/slurm, on free ports, and stopped by PID on exit, also on failure). Where network
# namespaces can be made (root), the Slurm is a cluster of two nodes, node1 and node2, each
# slurmd in its own network and UTS namespace; else one node, and the two-node checks are
# skipped with a note.
#   - the cluster: one task per node reports its own hostname;
#   - defaults: run.sbatch without any size option starts and completes; logs go to
#     results/logs (git-ignored), not to the repository root;
#   - jobs/sweep_zones.sbatch as an array over the sweep file's zone counts (no ZONES given) and
#     as an array over slices: each element writes its part, the last one merges them with
#     `zoneplace merge` into the file the whole sweep's job writes (its /tasks equal); a subset
#     of elements reruns (--array=1; slices: SLICES=N, refused without it);
#   - jobs/multinode.sbatch with -N 1 and -N 2: the ranks ran on both nodes, and every way of
#     running the sweep gives the same tasks and placements;
#   - preemption, every recipe of README and docs/sweeps.md: scancel --signal=TERM (the steps),
#     scancel --signal=TERM --full (srun would SIGKILL the ranks if it got it), scancel --batch
#     --signal=USR1 and a real `--signal=B:USR1@T` warning before the time limit: each job ends
#     with exit code 5, a valid file holding the finished tasks and the message to resubmit;
#     resubmitting resumes to the whole sweep; run.sbatch stopped by scancel --signal=TERM
#     --full ends with exit code 5 and a file marked incomplete (its best placement so far).
# No timing assertions and no sleeps as synchronisation: the test waits for events (a job has
# left the queue, its log says a task is done); generous time-outs are only a safety net.
# ZP_SLURM_NODES=1 runs it on one node even where two are possible.
# Skipped (0 passed, 0 failed) in a serial build (MPI=0: no srun launch, no HDF5) and under the
# sanitizers (SANITIZE=1, same scripts: set ZP_SLURM=1 to run it anyway).
source "$(dirname "$0")/../lib.sh"

if [ "$MPI" != 1 ]; then
    echo "skip: the Slurm test needs the MPI build (MPI=0 has no srun launch and no HDF5)"
    finish; exit
fi
if [ "$SANITIZE" = 1 ] && [ "${ZP_SLURM:-0}" != 1 ]; then
    echo "skip: the Slurm test runs in the plain build (ZP_SLURM=1 runs it here too)"
    finish; exit
fi
for cmd in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel sinfo srun setsid; do
    if ! command -v "$cmd" >/dev/null; then
        not_ok "Slurm: $cmd not found (apt-get install slurm-wlm munge; make test installs them)"
        finish; exit
    fi
done

JOB_TIMEOUT=${ZP_SLURM_JOB_TIMEOUT:-900}   # safety net per job, queueing included
W=$ZP_TMP/slurm
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
# whether every folder from $1 up to / is world-executable
world_executable_up() {
    local d=$1
    while [ "$d" != / ]; do
        [ $((0$(stat -c %a "$d") & 1)) = 1 ] || return 1
        d=$(dirname "$d")
    done
}
# munged needs o+x on every folder above its socket (a checkout cloned into `mktemp -d` is 0700)
# and a short socket path (Unix socket limit): elsewhere the daemons go to a folder under /tmp
if [ ${#W} -gt 60 ] || ! world_executable_up "$(dirname "$W")"; then
    W=$(mktemp -d /tmp/zp-slurm.XXXXXX)
fi
chmod 755 "$W"
ZP_BIN_ABS=$(cd "$(dirname "$ZP_BIN")" && pwd)/$(basename "$ZP_BIN")

# two free ports (another Slurm, or another test run, may hold the default ones)
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 20000))
        if ! ss -Hltn "sport = :$p" | grep -q . && [ "$p" != "${1:-}" ]; then echo "$p"; return; fi
    done
    return 1
}
# a private /24 and link names that no other run on this machine uses
free_net() {
    local net
    for _ in $(seq 50); do
        net=10.$((100 + RANDOM % 150)).$((RANDOM % 250))
        ip -4 addr | grep -q " $net\." || { echo "$net"; return; }
    done
    return 1
}
NODES=1
if [ "${ZP_SLURM_NODES:-2}" = 1 ]; then
    echo "note: one node only (ZP_SLURM_NODES=1), the two-node checks are skipped"
elif why=$(jobs/slurm-local.sh can-multinode 2>&1); then
    NODES=2
else
    echo "note: one node only, the two-node checks are skipped: network namespaces: ${why#no: }"
fi
CPUS=$(nproc); [ "$CPUS" -ge 2 ] || CPUS=2   # the job scripts' defaults need 2 CPUs per node
export SLURM_LOCAL_ROOT=$W/daemons SLURM_LOCAL_PARTITION=zptest SLURM_LOCAL_NODES=$NODES
SLURM_LOCAL_NET=$(free_net)
export SLURM_LOCAL_CPUS=$CPUS SLURM_LOCAL_NET SLURM_LOCAL_PREFIX=zt$((RANDOM % 100000))
SLURM_LOCAL_CTLD_PORT=$(free_port) && SLURM_LOCAL_SLURMD_PORT=$(free_port "$SLURM_LOCAL_CTLD_PORT")
export SLURM_LOCAL_CTLD_PORT SLURM_LOCAL_SLURMD_PORT SLURM_CONF=$SLURM_LOCAL_ROOT/slurm.conf
# the jobs inherit this environment: ranks on two nodes need TCP (tests/run.sh sets self,vader)
export OMPI_MCA_btl=self,vader,tcp
stop_slurm() { jobs/slurm-local.sh stop >>"$W/slurm-local.log" 2>&1; }
trap stop_slurm EXIT
trap 'exit 143' TERM   # a killed test still stops the daemons (through the EXIT trap)
trap 'exit 130' INT
if ! jobs/slurm-local.sh start >"$W/slurm-local.log" 2>&1; then
    cat "$W/slurm-local.log"
    not_ok "Slurm started (munged, slurmctld, $NODES slurmd)"
    finish; exit
fi
ok "Slurm started: $NODES node(s) of $CPUS CPUs (ports $SLURM_LOCAL_CTLD_PORT/$SLURM_LOCAL_SLURMD_PORT, partition zptest)"
check "jobs/slurm-local.sh check: one hostname per node" \
    bash -c "jobs/slurm-local.sh check >'$W/check.log' 2>&1"

# submit NAME [sbatch options] SCRIPT: prints the job id; the job's log is $W/NAME-%j.out
# (arrays: NAME-%A_%a.out). The jobs use this build (ZP_BIN) and run from the repository root.
submit() {
    local name=$1; shift
    local log="$W/$name-%j.out"
    case " $* " in *" --array="*) log="$W/$name-%A_%a.out" ;; esac
    ZP_BIN=$ZP_BIN_ABS sbatch --parsable --partition=zptest --chdir="$ZP_ROOT" --output="$log" "$@"
}

# wait_job ID: waits until no element of the job is queued or running (safety net:
# JOB_TIMEOUT); prints the states ("3 COMPLETED 0:0" for an array) from scontrol (no sacct
# without slurmdbd)
wait_job() {
    local jid=$1 deadline=$((SECONDS + JOB_TIMEOUT))
    while [ -n "$(squeue -h -j "$jid" -o %i 2>/dev/null)" ]; do
        if ((SECONDS >= deadline)); then
            scancel "$jid" 2>/dev/null
            echo "TIMEOUT after ${JOB_TIMEOUT}s"
            return 1
        fi
        sleep 0.5
    done
    scontrol -o show job "$jid" | grep -o 'JobState=[A-Z_]* .*ExitCode=[0-9:]*' |
        sed 's/JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c |
        sed 's/^ *//' | paste -sd ';'
}

# wait_log FILE PATTERN JOB: waits until the job's log FILE holds PATTERN; fails when the job
# has ended without it (safety net: JOB_TIMEOUT)
wait_log() {
    local deadline=$((SECONDS + JOB_TIMEOUT))
    until grep -q "$2" "$1" 2>/dev/null; do
        if ((SECONDS >= deadline)) || [ -z "$(squeue -h -j "$3" -o %i 2>/dev/null)" ]; then
            grep -q "$2" "$1" 2>/dev/null
            return
        fi
        sleep 0.2
    done
}

SMALL=inputs/sweeps/case1_small.json   # case 1 in 2, 3, 4 zones x seeds 1, 2: 6 tasks
GITLOGS=$ZP_ROOT/results/logs
jr=$(CONFIG=inputs/thesis/case1.json STARTS=4 OUTDIR=$W/run ZP_BIN=$ZP_BIN_ABS \
     sbatch --parsable --partition=zptest --chdir="$ZP_ROOT" jobs/run.sbatch)
ja=$(SWEEP=$SMALL OUTDIR=$W/zones submit zones --array=0-2 --ntasks=1 jobs/sweep_zones.sbatch)
js=$(SWEEP=$SMALL MODE=slices OUTDIR=$W/slices submit slices --array=0-1 --ntasks=1 \
     jobs/sweep_zones.sbatch)
jm1=$(SWEEP=$SMALL OUTDIR=$W/multi1 RANKS_PER_TASK=1 submit multi1 --nodes=1 \
      --ntasks-per-node=2 jobs/multinode.sbatch)
jm2=""
if [ "$NODES" = 2 ]; then
    jm2=$(SWEEP=$SMALL OUTDIR=$W/multi2 RANKS_PER_TASK=1 submit multi2 jobs/multinode.sbatch)
fi
check "sbatch accepted the jobs ($jr $ja $js $jm1 $jm2)" test -n "$jr" -a -n "$ja" -a -n "$js" -a -n "$jm1"

expect_eq "run.sbatch with its defaults (2 ranks): job completed" "$(wait_job "$jr")" "1 COMPLETED 0:0"
expect_eq "sweep_zones.sbatch (zones): 3 array elements completed" "$(wait_job "$ja")" "3 COMPLETED 0:0"
expect_eq "sweep_zones.sbatch (slices): 2 array elements completed" "$(wait_job "$js")" "2 COMPLETED 0:0"
expect_eq "multinode.sbatch -N 1: job completed" "$(wait_job "$jm1")" "1 COMPLETED 0:0"
if [ -n "$jm2" ]; then
    expect_eq "multinode.sbatch -N 2 (its defaults): job completed" "$(wait_job "$jm2")" "1 COMPLETED 0:0"
fi

# ---- outputs --------------------------------------------------------------------------------
h5_tasks() { # FILE: "task:zones ..." of /tasks, or "unreadable"
    "$PY" -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    t = f['tasks'][...]
print(' '.join('%d:%d' % (a, b) for a, b in sorted(zip(t['task'], t['zones']))))" "$1" 2>/dev/null ||
        echo unreadable
}
check "run.sbatch: its log is in results/logs" test -s "$GITLOGS/zp-run-$jr.out"
check "run.sbatch: results/logs is git-ignored" git check-ignore -q "$GITLOGS/zp-run-$jr.out"
check "run.sbatch: no log in the repository root" test ! -e "$ZP_ROOT/zp-run-$jr.out" -a \
    ! -e "$ZP_ROOT/slurm-$jr.out"
cp "$GITLOGS/zp-run-$jr.out" "$W/" 2>/dev/null && rm -f "$GITLOGS/zp-run-$jr.out"
check "run.sbatch wrote its HDF5 file and summary" test -s "$W/run/run-$jr.h5" -a -s "$W/run/run-$jr.json"
expect_eq "run.sbatch: one task, 4 zones" "$(h5_tasks "$W/run/run-$jr.h5")" "0:4"
expect_eq "run.sbatch: 4 starts on 2 ranks" "$(jq_py "$W/run/run-$jr.json" "d['tasks'][0]['starts']")" 4
for i in 0 1 2; do
    k=$((i + 2))
    check "array element $i follows the sweep file (zone count $k)" \
        grep -q "wrote $W/zones/zones$k.h5" "$W/zones-${ja}_$i.out"
    expect_eq "array element $i (zones $k): its 2 tasks" "$(h5_tasks "$W/zones/zones$k.h5")" \
        "$((2 * i)):$k $((2 * i + 1)):$k"
done
expect_eq "slices element 0: tasks 0, 2, 4" "$(h5_tasks "$W/slices/slice0of2.h5")" "0:2 2:3 4:4"
expect_eq "slices element 1: tasks 1, 3, 5" "$(h5_tasks "$W/slices/slice1of2.h5")" "1:2 3:3 5:4"
expect_eq "multinode.sbatch -N 1: the whole sweep in one file" "$(h5_tasks "$W/multi1/case1_small.h5")" \
    "0:2 1:2 2:3 3:3 4:4 5:4"
check "no .partial files left" bash -c "! ls '$W'/*/*.partial* 2>/dev/null | grep -q ."

# the array's last element merged the parts with zoneplace merge into the file one job running
# the whole sweep writes: /tasks equal to multinode -N 1's, row by row, but for wall_seconds
tasks_rows() { # FILE: the complete flag and the /tasks rows without wall_seconds, or "unreadable"
    "$PY" -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    t = f['tasks'][...]
    print('complete', f.attrs['complete'])
for r in t:
    print(' '.join(repr(r[n]) for n in t.dtype.names if n != 'wall_seconds'))" "$1" 2>/dev/null ||
        echo unreadable
}
whole_tasks=$(tasks_rows "$W/multi1/case1_small.h5")
check "zones array: the last element merged the 3 parts into case1_small.h5" \
    grep -q "merged 3 parts into $W/zones/case1_small.h5" "$W"/zones-"${ja}"_*.out
expect_eq "zones array: the merged file = the whole sweep's (/tasks, complete)" \
    "$(tasks_rows "$W/zones/case1_small.h5")" "$whole_tasks"
check "slices array: the last element merged the 2 parts into case1_small.h5" \
    grep -q "merged 2 parts into $W/slices/case1_small.h5" "$W"/slices-"${js}"_*.out
expect_eq "slices array: the merged file = the whole sweep's (/tasks, complete)" \
    "$(tasks_rows "$W/slices/case1_small.h5")" "$whole_tasks"

# every way of running the sweep gives the same tasks (CSV of postproc/sweep_plots.py without
# the timing and file columns) and the same placements
merged() { # OUT.csv FILES...
    local csv=$1; shift
    "$PY" postproc/sweep_plots.py "$@" --no-plots --csv "$csv" >/dev/null &&
        "$PY" -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keep = ['task', 'instance', 'zones', 'seed', 'traffic', 'external_deps', 'lb_pct', 'best_start']
print(len(rows), [[r[k] for k in keep] for r in rows])" "$csv"
}
placements() { # FILES...: every task's placement, by task id
    "$PY" -c "
import h5py, sys
rows = {}
for path in sys.argv[1:]:
    with h5py.File(path, 'r') as f:
        t, x = f['tasks'][...], f['placements'][...]
        for i, r in enumerate(t):
            rows[int(r['task'])] = list(x[i][:r['apps']])
print(sorted(rows.items()))" "$@"
}
m_zones=$(merged "$W/zones.csv" "$W"/zones/zones*.h5)
expect_eq "merged zone-count array: 6 tasks" "${m_zones%% *}" 6
expect_eq "slices array: the same results" "$(merged "$W/slices.csv" "$W"/slices/slice*.h5)" "$m_zones"
expect_eq "multinode -N 1: the same results" "$(merged "$W/multi1.csv" "$W/multi1/case1_small.h5")" "$m_zones"
x_one=$(placements "$W/multi1/case1_small.h5")
expect_eq "zone-count array: the same placements as multinode -N 1" \
    "$(placements "$W"/zones/zones*.h5)" "$x_one"
if [ -n "$jm2" ]; then
    expect_eq "multinode -N 2: ranks 0,1 on node1 and 2,3 on node2" \
        "$(sed -n 's/.*ranks on nodes: //p' "$W/multi2-$jm2.out")" "0:node1 1:node1 2:node2 3:node2"
    expect_eq "multinode -N 2: the same results as on one node" \
        "$(merged "$W/multi2.csv" "$W/multi2/case1_small.h5")" "$m_zones"
    expect_eq "multinode -N 2: the same placements as on one node" \
        "$(placements "$W/multi2/case1_small.h5")" "$x_one"
else
    echo "skip: multinode -N 2 (one node only, see the note above)"
fi
"$PY" postproc/sweep_plots.py "$W"/zones/zones*.h5 --outdir "$W/plots" > "$W/plots.log" 2>&1
check "sweep_plots.py: PNGs from the array's files" test -s "$W/plots/sweep_overview.png" -a \
    -s "$W/plots/sweep_traffic.png" -a -s "$W/plots/sweep_lb_pct.png"

# ---- rerunning a subset of an array's elements ----------------------------------------------
rm -f "$W"/zones/zones3.* "$W"/zones/case1_small.* "$W"/slices/slice1of2.*
jr1=$(SWEEP=$SMALL OUTDIR=$W/zones submit rezones --array=1 --ntasks=1 jobs/sweep_zones.sbatch)
jr2=$(SWEEP=$SMALL MODE=slices OUTDIR=$W/slices submit reslices --array=1 --ntasks=1 \
      jobs/sweep_zones.sbatch)
jr3=$(SWEEP=$SMALL MODE=slices SLICES=2 OUTDIR=$W/slices submit reslices2 --array=1 --ntasks=1 \
      jobs/sweep_zones.sbatch)
expect_eq "rerun of zones element 1 alone: completed" "$(wait_job "$jr1")" "1 COMPLETED 0:0"
expect_eq "rerun of zones element 1: zone count 3 again" "$(h5_tasks "$W/zones/zones3.h5")" "2:3 3:3"
check "rerun of zones element 1: it merged the parts again" \
    grep -q "merged 3 parts into $W/zones/case1_small.h5" "$W/rezones-${jr1}_1.out"
expect_eq "rerun of zones element 1: the merged file = the whole sweep's" \
    "$(tasks_rows "$W/zones/case1_small.h5")" "$whole_tasks"
expect_eq "rerun of slices element 1 without SLICES: refused (exit 2)" "$(wait_job "$jr2")" "1 FAILED 2:0"
check "... saying to set SLICES" grep -q "set SLICES=N" "$W/reslices-${jr2}_1.out"
expect_eq "rerun of slices element 1 with SLICES=2: completed" "$(wait_job "$jr3")" "1 COMPLETED 0:0"
expect_eq "rerun of slices element 1: tasks 1, 3, 5 again" "$(h5_tasks "$W/slices/slice1of2.h5")" "1:2 3:3 5:4"

# ---- preemption ---------------------------------------------------------------------------
# 12 tasks of about 2-3 s (idle machine) on 2 ranks: after the first tasks are done, 5 rounds of
# work remain for the signal to interrupt, more on a busy machine (the sweep slows as well)
cat > "$W/slow.json" <<EOF
{"name": "slow", "instances": ["$ZP_ROOT/inputs/thesis/case2.json"], "zones": [4, 8],
 "seeds": [1, 2, 3, 4, 5, 6], "starts": 2, "search": {"iterations": 1500}}
EOF
# a long one for the warning before the time limit: 2,000 tasks, far more than 2 minutes of work
# on any machine (80 tasks once ended on an idle machine before the warning came)
long_seeds=$(seq -s ', ' 1 1000)
sed -e "s/\"seeds\": \[1, 2, 3, 4, 5, 6\]/\"seeds\": [$long_seeds]/" -e 's/"name": "slow"/"name": "long"/' \
    "$W/slow.json" > "$W/long.json"
pre() { # NAME [sbatch options]: the slow sweep with multinode.sbatch into $W/NAME
    local name=$1; shift
    SWEEP=${SWEEP_FILE:-$W/slow.json} OUTDIR=$W/$name RANKS_PER_TASK=1 submit "$name" "$@" \
        jobs/multinode.sbatch
}
n_tasks() { local t; t=$(h5_tasks "$1"); [ "$t" = unreadable ] && echo unreadable || wc -w <<<"$t"; }
# stopped NAME JOB RECIPE: the job ended with exit code 5, said so, and left a valid partial file
stopped() {
    local name=$1 jid=$2 recipe=$3 n
    expect_eq "$recipe: the job ends with exit code 5" "$(wait_job "$jid")" "1 FAILED 5:0"
    check "$recipe: the log says to submit again" grep -q 'stopped by a signal.*submit again' \
        "$W/$name-$jid.out"
    n=$(n_tasks "$W/$name/${4:-slow}.h5")
    check "$recipe: a valid file with the finished tasks ($n)" test "$n" != unreadable -a "$n" -gt 0
}
nodes_opt=(--nodes=1 --ntasks-per-node=2)
[ "$NODES" = 2 ] && nodes_opt=(--nodes=2 --ntasks-per-node=1)
# the README's recipe: a warning to the batch shell 60 s before a 2-minute limit (slurmctld
# checks every 30 s and may send it up to 30 s early: 30-60 s after the start)
jw=$(SWEEP_FILE=$W/long.json pre warn --nodes=1 --ntasks-per-node=2 --time=00:02:00 \
     --signal=B:USR1@60)
jt=$(pre step --nodes=1 --ntasks-per-node=2)
jf=$(pre full "${nodes_opt[@]}")
jb=$(pre batch --nodes=1 --ntasks-per-node=2)
# each signal as soon as its job has finished a task (the jobs may queue behind each other)
check "step: the sweep is running (a task done)" wait_log "$W/step-$jt.out" 'tasks done' "$jt"
scancel --signal=TERM "$jt"           # to the job's steps, as Slurm does before a time limit
check "full: the sweep is running (a task done)" wait_log "$W/full-$jf.out" 'tasks done' "$jf"
scancel --signal=TERM --full "$jf"    # to the batch shell and srun too
check "batch: the sweep is running (a task done)" wait_log "$W/batch-$jb.out" 'tasks done' "$jb"
scancel --batch --signal=USR1 "$jb"   # to the batch shell only, as --signal=B:USR1@T does
stopped step "$jt" "scancel --signal=TERM"
check "scancel --signal=TERM: some tasks were left to do" test "$(n_tasks "$W/step/slow.h5")" -lt 12
stopped full "$jf" "scancel --signal=TERM --full"
check "scancel --full: the batch script forwarded the signal" grep -q 'got SIGTERM: forwarding' "$W/full-$jf.out"
check "scancel --full: srun did not kill the ranks" bash -c "! grep -q 'forcing job termination' '$W/full-$jf.out'"
stopped batch "$jb" "scancel --batch --signal=USR1"
stopped warn "$jw" "#SBATCH --signal=B:USR1@60 --time=2" long
check "--signal=B:USR1@60: the batch script got the warning" grep -q 'got SIGUSR1' "$W/warn-$jw.out"

# a long `zoneplace run` (run.sbatch, 10^6 rounds per start in 100-round epochs, a checkpoint
# after each) stopped by scancel --signal=TERM --full once its first checkpoint is written: the
# ranks save the best placement so far, marked incomplete
jrs=$(CONFIG=inputs/thesis/case2.json OUTDIR=$W/runstop \
      ZP_ARGS="--iterations 1000000 --epochs 10000 --checkpoint-every 0" \
      submit runstop --nodes=1 --ntasks-per-node=2 jobs/run.sbatch)
check "run: the run is running (a checkpoint written)" wait_log "$W/runstop-$jrs.out" 'checkpoint 1:' "$jrs"
scancel --signal=TERM --full "$jrs"
expect_eq "run, scancel --signal=TERM --full: the job ends with exit code 5" "$(wait_job "$jrs")" "1 FAILED 5:0"
# the batch script forwards the signal twice (scancel to the steps: SIGTERM; srun: SIGUSR1), so
# the ranks name whichever arrived first
check "run: the log says the best placement so far is saved" \
    grep -Eq 'stopped by SIG(TERM|USR1): the best placement found so far is saved' "$W/runstop-$jrs.out"
expect_eq "run: a valid file marked incomplete, one task" "$("$PY" -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    print(int(f.attrs['complete']), len(f['tasks']), len(f['placements'][0]))" \
    "$W/runstop/run-$jrs.h5" 2>&1)" "0 1 200"

jt2=$(pre step --nodes=1 --ntasks-per-node=2)
expect_eq "submitted again: resumes and completes" "$(wait_job "$jt2")" "1 COMPLETED 0:0"
check "the second job resumed" grep -q 'exists: resuming it' "$W/step-$jt2.out"
expect_eq "all 12 tasks in the file" "$(h5_tasks "$W/step/slow.h5")" \
    "0:4 1:4 2:4 3:4 4:4 5:4 6:8 7:8 8:8 9:8 10:8 11:8"

stop_slurm
trap - EXIT
check "Slurm daemons stopped" bash -c '! jobs/slurm-local.sh status | grep -q ": running"'
check "the cluster's namespaces and links are gone" \
    bash -c "! ip -o link 2>/dev/null | grep -q '$SLURM_LOCAL_PREFIX' && ! ip netns list 2>/dev/null | grep -q '$SLURM_LOCAL_PREFIX'"
finish
