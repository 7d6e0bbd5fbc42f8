/* bench/zp_graph.c - quick driver of the multilevel engine on a METIS .graph (for measuring the
 * engine while the CLI's --graph mode is wired): reads the graph, gives it k uniform zones with
 * the imbalance, runs multilevel_place (or, with --pipeline, the whole task: multilevel, search,
 * rebalance) and prints the cut, the balance and the time. Not part of bin/zoneplace. Build
 * after make, linking the core objects (every build/ object but main, sweep, par_*, h5out*):
 *   gcc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Isrc -o bench/zp_graph bench/zp_graph.c \
 *       CORE_OBJECTS -lcjson -lm
 * Usage: zp_graph G.graph K [EPS=0.03] [SEED=1] [--pipeline] [--out PART] [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "cost.h"
#include "graphio.h"
#include "multilevel.h"
#include "pipeline.h"
#include "util.h"

static double peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static void row(void *ctx, int what, int level, int cycle, int n, const zp_state *st,
                double offset)
{
    double t0 = *(double *)ctx;
    (void)offset;
    static const char *names[] = {"coarsen", "initial", "refine"};
    fprintf(stderr, "  [%7.2fs] cycle %d %-8s level %2d n %8d", zp_now() - t0, cycle, names[what],
            level, n);
    if (st)
        fprintf(stderr, " cut %.0f ext %lld imb %lld", st->cut_weight,
                (long long)st->external_deps, (long long)st->imbalance);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: zp_graph G.graph K [EPS] [SEED] [--pipeline] [--out PART] [-v]\n");
        return 2;
    }
    const char *path = argv[1], *out = NULL;
    int k = atoi(argv[2]), pipeline = 0, verbose = 0, starts = 0;
    double eps = argc > 3 && argv[3][0] != '-' ? atof(argv[3]) : 0.03;
    unsigned long long seed = argc > 4 && argv[4][0] != '-' ? strtoull(argv[4], NULL, 10) : 1;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--pipeline"))
            pipeline = 1;
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--starts") && i + 1 < argc)
            starts = atoi(argv[++i]);
    }
    double t0 = zp_now();
    zp_problem *p = NULL;
    if (graphio_read_metis(path, &p) != ZP_OK || graphio_uniform_zones(p, k, eps) != ZP_OK) {
        fprintf(stderr, "zp_graph: %s\n", zp_error_message());
        return 1;
    }
    double t_read = zp_now() - t0;
    int *x = malloc(sizeof *x * (size_t)p->n);
    zp_metrics m;
    double t1 = zp_now();
    if (!pipeline) {
        for (int u = 0; u < p->n; u++)
            x[u] = -1;
        zp_rng rng;
        rng_seed(&rng, seed, 0, UINT64_MAX);
        zp_ml_params prm;
        multilevel_defaults(&prm);
        prm.observer = verbose ? row : NULL;
        prm.starts = starts;
        prm.observer_ctx = &t1;
        zp_ml_stats stats;
        if (multilevel_place(p, x, &rng, &prm, &stats) != ZP_OK) {
            fprintf(stderr, "zp_graph: %s\n", zp_error_message());
            return 1;
        }
        fprintf(stderr, "levels %d cycles %d: coarsen %.2fs initial %.2fs refine %.2fs\n",
                stats.levels, stats.cycles, stats.t_coarsen, stats.t_initial, stats.t_refine);
        for (int l = 0; l < stats.levels && verbose; l++)
            fprintf(stderr, "  level %d: n %d m %lld\n", l, stats.level_n[l],
                    (long long)stats.level_m[l]);
    } else {
        zp_options o;
        options_default(&o);
        o.seed = seed;
        o.init = ZP_INIT_MULTILEVEL;
        zp_exchange ex = exchange_serial();
        zp_task_spec spec = {&o, 0, verbose, &ex};
        zp_task_result res;
        if (task_run(&spec, p, NULL, &res) != ZP_OK) {
            fprintf(stderr, "zp_graph: %s\n", zp_error_message());
            return 1;
        }
        memcpy(x, res.placement, sizeof *x * (size_t)p->n);
        for (int i = 0; i < res.nphases; i++)
            fprintf(stderr, "phase %-12s %7.2fs cut %.0f imb %lld viol %lld\n",
                    res.phases[i].name, res.phases[i].seconds, res.phases[i].m.cut_weight,
                    (long long)res.phases[i].m.imbalance, (long long)res.phases[i].m.violations);
        fprintf(stderr, "multilevel: %d levels, %d cycles: coarsen %.2fs initial %.2fs refine "
                "%.2fs\n", res.ml_levels, res.ml_cycles, res.ml_seconds[0], res.ml_seconds[1],
                res.ml_seconds[2]);
        task_result_free(&res);
    }
    double t_place = zp_now() - t1;
    metrics_compute(p, x, &m);
    printf("%s k=%d eps=%g seed=%llu cut=%.0f ext=%lld imbalance=%lld viol=%lld max=%lld "
           "min=%lld read=%.2fs place=%.2fs rss=%.0fMB\n",
           path, k, eps, seed, m.cut_weight, (long long)m.external_deps,
           (long long)m.imbalance, (long long)m.violations, (long long)m.max_load,
           (long long)m.min_load, t_read, t_place, peak_mb());
    if (out)
        graphio_write_partition(out, x, p->n);
    free(x);
    problem_destroy(&p);
    return 0;
}
