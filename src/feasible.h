/* feasible.h - whether the balance band can be met at all: every zone must end with lo..hi apps
 * (problem_band), no more than its slots, and every app in a zone it fits by itself (io,
 * allowed zones, per-app demands: app_fits_zone). A config that makes this impossible used to
 * run to a placement outside the band; it is now refused before any search.
 *
 * What the check proves: apps with the same set of possible zones form one type; a placement
 * within the band exists if and only if the flow network
 *     type t --(count of t)--> zones it fits --(between lo and min(hi, slots))--> sink
 * has a flow that saturates every type, which max-flow with lower bounds decides exactly
 * (flows of integral capacities are integral, so the flow is a placement). It is exact for
 * apps of weight 1 (every input problem); cumulative capacities (sums of demands per zone) are
 * not part of it (that question is NP-hard; config.c checks their totals). Plain C, no MPI. */
#ifndef ZP_FEASIBLE_H
#define ZP_FEASIBLE_H

#include <stddef.h>

#include "problem.h"

/* ZP_OK when the band can be met, ZP_EINPUT with why (one sentence, no file name) written into
 * why[size] when it cannot; ZP_ERUNTIME when out of memory. Time O(n nres + k) when every app
 * fits every zone (the common case), else O(n (k + C nres)) to find the types (C: distinct
 * zone capacities) and a max-flow over types + zones. */
int feasible_band(const zp_problem *p, char *why, size_t size);

#endif
