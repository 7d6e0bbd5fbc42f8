/* drefine.h - refinement of one level of the distributed engine (dengine.h): synchronous
 * Jet iterations (Gilbert, Madduri, Boman, Rajamanickam, "Jet: Multilevel Graph Partitioning
 * on Graphics Processing Units", 2024: every vertex proposes a move from the same state, a
 * filter keeps the moves that still gain if the better-ranked neighbours move first), each
 * followed by rebalancing into the balance band in buckets of loss per app; the best state
 * (fewest apps outside the band, then least cut) is kept. Collective over the task's ranks;
 * every decision depends on global state and global vertex ids only. */
#ifndef ZP_DREFINE_H
#define ZP_DREFINE_H

#include "dengine_ctx.h"
#include "dgraph.h"

/* Refines blk ([nl+ng] zones of g's vertices, ghosts current) in place and leaves the ghosts
 * current; stops after a few iterations without improvement (c->prm->effort scales both). */
int drefine_level(dctx *c, const zp_dgraph *g, int *blk);

/* Collective: twice the cut of blk (fixed point: each edge seen from both ends), over all
 * ranks. */
int drefine_cut2(dctx *c, const zp_dgraph *g, const int *blk, int64_t *cut);

#endif
