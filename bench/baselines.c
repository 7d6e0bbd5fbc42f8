/* bench/baselines.c - runs METIS or Scotch on a zoneplace instance under zoneplace's balance
 * constraint and scores the result exactly as zoneplace scores its own placements. Standalone
 * (not part of bin/zoneplace); bench/run.sh builds it with the core sources:
 *
 *   gcc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Isrc -I/usr/include/scotch \
 *       $(pkg-config --cflags libcjson) bench/baselines.c CORE_SOURCES \
 *       $(pkg-config --libs libcjson yaml-0.1) -lcsv -lmetis -lscotch -lscotcherr -lm -o bench/baselines
 * where CORE_SOURCES are the src .c files but main.c, par_*.c and h5*.c (the Makefile's core).
 *
 * Usage:
 *   baselines (--graph G.graph | --services S.csv --calls C.csv | --config F.json)
 *             [--k K] [--imbalance EPS] --tool metis|metis-best|scotch|scotch-best
 *             [--seeds S] [--seed FIRST] [--scotch-strat quality|default|speed|balance]
 *             [--threads T] [--capacity-slack X] [--out part.txt]
 * and prints one JSON line on stdout (fields below). --config takes zones, capacities and
 * epsilon from the config (--imbalance overrides epsilon); otherwise K uniform zones
 * (graphio_uniform_zones). --capacity-slack X gives every zone a cumulative capacity of
 * (1 + X) * (total demand) / K per resource, to show what capacity-blind tools violate.
 * Scotch runs in its own context with T threads (default 1, like METIS and zoneplace's search
 * per rank) and a generator seeded per run, which makes its runs repeatable; Scotch 7's
 * default thread pool made two runs with the same seed differ.
 *
 * Balance mapping. zoneplace bounds every zone by hi = floor((1 + eps) * ceil(W / K)) apps
 * (problem_band; W = total vertex weight, n for unit weights). Both tools bound a part by a
 * factor of the average W / K instead:
 *   METIS 5.1 (libmetis/options.c): max part <= (ubvec + 0.0000499) * W / K, where ubvec
 *   defaults to 1 + ufactor / 1000. We pass ubvec = hi * K / W - 0.0000499 (not below 1.0,
 *   which METIS rejects), i.e. the same bound hi; ufactor = 1000 * eps would be the usual
 *   approximation and is looser by the ceil. METIS may still exceed it (it is a target).
 *   Scotch 7 (kgraph_map_rb*.c): max part <= (1 + balrat) * W / K. We pass
 *   balrat = hi * K / W - 1 to SCOTCH_stratGraphMapBuild, again the bound hi.
 * Whatever the tools do, the achieved max load and imbalance = max_load / ceil(W/K) - 1 are
 * reported, with "balanced" = max_load <= hi.
 *
 * Output fields: tool, instance, n, edges, k, eps, hi (allowed max load), cut (sum of weights
 * of cut edges, each edge once, as METIS's objval), max_load, imbalance, balanced, seconds
 * (tool only, all seeds), runs, best_seed, read_seconds, peak_rss_mb (whole process),
 * tool_rss_mb (peak while the tool ran, reset before it via /proc/self/clear_refs; -1 if
 * unavailable; includes the loaded instance, base_rss_mb), and zoneplace's own metrics of
 * the placement: objective, traffic, external_deps, lb_pct, violations, band_excess. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <metis.h>
#include <scotch.h>

#include "config.h"
#include "cost.h"
#include "graphio.h"
#include "problem.h"
#include "util.h"

typedef struct {
    const char *graph, *services, *calls, *config, *out, *tool, *strat;
    int k, seeds, threads;
    long seed;
    double imbalance, slack;
    int has_imbalance;
} bl_args;

/* The graph in the tools' 32-bit CSR (idx_t and SCOTCH_Num are both int here). */
typedef struct {
    int n;
    int *xadj, *adjncy, *adjwgt, *vwgt;
} bl_graph;

/* The best partition found and how it was found. */
typedef struct {
    int *part;
    int64_t cut, max_load;
    long seed;
    int runs;
    double seconds;
} bl_result;

static const char USAGE[] =
    "usage: baselines (--graph G | --services S --calls C | --config F.json) [--k K]\n"
    "                 [--imbalance EPS] --tool metis|metis-best|scotch|scotch-best [--seeds S]\n"
    "                 [--seed FIRST] [--scotch-strat quality|default|speed|balance]\n"
    "                 [--threads T (Scotch, default 1)]\n"
    "                 [--capacity-slack X] [--out part.txt]\n";

static int usage(const char *msg) { return zp_fail(ZP_EUSAGE, "%s", msg); }

static int parse_args(int argc, char **argv, bl_args *a)
{
    memset(a, 0, sizeof *a);
    a->seed = 1;
    a->imbalance = 0.03;
    a->strat = "quality";
    a->threads = 1;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc)
            return usage("an option is missing its value");
        const char *val = argv[++i];
        char *end = NULL;
        if (!strcmp(opt, "--graph"))
            a->graph = val;
        else if (!strcmp(opt, "--services"))
            a->services = val;
        else if (!strcmp(opt, "--calls"))
            a->calls = val;
        else if (!strcmp(opt, "--config"))
            a->config = val;
        else if (!strcmp(opt, "--out"))
            a->out = val;
        else if (!strcmp(opt, "--tool"))
            a->tool = val;
        else if (!strcmp(opt, "--scotch-strat"))
            a->strat = val;
        else if (!strcmp(opt, "--k"))
            a->k = (int)strtol(val, &end, 10);
        else if (!strcmp(opt, "--threads"))
            a->threads = (int)strtol(val, &end, 10);
        else if (!strcmp(opt, "--seeds"))
            a->seeds = (int)strtol(val, &end, 10);
        else if (!strcmp(opt, "--seed"))
            a->seed = strtol(val, &end, 10);
        else if (!strcmp(opt, "--imbalance"))
            a->imbalance = strtod(val, &end), a->has_imbalance = 1;
        else if (!strcmp(opt, "--capacity-slack"))
            a->slack = strtod(val, &end);
        else
            return usage("unknown option");
        if (end && (*end || end == val))
            return usage("option value is not a number");
    }
    if (!a->graph + !(a->services && a->calls) + !a->config != 2)
        return usage("give exactly one of --graph, --services with --calls, --config");
    if (!a->tool)
        return usage("--tool is required");
    if (!a->config && a->k < 1)
        return usage("--k must be >= 1");
    if (a->threads < 1)
        return usage("--threads must be >= 1");
    if (a->seeds < 1)
        a->seeds = strstr(a->tool, "-best") ? 5 : 1;
    return ZP_OK;
}

static int load_config(const char *path, zp_problem **p)
{
    zp_config *cfg = NULL;
    int rc = config_load(path, &cfg);
    if (rc == ZP_OK) {
        *p = cfg->base;
        cfg->base = NULL;
    }
    config_destroy(&cfg);
    return rc;
}

/* Cumulative capacities (1 + slack) * total / k per resource. */
static void set_capacity_slack(zp_problem *p, double slack)
{
    p->capacity_mode = ZP_CUMULATIVE;
    for (int r = 0; r < p->nres; r++) {
        double total = 0;
        for (int u = 0; u < p->n; u++)
            total += problem_demand(p, u, r);
        for (int z = 0; z < p->k; z++)
            p->capacity[(int64_t)z * p->nres + r] = (1.0 + slack) * total / p->k;
    }
}

static int load_problem(const bl_args *a, zp_problem **p)
{
    int rc = a->graph    ? graphio_read_metis(a->graph, p)
             : a->config ? load_config(a->config, p)
                         : graphio_read_csv(a->services, a->calls, p);
    if (rc != ZP_OK)
        return rc;
    if (!a->config)
        rc = graphio_uniform_zones(*p, a->k, a->imbalance);
    else if (a->has_imbalance)
        (*p)->imbalance = a->imbalance;
    if (rc == ZP_OK && a->slack > 0)
        set_capacity_slack(*p, a->slack);
    return rc;
}

/* Copies the CSR into int arrays; the tools need integral edge weights (rounded, at least 1,
 * with a warning) and 32-bit totals. */
static int build_graph(const zp_problem *p, bl_graph *g)
{
    int64_t nnz = p->xadj[p->n];
    double total = 0;
    int rounded = 0;
    memset(g, 0, sizeof *g);
    if (nnz > INT32_MAX)
        return zp_fail(ZP_EINPUT, "%lld adjacency entries do not fit the tools' 32-bit ids",
                       (long long)nnz);
    g->n = p->n;
    g->xadj = malloc(sizeof *g->xadj * ((size_t)p->n + 1));
    g->adjncy = malloc(sizeof *g->adjncy * (size_t)(nnz > 0 ? nnz : 1));
    g->adjwgt = malloc(sizeof *g->adjwgt * (size_t)(nnz > 0 ? nnz : 1));
    if (!g->xadj || !g->adjncy || !g->adjwgt)
        return zp_fail(ZP_ERUNTIME, "out of memory");
    for (int u = 0; u <= p->n; u++)
        g->xadj[u] = (int)p->xadj[u];
    for (int64_t j = 0; j < nnz; j++) {
        double w = fmax(1.0, round(p->adjwgt[j]));
        rounded |= w != p->adjwgt[j];
        total += w;
        g->adjncy[j] = p->adjncy[j];
        g->adjwgt[j] = (int)fmin(w, (double)INT32_MAX);
    }
    if (total > INT32_MAX)
        return zp_fail(ZP_EINPUT, "total edge weight %.0f overflows the tools' 32-bit sums", total);
    if (rounded)
        fprintf(stderr, "baselines: edge weights rounded to integers >= 1 for the tools\n");
    if (p->vwgt) {
        g->vwgt = malloc(sizeof *g->vwgt * (size_t)p->n);
        if (!g->vwgt)
            return zp_fail(ZP_ERUNTIME, "out of memory");
        memcpy(g->vwgt, p->vwgt, sizeof *g->vwgt * (size_t)p->n);
    }
    return ZP_OK;
}

static void free_graph(bl_graph *g)
{
    free(g->xadj);
    free(g->adjncy);
    free(g->adjwgt);
    free(g->vwgt);
}

/* Cut weight (each edge once) and the heaviest part of a partition of g. */
static void evaluate(const bl_graph *g, int k, const int *part, int64_t *cut, int64_t *max_load)
{
    int64_t *load = calloc((size_t)k, sizeof *load);
    *cut = 0;
    for (int u = 0; u < g->n; u++) {
        load[part[u]] += g->vwgt ? g->vwgt[u] : 1;
        for (int j = g->xadj[u]; j < g->xadj[u + 1]; j++)
            if (g->adjncy[j] > u && part[g->adjncy[j]] != part[u])
                *cut += g->adjwgt[j];
    }
    *max_load = 0;
    for (int z = 0; z < k; z++)
        *max_load = ZP_MAX(*max_load, load[z]);
    free(load);
}

static int run_metis(bl_graph *g, int k, double bound, long seed, int *part)
{
    idx_t options[METIS_NOPTIONS], n = g->n, ncon = 1, nparts = k, objval = 0;
    real_t ubvec = (real_t)bound;
    METIS_SetDefaultOptions(options);
    options[METIS_OPTION_OBJTYPE] = METIS_OBJTYPE_CUT;
    options[METIS_OPTION_NUMBERING] = 0;
    options[METIS_OPTION_SEED] = (idx_t)seed;
    int st = METIS_PartGraphKway(&n, &ncon, g->xadj, g->adjncy, g->vwgt, NULL, g->adjwgt, &nparts,
                                 NULL, &ubvec, options, &objval, part);
    return st == METIS_OK ? ZP_OK : zp_fail(ZP_ERUNTIME, "METIS_PartGraphKway failed (%d)", st);
}

static SCOTCH_Num scotch_flags(const char *strat)
{
    return !strcmp(strat, "default")   ? SCOTCH_STRATDEFAULT
           : !strcmp(strat, "speed")   ? SCOTCH_STRATSPEED
           : !strcmp(strat, "balance") ? SCOTCH_STRATBALANCE
                                       : SCOTCH_STRATQUALITY;
}

/* A Scotch context of `threads` threads with its own generator seeded by seed: the global
 * generator and Scotch 7's default thread pool made repeated runs differ. */
static int scotch_context(SCOTCH_Context *ctx, int threads, long seed)
{
    if (SCOTCH_contextInit(ctx) != 0)
        return zp_fail(ZP_ERUNTIME, "SCOTCH_contextInit failed");
    if (SCOTCH_contextOptionSetNum(ctx, SCOTCH_OPTIONNUMDETERMINISTIC, 1) != 0 ||
        SCOTCH_contextOptionSetNum(ctx, SCOTCH_OPTIONNUMRANDOMFIXEDSEED, 1) != 0 ||
        SCOTCH_contextRandomClone(ctx) != 0 || SCOTCH_contextThreadSpawn(ctx, threads, NULL) != 0)
        return zp_fail(ZP_ERUNTIME, "Scotch context set-up failed");
    SCOTCH_contextRandomSeed(ctx, (SCOTCH_Num)seed);
    SCOTCH_contextRandomReset(ctx);
    return ZP_OK;
}

static int run_scotch(bl_graph *g, int k, double balrat, const bl_args *a, long seed, int *part)
{
    SCOTCH_Context ctx;
    SCOTCH_Graph graph, bound;
    SCOTCH_Strat st;
    int64_t nnz = g->xadj[g->n];
    int rc = scotch_context(&ctx, a->threads, seed);
    SCOTCH_graphInit(&graph);
    SCOTCH_graphInit(&bound);
    SCOTCH_stratInit(&st);
    if (rc == ZP_OK && SCOTCH_graphBuild(&graph, 0, g->n, g->xadj, NULL, g->vwgt, NULL,
                                         (SCOTCH_Num)nnz, g->adjncy, g->adjwgt) != 0)
        rc = zp_fail(ZP_ERUNTIME, "SCOTCH_graphBuild failed");
    if (rc == ZP_OK && SCOTCH_contextBindGraph(&ctx, &graph, &bound) != 0)
        rc = zp_fail(ZP_ERUNTIME, "SCOTCH_contextBindGraph failed");
    if (rc == ZP_OK && SCOTCH_stratGraphMapBuild(&st, scotch_flags(a->strat), k, balrat) != 0)
        rc = zp_fail(ZP_ERUNTIME, "SCOTCH_stratGraphMapBuild failed");
    if (rc == ZP_OK && SCOTCH_graphPart(&bound, k, &st, part) != 0)
        rc = zp_fail(ZP_ERUNTIME, "SCOTCH_graphPart failed");
    SCOTCH_stratExit(&st);
    SCOTCH_graphExit(&bound); /* the context graph goes before its context */
    SCOTCH_graphExit(&graph);
    SCOTCH_contextExit(&ctx);
    return rc;
}

/* Runs the tool once per seed and keeps the best partition: within the bound hi first, then
 * least cut, then lightest max part. */
static int run_tool(const bl_args *a, bl_graph *g, int k, int64_t hi, double ub, double balrat,
                    bl_result *best)
{
    int rc = ZP_OK, metis = !strncmp(a->tool, "metis", 5);
    int *part = malloc(sizeof *part * (size_t)(g->n > 0 ? g->n : 1));
    best->part = malloc(sizeof *best->part * (size_t)(g->n > 0 ? g->n : 1));
    if (!part || !best->part) {
        free(part);
        return zp_fail(ZP_ERUNTIME, "out of memory");
    }
    best->runs = 0;
    for (int s = 0; s < a->seeds && rc == ZP_OK; s++) {
        long seed = a->seed + s;
        double t0 = zp_now();
        rc = k == 1  ? (memset(part, 0, sizeof *part * (size_t)g->n), ZP_OK)
             : metis ? run_metis(g, k, ub, seed, part)
                     : run_scotch(g, k, balrat, a, seed, part);
        best->seconds += zp_now() - t0;
        if (rc != ZP_OK)
            break;
        int64_t cut, max_load;
        evaluate(g, k, part, &cut, &max_load);
        int better = best->runs == 0 || (max_load <= hi) > (best->max_load <= hi) ||
                     ((max_load <= hi) == (best->max_load <= hi) &&
                      (cut < best->cut || (cut == best->cut && max_load < best->max_load)));
        if (better) {
            memcpy(best->part, part, sizeof *part * (size_t)g->n);
            best->cut = cut;
            best->max_load = max_load;
            best->seed = seed;
        }
        best->runs++;
    }
    free(part);
    return rc;
}

/* "VmHWM:  1234 kB" style fields of /proc/self/status in MB, -1 if absent. */
static double proc_status_mb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double mb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, len) && line[len] == ':')
            mb = strtod(line + len + 1, NULL) / 1024.0;
    if (f)
        fclose(f);
    return mb;
}

/* Resets the peak RSS to the current RSS (Linux >= 4.0), so VmHWM afterwards is the tool's. */
static int reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    int ok = f && fputs("5", f) >= 0;
    if (f)
        ok &= fclose(f) == 0;
    return ok;
}

static void print_json(const bl_args *a, const zp_problem *p, const bl_result *r, int64_t hi,
                       double bound, double read_s, double base_mb, double tool_mb)
{
    zp_metrics m;
    struct rusage ru;
    int64_t total = problem_total_weight(p), ceil_avg = (total + p->k - 1) / p->k;
    metrics_compute(p, r->part, &m);
    getrusage(RUSAGE_SELF, &ru);
    const char *inst = a->graph ? a->graph : a->config ? a->config : a->services;
    printf("{\"tool\":\"%s\",\"instance\":\"%s\",\"n\":%d,\"edges\":%lld,\"k\":%d,\"eps\":%g,"
           "\"hi\":%lld,\"bound\":%.7f,\"cut\":%lld,\"max_load\":%lld,\"imbalance\":%.6f,"
           "\"balanced\":%s,\"seconds\":%.3f,\"runs\":%d,\"best_seed\":%ld,"
           "\"read_seconds\":%.3f,\"peak_rss_mb\":%.1f,\"tool_rss_mb\":%.1f,\"base_rss_mb\":%.1f,"
           "\"objective\":%.17g,\"traffic\":%.17g,\"external_deps\":%lld,\"lb_pct\":%.4f,"
           "\"violations\":%lld,\"band_excess\":%lld}\n",
           a->tool, inst, p->n, (long long)(p->xadj[p->n] / 2), p->k, p->imbalance, (long long)hi,
           bound, (long long)r->cut, (long long)r->max_load,
           (double)r->max_load / (double)ceil_avg - 1.0, r->max_load <= hi ? "true" : "false",
           r->seconds, r->runs, r->seed, read_s, ru.ru_maxrss / 1024.0, tool_mb, base_mb,
           m.objective, m.traffic, (long long)m.external_deps, m.lb_pct, (long long)m.violations,
           (long long)m.imbalance);
}

static int run(const bl_args *a)
{
    zp_problem *p = NULL;
    bl_graph g;
    bl_result best;
    int rc;
    memset(&g, 0, sizeof g);
    memset(&best, 0, sizeof best);
    double t0 = zp_now();
    rc = load_problem(a, &p);
    double read_s = zp_now() - t0;
    if (rc == ZP_OK && strcmp(a->tool, "metis") && strcmp(a->tool, "metis-best") &&
        strcmp(a->tool, "scotch") && strcmp(a->tool, "scotch-best"))
        rc = usage("--tool must be metis, metis-best, scotch or scotch-best");
    if (rc == ZP_OK)
        rc = build_graph(p, &g);
    if (rc == ZP_OK) {
        int64_t lo, hi;
        problem_band(p, &lo, &hi);
        double avg = (double)problem_total_weight(p) / p->k;
        double ub = fmax(1.0, (double)hi / avg - 0.0000499), balrat = (double)hi / avg - 1.0;
        int metis = !strncmp(a->tool, "metis", 5);
        double base_mb = proc_status_mb("VmRSS");
        int reset = reset_peak_rss();
        rc = run_tool(a, &g, p->k, hi, ub, balrat, &best);
        double tool_mb = reset ? proc_status_mb("VmHWM") : -1;
        if (rc == ZP_OK && a->out)
            rc = graphio_write_partition(a->out, best.part, p->n);
        if (rc == ZP_OK)
            print_json(a, p, &best, hi, metis ? ub : balrat, read_s, base_mb, tool_mb);
    }
    free(best.part);
    free_graph(&g);
    problem_destroy(&p);
    return rc;
}

int main(int argc, char **argv)
{
    bl_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == ZP_OK)
        rc = run(&a);
    if (rc != ZP_OK)
        fprintf(stderr, "baselines: %s\n%s", zp_error_message(), rc == ZP_EUSAGE ? USAGE : "");
    return rc;
}
