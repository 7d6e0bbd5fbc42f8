/* h5layout.h - the rows of the file layout (docs/hdf5.md), internal to the output layer: the
 * structs of the /tasks, /phases and /starts rows and the descriptions of the extendible tables,
 * shared by the writer (h5out.c, which defines them) and the reader (h5read.c). */
#ifndef ZP_H5LAYOUT_H
#define ZP_H5LAYOUT_H

#include "h5io.h"

#define ZP_H5_FORMAT 2      /* version of the layout in docs/hdf5.md (2: /trajectory kind) */
#define INSTANCE_LEN 64     /* fixed-length strings in tables, NUL included */
#define NAME_LEN 24

/* Metrics of a placement, shared by /tasks and /phases. */
typedef struct {
    double objective, traffic;
    int64_t external_deps, internal_deps;
    double cut_weight, cv, lb_pct, resource_cv, move_cost;
    int64_t moves, violations, imbalance, max_zone_apps, min_zone_apps;
    double thesis_cost, thesis_pct, thesis_lb_pct;
} metrics_row;

typedef struct {
    int32_t task, problem;
    char instance[INSTANCE_LEN];
    char init[NAME_LEN];
    int32_t zones, apps;
    uint64_t seed;
    int32_t starts, epochs, best_start;
    metrics_row m;
    double wall_seconds;
    double perf_mean_ms, perf_pct_ms;
} task_row;

typedef struct {
    int32_t task, phase;
    char name[NAME_LEN];
    metrics_row m;
} phase_row;

typedef struct {
    int32_t task, start;
    uint64_t seed;
} start_row;

enum { T_TASKS, T_PHASES, T_STARTS, T_TRAJ, N_TABLES };
/* the extendible tables, in the order above (h5out.c) */
extern const table_spec table_specs[N_TABLES];
/* /placements and /initial_placements */
extern const char *const place_names[2];

#endif
