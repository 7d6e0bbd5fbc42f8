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

typedef struct {
    int v;
    int mult;
    double w;
} half_edge;

static int cmp_half_edge(const void *a, const void *b)
{
    const half_edge *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

int problem_set_dependencies(zp_problem *p, int64_t m, const int *src, const int *dst,
                             const double *w)
{
    int rc = ZP_OK;
    int n = p->n;
    int64_t *xadj = NULL;
    half_edge *half = NULL;
    int64_t *fill = NULL;

    ZP_ALLOC(xadj, (int64_t)n + 1);
    ZP_ALLOC(fill, (int64_t)n + 1);
    ZP_ALLOC(half, 2 * m);
    for (int64_t i = 0; i < m; i++) {
        xadj[src[i] + 1]++;
        xadj[dst[i] + 1]++;
    }
    for (int u = 0; u < n; u++)
        xadj[u + 1] += xadj[u];
    memcpy(fill, xadj, sizeof(*xadj) * ((size_t)n + 1));
    p->dep_weight_total = 0;
    for (int64_t i = 0; i < m; i++) {
        double wi = w ? w[i] : 1.0;
        half[fill[src[i]]++] = (half_edge){dst[i], 1, wi};
        half[fill[dst[i]]++] = (half_edge){src[i], 1, wi};
        p->dep_weight_total += wi;
    }

    /* Sort each adjacency list and merge duplicates in place, compacting as we go. */
    int64_t out_pos = 0;
    for (int u = 0; u < n; u++) {
        int64_t begin = xadj[u], end = xadj[u + 1];
        qsort(half + begin, (size_t)(end - begin), sizeof *half, cmp_half_edge);
        xadj[u] = out_pos;
        for (int64_t j = begin; j < end; j++) {
            if (out_pos > xadj[u] && half[out_pos - 1].v == half[j].v) {
                half[out_pos - 1].w += half[j].w;
                half[out_pos - 1].mult += half[j].mult;
            } else {
                half[out_pos++] = half[j];
            }
        }
    }
    xadj[n] = out_pos;

    zp_free(p->xadj);
    zp_free(p->adjncy);
    zp_free(p->adjwgt);
    zp_free(p->adjmult);
    p->xadj = xadj;
    xadj = NULL;
    p->adjncy = NULL;
    p->adjwgt = NULL;
    p->adjmult = NULL;
    ZP_ALLOC(p->adjncy, out_pos);
    ZP_ALLOC(p->adjwgt, out_pos);
    ZP_ALLOC(p->adjmult, out_pos);
    for (int64_t j = 0; j < out_pos; j++) {
        p->adjncy[j] = half[j].v;
        p->adjwgt[j] = half[j].w;
        p->adjmult[j] = half[j].mult;
    }
    p->ndeps = m;
out:
    zp_free(xadj);
    zp_free(fill);
    zp_free(half);
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
    if (*lo < 0)
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
            if (!(p->adjwgt[j] > 0))
                return zp_fail(ZP_EINPUT, "dependency %d-%d has weight <= 0", u, v);
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
