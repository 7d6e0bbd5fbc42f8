/* dcoarsen.h - the coarsening of the distributed engine (dengine.h): size-constrained
 * label-propagation clustering in synchronous sub-rounds (as in KaMinPar / dKaMinPar), then
 * contraction of the clusters into a coarser distributed graph, level after level. Collective
 * over the task's ranks; the levels are the same on any number of ranks (docs/scaling.md
 * steps 2-3). */
#ifndef ZP_DCOARSEN_H
#define ZP_DCOARSEN_H

#include "dengine_ctx.h"

/* Coarsens lv[0].g (g0, set here) until about max(2000, 100 k) vertices or until clustering
 * stalls; *nlev gets the number of levels, lv[1..] their graphs and lv[..].cmap the maps down.
 * With lv[0].zone set (a V-cycle after the first, number cycle), clusters stay inside those
 * zones and every coarser level gets the zones of its vertices in lv[l].zone. */
int dcoarsen(dctx *c, const zp_dgraph *g0, int cycle, dlevel *lv, int *nlev);

#endif
