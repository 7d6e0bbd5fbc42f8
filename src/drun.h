/* drun.h - a run whose graph no rank holds whole: `zoneplace run --graph FILE --engine dist`.
 * Each rank reads its own byte range of the METIS file (dread.h), the distributed engine
 * (dengine.h) places the slices, and the metrics are added up over the ranks; the placement is
 * gathered on rank 0 only, for the summary and the HDF5 file (h5out_write_dproblem writes each
 * rank's apps and dependencies). No search phase follows the engine: on the problems it
 * handles (docs/scaling.md) the search of the whole graph gained 0.007% at 1M apps for 0.7 s,
 * and it would need the whole graph on every rank.
 *
 * The result is byte-identical on any number of ranks, as the engine's (dengine.h): every sum
 * here is over integers. */
#ifndef ZP_DRUN_H
#define ZP_DRUN_H

#include "dcomm.h"
#include "dgraph.h"
#include "dread.h"
#include "pipeline.h"
#include "problem.h"

typedef struct zp_dproblem {
    /* The zones, band and objective parameters, with n apps and ndeps dependencies counted but
     * no per-app arrays or graph (those are in the slices). After drun_task, rank 0's also holds
     * the apps' balance weights (vwgt) when the file gives vertex weights, for the report. */
    zp_problem *zones;
    zp_dgraph *g;       /* this rank's slice of the graph */
    zp_dread_info info; /* the owned apps' demands and sizes */
} zp_dproblem;

/* Collective over dc: reads path (each rank its part) into *out; the caller gives the zones
 * problem its zones (graphio_uniform_zones). */
int drun_load(const char *path, zp_dcomm *dc, zp_dproblem **out);
void drun_destroy(zp_dproblem **dp);

/* Whether the distributed run handles dp with its zones (dengine_applies on the zones). */
int drun_applies(const zp_dproblem *dp);

/* Collective over spec->ex (and its dc): places dp with the distributed engine and fills res
 * like task_run (one phase, the multilevel placement; res->placement and res->initial on rank
 * 0 only). */
int drun_task(const zp_task_spec *spec, zp_dproblem *dp, zp_task_result *res);

/* The fixed-point scale of the slices' edge weights (METIS weights are integers). */
#define DRUN_WEIGHT_SCALE 1

#endif
