/* topology.c - zone distance matrix from the fat tree or an explicit matrix. */
#include "topology.h"

#include <string.h>

#include "util.h"

static int alloc_dist(zp_problem *p)
{
    zp_free(p->dist);
    p->dist = zp_calloc((size_t)p->k * (size_t)p->k, sizeof *p->dist);
    return p->dist ? ZP_OK : ZP_ERUNTIME;
}

int topology_fat_tree(zp_problem *p, double e_in, double e_core)
{
    if (alloc_dist(p) != ZP_OK)
        return ZP_ERUNTIME;
    p->e_in = e_in;
    p->e_core = e_core;
    for (int a = 0; a < p->k; a++)
        for (int b = 0; b < p->k; b++)
            p->dist[a * p->k + b] = a == b ? 4 * e_in : 4 * e_in + 2 * e_core;
    return ZP_OK;
}

int topology_matrix(zp_problem *p, const double *matrix)
{
    if (alloc_dist(p) != ZP_OK)
        return ZP_ERUNTIME;
    memcpy(p->dist, matrix, sizeof *p->dist * (size_t)p->k * (size_t)p->k);
    return ZP_OK;
}

int topology_is_uniform(const zp_problem *p)
{
    double diag = p->dist[0], off = p->k > 1 ? p->dist[1] : 0;
    for (int a = 0; a < p->k; a++)
        for (int b = 0; b < p->k; b++)
            if (p->dist[a * p->k + b] != (a == b ? diag : off))
                return 0;
    return 1;
}
