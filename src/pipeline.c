/* pipeline.c - the phases of a task, starts, epochs and trajectories (see pipeline.h). */
#include "pipeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "place.h"
#include "rebalance.h"
#include "rng.h"
#include "search.h"
#include "util.h"

const char *phase_name(int phase, int init_kind)
{
    static const char *const init_names[] = {"rr", "random", "greedy"};
    static const char *const names[] = {"", "search", "rebalance", "arrive", "arrival_search",
                                        "arrival_rebalance"};
    if (phase == ZP_PHASE_INIT)
        return init_names[init_kind >= 0 && init_kind <= 2 ? init_kind : 0];
    return phase > 0 && phase < ZP_PHASE_COUNT ? names[phase] : "?";
}

static int serial_reduce(zp_exchange *ex, int64_t *imbalance, double *objective, int *start,
                         int *x, int n)
{
    (void)ex, (void)imbalance, (void)objective, (void)start, (void)x, (void)n;
    return ZP_OK;
}

zp_exchange exchange_serial(void) { return (zp_exchange){0, 1, serial_reduce, NULL}; }

int64_t auto_rounds(const zp_problem *p)
{
    double size = (double)p->n + (double)(p->xadj ? p->xadj[p->n] / 2 : 0);
    return (int64_t)fmin(3000.0, floor(2e6 / fmax(size, 1.0)));
}

/* ---- trajectory ---------------------------------------------------------------------------- */

typedef struct {
    zp_task_result *res;
    int start, epoch, phase;
    double t0;
    int64_t step0;
} recorder;

static double state_cv(const zp_state *st)
{
    const zp_problem *p = st->p;
    double mean = (double)problem_total_weight(p) / p->k, ss = 0;
    for (int z = 0; z < p->k; z++)
        ss += ((double)st->count[z] - mean) * ((double)st->count[z] - mean);
    return mean > 0 ? sqrt(ss / p->k) / mean : 0.0;
}

static int traj_append(zp_traj *t, const zp_traj_row *row)
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
    zp_traj_row row = {r->res->task, r->start, r->epoch, r->phase, r->step0 + step,
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
} progress;

static void progress_note(progress *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void progress_note(progress *pg, const char *fmt, ...)
{
    double now = zp_now();
    if (!pg->spec->verbose || pg->spec->ex->rank != 0 || now - pg->t0 < 2.0 || now - pg->last < 1.0)
        return;
    pg->last = now;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "zoneplace: task %d [%6.1fs] ", pg->spec->task, now - pg->t0);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- phases -------------------------------------------------------------------------------- */

static int add_phase(zp_task_result *res, const zp_problem *p, const int *x, int phase,
                     int init_kind, int recording, recorder *rec)
{
    int rc = ZP_OK;
    zp_phase_result *ph = &res->phases[res->nphases++];
    ph->phase = phase;
    snprintf(ph->name, sizeof ph->name, "%s", phase_name(phase, init_kind));
    metrics_compute(p, x, &ph->m);
    if (!recording)
        return ZP_OK;
    zp_state *st = NULL;
    ZP_CHECK(state_create(&st, p, x));
    rec->start = -1;
    rec->phase = phase;
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
    double deadline;
    progress *pg;
    recorder *rec;
} stage;

/* Runs this rank's starts of one epoch from x; leaves the rank's best in best_x. */
static int run_epoch(stage *sg, int epoch, const int *x, int *best_x, int64_t *best_imb,
                     double *best_obj, int *best_start)
{
    int rc = ZP_OK;
    const zp_options *o = sg->spec->opt;
    zp_state *st = NULL;
    zp_search *search = NULL;
    int64_t rounds = o->iterations > 0 ? o->iterations : auto_rounds(sg->p);
    rounds = (rounds + o->epochs - 1) / o->epochs;
    ZP_CHECK(state_create(&st, sg->p, x));
    ZP_CHECK(search_create(&search, st));
    *best_start = -1;
    for (int s = sg->spec->ex->rank; s < o->starts; s += sg->spec->ex->size) {
        state_assign(st, x);
        sg->rec->start = s;
        sg->rec->epoch = epoch;
        sg->rec->phase = sg->phase;
        sg->rec->step0 = (int64_t)epoch * rounds;
        zp_ils_params prm = {rounds, sg->deadline, o->trajectory_every, observe, sg->rec};
        ZP_CHECK(search_ils(search, &sg->rngs[s], &prm));
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
    for (int e = 0; e < o->epochs; e++) {
        int64_t imb = INT64_MAX;
        double obj = INFINITY;
        int start = -1;
        memcpy(best_x, x, sizeof *x * (size_t)sg->p->n);
        ZP_CHECK(run_epoch(sg, e, x, best_x, &imb, &obj, &start));
        if (start < 0) /* a rank with no start offers nothing */
            start = o->starts;
        ZP_CHECK(ex->reduce_best(ex, &imb, &obj, &start, best_x, sg->p->n));
        memcpy(x, best_x, sizeof *x * (size_t)sg->p->n);
        sg->res->best_start = start;
        progress_note(sg->pg, "%s epoch %d/%d done: best objective %.6g (start %d)",
                      phase_name(sg->phase, 0), e + 1, o->epochs, obj, start);
    }
out:
    zp_free(best_x);
    return rc;
}

static int rebalance_placement(const zp_problem *p, int *x)
{
    int rc = ZP_OK;
    zp_state *st = NULL;
    ZP_CHECK(state_create(&st, p, x));
    if (rebalance(st) < 0)
        ZP_CHECK(ZP_ERUNTIME);
    memcpy(x, st->x, sizeof *x * (size_t)p->n);
out:
    state_destroy(&st);
    return rc;
}

/* Search and rebalance phases of one problem from placement x (updated in place). */
static int run_stage(stage *sg, int *x, int search_phase)
{
    int rc = ZP_OK;
    int rank0 = sg->spec->ex->rank == 0;
    sg->phase = search_phase;
    ZP_CHECK(run_search(sg, x));
    ZP_CHECK(add_phase(sg->res, sg->p, x, search_phase, 0, rank0, sg->rec));
    ZP_CHECK(rebalance_placement(sg->p, x));
    ZP_CHECK(add_phase(sg->res, sg->p, x, search_phase + 1, 0, rank0, sg->rec));
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

int task_run(const zp_task_spec *spec, const zp_problem *base, zp_problem *arrivals,
             zp_task_result *res)
{
    int rc = ZP_OK;
    const zp_options *o = spec->opt;
    zp_rng *rngs = NULL, init_rng;
    int *x = NULL, *xa = NULL;
    int rank0 = spec->ex->rank == 0;
    double t0 = zp_now();
    progress pg = {spec, t0, 0};
    recorder rec = {res, -1, 0, 0, t0, 0};
    ZP_CHECK(init_result(spec, base, res, &rngs));
    stage sg = {spec, base, res, rngs, ZP_PHASE_SEARCH,
                o->time_limit > 0 ? t0 + o->time_limit : 0, &pg, &rec};

    ZP_ALLOC(x, base->n);
    for (int u = 0; u < base->n; u++)
        x[u] = base->current ? base->current[u] : -1;
    rng_seed(&init_rng, o->seed, (uint64_t)spec->task, UINT64_MAX);
    ZP_CHECK(place_initial(base, o->init, x, &init_rng));
    ZP_CHECK(add_phase(res, base, x, ZP_PHASE_INIT, o->init, rank0, &rec));
    ZP_CHECK(run_stage(&sg, x, ZP_PHASE_SEARCH));
    const zp_problem *final_p = base;
    int *final_x = x;

    if (arrivals) {
        ZP_ALLOC(xa, arrivals->n);
        ZP_CHECK(place_arrivals(arrivals, x, base->n, xa));
        ZP_CHECK(add_phase(res, arrivals, xa, ZP_PHASE_ARRIVE, 0, rank0, &rec));
        sg.p = arrivals;
        ZP_CHECK(run_stage(&sg, xa, ZP_PHASE_ARRIVAL_SEARCH));
        final_p = arrivals;
        final_x = xa;
        res->apps = arrivals->n;
    }
    metrics_compute(final_p, final_x, &res->final);
    ZP_ALLOC(res->placement, final_p->n);
    memcpy(res->placement, final_x, sizeof *x * (size_t)final_p->n);
    res->wall = zp_now() - t0;
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
    zp_free(res->start_seeds);
    zp_free(res->traj.rows);
    memset(res, 0, sizeof *res);
}
