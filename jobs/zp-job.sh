# zp-job.sh - the part the job scripts of jobs/ share (sourced, from the repository root):
# starting zoneplace's ranks with srun so that every way Slurm signals a job stops them cleanly,
# the end-of-job messages, the sweep file's zone counts and the merge of an array's parts.
#
# Signals. The ranks of `zoneplace sweep` handle SIGTERM, SIGINT and SIGUSR1: they finish the
# running tasks, write every completed one and exit with status 5; those of `zoneplace run` end
# their search at the next round, write the best placement found so far (complete = 0) and exit
# with status 5. Slurm signals either the job's
# steps (`scancel --signal=SIG`, `#SBATCH --signal=SIG@T`: the ranks get it directly) or the batch
# step (`scancel --full` or `--batch`, `#SBATCH --signal=B:SIG@T`), i.e. the process group of
# the batch script. srun must not get such a signal: srun turns a SIGTERM into SIGKILL of all its
# ranks ("srun: forcing job termination"), and a batch shell without a trap dies of SIGUSR1. So
# zp_srun starts srun in a session of its own (setsid), out of the batch script's process group,
# and traps the signals in the batch shell, which forwards them to the job's steps with
# `scancel --signal=SIG $SLURM_JOB_ID` (steps only, never the batch step) and to srun as SIGUSR1:
# the ranks stop as if Slurm had signalled the step. (Checked on Slurm 22.05 with
# proctrack/linuxproc, which signals the batch step's process group. Should a site's set-up
# signal srun anyway, srun kills the ranks; zp_finish still reports the stop, exit status 5, and
# the file holds what the sweep had committed when it was killed.)
# shellcheck shell=bash

zp_stop_signal=""   # the signal the batch shell received, if any
# Python for the zone counts and the merged table: Debian's (h5py, numpy, matplotlib) if there
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
zp_status=0         # srun's exit status

# zp_forward SIG: a signal to the batch shell reaches every rank, by two ways in case one fails:
# as a step signal (scancel) and as SIGUSR1 through srun, which forwards SIGUSR1 to its ranks
# (never send srun SIGTERM)
zp_forward() {
    zp_stop_signal=$1
    echo "$ZP_TAG: the batch script got SIG$1: forwarding it to the ranks" >&2
    [[ -n ${SLURM_JOB_ID:-} ]] && scancel --signal="$1" "$SLURM_JOB_ID"
    [[ -n ${zp_srun_pid:-} ]] && kill -USR1 "$zp_srun_pid" 2>/dev/null
    return 0
}

# The traps hold from the moment a script sources this file: Slurm may send a --signal=B:...
# warning early (slurmctld checks every 30 s and sends it up to 30 s before it is due), even
# before srun starts; a signal then only marks the job as stopped.
trap 'zp_forward TERM' TERM
trap 'zp_forward USR1' USR1
trap 'zp_forward INT' INT

# zp_srun ARGS...: srun --mpi=pmix ARGS in its own session, signals forwarded; sets zp_status
# (5 without starting srun when a stop signal came first). Debian's Open MPI (4.1) only starts
# under srun with PMIx: --mpi=pmix.
zp_srun() {
    if [[ -n $zp_stop_signal ]]; then
        echo "$ZP_TAG: SIG$zp_stop_signal arrived before the ranks started: not starting them" >&2
        zp_status=5
        return 0
    fi
    # --wait: should setsid have to fork (it does when it runs as a group leader), it still
    # returns srun's status
    setsid --wait srun --mpi=pmix "$@" &
    zp_srun_pid=$!
    # a trapped signal ends `wait` early: wait again until srun has really exited
    while :; do
        if wait "$zp_srun_pid"; then zp_status=0; else zp_status=$?; fi
        kill -0 "$zp_srun_pid" 2>/dev/null || break
    done
    zp_srun_pid=""
}

# zp_finish OUT [run]: the job's message and exit status from zp_status: 0 done; 5 stopped by a
# signal, OUT holds the finished tasks and submitting again resumes (a sweep: also when the ranks
# were killed after the signal, as every finished task is in the file; a run: OUT holds its best
# placement so far, marked incomplete, and submitting again runs it again); else zoneplace's
# status
zp_finish() {
    local out=$1 what=${2:-sweep}
    if ((zp_status == 0)); then
        echo "$ZP_TAG: wrote $out"
        return 0
    fi
    if ((zp_status == 5)) && [[ $what == run ]]; then
        echo "$ZP_TAG: stopped by a signal${zp_stop_signal:+ (SIG$zp_stop_signal)}; $out hold" \
             "the best placement found so far (complete = 0): submit again to run it again"
        return 5
    fi
    if ((zp_status == 5)) || [[ -n $zp_stop_signal && $what == sweep ]]; then
        echo "$ZP_TAG: stopped by a signal${zp_stop_signal:+ (SIG$zp_stop_signal)}; $out holds" \
             "the finished tasks: submit again to resume"
        return 5
    fi
    echo "$ZP_TAG: zoneplace failed with status $zp_status${zp_stop_signal:+ after SIG$zp_stop_signal}" >&2
    return "$zp_status"
}

# zp_sweep_zones SWEEP: the zone counts of a sweep file, in its order (empty if it has none)
zp_sweep_zones() {
    "$PYTHON" -c '
import json, sys
z = json.load(open(sys.argv[1])).get("zones")
print(" ".join(str(k) for k in (z if isinstance(z, list) else [] if z is None else [z])))' "$1"
}

# zp_merge_parts MERGED PART.h5...: when every part's summary says complete, merge the parts into
# one file (the array's last element to finish does it; a lock keeps two from writing at once):
# MERGED.h5 with `zoneplace merge`, the file one job running the whole sweep would have written
# (docs/hdf5.md; parts of different sweeps or options are refused, status 3, naming what
# differs), or with a zoneplace built without HDF5 (merge exits 2) the merged task table
# MERGED.csv (postproc/sweep_plots.py).
zp_merge_parts() {
    local merged=$1 part; shift
    for part in "$@"; do
        grep -q '"complete":[[:space:]]*true' "${part%.h5}.json" 2>/dev/null || {
            echo "$ZP_TAG: $part is not complete yet: the last element to finish merges the parts"
            return 0
        }
    done
    (
        flock 9
        local st=0
        rm -f "$merged.h5"   # an earlier merge (a rerun element merges again)
        srun --mpi=pmix --ntasks=1 --nodes=1 "$ZP_BIN" merge "$@" --out "$merged.h5" || st=$?
        if ((st == 0)); then
            echo "$ZP_TAG: merged $# parts into $merged.h5"
        elif ((st == 2)) &&
            "$PYTHON" postproc/sweep_plots.py "$@" --no-plots --csv "$merged.csv" >/dev/null; then
            echo "$ZP_TAG: merged the tasks of $# parts into $merged.csv (status 2: this" \
                 "zoneplace cannot merge HDF5 files)"
        else
            echo "$ZP_TAG: merging the parts failed (status $st)" >&2
        fi
    ) 9>"$(dirname "$merged")/.merge.lock"
}
