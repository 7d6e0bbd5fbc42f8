/* bisect.c - placements of a coarsest level by recursive bisection (bisect.h): greedy graph
 * growing, and multilevel bisection through multilevel_place. */
#include "bisect.h"

#include <math.h>
#include <string.h>

#include "heap.h"
#include "multilevel.h"
#include "util.h"

/* Recursive bisection of the coarsest level: each bisection a multilevel placement of two
 * zones with 4 coarsest tries at a fifth of the default work, within half the imbalance
 * (at least 0.5%) (b2bd1c2). */
#define MLRB_TRIES 4
#define MLRB_EFFORT 0.2
#define MLRB_MIN_IMBALANCE 0.01

/* A split down to one zone: its vertices v go there (1), or nothing happens (0). */
static int one_zone_left(int *x, const int *v, int nv, int z0, int z1)
{
    if (z1 - z0 != 1)
        return 0;
    for (int i = 0; i < nv; i++)
        x[v[i]] = z0;
    return 1;
}

/* ---- initial placement of the coarsest level: recursive bisection by greedy growing -------- */

typedef struct {
    const zp_problem *p;
    int *x;
    zp_rng *rng;
    zp_heapset *hs;
    int *sub, *in;
    double *conn, *wdeg;
    int *buf;
    double *resid; /* [k] apps each zone still takes */
    int stamp;
    int homog;
} rb_ctx;

static int fits_range(const rb_ctx *c, int u, int z0, int z1)
{
    if (c->homog)
        return 1;
    for (int z = z0; z < z1; z++)
        if (app_fits_zone(c->p, u, z))
            return 1;
    return 0;
}

static int rb_split(rb_ctx *c, int *v, int nv, int z0, int z1)
{
    const zp_problem *p = c->p;
    if (nv == 0 || one_zone_left(c->x, v, nv, z0, z1))
        return ZP_OK;
    int zm = z0 + (z1 - z0) / 2;
    double r1 = 0, r = 0, total = 0;
    for (int z = z0; z < z1; z++) {
        r += c->resid[z];
        if (z < zm)
            r1 += c->resid[z];
    }
    c->stamp++;
    for (int i = 0; i < nv; i++) {
        c->sub[v[i]] = c->stamp;
        c->in[v[i]] = 0;
        c->conn[v[i]] = 0;
        total += problem_vwgt(p, v[i]);
    }
    double target = r > 0 ? total * r1 / r : total * (zm - z0) / (z1 - z0);
    for (int i = 0; i < nv; i++) {
        int u = v[i];
        double d = 0;
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
            if (c->sub[p->adjncy[j]] == c->stamp)
                d += p->adjwgt[j];
        c->wdeg[u] = d;
    }
    double grown = 0;
    int scan = (int)rng_below(c->rng, (uint64_t)nv), scanned = 0;
    while (grown < target) {
        int u = heapset_top(c->hs, 0);
        if (u >= 0) {
            heapset_remove(c->hs, u);
        } else {
            while (scanned < nv && (c->in[v[scan]] || !fits_range(c, v[scan], z0, zm))) {
                scan = scan + 1 == nv ? 0 : scan + 1;
                scanned++;
            }
            if (scanned >= nv)
                break;
            u = v[scan];
        }
        double w = problem_vwgt(p, u);
        if (grown + w > target && grown + w - target > target - grown)
            break;
        if (!fits_range(c, u, z0, zm))
            continue;
        c->in[u] = 1;
        grown += w;
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int t = p->adjncy[j];
            if (c->sub[t] != c->stamp || c->in[t])
                continue;
            c->conn[t] += p->adjwgt[j];
            if (heapset_put(c->hs, 0, t, 2 * c->conn[t] - c->wdeg[t]) != ZP_OK)
                return ZP_ERUNTIME;
        }
    }
    heapset_clear(c->hs);
    int n1 = 0, n2 = 0;
    for (int i = 0; i < nv; i++)
        if (c->in[v[i]])
            v[n1++] = v[i];
        else
            c->buf[n2++] = v[i];
    memcpy(v + n1, c->buf, sizeof *v * (size_t)n2);
    int rc = rb_split(c, v, n1, z0, zm);
    return rc != ZP_OK ? rc : rb_split(c, v + n1, n2, zm, z1);
}

/* Places the free vertices (x < 0) of p by recursive bisection; placed ones stay. */
int bisect_grow(const zp_problem *p, int *x, zp_rng *rng)
{
    int rc = ZP_OK;
    rb_ctx c = {p, x, rng, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, problem_fits_everywhere(p)};
    int *v = NULL;
    ZP_CHECK(heapset_create(&c.hs, 1, p->n));
    ZP_ALLOC(c.sub, p->n);
    ZP_ALLOC(c.in, p->n);
    ZP_ALLOC(c.conn, p->n);
    ZP_ALLOC(c.wdeg, p->n);
    ZP_ALLOC(c.buf, p->n);
    ZP_ALLOC(c.resid, p->k);
    ZP_ALLOC(v, p->n);
    double total = (double)problem_total_weight(p), slot_sum = 0;
    int slotted = 1; /* finite slots everywhere (bisection sub-problems): targets follow them */
    for (int z = 0; z < p->k; z++) {
        slotted &= p->slots[z] != ZP_UNLIMITED_SLOTS;
        slot_sum += p->slots[z];
    }
    for (int z = 0; z < p->k; z++)
        c.resid[z] = slotted && slot_sum > 0 ? total * p->slots[z] / slot_sum : total / p->k;
    int nv = 0;
    for (int u = 0; u < p->n; u++) {
        if (x[u] >= 0)
            c.resid[x[u]] -= problem_vwgt(p, u);
        else
            v[nv++] = u;
    }
    for (int z = 0; z < p->k; z++)
        c.resid[z] = fmax(0, c.resid[z]);
    ZP_CHECK(rb_split(&c, v, nv, 0, p->k));
out:
    heapset_destroy(&c.hs);
    zp_free(c.sub);
    zp_free(c.in);
    zp_free(c.conn);
    zp_free(c.wdeg);
    zp_free(c.buf);
    zp_free(c.resid);
    zp_free(v);
    return rc;
}

/* ---- initial placement of the coarsest level: recursive multilevel bisection ----------------
 * For problems whose vertices fit every zone and whose zones have no limits, the coarsest level
 * is split in two by a multilevel placement of a two-zone sub-problem (targets in proportion to
 * the zones on each side, enforced as slots), and each side again, as METIS does it. */

typedef struct {
    const zp_problem *p;
    int *x;
    zp_rng *rng;
    int *local;    /* [n] index of a vertex in the current sub-problem */
    int *sx;       /* [n] placement of the sub-problem */
    int *buf;      /* [n] */
    double eps;    /* imbalance of each bisection */
} mlrb_ctx;

/* Whether the recursive multilevel bisection applies to p. */
int bisect_multilevel_applies(const zp_problem *p, const int *x)
{
    if (p->k < 3 || !problem_fits_everywhere(p) || p->current)
        return 0;
    int64_t total = problem_total_weight(p);
    for (int z = 0; z < p->k; z++) {
        if (p->slots[z] < total)
            return 0;
        if (p->capacity_mode == ZP_CUMULATIVE && problem_zone_has_finite_capacity(p, z))
            return 0;
    }
    for (int u = 0; u < p->n; u++)
        if (x[u] >= 0)
            return 0;
    return 1;
}

/* Whether v lists every vertex of p in order (the first split). */
static int all_in_order(const zp_problem *p, const int *v, int nv)
{
    if (nv != p->n)
        return 0;
    for (int i = 0; i < nv; i++)
        if (v[i] != i)
            return 0;
    return 1;
}

/* The adjacency of the two-zone problem s induced by the nv vertices v of p (c->local: their
 * positions). The first split borrows p's arrays instead of copying them (*borrowed = 1): the
 * distributed engine's coarsest level is dense (micro-1M, k = 64: 8,444 vertices, 1.4M entries),
 * and the copy was 15 MB on every rank. No multiplicities: a bisection counts no dependencies. */
static int bisection_adjacency(mlrb_ctx *c, const int *v, int nv, zp_problem *s, int *borrowed)
{
    int rc = ZP_OK;
    const zp_problem *p = c->p;
    int64_t len = 0;
    *borrowed = all_in_order(p, v, nv);
    if (*borrowed) {
        s->xadj = p->xadj; /* given back by bisection_destroy, never written */
        s->adjncy = p->adjncy;
        s->adjwgt = p->adjwgt;
        for (int64_t j = 0; j < p->xadj[nv]; j++)
            s->dep_weight_total += p->adjwgt[j] / 2;
        s->ndeps = p->xadj[nv] / 2;
        return ZP_OK;
    }
    for (int i = 0; i < nv; i++)
        for (int64_t j = p->xadj[v[i]]; j < p->xadj[v[i] + 1]; j++)
            len += c->local[p->adjncy[j]] >= 0;
    ZP_ALLOC(s->xadj, (int64_t)nv + 1);
    ZP_ALLOC(s->adjncy, len);
    ZP_ALLOC(s->adjwgt, len);
    len = 0;
    for (int i = 0; i < nv; i++) {
        s->xadj[i] = len;
        for (int64_t j = p->xadj[v[i]]; j < p->xadj[v[i] + 1]; j++) {
            int t = c->local[p->adjncy[j]];
            if (t < 0)
                continue;
            s->adjncy[len] = t;
            s->adjwgt[len++] = p->adjwgt[j];
            s->dep_weight_total += p->adjwgt[j] / 2;
        }
    }
    s->xadj[nv] = len;
    s->ndeps = len / 2;
out:
    return rc;
}

/* Destroys a bisection problem, leaving borrowed arrays to their owner. */
static void bisection_destroy(zp_problem **s, int borrowed)
{
    if (*s && borrowed) {
        (*s)->xadj = NULL;
        (*s)->adjncy = NULL;
        (*s)->adjwgt = NULL;
    }
    problem_destroy(s);
}

/* The two-zone problem induced by the nv vertices v of p, with zone targets t0, t1 as slots
 * (*borrowed: see bisection_adjacency). */
static int bisection_problem(mlrb_ctx *c, const int *v, int nv, double t0, double t1,
                             zp_problem **out, int *borrowed)
{
    int rc = ZP_OK;
    const zp_problem *p = c->p;
    zp_problem *s = NULL;
    ZP_CHECK(problem_create(&s));
    s->n = nv;
    s->k = 2;
    s->requests = 1;
    s->move_factor = 0;
    s->imbalance = 1.0; /* no band: the slots keep the sides balanced */
    ZP_ALLOC(s->vwgt, nv);
    ZP_ALLOC(s->demand, 1);
    ZP_ALLOC(s->needs_io, nv);
    ZP_ALLOC(s->size, nv);
    ZP_ALLOC(s->capacity, 1);
    ZP_ALLOC(s->slots, 2);
    ZP_ALLOC(s->zone_io, 2);
    ZP_ALLOC(s->dist, 4);
    s->dist[0] = s->dist[3] = 0;
    s->dist[1] = s->dist[2] = 1;
    s->zone_io[0] = s->zone_io[1] = 1;
    int most = 1;
    for (int i = 0; i < nv; i++) {
        c->local[v[i]] = i;
        s->vwgt[i] = problem_vwgt(p, v[i]);
        s->size[i] = 1;
        most = ZP_MAX(most, s->vwgt[i]);
    }
    s->slots[0] = (int)floor(t0 + fmax(c->eps * t0, most));
    s->slots[1] = (int)floor(t1 + fmax(c->eps * t1, most));
    rc = bisection_adjacency(c, v, nv, s, borrowed);
    if (rc == ZP_OK) {
        *out = s;
        s = NULL;
    }
out:
    bisection_destroy(&s, *borrowed);
    return rc;
}

static int mlrb_split(mlrb_ctx *c, int *v, int nv, int z0, int z1)
{
    int rc = ZP_OK;
    zp_problem *s = NULL;
    int borrowed = 0;
    if (nv == 0 || one_zone_left(c->x, v, nv, z0, z1))
        return ZP_OK;
    int zm = z0 + (z1 - z0) / 2;
    double total = 0;
    for (int i = 0; i < nv; i++)
        total += problem_vwgt(c->p, v[i]);
    double t0 = total * (zm - z0) / (z1 - z0);
    ZP_CHECK(bisection_problem(c, v, nv, t0, total - t0, &s, &borrowed));
    for (int i = 0; i < nv; i++) {
        c->local[v[i]] = -1;
        c->sx[i] = -1;
    }
    zp_ml_params prm;
    multilevel_defaults(&prm);
    prm.starts = 1;
    prm.vcycles = 1;
    prm.initial_tries = MLRB_TRIES;
    prm.effort = MLRB_EFFORT;
    ZP_CHECK(multilevel_place(s, c->sx, c->rng, &prm, NULL));
    int n0 = 0, n1 = 0;
    for (int i = 0; i < nv; i++)
        if (c->sx[i] == 0)
            v[n0++] = v[i];
        else
            c->buf[n1++] = v[i];
    memcpy(v + n0, c->buf, sizeof *v * (size_t)n1);
    bisection_destroy(&s, borrowed);
    ZP_CHECK(mlrb_split(c, v, n0, z0, zm));
    ZP_CHECK(mlrb_split(c, v + n0, n1, zm, z1));
out:
    bisection_destroy(&s, borrowed);
    return rc;
}

int bisect_multilevel(const zp_problem *p, int *x, zp_rng *rng)
{
    int rc = ZP_OK;
    mlrb_ctx c = {p, x, rng, NULL, NULL, NULL, fmax(p->imbalance, MLRB_MIN_IMBALANCE) / 2};
    int *v = NULL;
    ZP_ALLOC(c.local, p->n);
    ZP_ALLOC(c.sx, p->n);
    ZP_ALLOC(c.buf, p->n);
    ZP_ALLOC(v, p->n);
    for (int u = 0; u < p->n; u++) {
        c.local[u] = -1;
        v[u] = u;
    }
    ZP_CHECK(mlrb_split(&c, v, p->n, 0, p->k));
out:
    zp_free(c.local);
    zp_free(c.sx);
    zp_free(c.buf);
    zp_free(v);
    return rc;
}
