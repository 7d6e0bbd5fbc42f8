/* dcoarsen.c - the coarsening of the distributed engine (dcoarsen.h): size-constrained
 * label-propagation clustering in synchronous sub-rounds, and the contraction of the clusters
 * into the next level's distributed graph. */
#include "dcoarsen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "multilevel.h"
#include "util.h"

/* ---- tuning constants -------------------------------------------------------------------------
 * The methods are published (size-constrained label propagation in synchronous sub-rounds as
 * in KaMinPar / dKaMinPar; docs/scaling.md); the numbers are this program's, set with the
 * engine (5faaa6a) and measured on the micro-1M bench graph (docs/scaling.md, `make bench`).
 * tests/e2e/test_dist.sh pins the placements they give. */
/* Label propagation: at most 3 rounds per level, each in 4 sub-rounds; a round that moves fewer
 * than 1/100 of the vertices ends the level (docs/scaling.md step 2). */
#define LP_ROUNDS 3
#define LP_SUBROUNDS 4
#define LP_MIN_MOVES_DIVISOR 100
/* Heaviest cluster: epsilon * apps / k apps (at least 2), with epsilon at least 0.01. A level
 * that stalls above the gather size is clustered again with clusters up to 2.2x heavier: micro-1M,
 * k = 64 stalled at 8,444 vertices and 1.4M adjacency entries, which every rank then holds and
 * places. One more level there: 0.6% less cut, 17 MB less per rank on 2 ranks; micro-100k
 * k = 32 / 64 and a 50k graph at k = 32 cut 2.1%, 1.3% and 4.0% less. Factors tried: 1.3 (no
 * gain in cut), 1.7 (+0.6% cut on micro-100k k = 32), 3.0 (a coarsest level 1.6x slower). */
#define CLUSTER_MIN_IMBALANCE 0.01
#define CLUSTER_MIN_WEIGHT 2
#define CLUSTER_STALL_RELAX 2.2
/* Coarsen to about max(2000, 100 k) vertices, or until a level keeps more than 90% of its
 * vertices (docs/scaling.md step 3). */
#define GATHER_N_MIN 2000.0
#define GATHER_N_PER_ZONE 100.0
#define COARSEN_STALL_SHARE 0.9

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The random number of (seed, level, round, vertex): the same on any rank. */
static uint64_t vhash(const dctx *c, int level, int round, int64_t gid)
{
    return mix64(c->prm->seed ^ mix64((uint64_t)level * 0x9e3779b97f4a7c15ULL ^
                                      mix64((uint64_t)round + 0x632be59bd9b4e019ULL) ^
                                      mix64((uint64_t)gid + 0x85ebca6bULL)));
}

/* Byte counts per rank from record counts. */
static void to_bytes(int64_t *count, int size, size_t rec)
{
    for (int r = 0; r < size; r++)
        count[r] *= (int64_t)rec;
}

/* ---- label-propagation clustering --------------------------------------------------------- */

typedef struct {
    int64_t *key, *val; /* open addressing, key -1 empty */
    int64_t cap;        /* power of two */
    int64_t *used;      /* slots in use */
    int64_t nused;
} rate_map;

static int map_init(rate_map *m, int64_t need)
{
    int rc = ZP_OK;
    m->cap = 16;
    while (m->cap < 2 * need)
        m->cap *= 2;
    ZP_ALLOC(m->key, m->cap);
    ZP_ALLOC(m->val, m->cap);
    ZP_ALLOC(m->used, m->cap);
    for (int64_t i = 0; i < m->cap; i++)
        m->key[i] = -1;
    m->nused = 0;
out:
    return rc;
}

static void map_free(rate_map *m)
{
    zp_free(m->key);
    zp_free(m->val);
    zp_free(m->used);
    memset(m, 0, sizeof *m);
}

/* The slot of key among the first mask + 1 slots (a power of two, at least twice the keys
 * the vertex can bring): a small vertex uses a table that stays in the L1 cache, not one sized
 * for the largest degree, whose slots missed the cache at every rating. */
static int64_t map_slot(rate_map *m, int64_t mask, int64_t key)
{
    int64_t h = (int64_t)(mix64((uint64_t)key) & (uint64_t)mask);
    while (m->key[h] != -1 && m->key[h] != key)
        h = (h + 1) & mask;
    if (m->key[h] == -1) {
        m->key[h] = key;
        m->val[h] = 0;
        m->used[m->nused++] = h;
    }
    return h;
}

/* The mask of map_slot for at most keys keys. */
static int64_t map_mask(int64_t keys)
{
    int64_t mask = 15;
    while (mask + 1 < 2 * keys)
        mask = 2 * mask + 1;
    return mask;
}

static void map_clear(rate_map *m)
{
    for (int64_t i = 0; i < m->nused; i++)
        m->key[m->used[i]] = -1;
    m->nused = 0;
}

/* The cluster u would join (-1: stay): the heaviest connection, ties by a hash of the label;
 * never skip, the cluster that refused u's last request. With zone ([nl+ng], a V-cycle), only
 * neighbours in u's own zone count: every cluster then stays inside the zone of the vertex
 * that founded it. */
static int64_t lp_target(const dctx *c, const zp_dgraph *g, rate_map *m, int u,
                         const int32_t *label, int level, int round, int64_t skip,
                         const int *zone)
{
    int64_t b = g->xadj[u], e = g->xadj[u + 1], mask = map_mask(e - b + 1);
    for (int64_t j = b; j < e; j++)
        ZP_PREFETCH(&label[g->adj[j]]);
    if (zone) {
        for (int64_t j = b; j < e; j++)
            if (zone[g->adj[j]] == zone[u])
                m->val[map_slot(m, mask, label[g->adj[j]])] += g->wgt[j];
    } else {
        for (int64_t j = b; j < e; j++)
            m->val[map_slot(m, mask, label[g->adj[j]])] += g->wgt[j];
    }
    int64_t own = label[u], best = -1, best_w = 0, own_w = 0;
    uint64_t best_h = 0;
    for (int64_t i = 0; i < m->nused; i++) {
        int64_t s = m->used[i], l = m->key[s], w = m->val[s];
        if (l == own) {
            own_w = w;
            continue;
        }
        if (l == skip)
            continue;
        if (w < best_w)
            continue;
        uint64_t h = w > best_w || best < 0 ? 0 : vhash(c, level, round, l);
        if (w > best_w || best < 0) {
            best = l;
            best_w = w;
            best_h = UINT64_MAX; /* hashed only when a tie needs it */
        } else {
            if (best_h == UINT64_MAX)
                best_h = vhash(c, level, round, best);
            if (h < best_h) {
                best = l;
                best_h = h;
            }
        }
    }
    map_clear(m);
    return best >= 0 && best_w > own_w ? best : -1;
}

typedef struct {
    int64_t cluster, weight;
} lp_request;

/* Sends one request per mover (want[i] >= 0 for vertex vs[i]; vs ascending) to the owner of
 * the cluster; ok[i] gets 1 for an approved move. cw: weights of this rank's clusters. */
static int lp_approve(dctx *c, const zp_dgraph *g, const int *vs, int64_t nv,
                      const int64_t *want, int64_t *cw, int64_t maxw, int64_t *ok)
{
    int rc = ZP_OK;
    zp_dcomm *dc = c->dc;
    int size = dc->size;
    int64_t *from = NULL, *scount = NULL, *rcount = NULL, *pos = NULL, *fits = NULL, *back = NULL;
    int *owner = NULL;
    lp_request *req = NULL, *got = NULL;
    ZP_ALLOC(from, size + 1);
    ZP_ALLOC(scount, size);
    ZP_ALLOC(rcount, size);
    ZP_ALLOC(pos, nv);
    ZP_ALLOC(owner, nv);
    int64_t nreq = 0;
    for (int64_t i = 0; i < nv; i++)
        if (want[i] >= 0) {
            owner[i] = dgraph_owner(g->vtxdist, size, want[i]);
            from[owner[i] + 1]++;
            nreq++;
        }
    for (int r = 0; r < size; r++) {
        scount[r] = from[r + 1];
        from[r + 1] += from[r];
    }
    ZP_ALLOC(req, nreq);
    for (int64_t i = 0; i < nv; i++) {
        if (want[i] < 0)
            continue;
        pos[i] = from[owner[i]]++;
        req[pos[i]] = (lp_request){want[i], g->vwgt[vs[i]]};
    }
    to_bytes(scount, size, sizeof *req);
    int64_t total = 0;
    ZP_CHECK(dgraph_sendrecv(dc, req, scount, (void **)&got, rcount, &total));
    total /= (int64_t)sizeof *got;
    ZP_ALLOC(fits, total);
    /* arrivals come rank after rank, each in vertex order: global vertex order */
    for (int64_t i = 0; i < total; i++) {
        int64_t *w = &cw[got[i].cluster - g->first];
        if (*w + got[i].weight <= maxw) {
            *w += got[i].weight;
            fits[i] = 1;
        }
    }
    for (int r = 0; r < size; r++) { /* the answers go back the way the requests came */
        rcount[r] = rcount[r] / (int64_t)sizeof *got * (int64_t)sizeof *fits;
        scount[r] = scount[r] / (int64_t)sizeof *req * (int64_t)sizeof *fits;
    }
    ZP_ALLOC(back, nreq);
    ZP_CHECK(dc->alltoallv(dc, fits, rcount, back, scount));
    for (int64_t i = 0; i < nv; i++)
        ok[i] = want[i] >= 0 ? back[pos[i]] : 0;
out:
    zp_free(from);
    zp_free(scount);
    zp_free(rcount);
    zp_free(pos);
    zp_free(owner);
    zp_free(fits);
    zp_free(back);
    zp_free(req);
    zp_free(got);
    return rc;
}

/* The clusters left by the approved movers among vs (ok[i]) lose their weight (sent to the
 * clusters' owners). */
static int lp_leave(dctx *c, const zp_dgraph *g, const int32_t *label, const int *vs,
                    int64_t nv, const int64_t *ok, int64_t *cw)
{
    int rc = ZP_OK;
    zp_dcomm *dc = c->dc;
    int size = dc->size;
    int64_t *from = NULL, *scount = NULL, *rcount = NULL;
    lp_request *out_req = NULL, *got = NULL;
    ZP_ALLOC(from, size + 1);
    ZP_ALLOC(scount, size);
    ZP_ALLOC(rcount, size);
    int64_t n = 0;
    for (int64_t i = 0; i < nv; i++)
        if (ok[i]) {
            from[dgraph_owner(g->vtxdist, size, label[vs[i]]) + 1]++;
            n++;
        }
    for (int r = 0; r < size; r++) {
        scount[r] = from[r + 1];
        from[r + 1] += from[r];
    }
    ZP_ALLOC(out_req, n);
    for (int64_t i = 0; i < nv; i++)
        if (ok[i]) {
            int u = vs[i];
            out_req[from[dgraph_owner(g->vtxdist, size, label[u])]++] =
                (lp_request){label[u], g->vwgt[u]};
        }
    to_bytes(scount, size, sizeof *out_req);
    int64_t total = 0;
    ZP_CHECK(dgraph_sendrecv(dc, out_req, scount, (void **)&got, rcount, &total));
    total /= (int64_t)sizeof *got;
    for (int64_t i = 0; i < total; i++)
        cw[got[i].cluster - g->first] -= got[i].weight;
out:
    zp_free(from);
    zp_free(scount);
    zp_free(rcount);
    zp_free(out_req);
    zp_free(got);
    return rc;
}

/* The owned vertices grouped by the sub-round of the round they decide in, each group in
 * ascending vertex order: group s is vs[start[s]] .. vs[start[s + 1] - 1]. */
static void lp_subrounds(const dctx *c, const zp_dgraph *g, int level, int round,
                         unsigned char *sub_of, int *vs, int64_t *start)
{
    memset(start, 0, sizeof *start * (LP_SUBROUNDS + 1));
    for (int u = 0; u < g->nl; u++) {
        sub_of[u] = (unsigned char)(vhash(c, level, round, g->first + u) % LP_SUBROUNDS);
        start[sub_of[u] + 1]++;
    }
    for (int s = 0; s < LP_SUBROUNDS; s++)
        start[s + 1] += start[s];
    int64_t at[LP_SUBROUNDS];
    memcpy(at, start, sizeof at);
    for (int u = 0; u < g->nl; u++)
        vs[at[sub_of[u]]++] = u;
}

/* Size-constrained label propagation: label[u] (owned and ghosts) = the global id naming u's
 * cluster; cw[i] = weight of the cluster named by owned vertex i. Synchronous sub-rounds:
 * vertices of a sub-round decide from the state before it; each cluster's owner approves joins
 * in global vertex order while the cluster stays within maxw. A vertex does not ask the cluster
 * that refused it last again: the heaviest connections of most vertices lead to a few clusters
 * that fill up, and vertices asking them again and again stalled the coarsening (micro-1M,
 * k = 64: 23,654 -> 21,984 vertices, a coarsest level of 22k vertices; now 12,723 -> 8,444).
 * A sub-round walks its own vertices only (lp_subrounds), not every owned vertex. The labels
 * are 32-bit (a problem has at most INT_MAX apps): every rating reads them at random, and at
 * half the bytes the array of a rank's owned vertices and ghosts stays in the cache more. */
static int lp_cluster(dctx *c, const zp_dgraph *g, int level, int64_t maxw, const int *zone,
                      int32_t *label, int64_t *cw)
{
    int rc = ZP_OK;
    rate_map m = {0};
    int64_t *want = NULL, *ok = NULL, *refused = NULL, start[LP_SUBROUNDS + 1];
    int *vs = NULL;
    unsigned char *sub_of = NULL;
    int64_t maxdeg = 1;
    for (int u = 0; u < g->nl; u++) {
        label[u] = (int32_t)(g->first + u);
        cw[u] = g->vwgt[u];
        maxdeg = ZP_MAX(maxdeg, g->xadj[u + 1] - g->xadj[u]);
    }
    for (int i = 0; i < g->ng; i++)
        label[g->nl + i] = (int32_t)g->ghost_gid[i];
    ZP_CHECK(map_init(&m, maxdeg + 1));
    ZP_ALLOC(want, g->nl);
    ZP_ALLOC(ok, g->nl);
    ZP_ALLOC(vs, g->nl);
    ZP_ALLOC(sub_of, g->nl);
    ZP_ALLOC(refused, g->nl);
    for (int u = 0; u < g->nl; u++)
        refused[u] = -1;
    for (int round = 0; round < LP_ROUNDS; round++) {
        int64_t moves = 0;
        lp_subrounds(c, g, level, round, sub_of, vs, start);
        for (int sub = 0; sub < LP_SUBROUNDS; sub++) {
            const int *sv = vs + start[sub];
            int64_t nv = start[sub + 1] - start[sub];
            for (int64_t i = 0; i < nv; i++)
                want[i] = lp_target(c, g, &m, sv[i], label, level, round, refused[sv[i]], zone);
            ZP_CHECK(lp_approve(c, g, sv, nv, want, cw, maxw, ok));
            ZP_CHECK(lp_leave(c, g, label, sv, nv, ok, cw));
            for (int64_t i = 0; i < nv; i++) {
                if (want[i] < 0)
                    continue;
                if (ok[i]) {
                    label[sv[i]] = (int32_t)want[i];
                    moves++;
                } else {
                    refused[sv[i]] = want[i];
                }
            }
            ZP_CHECK(dgraph_exchange(g, c->dc, label, sizeof *label));
        }
        ZP_CHECK(c->dc->allreduce_i64(c->dc, &moves, 1, ZP_DC_SUM));
        if (moves < g->n / LP_MIN_MOVES_DIVISOR)
            break;
    }
out:
    map_free(&m);
    zp_free(want);
    zp_free(ok);
    zp_free(vs);
    zp_free(refused);
    zp_free(sub_of);
    return rc;
}

/* ---- contraction ---------------------------------------------------------------------------- */

typedef struct {
    int32_t cu; /* coarse vertex, relative to its owner's first */
    int32_t cv; /* coarse neighbour, global */
    int64_t w;
} cedge;

/* A growing array of contraction records. */
typedef struct {
    cedge *rec;
    int64_t len, cap;
} cedges;

/* Appends a record, growing the array. */
static int push_edge(cedges *e, cedge rec)
{
    if (e->len == e->cap) {
        int64_t grown = ZP_MAX(1024, e->cap * 2);
        cedge *a = zp_realloc(e->rec, sizeof *a * (size_t)grown);
        if (!a)
            return ZP_ERUNTIME;
        e->rec = a;
        e->cap = grown;
    }
    e->rec[e->len++] = rec;
    return ZP_OK;
}

/* Sorts the n pairs (key[i], val[i]) by key (keys >= 0), stably: LSD radix sort, a byte a pass
 * over the bytes the largest key needs. tk, tv: scratch of n pairs. */
static void radix_sort_pairs(int64_t *key, int *val, int64_t *tk, int *tv, int64_t n)
{
    int64_t maxk = 0, cnt[257];
    int64_t *k0 = key, *k1 = tk;
    int *v0 = val, *v1 = tv;
    for (int64_t i = 0; i < n; i++)
        maxk = ZP_MAX(maxk, key[i]);
    for (int shift = 0; shift < 64 && (maxk >> shift) > 0; shift += 8) {
        memset(cnt, 0, sizeof cnt);
        for (int64_t i = 0; i < n; i++)
            cnt[((k0[i] >> shift) & 255) + 1]++;
        for (int d = 0; d < 256; d++)
            cnt[d + 1] += cnt[d];
        for (int64_t i = 0; i < n; i++) {
            int64_t at = cnt[(k0[i] >> shift) & 255]++;
            k1[at] = k0[i];
            v1[at] = v0[i];
        }
        int64_t *kt = k0;
        int *vt = v0;
        k0 = k1, k1 = kt, v0 = v1, v1 = vt;
    }
    if (k0 != key) {
        memcpy(key, k0, sizeof *key * (size_t)n);
        memcpy(val, v0, sizeof *val * (size_t)n);
    }
}

/* This rank's edges between coarse vertices, merged per coarse vertex, in ascending coarse
 * vertex order: those of the coarse vertices this rank owns in *own, the others in *out
 * (grouped by owner: scount[r] records for rank r, none for this rank). The own records are
 * never sent: on two ranks about half of them, which the exchange copied and the owner held
 * twice (micro-1M, k = 64: 24 MB a rank). cmap: [nl+ng]. */
static int local_coarse_edges(const zp_dgraph *g, const int64_t *cmap, const int64_t *cvd,
                              int size, int rank, cedges *own, cedges *out, int64_t *scount)
{
    int rc = ZP_OK;
    int64_t *ids = NULL, *start = NULL, *tk = NULL;
    int *member = NULL, *tv = NULL;
    rate_map m = {0};
    int64_t nd = 0, most = 1;
    int nl = g->nl;
    ZP_ALLOC(ids, nl);
    ZP_ALLOC(member, nl);
    ZP_ALLOC(tk, nl);
    ZP_ALLOC(tv, nl);
    for (int u = 0; u < nl; u++) {
        ids[u] = cmap[u];
        member[u] = u;
    }
    radix_sort_pairs(ids, member, tk, tv, nl);
    ZP_ALLOC(start, (int64_t)nl + 1);
    for (int a = 0; a < nl; a++) /* the groups of equal coarse vertex; start[] their degrees */
        if (a == 0 || ids[a] != ids[nd - 1]) {
            ids[nd++] = ids[a];
            start[nd] = 1;
            tk[nd - 1] = g->xadj[member[a] + 1] - g->xadj[member[a]];
        } else {
            start[nd]++;
            tk[nd - 1] += g->xadj[member[a] + 1] - g->xadj[member[a]];
        }
    for (int64_t i = 0; i < nd; i++) {
        most = ZP_MAX(most, tk[i]);
        start[i + 1] += start[i];
    }
    ZP_CHECK(map_init(&m, most + 1));
    memset(scount, 0, sizeof *scount * (size_t)size);
    for (int64_t i = 0; i < nd; i++) {
        int64_t cu = ids[i];
        int owner = dgraph_owner(cvd, size, cu);
        int64_t mask = map_mask(tk[i] + 1);
        for (int64_t a = start[i]; a < start[i + 1]; a++) {
            int u = member[a];
            /* the members are scattered: the rows two members ahead and the coarse ids of the
             * next member's neighbours are fetched while this row is merged */
            if (a + 2 < nl) {
                int64_t r = g->xadj[member[a + 2]];
                ZP_PREFETCH(&g->adj[r]);
                ZP_PREFETCH(&g->wgt[r]);
            }
            if (a + 1 < nl)
                for (int64_t j = g->xadj[member[a + 1]]; j < g->xadj[member[a + 1] + 1]; j++)
                    ZP_PREFETCH(&cmap[g->adj[j]]);
            for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++) {
                int64_t cv = cmap[g->adj[j]];
                if (cv != cu)
                    m.val[map_slot(&m, mask, cv)] += g->wgt[j];
            }
        }
        cedges *to = owner == rank ? own : out;
        for (int64_t s = 0; s < m.nused; s++) {
            cedge rec = {(int32_t)(cu - cvd[owner]), (int32_t)m.key[m.used[s]],
                         m.val[m.used[s]]};
            ZP_CHECK(push_edge(to, rec));
        }
        if (owner != rank)
            scount[owner] += m.nused;
        map_clear(&m);
    }
out:
    map_free(&m);
    zp_free(ids);
    zp_free(start);
    zp_free(member);
    zp_free(tk);
    zp_free(tv);
    return rc;
}

/* The CSR of records already merged per coarse vertex, in ascending coarse vertex order. */
static int merged_csr(const cedge *rec, int64_t total, int ncl, int64_t **xadj_out,
                      int64_t **adj_out, int64_t **wgt_out)
{
    int rc = ZP_OK;
    int64_t *xadj = NULL, *adj = NULL, *wgt = NULL;
    ZP_ALLOC(xadj, (int64_t)ncl + 1);
    ZP_ALLOC(adj, total);
    ZP_ALLOC(wgt, total);
    for (int64_t i = 0; i < total; i++) {
        xadj[rec[i].cu + 1]++;
        adj[i] = rec[i].cv;
        wgt[i] = rec[i].w;
    }
    for (int v = 0; v < ncl; v++)
        xadj[v + 1] += xadj[v];
    *xadj_out = xadj;
    *adj_out = adj;
    *wgt_out = wgt;
    xadj = adj = wgt = NULL;
out:
    zp_free(xadj);
    zp_free(adj);
    zp_free(wgt);
    return rc;
}

/* The owner's ncl coarse vertices from nrun runs of records (run[i], len[i] records), each in
 * ascending coarse vertex order and merged per coarse vertex (this rank's own records, then
 * those of each other rank): the merged CSR with global neighbour ids. The runs are walked side
 * by side, so no record is copied or sorted. */
static int owner_coarse_csr(const cedge *const *run, const int64_t *len, int nrun, int ncl,
                            int64_t **xadj_out, int64_t **adj_out, int64_t **wgt_out)
{
    int rc = ZP_OK;
    int64_t *count = NULL, *at = NULL, *xadj = NULL, *adj = NULL, *wgt = NULL;
    rate_map m = {0};
    if (nrun == 1) /* one run: merged per coarse vertex already, in ascending order */
        return merged_csr(run[0], len[0], ncl, xadj_out, adj_out, wgt_out);
    int64_t total = 0, most = 1, n = 0;
    ZP_ALLOC(count, ncl);
    ZP_ALLOC(at, nrun);
    for (int r = 0; r < nrun; r++) {
        total += len[r];
        for (int64_t i = 0; i < len[r]; i++)
            count[run[r][i].cu]++;
    }
    for (int v = 0; v < ncl; v++)
        most = ZP_MAX(most, count[v]);
    ZP_CHECK(map_init(&m, most + 1));
    ZP_ALLOC(xadj, (int64_t)ncl + 1);
    ZP_ALLOC(adj, total);
    ZP_ALLOC(wgt, total);
    for (int v = 0; v < ncl; v++) {
        xadj[v] = n;
        int64_t mask = map_mask(count[v] + 1);
        for (int r = 0; r < nrun; r++)
            for (; at[r] < len[r] && run[r][at[r]].cu == v; at[r]++)
                m.val[map_slot(&m, mask, run[r][at[r]].cv)] += run[r][at[r]].w;
        for (int64_t s = 0; s < m.nused; s++) {
            adj[n] = m.key[m.used[s]];
            wgt[n++] = m.val[m.used[s]];
        }
        map_clear(&m);
    }
    xadj[ncl] = n;
    *xadj_out = xadj;
    *adj_out = adj;
    *wgt_out = wgt;
    xadj = adj = wgt = NULL;
out:
    map_free(&m);
    zp_free(count);
    zp_free(at);
    zp_free(xadj);
    zp_free(adj);
    zp_free(wgt);
    return rc;
}

/* The coarse vertex of every vertex of g (cmap: [nl+ng], allocated) from the clusters of
 * lp_cluster (label, cw: freed here, before the contraction's records take their memory), and
 * the weights of this rank's coarse vertices (*vwgt, allocated). Coarse vertices are numbered in
 * the order of the global ids naming their clusters and owned by those ids' owners: the same on
 * any number of ranks. cvd: [size+1], the coarse vertex distribution. With zone, *czone_out
 * ([ncl], allocated) gets each owned coarse vertex's zone: that of the vertex naming its
 * cluster, which this rank owns and whose zone every member shares (lp_target). */
static int coarse_ids(dctx *c, const zp_dgraph *g, int32_t **label, int64_t **cw, int64_t *cvd,
                      const int *zone, int64_t **cmap_out, int **vwgt_out, int **czone_out)
{
    int rc = ZP_OK;
    zp_dcomm *dc = c->dc;
    int size = dc->size;
    int64_t *cid = NULL, *cmap = NULL;
    int *vwgt = NULL;
    const int64_t *w = *cw;
    int ncl = 0;
    for (int i = 0; i < g->nl; i++)
        ncl += w[i] > 0;
    memset(cvd, 0, sizeof *cvd * (size_t)(size + 1));
    cvd[dc->rank + 1] = ncl;
    ZP_CHECK(dc->allreduce_i64(dc, cvd, size + 1, ZP_DC_SUM));
    for (int r = 0; r < size; r++)
        cvd[r + 1] += cvd[r];
    ZP_ALLOC(cid, g->nl);
    ZP_ALLOC(vwgt, ncl);
    if (zone)
        ZP_ALLOC(*czone_out, ncl);
    for (int i = 0, at = 0; i < g->nl; i++) {
        cid[i] = w[i] > 0 ? cvd[dc->rank] + at : -1;
        if (w[i] > 0 && zone)
            (*czone_out)[at] = zone[i];
        if (w[i] > 0)
            vwgt[at++] = (int)w[i];
    }
    zp_free(*cw);
    *cw = NULL;
    ZP_ALLOC(cmap, (int64_t)g->nl + g->ng);
    for (int i = 0; i < g->nl; i++) /* the cluster's global id, replaced by its coarse id */
        cmap[i] = (*label)[i];
    zp_free(*label);
    *label = NULL;
    ZP_CHECK(dgraph_fetch(dc, g->vtxdist, cmap, g->nl, cid, cmap));
    ZP_CHECK(dgraph_exchange(g, dc, cmap, sizeof *cmap));
    *cmap_out = cmap;
    *vwgt_out = vwgt;
    cmap = NULL;
    vwgt = NULL;
out:
    zp_free(cid);
    zp_free(cmap);
    zp_free(vwgt);
    return rc;
}

/* Contracts the clusters of g (label, cw from lp_cluster; freed here) into *coarse; *cmap_out
 * ([nl]) gets the global id of each owned vertex's coarse vertex (see coarse_ids). With zone
 * (clusters inside zones), *czone_out gets the zones of the coarse vertices, owned and ghosts. */
static int contract(dctx *c, const zp_dgraph *g, int32_t **label, int64_t **cw, const int *zone,
                    int64_t **cmap_out, zp_dgraph **coarse, int **czone_out)
{
    int rc = ZP_OK;
    zp_dcomm *dc = c->dc;
    int size = dc->size;
    int64_t *cvd = NULL, *cmap = NULL, *scount = NULL, *rcount = NULL, *run_len = NULL;
    int64_t *xadj = NULL, *adj = NULL, *wgt = NULL;
    int *vwgt = NULL, *czone = NULL;
    cedges own = {0}, out = {0};
    cedge *got = NULL;
    const cedge **run = NULL;
    ZP_ALLOC(cvd, size + 1);
    ZP_CHECK(coarse_ids(c, g, label, cw, cvd, zone, &cmap, &vwgt, &czone));
    int ncl = (int)(cvd[dc->rank + 1] - cvd[dc->rank]);
    ZP_ALLOC(scount, size);
    ZP_ALLOC(rcount, size);
    ZP_CHECK(local_coarse_edges(g, cmap, cvd, size, dc->rank, &own, &out, scount));
    /* only the owned vertices' entries are needed further (projection); on two ranks the ghosts
     * were half of them, given back before the owner's merge below */
    int64_t *owned = zp_realloc(cmap, sizeof *cmap * (size_t)ZP_MAX(g->nl, 1));
    if (owned)
        cmap = owned;
    zp_error_clear();
    int64_t total = 0;
    if (size > 1) {
        to_bytes(scount, size, sizeof *out.rec);
        ZP_CHECK(dgraph_sendrecv(dc, out.rec, scount, (void **)&got, rcount, &total));
    }
    zp_free(out.rec);
    out.rec = NULL;
    /* the pages of what the clustering and the local merge freed go back before the owner's
     * merge allocates the coarse graph, the run's peak: the freed blocks did not fit its arrays
     * (micro-1M, k = 64, peak resident size: 253 -> 240 MB a rank on 2 ranks, 418 -> 405 MB
     * on one) */
    zp_release_freed_memory();
    /* the runs: this rank's own records, then those that came from each other rank */
    ZP_ALLOC(run, size);
    ZP_ALLOC(run_len, size);
    int nrun = 0;
    run[nrun] = own.rec;
    run_len[nrun++] = own.len;
    for (int r = 0, from = 0; r < size; r++) {
        int64_t n = rcount[r] / (int64_t)sizeof *got;
        if (n > 0) {
            run[nrun] = got + from;
            run_len[nrun++] = n;
        }
        from += n;
    }
    ZP_CHECK(owner_coarse_csr(run, run_len, nrun, ncl, &xadj, &adj, &wgt));
    zp_free(own.rec);
    own.rec = NULL;
    zp_free(got);
    got = NULL;
    rc = dgraph_assemble(dc, cvd, ncl, xadj, adj, wgt, vwgt, coarse);
    cvd = NULL;
    xadj = adj = wgt = NULL;
    vwgt = NULL;
    ZP_CHECK(rc);
    if (zone) {
        int64_t nall = (int64_t)(*coarse)->nl + (*coarse)->ng; /* the ghosts' zones too */
        int *all = zp_realloc(czone, sizeof *all * (size_t)ZP_MAX(nall, 1));
        if (!all)
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
        czone = all;
        ZP_CHECK(dgraph_exchange(*coarse, dc, czone, sizeof *czone));
        *czone_out = czone;
        czone = NULL;
    }
    *cmap_out = cmap;
    cmap = NULL;
out:
    zp_free(czone);
    zp_free(cvd);
    zp_free(cmap);
    zp_free(scount);
    zp_free(rcount);
    zp_free(run_len);
    zp_free(run);
    zp_free(xadj);
    zp_free(adj);
    zp_free(wgt);
    zp_free(vwgt);
    zp_free(own.rec);
    zp_free(out.rec);
    zp_free(got);
    return rc;
}

/* Collective: the clusters of all ranks (cw: this rank's cluster weights). */
static int count_clusters(dctx *c, const zp_dgraph *g, const int64_t *cw, int64_t *nc)
{
    *nc = 0;
    for (int i = 0; i < g->nl; i++)
        *nc += cw[i] > 0;
    return c->dc->allreduce_i64(c->dc, nc, 1, ZP_DC_SUM);
}

int dcoarsen(dctx *c, const zp_dgraph *g0, int cycle, dlevel *lv, int *nlev)
{
    int rc = ZP_OK;
    int32_t *label = NULL;
    int64_t *cw = NULL;
    double t0 = zp_now();
    int k = c->k;
    int gather_n = c->prm->gather_n > 0 ? c->prm->gather_n
                                        : (int)fmax(GATHER_N_MIN, GATHER_N_PER_ZONE * k);
    double eps = fmax(c->zones->imbalance, CLUSTER_MIN_IMBALANCE);
    int64_t maxw = ZP_MAX(CLUSTER_MIN_WEIGHT, (int64_t)(eps * (double)c->total / k));
    int64_t relaxed = (int64_t)(CLUSTER_STALL_RELAX * (double)maxw);
    lv[0].g = (zp_dgraph *)g0;
    *nlev = 1;
    while (*nlev < ZP_ML_MAX_LEVELS && lv[*nlev - 1].g->n > gather_n) {
        const zp_dgraph *g = lv[*nlev - 1].g;
        ZP_ALLOC(label, (int64_t)g->nl + g->ng);
        ZP_ALLOC(cw, g->nl);
        int lvl = *nlev - 1 + cycle * ZP_ML_MAX_LEVELS;
        const int *zone = lv[*nlev - 1].zone;
        ZP_CHECK(lp_cluster(c, g, lvl, maxw, zone, label, cw));
        int64_t nc = 0;
        ZP_CHECK(count_clusters(c, g, cw, &nc));
        if ((double)nc > COARSEN_STALL_SHARE * (double)g->n && maxw < relaxed) {
            maxw = relaxed; /* for this level and the coarser ones */
            ZP_CHECK(lp_cluster(c, g, lvl, maxw, zone, label, cw));
            ZP_CHECK(count_clusters(c, g, cw, &nc));
        }
        if ((double)nc > COARSEN_STALL_SHARE * (double)g->n) /* stalled: this level is the coarsest */
            break;
        dlevel *f = &lv[*nlev - 1], *cl = &lv[*nlev];
        ZP_CHECK(contract(c, g, &label, &cw, zone, &f->cmap, &cl->g, zone ? &cl->zone : NULL));
        if (cycle == 0)
            c->stats->level_n[*nlev] = cl->g->n;
        (*nlev)++;
        /* the first contraction's records and merge arrays are the largest blocks of the run;
         * their holes stayed resident, and the coarser levels and the replicated coarsest level
         * did not fit them (micro-1M, k = 64, 2 ranks, with the second clustering of a stalled
         * level: 266-274 -> 252-255 MB per rank; without it the coarsest level outgrew the
         * holes anyway and the release saved nothing) */
        if (*nlev == 2)
            zp_release_freed_memory();
        zp_free(label);
        zp_free(cw);
        label = NULL;
        cw = NULL;
    }
out:
    zp_free(label);
    zp_free(cw);
    c->stats->t_coarsen += zp_now() - t0;
    return rc;
}
