/* dengine.h - the distributed multilevel engine (--engine dist): the graph split over the ranks
 * of a task by vertex ranges (dgraph.h), size-constrained label-propagation clustering in
 * synchronous sub-rounds, contraction, the coarsest level gathered and placed by the shared
 * multilevel engine from several starts spread over the ranks, then projection and synchronous
 * Jet-style refinement with deterministic rebalancing at every level (docs/scaling.md); on
 * graphs small enough for the budget, further V-cycles coarsen again inside the zones found
 * and refine anew; last, FM on the band around the cut, gathered on every rank (dband.h).
 *
 * Every decision is a function of the previous sub-round's global state, ties and orders are
 * decided by global vertex ids and random numbers are hashes of (seed, level, round, vertex),
 * and all sums are exact (integer weights): the placement is byte-identical on any number of
 * ranks. */
#ifndef ZP_DENGINE_H
#define ZP_DENGINE_H

#include <stdint.h>

#include "dcomm.h"
#include "dgraph.h"
#include "pipeline.h"
#include "problem.h"

typedef struct {
    uint64_t seed, task;
    double effort;   /* scales the starts on the coarsest level, the refinement rounds and
                      * the budget of V-cycles */
    int starts;      /* placements of the coarsest level (0: automatic) */
    int gather_n;    /* coarsen until about this many vertices (0: automatic) */
} zp_dengine_params;

typedef struct {
    int levels;              /* levels of the first V-cycle, input included */
    int64_t level_n[64];     /* vertices per level (first V-cycle) */
    int cycles;              /* V-cycles */
    int bands;               /* cycles that ended with a band refinement (dband.h) */
    double t_coarsen, t_initial, t_refine;
} zp_dengine_stats;

/* Whether the engine handles p: every app fits every zone, no current zones, no finite
 * cumulative capacity, no zone with fewer slots than the balance band allows, distances equal
 * between all pairs of distinct zones (the cut is the objective). */
int dengine_applies(const zp_problem *p);
/* The part of dengine_applies about the zones alone (k >= 2, slots, capacities, distances). */
int dengine_zones_apply(const zp_problem *p);

/* Collective over dc (ex: the same ranks, for the best start): places the distributed graph g,
 * whose zones, band and objective parameters are those of zones (its n: the total weight);
 * blk[i] gets the zone of owned vertex i. */
int dengine_run(const zp_dgraph *g, const zp_problem *zones, int64_t total_weight, int64_t scale,
                zp_dcomm *dc, zp_exchange *ex, const zp_dengine_params *prm, int *blk,
                zp_dengine_stats *stats);

/* Collective: places p (held by every rank) with dengine_run on a slice per rank; every rank
 * gets the whole placement x. */
int dengine_place(const zp_problem *p, int *x, zp_dcomm *dc, zp_exchange *ex,
                  const zp_dengine_params *prm, zp_dengine_stats *stats);

#endif
