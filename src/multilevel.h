/* multilevel.h - multilevel placement for large dependency graphs (what METIS and KaHIP do,
 * under zoneplace's model: capacities per resource, io, allowed zones, current zones and
 * migration cost, the balance band of problem_band()).
 *
 * Coarsening: heavy-edge matching in random order with the rating w^2 / (c_u c_v), plus
 * two-hop matching of the unmatched leaves of a common hub (power-law graphs have many), until
 * about coarsen_to = max(30 k, min(n / (20 log2 k), 60 k)) vertices or until it stalls.
 * Coarsest level: recursive multilevel bisection (each split a two-zone multilevel placement
 * of the induced subgraph, targets in proportion to the zones on each side, as METIS does it),
 * or, when zones differ or apps are pre-placed, recursive greedy graph growing (bisect.h);
 * several tries, each refined by FM and iterated local search (search.h), the best kept and
 * searched more.
 * Uncoarsening: projection, then FM passes and rounds of iterated search at every level (fewer
 * on dense levels, none on level 0: the pipeline's search phase does that).
 * Starts and V-cycles: several independent first cycles for small graphs (2e6 / (n + m), 1 to
 * 16, times (16 / k)^1.5 above 16 zones), the best kept; then V-cycles that coarsen again only inside
 * the zones of the current placement (so the coarsest level starts from it) and refine back up;
 * a cycle that comes back worse is dropped.
 *
 * Coarse vertices stand for the apps merged into them: vertex weight (p->vwgt) = number of
 * apps, so the balance band is the same at every level (coarse levels widen it by about half
 * their heaviest vertex); migration size summed; demands kept per the capacity mode (per_app:
 * the largest per resource, since each app must fit on its own; cumulative: the sum); io = or.
 * Only apps that fit exactly the same zones (io, allowed zones, per-app demands), run in the
 * same current zone (-1 counts as one value) and sit in the same zone of the placement being
 * refined are merged, so a coarse placement projects to a fine one with the same zone loads and
 * no new violations. A coarse vertex holds at most 1.5 n / coarsen_to apps and, in cumulative
 * mode, a small share of a zone's capacity.
 * Dependencies merge by summing weights and listed multiplicities (where the level has them:
 * the engines' internal problems have none, see problem.h), so external_deps and cut
 * weight of a projected placement equal those of the coarse one, and its traffic differs by the
 * traffic of the merged (internal) dependencies: a constant when D's diagonal is uniform (the
 * fat tree), otherwise the coarse levels approximate it and level 0 is exact.
 *
 * Memory is O(n + m) per level and the levels shrink geometrically; every step is near linear.
 * Every random choice comes from the rng passed in (deterministic for a given stream, so the
 * same on any number of ranks when the stream is). */
#ifndef ZP_MULTILEVEL_H
#define ZP_MULTILEVEL_H

#include <stdint.h>

#include "cost.h"
#include "problem.h"
#include "rng.h"

#define ZP_ML_MAX_LEVELS 64
/* An iterated-search round costs about the square of the mean degree: levels of at least
 * ZP_ML_DENSE_EDGES adjacency entries get fewer rounds, by ZP_ML_DENSE_DEGREE / mean degree
 * (712a5ef). */
#define ZP_ML_DENSE_EDGES 400000
#define ZP_ML_DENSE_DEGREE 16

/* What an observer row is about. */
enum {
    ZP_ML_COARSEN = 0, /* a coarse level was built (st: the placement on it, or NULL) */
    ZP_ML_INITIAL = 1, /* the coarsest level was placed */
    ZP_ML_REFINE = 2   /* a level was refined on the way back up (level 0: the input graph) */
};

/* Called after each step: level (0 = input graph), cycle (0 = first V-cycle; the independent
 * starts come first, then the V-cycles from the best), n of that level, st = the placement on
 * that level (NULL while coarsening). A coarse level has no edges for the dependencies merged
 * inside its vertices: traffic_offset is their traffic under st, so st->traffic +
 * traffic_offset is the traffic of the projected placement (external deps and cut weight need
 * no correction). */
typedef void (*zp_ml_observer)(void *ctx, int what, int level, int cycle, int n,
                               const zp_state *st, double traffic_offset);

typedef struct {
    int coarsen_to;        /* stop coarsening at about this many vertices (0: automatic) */
    int initial_tries;     /* placements tried on the coarsest level (0: automatic) */
    int starts;            /* independent first V-cycles, the best kept (0: automatic) */
    int vcycles;           /* V-cycles from the best start, that start included (0: automatic) */
    int64_t coarse_rounds; /* iterated-search rounds on the coarsest level (0: automatic, <0 none) */
    double effort;         /* scales the automatic starts and rounds of iterated search per
                            * level (0: 1) */
    double deadline;       /* zp_now() value after which only the cheapest steps run, 0: none */
    int (*stop_requested)(void); /* non-zero: as if the deadline had passed (a stop signal);
                                    NULL: never */
    zp_ml_observer observer;
    void *observer_ctx;
} zp_ml_params;

typedef struct {
    int levels;                         /* levels of the first cycle, input graph included */
    int cycles;                         /* V-cycles run */
    int level_n[ZP_ML_MAX_LEVELS];      /* vertices per level (first cycle) */
    int64_t level_m[ZP_ML_MAX_LEVELS];  /* undirected edges per level (first cycle) */
    double t_coarsen, t_initial, t_refine; /* seconds spent in each step, all cycles */
} zp_ml_stats;

/* Default parameters (every field automatic). */
void multilevel_defaults(zp_ml_params *prm);

/* ZP_ML_DENSE_DEGREE / the mean degree of p, at most 1: the share of the search rounds a dense
 * level gets. */
double multilevel_degree_share(const zp_problem *p);

/* Places p into x. On entry x[u] >= 0 fixes where app u starts (e.g. its current zone: such
 * apps are only merged with apps of the same start zone and start there on the coarsest level;
 * the refinement may move them, at their migration cost); x[u] < 0 is free. On return every
 * x[u] is a zone; the placement keeps the zone limits whenever the greedy placement of the
 * coarsest level found room, and is within the balance band whenever the refinement could reach
 * it. stats may be NULL. */
int multilevel_place(const zp_problem *p, int *x, zp_rng *rng, const zp_ml_params *prm,
                     zp_ml_stats *stats);

/* One coarsening step (exposed for the tests): matches the vertices of fine whose group values
 * are equal (group may be NULL) into coarse with at most max_vwgt apps per vertex; cmap[u] is
 * the coarse vertex of u (allocated, owned by the caller). */
int multilevel_coarsen(const zp_problem *fine, const int *group, int64_t max_vwgt, zp_rng *rng,
                       zp_problem **coarse, int **cmap);

#endif
