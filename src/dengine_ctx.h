/* dengine_ctx.h - the state the distributed engine's files share for one placement: dengine.c
 * (the coarsest level, the driver), dcoarsen.c (clustering, contraction), drefine.c
 * (refinement and rebalancing of a level) and dband.c (the band refinement at the end).
 * Internal to the engine: only those files include it. */
#ifndef ZP_DENGINE_CTX_H
#define ZP_DENGINE_CTX_H

#include <stdint.h>

#include "dengine.h"

typedef struct {
    zp_dcomm *dc;
    zp_exchange *ex;
    const zp_problem *zones;
    const zp_dengine_params *prm;
    int k;
    int64_t limit;       /* most apps per zone (the band's top) */
    int64_t lo;          /* fewest apps per zone (the band's bottom) */
    int64_t total;       /* apps */
    int64_t scale;
    int64_t *conn;       /* [k] scratch: connection of a vertex to each zone */
    int *touched;        /* [k] zones with conn != 0 */
    zp_dengine_stats *stats;
} dctx;

/* One level of the hierarchy. */
typedef struct {
    zp_dgraph *g;  /* level > 0: owned */
    int64_t *cmap; /* [nl] global id of the coarse vertex, NULL at the coarsest */
    int *zone;     /* a V-cycle: [nl+ng] the zones of the level's vertices (level > 0: owned) */
} dlevel;

/* A neighbour's id and the edge's weight; dengine_cmp_nbr orders them by id (qsort). */
typedef struct {
    int64_t v, w;
} dnbr;
int dengine_cmp_nbr(const void *a, const void *b);

/* A problem of n vertices with the zones of c->zones (every field the engine reads), for the
 * levels gathered on every rank (the coarsest level, the band). */
int dengine_zone_problem(const dctx *c, int n, zp_problem **out);

#endif
