#!/usr/bin/env bash
# The job scripts of jobs/ under a real single-node Slurm (Debian's slurm-wlm and munge, started
# here by jobs/slurm-local.sh as background processes with their own config, state and munge
# socket under $ZP_TMP/slurm, on free ports, and stopped by PID on exit, also on failure):
#   - jobs/run.sbatch: one 2-rank run of thesis case 1;
#   - jobs/sweep_zones.sbatch as a 3-task array over zone counts and as a 2-task array over
#     slices of inputs/sweeps/case1_small.json: every array task writes its file, and the parts
#     of both arrays merge (postproc/sweep_plots.py) into the same 6 tasks with equal results;
#   - jobs/multinode.sbatch on the one node: the whole sweep in one file, equal results again;
#   - preemption: scancel --signal=TERM to a running sweep ends it with exit code 5 and a valid
#     file; submitting it again resumes it to all 12 tasks.
# The whole Slurm part (start, jobs, checks, stop) must take under two minutes.
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
for cmd in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel sinfo srun; do
    if ! command -v "$cmd" >/dev/null; then
        not_ok "Slurm: $cmd not found (apt-get install slurm-wlm munge; make test installs them)"
        finish; exit
    fi
done

t0=$SECONDS
JOB_TIMEOUT=${ZP_SLURM_JOB_TIMEOUT:-90}   # seconds a job may take, queueing included
W=$ZP_TMP/slurm
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
if [ ${#W} -gt 60 ]; then   # keep the munge socket path short (Unix socket limit)
    W=$(mktemp -d /tmp/zp-slurm.XXXXXX)
fi
chmod 755 "$W"   # munged needs o+x on every folder above its socket (mktemp -d makes 0700)
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
export SLURM_LOCAL_ROOT=$W/daemons SLURM_LOCAL_PARTITION=zptest
SLURM_LOCAL_CTLD_PORT=$(free_port) && SLURM_LOCAL_SLURMD_PORT=$(free_port "$SLURM_LOCAL_CTLD_PORT")
export SLURM_LOCAL_CTLD_PORT SLURM_LOCAL_SLURMD_PORT SLURM_CONF=$SLURM_LOCAL_ROOT/slurm.conf
stop_slurm() { jobs/slurm-local.sh stop >>"$W/slurm-local.log" 2>&1; }
trap stop_slurm EXIT
trap 'exit 143' TERM   # a killed test still stops the daemons (through the EXIT trap)
trap 'exit 130' INT
if ! jobs/slurm-local.sh start >"$W/slurm-local.log" 2>&1; then
    cat "$W/slurm-local.log"
    not_ok "Slurm started (munged, slurmctld, slurmd)"
    finish; exit
fi
ok "Slurm started in $((SECONDS - t0)) s (ports $SLURM_LOCAL_CTLD_PORT/$SLURM_LOCAL_SLURMD_PORT, partition zptest)"

# submit NAME [sbatch options] SCRIPT: prints the job id; the job's log is $W/NAME-%j.out
# (arrays: NAME-%A_%a.out). The jobs use this build (ZP_BIN) and run from the repository root.
submit() {
    local name=$1; shift
    local log="$W/$name-%j.out"
    case " $* " in *" --array="*) log="$W/$name-%A_%a.out" ;; esac
    ZP_BIN=$ZP_BIN_ABS sbatch --parsable --partition=zptest --time=00:05:00 --chdir="$ZP_ROOT" \
        --output="$log" "$@"
}

# wait_job ID: bounded wait until no task of the job is queued or running; prints the states
# ("3 COMPLETED 0:0" for an array) from scontrol (no sacct without slurmdbd).
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

SMALL=inputs/sweeps/case1_small.json   # case 1 in 2, 3, 4 zones x seeds 1, 2: 6 tasks
jr=$(CONFIG=inputs/thesis/case1.json STARTS=4 OUTDIR=$W/run submit run --ntasks=2 jobs/run.sbatch)
ja=$(SWEEP=$SMALL ZONES="2 3 4" OUTDIR=$W/zones submit zones --array=0-2 --ntasks=1 \
     jobs/sweep_zones.sbatch)
js=$(SWEEP=$SMALL MODE=slices OUTDIR=$W/slices submit slices --array=0-1 --ntasks=1 \
     jobs/sweep_zones.sbatch)
jm=$(SWEEP=$SMALL OUTDIR=$W/multi RANKS_PER_TASK=1 submit multi --nodes=1 \
     --ntasks-per-node=2 jobs/multinode.sbatch)
check "sbatch accepted the 4 jobs ($jr $ja $js $jm)" test -n "$jr" -a -n "$ja" -a -n "$js" -a -n "$jm"

expect_eq "run.sbatch: job completed" "$(wait_job "$jr")" "1 COMPLETED 0:0"
expect_eq "sweep_zones.sbatch (zones): 3 array tasks completed" "$(wait_job "$ja")" "3 COMPLETED 0:0"
expect_eq "sweep_zones.sbatch (slices): 2 array tasks completed" "$(wait_job "$js")" "2 COMPLETED 0:0"
expect_eq "multinode.sbatch: job completed" "$(wait_job "$jm")" "1 COMPLETED 0:0"
echo "jobs done at +$((SECONDS - t0)) s"

# ---- outputs --------------------------------------------------------------------------------
h5_tasks() { # FILE: "task:zones ..." of /tasks, or "unreadable"
    "$PY" -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    t = f['tasks'][...]
print(' '.join('%d:%d' % (a, b) for a, b in sorted(zip(t['task'], t['zones']))))" "$1" 2>/dev/null ||
        echo unreadable
}
check "run.sbatch wrote its HDF5 file and summary" test -s "$W/run/run-$jr.h5" -a -s "$W/run/run-$jr.json"
expect_eq "run.sbatch: one task, 4 zones" "$(h5_tasks "$W/run/run-$jr.h5")" "0:4"
expect_eq "run.sbatch: 4 starts on 2 ranks" "$(jq_py "$W/run/run-$jr.json" "d['tasks'][0]['starts']")" 4
for i in 0 1 2; do
    k=$((i + 2))
    check "array task $i wrote its log" grep -q "wrote $W/zones/zones$k.h5" "$W/zones-${ja}_$i.out"
    expect_eq "array task $i (zones $k): its 2 tasks" "$(h5_tasks "$W/zones/zones$k.h5")" \
        "$((2 * i)):$k $((2 * i + 1)):$k"
done
expect_eq "slices array task 0: tasks 0, 2, 4" "$(h5_tasks "$W/slices/slice0of2.h5")" "0:2 2:3 4:4"
expect_eq "slices array task 1: tasks 1, 3, 5" "$(h5_tasks "$W/slices/slice1of2.h5")" "1:2 3:3 5:4"
expect_eq "multinode.sbatch: the whole sweep in one file" "$(h5_tasks "$W/multi/case1_small.h5")" \
    "0:2 1:2 2:3 3:3 4:4 5:4"
check "no .partial files left" bash -c "! ls '$W'/*/*.partial 2>/dev/null | grep -q ."

# merged parts: sweep_plots reads all files of an array; the three ways give the same results
merged() { # OUT.csv FILES...: the merged table without the timing and file columns
    local csv=$1; shift
    "$PY" postproc/sweep_plots.py "$@" --no-plots --csv "$csv" >/dev/null &&
        "$PY" -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keep = ['task', 'instance', 'zones', 'seed', 'traffic', 'external_deps', 'lb_pct', 'best_start']
print(len(rows), [[r[k] for k in keep] for r in rows])" "$csv"
}
m_zones=$(merged "$W/zones.csv" "$W"/zones/zones*.h5)
m_slices=$(merged "$W/slices.csv" "$W"/slices/slice*.h5)
m_multi=$(merged "$W/multi.csv" "$W/multi/case1_small.h5")
expect_eq "merged zone-count array: 6 tasks" "${m_zones%% *}" 6
expect_eq "slices array merges to the same results" "$m_slices" "$m_zones"
expect_eq "multinode job has the same results" "$m_multi" "$m_zones"
"$PY" postproc/sweep_plots.py "$W"/zones/zones*.h5 --outdir "$W/plots" > "$W/plots.log" 2>&1
check "sweep_plots.py: PNGs from the array's files" test -s "$W/plots/sweep_overview.png" -a \
    -s "$W/plots/sweep_traffic.png" -a -s "$W/plots/sweep_lb_pct.png"

# ---- preemption: SIGTERM from Slurm, then the same submission resumes --------------------------
cat > "$W/slow.json" <<EOF
{"name": "slow", "instances": ["$ZP_ROOT/inputs/thesis/case2.json"], "zones": [2, 4, 8, 16],
 "seeds": [1, 2, 3], "starts": 2, "search": {"iterations": 400}}
EOF
pre() { SWEEP=$W/slow.json OUTDIR=$W/pre RANKS_PER_TASK=1 submit pre --nodes=1 --ntasks-per-node=2 \
        jobs/multinode.sbatch; }
jp=$(pre)
deadline=$((SECONDS + JOB_TIMEOUT))
until grep -q 'tasks done' "$W/pre-$jp.out" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.2; done
scancel --signal=TERM "$jp"   # to the job's steps, as Slurm does before a time limit
expect_eq "scancel --signal=TERM: job ends with exit code 5" "$(wait_job "$jp")" "1 FAILED 5:0"
check "the job's log says how to go on" grep -q 'stopped by a signal' "$W/pre-$jp.out"
part=$(h5_tasks "$W/pre/slow.h5")
n_part=$(wc -w <<<"$part")
check "a valid file with the finished tasks ($n_part of 12)" test "$part" != unreadable -a \
    "$n_part" -gt 0 -a "$n_part" -lt 12
jp2=$(pre)
expect_eq "submitted again: resumes and completes" "$(wait_job "$jp2")" "1 COMPLETED 0:0"
check "the second job resumed" grep -q 'exists: resuming it' "$W/pre-$jp2.out"
expect_eq "all 12 tasks in the file" "$("$PY" -c "
import h5py; t = h5py.File('$W/pre/slow.h5', 'r')['tasks']['task']; print(sorted(t) == list(range(12)))")" True

elapsed=$((SECONDS - t0))
stop_slurm
trap - EXIT
check "Slurm daemons stopped" bash -c '! jobs/slurm-local.sh status | grep -q ": running"'
elapsed=$((SECONDS - t0))
echo "Slurm part: $elapsed s (start, 7 jobs, checks, stop)"
expect_le "Slurm part under two minutes" "$elapsed" 120
finish
