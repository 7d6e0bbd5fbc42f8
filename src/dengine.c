/* dengine.c - the distributed multilevel engine (dengine.h): the gathered coarsest level,
 * projection, and the driver over the levels and V-cycles; the coarsening is dcoarsen.c's, the
 * refinement of each level drefine.c's. */
#include "dengine.h"
#include "dengine_ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "dband.h"
#include "dcoarsen.h"
#include "drefine.h"
#include "multilevel.h"
#include "rng.h"
#include "util.h"

/* ---- tuning constants -------------------------------------------------------------------------
 * The methods are published (docs/scaling.md); the numbers are this program's, set with the
 * engine (5faaa6a) and measured on the micro-1M bench graph (docs/scaling.md, `make bench`).
 * tests/e2e/test_dist.sh pins the placements they give. */
/* Starts on the gathered coarsest level: 2 x effort, within [1, 64]; each runs the shared engine
 * with a third of its default work (micro-1M, k = 64: 0.2% more cut than with all of it, a third
 * of the time). */
#define COARSEST_STARTS_PER_EFFORT 2
#define COARSEST_STARTS_MAX 64
#define COARSEST_EFFORT_DIVISOR 3
/* Each start grows one initial placement (a recursive bisection), not the shared engine's 4:
 * the bisections were 40% of the coarsest level's time, and the best of 4 did not cut less in
 * the end (one: micro-1M k = 64 and micro-100k k = 32 0.1-0.2% less cut, micro-100k k = 4 and
 * 64 0.2% and 1.3% more; a 300x300 grid and the 50^3 mesh at k = 4/32/64 -9% .. +1.3%). */
#define COARSEST_INITIAL_TRIES 1
/* V-cycles: the first, then as many as a budget of effort x 8M adjacency entries allows (at most
 * 8), until one gains 0.1% of the cut or less. Each one after the first coarsens again with
 * clusters kept inside the zones of the placement so far, starts its coarsest level from that
 * placement and refines it level by level on the way up: the cut never grows, and what Jet
 * cannot repair on one hierarchy it can on another. A cycle costs about the coarsening and
 * refinement of the first, without its coarsest level. One cycle -> the budget's (cut, 1 rank):
 * a Barabasi-Albert graph of 100k vertices (600k entries, 8 cycles), k = 4 / 32 / 64: 117,449
 * -> 112,637, 176,608 -> 171,911, 183,964 -> 180,293; the 50^3 mesh, k = 4: 7,339 -> 6,777;
 * a 300x300 grid, k = 4: 820 -> 736; micro-100k, k = 32: 2,073,218 -> 2,052,130; 1.2-2.7x the
 * CPU time of the whole run on the grid, mesh and micro-100k, still 2-7x less than the shared
 * engine's. micro-1M (17M entries) keeps one cycle: a second one cut 0.6% less at k = 64 in
 * 1.5x the time. */
#define CYCLE_BUDGET_ENTRIES 8e6
#define CYCLES_MAX 8
#define CYCLE_IDLE_GAIN 1e-3

/* ---- the coarsest level ----------------------------------------------------------------------- */

int dengine_cmp_nbr(const void *a, const void *b)
{
    int64_t x = ((const dnbr *)a)->v, y = ((const dnbr *)b)->v;
    return (x > y) - (x < y);
}

int dengine_zone_problem(const dctx *c, int n, zp_problem **out)
{
    int rc = ZP_OK;
    const zp_problem *z = c->zones;
    zp_problem *s = NULL;
    int k = z->k, nres = z->nres;
    ZP_CHECK(problem_create(&s));
    s->n = n;
    s->k = k;
    s->nres = nres;
    s->capacity_mode = z->capacity_mode;
    s->requests = z->requests;
    s->move_factor = z->move_factor;
    s->imbalance = z->imbalance;
    s->e_in = z->e_in;
    s->e_core = z->e_core;
    ZP_ALLOC(s->vwgt, n);
    ZP_ALLOC(s->demand, (int64_t)n * ZP_MAX(nres, 1));
    ZP_ALLOC(s->needs_io, n);
    ZP_ALLOC(s->size, n);
    ZP_ALLOC(s->capacity, (int64_t)k * ZP_MAX(nres, 1));
    ZP_ALLOC(s->slots, k);
    ZP_ALLOC(s->zone_io, k);
    ZP_ALLOC(s->dist, (int64_t)k * k);
    memcpy(s->capacity, z->capacity, sizeof *s->capacity * (size_t)k * (size_t)nres);
    memcpy(s->slots, z->slots, sizeof *s->slots * (size_t)k);
    memcpy(s->zone_io, z->zone_io, (size_t)k);
    memcpy(s->dist, z->dist, sizeof *s->dist * (size_t)k * (size_t)k);
    for (int u = 0; u < n; u++)
        s->size[u] = 1;
    *out = s;
    s = NULL;
out:
    problem_destroy(&s);
    return rc;
}

/* This rank's rows of the coarsest graph g, neighbours as global ids in ascending order, split
 * into neighbours (*adj) and weights (*w), and per owned vertex its weight and degree (*vd). */
static int own_rows(const zp_dgraph *g, int **adj_out, int64_t **w_out, int64_t **vd_out)
{
    int rc = ZP_OK;
    dnbr *rows = NULL;
    int *adj = NULL;
    int64_t *w = NULL, *vd = NULL;
    int64_t m = g->xadj[g->nl];
    ZP_ALLOC(vd, 2 * (int64_t)g->nl);
    ZP_ALLOC(rows, m);
    for (int u = 0; u < g->nl; u++) {
        vd[2 * u] = g->vwgt[u];
        vd[2 * u + 1] = g->xadj[u + 1] - g->xadj[u];
        for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++)
            rows[j] = (dnbr){dgraph_gid(g, g->adj[j]), g->wgt[j]};
        /* each rank sorts its own rows: the sort is not repeated on every rank after the gather */
        qsort(rows + g->xadj[u], (size_t)(g->xadj[u + 1] - g->xadj[u]), sizeof *rows,
              dengine_cmp_nbr);
    }
    ZP_ALLOC(adj, m);
    ZP_ALLOC(w, m);
    for (int64_t j = 0; j < m; j++) {
        adj[j] = (int)rows[j].v;
        w[j] = rows[j].w;
    }
    *adj_out = adj;
    *w_out = w;
    *vd_out = vd;
    adj = NULL;
    w = vd = NULL;
out:
    zp_free(rows);
    zp_free(adj);
    zp_free(w);
    zp_free(vd);
    return rc;
}

/* Every rank gets the whole coarsest graph as a problem, neighbours in ascending order. The
 * rows arrive straight in the problem's arrays (the weights as fixed point, scaled in place):
 * the coarsest level is replicated on every rank, so every copy of it counts in the per-rank
 * peak (micro-1M, k = 64: 1.4M entries). */
static int gather_problem(dctx *c, const zp_dgraph *g, zp_problem **out)
{
    int rc = ZP_OK;
    zp_dcomm *dc = c->dc;
    int size = dc->size, n = (int)g->n;
    int64_t *vd = NULL, *w = NULL, *all = NULL, *bytes = NULL;
    int *adj = NULL;
    zp_problem *s = NULL;
    int64_t m = g->xadj[g->nl];
    ZP_CHECK(own_rows(g, &adj, &w, &vd));
    ZP_ALLOC(bytes, size);
    for (int r = 0; r < size; r++)
        bytes[r] = 2 * (g->vtxdist[r + 1] - g->vtxdist[r]) * (int64_t)sizeof *vd;
    ZP_ALLOC(all, 2 * (int64_t)n);
    ZP_CHECK(dc->allgatherv(dc, vd, 2 * (int64_t)g->nl * (int64_t)sizeof *vd, all, bytes));
    ZP_CHECK(dengine_zone_problem(c, n, &s));
    ZP_ALLOC(s->xadj, (int64_t)n + 1);
    memset(bytes, 0, sizeof *bytes * (size_t)size);
    for (int u = 0; u < n; u++) {
        s->vwgt[u] = (int)all[2 * u];
        s->xadj[u + 1] = s->xadj[u] + all[2 * u + 1];
        bytes[dgraph_owner(g->vtxdist, size, u)] += all[2 * u + 1];
    }
    int64_t mtotal = s->xadj[n];
    ZP_ALLOC(s->adjncy, mtotal);
    ZP_ALLOC(s->adjwgt, mtotal);
    for (int r = 0; r < size; r++)
        bytes[r] *= (int64_t)sizeof *adj;
    ZP_CHECK(dc->allgatherv(dc, adj, m * (int64_t)sizeof *adj, s->adjncy, bytes));
    for (int r = 0; r < size; r++)
        bytes[r] = bytes[r] / (int64_t)sizeof *adj * (int64_t)sizeof *w;
    /* the int64 weights land in the double array (same size) and are converted in place */
    ZP_CHECK(dc->allgatherv(dc, w, m * (int64_t)sizeof *w, s->adjwgt, bytes));
    for (int64_t j = 0; j < mtotal; j++) {
        int64_t fixed;
        memcpy(&fixed, &s->adjwgt[j], sizeof fixed);
        s->adjwgt[j] = (double)fixed / (double)c->scale;
        s->dep_weight_total += s->adjwgt[j] / 2;
    }
    s->ndeps = mtotal / 2;
    *out = s;
    s = NULL;
out:
    zp_free(vd);
    zp_free(w);
    zp_free(adj);
    zp_free(all);
    zp_free(bytes);
    problem_destroy(&s);
    return rc;
}

static int auto_starts(const dctx *c)
{
    if (c->prm->starts > 0)
        return c->prm->starts;
    double e = c->prm->effort > 0 ? c->prm->effort : 1.0;
    return (int)fmax(1, fmin(COARSEST_STARTS_MAX, round(COARSEST_STARTS_PER_EFFORT * e)));
}

/* The share of a start's work on the gathered level s: the shared engine gives its dense
 * levels fewer rounds (ZP_ML_DENSE_EDGES entries or more); a gathered level is often as dense
 * with fewer entries (clusters of a power-law graph: micro-100k, k = 64, 2,092 vertices of mean
 * degree 103), and there its rounds took 90% of the run. Scaled by the same degree ratio
 * (micro-100k seeds 1-3 and generated 20k-50k graphs, k = 32 and 64: the coarsest level 2-5x
 * faster, cut -2.4% to +1.1%, +0.1% on average; micro-1M's level has more entries: unchanged). */
static double dense_share(const zp_problem *s)
{
    return s->xadj[s->n] >= ZP_ML_DENSE_EDGES ? 1.0 : multilevel_degree_share(s);
}

/* Places the gathered coarsest level: start s on rank s % ranks, each a multilevel placement
 * with its own stream; the best (fewest apps outside the band, then least objective, then
 * lowest start) is kept, as the pipeline's starts do. x: [n] on every rank. */
static int place_coarsest(dctx *c, const zp_problem *s, int *x)
{
    int rc = ZP_OK;
    int *trial = NULL;
    int starts = auto_starts(c);
    int64_t best_imb = INT64_MAX;
    double best_obj = INFINITY;
    int best_start = starts;
    ZP_ALLOC(trial, s->n);
    for (int t = c->ex->rank; t < starts; t += c->ex->size) {
        zp_rng rng;
        rng_seed(&rng, c->prm->seed, c->prm->task, UINT64_MAX - 1 - (uint64_t)t);
        for (int u = 0; u < s->n; u++)
            trial[u] = -1;
        zp_ml_params mp;
        multilevel_defaults(&mp);
        /* a third of the shared engine's default work (less on a dense level): the levels
         * above refine it anyway */
        mp.effort = c->prm->effort / COARSEST_EFFORT_DIVISOR * dense_share(s);
        mp.starts = 1; /* the starts are ours, spread over the ranks */
        mp.initial_tries = COARSEST_INITIAL_TRIES;
        ZP_CHECK(multilevel_place(s, trial, &rng, &mp, NULL));
        zp_metrics m;
        metrics_compute(s, trial, &m);
        if (m.imbalance < best_imb || (m.imbalance == best_imb && m.objective < best_obj)) {
            best_imb = m.imbalance;
            best_obj = m.objective;
            best_start = t;
            memcpy(x, trial, sizeof *x * (size_t)s->n);
        }
    }
    ZP_CHECK(c->ex->reduce_best(c->ex, &best_imb, &best_obj, &best_start, x, s->n));
out:
    zp_free(trial);
    return rc;
}

/* ---- driver ------------------------------------------------------------------------------------ */

int dengine_zones_apply(const zp_problem *p)
{
    int64_t lo, hi;
    if (p->k < 2)
        return 0;
    problem_band(p, &lo, &hi);
    double off = problem_dist(p, 0, 1), diag = problem_dist(p, 0, 0);
    for (int z = 0; z < p->k; z++) {
        if (p->slots[z] < hi)
            return 0;
        if (p->capacity_mode == ZP_CUMULATIVE && problem_zone_has_finite_capacity(p, z))
            return 0;
        for (int y = 0; y < p->k; y++)
            if (problem_dist(p, z, y) != (z == y ? diag : off))
                return 0;
    }
    return off > diag;
}

int dengine_applies(const zp_problem *p)
{
    return p->n >= 2 && !problem_has_current(p) && problem_fits_everywhere(p) &&
           dengine_zones_apply(p);
}

/* blk of the coarsest level (owned and ghosts) from the placement of the gathered graph. */
static int initial(dctx *c, const zp_dgraph *g, int **blk_out)
{
    int rc = ZP_OK;
    double t0 = zp_now();
    zp_problem *s = NULL;
    int *x = NULL, *blk = NULL;
    ZP_CHECK(gather_problem(c, g, &s));
    ZP_ALLOC(x, s->n);
    ZP_CHECK(place_coarsest(c, s, x));
    ZP_ALLOC(blk, (int64_t)g->nl + g->ng);
    for (int u = 0; u < g->nl + g->ng; u++)
        blk[u] = x[dgraph_gid(g, u)];
    *blk_out = blk;
    blk = NULL;
out:
    problem_destroy(&s);
    zp_free(x);
    zp_free(blk);
    c->stats->t_initial += zp_now() - t0;
    return rc;
}

/* The zones of the finer level f from those of the coarser one (blk: f's, allocated). */
static int project(dctx *c, const dlevel *f, const int *coarse_blk, const zp_dgraph *cg,
                   int **blk_out)
{
    int rc = ZP_OK;
    int64_t *cv = NULL, *got = NULL;
    int *blk = NULL;
    const zp_dgraph *g = f->g;
    ZP_ALLOC(cv, cg->nl);
    for (int i = 0; i < cg->nl; i++)
        cv[i] = coarse_blk[i];
    ZP_ALLOC(got, g->nl);
    ZP_CHECK(dgraph_fetch(c->dc, cg->vtxdist, f->cmap, g->nl, cv, got));
    ZP_ALLOC(blk, (int64_t)g->nl + g->ng);
    for (int u = 0; u < g->nl; u++)
        blk[u] = (int)got[u];
    ZP_CHECK(dgraph_exchange(g, c->dc, blk, sizeof *blk));
    *blk_out = blk;
    blk = NULL;
out:
    zp_free(cv);
    zp_free(got);
    zp_free(blk);
    return rc;
}

/* Collective: the V-cycles the budget allows on g (see CYCLE_BUDGET_ENTRIES). */
static int max_cycles(const dctx *c, const zp_dgraph *g, int *cycles)
{
    int64_t entries = g->xadj[g->nl];
    int rc = c->dc->allreduce_i64(c->dc, &entries, 1, ZP_DC_SUM);
    double e = c->prm->effort > 0 ? c->prm->effort : 1.0;
    *cycles = (int)fmax(1, fmin(CYCLES_MAX, floor(e * CYCLE_BUDGET_ENTRIES /
                                                   (double)ZP_MAX(entries, 1))));
    return rc;
}

/* Projects and refines the placement *blk of the coarsest of nlev levels up to level 0,
 * destroying the coarser levels on the way. */
static int uncoarsen(dctx *c, dlevel *lv, int nlev, int **blk)
{
    int rc = ZP_OK;
    int *fine = NULL;
    ZP_CHECK(drefine_level(c, lv[nlev - 1].g, *blk));
    for (int l = nlev - 2; l >= 0; l--) {
        ZP_CHECK(project(c, &lv[l], *blk, lv[l + 1].g, &fine));
        zp_free(*blk);
        *blk = fine;
        fine = NULL;
        dgraph_destroy(&lv[l + 1].g);
        zp_free(lv[l + 1].zone);
        lv[l + 1].zone = NULL;
        zp_free(lv[l].cmap);
        lv[l].cmap = NULL;
        ZP_CHECK(drefine_level(c, lv[l].g, *blk));
    }
out:
    zp_free(fine);
    return rc;
}

/* The way up of a cycle: projection and Jet level by level (uncoarsen), then FM on the band
 * around the cut of the input graph (lv[0]); a band after every cycle, not only the last, gives
 * the next cycle's hierarchy straighter borders to start from (the 50^3 mesh at k = 4: 5,718
 * with a band after the last cycle only, 5,258 after every one). */
static int refine_cycle(dctx *c, dlevel *lv, int nlev, int **blk, int cycle)
{
    int rc = ZP_OK, applied = 0;
    double t0 = zp_now();
    ZP_CHECK(uncoarsen(c, lv, nlev, blk));
    ZP_CHECK(dband_refine(c, lv[0].g, *blk, cycle, &applied));
    c->stats->bands += applied;
out:
    c->stats->t_refine += zp_now() - t0;
    return rc;
}

int dengine_run(const zp_dgraph *g, const zp_problem *zones, int64_t total_weight, int64_t scale,
                zp_dcomm *dc, zp_exchange *ex, const zp_dengine_params *prm, int *out_blk,
                zp_dengine_stats *stats)
{
    int rc = ZP_OK;
    dlevel lv[ZP_ML_MAX_LEVELS];
    int nlev = 0, *blk = NULL;
    zp_dengine_stats local;
    memset(lv, 0, sizeof lv);
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    dctx c = {dc, ex, zones, prm, zones->k, 0, 0, total_weight, scale, NULL, NULL, stats};
    int64_t lo, hi;
    {
        zp_problem band = *zones; /* the band depends only on the total weight, k, epsilon */
        band.n = (int)total_weight;
        band.vwgt = NULL;
        problem_band(&band, &lo, &hi);
    }
    c.limit = hi;
    c.lo = lo;
    for (int z = 0; z < c.k; z++)
        c.limit = ZP_MIN(c.limit, (int64_t)zones->slots[z]);
    ZP_ALLOC(c.conn, c.k);
    ZP_ALLOC(c.touched, c.k);
    stats->level_n[0] = g->n;
    ZP_CHECK(dcoarsen(&c, g, 0, lv, &nlev));
    stats->levels = nlev;
    ZP_CHECK(initial(&c, lv[nlev - 1].g, &blk));
    ZP_CHECK(refine_cycle(&c, lv, nlev, &blk, 0));
    stats->cycles = 1;
    int cycles = 1;
    int64_t cut = 0, before = 0;
    if (nlev > 1) { /* with one level there is nothing to coarsen again */
        ZP_CHECK(max_cycles(&c, g, &cycles));
        ZP_CHECK(drefine_cut2(&c, g, blk, &cut));
    }
    for (int cy = 1; cy < cycles; cy++) {
        lv[0].zone = blk; /* clusters within the zones of the placement so far */
        ZP_CHECK(dcoarsen(&c, g, cy, lv, &nlev));
        lv[0].zone = NULL;
        if (nlev > 1) { /* the coarsest level starts in the zones of its clusters */
            zp_free(blk);
            blk = lv[nlev - 1].zone;
            lv[nlev - 1].zone = NULL;
        }
        ZP_CHECK(refine_cycle(&c, lv, nlev, &blk, cy));
        stats->cycles++;
        before = cut;
        ZP_CHECK(drefine_cut2(&c, g, blk, &cut));
        if ((double)(before - cut) <= CYCLE_IDLE_GAIN * (double)before) /* a zero cut too */
            break;
    }
    memcpy(out_blk, blk, sizeof *blk * (size_t)g->nl);
out:
    for (int l = 1; l < nlev; l++) {
        dgraph_destroy(&lv[l].g);
        zp_free(lv[l].zone);
    }
    for (int l = 0; l < nlev; l++)
        zp_free(lv[l].cmap);
    zp_free(blk);
    zp_free(c.conn);
    zp_free(c.touched);
    return rc;
}

int dengine_place(const zp_problem *p, int *x, zp_dcomm *dc, zp_exchange *ex,
                  const zp_dengine_params *prm, zp_dengine_stats *stats)
{
    int rc = ZP_OK;
    zp_dgraph *g = NULL;
    int *blk = NULL;
    int64_t *bytes = NULL;
    int64_t scale = dgraph_weight_scale(p);
    ZP_CHECK(dgraph_from_problem(p, scale, dc, &g));
    ZP_ALLOC(blk, g->nl);
    ZP_CHECK(dengine_run(g, p, problem_total_weight(p), scale, dc, ex, prm, blk, stats));
    ZP_ALLOC(bytes, dc->size);
    for (int r = 0; r < dc->size; r++)
        bytes[r] = (g->vtxdist[r + 1] - g->vtxdist[r]) * (int64_t)sizeof *x;
    ZP_CHECK(dc->allgatherv(dc, blk, (int64_t)g->nl * (int64_t)sizeof *blk, x, bytes));
out:
    dgraph_destroy(&g);
    zp_free(blk);
    zp_free(bytes);
    return rc;
}
