/* place.c - initial placements (see place.h). */
#include "place.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "cost.h"
#include "util.h"

/* Whether u can join zone z given the zone limits and a per-zone app quota. */
static int has_room(const zp_state *s, int u, int z, int64_t quota)
{
    return s->count[z] + problem_vwgt(s->p, u) <= quota && state_move_fits(s, u, z);
}

/* Zone of least count among those u may join (ignoring quotas), preferring zones with room;
 * used when the quota leaves an app nowhere to go. */
static int fallback_zone(const zp_state *s, int u)
{
    int best = -1, best_fits = 0;
    for (int z = 0; z < s->p->k; z++) {
        if (!app_fits_zone(s->p, u, z))
            continue;
        int fits = state_move_fits(s, u, z);
        if (best < 0 || fits > best_fits || (fits == best_fits && s->count[z] < s->count[best])) {
            best = z;
            best_fits = fits;
        }
    }
    return best >= 0 ? best : 0;
}

/* A state holding only the apps placed on entry: unplaced apps are parked in zone 0 of a
 * shadow copy and removed from the counts. */
static int partial_state(const zp_problem *p, const int *x, zp_state **out)
{
    int rc = ZP_OK;
    int *tmp = NULL;
    ZP_ALLOC(tmp, p->n);
    for (int u = 0; u < p->n; u++)
        tmp[u] = x[u] >= 0 ? x[u] : 0;
    ZP_CHECK(state_create(out, p, tmp));
    for (int u = 0; u < p->n; u++) {
        if (x[u] >= 0)
            continue;
        (*out)->count[0] -= problem_vwgt(p, u);
        for (int r = 0; r < p->nres; r++)
            (*out)->load[r] -= problem_demand(p, u, r);
    }
out:
    zp_free(tmp);
    return rc;
}

/* Puts unplaced u into zone z, keeping the partial state's counts and loads. */
static void settle(zp_state *s, int *x, int u, int z)
{
    x[u] = z;
    s->count[z] += problem_vwgt(s->p, u);
    for (int r = 0; r < s->p->nres; r++)
        s->load[z * s->p->nres + r] += problem_demand(s->p, u, r);
}

int place_rr(const zp_problem *p, int *x)
{
    int rc = ZP_OK;
    zp_state *s = NULL;
    ZP_CHECK(partial_state(p, x, &s));
    int64_t quota = (int64_t)llround((double)problem_total_weight(p) / p->k);
    for (int u = 0; u < p->n; u++) {
        if (x[u] >= 0)
            continue;
        int z = 0;
        while (z < p->k && !has_room(s, u, z, quota))
            z++;
        settle(s, x, u, z < p->k ? z : fallback_zone(s, u));
    }
out:
    state_destroy(&s);
    return rc;
}

int place_random(const zp_problem *p, int *x, zp_rng *rng)
{
    int rc = ZP_OK;
    zp_state *s = NULL;
    int *order = NULL, *zones = NULL;
    int64_t lo, hi;
    problem_band(p, &lo, &hi);
    ZP_CHECK(partial_state(p, x, &s));
    ZP_ALLOC(order, p->n);
    ZP_ALLOC(zones, p->k);
    for (int u = 0; u < p->n; u++)
        order[u] = u;
    for (int i = p->n - 1; i > 0; i--) {
        int j = (int)rng_below(rng, (uint64_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < p->n; i++) {
        int u = order[i], nz = 0;
        if (x[u] >= 0)
            continue;
        for (int z = 0; z < p->k; z++)
            if (has_room(s, u, z, hi))
                zones[nz++] = z;
        settle(s, x, u, nz ? zones[rng_below(rng, (uint64_t)nz)] : fallback_zone(s, u));
    }
out:
    zp_free(order);
    zp_free(zones);
    state_destroy(&s);
    return rc;
}

static const zp_problem *sort_problem;
static int by_falling_degree(const void *a, const void *b)
{
    int u = *(const int *)a, v = *(const int *)b;
    int64_t du = sort_problem->xadj[u + 1] - sort_problem->xadj[u];
    int64_t dv = sort_problem->xadj[v + 1] - sort_problem->xadj[v];
    return du != dv ? (du < dv) - (du > dv) : (u > v) - (u < v);
}

int place_greedy(const zp_problem *p, int *x)
{
    int rc = ZP_OK;
    zp_state *s = NULL;
    int *order = NULL;
    double *affinity = NULL;
    int64_t lo, hi;
    problem_band(p, &lo, &hi);
    ZP_CHECK(partial_state(p, x, &s));
    ZP_ALLOC(order, p->n);
    ZP_ALLOC(affinity, p->k);
    for (int u = 0; u < p->n; u++)
        order[u] = u;
    sort_problem = p;
    qsort(order, (size_t)p->n, sizeof *order, by_falling_degree);
    for (int i = 0; i < p->n; i++) {
        int u = order[i], best = -1;
        if (x[u] >= 0)
            continue;
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
            if (x[p->adjncy[j]] >= 0)
                affinity[x[p->adjncy[j]]] += p->adjwgt[j];
        for (int z = 0; z < p->k; z++) {
            if (!has_room(s, u, z, hi))
                continue;
            if (best < 0 || affinity[z] > affinity[best] ||
                (affinity[z] == affinity[best] && s->count[z] < s->count[best]))
                best = z;
        }
        memset(affinity, 0, sizeof *affinity * (size_t)p->k);
        settle(s, x, u, best >= 0 ? best : fallback_zone(s, u));
    }
out:
    zp_free(order);
    zp_free(affinity);
    state_destroy(&s);
    return rc;
}

/* Whether some zone has a finite slot count or capacity. */
static int zones_limited(const zp_problem *p)
{
    for (int z = 0; z < p->k; z++) {
        if (p->slots[z] != ZP_UNLIMITED_SLOTS || problem_zone_has_finite_capacity(p, z))
            return 1;
    }
    return 0;
}

int place_auto_kind(const zp_problem *p)
{
    return p->n <= ZP_AUTO_RR_APPS && zones_limited(p) ? ZP_INIT_RR : ZP_INIT_MULTILEVEL;
}

int place_initial(const zp_problem *p, int kind, int *x, zp_rng *rng)
{
    switch (kind) {
    case ZP_INIT_RANDOM:
        return place_random(p, x, rng);
    case ZP_INIT_GREEDY:
        return place_greedy(p, x);
    default:
        return place_rr(p, x);
    }
}
