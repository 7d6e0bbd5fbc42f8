/* h5perf.c - the /perf groups of the output file (see h5out.h, h5out_write_perf): the
 * response-time model's per-dependency, per-link-queue and per-app tables of a task for its initial
 * and final placement, and their summaries as attributes (docs/hdf5.md). */
#include "h5io.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"
#include "util.h"

/* The two placements of the /perf tables: column prefixes and row parts [0] and [1]. */
enum { PERF_INITIAL, PERF_FINAL, PERF_PLACEMENTS };

typedef struct {
    double latency_ms, network_ms, server_ms, mean_ms, mean_nonet_ms, pct_ms, pct_nonet_ms;
    int64_t queue;
    int32_t unstable, pct_bound;
} perf_dep_part;

typedef struct {
    int32_t client, server;
    double rate;
    perf_dep_part at[PERF_PLACEMENTS];
} perf_dep_row;

typedef struct {
    double load, rate, utilisation;
    int32_t unstable;
} perf_link_part;

typedef struct {
    int32_t zone_from, zone_to, member;
    double latency_ms, bandwidth;
    perf_link_part at[PERF_PLACEMENTS];
} perf_link_row;

typedef struct {
    int32_t zone;
    double reservation, cpu_utilisation;
    int32_t unstable;
} perf_app_part;

typedef struct {
    int32_t app;
    double service_rate, arrival_rate;
    perf_app_part at[PERF_PLACEMENTS];
} perf_app_row;

#define PDF(fld, kind, units, meaning) {#fld, offsetof(perf_dep_row, fld), kind, 0, units, meaning}
#define PDP(P, i, fld, kind, units, meaning)                                                       \
    {#P "_" #fld, offsetof(perf_dep_row, at[i].fld), kind, 0, units, #P " placement: " meaning}
#define PERF_DEP_PART(P, i)                                                                        \
    PDP(P, i, latency_ms, F_F64, "ms", "path latency 2 delta (there and back)"),                   \
    PDP(P, i, network_ms, F_F64, "ms", "mean time in the link queue; inf: link unstable"),         \
    PDP(P, i, server_ms, F_F64, "ms", "mean time in the server queue; inf: server unstable"),      \
    PDP(P, i, mean_ms, F_F64, "ms", "mean response time E[R] with the network term"),              \
    PDP(P, i, mean_nonet_ms, F_F64, "ms", "mean response time without the network term"),          \
    PDP(P, i, pct_ms, F_F64, "ms", "percentile response time (attribute percentile) with the "    \
        "network term"),                                                                           \
    PDP(P, i, pct_nonet_ms, F_F64, "ms", "percentile response time without the network term"),     \
    PDP(P, i, queue, F_I64, "row of links", "the link queue (direction, bundle member) the "       \
        "requests wait in"),                                                                       \
    PDP(P, i, unstable, F_I32, "1", "bit 0: server utilisation >= 1, bit 1: link utilisation >= 1"),\
    PDP(P, i, pct_bound, F_I32, "1", "1: pct_ms is an upper bound (mixed request sizes on the "    \
        "queue, or percentile_method paper_bound), 0: the model's exact quantile")
static const field perf_dep_fields[] = {
    PDF(client, F_I32, "app index", "app sending the requests"),
    PDF(server, F_I32, "app index", "app serving them"),
    PDF(rate, F_F64, "requests/s", "lambda = weight * requests (T)"),
    PERF_DEP_PART(initial, PERF_INITIAL),
    PERF_DEP_PART(final, PERF_FINAL),
};

#define PLF(fld, kind, units, meaning) {#fld, offsetof(perf_link_row, fld), kind, 0, units, meaning}
#define PLP(P, i, fld, kind, units, meaning)                                                       \
    {#P "_" #fld, offsetof(perf_link_row, at[i].fld), kind, 0, units, #P " placement: " meaning}
#define PERF_LINK_PART(P, i)                                                                       \
    PLP(P, i, load, F_F64, "bit/s", "requests' bits per second through the queue"),                \
    PLP(P, i, rate, F_F64, "requests/s", "requests per second through the queue"),                 \
    PLP(P, i, utilisation, F_F64, "1", "load / bandwidth"),                                        \
    PLP(P, i, unstable, F_I32, "1", "1 when the utilisation is >= 1 (the model does not hold)")
static const field perf_link_fields[] = {
    PLF(zone_from, F_I32, "zone index", "zone of the clients whose requests use the queue "
                                        "(zone_from = zone_to: the zone's own link)"),
    PLF(zone_to, F_I32, "zone index", "zone of their servers (links are full duplex: one "
                                      "queue set per direction)"),
    PLF(member, F_I32, "1", "link of the bundle (802.3ad hashing; 0 with bundle per_request)"),
    PLF(latency_ms, F_F64, "ms", "one-way path latency delta between the zones"),
    PLF(bandwidth, F_F64, "bit/s", "bandwidth of the queue: link_gbps * 1e9 (links * that with "
                                   "bundle per_request)"),
    PERF_LINK_PART(initial, PERF_INITIAL),
    PERF_LINK_PART(final, PERF_FINAL),
};

#define PAF(fld, kind, units, meaning) {#fld, offsetof(perf_app_row, fld), kind, 0, units, meaning}
#define PAP(P, i, fld, kind, units, meaning)                                                       \
    {#P "_" #fld, offsetof(perf_app_row, at[i].fld), kind, 0, units, #P " placement: " meaning}
#define PERF_APP_PART(P, i)                                                                        \
    PAP(P, i, zone, F_I32, "zone index", "zone of the app"),                                       \
    PAP(P, i, reservation, F_F64, "cores", "CPU reservation Q/P (\"auto\": the cpu demand)"),     \
    PAP(P, i, cpu_utilisation, F_F64, "1", "arrival_rate / (service_rate * reservation); c "       \
        "servers of service_rate for a whole reservation c > 1"),                                  \
    PAP(P, i, unstable, F_I32, "1", "1 when the CPU utilisation is >= 1")
static const field perf_app_fields[] = {
    PAF(app, F_I32, "app index", "the app (row of /problem/app_names)"),
    PAF(service_rate, F_F64, "requests/s", "mu: requests served per second on a whole core"),
    PAF(arrival_rate, F_F64, "requests/s", "total rate of the requests the app serves"),
    PERF_APP_PART(initial, PERF_INITIAL),
    PERF_APP_PART(final, PERF_FINAL),
};

static void fill_dep_part(perf_dep_part *o, const zp_perf_dep *d)
{
    *o = (perf_dep_part){1e3 * d->latency,   1e3 * d->network_time, 1e3 * d->server_time,
                         1e3 * d->mean,      1e3 * d->mean_nonet,   1e3 * d->pct,
                         1e3 * d->pct_nonet, d->queue,              d->unstable,
                         d->bound};
}

/* The rows of the three /perf tables of a task, made before any collective call so that an
 * allocation failure on one rank is agreed on instead of leaving the others in a write. */
typedef struct {
    perf_dep_row *deps;
    perf_link_row *links;
    perf_app_row *apps;
    int64_t ndeps, nlinks, napps;
} perf_rows;

static void perf_rows_free(perf_rows *r)
{
    zp_free(r->deps);
    zp_free(r->links);
    zp_free(r->apps);
}

static void fill_perf_deps(perf_rows *out, const zp_perf_tables *t)
{
    const zp_perf_result *r[PERF_PLACEMENTS] = {t->initial, t->final};
    for (int64_t e = 0; e < out->ndeps; e++) {
        perf_dep_row *row = &out->deps[e];
        row->client = t->final->dep[e].client;
        row->server = t->final->dep[e].server;
        row->rate = t->final->dep[e].rate;
        for (int i = 0; i < PERF_PLACEMENTS; i++)
            fill_dep_part(&row->at[i], &r[i]->dep[e]);
    }
}

/* One row per link queue, in queue order: by direction a -> b (a*k + b), then member. */
static void fill_perf_links(perf_rows *out, const zp_perf_tables *t)
{
    const zp_perf_result *r[PERF_PLACEMENTS] = {t->initial, t->final};
    for (int64_t q = 0; q < out->nlinks; q++) {
        int a, b, member;
        perf_queue_info(t->pf, q, &a, &b, &member);
        perf_link_row *row = &out->links[q];
        row->zone_from = a;
        row->zone_to = b;
        row->member = member;
        row->latency_ms = 1e3 * t->pf->latency[(int64_t)a * t->pf->k + b];
        row->bandwidth = t->pf->queue_bw[q];
        for (int i = 0; i < PERF_PLACEMENTS; i++)
            row->at[i] = (perf_link_part){r[i]->queue_load[q], r[i]->queue_rate[q],
                                          r[i]->queue_util[q], r[i]->queue_util[q] >= 1};
    }
}

static void fill_perf_apps(perf_rows *out, const zp_perf_tables *t, const int *final_x)
{
    const zp_perf_result *r[PERF_PLACEMENTS] = {t->initial, t->final};
    const int *x[PERF_PLACEMENTS] = {t->initial_x, final_x};
    for (int u = 0; u < out->napps; u++) {
        perf_app_row *row = &out->apps[u];
        row->app = u;
        row->service_rate = t->pf->service_rate[u];
        row->arrival_rate = t->final->arrival[u];
        for (int i = 0; i < PERF_PLACEMENTS; i++)
            row->at[i] = (perf_app_part){x[i][u], r[i]->share[u], r[i]->cpu_util[u],
                                         r[i]->cpu_util[u] >= 1};
    }
}

/* Not collective: the rows of every table, ZP_ERUNTIME when out of memory. */
static int make_perf_rows(perf_rows *out, const zp_perf_tables *t, const int *final_x)
{
    int rc = ZP_OK;
    out->ndeps = t->final->ndeps;
    out->nlinks = t->final->nqueues;
    out->napps = t->final->n;
    ZP_ALLOC(out->deps, out->ndeps);
    ZP_ALLOC(out->links, out->nlinks);
    ZP_ALLOC(out->apps, out->napps);
    fill_perf_deps(out, t);
    fill_perf_links(out, t);
    fill_perf_apps(out, t, final_x);
out:
    return rc;
}

static int write_perf_tables(zp_h5io *io, hid_t g, const perf_rows *r)
{
    int rc = ZP_OK;
    ZP_CHECK(h5_write_compound(io, g, "dependencies", perf_dep_fields,
                               (int)NFIELDS(perf_dep_fields), sizeof *r->deps, r->deps, r->ndeps,
                               "one row per dependency, in the order of /problem/dependencies: "
                               "predicted response times (inf where a queue is unstable)"));
    ZP_CHECK(h5_write_compound(io, g, "links", perf_link_fields, (int)NFIELDS(perf_link_fields),
                            sizeof *r->links, r->links, r->nlinks,
                            "one row per link queue (direction and bundle member): its load "
                            "and utilisation"));
    ZP_CHECK(h5_write_compound(io, g, "apps", perf_app_fields, (int)NFIELDS(perf_app_fields),
                            sizeof *r->apps, r->apps, r->napps,
                            "one row per app: its zone, CPU reservation and utilisation as a "
                            "server"));
out:
    return rc;
}

/* The summary of one placement as attributes PREFIX_mean_ms, ... (the summary JSON's perf
 * object; inf where JSON has null). */
static int write_perf_summary(zp_h5io *io, hid_t g, const char *prefix, const zp_perf_result *r)
{
    int rc = ZP_OK;
    char name[64];
    const struct {
        const char *key;
        double value;
    } items[] = {
        {"mean_ms", 1e3 * r->mean_weighted},
        {"mean_ms_without_network", 1e3 * r->mean_weighted_nonet},
        {"worst_mean_ms", 1e3 * r->worst_mean},
        {"max_percentile_ms", 1e3 * r->max_pct},
        {"objective", r->objective},
    };
    for (size_t i = 0; i < NFIELDS(items); i++) {
        snprintf(name, sizeof name, "%s_%s", prefix, items[i].key);
        ZP_CHECK(h5_attr_f64(io, g, name, items[i].value));
    }
    const struct {
        const char *key;
        int64_t value;
    } counts[] = {
        {"unstable_servers", r->unstable_servers}, {"unstable_links", r->unstable_links},
        {"unstable_dependencies", r->unstable_deps}, {"busy_servers", r->busy_servers},
        {"busy_links", r->busy_links}, {"overbooked_zones", r->overbooked_zones},
        {"percentiles_bounded", r->bound_deps},
    };
    for (size_t i = 0; i < NFIELDS(counts); i++) {
        snprintf(name, sizeof name, "%s_%s", prefix, counts[i].key);
        ZP_CHECK(h5_attr_i64(io, g, name, counts[i].value));
    }
out:
    return rc;
}

/* Collective: the group /perf, created by the first task that writes into it. */
static int perf_root(zp_h5io *io, hid_t *g)
{
    int rc = ZP_OK;
    htri_t there = H5Lexists(io->file, "perf", H5P_DEFAULT);
    H5_TRY(there, "perf");
    if (there) {
        H5_TRY(*g = H5Gopen2(io->file, "perf", H5P_DEFAULT), "perf");
        return ZP_OK;
    }
    H5_TRY(*g = H5Gcreate2(io->file, "perf", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "perf");
    ZP_CHECK(h5_attr_str(io, *g, "description",
                      "the response-time model (docs/perfmodel.md): one group task_<T> per task "
                      "of /tasks that has a \"perf\" section"));
out:
    return rc;
}

/* Collective: /perf/task_<T> with its attributes and tables. */
static int write_perf_group(zp_h5io *io, hid_t root, const zp_task_result *task,
                            const zp_perf_tables *t, const perf_rows *rows)
{
    int rc = ZP_OK;
    char name[32];
    hid_t g = H5I_INVALID_HID;
    snprintf(name, sizeof name, "task_%d", task->task);
    H5_TRY(g = H5Gcreate2(root, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
    ZP_CHECK(h5_attr_str(io, g, "description",
                      "the model's predictions for the initial placement (the task's row of "
                      "/initial_placements, arriving apps placed by round robin) and the final "
                      "one (its row of /placements)"));
    ZP_CHECK(h5_attr_i64(io, g, "task", task->task));
    ZP_CHECK(h5_attr_str(io, g, "objective", objective_name(task->objective)));
    ZP_CHECK(h5_attr_f64(io, g, "percentile", 100.0 * t->pf->phi));
    ZP_CHECK(h5_attr_i64(io, g, "network", t->pf->network));
    ZP_CHECK(h5_attr_str(io, g, "bundle", t->pf->bundle == ZP_BUNDLE_HASH ? "hash" : "per_request"));
    ZP_CHECK(h5_attr_str(io, g, "percentile_method",
                         t->pf->pct_method == ZP_PCT_EXACT ? "exact" : "paper_bound"));
    ZP_CHECK(write_perf_summary(io, g, "initial", t->initial));
    ZP_CHECK(write_perf_summary(io, g, "final", t->final));
    ZP_CHECK(write_perf_tables(io, g, rows));
out:
    h5_close_id(&g);
    return rc;
}

int h5out_write_perf(zp_h5out *h, const zp_task_result *task, const zp_problem *p,
                     const zp_perf_tables *t)
{
    int rc = ZP_OK;
    zp_h5io *io = h5out_io(h);
    hid_t root = H5I_INVALID_HID;
    perf_rows rows;
    memset(&rows, 0, sizeof rows);
    if (t->final->n != p->n || t->initial->n != p->n || t->final->k != p->k ||
        t->initial->k != p->k || task->apps != p->n || t->initial->ndeps != t->final->ndeps ||
        t->initial->nqueues != t->pf->nqueues || t->final->nqueues != t->pf->nqueues)
        rc = zp_fail(ZP_ERUNTIME, "%s: /perf: predictions of another problem", io->partial);
    if (rc == ZP_OK)
        rc = make_perf_rows(&rows, t, task->placement);
    ZP_CHECK(h5_agree(io, rc));
    ZP_CHECK(h5_reserve(io, io->rank == 0 ? (1 << 16) + rows.ndeps * (int64_t)sizeof *rows.deps +
                                                rows.nlinks * (int64_t)sizeof *rows.links +
                                                rows.napps * (int64_t)sizeof *rows.apps
                                          : 0));
    ZP_CHECK(perf_root(io, &root));
    ZP_CHECK(write_perf_group(io, root, task, t, &rows));
out:
    h5_close_id(&root);
    perf_rows_free(&rows);
    return h5_agree(io, rc);
}
