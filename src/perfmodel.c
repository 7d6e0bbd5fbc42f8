/* perfmodel.c - the response-time and network model (docs/perfmodel.md): link queues per
 * direction and bundle member, per-placement predictions, the objective and its O(degree)
 * deltas. The formulas and the modelling choices are described in perfmodel.h; the
 * distributions in perfdist.c; the "perf" section is read by perfconf.c. */
#include "perfmodel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perfdist.h"
#include "util.h"

/* Utilisation from which a queue counts as unstable in the objective: keeps rho/(1-rho) finite
 * and joins the penalty ZP_PERF_PENALTY * rho almost continuously. */
#define RHO_MAX (1.0 - 1.0 / ZP_PERF_PENALTY)
/* Two request sizes on one queue closer than this (relative) count as one size. */
#define SAME_SIZE 1e-12

/* ---- small model helpers, shared by evaluation, objective and deltas ---- */

static int64_t adj_begin(const zp_problem *p, int u) { return p->xadj ? p->xadj[u] : 0; }
static int64_t adj_end(const zp_problem *p, int u) { return p->xadj ? p->xadj[u + 1] : 0; }
static int64_t nnz_of(const zp_problem *p) { return p->xadj ? p->xadj[p->n] : 0; }

static double edge_rate(const zp_problem *p, int64_t j) { return p->adjwgt[j] * p->requests; }

/* The 802.3ad conversation hash of a dependency: a fixed mix of its client and server ids, so a
 * conversation keeps its member whatever the placement (splitmix64's finaliser). */
static uint64_t conversation_hash(int client, int server)
{
    uint64_t z = ((uint64_t)(uint32_t)client << 32 | (uint32_t)server) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The queue of the requests from client c (zone zc) to server s (zone zs). */
static int64_t queue_of(const zp_perf *pf, int c, int s, int zc, int zs)
{
    int64_t d = (int64_t)zc * pf->k + zs;
    int64_t members = pf->queue_base[d + 1] - pf->queue_base[d];
    if (members == 1)
        return pf->queue_base[d];
    return pf->queue_base[d] + (int64_t)(conversation_hash(c, s) % (uint64_t)members);
}

/* Client and server of the edge at CSR position j of u's list. */
static void edge_ends(const zp_perf *pf, const zp_problem *p, int u, int64_t j, int *c, int *s)
{
    *c = pf->to_nbr[j] ? u : p->adjncy[j];
    *s = pf->to_nbr[j] ? p->adjncy[j] : u;
}

static int64_t edge_queue(const zp_perf *pf, const zp_problem *p, const int *x, int u, int64_t j)
{
    int c, s;
    edge_ends(pf, p, u, j, &c, &s);
    return queue_of(pf, c, s, x[c], x[s]);
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

/* Servers of app v: c > 1 for an M/M/c reservation, else 1. */
static int servers_of(const zp_perf *pf, int v)
{
    return pf->reservation[v] > 1 ? (int)pf->reservation[v] : 1;
}

/* Rate of one server of app v: mu Q/P for Q/P <= 1, mu for each of c servers. */
static double server_rate(const zp_perf *pf, int v)
{
    return pf->reservation[v] > 1 ? pf->service_rate[v] : pf->service_rate[v] * pf->reservation[v];
}

static double server_util(const zp_perf *pf, int v, double lambda)
{
    return utilisation(lambda, servers_of(pf, v) * server_rate(pf, v));
}

/* Mean number at app v's server: M/M/1 rho/(1-rho), M/M/c a + C(c,a) rho/(1-rho); the penalty
 * when unstable. */
static double server_cost(const zp_perf *pf, int v, double lambda)
{
    if (lambda <= 0)
        return 0;
    int c = servers_of(pf, v);
    double rho = server_util(pf, v, lambda);
    if (!(rho < RHO_MAX))
        return ZP_PERF_PENALTY * rho;
    if (c == 1)
        return rho / (1.0 - rho);
    double a = c * rho;
    return a + erlang_c(c, a) * rho / (1.0 - rho);
}

/* Mean number in a link queue of bandwidth bw: Lambda W + rho with the Pollaczek-Khinchine wait
 * W = sum lambda s^2 / (bw^2 (1 - rho)); rho/(1-rho) with one request size. */
static double queue_cost(const zp_queue_load *q, double bw)
{
    double rho = utilisation(q->bits, bw);
    if (rho <= 0)
        return 0;
    if (!(rho < RHO_MAX))
        return ZP_PERF_PENALTY * rho;
    return q->rate * q->bits2 / (bw * bw * (1.0 - rho)) + rho;
}

static void queue_add(zp_queue_load *q, double rate, double bits, double sign)
{
    q->bits += sign * rate * bits;
    q->rate += sign * rate;
    q->bits2 += sign * rate * bits * bits;
}

/* Adds every dependency's requests to its queue (load has nqueues entries, zeroed). */
static void add_queue_loads(const zp_perf *pf, const zp_problem *p, const int *x,
                            zp_queue_load *load)
{
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u)
                queue_add(&load[edge_queue(pf, p, x, u, j)], edge_rate(p, j), pf->size_bits[j],
                          1.0);
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

static double server_part(const zp_perf *pf, const zp_problem *p)
{
    double sum = 0;
    for (int v = 0; v < p->n; v++)
        sum += server_cost(pf, v, perf_arrival(pf, p, v));
    return sum;
}

static double link_part(const zp_perf *pf, const zp_queue_load *load)
{
    double sum = 0;
    for (int64_t q = 0; q < pf->nqueues; q++)
        sum += queue_cost(&load[q], pf->queue_bw[q]);
    return sum;
}

static double objective_with(const zp_perf *pf, const zp_problem *p, const int *x,
                             const zp_queue_load *load)
{
    double sum = latency_part(pf, p, x) + server_part(pf, p);
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
    pf->bandwidth[(int64_t)a * k + b] = pf->bandwidth[(int64_t)b * k + a] = gbps * 1e9;
    pf->links[(int64_t)a * k + b] = pf->links[(int64_t)b * k + a] = links;
}

int perf_prepare(zp_perf *pf)
{
    int rc = ZP_OK;
    int64_t kk = (int64_t)pf->k * pf->k;
    int hash = pf->bundle == ZP_BUNDLE_HASH;
    zp_free(pf->queue_bw);
    pf->queue_bw = NULL;
    pf->queue_base[0] = 0;
    for (int64_t d = 0; d < kk; d++)
        pf->queue_base[d + 1] = pf->queue_base[d] + (hash ? pf->links[d] : 1);
    pf->nqueues = pf->queue_base[kk];
    ZP_ALLOC(pf->queue_bw, pf->nqueues);
    for (int64_t d = 0; d < kk; d++)
        for (int64_t q = pf->queue_base[d]; q < pf->queue_base[d + 1]; q++)
            pf->queue_bw[q] = hash ? pf->bandwidth[d] : pf->links[d] * pf->bandwidth[d];
out:
    return rc;
}

void perf_queue_info(const zp_perf *pf, int64_t q, int *from, int *to, int *member)
{
    int64_t lo = 0, hi = (int64_t)pf->k * pf->k - 1; /* the last d with queue_base[d] <= q */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (pf->queue_base[mid] <= q)
            lo = mid;
        else
            hi = mid - 1;
    }
    *from = (int)(lo / pf->k);
    *to = (int)(lo % pf->k);
    *member = (int)(q - pf->queue_base[lo]);
}

int perf_create(const zp_problem *p, double mu, zp_perf **out)
{
    int rc = ZP_OK;
    zp_perf *pf = NULL;
    int64_t nnz = nnz_of(p), kk = (int64_t)p->k * p->k;

    ZP_ALLOC(pf, 1);
    pf->n = p->n;
    pf->k = p->k;
    pf->nnz = nnz;
    ZP_ALLOC(pf->service_rate, p->n);
    ZP_ALLOC(pf->reservation, p->n);
    ZP_ALLOC(pf->size_bits, nnz);
    ZP_ALLOC(pf->to_nbr, nnz);
    ZP_ALLOC(pf->latency, kk);
    ZP_ALLOC(pf->bandwidth, kk);
    ZP_ALLOC(pf->links, kk);
    ZP_ALLOC(pf->queue_base, kk + 1);
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
    pf->bundle = ZP_BUNDLE_HASH;
    pf->pct_method = ZP_PCT_EXACT;
    pf->cpu = find_resource(p, "cpu");
    ZP_CHECK(perf_prepare(pf));
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
    zp_free(pf->links);
    zp_free(pf->queue_base);
    zp_free(pf->queue_bw);
    zp_free(pf);
    *pp = NULL;
}

int64_t perf_find_edge(const zp_problem *p, int u, int v)
{
    int64_t lo = adj_begin(p, u), hi = adj_end(p, u);
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (p->adjncy[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < adj_end(p, u) && p->adjncy[lo] == v ? lo : -1;
}

int perf_restrict(const zp_perf *pf, const zp_problem *p, const zp_problem *sub, zp_perf **out)
{
    int rc = ZP_OK;
    zp_perf *r = NULL;
    int64_t kk = (int64_t)p->k * p->k;
    if (sub->n > p->n || sub->k != p->k || pf->n != p->n || pf->k != p->k)
        return zp_fail(ZP_ERUNTIME, "perf: %s is not a part of the problem the model was made for",
                       sub->name ? sub->name : "problem");
    ZP_CHECK(perf_create(sub, 1.0, &r));
    for (int u = 0; u < sub->n; u++) {
        r->service_rate[u] = pf->service_rate[u];
        r->reservation[u] = pf->reservation[u];
        for (int64_t j = adj_begin(sub, u); j < adj_end(sub, u); j++) {
            int64_t jp = perf_find_edge(p, u, sub->adjncy[j]);
            if (jp < 0)
                ZP_CHECK(zp_fail(ZP_ERUNTIME, "perf: a dependency of %s is not in the problem "
                                 "the model was made for", sub->name ? sub->name : "problem"));
            r->size_bits[j] = pf->size_bits[jp];
            r->to_nbr[j] = pf->to_nbr[jp];
        }
    }
    memcpy(r->latency, pf->latency, sizeof *r->latency * (size_t)kk);
    memcpy(r->bandwidth, pf->bandwidth, sizeof *r->bandwidth * (size_t)kk);
    memcpy(r->links, pf->links, sizeof *r->links * (size_t)kk);
    r->phi = pf->phi;
    r->network = pf->network;
    r->bundle = pf->bundle;
    r->pct_method = pf->pct_method;
    ZP_CHECK(perf_prepare(r));
    *out = r;
    r = NULL;
out:
    perf_destroy(&r);
    return rc;
}

int perf_reserve_cpu(const zp_perf *pf, zp_problem *p)
{
    if (pf->cpu < 0)
        return 0;
    int raised = 0;
    for (int u = 0; u < p->n; u++) {
        double *d = &p->demand[(int64_t)u * p->nres + pf->cpu];
        if (*d < pf->reservation[u]) {
            *d = pf->reservation[u];
            raised++;
        }
    }
    return raised;
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
    zp_free(r->queue_load);
    zp_free(r->queue_rate);
    zp_free(r->queue_util);
    zp_free(r->zone_reserved);
    zp_free(r);
    *rp = NULL;
}

static int result_alloc(const zp_perf *pf, const zp_problem *p, zp_perf_result **out)
{
    int rc = ZP_OK;
    zp_perf_result *r = NULL;
    int64_t kk = (int64_t)p->k * p->k;
    ZP_ALLOC(r, 1);
    r->n = p->n;
    r->k = p->k;
    r->ndeps = nnz_of(p) / 2;
    r->nqueues = pf->nqueues;
    ZP_ALLOC(r->dep, r->ndeps);
    ZP_ALLOC(r->share, p->n);
    ZP_ALLOC(r->arrival, p->n);
    ZP_ALLOC(r->cpu_util, p->n);
    ZP_ALLOC(r->link_load, kk);
    ZP_ALLOC(r->link_util, kk);
    ZP_ALLOC(r->queue_load, r->nqueues);
    ZP_ALLOC(r->queue_rate, r->nqueues);
    ZP_ALLOC(r->queue_util, r->nqueues);
    ZP_ALLOC(r->zone_reserved, p->k);
    *out = r;
    r = NULL;
out:
    perf_result_destroy(&r);
    return rc;
}

static void eval_servers(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_result *r)
{
    for (int v = 0; v < p->n; v++) {
        r->share[v] = pf->reservation[v];
        r->arrival[v] = perf_arrival(pf, p, v);
        r->cpu_util[v] = server_util(pf, v, r->arrival[v]);
        r->unstable_servers += r->cpu_util[v] >= 1;
        r->busy_servers += r->cpu_util[v] >= ZP_PERF_BUSY && r->cpu_util[v] < 1;
        r->zone_reserved[x[v]] += pf->reservation[v];
    }
    r->overbooked_zones = pf->cpu < 0 ? -1 : 0;
    for (int z = 0; pf->cpu >= 0 && z < p->k; z++)
        r->overbooked_zones += r->zone_reserved[z] > problem_capacity(p, z, pf->cpu) * (1 + 1e-12);
}

/* Queue loads and utilisations, and per direction of each zone pair the total load and the
 * busiest member's utilisation. */
static void eval_links(const zp_perf *pf, const zp_queue_load *load, zp_perf_result *r)
{
    int64_t kk = (int64_t)pf->k * pf->k;
    for (int64_t d = 0; d < kk; d++)
        for (int64_t q = pf->queue_base[d]; q < pf->queue_base[d + 1]; q++) {
            r->queue_load[q] = load[q].bits;
            r->queue_rate[q] = load[q].rate;
            r->queue_util[q] = utilisation(load[q].bits, pf->queue_bw[q]);
            r->unstable_links += r->queue_util[q] >= 1;
            r->busy_links += r->queue_util[q] >= ZP_PERF_BUSY && r->queue_util[q] < 1;
            r->link_load[d] += load[q].bits;
            r->link_util[d] = fmax(r->link_util[d], r->queue_util[q]);
        }
}

/* Per queue: the smallest and largest request size, and Kingman's exponent where they differ. */
typedef struct {
    double *smin, *smax; /* [nqueues] bits */
    double *theta;       /* [nqueues] 1/s, 0 where the queue has one size */
} queue_mix;

static void queue_mix_free(queue_mix *m)
{
    zp_free(m->smin);
    zp_free(m->smax);
    zp_free(m->theta);
}

static int mixed(const queue_mix *m, int64_t q)
{
    return m->smax[q] > m->smin[q] * (1 + SAME_SIZE);
}

/* Kingman's exponent of every stable queue with mixed sizes: its classes are gathered by a
 * counting sort of the dependencies by queue. */
static int mix_thetas(const zp_perf *pf, const zp_problem *p, const int *x,
                      const zp_perf_result *r, queue_mix *m)
{
    int rc = ZP_OK;
    int64_t nq = pf->nqueues, *start = NULL, *fill = NULL;
    double *lambda = NULL, *c = NULL;
    ZP_ALLOC(start, nq + 1);
    ZP_ALLOC(fill, nq);
    ZP_ALLOC(lambda, r->ndeps + 1);
    ZP_ALLOC(c, r->ndeps + 1);
    for (int64_t e = 0; e < r->ndeps; e++)
        start[r->dep[e].queue + 1]++;
    for (int64_t q = 0; q < nq; q++)
        start[q + 1] += start[q];
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u) {
                int64_t q = edge_queue(pf, p, x, u, j), i = start[q] + fill[q]++;
                lambda[i] = edge_rate(p, j);
                c[i] = pf->queue_bw[q] / pf->size_bits[j];
            }
    for (int64_t q = 0; q < nq; q++)
        if (mixed(m, q) && r->queue_util[q] < 1)
            m->theta[q] = kingman_theta(lambda + start[q], c + start[q], (int)(start[q + 1] - start[q]));
out:
    zp_free(start);
    zp_free(fill);
    zp_free(lambda);
    zp_free(c);
    return rc;
}

static int eval_mix(const zp_perf *pf, const zp_problem *p, const int *x, const zp_perf_result *r,
                    queue_mix *m)
{
    int rc = ZP_OK;
    ZP_ALLOC(m->smin, pf->nqueues);
    ZP_ALLOC(m->smax, pf->nqueues);
    ZP_ALLOC(m->theta, pf->nqueues);
    for (int64_t q = 0; q < pf->nqueues; q++)
        m->smin[q] = INFINITY;
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u) {
                int64_t q = edge_queue(pf, p, x, u, j);
                m->smin[q] = fmin(m->smin[q], pf->size_bits[j]);
                m->smax[q] = fmax(m->smax[q], pf->size_bits[j]);
            }
    ZP_CHECK(mix_thetas(pf, p, x, r, m));
out:
    return rc;
}

/* The server's stages into branch b.. of t (c servers: no wait with probability 1 - C(c,a),
 * else a wait Exp(c mu - Lambda)); returns its mean time. t has its link stages in branch 0. */
static double server_stages(const zp_perf *pf, int s, double arrival, zp_rtime *t)
{
    int c = servers_of(pf, s);
    double mu = server_rate(pf, s);
    if (c == 1) {
        t->rate[0][t->nstages[0]++] = mu - arrival;
        return 1.0 / (mu - arrival);
    }
    double wait = erlang_c(c, arrival / mu);
    t->nbranch = 2;
    t->weight[0] = 1.0 - wait;
    t->weight[1] = wait;
    t->nstages[1] = t->nstages[0];
    for (int i = 0; i < t->nstages[0]; i++)
        t->rate[1][i] = t->rate[0][i];
    t->rate[0][t->nstages[0]++] = mu;
    t->rate[1][t->nstages[1]++] = mu;
    t->rate[1][t->nstages[1]++] = c * mu - arrival;
    return 1.0 / mu + wait / (c * mu - arrival);
}

/* The link stages of a request of size bits on queue q (into branch 0 of t); returns its mean
 * time in the queue. One size: M/M/1, Exp(bw/s - Lambda). Mixed sizes: Pollaczek-Khinchine's
 * mean, and Kingman's Exp(theta) wait plus the request's own transmission for the tail. */
static double link_stages(const zp_perf *pf, const zp_perf_result *r, const queue_mix *m,
                          const zp_queue_load *load, int64_t q, double bits, zp_rtime *t)
{
    double bw = pf->queue_bw[q];
    if (!mixed(m, q)) {
        t->rate[0][t->nstages[0]++] = (bw - r->queue_load[q]) / bits;
        return bits / (bw - r->queue_load[q]);
    }
    t->rate[0][t->nstages[0]++] = m->theta[q];
    t->rate[0][t->nstages[0]++] = bw / bits;
    return load[q].bits2 / (bw * bw * (1.0 - r->queue_util[q])) + bits / bw;
}

static double stages_quantile(const zp_rtime *t, double phi)
{
    return t->nstages[0] == 0 && t->nbranch == 1 ? t->shift : rtime_quantile(t, phi);
}

/* The percentile with the network term: the exact quantile of all stages, or the paper's bound
 * (each part at its sqrt(phi)-quantile, which is Eq. 4 when both parts are exponential). */
static double network_percentile(const zp_perf *pf, const zp_rtime *link, const zp_rtime *server,
                                 const zp_rtime *all)
{
    if (pf->pct_method == ZP_PCT_EXACT)
        return rtime_quantile(all, pf->phi);
    double root = sqrt(pf->phi);
    return all->shift + stages_quantile(link, root) + stages_quantile(server, root);
}

/* The prediction for the edge at CSR position j of u's list. */
static zp_perf_dep predict_dep(const zp_perf *pf, const zp_problem *p, const int *x,
                               const zp_perf_result *r, const queue_mix *m,
                               const zp_queue_load *load, int u, int64_t j)
{
    zp_perf_dep d;
    memset(&d, 0, sizeof d);
    edge_ends(pf, p, u, j, &d.client, &d.server);
    d.queue = queue_of(pf, d.client, d.server, x[d.client], x[d.server]);
    d.rate = edge_rate(p, j);
    d.latency = 2.0 * pf->latency[(int64_t)x[d.client] * p->k + x[d.server]];
    int server_bad = r->cpu_util[d.server] >= 1, link_bad = r->queue_util[d.queue] >= 1;
    d.unstable = (unsigned char)(server_bad | link_bad << 1);
    zp_rtime link = {0, 1, {1, 0}, {0, 0}, {{0}}}, server = link, all = link;
    d.server_time = server_bad ? INFINITY : server_stages(pf, d.server, r->arrival[d.server], &server);
    d.network_time = link_bad ? INFINITY
                              : link_stages(pf, r, m, load, d.queue, pf->size_bits[j], &link);
    d.mean = d.latency + d.network_time + d.server_time;
    d.mean_nonet = d.latency + d.server_time;
    d.pct = d.pct_nonet = INFINITY;
    if (!server_bad)
        d.pct_nonet = d.latency + rtime_quantile(&server, pf->phi);
    if (!server_bad && !link_bad) {
        all.shift = d.latency;
        for (int i = 0; i < link.nstages[0]; i++)
            all.rate[0][all.nstages[0]++] = link.rate[0][i];
        server_stages(pf, d.server, r->arrival[d.server], &all);
        d.pct = network_percentile(pf, &link, &server, &all);
        d.bound = pf->pct_method == ZP_PCT_PAPER_BOUND || mixed(m, d.queue);
    }
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
        r->bound_deps += pf->network && d->bound;
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

static int eval_deps(const zp_perf *pf, const zp_problem *p, const int *x,
                     const zp_queue_load *load, zp_perf_result *r)
{
    int rc = ZP_OK;
    queue_mix m = {NULL, NULL, NULL};
    int64_t e = 0;
    for (int u = 0; u < p->n; u++) /* queues first: mix_thetas sorts by them */
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u)
                r->dep[e++].queue = edge_queue(pf, p, x, u, j);
    ZP_CHECK(eval_mix(pf, p, x, r, &m));
    e = 0;
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++)
            if (p->adjncy[j] > u)
                r->dep[e++] = predict_dep(pf, p, x, r, &m, load, u, j);
out:
    queue_mix_free(&m);
    return rc;
}

int perf_evaluate(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_result **out)
{
    int rc = ZP_OK;
    zp_perf_result *r = NULL;
    zp_queue_load *load = NULL;
    ZP_CHECK(check_bound(pf, p, x));
    ZP_CHECK(result_alloc(pf, p, &r));
    ZP_ALLOC(load, pf->nqueues);
    add_queue_loads(pf, p, x, load);
    eval_servers(pf, p, x, r);
    eval_links(pf, load, r);
    ZP_CHECK(eval_deps(pf, p, x, load, r));
    eval_summary(pf, r);
    r->objective = objective_with(pf, p, x, load);
    *out = r;
    r = NULL;
out:
    zp_free(load);
    perf_result_destroy(&r);
    return rc;
}

/* ---- objective and deltas ---- */

double perf_objective(const zp_perf *pf, const zp_problem *p, const int *x)
{
    if (!pf->network)
        return objective_with(pf, p, x, NULL);
    zp_queue_load *load = zp_calloc((size_t)pf->nqueues, sizeof *load);
    if (!load)
        return NAN;
    add_queue_loads(pf, p, x, load);
    double obj = objective_with(pf, p, x, load);
    zp_free(load);
    return obj;
}

/* Change of the latency terms if u moved from zone a to zone b (x[u] not read). The server
 * terms do not depend on the placement. */
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
    int64_t maxdeg = 0;
    ZP_CHECK(check_bound(pf, p, x));
    for (int u = 0; u < p->n; u++)
        maxdeg = ZP_MAX(maxdeg, adj_end(p, u) - adj_begin(p, u));
    ZP_ALLOC(s, 1);
    s->pf = pf;
    s->p = p;
    ZP_ALLOC(s->load, pf->nqueues);
    ZP_ALLOC(s->pending, pf->nqueues);
    ZP_ALLOC(s->mark, pf->nqueues);
    ZP_ALLOC(s->touched, 2 * maxdeg);
    add_queue_loads(pf, p, x, s->load);
    s->objective = objective_with(pf, p, x, s->load);
    *out = s;
    s = NULL;
out:
    perf_state_destroy(&s);
    return rc;
}

static void add_pending(zp_perf_state *s, int64_t q, double rate, double bits, double sign,
                        int *ntouched)
{
    if (!s->mark[q]) {
        s->mark[q] = 1;
        s->touched[(*ntouched)++] = q;
    }
    queue_add(&s->pending[q], rate, bits, sign);
}

/* Queue changes of u's dependencies if u moved from a to b, into pending; returns how many
 * queues. A dependency keeps its member (the hash ignores zones) but may change direction. */
static int gather_link_changes(zp_perf_state *s, const int *x, int u, int a, int b)
{
    const zp_problem *p = s->p;
    const zp_perf *pf = s->pf;
    int ntouched = 0;
    for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++) {
        int c, sv, zv = x[p->adjncy[j]];
        edge_ends(pf, p, u, j, &c, &sv);
        int64_t from = c == u ? queue_of(pf, c, sv, a, zv) : queue_of(pf, c, sv, zv, a);
        int64_t to = c == u ? queue_of(pf, c, sv, b, zv) : queue_of(pf, c, sv, zv, b);
        add_pending(s, from, edge_rate(p, j), pf->size_bits[j], -1.0, &ntouched);
        add_pending(s, to, edge_rate(p, j), pf->size_bits[j], 1.0, &ntouched);
    }
    return ntouched;
}

/* A queue's load after a pending change; rounding may dip just below 0 when it empties. */
static zp_queue_load settled(const zp_queue_load *now, const zp_queue_load *change)
{
    zp_queue_load after = {ZP_MAX(0.0, now->bits + change->bits),
                           ZP_MAX(0.0, now->rate + change->rate),
                           ZP_MAX(0.0, now->bits2 + change->bits2)};
    return after;
}

/* Change of the links' cost by the pending loads; clears pending and applies it if asked. */
static double settle_links(zp_perf_state *s, int ntouched, int apply)
{
    static const zp_queue_load zero = {0, 0, 0};
    double delta = 0;
    for (int i = 0; i < ntouched; i++) {
        int64_t q = s->touched[i];
        double bw = s->pf->queue_bw[q];
        zp_queue_load after = settled(&s->load[q], &s->pending[q]);
        delta += queue_cost(&after, bw) - queue_cost(&s->load[q], bw);
        if (apply)
            s->load[q] = after;
        s->pending[q] = zero;
        s->mark[q] = 0;
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
    memset(s->load, 0, sizeof *s->load * (size_t)s->pf->nqueues);
    add_queue_loads(s->pf, s->p, x, s->load);
    s->objective = objective_with(s->pf, s->p, x, s->load);
}

void perf_state_copy(zp_perf_state *dst, const zp_perf_state *src)
{
    memcpy(dst->load, src->load, sizeof *dst->load * (size_t)src->pf->nqueues);
    dst->objective = src->objective;
}

double perf_unit_gain(const zp_perf *pf, const zp_problem *p)
{
    if (p->k < 2)
        return 0;
    return p->requests * 2.0 * (pf->latency[1] - pf->latency[0]);
}
