/* problem.c - construction of the model and its CSR dependency graph. */
#include "problem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int problem_create(zp_problem **out)
{
    zp_problem *p = zp_calloc(1, sizeof *p);
    if (!p)
        return ZP_ERUNTIME;
    p->requests = 1.0;
    p->move_factor = 10.0;
    p->e_in = 10.0;
    p->e_core = 100.0;
    p->capacity_mode = ZP_PER_APP;
    *out = p;
    return ZP_OK;
}

static void free_names(char **names, int count)
{
    if (!names)
        return;
    for (int i = 0; i < count; i++)
        zp_free(names[i]);
    zp_free(names);
}

void problem_destroy(zp_problem **pp)
{
    zp_problem *p = pp ? *pp : NULL;
    if (!p)
        return;
    zp_free(p->source);
    zp_free(p->name);
    free_names(p->res_names, p->nres);
    free_names(p->app_names, p->n);
    free_names(p->zone_names, p->k);
    zp_free(p->demand);
    zp_free(p->needs_io);
    zp_free(p->size);
    zp_free(p->current);
    zp_free(p->allowed_xadj);
    zp_free(p->allowed);
    zp_free(p->vwgt);
    zp_free(p->capacity);
    zp_free(p->slots);
    zp_free(p->zone_io);
    zp_free(p->dist);
    zp_free(p->xadj);
    zp_free(p->adjncy);
    zp_free(p->adjwgt);
    zp_free(p->adjmult);
    zp_free(p);
    *pp = NULL;
}

int problem_alloc_apps(zp_problem *p, int n)
{
    int rc = ZP_OK;
    p->n = n;
    ZP_ALLOC(p->app_names, n);
    ZP_ALLOC(p->demand, (int64_t)n * (p->nres > 0 ? p->nres : 1));
    ZP_ALLOC(p->needs_io, n);
    ZP_ALLOC(p->size, n);
    for (int i = 0; i < n; i++)
        p->size[i] = 1.0;
out:
    return rc;
}

int problem_alloc_zones(zp_problem *p, int k)
{
    int rc = ZP_OK;
    p->k = k;
    ZP_ALLOC(p->zone_names, k);
    ZP_ALLOC(p->capacity, (int64_t)k * (p->nres > 0 ? p->nres : 1));
    ZP_ALLOC(p->slots, k);
    ZP_ALLOC(p->zone_io, k);
    for (int64_t i = 0; i < (int64_t)k * p->nres; i++)
        p->capacity[i] = INFINITY;
    for (int z = 0; z < k; z++) {
        p->slots[z] = ZP_UNLIMITED_SLOTS;
        p->zone_io[z] = 1;
    }
out:
    return rc;
}

/* ---- copies: the one place that lists every field (a new field goes here) ------------------- */

static int dup_mem(void **dst, const void *src, size_t bytes)
{
    *dst = NULL;
    if (!src)
        return ZP_OK;
    *dst = zp_malloc(bytes ? bytes : 1);
    if (!*dst)
        return ZP_ERUNTIME;
    if (bytes)
        memcpy(*dst, src, bytes);
    return ZP_OK;
}

static int dup_names(char ***dst, char *const *src, int count)
{
    *dst = NULL;
    if (!src)
        return ZP_OK;
    *dst = zp_calloc((size_t)(count > 0 ? count : 1), sizeof **dst);
    if (!*dst)
        return ZP_ERUNTIME;
    for (int i = 0; i < count; i++)
        if (src[i] && !((*dst)[i] = zp_strdup(src[i])))
            return ZP_ERUNTIME;
    return ZP_OK;
}

#define DUP(field, count)                                                                          \
    ZP_CHECK(dup_mem((void **)&dst->field, src->field, sizeof *src->field * (size_t)(count)))

void problem_copy_scalars(zp_problem *dst, const zp_problem *src)
{
    dst->nres = src->nres;
    dst->capacity_mode = src->capacity_mode;
    dst->n = src->n;
    dst->k = src->k;
    dst->ndeps = src->ndeps;
    dst->dep_weight_total = src->dep_weight_total;
    dst->requests = src->requests;
    dst->move_factor = src->move_factor;
    dst->imbalance = src->imbalance;
    dst->band_no_floor = src->band_no_floor;
    dst->e_in = src->e_in;
    dst->e_core = src->e_core;
}

int problem_copy_zones(zp_problem *dst, const zp_problem *src)
{
    int rc = ZP_OK;
    int64_t k = src->k, nres = src->nres;
    ZP_CHECK(dup_names(&dst->zone_names, src->zone_names, src->k));
    DUP(capacity, k * nres);
    DUP(slots, k);
    DUP(zone_io, k);
    DUP(dist, k * k);
out:
    return rc;
}

int problem_copy(const zp_problem *src, zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *dst = NULL;
    *out = NULL;
    ZP_CHECK(problem_create(&dst));
    problem_copy_scalars(dst, src);
    int64_t n = src->n, nres = src->nres;
    int64_t half = src->xadj ? src->xadj[n] : 0;
    int64_t nallowed = src->allowed_xadj ? src->allowed_xadj[n] : 0;
    if (src->source && !(dst->source = zp_strdup(src->source)))
        ZP_CHECK(ZP_ERUNTIME);
    if (src->name && !(dst->name = zp_strdup(src->name)))
        ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(dup_names(&dst->res_names, src->res_names, src->nres));
    ZP_CHECK(dup_names(&dst->app_names, src->app_names, src->n));
    DUP(demand, n * nres);
    DUP(needs_io, n);
    DUP(size, n);
    DUP(current, n);
    DUP(allowed_xadj, n + 1);
    DUP(allowed, nallowed);
    DUP(vwgt, n);
    ZP_CHECK(problem_copy_zones(dst, src));
    DUP(xadj, n + 1);
    DUP(adjncy, half);
    DUP(adjwgt, half);
    DUP(adjmult, half);
    *out = dst;
    dst = NULL;
out:
    problem_destroy(&dst);
    return rc;
}

#undef DUP

void problem_clear_zones(zp_problem *p)
{
    free_names(p->zone_names, p->k);
    zp_free(p->capacity);
    zp_free(p->slots);
    zp_free(p->zone_io);
    zp_free(p->dist);
    p->zone_names = NULL;
    p->capacity = NULL;
    p->slots = NULL;
    p->zone_io = NULL;
    p->dist = NULL;
    p->k = 0;
}

/* Merges the duplicate neighbours of every vertex in place (weights and multiplicities add up),
 * in O(m) with a marker per vertex instead of sorting; returns the compacted length. */
static int64_t merge_duplicates(int n, int64_t *xadj, int *adjncy, double *adjwgt, int *adjmult,
                                int64_t *last)
{
    int64_t out = 0;
    for (int v = 0; v < n; v++)
        last[v] = -1;
    for (int u = 0; u < n; u++) {
        int64_t begin = xadj[u], end = xadj[u + 1];
        xadj[u] = out;
        for (int64_t j = begin; j < end; j++) {
            int v = adjncy[j];
            if (last[v] >= xadj[u]) { /* already listed for u: merge */
                adjwgt[last[v]] += adjwgt[j];
                adjmult[last[v]] += adjmult[j];
                continue;
            }
            last[v] = out;
            adjncy[out] = v;
            adjwgt[out] = adjwgt[j];
            adjmult[out++] = adjmult[j];
        }
    }
    xadj[n] = out;
    return out;
}

/* Rebuilds the adjacency arrays with every list sorted by neighbour id: walking the vertices in
 * order and appending each to its neighbours' lists is a counting sort, since the graph is
 * symmetric (the transpose of the CSR is the CSR). Also shrinks the arrays to len entries. */
static int sort_adjacency(zp_problem *p, int64_t len, int64_t *fill)
{
    int rc = ZP_OK;
    int *adjncy = NULL, *adjmult = NULL;
    double *adjwgt = NULL;
    ZP_ALLOC(adjncy, len);
    ZP_ALLOC(adjwgt, len);
    ZP_ALLOC(adjmult, len);
    memcpy(fill, p->xadj, sizeof *fill * ((size_t)p->n + 1));
    for (int v = 0; v < p->n; v++) {
        for (int64_t j = p->xadj[v]; j < p->xadj[v + 1]; j++) {
            int64_t at = fill[p->adjncy[j]]++;
            adjncy[at] = v;
            adjwgt[at] = p->adjwgt[j];
            adjmult[at] = p->adjmult[j];
        }
    }
    zp_free(p->adjncy);
    zp_free(p->adjwgt);
    zp_free(p->adjmult);
    p->adjncy = adjncy;
    p->adjwgt = adjwgt;
    p->adjmult = adjmult;
    adjncy = adjmult = NULL;
    adjwgt = NULL;
out:
    zp_free(adjncy);
    zp_free(adjwgt);
    zp_free(adjmult);
    return rc;
}

int problem_set_dependencies(zp_problem *p, int64_t m, const int *src, const int *dst,
                             const double *w)
{
    int rc = ZP_OK;
    int n = p->n;
    int64_t *fill = NULL;

    zp_free(p->xadj);
    zp_free(p->adjncy);
    zp_free(p->adjwgt);
    zp_free(p->adjmult);
    p->xadj = NULL;
    p->adjncy = NULL;
    p->adjwgt = NULL;
    p->adjmult = NULL;
    ZP_ALLOC(p->xadj, (int64_t)n + 1);
    ZP_ALLOC(fill, (int64_t)n + 1);
    ZP_ALLOC(p->adjncy, 2 * m);
    ZP_ALLOC(p->adjwgt, 2 * m);
    ZP_ALLOC(p->adjmult, 2 * m);
    for (int64_t i = 0; i < m; i++) {
        p->xadj[src[i] + 1]++;
        p->xadj[dst[i] + 1]++;
    }
    for (int u = 0; u < n; u++)
        p->xadj[u + 1] += p->xadj[u];
    memcpy(fill, p->xadj, sizeof *fill * ((size_t)n + 1));
    p->dep_weight_total = 0;
    for (int64_t i = 0; i < m; i++) {
        double wi = w ? w[i] : 1.0;
        int64_t a = fill[src[i]]++, b = fill[dst[i]]++;
        p->adjncy[a] = dst[i];
        p->adjncy[b] = src[i];
        p->adjwgt[a] = p->adjwgt[b] = wi;
        p->adjmult[a] = p->adjmult[b] = 1;
        p->dep_weight_total += wi;
    }
    int64_t len = merge_duplicates(n, p->xadj, p->adjncy, p->adjwgt, p->adjmult, fill);
    ZP_CHECK(sort_adjacency(p, len, fill));
    p->ndeps = m;
out:
    zp_free(fill);
    return rc;
}

int64_t problem_total_weight(const zp_problem *p)
{
    if (!p->vwgt)
        return p->n;
    int64_t total = 0;
    for (int u = 0; u < p->n; u++)
        total += p->vwgt[u];
    return total;
}

void problem_band(const zp_problem *p, int64_t *lo, int64_t *hi)
{
    int64_t total = problem_total_weight(p);
    int64_t floor_avg = total / p->k;
    int64_t ceil_avg = (total + p->k - 1) / p->k;
    double eps = p->imbalance;
    *hi = (int64_t)floor((1.0 + eps) * (double)ceil_avg + 1e-9);
    *lo = eps > 0 ? (int64_t)ceil((1.0 - eps) * (double)floor_avg - 1e-9) : floor_avg;
    if (*lo < 0 || p->band_no_floor)
        *lo = 0;
}

int app_fits_zone(const zp_problem *p, int u, int z)
{
    if (p->needs_io[u] && !p->zone_io[z])
        return 0;
    if (p->allowed_xadj) {
        int64_t b = p->allowed_xadj[u], e = p->allowed_xadj[u + 1];
        if (e > b) {
            int found = 0;
            for (int64_t j = b; j < e && !found; j++)
                found = p->allowed[j] == z;
            if (!found)
                return 0;
        }
    }
    for (int r = 0; r < p->nres; r++)
        if (problem_demand(p, u, r) > problem_capacity(p, z, r))
            return 0;
    return 1;
}

int problem_zone_index(const zp_problem *p, const char *name)
{
    for (int z = 0; z < p->k; z++)
        if (strcmp(p->zone_names[z], name) == 0)
            return z;
    return -1;
}

int problem_check_graph(const zp_problem *p)
{
    for (int u = 0; u < p->n; u++) {
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int v = p->adjncy[j];
            if (v < 0 || v >= p->n)
                return zp_fail(ZP_EINPUT, "app %d has a neighbour id %d out of range", u, v);
            if (v == u)
                return zp_fail(ZP_EINPUT, "app %d depends on itself", u);
            if (!(p->adjwgt[j] >= 0)) /* weight 0: a known dependency without traffic */
                return zp_fail(ZP_EINPUT, "dependency %d-%d has a negative weight", u, v);
            int found = 0;
            for (int64_t i = p->xadj[v]; i < p->xadj[v + 1] && !found; i++)
                found = p->adjncy[i] == u && p->adjwgt[i] == p->adjwgt[j];
            if (!found)
                return zp_fail(ZP_EINPUT, "dependency %d-%d is not symmetric", u, v);
        }
    }
    return ZP_OK;
}

int problem_has_current(const zp_problem *p)
{
    if (!p->current)
        return 0;
    for (int u = 0; u < p->n; u++)
        if (p->current[u] >= 0)
            return 1;
    return 0;
}

int problem_zone_has_finite_capacity(const zp_problem *p, int z)
{
    for (int r = 0; r < p->nres; r++)
        if (isfinite(problem_capacity(p, z, r)))
            return 1;
    return 0;
}

int problem_fits_everywhere(const zp_problem *p)
{
    if (p->allowed_xadj && p->allowed_xadj[p->n] > 0)
        return 0;
    int any_io = 0, all_zones_io = 1;
    for (int u = 0; u < p->n && !any_io; u++)
        any_io = p->needs_io[u];
    for (int z = 0; z < p->k; z++)
        all_zones_io &= p->zone_io[z] != 0;
    if (any_io && !all_zones_io)
        return 0;
    for (int r = 0; r < p->nres; r++) {
        double most = 0, least = INFINITY;
        for (int u = 0; u < p->n; u++)
            most = fmax(most, problem_demand(p, u, r));
        for (int z = 0; z < p->k; z++)
            least = fmin(least, problem_capacity(p, z, r));
        if (most > least)
            return 0;
    }
    return 1;
}
