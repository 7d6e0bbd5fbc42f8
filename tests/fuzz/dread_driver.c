/* dread_driver.c - the parallel METIS reader (dread.c) on the ranks of an MPI job, for
 * tests/e2e/test_dread.sh and for measuring it:
 *   dread_driver read F...     every rank reads each F with dread_metis; rank 0 prints one
 *                              line per file: "ok n=N m=M w=W digest=D" or "error S MESSAGE"
 *                              (the message of the one rank that keeps it; "messages=K" when
 *                              K != 1 ranks kept one)
 *   dread_driver serial F...   the same lines from graphio_read_metis (one process)
 *   dread_driver time F        reads F once (dread_metis), prints rank 0's seconds
 *   dread_driver time-serial F graphio_read_metis + dgraph_from_problem, prints the seconds
 * An argument @LIST stands for the files named in LIST, one per line.
 * The digest is an order-free hash of every vertex's row (global ids, weights), balance
 * weight, demands and size: equal digests mean the same graph however it is distributed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dgraph.h"
#include "dread.h"
#include "graphio.h"
#include "par.h"
#include "util.h"

#define MSG 1024

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static uint64_t vertex_digest(int64_t gid, const int64_t *nb, const int64_t *w, int64_t deg,
                              int64_t vwgt, const double *demand, int ncon, double size)
{
    uint64_t h = mix(0, (uint64_t)gid);
    for (int64_t j = 0; j < deg; j++)
        h = mix(mix(h, (uint64_t)nb[j]), (uint64_t)w[j]);
    h = mix(h, (uint64_t)vwgt);
    for (int c = 0; c < ncon; c++)
        h = mix(h, (uint64_t)demand[c]);
    return mix(h, (uint64_t)size);
}

/* This rank's share of the digest. */
static uint64_t graph_digest(const zp_dgraph *g, const zp_dread_info *info)
{
    uint64_t sum = 0;
    int64_t cap = 16, *nb = malloc(sizeof *nb * (size_t)cap);
    for (int i = 0; i < g->nl; i++) {
        int64_t deg = g->xadj[i + 1] - g->xadj[i];
        if (deg > cap) {
            cap = deg;
            nb = realloc(nb, sizeof *nb * (size_t)cap);
        }
        for (int64_t j = 0; j < deg; j++)
            nb[j] = dgraph_gid(g, g->adj[g->xadj[i] + j]);
        sum += vertex_digest(g->first + i, nb, g->wgt + g->xadj[i], deg, g->vwgt[i],
                             info->demand ? info->demand + (int64_t)i * info->ncon : NULL,
                             info->ncon, info->size ? info->size[i] : 1.0);
    }
    free(nb);
    return sum;
}

static int read_parallel(zp_dcomm *dc, const char *path)
{
    zp_dgraph *g = NULL;
    zp_dread_info info;
    zp_error_clear();
    int rc = dread_metis(path, dc, &g, &info);
    char mine[MSG] = "", *all = malloc((size_t)MSG * (size_t)dc->size);
    int64_t *bytes = malloc(sizeof *bytes * (size_t)dc->size), sum[2] = {0, 0};
    if (rc != ZP_OK && strcmp(zp_error_message(), "unknown error") != 0)
        snprintf(mine, sizeof mine, "%s", zp_error_message());
    for (int r = 0; r < dc->size; r++)
        bytes[r] = MSG;
    dc->allgatherv(dc, mine, MSG, all, bytes);
    if (rc == ZP_OK) {
        sum[0] = (int64_t)graph_digest(g, &info);
        int64_t *parts = malloc(sizeof *parts * (size_t)dc->size);
        for (int r = 0; r < dc->size; r++)
            bytes[r] = sizeof(int64_t);
        dc->allgatherv(dc, sum, sizeof(int64_t), parts, bytes);
        uint64_t total = 0;
        for (int r = 0; r < dc->size; r++)
            total += (uint64_t)parts[r];
        sum[1] = (int64_t)total;
        free(parts);
    }
    if (dc->rank == 0) {
        if (rc == ZP_OK) {
            printf("ok n=%lld m=%lld w=%lld digest=%016llx\n", (long long)info.n,
                   (long long)info.ndeps, (long long)info.total_vwgt, (unsigned long long)sum[1]);
        } else {
            int kept = 0;
            const char *msg = "";
            for (int r = 0; r < dc->size; r++)
                if (all[(size_t)r * MSG]) {
                    kept++;
                    msg = all + (size_t)r * MSG;
                }
            printf("error %d %s%s\n", rc, msg, kept == 1 ? "" : " (messages != 1)");
        }
    }
    free(all);
    free(bytes);
    dread_info_free(&info);
    dgraph_destroy(&g);
    return rc;
}

static void read_serial(const char *path)
{
    zp_problem *p = NULL;
    zp_error_clear();
    int rc = graphio_read_metis(path, &p);
    if (rc != ZP_OK) {
        printf("error %d %s\n", rc, zp_error_message());
        return;
    }
    uint64_t sum = 0;
    int64_t cap = 16, *nb = malloc(sizeof *nb * (size_t)cap), *w = malloc(sizeof *w * (size_t)cap);
    for (int u = 0; u < p->n; u++) {
        int64_t deg = p->xadj[u + 1] - p->xadj[u];
        if (deg > cap) {
            cap = deg;
            nb = realloc(nb, sizeof *nb * (size_t)cap);
            w = realloc(w, sizeof *w * (size_t)cap);
        }
        for (int64_t j = 0; j < deg; j++) {
            nb[j] = p->adjncy[p->xadj[u] + j];
            w[j] = (int64_t)p->adjwgt[p->xadj[u] + j];
        }
        sum += vertex_digest(u, nb, w, deg, problem_vwgt(p, u),
                             p->nres ? p->demand + (int64_t)u * p->nres : NULL, p->nres,
                             p->size[u]);
    }
    printf("ok n=%d m=%lld w=%lld digest=%016llx\n", p->n, (long long)p->ndeps,
           (long long)problem_total_weight(p), (unsigned long long)sum);
    free(nb);
    free(w);
    problem_destroy(&p);
}

static int time_serial(zp_dcomm *dc, const char *path)
{
    zp_problem *p = NULL;
    zp_dgraph *g = NULL;
    double t0 = zp_now();
    int rc = graphio_read_metis(path, &p);
    if (rc == ZP_OK)
        rc = dgraph_from_problem(p, dgraph_weight_scale(p), dc, &g);
    printf("serial read + dgraph_from_problem: %.3f s\n", zp_now() - t0);
    dgraph_destroy(&g);
    problem_destroy(&p);
    return rc;
}

static int run(zp_dcomm *dc, const char *mode, const char *path)
{
    int rc = ZP_OK;
    if (strcmp(mode, "read") == 0) {
        read_parallel(dc, path);
    } else if (strcmp(mode, "serial") == 0) {
        read_serial(path);
    } else if (strcmp(mode, "time") == 0) {
        zp_dgraph *g = NULL;
        zp_dread_info info;
        double t0 = zp_now();
        rc = dread_metis(path, dc, &g, &info);
        if (dc->rank == 0)
            printf("dread_metis on %d ranks: %.3f s\n", dc->size, zp_now() - t0);
        dread_info_free(&info);
        dgraph_destroy(&g);
    } else if (strcmp(mode, "time-serial") == 0) {
        rc = time_serial(dc, path);
    } else {
        rc = zp_fail(ZP_EUSAGE, "unknown mode '%s'", mode);
    }
    return rc;
}

/* The files of a list file, one per line. */
static int run_list(zp_dcomm *dc, const char *mode, const char *list)
{
    char name[4096];
    int rc = ZP_OK;
    FILE *f = fopen(list, "r");
    if (!f)
        return zp_fail(ZP_EIO, "%s: cannot open", list);
    while (rc == ZP_OK && fgets(name, sizeof name, f)) {
        name[strcspn(name, "\n")] = '\0';
        if (name[0])
            rc = run(dc, mode, name);
    }
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = par_init(&argc, &argv);
    zp_dcomm dc = par_dcomm(par_world());
    const char *mode = argc > 1 ? argv[1] : "";
    for (int i = 2; rc == ZP_OK && i < argc; i++)
        rc = argv[i][0] == '@' ? run_list(&dc, mode, argv[i] + 1) : run(&dc, mode, argv[i]);
    if (rc != ZP_OK)
        fprintf(stderr, "dread_driver: %s\n", zp_error_message());
    fflush(stdout);
    par_finalize();
    return rc;
}
