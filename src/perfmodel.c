/* perfmodel.c - the response-time and network model (design.md section 6): per-placement
 * predictions, the objective and its O(degree) deltas. The formulas and the modelling choices
 * are described in perfmodel.h; the "perf" section is read by perfconf.c. */
#include "perfmodel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Utilisation from which a queue counts as unstable in the objective: keeps rho/(1-rho) finite
 * and joins the penalty ZP_PERF_PENALTY * rho almost continuously. */
#define RHO_MAX (1.0 - 1.0 / ZP_PERF_PENALTY)

/* ---- small model helpers, shared by evaluation, objective and deltas ---- */

static int64_t adj_begin(const zp_problem *p, int u) { return p->xadj ? p->xadj[u] : 0; }
static int64_t adj_end(const zp_problem *p, int u) { return p->xadj ? p->xadj[u + 1] : 0; }
static int64_t nnz_of(const zp_problem *p) { return p->xadj ? p->xadj[p->n] : 0; }

static double edge_rate(const zp_problem *p, int64_t j) { return p->adjwgt[j] * p->requests; }

static int64_t link_index(int k, int a, int b)
{
    return a < b ? (int64_t)a * k + b : (int64_t)b * k + a;
}

/* Q/P of app v if it were in zone z. */
static double share_in(const zp_perf *pf, const zp_problem *p, int v, int z)
{
    if (pf->reservation[v] != ZP_PERF_AUTO)
        return pf->reservation[v];
    return problem_demand(p, v, pf->cpu) / problem_capacity(p, z, pf->cpu);
}

double perf_arrival(const zp_perf *pf, const zp_problem *p, int v)
{
    double lambda = 0;
    for (int64_t j = adj_begin(p, v); j < adj_end(p, v); j++)
        if (!pf->to_nbr[j])
            lambda += edge_rate(p, j);
    return lambda;
}

static double utilisation(double load, double capacity)
{
    if (load <= 0)
        return 0;
    return capacity > 0 ? load / capacity : INFINITY;
}

/* Mean number in an M/M/1 queue of utilisation rho, or the penalty when it is unstable. */
static double queue_cost(double rho)
{
    return rho < RHO_MAX ? rho / (1.0 - rho) : ZP_PERF_PENALTY * rho;
}

static double server_cost(const zp_perf *pf, const zp_problem *p, int v, int z, double lambda)
{
    if (lambda <= 0)
        return 0;
    return queue_cost(utilisation(lambda, pf->service_rate[v] * share_in(pf, p, v, z)));
}

/* Adds the bits/s of every dependency to its link (load is k*k, zeroed by the caller). */
static void add_link_loads(const zp_perf *pf, const zp_problem *p, const int *x, double *load)
{
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u)
                load[link_index(p->k, x[u], x[p->adjncy[j]])] += edge_rate(p, j) * pf->size_bits[j];
}

static double latency_part(const zp_perf *pf, const zp_problem *p, const int *x)
{
    double sum = 0;
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u)
                sum += edge_rate(p, j) * 2.0 * pf->latency[(int64_t)x[u] * p->k + x[p->adjncy[j]]];
    return sum;
}

static double server_part(const zp_perf *pf, const zp_problem *p, const int *x)
{
    double sum = 0;
    for (int v = 0; v < p->n; v++)
        sum += server_cost(pf, p, v, x[v], perf_arrival(pf, p, v));
    return sum;
}

static double link_part(const zp_perf *pf, const double *load)
{
    double sum = 0;
    for (int a = 0; a < pf->k; a++)
        for (int b = a; b < pf->k; b++) {
            int64_t l = (int64_t)a * pf->k + b;
            sum += queue_cost(utilisation(load[l], pf->bandwidth[l]));
        }
    return sum;
}

static double objective_with(const zp_perf *pf, const zp_problem *p, const int *x,
                             const double *load)
{
    double sum = latency_part(pf, p, x) + server_part(pf, p, x);
    return pf->network ? sum + link_part(pf, load) : sum;
}

/* Whether pf was built for p and x is a placement of it: misuse by the caller, not bad input. */
static int check_bound(const zp_perf *pf, const zp_problem *p, const int *x)
{
    if (pf->n != p->n || pf->k != p->k || pf->nnz != nnz_of(p))
        return zp_fail(ZP_ERUNTIME, "perf: parameters were built for another problem (%d apps, "
                       "%d zones) than the one evaluated (%d apps, %d zones)",
                       pf->n, pf->k, p->n, p->k);
    for (int u = 0; x && u < p->n; u++)
        if (x[u] < 0 || x[u] >= p->k)
            return zp_fail(ZP_ERUNTIME, "perf: app %s is in zone %d, out of range",
                           p->app_names[u] ? p->app_names[u] : "?", x[u]);
    return ZP_OK;
}

/* ---- lifecycle ---- */

static int find_resource(const zp_problem *p, const char *name)
{
    for (int r = 0; r < p->nres; r++)
        if (p->res_names && p->res_names[r] && strcmp(p->res_names[r], name) == 0)
            return r;
    return -1;
}

void perf_set_link(zp_perf *pf, int a, int b, double latency_ms, double gbps, int links)
{
    int k = pf->k;
    pf->latency[(int64_t)a * k + b] = pf->latency[(int64_t)b * k + a] = latency_ms * 1e-3;
    pf->bandwidth[(int64_t)a * k + b] = pf->bandwidth[(int64_t)b * k + a] = links * gbps * 1e9;
}

int perf_create(const zp_problem *p, double mu, zp_perf **out)
{
    int rc = ZP_OK;
    zp_perf *pf = NULL;
    int64_t nnz = nnz_of(p);

    ZP_ALLOC(pf, 1);
    pf->n = p->n;
    pf->k = p->k;
    pf->nnz = nnz;
    ZP_ALLOC(pf->service_rate, p->n);
    ZP_ALLOC(pf->reservation, p->n);
    ZP_ALLOC(pf->size_bits, nnz);
    ZP_ALLOC(pf->to_nbr, nnz);
    ZP_ALLOC(pf->latency, (int64_t)p->k * p->k);
    ZP_ALLOC(pf->bandwidth, (int64_t)p->k * p->k);
    for (int u = 0; u < p->n; u++) {
        pf->service_rate[u] = mu;
        pf->reservation[u] = 1.0;
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++) {
            pf->size_bits[j] = ZP_PERF_SIZE_KB * ZP_PERF_BITS_PER_KB;
            pf->to_nbr[j] = p->adjncy[j] > u; /* the higher id serves the lower */
        }
    }
    for (int a = 0; a < p->k; a++)
        for (int b = a; b < p->k; b++)
            perf_set_link(pf, a, b, a == b ? ZP_PERF_LATENCY_ZONE_MS : ZP_PERF_LATENCY_CORE_MS,
                          ZP_PERF_LINK_GBPS, 1);
    pf->phi = 0.99;
    pf->network = 1;
    pf->cpu = find_resource(p, "cpu");
    *out = pf;
    pf = NULL;
out:
    perf_destroy(&pf);
    return rc;
}

void perf_destroy(zp_perf **pp)
{
    zp_perf *pf = pp ? *pp : NULL;
    if (!pf)
        return;
    zp_free(pf->service_rate);
    zp_free(pf->reservation);
    zp_free(pf->size_bits);
    zp_free(pf->to_nbr);
    zp_free(pf->latency);
    zp_free(pf->bandwidth);
    zp_free(pf);
    *pp = NULL;
}

/* ---- evaluation ---- */

void perf_result_destroy(zp_perf_result **rp)
{
    zp_perf_result *r = rp ? *rp : NULL;
    if (!r)
        return;
    zp_free(r->dep);
    zp_free(r->share);
    zp_free(r->arrival);
    zp_free(r->cpu_util);
    zp_free(r->link_load);
    zp_free(r->link_util);
    zp_free(r);
    *rp = NULL;
}

static int result_alloc(const zp_problem *p, zp_perf_result **out)
{
    int rc = ZP_OK;
    zp_perf_result *r = NULL;
    int64_t kk = (int64_t)p->k * p->k;
    ZP_ALLOC(r, 1);
    r->n = p->n;
    r->k = p->k;
    r->ndeps = nnz_of(p) / 2;
    ZP_ALLOC(r->dep, r->ndeps);
    ZP_ALLOC(r->share, p->n);
    ZP_ALLOC(r->arrival, p->n);
    ZP_ALLOC(r->cpu_util, p->n);
    ZP_ALLOC(r->link_load, kk);
    ZP_ALLOC(r->link_util, kk);
    *out = r;
    r = NULL;
out:
    perf_result_destroy(&r);
    return rc;
}

static void eval_servers(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_result *r)
{
    for (int v = 0; v < p->n; v++) {
        r->share[v] = share_in(pf, p, v, x[v]);
        r->arrival[v] = perf_arrival(pf, p, v);
        r->cpu_util[v] = utilisation(r->arrival[v], pf->service_rate[v] * r->share[v]);
        r->unstable_servers += r->cpu_util[v] >= 1;
    }
}

/* Link loads and utilisations, filled symmetric (add_link_loads fills the upper triangle). */
static void eval_links(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_result *r)
{
    int k = p->k;
    add_link_loads(pf, p, x, r->link_load);
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++) {
            int64_t ab = (int64_t)a * k + b, ba = (int64_t)b * k + a;
            r->link_util[ab] = utilisation(r->link_load[ab], pf->bandwidth[ab]);
            r->unstable_links += r->link_util[ab] >= 1;
            r->link_load[ba] = r->link_load[ab];
            r->link_util[ba] = r->link_util[ab];
        }
}

/* The prediction for the edge at CSR position j of u's list. */
static zp_perf_dep predict_dep(const zp_perf *pf, const zp_problem *p, const int *x,
                               const zp_perf_result *r, int u, int64_t j)
{
    zp_perf_dep d;
    int v = p->adjncy[j];
    int64_t l = link_index(p->k, x[u], x[v]);
    double q = -log1p(-pf->phi);
    d.client = pf->to_nbr[j] ? u : v;
    d.server = pf->to_nbr[j] ? v : u;
    d.rate = edge_rate(p, j);
    d.latency = 2.0 * pf->latency[(int64_t)x[u] * p->k + x[v]];
    double mu = pf->service_rate[d.server] * r->share[d.server];
    int server_bad = r->cpu_util[d.server] >= 1, link_bad = r->link_util[l] >= 1;
    d.server_time = server_bad ? INFINITY : 1.0 / (mu - r->arrival[d.server]);
    d.network_time = link_bad ? INFINITY : pf->size_bits[j] / (pf->bandwidth[l] - r->link_load[l]);
    d.mean = d.latency + d.network_time + d.server_time;
    d.mean_nonet = d.latency + d.server_time;
    d.pct = d.latency + q * (d.network_time + d.server_time);
    d.pct_nonet = d.latency + q * d.server_time;
    d.unstable = (unsigned char)(server_bad | link_bad << 1);
    return d;
}

static void eval_summary(const zp_perf *pf, zp_perf_result *r)
{
    double sum = 0, sum_nonet = 0;
    r->worst_dep = r->max_pct_dep = -1;
    for (int64_t e = 0; e < r->ndeps; e++) {
        const zp_perf_dep *d = &r->dep[e];
        double mean = pf->network ? d->mean : d->mean_nonet;
        double pct = pf->network ? d->pct : d->pct_nonet;
        r->rate_total += d->rate;
        sum += d->rate * mean;
        sum_nonet += d->rate * d->mean_nonet;
        r->unstable_deps += (d->unstable & 1) || (pf->network && (d->unstable & 2));
        if (r->worst_dep < 0 || mean > r->worst_mean) {
            r->worst_mean = mean;
            r->worst_dep = e;
        }
        if (r->max_pct_dep < 0 || pct > r->max_pct) {
            r->max_pct = pct;
            r->max_pct_dep = e;
        }
    }
    r->mean_weighted = r->rate_total > 0 ? sum / r->rate_total : 0;
    r->mean_weighted_nonet = r->rate_total > 0 ? sum_nonet / r->rate_total : 0;
}

int perf_evaluate(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_result **out)
{
    int rc = ZP_OK;
    zp_perf_result *r = NULL;
    ZP_CHECK(check_bound(pf, p, x));
    ZP_CHECK(result_alloc(p, &r));
    eval_servers(pf, p, x, r);
    eval_links(pf, p, x, r);
    int64_t e = 0;
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u)
                r->dep[e++] = predict_dep(pf, p, x, r, u, j);
    eval_summary(pf, r);
    /* link_load is symmetric now: the objective reads only the upper triangle */
    r->objective = objective_with(pf, p, x, r->link_load);
    *out = r;
    r = NULL;
out:
    perf_result_destroy(&r);
    return rc;
}

/* ---- objective and deltas ---- */

double perf_objective(const zp_perf *pf, const zp_problem *p, const int *x)
{
    if (!pf->network)
        return objective_with(pf, p, x, NULL);
    double *load = zp_calloc((size_t)p->k * (size_t)p->k, sizeof *load);
    if (!load)
        return NAN;
    add_link_loads(pf, p, x, load);
    double obj = objective_with(pf, p, x, load);
    zp_free(load);
    return obj;
}

/* Change of the latency and server terms if u moved from zone a to zone b (x[u] not read). */
static double local_delta(const zp_perf *pf, const zp_problem *p, const int *x, int u, int a,
                          int b)
{
    int k = p->k;
    double delta = 0;
    for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++) {
        int zv = x[p->adjncy[j]];
        delta += edge_rate(p, j) * 2.0 *
                 (pf->latency[(int64_t)b * k + zv] - pf->latency[(int64_t)a * k + zv]);
    }
    /* A fixed reservation makes the server term independent of the zone; "auto" depends only
     * on u's own zone, so only u's own server term changes. */
    if (pf->reservation[u] == ZP_PERF_AUTO) {
        double lambda = perf_arrival(pf, p, u);
        delta += server_cost(pf, p, u, b, lambda) - server_cost(pf, p, u, a, lambda);
    }
    return delta;
}

double perf_move_delta(const zp_perf *pf, const zp_problem *p, const int *x, int u, int b)
{
    return x[u] == b ? 0 : local_delta(pf, p, x, u, x[u], b);
}

void perf_state_destroy(zp_perf_state **sp)
{
    zp_perf_state *s = sp ? *sp : NULL;
    if (!s)
        return;
    zp_free(s->load);
    zp_free(s->pending);
    zp_free(s->touched);
    zp_free(s->mark);
    zp_free(s);
    *sp = NULL;
}

int perf_state_create(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_state **out)
{
    int rc = ZP_OK;
    zp_perf_state *s = NULL;
    int64_t kk = (int64_t)p->k * p->k, maxdeg = 0;
    ZP_CHECK(check_bound(pf, p, x));
    for (int u = 0; u < p->n; u++)
        maxdeg = ZP_MAX(maxdeg, adj_end(p, u) - adj_begin(p, u));
    ZP_ALLOC(s, 1);
    s->pf = pf;
    s->p = p;
    ZP_ALLOC(s->load, kk);
    ZP_ALLOC(s->pending, kk);
    ZP_ALLOC(s->mark, kk);
    ZP_ALLOC(s->touched, 2 * maxdeg);
    add_link_loads(pf, p, x, s->load);
    s->objective = objective_with(pf, p, x, s->load);
    *out = s;
    s = NULL;
out:
    perf_state_destroy(&s);
    return rc;
}

static void add_pending(zp_perf_state *s, int64_t l, double bits, int *ntouched)
{
    if (!s->mark[l]) {
        s->mark[l] = 1;
        s->touched[(*ntouched)++] = l;
    }
    s->pending[l] += bits;
}

/* Load changes of u's links if u moved from a to b, into pending; returns how many links. */
static int gather_link_changes(zp_perf_state *s, const int *x, int u, int a, int b)
{
    const zp_problem *p = s->p;
    int ntouched = 0;
    for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++) {
        int zv = x[p->adjncy[j]];
        double bits = edge_rate(p, j) * s->pf->size_bits[j];
        add_pending(s, link_index(p->k, a, zv), -bits, &ntouched);
        add_pending(s, link_index(p->k, b, zv), bits, &ntouched);
    }
    return ntouched;
}

/* Change of the links' cost by the pending loads; clears pending and applies it if asked. */
static double settle_links(zp_perf_state *s, int ntouched, int apply)
{
    double delta = 0;
    for (int i = 0; i < ntouched; i++) {
        int64_t l = s->touched[i];
        double bw = s->pf->bandwidth[l];
        double after = ZP_MAX(0.0, s->load[l] + s->pending[l]); /* rounding may dip below 0 */
        delta += queue_cost(utilisation(after, bw)) - queue_cost(utilisation(s->load[l], bw));
        if (apply)
            s->load[l] = after;
        s->pending[l] = 0;
        s->mark[l] = 0;
    }
    return delta;
}

double perf_state_move_delta(zp_perf_state *s, const int *x, int u, int b)
{
    int a = x[u];
    if (a == b)
        return 0;
    double delta = local_delta(s->pf, s->p, x, u, a, b);
    if (s->pf->network)
        delta += settle_links(s, gather_link_changes(s, x, u, a, b), 0);
    return delta;
}

void perf_state_move(zp_perf_state *s, const int *x, int u, int a, int b)
{
    if (a == b)
        return;
    double delta = local_delta(s->pf, s->p, x, u, a, b);
    /* loads are kept even with the network off: the state stays right if it is switched on */
    double links = settle_links(s, gather_link_changes(s, x, u, a, b), 1);
    s->objective += delta + (s->pf->network ? links : 0);
}

void perf_state_assign(zp_perf_state *s, const int *x)
{
    memset(s->load, 0, sizeof *s->load * (size_t)s->p->k * (size_t)s->p->k);
    add_link_loads(s->pf, s->p, x, s->load);
    s->objective = objective_with(s->pf, s->p, x, s->load);
}

void perf_state_copy(zp_perf_state *dst, const zp_perf_state *src)
{
    memcpy(dst->load, src->load, sizeof *dst->load * (size_t)src->p->k * (size_t)src->p->k);
    dst->objective = src->objective;
}

double perf_unit_gain(const zp_perf *pf, const zp_problem *p)
{
    if (p->k < 2)
        return 0;
    return p->requests * 2.0 * (pf->latency[1] - pf->latency[0]);
}
