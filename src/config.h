/* config.h - reading a zoneplace JSON config into problems and run options, with full
 * validation. Every error names the file and the JSON path:
 *   "cfg.json: apps[17].demand.cpu: expected a number >= 0"  (status ZP_EINPUT)
 * A missing or unreadable file is ZP_EIO. Unknown keys are errors. */
#ifndef ZP_CONFIG_H
#define ZP_CONFIG_H

#include <stdint.h>

#include "options.h"
#include "problem.h"

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
/* The same for a text input that knows the line of each app (a CSV file): an app that fits no
 * zone is named as "file:line" instead of a JSON path. */
int config_check_feasible_lines(const zp_problem *p, const int64_t *app_lines);

#endif
