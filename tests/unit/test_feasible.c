/* test_feasible.c - what a run may assume of its input and spend on it: feasible_band against
 * brute force (on thousands of small random problems with io, allowed zones, per-app
 * capacities, slots and imbalance it says "can be met" exactly when some placement of every app
 * into a zone it fits has every zone within the band), and the trajectory of a search whose
 * rounds would otherwise each keep a row (memory bounded whatever "iterations" says). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "feasible.h"
#include "generate.h"
#include "graphio.h"
#include "pipeline.h"
#include "problem.h"
#include "rng.h"
#include "util.h"

static zp_problem *random_problem(zp_rng *rng, int n, int k)
{
    zp_problem *p = NULL;
    problem_create(&p);
    p->nres = 1;
    p->res_names = zp_calloc(1, sizeof *p->res_names);
    p->res_names[0] = zp_strdup("cpu");
    problem_alloc_apps(p, n);
    problem_alloc_zones(p, k);
    for (int z = 0; z < k; z++) {
        char name[16];
        snprintf(name, sizeof name, "z%d", z);
        p->zone_names[z] = zp_strdup(name);
        p->zone_io[z] = (unsigned char)(rng_below(rng, 3) != 0);
        p->capacity[z] = rng_below(rng, 3) ? 1e9 : (double)rng_below(rng, 4);
        if (rng_below(rng, 4) == 0)
            p->slots[z] = (int)rng_below(rng, (uint64_t)n + 1);
    }
    p->allowed_xadj = zp_calloc((size_t)n + 1, sizeof *p->allowed_xadj);
    p->allowed = zp_calloc((size_t)n * (size_t)k + 1, sizeof *p->allowed);
    for (int u = 0; u < n; u++) {
        p->needs_io[u] = (unsigned char)(rng_below(rng, 3) == 0);
        p->demand[u] = (double)rng_below(rng, 3);
        int64_t fill = p->allowed_xadj[u];
        if (rng_below(rng, 2))
            for (int z = 0; z < k; z++)
                if (rng_below(rng, 2))
                    p->allowed[fill++] = z;
        p->allowed_xadj[u + 1] = fill;
    }
    p->imbalance = rng_below(rng, 2) ? 0 : 0.1 * (double)rng_below(rng, 6);
    return p;
}

/* Whether some placement of apps u.. (the first u placed with counts count[]) meets the band. */
static int exists(const zp_problem *p, int u, int64_t *count, int64_t lo, int64_t hi)
{
    if (u == p->n) {
        for (int z = 0; z < p->k; z++)
            if (count[z] < lo || count[z] > hi || count[z] > p->slots[z])
                return 0;
        return 1;
    }
    for (int z = 0; z < p->k; z++) {
        if (!app_fits_zone(p, u, z))
            continue;
        count[z]++;
        int found = exists(p, u + 1, count, lo, hi);
        count[z]--;
        if (found)
            return 1;
    }
    return 0;
}

/* Search rows of a task with rounds rounds in epochs epochs, every round asked for. */
static int64_t search_rows(zp_problem *p, int64_t rounds, int epochs)
{
    zp_options o;
    options_default(&o);
    o.init = ZP_INIT_RR;
    o.iterations = rounds;
    o.epochs = epochs;
    zp_exchange ex = exchange_serial();
    zp_task_spec spec = {&o, 0, 0, &ex, NULL};
    zp_task_result res;
    int64_t rows = -1;
    if (task_run(&spec, p, NULL, &res) == ZP_OK) {
        rows = 0;
        for (int64_t i = 0; i < res.traj.len; i++)
            rows += res.traj.rows[i].phase == ZP_PHASE_SEARCH && res.traj.rows[i].start == 0;
        task_result_free(&res);
    }
    return rows;
}

static void test_trajectory_bounded(void)
{
    zp_problem *p = NULL;
    CHECK_INT(generate_grid(4, 4, 0, &p), ZP_OK);
    CHECK_INT(graphio_uniform_zones(p, 2, 0.0), ZP_OK);
    /* a row per round while there are few (and one at each epoch's end) */
    CHECK_INT(search_rows(p, 300, 1), 301);
    /* 40,000 rounds kept 40,001 rows: now one every 4 rounds */
    int64_t rows = search_rows(p, 40000, 1);
    CHECK(rows >= 9000 && rows <= 10001);
    /* the bound holds over the epochs together */
    rows = search_rows(p, 40000, 4);
    CHECK(rows >= 9000 && rows <= 10004);
    problem_destroy(&p);
}

int main(void)
{
    test_trajectory_bounded();
    zp_rng rng;
    rng_seed(&rng, 13, 1, 1);
    int feasible = 0, infeasible = 0, disagree = 0, unexplained = 0;
    for (int trial = 0; trial < 4000; trial++) {
        int n = 1 + (int)rng_below(&rng, 8), k = 1 + (int)rng_below(&rng, 4);
        zp_problem *p = random_problem(&rng, n, k);
        int64_t lo, hi, count[8] = {0};
        problem_band(p, &lo, &hi);
        char why[512] = "";
        int rc = feasible_band(p, why, sizeof why);
        int truth = exists(p, 0, count, lo, hi);
        if (rc != (truth ? ZP_OK : ZP_EINPUT) && disagree++ < 5)
            fprintf(stderr, "FAIL trial %d: n %d k %d band %lld..%lld: brute force %d, check "
                    "%d: %s\n", trial, n, k, (long long)lo, (long long)hi, truth, rc, why);
        unexplained += rc != ZP_OK && strlen(why) < 20;
        feasible += truth;
        infeasible += !truth;
        problem_destroy(&p);
    }
    CHECK_INT(disagree, 0);
    CHECK_INT(unexplained, 0);
    /* both answers must have been exercised many times */
    CHECK(feasible > 500);
    CHECK(infeasible > 500);
    printf("%d feasible, %d infeasible problems\n", feasible, infeasible);
    return CHECK_DONE();
}
