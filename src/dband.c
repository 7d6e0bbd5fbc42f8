/* dband.c - band refinement of the distributed engine's final placement (dband.h): the band
 * graph of Scotch (the vertices within a few hops of the cut, each zone's other vertices merged
 * into one anchor fixed in that zone) gathered on every rank and refined by the shared FM
 * search. */
#include "dband.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "rng.h"
#include "search.h"
#include "util.h"

/* ---- tuning constants -------------------------------------------------------------------------
 * Measured on the 300x300 grid, the 50^3 mesh, micro-100k and powerlaw-100k at k = 4 and 32
 * (docs/scaling.md step 7). */
/* The band is as wide as the budget allows, up to 16 hops from the cut: the borders a placement
 * of label-propagation clusters leaves are ragged by about a cluster's width (on the 300x300
 * grid at k = 4, FM on a band of 3 hops took the cut 736 -> 720, of 8 hops to 623, of 16 to
 * 600, as FM on the whole graph). */
#define BAND_WIDTH_MAX 16
/* The band is replicated on every rank: its vertices and adjacency entries stay within effort x
 * 4M and a quarter of the graph's. On microservice and power-law graphs most vertices touch the
 * cut, the band would be the graph, and FM on the whole graph gained 0.2-0.6% there: no band. */
#define BAND_ENTRIES_PER_EFFORT 4e6
#define BAND_MAX_SHARE 0.25
/* The iterated search on the band: as the shared engine's levels (multilevel.c), a round per 10
 * band vertices, at most 1,000, x effort (the 50^3 mesh at k = 4, a band after the last cycle
 * only: FM alone 5,718, with 1,000 rounds 5,656, 0.04 s more). */
#define BAND_ROUNDS_MAX 1000
#define BAND_ROUNDS_PER_VERTICES 10
/* The random streams of the search, one per V-cycle (the coarsest level's starts use the
 * streams just below UINT64_MAX). */
#define BAND_STREAM (UINT64_MAX - (UINT64_C(1) << 20))

/* Vertices and adjacency entries of the owned vertices at distance d from the cut, summed over
 * the ranks. */
static int layer_size(dctx *c, const zp_dgraph *g, const int *dist, int d, int64_t *size)
{
    int64_t v[2] = {0, 0};
    for (int u = 0; u < g->nl; u++)
        if (dist[u] == d) {
            v[0]++;
            v[1] += g->xadj[u + 1] - g->xadj[u];
        }
    int rc = c->dc->allreduce_i64(c->dc, v, 2, ZP_DC_SUM);
    *size = v[0] + v[1];
    return rc;
}

/* dist[u] (owned and ghosts): hops from u to the nearest vertex with a neighbour in another
 * zone, in synchronous steps (one ghost exchange each), layer after layer while the band of
 * the layers so far fits the budget; *width = the last layer taken (-1: none; owned vertices
 * farther than it have a larger dist). */
static int band_distances(dctx *c, const zp_dgraph *g, const int *blk, int *dist, int *width)
{
    int rc = ZP_OK;
    int64_t total = g->xadj[g->nl], band = 0, layer = 0;
    ZP_CHECK(c->dc->allreduce_i64(c->dc, &total, 1, ZP_DC_SUM));
    double e = c->prm->effort > 0 ? c->prm->effort : 1.0;
    double graph = (double)g->n + (double)total;
    double budget = fmin(BAND_ENTRIES_PER_EFFORT * e, BAND_MAX_SHARE * graph);
    *width = -1;
    for (int u = 0; u < g->nl; u++) {
        dist[u] = BAND_WIDTH_MAX + 1;
        for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++)
            if (blk[g->adj[j]] != blk[u]) {
                dist[u] = 0;
                break;
            }
    }
    for (int d = 0; d <= BAND_WIDTH_MAX; d++) {
        if (d > 0)
            for (int u = 0; u < g->nl; u++) {
                if (dist[u] <= d)
                    continue;
                for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++)
                    if (dist[g->adj[j]] == d - 1) {
                        dist[u] = d;
                        break;
                    }
            }
        ZP_CHECK(layer_size(c, g, dist, d, &layer));
        if (layer == 0 || (double)(band + layer) > budget)
            break;
        band += layer;
        *width = d;
        ZP_CHECK(dgraph_exchange(g, c->dc, dist, sizeof *dist));
    }
out:
    return rc;
}

/* The band's numbering: band vertices in global id order, then the k anchors. */
typedef struct {
    int64_t *bid;   /* [nl + ng] band id, -1 outside the band */
    int64_t nb;     /* band vertices of all ranks */
    int64_t mine;   /* this rank's */
} band_ids;

static int number_band(dctx *c, const zp_dgraph *g, const int *dist, int width,
                       band_ids *b)
{
    int rc = ZP_OK;
    int64_t first = 0;
    b->mine = 0;
    for (int u = 0; u < g->nl; u++)
        b->mine += dist[u] <= width;
    first = b->mine;
    ZP_CHECK(c->dc->exscan_i64(c->dc, &first, 1));
    b->nb = b->mine;
    ZP_CHECK(c->dc->allreduce_i64(c->dc, &b->nb, 1, ZP_DC_SUM));
    ZP_ALLOC(b->bid, (int64_t)g->nl + g->ng);
    for (int u = 0; u < g->nl; u++)
        b->bid[u] = dist[u] <= width ? first++ : -1;
    ZP_CHECK(dgraph_exchange(g, c->dc, b->bid, sizeof *b->bid));
out:
    return rc;
}

/* Band rows in band id order, ids ascending within a row, the edges into one anchor merged:
 * this rank's (build_rows) or every rank's (gather_rows). */
typedef struct {
    int64_t *info;  /* [3 per vertex] weight, row length, zone */
    int *adj;       /* [len] */
    int64_t *w;     /* [len] */
    int64_t len;
    int64_t *rest;  /* [k] weight of this rank's vertices outside the band, per zone */
} band_rows;

static void rows_free(band_rows *r)
{
    zp_free(r->info);
    zp_free(r->adj);
    zp_free(r->w);
    zp_free(r->rest);
    memset(r, 0, sizeof *r);
}

/* Sorts a row's entries (a band neighbour's id, or nb + the zone of an anchor) by id and merges
 * the repeats (the edges into one anchor); returns the new length. */
static int64_t merge_row(dnbr *e, int64_t n)
{
    qsort(e, (size_t)n, sizeof *e, dengine_cmp_nbr);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (m > 0 && e[m - 1].v == e[i].v)
            e[m - 1].w += e[i].w;
        else
            e[m++] = e[i];
    }
    return m;
}

static int build_rows(dctx *c, const zp_dgraph *g, const int *blk, const band_ids *b,
                      band_rows *r)
{
    int rc = ZP_OK;
    dnbr *e = NULL;
    int64_t cap = 0, len = 0, i = 0;
    for (int u = 0; u < g->nl; u++)
        if (b->bid[u] >= 0)
            cap += g->xadj[u + 1] - g->xadj[u];
    ZP_ALLOC(e, cap);
    ZP_ALLOC(r->info, 3 * b->mine);
    ZP_ALLOC(r->rest, c->k);
    for (int u = 0; u < g->nl; u++) {
        if (b->bid[u] < 0) {
            r->rest[blk[u]] += g->vwgt[u];
            continue;
        }
        int64_t n = 0;
        for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++) {
            int v = g->adj[j];
            e[len + n++] = (dnbr){b->bid[v] >= 0 ? b->bid[v] : b->nb + blk[v], g->wgt[j]};
        }
        n = merge_row(e + len, n);
        r->info[3 * i] = g->vwgt[u];
        r->info[3 * i + 1] = n;
        r->info[3 * i + 2] = blk[u];
        len += n;
        i++;
    }
    ZP_ALLOC(r->adj, len);
    ZP_ALLOC(r->w, len);
    for (int64_t j = 0; j < len; j++) {
        r->adj[j] = (int)e[j].v;
        r->w[j] = e[j].w;
    }
    r->len = len;
out:
    zp_free(e);
    return rc;
}

/* Whether every zone keeps some vertices outside the band (the rest's weights summed over the
 * ranks): an anchor of weight 0 could not stand for its zone, and one heavier than INT_MAX does
 * not fit a problem's vertex weight. */
static int anchors_hold(dctx *c, band_rows *r, int *hold)
{
    int rc = c->dc->allreduce_i64(c->dc, r->rest, c->k, ZP_DC_SUM);
    *hold = 1;
    for (int z = 0; z < c->k; z++)
        *hold = *hold && r->rest[z] > 0 && r->rest[z] <= INT_MAX;
    return rc;
}

/* The band's rows of all ranks on every rank, in band id order, in *a (its rest unused). */
static int gather_rows(dctx *c, const band_ids *b, const band_rows *r, band_rows *a)
{
    int rc = ZP_OK;
    zp_dcomm *dc = c->dc;
    int size = dc->size;
    int64_t *counts = NULL, *bytes = NULL;
    ZP_ALLOC(counts, size);
    ZP_ALLOC(bytes, size);
    for (int q = 0; q < size; q++)
        bytes[q] = sizeof *counts;
    ZP_CHECK(dc->allgatherv(dc, &b->mine, sizeof b->mine, counts, bytes));
    for (int q = 0; q < size; q++)
        bytes[q] = 3 * counts[q] * (int64_t)sizeof *a->info;
    ZP_ALLOC(a->info, 3 * b->nb);
    ZP_CHECK(dc->allgatherv(dc, r->info, 3 * b->mine * (int64_t)sizeof *a->info, a->info, bytes));
    int64_t q = 0, seen = 0;
    memset(bytes, 0, sizeof *bytes * (size_t)size);
    a->len = 0;
    for (int64_t u = 0; u < b->nb; u++) {
        while (seen + counts[q] <= u) /* the owner of band vertex u */
            seen += counts[q++];
        bytes[q] += a->info[3 * u + 1] * (int64_t)sizeof *a->adj;
        a->len += a->info[3 * u + 1];
    }
    ZP_ALLOC(a->adj, a->len);
    ZP_ALLOC(a->w, a->len);
    ZP_CHECK(dc->allgatherv(dc, r->adj, r->len * (int64_t)sizeof *a->adj, a->adj, bytes));
    for (int p = 0; p < size; p++)
        bytes[p] = bytes[p] / (int64_t)sizeof *a->adj * (int64_t)sizeof *a->w;
    ZP_CHECK(dc->allgatherv(dc, r->w, r->len * (int64_t)sizeof *a->w, a->w, bytes));
out:
    zp_free(counts);
    zp_free(bytes);
    return rc;
}

/* s's CSR: the band rows as gathered, then each anchor's row (the band's edges into it, in
 * band id order). */
static int band_csr(const dctx *c, int64_t nb, const band_rows *a, zp_problem *s)
{
    int rc = ZP_OK;
    int k = c->k;
    int64_t n = nb + k, at = 0, *fill = NULL;
    ZP_ALLOC(fill, k);
    for (int64_t j = 0; j < a->len; j++)
        if (a->adj[j] >= nb)
            fill[a->adj[j] - nb]++;
    ZP_ALLOC(s->xadj, n + 1);
    for (int64_t u = 0; u < nb; u++) {
        s->xadj[u] = at;
        at += a->info[3 * u + 1];
    }
    for (int z = 0; z < k; z++) { /* fill: each anchor's degree, then where its row goes on */
        s->xadj[nb + z] = at;
        at += fill[z];
        fill[z] = s->xadj[nb + z];
    }
    s->xadj[n] = at;
    ZP_ALLOC(s->adjncy, at);
    ZP_ALLOC(s->adjwgt, at);
    for (int64_t u = 0, j = 0; u < nb; u++)
        for (int64_t e = 0; e < a->info[3 * u + 1]; e++, j++) {
            double wt = (double)a->w[j] / (double)c->scale;
            s->adjncy[s->xadj[u] + e] = a->adj[j];
            s->adjwgt[s->xadj[u] + e] = wt;
            if (a->adj[j] >= nb) {
                int64_t f = fill[a->adj[j] - nb]++;
                s->adjncy[f] = (int)u;
                s->adjwgt[f] = wt;
            }
        }
    for (int64_t j = 0; j < at; j++)
        s->dep_weight_total += s->adjwgt[j] / 2;
    s->ndeps = at / 2;
out:
    zp_free(fill);
    return rc;
}

/* Every rank gets the band problem: the band vertices, then the anchors (anchor z allowed in
 * zone z only, its weight the rest of the zone's). x: the current zones. */
static int gather_band(dctx *c, const band_ids *b, const band_rows *r, zp_problem **out,
                       int **x_out)
{
    int rc = ZP_OK;
    int k = c->k;
    int64_t nb = b->nb, n = nb + k;
    int *x = NULL;
    zp_problem *s = NULL;
    band_rows a = {NULL, NULL, NULL, 0, NULL};
    ZP_CHECK(gather_rows(c, b, r, &a));
    ZP_CHECK(dengine_zone_problem(c, (int)n, &s));
    ZP_CHECK(band_csr(c, nb, &a, s));
    ZP_ALLOC(x, n);
    for (int64_t u = 0; u < nb; u++) {
        s->vwgt[u] = (int)a.info[3 * u];
        x[u] = (int)a.info[3 * u + 2];
    }
    ZP_ALLOC(s->allowed_xadj, n + 1);
    ZP_ALLOC(s->allowed, k);
    for (int64_t u = 0; u <= n; u++)
        s->allowed_xadj[u] = u <= nb ? 0 : u - nb;
    for (int z = 0; z < k; z++) {
        s->vwgt[nb + z] = (int)r->rest[z];
        s->allowed[z] = z;
        x[nb + z] = z;
    }
    s->band_no_floor = c->zones->band_no_floor;
    *out = s;
    *x_out = x;
    s = NULL;
    x = NULL;
out:
    rows_free(&a);
    zp_free(x);
    problem_destroy(&s);
    return rc;
}

/* FM passes and the iterated search on the band problem s (nb band vertices) from x, the same
 * on every rank; x gets the best placement. */
static int search_band(dctx *c, const zp_problem *s, int64_t nb, int cycle, int *x)
{
    int rc = ZP_OK;
    zp_state *st = NULL;
    zp_search *se = NULL;
    zp_rng rng;
    double e = c->prm->effort > 0 ? c->prm->effort : 1.0;
    rng_seed(&rng, c->prm->seed, c->prm->task, BAND_STREAM - (uint64_t)cycle);
    ZP_CHECK(state_create(&st, s, x));
    ZP_CHECK(search_create(&se, st));
    zp_ils_params prm = {
        .rounds = (int64_t)(e * fmin(BAND_ROUNDS_MAX, (double)nb / BAND_ROUNDS_PER_VERTICES))};
    ZP_CHECK(search_ils(se, &rng, &prm));
    memcpy(x, st->x, sizeof *x * (size_t)s->n);
out:
    search_destroy(&se);
    state_destroy(&st);
    return rc;
}

int dband_refine(dctx *c, const zp_dgraph *g, int *blk, int cycle, int *applied)
{
    int rc = ZP_OK, width = -1, hold = 0;
    int *dist = NULL, *x = NULL;
    band_ids b = {NULL, 0, 0};
    band_rows r;
    zp_problem *s = NULL;
    memset(&r, 0, sizeof r);
    *applied = 0;
    ZP_ALLOC(dist, (int64_t)g->nl + g->ng);
    ZP_CHECK(band_distances(c, g, blk, dist, &width));
    if (width < 0)
        goto out;
    ZP_CHECK(number_band(c, g, dist, width, &b));
    ZP_CHECK(build_rows(c, g, blk, &b, &r));
    ZP_CHECK(anchors_hold(c, &r, &hold));
    if (!hold)
        goto out;
    ZP_CHECK(gather_band(c, &b, &r, &s, &x));
    ZP_CHECK(search_band(c, s, b.nb, cycle, x));
    for (int u = 0; u < g->nl; u++)
        if (b.bid[u] >= 0)
            blk[u] = x[b.bid[u]];
    ZP_CHECK(dgraph_exchange(g, c->dc, blk, sizeof *blk));
    *applied = 1;
out:
    zp_free(dist);
    zp_free(x);
    zp_free(b.bid);
    rows_free(&r);
    problem_destroy(&s);
    return rc;
}
