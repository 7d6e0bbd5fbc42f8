/* gencmd.c - `zoneplace generate` (see gencmd.h). */
#include "gencmd.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generate.h"
#include "graphio.h"
#include "outfile.h"
#include "util.h"

static const char gen_usage[] =
    "Usage: zoneplace generate KIND [OPTIONS] --out G.graph\n"
    "Writes a synthetic instance as a METIS graph file (same arguments, same bytes).\n\n"
    "Kinds:\n"
    "  micro --n N --m M [--seed S] [--csv PREFIX] [--vertex-weights]\n"
    "        microservice system: N apps, M listed calls (repeats merge into heavier\n"
    "        dependencies), power-law degrees, clusters, shared services, cpu/ram demands;\n"
    "        --csv also writes PREFIX.services.csv and PREFIX.calls.csv (demands included);\n"
    "        --vertex-weights puts the demands into the .graph as vertex weights\n"
    "  grid --rows R --cols C [--diagonals]   4-neighbour grid (8 with --diagonals)\n"
    "  mesh3d --nx X --ny Y --nz Z            6-neighbour 3D mesh\n"
    "  powerlaw --n N [--attach D] [--seed S]\n"
    "        Barabasi-Albert graph: each app after the first D + 1 links to D (default 3)\n"
    "        earlier apps chosen by degree; power-law degrees, no clusters\n\n"
    "Options:\n"
    "  -o, --out G.graph   output graph (written under a temporary name, then renamed)\n"
    "  -f, --force         overwrite existing outputs\n"
    "  -q, --quiet         no line on stderr about what was written\n"
    "Counts accept k and M suffixes: --n 1M --m 10M.\n";

typedef struct {
    const char *kind, *out, *csv;
    long long n, m, rows, cols, nx, ny, nz, attach;
    unsigned long long seed;
    int diagonals, vertex_weights, force, quiet, help;
} gen_args;

/* "10k", "1M", "250000" -> count in [0, 2^31); ZP_EUSAGE naming opt otherwise. */
static int parse_count(const char *text, const char *opt, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    long long scale = 1;
    if (end != text && (*end == 'k' || *end == 'K'))
        scale = 1000, end++;
    else if (end != text && *end == 'M')
        scale = 1000000, end++;
    if (end == text || *end || errno || v < 0 || v > INT32_MAX / scale)
        return zp_fail(ZP_EUSAGE, "%s: expected a count in [0, %d] (k and M suffixes allowed), "
                       "got '%s'", opt, INT32_MAX, text);
    *out = v * scale;
    return ZP_OK;
}

/* The count option opt names, or NULL. */
static long long *count_field(gen_args *a, const char *opt)
{
    static const char *const names[] = {"--n",  "--m",  "--rows", "--cols",
                                        "--nx", "--ny", "--nz",   "--attach"};
    long long *fields[] = {&a->n,  &a->m,  &a->rows, &a->cols,
                           &a->nx, &a->ny, &a->nz,   &a->attach};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(opt, names[i]))
            return fields[i];
    return NULL;
}

/* Options without a value; 1 when opt is one of them. */
static int flag_option(gen_args *a, const char *opt)
{
    int *flag = !strcmp(opt, "--diagonals")                           ? &a->diagonals
                : !strcmp(opt, "--vertex-weights")                    ? &a->vertex_weights
                : !strcmp(opt, "--force") || !strcmp(opt, "-f")       ? &a->force
                : !strcmp(opt, "--quiet") || !strcmp(opt, "-q")       ? &a->quiet
                : !strcmp(opt, "--help") || !strcmp(opt, "-h")        ? &a->help
                                                                      : NULL;
    if (flag)
        *flag = 1;
    return flag != NULL;
}

static int parse_args(int argc, char **argv, gen_args *a)
{
    int rc = ZP_OK;
    memset(a, 0, sizeof *a);
    a->n = a->m = a->rows = a->cols = a->nx = a->ny = a->nz = -1;
    a->attach = 3;
    a->seed = 1;
    int i = 2;
    if (i < argc && argv[i][0] != '-')
        a->kind = argv[i++];
    for (; i < argc; i++) {
        const char *opt = argv[i];
        if (flag_option(a, opt))
            continue;
        long long *count = count_field(a, opt);
        int known = count || !strcmp(opt, "--seed") || !strcmp(opt, "--out") ||
                    !strcmp(opt, "-o") || !strcmp(opt, "--csv");
        if (!known)
            return zp_fail(ZP_EUSAGE, "generate: unknown option '%s' (see zoneplace generate "
                           "--help)", opt);
        if (i + 1 >= argc)
            return zp_fail(ZP_EUSAGE, "%s: missing value", opt);
        const char *val = argv[++i];
        long long seed = 0;
        if (count)
            ZP_CHECK(parse_count(val, opt, count));
        else if (!strcmp(opt, "--seed")) {
            ZP_CHECK(zp_parse_long(val, 0, INT64_MAX, opt, &seed));
            a->seed = (unsigned long long)seed;
        } else if (!strcmp(opt, "--csv"))
            a->csv = val;
        else
            a->out = val;
    }
    if (a->help)
        return ZP_OK;
    if (!a->kind)
        return zp_fail(ZP_EUSAGE, "generate: missing kind (micro, grid, mesh3d or powerlaw)");
    if (!a->out)
        return zp_fail(ZP_EUSAGE, "generate: --out is required");
out:
    return rc;
}

/* Linux grants memory it does not have and kills the process when it touches it: refuse a
 * size that cannot fit instead. The peak is about 90 bytes per edge (micro: per listed call)
 * and 100 per app: 0.84 GB measured for micro at 1M apps and 10M calls; powerlaw at 1M apps,
 * 0.33 GB with 3M edges and 0.87 GB with 10M. what: the kind and its size options. */
static int check_memory(const char *what, long long n, long long m)
{
    double need = 90.0 * (double)m + 100.0 * (double)n;
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    if (have > 0 && need > 0.8 * have)
        return zp_fail(ZP_EUSAGE, "generate %s needs about %.1f GB of memory, this machine has "
                       "%.1f GB", what, need / 1e9, have / 1e9);
    return ZP_OK;
}

static int build_instance(const gen_args *a, zp_problem **p)
{
    if (!strcmp(a->kind, "micro")) {
        if (a->n < 0 || a->m < 0)
            return zp_fail(ZP_EUSAGE, "generate micro: --n and --m are required");
        char what[96];
        snprintf(what, sizeof what, "micro: --n %lld --m %lld", a->n, a->m);
        int rc = check_memory(what, a->n, a->m);
        return rc != ZP_OK ? rc : generate_microservices(a->n, a->m, a->seed, p);
    }
    if (!strcmp(a->kind, "grid")) {
        if (a->rows < 0 || a->cols < 0)
            return zp_fail(ZP_EUSAGE, "generate grid: --rows and --cols are required");
        return generate_grid((int)a->rows, (int)a->cols, a->diagonals, p);
    }
    if (!strcmp(a->kind, "mesh3d")) {
        if (a->nx < 0 || a->ny < 0 || a->nz < 0)
            return zp_fail(ZP_EUSAGE, "generate mesh3d: --nx, --ny and --nz are required");
        return generate_mesh3d((int)a->nx, (int)a->ny, (int)a->nz, p);
    }
    if (!strcmp(a->kind, "powerlaw")) {
        if (a->n < 0)
            return zp_fail(ZP_EUSAGE, "generate powerlaw: --n is required");
        if (a->attach > INT32_MAX)
            return zp_fail(ZP_EUSAGE, "generate powerlaw: --attach %lld is too large", a->attach);
        char what[96];
        snprintf(what, sizeof what, "powerlaw: --n %lld --attach %lld", a->n, a->attach);
        int rc = check_memory(what, a->n, a->n * a->attach); /* at most n x attach edges */
        return rc != ZP_OK ? rc : generate_powerlaw(a->n, (int)a->attach, a->seed, p);
    }
    return zp_fail(ZP_EUSAGE, "generate: unknown kind '%s' (micro, grid, mesh3d or powerlaw)",
                   a->kind);
}

/* The output names: the graph, and with --csv the two CSV files. */
typedef struct {
    char *path[3];
    int count;
} gen_outputs;

static int name_outputs(const gen_args *a, gen_outputs *o)
{
    int rc = ZP_OK;
    memset(o, 0, sizeof *o);
    if (!(o->path[0] = zp_strdup(a->out)))
        return ZP_ERUNTIME;
    o->count = 1;
    if (a->csv) {
        static const char *const suffix[] = {".services.csv", ".calls.csv"};
        for (int i = 0; i < 2; i++) {
            size_t len = strlen(a->csv) + strlen(suffix[i]) + 1;
            ZP_ALLOC(o->path[1 + i], len);
            snprintf(o->path[1 + i], len, "%s%s", a->csv, suffix[i]);
        }
        o->count = 3;
    }
out:
    return rc;
}

static void free_outputs(gen_outputs *o)
{
    for (int i = 0; i < 3; i++)
        zp_free(o->path[i]);
}

/* A new temporary file of its own for every output (outfile.h); the caller frees the names. */
static int partial_names(const gen_outputs *o, gen_outputs *tmp)
{
    int rc = ZP_OK;
    memset(tmp, 0, sizeof *tmp);
    for (int i = 0; i < o->count; i++) {
        ZP_CHECK(zp_temp_create(o->path[i], &tmp->path[i], NULL));
        tmp->count = i + 1;
    }
out:
    return rc;
}

/* Writes every file under its temporary name, then renames them all; on failure removes what
 * it wrote. */
static int write_outputs(const gen_args *a, const zp_problem *p, const gen_outputs *o)
{
    int rc = ZP_OK;
    gen_outputs tmp;
    ZP_CHECK(partial_names(o, &tmp));
    int flags = a->vertex_weights ? 0 : GRAPHIO_NO_VERTEX_WEIGHTS;
    ZP_CHECK(graphio_write_metis_flags(p, tmp.path[0], flags));
    if (o->count == 3)
        ZP_CHECK(graphio_write_csv(p, tmp.path[1], tmp.path[2]));
    static const int replace[3] = {1, 1, 1};
    ZP_CHECK(zp_publish((const char *const *)tmp.path, (const char *const *)o->path, o->count,
                        replace, ""));
out:
    for (int i = 0; i < tmp.count; i++)
        remove(tmp.path[i]); /* nothing left once renamed */
    free_outputs(&tmp);
    return rc;
}

int generate_main(int argc, char **argv, int rank)
{
    int rc = ZP_OK;
    gen_args a;
    gen_outputs o = {{NULL}, 0};
    zp_problem *p = NULL;
    ZP_CHECK(parse_args(argc, argv, &a));
    if (a.help) {
        if (rank == 0)
            fputs(gen_usage, stdout);
        goto out;
    }
    if (rank != 0)
        goto out;
    ZP_CHECK(name_outputs(&a, &o));
    for (int i = 0; i < o.count; i++)
        ZP_CHECK(zp_check_output_path(o.path[i], a.force, "use --force to overwrite"));
    double t0 = zp_now();
    ZP_CHECK(build_instance(&a, &p));
    ZP_CHECK(write_outputs(&a, p, &o));
    if (!a.quiet)
        fprintf(stderr, "zoneplace: %s: %d apps, %lld listed dependencies, %lld edges (%.1f s)\n",
                a.out, p->n, (long long)p->ndeps, (long long)(p->xadj[p->n] / 2),
                zp_now() - t0);
out:
    free_outputs(&o);
    problem_destroy(&p);
    return rc;
}
