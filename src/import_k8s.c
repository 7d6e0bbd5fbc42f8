/* import_k8s.c - workloads and nodes from Kubernetes YAML manifests and kubectl JSON (see
 * import_k8s.h). YAML documents are turned into cJSON trees (every scalar a string) so that one
 * walker serves both formats; the line of every YAML node is kept for messages. */
#include "import_k8s.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "jsonin.h"
#include "textin.h"
#include "util.h"

#define MAX_DEPTH 64
#define MAX_NODES 10000000 /* YAML aliases can expand exponentially ("billion laughs") */
#define MAX_REPLICAS 1000000

typedef struct {
    const cJSON *node;
    long line;
} node_line;

typedef struct {
    const char *path;
    int yaml;
    node_line *lines; /* YAML: the line of each node made */
    int64_t nlines, cap;
} k8s_src;

/* ---- messages ------------------------------------------------------------------------------ */

static long line_of(const k8s_src *s, const cJSON *node)
{
    for (int64_t i = 0; i < s->nlines; i++)
        if (s->lines[i].node == node)
            return s->lines[i].line;
    return 0;
}

static int k8s_error(const k8s_src *s, const cJSON *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int k8s_error(const k8s_src *s, const cJSON *node, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!s->yaml)
        return json_error(s->path, path, "%s", msg);
    return zp_fail(ZP_EINPUT, "%s:%ld: %s: %s", s->path, line_of(s, node),
                   path[0] ? path : "(document)", msg);
}

/* ---- YAML to cJSON ----------------------------------------------------------------------- */

static int remember(k8s_src *s, const cJSON *node, const yaml_node_t *y)
{
    if (s->nlines >= MAX_NODES)
        return zp_fail(ZP_EINPUT, "%s:%ld: more than %d YAML nodes (aliases expanding?)", s->path,
                       (long)y->start_mark.line + 1, MAX_NODES);
    if (text_grow_array((void **)&s->lines, &s->cap, s->nlines + 1, sizeof *s->lines) != ZP_OK)
        return ZP_ERUNTIME;
    s->lines[s->nlines++] = (node_line){node, (long)y->start_mark.line + 1};
    return ZP_OK;
}

static cJSON *convert(k8s_src *s, yaml_document_t *doc, yaml_node_t *y, int depth, int *rc);

static cJSON *convert_scalar(const yaml_node_t *y)
{
    const char *v = (const char *)y->data.scalar.value;
    if (y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (!v[0] || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
         strcmp(v, "NULL") == 0))
        return cJSON_CreateNull();
    return cJSON_CreateString(v);
}

static cJSON *convert_sequence(k8s_src *s, yaml_document_t *doc, yaml_node_t *y, int depth,
                               int *rc)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return NULL;
    for (yaml_node_item_t *it = y->data.sequence.items.start; it < y->data.sequence.items.top;
         it++) {
        cJSON *item = convert(s, doc, yaml_document_get_node(doc, *it), depth + 1, rc);
        if (!item) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, item);
    }
    return arr;
}

static cJSON *convert_mapping(k8s_src *s, yaml_document_t *doc, yaml_node_t *y, int depth, int *rc)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    for (yaml_node_pair_t *p = y->data.mapping.pairs.start; p < y->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (!k || k->type != YAML_SCALAR_NODE) {
            *rc = zp_fail(ZP_EINPUT, "%s:%ld: a mapping key that is not a scalar", s->path,
                          (long)(k ? k->start_mark.line : y->start_mark.line) + 1);
            break;
        }
        const char *key = (const char *)k->data.scalar.value;
        if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
            *rc = zp_fail(ZP_EINPUT, "%s:%ld: key \"%s\" given twice", s->path,
                          (long)k->start_mark.line + 1, key);
            break;
        }
        cJSON *v = convert(s, doc, yaml_document_get_node(doc, p->value), depth + 1, rc);
        if (!v)
            break;
        cJSON_AddItemToObject(obj, key, v);
    }
    if (*rc != ZP_OK) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* The cJSON tree of YAML node y; NULL with *rc set on failure. */
static cJSON *convert(k8s_src *s, yaml_document_t *doc, yaml_node_t *y, int depth, int *rc)
{
    cJSON *out = NULL;
    if (!y) {
        *rc = zp_fail(ZP_ERUNTIME, "%s: libyaml returned no node", s->path);
        return NULL;
    }
    if (depth > MAX_DEPTH) {
        *rc = zp_fail(ZP_EINPUT, "%s:%ld: nested more than %d levels deep", s->path,
                      (long)y->start_mark.line + 1, MAX_DEPTH);
        return NULL;
    }
    if (y->type == YAML_SCALAR_NODE)
        out = convert_scalar(y);
    else if (y->type == YAML_SEQUENCE_NODE)
        out = convert_sequence(s, doc, y, depth, rc);
    else
        out = convert_mapping(s, doc, y, depth, rc);
    if (!out && *rc == ZP_OK)
        *rc = zp_fail(ZP_ERUNTIME, "out of memory");
    if (out && (*rc = remember(s, out, y)) != ZP_OK) {
        cJSON_Delete(out);
        out = NULL;
    }
    return out;
}

static int yaml_problem(const k8s_src *s, const yaml_parser_t *parser)
{
    if (parser->error == YAML_MEMORY_ERROR)
        return zp_fail(ZP_ERUNTIME, "out of memory");
    return zp_fail(ZP_EINPUT, "%s:%ld: malformed YAML: %s%s%s", s->path,
                   (long)parser->problem_mark.line + 1,
                   parser->problem ? parser->problem : "error",
                   parser->context ? " " : "", parser->context ? parser->context : "");
}

/* ---- numbers and quantities ------------------------------------------------------------------ */

int k8s_quantity(const char *text, double *value)
{
    static const struct {
        const char *suffix;
        double factor;
    } units[] = {{"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0},
                 {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
                 {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3},
                 {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
                 {"", 1}};
    const char *p = text;
    if (*p == '+')
        p++;
    size_t digits = strspn(p, "0123456789."), dots = 0;
    for (size_t i = 0; i < digits; i++)
        dots += p[i] == '.';
    if (digits == dots || dots > 1 || digits > 40)
        return -1;
    char mantissa[48]; /* strtod alone would read "1e3" as 1000 and leave no suffix */
    snprintf(mantissa, sizeof mantissa, "%.*s", (int)digits, p);
    double v = strtod(mantissa, NULL);
    const char *suffix = p + digits;
    if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix[1] &&
        strspn(suffix + 1 + (suffix[1] == '-' || suffix[1] == '+'), "0123456789") ==
            strlen(suffix + 1 + (suffix[1] == '-' || suffix[1] == '+'))) {
        *value = v * pow(10, atof(suffix + 1));
        return isfinite(*value) ? 0 : -1;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (strcmp(suffix, units[u].suffix) == 0) {
            *value = v * units[u].factor;
            return isfinite(*value) ? 0 : -1;
        }
    }
    return -1;
}

/* A request or allocatable amount at path: in millicores (cpu) or MiB (memory). */
static int resource_amount(const k8s_src *s, const cJSON *node, const char *path, int cpu,
                           double *out)
{
    double v = 0;
    int ok = cJSON_IsNumber(node) ? (v = node->valuedouble, 1)
                                  : cJSON_IsString(node) && k8s_quantity(node->valuestring, &v) == 0;
    v = cpu ? v * 1000 : v / 1048576.0;
    if (!ok || !(v >= 0) || v > ZP_MAX_NUMBER)
        return k8s_error(s, node, path, "expected a Kubernetes quantity >= 0 (%s), got %s%s%s",
                         cpu ? "cores or millicores: 2, 0.5, 250m" : "bytes: 64Mi, 1Gi, 500M",
                         cJSON_IsString(node) ? "'" : "",
                         cJSON_IsString(node) ? node->valuestring : "another type",
                         cJSON_IsString(node) ? "'" : "");
    *out = v;
    return ZP_OK;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static const char *get_string(const cJSON *obj, const char *key)
{
    const cJSON *v = get(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int replicas_of(const k8s_src *s, const cJSON *spec, const char *path, double *out)
{
    const cJSON *r = get(spec, "replicas");
    char rpath[ZP_JSON_PATH];
    json_child_path(rpath, path, "replicas");
    *out = 1;
    if (!r || cJSON_IsNull(r))
        return ZP_OK;
    char *end = NULL;
    double v = cJSON_IsNumber(r) ? r->valuedouble
               : cJSON_IsString(r) ? strtod(r->valuestring, &end) : -1;
    if ((end && (*end || end == r->valuestring)) || !(v >= 0) || v > MAX_REPLICAS || v != floor(v))
        return k8s_error(s, r, rpath, "expected a whole number of replicas in [0, %d]",
                         MAX_REPLICAS);
    *out = v;
    return ZP_OK;
}

/* ---- workloads and nodes ------------------------------------------------------------------- */

static int container_requests(zp_import *im, const k8s_src *s, const cJSON *c, const char *path,
                              import_app *a)
{
    int rc = ZP_OK;
    char p1[ZP_JSON_PATH], p2[ZP_JSON_PATH], p3[ZP_JSON_PATH];
    json_child_path(p1, path, "resources");
    json_child_path(p2, p1, "requests");
    const cJSON *req = get(get(c, "resources"), "requests");
    const cJSON *cpu = get(req, "cpu"), *mem = get(req, "memory");
    double v = 0;
    if (cpu) {
        json_child_path(p3, p2, "cpu");
        ZP_CHECK(resource_amount(s, cpu, p3, 1, &v));
        a->cpu += v;
    }
    if (mem) {
        json_child_path(p3, p2, "memory");
        ZP_CHECK(resource_amount(s, mem, p3, 0, &v));
        a->ram += v;
    }
    im->missing_requests += !cpu || !mem;
out:
    return rc;
}

/* The zone a pod template pins: nodeSelector, or a required nodeAffinity term "In" one zone. */
static const char *pinned_zone(const cJSON *pod)
{
    const char *z = get_string(get(pod, "nodeSelector"), K8S_ZONE_LABEL);
    if (z)
        return z;
    const cJSON *terms =
        get(get(get(get(pod, "affinity"), "nodeAffinity"),
                "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms");
    const cJSON *t = cJSON_IsArray(terms) ? cJSON_GetArrayItem(terms, 0) : NULL;
    const cJSON *exprs = get(t, "matchExpressions");
    for (const cJSON *e = cJSON_IsArray(exprs) ? exprs->child : NULL; e; e = e->next) {
        const char *key = get_string(e, "key"), *op = get_string(e, "operator");
        const cJSON *values = get(e, "values");
        if (key && op && strcmp(key, K8S_ZONE_LABEL) == 0 && strcmp(op, "In") == 0 &&
            cJSON_GetArraySize(values) == 1 && cJSON_IsString(values->child))
            return values->child->valuestring;
    }
    return NULL;
}

static int workload(zp_import *im, const k8s_src *s, const cJSON *obj, const char *path,
                    const char *kind)
{
    int rc = ZP_OK;
    char p1[ZP_JSON_PATH], p2[ZP_JSON_PATH], p3[ZP_JSON_PATH], p4[ZP_JSON_PATH];
    const cJSON *meta = get(obj, "metadata"), *spec = get(obj, "spec");
    const char *name = get_string(meta, "name"), *ns = get_string(meta, "namespace");
    json_child_path(p1, path, "metadata");
    if (!name || !name[0])
        return k8s_error(s, meta ? meta : obj, p1, "%s without metadata.name", kind);
    json_child_path(p1, path, "spec");
    json_child_path(p2, p1, "template");
    json_child_path(p3, p2, "spec");
    json_child_path(p4, p3, "containers");
    const cJSON *pod = get(get(spec, "template"), "spec");
    const cJSON *containers = get(pod, "containers");
    if (!cJSON_IsArray(containers) || cJSON_GetArraySize(containers) == 0)
        return k8s_error(s, pod ? pod : obj, p4, "%s %s has no containers", kind, name);
    import_app *a = NULL;
    ZP_CHECK(import_add_app(im, name, ns ? ns : "default", kind, s->path, line_of(s, obj), &a));
    if (strcmp(kind, "DaemonSet") != 0)
        ZP_CHECK(replicas_of(s, spec, p1, &a->replicas));
    int i = 0;
    for (const cJSON *c = containers->child; c; c = c->next, i++) {
        json_index_path(p1, p4, i);
        ZP_CHECK(container_requests(im, s, c, p1, a));
    }
    const char *zone = pinned_zone(pod);
    if (zone && !(a->zone = zp_strdup(zone)))
        ZP_CHECK(ZP_ERUNTIME);
out:
    return rc;
}

static int node(zp_import *im, const k8s_src *s, const cJSON *obj, const char *path)
{
    int rc = ZP_OK;
    char p1[ZP_JSON_PATH], p2[ZP_JSON_PATH];
    const cJSON *labels = get(get(obj, "metadata"), "labels");
    const char *zone = get_string(labels, K8S_ZONE_LABEL);
    if (!zone)
        zone = get_string(labels, "failure-domain.beta.kubernetes.io/zone");
    if (!zone) {
        im->nodes_without_zone++;
        return ZP_OK;
    }
    json_child_path(p1, path, "status");
    json_child_path(p2, p1, "allocatable");
    const cJSON *alloc = get(get(obj, "status"), "allocatable");
    const cJSON *cpu = get(alloc, "cpu"), *mem = get(alloc, "memory");
    if (!cpu || !mem)
        return k8s_error(s, alloc ? alloc : obj, p2, "node in zone %s without allocatable cpu "
                         "and memory", zone);
    double c = 0, m = 0;
    json_child_path(p1, p2, "cpu");
    ZP_CHECK(resource_amount(s, cpu, p1, 1, &c));
    json_child_path(p1, p2, "memory");
    ZP_CHECK(resource_amount(s, mem, p1, 0, &m));
    ZP_CHECK(import_add_to_zone(im, zone, c, m));
out:
    return rc;
}

static void note_kind(zp_import *im, const char *kind)
{
    size_t n = strlen(im->other_kinds);
    char needle[64];
    snprintf(needle, sizeof needle, "%s", kind);
    if (strstr(im->other_kinds, needle))
        return;
    snprintf(im->other_kinds + n, sizeof im->other_kinds - n, "%s%s", n ? ", " : "", kind);
}

static int object(zp_import *im, const k8s_src *s, const cJSON *obj, const char *path)
{
    int rc = ZP_OK;
    if (cJSON_IsNull(obj))
        return ZP_OK; /* an empty YAML document */
    if (!cJSON_IsObject(obj))
        return k8s_error(s, obj, path, "expected a Kubernetes object (a mapping with \"kind\")");
    const cJSON *items = get(obj, "items");
    const char *kind = get_string(obj, "kind");
    if (cJSON_IsArray(items)) {
        char p[ZP_JSON_PATH], ip[ZP_JSON_PATH];
        json_child_path(p, path, "items");
        int i = 0;
        for (const cJSON *it = items->child; it; it = it->next, i++) {
            json_index_path(ip, p, i);
            ZP_CHECK(object(im, s, it, ip));
        }
        return ZP_OK;
    }
    if (!kind)
        return k8s_error(s, obj, path, "missing \"kind\" (not a Kubernetes object)");
    if (strcmp(kind, "Deployment") == 0 || strcmp(kind, "StatefulSet") == 0 ||
        strcmp(kind, "DaemonSet") == 0)
        return workload(im, s, obj, path, kind);
    if (strcmp(kind, "Node") == 0)
        return node(im, s, obj, path);
    im->other_objects++;
    note_kind(im, kind);
out:
    return rc;
}

/* ---- files --------------------------------------------------------------------------------- */

static int read_yaml(zp_import *im, k8s_src *s, FILE *f)
{
    int rc = ZP_OK;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return zp_fail(ZP_ERUNTIME, "out of memory");
    yaml_parser_set_input_file(&parser, f);
    for (int d = 0;; d++) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            rc = yaml_problem(s, &parser);
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) { /* the end of the stream */
            yaml_document_delete(&doc);
            break;
        }
        cJSON *tree = convert(s, &doc, root, 0, &rc);
        yaml_document_delete(&doc);
        if (tree) {
            char path[ZP_JSON_PATH] = "";
            rc = object(im, s, tree, path);
            cJSON_Delete(tree);
        }
        s->nlines = 0;
        if (rc != ZP_OK)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

static int read_json(zp_import *im, const k8s_src *s)
{
    int rc = ZP_OK;
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    ZP_CHECK(zp_read_file(s->path, &text, &len));
    ZP_CHECK(json_parse(s->path, text, len, &root));
    ZP_CHECK(object(im, s, root, ""));
out:
    cJSON_Delete(root);
    zp_free(text);
    return rc;
}

/* JSON starts with '{' or '['; anything else is read as YAML (JSON is YAML too, but libyaml
 * would give JSON files YAML messages). */
static int looks_like_json(FILE *f)
{
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c))
        ;
    rewind(f);
    return c == '{' || c == '[';
}

int import_k8s_file(zp_import *im, const char *path)
{
    int rc = ZP_OK;
    k8s_src s = {path, 1, NULL, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (looks_like_json(f)) {
        s.yaml = 0;
        ZP_CHECK(read_json(im, &s));
    } else {
        ZP_CHECK(read_yaml(im, &s, f));
    }
out:
    fclose(f);
    zp_free(s.lines);
    return rc;
}
