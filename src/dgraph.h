/* dgraph.h - a graph distributed over the ranks of a communicator by vertex ranges, with ghost
 * vertices (the distributed engine's data structure, see docs/scaling.md).
 *
 * Rank r owns the global vertices vtxdist[r] .. vtxdist[r+1]-1 as local vertices 0 .. nl-1;
 * the non-owned endpoints of its edges are ghosts, local nl .. nl+ng-1 in ascending global id
 * (so grouped by owner). Edge weights are integers (fixed point, see dgraph_weight_scale), so
 * every sum the engine forms is exact and the same in any order, hence on any number of ranks. */
#ifndef ZP_DGRAPH_H
#define ZP_DGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "dcomm.h"
#include "problem.h"

typedef struct {
    int64_t n;          /* global vertices */
    int64_t *vtxdist;   /* [size+1] */
    int64_t first;      /* vtxdist[rank] */
    int nl, ng;         /* owned vertices, ghosts */
    int64_t *xadj;      /* [nl+1] */
    int *adj;           /* [xadj[nl]] local index of the neighbour */
    int64_t *wgt;       /* [xadj[nl]] fixed-point weight */
    int *vwgt;          /* [nl] apps a vertex stands for */
    int64_t *ghost_gid; /* [ng] ascending */
    int64_t *ghost_from; /* [size+1] ghosts of rank r: ghost_from[r] .. ghost_from[r+1]-1 */
    int64_t *send_from; /* [size+1] */
    int *send_idx;      /* [send_from[size]] owned vertices that rank r holds as ghosts */
    int size;
} zp_dgraph;

/* Fixed-point scale of edge weights: 1 when every weight of p is a whole number, else 1024. */
int64_t dgraph_weight_scale(const zp_problem *p);

/* Rank's slice of a problem every rank holds: vertex ranges balanced by vertices + edges. */
int dgraph_from_problem(const zp_problem *p, int64_t scale, zp_dcomm *dc, zp_dgraph **out);

/* Builds a dgraph from owned vertices given with global neighbour ids (adj_gid, freed here)
 * and the vertex distribution vtxdist (taken over): ghosts, local ids and the exchange plan. */
int dgraph_assemble(zp_dcomm *dc, int64_t *vtxdist, int nl, int64_t *xadj, int64_t *adj_gid,
                    int64_t *wgt, int *vwgt, zp_dgraph **out);

void dgraph_destroy(zp_dgraph **g);

/* Global id of local vertex v of g (owned, v < nl, or a ghost). Inline: the refinement's
 * filter and the coarsest level's gather ask it per adjacency entry. */
static inline int64_t dgraph_gid(const zp_dgraph *g, int v)
{
    return v < g->nl ? g->first + v : g->ghost_gid[v - g->nl];
}

/* Rank that owns global vertex gid under vtxdist (size ranks). */
int dgraph_owner(const int64_t *vtxdist, int size, int64_t gid);

/* Collective: the ghost entries of vals ([nl+ng] entries of elem bytes) get their owners'
 * values. */
int dgraph_exchange(const zp_dgraph *g, zp_dcomm *dc, void *vals, size_t elem);

/* Collective: out[i] = owner_vals[ids[i] - vtxdist[owner]] on the rank owning ids[i]
 * (owner_vals: this rank's values of its owned vertices under vtxdist). out may be ids. */
int dgraph_fetch(zp_dcomm *dc, const int64_t *vtxdist, const int64_t *ids, int64_t count,
                 const int64_t *owner_vals, int64_t *out);

/* Sorts a[0..n) ascending; index of key in such an array, or -1. */
void dgraph_sort_i64(int64_t *a, int64_t n);
int64_t dgraph_find_i64(const int64_t *a, int64_t n, int64_t key);

/* Collective personalised exchange of byte records: scount[r] bytes of send (rank after rank)
 * to rank r; *recv (allocated, caller frees) gets what arrives, *rtotal its size. */
int dgraph_sendrecv(zp_dcomm *dc, const void *send, const int64_t *scount, void **recv,
                    int64_t *rcount, int64_t *rtotal);

#endif
