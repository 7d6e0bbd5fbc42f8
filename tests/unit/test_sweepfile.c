/* test_sweepfile.c - the sweep file: parsing and its errors, expansion order, resolution against
 * instances, zone templates, per-task options, selection (slices, zone counts, done tasks) and
 * the deterministic schedule. No MPI, no files except the bundled thesis and example inputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "sweepfile.h"
#include "util.h"

/* Parses text as the sweep file "inputs/sweeps/t.json" (relative paths resolve from there). */
static int parse(const char *text, sweep_def **s)
{
    return sweep_parse("inputs/sweeps/t.json", text, s);
}

/* The error of a sweep text starts with "inputs/sweeps/t.json: " + expected. */
static int error_is(const char *text, const char *expected)
{
    sweep_def *s = NULL;
    zp_error_clear();
    int rc = parse(text, &s);
    sweep_destroy(&s);
    const char *msg = zp_error_message(), *prefix = "inputs/sweeps/t.json: ";
    int ok = rc == ZP_EINPUT && strncmp(msg, prefix, strlen(prefix)) == 0 &&
             strncmp(msg + strlen(prefix), expected, strlen(expected)) == 0;
    if (!ok)
        fprintf(stderr, "  got rc %d '%s', expected '%s%s'\n", rc, msg, prefix, expected);
    return ok;
}

static void test_errors(void)
{
    CHECK(error_is("{\"zones\": [2]}", "instances: missing (required)"));
    CHECK(error_is("{\"instances\": []}", "instances: expected a non-empty list"));
    CHECK(error_is("{\"instances\": [3]}", "instances[0]: expected a config file name"));
    CHECK(error_is("{\"instances\": [{\"config\": \"a\", \"graph\": \"b\"}]}",
                   "instances[0]: expected exactly one of"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zone\": 2}",
                   "(top level): unknown key \"zone\""));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zones\": [2, 0]}",
                   "zones[1]: expected a number in [1, "));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zones\": [2, 2.5]}",
                   "zones[1]: expected a whole number"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zones\": [2, 4, 2]}",
                   "zones[2]: 2 is listed twice"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zones\": []}",
                   "zones: expected a non-empty list"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"seeds\": [1, -1]}",
                   "seeds[1]: expected a number in [0, "));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"capacity_mode\": \"sum\"}",
                   "capacity_mode: expected \"per_app\" or \"cumulative\""));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"search\": {\"seed\": 3}}",
                   "search: \"seed\" is a sweep parameter here"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"search\": {\"starts\": 3}}",
                   "search: \"starts\" is a sweep parameter here"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zone_template\": {\"capacity\": \"split\"}}",
                   "zone_template: only used with \"zones\""));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zones\": 2, \"zone_template\": {\"capacity\": "
                   "\"half\"}}",
                   "zone_template.capacity: expected \"split\", \"max\""));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"zones\": 2, \"zone_template\": {\"slots\": 0}}",
                   "zone_template.slots: expected a number in [1, "));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"imbalance\": 11}",
                   "imbalance: expected a number in [0, 10]"));
    CHECK(error_is("{\"instances\": [\"a.json\"], \"search\": {\"init\": \"best\"}}",
                   "search.init: expected \"rr\", \"random\" or \"greedy\""));
    sweep_def *s = NULL;
    CHECK_INT(parse("{\"instances\": [\"a.json\"], ", &s), ZP_EINPUT);
    CHECK(strstr(zp_error_message(), "inputs/sweeps/t.json:1:") != NULL);
    CHECK(strstr(zp_error_message(), "malformed JSON") != NULL);
    CHECK(s == NULL);
    /* over a million tasks */
    CHECK(error_is("{\"instances\": [\"a.json\"], \"seeds\": [0,1,2,3,4,5,6,7,8,9], \"zones\": "
                   "[1,2,3,4,5,6,7,8,9,10], \"starts\": [1,2,3,4,5,6,7,8,9,10], \"imbalance\": "
                   "[0,1,2,3,4,5,6,7,8,9], \"requests\": [1,2,3,4,5,6,7,8,9,10], \"move_factor\": "
                   "[0,1,2,3,4,5,6,7,8,9,10]}",
                   "the sweep expands to more than"));
}

static void test_expansion(void)
{
    sweep_def *s = NULL;
    CHECK_INT(parse("{\"instances\": [\"../thesis/case1.json\", {\"config\": \"/abs/x.json\", "
                    "\"name\": \"x\"}], \"zones\": [2, 4], \"capacity_mode\": [\"per_app\", "
                    "\"cumulative\"], \"requests\": [1, 10], \"seeds\": [5, 6, 7], \"starts\": 3}",
                    &s),
              ZP_OK);
    if (!s)
        return;
    CHECK_INT(s->ntasks, 2 * 2 * 2 * 2 * 3);
    CHECK(strcmp(s->inst[0].path, "inputs/sweeps/../thesis/case1.json") == 0);
    CHECK(strcmp(s->inst[1].path, "/abs/x.json") == 0);
    CHECK(strcmp(s->inst[1].name, "x") == 0);
    CHECK(s->inst[0].name == NULL); /* from the config, at resolve */
    /* order: instance, zones, capacity_mode, imbalance, requests, move_factor, starts, seeds */
    int ok = 1;
    for (int id = 0; id < s->ntasks; id++) {
        const sweep_task *t = &s->tasks[id];
        int seed_i = id % 3, req_i = id / 3 % 2, cm_i = id / 6 % 2, z_i = id / 12 % 2,
            inst = id / 24;
        ok &= t->id == id && t->instance == inst && t->zones == (z_i ? 4 : 2) &&
              t->capacity_mode == (cm_i ? ZP_CUMULATIVE : ZP_PER_APP) &&
              t->requests == (req_i ? 10 : 1) && t->seed == (uint64_t)(5 + seed_i) &&
              t->starts == 3 && t->imbalance == -1 && t->move_factor == -1;
    }
    CHECK(ok);
    sweep_destroy(&s);
    CHECK(s == NULL);

    /* a sweep without lists is one task per instance */
    CHECK_INT(parse("{\"instances\": [\"a.json\", \"b.json\"]}", &s), ZP_OK);
    if (s) {
        CHECK_INT(s->ntasks, 2);
        CHECK_INT(s->tasks[1].instance, 1);
        CHECK_INT(s->tasks[1].zones, 0);
        CHECK_INT(s->cap_kind, SWEEP_CAP_SPLIT);
        CHECK_INT(s->slots, ZP_UNLIMITED_SLOTS);
        CHECK_INT(s->io, 1);
    }
    sweep_destroy(&s);
}

/* The case-2 zone sweep of the issue, resolved against the real instance. */
static void test_resolve_case2(void)
{
    sweep_def *s = NULL;
    zp_config *cfg = NULL;
    zp_problem *p = NULL;
    CHECK_INT(sweep_load("inputs/sweeps/case2_zones.json", &s), ZP_OK);
    if (!s)
        return;
    CHECK_INT(s->ntasks, 8);
    CHECK_INT(sweep_instance_load(s, 0, &cfg), ZP_OK);
    if (!cfg) {
        sweep_destroy(&s);
        return;
    }
    sweep_instance_data d = {cfg->base, cfg->arrivals, cfg->options};
    CHECK_INT(sweep_resolve(s, &d), ZP_OK);
    CHECK(strcmp(s->inst[0].name, "case2") == 0);
    static const int zones[8] = {2, 2, 4, 4, 8, 8, 16, 16};
    for (int id = 0; id < 8; id++) {
        const sweep_task *t = &s->tasks[id];
        CHECK_INT(t->zones, zones[id]);
        CHECK_INT(t->seed, 1 + id % 2);
        CHECK_INT(t->starts, 4);
        CHECK_INT(t->capacity_mode, ZP_PER_APP); /* the instance's */
        CHECK_INT(t->apps, 200);
        CHECK_NEAR(t->move_factor, 10, 0);
        CHECK_NEAR(t->requests, 1, 0);
        CHECK(t->cost > 0);
    }
    CHECK(s->tasks[6].cost > s->tasks[0].cost); /* more zones cost more */

    /* split template: 16 zones z0..z15, each 1/16 of the 10 zones' total cpu 50, ram 188 */
    CHECK_INT(sweep_task_problem(s, &s->tasks[6], cfg->base, &p), ZP_OK);
    if (p) {
        CHECK_INT(p->k, 16);
        CHECK(strcmp(p->zone_names[0], "z0") == 0 && strcmp(p->zone_names[15], "z15") == 0);
        CHECK_NEAR(problem_capacity(p, 0, 0), 50.0 / 16, 1e-12);
        CHECK_NEAR(problem_capacity(p, 15, 1), 188.0 / 16, 1e-12);
        CHECK_INT(p->slots[3], ZP_UNLIMITED_SLOTS);
        CHECK_INT(p->zone_io[3], 1);
        CHECK_NEAR(problem_dist(p, 2, 2), 40, 0);
        CHECK_NEAR(problem_dist(p, 2, 3), 240, 0);
        CHECK_INT(p->n, 200);
        CHECK_INT(p->ndeps, 314);
        CHECK(cfg->base->k == 10); /* the instance is not changed */
    }
    problem_destroy(&p);

    /* task options: sweep's search section, then the task's seed and starts */
    zp_options o;
    sweep_task_options(s, &s->tasks[3], &cfg->options, &o);
    CHECK_INT(o.seed, 2);
    CHECK_INT(o.starts, 4);
    CHECK_INT(o.iterations, 300);
    CHECK_INT(o.epochs, cfg->options.epochs);
    CHECK_NEAR(o.effort, cfg->options.effort, 0); /* not in the sweep: the instance's */
    config_destroy(&cfg);
    sweep_destroy(&s);
}

/* search.effort and search.init of a sweep reach every task; bad values are refused. */
static void test_search_options(void)
{
    sweep_def *s = NULL;
    CHECK_INT(parse("{\"instances\": [\"a.json\"], \"search\": {\"effort\": 0.25, "
                    "\"init\": \"multilevel\"}}", &s), ZP_OK);
    if (s) {
        zp_options inst, o;
        options_default(&inst);
        sweep_task_options(s, &s->tasks[0], &inst, &o);
        CHECK_NEAR(o.effort, 0.25, 0);
        CHECK_INT(o.init, ZP_INIT_MULTILEVEL);
    }
    sweep_destroy(&s);
    CHECK(error_is("{\"instances\": [\"a.json\"], \"search\": {\"effort\": 0}}",
                   "search.effort: expected a number in [0.01, 100], got 0"));
}

/* Templates on case 1 (per-app limits: an app with cpu 7, ram 32 fits only the largest zone). */
static void test_templates(void)
{
    static const char *const variants[] = {
        "\"zone_template\": {\"capacity\": \"max\", \"slots\": 30, \"io\": false}",
        "\"zone_template\": {\"capacity\": {\"cpu\": 8, \"ram\": 40}}",
        "\"zone_template\": {\"capacity\": \"split\"}",
        "\"zone_template\": {\"capacity\": {\"disk\": 8}}",
    };
    for (int v = 0; v < 4; v++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"instances\": [\"../thesis/case1.json\"], \"zones\": [2, 5], %s, "
                 "\"capacity_mode\": \"per_app\", \"imbalance\": 0.5, \"requests\": 10, "
                 "\"move_factor\": 3}",
                 variants[v]);
        sweep_def *s = NULL;
        zp_config *cfg = NULL;
        zp_problem *p = NULL;
        CHECK_INT(parse(text, &s), ZP_OK);
        if (!s)
            continue;
        CHECK_INT(sweep_instance_load(s, 0, &cfg), ZP_OK);
        if (!cfg) {
            sweep_destroy(&s);
            continue;
        }
        sweep_instance_data d = {cfg->base, NULL, cfg->options};
        CHECK_INT(sweep_resolve(s, &d), ZP_OK);
        int rc = sweep_task_problem(s, &s->tasks[1], cfg->base, &p);
        if (v == 0) {
            CHECK_INT(rc, ZP_OK);
            if (p) {
                CHECK_INT(p->k, 5);
                CHECK_NEAR(problem_capacity(p, 4, 0), 7, 0); /* largest cpu of case 1 */
                CHECK_NEAR(problem_capacity(p, 4, 1), 32, 0);
                CHECK_INT(p->slots[4], 30);
                CHECK_INT(p->zone_io[4], 0);
                CHECK_NEAR(p->imbalance, 0.5, 0);
                CHECK_NEAR(p->requests, 10, 0);
                CHECK_NEAR(p->move_factor, 3, 0);
            }
        } else if (v == 1) {
            CHECK_INT(rc, ZP_OK);
            if (p)
                CHECK_NEAR(problem_capacity(p, 0, 1), 40, 0);
        } else if (v == 2) { /* 20 cpu / 5 zones = 4 < 7: the app fits no zone */
            CHECK_INT(rc, ZP_EINPUT);
            CHECK(strstr(zp_error_message(), "task 1 (instance case1, 5 zones") != NULL);
            CHECK(strstr(zp_error_message(), "fits no zone") != NULL);
        } else {
            CHECK_INT(rc, ZP_EINPUT);
            CHECK(strstr(zp_error_message(), "zone_template.capacity.disk") != NULL);
        }
        problem_destroy(&p);
        config_destroy(&cfg);
        sweep_destroy(&s);
    }
}

/* An instance with current zones cannot take a zone template; without "zones" it runs as is. */
static void test_migration_instance(void)
{
    sweep_def *s = NULL;
    zp_config *cfg = NULL;
    zp_problem *p = NULL;
    CHECK_INT(parse("{\"instances\": [\"../examples/migration.json\"], \"zones\": 3}", &s), ZP_OK);
    if (s && sweep_instance_load(s, 0, &cfg) == ZP_OK) {
        sweep_instance_data d = {cfg->base, cfg->arrivals, cfg->options};
        CHECK_INT(sweep_resolve(s, &d), ZP_OK);
        CHECK_INT(sweep_task_problem(s, &s->tasks[0], cfg->base, &p), ZP_EINPUT);
        CHECK(strstr(zp_error_message(), "current_zone") != NULL);
    }
    problem_destroy(&p);
    config_destroy(&cfg);
    sweep_destroy(&s);
    CHECK_INT(parse("{\"instances\": [\"../examples/migration.json\"], \"seeds\": [1, 2]}", &s),
              ZP_OK);
    if (s && sweep_instance_load(s, 0, &cfg) == ZP_OK) {
        sweep_instance_data d = {cfg->base, cfg->arrivals, cfg->options};
        CHECK_INT(sweep_resolve(s, &d), ZP_OK);
        CHECK_INT(s->tasks[1].zones, cfg->base->k);
        CHECK_INT(sweep_task_problem(s, &s->tasks[1], cfg->base, &p), ZP_OK);
        if (p) { /* an exact copy */
            CHECK_INT(p->k, cfg->base->k);
            CHECK_INT(p->n, cfg->base->n);
            CHECK(memcmp(p->current, cfg->base->current, sizeof *p->current * (size_t)p->n) == 0);
            CHECK(memcmp(p->adjncy, cfg->base->adjncy,
                         sizeof *p->adjncy * (size_t)p->xadj[p->n]) == 0);
            CHECK(strcmp(p->zone_names[1], cfg->base->zone_names[1]) == 0);
        }
    }
    problem_destroy(&p);
    config_destroy(&cfg);
    sweep_destroy(&s);
}

static void test_select_and_schedule(void)
{
    sweep_def *s = NULL;
    int *ids = NULL, n = 0;
    CHECK_INT(parse("{\"instances\": [\"a.json\"], \"zones\": [2, 4, 8, 16], \"seeds\": [1, 2]}",
                    &s),
              ZP_OK);
    if (!s)
        return;
    /* resolve by hand: costs grow with the zone count */
    for (int id = 0; id < s->ntasks; id++)
        s->tasks[id].cost = s->tasks[id].zones, s->tasks[id].starts = 1;
    CHECK_INT(sweep_select(s, 0, 1, NULL, 0, NULL, 0, &ids, &n), ZP_OK);
    CHECK_INT(n, 8);
    zp_free(ids);
    CHECK_INT(sweep_select(s, 1, 3, NULL, 0, NULL, 0, &ids, &n), ZP_OK);
    CHECK_INT(n, 3);
    if (n == 3)
        CHECK(ids[0] == 1 && ids[1] == 4 && ids[2] == 7);
    zp_free(ids);
    int only[2] = {4, 16}, done[3] = {7, 2, 0};
    CHECK_INT(sweep_select(s, 0, 1, only, 2, done, 3, &ids, &n), ZP_OK);
    CHECK_INT(n, 2);
    if (n == 2)
        CHECK(ids[0] == 3 && ids[1] == 6);
    zp_free(ids);
    int bad = 3;
    CHECK_INT(sweep_select(s, 0, 1, &bad, 1, NULL, 0, &ids, &n), ZP_EUSAGE);
    CHECK(strstr(zp_error_message(), "--zones 3") != NULL);
    zp_free(ids);
    CHECK_INT(sweep_select(s, 2, 2, NULL, 0, NULL, 0, &ids, &n), ZP_EUSAGE);
    zp_free(ids);

    /* rounds of 3 in falling cost: 16,16,8 | 8,4,4 | 2,2 (ids 6,7,4 | 5,2,3 | 0,1) */
    CHECK_INT(sweep_select(s, 0, 1, NULL, 0, NULL, 0, &ids, &n), ZP_OK);
    int group[8], order[8], rounds = 0;
    sweep_schedule(s, ids, n, 3, group, order, &rounds);
    static const int want_group[8] = {0, 1, 1, 2, 2, 0, 0, 1};
    static const int want_order[8] = {2, 2, 1, 1, 0, 1, 0, 0};
    CHECK(memcmp(group, want_group, sizeof group) == 0);
    CHECK(memcmp(order, want_order, sizeof order) == 0);
    CHECK_INT(rounds, 3);
    /* the same call gives the same schedule; one group gets every task in falling cost */
    int group2[8], order2[8], rounds2;
    sweep_schedule(s, ids, n, 3, group2, order2, &rounds2);
    CHECK(memcmp(group, group2, sizeof group) == 0 && memcmp(order, order2, sizeof order) == 0);
    sweep_schedule(s, ids, n, 1, group2, order2, &rounds2);
    CHECK_INT(rounds2, 8);
    CHECK_INT(order2[6], 0);
    CHECK_INT(order2[7], 1);
    CHECK_INT(order2[0], 6);
    CHECK_INT(order2[1], 7);
    /* more groups than tasks: one round */
    sweep_schedule(s, ids, n, 16, group2, order2, &rounds2);
    CHECK_INT(rounds2, 1);
    CHECK_INT(group2[6], 0);
    CHECK_INT(group2[1], 7);
    zp_free(ids);
    sweep_destroy(&s);
}

/* Every allocation failure while parsing and expanding is reported, never a crash or a leak. */
static void test_alloc_failures(void)
{
    const char *text = "{\"instances\": [\"a.json\", {\"graph\": \"g.graph\", \"name\": \"g\"}], "
                       "\"zones\": [2, 4], \"seeds\": [1, 2], \"zone_template\": {\"capacity\": "
                       "{\"cpu\": 3}}, \"search\": {\"iterations\": 5}}";
    int failures = 0, crashes = 0;
    for (long at = 1; at < 200; at++) {
        sweep_def *s = NULL;
        zp_alloc_fail_at(at);
        int rc = parse(text, &s);
        zp_alloc_fail_at(0);
        if (rc == ZP_OK) {
            sweep_destroy(&s);
            break;
        }
        failures++;
        crashes += rc != ZP_ERUNTIME || s != NULL;
    }
    CHECK(failures > 5);
    CHECK_INT(crashes, 0);
}

int main(void)
{
    test_errors();
    test_expansion();
    test_search_options();
    test_resolve_case2();
    test_templates();
    test_migration_instance();
    test_select_and_schedule();
    test_alloc_failures();
    return CHECK_DONE();
}
