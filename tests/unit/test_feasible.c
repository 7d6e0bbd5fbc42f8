/* test_feasible.c - feasible_band against brute force: on thousands of small random problems
 * (io, allowed zones, per-app capacities, slots, imbalance) the check says "can be met" exactly
 * when some placement of every app into a zone it fits has every zone within the band. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "feasible.h"
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

int main(void)
{
    zp_rng rng;
    rng_seed(&rng, 13, 1, 1);
    int feasible = 0, infeasible = 0;
    for (int trial = 0; trial < 4000; trial++) {
        int n = 1 + (int)rng_below(&rng, 8), k = 1 + (int)rng_below(&rng, 4);
        zp_problem *p = random_problem(&rng, n, k);
        int64_t lo, hi, count[8] = {0};
        problem_band(p, &lo, &hi);
        char why[512] = "";
        int rc = feasible_band(p, why, sizeof why);
        int truth = exists(p, 0, count, lo, hi);
        CHECK_INT(rc, truth ? ZP_OK : ZP_EINPUT);
        if (rc != (truth ? ZP_OK : ZP_EINPUT))
            fprintf(stderr, "  trial %d: n %d k %d band %lld..%lld: %s\n", trial, n, k,
                    (long long)lo, (long long)hi, why);
        CHECK(rc == ZP_OK || strlen(why) > 20);
        feasible += truth;
        infeasible += !truth;
        problem_destroy(&p);
    }
    /* both answers must have been exercised many times */
    CHECK(feasible > 500);
    CHECK(infeasible > 500);
    printf("%d feasible, %d infeasible problems\n", feasible, infeasible);
    return CHECK_DONE();
}
