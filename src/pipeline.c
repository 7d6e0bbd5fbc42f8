/* pipeline.c - the phases of a task, starts, epochs and trajectories (see pipeline.h). */
#include "pipeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef __GLIBC__
#include <limits.h>
#endif

#include "dengine.h"
#include "multilevel.h"
#include "place.h"
#include "rebalance.h"
#include "rng.h"
#include "search.h"
#include "util.h"

/* ---- tuning constants -------------------------------------------------------------------------
 * Where each value comes from. None is a published constant: they are budgets of this program,
 * set in the commits named, and the exact-metric tests (tests/e2e/test_thesis.sh,
 * test_large.sh, test_vs_metis.sh) pin the results they give. */
/* Rounds of the iterated search of a small problem (at most ZP_AUTO_MULTILEVEL_APPS apps): a
 * fixed budget of work, 2e6 / (n + m) rounds, at most 4,000 (set with the foundation, f390df9,
 * for the thesis's cases). */
#define AUTO_ROUNDS_SMALL_WORK 2e6
#define AUTO_ROUNDS_SMALL_MAX 4000.0
/* Rounds of a large problem (290372a; measured at 1M apps, see auto_rounds): 2e9 / (n + m), or
 * 1.6e6 / degree^3 on sparse graphs, at most one round per two apps. */
#define AUTO_ROUNDS_WORK 2e9
#define AUTO_ROUNDS_DEGREE_WORK 1.6e6
#define AUTO_ROUNDS_PER_APP 0.5
/* Trajectory rows one start records in one search phase, over all its epochs, at most (plus
 * each epoch's end row): with more rounds a row is recorded every ceil(rounds / (this / epochs))
 * rounds (or every trajectory_every rounds when that is sparser), so that the memory of a run
 * does not grow with "iterations" (1e9 rounds kept 1e9 rows, about 100 GB, before). */
#define TRAJ_ROWS_PER_START 10000
/* Progress lines on stderr: none in a task's first 2 s, then at most one a second (f390df9). */
#define PROGRESS_AFTER_S 2.0
#define PROGRESS_EVERY_S 1.0
/* Share of --time-limit the multilevel initial placement may use, the search gets the rest
 * (b2bd1c2, with the sweeps' time limits). */
#define ML_TIME_SHARE 0.5

const char *phase_name(int phase, int init_kind)
{
    static const char *const names[] = {"",          "search",     "rebalance",
                                        "arrive",    "arrival_search", "arrival_rebalance",
                                        "coarsen",   "ml_initial", "ml_refine",
                                        "latency_search"};
    if (phase == ZP_PHASE_INIT)
        return init_kind >= 0 && init_kind <= ZP_INIT_MULTILEVEL ? init_name(init_kind) : "rr";
    return phase > 0 && phase < ZP_PHASE_COUNT ? names[phase] : "?";
}

int resolve_init(const zp_problem *p, int kind)
{
    return kind != ZP_INIT_AUTO ? kind : place_auto_kind(p);
}

int64_t auto_rounds(const zp_problem *p)
{
    double size = (double)p->n + (double)(p->xadj ? p->xadj[p->n] / 2 : 0);
    if (p->n <= ZP_AUTO_MULTILEVEL_APPS) /* the thesis's sizes: a fixed budget of work */
        return (int64_t)fmin(AUTO_ROUNDS_SMALL_MAX, floor(AUTO_ROUNDS_SMALL_WORK / fmax(size, 1.0)));
    /* Large problems (placed by the multilevel engine, which did most of the work): a round
     * perturbs a few apps and refines around them, so its cost hardly grows with n but does
     * with the mean degree (about 50 us at degree 4, 1.5 ms at 17, measured at 1M apps), and
     * what it gains falls with the degree (+3% on a 1M grid from 25,000 rounds, +0.06% on a 1M
     * microservice graph of degree 17 from 2,000): 2e9 / (n + m) rounds, or 1.6e6 / degree^3
     * on sparse graphs, at most one round per two apps. */
    double degree = p->n ? (double)(p->xadj ? p->xadj[p->n] : 0) / p->n : 0;
    double by_size = floor(AUTO_ROUNDS_WORK / fmax(size, 1.0));
    double by_degree = floor(AUTO_ROUNDS_DEGREE_WORK / fmax(degree * degree * degree, 1.0));
    return (int64_t)fmin(AUTO_ROUNDS_PER_APP * p->n, fmax(by_size, by_degree));
}

/* ---- trajectory ---------------------------------------------------------------------------- */

typedef struct {
    zp_task_result *res;
    int start, epoch, phase;
    double t0;
    int64_t step0;
    int kind; /* ZP_TRAJ_* of the rows record() adds */
} recorder;

static double state_cv(const zp_state *st)
{
    const zp_problem *p = st->p;
    double mean = (double)problem_total_weight(p) / p->k, ss = 0;
    for (int z = 0; z < p->k; z++)
        ss += ((double)st->count[z] - mean) * ((double)st->count[z] - mean);
    return mean > 0 ? sqrt(ss / p->k) / mean : 0.0;
}

int traj_append(zp_traj *t, const zp_traj_row *row)
{
    if (t->len == t->cap) {
        int64_t cap = t->cap ? 2 * t->cap : 256;
        zp_traj_row *grown = zp_realloc(t->rows, sizeof *grown * (size_t)cap);
        if (!grown)
            return ZP_ERUNTIME;
        t->rows = grown;
        t->cap = cap;
    }
    t->rows[t->len++] = *row;
    return ZP_OK;
}

static int record(recorder *r, const zp_state *st, int64_t step, double best)
{
    double cv = state_cv(st);
    zp_traj_row row = {r->res->task, r->start, r->epoch, r->phase, r->kind, r->step0 + step,
                       st->traffic, st->external_deps, cv,
                       100.0 - 100.0 * cv / sqrt((double)st->p->k), st->move_cost, st->moves,
                       best, zp_now() - r->t0};
    return traj_append(&r->res->traj, &row);
}

static void observe(void *ctx, const zp_state *st, int64_t step, double best)
{
    record(ctx, st, step, best); /* out of memory here only shortens the trajectory */
}

/* ---- progress ------------------------------------------------------------------------------ */

typedef struct {
    const zp_task_spec *spec;
    double t0, last;
    double phase_t0; /* start of the phase under way */
} progress;

static void progress_note(progress *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void progress_note(progress *pg, const char *fmt, ...)
{
    double now = zp_now();
    if (!pg->spec->verbose || pg->spec->ex->rank != 0 || now - pg->t0 < PROGRESS_AFTER_S ||
        now - pg->last < PROGRESS_EVERY_S)
        return;
    pg->last = now;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "zoneplace: task %d [%6.1fs] ", pg->spec->task, now - pg->t0);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The end of a phase: always reported once the task has run for two seconds. */
static void progress_phase(progress *pg, const zp_phase_result *ph)
{
    double now = zp_now();
    if (!pg->spec->verbose || pg->spec->ex->rank != 0 || now - pg->t0 < PROGRESS_AFTER_S)
        return;
    pg->last = now;
    fprintf(stderr,
            "zoneplace: task %d [%6.1fs] phase %s done in %.2f s: traffic %.6g, %lld external "
            "deps, %lld apps outside the band, %lld violations\n",
            pg->spec->task, now - pg->t0, ph->name, ph->seconds, ph->m.traffic,
            (long long)ph->m.external_deps, (long long)ph->m.imbalance,
            (long long)ph->m.violations);
}

/* ---- objective ------------------------------------------------------------------------------ */

/* The response-time model the task minimises, or NULL for the traffic objective. */
static const zp_perf *objective_model(const zp_options *o, const zp_perf *perf)
{
    return o->objective == ZP_OBJECTIVE_LATENCY ? perf : NULL;
}

/* The incremental state of x, minimising traffic (model NULL) or the model's objective. On
 * failure *st may hold a state to destroy. */
static int objective_state(const zp_perf *model, const zp_problem *p, const int *x,
                           zp_state **st)
{
    int rc = state_create(st, p, x);
    if (rc == ZP_OK && model)
        rc = state_attach_perf(*st, model);
    return rc;
}

/* Every metric of x; the objective is the one the task minimises (objective: the model, or
 * NULL for traffic), so that phases, trajectories and exchanges compare the same numbers. */
static int objective_metrics(const zp_perf *objective, const zp_problem *p, const int *x,
                             zp_metrics *m)
{
    metrics_compute(p, x, m);
    if (!objective)
        return ZP_OK;
    double model = perf_objective(objective, p, x);
    if (isnan(model)) /* out of memory, recorded */
        return ZP_ERUNTIME;
    m->objective = model + m->move_cost;
    return ZP_OK;
}

/* The latency objective needs the model of each problem it places (base, and arrivals). */
static int check_objective(const zp_options *o, const zp_perf *perf, const zp_perf *perf_arrivals,
                           const zp_problem *base, const zp_problem *arrivals)
{
    if (o->objective != ZP_OBJECTIVE_LATENCY)
        return ZP_OK;
    if (!perf || (arrivals && !perf_arrivals))
        return zp_fail(ZP_EUSAGE, "%s: the latency objective needs the response-time model: "
                       "zoneplace run on a config with a \"perf\" section (sweeps do not "
                       "evaluate the model)", base->name ? base->name : "task");
    return ZP_OK;
}

/* ---- phases -------------------------------------------------------------------------------- */

static int add_phase(const zp_perf *objective, zp_task_result *res, const zp_problem *p,
                     const int *x, int phase, int init_kind, int recording, recorder *rec,
                     progress *pg)
{
    int rc = ZP_OK;
    zp_state *st = NULL;
    zp_phase_result *ph = &res->phases[res->nphases++];
    ph->phase = phase;
    snprintf(ph->name, sizeof ph->name, "%s", phase_name(phase, init_kind));
    ZP_CHECK(objective_metrics(objective, p, x, &ph->m));
    ph->seconds = zp_now() - pg->phase_t0;
    progress_phase(pg, ph);
    pg->phase_t0 = zp_now();
    if (!recording)
        return ZP_OK;
    ZP_CHECK(state_create(&st, p, x));
    rec->start = -1;
    rec->phase = phase;
    rec->kind = ZP_TRAJ_PHASE_END;
    ZP_CHECK(record(rec, st, 0, ph->m.objective));
out:
    state_destroy(&st);
    return rc;
}

typedef struct {
    const zp_task_spec *spec;
    const zp_problem *p;
    zp_task_result *res;
    zp_rng *rngs;     /* [starts], only those of this rank's starts are used */
    int phase;        /* search phase being run */
    const zp_perf *objective; /* the model the task minimises, NULL: traffic */
    const zp_perf *model; /* what the search phase minimises: the model, or traffic (NULL) */
    int64_t step_base; /* trajectory steps of the task's earlier search phases */
    double deadline;
    progress *pg;
    recorder *rec;
    const zp_problem *last; /* the task's last problem (arrivals, or base) */
    int stopped;            /* the watch agreed on a stop: the task ends with x */
} stage;

/* ---- stop and checkpoints (zp_task_watch) ---------------------------------------------------- */

static int stop_polled(const zp_task_spec *spec)
{
    return spec->watch && spec->watch->stop_requested && spec->watch->stop_requested();
}

/* Gives the watch the result so far: res with x as its placement and final metrics. */
static int save_checkpoint(const stage *sg, int *x)
{
    int rc = ZP_OK;
    zp_task_result so_far = *sg->res;
    so_far.placement = x;
    so_far.apps = sg->p->n;
    so_far.wall = zp_now() - sg->pg->t0;
    ZP_CHECK(objective_metrics(sg->objective, sg->p, x, &so_far.final));
    ZP_CHECK(sg->spec->watch->checkpoint(sg->spec->watch->ctx, &so_far, sg->p));
out:
    return rc;
}

/* The agreement at a checkpoint of the task: a stop (sg->stopped), else whether to save the
 * best placement of sg->p (*save; only the task's last problem is saved). */
static int agree(stage *sg, int *save)
{
    int rc = ZP_OK;
    const zp_task_watch *w = sg->spec->watch;
    int stop = 0;
    *save = 0;
    if (!w)
        return ZP_OK;
    ZP_CHECK(w->agree(w->ctx, &stop, save));
    sg->stopped = stop;
    *save = *save && !stop && sg->p == sg->last;
out:
    return rc;
}

/* A checkpoint where every rank holds the best placement x of sg->p. */
static int checkpoint(stage *sg, int *x)
{
    int rc = ZP_OK;
    int save;
    ZP_CHECK(agree(sg, &save));
    if (save)
        ZP_CHECK(save_checkpoint(sg, x));
out:
    return rc;
}

/* The agreement after the initial placement x. A stop request may have cut a rank's
 * multilevel placement short, so that the ranks' placements differ: on a stop the best of them
 * is kept, the same on every rank. */
static int agree_initial(stage *sg, int *x, int *save)
{
    int rc = ZP_OK;
    zp_exchange *ex = sg->spec->ex;
    ZP_CHECK(agree(sg, save));
    if (!sg->stopped)
        return ZP_OK;
    zp_metrics m;
    ZP_CHECK(objective_metrics(sg->objective, sg->p, x, &m));
    int start = ex->rank; /* the placement is sent from rank start % size */
    ZP_CHECK(ex->reduce_best(ex, &m.imbalance, &m.objective, &start, x, sg->p->n));
out:
    return rc;
}

/* Perturbation rounds per start and epoch of a search phase. */
static int64_t epoch_rounds(const stage *sg)
{
    const zp_options *o = sg->spec->opt;
    int64_t rounds = o->iterations > 0
                         ? o->iterations
                         : (int64_t)fmax(1, floor((double)auto_rounds(sg->p) * o->effort));
    return (rounds + o->epochs - 1) / o->epochs;
}

static int record_every(const zp_options *o, int64_t rounds)
{
    int64_t per_epoch = ZP_MAX(1, TRAJ_ROWS_PER_START / o->epochs);
    return (int)ZP_MAX((int64_t)o->trajectory_every, (rounds + per_epoch - 1) / per_epoch);
}

/* Runs this rank's starts of one epoch from x; leaves the rank's best in best_x. */
static int run_epoch(stage *sg, int epoch, const int *x, int *best_x, int64_t *best_imb,
                     double *best_obj, int *best_start)
{
    int rc = ZP_OK;
    const zp_options *o = sg->spec->opt;
    zp_state *st = NULL;
    zp_search *search = NULL;
    int64_t rounds = epoch_rounds(sg);
    ZP_CHECK(objective_state(sg->model, sg->p, x, &st));
    ZP_CHECK(search_create(&search, st));
    *best_start = -1;
    for (int s = sg->spec->ex->rank; s < o->starts && !stop_polled(sg->spec);
         s += sg->spec->ex->size) {
        state_assign(st, x);
        sg->rec->start = s;
        sg->rec->epoch = epoch;
        sg->rec->phase = sg->phase;
        sg->rec->step0 = sg->step_base + (int64_t)epoch * rounds;
        sg->rec->kind = ZP_TRAJ_ROUND;
        zp_ils_params prm = {.rounds = rounds, .deadline = sg->deadline,
                             .record_every = record_every(o, rounds), .observer = observe,
                             .observer_ctx = sg->rec, .patience = o->patience,
                             .stop_requested = sg->spec->watch ? sg->spec->watch->stop_requested
                                                               : NULL};
        ZP_CHECK(search_ils(search, &sg->rngs[s], &prm));
        sg->rec->kind = ZP_TRAJ_EPOCH_END;
        ZP_CHECK(record(sg->rec, st, rounds, state_objective(st)));
        if (*best_start < 0 || st->imbalance < *best_imb ||
            (st->imbalance == *best_imb && state_objective(st) < *best_obj)) {
            *best_imb = st->imbalance;
            *best_obj = state_objective(st);
            *best_start = s;
            memcpy(best_x, st->x, sizeof *best_x * (size_t)sg->p->n);
        }
        progress_note(sg->pg, "%s epoch %d start %d: objective %.6g", phase_name(sg->phase, 0),
                      epoch, s, state_objective(st));
    }
out:
    search_destroy(&search);
    state_destroy(&st);
    return rc;
}

/* Search phase over all starts and epochs from x; x becomes the global best. */
static int run_search(stage *sg, int *x)
{
    int rc = ZP_OK;
    const zp_options *o = sg->spec->opt;
    zp_exchange *ex = sg->spec->ex;
    int *best_x = NULL;
    ZP_ALLOC(best_x, sg->p->n);
    for (int e = 0; e < o->epochs && !sg->stopped; e++) {
        int64_t imb = INT64_MAX;
        double obj = INFINITY;
        int start = -1;
        memcpy(best_x, x, sizeof *x * (size_t)sg->p->n);
        ZP_CHECK(run_epoch(sg, e, x, best_x, &imb, &obj, &start));
        if (start < 0) /* a rank with no start offers nothing */
            start = o->starts;
        ZP_CHECK(ex->reduce_best(ex, &imb, &obj, &start, best_x, sg->p->n));
        memcpy(x, best_x, sizeof *x * (size_t)sg->p->n);
        if (start < o->starts) /* else a stop request left every start out */
            sg->res->best_start = start;
        progress_note(sg->pg, "%s epoch %d/%d done: best objective %.6g (start %d)",
                      phase_name(sg->phase, 0), e + 1, o->epochs, obj, start);
        ZP_CHECK(checkpoint(sg, x));
    }
out:
    zp_free(best_x);
    return rc;
}

static int rebalance_placement(const zp_perf *objective, const zp_problem *p, int *x)
{
    int rc = ZP_OK;
    zp_state *st = NULL;
    ZP_CHECK(objective_state(objective, p, x, &st));
    if (rebalance(st) < 0)
        ZP_CHECK(ZP_ERUNTIME);
    memcpy(x, st->x, sizeof *x * (size_t)p->n);
out:
    state_destroy(&st);
    return rc;
}

/* Search and rebalance phases of one problem from placement x (updated in place). The search
 * minimises traffic; for the latency objective a second search phase (latency_search) then
 * minimises the model's objective from the traffic optimum. Traffic is a cheap proxy of the
 * model's path-latency term (gains in whole edge weights, the uniform fast path, ties the FM
 * tie-breaks resolve); minimising the model from round robin directly ended at worse cuts on
 * case 2 (104-108 external deps over 6 seeds against 104-105) and took 3x longer. The second
 * phase adds what the proxy misses: link and server queues, per-pair latencies. Each of its
 * starts begins at the first phase's result and keeps the best placement it sees, so at equal
 * balance it never ends worse on the model's objective. */
/* After a search phase: the next one's steps go on from its last (plots and tables see one
 * increasing step axis per task), and the phase-end rows stand at that step. */
static void end_search_steps(stage *sg)
{
    sg->step_base += sg->spec->opt->epochs * epoch_rounds(sg);
    sg->rec->step0 = sg->step_base;
}

static int run_stage(stage *sg, int *x, int search_phase)
{
    int rc = ZP_OK;
    int rank0 = sg->spec->ex->rank == 0;
    sg->phase = search_phase;
    sg->model = NULL;
    ZP_CHECK(run_search(sg, x));
    end_search_steps(sg);
    ZP_CHECK(add_phase(sg->objective, sg->res, sg->p, x, search_phase, 0, rank0, sg->rec,
                       sg->pg));
    if (sg->stopped)
        return ZP_OK;
    if ((sg->model = sg->objective)) {
        sg->phase = ZP_PHASE_LATENCY_SEARCH;
        ZP_CHECK(run_search(sg, x));
        end_search_steps(sg);
        ZP_CHECK(add_phase(sg->objective, sg->res, sg->p, x, ZP_PHASE_LATENCY_SEARCH, 0, rank0,
                           sg->rec, sg->pg));
        if (sg->stopped)
            return ZP_OK;
    }
    ZP_CHECK(rebalance_placement(sg->objective, sg->p, x));
    ZP_CHECK(add_phase(sg->objective, sg->res, sg->p, x, search_phase + 1, 0, rank0, sg->rec,
                       sg->pg));
out:
    return rc;
}

static int init_result(const zp_task_spec *spec, const zp_problem *p, zp_task_result *res,
                       zp_rng **rngs)
{
    int rc = ZP_OK;
    const zp_options *o = spec->opt;
    memset(res, 0, sizeof *res);
    res->task = spec->task;
    res->zones = p->k;
    res->apps = p->n;
    res->seed = o->seed;
    res->starts = o->starts;
    res->epochs = o->epochs;
    res->objective = o->objective;
    res->perf_mean = res->perf_pct = NAN;
    ZP_ALLOC(res->start_seeds, o->starts);
    ZP_ALLOC(*rngs, o->starts);
    for (int s = 0; s < o->starts; s++) {
        res->start_seeds[s] = rng_stream_seed(o->seed, (uint64_t)spec->task, (uint64_t)s);
        rng_seed(&(*rngs)[s], o->seed, (uint64_t)spec->task, (uint64_t)s);
    }
out:
    return rc;
}

/* Sets the running apps of the arrival problem to the base result and places the new ones. */
static int place_arrivals(zp_problem *arr, const int *base_x, int nb, int *x)
{
    int rc = ZP_OK;
    if (!arr->current)
        ZP_ALLOC(arr->current, arr->n);
    for (int u = 0; u < arr->n; u++)
        x[u] = arr->current[u] = u < nb ? base_x[u] : -1;
    ZP_CHECK(place_rr(arr, x));
out:
    return rc;
}

/* ---- multilevel initial placement ------------------------------------------------------------ */

typedef struct {
    recorder *rec;
    progress *pg;
    int recording;
} ml_watch;

static void ml_observe(void *ctx, int what, int level, int cycle, int n, const zp_state *st,
                       double traffic_offset)
{
    ml_watch *w = ctx;
    static const char *const what_names[] = {"coarsened to", "placed", "refined"};
    if (st)
        progress_note(w->pg, "multilevel cycle %d: level %d (%d vertices) %s: %lld external "
                      "deps, %lld apps outside the band", cycle + 1, level, n, what_names[what],
                      (long long)st->external_deps, (long long)st->imbalance);
    else
        progress_note(w->pg, "multilevel cycle %d: level %d %s %d vertices", cycle + 1, level,
                      what_names[what], n);
    if (!w->recording)
        return;
    recorder *r = w->rec;
    r->start = -1;
    r->epoch = 0;
    r->step0 = 0;
    r->phase = what == ZP_ML_COARSEN ? ZP_PHASE_COARSEN
                                     : what == ZP_ML_INITIAL ? ZP_PHASE_ML_INITIAL
                                                             : ZP_PHASE_ML_REFINE;
    int64_t step = level + 1000 * (int64_t)cycle;
    if (st) {
        double cv = state_cv(st);
        zp_traj_row row = {r->res->task, -1, 0, r->phase, ZP_TRAJ_LEVEL, step,
                           st->traffic + traffic_offset, st->external_deps, cv,
                           100.0 - 100.0 * cv / sqrt((double)st->p->k), st->move_cost,
                           st->moves, state_objective(st) + traffic_offset, zp_now() - r->t0};
        traj_append(&r->res->traj, &row); /* out of memory only shortens it */
        return;
    }
    zp_traj_row row = {r->res->task, -1, 0, r->phase, ZP_TRAJ_LEVEL, step, NAN, -1, NAN, NAN,
                       NAN, n, NAN, zp_now() - r->t0};
    traj_append(&r->res->traj, &row);
}

/* The distributed engine's placement of p into x (collective over the task's ranks). */
static int place_dist(const zp_task_spec *spec, const zp_problem *p, int *x, zp_task_result *res)
{
    const zp_options *o = spec->opt;
    zp_dengine_params prm = {o->seed, (uint64_t)spec->task, o->effort, 0, 0};
    zp_dengine_stats stats;
    int rc = dengine_place(p, x, &spec->ex->dc, spec->ex, &prm, &stats);
    res->ml_levels = stats.levels;
    res->ml_cycles = stats.cycles;
    res->ml_bands = stats.bands;
    res->ml_seconds[0] = stats.t_coarsen;
    res->ml_seconds[1] = stats.t_initial;
    res->ml_seconds[2] = stats.t_refine;
    return rc;
}

/* The multilevel placement of p into x, with its levels in the trajectory. A placement that
 * breaks zone limits where round robin does not gives way to round robin. */
static int place_multilevel(const zp_task_spec *spec, const zp_problem *p, int *x, zp_rng *rng,
                            recorder *rec, progress *pg, zp_task_result *res)
{
    int rc = ZP_OK;
    int *alt = NULL;
    const zp_options *o = spec->opt;
    ml_watch w = {rec, pg, spec->ex->rank == 0};
    zp_ml_params prm;
    zp_ml_stats stats;
    multilevel_defaults(&prm);
    if (o->time_limit > 0)
        prm.deadline = pg->t0 + ML_TIME_SHARE * o->time_limit;
    prm.effort = o->effort;
    prm.observer = ml_observe;
    prm.observer_ctx = &w;
    prm.stop_requested = spec->watch ? spec->watch->stop_requested : NULL;
    zp_keep_freed_memory((double)p->n + (double)p->xadj[p->n]);
    ZP_ALLOC(alt, p->n);
    memcpy(alt, x, sizeof *x * (size_t)p->n);
    if (o->engine == ZP_ENGINE_DIST && dengine_applies(p)) {
        ZP_CHECK(place_dist(spec, p, x, res));
    } else {
        ZP_CHECK(multilevel_place(p, x, rng, &prm, &stats));
        res->ml_levels = stats.levels;
        res->ml_cycles = stats.cycles;
        res->ml_seconds[0] = stats.t_coarsen;
        res->ml_seconds[1] = stats.t_initial;
        res->ml_seconds[2] = stats.t_refine;
    }
    zp_metrics m, m_alt;
    metrics_compute(p, x, &m);
    if (m.violations > 0) {
        ZP_CHECK(place_rr(p, alt));
        metrics_compute(p, alt, &m_alt);
        if (m_alt.violations < m.violations)
            memcpy(x, alt, sizeof *x * (size_t)p->n);
    }
out:
    zp_free(alt);
    return rc;
}

/* The initial placement x of the n base apps into res->initial, for apps apps (the arriving
 * ones -1), so that writers write the placement the search started from. */
static int keep_initial(zp_task_result *res, const int *x, int n, int apps)
{
    int rc = ZP_OK;
    ZP_ALLOC(res->initial, apps);
    memcpy(res->initial, x, sizeof *x * (size_t)n);
    for (int u = n; u < apps; u++)
        res->initial[u] = -1;
out:
    return rc;
}

int task_run(const zp_task_spec *spec, const zp_problem *base, zp_problem *arrivals,
             zp_task_result *res)
{
    return task_run_model(spec, NULL, NULL, base, arrivals, res);
}

int task_run_model(const zp_task_spec *spec, const zp_perf *perf, const zp_perf *perf_arrivals,
                   const zp_problem *base, zp_problem *arrivals, zp_task_result *res)
{
    int rc = ZP_OK;
    const zp_options *o = spec->opt;
    zp_rng *rngs = NULL, init_rng;
    int *x = NULL, *xa = NULL;
    int rank0 = spec->ex->rank == 0, save = 0;
    double t0 = zp_now();
    progress pg = {spec, t0, 0, t0};
    recorder rec = {res, -1, 0, 0, t0, 0, ZP_TRAJ_PHASE_END};
    const zp_perf *objective = objective_model(o, perf);
    ZP_CHECK(check_objective(o, perf, perf_arrivals, base, arrivals));
    ZP_CHECK(init_result(spec, base, res, &rngs));
    stage sg = {spec, base, res, rngs, ZP_PHASE_SEARCH, objective, NULL, 0,
                o->time_limit > 0 ? t0 + o->time_limit : 0, &pg, &rec,
                arrivals ? arrivals : base, 0};

    ZP_ALLOC(x, base->n);
    for (int u = 0; u < base->n; u++)
        x[u] = base->current ? base->current[u] : -1;
    rng_seed(&init_rng, o->seed, (uint64_t)spec->task, UINT64_MAX);
    int init_kind = resolve_init(base, o->init);
    res->init_kind = init_kind;
    if (init_kind == ZP_INIT_MULTILEVEL)
        ZP_CHECK(place_multilevel(spec, base, x, &init_rng, &rec, &pg, res));
    else
        ZP_CHECK(place_initial(base, init_kind, x, &init_rng));
    ZP_CHECK(agree_initial(&sg, x, &save));
    ZP_CHECK(add_phase(objective, res, base, x, ZP_PHASE_INIT, init_kind, rank0, &rec, &pg));
    ZP_CHECK(keep_initial(res, x, base->n, arrivals ? arrivals->n : base->n));
    if (save)
        ZP_CHECK(save_checkpoint(&sg, x));
    if (!sg.stopped)
        ZP_CHECK(run_stage(&sg, x, ZP_PHASE_SEARCH));
    const zp_problem *final_p = base;
    int *final_x = x;

    if (arrivals) {
        ZP_ALLOC(xa, arrivals->n);
        ZP_CHECK(place_arrivals(arrivals, x, base->n, xa));
        objective = sg.objective = objective_model(o, perf_arrivals); /* the arrivals' model */
        ZP_CHECK(add_phase(objective, res, arrivals, xa, ZP_PHASE_ARRIVE, 0, rank0, &rec,
                           &pg));
        sg.p = arrivals;
        if (!sg.stopped)
            ZP_CHECK(checkpoint(&sg, xa));
        if (!sg.stopped)
            ZP_CHECK(run_stage(&sg, xa, ZP_PHASE_ARRIVAL_SEARCH));
        final_p = arrivals;
        final_x = xa;
        res->apps = arrivals->n;
    }
    ZP_CHECK(objective_metrics(objective, final_p, final_x, &res->final));
    ZP_ALLOC(res->placement, final_p->n);
    memcpy(res->placement, final_x, sizeof *x * (size_t)final_p->n);
    res->wall = zp_now() - t0;
    res->stopped = sg.stopped;
out:
    zp_free(rngs);
    zp_free(x);
    zp_free(xa);
    return rc;
}

void task_result_free(zp_task_result *res)
{
    if (!res)
        return;
    zp_free(res->placement);
    zp_free(res->initial);
    zp_free(res->start_seeds);
    zp_free(res->traj.rows);
    memset(res, 0, sizeof *res);
}
