/* pipeline.h - one task of zoneplace: initial placement -> local search over starts and epochs
 * -> rebalance, and, when apps arrive, the same again with migration costs on the running apps.
 * Metrics are taken from the actual placement after every phase.
 *
 * Starts: start s has its own random stream seeded from (seed, task, s) and runs on rank
 * s % ranks. After every epoch the best placement over all starts (fewest apps outside the
 * band, then least objective, then lowest start index) is found through zp_exchange and every
 * start continues from it. The result is the same for any number of ranks. */
#ifndef ZP_PIPELINE_H
#define ZP_PIPELINE_H

#include <stdint.h>

#include "cost.h"
#include "exchange.h"
#include "options.h"
#include "perfmodel.h"

#define ZP_MAX_PHASES 8

enum {
    ZP_PHASE_INIT = 0,
    ZP_PHASE_SEARCH = 1,
    ZP_PHASE_REBALANCE = 2,
    ZP_PHASE_ARRIVE = 3,
    ZP_PHASE_ARRIVAL_SEARCH = 4,
    ZP_PHASE_ARRIVAL_REBALANCE = 5,
    /* trajectory rows of the multilevel initial placement (init "multilevel"); step = level
     * (0 = the input graph, higher = coarser) + 1000 * V-cycle */
    ZP_PHASE_COARSEN = 6,    /* a coarse level was built: traffic etc. are NaN (no placement
                                yet), moves = the level's vertex count */
    ZP_PHASE_ML_INITIAL = 7, /* the coarsest level placed: metrics of that placement */
    ZP_PHASE_ML_REFINE = 8,  /* a level refined on the way back up: metrics of its placement */
    /* objective latency: the search of the model's objective from the traffic optimum */
    ZP_PHASE_LATENCY_SEARCH = 9,
    ZP_PHASE_COUNT
};

/* Name of a phase as reported ("rr", "search", ...); init_kind names the initial phase. */
const char *phase_name(int phase, int init_kind);

/* What a trajectory row records: a search round of a start, the end of a start's epoch, the end
 * of a phase (start = -1), a level of the multilevel placement (start = -1). (task, start,
 * epoch, phase, step, kind) identifies a row. */
enum { ZP_TRAJ_ROUND, ZP_TRAJ_EPOCH_END, ZP_TRAJ_PHASE_END, ZP_TRAJ_LEVEL, ZP_TRAJ_KINDS };

/* One trajectory row (docs/design.md section 3, docs/hdf5.md). start = -1 for task-level phase
 * boundaries. Steps are search rounds counted from the task's first search phase on, so they
 * keep increasing through its phases (the arrival search goes on where the first search
 * ended). */
typedef struct {
    int32_t task, start, epoch, phase, kind;
    int64_t step;
    double traffic;
    int64_t external_deps;
    double cv, lb_pct, move_cost;
    int64_t moves;
    double best, wall;
} zp_traj_row;

typedef struct {
    zp_traj_row *rows;
    int64_t len, cap;
} zp_traj;

typedef struct {
    int phase;
    char name[24];
    zp_metrics m;
    double seconds; /* wall time of the phase (rank 0's) */
} zp_phase_result;

typedef struct {
    int task;
    int zones, apps;
    uint64_t seed;
    int starts, epochs;
    int best_start;
    double wall;
    int nphases;
    zp_phase_result phases[ZP_MAX_PHASES];
    zp_metrics final;
    int *placement;        /* [apps], zone per app in input order */
    int *initial;          /* [apps], the initial placement (phase 0) the search started from;
                              -1 for the apps that arrive after it (arrivals) */
    uint64_t *start_seeds; /* [starts] stream seed of every start */
    int init_kind;         /* ZP_INIT_* actually used (ZP_INIT_AUTO resolved) */
    int objective;         /* ZP_OBJECTIVE_* the search minimised; with latency every metrics'
                              objective is the model's objective + move cost */
    int ml_levels;         /* multilevel: levels of the first V-cycle (input included), cycles */
    int ml_cycles;
    int ml_bands;          /* distributed engine: cycles that ended with a band refinement */
    double ml_seconds[3];  /* multilevel: coarsening, coarsest placement, refinement */
    double perf_mean;      /* response-time model of the final placement: rate-weighted mean */
    double perf_pct;       /* and worst percentile response time, s; NAN without a model, */
                           /* INFINITY where a queue is unstable (set by the caller) */
    zp_traj traj;          /* rows of the starts run by this rank (+ phase rows on rank 0) */
    int stopped;           /* 1: ended early at a stop the watch agreed on; the placement is the
                              best found until then */
} zp_task_result;

/* How the caller of a long task (zoneplace run) stops it and saves its progress. The task
 * calls agree at its checkpoints: after the initial placement and after every epoch's exchange,
 * where every rank holds the same best placement. */
typedef struct {
    /* Polled by this rank alone between search rounds, multilevel steps and starts: non-zero
     * cuts the rank's work short up to the next checkpoint (as a passed deadline does). */
    int (*stop_requested)(void);
    /* Collective: whether to stop the task here and whether to save a checkpoint, the same on
     * every rank. A stop ends the task at once with the best placement so far (the arriving
     * apps of an arrival scenario get their initial placement); res->stopped is set. */
    int (*agree)(void *ctx, int *stop, int *checkpoint);
    /* Collective, after agree asked for it at a checkpoint of the task's last problem p:
     * so_far is the result with the best placement so far as its placement and final metrics
     * (its phases and trajectory those finished until now). */
    int (*checkpoint)(void *ctx, const zp_task_result *so_far, const zp_problem *p);
    void *ctx;
} zp_task_watch;

typedef struct {
    const zp_options *opt;
    int task;
    int verbose;      /* progress lines on stderr (rank 0, after about two seconds) */
    zp_exchange *ex;
    const zp_task_watch *watch; /* NULL: the task runs to its end */
} zp_task_spec;

/* Runs one task on base (and arrivals, whose current zones it sets; may be NULL). Collective
 * over spec->ex. res is filled and owned by the caller (task_result_free). */
int task_run(const zp_task_spec *spec, const zp_problem *base, zp_problem *arrivals,
             zp_task_result *res);
/* task_run with the response-time models of base and of arrivals (may be NULL), which the
 * latency objective (spec->opt->objective) requires and minimises, each in its stage. */
int task_run_model(const zp_task_spec *spec, const zp_perf *perf, const zp_perf *perf_arrivals,
                   const zp_problem *base, zp_problem *arrivals, zp_task_result *res);
void task_result_free(zp_task_result *res);

/* Appends row to t (ZP_ERUNTIME when out of memory). */
int traj_append(zp_traj *t, const zp_traj_row *row);

/* Automatic number of perturbation rounds for a problem of this size. */
int64_t auto_rounds(const zp_problem *p);

/* The initial placement kind a task uses: kind itself, or for ZP_INIT_AUTO place_auto_kind. */
int resolve_init(const zp_problem *p, int kind);

#endif
