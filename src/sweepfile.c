/* sweepfile.c - sweep file parsing, expansion, per-task problems, selection and scheduling
 * (see sweepfile.h). */
#include "sweepfile.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphio.h"
#include "jsonin.h"
#include "pipeline.h"
#include "topology.h"
#include "util.h"

#define MAX_TASKS 1000000
#define MAX_LIST 100000

const char *sweep_capmode_name(int mode)
{
    return mode == ZP_CUMULATIVE ? "cumulative" : "per_app";
}

/* ---- messages and small readers ------------------------------------------------------------ */

/* root[key]: a number or a non-empty list of distinct numbers in [lo, hi]. */
static int read_num_list(const char *file, const cJSON *root, const char *key, double lo,
                         double hi, int integer, double **vals, int *count)
{
    int rc = ZP_OK;
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(root, key);
    *count = 0;
    if (!node)
        return ZP_OK;
    char path[ZP_JSON_PATH];
    if (cJSON_IsArray(node)) {
        int size = cJSON_GetArraySize(node);
        if (size == 0)
            return json_error(file, key, "expected a non-empty list");
        if (size > MAX_LIST)
            return json_error(file, key, "at most %d values", MAX_LIST);
        ZP_ALLOC(*vals, size);
        int i = 0;
        for (const cJSON *c = node->child; c; c = c->next, i++) {
            snprintf(path, sizeof path, "%s[%d]", key, i);
            ZP_CHECK(json_number(file, path, c, lo, hi, integer, &(*vals)[i]));
            for (int j = 0; j < i; j++)
                if ((*vals)[j] == (*vals)[i])
                    return json_error(file, path, "%g is listed twice", (*vals)[i]);
        }
        *count = size;
    } else {
        ZP_ALLOC(*vals, 1);
        ZP_CHECK(json_number(file, key, node, lo, hi, integer, &(*vals)[0]));
        *count = 1;
    }
out:
    return rc;
}

static int read_int_list(const char *file, const cJSON *root, const char *key, double lo,
                         double hi, int **vals, int *count)
{
    int rc = ZP_OK;
    double *d = NULL;
    ZP_CHECK(read_num_list(file, root, key, lo, hi, 1, &d, count));
    if (*count) {
        ZP_ALLOC(*vals, *count);
        for (int i = 0; i < *count; i++)
            (*vals)[i] = (int)d[i];
    }
out:
    zp_free(d);
    return rc;
}

static int parse_capmode(const char *file, const char *path, const cJSON *node, int *mode)
{
    if (cJSON_IsString(node) && strcmp(node->valuestring, "per_app") == 0)
        *mode = ZP_PER_APP;
    else if (cJSON_IsString(node) && strcmp(node->valuestring, "cumulative") == 0)
        *mode = ZP_CUMULATIVE;
    else
        return json_error(file, path, "expected \"per_app\" or \"cumulative\"");
    return ZP_OK;
}

static int read_capmodes(const char *file, const cJSON *root, sweep_def *s)
{
    int rc = ZP_OK;
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(root, "capacity_mode");
    if (!node)
        return ZP_OK;
    if (!cJSON_IsArray(node)) {
        ZP_ALLOC(s->capmode, 1);
        ZP_CHECK(parse_capmode(file, "capacity_mode", node, &s->capmode[0]));
        s->ncapmode = 1;
        goto out;
    }
    int size = cJSON_GetArraySize(node);
    if (size == 0)
        return json_error(file, "capacity_mode", "expected a non-empty list");
    ZP_ALLOC(s->capmode, size);
    int i = 0;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        char path[ZP_JSON_PATH];
        snprintf(path, sizeof path, "capacity_mode[%d]", i);
        if (i >= 2)
            return json_error(file, path, "only \"per_app\" and \"cumulative\" exist");
        ZP_CHECK(parse_capmode(file, path, c, &s->capmode[i]));
        if (i == 1 && s->capmode[0] == s->capmode[1])
            return json_error(file, path, "listed twice");
    }
    s->ncapmode = size;
out:
    return rc;
}

/* ---- instances ------------------------------------------------------------------------------ */

/* path relative to the folder of file (unless absolute). */
static char *resolve_path(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    if (path[0] == '/' || !slash)
        return zp_strdup(path);
    size_t dlen = (size_t)(slash - file) + 1, plen = strlen(path);
    char *full = zp_malloc(dlen + plen + 1);
    if (!full)
        return NULL;
    memcpy(full, file, dlen);
    memcpy(full + dlen, path, plen + 1);
    return full;
}

static int read_instance(const char *file, const char *path, const cJSON *node,
                         sweep_instance *in)
{
    int rc = ZP_OK;
    const char *where = NULL, *name = NULL;
    in->kind = SWEEP_INST_CONFIG;
    if (cJSON_IsString(node) && node->valuestring[0]) {
        where = node->valuestring;
    } else if (cJSON_IsObject(node)) {
        static const char *const keys[] = {"config", "graph", "name", NULL};
        ZP_CHECK(json_check_keys(file, path, node, keys));
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(node, "config");
        const cJSON *graph = cJSON_GetObjectItemCaseSensitive(node, "graph");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(node, "name");
        if (!!cfg == !!graph)
            return json_error(file, path, "expected exactly one of \"config\" and \"graph\"");
        const cJSON *src = cfg ? cfg : graph;
        if (!cJSON_IsString(src) || !src->valuestring[0])
            return json_error(file, path, "\"%s\": expected a file name",
                               cfg ? "config" : "graph");
        where = src->valuestring;
        in->kind = cfg ? SWEEP_INST_CONFIG : SWEEP_INST_GRAPH;
        if (nm) {
            if (!cJSON_IsString(nm) || !nm->valuestring[0])
                return json_error(file, path, "\"name\": expected a non-empty string");
            name = nm->valuestring;
        }
    } else {
        return json_error(file, path,
                           "expected a config file name or {\"config\"|\"graph\": file, "
                           "\"name\": ...}");
    }
    if (!(in->path = resolve_path(file, where)))
        return ZP_ERUNTIME;
    if (name && !(in->name = zp_strdup(name)))
        return ZP_ERUNTIME;
out:
    return rc;
}

static int read_instances(const char *file, const cJSON *root, sweep_def *s)
{
    int rc = ZP_OK;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "instances");
    if (!arr)
        return json_error(file, "instances", "missing (required)");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return json_error(file, "instances", "expected a non-empty list");
    int count = cJSON_GetArraySize(arr);
    ZP_ALLOC(s->inst, count);
    s->ninst = count;
    int i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        char path[ZP_JSON_PATH];
        snprintf(path, sizeof path, "instances[%d]", i);
        ZP_CHECK(read_instance(file, path, c, &s->inst[i]));
    }
out:
    return rc;
}

/* ---- zone template and search options ------------------------------------------------------- */

static int read_template(const char *file, const cJSON *root, sweep_def *s)
{
    int rc = ZP_OK;
    static const char *const keys[] = {"capacity", "slots", "io", NULL};
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "zone_template");
    s->cap_kind = SWEEP_CAP_SPLIT;
    s->slots = ZP_UNLIMITED_SLOTS;
    s->io = 1;
    if (!t)
        return ZP_OK;
    if (!cJSON_IsObject(t))
        return json_error(file, "zone_template", "expected an object");
    ZP_CHECK(json_check_keys(file, "zone_template", t, keys));
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(t, "capacity");
    if (cJSON_IsString(cap) && strcmp(cap->valuestring, "split") == 0) {
        s->cap_kind = SWEEP_CAP_SPLIT;
    } else if (cJSON_IsString(cap) && strcmp(cap->valuestring, "max") == 0) {
        s->cap_kind = SWEEP_CAP_MAX;
    } else if (cJSON_IsObject(cap)) {
        s->cap_kind = SWEEP_CAP_FIXED;
        int count = cJSON_GetArraySize(cap);
        ZP_ALLOC(s->cap_names, count);
        ZP_ALLOC(s->cap_values, count);
        for (const cJSON *c = cap->child; c; c = c->next) {
            char path[ZP_JSON_PATH];
            snprintf(path, sizeof path, "zone_template.capacity.%s", c->string);
            for (int j = 0; j < s->ncap; j++)
                if (strcmp(s->cap_names[j], c->string) == 0)
                    return json_error(file, path, "given twice");
            ZP_CHECK(json_number(file, path, c, 0, 1e15, 0, &s->cap_values[s->ncap]));
            if (!(s->cap_names[s->ncap] = zp_strdup(c->string)))
                ZP_CHECK(ZP_ERUNTIME);
            s->ncap++;
        }
    } else if (cap) {
        return json_error(file, "zone_template.capacity",
                           "expected \"split\", \"max\" or {\"resource\": capacity, ...}");
    }
    const cJSON *slots = cJSON_GetObjectItemCaseSensitive(t, "slots");
    if (slots) {
        double v;
        ZP_CHECK(json_number(file, "zone_template.slots", slots, 1, ZP_UNLIMITED_SLOTS - 1, 1, &v));
        s->slots = (int)v;
    }
    const cJSON *io = cJSON_GetObjectItemCaseSensitive(t, "io");
    if (io) {
        if (!cJSON_IsBool(io))
            return json_error(file, "zone_template.io", "expected true or false");
        s->io = cJSON_IsTrue(io) ? 1 : 0;
    }
out:
    return rc;
}

/* The "search" section: the options table's keys a sweep takes (options.h); seed and starts
 * are sweep parameters here. */
static int read_search(const char *file, const cJSON *root, sweep_def *s)
{
    options_default(&s->search);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "search");
    if (!o)
        return ZP_OK;
    if (!cJSON_IsObject(o))
        return json_error(file, "search", "expected an object");
    for (const cJSON *c = o->child; c; c = c->next)
        if (strcmp(c->string, "seed") == 0 || strcmp(c->string, "starts") == 0)
            return json_error(file, "search",
                               "\"%s\" is a sweep parameter here: use the top-level \"%s\"",
                               c->string, c->string[1] == 'e' ? "seeds" : "starts");
    return options_read_json(file, o, ZP_OPTS_SWEEP, &s->search, &s->search_given);
}

/* ---- expansion ------------------------------------------------------------------------------- */

static int expand(sweep_def *s)
{
    int rc = ZP_OK;
    int64_t dims[8] = {s->ninst, ZP_MAX(s->nzones, 1), ZP_MAX(s->ncapmode, 1), ZP_MAX(s->nimb, 1),
                       ZP_MAX(s->nreq, 1), ZP_MAX(s->nmove, 1), ZP_MAX(s->nstarts, 1),
                       ZP_MAX(s->nseeds, 1)};
    int64_t total = 1;
    for (int d = 0; d < 8; d++) {
        total *= dims[d];
        if (total > MAX_TASKS)
            return zp_fail(ZP_EINPUT, "%s: the sweep expands to more than %d tasks", s->source,
                           MAX_TASKS);
    }
    ZP_ALLOC(s->tasks, total);
    s->ntasks = (int)total;
    for (int64_t id = 0; id < total; id++) {
        int64_t idx[8], rest = id;
        for (int d = 7; d >= 0; d--) {
            idx[d] = rest % dims[d];
            rest /= dims[d];
        }
        sweep_task *t = &s->tasks[id];
        t->id = (int)id;
        t->instance = (int)idx[0];
        /* unresolved markers; sweep_resolve fills in the instance's values */
        t->zones = s->nzones ? s->zones[idx[1]] : 0;
        t->capacity_mode = s->ncapmode ? s->capmode[idx[2]] : -1;
        t->imbalance = s->nimb ? s->imbalance[idx[3]] : -1;
        t->requests = s->nreq ? s->requests[idx[4]] : -1;
        t->move_factor = s->nmove ? s->move_factor[idx[5]] : -1;
        t->starts = s->nstarts ? s->starts[idx[6]] : 0;
        t->seed = s->nseeds ? s->seeds[idx[7]] : 0;
    }
out:
    return rc;
}

static int parse_tree(const char *file, const cJSON *root, sweep_def *s)
{
    int rc = ZP_OK;
    double *seeds = NULL;
    static const char *const keys[] = {"name",     "description",   "instances", "zones",
                                       "seeds",    "starts",        "capacity_mode",
                                       "imbalance", "requests",     "move_factor",
                                       "zone_template", "search",   NULL};
    if (!cJSON_IsObject(root))
        return zp_fail(ZP_EINPUT, "%s: (top level): expected a JSON object", file);
    ZP_CHECK(json_check_keys(file, "(top level)", root, keys));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (name && (!cJSON_IsString(name) || !name->valuestring[0]))
        return json_error(file, "name", "expected a non-empty string");
    if (desc && !cJSON_IsString(desc))
        return json_error(file, "description", "expected a string");
    if (name && !(s->name = zp_strdup(name->valuestring)))
        ZP_CHECK(ZP_ERUNTIME);
    if (desc && !(s->description = zp_strdup(desc->valuestring)))
        ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(read_instances(file, root, s));
    ZP_CHECK(read_int_list(file, root, "zones", 1, 1000000, &s->zones, &s->nzones));
    ZP_CHECK(read_num_list(file, root, "seeds", 0, 9007199254740991.0, 1, &seeds, &s->nseeds));
    if (s->nseeds) {
        ZP_ALLOC(s->seeds, s->nseeds);
        for (int i = 0; i < s->nseeds; i++)
            s->seeds[i] = (uint64_t)seeds[i];
    }
    ZP_CHECK(read_int_list(file, root, "starts", 1, 1000000, &s->starts, &s->nstarts));
    ZP_CHECK(read_capmodes(file, root, s));
    ZP_CHECK(read_num_list(file, root, "imbalance", 0, 10, 0, &s->imbalance, &s->nimb));
    ZP_CHECK(read_num_list(file, root, "requests", 1e-9, 1e9, 0, &s->requests, &s->nreq));
    ZP_CHECK(read_num_list(file, root, "move_factor", 0, 1e9, 0, &s->move_factor, &s->nmove));
    ZP_CHECK(read_template(file, root, s));
    if (!s->nzones && cJSON_GetObjectItemCaseSensitive(root, "zone_template"))
        ZP_CHECK(json_error(file, "zone_template", "only used with \"zones\" (a zone-count sweep)"));
    ZP_CHECK(read_search(file, root, s));
    ZP_CHECK(expand(s));
    if (!(s->resolved_json = cJSON_PrintUnformatted(root)))
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
out:
    zp_free(seeds);
    return rc;
}

int sweep_parse(const char *file, const char *text, sweep_def **out)
{
    int rc = ZP_OK;
    cJSON *root = NULL;
    sweep_def *s = zp_calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return ZP_ERUNTIME;
    if (!(s->source = zp_strdup(file)))
        ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(json_parse(file, text, strlen(text), &root));
    ZP_CHECK(parse_tree(file, root, s));
    *out = s;
    s = NULL;
out:
    cJSON_Delete(root);
    sweep_destroy(&s);
    return rc;
}

int sweep_load(const char *path, sweep_def **out)
{
    int rc = ZP_OK;
    char *text = NULL;
    size_t len = 0;
    ZP_CHECK(zp_read_file(path, &text, &len));
    if (strlen(text) != len)
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: contains a NUL byte", path));
    ZP_CHECK(sweep_parse(path, text, out));
out:
    zp_free(text);
    return rc;
}

void sweep_destroy(sweep_def **ps)
{
    sweep_def *s = ps ? *ps : NULL;
    if (!s)
        return;
    for (int i = 0; s->inst && i < s->ninst; i++) {
        zp_free(s->inst[i].name);
        zp_free(s->inst[i].path);
    }
    for (int i = 0; s->cap_names && i < s->ncap; i++)
        zp_free(s->cap_names[i]);
    zp_free(s->cap_names);
    zp_free(s->cap_values);
    zp_free(s->inst);
    zp_free(s->zones);
    zp_free(s->seeds);
    zp_free(s->starts);
    zp_free(s->capmode);
    zp_free(s->imbalance);
    zp_free(s->requests);
    zp_free(s->move_factor);
    zp_free(s->tasks);
    zp_free(s->source);
    zp_free(s->name);
    zp_free(s->description);
    cJSON_free(s->resolved_json);
    zp_free(s);
    *ps = NULL;
}

/* ---- instances, resolution, options ---------------------------------------------------------- */

int sweep_instance_load(const sweep_def *s, int i, zp_config **out)
{
    int rc = ZP_OK;
    const sweep_instance *in = &s->inst[i];
    *out = NULL;
    if (in->kind == SWEEP_INST_CONFIG) {
        rc = config_load(in->path, out);
        if (rc != ZP_OK)
            zp_error_prefix("%s: instances[%d]: ", s->source, i);
        return rc;
    }
    zp_config *cfg = zp_calloc(1, sizeof *cfg);
    if (!cfg)
        return ZP_ERUNTIME;
    options_default(&cfg->options);
    rc = graphio_read_metis(in->path, &cfg->base);
    if (rc != ZP_OK) {
        zp_error_prefix("%s: instances[%d]: ", s->source, i);
        config_destroy(&cfg);
        return rc;
    }
    cfg->base_apps = cfg->base->n;
    *out = cfg;
    return ZP_OK;
}

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *name = zp_strdup(b);
    char *dot = name ? strrchr(name, '.') : NULL;
    if (dot && dot != name)
        *dot = '\0';
    return name;
}

int sweep_resolve(sweep_def *s, const sweep_instance_data *data)
{
    for (int i = 0; i < s->ninst; i++) {
        if (s->inst[i].name)
            continue;
        const zp_problem *p = data[i].base;
        s->inst[i].name = s->inst[i].kind == SWEEP_INST_CONFIG && p->name &&
                                  strcmp(p->name, s->inst[i].path) != 0
                              ? zp_strdup(p->name)
                              : base_name(s->inst[i].path);
        if (!s->inst[i].name)
            return ZP_ERUNTIME;
    }
    for (int i = 0; i < s->ninst; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(s->inst[i].name, s->inst[j].name) == 0)
                return zp_fail(ZP_EINPUT,
                               "%s: instances[%d]: name \"%s\" is also instances[%d]'s (give "
                               "{\"config\": ..., \"name\": ...})",
                               s->source, i, s->inst[i].name, j);
    for (int id = 0; id < s->ntasks; id++) {
        sweep_task *t = &s->tasks[id];
        const sweep_instance_data *d = &data[t->instance];
        const zp_problem *p = d->base;
        if (!s->nzones) {
            if (p->k < 1)
                return zp_fail(ZP_EINPUT,
                               "%s: instances[%d]: the graph %s has no zones: give \"zones\"",
                               s->source, t->instance, s->inst[t->instance].path);
            t->zones = p->k;
        }
        if (!s->nseeds)
            t->seed = d->options.seed;
        if (!s->nstarts)
            t->starts = d->options.starts;
        if (!s->ncapmode)
            t->capacity_mode = p->capacity_mode;
        if (!s->nimb)
            t->imbalance = p->imbalance;
        if (!s->nreq)
            t->requests = p->requests;
        if (!s->nmove)
            t->move_factor = p->move_factor;
        const zp_problem *fin = d->arrivals ? d->arrivals : p;
        t->apps = fin->n;
        double edges = fin->xadj ? (double)fin->xadj[fin->n] / 2 : 0;
        t->cost = (double)t->starts * ((double)fin->n + edges) * (double)t->zones;
    }
    return ZP_OK;
}

void sweep_task_options(const sweep_def *s, const sweep_task *t, const zp_options *inst,
                        zp_options *out)
{
    *out = *inst;
    options_apply(out, &s->search, s->search_given);
    out->seed = t->seed;
    out->starts = t->starts;
}

/* ---- the task problem ---------------------------------------------------------------------- */

static int task_error(const sweep_def *s, const sweep_task *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int task_error(const sweep_def *s, const sweep_task *t, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return zp_fail(ZP_EINPUT, "%s: task %d (instance %s, %d zones): %s", s->source, t->id,
                   s->inst[t->instance].name ? s->inst[t->instance].name : "?", t->zones, msg);
}

/* Replaces p's zones with K identical ones from the template (capacities from src's zones). */
static int apply_zone_template(const sweep_def *s, const sweep_task *t, const zp_problem *src,
                               zp_problem *p)
{
    int rc = ZP_OK;
    double *cap = NULL;
    int K = t->zones;
    if (problem_has_current(src))
        return task_error(s, t, "apps have a current_zone, which a zone-count sweep cannot map "
                                "onto new zones (leave \"zones\" out)");
    if (src->allowed_xadj && src->allowed_xadj[src->n] > 0)
        return task_error(s, t, "apps have allowed_zones, which a zone-count sweep cannot map "
                                "onto new zones (leave \"zones\" out)");
    double diag = 4 * src->e_in, off = 4 * src->e_in + 2 * src->e_core;
    if (src->k >= 1 && src->dist) {
        if (!topology_is_uniform(src))
            return task_error(s, t, "its topology.matrix is not uniform, so it has no meaning "
                                    "for other zone counts");
        diag = src->dist[0];
        if (src->k > 1)
            off = src->dist[1];
    }
    ZP_ALLOC(cap, ZP_MAX(src->nres, 1));
    for (int r = 0; r < src->nres; r++) {
        double total = 0, most = 0;
        for (int z = 0; z < src->k; z++) {
            total += problem_capacity(src, z, r);
            most = fmax(most, problem_capacity(src, z, r));
        }
        if (src->k < 1)
            total = most = INFINITY;
        cap[r] = s->cap_kind == SWEEP_CAP_MAX ? most : s->cap_kind == SWEEP_CAP_SPLIT ? total / K
                                                                                       : INFINITY;
    }
    if (s->cap_kind == SWEEP_CAP_FIXED) {
        for (int j = 0; j < s->ncap; j++) {
            int r = 0;
            while (r < src->nres && strcmp(src->res_names[r], s->cap_names[j]) != 0)
                r++;
            if (r == src->nres)
                ZP_CHECK(task_error(s, t, "zone_template.capacity.%s: the instance has no such "
                                          "resource", s->cap_names[j]));
            cap[r] = s->cap_values[j];
        }
    }
    ZP_CHECK(graphio_uniform_zones(p, K, p->imbalance));
    for (int z = 0; z < K; z++) {
        for (int r = 0; r < p->nres; r++)
            p->capacity[(int64_t)z * p->nres + r] = cap[r];
        p->slots[z] = s->slots;
        p->zone_io[z] = (unsigned char)s->io;
    }
    double e_in = src->e_in, e_core = src->e_core;
    ZP_CHECK(topology_fat_tree(p, e_in, e_core));
    for (int a = 0; a < K; a++)
        for (int b = 0; b < K; b++)
            p->dist[(int64_t)a * K + b] = a == b ? diag : off;
out:
    zp_free(cap);
    return rc;
}

int sweep_task_problem(const sweep_def *s, const sweep_task *t, const zp_problem *src,
                       zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    *out = NULL;
    ZP_CHECK(problem_copy(src, &p));
    if (s->nzones)
        ZP_CHECK(apply_zone_template(s, t, src, p));
    p->capacity_mode = t->capacity_mode;
    p->imbalance = t->imbalance;
    p->requests = t->requests;
    p->move_factor = t->move_factor;
    rc = config_check_feasible(p);
    if (rc != ZP_OK) {
        zp_error_prefix("%s: task %d (instance %s, %d zones, %s capacity): ", s->source, t->id,
                        s->inst[t->instance].name ? s->inst[t->instance].name : "?", t->zones,
                        sweep_capmode_name(t->capacity_mode));
        goto out;
    }
    *out = p;
    p = NULL;
out:
    problem_destroy(&p);
    return rc;
}

/* ---- selection and scheduling ---------------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int sweep_select(const sweep_def *s, int slice_i, int slice_n, const int *only_zones, int nonly,
                 const int *done, int ndone, int **ids, int *n)
{
    int rc = ZP_OK;
    int *sorted = NULL;
    *ids = NULL;
    *n = 0;
    if (slice_n < 1 || slice_i < 0 || slice_i >= slice_n)
        return zp_fail(ZP_EUSAGE, "--slice %d/%d: expected I/N with 0 <= I < N", slice_i, slice_n);
    for (int j = 0; j < nonly; j++) {
        int found = 0;
        for (int id = 0; id < s->ntasks && !found; id++)
            found = s->tasks[id].zones == only_zones[j];
        if (!found)
            return zp_fail(ZP_EUSAGE, "--zones %d: the sweep %s has no task with %d zones",
                           only_zones[j], s->source, only_zones[j]);
    }
    ZP_ALLOC(sorted, ndone);
    if (ndone)
        memcpy(sorted, done, sizeof *sorted * (size_t)ndone);
    qsort(sorted, (size_t)ndone, sizeof *sorted, cmp_int);
    ZP_ALLOC(*ids, s->ntasks);
    for (int id = 0; id < s->ntasks; id++) {
        if (id % slice_n != slice_i)
            continue;
        int keep = nonly == 0;
        for (int j = 0; j < nonly && !keep; j++)
            keep = s->tasks[id].zones == only_zones[j];
        if (keep && ndone && bsearch(&id, sorted, (size_t)ndone, sizeof *sorted, cmp_int))
            keep = 0;
        if (keep)
            (*ids)[(*n)++] = id;
    }
out:
    zp_free(sorted);
    return rc;
}

typedef struct {
    double cost;
    int id, index;
} sched_item;

static int cmp_sched(const void *a, const void *b)
{
    const sched_item *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

void sweep_schedule(const sweep_def *s, const int *ids, int n, int ngroups, int *group,
                    int *order, int *rounds)
{
    sched_item *items = zp_calloc((size_t)ZP_MAX(n, 1), sizeof *items);
    *rounds = (n + ngroups - 1) / ngroups;
    if (!items) { /* out of memory: id order, still deterministic */
        for (int i = 0; i < n; i++)
            group[i] = i % ngroups, order[i] = i / ngroups;
        return;
    }
    for (int i = 0; i < n; i++)
        items[i] = (sched_item){s->tasks[ids[i]].cost, ids[i], i};
    qsort(items, (size_t)n, sizeof *items, cmp_sched);
    for (int j = 0; j < n; j++) {
        group[items[j].index] = j % ngroups;
        order[items[j].index] = j / ngroups;
    }
    zp_free(items);
}
