/* place.h - initial placements: the thesis's round robin, feasible random, affinity greedy.
 *
 * Each fills x[u] for every app with x[u] < 0 on entry; apps already placed (x[u] >= 0, e.g. the
 * running apps of an arrival scenario) stay where they are. Zone limits (slots, cumulative
 * capacity, io, per-app fit) are respected whenever some zone allows it; an app is never left
 * unplaced. Deterministic given rng (rr ignores it). */
#ifndef ZP_PLACE_H
#define ZP_PLACE_H

#include "problem.h"
#include "rng.h"

/* The thesis's round robin as its program does it: first fit over the zones in listed order,
 * round(n/k) apps per zone. */
int place_rr(const zp_problem *p, int *x);
/* Each app (in random order) to a random zone with room. */
int place_random(const zp_problem *p, int *x, zp_rng *rng);
/* Apps by falling degree, each to the zone with room it is most connected to. */
int place_greedy(const zp_problem *p, int *x);
/* Dispatches on ZP_INIT_RR, ZP_INIT_RANDOM or ZP_INIT_GREEDY (the pipeline resolves auto and
 * runs multilevel_place itself, with its parameters and trajectory). */
int place_initial(const zp_problem *p, int kind, int *x, zp_rng *rng);

/* The kind ZP_INIT_AUTO stands for: rr for problems of at most ZP_AUTO_RR_APPS apps whose
 * zones have limits (a finite slot count or capacity: the thesis's instances, where round
 * robin and the search reach the proven optimum of case 1 and the tables compare with the
 * thesis's own round robin), multilevel otherwise. Measured at 100-5,000 apps (grids, 3-D
 * meshes, microservice and power-law graphs, k = 4 and 32), multilevel then search cut up to
 * 2x less than rr then search from 500 apps on, and at 100 apps within a few % of it. */
int place_auto_kind(const zp_problem *p);

#endif
