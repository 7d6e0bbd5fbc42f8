/* feasible.c - the balance band against io, allowed zones, capacities and slots (see
 * feasible.h): app types, plain counting checks that explain the usual cases, then an exact
 * max-flow with lower bounds (Dinic) over types and zones. */
#include "feasible.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* ---- app types: apps with the same set of zones they fit ---------------------------------- */

typedef struct {
    int k, words;    /* zones, 64-bit words of a zone set */
    int n, cap;      /* types, room */
    uint64_t *sets;  /* [cap * words] */
    int64_t *count;  /* [cap] apps of the type */
    int *table;      /* open addressing over the sets, -1 empty */
    int64_t tcap;    /* power of two, at least twice cap */
} app_types;

static void types_free(app_types *t)
{
    zp_free(t->sets);
    zp_free(t->count);
    zp_free(t->table);
}

static uint64_t set_hash(const uint64_t *s, int words)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < words; i++)
        h = (h ^ s[i]) * 0x100000001B3ull;
    return h ^ (h >> 29);
}

static int types_grow(app_types *t)
{
    int cap = t->cap ? 2 * t->cap : 64;
    int64_t tcap = 4 * (int64_t)cap;
    uint64_t *sets = zp_realloc(t->sets, sizeof *sets * (size_t)cap * (size_t)t->words);
    if (!sets)
        return ZP_ERUNTIME;
    t->sets = sets;
    int64_t *count = zp_realloc(t->count, sizeof *count * (size_t)cap);
    if (!count)
        return ZP_ERUNTIME;
    t->count = count;
    int *table = zp_malloc(sizeof *table * (size_t)tcap);
    if (!table)
        return ZP_ERUNTIME;
    zp_free(t->table);
    t->table = table;
    t->cap = cap;
    t->tcap = tcap;
    memset(table, -1, sizeof *table * (size_t)tcap);
    for (int i = 0; i < t->n; i++) { /* re-insert */
        int64_t h = (int64_t)(set_hash(t->sets + (int64_t)i * t->words, t->words) & (uint64_t)(tcap - 1));
        while (table[h] >= 0)
            h = (h + 1) & (tcap - 1);
        table[h] = i;
    }
    return ZP_OK;
}

/* Adds weight apps with zone set s. */
static int types_add(app_types *t, const uint64_t *s, int64_t weight)
{
    if (t->n == t->cap && types_grow(t) != ZP_OK)
        return ZP_ERUNTIME;
    size_t bytes = sizeof *s * (size_t)t->words;
    int64_t h = (int64_t)(set_hash(s, t->words) & (uint64_t)(t->tcap - 1));
    for (; t->table[h] >= 0; h = (h + 1) & (t->tcap - 1)) {
        int i = t->table[h];
        if (memcmp(t->sets + (int64_t)i * t->words, s, bytes) == 0) {
            t->count[i] += weight;
            return ZP_OK;
        }
    }
    memcpy(t->sets + (int64_t)t->n * t->words, s, bytes);
    t->count[t->n] = weight;
    t->table[h] = t->n++;
    return ZP_OK;
}

static int has_zone(const uint64_t *s, int z) { return (int)(s[z >> 6] >> (z & 63) & 1); }

/* Zones with equal capacities share a class, so that an app's demands are compared with each
 * distinct capacity once. */
static void capacity_classes(const zp_problem *p, int *class_of, int *nclass)
{
    size_t bytes = sizeof(double) * (size_t)p->nres;
    *nclass = 0;
    for (int z = 0; z < p->k; z++) {
        class_of[z] = -1;
        for (int y = 0; y < z && class_of[z] < 0; y++)
            if (memcmp(p->capacity + (int64_t)y * p->nres, p->capacity + (int64_t)z * p->nres,
                       bytes) == 0)
                class_of[z] = class_of[y];
        if (class_of[z] < 0)
            class_of[z] = (*nclass)++;
    }
}

/* The zones app u fits by itself, as app_fits_zone decides, into s. */
static void app_zone_set(const zp_problem *p, int u, const int *class_of, const int *class_zone,
                         int nclass, unsigned char *fits_class, uint64_t *s, int words)
{
    for (int c = 0; c < nclass; c++) {
        int z = class_zone[c], fits = 1;
        for (int r = 0; r < p->nres && fits; r++)
            fits = problem_demand(p, u, r) <= problem_capacity(p, z, r);
        fits_class[c] = (unsigned char)fits;
    }
    memset(s, 0, sizeof *s * (size_t)words);
    int64_t b = p->allowed_xadj ? p->allowed_xadj[u] : 0;
    int64_t e = p->allowed_xadj ? p->allowed_xadj[u + 1] : 0;
    if (e > b) { /* an allowed list: only its zones */
        for (int64_t j = b; j < e; j++)
            s[p->allowed[j] >> 6] |= (uint64_t)1 << (p->allowed[j] & 63);
        for (int z = 0; z < p->k; z++)
            if (has_zone(s, z) && (!fits_class[class_of[z]] || (p->needs_io[u] && !p->zone_io[z])))
                s[z >> 6] &= ~((uint64_t)1 << (z & 63));
        return;
    }
    for (int z = 0; z < p->k; z++)
        if (fits_class[class_of[z]] && (!p->needs_io[u] || p->zone_io[z]))
            s[z >> 6] |= (uint64_t)1 << (z & 63);
}

static int find_types(const zp_problem *p, app_types *t)
{
    int rc = ZP_OK, nclass = 0;
    int *class_of = NULL, *class_zone = NULL;
    unsigned char *fits_class = NULL;
    uint64_t *s = NULL;
    t->k = p->k;
    t->words = (p->k + 63) / 64;
    ZP_ALLOC(class_of, p->k);
    ZP_ALLOC(class_zone, p->k);
    ZP_ALLOC(fits_class, p->k);
    ZP_ALLOC(s, t->words);
    capacity_classes(p, class_of, &nclass);
    for (int z = p->k - 1; z >= 0; z--)
        class_zone[class_of[z]] = z;
    for (int u = 0; u < p->n; u++) {
        app_zone_set(p, u, class_of, class_zone, nclass, fits_class, s, t->words);
        ZP_CHECK(types_add(t, s, problem_vwgt(p, u)));
    }
out:
    zp_free(class_of);
    zp_free(class_zone);
    zp_free(fits_class);
    zp_free(s);
    return rc;
}

/* ---- max-flow (Dinic, iterative so that long augmenting paths need no deep recursion) ------- */

typedef struct {
    int nodes;
    int64_t nedges, cap_edges;
    int *to, *next; /* edge e and its reverse e ^ 1 */
    int64_t *cap;
    int *head, *level, *queue, *it, *path;
} flow_net;

static void flow_free(flow_net *f)
{
    zp_free(f->to);
    zp_free(f->next);
    zp_free(f->cap);
    zp_free(f->head);
    zp_free(f->level);
    zp_free(f->queue);
    zp_free(f->it);
    zp_free(f->path);
}

static int flow_init(flow_net *f, int nodes, int64_t edges)
{
    int rc = ZP_OK;
    f->nodes = nodes;
    f->cap_edges = 2 * edges;
    ZP_ALLOC(f->to, f->cap_edges);
    ZP_ALLOC(f->next, f->cap_edges);
    ZP_ALLOC(f->cap, f->cap_edges);
    ZP_ALLOC(f->head, nodes);
    ZP_ALLOC(f->level, nodes);
    ZP_ALLOC(f->queue, nodes);
    ZP_ALLOC(f->it, nodes);
    ZP_ALLOC(f->path, nodes);
    memset(f->head, -1, sizeof *f->head * (size_t)nodes);
out:
    return rc;
}

static void flow_edge(flow_net *f, int a, int b, int64_t cap)
{
    if (cap <= 0)
        return;
    int64_t e = f->nedges;
    f->to[e] = b, f->cap[e] = cap, f->next[e] = f->head[a], f->head[a] = (int)e;
    f->to[e + 1] = a, f->cap[e + 1] = 0, f->next[e + 1] = f->head[b], f->head[b] = (int)(e + 1);
    f->nedges += 2;
}

static int flow_levels(flow_net *f, int s, int t)
{
    int qh = 0, qt = 0;
    for (int v = 0; v < f->nodes; v++)
        f->level[v] = -1;
    f->level[s] = 0;
    f->queue[qt++] = s;
    while (qh < qt) {
        int v = f->queue[qh++];
        for (int e = f->head[v]; e >= 0; e = f->next[e])
            if (f->cap[e] > 0 && f->level[f->to[e]] < 0) {
                f->level[f->to[e]] = f->level[v] + 1;
                f->queue[qt++] = f->to[e];
            }
    }
    return f->level[t] >= 0;
}

/* Augments along level-graph paths from s until none is left; returns the flow pushed. */
static int64_t flow_block(flow_net *f, int s, int t)
{
    int64_t pushed = 0;
    int depth = 0, v = s;
    for (int u = 0; u < f->nodes; u++)
        f->it[u] = f->head[u];
    for (;;) {
        if (v == t) {
            int64_t b = INT64_MAX;
            for (int i = 0; i < depth; i++)
                b = ZP_MIN(b, f->cap[f->path[i]]);
            for (int i = 0; i < depth; i++) {
                f->cap[f->path[i]] -= b;
                f->cap[f->path[i] ^ 1] += b;
            }
            pushed += b;
            depth = 0;
            v = s;
            continue;
        }
        int e = f->it[v];
        while (e >= 0 && !(f->cap[e] > 0 && f->level[f->to[e]] == f->level[v] + 1))
            e = f->it[v] = f->next[e];
        if (e >= 0) {
            f->path[depth++] = e;
            v = f->to[e];
            continue;
        }
        if (v == s)
            return pushed;
        f->level[v] = -1; /* a dead end for this phase */
        v = f->to[f->path[--depth] ^ 1];
        f->it[v] = f->next[f->it[v]];
    }
}

static int64_t flow_max(flow_net *f, int s, int t)
{
    int64_t total = 0;
    while (flow_levels(f, s, t))
        total += flow_block(f, s, t);
    return total;
}

/* ---- the checks ----------------------------------------------------------------------------- */

static int refuse(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return ZP_EINPUT;
}

static int64_t zone_upper(const zp_problem *p, int z, int64_t hi)
{
    return ZP_MIN((int64_t)p->slots[z], hi);
}

/* Names of the zones of s, as "a, b, c" (cut after a few). */
static void zone_list(const zp_problem *p, const uint64_t *s, char *out, size_t size)
{
    size_t used = 0;
    int shown = 0;
    out[0] = '\0';
    for (int z = 0; z < p->k && used < size; z++) {
        if (!has_zone(s, z))
            continue;
        if (shown == 6) {
            snprintf(out + used, size - used, ", ...");
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", shown ? ", " : "",
                                 p->zone_names[z]);
        shown++;
    }
}

/* The counting checks that name the culprit: a zone that too few apps may enter, and a type
 * whose zones cannot hold it. Each is a necessary condition; the flow decides the rest. */
static int explain(const zp_problem *p, const app_types *t, int64_t lo, int64_t hi, char *why,
                   size_t size)
{
    for (int z = 0; z < p->k; z++) {
        int64_t may = 0;
        for (int i = 0; i < t->n; i++)
            if (has_zone(t->sets + (int64_t)i * t->words, z))
                may += t->count[i];
        if (may < lo)
            return refuse(why, size,
                          "balance band %lld..%lld apps per zone cannot be met: only %lld app%s "
                          "may be placed in zone \"%s\" (io, allowed_zones, capacities)",
                          (long long)lo, (long long)hi, (long long)may, may == 1 ? "" : "s",
                          p->zone_names[z]);
    }
    for (int i = 0; i < t->n; i++) {
        const uint64_t *s = t->sets + (int64_t)i * t->words;
        int64_t room = 0;
        for (int z = 0; z < p->k; z++)
            if (has_zone(s, z))
                room += zone_upper(p, z, hi);
        if (t->count[i] > room) {
            char zones[256];
            zone_list(p, s, zones, sizeof zones);
            return refuse(why, size,
                          "balance band %lld..%lld apps per zone cannot be met: %lld apps may "
                          "only go to zones %s (io, allowed_zones, capacities), which hold at "
                          "most %lld of them",
                          (long long)lo, (long long)hi, (long long)t->count[i], zones,
                          (long long)room);
        }
    }
    return ZP_OK;
}

/* Max-flow with lower bounds, as a plain max-flow from a super source SS to a super sink TT:
 * SS -> type (its count), type -> its zones (unbounded), zone -> T (upper - lo), zone -> TT (lo),
 * SS -> T (k lo), T -> TT (all apps). The band can be met iff the flow saturates SS. */
static int band_flow(const zp_problem *p, const app_types *t, int64_t lo, int64_t hi,
                     int *feasible)
{
    enum { SS = 0, TT = 1, SINK = 2, FIRST = 3 };
    int rc = ZP_OK;
    flow_net f;
    memset(&f, 0, sizeof f);
    int64_t total = problem_total_weight(p), edges = (int64_t)t->n + 2 * (int64_t)p->k + 2;
    for (int i = 0; i < t->n; i++)
        for (int z = 0; z < p->k; z++)
            edges += has_zone(t->sets + (int64_t)i * t->words, z);
    if (edges > INT32_MAX / 2) /* edge ids are int; the counting checks have passed */
        goto out;
    ZP_CHECK(flow_init(&f, FIRST + t->n + p->k, edges));
    int zone0 = FIRST + t->n;
    for (int i = 0; i < t->n; i++) {
        flow_edge(&f, SS, FIRST + i, t->count[i]);
        for (int z = 0; z < p->k; z++)
            if (has_zone(t->sets + (int64_t)i * t->words, z))
                flow_edge(&f, FIRST + i, zone0 + z, total);
    }
    for (int z = 0; z < p->k; z++) {
        flow_edge(&f, zone0 + z, SINK, zone_upper(p, z, hi) - lo);
        flow_edge(&f, zone0 + z, TT, lo);
    }
    flow_edge(&f, SS, SINK, lo * p->k);
    flow_edge(&f, SINK, TT, total);
    *feasible = flow_max(&f, SS, TT) == total + lo * p->k;
out:
    flow_free(&f);
    return rc;
}

int feasible_band(const zp_problem *p, char *why, size_t size)
{
    int64_t lo, hi, room = 0;
    problem_band(p, &lo, &hi);
    for (int z = 0; z < p->k; z++)
        room += zone_upper(p, z, hi);
    if (room < problem_total_weight(p))
        return refuse(why, size, "room for %lld apps (slots and balance) but %lld apps",
                      (long long)room, (long long)problem_total_weight(p));
    for (int z = 0; z < p->k; z++)
        if (zone_upper(p, z, hi) < lo)
            return refuse(why, size,
                          "balance band %lld..%lld apps per zone cannot be met: zone \"%s\" has "
                          "%d slots", (long long)lo, (long long)hi, p->zone_names[z], p->slots[z]);
    if (problem_fits_everywhere(p))
        return ZP_OK; /* fill every zone to lo, then the rest anywhere up to its upper bound */
    int rc = ZP_OK, feasible = 1;
    app_types t;
    memset(&t, 0, sizeof t);
    ZP_CHECK(find_types(p, &t));
    ZP_CHECK(explain(p, &t, lo, hi, why, size));
    ZP_CHECK(band_flow(p, &t, lo, hi, &feasible));
    if (!feasible)
        rc = refuse(why, size,
                    "balance band %lld..%lld apps per zone cannot be met under io, "
                    "allowed_zones, capacities and slots (no placement exists: checked as a "
                    "max-flow over the zones each app fits)",
                    (long long)lo, (long long)hi);
out:
    types_free(&t);
    return rc;
}
