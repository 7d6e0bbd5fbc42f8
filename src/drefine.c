/* drefine.c - refinement of one level of the distributed engine (drefine.h): synchronous Jet
 * iterations and deterministic rebalancing into the balance band, over the ranks of a task. */
#include "drefine.h"

#include <math.h>
#include <string.h>

#include "util.h"

/* ---- tuning constants -------------------------------------------------------------------------
 * Jet's iteration and filter are the paper's (drefine.h); the numbers are this program's, set
 * with the engine (5faaa6a, docs/scaling.md step 5) and measured on the micro-1M bench graph.
 * tests/e2e/test_dist.sh pins the placements they give. */
/* Jet admits a move that loses up to a fraction of the vertex's connection to its own zone
 * (the paper's negative-gain allowance); a quarter here. */
#define JET_LOSS_DIVISOR 4
/* Jet iterations per level: 12 x effort within [2, 100]; the level ends after 2 x effort
 * (within [2, 12]) iterations without a gain of 0.1% of the cut. */
#define JET_ITERS_PER_EFFORT 12
#define JET_ITERS_MIN 2
#define JET_ITERS_MAX 100
#define JET_PATIENCE_PER_EFFORT 2
#define JET_PATIENCE_MIN 2
#define JET_PATIENCE_MAX 12
#define JET_IDLE_GAIN 1e-3
/* Rebalancing: vertices ranked by loss per app in 48 buckets, 3 per doubling of the loss (the
 * first for no loss, the last for everything beyond); at most 12 rounds after each iteration. */
#define REB_BUCKETS 48
#define REB_BUCKETS_PER_DOUBLING 3
#define REB_ROUNDS 12

/* c->conn[z] = weight of u's edges into zone z; returns how many zones were touched. */
static int vertex_conn(dctx *c, const zp_dgraph *g, int u, const int *blk)
{
    int nt = 0;
    for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++) {
        int z = blk[g->adj[j]];
        if (c->conn[z] == 0)
            c->touched[nt++] = z;
        c->conn[z] += g->wgt[j];
    }
    return nt;
}

static void clear_conn(dctx *c, int nt)
{
    for (int i = 0; i < nt; i++)
        c->conn[c->touched[i]] = 0;
}

/* Zone weights over all ranks. */
static int zone_weights(dctx *c, const zp_dgraph *g, const int *blk, int64_t *bw)
{
    memset(bw, 0, sizeof *bw * (size_t)c->k);
    for (int u = 0; u < g->nl; u++)
        bw[blk[u]] += g->vwgt[u];
    return c->dc->allreduce_i64(c->dc, bw, c->k, ZP_DC_SUM);
}

int drefine_cut2(dctx *c, const zp_dgraph *g, const int *blk, int64_t *cut)
{
    int64_t s = 0;
    for (int u = 0; u < g->nl; u++)
        for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++)
            if (blk[g->adj[j]] != blk[u])
                s += g->wgt[j];
    *cut = s;
    return c->dc->allreduce_i64(c->dc, cut, 1, ZP_DC_SUM);
}

/* The change of twice the cut (fixed point) from the zones prev to blk ([nl+ng], ghosts
 * current), over all ranks, from the rows of the vertices that moved only: an edge whose far
 * end stayed counts twice (the rank of that end does not see it change), an edge between two
 * moved vertices once from each end. Exact integer sums, so the same on any number of ranks. */
static int cut2_delta(dctx *c, const zp_dgraph *g, const int *prev, const int *blk,
                      int64_t *delta)
{
    int64_t s = 0;
    for (int u = 0; u < g->nl; u++) {
        if (prev[u] == blk[u])
            continue;
        for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++) {
            int v = g->adj[j];
            int64_t d = (int64_t)(blk[u] != blk[v]) - (int64_t)(prev[u] != prev[v]);
            s += d * g->wgt[j] * (prev[v] == blk[v] ? 2 : 1);
        }
    }
    *delta = s;
    return c->dc->allreduce_i64(c->dc, delta, 1, ZP_DC_SUM);
}

/* Apps outside the band [lo, limit] over all zones (over: only those above it). */
static int64_t outside(const dctx *c, const int64_t *bw, int over_only)
{
    int64_t out = 0;
    for (int z = 0; z < c->k; z++)
        out += ZP_MAX(0, bw[z] - c->limit) + (over_only ? 0 : ZP_MAX(0, c->lo - bw[z]));
    return out;
}

typedef struct {
    int64_t target, gain;
} jet_move;

/* Jet's proposal of u: the best other zone adjacent to u and its gain, if the loss is within
 * a quarter of u's connection to its own zone. */
static jet_move jet_propose(dctx *c, const zp_dgraph *g, int u, const int *blk)
{
    jet_move mv = {-1, 0};
    int nt = vertex_conn(c, g, u, blk), own = blk[u];
    int64_t best = -1;
    for (int i = 0; i < nt; i++) {
        int z = c->touched[i];
        if (z != own && (c->conn[z] > best || (c->conn[z] == best && z < mv.target))) {
            best = c->conn[z];
            mv.target = z;
        }
    }
    if (mv.target >= 0) {
        mv.gain = best - c->conn[own];
        if (mv.gain < 0 && -mv.gain * JET_LOSS_DIVISOR >= c->conn[own])
            mv.target = -1;
    }
    clear_conn(c, nt);
    return mv;
}

/* Jet's filter: u's gain if every candidate of higher priority (more gain, ties lower global
 * id) among its neighbours moved first. */
static int64_t jet_gain_after(const zp_dgraph *g, int u, const int *blk, const jet_move *mv)
{
    int64_t gain = 0, me = dgraph_gid(g, u);
    for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++) {
        int v = g->adj[j], bv = blk[v];
        if (mv[v].target >= 0 &&
            (mv[v].gain > mv[u].gain || (mv[v].gain == mv[u].gain && dgraph_gid(g, v) < me)))
            bv = (int)mv[v].target;
        if (bv == mv[u].target)
            gain += g->wgt[j];
        else if (bv == blk[u])
            gain -= g->wgt[j];
    }
    return gain;
}

/* One Jet iteration: all vertices propose from the same state, the filter keeps the moves that
 * still gain, all of them are applied. locked: vertices moved by the previous iteration. */
static int jet_iteration(dctx *c, const zp_dgraph *g, int *blk, jet_move *mv,
                         unsigned char *locked)
{
    int rc = ZP_OK;
    for (int u = 0; u < g->nl; u++)
        mv[u] = locked[u] ? (jet_move){-1, 0} : jet_propose(c, g, u, blk);
    ZP_CHECK(dgraph_exchange(g, c->dc, mv, sizeof *mv));
    for (int u = 0; u < g->nl; u++) {
        locked[u] = 0;
        if (mv[u].target >= 0 && jet_gain_after(g, u, blk, mv) > 0)
            locked[u] = 1;
    }
    for (int u = 0; u < g->nl; u++)
        if (locked[u])
            blk[u] = (int)mv[u].target;
    ZP_CHECK(dgraph_exchange(g, c->dc, blk, sizeof *blk));
out:
    return rc;
}

/* Whether zone z can take u in a round: with room under the band's top (over) or below the
 * band's bottom (under). */
static int reb_open(const dctx *c, const int64_t *bw, int z, int w, int under)
{
    return under ? bw[z] < c->lo : bw[z] + w <= c->limit;
}

/* Where u would go: the open adjacent zone with the most connection, else the lightest zone if
 * open; *loss = connection given up; -1: nowhere. */
static int reb_dest(dctx *c, const zp_dgraph *g, int u, const int *blk, const int64_t *bw,
                    int lightest, int under, int64_t *loss)
{
    int nt = vertex_conn(c, g, u, blk), own = blk[u], d = -1;
    int64_t best = -1;
    for (int i = 0; i < nt; i++) {
        int z = c->touched[i];
        if (z == own || !reb_open(c, bw, z, g->vwgt[u], under))
            continue;
        if (c->conn[z] > best || (c->conn[z] == best && z < d)) {
            best = c->conn[z];
            d = z;
        }
    }
    if (d < 0 && lightest != own && reb_open(c, bw, lightest, g->vwgt[u], under)) {
        d = lightest;
        best = c->conn[d];
    }
    *loss = c->conn[own] - (d >= 0 ? best : 0);
    clear_conn(c, nt);
    return d;
}

static int reb_bucket(const dctx *c, int64_t loss, int w)
{
    if (loss <= 0)
        return 0;
    double per = (double)loss / (double)c->scale / (double)w;
    return 1 + (int)fmin(REB_BUCKETS - 2, floor(REB_BUCKETS_PER_DOUBLING * log2(1 + per)));
}

typedef struct {
    int64_t *sum;    /* [k * REB_BUCKETS] weight of candidates per zone and bucket */
    int *cut_bucket; /* [k] bucket where the excess is covered */
    int64_t *below;  /* [k] weight of the buckets before it */
    int64_t *need;   /* [k] excess (over) or shortage (under) to cover */
    int64_t *pre;    /* [k] */
    int64_t *run;    /* [k] */
    int *dest, *bucket;
} reb_work;

/* One rebalancing round. over (under = 0): every zone above the band gives up its cheapest
 * vertices (loss per app, in buckets; the last bucket in global vertex order) until its excess
 * is covered, and moves into a zone are approved in global vertex order while it has room.
 * under: every zone below the band takes the cheapest vertices offered to it until its
 * shortage is covered, and a zone lets vertices go in global vertex order while it stays in
 * the band. *moved: moves made. */
static int reb_round(dctx *c, const zp_dgraph *g, int *blk, int64_t *bw, reb_work *w, int under,
                     int64_t *moved)
{
    int rc = ZP_OK;
    int k = c->k, lightest = 0;
    zp_dcomm *dc = c->dc;
    for (int z = 1; z < k; z++)
        if (bw[z] < bw[lightest])
            lightest = z;
    memset(w->sum, 0, sizeof *w->sum * (size_t)k * REB_BUCKETS);
    for (int u = 0; u < g->nl; u++) {
        w->dest[u] = -1;
        if (under ? bw[blk[u]] <= c->lo : bw[blk[u]] <= c->limit)
            continue;
        int64_t loss = 0;
        w->dest[u] = reb_dest(c, g, u, blk, bw, lightest, under, &loss);
        if (w->dest[u] < 0)
            continue;
        w->bucket[u] = reb_bucket(c, loss, g->vwgt[u]);
        int key = under ? w->dest[u] : blk[u];
        w->sum[(int64_t)key * REB_BUCKETS + w->bucket[u]] += g->vwgt[u];
    }
    ZP_CHECK(dc->allreduce_i64(dc, w->sum, k * REB_BUCKETS, ZP_DC_SUM));
    for (int z = 0; z < k; z++) {
        int64_t need = under ? c->lo - bw[z] : bw[z] - c->limit, acc = 0;
        int t = 0;
        while (t < REB_BUCKETS - 1 && acc + w->sum[(int64_t)z * REB_BUCKETS + t] < need)
            acc += w->sum[(int64_t)z * REB_BUCKETS + t++];
        w->need[z] = need;
        w->cut_bucket[z] = t;
        w->below[z] = acc;
        w->pre[z] = 0;
    }
    for (int u = 0; u < g->nl; u++) {
        int key = w->dest[u] < 0 ? 0 : under ? w->dest[u] : blk[u];
        if (w->dest[u] >= 0 && w->bucket[u] == w->cut_bucket[key])
            w->pre[key] += g->vwgt[u];
    }
    ZP_CHECK(dc->exscan_i64(dc, w->pre, k));
    memset(w->run, 0, sizeof *w->run * (size_t)k);
    for (int u = 0; u < g->nl; u++) { /* which vertices are chosen */
        if (w->dest[u] < 0)
            continue;
        int key = under ? w->dest[u] : blk[u];
        if (w->need[key] <= 0 || w->bucket[u] > w->cut_bucket[key]) {
            w->dest[u] = -1;
        } else if (w->bucket[u] == w->cut_bucket[key]) {
            if (w->below[key] + w->pre[key] + w->run[key] >= w->need[key])
                w->dest[u] = -1;
            w->run[key] += g->vwgt[u];
        }
    }
    /* the other side approves in global vertex order: arrivals up to the top (over), departures
     * down to the bottom (under) */
    memset(w->pre, 0, sizeof *w->pre * (size_t)k);
    for (int u = 0; u < g->nl; u++)
        if (w->dest[u] >= 0)
            w->pre[under ? blk[u] : w->dest[u]] += g->vwgt[u];
    ZP_CHECK(dc->exscan_i64(dc, w->pre, k));
    memset(w->run, 0, sizeof *w->run * (size_t)k);
    int64_t n = 0;
    for (int u = 0; u < g->nl; u++) {
        int d = w->dest[u];
        if (d < 0)
            continue;
        int side = under ? blk[u] : d;
        int64_t room = under ? bw[side] - c->lo : c->limit - bw[side];
        if (w->pre[side] + w->run[side] + g->vwgt[u] <= room) {
            blk[u] = d;
            n++;
        }
        w->run[side] += g->vwgt[u];
    }
    ZP_CHECK(dc->allreduce_i64(dc, &n, 1, ZP_DC_SUM));
    *moved = n;
    ZP_CHECK(dgraph_exchange(g, dc, blk, sizeof *blk));
    ZP_CHECK(zone_weights(c, g, blk, bw));
out:
    return rc;
}

/* Rounds of rebalancing: zones above the band first, then those below it. */
static int rebalance(dctx *c, const zp_dgraph *g, int *blk, int64_t *bw)
{
    int rc = ZP_OK;
    reb_work w = {0};
    if (outside(c, bw, 0) == 0)
        return ZP_OK;
    ZP_ALLOC(w.sum, (int64_t)c->k * REB_BUCKETS);
    ZP_ALLOC(w.cut_bucket, c->k);
    ZP_ALLOC(w.below, c->k);
    ZP_ALLOC(w.need, c->k);
    ZP_ALLOC(w.pre, c->k);
    ZP_ALLOC(w.run, c->k);
    ZP_ALLOC(w.dest, g->nl);
    ZP_ALLOC(w.bucket, g->nl);
    for (int round = 0; round < REB_ROUNDS && outside(c, bw, 0) > 0; round++) {
        int64_t moved = 0;
        int under = outside(c, bw, 1) == 0;
        ZP_CHECK(reb_round(c, g, blk, bw, &w, under, &moved));
        if (moved == 0 && !under && outside(c, bw, 0) > outside(c, bw, 1))
            ZP_CHECK(reb_round(c, g, blk, bw, &w, 1, &moved));
        if (moved == 0)
            break;
    }
out:
    zp_free(w.sum);
    zp_free(w.cut_bucket);
    zp_free(w.below);
    zp_free(w.need);
    zp_free(w.pre);
    zp_free(w.run);
    zp_free(w.dest);
    zp_free(w.bucket);
    return rc;
}

int drefine_level(dctx *c, const zp_dgraph *g, int *blk)
{
    int rc = ZP_OK;
    jet_move *mv = NULL;
    unsigned char *locked = NULL;
    int *best = NULL, *prev = NULL;
    int64_t *bw = NULL;
    double e = c->prm->effort > 0 ? c->prm->effort : 1.0;
    int iters = (int)fmax(JET_ITERS_MIN, fmin(JET_ITERS_MAX, JET_ITERS_PER_EFFORT * e));
    int patience = (int)fmax(JET_PATIENCE_MIN, fmin(JET_PATIENCE_MAX, JET_PATIENCE_PER_EFFORT * e));
    ZP_ALLOC(mv, (int64_t)g->nl + g->ng);
    ZP_ALLOC(locked, g->nl);
    ZP_ALLOC(best, g->nl);
    ZP_ALLOC(prev, (int64_t)g->nl + g->ng);
    ZP_ALLOC(bw, c->k);
    ZP_CHECK(zone_weights(c, g, blk, bw));
    ZP_CHECK(rebalance(c, g, blk, bw));
    int64_t best_over = outside(c, bw, 0), best_cut = 0, cut = 0;
    ZP_CHECK(drefine_cut2(c, g, blk, &best_cut));
    cut = best_cut;
    memcpy(best, blk, sizeof *blk * (size_t)g->nl);
    for (int it = 0, idle = 0; it < iters && idle < patience; it++) {
        memcpy(prev, blk, sizeof *blk * ((size_t)g->nl + (size_t)g->ng));
        ZP_CHECK(jet_iteration(c, g, blk, mv, locked));
        ZP_CHECK(zone_weights(c, g, blk, bw));
        ZP_CHECK(rebalance(c, g, blk, bw));
        int64_t over = outside(c, bw, 0), delta = 0;
        ZP_CHECK(cut2_delta(c, g, prev, blk, &delta));
        cut += delta;
        if (over < best_over || (over == best_over && cut < best_cut)) {
            /* less than 0.1% better counts as idle: the tail of Jet's iterations */
            idle = over == best_over && (double)(best_cut - cut) < JET_IDLE_GAIN * (double)best_cut
                       ? idle + 1 : 0;
            best_over = over;
            best_cut = cut;
            memcpy(best, blk, sizeof *blk * (size_t)g->nl);
        } else {
            idle++;
        }
    }
    memcpy(blk, best, sizeof *blk * (size_t)g->nl);
    ZP_CHECK(dgraph_exchange(g, c->dc, blk, sizeof *blk));
out:
    zp_free(mv);
    zp_free(locked);
    zp_free(best);
    zp_free(prev);
    zp_free(bw);
    return rc;
}
