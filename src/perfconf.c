/* perfconf.c - reads a config's "perf" section (perfconf.h) into the response-time model's
 * parameters: defaults, tiers, zone pairs, per-app and per-dependency overrides, every value
 * checked with a JSON-path message. */
#include "perfconf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonin.h"
#include "util.h"

#define PATH_MAX_LEN 512
/* Reservation value meaning "auto" while parsing (resolved to the app's cpu demand). */
#define ZP_PERF_AUTO (-1.0)

static int64_t adj_begin(const zp_problem *p, int u) { return p->xadj ? p->xadj[u] : 0; }
static int64_t adj_end(const zp_problem *p, int u) { return p->xadj ? p->xadj[u + 1] : 0; }

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

/* Whether a reservation is one the model has a queue for: at most one core (one server at
 * mu Q/P) or a whole number of cores (M/M/c). */
static int reservation_modelled(double r)
{
    return r <= 1 || r == floor(r);
}

/* Reads obj.reservation into *val if present: a number > 0 the model has a queue for (at most
 * 1, or whole), or "auto" (ZP_PERF_AUTO). */
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
    int rc = read_number(obj, "reservation", 0, 1, file, path, val);
    if (rc == ZP_OK && !reservation_modelled(*val))
        return zp_fail(ZP_EINPUT, "%s: %s.reservation: expected at most 1 core or a whole number "
                       "of cores (M/M/c), not %g", file, path, *val);
    return rc;
}

static int find_app(const zp_problem *p, const char *name)
{
    for (int u = 0; u < p->n; u++)
        if (p->app_names[u] && strcmp(p->app_names[u], name) == 0)
            return u;
    return -1;
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
    tiers[0] = (tier){ZP_PERF_LATENCY_ZONE_MS, ZP_PERF_LINK_GBPS, 1};
    tiers[1] = (tier){ZP_PERF_LATENCY_CORE_MS, ZP_PERF_LINK_GBPS, 1};
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
    perf_set_link(pf, a, b, t.latency_ms, t.gbps, t.links);
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
    app_size[u] = kb * ZP_PERF_BITS_PER_KB;
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
    int64_t ju = perf_find_edge(p, u, v), jv = perf_find_edge(p, v, u);
    if (ju < 0 || jv < 0)
        return zp_fail(ZP_EINPUT, "%s: %s.apps: %s and %s have no dependency", file, path,
                       p->app_names[u], p->app_names[v]);
    ZP_CHECK(dep_server(node, p, file, i, u, v, ju, jv, pf));
    double kb = NAN;
    ZP_CHECK(read_number(node, "request_size_kb", 0, 1, file, path, &kb));
    if (!isnan(kb))
        dep_size[ju] = dep_size[jv] = kb * ZP_PERF_BITS_PER_KB;
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

/* "auto" reservations become the app's cpu demand, in cores: that needs a resource cpu, a cpu
 * demand > 0 for apps that serve, and a demand the model has a queue for. */
static int resolve_auto(const zp_problem *p, zp_perf *pf, const char *file)
{
    for (int u = 0; u < p->n; u++) {
        if (pf->reservation[u] != ZP_PERF_AUTO)
            continue;
        if (pf->cpu < 0)
            return zp_fail(ZP_EINPUT, "%s: perf.reservation: \"auto\" needs a resource named "
                           "cpu", file);
        double d = problem_demand(p, u, pf->cpu);
        if (perf_arrival(pf, p, u) > 0 && !(d > 0))
            return zp_fail(ZP_EINPUT, "%s: perf.reservation: \"auto\" needs a cpu demand > 0 "
                           "for app %s, which serves requests", file, p->app_names[u]);
        if (!reservation_modelled(d))
            return zp_fail(ZP_EINPUT, "%s: perf.reservation: \"auto\" gives app %s %g cores: "
                           "above 1 core a reservation must be a whole number of cores (M/M/c)",
                           file, p->app_names[u], d);
        pf->reservation[u] = d;
    }
    return ZP_OK;
}

/* Names of the bundle modes and percentile methods, in the order of their enums. */
static const char *const bundles[] = {"hash", "per_request", NULL};
static const char *const pct_methods[] = {"exact", "paper_bound", NULL};

/* Reads perf.key into *val if present: one of names (its index). */
static int read_choice(const cJSON *node, const char *key, const char *const *names,
                       const char *file, int *val)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(node, key);
    if (!item)
        return ZP_OK;
    for (int i = 0; cJSON_IsString(item) && names[i]; i++)
        if (strcmp(item->valuestring, names[i]) == 0) {
            *val = i;
            return ZP_OK;
        }
    return zp_fail(ZP_EINPUT, "%s: perf.%s: expected \"%s\" or \"%s\"", file, key, names[0],
                   names[1]);
}

/* The scalar keys of "perf": defaults for every app, percentile, network switch, bundle mode,
 * percentile method. */
static int parse_globals(const cJSON *node, const char *file, zp_perf *pf, double *size_bits)
{
    int rc = ZP_OK;
    double mu = NAN, reservation = 1.0, kb = ZP_PERF_SIZE_KB, pct = 99;
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
    ZP_CHECK(read_choice(node, "bundle", bundles, file, &pf->bundle));
    ZP_CHECK(read_choice(node, "percentile_method", pct_methods, file, &pf->pct_method));
    pf->phi = pct / 100.0;
    *size_bits = kb * ZP_PERF_BITS_PER_KB;
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
                                       "percentile", "network", "bundle", "percentile_method",
                                       "tiers", "pairs", "apps", "dependencies", NULL};
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
            perf_set_link(pf, a, b, t->latency_ms, t->gbps, t->links);
        }
    ZP_CHECK(parse_pairs(cJSON_GetObjectItemCaseSensitive(node, "pairs"), file, p, tiers, pf));
    ZP_CHECK(parse_apps(cJSON_GetObjectItemCaseSensitive(node, "apps"), file, p, pf, app_size));
    ZP_CHECK(parse_deps(cJSON_GetObjectItemCaseSensitive(node, "dependencies"), file, p, pf,
                        dep_size));
    resolve_sizes(p, pf, dep_size, app_size, default_bits);
    ZP_CHECK(resolve_auto(p, pf, file));
    ZP_CHECK(perf_prepare(pf));
    *out = pf;
    pf = NULL;
out:
    zp_free(app_size);
    zp_free(dep_size);
    perf_destroy(&pf);
    return rc;
}

int perf_parse_text(const char *text, const char *file, const zp_problem *p, zp_perf **out)
{
    *out = NULL;
    if (!text)
        return ZP_OK;
    cJSON *node = cJSON_Parse(text);
    if (!node)
        return zp_fail(ZP_ERUNTIME, "out of memory");
    int rc = perf_parse(node, file, p, out);
    cJSON_Delete(node);
    return rc;
}
