/* test_core.c - the model, loader, metrics, incremental deltas, placements, search and
 * rebalance, driven without MPI or HDF5. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "cost.h"
#include "heap.h"
#include "place.h"
#include "problem.h"
#include "rebalance.h"
#include "rng.h"
#include "search.h"
#include "topology.h"
#include "util.h"

static zp_config *load(const char *path)
{
    zp_config *cfg = NULL;
    int rc = config_load(path, &cfg);
    if (rc != ZP_OK)
        fprintf(stderr, "load %s: %s\n", path, zp_error_message());
    CHECK_INT(rc, ZP_OK);
    return cfg;
}

static void test_csr_merging(void)
{
    zp_problem *p = NULL;
    CHECK_INT(problem_create(&p), ZP_OK);
    p->nres = 0;
    CHECK_INT(problem_alloc_apps(p, 3), ZP_OK);
    int src[] = {0, 1, 0, 2}, dst[] = {1, 0, 1, 1};
    double w[] = {1, 1, 2, 5};
    CHECK_INT(problem_set_dependencies(p, 4, src, dst, w), ZP_OK);
    CHECK_INT(p->ndeps, 4);
    CHECK_INT(p->xadj[3], 4); /* edges 0-1 and 1-2, both directions */
    CHECK_INT(p->adjncy[0], 1);
    CHECK_NEAR(p->adjwgt[0], 4.0, 0);
    CHECK_INT(p->adjmult[0], 3);
    CHECK_INT(p->xadj[2] - p->xadj[1], 2);
    CHECK_INT(problem_check_graph(p), ZP_OK);
    problem_destroy(&p);
    CHECK(p == NULL);
}

static void test_thesis_case1_rr(void)
{
    /* the thesis's round robin (docs/design.md section 2) */
    static const int zone_of[40] = {1, 1, 0, 0, 2, 1, 3, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0, 1, 3, 1,
                                    1, 1, 3, 2, 3, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
    zp_config *cfg = load("inputs/thesis/case1.json");
    if (!cfg)
        return;
    const zp_problem *p = cfg->base;
    CHECK_INT(p->n, 40);
    CHECK_INT(p->k, 4);
    CHECK_INT(p->ndeps, 21);
    int x[40];
    for (int u = 0; u < 40; u++)
        x[u] = -1;
    CHECK_INT(place_rr(p, x), ZP_OK);
    int same = 1;
    for (int u = 0; u < 40; u++)
        same &= x[u] == zone_of[u];
    CHECK(same);
    zp_metrics m;
    metrics_compute(p, x, &m);
    CHECK_INT(m.external_deps, 15);
    CHECK_INT(m.internal_deps, 6);
    CHECK_NEAR(m.traffic, 3840, 0);
    CHECK_NEAR(m.thesis_pct, 3.368, 0.0005);
    CHECK_NEAR(m.lb_pct, 100, 1e-12);
    CHECK_INT(m.violations, 0);
    config_destroy(&cfg);
}

/* A state's tracked numbers equal a full recount. */
static int state_matches_recount(const zp_state *st)
{
    zp_metrics m;
    metrics_compute(st->p, st->x, &m);
    double tol = 1e-9 * (1 + m.traffic);
    return fabs(m.traffic - st->traffic) <= tol && m.external_deps == st->external_deps &&
           fabs(m.move_cost - st->move_cost) <= 1e-9 * (1 + m.move_cost) &&
           m.imbalance == st->imbalance && m.moves == st->moves &&
           fabs(m.cut_weight - st->cut_weight) <= tol;
}

/* Thousands of random moves: every delta equals the change of a full recount. */
static void random_moves_match(const zp_problem *p, uint64_t seed, int count)
{
    zp_rng rng;
    rng_seed(&rng, seed, 0, 0);
    int *x = zp_calloc((size_t)p->n, sizeof *x);
    for (int u = 0; u < p->n; u++)
        x[u] = (int)rng_below(&rng, (uint64_t)p->k);
    zp_state *st = NULL;
    CHECK_INT(state_create(&st, p, x), ZP_OK);
    int bad_delta = 0, bad_state = 0;
    for (int i = 0; i < count; i++) {
        int u = (int)rng_below(&rng, (uint64_t)p->n), b = (int)rng_below(&rng, (uint64_t)p->k);
        zp_metrics before, after;
        metrics_compute(p, st->x, &before);
        double delta = state_move_delta(st, u, b);
        state_move(st, u, b);
        metrics_compute(p, st->x, &after);
        if (fabs((after.objective - before.objective) - delta) > 1e-9 * (1 + before.objective))
            bad_delta++;
        if (i % 97 == 0 && !state_matches_recount(st))
            bad_state++;
    }
    CHECK_INT(bad_delta, 0);
    CHECK_INT(bad_state, 0);
    CHECK(state_matches_recount(st));
    state_destroy(&st);
    zp_free(x);
}

/* A random problem with weighted edges, a non-uniform distance matrix and current zones. */
static zp_problem *random_problem(int n, int k, int64_t m, uint64_t seed)
{
    zp_rng rng;
    rng_seed(&rng, seed, 1, 1);
    zp_problem *p = NULL;
    problem_create(&p);
    p->nres = 1;
    p->res_names = zp_calloc(1, sizeof *p->res_names);
    p->res_names[0] = zp_strdup("cpu");
    problem_alloc_apps(p, n);
    problem_alloc_zones(p, k);
    p->current = zp_calloc((size_t)n, sizeof *p->current);
    for (int u = 0; u < n; u++) {
        p->current[u] = u % 3 == 0 ? -1 : (int)rng_below(&rng, (uint64_t)k);
        p->size[u] = 1 + (double)rng_below(&rng, 3);
        p->demand[u] = (double)rng_below(&rng, 5);
    }
    int *src = zp_calloc((size_t)m, sizeof *src), *dst = zp_calloc((size_t)m, sizeof *dst);
    double *w = zp_calloc((size_t)m, sizeof *w);
    for (int64_t i = 0; i < m; i++) {
        src[i] = (int)rng_below(&rng, (uint64_t)n);
        do
            dst[i] = (int)rng_below(&rng, (uint64_t)n);
        while (dst[i] == src[i]);
        w[i] = 1 + (double)rng_below(&rng, 7);
    }
    problem_set_dependencies(p, m, src, dst, w);
    double *d = zp_calloc((size_t)k * k, sizeof *d);
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++)
            d[a * k + b] = a == b ? 40 : 100 + 37 * ((a + b) % 4);
    topology_matrix(p, d);
    p->requests = 3;
    zp_free(src);
    zp_free(dst);
    zp_free(w);
    zp_free(d);
    return p;
}

static void test_deltas(void)
{
    zp_config *cfg = load("inputs/thesis/case2.json");
    if (cfg) {
        random_moves_match(cfg->base, 11, 3000);
        config_destroy(&cfg);
    }
    cfg = load("inputs/examples/cumulative.json");
    if (cfg) {
        random_moves_match(cfg->base, 12, 2000);
        config_destroy(&cfg);
    }
    cfg = load("inputs/examples/migration.json");
    if (cfg) {
        random_moves_match(cfg->base, 13, 2000);
        config_destroy(&cfg);
    }
    zp_problem *p = random_problem(150, 6, 600, 99);
    random_moves_match(p, 14, 4000);
    problem_destroy(&p);
}

static void test_heap(void)
{
    zp_heapset *hs = NULL;
    CHECK_INT(heapset_create(&hs, 2, 10), ZP_OK);
    double keys[10] = {3, 9, 1, 9, 4, 7, 0, 2, 8, 5};
    for (int u = 0; u < 10; u++)
        heapset_put(hs, u % 2, u, keys[u]);
    CHECK_INT(heapset_top(hs, 1), 1); /* 9 at ids 1 and 3: lower id first */
    heapset_remove(hs, 1);
    CHECK_INT(heapset_top(hs, 1), 3);
    heapset_put(hs, 0, 3, 100); /* moves 3 to heap 0 */
    CHECK_INT(heapset_top(hs, 0), 3);
    CHECK_INT(heapset_top(hs, 1), 5);
    heapset_put(hs, 0, 3, -1);
    CHECK_INT(heapset_top(hs, 0), 8);
    /* heap 0 holds 0,2,4,6,8 and 3: keys 3,1,4,0,8 and -1 */
    static const int expected[6] = {8, 4, 0, 2, 6, 3};
    int order[6], n = 0;
    while (heapset_top(hs, 0) >= 0 && n < 6) {
        order[n] = heapset_top(hs, 0);
        heapset_remove(hs, order[n++]);
    }
    CHECK_INT(n, 6);
    CHECK(memcmp(order, expected, sizeof order) == 0);
    heapset_destroy(&hs);
}

static void test_search_invariants(const char *path)
{
    zp_config *cfg = load(path);
    if (!cfg)
        return;
    const zp_problem *p = cfg->base;
    int *x = zp_calloc((size_t)p->n, sizeof *x);
    for (int u = 0; u < p->n; u++)
        x[u] = p->current ? p->current[u] : -1;
    CHECK_INT(place_rr(p, x), ZP_OK);
    zp_state *st = NULL;
    zp_search *s = NULL;
    CHECK_INT(state_create(&st, p, x), ZP_OK);
    double before = state_objective(st);
    int64_t imbalance_before = st->imbalance;
    CHECK_INT(search_create(&s, st), ZP_OK);
    zp_rng rng;
    rng_seed(&rng, 5, 0, 0);
    zp_ils_params prm = {.rounds = 200};
    CHECK_INT(search_ils(s, &rng, &prm), ZP_OK);
    /* the search repairs balance first, then lowers the objective */
    CHECK(st->imbalance < imbalance_before || state_objective(st) <= before);
    CHECK(rebalance(st) >= 0);
    if (st->imbalance != 0)
        fprintf(stderr, "%s: imbalance %lld after search\n", path, (long long)st->imbalance);
    CHECK_INT(st->imbalance, 0);
    CHECK(state_matches_recount(st));
    zp_metrics m;
    metrics_compute(p, st->x, &m);
    CHECK_INT(m.violations, 0);
    search_destroy(&s);
    state_destroy(&st);
    zp_free(x);
    config_destroy(&cfg);
}

/* Observer of test_search_patience: the last round seen. */
static void last_round(void *ctx, const zp_state *st, int64_t step, double best)
{
    (void)st, (void)best;
    *(int64_t *)ctx = step;
}

/* search.patience: the iterated search stops after that many rounds without a better placement,
 * and stopping there is exactly the search that was given that many rounds. */
static void test_search_patience(void)
{
    zp_config *cfg = load("inputs/thesis/case2.json");
    if (!cfg)
        return;
    const zp_problem *p = cfg->base;
    int *x[2] = {zp_calloc((size_t)p->n, sizeof(int)), zp_calloc((size_t)p->n, sizeof(int))};
    double objective[2] = {0, 0};
    int64_t last = 0, unused = 0;
    for (int run = 0; run < 2; run++) {
        for (int u = 0; u < p->n; u++)
            x[run][u] = -1;
        CHECK_INT(place_rr(p, x[run]), ZP_OK);
        zp_state *st = NULL;
        zp_search *s = NULL;
        CHECK_INT(state_create(&st, p, x[run]), ZP_OK);
        CHECK_INT(search_create(&s, st), ZP_OK);
        zp_rng rng;
        rng_seed(&rng, 3, 0, 0);
        zp_ils_params patient = {1000000, 0, 1, last_round, &last, 40, NULL};
        zp_ils_params fixed = {last, 0, 1, last_round, &unused, 0, NULL};
        CHECK_INT(search_ils(s, &rng, run == 0 ? &patient : &fixed), ZP_OK);
        memcpy(x[run], st->x, sizeof(int) * (size_t)p->n);
        objective[run] = state_objective(st);
        search_destroy(&s);
        state_destroy(&st);
    }
    CHECK(last >= 40 && last < 1000000);
    CHECK_INT(unused, last);
    CHECK(objective[0] == objective[1]);
    CHECK(memcmp(x[0], x[1], sizeof(int) * (size_t)p->n) == 0);
    zp_free(x[0]);
    zp_free(x[1]);
    config_destroy(&cfg);
}

#define SAME(field, count)                                                                         \
    CHECK((!a->field && !b->field) ||                                                              \
          (a->field && b->field &&                                                                 \
           memcmp(a->field, b->field, sizeof *a->field * (size_t)(count)) == 0))

/* problem_copy: every array equal and owned by the copy (ASan runs see a double free or leak). */
static void test_problem_copy(const char *path)
{
    zp_config *cfg = load(path);
    if (!cfg)
        return;
    const zp_problem *a = cfg->arrivals ? cfg->arrivals : cfg->base;
    zp_problem *b = NULL;
    CHECK_INT(problem_copy(a, &b), ZP_OK);
    if (b) {
        int64_t n = a->n, k = a->k, half = a->xadj[n];
        CHECK(b->n == a->n && b->k == a->k && b->nres == a->nres && b->ndeps == a->ndeps);
        CHECK(b->requests == a->requests && b->imbalance == a->imbalance);
        SAME(demand, n * a->nres);
        SAME(current, n);
        SAME(allowed_xadj, n + 1);
        SAME(capacity, k * a->nres);
        SAME(slots, k);
        SAME(dist, k * k);
        SAME(xadj, n + 1);
        SAME(adjncy, half);
        SAME(adjwgt, half);
        SAME(adjmult, half);
        CHECK(strcmp(b->app_names[n - 1], a->app_names[n - 1]) == 0 &&
              b->app_names[n - 1] != a->app_names[n - 1]);
        CHECK(strcmp(b->zone_names[k - 1], a->zone_names[k - 1]) == 0);
        problem_clear_zones(b);
        CHECK(b->k == 0 && !b->dist && !b->zone_names && a->dist);
    }
    problem_destroy(&b);
    config_destroy(&cfg);
}

#undef SAME

static void test_rebalance_from_pile(void)
{
    zp_config *cfg = load("inputs/thesis/case2.json");
    if (!cfg)
        return;
    const zp_problem *p = cfg->base;
    int *x = zp_calloc((size_t)p->n, sizeof *x); /* everything in zone 0 */
    zp_state *st = NULL;
    CHECK_INT(state_create(&st, p, x), ZP_OK);
    CHECK(st->imbalance > 0);
    CHECK(rebalance(st) > 0);
    CHECK_INT(st->imbalance, 0);
    for (int z = 0; z < p->k; z++)
        CHECK_INT(st->count[z], 20);
    CHECK(state_matches_recount(st));
    state_destroy(&st);
    zp_free(x);
    config_destroy(&cfg);
}

static void test_rng_streams(void)
{
    zp_rng a, b, c;
    rng_seed(&a, 7, 0, 3);
    rng_seed(&b, 7, 0, 3);
    rng_seed(&c, 7, 0, 4);
    int same = 1, differ = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        same &= x == y;
        differ |= x != z;
    }
    CHECK(same);
    CHECK(differ);
    int in_range = 1;
    for (int i = 0; i < 1000; i++)
        in_range &= rng_below(&a, 7) < 7;
    CHECK(in_range);
}

static void test_band(void)
{
    zp_problem *p = NULL;
    problem_create(&p);
    p->nres = 0;
    problem_alloc_apps(p, 45);
    problem_alloc_zones(p, 4);
    int64_t lo, hi;
    problem_band(p, &lo, &hi);
    CHECK_INT(lo, 11);
    CHECK_INT(hi, 12);
    p->imbalance = 0.03;
    problem_band(p, &lo, &hi);
    CHECK_INT(hi, 12); /* floor(1.03 * 12) */
    CHECK_INT(lo, 11); /* ceil(0.97 * 11) */
    p->band_no_floor = 1; /* METIS's constraint: the upper bound only */
    problem_band(p, &lo, &hi);
    CHECK_INT(hi, 12);
    CHECK_INT(lo, 0);
    problem_destroy(&p);
}

int main(void)
{
    test_csr_merging();
    test_thesis_case1_rr();
    test_deltas();
    test_heap();
    test_search_invariants("inputs/thesis/case1.json");
    test_search_invariants("inputs/thesis/case2.json");
    test_search_invariants("inputs/examples/cumulative.json");
    test_search_invariants("inputs/examples/migration.json");
    test_search_patience();
    test_problem_copy("inputs/examples/migration.json");
    test_problem_copy("inputs/thesis/case1_arrivals.json");
    test_rebalance_from_pile();
    test_rng_streams();
    test_band();
    return CHECK_DONE();
}
