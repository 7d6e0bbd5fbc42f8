/* multilevel.c - coarsening, initial placement of the coarsest level, uncoarsening with
 * refinement, V-cycles (see multilevel.h). */
#include "multilevel.h"

#include <math.h>
#include <string.h>

#include "bisect.h"
#include "heap.h"
#include "search.h"
#include "util.h"

/* ---- tuning constants -------------------------------------------------------------------------
 * Where each value comes from: METIS 5 where named (Karypis and Kumar; kmetis.c, coarsen.c,
 * defs.h), otherwise this program's own choices, set in the commits named: 290372a (the engine,
 * tuned until the thesis's case 2 reached 104-105 external dependencies on every seed),
 * 712a5ef (the 1M-app bench runs, `make bench`), b2bd1c2. tests/e2e/test_large.sh and
 * test_vs_metis.sh pin their results. */
/* Coarsen to about max(30 k, n / (20 log2 k)) vertices: METIS's k-way CoarsenTo; the second
 * term is capped at 60 k here (b2bd1c2). */
#define COARSEN_TO_PER_ZONE 30.0
#define COARSEN_TO_LOG_DIVISOR 20.0
#define COARSEN_TO_MAX_PER_ZONE 60.0
/* Heaviest merged vertex: 1.5 times the mean weight of a coarsest-level vertex, METIS's maxvwgt
 * = 1.5 tvwgt / CoarsenTo. */
#define MAX_VWGT_FACTOR 1.5
/* A level that keeps more than this share of its finer level's vertices ends the coarsening
 * (b2bd1c2; METIS's COARSEN_FRACTION, the same test, is 0.85). */
#define COARSEN_STALL_SHARE 0.95
/* Cumulative mode: a merged vertex may demand this share of the smallest capacity of its
 * zones: k times its weight share, within [0.02, 0.25] (b2bd1c2). */
#define FIT_SHARE_MIN 0.02
#define FIT_SHARE_MAX 0.25
/* Passes of repair_limits over the vertices at most (b2bd1c2). */
#define REPAIR_ROUNDS 3
/* FM on levels of more than 200,000 vertices: at most 12 passes, each gaining at least
 * min_gain (search.h) (b2bd1c2). */
#define LARGE_LEVEL_N 200000
#define LARGE_LEVEL_PASSES 12
#define LARGE_LEVEL_MIN_GAIN 1e-5
/* The chain budget of FM (search.h) on coarse levels: at least 2 apps (b2bd1c2). */
#define COARSE_CHAIN_BUDGET 2
/* Rounds of the iterated search per level (level_rounds): the coarsest level n rounds within
 * [50, 3,000], the others n / 10 up to 1,000 (b2bd1c2); on dense levels fewer (multilevel.h,
 * ZP_ML_DENSE_EDGES). */
#define COARSEST_ROUNDS_MIN 50
#define COARSEST_ROUNDS_MAX 3000
#define LEVEL_ROUNDS_MAX 1000
#define LEVEL_ROUNDS_PER_VERTICES 10.0
/* Placements of the coarsest level tried: 8 (rb_place), or 4 when each is a multilevel
 * recursive bisection (mlrb_place); each try refined with 1 / (2 tries) of the level's rounds,
 * so the tries together take half the budget the best then gets again (290372a, b2bd1c2). */
#define COARSEST_TRIES 8
#define COARSEST_MLRB_TRIES 4
#define COARSEST_TRY_ROUNDS_DIVISOR 2
/* Independent first cycles (auto_starts, 712a5ef): 2e6 / (n + m), at most 16, fewer by
 * (16 / k)^1.5 above 16 zones; times the effort, at most 64. Then 2 V-cycles in all (290372a). */
#define STARTS_WORK 2e6
#define STARTS_MAX 16
#define STARTS_ZONES 16
#define STARTS_ZONE_EXPONENT 1.5
#define STARTS_EFFORT_MAX 64
#define VCYCLES 2

/* ---- fit classes ----------------------------------------------------------------------------
 * Vertices that fit exactly the same zones (app_fits_zone: io, allowed zones, per-app demands)
 * form a class; only vertices of one class merge. In cumulative mode a class also bounds the
 * demand of a merged vertex (a share of the smallest capacity among its zones). */

typedef struct {
    int *cls;          /* [n] */
    int ncls;
    double *dem_limit; /* [ncls * nres] cumulative mode: largest demand of a merged vertex */
} fit_classes;

static void classes_free(fit_classes *fc)
{
    zp_free(fc->cls);
    zp_free(fc->dem_limit);
    memset(fc, 0, sizeof *fc);
}

static uint64_t hash_words(const uint64_t *w, int nw)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < nw; i++) {
        h ^= w[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ULL;
    }
    return h ^ (h >> 31);
}

/* frac: share of the smallest capacity a merged vertex may demand (cumulative mode). */
static int classes_build(const zp_problem *p, double frac, fit_classes *fc)
{
    int rc = ZP_OK;
    int nw = (p->k + 63) / 64, cap_cls = 16;
    uint64_t *bits = NULL, *table_bits = NULL;
    int *table = NULL;
    int64_t tsize = 1;
    memset(fc, 0, sizeof *fc);
    ZP_ALLOC(fc->cls, p->n);
    if (problem_fits_everywhere(p)) {
        fc->ncls = 1;
    } else {
        while (tsize < 2 * (int64_t)p->n + 2)
            tsize *= 2;
        ZP_ALLOC(table, tsize);
        ZP_ALLOC(bits, nw);
        ZP_ALLOC(table_bits, (int64_t)cap_cls * nw);
        for (int64_t i = 0; i < tsize; i++)
            table[i] = -1;
        for (int u = 0; u < p->n; u++) {
            memset(bits, 0, sizeof *bits * (size_t)nw);
            for (int z = 0; z < p->k; z++)
                if (app_fits_zone(p, u, z))
                    bits[z / 64] |= 1ULL << (z % 64);
            int64_t h = (int64_t)(hash_words(bits, nw) & (uint64_t)(tsize - 1));
            while (table[h] >= 0 &&
                   memcmp(table_bits + (int64_t)table[h] * nw, bits, sizeof *bits * (size_t)nw))
                h = (h + 1) & (tsize - 1);
            if (table[h] < 0) {
                if (fc->ncls == cap_cls) {
                    cap_cls *= 2;
                    uint64_t *grown =
                        zp_realloc(table_bits, sizeof *grown * (size_t)cap_cls * (size_t)nw);
                    if (!grown)
                        ZP_CHECK(ZP_ERUNTIME);
                    table_bits = grown;
                }
                memcpy(table_bits + (int64_t)fc->ncls * nw, bits, sizeof *bits * (size_t)nw);
                table[h] = fc->ncls++;
            }
            fc->cls[u] = table[h];
        }
    }
    ZP_ALLOC(fc->dem_limit, (int64_t)fc->ncls * ZP_MAX(p->nres, 1));
    for (int c = 0; c < fc->ncls; c++) {
        for (int r = 0; r < p->nres; r++) {
            double least = INFINITY;
            for (int z = 0; z < p->k; z++) {
                int in = table_bits ? (int)((table_bits[(int64_t)c * nw + z / 64] >> (z % 64)) & 1)
                                    : 1;
                if (in)
                    least = fmin(least, problem_capacity(p, z, r));
            }
            fc->dem_limit[(int64_t)c * p->nres + r] = least * frac;
        }
    }
out:
    zp_free(bits);
    zp_free(table_bits);
    zp_free(table);
    if (rc != ZP_OK)
        classes_free(fc);
    return rc;
}

/* ---- matching -------------------------------------------------------------------------------- */

typedef struct {
    const zp_problem *p;
    const fit_classes *fc;
    const int *group;
    int64_t max_vwgt;
} merge_rule;

static int can_merge(const merge_rule *mr, int u, int v)
{
    const zp_problem *p = mr->p;
    if ((int64_t)problem_vwgt(p, u) + problem_vwgt(p, v) > mr->max_vwgt)
        return 0;
    if (mr->fc->cls[u] != mr->fc->cls[v])
        return 0;
    if (mr->group && mr->group[u] != mr->group[v])
        return 0;
    if (p->current && p->current[u] != p->current[v])
        return 0;
    if (p->capacity_mode == ZP_CUMULATIVE) {
        const double *lim = mr->fc->dem_limit + (int64_t)mr->fc->cls[u] * p->nres;
        for (int r = 0; r < p->nres; r++)
            if (problem_demand(p, u, r) + problem_demand(p, v, r) > lim[r])
                return 0;
    }
    return 1;
}

/* Heavy-edge matching in random order with the rating w^2 / (c_u c_v), then leaves that share
 * their heaviest neighbour (hub spokes) and isolated vertices are paired. match[u] = partner or
 * u itself. */
static int compute_matching(const merge_rule *mr, zp_rng *rng, int *match)
{
    int rc = ZP_OK;
    const zp_problem *p = mr->p;
    int n = p->n;
    int *order = NULL, *head = NULL, *next = NULL;
    ZP_ALLOC(order, n);
    for (int u = 0; u < n; u++) {
        order[u] = u;
        match[u] = -1;
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(rng, (uint64_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < n; i++) {
        int u = order[i], best = -1;
        if (match[u] >= 0)
            continue;
        double best_r = -1, cu = problem_vwgt(p, u);
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int v = p->adjncy[j];
            if (match[v] >= 0)
                continue;
            /* zero-weight vertices (METIS allows them) rate as weight 1 */
            double r = p->adjwgt[j] * p->adjwgt[j] / (fmax(cu, 1) * fmax(problem_vwgt(p, v), 1));
            if (r > best_r && can_merge(mr, u, v)) {
                best_r = r;
                best = v;
            }
        }
        if (best >= 0) {
            match[u] = best;
            match[best] = u;
        }
    }
    /* two-hop: unmatched vertices grouped by their heaviest neighbour (n: isolated ones) */
    ZP_ALLOC(head, (int64_t)n + 1);
    ZP_ALLOC(next, n);
    for (int u = 0; u <= n; u++)
        head[u] = -1;
    for (int i = n - 1; i >= 0; i--) {
        int u = order[i];
        if (match[u] >= 0)
            continue;
        int h = n;
        double best_w = -1;
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            if (p->adjwgt[j] > best_w) {
                best_w = p->adjwgt[j];
                h = p->adjncy[j];
            }
        }
        next[u] = head[h];
        head[h] = u;
    }
    for (int h = 0; h <= n; h++) {
        int pending = -1;
        for (int u = head[h]; u >= 0; u = next[u]) {
            if (pending >= 0 && can_merge(mr, pending, u)) {
                match[pending] = u;
                match[u] = pending;
                pending = -1;
            } else {
                pending = u;
            }
        }
    }
    for (int u = 0; u < n; u++)
        if (match[u] < 0)
            match[u] = u;
out:
    zp_free(order);
    zp_free(head);
    zp_free(next);
    return rc;
}

/* ---- contraction ----------------------------------------------------------------------------- */

/* The coarse problem of fine under cmap (nc coarse vertices). */
/* fine_iw (may be NULL: zeros) is the weight of the dependencies already contracted into each
 * fine vertex; *iw_out (when iw_out is not NULL) gets the same for the coarse vertices. */
static int contract(const zp_problem *fine, const double *fine_iw, const int *cmap, int nc,
                    zp_problem **out, double **iw_out)
{
    double *iw = NULL;
    int rc = ZP_OK;
    const zp_problem *f = fine;
    zp_problem *c = NULL;
    int *start = NULL, *members = NULL, *mark = NULL;
    int64_t *pos = NULL;
    int nres = f->nres;
    ZP_CHECK(problem_create(&c));
    problem_copy_scalars(c, f); /* the zones and parameters of the fine level, nc vertices */
    c->n = nc;
    ZP_CHECK(problem_copy_zones(c, f));

    ZP_ALLOC(start, (int64_t)nc + 1);
    ZP_ALLOC(members, f->n);
    for (int u = 0; u < f->n; u++)
        start[cmap[u] + 1]++;
    for (int v = 0; v < nc; v++)
        start[v + 1] += start[v];
    for (int u = 0; u < f->n; u++)
        members[start[cmap[u]]++] = u;
    for (int v = nc; v > 0; v--)
        start[v] = start[v - 1];
    start[0] = 0;

    ZP_ALLOC(c->vwgt, nc);
    ZP_ALLOC(c->demand, (int64_t)nc * ZP_MAX(nres, 1));
    ZP_ALLOC(c->needs_io, nc);
    ZP_ALLOC(c->size, nc);
    if (f->current)
        ZP_ALLOC(c->current, nc);
    int64_t nallowed = 0;
    for (int v = 0; v < nc; v++) {
        int first = members[start[v]];
        if (f->current)
            c->current[v] = f->current[first];
        if (f->allowed_xadj)
            nallowed += f->allowed_xadj[first + 1] - f->allowed_xadj[first];
        for (int i = start[v]; i < start[v + 1]; i++) {
            int u = members[i];
            c->vwgt[v] += problem_vwgt(f, u);
            c->size[v] += f->size[u];
            c->needs_io[v] |= f->needs_io[u];
            for (int r = 0; r < nres; r++) {
                double d = problem_demand(f, u, r), *cd = &c->demand[(int64_t)v * nres + r];
                *cd = f->capacity_mode == ZP_CUMULATIVE ? *cd + d : fmax(*cd, d);
            }
        }
    }
    if (f->allowed_xadj) {
        ZP_ALLOC(c->allowed_xadj, (int64_t)nc + 1);
        ZP_ALLOC(c->allowed, nallowed);
        for (int v = 0; v < nc; v++) {
            int first = members[start[v]];
            int64_t b = f->allowed_xadj[first], e = f->allowed_xadj[first + 1];
            c->allowed_xadj[v + 1] = c->allowed_xadj[v] + (e - b);
            if (e > b)
                memcpy(c->allowed + c->allowed_xadj[v], f->allowed + b,
                       sizeof *c->allowed * (size_t)(e - b));
        }
    }

    /* adjacency: merged neighbour lists, internal edges dropped; multiplicities only where the
     * fine level has them */
    int64_t cap = ZP_MAX(f->xadj[f->n], 1), len = 0;
    ZP_ALLOC(c->xadj, (int64_t)nc + 1);
    ZP_ALLOC(c->adjncy, cap);
    ZP_ALLOC(c->adjwgt, cap);
    if (f->adjmult)
        ZP_ALLOC(c->adjmult, cap);
    ZP_ALLOC(mark, nc);
    ZP_ALLOC(pos, nc);
    if (iw_out)
        ZP_ALLOC(iw, nc);
    for (int v = 0; v < nc; v++)
        mark[v] = -1;
    for (int v = 0; v < nc; v++) {
        c->xadj[v] = len;
        for (int i = start[v]; i < start[v + 1]; i++) {
            int u = members[i];
            if (iw && fine_iw)
                iw[v] += fine_iw[u];
            for (int64_t j = f->xadj[u]; j < f->xadj[u + 1]; j++) {
                int cv = cmap[f->adjncy[j]];
                if (cv == v) {
                    if (iw)
                        iw[v] += f->adjwgt[j] / 2; /* seen from both ends */
                    continue;
                }
                if (mark[cv] != v) {
                    mark[cv] = v;
                    pos[cv] = len;
                    c->adjncy[len] = cv;
                    c->adjwgt[len] = f->adjwgt[j];
                    if (c->adjmult)
                        c->adjmult[len] = f->adjmult[j];
                    len++;
                } else {
                    c->adjwgt[pos[cv]] += f->adjwgt[j];
                    if (c->adjmult)
                        c->adjmult[pos[cv]] += f->adjmult[j];
                }
            }
        }
    }
    c->xadj[nc] = len;
    if (len < cap) { /* give the unused tail back */
        int64_t keep = ZP_MAX(len, 1);
        int *a = zp_realloc(c->adjncy, sizeof *a * (size_t)keep);
        double *w = zp_realloc(c->adjwgt, sizeof *w * (size_t)keep);
        int *m = c->adjmult ? zp_realloc(c->adjmult, sizeof *m * (size_t)keep) : NULL;
        if (a)
            c->adjncy = a;
        if (w)
            c->adjwgt = w;
        if (m)
            c->adjmult = m;
        zp_error_clear();
    }
    *out = c;
    c = NULL;
    if (iw_out) {
        *iw_out = iw;
        iw = NULL;
    }
out:
    problem_destroy(&c);
    zp_free(iw);
    zp_free(start);
    zp_free(members);
    zp_free(mark);
    zp_free(pos);
    return rc;
}

static int coarsen_with(const zp_problem *fine, const double *fine_iw, const int *group,
                        int64_t max_vwgt, zp_rng *rng, zp_problem **coarse, int **cmap_out,
                        double **iw_out)
{
    int rc = ZP_OK;
    fit_classes fc = {0};
    int *match = NULL, *cmap = NULL;
    int64_t total = problem_total_weight(fine);
    double frac = fmin(FIT_SHARE_MAX,
                       fmax(FIT_SHARE_MIN, (double)max_vwgt * fine->k / (double)ZP_MAX(total, 1)));
    ZP_CHECK(classes_build(fine, frac, &fc));
    merge_rule mr = {fine, &fc, group, max_vwgt};
    ZP_ALLOC(match, fine->n);
    ZP_ALLOC(cmap, fine->n);
    int nc = 0;
    ZP_CHECK(compute_matching(&mr, rng, match));
    for (int u = 0; u < fine->n; u++)
        cmap[u] = -1;
    for (int u = 0; u < fine->n; u++) {
        if (cmap[u] >= 0)
            continue;
        cmap[u] = nc;
        cmap[match[u]] = nc;
        nc++;
    }
    ZP_CHECK(contract(fine, fine_iw, cmap, nc, coarse, iw_out));
    *cmap_out = cmap;
    cmap = NULL;
out:
    classes_free(&fc);
    zp_free(match);
    zp_free(cmap);
    return rc;
}

int multilevel_coarsen(const zp_problem *fine, const int *group, int64_t max_vwgt, zp_rng *rng,
                       zp_problem **coarse, int **cmap)
{
    return coarsen_with(fine, NULL, group, max_vwgt, rng, coarse, cmap, NULL);
}

/* ---- levels ---------------------------------------------------------------------------------- */

typedef struct {
    const zp_problem *p; /* level 0: the input (not owned) */
    zp_problem *owned;
    int *cmap;           /* [n] vertex of the next coarser level; NULL at the coarsest */
    int *x;              /* [n] placement (or start zones, -1 free) */
    double *iw;          /* [n] weight of the dependencies contracted into each vertex */
} level;

typedef struct {
    const zp_problem *p;
    const zp_ml_params *prm;
    zp_rng *rng;
    zp_ml_stats *stats;
    level lv[ZP_ML_MAX_LEVELS];
    int nlev;
    int coarsen_to;
    int cycle;
    int quiet; /* no observer calls (trial placements) */
} ml_ctx;

/* Only the cheapest steps are left: the deadline has passed or a stop was requested. */
static int past_deadline(const zp_ml_params *prm)
{
    return (prm->deadline > 0 && zp_now() > prm->deadline) ||
           (prm->stop_requested && prm->stop_requested());
}

static void free_levels(ml_ctx *c)
{
    for (int l = 0; l < c->nlev; l++) {
        problem_destroy(&c->lv[l].owned);
        zp_free(c->lv[l].cmap);
        zp_free(c->lv[l].iw);
        if (l > 0)
            zp_free(c->lv[l].x);
        memset(&c->lv[l], 0, sizeof c->lv[l]);
    }
    c->nlev = 0;
}

static int max_vertex_weight(const zp_problem *p)
{
    int most = 1;
    if (p->vwgt)
        for (int u = 0; u < p->n; u++)
            most = ZP_MAX(most, p->vwgt[u]);
    return most;
}

/* Traffic of the dependencies contracted into the vertices of level l under st's placement:
 * coarse traffic + this = the traffic of the projected placement on the input graph. */
static double contracted_traffic(const ml_ctx *c, int l, const zp_state *st)
{
    const zp_problem *p = c->lv[l].p;
    double t = 0;
    if (!st || !c->lv[l].iw)
        return 0;
    for (int v = 0; v < p->n; v++)
        t += c->lv[l].iw[v] * problem_dist(p, st->x[v], st->x[v]);
    return p->requests * t;
}

static void notify(ml_ctx *c, int what, int l, const zp_state *st)
{
    if (c->prm->observer && !c->quiet)
        c->prm->observer(c->prm->observer_ctx, what, l, c->cycle, c->lv[l].p->n, st,
                         contracted_traffic(c, l, st));
}

/* Builds the levels below level 0 (whose x holds the groups: -1 free or a zone). */
static int build_levels(ml_ctx *c)
{
    int rc = ZP_OK;
    double t0 = zp_now();
    int64_t total = problem_total_weight(c->p);
    int64_t max_vwgt = ZP_MAX(1, (int64_t)(MAX_VWGT_FACTOR * (double)total / c->coarsen_to));
    while (c->nlev < ZP_ML_MAX_LEVELS) {
        level *f = &c->lv[c->nlev - 1];
        if (f->p->n <= c->coarsen_to)
            break;
        zp_problem *cp = NULL;
        int *cmap = NULL;
        double *iw = NULL;
        ZP_CHECK(coarsen_with(f->p, f->iw, f->x, max_vwgt, c->rng, &cp, &cmap, &iw));
        if (cp->n > COARSEN_STALL_SHARE * f->p->n) { /* coarsening stalls: stop here */
            problem_destroy(&cp);
            zp_free(cmap);
            zp_free(iw);
            break;
        }
        level *g = &c->lv[c->nlev];
        g->iw = iw;
        g->owned = cp;
        g->p = cp;
        f->cmap = cmap;
        g->x = zp_malloc(sizeof *g->x * (size_t)ZP_MAX(cp->n, 1));
        c->nlev++;
        if (!g->x)
            ZP_CHECK(ZP_ERUNTIME);
        for (int u = 0; u < f->p->n; u++)
            g->x[cmap[u]] = f->x[u];
        if (c->stats && c->cycle == 0 && c->nlev <= ZP_ML_MAX_LEVELS) {
            c->stats->level_n[c->nlev - 1] = cp->n;
            c->stats->level_m[c->nlev - 1] = cp->xadj[cp->n] / 2;
        }
        notify(c, ZP_ML_COARSEN, c->nlev - 1, NULL);
    }
out:
    if (c->stats)
        c->stats->t_coarsen += zp_now() - t0;
    return rc;
}

/* The band of a level: coarse levels widen it by about half a heavy vertex, since their vertex
 * weights may not add up to the exact band. */
static void level_band(const zp_problem *p, int l, int64_t *lo, int64_t *hi)
{
    problem_band(p, lo, hi);
    if (l == 0)
        return;
    int64_t w = max_vertex_weight(p), width = *hi - *lo;
    if (w > width) {
        int64_t slack = (w - width + 1) / 2;
        *lo = ZP_MAX(0, *lo - slack);
        *hi += slack;
    }
}

static int zone_over_limits(const zp_state *st, int z)
{
    const zp_problem *p = st->p;
    if (st->count[z] > p->slots[z])
        return 1;
    if (p->capacity_mode != ZP_CUMULATIVE)
        return 0;
    for (int r = 0; r < p->nres; r++) {
        double cap = problem_capacity(p, z, r);
        if (st->load[z * p->nres + r] > cap + 1e-9 * fabs(cap))
            return 1;
    }
    return 0;
}

/* Moves vertices that do not fit their zone, or sit in a zone over its limits, to the emptiest
 * zone that takes them. */
static void repair_limits(zp_state *st)
{
    const zp_problem *p = st->p;
    for (int round = 0; round < REPAIR_ROUNDS; round++) {
        int moved = 0;
        for (int u = 0; u < p->n; u++) {
            int a = st->x[u];
            if (app_fits_zone(p, u, a) && !zone_over_limits(st, a))
                continue;
            int best = -1;
            for (int z = 0; z < p->k; z++)
                if (z != a && state_move_fits(st, u, z) &&
                    (best < 0 || st->count[z] < st->count[best]))
                    best = z;
            if (best >= 0) {
                state_move(st, u, best);
                moved++;
            }
        }
        if (!moved)
            break;
    }
}

/* ---- refinement of one level ----------------------------------------------------------------- */

typedef struct {
    int64_t violations, imbalance;
    double objective;
} score;

static int score_better(const score *a, const score *b)
{
    if (a->violations != b->violations)
        return a->violations < b->violations;
    if (a->imbalance != b->imbalance)
        return a->imbalance < b->imbalance;
    return a->objective < b->objective - 1e-9 * fmax(1.0, fabs(b->objective));
}

/* Refines x on level l (in place) with FM passes and rounds of iterated search; *sc gets the
 * result's score (violations counted in full). */
static int refine_level(ml_ctx *c, int l, int *x, int64_t rounds, score *sc)
{
    int rc = ZP_OK;
    const zp_problem *p = c->lv[l].p;
    zp_state *st = NULL;
    zp_search *se = NULL;
    ZP_CHECK(state_create(&st, p, x));
    level_band(p, l, &st->lo, &st->hi);
    st->imbalance = 0; /* against the level's band */
    for (int z = 0; z < p->k; z++)
        st->imbalance += st->count[z] > st->hi   ? st->count[z] - st->hi
                         : st->count[z] < st->lo ? st->lo - st->count[z]
                                                 : 0;
    ZP_CHECK(search_create(&se, st));
    zp_search_limits lim = {0, 0, 0, 0, 1};
    if (l > 0)
        lim.chain_budget = ZP_MAX(COARSE_CHAIN_BUDGET, max_vertex_weight(p));
    if (p->n > LARGE_LEVEL_N) {
        lim.max_passes = LARGE_LEVEL_PASSES;
        lim.min_gain = LARGE_LEVEL_MIN_GAIN;
    }
    search_set_limits(se, &lim);
    if (past_deadline(c->prm))
        rounds = 0;
    zp_ils_params prm = {.rounds = rounds, .deadline = c->prm->deadline,
                         .stop_requested = c->prm->stop_requested};
    ZP_CHECK(search_ils(se, c->rng, &prm));
    memcpy(x, st->x, sizeof *x * (size_t)p->n);
    if (sc) {
        zp_metrics m;
        metrics_compute(p, x, &m);
        sc->violations = m.violations;
        sc->imbalance = st->imbalance;
        sc->objective = state_objective(st);
    }
    notify(c, l == c->nlev - 1 && c->cycle == 0 ? ZP_ML_INITIAL : ZP_ML_REFINE, l, st);
out:
    search_destroy(&se);
    state_destroy(&st);
    return rc;
}

double multilevel_degree_share(const zp_problem *p)
{
    double degree = p->n ? (double)p->xadj[p->n] / p->n : 0;
    return fmin(1.0, ZP_ML_DENSE_DEGREE / fmax(degree, 1.0));
}

/* Rounds of the iterated search on a level of n vertices and m edges: more where it is cheap. */
static int64_t level_rounds(const ml_ctx *c, int l)
{
    const zp_problem *p = c->lv[l].p;
    double effort = c->prm->effort > 0 ? c->prm->effort : 1.0;
    /* a round costs about the square of the degree: dense coarse levels of large graphs get
     * fewer */
    double dense = p->xadj[p->n] < ZP_ML_DENSE_EDGES ? 1.0 : multilevel_degree_share(p);
    if (l == c->nlev - 1) {
        if (c->prm->coarse_rounds != 0)
            return ZP_MAX(0, c->prm->coarse_rounds);
        return (int64_t)(effort * dense * fmin(COARSEST_ROUNDS_MAX, fmax(COARSEST_ROUNDS_MIN, p->n)));
    }
    return (int64_t)(effort * dense * fmin(LEVEL_ROUNDS_MAX, p->n / LEVEL_ROUNDS_PER_VERTICES));
}

/* Places the coarsest level: several greedy growings, each refined; the best is refined more. */
static int initial_placement(ml_ctx *c)
{
    int rc = ZP_OK;
    int l = c->nlev - 1;
    const zp_problem *p = c->lv[l].p;
    int *x = c->lv[l].x, *trial = NULL, *best = NULL;
    double t0 = zp_now();
    int free_count = 0;
    for (int u = 0; u < p->n; u++)
        free_count += x[u] < 0;
    if (free_count == 0) /* V-cycle or fully pre-placed: start from it */
        goto refine;
    ZP_ALLOC(trial, p->n);
    ZP_ALLOC(best, p->n);
    int tries = c->prm->initial_tries > 0 ? c->prm->initial_tries : COARSEST_TRIES;
    int use_mlrb = bisect_multilevel_applies(p, x);
    if (use_mlrb && c->prm->initial_tries <= 0)
        tries = COARSEST_MLRB_TRIES; /* each is a full recursive bisection */
    score best_sc = {INT64_MAX, INT64_MAX, INFINITY};
    int64_t try_rounds = level_rounds(c, l) / (COARSEST_TRY_ROUNDS_DIVISOR * tries);
    for (int t = 0; t < tries; t++) {
        memcpy(trial, x, sizeof *x * (size_t)p->n);
        if (use_mlrb)
            ZP_CHECK(bisect_multilevel(p, trial, c->rng));
        else
            ZP_CHECK(bisect_grow(p, trial, c->rng));
        zp_state *st = NULL;
        ZP_CHECK(state_create(&st, p, trial));
        repair_limits(st);
        memcpy(trial, st->x, sizeof *x * (size_t)p->n);
        state_destroy(&st);
        score sc;
        c->quiet = 1; /* no observer rows for the trials */
        rc = refine_level(c, l, trial, try_rounds, &sc);
        c->quiet = 0;
        ZP_CHECK(rc);
        if (t == 0 || score_better(&sc, &best_sc)) {
            best_sc = sc;
            memcpy(best, trial, sizeof *x * (size_t)p->n);
        }
        if (past_deadline(c->prm))
            break;
    }
    memcpy(x, best, sizeof *x * (size_t)p->n);
refine:
    ZP_CHECK(refine_level(c, l, x, level_rounds(c, l), NULL));
out:
    zp_free(trial);
    zp_free(best);
    if (c->stats)
        c->stats->t_initial += zp_now() - t0;
    return rc;
}

/* Projects the coarsest placement back to level 0, refining every level. */
static int uncoarsen(ml_ctx *c)
{
    int rc = ZP_OK;
    double t0 = zp_now();
    for (int l = c->nlev - 2; l >= 0; l--) {
        level *f = &c->lv[l], *g = &c->lv[l + 1];
        for (int u = 0; u < f->p->n; u++)
            f->x[u] = g->x[f->cmap[u]];
        ZP_CHECK(refine_level(c, l, f->x, l > 0 ? level_rounds(c, l) : 0, NULL));
    }
out:
    if (c->stats)
        c->stats->t_refine += zp_now() - t0;
    return rc;
}

void multilevel_defaults(zp_ml_params *prm) { memset(prm, 0, sizeof *prm); }

/* Independent first cycles: several where a cycle is cheap: 2e6 / (n + m) (16 at 10k apps
 * and 80k dependencies, 2 at 100k / 900k, 1 from 2M on), fewer above 16 zones; times the
 * effort (at most 64). */
static int auto_starts(const zp_problem *p, double effort)
{
    double size = (double)p->n + (double)p->xadj[p->n] / 2;
    /* the coarsest level costs more with k */
    double by_k = pow((double)STARTS_ZONES / fmax(STARTS_ZONES, p->k), STARTS_ZONE_EXPONENT);
    double starts = fmin(STARTS_MAX, floor(STARTS_WORK * by_k / fmax(size, 1)));
    return (int)fmax(1, fmin(STARTS_EFFORT_MAX, floor(starts * effort)));
}

int multilevel_place(const zp_problem *p, int *x, zp_rng *rng, const zp_ml_params *prm,
                     zp_ml_stats *stats)
{
    int rc = ZP_OK;
    ml_ctx c;
    zp_ml_stats local_stats;
    int *entry = NULL, *best = NULL;
    memset(&c, 0, sizeof c);
    if (!stats)
        stats = &local_stats;
    memset(stats, 0, sizeof *stats);
    c.p = p;
    c.prm = prm;
    c.rng = rng;
    c.stats = stats;
    if (p->n == 0)
        return ZP_OK;
    if (p->k == 1) {
        for (int u = 0; u < p->n; u++)
            x[u] = 0;
        return ZP_OK;
    }
    double lg = log2((double)p->k);
    c.coarsen_to = prm->coarsen_to > 0
                       ? prm->coarsen_to
                       : (int)fmax(COARSEN_TO_PER_ZONE * p->k,
                                    fmin((double)p->n / (COARSEN_TO_LOG_DIVISOR * fmax(lg, 1)),
                                         COARSEN_TO_MAX_PER_ZONE * p->k));
    int cycles = prm->vcycles > 0 ? prm->vcycles : VCYCLES;
    double effort = prm->effort > 0 ? prm->effort : 1.0;
    int starts = prm->starts > 0 ? prm->starts : auto_starts(p, effort);
    ZP_ALLOC(entry, p->n);
    ZP_ALLOC(best, p->n);
    memcpy(entry, x, sizeof *x * (size_t)p->n);
    /* independent first cycles (fresh hierarchies and coarsest placements), the best kept;
     * then V-cycles from it */
    score best_sc = {INT64_MAX, INT64_MAX, INFINITY};
    int total_cycles = starts + cycles - 1;
    for (c.cycle = 0; c.cycle < total_cycles; c.cycle++) {
        int fresh = c.cycle < starts;
        if (c.cycle > 0 && past_deadline(prm))
            break;
        if (fresh)
            memcpy(x, entry, sizeof *x * (size_t)p->n);
        c.lv[0].p = p;
        c.lv[0].x = x;
        c.nlev = 1;
        ZP_CHECK(build_levels(&c));
        if (c.cycle == 0) {
            stats->levels = c.nlev;
            stats->level_n[0] = p->n;
            stats->level_m[0] = p->xadj[p->n] / 2;
        }
        ZP_CHECK(initial_placement(&c));
        if (c.nlev > 1)
            ZP_CHECK(uncoarsen(&c));
        free_levels(&c);
        stats->cycles++;
        /* keep the best; a V-cycle may come back worse (its coarse levels have a wider band,
         * which level 0 must repair), then the placement returns to the best */
        zp_metrics m;
        metrics_compute(p, x, &m);
        score sc = {m.violations, m.imbalance, m.objective};
        if (c.cycle == 0 || score_better(&sc, &best_sc)) {
            best_sc = sc;
            memcpy(best, x, sizeof *x * (size_t)p->n);
        } else if (!fresh || c.cycle == starts - 1) {
            memcpy(x, best, sizeof *x * (size_t)p->n);
        }
        if (stats->levels == 1) /* nothing coarser: one placement of level 0 is all */
            break;
    }
    if (stats->cycles > 0)
        memcpy(x, best, sizeof *x * (size_t)p->n);
out:
    if (c.nlev > 0)
        free_levels(&c);
    zp_free(entry);
    zp_free(best);
    return rc;
}
