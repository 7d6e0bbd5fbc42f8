/* problem.h - the model: apps, zones, resources, the dependency graph in CSR, the zone distance
 * matrix and the objective's parameters. Plain C, no MPI or HDF5.
 *
 * Lifecycle: problem_create() gives an empty problem; a loader (config.c, graphio.c, csvin.c)
 * sizes its apps and zones with problem_alloc_apps() and problem_alloc_zones(), fills their
 * arrays, builds the graph with problem_set_dependencies() and D with topology_*();
 * problem_destroy() releases everything and clears the caller's pointer. */
#ifndef ZP_PROBLEM_H
#define ZP_PROBLEM_H

#include <stdint.h>

enum { ZP_PER_APP = 0, ZP_CUMULATIVE = 1 };

#define ZP_UNLIMITED_SLOTS INT32_MAX

typedef struct zp_problem {
    char *source; /* file the problem came from, for messages */
    char *name;

    int nres;
    char **res_names; /* [nres] */
    int capacity_mode; /* ZP_PER_APP (thesis) or ZP_CUMULATIVE (sum of demands <= capacity) */

    /* apps */
    int n;
    char **app_names;        /* [n] */
    double *demand;          /* [n * nres] */
    unsigned char *needs_io; /* [n] */
    double *size;            /* [n] migration size, default 1 */
    int *current;            /* [n] zone the app runs in now (-1: new app); NULL if none has one */
    int64_t *allowed_xadj;   /* [n+1] allowed zones per app in CSR; NULL: every zone allowed */
    int *allowed;            /* [allowed_xadj[n]] */
    int *vwgt;               /* [n] apps a vertex stands for (coarse levels); NULL: all 1 */

    /* zones */
    int k;
    char **zone_names;     /* [k] */
    double *capacity;      /* [k * nres], INFINITY where unlimited */
    int *slots;            /* [k], ZP_UNLIMITED_SLOTS where unlimited */
    unsigned char *zone_io; /* [k] */
    double *dist;          /* [k * k] cost of one request between zones: D of docs/design.md
                              section 2 */

    /* dependencies: undirected CSR, merged duplicates, both directions stored */
    int64_t *xadj;  /* [n+1] */
    int *adjncy;    /* [xadj[n]] */
    double *adjwgt; /* [xadj[n]] requests per time unit, summed over merged listings */
    int *adjmult;   /* [xadj[n]] how many listed dependencies were merged into the edge; NULL:
                       one each (the engines' internal problems, which count no dependencies) */
    int64_t ndeps;  /* dependencies as listed (mutual pairs count twice) */
    double dep_weight_total;

    /* objective */
    double requests;    /* T: requests per dependency weight unit (thesis "10X": 10) */
    double move_factor; /* m: a move costs m * size * D[from][to] */
    double imbalance;   /* epsilon: max zone load <= (1+eps) * ceil(n/k) */
    int band_no_floor;  /* 1: the band bounds zone loads from above only (lo = 0), as METIS
                         * bounds parts (`run --graph/--services`); 0: also from below */
    double e_in, e_core; /* fat-tree edge costs the distances came from (for the thesis report) */
} zp_problem;

int problem_create(zp_problem **p);
void problem_destroy(zp_problem **p);

/* Allocates the per-app arrays for n apps and nres resources (names are set by the caller). */
int problem_alloc_apps(zp_problem *p, int n);
/* Allocates the per-zone arrays for k zones; capacities unlimited, slots unlimited, io on. */
int problem_alloc_zones(zp_problem *p, int k);
/* A deep copy of src: problem.c is the one place that lists every field, so a new field is
 * added there (problem_destroy, the copies below) and nowhere else. */
int problem_copy(const zp_problem *src, zp_problem **out);
/* src's scalar fields (counts, objective and topology parameters) into dst. */
void problem_copy_scalars(zp_problem *dst, const zp_problem *src);
/* Copies of src's zone arrays (names, capacity, slots, io, D) into dst, which has none. */
int problem_copy_zones(zp_problem *dst, const zp_problem *src);
/* Frees the zones (names, capacity, slots, io, D) and sets k to 0, e.g. before new ones. */
void problem_clear_zones(zp_problem *p);
/* Builds the CSR graph from m listed dependencies (src[i] -> dst[i], weight w[i] >= 0; w may be
 * NULL for unit weights). Ids must be valid and src != dst (loaders check this first, where
 * they can name the file position). Duplicates and mutual pairs merge into one edge. */
int problem_set_dependencies(zp_problem *p, int64_t m, const int *src, const int *dst,
                             const double *w);

/* Total vertex weight (apps) of the problem. */
int64_t problem_total_weight(const zp_problem *p);
static inline int problem_vwgt(const zp_problem *p, int u) { return p->vwgt ? p->vwgt[u] : 1; }
static inline int problem_adjmult(const zp_problem *p, int64_t j)
{
    return p->adjmult ? p->adjmult[j] : 1;
}
static inline double problem_demand(const zp_problem *p, int u, int r)
{
    return p->demand[(int64_t)u * p->nres + r];
}
static inline double problem_capacity(const zp_problem *p, int z, int r)
{
    return p->capacity[(int64_t)z * p->nres + r];
}
static inline double problem_dist(const zp_problem *p, int a, int b)
{
    return p->dist[(int64_t)a * p->k + b];
}

/* The balance band [lo, hi] of apps per zone (n: total balance weight): hi = floor((1+eps) *
 * ceil(n/k)); lo = 0 with band_no_floor, else with eps = 0 lo = floor(n/k) (every zone within
 * one app of n/k), else lo = ceil((1-eps) * floor(n/k)). */
void problem_band(const zp_problem *p, int64_t *lo, int64_t *hi);

/* Whether app u may be in zone z by its own demands: io, allowed zones and, in per_app mode, its
 * demand within the zone's capacity. Zone-wide limits (slots, cumulative capacity) are not
 * checked here (see cost.h). */
int app_fits_zone(const zp_problem *p, int u, int z);

/* Whether every app fits every zone by its own demands, io and allowed zones (the common case,
 * where per-app fit checks can be skipped). O(n * nres + k * nres). */
int problem_fits_everywhere(const zp_problem *p);

/* Whether zone z has a finite capacity in some resource (whatever the capacity mode). */
int problem_zone_has_finite_capacity(const zp_problem *p, int z);

/* Index of the app or zone named name, or -1. Linear for zones; apps use a hash built lazily. */
int problem_zone_index(const zp_problem *p, const char *name);

/* Checks the CSR graph (symmetric, no self-loops, ids in range, weights >= 0); returns
 * ZP_EINPUT with a message naming the first defect. */
int problem_check_graph(const zp_problem *p);

/* Whether some app has a current zone (an existing placement to migrate from). */
int problem_has_current(const zp_problem *p);

#endif
