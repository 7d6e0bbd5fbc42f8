/* dgraph.c - the distributed graph: slices, ghosts, ghost exchange and value fetches (see
 * dgraph.h), and the one-process communicator (dcomm.h). */
#include "dgraph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Ghosts are found through a table over the global ids when the rank has at least one
 * adjacency entry per global vertex (dgraph_assemble). */
#define LOCALIZE_TABLE_ENTRIES_PER_VERTEX 1

/* ---- one process ----------------------------------------------------------------------------- */

static int serial_alltoallv(zp_dcomm *dc, const void *send, const int64_t *scount, void *recv,
                            const int64_t *rcount)
{
    (void)dc, (void)rcount;
    if (scount[0] > 0)
        memcpy(recv, send, (size_t)scount[0]);
    return ZP_OK;
}

static int serial_alltoall_i64(zp_dcomm *dc, const int64_t *send, int64_t *recv)
{
    (void)dc;
    recv[0] = send[0];
    return ZP_OK;
}

static int serial_allreduce_i64(zp_dcomm *dc, int64_t *v, int count, int op)
{
    (void)dc, (void)v, (void)count, (void)op;
    return ZP_OK;
}

static int serial_exscan_i64(zp_dcomm *dc, int64_t *v, int count)
{
    (void)dc;
    memset(v, 0, sizeof *v * (size_t)count);
    return ZP_OK;
}

static int serial_allgatherv(zp_dcomm *dc, const void *send, int64_t bytes, void *recv,
                             const int64_t *rbytes)
{
    (void)dc, (void)rbytes;
    if (bytes > 0)
        memcpy(recv, send, (size_t)bytes);
    return ZP_OK;
}

zp_dcomm dcomm_serial(void)
{
    return (zp_dcomm){0, 1, NULL, serial_alltoallv, serial_alltoall_i64, serial_allreduce_i64,
                      serial_exscan_i64, serial_allgatherv};
}

/* ---- helpers ----------------------------------------------------------------------------------- */

int dgraph_owner(const int64_t *vtxdist, int size, int64_t gid)
{
    int lo = 0, hi = size - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (vtxdist[mid] <= gid)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int dgraph_sendrecv(zp_dcomm *dc, const void *send, const int64_t *scount, void **recv,
                    int64_t *rcount, int64_t *rtotal)
{
    int rc = ZP_OK;
    char *buf = NULL;
    ZP_CHECK(dc->alltoall_i64(dc, scount, rcount));
    int64_t total = 0;
    for (int r = 0; r < dc->size; r++)
        total += rcount[r];
    ZP_ALLOC(buf, total);
    ZP_CHECK(dc->alltoallv(dc, send, scount, buf, rcount));
    *recv = buf;
    *rtotal = total;
    buf = NULL;
out:
    zp_free(buf);
    return rc;
}

int64_t dgraph_weight_scale(const zp_problem *p)
{
    for (int64_t j = 0; j < p->xadj[p->n]; j++)
        if (p->adjwgt[j] != floor(p->adjwgt[j]))
            return 1024;
    return 1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void dgraph_sort_i64(int64_t *a, int64_t n) { qsort(a, (size_t)n, sizeof *a, cmp_i64); }

int64_t dgraph_find_i64(const int64_t *a, int64_t n, int64_t gid)
{
    int64_t lo = 0, hi = n - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] == gid)
            return mid;
        if (a[mid] < gid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* ---- assembly ------------------------------------------------------------------------------- */

void dgraph_destroy(zp_dgraph **pg)
{
    zp_dgraph *g = pg ? *pg : NULL;
    if (!g)
        return;
    zp_free(g->vtxdist);
    zp_free(g->xadj);
    zp_free(g->adj);
    zp_free(g->wgt);
    zp_free(g->vwgt);
    zp_free(g->ghost_gid);
    zp_free(g->ghost_from);
    zp_free(g->send_from);
    zp_free(g->send_idx);
    zp_free(g);
    *pg = NULL;
}

/* Stores local id into entry j of ids taken as an int array, over the global ids of the same
 * buffer: entry j's bytes belong to global ids at most j, already read (no second array of
 * 4 bytes per entry, whose fresh pages cost as much as the conversion). */
static void store_local(int64_t *ids, int64_t j, int id)
{
    memcpy((char *)ids + (size_t)j * sizeof id, &id, sizeof id);
}

/* Turns adj_gid in place into the local id of each neighbour (an int array, see store_local) and
 * finds the ghosts of g (ascending, unique), by sorting the ids that leave the rank's range. */
static int localize_sorted(zp_dgraph *g, int64_t *adj_gid)
{
    int rc = ZP_OK;
    int64_t m = g->xadj[g->nl], ng = 0, last = g->first + g->nl;
    int64_t *gh = NULL;
    for (int64_t j = 0; j < m; j++)
        ng += adj_gid[j] < g->first || adj_gid[j] >= last;
    ZP_ALLOC(gh, ng);
    ng = 0;
    for (int64_t j = 0; j < m; j++)
        if (adj_gid[j] < g->first || adj_gid[j] >= last)
            gh[ng++] = adj_gid[j];
    dgraph_sort_i64(gh, ng);
    int64_t u = 0;
    for (int64_t i = 0; i < ng; i++)
        if (u == 0 || gh[i] != gh[u - 1])
            gh[u++] = gh[i];
    g->ng = (int)u;
    g->ghost_gid = gh;
    gh = NULL;
    for (int64_t j = 0; j < m; j++) {
        int64_t v = adj_gid[j] - g->first;
        store_local(adj_gid, j, v >= 0 && v < g->nl
                        ? (int)v : g->nl + (int)dgraph_find_i64(g->ghost_gid, g->ng, adj_gid[j]));
    }
out:
    zp_free(gh);
    return rc;
}

/* As localize_sorted, through a table over all global ids (no sort, no search): for a rank
 * whose edges are not much fewer than the global vertices. */
static int localize_table(zp_dgraph *g, int64_t *adj_gid)
{
    int rc = ZP_OK;
    int64_t m = g->xadj[g->nl], ng = 0, last = g->first + g->nl;
    int *slot = NULL; /* per global id: 1 + its ghost index, 0 for none */
    ZP_ALLOC(slot, g->n);
    for (int64_t j = 0; j < m; j++)
        if (adj_gid[j] < g->first || adj_gid[j] >= last)
            slot[adj_gid[j]] = 1;
    for (int64_t v = 0; v < g->n; v++)
        ng += slot[v];
    ZP_ALLOC(g->ghost_gid, ng);
    ng = 0;
    for (int64_t v = 0; v < g->n; v++)
        if (slot[v]) {
            g->ghost_gid[ng] = v;
            slot[v] = (int)++ng;
        }
    g->ng = (int)ng;
    for (int64_t j = 0; j < m; j++) {
        int64_t v = adj_gid[j] - g->first;
        store_local(adj_gid, j, v >= 0 && v < g->nl ? (int)v : g->nl - 1 + slot[adj_gid[j]]);
    }
out:
    zp_free(slot);
    return rc;
}

/* Every owner learns which of its vertices each rank holds as ghosts. */
static int build_plan(zp_dgraph *g, zp_dcomm *dc)
{
    int rc = ZP_OK;
    int64_t *scount = NULL, *rcount = NULL, *req = NULL;
    ZP_ALLOC(g->ghost_from, g->size + 1);
    ZP_ALLOC(g->send_from, g->size + 1);
    ZP_ALLOC(scount, g->size);
    ZP_ALLOC(rcount, g->size);
    for (int i = 0; i < g->ng; i++)
        g->ghost_from[dgraph_owner(g->vtxdist, g->size, g->ghost_gid[i]) + 1]++;
    for (int r = 0; r < g->size; r++) {
        g->ghost_from[r + 1] += g->ghost_from[r];
        scount[r] = (g->ghost_from[r + 1] - g->ghost_from[r]) * (int64_t)sizeof(int64_t);
    }
    int64_t total = 0;
    ZP_CHECK(dgraph_sendrecv(dc, g->ghost_gid, scount, (void **)&req, rcount, &total));
    total /= (int64_t)sizeof(int64_t);
    ZP_ALLOC(g->send_idx, total);
    for (int r = 0; r < g->size; r++)
        g->send_from[r + 1] = g->send_from[r] + rcount[r] / (int64_t)sizeof(int64_t);
    for (int64_t i = 0; i < total; i++)
        g->send_idx[i] = (int)(req[i] - g->first);
out:
    zp_free(scount);
    zp_free(rcount);
    zp_free(req);
    return rc;
}

int dgraph_assemble(zp_dcomm *dc, int64_t *vtxdist, int nl, int64_t *xadj, int64_t *adj_gid,
                    int64_t *wgt, int *vwgt, zp_dgraph **out)
{
    int rc = ZP_OK;
    zp_dgraph *g = zp_calloc(1, sizeof *g);
    if (!g) {
        zp_free(vtxdist);
        zp_free(xadj);
        zp_free(adj_gid);
        zp_free(wgt);
        zp_free(vwgt);
        return ZP_ERUNTIME;
    }
    g->size = dc->size;
    g->vtxdist = vtxdist;
    g->n = vtxdist[dc->size];
    g->first = vtxdist[dc->rank];
    g->nl = nl;
    g->xadj = xadj;
    g->wgt = wgt;
    g->vwgt = vwgt;
    int64_t m = xadj[nl];
    /* the table (4 bytes per global vertex) is used while it is at most half the size of the
     * rank's ids (8 bytes per entry): memory stays proportional to the rank's share */
    if (g->size > 1 && g->n <= LOCALIZE_TABLE_ENTRIES_PER_VERTEX * m)
        ZP_CHECK(localize_table(g, adj_gid));
    else
        ZP_CHECK(localize_sorted(g, adj_gid));
    g->adj = zp_realloc(adj_gid, sizeof *g->adj * (size_t)ZP_MAX(m, 1)); /* the ints: shrunk */
    if (!g->adj) {
        rc = ZP_ERUNTIME;
        goto out;
    }
    adj_gid = NULL;
    ZP_CHECK(build_plan(g, dc));
    *out = g;
    g = NULL;
out:
    zp_free(adj_gid);
    dgraph_destroy(&g);
    return rc;
}

int dgraph_from_problem(const zp_problem *p, int64_t scale, zp_dcomm *dc, zp_dgraph **out)
{
    int rc = ZP_OK;
    int64_t *vtxdist = NULL, *xadj = NULL, *adj = NULL, *wgt = NULL;
    int *vwgt = NULL;
    ZP_ALLOC(vtxdist, dc->size + 1);
    /* rank r starts at the first vertex where vertices + edges reach r / size of the total */
    double total = (double)p->n + (double)p->xadj[p->n];
    int u = 0;
    for (int r = 1; r < dc->size; r++) {
        while (u < p->n && (double)u + (double)p->xadj[u] < total * r / dc->size)
            u++;
        vtxdist[r] = u;
    }
    vtxdist[dc->size] = p->n;
    int64_t first = vtxdist[dc->rank];
    int nl = (int)(vtxdist[dc->rank + 1] - first);
    int64_t e0 = p->xadj[first], m = p->xadj[first + nl] - e0;
    ZP_ALLOC(xadj, nl + 1);
    ZP_ALLOC(adj, m);
    ZP_ALLOC(wgt, m);
    ZP_ALLOC(vwgt, nl);
    for (int i = 0; i <= nl; i++)
        xadj[i] = p->xadj[first + i] - e0;
    for (int64_t j = 0; j < m; j++) {
        adj[j] = p->adjncy[e0 + j];
        wgt[j] = (int64_t)llround(p->adjwgt[e0 + j] * (double)scale);
    }
    for (int i = 0; i < nl; i++)
        vwgt[i] = problem_vwgt(p, (int)first + i);
    rc = dgraph_assemble(dc, vtxdist, nl, xadj, adj, wgt, vwgt, out);
    return rc;
out:
    zp_free(vtxdist);
    zp_free(xadj);
    zp_free(adj);
    zp_free(wgt);
    zp_free(vwgt);
    return rc;
}

/* ---- exchanges ------------------------------------------------------------------------------ */

/* send[i] = vals[idx[i]] for n entries of elem bytes; the engine's 4-, 8- and 16-byte values
 * are copied as words, not one memcpy call each (an exchange packs every boundary vertex). */
static void gather_entries(char *send, const char *vals, const int *idx, int64_t n, size_t elem)
{
    switch (elem) {
    case 4:
        for (int64_t i = 0; i < n; i++)
            memcpy(send + 4 * i, vals + 4 * (size_t)idx[i], 4);
        break;
    case 8:
        for (int64_t i = 0; i < n; i++)
            memcpy(send + 8 * i, vals + 8 * (size_t)idx[i], 8);
        break;
    case 16:
        for (int64_t i = 0; i < n; i++)
            memcpy(send + 16 * i, vals + 16 * (size_t)idx[i], 16);
        break;
    default:
        for (int64_t i = 0; i < n; i++)
            memcpy(send + (size_t)i * elem, vals + (size_t)idx[i] * elem, elem);
    }
}

int dgraph_exchange(const zp_dgraph *g, zp_dcomm *dc, void *vals, size_t elem)
{
    int rc = ZP_OK;
    char *send = NULL, *v = vals;
    int64_t *scount = NULL, *rcount = NULL;
    if (dc->size == 1)
        return ZP_OK;
    int64_t ns = g->send_from[g->size];
    /* written whole below: no zeroing */
    if (!(send = zp_malloc(ZP_MAX(elem * (size_t)ns, 1))))
        ZP_CHECK(ZP_ERUNTIME);
    ZP_ALLOC(scount, g->size);
    ZP_ALLOC(rcount, g->size);
    gather_entries(send, v, g->send_idx, ns, elem);
    for (int r = 0; r < g->size; r++) {
        scount[r] = (g->send_from[r + 1] - g->send_from[r]) * (int64_t)elem;
        rcount[r] = (g->ghost_from[r + 1] - g->ghost_from[r]) * (int64_t)elem;
    }
    ZP_CHECK(dc->alltoallv(dc, send, scount, v + (size_t)g->nl * elem, rcount));
out:
    zp_free(send);
    zp_free(scount);
    zp_free(rcount);
    return rc;
}

int dgraph_fetch(zp_dcomm *dc, const int64_t *vtxdist, const int64_t *ids, int64_t count,
                 const int64_t *owner_vals, int64_t *out)
{
    int rc = ZP_OK;
    int size = dc->size;
    int64_t *from = NULL, *pos = NULL, *req = NULL, *scount = NULL, *rcount = NULL;
    int64_t *got = NULL, *answer = NULL;
    if (size == 1) {
        for (int64_t i = 0; i < count; i++)
            out[i] = owner_vals[ids[i] - vtxdist[0]];
        return ZP_OK;
    }
    ZP_ALLOC(from, size + 1);
    ZP_ALLOC(pos, count);
    ZP_ALLOC(req, count);
    ZP_ALLOC(scount, size);
    ZP_ALLOC(rcount, size);
    for (int64_t i = 0; i < count; i++)
        from[dgraph_owner(vtxdist, size, ids[i]) + 1]++;
    for (int r = 0; r < size; r++) {
        scount[r] = from[r + 1] * (int64_t)sizeof(int64_t);
        from[r + 1] += from[r];
    }
    for (int64_t i = 0; i < count; i++) { /* bucket the requests by owner, order kept */
        int r = dgraph_owner(vtxdist, size, ids[i]);
        pos[i] = from[r]++;
        req[pos[i]] = ids[i];
    }
    int64_t total = 0;
    ZP_CHECK(dgraph_sendrecv(dc, req, scount, (void **)&got, rcount, &total));
    total /= (int64_t)sizeof(int64_t);
    int64_t first = vtxdist[dc->rank];
    for (int64_t i = 0; i < total; i++)
        got[i] = owner_vals[got[i] - first];
    ZP_ALLOC(answer, count);
    ZP_CHECK(dc->alltoallv(dc, got, rcount, answer, scount));
    for (int64_t i = 0; i < count; i++)
        out[i] = answer[pos[i]];
out:
    zp_free(from);
    zp_free(pos);
    zp_free(req);
    zp_free(scount);
    zp_free(rcount);
    zp_free(got);
    zp_free(answer);
    return rc;
}
