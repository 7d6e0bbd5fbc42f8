/* perfmodel.c - the response-time and network model (design.md section 6): parsing of the "perf"
 * section, per-placement predictions, the objective and its O(degree) deltas. The formulas and
 * the modelling choices are described in perfmodel.h. */
#include "perfmodel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonin.h"
#include "util.h"

#define LAT_ZONE_MS 0.268
#define LAT_CORE_MS 1.34
#define LINK_GBPS 10.0
#define SIZE_KB 1.0
#define BITS_PER_KB 8000.0 /* 1 kB = 1000 bytes, like the SI Gbit/s it is divided by */
#define PATH_MAX_LEN 512
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

/* Total arrival rate of app v as a server: the edges of its list that it serves. */
static double arrival_of(const zp_perf *pf, const zp_problem *p, int v)
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
        sum += server_cost(pf, p, v, x[v], arrival_of(pf, p, v));
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

static void set_link(zp_perf *pf, int a, int b, double latency_ms, double gbps, int links)
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
            pf->size_bits[j] = SIZE_KB * BITS_PER_KB;
            pf->to_nbr[j] = p->adjncy[j] > u; /* the higher id serves the lower */
        }
    }
    for (int a = 0; a < p->k; a++)
        for (int b = a; b < p->k; b++)
            set_link(pf, a, b, a == b ? LAT_ZONE_MS : LAT_CORE_MS, LINK_GBPS, 1);
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

/* ---- parsing ---- */

/* Reads obj.key into *val if present: a finite number > lo (strict) or >= lo. */
static int read_number(const cJSON *obj, const char *key, double lo, int strict, const char *file,
                       const char *path, double *val)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return ZP_OK;
    double v = cJSON_IsNumber(item) ? item->valuedouble : NAN;
    if (!isfinite(v) || (strict ? !(v > lo) : !(v >= lo)))
        return zp_fail(ZP_EINPUT, "%s: %s.%s: expected a number %s %g", file, path, key,
                       strict ? ">" : ">=", lo);
    *val = v;
    return ZP_OK;
}

/* Reads obj.links into *links if present: an integer >= 1. */
static int read_links(const cJSON *obj, const char *file, const char *path, int *links)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, "links");
    if (!item)
        return ZP_OK;
    double v = cJSON_IsNumber(item) ? item->valuedouble : NAN;
    if (!(v >= 1 && v <= 1e6 && v == floor(v)))
        return zp_fail(ZP_EINPUT, "%s: %s.links: expected an integer >= 1", file, path);
    *links = (int)v;
    return ZP_OK;
}

/* Reads obj.reservation into *val if present: a number > 0 or "auto" (ZP_PERF_AUTO). */
static int read_reservation(const cJSON *obj, const char *file, const char *path, double *val)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, "reservation");
    if (item && cJSON_IsString(item) && strcmp(item->valuestring, "auto") == 0) {
        *val = ZP_PERF_AUTO;
        return ZP_OK;
    }
    if (item && !cJSON_IsNumber(item))
        return zp_fail(ZP_EINPUT, "%s: %s.reservation: expected a number > 0 or \"auto\"", file,
                       path);
    return read_number(obj, "reservation", 0, 1, file, path, val);
}

static int find_app(const zp_problem *p, const char *name)
{
    for (int u = 0; u < p->n; u++)
        if (p->app_names[u] && strcmp(p->app_names[u], name) == 0)
            return u;
    return -1;
}

/* CSR position of v in u's sorted list, or -1. */
static int64_t find_edge(const zp_problem *p, int u, int v)
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

typedef struct {
    double latency_ms, gbps;
    int links;
} tier;

/* The link fields of a tier or pair object (its keys are checked by the caller). */
static int read_tier_fields(const cJSON *node, const char *file, const char *path, tier *t)
{
    int rc = ZP_OK;
    ZP_CHECK(read_number(node, "latency_ms", 0, 0, file, path, &t->latency_ms));
    ZP_CHECK(read_number(node, "link_gbps", 0, 1, file, path, &t->gbps));
    ZP_CHECK(read_links(node, file, path, &t->links));
out:
    return rc;
}

static int parse_tier(const cJSON *node, const char *file, const char *path, tier *t)
{
    static const char *const keys[] = {"latency_ms", "link_gbps", "links", NULL};
    int rc = ZP_OK;
    ZP_CHECK(json_expect_object(file, path, node));
    ZP_CHECK(json_check_keys(file, path, node, keys));
    ZP_CHECK(read_tier_fields(node, file, path, t));
out:
    return rc;
}

/* Tier defaults, then "tiers", into tiers[0] (inside a zone) and tiers[1] (between zones). */
static int parse_tiers(const cJSON *node, const char *file, tier tiers[2])
{
    static const char *const keys[] = {"zone", "core", NULL};
    int rc = ZP_OK;
    tiers[0] = (tier){LAT_ZONE_MS, LINK_GBPS, 1};
    tiers[1] = (tier){LAT_CORE_MS, LINK_GBPS, 1};
    if (!node)
        return ZP_OK;
    ZP_CHECK(json_expect_object(file, "perf.tiers", node));
    ZP_CHECK(json_check_keys(file, "perf.tiers", node, keys));
    for (int t = 0; t < 2; t++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(node, keys[t]);
        char path[PATH_MAX_LEN];
        snprintf(path, sizeof path, "perf.tiers.%s", keys[t]);
        if (item)
            ZP_CHECK(parse_tier(item, file, path, &tiers[t]));
    }
out:
    return rc;
}

/* Zone index of names[i] (a JSON array of two names) into *z. */
static int pair_zone(const cJSON *names, int i, const zp_problem *p, const char *file,
                     const char *path, int *z)
{
    const cJSON *item = cJSON_GetArrayItem(names, i);
    *z = cJSON_IsString(item) ? problem_zone_index(p, item->valuestring) : -1;
    if (*z < 0)
        return zp_fail(ZP_EINPUT, "%s: %s.zones[%d]: expected the name of a zone", file, path, i);
    return ZP_OK;
}

static int parse_pair(const cJSON *node, const char *file, const char *path, const zp_problem *p,
                      const tier tiers[2], zp_perf *pf)
{
    static const char *const keys[] = {"zones", "latency_ms", "link_gbps", "links", NULL};
    int rc = ZP_OK;
    int a, b;
    ZP_CHECK(json_expect_object(file, path, node));
    ZP_CHECK(json_check_keys(file, path, node, keys));
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(node, "zones");
    if (!cJSON_IsArray(names) || cJSON_GetArraySize(names) != 2)
        return zp_fail(ZP_EINPUT, "%s: %s.zones: expected two zone names", file, path);
    ZP_CHECK(pair_zone(names, 0, p, file, path, &a));
    ZP_CHECK(pair_zone(names, 1, p, file, path, &b));
    tier t = tiers[a == b ? 0 : 1];
    ZP_CHECK(read_tier_fields(node, file, path, &t));
    set_link(pf, a, b, t.latency_ms, t.gbps, t.links);
out:
    return rc;
}

static int parse_pairs(const cJSON *node, const char *file, const zp_problem *p,
                       const tier tiers[2], zp_perf *pf)
{
    int rc = ZP_OK;
    int i = 0;
    const cJSON *item;
    if (!node)
        return ZP_OK;
    if (!cJSON_IsArray(node))
        return zp_fail(ZP_EINPUT, "%s: perf.pairs: expected an array", file);
    cJSON_ArrayForEach(item, node) {
        char path[PATH_MAX_LEN];
        snprintf(path, sizeof path, "perf.pairs[%d]", i++);
        ZP_CHECK(parse_pair(item, file, path, p, tiers, pf));
    }
out:
    return rc;
}

/* One "apps" entry; its request size (bits, NAN if not given) goes to app_size[u]. */
static int parse_app(const cJSON *node, const char *file, const zp_problem *p, zp_perf *pf,
                     double *app_size)
{
    static const char *const keys[] = {"service_rate", "reservation", "request_size_kb", NULL};
    int rc = ZP_OK;
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "perf.apps.%s", node->string);
    int u = find_app(p, node->string);
    if (u < 0)
        return zp_fail(ZP_EINPUT, "%s: %s: no app named %s", file, path, node->string);
    ZP_CHECK(json_expect_object(file, path, node));
    ZP_CHECK(json_check_keys(file, path, node, keys));
    ZP_CHECK(read_number(node, "service_rate", 0, 1, file, path, &pf->service_rate[u]));
    ZP_CHECK(read_reservation(node, file, path, &pf->reservation[u]));
    double kb = NAN;
    ZP_CHECK(read_number(node, "request_size_kb", 0, 1, file, path, &kb));
    app_size[u] = kb * BITS_PER_KB;
out:
    return rc;
}

static int parse_apps(const cJSON *node, const char *file, const zp_problem *p, zp_perf *pf,
                      double *app_size)
{
    int rc = ZP_OK;
    const cJSON *item;
    if (!node)
        return ZP_OK;
    ZP_CHECK(json_expect_object(file, "perf.apps", node));
    /* the keys are app names, checked by parse_app; only duplicates are checked here */
    cJSON_ArrayForEach(item, node) {
        for (const cJSON *d = node->child; d != item; d = d->next)
            if (strcmp(item->string, d->string) == 0)
                return json_error(file, "perf.apps", "key \"%s\" given twice", item->string);
        ZP_CHECK(parse_app(item, file, p, pf, app_size));
    }
out:
    return rc;
}

/* App id named by item into *u; what says where in dependencies[i] it is, for messages. */
static int dep_app(const cJSON *item, const zp_problem *p, const char *file, int i,
                   const char *what, int *u)
{
    *u = cJSON_IsString(item) ? find_app(p, item->valuestring) : -1;
    if (*u < 0)
        return zp_fail(ZP_EINPUT, "%s: perf.dependencies[%d].%s: expected the name of an app",
                       file, i, what);
    return ZP_OK;
}

/* The server named by dependencies[i].server (u or v): sets to_nbr of both halves. */
static int dep_server(const cJSON *node, const zp_problem *p, const char *file, int i, int u,
                      int v, int64_t ju, int64_t jv, zp_perf *pf)
{
    int rc = ZP_OK, s;
    const cJSON *server = cJSON_GetObjectItemCaseSensitive(node, "server");
    if (!server)
        return ZP_OK;
    ZP_CHECK(dep_app(server, p, file, i, "server", &s));
    if (s != u && s != v)
        return zp_fail(ZP_EINPUT, "%s: perf.dependencies[%d].server: expected %s or %s", file,
                       i, p->app_names[u], p->app_names[v]);
    pf->to_nbr[ju] = s == v;
    pf->to_nbr[jv] = s == u;
out:
    return rc;
}

/* dependencies[i]: its server (to_nbr of both halves) and request size (dep_size, bits). */
static int parse_dep(const cJSON *node, const char *file, int i, const zp_problem *p,
                     zp_perf *pf, double *dep_size)
{
    static const char *const keys[] = {"apps", "server", "request_size_kb", NULL};
    int rc = ZP_OK;
    char path[64];
    int u, v;
    snprintf(path, sizeof path, "perf.dependencies[%d]", i);
    ZP_CHECK(json_expect_object(file, path, node));
    ZP_CHECK(json_check_keys(file, path, node, keys));
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(node, "apps");
    if (!cJSON_IsArray(names) || cJSON_GetArraySize(names) != 2)
        return zp_fail(ZP_EINPUT, "%s: %s.apps: expected two app names", file, path);
    ZP_CHECK(dep_app(cJSON_GetArrayItem(names, 0), p, file, i, "apps[0]", &u));
    ZP_CHECK(dep_app(cJSON_GetArrayItem(names, 1), p, file, i, "apps[1]", &v));
    int64_t ju = find_edge(p, u, v), jv = find_edge(p, v, u);
    if (ju < 0 || jv < 0)
        return zp_fail(ZP_EINPUT, "%s: %s.apps: %s and %s have no dependency", file, path,
                       p->app_names[u], p->app_names[v]);
    ZP_CHECK(dep_server(node, p, file, i, u, v, ju, jv, pf));
    double kb = NAN;
    ZP_CHECK(read_number(node, "request_size_kb", 0, 1, file, path, &kb));
    if (!isnan(kb))
        dep_size[ju] = dep_size[jv] = kb * BITS_PER_KB;
out:
    return rc;
}

static int parse_deps(const cJSON *node, const char *file, const zp_problem *p, zp_perf *pf,
                      double *dep_size)
{
    int rc = ZP_OK;
    int i = 0;
    const cJSON *item;
    if (!node)
        return ZP_OK;
    if (!cJSON_IsArray(node))
        return zp_fail(ZP_EINPUT, "%s: perf.dependencies: expected an array", file);
    cJSON_ArrayForEach(item, node)
        ZP_CHECK(parse_dep(item, file, i++, p, pf, dep_size));
out:
    return rc;
}

/* Request size of every edge: its dependency entry, else its server's entry, else the default. */
static void resolve_sizes(const zp_problem *p, zp_perf *pf, const double *dep_size,
                          const double *app_size, double default_bits)
{
    for (int u = 0; u < p->n; u++)
        for (int64_t j = adj_begin(p, u); j < adj_end(p, u); j++) {
            int server = pf->to_nbr[j] ? p->adjncy[j] : u;
            double bits = !isnan(dep_size[j]) ? dep_size[j] : app_size[server];
            pf->size_bits[j] = !isnan(bits) ? bits : default_bits;
        }
}

/* "auto" needs a cpu demand > 0 for servers and a finite cpu capacity > 0 in every zone, so
 * that every share is a finite positive number whatever the placement. */
static int check_auto(const zp_problem *p, zp_perf *pf, const char *file)
{
    for (int u = 0; u < p->n; u++)
        pf->any_auto |= pf->reservation[u] == ZP_PERF_AUTO;
    if (!pf->any_auto)
        return ZP_OK;
    if (pf->cpu < 0)
        return zp_fail(ZP_EINPUT, "%s: perf.reservation: \"auto\" needs a resource named cpu",
                       file);
    for (int z = 0; z < p->k; z++) {
        double c = problem_capacity(p, z, pf->cpu);
        if (!(isfinite(c) && c > 0))
            return zp_fail(ZP_EINPUT, "%s: perf.reservation: \"auto\" needs a finite cpu "
                           "capacity > 0 in every zone (zone %s has %g)", file,
                           p->zone_names[z], c);
    }
    for (int u = 0; u < p->n; u++)
        if (pf->reservation[u] == ZP_PERF_AUTO && arrival_of(pf, p, u) > 0 &&
            !(problem_demand(p, u, pf->cpu) > 0))
            return zp_fail(ZP_EINPUT, "%s: perf.reservation: \"auto\" needs a cpu demand > 0 "
                           "for app %s, which serves requests", file, p->app_names[u]);
    return ZP_OK;
}

/* The scalar keys of "perf": defaults for every app, percentile, network switch. */
static int parse_globals(const cJSON *node, const char *file, zp_perf *pf, double *size_bits)
{
    int rc = ZP_OK;
    double mu = NAN, reservation = 1.0, kb = SIZE_KB, pct = 99;
    if (!cJSON_GetObjectItemCaseSensitive(node, "service_rate"))
        return zp_fail(ZP_EINPUT, "%s: perf.service_rate: missing (expected a number > 0)", file);
    ZP_CHECK(read_number(node, "service_rate", 0, 1, file, "perf", &mu));
    ZP_CHECK(read_reservation(node, file, "perf", &reservation));
    ZP_CHECK(read_number(node, "request_size_kb", 0, 1, file, "perf", &kb));
    ZP_CHECK(read_number(node, "percentile", 0, 1, file, "perf", &pct));
    if (!(pct < 100))
        return zp_fail(ZP_EINPUT, "%s: perf.percentile: expected a number > 0 and < 100", file);
    const cJSON *net = cJSON_GetObjectItemCaseSensitive(node, "network");
    if (net && !cJSON_IsBool(net))
        return zp_fail(ZP_EINPUT, "%s: perf.network: expected true or false", file);
    pf->network = net ? cJSON_IsTrue(net) : 1;
    pf->phi = pct / 100.0;
    *size_bits = kb * BITS_PER_KB;
    for (int u = 0; u < pf->n; u++) {
        pf->service_rate[u] = mu;
        pf->reservation[u] = reservation;
    }
out:
    return rc;
}

int perf_parse(const cJSON *node, const char *file, const zp_problem *p, zp_perf **out)
{
    static const char *const keys[] = {"service_rate", "reservation", "request_size_kb",
                                       "percentile", "network", "tiers", "pairs", "apps",
                                       "dependencies", NULL};
    int rc = ZP_OK;
    zp_perf *pf = NULL;
    double *app_size = NULL, *dep_size = NULL;
    double default_bits = 0;
    tier tiers[2];

    ZP_CHECK(json_expect_object(file, "perf", node));
    ZP_CHECK(json_check_keys(file, "perf", node, keys));
    ZP_CHECK(perf_create(p, 1.0, &pf));
    ZP_ALLOC(app_size, p->n);
    ZP_ALLOC(dep_size, pf->nnz);
    for (int u = 0; u < p->n; u++)
        app_size[u] = NAN;
    for (int64_t j = 0; j < pf->nnz; j++)
        dep_size[j] = NAN;

    ZP_CHECK(parse_globals(node, file, pf, &default_bits));
    ZP_CHECK(parse_tiers(cJSON_GetObjectItemCaseSensitive(node, "tiers"), file, tiers));
    for (int a = 0; a < p->k; a++)
        for (int b = a; b < p->k; b++) {
            const tier *t = &tiers[a == b ? 0 : 1];
            set_link(pf, a, b, t->latency_ms, t->gbps, t->links);
        }
    ZP_CHECK(parse_pairs(cJSON_GetObjectItemCaseSensitive(node, "pairs"), file, p, tiers, pf));
    ZP_CHECK(parse_apps(cJSON_GetObjectItemCaseSensitive(node, "apps"), file, p, pf, app_size));
    ZP_CHECK(parse_deps(cJSON_GetObjectItemCaseSensitive(node, "dependencies"), file, p, pf,
                        dep_size));
    resolve_sizes(p, pf, dep_size, app_size, default_bits);
    ZP_CHECK(check_auto(p, pf, file));
    *out = pf;
    pf = NULL;
out:
    zp_free(app_size);
    zp_free(dep_size);
    perf_destroy(&pf);
    return rc;
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
        r->arrival[v] = arrival_of(pf, p, v);
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
        double lambda = arrival_of(pf, p, u);
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
