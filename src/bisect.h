/* bisect.h - placements of the coarsest level of the multilevel engine (multilevel.h) by
 * recursive bisection: the zones are split in two halves, the vertices in proportion to them,
 * and each side again.
 *
 * bisect_grow grows each side greedily from a seed (breadth-first by connection, within the
 * zones' limits); it handles zones that differ and apps already placed. bisect_multilevel makes
 * each split a two-zone multilevel placement of the induced subgraph (multilevel_place), as
 * METIS does it; it applies only where every app fits every zone and zones have no limits
 * (bisect_multilevel_applies). Every random choice comes from rng. */
#ifndef ZP_BISECT_H
#define ZP_BISECT_H

#include "problem.h"
#include "rng.h"

/* x: [n] the placement of every vertex of p. */
int bisect_grow(const zp_problem *p, int *x, zp_rng *rng);

/* Whether bisect_multilevel applies to p, starting from x (no vertex placed yet). */
int bisect_multilevel_applies(const zp_problem *p, const int *x);
int bisect_multilevel(const zp_problem *p, int *x, zp_rng *rng);

#endif
