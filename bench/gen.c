/* bench/gen.c - command-line front of the instance generator (src/generate.c): writes METIS
 * .graph files (and optionally CSV) for the benchmarks and for anyone who wants big inputs.
 * Not part of bin/zoneplace. Built by bench/run.sh:
 *   gcc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Isrc bench/gen.c src/graphio.c src/generate.c \
 *       src/problem.c src/topology.c src/util.c src/rng.c src/strmap.c -lm -o bench/gen
 *
 *   bench/gen micro --n 10k --m 100k [--seed S] --out x.graph [--csv PREFIX] [--vertex-weights]
 *   bench/gen grid --rows R --cols C [--diagonals] --out g.graph
 *   bench/gen mesh3d --nx X --ny Y --nz Z --out m.graph
 * Counts accept k and M suffixes (10k = 10000, 1M = 1000000). --csv writes PREFIX.services.csv
 * and PREFIX.calls.csv; the .graph holds structure and edge weights only unless
 * --vertex-weights adds the demands (METIS would then balance them as constraints). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "generate.h"
#include "graphio.h"
#include "util.h"

typedef struct {
    const char *kind, *out, *csv;
    long long n, m, rows, cols, nx, ny, nz;
    unsigned long long seed;
    int diagonals, vertex_weights;
} gen_args;

static const char USAGE[] =
    "usage: gen micro --n N --m M [--seed S] --out G.graph [--csv PREFIX] [--vertex-weights]\n"
    "       gen grid --rows R --cols C [--diagonals] --out G.graph\n"
    "       gen mesh3d --nx X --ny Y --nz Z --out G.graph\n";

static int usage(const char *msg) { return zp_fail(ZP_EUSAGE, "%s", msg); }

/* "10k", "1M", "250000" -> count; -1 when malformed. */
static long long parse_count(const char *s)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0)
        return -1;
    if (*end == 'k' || *end == 'K')
        v *= 1000, end++;
    else if (*end == 'M')
        v *= 1000000, end++;
    return *end ? -1 : v;
}

static int parse_args(int argc, char **argv, gen_args *a)
{
    memset(a, 0, sizeof *a);
    a->n = a->m = a->rows = a->cols = a->nx = a->ny = a->nz = -1;
    a->seed = 1;
    if (argc < 2)
        return usage("missing kind (micro, grid, mesh3d)");
    a->kind = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--diagonals")) {
            a->diagonals = 1;
            continue;
        }
        if (!strcmp(opt, "--vertex-weights")) {
            a->vertex_weights = 1;
            continue;
        }
        if (i + 1 >= argc)
            return usage("an option is missing its value");
        const char *val = argv[++i];
        long long *count = !strcmp(opt, "--n")      ? &a->n
                           : !strcmp(opt, "--m")    ? &a->m
                           : !strcmp(opt, "--rows") ? &a->rows
                           : !strcmp(opt, "--cols") ? &a->cols
                           : !strcmp(opt, "--nx")   ? &a->nx
                           : !strcmp(opt, "--ny")   ? &a->ny
                           : !strcmp(opt, "--nz")   ? &a->nz
                                                    : NULL;
        if (count && (*count = parse_count(val)) < 0)
            return usage("counts must be integers >= 0 (k and M suffixes allowed)");
        else if (!strcmp(opt, "--seed"))
            a->seed = strtoull(val, NULL, 10);
        else if (!strcmp(opt, "--out"))
            a->out = val;
        else if (!strcmp(opt, "--csv"))
            a->csv = val;
        else if (!count)
            return usage("unknown option");
    }
    if (!a->out)
        return usage("--out is required");
    return ZP_OK;
}

static int generate(const gen_args *a, zp_problem **p)
{
    if (!strcmp(a->kind, "micro")) {
        if (a->n < 0 || a->m < 0)
            return usage("micro needs --n and --m");
        return generate_microservices(a->n, a->m, a->seed, p);
    }
    if (!strcmp(a->kind, "grid")) {
        if (a->rows < 0 || a->cols < 0 || a->rows > 1 << 30 || a->cols > 1 << 30)
            return usage("grid needs --rows and --cols");
        return generate_grid((int)a->rows, (int)a->cols, a->diagonals, p);
    }
    if (!strcmp(a->kind, "mesh3d")) {
        if (a->nx < 0 || a->ny < 0 || a->nz < 0 || a->nx > 1 << 30 || a->ny > 1 << 30 ||
            a->nz > 1 << 30)
            return usage("mesh3d needs --nx, --ny and --nz");
        return generate_mesh3d((int)a->nx, (int)a->ny, (int)a->nz, p);
    }
    return usage("kind must be micro, grid or mesh3d");
}

static int write_outputs(const gen_args *a, const zp_problem *p)
{
    int rc =
        graphio_write_metis_flags(p, a->out, a->vertex_weights ? 0 : GRAPHIO_NO_VERTEX_WEIGHTS);
    if (rc == ZP_OK && a->csv) {
        size_t len = strlen(a->csv) + 32;
        char *services = malloc(len), *calls = malloc(len);
        if (!services || !calls)
            rc = zp_fail(ZP_ERUNTIME, "out of memory");
        else {
            snprintf(services, len, "%s.services.csv", a->csv);
            snprintf(calls, len, "%s.calls.csv", a->csv);
            rc = graphio_write_csv(p, services, calls);
        }
        free(services);
        free(calls);
    }
    return rc;
}

int main(int argc, char **argv)
{
    gen_args a;
    zp_problem *p = NULL;
    int rc = parse_args(argc, argv, &a);
    double t0 = zp_now();
    if (rc == ZP_OK)
        rc = generate(&a, &p);
    double t1 = zp_now();
    if (rc == ZP_OK)
        rc = write_outputs(&a, p);
    double t2 = zp_now();
    if (rc != ZP_OK) {
        fprintf(stderr, "gen: %s\n%s", zp_error_message(), rc == ZP_EUSAGE ? USAGE : "");
    } else {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr,
                "gen: %s: n=%d listed=%lld edges=%lld generate=%.2fs write=%.2fs peak_rss=%.0fMB\n",
                a.out, p->n, (long long)p->ndeps, (long long)(p->xadj[p->n] / 2), t1 - t0, t2 - t1,
                ru.ru_maxrss / 1024.0);
    }
    problem_destroy(&p);
    return rc;
}
