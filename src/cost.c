/* cost.c - metrics of a placement (full recount) and the incremental state (O(degree) moves). */
#include "cost.h"

#include <math.h>
#include <string.h>

#include "util.h"

/* Thesis report constants: a move costs 2400 (10 x 240), an edge counts 1000 in the
 * denominator and a move 6000 (docs/design.md section 2). */
#define THESIS_MOVE_COST 2400.0

double move_cost_of(const zp_problem *p, int u, int z)
{
    if (!p->current || p->current[u] < 0 || p->current[u] == z)
        return 0.0;
    return p->move_factor * p->size[u] * problem_dist(p, p->current[u], z);
}

static double count_cv(const int64_t *count, int k, double mean)
{
    if (mean <= 0)
        return 0.0;
    double ss = 0;
    for (int z = 0; z < k; z++)
        ss += ((double)count[z] - mean) * ((double)count[z] - mean);
    return sqrt(ss / k) / mean;
}

static double resource_cv(const zp_problem *p, const double *load)
{
    double worst = 0;
    for (int r = 0; r < p->nres; r++) {
        double sum = 0, ss = 0;
        int used = 0;
        for (int z = 0; z < p->k; z++) {
            double cap = problem_capacity(p, z, r);
            if (!isfinite(cap) || cap <= 0)
                continue;
            sum += load[z * p->nres + r] / cap;
            used++;
        }
        if (used == 0 || sum <= 0)
            continue;
        double mean = sum / used;
        for (int z = 0; z < p->k; z++) {
            double cap = problem_capacity(p, z, r);
            if (!isfinite(cap) || cap <= 0)
                continue;
            double d = load[z * p->nres + r] / cap - mean;
            ss += d * d;
        }
        double cv = sqrt(ss / used) / mean;
        if (cv > worst)
            worst = cv;
    }
    return worst;
}

static int load_exceeds(double load, double cap) { return load > cap + 1e-9 * fabs(cap); }

static int64_t zone_violations(const zp_problem *p, const int64_t *count, const double *load)
{
    int64_t v = 0;
    for (int z = 0; z < p->k; z++) {
        if (count[z] > p->slots[z])
            v++;
        if (p->capacity_mode != ZP_CUMULATIVE)
            continue;
        for (int r = 0; r < p->nres; r++)
            if (load_exceeds(load[z * p->nres + r], problem_capacity(p, z, r)))
                v++;
    }
    return v;
}

static int64_t band_excess(int64_t c, int64_t lo, int64_t hi)
{
    return c > hi ? c - hi : (c < lo ? lo - c : 0);
}

void metrics_finish(const zp_problem *p, const int64_t *count, const double *load,
                    const zp_metric_sums *sums, zp_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->external_deps = sums->external_deps;
    m->cut_weight = sums->cut_weight;
    m->moves = sums->moves;
    m->move_cost = sums->move_cost;
    m->internal_deps = p->ndeps - m->external_deps;
    m->traffic = p->requests * sums->base_traffic;
    m->objective = m->traffic + m->move_cost;
    m->violations = sums->app_violations + zone_violations(p, count, load);

    int64_t total = problem_total_weight(p), lo, hi;
    problem_band(p, &lo, &hi);
    m->cv = count_cv(count, p->k, (double)total / p->k);
    m->lb_pct = 100.0 - 100.0 * m->cv / sqrt((double)p->k);
    m->resource_cv = resource_cv(p, load);
    m->max_load = m->min_load = count[0];
    for (int z = 0; z < p->k; z++) {
        m->imbalance += band_excess(count[z], lo, hi);
        m->max_load = ZP_MAX(m->max_load, count[z]);
        m->min_load = ZP_MIN(m->min_load, count[z]);
    }

    double edges = 4.0 * (double)p->ndeps + 2.0 * (double)m->external_deps;
    m->thesis_cost = sums->base_traffic + THESIS_MOVE_COST * (double)m->moves;
    double denom = 1000.0 * edges + 6000.0 * (double)m->moves;
    m->thesis_pct = denom > 0 ? 100.0 * m->thesis_cost / denom : 0.0;
    double thesis_cv = count_cv(count, p->k, (double)(total / p->k));
    m->thesis_lb_pct = 100.0 - 100.0 * thesis_cv / sqrt((double)p->k);
}

void metrics_compute(const zp_problem *p, const int *x, zp_metrics *m)
{
    int64_t count_stack[64];
    double load_stack[256];
    int64_t *count = p->k <= 64 ? count_stack : zp_calloc((size_t)p->k, sizeof *count);
    double *load = (int64_t)p->k * p->nres <= 256
                       ? load_stack
                       : zp_calloc((size_t)p->k * (size_t)p->nres, sizeof *load);
    zp_metric_sums sums;
    memset(m, 0, sizeof *m);
    memset(&sums, 0, sizeof sums);
    if (!count || !load) {
        m->violations = -1; /* out of memory while measuring: flagged, never silent */
        goto out;
    }
    memset(count, 0, sizeof *count * (size_t)p->k);
    memset(load, 0, sizeof *load * (size_t)p->k * (size_t)p->nres);

    for (int u = 0; u < p->n; u++) {
        int zu = x[u];
        count[zu] += problem_vwgt(p, u);
        for (int r = 0; r < p->nres; r++)
            load[zu * p->nres + r] += problem_demand(p, u, r);
        if (!app_fits_zone(p, u, zu))
            sums.app_violations++;
        if (p->current && p->current[u] >= 0 && p->current[u] != zu) {
            sums.moves++;
            sums.move_cost += move_cost_of(p, u, zu);
        }
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int v = p->adjncy[j];
            if (v < u)
                continue;
            sums.base_traffic += p->adjwgt[j] * problem_dist(p, zu, x[v]);
            if (x[v] != zu) {
                sums.external_deps += problem_adjmult(p, j);
                sums.cut_weight += p->adjwgt[j];
            }
        }
    }
    metrics_finish(p, count, load, &sums, m);
out:
    if (count != count_stack)
        zp_free(count);
    if (load != load_stack)
        zp_free(load);
}

int state_create(zp_state **out, const zp_problem *p, const int *x)
{
    int rc = ZP_OK;
    zp_state *s = zp_calloc(1, sizeof *s);
    if (!s)
        return ZP_ERUNTIME;
    s->p = p;
    ZP_ALLOC(s->x, p->n);
    ZP_ALLOC(s->count, p->k);
    ZP_ALLOC(s->load, (int64_t)p->k * ZP_MAX(p->nres, 1));
    ZP_ALLOC(s->conn, p->k);
    ZP_ALLOC(s->touched, p->k);
    problem_band(p, &s->lo, &s->hi);
    state_assign(s, x);
    *out = s;
    s = NULL;
out:
    state_destroy(&s);
    return rc;
}

void state_destroy(zp_state **ps)
{
    zp_state *s = ps ? *ps : NULL;
    if (!s)
        return;
    zp_free(s->x);
    zp_free(s->count);
    zp_free(s->load);
    zp_free(s->conn);
    zp_free(s->touched);
    perf_state_destroy(&s->perf);
    zp_free(s);
    *ps = NULL;
}

void state_assign(zp_state *s, const int *x)
{
    const zp_problem *p = s->p;
    if (s->x != x)
        memcpy(s->x, x, sizeof *x * (size_t)p->n);
    memset(s->count, 0, sizeof *s->count * (size_t)p->k);
    memset(s->load, 0, sizeof *s->load * (size_t)p->k * (size_t)p->nres);
    s->traffic = s->move_cost = s->cut_weight = 0;
    s->external_deps = s->moves = 0;
    for (int u = 0; u < p->n; u++) {
        int zu = s->x[u];
        s->count[zu] += problem_vwgt(p, u);
        for (int r = 0; r < p->nres; r++)
            s->load[zu * p->nres + r] += problem_demand(p, u, r);
        double mc = move_cost_of(p, u, zu);
        s->move_cost += mc;
        s->moves += p->current && p->current[u] >= 0 && p->current[u] != zu;
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int v = p->adjncy[j];
            if (v < u)
                continue;
            s->traffic += p->requests * p->adjwgt[j] * problem_dist(p, zu, s->x[v]);
            if (s->x[v] != zu) {
                s->external_deps += problem_adjmult(p, j);
                s->cut_weight += p->adjwgt[j];
            }
        }
    }
    s->imbalance = 0;
    for (int z = 0; z < p->k; z++)
        s->imbalance += band_excess(s->count[z], s->lo, s->hi);
    if (s->perf)
        perf_state_assign(s->perf, s->x);
}

int state_attach_perf(zp_state *s, const zp_perf *pf)
{
    zp_perf_state *ps = NULL;
    int rc = perf_state_create(pf, s->p, s->x, &ps);
    if (rc != ZP_OK)
        return rc;
    perf_state_destroy(&s->perf);
    s->perf = ps;
    return ZP_OK;
}

double state_unit_gain(const zp_state *s)
{
    const zp_problem *p = s->p;
    if (s->perf)
        return perf_unit_gain(s->perf->pf, p);
    return p->requests * (p->k > 1 ? problem_dist(p, 0, 1) - problem_dist(p, 0, 0) : 0);
}

void state_copy(zp_state *dst, const zp_state *src)
{
    const zp_problem *p = src->p;
    memcpy(dst->x, src->x, sizeof *dst->x * (size_t)p->n);
    memcpy(dst->count, src->count, sizeof *dst->count * (size_t)p->k);
    memcpy(dst->load, src->load, sizeof *dst->load * (size_t)p->k * (size_t)p->nres);
    dst->traffic = src->traffic;
    dst->move_cost = src->move_cost;
    dst->cut_weight = src->cut_weight;
    dst->external_deps = src->external_deps;
    dst->imbalance = src->imbalance;
    dst->moves = src->moves;
    dst->lo = src->lo;
    dst->hi = src->hi;
    if (dst->perf && src->perf && dst->perf->pf == src->perf->pf)
        perf_state_copy(dst->perf, src->perf);
    else if (dst->perf)
        perf_state_assign(dst->perf, dst->x);
}

double state_move_delta(const zp_state *s, int u, int b)
{
    const zp_problem *p = s->p;
    int a = s->x[u];
    if (a == b)
        return 0.0;
    double moving = move_cost_of(p, u, b) - move_cost_of(p, u, a);
    if (s->perf) /* the model replaces traffic in the objective */
        return perf_state_move_delta(s->perf, s->x, u, b) + moving;
    const double *da = p->dist + (int64_t)a * p->k, *db = p->dist + (int64_t)b * p->k;
    double d = 0;
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
        int zv = s->x[p->adjncy[j]];
        d += p->adjwgt[j] * (db[zv] - da[zv]);
    }
    return p->requests * d + moving;
}

int state_move_fits(const zp_state *s, int u, int b)
{
    const zp_problem *p = s->p;
    if (!app_fits_zone(p, u, b))
        return 0;
    if (s->count[b] + problem_vwgt(p, u) > p->slots[b])
        return 0;
    if (p->capacity_mode == ZP_CUMULATIVE) {
        for (int r = 0; r < p->nres; r++) {
            double after = s->load[b * p->nres + r] + problem_demand(p, u, r);
            if (load_exceeds(after, problem_capacity(p, b, r)))
                return 0;
        }
    }
    return 1;
}

int64_t state_imbalance_after(const zp_state *s, int u, int b)
{
    int a = s->x[u];
    if (a == b)
        return s->imbalance;
    int64_t w = problem_vwgt(s->p, u);
    return s->imbalance - band_excess(s->count[a], s->lo, s->hi) -
           band_excess(s->count[b], s->lo, s->hi) +
           band_excess(s->count[a] - w, s->lo, s->hi) +
           band_excess(s->count[b] + w, s->lo, s->hi);
}

void state_move(zp_state *s, int u, int b)
{
    const zp_problem *p = s->p;
    int a = s->x[u];
    if (a == b)
        return;
    s->imbalance = state_imbalance_after(s, u, b);
    const double *da = p->dist + (int64_t)a * p->k, *db = p->dist + (int64_t)b * p->k;
    double d = 0;
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
        int zv = s->x[p->adjncy[j]];
        d += p->adjwgt[j] * (db[zv] - da[zv]);
        if (zv == a) { /* was internal, becomes external */
            s->external_deps += problem_adjmult(p, j);
            s->cut_weight += p->adjwgt[j];
        } else if (zv == b) {
            s->external_deps -= problem_adjmult(p, j);
            s->cut_weight -= p->adjwgt[j];
        }
    }
    s->traffic += p->requests * d;
    if (s->perf) /* reads the neighbours' zones only: before or after x[u] changes */
        perf_state_move(s->perf, s->x, u, a, b);
    double mc_old = move_cost_of(p, u, a), mc_new = move_cost_of(p, u, b);
    s->move_cost += mc_new - mc_old;
    if (p->current && p->current[u] >= 0)
        s->moves += (b != p->current[u]) - (a != p->current[u]);
    int64_t w = problem_vwgt(p, u);
    s->count[a] -= w;
    s->count[b] += w;
    for (int r = 0; r < p->nres; r++) {
        double dem = problem_demand(p, u, r);
        s->load[a * p->nres + r] -= dem;
        s->load[b * p->nres + r] += dem;
    }
    s->x[u] = b;
}

int state_gather_conn(zp_state *s, int u)
{
    const zp_problem *p = s->p;
    int nt = 0;
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
        int z = s->x[p->adjncy[j]];
        if (s->conn[z] == 0)
            s->touched[nt++] = z;
        s->conn[z] += p->adjwgt[j];
    }
    return nt;
}

void state_clear_conn(zp_state *s, int ntouched)
{
    for (int i = 0; i < ntouched; i++)
        s->conn[s->touched[i]] = 0;
}
