/* test_multilevel.c - the multilevel engine: coarsening keeps weights, projection keeps the
 * metrics, the final placement keeps the band and the zone limits, known optima are found, the
 * same seed gives the same placement; and the search's incremental structures stay exact. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "cost.h"
#include "generate.h"
#include "graphio.h"
#include "multilevel.h"
#include "pipeline.h"
#include "problem.h"
#include "rng.h"
#include "search.h"
#include "util.h"

static zp_problem *grid(int rows, int cols, int k, double eps)
{
    zp_problem *p = NULL;
    CHECK_INT(generate_grid(rows, cols, 0, &p), ZP_OK);
    CHECK_INT(graphio_uniform_zones(p, k, eps), ZP_OK);
    return p;
}

static zp_problem *micro(int64_t n, int64_t m, int k, double eps, uint64_t seed)
{
    zp_problem *p = NULL;
    CHECK_INT(generate_microservices(n, m, seed, &p), ZP_OK);
    CHECK_INT(graphio_uniform_zones(p, k, eps), ZP_OK);
    return p;
}

static double total_adjwgt(const zp_problem *p)
{
    double w = 0;
    for (int64_t j = 0; j < p->xadj[p->n]; j++)
        w += p->adjwgt[j];
    return w;
}

static int64_t total_adjmult(const zp_problem *p)
{
    int64_t m = 0;
    for (int64_t j = 0; j < p->xadj[p->n]; j++)
        m += p->adjmult[j];
    return m;
}

/* Coarsening keeps the total vertex weight, and the edge weight and multiplicity minus the
 * contracted (internal) edges; the coarse graph is a valid CSR graph. */
static void check_coarsening(const zp_problem *p, const int *group, int64_t max_vwgt)
{
    zp_problem *c = NULL;
    int *cmap = NULL;
    zp_rng rng;
    rng_seed(&rng, 7, 0, 0);
    CHECK_INT(multilevel_coarsen(p, group, max_vwgt, &rng, &c, &cmap), ZP_OK);
    if (!c)
        return;
    CHECK(c->n < p->n);
    CHECK(c->n >= p->n / 2);
    CHECK_INT(problem_total_weight(c), problem_total_weight(p));
    CHECK_INT(problem_check_graph(c), ZP_OK);
    double internal_w = 0;
    int64_t internal_m = 0;
    for (int u = 0; u < p->n; u++)
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
            if (cmap[p->adjncy[j]] == cmap[u]) {
                internal_w += p->adjwgt[j];
                internal_m += p->adjmult[j];
            }
    CHECK_NEAR(total_adjwgt(c), total_adjwgt(p) - internal_w, 1e-6 * total_adjwgt(p));
    CHECK_INT(total_adjmult(c), total_adjmult(p) - internal_m);
    CHECK_INT(c->ndeps, p->ndeps);
    int most = 0, merged_across = 0;
    for (int v = 0; v < c->n; v++)
        most = ZP_MAX(most, c->vwgt[v]);
    CHECK(most <= max_vwgt);
    for (int u = 0; u < p->n && group; u++)
        for (int w = 0; w < p->n; w++)
            merged_across += cmap[u] == cmap[w] && group[u] != group[w];
    CHECK_INT(merged_across, 0);

    /* a coarse placement projects to a fine one with the same metrics */
    int *xc = malloc(sizeof *xc * (size_t)c->n), *x = malloc(sizeof *x * (size_t)p->n);
    for (int v = 0; v < c->n; v++)
        xc[v] = (int)rng_below(&rng, (uint64_t)c->k);
    for (int u = 0; u < p->n; u++)
        x[u] = xc[cmap[u]];
    zp_metrics mc, mf;
    metrics_compute(c, xc, &mc);
    metrics_compute(p, x, &mf);
    /* the contracted dependencies cost D's (uniform) diagonal */
    double inside = p->requests * internal_w / 2 * problem_dist(p, 0, 0);
    CHECK_NEAR(mc.traffic + inside, mf.traffic, 1e-9 * mf.traffic);
    CHECK_INT(mc.external_deps, mf.external_deps);
    CHECK_INT(mc.internal_deps, mf.internal_deps);
    CHECK_NEAR(mc.cut_weight, mf.cut_weight, 1e-9 * fmax(1, mf.cut_weight));
    CHECK_INT(mc.max_load, mf.max_load);
    CHECK_INT(mc.min_load, mf.min_load);
    CHECK_INT(mc.imbalance, mf.imbalance);
    CHECK_NEAR(mc.cv, mf.cv, 1e-12);
    /* the incremental state of the coarse level agrees with the recount */
    zp_state *st = NULL;
    CHECK_INT(state_create(&st, c, xc), ZP_OK);
    CHECK_NEAR(st->traffic, mc.traffic, 1e-9 * mc.traffic);
    CHECK_INT(st->external_deps, mc.external_deps);
    state_destroy(&st);
    free(xc);
    free(x);
    free(cmap);
    problem_destroy(&c);
}

static void test_coarsening(void)
{
    zp_problem *g = grid(20, 20, 4, 0.03);
    check_coarsening(g, NULL, 2);
    problem_destroy(&g);
    zp_problem *m = micro(600, 3000, 4, 0.03, 3);
    check_coarsening(m, NULL, 8);
    int *group = malloc(sizeof *group * (size_t)m->n);
    for (int u = 0; u < m->n; u++)
        group[u] = u % 3;
    check_coarsening(m, group, 8); /* V-cycles: only vertices of one zone merge */
    free(group);
    problem_destroy(&m);
}

/* Runs the multilevel placement; checks the band, the limits and that the incremental state
 * of the result agrees with a recount. Returns the cut weight. */
static double place_and_check(const zp_problem *p, uint64_t seed, int *x)
{
    zp_rng rng;
    rng_seed(&rng, seed, 0, 0);
    zp_ml_params prm;
    multilevel_defaults(&prm);
    prm.starts = 2; /* small graphs get up to 16 by default: the tests need not */
    zp_ml_stats stats;
    for (int u = 0; u < p->n; u++)
        x[u] = -1;
    CHECK_INT(multilevel_place(p, x, &rng, &prm, &stats), ZP_OK);
    int in_range = 1;
    for (int u = 0; u < p->n; u++)
        in_range &= x[u] >= 0 && x[u] < p->k;
    CHECK(in_range);
    zp_metrics m;
    metrics_compute(p, x, &m);
    CHECK_INT(m.violations, 0);
    CHECK_INT(m.imbalance, 0);
    CHECK(stats.cycles >= 2);
    CHECK(stats.levels >= 1);
    return m.cut_weight;
}

static void test_grid_bisection(void)
{
    /* a 20 x 20 grid into 2 zones: the straight cut of 20 edges is optimal */
    zp_problem *p = grid(20, 20, 2, 0.03);
    int *x = malloc(sizeof *x * (size_t)p->n);
    CHECK_NEAR(place_and_check(p, 1, x), 20, 0);
    free(x);
    problem_destroy(&p);
    /* 4 zones of a 20 x 20 grid: four 10 x 10 squares, cut 40 */
    p = grid(20, 20, 4, 0.0);
    x = malloc(sizeof *x * (size_t)p->n);
    CHECK_NEAR(place_and_check(p, 1, x), 40, 0);
    free(x);
    problem_destroy(&p);
}

static void test_micro_and_determinism(void)
{
    zp_problem *p = micro(3000, 15000, 8, 0.03, 5);
    int *x1 = malloc(sizeof *x1 * (size_t)p->n), *x2 = malloc(sizeof *x2 * (size_t)p->n);
    double c1 = place_and_check(p, 11, x1);
    double c2 = place_and_check(p, 11, x2);
    CHECK_NEAR(c1, c2, 0);
    CHECK(memcmp(x1, x2, sizeof *x1 * (size_t)p->n) == 0);
    /* far better than round robin's cut */
    zp_metrics m;
    for (int u = 0; u < p->n; u++)
        x2[u] = u % p->k;
    metrics_compute(p, x2, &m);
    CHECK(c1 < 0.6 * m.cut_weight);
    /* eps = 0: every zone within one app of n/k */
    p->imbalance = 0;
    place_and_check(p, 2, x1);
    free(x1);
    free(x2);
    problem_destroy(&p);
}

/* Cumulative capacities tight enough to matter (each zone 6% above its share of every
 * resource): the placement keeps them. */
static void test_cumulative_capacity(void)
{
    zp_problem *p = micro(2000, 10000, 6, 0.03, 9);
    p->capacity_mode = ZP_CUMULATIVE;
    for (int r = 0; r < p->nres; r++) {
        double total = 0;
        for (int u = 0; u < p->n; u++)
            total += problem_demand(p, u, r);
        for (int z = 0; z < p->k; z++)
            p->capacity[z * p->nres + r] = 1.06 * total / p->k;
    }
    int *x = malloc(sizeof *x * (size_t)p->n);
    place_and_check(p, 3, x);
    free(x);
    problem_destroy(&p);
}

/* per_app capacities that differ between zones: the large apps fit only half of the zones;
 * an io flag restricts a few apps to the io zones. */
static void test_heterogeneous_zones(void)
{
    zp_problem *p = micro(2000, 10000, 8, 0.03, 4);
    CHECK(p->nres >= 1);
    double most = 0;
    for (int u = 0; u < p->n; u++)
        most = fmax(most, problem_demand(p, u, 0));
    for (int z = 0; z < p->k; z++) {
        p->capacity[z * p->nres] = z % 2 ? most : most / 4;
        p->zone_io[z] = z < 4;
    }
    for (int u = 0; u < p->n; u += 50)
        p->needs_io[u] = 1;
    int *x = malloc(sizeof *x * (size_t)p->n);
    place_and_check(p, 5, x);
    free(x);
    problem_destroy(&p);
}

/* Apps with current zones: merged only with apps of the same current zone; moves priced. */
static void test_current_zones(void)
{
    zp_problem *p = micro(2000, 10000, 4, 0.03, 8);
    p->current = malloc(sizeof *p->current * (size_t)p->n);
    for (int u = 0; u < p->n; u++)
        p->current[u] = u < 1000 ? u % p->k : -1;
    int *group = malloc(sizeof *group * (size_t)p->n);
    for (int u = 0; u < p->n; u++)
        group[u] = -1;
    check_coarsening(p, group, 8);
    int *x = malloc(sizeof *x * (size_t)p->n);
    zp_rng rng;
    rng_seed(&rng, 1, 0, 0);
    zp_ml_params prm;
    multilevel_defaults(&prm);
    for (int u = 0; u < p->n; u++)
        x[u] = p->current[u];
    CHECK_INT(multilevel_place(p, x, &rng, &prm, NULL), ZP_OK);
    zp_metrics m;
    metrics_compute(p, x, &m);
    CHECK_INT(m.violations, 0);
    CHECK_INT(m.imbalance, 0);
    CHECK(m.moves < 1000);
    free(group);
    free(x);
    problem_destroy(&p);
}

/* The search's incremental state after an iterated search on a weighted (coarse) level. */
static void test_search_on_coarse_level(void)
{
    zp_problem *p = micro(1500, 8000, 5, 0.03, 2), *c = NULL;
    int *cmap = NULL;
    zp_rng rng;
    rng_seed(&rng, 3, 0, 0);
    CHECK_INT(multilevel_coarsen(p, NULL, 6, &rng, &c, &cmap), ZP_OK);
    int *xc = malloc(sizeof *xc * (size_t)c->n);
    for (int v = 0; v < c->n; v++)
        xc[v] = v % c->k;
    zp_state *st = NULL;
    zp_search *se = NULL;
    CHECK_INT(state_create(&st, c, xc), ZP_OK);
    CHECK_INT(search_create(&se, st), ZP_OK);
    zp_ils_params prm = {.rounds = 300};
    double before = state_objective(st);
    CHECK_INT(search_ils(se, &rng, &prm), ZP_OK);
    CHECK(state_objective(st) < before);
    zp_metrics m;
    metrics_compute(c, st->x, &m);
    CHECK_NEAR(st->traffic, m.traffic, 1e-9 * m.traffic);
    CHECK_INT(st->external_deps, m.external_deps);
    CHECK_INT(st->imbalance, m.imbalance);
    search_destroy(&se);
    state_destroy(&st);
    free(xc);
    free(cmap);
    problem_destroy(&c);
    problem_destroy(&p);
}

/* task_run on a problem above the automatic threshold picks the multilevel placement and
 * records its levels in the trajectory; the phases are multilevel, search, rebalance. */
static void test_pipeline_auto(void)
{
    zp_problem *p = micro(ZP_AUTO_MULTILEVEL_APPS + 1000, 30000, 8, 0.03, 6);
    CHECK_INT(resolve_init(p, ZP_INIT_AUTO), ZP_INIT_MULTILEVEL);
    zp_options o;
    options_default(&o);
    o.init = ZP_INIT_AUTO;
    o.iterations = 200;
    zp_exchange ex = exchange_serial();
    zp_task_spec spec = {&o, 0, 0, &ex, NULL};
    zp_task_result res;
    CHECK_INT(task_run(&spec, p, NULL, &res), ZP_OK);
    CHECK_INT(res.nphases, 3);
    CHECK(strcmp(res.phases[0].name, "multilevel") == 0);
    CHECK(strcmp(res.phases[1].name, "search") == 0);
    CHECK(strcmp(res.phases[2].name, "rebalance") == 0);
    CHECK_INT(res.init_kind, ZP_INIT_MULTILEVEL);
    CHECK(res.ml_levels > 1);
    int coarsen = 0, initial = 0, refine = 0, final_row = 0, below_floor = 0;
    /* rows of coarse levels count the merged dependencies too: never below the traffic of a
     * placement with every dependency inside a zone */
    double floor_traffic = p->requests * p->dep_weight_total * problem_dist(p, 0, 0);
    for (int64_t i = 0; i < res.traj.len; i++) {
        const zp_traj_row *r = &res.traj.rows[i];
        coarsen += r->phase == ZP_PHASE_COARSEN;
        initial += r->phase == ZP_PHASE_ML_INITIAL;
        refine += r->phase == ZP_PHASE_ML_REFINE;
        if (r->phase == ZP_PHASE_ML_INITIAL || r->phase == ZP_PHASE_ML_REFINE)
            below_floor += r->traffic < floor_traffic * (1 - 1e-12);
        if (r->phase == ZP_PHASE_ML_REFINE && r->step % 1000 == 0)
            final_row += fabs(r->traffic - res.phases[0].m.traffic) <= 1e-9 * r->traffic &&
                         r->external_deps == res.phases[0].m.external_deps;
    }
    CHECK_INT(below_floor, 0);
    CHECK(final_row > 0);
    CHECK(coarsen > 0);
    CHECK(initial > 0);
    CHECK(refine > 0);
    CHECK_INT(res.final.violations, 0);
    CHECK_INT(res.final.imbalance, 0);
    CHECK(res.phases[1].m.objective <= res.phases[0].m.objective);
    /* the same task again gives the same placement */
    zp_task_result again;
    CHECK_INT(task_run(&spec, p, NULL, &again), ZP_OK);
    CHECK(memcmp(res.placement, again.placement, sizeof *res.placement * (size_t)p->n) == 0);
    task_result_free(&res);
    task_result_free(&again);
    CHECK_INT(resolve_init(p, ZP_INIT_RR), ZP_INIT_RR);
    problem_destroy(&p);
}

int main(void)
{
    test_coarsening();
    test_grid_bisection();
    test_micro_and_determinism();
    test_cumulative_capacity();
    test_heterogeneous_zones();
    test_current_zones();
    test_search_on_coarse_level();
    test_pipeline_auto();
    return CHECK_DONE();
}
