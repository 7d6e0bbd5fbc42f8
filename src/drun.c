/* drun.c - a --graph run placed by the distributed engine without any rank holding the whole
 * graph (see drun.h). */
#include "drun.h"

#include <math.h>
#include <string.h>

#include "dengine.h"
#include "graphio.h"
#include "rng.h"
#include "textin.h"
#include "util.h"

/* The zones problem of a graph read in slices: the apps and dependencies counted, the
 * resources named as graphio_read_metis names them, no zones yet. */
static int counted_problem(const char *path, const zp_dread_info *info, zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    ZP_CHECK(problem_create(&p));
    p->source = zp_strdup(path);
    p->name = text_name_from_path(path);
    if (!p->source || !p->name)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    ZP_CHECK(graphio_name_weights(p, info->ncon));
    p->n = (int)info->n;
    p->ndeps = info->ndeps;
    *out = p;
    p = NULL;
out:
    problem_destroy(&p);
    return rc;
}

int drun_load(const char *path, zp_dcomm *dc, zp_dproblem **out)
{
    int rc = ZP_OK;
    zp_dproblem *dp = zp_calloc(1, sizeof *dp);
    if (!dp)
        return zp_fail(ZP_ERUNTIME, "out of memory");
    ZP_CHECK(dread_metis(path, dc, &dp->g, &dp->info));
    ZP_CHECK(counted_problem(path, &dp->info, &dp->zones));
    *out = dp;
    dp = NULL;
out:
    drun_destroy(&dp);
    return rc;
}

void drun_destroy(zp_dproblem **dp)
{
    if (!*dp)
        return;
    problem_destroy(&(*dp)->zones);
    dgraph_destroy(&(*dp)->g);
    dread_info_free(&(*dp)->info);
    zp_free(*dp);
    *dp = NULL;
}

/* Unlimited capacities and io in every zone: every app fits every zone, whatever its demands
 * (the per-app check of dengine_applies, without the apps). */
static int zones_take_any_app(const zp_problem *p)
{
    for (int z = 0; z < p->k; z++) {
        if (!p->zone_io[z])
            return 0;
        for (int r = 0; r < p->nres; r++)
            if (isfinite(problem_capacity(p, z, r)))
                return 0;
    }
    return 1;
}

int drun_applies(const zp_dproblem *dp)
{
    return dp->zones->n >= 2 && zones_take_any_app(dp->zones) &&
           dengine_zones_apply(dp->zones);
}

/* The zones problem with its total balance weight as n (unit weights): what problem_band and
 * metrics_finish need of the apps. */
static zp_problem weight_view(const zp_dproblem *dp)
{
    zp_problem view = *dp->zones;
    view.n = (int)dp->info.total_vwgt;
    view.vwgt = NULL;
    return view;
}

/* Collective: the metrics of the placement blk (owned vertices and ghosts), from integer sums
 * added up over the ranks, so they are the same on any number of ranks. Loads stay 0: the zones
 * this run handles have unlimited capacities in per-app mode, where loads enter no metric
 * (resource_cv skips unlimited capacities, zone_violations counts cumulative ones only). Every
 * adjacency entry is counted, so each dependency twice (once from each end, on whichever rank
 * owns it; the reader checked the weights symmetric), and the edge sums are halved at the end. */
static int slice_metrics(const zp_dproblem *dp, const int *blk, zp_dcomm *dc, zp_metrics *m)
{
    int rc = ZP_OK;
    const zp_dgraph *g = dp->g;
    int k = dp->zones->k;
    int64_t *sum = NULL; /* [k] weight per zone, [k] internal edge weight per zone, cut, cut edges */
    double *load = NULL;
    ZP_ALLOC(sum, 2 * k + 2);
    ZP_ALLOC(load, (int64_t)k * ZP_MAX(dp->zones->nres, 1));
    for (int u = 0; u < g->nl; u++) {
        int zu = blk[u];
        sum[zu] += g->vwgt[u];
        for (int64_t j = g->xadj[u]; j < g->xadj[u + 1]; j++) {
            if (blk[g->adj[j]] == zu) {
                sum[k + zu] += g->wgt[j];
            } else {
                sum[2 * k] += g->wgt[j];
                sum[2 * k + 1]++;
            }
        }
    }
    ZP_CHECK(dc->allreduce_i64(dc, sum, 2 * k + 2, ZP_DC_SUM));
    for (int i = k; i < 2 * k + 2; i++)
        sum[i] /= 2;
    zp_problem view = weight_view(dp);
    zp_metric_sums s;
    memset(&s, 0, sizeof s);
    for (int z = 0; z < k; z++)
        s.base_traffic += (double)sum[k + z] / DRUN_WEIGHT_SCALE * problem_dist(&view, z, z);
    s.cut_weight = (double)sum[2 * k] / DRUN_WEIGHT_SCALE;
    s.base_traffic += s.cut_weight * problem_dist(&view, 0, 1);
    s.external_deps = sum[2 * k + 1];
    metrics_finish(&view, sum, load, &s, m);
out:
    zp_free(sum);
    zp_free(load);
    return rc;
}

/* Collective: rank 0 gets every rank's owned values (count = the rank's owned vertices) in
 * global order into *all (allocated there; the other ranks' *all stays NULL). */
static int gather_on_root(zp_dcomm *dc, const zp_dgraph *g, const int *owned, int **all)
{
    int rc = ZP_OK;
    int64_t *scount = NULL, *rcount = NULL;
    int root = dc->rank == 0;
    ZP_ALLOC(scount, dc->size);
    ZP_ALLOC(rcount, dc->size);
    scount[0] = (int64_t)g->nl * (int64_t)sizeof *owned;
    for (int r = 0; r < dc->size && root; r++)
        rcount[r] = (g->vtxdist[r + 1] - g->vtxdist[r]) * (int64_t)sizeof *owned;
    if (root)
        ZP_ALLOC(*all, g->n);
    ZP_CHECK(dc->alltoallv(dc, owned, scount, root ? *all : NULL, rcount));
out:
    zp_free(scount);
    zp_free(rcount);
    return rc;
}

/* The result's fields that do not depend on the placement (task_run's init_result): one start,
 * whose stream seed the engine's starts derive from, and no search epochs. */
static int init_result(const zp_task_spec *spec, const zp_dproblem *dp, zp_task_result *res)
{
    int rc = ZP_OK;
    const zp_options *o = spec->opt;
    memset(res, 0, sizeof *res);
    res->task = spec->task;
    res->zones = dp->zones->k;
    res->apps = dp->zones->n;
    res->seed = o->seed;
    res->starts = 1;
    res->epochs = 0;
    res->objective = o->objective;
    res->perf_mean = res->perf_pct = NAN;
    res->init_kind = ZP_INIT_MULTILEVEL;
    ZP_ALLOC(res->start_seeds, 1);
    res->start_seeds[0] = rng_stream_seed(o->seed, (uint64_t)spec->task, 0);
out:
    return rc;
}

/* The single phase (the multilevel placement) as the result's phase, final metrics and, on
 * rank 0, trajectory row. */
static int record_phase(zp_task_result *res, const zp_metrics *m, double t0, int rank0)
{
    zp_phase_result *ph = &res->phases[res->nphases++];
    ph->phase = ZP_PHASE_INIT;
    snprintf(ph->name, sizeof ph->name, "%s", phase_name(ZP_PHASE_INIT, ZP_INIT_MULTILEVEL));
    ph->m = *m;
    ph->seconds = zp_now() - t0;
    res->final = *m;
    if (!rank0)
        return ZP_OK;
    zp_traj_row row = {res->task, -1, 0, ZP_PHASE_INIT, ZP_TRAJ_PHASE_END, 0, m->traffic,
                       m->external_deps, m->cv, m->lb_pct, m->move_cost, m->moves,
                       m->objective, zp_now() - t0};
    return traj_append(&res->traj, &row);
}

/* Rank 0: the placement as the result's final and initial placement, and the apps' balance
 * weights for the report when the file gives vertex weights. */
static int keep_on_root(zp_dproblem *dp, zp_dcomm *dc, int *x, zp_task_result *res)
{
    int rc = ZP_OK;
    int *vwgt = NULL;
    if (dp->info.ncon > 0)
        ZP_CHECK(gather_on_root(dc, dp->g, dp->g->vwgt, &vwgt));
    if (dc->rank != 0)
        return ZP_OK;
    ZP_ALLOC(res->initial, dp->zones->n);
    memcpy(res->initial, x, sizeof *x * (size_t)dp->zones->n);
    res->placement = x;
    zp_free(dp->zones->vwgt);
    dp->zones->vwgt = vwgt;
    vwgt = NULL;
out:
    zp_free(vwgt);
    return rc;
}

int drun_task(const zp_task_spec *spec, zp_dproblem *dp, zp_task_result *res)
{
    int rc = ZP_OK;
    const zp_options *o = spec->opt;
    zp_dcomm *dc = &spec->ex->dc;
    const zp_dgraph *g = dp->g;
    int *blk = NULL, *x = NULL;
    double t0 = zp_now();
    zp_dengine_params prm = {o->seed, (uint64_t)spec->task, o->effort, 0, 0};
    zp_dengine_stats stats;
    zp_metrics m;
    ZP_CHECK(init_result(spec, dp, res));
    zp_keep_freed_memory((double)dp->zones->n + 2.0 * (double)dp->zones->ndeps);
    ZP_ALLOC(blk, (int64_t)g->nl + g->ng);
    zp_problem view = weight_view(dp);
    ZP_CHECK(dengine_run(g, &view, dp->info.total_vwgt, DRUN_WEIGHT_SCALE, dc, spec->ex, &prm,
                         blk, &stats));
    res->ml_levels = stats.levels;
    res->ml_cycles = stats.cycles;
    res->ml_bands = stats.bands;
    res->ml_seconds[0] = stats.t_coarsen;
    res->ml_seconds[1] = stats.t_initial;
    res->ml_seconds[2] = stats.t_refine;
    ZP_CHECK(dgraph_exchange(g, dc, blk, sizeof *blk));
    ZP_CHECK(slice_metrics(dp, blk, dc, &m));
    ZP_CHECK(record_phase(res, &m, t0, dc->rank == 0));
    ZP_CHECK(gather_on_root(dc, g, blk, &x));
    ZP_CHECK(keep_on_root(dp, dc, x, res));
    x = NULL; /* the result's now (rank 0) */
    res->wall = zp_now() - t0;
out:
    zp_free(blk);
    zp_free(x);
    return rc;
}
