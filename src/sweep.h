/* sweep.h - the `zoneplace sweep` command: a sweep file expands to tasks that groups of ranks
 * run, all written to one HDF5 file. */
#ifndef ZP_SWEEP_H
#define ZP_SWEEP_H

#include "par.h"

/* Entry point of `zoneplace sweep ...` (argv[1] == "sweep"). Collective over world. Returns a
 * ZP_* status with the message recorded by zp_fail. */
int sweep_main(int argc, char **argv, zp_comm *world);

#endif
