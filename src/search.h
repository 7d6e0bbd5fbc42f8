/* search.h - local search on a placement: k-way Fiduccia-Mattheyses refinement and iterated
 * local search (perturbation + refinement) on top.
 *
 * FM pass: every app with a better zone among its neighbours' (or its current zone) sits in the
 * gain heap of its zone, keyed by its best gain. The pass repeatedly makes the best allowed move,
 * locks the app, and updates its neighbours' gains in O(degree) (apps of high degree keep their
 * connection weight to every zone up to date instead, so a move costs O(degree) overall whatever
 * the degrees of the neighbours). A move may push one zone a little past the balance band; while
 * a zone is over, the next move must leave an overloaded zone, so moves form chains that end in a
 * zone with room (ejection chains). The pass then rolls back to the best state it saw, comparing
 * (apps outside the band, objective) lexicographically: from a balanced start it never returns
 * an unbalanced placement, and from an unbalanced one it repairs balance first. Zone limits
 * (fit, io, slots, cumulative capacity) hold for every move.
 *
 * Every app keeps its connection weight to each zone it has neighbours in (a list of at most
 * min(degree, k) entries, or a row of k for apps of degree >= 2k), updated in O(1) per
 * neighbour move; with the fat-tree D a move only raises its neighbours' keys to an upper bound
 * (lazy evaluation: an app is recounted when it reaches the top of its heap).
 *
 * A global pass starts from every app with a candidate move; the iterated search's rounds use
 * local passes that start from the perturbed apps and their neighbours only, so a round costs
 * about the size of the region it touches, not O(n). A round perturbs 1..min(8, 2 + k/2)
 * times (a swap of two random apps between zones, or a small connected group of apps moved to a
 * neighbouring zone, apps of very high degree left alone), pins the perturbed apps for the first
 * local pass so that it does not simply undo them, and keeps the result when it is as good as
 * the current placement. Problems of up to 5000 apps (the thesis's) get thorough rounds: every
 * neighbour recounted exactly, up to 8 local passes, and a walk that accepts a round one
 * dependency worse with probability 0.1 (the best placement is kept and returned); larger
 * problems lean rounds (2 local passes, no walk).
 *
 * The search works on any zp_problem, including coarse levels with vertex weights. The balance
 * band is the state's (st->lo, st->hi), which a caller may widen (coarse levels do). */
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
    int64_t patience;     /* stop after this many rounds in a row without a better best
                             placement; 0: never */
    int (*stop_requested)(void); /* polled before every round: non-zero ends the search as the
                                    deadline does (zoneplace run's stop signals); NULL: never */
} zp_ils_params;

/* Effort limits of the refinement (search_set_limits); zero fields keep the defaults. */
typedef struct {
    int max_passes;       /* global FM passes per refinement (default 1000: until no gain) */
    int64_t stall_limit;  /* moves without improvement before a global pass stops
                             (default max(64, min(n/20, 4096))) */
    int64_t chain_budget; /* apps a pass may go outside the band beyond its best (default 2) */
    double min_gain;      /* stop when a pass gains less than this fraction of the objective
                             (default 0: any gain continues) */
    int lean;             /* 1: the lean settings of large problems for the iterated search's
                             rounds (short local passes, no walk), whatever the size (default:
                             thorough up to 5000 apps) */
} zp_search_limits;

/* Creates a search working on st (not owned). */
int search_create(zp_search **s, zp_state *st);
void search_destroy(zp_search **s);

/* Sets the refinement's effort limits (zero fields: defaults). */
void search_set_limits(zp_search *s, const zp_search_limits *limits);

/* Tells the search that st was changed by someone else (state_assign, state_move): the public
 * functions below call it themselves on entry, so this is only needed by code that keeps its
 * own copy of nothing. O(n + m) at most. */
void search_sync(zp_search *s);

/* FM passes until a pass no longer improves (or the limits stop it); returns the number of
 * improving passes or < 0 on out-of-memory (ZP_ERUNTIME negated). */
int search_refine(zp_search *s);

/* Iterated local search: refine, then rounds of perturb + local refinement, keeping the best
 * placement (left in st on return). rng drives every random choice. */
int search_ils(zp_search *s, zp_rng *rng, const zp_ils_params *prm);

/* Applies a random perturbation of the given strength: swaps of random pairs of apps between
 * zones (balanced) or moves of small connected groups of apps to a neighbouring zone. */
void search_perturb(zp_search *s, zp_rng *rng, int strength);

/* Number of apps moved by the search so far (for statistics). */
int64_t search_moves(const zp_search *s);

#endif
