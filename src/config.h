/* config.h - reading a zoneplace JSON config into problems and run options, with full
 * validation. Every error names the file and the JSON path:
 *   "cfg.json: apps[17].demand.cpu: expected a number >= 0"  (status ZP_EINPUT)
 * A missing or unreadable file is ZP_EIO. Unknown keys are errors. */
#ifndef ZP_CONFIG_H
#define ZP_CONFIG_H

#include <stdint.h>

#include "problem.h"

/* ZP_INIT_AUTO (the default): multilevel for problems of more than ZP_AUTO_MULTILEVEL_APPS
 * apps, rr otherwise (the thesis pipeline). */
enum { ZP_INIT_AUTO = -1, ZP_INIT_RR = 0, ZP_INIT_RANDOM = 1, ZP_INIT_GREEDY = 2, ZP_INIT_MULTILEVEL = 3 };
#define ZP_AUTO_MULTILEVEL_APPS 5000

/* What the search minimises: traffic + move cost (the thesis), or the response-time model's
 * objective + move cost (needs a "perf" section; see cost.h). */
enum { ZP_OBJECTIVE_TRAFFIC = 0, ZP_OBJECTIVE_LATENCY = 1 };
/* "traffic" or "latency". */
const char *objective_name(int objective);

/* Run options a config may set and the command line may override. */
typedef struct {
    uint64_t seed;        /* base seed of every start's stream (default 1) */
    int starts;           /* local-search starts per task (default 1) */
    int epochs;           /* best-placement exchanges between starts (default 1) */
    int64_t iterations;   /* perturbation rounds per start and epoch; 0: automatic */
    double time_limit;    /* seconds per task, 0: none (results then depend on speed) */
    int init;             /* ZP_INIT_* initial placement */
    int trajectory_every; /* record a trajectory row every this many moves (phase ends always) */
    int objective;        /* ZP_OBJECTIVE_*: what the search minimises (default traffic) */
    double effort;        /* work of the automatic budgets (multilevel starts and rounds, search
                           * rounds) relative to the default 1; reproducible, unlike time_limit */
} zp_options;

/* Range of zp_options.effort. */
#define ZP_EFFORT_MIN 0.01
#define ZP_EFFORT_MAX 100.0

void options_default(zp_options *o);

typedef struct zp_config {
    zp_problem *base;     /* the problem to place */
    zp_problem *arrivals; /* base apps + arriving apps and their dependencies, or NULL */
    int64_t base_apps;    /* apps of base (the first base_apps apps of arrivals) */
    zp_options options;
    char *perf_json;      /* the "perf" section as JSON text, or NULL (see perfconf.h) */
    char *resolved_json;  /* the whole config as parsed, for the output's /parameters */
} zp_config;

/* Reads and validates path. On success *cfg is owned by the caller (config_destroy). */
int config_load(const char *path, zp_config **cfg);
void config_destroy(zp_config **cfg);

/* Checks that a problem can be placed at all: every app fits some zone, the zones can hold the
 * apps (slots, balance band, cumulative capacity). Messages name the file. */
int config_check_feasible(const zp_problem *p);

#endif
