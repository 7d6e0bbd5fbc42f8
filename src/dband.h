/* dband.h - band refinement of the distributed engine's final placement (dband.c): the
 * vertices within a few hops of the cut (the band graph of Scotch), with the rest of each zone
 * contracted into one fixed anchor vertex, gathered on every rank and refined there by the
 * shared engine's FM search (search.h); the same band, search and seed on every rank, so the
 * placement stays byte-identical on any number of ranks. Jet, label propagation's refinement,
 * cannot straighten the ragged borders a coarse placement of a mesh leaves; FM can
 * (docs/scaling.md step 7). Internal to the engine (dengine_ctx.h). */
#ifndef ZP_DBAND_H
#define ZP_DBAND_H

#include "dengine_ctx.h"

/* Collective: refines blk ([nl + ng] of g, the input graph) on its band when the band is small
 * enough to replicate (dband.c), with the random stream of V-cycle `cycle`; *applied = 1 if it
 * ran. The placement never gets worse: the search keeps its best. */
int dband_refine(dctx *c, const zp_dgraph *g, int *blk, int cycle, int *applied);

#endif
