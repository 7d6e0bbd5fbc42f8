/* sweep.h - the `zoneplace sweep` command: a sweep file (sweepfile.h) expands to tasks that
 * groups of ranks run, all written to one HDF5 file and/or one summary JSON.
 *
 * Groups: the world is split (par_split) into G = ranks / R groups of R ranks
 * (--ranks-per-task R; the last group takes the remainder). The tasks run in rounds: sorted by
 * estimated cost, every round gives each group its next task (sweep_schedule), then all ranks
 * agree on whether to stop. A task's result depends only on its id and parameters, never on
 * its group, R or the number of ranks.
 *
 * Preemption: SIGTERM (what Slurm sends before it kills a job) or SIGINT sets a flag that all
 * ranks agree on between rounds: the tasks running then are finished, every completed task
 * is written, the files are closed validly and the command exits with ZP_ESTOPPED (5).
 * `--resume PREV` skips the tasks PREV holds and adds the others to it. */
#ifndef ZP_SWEEP_H
#define ZP_SWEEP_H

#include "par.h"
#include "stopsig.h" /* ZP_ESTOPPED */

/* Entry point of `zoneplace sweep ...` (argv[1] == "sweep"). Collective over world. Returns a
 * ZP_* status (or ZP_ESTOPPED) with the message recorded by zp_fail. */
int sweep_main(int argc, char **argv, zp_comm *world);

#endif
