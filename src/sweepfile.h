/* sweepfile.h - the sweep file of `zoneplace sweep`: parsing and validation (cJSON), expansion
 * into tasks, the per-task problem (zone template, capacity mode, objective parameters), the
 * selection of the tasks to run (slices, zone counts, tasks already done) and their
 * deterministic assignment to groups of ranks. Plain C, no MPI or HDF5: unit-testable.
 *
 * A sweep file (docs/sweeps.md has the full description):
 *   {"name": "case2-zones",
 *    "instances": ["../thesis/case2.json", {"graph": "big.graph", "name": "big"}],
 *    "zones": [2, 4, 8, 16], "seeds": [1, 2], "starts": 4,
 *    "capacity_mode": "per_app", "imbalance": [0, 0.05], "requests": 1, "move_factor": 10,
 *    "zone_template": {"capacity": "split", "slots": 50, "io": true},
 *    "search": {"epochs": 1, "iterations": 200, "init": "rr", "trajectory_every": 1}}
 * Every parameter is a value or a non-empty list of distinct values; an absent parameter takes
 * the instance's own value. Paths are relative to the sweep file's folder.
 *
 * Task ids are the expansion order: instances (outermost), zones, capacity_mode, imbalance,
 * requests, move_factor, starts, seeds (innermost). A task's result depends only on its id and
 * parameters (its random streams are seeded from (seed, task id, start)). */
#ifndef ZP_SWEEPFILE_H
#define ZP_SWEEPFILE_H

#include <stdint.h>

#include "config.h"
#include "problem.h"

enum { SWEEP_INST_CONFIG = 0, SWEEP_INST_GRAPH = 1 };
/* How the zones of a zone-count sweep get their capacity (zone_template.capacity). */
enum {
    SWEEP_CAP_SPLIT = 0, /* "split": the instance's total capacity / K per resource (default) */
    SWEEP_CAP_MAX = 1,   /* "max": the instance's largest zone capacity per resource */
    SWEEP_CAP_FIXED = 2  /* {"cpu": 8, ...}: this capacity per zone (others unlimited) */
};

typedef struct {
    char *name; /* from the sweep file, else the config's "name", else the file name */
    char *path; /* resolved against the sweep file's folder */
    int kind;   /* SWEEP_INST_* */
} sweep_instance;

/* One task with its parameters resolved (sweep_resolve): the values it actually runs with. */
typedef struct {
    int id;
    int instance;        /* index into sweep_def.inst */
    int zones;           /* zone count K (the instance's own zones when the sweep has no "zones") */
    uint64_t seed;
    int starts;
    int capacity_mode;   /* ZP_PER_APP / ZP_CUMULATIVE */
    double imbalance, requests, move_factor;
    int64_t apps;        /* apps of the task's final problem (with arrivals), after resolve */
    double cost;         /* estimated relative cost (starts * (apps + edges) * zones) */
} sweep_task;

typedef struct {
    char *source;     /* the sweep file, for messages */
    char *name, *description;
    int ninst;
    sweep_instance *inst;

    /* parameter lists; count 0: the instance's own value */
    int nzones, nseeds, nstarts, ncapmode, nimb, nreq, nmove;
    int *zones;
    uint64_t *seeds;
    int *starts;
    int *capmode;
    double *imbalance, *requests, *move_factor;

    /* zone template (zone-count sweeps only) */
    int cap_kind;     /* SWEEP_CAP_* */
    int ncap;         /* SWEEP_CAP_FIXED: named capacities */
    char **cap_names;
    double *cap_values;
    int slots;        /* per zone, ZP_UNLIMITED_SLOTS by default */
    int io;           /* io flag of every zone (default 1) */

    /* search options for every task ("search" section and the sweep command line) */
    zp_options search;
    zp_option_mask search_given; /* the options given (options.h) */

    int ntasks;
    sweep_task *tasks; /* [ntasks], tasks[i].id == i */
    char *resolved_json; /* the sweep file as parsed (compact JSON) */
} sweep_def;

/* Parses the sweep file text (file names it in messages and is the base of relative paths)
 * and expands it. Errors are ZP_EINPUT "file: json.path: message". */
int sweep_parse(const char *file, const char *text, sweep_def **out);
/* Reads and parses path (ZP_EIO when unreadable). */
int sweep_load(const char *path, sweep_def **out);
void sweep_destroy(sweep_def **s);

/* What sweep_resolve needs to know of one loaded instance. */
typedef struct {
    const zp_problem *base;     /* the instance's problem (its own zones; a graph has none) */
    const zp_problem *arrivals; /* base + arrivals, or NULL */
    zp_options options;         /* the instance's search options (defaults for a graph) */
} sweep_instance_data;

/* Loads instance i: a config (config_load) or a METIS graph (graphio_read_metis). *cfg is owned
 * by the caller (config_destroy); for a graph cfg->base holds the graph without zones. */
int sweep_instance_load(const sweep_def *s, int i, zp_config **cfg);

/* Fills every task's resolved parameters, apps and cost from the loaded instances (data[ninst]).
 * Fails (ZP_EINPUT naming the sweep file) when a graph instance has no zone count. */
int sweep_resolve(sweep_def *s, const sweep_instance_data *data);

/* The options task t runs with: the instance's options, the sweep's "search" section, then the
 * task's seed and starts. */
void sweep_task_options(const sweep_def *s, const sweep_task *t, const zp_options *inst,
                        zp_options *out);

/* Builds the problem of task t from the instance problem src (a copy; src is not changed):
 * the zone template when the sweep has zone counts, then capacity mode and objective
 * parameters. Checks feasibility; errors name the task. *out is owned by the caller. */
int sweep_task_problem(const sweep_def *s, const sweep_task *t, const zp_problem *src,
                       zp_problem **out);


/* Tasks to run, in id order: those with id % slice_n == slice_i (slice_n >= 1), whose zone
 * count is in only_zones (nonly 0: any) and whose id is not in done[ndone]. *ids is allocated
 * (owned by the caller), *n its length. A zone count in only_zones that the sweep does not have
 * is ZP_EUSAGE. */
int sweep_select(const sweep_def *s, int slice_i, int slice_n, const int *only_zones, int nonly,
                 const int *done, int ndone, int **ids, int *n);

/* Deterministic schedule of the tasks ids[n] (costs from s->tasks) on ngroups groups that run
 * in rounds (every group its next task, then all ranks agree on stopping): tasks in falling cost
 * (ties: lower id first), round r takes the next ngroups of them, group g the g-th. Tasks of a
 * round thus cost about the same, which minimises the sum over rounds of the longest task.
 * group[i] is the group of ids[i] and order[i] its round; *rounds = ceil(n / ngroups). */
void sweep_schedule(const sweep_def *s, const int *ids, int n, int ngroups, int *group,
                    int *order, int *rounds);

/* Text names of capacity modes ("per_app", "cumulative"). */
const char *sweep_capmode_name(int mode);

#endif
