/* test_perfmodel.c - the response-time model (src/perfmodel.c) against hand-computed values:
 * the formulas with and without the network term, percentiles, utilisation flags, link
 * aggregation, shared servers, config overrides and errors, and the deltas against full
 * recomputation, and the model as the search's objective (a zp_state with it attached, the
 * search and rebalance minimising it). The queueing behaviour itself is validated by simulation in test_perf_des.c. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cost.h"
#include "perfconf.h"
#include "perfdist.h"
#include "problem.h"
#include "rebalance.h"
#include "rng.h"
#include "search.h"
#include "topology.h"
#include "util.h"

#define Q99 4.605170185988091 /* -ln(1 - 0.99) */
#define Q95 2.995732273553991 /* -ln(1 - 0.95) */

/* A problem of n apps "A0".. with one resource "cpu" (demand[i], or 1), k zones "z0".. (cpu
 * capacity cap[z], or unlimited) on the fat tree, and m dependencies. */
static zp_problem *make_problem(int n, int k, int m, const int *src, const int *dst,
                                const double *w, const double *demand, const double *cap)
{
    zp_problem *p = NULL;
    char name[32];
    if (problem_create(&p) != ZP_OK)
        return NULL;
    p->nres = 1;
    p->res_names = zp_calloc(1, sizeof *p->res_names);
    p->res_names[0] = zp_strdup("cpu");
    problem_alloc_apps(p, n);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "A%d", i);
        p->app_names[i] = zp_strdup(name);
        p->demand[i] = demand ? demand[i] : 1.0;
    }
    problem_alloc_zones(p, k);
    for (int z = 0; z < k; z++) {
        snprintf(name, sizeof name, "z%d", z);
        p->zone_names[z] = zp_strdup(name);
        if (cap)
            p->capacity[z] = cap[z];
    }
    problem_set_dependencies(p, m, src, dst, w);
    topology_fat_tree(p, 10, 100);
    return p;
}

/* Parses json as the "perf" section for p; returns the status, *pf set on success. */
static int parse(const char *json, const zp_problem *p, zp_perf **pf)
{
    cJSON *node = cJSON_Parse(json);
    if (!node) {
        fprintf(stderr, "bad test JSON: %s\n", json);
        return -1;
    }
    zp_error_clear();
    int rc = perf_parse(node, "test.json", p, pf);
    cJSON_Delete(node);
    return rc;
}

static zp_perf_result *evaluate(const zp_perf *pf, const zp_problem *p, const int *x)
{
    zp_perf_result *r = NULL;
    CHECK_INT(perf_evaluate(pf, p, x, &r), ZP_OK);
    return r;
}

/* A0 -> A1 at 100 requests/s; A1 serves at mu Q/P = 1000 * 0.5 = 500. One kB requests on a
 * zone link of 2 x 1 Mbit/s spread per request (one queue): nu = 2e6 / 8000 = 250; core link
 * 1 x 1 Mbit/s: nu = 125. */
static const char *two_app_json =
    "{\"service_rate\": 1000, \"reservation\": 0.5, \"request_size_kb\": 1,"
    " \"bundle\": \"per_request\","
    " \"tiers\": {\"zone\": {\"latency_ms\": 0.268, \"link_gbps\": 0.001, \"links\": 2},"
    "             \"core\": {\"latency_ms\": 1.34, \"link_gbps\": 0.001, \"links\": 1}}}";

static void test_two_apps_same_zone(void)
{
    int src[] = {0}, dst[] = {1};
    double w[] = {100};
    zp_problem *p = make_problem(2, 2, 1, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    CHECK_INT(parse(two_app_json, p, &pf), ZP_OK);
    int x[] = {0, 0};
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_INT(r->ndeps, 1);
    const zp_perf_dep *d = &r->dep[0];
    CHECK_INT(d->client, 0);
    CHECK_INT(d->server, 1);
    CHECK_NEAR(d->rate, 100, 1e-12);
    CHECK_NEAR(d->latency, 0.000536, 1e-15);          /* 2 x 0.268 ms */
    CHECK_NEAR(d->server_time, 0.0025, 1e-15);        /* 1 / (500 - 100) */
    CHECK_NEAR(d->network_time, 1.0 / 150, 1e-15);    /* 1 / (250 - 100) */
    CHECK_NEAR(d->mean_nonet, 0.003036, 1e-15);
    CHECK_NEAR(d->mean, 0.009702666666666667, 1e-15);
    CHECK_NEAR(d->pct_nonet, 0.012048925464970228, 1e-14); /* 0.536 ms + 4.60517 x 2.5 ms */
    /* the exact quantile of 0.536 ms + Exp(150) + Exp(400) (mpmath, 40 digits); the old single
     * exponential of the same mean said 42.750 ms */
    CHECK_NEAR(d->pct, 0.034369961850497101, 1e-15);
    CHECK_INT(d->bound, 0);
    CHECK_INT(d->unstable, 0);
    CHECK_NEAR(r->cpu_util[1], 0.2, 1e-15);
    CHECK_NEAR(r->cpu_util[0], 0, 0);
    CHECK_NEAR(r->arrival[1], 100, 1e-12);
    CHECK_NEAR(r->link_load[0], 800000, 1e-6); /* 100/s x 8000 bit */
    CHECK_NEAR(r->link_util[0], 0.4, 1e-15);
    CHECK_NEAR(r->link_util[3], 0, 0);
    CHECK_NEAR(r->link_util[1], 0, 0);
    CHECK_INT(r->unstable_servers + r->unstable_links + r->unstable_deps, 0);
    CHECK_NEAR(r->mean_weighted, d->mean, 1e-15);
    CHECK_NEAR(r->mean_weighted_nonet, d->mean_nonet, 1e-15);
    CHECK_NEAR(r->max_pct, d->pct, 1e-15);
    CHECK_NEAR(r->worst_mean, d->mean, 1e-15);
    CHECK_INT(r->worst_dep, 0);
    /* lambda E[R] = 100 x 9.7027 ms; also rho/(1-rho) per queue: 0.0536 + 0.25 + 0.6667 */
    CHECK_NEAR(r->objective, 0.9702666666666667, 1e-12);
    CHECK_NEAR(perf_objective(pf, p, x), 0.9702666666666667, 1e-12);
    perf_result_destroy(&r);
    CHECK(r == NULL);
    perf_destroy(&pf);
    CHECK(pf == NULL);
    problem_destroy(&p);
}

static void test_two_apps_cross_zone_and_aggregation(void)
{
    int src[] = {0}, dst[] = {1};
    double w[] = {100};
    zp_problem *p = make_problem(2, 2, 1, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    int x[] = {0, 1};
    CHECK_INT(parse(two_app_json, p, &pf), ZP_OK);
    zp_perf_result *r = evaluate(pf, p, x);
    const zp_perf_dep *d = &r->dep[0];
    CHECK_NEAR(d->latency, 0.00268, 1e-15);         /* 2 x 1.34 ms */
    CHECK_NEAR(d->network_time, 0.04, 1e-15);       /* 1 / (125 - 100) */
    CHECK_NEAR(d->mean, 0.04518, 1e-15);
    CHECK_NEAR(d->mean_nonet, 0.00518, 1e-15);
    CHECK_NEAR(d->pct, 0.18946834828502647, 1e-15); /* 2.68 ms + Exp(25) + Exp(400), mpmath */
    CHECK_NEAR(r->link_util[1], 0.8, 1e-15);        /* 8e5 / 1e6 from z0 to z1 */
    CHECK_NEAR(r->link_util[2], 0, 0);              /* full duplex: z1 -> z0 carries nothing */
    CHECK_NEAR(r->link_util[0] + r->link_util[3], 0, 0);
    perf_result_destroy(&r);
    perf_destroy(&pf);

    /* two bundled core links, 802.3ad: the one conversation stays on one member (1 Mbit/s) */
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5, \"tiers\":"
                    " {\"core\": {\"link_gbps\": 0.001, \"links\": 2}}}", p, &pf), ZP_OK);
    r = evaluate(pf, p, x);
    CHECK_INT(pf->nqueues, 1 + 2 + 2 + 1); /* own links, and 2 members each way */
    CHECK_NEAR(r->link_util[1], 0.8, 1e-15);
    CHECK_NEAR(r->link_load[1], 8e5, 1e-6);
    CHECK_NEAR(r->dep[0].network_time, 0.04, 1e-15);
    CHECK_NEAR(pf->bandwidth[1], 1e6, 1e-6);
    CHECK_INT(pf->links[1], 2);
    CHECK_NEAR(pf->bandwidth[0], 1e10, 1e-6);      /* the zone tier kept its default */
    CHECK_NEAR(r->queue_load[1] + r->queue_load[2], 8e5, 1e-6); /* z0 -> z1: queues 1 and 2 */
    CHECK_NEAR(r->queue_load[1] * r->queue_load[2], 0, 0);      /* on one member only */
    perf_result_destroy(&r);
    perf_destroy(&pf);

    /* spread per request (ideal): one queue of twice the rate, utilisation 0.4, nu = 250 */
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5, \"bundle\": \"per_request\","
                    " \"tiers\": {\"core\": {\"link_gbps\": 0.001, \"links\": 2}}}", p, &pf),
              ZP_OK);
    r = evaluate(pf, p, x);
    CHECK_INT(pf->nqueues, 4);
    CHECK_NEAR(r->link_util[1], 0.4, 1e-15);
    CHECK_NEAR(r->dep[0].network_time, 1.0 / 150, 1e-15);
    CHECK_NEAR(r->dep[0].mean, 0.010506666666666667, 1e-15);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

static void test_percentile_and_network_switch(void)
{
    int src[] = {0}, dst[] = {1};
    double w[] = {100};
    zp_problem *p = make_problem(2, 1, 1, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    int x[] = {0, 0};
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5, \"percentile\": 95,"
                    " \"bundle\": \"per_request\", \"network\": false, \"tiers\": {\"zone\": {\"link_gbps\": 0.001,"
                    " \"links\": 2}}}", p, &pf), ZP_OK);
    CHECK_NEAR(pf->phi, 0.95, 1e-15);
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_NEAR(r->dep[0].pct_nonet, 0.000268 + Q95 * 0.0025, 1e-15);
    CHECK_NEAR(r->dep[0].pct, 0.023365135438038395, 1e-15); /* Exp(150) + Exp(400), mpmath */
    /* network off: the summaries and the objective leave out the link term */
    CHECK_NEAR(r->mean_weighted, 0.002768, 1e-15);
    CHECK_NEAR(r->max_pct, r->dep[0].pct_nonet, 1e-15);
    CHECK_NEAR(r->objective, 0.2768, 1e-12); /* 100 x 2.768 ms */
    CHECK_NEAR(perf_objective(pf, p, x), 0.2768, 1e-12);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

static void test_unstable_flags(void)
{
    int src[] = {0}, dst[] = {1};
    double w[] = {600};
    zp_problem *p = make_problem(2, 2, 1, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    int x[] = {0, 1};
    /* 600/s into 500/s: the server saturates; the link carries 600 x 8000 = 4.8 Mbit/s of 10 */
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5, \"tiers\":"
                    " {\"core\": {\"link_gbps\": 0.01}}}", p, &pf), ZP_OK);
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_NEAR(r->cpu_util[1], 1.2, 1e-12);
    CHECK_INT(r->unstable_servers, 1);
    CHECK_INT(r->unstable_links, 0);
    CHECK_INT(r->unstable_deps, 1);
    CHECK_INT(r->dep[0].unstable, 1);
    CHECK(isinf(r->dep[0].mean) && isinf(r->dep[0].pct_nonet));
    CHECK(isinf(r->mean_weighted));
    CHECK(r->objective >= ZP_PERF_PENALTY && isfinite(r->objective));
    perf_result_destroy(&r);
    perf_destroy(&pf);

    /* a 10 kB request at 600/s needs 48 Mbit/s on a 10 Mbit/s core link */
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 1, \"request_size_kb\": 10,"
                    " \"tiers\": {\"core\": {\"link_gbps\": 0.01}}}", p, &pf), ZP_OK);
    r = evaluate(pf, p, x);
    CHECK_INT(r->unstable_servers, 0);
    CHECK_INT(r->unstable_links, 1);
    CHECK_INT(r->unstable_deps, 1);
    CHECK_INT(r->dep[0].unstable, 2);
    CHECK_NEAR(r->link_util[1], 4.8, 1e-12);
    CHECK(isinf(r->dep[0].mean) && isfinite(r->dep[0].mean_nonet));
    CHECK_NEAR(r->dep[0].mean_nonet, 0.00134 + 1.0 / 400, 1e-15);
    perf_result_destroy(&r);
    perf_destroy(&pf);

    /* the same without the network term: the link is still flagged, the dependency is not */
    CHECK_INT(parse("{\"service_rate\": 1000, \"request_size_kb\": 10, \"network\": false,"
                    " \"tiers\": {\"core\": {\"link_gbps\": 0.01}}}", p, &pf), ZP_OK);
    r = evaluate(pf, p, x);
    CHECK_INT(r->unstable_links, 1);
    CHECK_INT(r->unstable_deps, 0);
    CHECK(isfinite(r->mean_weighted) && r->objective < 10);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* Two clients share one server and one link: both see the totals. */
static void test_shared_server_and_link(void)
{
    int src[] = {0, 1}, dst[] = {2, 3};
    double w[] = {100, 150};
    /* A0 -> A2 and A1 -> A3 both cross z0-z1 */
    zp_problem *p = make_problem(4, 2, 2, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    int x[] = {0, 0, 1, 1};
    CHECK_INT(parse("{\"service_rate\": 1000, \"tiers\": {\"core\": {\"link_gbps\": 0.004}}}",
                    p, &pf), ZP_OK);
    zp_perf_result *r = evaluate(pf, p, x);
    /* link: (100 + 150) x 8000 = 2 Mbit/s of 4: rho 0.5, nu = 500, time 1 / (500 x 0.5) */
    CHECK_NEAR(r->link_util[1], 0.5, 1e-15);
    CHECK_NEAR(r->dep[0].network_time, 0.004, 1e-15);
    CHECK_NEAR(r->dep[1].network_time, 0.004, 1e-15);
    CHECK_NEAR(r->dep[0].server_time, 1.0 / 900, 1e-15);
    CHECK_NEAR(r->dep[1].server_time, 1.0 / 850, 1e-15);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);

    int src2[] = {0, 1}, dst2[] = {2, 2};
    p = make_problem(3, 1, 2, src2, dst2, w, NULL, NULL);
    int x2[] = {0, 0, 0};
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5}", p, &pf), ZP_OK);
    r = evaluate(pf, p, x2);
    CHECK_NEAR(r->arrival[2], 250, 1e-12);
    CHECK_NEAR(r->cpu_util[2], 0.5, 1e-15);
    CHECK_NEAR(r->dep[0].server_time, 0.004, 1e-15); /* 1 / (500 - 250), for both clients */
    CHECK_NEAR(r->dep[1].server_time, 0.004, 1e-15);
    CHECK_NEAR(r->rate_total, 250, 1e-12);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* Per-app and per-dependency overrides, and the direction rule. */
static void test_overrides(void)
{
    int src[] = {0, 1}, dst[] = {1, 2};
    double w[] = {100, 50};
    zp_problem *p = make_problem(3, 1, 2, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    int x[] = {0, 0, 0};
    CHECK_INT(parse("{\"service_rate\": 1000, \"request_size_kb\": 2,"
                    " \"apps\": {\"A1\": {\"service_rate\": 400, \"reservation\": 0.25,"
                    "                    \"request_size_kb\": 4},"
                    "          \"A0\": {\"reservation\": 2}},"
                    " \"dependencies\": [{\"apps\": [\"A2\", \"A1\"], \"server\": \"A1\","
                    "                     \"request_size_kb\": 8}]}", p, &pf), ZP_OK);
    zp_perf_result *r = evaluate(pf, p, x);
    /* A1 serves A0 (default: higher id serves) and A2 (override): 150/s into 400 x 0.25 */
    CHECK_INT(r->dep[0].client, 0);
    CHECK_INT(r->dep[0].server, 1);
    CHECK_INT(r->dep[1].client, 2);
    CHECK_INT(r->dep[1].server, 1);
    CHECK_NEAR(r->arrival[1], 150, 1e-12);
    CHECK_NEAR(r->arrival[2], 0, 0);
    CHECK_NEAR(r->cpu_util[1], 1.5, 1e-12);
    CHECK_NEAR(r->share[0], 2, 0);
    CHECK_NEAR(r->share[1], 0.25, 0);
    CHECK_NEAR(r->share[2], 1, 0);
    CHECK_INT(r->unstable_servers, 1);
    CHECK_INT(r->unstable_deps, 2);
    /* sizes: A0-A1 from A1's entry (4 kB), A2-A1 from the dependency entry (8 kB) */
    CHECK_NEAR(r->link_load[0], 100 * 32000.0 + 50 * 64000.0, 1e-6);
    perf_result_destroy(&r);
    perf_destroy(&pf);

    /* per zone pair latency and bandwidth */
    problem_destroy(&p);
    p = make_problem(3, 3, 2, src, dst, w, NULL, NULL);
    CHECK_INT(parse("{\"service_rate\": 1000, \"pairs\": [{\"zones\": [\"z2\", \"z0\"],"
                    " \"latency_ms\": 34, \"links\": 4}, {\"zones\": [\"z1\", \"z1\"],"
                    " \"link_gbps\": 1}]}", p, &pf), ZP_OK);
    CHECK_NEAR(pf->latency[2], 0.034, 1e-15);
    CHECK_NEAR(pf->latency[6], 0.034, 1e-15);
    CHECK_NEAR(pf->bandwidth[2], 1e10, 1e-3);
    CHECK_INT(pf->links[2], 4);
    CHECK_INT(pf->links[6], 4);
    CHECK_NEAR(pf->latency[1], 0.00067, 1e-15);
    CHECK_NEAR(pf->bandwidth[4], 1e9, 1e-3);
    CHECK_NEAR(pf->latency[4], 0.000134, 1e-15);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* "auto": the reservation is the app's cpu demand in cores; 2 cores make an M/M/2 server. */
static void test_auto_reservation(void)
{
    int src[] = {0}, dst[] = {1};
    double w[] = {100}, demand[] = {1, 2}, cap[] = {4, 8};
    zp_problem *p = make_problem(2, 2, 1, src, dst, w, demand, cap);
    zp_perf *pf = NULL;
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": \"auto\", \"network\": false}", p,
                    &pf), ZP_OK);
    int x[] = {0, 0};
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_NEAR(r->share[1], 2, 0);
    CHECK_NEAR(r->share[0], 1, 0);
    CHECK_NEAR(r->cpu_util[1], 0.05, 1e-15); /* 100 / (2 x 1000) */
    /* M/M/2, a = 0.1: C(2, 0.1) = 1/210, mean 1/1000 + C/1900; p99 of the mixture (mpmath) */
    CHECK_NEAR(erlang_c(2, 0.1), 1.0 / 210, 1e-16);
    CHECK_NEAR(r->dep[0].server_time, 0.0010025062656641604, 1e-15);
    CHECK_NEAR(r->dep[0].pct_nonet - r->dep[0].latency, 0.0046103642132367072, 1e-13);
    perf_result_destroy(&r);
    /* the server term does not depend on the zone: a move changes the path latency only */
    x[1] = 1;
    double before = perf_objective(pf, p, x);
    double delta = perf_move_delta(pf, p, x, 1, 0);
    x[1] = 0;
    CHECK_NEAR(perf_objective(pf, p, x) - before, delta, 1e-12);
    CHECK_NEAR(delta, 100 * 2 * (0.000134 - 0.00067), 1e-12);
    perf_destroy(&pf);
    problem_destroy(&p);

    /* a server without cpu demand, or with a demand the model has no queue for */
    double demand0[] = {1, 0}, demand15[] = {1, 1.5};
    p = make_problem(2, 2, 1, src, dst, w, demand0, cap);
    CHECK_INT(parse("{\"service_rate\": 1000, \"apps\": {\"A1\": {\"reservation\": \"auto\"}}}",
                    p, &pf), ZP_EINPUT);
    CHECK(strstr(zp_error_message(), "app A1") != NULL);
    problem_destroy(&p);
    p = make_problem(2, 2, 1, src, dst, w, demand15, cap);
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": \"auto\"}", p, &pf), ZP_EINPUT);
    CHECK(strstr(zp_error_message(), "whole number of cores") != NULL);
    problem_destroy(&p);
}

/* The distributions against values computed independently (mpmath, 40 digits, from the closed
 * forms): hypoexponential quantiles with unequal, equal and nearly equal rates, three stages,
 * an M/M/2 mixture, and the paper's Eq. 4 bound. */
static void test_percentile_formulas(void)
{
    zp_rtime two = {0, 1, {1, 0}, {2, 0}, {{150, 400}}};
    CHECK_NEAR(rtime_quantile(&two, 0.99), 0.034369961850497101 - 0.000536, 1e-15);
    zp_rtime equal = {0, 1, {1, 0}, {2, 0}, {{100, 100}}};
    CHECK_NEAR(rtime_quantile(&equal, 0.99), 0.066383520679938123, 1e-15);
    zp_rtime near = {0, 1, {1, 0}, {2, 0}, {{100, 100 * (1 + 1e-9)}}};
    CHECK_NEAR(rtime_quantile(&near, 0.99), 0.066383520646746349, 1e-15);
    zp_rtime three = {0, 1, {1, 0}, {3, 0}, {{50, 120, 400}}};
    CHECK_NEAR(rtime_survival(&three, 0.03), 0.40927199356166726, 1e-13);
    CHECK_NEAR(rtime_quantile(&three, 0.99), 0.10554751856842946, 1e-12);
    zp_rtime erlang3 = {0, 1, {1, 0}, {3, 0}, {{100, 100, 100}}}; /* e^-5 (1 + 5 + 12.5) */
    CHECK_NEAR(rtime_survival(&erlang3, 0.05), 0.12465201948308114, 1e-13);
    zp_rtime shifted = equal;
    shifted.shift = 0.002;
    CHECK_NEAR(rtime_quantile(&shifted, 0.99), 0.002 + 0.066383520679938123, 1e-15);
    CHECK_NEAR(rtime_mean(&shifted), 0.022, 1e-15);
    /* Eq. 4: 2 delta - ln(1 - sqrt(phi)) (1/150 + 1/400) */
    CHECK_NEAR(rtime_paper_bound(0.000536, 1.0 / 150, 1.0 / 400, 0.99), 0.049080906108603910,
               1e-15);
    /* the bound holds at every percentile; the single exponential of the same mean (the old
     * formula) falls below the exact quantile under phi = 0.7154 at equal rates */
    const double phis[] = {0.3, 0.5, 0.7, 0.9, 0.99, 0.999};
    for (int i = 0; i < 6; i++) {
        double exact = rtime_quantile(&equal, phis[i]);
        CHECK(rtime_paper_bound(0, 0.01, 0.01, phis[i]) >= exact);
        CHECK((-log1p(-phis[i]) * 0.02 >= exact) == (phis[i] > 0.7154));
    }
    CHECK_NEAR(rtime_quantile(&equal, 0.5), 0.016783469900166607, 1e-15);
    /* M/M/2 at a = 0.1: no wait with 1 - 1/210, else Exp(1000) + Exp(1900) */
    zp_rtime mm2 = {0, 2, {1 - 1.0 / 210, 1.0 / 210}, {1, 2}, {{1000}, {1000, 1900}}};
    CHECK_NEAR(rtime_quantile(&mm2, 0.99), 0.0046103642132367072, 1e-15);
    /* Kingman's exponent of 100/s at rate 500 and 50/s at rate 125 (mpmath root) */
    double lambda[] = {100, 50}, c[] = {500, 125};
    CHECK_NEAR(kingman_theta(lambda, c, 2), 60.281914015527185, 1e-9);
}

/* The "paper_bound" method reports Eq. 4 and flags it as a bound. */
static void test_paper_bound_method(void)
{
    int src[] = {0}, dst[] = {1};
    double w[] = {100};
    zp_problem *p = make_problem(2, 2, 1, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5, \"bundle\": \"per_request\","
                    " \"percentile_method\": \"paper_bound\", \"tiers\": {\"zone\":"
                    " {\"link_gbps\": 0.001, \"links\": 2}}}", p, &pf), ZP_OK);
    int x[] = {0, 0};
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_NEAR(r->dep[0].pct, 0.048812906108603910, 1e-15);
    CHECK_NEAR(r->dep[0].pct_nonet, 0.011780925464970228, 1e-15); /* exact without network */
    CHECK_INT(r->dep[0].bound, 1);
    CHECK_INT(r->bound_deps, 1);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* Two request sizes on one queue: Pollaczek-Khinchine means, Kingman-bounded percentiles. */
static void test_mixed_sizes(void)
{
    int src[] = {0, 2}, dst[] = {1, 3};
    double w[] = {100, 50};
    zp_problem *p = make_problem(4, 1, 2, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    /* 4 Mbit/s: rho = (100 x 8000 + 50 x 32000) / 4e6 = 0.6; sum lambda s^2 = 5.76e10,
     * W = 5.76e10 / (1.6e13 x 0.4) = 9 ms; plus 2 ms and 8 ms of transmission */
    CHECK_INT(parse("{\"service_rate\": 1000, \"tiers\": {\"zone\": {\"link_gbps\": 0.004}},"
                    " \"apps\": {\"A3\": {\"request_size_kb\": 4}}}", p, &pf), ZP_OK);
    int x[] = {0, 0, 0, 0};
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_NEAR(r->link_util[0], 0.6, 1e-15);
    CHECK_NEAR(r->dep[0].network_time, 0.011, 1e-15);
    CHECK_NEAR(r->dep[1].network_time, 0.017, 1e-15);
    CHECK_INT(r->dep[0].bound + r->dep[1].bound, 2);
    /* 3 stages: Kingman's wait Exp(60.28), the request's Exp(500), the server Exp(900) */
    zp_rtime bound = {r->dep[0].latency, 1, {1, 0}, {3, 0}, {{60.281914015527185, 500, 900}}};
    CHECK_NEAR(r->dep[0].pct, rtime_quantile(&bound, 0.99), 1e-9);
    CHECK(r->dep[0].pct > r->dep[0].mean);
    /* link part of the objective: Lambda W + rho = 150 x 0.009 + 0.6 = sum lambda T */
    double server = 100.0 / 900 + 50.0 / 950, latency = 150 * 2 * 0.000134;
    CHECK_NEAR(r->objective, latency + server + 1.95, 1e-12);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* 802.3ad hashing: every conversation on one member, member loads add up to the direction's
 * load; the other direction is another set of queues. */
static void test_bundle_members(void)
{
    int src[8], dst[8];
    double w[8];
    for (int i = 0; i < 8; i++) {
        src[i] = i;
        dst[i] = 8 + i;
        w[i] = 10 + i;
    }
    zp_problem *p = make_problem(16, 2, 8, src, dst, w, NULL, NULL);
    zp_perf *pf = NULL;
    CHECK_INT(parse("{\"service_rate\": 1000, \"tiers\": {\"core\": {\"links\": 4}}}", p, &pf),
              ZP_OK);
    int x[16];
    for (int u = 0; u < 16; u++)
        x[u] = u < 8 ? 0 : 1; /* clients in z0, servers (higher ids) in z1 ... */
    x[7] = 1;
    x[15] = 0; /* ... but for one dependency from z1 to z0 */
    zp_perf_result *r = evaluate(pf, p, x);
    double member[16] = {0};
    int used = 0;
    for (int64_t e = 0; e < r->ndeps; e++) {
        int a, b, m;
        perf_queue_info(pf, r->dep[e].queue, &a, &b, &m);
        CHECK_INT(a, x[r->dep[e].client]);
        CHECK_INT(b, x[r->dep[e].server]);
        CHECK(m >= 0 && m < 4);
        member[r->dep[e].queue] += r->dep[e].rate * 8000;
    }
    double sum01 = 0;
    for (int64_t q = 0; q < r->nqueues; q++) {
        CHECK_NEAR(r->queue_load[q], member[q], 1e-6);
        int a, b, m;
        perf_queue_info(pf, q, &a, &b, &m);
        if (a == 0 && b == 1) {
            sum01 += r->queue_load[q];
            used += r->queue_load[q] > 0;
        }
    }
    CHECK_NEAR(sum01, r->link_load[1], 1e-6);
    CHECK_NEAR(r->link_load[1], (10 + 11 + 12 + 13 + 14 + 15 + 16) * 8000.0, 1e-6);
    CHECK_NEAR(r->link_load[2], 17 * 8000.0, 1e-6); /* z1 -> z0 */
    CHECK(used >= 2); /* 7 conversations spread over the 4 members */
    printf("7 conversations over 4 members: %d members used\n", used);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* Reservations against the zones' cpu: overbooked zones are counted, and perf_reserve_cpu()
 * turns reservations into demands the placement must hold. */
static void test_reservations(void)
{
    int src[] = {0, 1}, dst[] = {1, 2};
    double demand[] = {0.2, 0.2, 2}, cap[] = {1, 8};
    zp_problem *p = make_problem(3, 2, 2, src, dst, NULL, demand, cap);
    zp_perf *pf = NULL;
    CHECK_INT(parse("{\"service_rate\": 1000, \"reservation\": 0.5}", p, &pf), ZP_OK);
    int x[] = {0, 0, 1};
    zp_perf_result *r = evaluate(pf, p, x);
    CHECK_NEAR(r->zone_reserved[0], 1.0, 1e-15);
    CHECK_INT(r->overbooked_zones, 0);
    perf_result_destroy(&r);
    x[2] = 0; /* 1.5 cores reserved in a zone of 1 */
    r = evaluate(pf, p, x);
    CHECK_INT(r->overbooked_zones, 1);
    perf_result_destroy(&r);
    CHECK_INT(perf_reserve_cpu(pf, p), 2); /* A0 and A1 now demand 0.5; A2 keeps 2 */
    CHECK_NEAR(problem_demand(p, 0, 0), 0.5, 0);
    CHECK_NEAR(problem_demand(p, 2, 0), 2, 0);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* perf_restrict: the base stage's model of a run with arrivals predicts what the full model
 * predicts for the base apps' dependencies among themselves. */
static void test_restrict(void)
{
    int src[] = {0, 1, 2, 3}, dst[] = {1, 2, 0, 1};
    double w[] = {10, 20, 30, 40};
    zp_problem *p = make_problem(4, 2, 4, src, dst, w, NULL, NULL);
    zp_problem *sub = make_problem(3, 2, 3, src, dst, w, NULL, NULL); /* without A3 */
    zp_perf *pf = NULL, *ps = NULL;
    CHECK_INT(parse("{\"service_rate\": 1000, \"apps\": {\"A1\": {\"service_rate\": 300,"
                    " \"request_size_kb\": 4}}, \"dependencies\": [{\"apps\": [\"A0\", \"A2\"],"
                    " \"server\": \"A0\"}]}", p, &pf), ZP_OK);
    CHECK_INT(perf_restrict(pf, p, sub, &ps), ZP_OK);
    int x[] = {0, 1, 1, 0};
    zp_perf_result *r = evaluate(ps, sub, x);
    CHECK_INT(r->ndeps, 3);
    CHECK_INT(r->dep[1].server, 0); /* A0 - A2: the entry's server */
    CHECK_NEAR(r->dep[0].server_time, 1.0 / (300 - 10), 1e-15);
    CHECK_NEAR(r->dep[0].network_time, 32000 / (1e10 - 10 * 32000.0), 1e-18);
    CHECK_NEAR(ps->service_rate[1], 300, 0);
    perf_result_destroy(&r);
    perf_destroy(&ps);
    CHECK_INT(perf_restrict(pf, sub, p, &ps), ZP_ERUNTIME); /* not a part */
    CHECK(ps == NULL);
    perf_destroy(&pf);
    problem_destroy(&sub);
    problem_destroy(&p);
}

static void expect_error(const zp_problem *p, const char *json, const char *message)
{
    zp_perf *pf = NULL;
    CHECK_INT(parse(json, p, &pf), ZP_EINPUT);
    CHECK(pf == NULL);
    if (strcmp(zp_error_message(), message) != 0) {
        check_failed++;
        fprintf(stderr, "FAIL message \"%s\", expected \"%s\"\n", zp_error_message(), message);
    }
}

static void test_parse_errors(void)
{
    int src[] = {0, 1}, dst[] = {1, 2};
    zp_problem *p = make_problem(4, 2, 2, src, dst, NULL, NULL, NULL);
    expect_error(p, "{}", "test.json: perf.service_rate: missing (expected a number > 0)");
    expect_error(p, "[]", "test.json: perf: expected an object");
    expect_error(p, "{\"service_rate\": 0}", "test.json: perf.service_rate: expected a number > 0");
    expect_error(p, "{\"service_rate\": 1, \"speed\": 1}", "test.json: perf: unknown key \"speed\"");
    expect_error(p, "{\"service_rate\": 1, \"service_rate\": 2}",
                 "test.json: perf: key \"service_rate\" given twice");
    expect_error(p, "{\"service_rate\": 1, \"reservation\": \"half\"}",
                 "test.json: perf.reservation: expected a number > 0 or \"auto\"");
    expect_error(p, "{\"service_rate\": 1, \"reservation\": 1.5}",
                 "test.json: perf.reservation: expected at most 1 core or a whole number of "
                 "cores (M/M/c), not 1.5");
    expect_error(p, "{\"service_rate\": 1, \"bundle\": \"lacp\"}",
                 "test.json: perf.bundle: expected \"hash\" or \"per_request\"");
    expect_error(p, "{\"service_rate\": 1, \"percentile_method\": 1}",
                 "test.json: perf.percentile_method: expected \"exact\" or \"paper_bound\"");
    expect_error(p, "{\"service_rate\": 1, \"percentile\": 100}",
                 "test.json: perf.percentile: expected a number > 0 and < 100");
    expect_error(p, "{\"service_rate\": 1, \"network\": 1}",
                 "test.json: perf.network: expected true or false");
    expect_error(p, "{\"service_rate\": 1, \"request_size_kb\": \"4\"}",
                 "test.json: perf.request_size_kb: expected a number > 0");
    expect_error(p, "{\"service_rate\": 1, \"apps\": {\"A3\": {\"service_rate\": -2}}}",
                 "test.json: perf.apps.A3.service_rate: expected a number > 0");
    expect_error(p, "{\"service_rate\": 1, \"apps\": {\"B7\": {}}}",
                 "test.json: perf.apps.B7: no app named B7");
    expect_error(p, "{\"service_rate\": 1, \"apps\": {\"A1\": {\"cores\": 2}}}",
                 "test.json: perf.apps.A1: unknown key \"cores\"");
    expect_error(p, "{\"service_rate\": 1, \"apps\": {\"A1\": {}, \"A1\": {}}}",
                 "test.json: perf.apps: key \"A1\" given twice");
    expect_error(p, "{\"service_rate\": 1, \"tiers\": {\"edge\": {}}}",
                 "test.json: perf.tiers: unknown key \"edge\"");
    expect_error(p, "{\"service_rate\": 1, \"tiers\": {\"core\": {\"links\": 1.5}}}",
                 "test.json: perf.tiers.core.links: expected an integer >= 1");
    expect_error(p, "{\"service_rate\": 1, \"tiers\": {\"zone\": {\"latency_ms\": -1}}}",
                 "test.json: perf.tiers.zone.latency_ms: expected a number >= 0");
    expect_error(p, "{\"service_rate\": 1, \"pairs\": [{\"zones\": [\"z0\", \"z9\"]}]}",
                 "test.json: perf.pairs[0].zones[1]: expected the name of a zone");
    expect_error(p, "{\"service_rate\": 1, \"pairs\": [{\"zones\": [\"z0\"]}]}",
                 "test.json: perf.pairs[0].zones: expected two zone names");
    expect_error(p, "{\"service_rate\": 1, \"dependencies\": [{\"apps\": [\"A0\", \"A2\"]}]}",
                 "test.json: perf.dependencies[0].apps: A0 and A2 have no dependency");
    expect_error(p, "{\"service_rate\": 1, \"dependencies\": [{\"apps\": [\"A0\", \"A1\"],"
                    " \"server\": \"A2\"}]}",
                 "test.json: perf.dependencies[0].server: expected A0 or A1");
    expect_error(p, "{\"service_rate\": 1, \"dependencies\": [{\"apps\": [\"A0\", \"Z\"]}]}",
                 "test.json: perf.dependencies[0].apps[1]: expected the name of an app");
    expect_error(p, "{\"service_rate\": 1, \"dependencies\": {}}",
                 "test.json: perf.dependencies: expected an array");
    problem_destroy(&p);
}

/* A random problem of n apps, k zones, about m dependencies with weights in [1, 20). */
static zp_problem *random_problem(zp_rng *rng, int n, int k, int m)
{
    int src[512], dst[512];
    double w[512], demand[64], cap[8];
    int count = 0;
    for (int i = 0; i < m; i++) {
        int u = (int)rng_below(rng, (uint64_t)n), v = (int)rng_below(rng, (uint64_t)n);
        if (u == v)
            continue;
        src[count] = u;
        dst[count] = v;
        w[count++] = 1 + 19 * rng_uniform(rng);
    }
    for (int i = 0; i < n; i++)
        demand[i] = 1 + rng_below(rng, 4);
    for (int z = 0; z < k; z++)
        cap[z] = 4 + 4 * (double)z;
    return make_problem(n, k, count, src, dst, w, demand, cap);
}

/* The deltas against the full recomputation over random moves: the stateless delta where it is
 * exact (network off, fixed or auto reservations), the state's delta with the network on. */
static void test_deltas(void)
{
    zp_rng rng;
    rng_seed(&rng, 7, 0, 0);
    int n = 40, k = 4;
    zp_problem *p = random_problem(&rng, n, k, 120);
    int x[40];
    for (int u = 0; u < n; u++)
        x[u] = (int)rng_below(&rng, (uint64_t)k);
    const char *cases[] = {
        "{\"service_rate\": 400, \"network\": false, \"pairs\": [{\"zones\": [\"z0\", \"z3\"],"
        " \"latency_ms\": 34}]}",
        "{\"service_rate\": 4000, \"reservation\": \"auto\", \"network\": false}",
        /* link queues of 3 to 4 Mbit/s per direction and member carry a few Mbit/s, with mixed
         * request sizes: the walk saturates some at times */
        "{\"service_rate\": 4000, \"reservation\": \"auto\", \"request_size_kb\": 2,"
        " \"tiers\": {\"zone\": {\"link_gbps\": 0.004, \"links\": 2},"
        "            \"core\": {\"link_gbps\": 0.003}},"
        " \"apps\": {\"A3\": {\"request_size_kb\": 8}, \"A7\": {\"request_size_kb\": 0.5}},"
        " \"pairs\": [{\"zones\": [\"z1\", \"z2\"], \"latency_ms\": 5, \"link_gbps\": 0.003}]}",
        /* the same bundles spread per request */
        "{\"service_rate\": 4000, \"reservation\": \"auto\", \"request_size_kb\": 2,"
        " \"bundle\": \"per_request\", \"tiers\": {\"zone\": {\"link_gbps\": 0.004, \"links\": 2},"
        "            \"core\": {\"link_gbps\": 0.003}},"
        " \"apps\": {\"A3\": {\"request_size_kb\": 8}}}",
    };
    for (int c = 0; c < 4; c++) {
        zp_perf *pf = NULL;
        zp_perf_state *s = NULL;
        CHECK_INT(parse(cases[c], p, &pf), ZP_OK);
        CHECK_INT(perf_state_create(pf, p, x, &s), ZP_OK);
        double obj = perf_objective(pf, p, x);
        CHECK_NEAR(s->objective, obj, 1e-9 * fabs(obj));
        int exact_stateless = 1, exact_state = 1, saw_penalty = 0, tight = 0, links_moved = 0;
        for (int step = 0; step < 400; step++) {
            int u = (int)rng_below(&rng, (uint64_t)n), b = (int)rng_below(&rng, (uint64_t)k);
            double d0 = perf_move_delta(pf, p, x, u, b);
            double d1 = perf_state_move_delta(s, x, u, b);
            int a = x[u];
            x[u] = b;
            double after = perf_objective(pf, p, x);
            double tol = 1e-9 * (fabs(after) + fabs(obj));
            if (!pf->network && fabs(after - obj - d0) > tol)
                exact_stateless = 0;
            if (fabs(after - obj - d1) > tol)
                exact_state = 0;
            links_moved += pf->network && fabs(d1 - d0) > tol; /* what the stateless one omits */
            saw_penalty |= after >= ZP_PERF_PENALTY;
            tight += after < 1e6 && obj < 1e6; /* steps checked to 1e-9 of a stable objective */
            perf_state_move(s, x, u, a, b);
            obj = after;
        }
        CHECK(exact_stateless);
        CHECK(exact_state);
        /* the running sum keeps the rounding of the penalties' 1e9 terms it added and removed */
        CHECK_NEAR(s->objective, obj, saw_penalty ? 1e-4 : 1e-9 * fabs(obj));
        CHECK(tight > 100);
        if (c >= 2)
            CHECK(saw_penalty && links_moved > 100); /* links mattered, some saturated */
        printf("delta case %d: %d of 400 moves with a stable objective, %d moved links\n", c,
               tight, links_moved);
        perf_state_destroy(&s);
        CHECK(s == NULL);
        perf_destroy(&pf);
    }
    problem_destroy(&p);
}

/* Whether the state's objective is the model's objective of its placement (+ move cost) and
 * its traffic still the traffic of that placement. */
static int state_consistent(const zp_state *st, const zp_perf *pf, double tol)
{
    zp_metrics m;
    metrics_compute(st->p, st->x, &m);
    double model = perf_objective(pf, st->p, st->x);
    return fabs(state_objective(st) - model - m.move_cost) <= tol * fmax(1.0, model) &&
           fabs(st->traffic - m.traffic) <= 1e-9 * fmax(1.0, m.traffic);
}

/* A zp_state with the model attached: its deltas are the model's (links included), moves and
 * assignments keep it exact, and the search and rebalance lower the model's objective. */
static void test_state_objective(void)
{
    zp_rng rng;
    rng_seed(&rng, 13, 0, 0);
    int n = 40, k = 4;
    zp_problem *p = random_problem(&rng, n, k, 120);
    zp_perf *pf = NULL;
    zp_state *st = NULL;
    zp_search *search = NULL;
    int x[40], y[40];
    for (int u = 0; u < n; u++)
        x[u] = (int)rng_below(&rng, (uint64_t)k), y[u] = 0;
    /* slow links: moves change the link terms, so a traffic-only delta would be wrong */
    CHECK_INT(parse("{\"service_rate\": 4000, \"request_size_kb\": 2, \"tiers\":"
                    " {\"zone\": {\"link_gbps\": 0.02}, \"core\": {\"link_gbps\": 0.01}}}",
                    p, &pf), ZP_OK);
    CHECK_INT(state_create(&st, p, x), ZP_OK);
    double traffic_obj = state_objective(st);
    CHECK_INT(state_attach_perf(st, pf), ZP_OK);
    CHECK(state_objective(st) != traffic_obj);
    CHECK(state_consistent(st, pf, 1e-12));
    CHECK_NEAR(state_unit_gain(st), 2.0 * (0.67 - 0.134) * 1e-3, 1e-15);
    int exact = 1, links_mattered = 0;
    for (int step = 0; step < 300; step++) {
        int u = (int)rng_below(&rng, (uint64_t)n), b = (int)rng_below(&rng, (uint64_t)k);
        double before = state_objective(st), d = state_move_delta(st, u, b);
        links_mattered += fabs(d - perf_move_delta(pf, p, st->x, u, b)) > 1e-9;
        state_move(st, u, b);
        exact &= fabs(state_objective(st) - before - d) <= 1e-9 * fmax(1.0, before);
    }
    CHECK(exact);
    CHECK(links_mattered > 50);
    CHECK(state_consistent(st, pf, 1e-9));
    state_assign(st, y); /* everything in zone 0: far out of balance */
    CHECK(state_consistent(st, pf, 1e-12));

    /* rebalance, then the search, minimise the model's objective within the band */
    CHECK(rebalance(st) > 0);
    CHECK_INT(st->imbalance, 0);
    CHECK(state_consistent(st, pf, 1e-9));
    double balanced = state_objective(st);
    CHECK_INT(search_create(&search, st), ZP_OK);
    zp_ils_params prm = {.rounds = 100};
    CHECK_INT(search_ils(search, &rng, &prm), ZP_OK);
    CHECK_INT(st->imbalance, 0);
    CHECK(state_objective(st) < balanced);
    CHECK(state_consistent(st, pf, 1e-9));
    printf("model objective: %.6g balanced, %.6g after the search\n", balanced,
           state_objective(st));
    search_destroy(&search);
    state_destroy(&st);
    CHECK(st == NULL);
    perf_destroy(&pf);
    problem_destroy(&p);
}

/* The objective is the rate-weighted sum of the per-dependency means (Little's law). */
static void test_objective_identity(void)
{
    zp_rng rng;
    rng_seed(&rng, 11, 0, 0);
    int n = 30, k = 3;
    zp_problem *p = random_problem(&rng, n, k, 60);
    zp_perf *pf = NULL;
    int x[30];
    for (int u = 0; u < n; u++)
        x[u] = u % k;
    CHECK_INT(parse("{\"service_rate\": 2000, \"request_size_kb\": 2, \"apps\": {\"A5\":"
                    " {\"request_size_kb\": 9}}, \"tiers\": {\"core\": {\"link_gbps\": 0.01},"
                    " \"zone\": {\"link_gbps\": 0.01}}}", p, &pf), ZP_OK);
    zp_perf_result *r = evaluate(pf, p, x);
    double sum = 0, sum_nonet = 0;
    for (int64_t e = 0; e < r->ndeps; e++) {
        sum += r->dep[e].rate * r->dep[e].mean;
        sum_nonet += r->dep[e].rate * r->dep[e].mean_nonet;
    }
    CHECK_INT(r->unstable_deps, 0);
    CHECK(r->link_util[0] > 0.05 && r->link_util[1] > 0.05); /* the network term matters */
    CHECK_NEAR(r->objective, sum, 1e-9 * sum);
    CHECK_NEAR(r->mean_weighted * r->rate_total, sum, 1e-9 * sum);
    CHECK_NEAR(r->mean_weighted_nonet * r->rate_total, sum_nonet, 1e-9 * sum);
    CHECK_NEAR(perf_objective(pf, p, x), sum, 1e-9 * sum);
    perf_result_destroy(&r);
    perf_destroy(&pf);
    problem_destroy(&p);
}

static void test_defaults_and_misuse(void)
{
    int src[] = {0}, dst[] = {1};
    zp_problem *p = make_problem(2, 2, 1, src, dst, NULL, NULL, NULL);
    zp_perf *pf = NULL;
    CHECK_INT(perf_create(p, 1000, &pf), ZP_OK);
    CHECK_NEAR(pf->latency[0], 0.000134, 1e-15); /* half of Pingmesh's round trips */
    CHECK_NEAR(pf->latency[1], 0.00067, 1e-15);
    CHECK_NEAR(pf->bandwidth[1], 1e10, 1e-3);
    CHECK_NEAR(pf->size_bits[0], 8000, 0);
    CHECK_NEAR(pf->phi, 0.99, 0);
    CHECK(pf->network && pf->cpu == 0);
    int bad[] = {0, 2};
    zp_perf_result *r = NULL;
    CHECK_INT(perf_evaluate(pf, p, bad, &r), ZP_ERUNTIME);
    CHECK(r == NULL);
    zp_problem *q = make_problem(3, 2, 1, src, dst, NULL, NULL, NULL);
    int x3[] = {0, 0, 0};
    CHECK_INT(perf_evaluate(pf, q, x3, &r), ZP_ERUNTIME);
    CHECK(strstr(zp_error_message(), "another problem") != NULL);
    perf_destroy(&pf);
    perf_destroy(&pf); /* already NULL: fine */
    perf_result_destroy(NULL);
    problem_destroy(&q);
    problem_destroy(&p);
}

/* Every allocation of parse, evaluate and state creation fails cleanly (ASan finds leaks). */
static void test_allocation_failures(void)
{
    int src[] = {0, 1}, dst[] = {1, 2};
    zp_problem *p = make_problem(3, 2, 2, src, dst, NULL, NULL, NULL);
    int x[] = {0, 1, 1};
    int failures = 0, succeeded = 0;
    for (long at = 1; at < 100 && !succeeded; at++) {
        zp_perf *pf = NULL;
        zp_perf_result *r = NULL;
        zp_perf_state *s = NULL;
        cJSON *node = cJSON_Parse("{\"service_rate\": 100, \"apps\": {\"A1\": {}}}");
        zp_alloc_fail_at(at);
        int rc = perf_parse(node, "t.json", p, &pf);
        if (rc == ZP_OK)
            rc = perf_evaluate(pf, p, x, &r);
        if (rc == ZP_OK)
            rc = perf_state_create(pf, p, x, &s);
        zp_alloc_fail_at(0);
        if (rc == ZP_OK)
            succeeded = 1;
        else
            failures += rc == ZP_ERUNTIME;
        perf_state_destroy(&s);
        perf_result_destroy(&r);
        perf_destroy(&pf);
        cJSON_Delete(node);
    }
    CHECK(succeeded);
    CHECK(failures > 10);
    problem_destroy(&p);
}

int main(void)
{
    test_two_apps_same_zone();
    test_two_apps_cross_zone_and_aggregation();
    test_percentile_and_network_switch();
    test_unstable_flags();
    test_shared_server_and_link();
    test_overrides();
    test_auto_reservation();
    test_percentile_formulas();
    test_paper_bound_method();
    test_mixed_sizes();
    test_bundle_members();
    test_reservations();
    test_restrict();
    test_parse_errors();
    test_deltas();
    test_state_objective();
    test_objective_identity();
    test_defaults_and_misuse();
    test_allocation_failures();
    return CHECK_DONE();
}
