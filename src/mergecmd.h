/* mergecmd.h - `zoneplace merge`: the HDF5 outputs of the parts of one sweep (job-array
 * elements run with --slice or --zones, resumed runs) into the file one job running the whole
 * sweep writes (docs/hdf5.md, "Merging the parts of a sweep"):
 *
 *   zoneplace merge PART.h5... --out ALL.h5 [--force] [--quiet]
 *
 * The parts must record the same sweep digest (version, sweep file, every task's options, every
 * instance's content); a task in two parts must have the same results there. A refusal is one
 * line and status 3 (4 for a file that cannot be read), and leaves no output. The file is
 * written through the output layer (h5out.h: temporary name, then rename). Every rank reads
 * the parts and takes the same decisions; rank 0 holds the rows written. */
#ifndef ZP_MERGECMD_H
#define ZP_MERGECMD_H

#include "par.h"

/* Runs the command; argv[1] is "merge". ZP_OK or the error code (message set). */
int merge_main(int argc, char **argv, zp_comm *world);

#endif
