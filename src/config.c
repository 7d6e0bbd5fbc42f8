/* config.c - JSON config -> problems and options, validated key by key (see config.h). */
#include "config.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feasible.h"
#include "jsonin.h"
#include "strmap.h"
#include "topology.h"
#include "util.h"

#define MAX_RESOURCES 16
#define MAX_NUMBER ZP_MAX_NUMBER /* the limit of every input format (util.h) */

/* ---- generic field readers ------------------------------------------------------------------ */

/* Reads obj[key] as a number in [lo, hi] into *out; absent keys leave *out unchanged unless
 * required. integer requests a whole number. */
static int read_number(const char *file, const char *path, const cJSON *obj, const char *key,
                       double lo, double hi, int integer, int required, double *out)
{
    char p[ZP_JSON_PATH];
    json_child_path(p, path, key);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!node)
        return required ? json_error(file, p, "missing (required)") : ZP_OK;
    return json_number(file, p, node, lo, hi, integer, out);
}

static int read_bool(const char *file, const char *path, const cJSON *obj, const char *key,
                     unsigned char *out)
{
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!node)
        return ZP_OK;
    if (!cJSON_IsBool(node)) {
        char p[ZP_JSON_PATH];
        json_child_path(p, path, key);
        return json_error(file, p, "expected true or false");
    }
    *out = cJSON_IsTrue(node) ? 1 : 0;
    return ZP_OK;
}

/* Reads obj[key] as a non-empty string; *out points into the cJSON tree (NULL if absent). */
static int read_string(const char *file, const char *path, const cJSON *obj, const char *key,
                       int required, const char **out)
{
    char p[ZP_JSON_PATH];
    json_child_path(p, path, key);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!node)
        return required ? json_error(file, p, "missing (required)") : ZP_OK;
    if (!cJSON_IsString(node) || !node->valuestring[0])
        return json_error(file, p, "expected a non-empty string");
    *out = node->valuestring;
    return ZP_OK;
}

static const cJSON *get_array(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int expect_array(const char *file, const char *path, const cJSON *node, int nonempty)
{
    if (!cJSON_IsArray(node))
        return json_error(file, path, "expected an array");
    if (nonempty && cJSON_GetArraySize(node) == 0)
        return json_error(file, path, "expected a non-empty array");
    return ZP_OK;
}

/* ---- sections ------------------------------------------------------------------------------- */

static int read_resources(const char *file, const cJSON *root, zp_problem *p)
{
    int rc = ZP_OK;
    static const char *const defaults[] = {"cpu", "ram", "disk"};
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "resources");
    int count = 3;
    if (arr) {
        ZP_CHECK(expect_array(file, "resources", arr, 0));
        count = cJSON_GetArraySize(arr);
        if (count > MAX_RESOURCES)
            return json_error(file, "resources", "at most %d resources", MAX_RESOURCES);
    }
    ZP_ALLOC(p->res_names, count);
    p->nres = count;
    for (int r = 0; r < count; r++) {
        const char *name = defaults[r < 3 ? r : 0];
        if (arr) {
            char path[ZP_JSON_PATH];
            const cJSON *item = cJSON_GetArrayItem(arr, r);
            json_index_path(path, "resources", r);
            if (!cJSON_IsString(item) || !item->valuestring[0])
                return json_error(file, path, "expected a non-empty string");
            name = item->valuestring;
            for (int q = 0; q < r; q++)
                if (strcmp(p->res_names[q], name) == 0)
                    return json_error(file, path, "resource \"%s\" listed twice", name);
        }
        p->res_names[r] = zp_strdup(name);
        if (!p->res_names[r])
            return ZP_ERUNTIME;
    }
out:
    return rc;
}

/* Reads {"cpu": 3, ...} into values[nres] (resources not named keep their value). */
static int read_resource_map(const char *file, const char *path, const cJSON *node,
                             const zp_problem *p, double *values)
{
    int rc = ZP_OK;
    ZP_CHECK(json_expect_object(file, path, node));
    for (const cJSON *c = node->child; c; c = c->next) {
        int r = 0;
        while (r < p->nres && strcmp(p->res_names[r], c->string) != 0)
            r++;
        if (r == p->nres)
            return json_error(file, path, "unknown resource \"%s\" (resources: see \"resources\")",
                               c->string);
        ZP_CHECK(read_number(file, path, node, c->string, 0, MAX_NUMBER, 0, 1, &values[r]));
    }
out:
    return rc;
}

static int read_zone(const char *file, const char *path, const cJSON *node, zp_problem *p, int z)
{
    int rc = ZP_OK;
    static const char *const keys[] = {"name", "capacity", "slots", "io", NULL};
    const char *name;
    ZP_CHECK(json_expect_object(file, path, node));
    ZP_CHECK(json_check_keys(file, path, node, keys));
    ZP_CHECK(read_string(file, path, node, "name", 1, &name));
    for (int q = 0; q < z; q++)
        if (strcmp(p->zone_names[q], name) == 0)
            return json_error(file, path, "zone name \"%s\" used twice", name);
    if (!(p->zone_names[z] = zp_strdup(name)))
        return ZP_ERUNTIME;
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(node, "capacity");
    if (cap) {
        char cpath[ZP_JSON_PATH];
        json_child_path(cpath, path, "capacity");
        ZP_CHECK(read_resource_map(file, cpath, cap, p, p->capacity + (int64_t)z * p->nres));
    }
    double slots = -1;
    ZP_CHECK(read_number(file, path, node, "slots", 0, ZP_UNLIMITED_SLOTS - 1, 1, 0, &slots));
    if (slots >= 0)
        p->slots[z] = (int)slots;
    ZP_CHECK(read_bool(file, path, node, "io", &p->zone_io[z]));
out:
    return rc;
}

static int read_zones(const char *file, const cJSON *root, zp_problem *p)
{
    int rc = ZP_OK;
    const cJSON *arr = get_array(root, "zones");
    if (!arr)
        return json_error(file, "zones", "missing (required)");
    ZP_CHECK(expect_array(file, "zones", arr, 1));
    ZP_CHECK(problem_alloc_zones(p, cJSON_GetArraySize(arr)));
    int z = 0;
    for (const cJSON *c = arr->child; c; c = c->next, z++) {
        char path[ZP_JSON_PATH];
        json_index_path(path, "zones", z);
        ZP_CHECK(read_zone(file, path, c, p, z));
    }
out:
    return rc;
}

/* Zone index of the string node, or an error naming path. */
static int zone_ref(const char *file, const char *path, const cJSON *node, const zp_problem *p,
                    int *z)
{
    if (!cJSON_IsString(node))
        return json_error(file, path, "expected a zone name");
    *z = problem_zone_index(p, node->valuestring);
    if (*z < 0)
        return json_error(file, path, "unknown zone \"%s\"", node->valuestring);
    return ZP_OK;
}

static int read_allowed(const char *file, const char *path, const cJSON *node, zp_problem *p,
                        int u, int64_t *fill)
{
    int rc = ZP_OK;
    char apath[ZP_JSON_PATH];
    json_child_path(apath, path, "allowed_zones");
    ZP_CHECK(expect_array(file, apath, node, 1));
    int i = 0;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        char zpath[ZP_JSON_PATH];
        json_index_path(zpath, apath, i);
        int z;
        ZP_CHECK(zone_ref(file, zpath, c, p, &z));
        p->allowed[(*fill)++] = z;
    }
    p->allowed_xadj[u + 1] = *fill;
out:
    return rc;
}

typedef struct {
    const char *file;
    zp_problem *p;
    zp_strmap *names;
    int64_t allowed_fill;
} app_reader;

static int read_app(app_reader *ar, const char *path, const cJSON *node, int u, int arriving)
{
    int rc = ZP_OK;
    static const char *const keys[] = {"name",    "demand",        "needs_io", "size",
                                       "current_zone", "allowed_zones", NULL};
    const char *file = ar->file;
    zp_problem *p = ar->p;
    const char *name;
    ZP_CHECK(json_expect_object(file, path, node));
    ZP_CHECK(json_check_keys(file, path, node, keys));
    ZP_CHECK(read_string(file, path, node, "name", 1, &name));
    int existing;
    ZP_CHECK(strmap_put(ar->names, name, u, &existing));
    if (existing >= 0)
        return json_error(file, path, "app name \"%s\" used twice", name);
    if (!(p->app_names[u] = zp_strdup(name)))
        return ZP_ERUNTIME;
    const cJSON *demand = cJSON_GetObjectItemCaseSensitive(node, "demand");
    if (demand) {
        char dpath[ZP_JSON_PATH];
        json_child_path(dpath, path, "demand");
        ZP_CHECK(read_resource_map(file, dpath, demand, p, p->demand + (int64_t)u * p->nres));
    }
    ZP_CHECK(read_bool(file, path, node, "needs_io", &p->needs_io[u]));
    ZP_CHECK(read_number(file, path, node, "size", 1e-9, MAX_NUMBER, 0, 0, &p->size[u]));
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(node, "current_zone");
    if (cur) {
        char cpath[ZP_JSON_PATH];
        json_child_path(cpath, path, "current_zone");
        if (arriving)
            return json_error(file, cpath, "an arriving app has no current zone");
        ZP_CHECK(zone_ref(file, cpath, cur, p, &p->current[u]));
    }
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(node, "allowed_zones");
    if (allowed)
        ZP_CHECK(read_allowed(file, path, allowed, p, u, &ar->allowed_fill));
    else
        p->allowed_xadj[u + 1] = ar->allowed_fill;
out:
    return rc;
}

/* Sizes of the allowed-zone lists, to allocate p->allowed at once. */
static int64_t count_allowed(const cJSON *arr)
{
    int64_t total = 0;
    for (const cJSON *c = arr ? arr->child : NULL; c; c = c->next) {
        const cJSON *a = cJSON_IsObject(c) ? cJSON_GetObjectItemCaseSensitive(c, "allowed_zones")
                                           : NULL;
        if (cJSON_IsArray(a))
            total += cJSON_GetArraySize(a);
    }
    return total;
}

static int read_apps(app_reader *ar, const cJSON *base, const cJSON *arriving)
{
    int rc = ZP_OK;
    zp_problem *p = ar->p;
    int nb = cJSON_GetArraySize(base), na = arriving ? cJSON_GetArraySize(arriving) : 0;
    ZP_CHECK(problem_alloc_apps(p, nb + na));
    ZP_ALLOC(p->current, p->n);
    ZP_ALLOC(p->allowed_xadj, (int64_t)p->n + 1);
    ZP_ALLOC(p->allowed, count_allowed(base) + count_allowed(arriving));
    for (int u = 0; u < p->n; u++)
        p->current[u] = -1;
    int u = 0;
    for (const cJSON *c = base->child; c; c = c->next, u++) {
        char path[ZP_JSON_PATH];
        json_index_path(path, "apps", u);
        ZP_CHECK(read_app(ar, path, c, u, 0));
    }
    for (const cJSON *c = arriving ? arriving->child : NULL; c; c = c->next, u++) {
        char path[ZP_JSON_PATH];
        json_index_path(path, "arrivals.apps", u - nb);
        ZP_CHECK(read_app(ar, path, c, u, 1));
    }
    if (!problem_has_current(p)) {
        zp_free(p->current);
        p->current = NULL;
    }
out:
    return rc;
}

static int app_ref(app_reader *ar, const char *path, const cJSON *node, int *u)
{
    if (!cJSON_IsString(node))
        return json_error(ar->file, path, "expected an app name");
    *u = strmap_get(ar->names, node->valuestring);
    if (*u < 0)
        return json_error(ar->file, path, "unknown app \"%s\"", node->valuestring);
    return ZP_OK;
}

/* One dependency: ["from", "to"(, weight)] or {"from":..., "to":..., "weight":...}. */
static int read_dependency(app_reader *ar, const char *path, const cJSON *node, int *src,
                           int *dst, double *w)
{
    int rc = ZP_OK;
    const char *file = ar->file;
    const cJSON *from, *to, *weight;
    char fpath[ZP_JSON_PATH], tpath[ZP_JSON_PATH], wpath[ZP_JSON_PATH];
    if (cJSON_IsArray(node)) {
        int size = cJSON_GetArraySize(node);
        if (size < 2 || size > 3)
            return json_error(file, path, "expected [from, to] or [from, to, weight]");
        from = cJSON_GetArrayItem(node, 0);
        to = cJSON_GetArrayItem(node, 1);
        weight = size == 3 ? cJSON_GetArrayItem(node, 2) : NULL;
        json_index_path(fpath, path, 0);
        json_index_path(tpath, path, 1);
        json_index_path(wpath, path, 2);
    } else if (cJSON_IsObject(node)) {
        static const char *const keys[] = {"from", "to", "weight", NULL};
        ZP_CHECK(json_check_keys(file, path, node, keys));
        from = cJSON_GetObjectItemCaseSensitive(node, "from");
        to = cJSON_GetObjectItemCaseSensitive(node, "to");
        weight = cJSON_GetObjectItemCaseSensitive(node, "weight");
        json_child_path(fpath, path, "from");
        json_child_path(tpath, path, "to");
        json_child_path(wpath, path, "weight");
        if (!from || !to)
            return json_error(file, path, "expected keys \"from\" and \"to\"");
    } else {
        return json_error(file, path, "expected [from, to] or {\"from\":..., \"to\":...}");
    }
    ZP_CHECK(app_ref(ar, fpath, from, src));
    ZP_CHECK(app_ref(ar, tpath, to, dst));
    if (*src == *dst)
        return json_error(file, path, "app \"%s\" depends on itself (self-loop)",
                           ar->p->app_names[*src]);
    *w = 1.0;
    if (weight) {
        char got[ZP_NUMBER_TEXT];
        if (!cJSON_IsNumber(weight))
            return json_error(file, wpath, "expected a weight > 0 and <= %g", MAX_NUMBER);
        if (!isfinite(weight->valuedouble) || weight->valuedouble <= 0 ||
            weight->valuedouble > MAX_NUMBER)
            return json_error(file, wpath, "expected a weight > 0 and <= %g, got %s", MAX_NUMBER,
                              zp_format_number(got, weight->valuedouble));
        *w = weight->valuedouble;
    }
out:
    return rc;
}

static int read_dependencies(app_reader *ar, const cJSON *base, const cJSON *arriving)
{
    int rc = ZP_OK;
    int *src = NULL, *dst = NULL;
    double *w = NULL;
    int64_t m = cJSON_GetArraySize(base) + (arriving ? cJSON_GetArraySize(arriving) : 0);
    ZP_ALLOC(src, m);
    ZP_ALLOC(dst, m);
    ZP_ALLOC(w, m);
    int64_t i = 0;
    const cJSON *lists[2] = {base, arriving};
    const char *names[2] = {"dependencies", "arrivals.dependencies"};
    for (int l = 0; l < 2; l++) {
        int64_t j = 0;
        for (const cJSON *c = lists[l] ? lists[l]->child : NULL; c; c = c->next, i++, j++) {
            char path[ZP_JSON_PATH];
            json_index_path(path, names[l], j);
            ZP_CHECK(read_dependency(ar, path, c, &src[i], &dst[i], &w[i]));
        }
    }
    ZP_CHECK(problem_set_dependencies(ar->p, m, src, dst, w));
out:
    zp_free(src);
    zp_free(dst);
    zp_free(w);
    return rc;
}

static int read_topology(const char *file, const cJSON *root, zp_problem *p)
{
    int rc = ZP_OK;
    static const char *const keys[] = {"e_in", "e_core", "matrix", NULL};
    double *matrix = NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "topology");
    double e_in = 10, e_core = 100;
    if (!t)
        return topology_fat_tree(p, e_in, e_core);
    ZP_CHECK(json_expect_object(file, "topology", t));
    ZP_CHECK(json_check_keys(file, "topology", t, keys));
    ZP_CHECK(read_number(file, "topology", t, "e_in", 0, MAX_NUMBER, 0, 0, &e_in));
    ZP_CHECK(read_number(file, "topology", t, "e_core", 0, MAX_NUMBER, 0, 0, &e_core));
    ZP_CHECK(topology_fat_tree(p, e_in, e_core));
    const cJSON *mat = cJSON_GetObjectItemCaseSensitive(t, "matrix");
    if (!mat)
        goto out;
    if (!cJSON_IsArray(mat) || cJSON_GetArraySize(mat) != p->k)
        return json_error(file, "topology.matrix", "expected %d rows (one per zone)", p->k);
    ZP_ALLOC(matrix, (int64_t)p->k * p->k);
    int a = 0;
    for (const cJSON *row = mat->child; row; row = row->next, a++) {
        char rpath[ZP_JSON_PATH];
        json_index_path(rpath, "topology.matrix", a);
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != p->k) {
            rc = json_error(file, rpath, "expected %d numbers (one per zone)", p->k);
            goto out;
        }
        int b = 0;
        for (const cJSON *v = row->child; v; v = v->next, b++) {
            char vpath[ZP_JSON_PATH];
            json_index_path(vpath, rpath, b);
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
                v->valuedouble > MAX_NUMBER) {
                rc = json_error(file, vpath, "expected a number >= 0");
                goto out;
            }
            matrix[a * p->k + b] = v->valuedouble;
        }
    }
    ZP_CHECK(topology_matrix(p, matrix));
out:
    zp_free(matrix);
    return rc;
}

static int read_objective(const char *file, const cJSON *root, zp_problem *p)
{
    int rc = ZP_OK;
    static const char *const keys[] = {"requests", "move_factor", "imbalance", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "objective");
    if (!o)
        return ZP_OK;
    ZP_CHECK(json_expect_object(file, "objective", o));
    ZP_CHECK(json_check_keys(file, "objective", o, keys));
    ZP_CHECK(read_number(file, "objective", o, "requests", 1e-9, 1e9, 0, 0, &p->requests));
    ZP_CHECK(read_number(file, "objective", o, "move_factor", 0, 1e9, 0, 0, &p->move_factor));
    ZP_CHECK(read_number(file, "objective", o, "imbalance", 0, 10, 0, 0, &p->imbalance));
out:
    return rc;
}

/* The "search" section: the options table's keys (options.h). */
static int read_search(const char *file, const cJSON *root, zp_options *o)
{
    zp_option_mask given = 0;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "search");
    return s ? options_read_json(file, s, ZP_OPTS_RUN, o, &given) : ZP_OK;
}

/* ---- feasibility ---------------------------------------------------------------------------- */

static void app_path(char *out, int u, int64_t nb)
{
    if (u < nb)
        json_index_path(out, "apps", u);
    else
        json_index_path(out, "arrivals.apps", u - nb);
}

/* Why app u fits no zone, as text for a message. */
static void explain_no_fit(char *why, size_t len, const zp_problem *p, int u)
{
    int any_io = 0;
    for (int z = 0; z < p->k; z++)
        any_io |= p->zone_io[z];
    if (p->needs_io[u] && !any_io) {
        snprintf(why, len, "app \"%s\" needs io but no zone has io", p->app_names[u]);
        return;
    }
    for (int r = 0; r < p->nres; r++) {
        double best = 0;
        for (int z = 0; z < p->k; z++)
            if (!p->needs_io[u] || p->zone_io[z])
                best = fmax(best, problem_capacity(p, z, r));
        if (problem_demand(p, u, r) > best) {
            snprintf(why, len, "app \"%s\" fits no zone: %s %g > largest zone %g",
                     p->app_names[u], p->res_names[r], problem_demand(p, u, r), best);
            return;
        }
    }
    snprintf(why, len, "app \"%s\" fits no zone (io, allowed_zones and demands)",
             p->app_names[u]);
}

/* app_lines (or NULL): the line of each app in a text input, named instead of a JSON path. */
static int check_feasible(const zp_problem *p, int64_t nb, const char *file,
                          const int64_t *app_lines)
{
    for (int u = 0; u < p->n; u++) {
        int fits = 0;
        for (int z = 0; z < p->k && !fits; z++)
            fits = app_fits_zone(p, u, z);
        if (!fits) {
            char path[ZP_JSON_PATH], why[512];
            explain_no_fit(why, sizeof why, p, u);
            if (app_lines)
                return zp_fail(ZP_EINPUT, "%s:%lld: %s", file, (long long)app_lines[u], why);
            app_path(path, u, nb);
            return json_error(file, path, "%s", why);
        }
    }
    char why[512];
    int band = feasible_band(p, why, sizeof why); /* slots, balance band, io, allowed zones */
    if (band != ZP_OK)
        return band == ZP_EINPUT ? json_error(file, "zones", "%s", why) : band;
    if (p->capacity_mode != ZP_CUMULATIVE)
        return ZP_OK;
    for (int r = 0; r < p->nres; r++) {
        double need = 0, have = 0;
        for (int u = 0; u < p->n; u++)
            need += problem_demand(p, u, r);
        for (int z = 0; z < p->k; z++)
            have += problem_capacity(p, z, r);
        if (need > have)
            return json_error(file, "zones", "total %s capacity %g cannot hold the apps' %g",
                               p->res_names[r], have, need);
    }
    return ZP_OK;
}

int config_check_feasible(const zp_problem *p)
{
    return check_feasible(p, p->n, p->source ? p->source : "input", NULL);
}

int config_check_feasible_lines(const zp_problem *p, const int64_t *app_lines)
{
    return check_feasible(p, p->n, p->source ? p->source : "input", app_lines);
}

/* Builds one problem from the parsed config; with arrivals != NULL it includes them. */
static int build_problem(const char *file, const cJSON *root, const cJSON *arrivals,
                         zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    app_reader ar = {file, NULL, NULL, 0};
    ZP_CHECK(problem_create(&p));
    ar.p = p;
    if (!(p->source = zp_strdup(file)))
        ZP_CHECK(ZP_ERUNTIME);
    const char *name = NULL;
    ZP_CHECK(read_string(file, "", root, "name", 0, &name));
    if (!(p->name = zp_strdup(name ? name : file)))
        ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(read_resources(file, root, p));
    const char *mode = NULL;
    ZP_CHECK(read_string(file, "", root, "capacity_mode", 0, &mode));
    if (mode && strcmp(mode, "cumulative") == 0)
        p->capacity_mode = ZP_CUMULATIVE;
    else if (mode && strcmp(mode, "per_app") != 0)
        ZP_CHECK(json_error(file, "capacity_mode", "expected \"per_app\" or \"cumulative\""));
    ZP_CHECK(read_zones(file, root, p));

    const cJSON *apps = get_array(root, "apps"), *deps = get_array(root, "dependencies");
    const cJSON *new_apps = NULL, *new_deps = NULL;
    if (!apps)
        ZP_CHECK(json_error(file, "apps", "missing (required)"));
    ZP_CHECK(expect_array(file, "apps", apps, 1));
    if (deps)
        ZP_CHECK(expect_array(file, "dependencies", deps, 0));
    if (arrivals) {
        new_apps = get_array(arrivals, "apps");
        new_deps = get_array(arrivals, "dependencies");
        if (!new_apps)
            ZP_CHECK(json_error(file, "arrivals.apps", "missing (required)"));
        ZP_CHECK(expect_array(file, "arrivals.apps", new_apps, 1));
        if (new_deps)
            ZP_CHECK(expect_array(file, "arrivals.dependencies", new_deps, 0));
    }
    int total_apps = cJSON_GetArraySize(apps) + (new_apps ? cJSON_GetArraySize(new_apps) : 0);
    ZP_CHECK(strmap_create(&ar.names, total_apps));
    ZP_CHECK(read_apps(&ar, apps, new_apps));
    ZP_CHECK(read_dependencies(&ar, deps, new_deps));
    ZP_CHECK(read_topology(file, root, p));
    ZP_CHECK(read_objective(file, root, p));
    ZP_CHECK(check_feasible(p, cJSON_GetArraySize(apps), file, NULL));
    *out = p;
    p = NULL;
out:
    strmap_destroy(&ar.names);
    problem_destroy(&p);
    return rc;
}

/* The latency objective needs the model's parameters: a "perf" section. */
static int check_objective(const char *file, const zp_config *cfg)
{
    if (cfg->options.objective != ZP_OBJECTIVE_LATENCY)
        return ZP_OK;
    if (!cfg->perf_json)
        return json_error(file, "search.objective", "\"latency\" needs a \"perf\" section");
    return ZP_OK;
}

static int read_config_tree(const char *file, const cJSON *root, zp_config *cfg)
{
    int rc = ZP_OK;
    static const char *const keys[] = {"name",   "description", "resources",    "capacity_mode",
                                       "topology", "objective", "search",       "zones",
                                       "apps",   "dependencies", "arrivals",    "perf",
                                       NULL};
    if (!cJSON_IsObject(root))
        return zp_fail(ZP_EINPUT, "%s: (top level): expected a JSON object", file);
    ZP_CHECK(json_check_keys(file, "(top level)", root, keys));
    const char *description;
    ZP_CHECK(read_string(file, "", root, "description", 0, &description));
    ZP_CHECK(read_search(file, root, &cfg->options));
    const cJSON *arrivals = cJSON_GetObjectItemCaseSensitive(root, "arrivals");
    if (arrivals) {
        static const char *const akeys[] = {"apps", "dependencies", NULL};
        ZP_CHECK(json_expect_object(file, "arrivals", arrivals));
        ZP_CHECK(json_check_keys(file, "arrivals", arrivals, akeys));
    }
    ZP_CHECK(build_problem(file, root, NULL, &cfg->base));
    cfg->base_apps = cfg->base->n;
    if (arrivals) {
        ZP_CHECK(build_problem(file, root, arrivals, &cfg->arrivals));
        if (cfg->base->current)
            ZP_CHECK(json_error(file, "arrivals", "cannot combine with apps' current_zone"));
    }
    const cJSON *perf = cJSON_GetObjectItemCaseSensitive(root, "perf");
    if (perf) {
        ZP_CHECK(json_expect_object(file, "perf", perf));
        if (!(cfg->perf_json = cJSON_PrintUnformatted(perf)))
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    }
    ZP_CHECK(check_objective(file, cfg));
    if (!(cfg->resolved_json = cJSON_PrintUnformatted(root)))
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
out:
    return rc;
}

int config_load(const char *path, zp_config **out)
{
    int rc = ZP_OK;
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    zp_config *cfg = zp_calloc(1, sizeof *cfg);
    if (!cfg)
        return ZP_ERUNTIME;
    options_default(&cfg->options);
    ZP_CHECK(zp_read_file(path, &text, &len));
    ZP_CHECK(json_parse(path, text, len, &root));
    ZP_CHECK(read_config_tree(path, root, cfg));
    *out = cfg;
    cfg = NULL;
out:
    cJSON_Delete(root);
    zp_free(text);
    config_destroy(&cfg);
    return rc;
}

void config_destroy(zp_config **pc)
{
    zp_config *c = pc ? *pc : NULL;
    if (!c)
        return;
    problem_destroy(&c->base);
    problem_destroy(&c->arrivals);
    cJSON_free(c->perf_json);
    cJSON_free(c->resolved_json);
    zp_free(c);
    *pc = NULL;
}
