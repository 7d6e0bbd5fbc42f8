/* gencmd.h - `zoneplace generate`: the command-line front of the instance generator
 * (generate.h). Writes a METIS .graph file and, on request, the microservice CSV pair, each
 * through a temporary file of its own (outfile.h) and a rename, so that no half-written file
 * ever stands under its name.
 *
 *   zoneplace generate micro --n 10k --m 100k [--seed S] --out G.graph [--csv PREFIX]
 *                            [--vertex-weights]
 *   zoneplace generate grid --rows R --cols C [--diagonals] --out G.graph
 *   zoneplace generate mesh3d --nx X --ny Y --nz Z --out G.graph
 *   common: [--force] [--quiet]
 *
 * Counts accept k and M suffixes (10k = 10000, 1M = 1000000). The same arguments give the same
 * bytes. Serial work: under mpirun only rank 0 generates and writes. */
#ifndef ZP_GENCMD_H
#define ZP_GENCMD_H

/* Runs the command; argv[1] is "generate". ZP_OK or the error code (message set). */
int generate_main(int argc, char **argv, int rank);

#endif
