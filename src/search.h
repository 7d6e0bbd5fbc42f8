/* search.h - local search on a placement: k-way Fiduccia-Mattheyses refinement and iterated
 * local search (perturbation + refinement) on top.
 *
 * FM pass: every app with a better zone among its neighbours' (or its current zone) sits in the
 * gain heap of its zone, keyed by its best gain. The pass repeatedly makes the best allowed move,
 * locks the app, and updates its neighbours' gains in O(degree). A move may push one zone one app
 * past the balance band; while a zone is over, the next move must leave that zone, so moves form
 * chains that end in a zone with room (ejection chains). The pass then rolls back to the best
 * state it saw, comparing (apps outside the band, objective) lexicographically: from a balanced
 * start it never returns an unbalanced placement, and from an unbalanced one it repairs balance
 * first. Zone limits (fit, io, slots, cumulative capacity) hold for every move.
 *
 * The search works on any zp_problem, including coarse levels with vertex weights. */
#ifndef ZP_SEARCH_H
#define ZP_SEARCH_H

#include <stdint.h>

#include "cost.h"
#include "rng.h"

typedef struct zp_search zp_search;

/* Called by the iterated search after each round (and at its end) to record a trajectory row:
 * step = rounds done, best = best objective so far. */
typedef void (*zp_search_observer)(void *ctx, const zp_state *st, int64_t step, double best);

typedef struct {
    int64_t rounds;       /* perturbation rounds (0: refinement only) */
    double deadline;      /* zp_now() value to stop at, 0 for none */
    int record_every;     /* observer every this many rounds */
    zp_search_observer observer;
    void *observer_ctx;
} zp_ils_params;

/* Creates a search working on st (not owned). */
int search_create(zp_search **s, zp_state *st);
void search_destroy(zp_search **s);

/* FM passes until a pass no longer improves; returns the number of improving passes or < 0
 * on out-of-memory (ZP_ERUNTIME negated). */
int search_refine(zp_search *s);

/* Iterated local search: refine, then rounds of perturb + refine, keeping the best placement
 * (left in st on return). rng drives every random choice. */
int search_ils(zp_search *s, zp_rng *rng, const zp_ils_params *prm);

/* Applies a random balanced perturbation of the given strength (pairs of swapped apps). */
void search_perturb(zp_search *s, zp_rng *rng, int strength);

/* Number of apps moved by the last search_ils or search_refine calls (for statistics). */
int64_t search_moves(const zp_search *s);

#endif
