/* export.c - Kubernetes patches and a capacity-safe migration plan from a run's placement (see
 * export.h). */
#include "export.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "import.h"
#include "import_k8s.h"
#include "jsonin.h"
#include "report.h"
#include "strmap.h"
#include "textin.h"
#include "util.h"

/* ---- the placement of the summary --------------------------------------------------------- */

static int read_placement(const char *path, const zp_problem *p, int **x)
{
    int rc = ZP_OK;
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    int *out = NULL;
    ZP_CHECK(zp_read_file(path, &text, &len));
    ZP_CHECK(json_parse(path, text, len, &root));
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tasks, 0), "placement");
    if (!cJSON_IsArray(pl) || cJSON_GetArraySize(pl) != p->n)
        ZP_CHECK(json_error(path, "tasks[0].placement", "expected %d zone indices (one per app "
                            "of the config)", p->n));
    ZP_ALLOC(out, p->n);
    int u = 0;
    for (const cJSON *z = pl->child; z; z = z->next, u++) {
        char zp[ZP_JSON_PATH];
        double v = 0;
        json_index_path(zp, "tasks[0].placement", u);
        ZP_CHECK(json_number(path, zp, z, 0, p->k - 1, 1, &v));
        out[u] = (int)v;
    }
    *x = out;
    out = NULL;
out:
    zp_free(out);
    cJSON_Delete(root);
    zp_free(text);
    return rc;
}

/* ---- patches ------------------------------------------------------------------------------ */

/* s as a YAML double-quoted scalar (JSON string escapes are valid there). */
static void put_quoted(FILE *f, const char *s)
{
    cJSON *str = cJSON_CreateString(s);
    char *text = str ? cJSON_PrintUnformatted(str) : NULL;
    fputs(text ? text : "\"\"", f);
    cJSON_free(text);
    cJSON_Delete(str);
}

static void put_patch(FILE *f, const import_app *w, const char *zone)
{
    fprintf(f, "---\n# zoneplace: %s %s/%s runs in zone %s\napiVersion: apps/v1\nkind: %s\n"
               "metadata:\n  name: ", w->kind, w->ns, w->base, zone, w->kind);
    put_quoted(f, w->base);
    fputs("\n  namespace: ", f);
    put_quoted(f, w->ns);
    fputs("\nspec:\n  template:\n    spec:\n      affinity:\n        nodeAffinity:\n"
          "          requiredDuringSchedulingIgnoredDuringExecution:\n"
          "            nodeSelectorTerms:\n            - matchExpressions:\n"
          "              - key: " K8S_ZONE_LABEL "\n                operator: In\n"
          "                values: [", f);
    put_quoted(f, zone);
    fputs("]\n", f);
}

/* The workload of each app (-1: none in the manifests). */
static int workloads_of(const zp_problem *p, const zp_import *im, int *w)
{
    int rc = ZP_OK, existing = -1;
    zp_strmap *names = NULL;
    ZP_CHECK(strmap_create(&names, im->napps));
    for (int i = 0; i < im->napps; i++)
        ZP_CHECK(strmap_put(names, im->apps[i].name, i, &existing));
    for (int u = 0; u < p->n; u++)
        w[u] = strmap_get(names, p->app_names[u]);
out:
    strmap_destroy(&names);
    return rc;
}

/* Text outputs are composed in memory and written by report_write_text (NAME.partial, then a
 * rename), like the summary. */
typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} text_out;

static int text_begin(text_out *t)
{
    t->buf = NULL;
    t->len = 0;
    t->f = open_memstream(&t->buf, &t->len);
    return t->f ? ZP_OK : zp_fail(ZP_ERUNTIME, "out of memory");
}

static int text_finish(text_out *t, const char *path)
{
    int bad = ferror(t->f);
    bad |= fclose(t->f) != 0;
    int rc = bad ? zp_fail(ZP_ERUNTIME, "out of memory") : report_write_text(path, t->buf);
    free(t->buf); /* open_memstream's buffer */
    return rc;
}

static int write_patches(const char *path, const zp_problem *p, const zp_import *im,
                         const int *w, const int *x)
{
    text_out t;
    if (text_begin(&t) != ZP_OK)
        return ZP_ERUNTIME;
    for (int u = 0; u < p->n; u++)
        if (w[u] >= 0)
            put_patch(t.f, &im->apps[w[u]], p->zone_names[x[u]]);
    return text_finish(&t, path);
}

/* ---- the migration plan ------------------------------------------------------------------- */

typedef struct {
    int app, from, to; /* from -1: placed for the first time */
    double cost;
    const char *reason; /* move, place, detour */
} step;

typedef struct {
    const zp_problem *p;
    int *at;       /* [n] zone of each app now (-1: not placed yet) */
    double *load;  /* [k * nres] */
    int *count;    /* [k] */
    unsigned char *detoured; /* [n] an app steps aside at most once (no ping-pong) */
    step *steps;
    int64_t nsteps, cap;
} plan;

static int room_for(const plan *pl, int u, int z)
{
    const zp_problem *p = pl->p;
    if (pl->count[z] + 1 > p->slots[z])
        return 0;
    for (int r = 0; r < p->nres; r++) {
        double d = problem_demand(p, u, r), cap = problem_capacity(p, z, r);
        double after = p->capacity_mode == ZP_CUMULATIVE ? pl->load[z * p->nres + r] + d : d;
        if (after > cap * (1 + 1e-12))
            return 0;
    }
    return 1;
}

static int apply(plan *pl, int u, int z, const char *reason)
{
    const zp_problem *p = pl->p;
    if (text_grow_array((void **)&pl->steps, &pl->cap, pl->nsteps + 1, sizeof *pl->steps) != ZP_OK)
        return ZP_ERUNTIME;
    int from = pl->at[u];
    double cost = from >= 0 ? p->move_factor * p->size[u] * p->dist[from * p->k + z] : 0;
    pl->steps[pl->nsteps++] = (step){u, from, z, cost, from < 0 ? "place" : reason};
    for (int r = 0; r < p->nres; r++) {
        pl->load[z * p->nres + r] += problem_demand(p, u, r);
        if (from >= 0)
            pl->load[from * p->nres + r] -= problem_demand(p, u, r);
    }
    pl->count[z]++;
    if (from >= 0)
        pl->count[from]--;
    pl->at[u] = z;
    return ZP_OK;
}

/* One pass over the waiting apps: each whose target has room moves. Returns how many moved. */
static int pass(plan *pl, const int *x, int *moved, int *rc)
{
    int progress = 0;
    for (int u = 0; u < pl->p->n && *rc == ZP_OK; u++) {
        if (pl->at[u] != x[u] && room_for(pl, u, x[u])) {
            *rc = apply(pl, u, x[u], "move");
            progress++;
            (*moved)++;
        }
    }
    return progress;
}

/* Every remaining move waits for room: the first waiting app that has not stepped aside yet
 * and can, to a third zone with room, does. 0 when none can. */
static int detour(plan *pl, const int *x, int *rc)
{
    const zp_problem *p = pl->p;
    for (int u = 0; u < p->n; u++) {
        if (pl->at[u] < 0 || pl->at[u] == x[u] || pl->detoured[u])
            continue;
        for (int z = 0; z < p->k; z++) {
            if (z != pl->at[u] && z != x[u] && room_for(pl, u, z)) {
                pl->detoured[u] = 1;
                *rc = apply(pl, u, z, "detour");
                return 1;
            }
        }
    }
    return 0;
}

static int make_plan(plan *pl, const zp_problem *p, const int *x)
{
    int rc = ZP_OK, pending = 0, moved = 0;
    pl->p = p;
    ZP_ALLOC(pl->at, p->n);
    ZP_ALLOC(pl->load, (int64_t)p->k * p->nres);
    ZP_ALLOC(pl->count, p->k);
    ZP_ALLOC(pl->detoured, p->n);
    for (int u = 0; u < p->n; u++) {
        int z = p->current ? p->current[u] : -1;
        pl->at[u] = z;
        pending += z != x[u];
        if (z < 0)
            continue;
        pl->count[z]++;
        for (int r = 0; r < p->nres; r++)
            pl->load[z * p->nres + r] += problem_demand(p, u, r);
    }
    while (moved < pending && rc == ZP_OK) {
        if (pass(pl, x, &moved, &rc) > 0 || rc != ZP_OK)
            continue;
        if (!detour(pl, x, &rc)) {
            int u = 0;
            while (pl->at[u] == x[u])
                u++;
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: no capacity-safe order of the moves: app '%s' "
                             "cannot enter zone %s and no app can step aside",
                             p->source ? p->source : "config", p->app_names[u],
                             p->zone_names[x[u]]));
        }
    }
out:
    return rc;
}

static void plan_free(plan *pl)
{
    zp_free(pl->at);
    zp_free(pl->load);
    zp_free(pl->count);
    zp_free(pl->detoured);
    zp_free(pl->steps);
}

/* A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
static void put_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static const char *zone_or_empty(const zp_problem *p, int z) { return z >= 0 ? p->zone_names[z] : ""; }

static int write_plan_csv(const char *path, const plan *pl, const zp_import *im, const int *w)
{
    const zp_problem *p = pl->p;
    text_out t;
    if (text_begin(&t) != ZP_OK)
        return ZP_ERUNTIME;
    FILE *f = t.f;
    fputs("step,app,kind,namespace,from,to,move_cost,reason\n", f);
    for (int64_t i = 0; i < pl->nsteps; i++) {
        const step *s = &pl->steps[i];
        const import_app *a = w[s->app] >= 0 ? &im->apps[w[s->app]] : NULL;
        fprintf(f, "%lld,", (long long)i + 1);
        put_csv_field(f, p->app_names[s->app]);
        fprintf(f, ",%s,", a ? a->kind : "");
        put_csv_field(f, a ? a->ns : "");
        fputc(',', f);
        put_csv_field(f, zone_or_empty(p, s->from));
        fputc(',', f);
        put_csv_field(f, p->zone_names[s->to]);
        fprintf(f, ",%.17g,%s%s", s->cost, s->reason, i + 1 < pl->nsteps ? "\n" : "");
    }
    return text_finish(&t, path);
}

static int write_plan_json(const char *path, const plan *pl, const zp_import *im, const int *w)
{
    const zp_problem *p = pl->p;
    int rc = ZP_OK;
    char *text = NULL;
    double total = 0;
    int moves = 0;
    cJSON *root = cJSON_CreateObject();
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (int64_t i = 0; steps && i < pl->nsteps; i++) {
        const step *s = &pl->steps[i];
        const import_app *a = w[s->app] >= 0 ? &im->apps[w[s->app]] : NULL;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(steps, o);
        cJSON_AddNumberToObject(o, "step", (double)i + 1);
        cJSON_AddStringToObject(o, "app", p->app_names[s->app]);
        if (a) {
            cJSON_AddStringToObject(o, "kind", a->kind);
            cJSON_AddStringToObject(o, "namespace", a->ns);
        }
        if (s->from >= 0)
            cJSON_AddStringToObject(o, "from", p->zone_names[s->from]);
        else
            cJSON_AddNullToObject(o, "from");
        cJSON_AddStringToObject(o, "to", p->zone_names[s->to]);
        cJSON_AddNumberToObject(o, "move_cost", s->cost);
        cJSON_AddStringToObject(o, "reason", s->reason);
        total += s->cost;
        moves += s->from >= 0;
    }
    cJSON_AddNumberToObject(root, "moves", moves);
    cJSON_AddNumberToObject(root, "total_move_cost", total);
    if (!root || !steps || !(text = cJSON_Print(root)))
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    ZP_CHECK(report_write_text(path, text));
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

int export_k8s(const export_options *o, FILE *notes)
{
    int rc = ZP_OK;
    zp_config *cfg = NULL;
    zp_import im;
    int *x = NULL, *w = NULL;
    plan pl;
    memset(&pl, 0, sizeof pl);
    import_init(&im);
    ZP_CHECK(config_load(o->config, &cfg));
    const zp_problem *p = cfg->arrivals ? cfg->arrivals : cfg->base;
    ZP_CHECK(read_placement(o->summary, p, &x));
    for (int i = 0; i < o->nmanifests; i++)
        ZP_CHECK(import_k8s_file(&im, o->manifests[i]));
    ZP_CHECK(import_name_workloads(&im));
    ZP_ALLOC(w, p->n);
    ZP_CHECK(workloads_of(p, &im, w));
    ZP_CHECK(make_plan(&pl, p, x));
    if (o->out)
        ZP_CHECK(write_patches(o->out, p, &im, w, x));
    if (o->plan_csv)
        ZP_CHECK(write_plan_csv(o->plan_csv, &pl, &im, w));
    if (o->plan_json)
        ZP_CHECK(write_plan_json(o->plan_json, &pl, &im, w));
    if (notes) {
        int without = 0, detours = 0;
        for (int u = 0; u < p->n; u++)
            without += w[u] < 0;
        for (int64_t i = 0; i < pl.nsteps; i++)
            detours += strcmp(pl.steps[i].reason, "detour") == 0;
        fprintf(notes, "zoneplace: note: export: %d patches, %lld plan steps (%d detours)\n",
                p->n - without, (long long)pl.nsteps, detours);
        if (without)
            fprintf(notes, "zoneplace: note: export: %d apps have no workload in the manifests "
                           "(no patch)\n", without);
    }
out:
    plan_free(&pl);
    zp_free(x);
    zp_free(w);
    import_free(&im);
    config_destroy(&cfg);
    return rc;
}
