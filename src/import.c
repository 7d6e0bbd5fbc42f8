/* import.c - the import model (workloads, zones, aggregated call counts), name matching and the
 * config writer of `zoneplace import` (see import.h). */
#include "import.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvin.h"
#include "report.h"
#include "textin.h"
#include "util.h"

#define LISTED 8 /* names listed in a note before "..." */

void import_init(zp_import *im) { memset(im, 0, sizeof *im); }

static void free_app(import_app *a)
{
    zp_free(a->name);
    zp_free(a->base);
    zp_free(a->ns);
    zp_free(a->kind);
    zp_free(a->file);
    zp_free(a->zone);
}

void import_free(zp_import *im)
{
    for (int i = 0; i < im->napps; i++)
        free_app(&im->apps[i]);
    zp_free(im->apps);
    for (int z = 0; z < im->nzones; z++)
        zp_free(im->zones[z].name);
    zp_free(im->zones);
    for (int i = 0; i < im->calls.nnames; i++)
        zp_free(im->calls.names[i]);
    zp_free(im->calls.names);
    strmap_destroy(&im->calls.index);
    zp_free(im->calls.keys);
    zp_free(im->calls.count);
    memset(im, 0, sizeof *im);
}

static int grow(void **ptr, int *cap, int need, size_t elem)
{
    int64_t c = *cap;
    int rc = text_grow_array(ptr, &c, need, elem);
    *cap = (int)c;
    return rc;
}

int import_add_app(zp_import *im, const char *base, const char *ns, const char *kind,
                   const char *file, long line, import_app **out)
{
    if (im->napps >= ZP_MAX_APPS)
        return zp_fail(ZP_EINPUT, "%s:%ld: more than %d workloads", file, line, ZP_MAX_APPS);
    if (grow((void **)&im->apps, &im->cap_apps, im->napps + 1, sizeof *im->apps) != ZP_OK)
        return ZP_ERUNTIME;
    import_app *a = &im->apps[im->napps];
    memset(a, 0, sizeof *a);
    a->base = zp_strdup(base);
    a->ns = zp_strdup(ns);
    a->kind = zp_strdup(kind);
    a->file = zp_strdup(file);
    a->line = line;
    a->replicas = 1;
    im->napps++;
    if (!a->base || !a->ns || !a->kind || !a->file)
        return ZP_ERUNTIME;
    *out = a;
    return ZP_OK;
}

int import_add_to_zone(zp_import *im, const char *name, double cpu, double ram)
{
    int z = 0;
    while (z < im->nzones && strcmp(im->zones[z].name, name) != 0)
        z++;
    if (z == im->nzones) {
        if (grow((void **)&im->zones, &im->cap_zones, z + 1, sizeof *im->zones) != ZP_OK)
            return ZP_ERUNTIME;
        memset(&im->zones[z], 0, sizeof im->zones[z]);
        if (!(im->zones[z].name = zp_strdup(name)))
            return ZP_ERUNTIME;
        im->nzones++;
    }
    im->zones[z].cpu += cpu;
    im->zones[z].ram += ram;
    im->zones[z].nodes++;
    return ZP_OK;
}

/* ---- call counts ---------------------------------------------------------------------- */

static int intern(import_calls *c, const char *name, int *id)
{
    int rc = ZP_OK;
    if (!c->index)
        ZP_CHECK(strmap_create(&c->index, 1024));
    if ((*id = strmap_get(c->index, name)) >= 0)
        return ZP_OK;
    if (c->nnames >= ZP_MAX_APPS)
        return zp_fail(ZP_EINPUT, "more than %d services in the call graph", ZP_MAX_APPS);
    ZP_CHECK(grow((void **)&c->names, &c->cap_names, c->nnames + 1, sizeof *c->names));
    if (!(c->names[c->nnames] = zp_strdup(name)))
        return ZP_ERUNTIME;
    int existing = -1;
    ZP_CHECK(strmap_put(c->index, c->names[c->nnames], c->nnames, &existing));
    *id = c->nnames++;
out:
    return rc;
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

/* Slot of key in the pair table (its own or the empty one where it goes). */
static int64_t pair_slot(const import_calls *c, uint64_t key)
{
    int64_t i = (int64_t)(mix(key) & (uint64_t)(c->cap - 1));
    while (c->keys[i] && c->keys[i] != key)
        i = (i + 1) & (c->cap - 1);
    return i;
}

static int pair_grow(import_calls *c)
{
    int64_t cap = c->cap ? 2 * c->cap : 4096;
    uint64_t *keys = zp_calloc((size_t)cap, sizeof *keys);
    double *count = zp_calloc((size_t)cap, sizeof *count);
    if (!keys || !count) {
        zp_free(keys);
        zp_free(count);
        return ZP_ERUNTIME;
    }
    import_calls old = *c;
    c->keys = keys;
    c->count = count;
    c->cap = cap;
    for (int64_t i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            int64_t s = pair_slot(c, old.keys[i]);
            c->keys[s] = old.keys[i];
            c->count[s] = old.count[i];
        }
    }
    zp_free(old.keys);
    zp_free(old.count);
    return ZP_OK;
}

int import_add_calls(zp_import *im, const char *caller, const char *callee, double count)
{
    int rc = ZP_OK, u = 0, v = 0;
    import_calls *c = &im->calls;
    ZP_CHECK(intern(c, caller, &u));
    ZP_CHECK(intern(c, callee, &v));
    if (2 * (c->size + 1) > c->cap)
        ZP_CHECK(pair_grow(c));
    uint64_t key = ((uint64_t)u << 32 | (uint64_t)v) + 1;
    int64_t s = pair_slot(c, key);
    if (!c->keys[s]) {
        c->keys[s] = key;
        c->size++;
    }
    c->count[s] += count;
out:
    return rc;
}

/* ---- names ------------------------------------------------------------------------------ */

void import_base_name(const char *name, char *buf, size_t len)
{
    const char *slash = strrchr(name, '/');
    const char *s = slash ? slash + 1 : name;
    size_t n = strcspn(s, ".");
    snprintf(buf, len, "%.*s", (int)n, s);
}

static int count_same(const zp_import *im, int i, int by_ns)
{
    int same = 0;
    const import_app *a = &im->apps[i];
    for (int j = 0; j < im->napps; j++)
        same += strcmp(im->apps[j].base, a->base) == 0 &&
                (!by_ns || strcmp(im->apps[j].ns, a->ns) == 0);
    return same;
}

int import_name_workloads(zp_import *im)
{
    for (int i = 0; i < im->napps; i++) {
        import_app *a = &im->apps[i];
        char buf[1024];
        if (count_same(im, i, 0) == 1)
            snprintf(buf, sizeof buf, "%s", a->base);
        else if (count_same(im, i, 1) == 1)
            snprintf(buf, sizeof buf, "%s/%s", a->ns, a->base);
        else
            snprintf(buf, sizeof buf, "%s/%s/%s", a->ns, a->kind, a->base);
        zp_free(a->name);
        if (!(a->name = zp_strdup(buf)))
            return ZP_ERUNTIME;
    }
    for (int i = 0; i < im->napps; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(im->apps[i].name, im->apps[j].name) == 0)
                return zp_fail(ZP_EINPUT, "%s:%ld: workload %s appears twice (first at %s:%ld)",
                               im->apps[i].file, im->apps[i].line, im->apps[i].name,
                               im->apps[j].file, im->apps[j].line);
    return ZP_OK;
}

/* Apps of a call-graph-only import: every service seen. */
static int apps_from_services(zp_import *im)
{
    int rc = ZP_OK;
    for (int s = 0; s < im->calls.nnames; s++) {
        import_app *a = NULL;
        ZP_CHECK(import_add_app(im, im->calls.names[s], "default", "Service", "call graph", 0, &a));
        if (!(a->name = zp_strdup(im->calls.names[s])))
            return ZP_ERUNTIME;
    }
out:
    return rc;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* The app of each call-graph service (-1: none): exact name, then base name, then the base
 * name without regard to case; a base name two apps share matches neither. */
static int match_services(const zp_import *im, int *app_of)
{
    int rc = ZP_OK;
    zp_strmap *exact = NULL, *base = NULL, *folded = NULL;
    char **keys = NULL;
    int nkeys = 2 * im->napps;
    ZP_ALLOC(keys, nkeys);
    ZP_CHECK(strmap_create(&exact, im->napps));
    ZP_CHECK(strmap_create(&base, im->napps));
    ZP_CHECK(strmap_create(&folded, im->napps));
    for (int i = 0; i < im->napps; i++) {
        char buf[1024];
        int existing = -1;
        ZP_CHECK(strmap_put(exact, im->apps[i].name, i, &existing));
        import_base_name(im->apps[i].base, buf, sizeof buf);
        if (!(keys[2 * i] = zp_strdup(buf)))
            ZP_CHECK(ZP_ERUNTIME);
        lower(buf);
        if (!(keys[2 * i + 1] = zp_strdup(buf)))
            ZP_CHECK(ZP_ERUNTIME);
        ZP_CHECK(strmap_put(base, keys[2 * i], i, &existing)); /* shared names: count_same */
        ZP_CHECK(strmap_put(folded, keys[2 * i + 1], i, &existing));
    }
    for (int s = 0; s < im->calls.nnames; s++) {
        char buf[1024];
        const char *name = im->calls.names[s];
        int a = strmap_get(exact, name);
        if (a < 0) {
            import_base_name(name, buf, sizeof buf);
            a = strmap_get(base, buf);
            if (a >= 0 && count_same(im, a, 0) > 1)
                a = -1; /* ambiguous: two namespaces share the name */
            if (a < 0) {
                lower(buf);
                a = strmap_get(folded, buf);
                if (a >= 0 && count_same(im, a, 0) > 1)
                    a = -1;
            }
        }
        app_of[s] = a;
    }
out:
    for (int i = 0; keys && i < nkeys; i++)
        zp_free(keys[i]);
    zp_free(keys);
    strmap_destroy(&exact);
    strmap_destroy(&base);
    strmap_destroy(&folded);
    return rc;
}

typedef struct {
    int u, v;
    double w;
} dep;

static int dep_order(const void *a, const void *b)
{
    const dep *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

/* The dependencies between apps, merged where several services map to one app. */
static int app_dependencies(zp_import *im, const int *app_of, dep **out, int64_t *nout,
                            double *unmatched_calls)
{
    int rc = ZP_OK;
    const import_calls *c = &im->calls;
    dep *d = NULL;
    int64_t n = 0;
    ZP_ALLOC(d, c->size);
    *unmatched_calls = 0;
    for (int64_t i = 0; i < c->cap; i++) {
        if (!c->keys[i])
            continue;
        uint64_t key = c->keys[i] - 1;
        int u = app_of[key >> 32], v = app_of[key & 0xffffffffu];
        if (u < 0 || v < 0)
            *unmatched_calls += c->count[i];
        else if (u == v)
            im->self_calls++;
        else
            d[n++] = (dep){u, v, c->count[i]};
    }
    qsort(d, (size_t)n, sizeof *d, dep_order);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (m > 0 && d[m - 1].u == d[i].u && d[m - 1].v == d[i].v)
            d[m - 1].w += d[i].w;
        else
            d[m++] = d[i];
    }
    *out = d;
    *nout = m;
    d = NULL;
out:
    zp_free(d);
    return rc;
}

/* ---- the config ------------------------------------------------------------------------- */

static cJSON *demand_json(double cpu, double ram)
{
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddNumberToObject(o, "cpu", cpu);
        cJSON_AddNumberToObject(o, "ram", ram);
    }
    return o;
}

static int zone_index(const zp_import *im, const char *name)
{
    for (int z = 0; z < im->nzones; z++)
        if (strcmp(im->zones[z].name, name) == 0)
            return z;
    return -1;
}

/* K made-up zones "z0".."z{K-1}", each (1+slack)/K of the total demand (rounded up) when a
 * slack is given. */
static int made_up_zones(zp_import *im, const import_options *opt)
{
    double cpu = 0, ram = 0;
    for (int i = 0; i < im->napps; i++) {
        cpu += im->apps[i].replicas * im->apps[i].cpu;
        ram += im->apps[i].replicas * im->apps[i].ram;
    }
    for (int z = 0; z < opt->zones; z++) {
        char name[32];
        snprintf(name, sizeof name, "z%d", z);
        double f = opt->capacity_slack >= 0 ? (1 + opt->capacity_slack) / opt->zones : 0;
        if (import_add_to_zone(im, name, ceil(f * cpu), ceil(f * ram)) != ZP_OK)
            return ZP_ERUNTIME;
    }
    return ZP_OK;
}

static cJSON *zones_json(const zp_import *im, int limited)
{
    cJSON *zones = cJSON_CreateArray();
    for (int z = 0; zones && z < im->nzones; z++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(zones, o);
        cJSON_AddStringToObject(o, "name", im->zones[z].name);
        if (limited)
            cJSON_AddItemToObject(o, "capacity", demand_json(im->zones[z].cpu, im->zones[z].ram));
    }
    return zones;
}

static cJSON *apps_json(const zp_import *im)
{
    cJSON *apps = cJSON_CreateArray();
    for (int i = 0; apps && i < im->napps; i++) {
        const import_app *a = &im->apps[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(apps, o);
        cJSON_AddStringToObject(o, "name", a->name);
        cJSON_AddItemToObject(o, "demand",
                              demand_json(a->replicas * a->cpu, a->replicas * a->ram));
        if (a->zone && zone_index(im, a->zone) >= 0)
            cJSON_AddStringToObject(o, "current_zone", a->zone);
    }
    return apps;
}

static cJSON *deps_json(const zp_import *im, const dep *d, int64_t n)
{
    cJSON *deps = cJSON_CreateArray();
    for (int64_t i = 0; deps && i < n; i++) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(deps, e);
        cJSON_AddItemToArray(e, cJSON_CreateString(im->apps[d[i].u].name));
        cJSON_AddItemToArray(e, cJSON_CreateString(im->apps[d[i].v].name));
        cJSON_AddItemToArray(e, cJSON_CreateNumber(d[i].w));
    }
    return deps;
}

/* Reads the current placement from a CSV with columns app and zone (aliases name, workload,
 * deployment, service). */
static int read_current(zp_import *im, const char *path)
{
    static const char *const app_names[] = {"app", "name", "workload", "deployment", "service",
                                            NULL};
    static const char *const zone_names[] = {"zone", "current_zone", NULL};
    static const csv_role roles[2] = {{"app", app_names, 1}, {"zone", zone_names, 1}};
    int rc = ZP_OK, colof[2], got = 0;
    char ignored[CSVIN_NOTE];
    csv_records *c = NULL;
    ZP_CHECK(csvrec_open(&c, path));
    ZP_CHECK(csvrec_header(c, roles, 2, NULL, 0, "'app,zone'", colof, ignored));
    for (;;) {
        ZP_CHECK(csvrec_next(c, &got));
        if (!got)
            break;
        if (csvrec_count(c) <= colof[0] || csvrec_count(c) <= colof[1])
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s:%ld: expected the columns app and zone", path,
                             csvrec_line(c)));
        const char *app = csvrec_field(c, colof[0]), *zone = csvrec_field(c, colof[1]);
        int a = 0;
        while (a < im->napps && strcmp(im->apps[a].name, app) != 0)
            a++;
        if (a == im->napps)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s:%ld: unknown app '%s'", path, csvrec_line(c), app));
        if (zone_index(im, zone) < 0)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s:%ld: unknown zone '%s'", path, csvrec_line(c), zone));
        zp_free(im->apps[a].zone);
        if (!(im->apps[a].zone = zp_strdup(zone)))
            ZP_CHECK(ZP_ERUNTIME);
    }
out:
    csvrec_close(&c);
    return rc;
}

static void list_names(FILE *f, const char *what, const char *const *names, int n)
{
    fprintf(f, "zoneplace: note: import: %d %s:", n, what);
    for (int i = 0; i < n && i < LISTED; i++)
        fprintf(f, " %s", names[i]);
    fprintf(f, "%s\n", n > LISTED ? " ..." : "");
}

/* What did not match, what was skipped or defaulted. */
static int print_notes(const zp_import *im, const int *app_of, const dep *d, int64_t nd,
                       double unmatched_calls, FILE *f)
{
    int rc = ZP_OK, nu = 0, nq = 0;
    const char **unmatched = NULL, **quiet = NULL;
    unsigned char *called = NULL;
    ZP_ALLOC(unmatched, im->calls.nnames);
    ZP_ALLOC(quiet, im->napps);
    ZP_ALLOC(called, im->napps);
    for (int s = 0; s < im->calls.nnames; s++)
        if (app_of[s] < 0)
            unmatched[nu++] = im->calls.names[s];
    for (int64_t i = 0; i < nd; i++)
        called[d[i].u] = called[d[i].v] = 1;
    for (int a = 0; a < im->napps; a++)
        if (!called[a])
            quiet[nq++] = im->apps[a].name;
    fprintf(f, "zoneplace: note: import: %d apps, %d zones, %d call-graph services, %lld "
               "dependencies from %lld call records\n", im->napps, im->nzones, im->calls.nnames,
            (long long)nd, (long long)im->records);
    if (nu)
        list_names(f, "call-graph services match no workload (their calls skipped)", unmatched,
                   nu);
    if (nu)
        fprintf(f, "zoneplace: note: import: %g calls skipped with them\n", unmatched_calls);
    if (nq && im->calls.nnames)
        list_names(f, "workloads without calls", quiet, nq);
    if (im->other_objects)
        fprintf(f, "zoneplace: note: import: %lld other objects ignored (%s)\n",
                (long long)im->other_objects, im->other_kinds);
    if (im->missing_requests)
        fprintf(f, "zoneplace: note: import: %lld containers without a cpu or memory request "
                   "(read as 0)\n", (long long)im->missing_requests);
    if (im->nodes_without_zone)
        fprintf(f, "zoneplace: note: import: %lld nodes without a topology.kubernetes.io/zone "
                   "label ignored\n", (long long)im->nodes_without_zone);
    if (im->unknown_rows)
        fprintf(f, "zoneplace: note: import: %lld call records without a service (UNKNOWN, "
                   "empty) skipped\n", (long long)im->unknown_rows);
    if (im->self_calls)
        fprintf(f, "zoneplace: note: import: %lld self-calls skipped\n",
                (long long)im->self_calls);
    if (im->zero_counts)
        fprintf(f, "zoneplace: note: import: %lld caller-callee pairs with 0 calls dropped\n",
                (long long)im->zero_counts);
out:
    zp_free(unmatched);
    zp_free(quiet);
    zp_free(called);
    return rc;
}

/* Dependencies of weight 0 cannot go into a config (weights are > 0 there). */
static int64_t drop_zero(zp_import *im, dep *d, int64_t n)
{
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (d[i].w > 0)
            d[m++] = d[i];
        else
            im->zero_counts++;
    }
    return m;
}

int import_write_config(zp_import *im, const import_options *opt, const char *path, FILE *notes)
{
    int rc = ZP_OK;
    int *app_of = NULL;
    dep *d = NULL;
    int64_t nd = 0;
    double unmatched_calls = 0;
    cJSON *root = NULL;
    char *text = NULL;
    if (opt->calls_only)
        ZP_CHECK(apps_from_services(im));
    if (im->napps == 0)
        return zp_fail(ZP_EINPUT, "import: no workloads found (Deployment, StatefulSet, "
                                  "DaemonSet) and no call-graph services");
    if (im->nzones == 0 && opt->zones < 1)
        return zp_fail(ZP_EUSAGE, "import: no zones: give nodes (kind Node with a "
                                  "topology.kubernetes.io/zone label) or --zones K");
    int limited = im->nzones > 0 || opt->capacity_slack >= 0;
    if (im->nzones == 0)
        ZP_CHECK(made_up_zones(im, opt));
    if (opt->current)
        ZP_CHECK(read_current(im, opt->current));
    ZP_ALLOC(app_of, im->calls.nnames);
    ZP_CHECK(match_services(im, app_of));
    ZP_CHECK(app_dependencies(im, app_of, &d, &nd, &unmatched_calls));
    nd = drop_zero(im, d, nd);
    if (!(root = cJSON_CreateObject()))
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    cJSON_AddStringToObject(root, "name", opt->name);
    cJSON_AddStringToObject(root, "description", opt->description);
    cJSON *res = cJSON_AddArrayToObject(root, "resources");
    cJSON_AddItemToArray(res, cJSON_CreateString("cpu"));
    cJSON_AddItemToArray(res, cJSON_CreateString("ram"));
    cJSON_AddStringToObject(root, "capacity_mode", "cumulative");
    cJSON *obj = cJSON_AddObjectToObject(root, "objective");
    cJSON_AddNumberToObject(obj, "imbalance", opt->imbalance);
    cJSON_AddItemToObject(root, "zones", zones_json(im, limited));
    cJSON_AddItemToObject(root, "apps", apps_json(im));
    cJSON_AddItemToObject(root, "dependencies", deps_json(im, d, nd));
    if (!(text = cJSON_Print(root)))
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    if (notes)
        ZP_CHECK(print_notes(im, app_of, d, nd, unmatched_calls, notes));
    ZP_CHECK(report_write_text(path, text));
out:
    cJSON_free(text);
    cJSON_Delete(root);
    zp_free(app_of);
    zp_free(d);
    return rc;
}
