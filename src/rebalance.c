/* rebalance.c - greedy rounds of cheapest balance-restoring moves (see rebalance.h). */
#include "rebalance.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

typedef struct {
    double delta; /* objective change of the move */
    int64_t degree;
    int u, b;
} candidate;

static int by_cost(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    if (a->delta != b->delta)
        return a->delta < b->delta ? -1 : 1;
    if (a->degree != b->degree)
        return a->degree < b->degree ? -1 : 1;
    return a->u != b->u ? (a->u < b->u ? -1 : 1) : (a->b > b->b) - (a->b < b->b);
}

/* Whether moving u from its zone to b lowers the imbalance within the zone limits. */
static int helps(const zp_state *st, int u, int b)
{
    return b != st->x[u] && state_move_fits(st, u, b) &&
           state_imbalance_after(st, u, b) < st->imbalance;
}

/* Traffic change of moving an app whose connection to each zone is in st->conn (nt zones in
 * st->touched) from the zone whose row of D is da to zone b. */
static double traffic_delta(const zp_state *st, const double *da, int b, int nt)
{
    const zp_problem *p = st->p;
    const double *db = p->dist + (int64_t)b * p->k;
    double d = 0;
    for (int i = 0; i < nt; i++) {
        int z = st->touched[i];
        d += st->conn[z] * (db[z] - da[z]);
    }
    return p->requests * d;
}

/* Cheapest balance-restoring move of u, or b = -1. u's connection to each zone is gathered
 * once (O(degree)); each target then costs O(zones u is connected to). With the response-time
 * model attached the cost is the model's delta instead, the objective the search minimised. */
static candidate cheapest_move(zp_state *st, int u)
{
    candidate c = {0, 0, u, -1};
    const zp_problem *p = st->p;
    int a = st->x[u];
    int nt = state_gather_conn(st, u);
    const double *da = p->dist + (int64_t)a * p->k;
    double mc_a = move_cost_of(p, u, a);
    for (int b = 0; b < p->k; b++) {
        if (!helps(st, u, b))
            continue;
        double d = st->perf ? state_move_delta(st, u, b) /* move cost included */
                            : traffic_delta(st, da, b, nt) + move_cost_of(p, u, b) - mc_a;
        if (c.b < 0 || d < c.delta) {
            c.delta = d;
            c.b = b;
        }
    }
    state_clear_conn(st, nt);
    c.degree = p->xadj[u + 1] - p->xadj[u];
    return c;
}

/* Apps that may give: in a zone over the band, or above its floor while some zone is under. */
static int may_give(const zp_state *st, int u, int any_under)
{
    int64_t c = st->count[st->x[u]];
    return c > st->hi || (any_under && c > st->lo);
}

int64_t rebalance(zp_state *st)
{
    const zp_problem *p = st->p;
    candidate *cand = NULL;
    int64_t moves = 0;
    cand = zp_calloc((size_t)p->n > 0 ? (size_t)p->n : 1, sizeof *cand);
    if (!cand)
        return -ZP_ERUNTIME;
    while (st->imbalance > 0) {
        int any_under = 0, givers = 0;
        for (int z = 0; z < p->k; z++)
            any_under |= st->count[z] < st->lo;
        for (int z = 0; z < p->k; z++)
            givers += st->count[z] > st->hi || (any_under && st->count[z] > st->lo);
        if (givers == 0)
            break;
        int64_t nc = 0;
        for (int u = 0; u < p->n; u++) {
            if (!may_give(st, u, any_under))
                continue;
            candidate c = cheapest_move(st, u);
            if (c.b >= 0)
                cand[nc++] = c;
        }
        qsort(cand, (size_t)nc, sizeof *cand, by_cost);
        int64_t made = 0;
        for (int64_t i = 0; i < nc && st->imbalance > 0; i++) {
            candidate c = cand[i];
            /* earlier moves of this round may have changed what this one does */
            if (!helps(st, c.u, c.b) || state_move_delta(st, c.u, c.b) > c.delta + 1e-9)
                continue;
            state_move(st, c.u, c.b);
            made++;
        }
        moves += made;
        if (made == 0)
            break;
    }
    zp_free(cand);
    return moves;
}
