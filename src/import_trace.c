/* import_trace.c - call graphs from tracing systems and the Alibaba 2022 trace (see
 * import_trace.h). */
#include "import_trace.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "jsonin.h"
#include "textin.h"
#include "util.h"

#define OTEL_METRIC "traces_service_graph_request_total"
#define SHOWN 60

int trace_format(const char *name)
{
    static const char *const names[TRACE_FORMATS] = {"jaeger", "zipkin", "otel", "alibaba"};
    for (int f = 0; f < TRACE_FORMATS; f++)
        if (strcmp(name, names[f]) == 0)
            return f;
    return -1;
}

/* ---- Jaeger / Zipkin dependency links ---------------------------------------------------- */

static int link_name(const char *file, const char *path, const cJSON *link, const char *key,
                     const char **out)
{
    char p[ZP_JSON_PATH];
    json_child_path(p, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(link, key);
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return json_error(file, p, "expected a service name");
    *out = v->valuestring;
    return ZP_OK;
}

static int dependency_link(zp_import *im, const char *file, const char *path, const cJSON *link)
{
    int rc = ZP_OK;
    const char *parent = NULL, *child = NULL;
    double count = 0;
    char p[ZP_JSON_PATH];
    ZP_CHECK(json_expect_object(file, path, link));
    ZP_CHECK(link_name(file, path, link, "parent", &parent));
    ZP_CHECK(link_name(file, path, link, "child", &child));
    json_child_path(p, path, "callCount");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(link, "callCount");
    if (!c)
        return json_error(file, p, "missing (required)");
    ZP_CHECK(json_number(file, p, c, 0, ZP_MAX_NUMBER, 0, &count));
    im->records++;
    if (strcmp(parent, child) == 0)
        im->self_calls++;
    else
        ZP_CHECK(import_add_calls(im, parent, child, count));
out:
    return rc;
}

static int read_links(zp_import *im, const char *path)
{
    int rc = ZP_OK;
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    ZP_CHECK(zp_read_file(path, &text, &len));
    ZP_CHECK(json_parse(path, text, len, &root));
    const cJSON *links = root;
    const char *base = "";
    if (cJSON_IsObject(root)) {
        links = cJSON_GetObjectItemCaseSensitive(root, "data");
        base = "data";
    }
    if (!cJSON_IsArray(links))
        ZP_CHECK(json_error(path, base, "expected an array of {\"parent\", \"child\", "
                                        "\"callCount\"} (or {\"data\": [...]})"));
    int i = 0;
    for (const cJSON *l = links->child; l; l = l->next, i++) {
        char p[ZP_JSON_PATH];
        json_index_path(p, base, i);
        ZP_CHECK(dependency_link(im, path, p, l));
    }
out:
    cJSON_Delete(root);
    zp_free(text);
    return rc;
}

/* ---- OpenTelemetry service graph (Prometheus text) --------------------------------------- */

static int prom_error(const line_reader *r, const char *what)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: %s", r->path, r->line, what);
}

/* One label value, unescaped in place (\\, \" and \n); *s moves past the closing quote. */
static int label_value(const line_reader *r, char **s, char **value)
{
    char *p = *s, *out;
    if (*p != '"')
        return prom_error(r, "expected a quoted label value");
    *value = out = ++p;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\') {
            p++;
            if (*p != '\\' && *p != '"' && *p != 'n')
                return prom_error(r, "bad escape in a label value (\\\\, \\\" or \\n)");
            *out++ = *p == 'n' ? '\n' : *p;
        } else {
            *out++ = *p;
        }
    }
    if (*p != '"')
        return prom_error(r, "label value not closed");
    *out = '\0';
    *s = p + 1;
    return ZP_OK;
}

/* The labels {k="v",...}: client and server are picked out. */
static int prom_labels(const line_reader *r, char **s, char **client, char **server)
{
    int rc = ZP_OK;
    char *p = *s + 1;
    for (;;) {
        p = (char *)text_skip_blanks(p);
        if (*p == '}')
            break;
        char *name = p;
        while (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (p > name && *p >= '0' && *p <= '9'))
            p++;
        char *name_end = p;
        p = (char *)text_skip_blanks(p);
        if (name_end == name || *p != '=')
            return prom_error(r, "expected label=\"value\"");
        *name_end = '\0';
        p = (char *)text_skip_blanks(p + 1);
        char *value = NULL;
        ZP_CHECK(label_value(r, &p, &value));
        if (strcmp(name, "client") == 0)
            *client = value;
        else if (strcmp(name, "server") == 0)
            *server = value;
        p = (char *)text_skip_blanks(p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return prom_error(r, "expected ',' or '}' after a label");
    }
    *s = p + 1;
out:
    return rc;
}

static int prom_sample(zp_import *im, const line_reader *r, char *line)
{
    int rc = ZP_OK;
    char *p = (char *)text_skip_blanks(line);
    size_t n = strcspn(p, "{ \t");
    if (n != strlen(OTEL_METRIC) || strncmp(p, OTEL_METRIC, n) != 0)
        return ZP_OK; /* another metric */
    p += n;
    char *client = NULL, *server = NULL;
    if (*p == '{')
        ZP_CHECK(prom_labels(r, &p, &client, &server));
    if (!client || !server || !client[0] || !server[0])
        return prom_error(r, OTEL_METRIC " needs the labels client and server");
    p = (char *)text_skip_blanks(p);
    char *end = NULL;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || (*end && !text_is_blank(*end)) || !(v >= 0) || v > ZP_MAX_NUMBER)
        return zp_fail(ZP_EINPUT, "%s:%ld: expected a sample value in [0, 1e15], found '%.*s'",
                       r->path, r->line, SHOWN, p);
    im->records++;
    if (strcmp(client, server) == 0)
        im->self_calls++;
    else
        ZP_CHECK(import_add_calls(im, client, server, v));
out:
    return rc;
}

static int read_otel(zp_import *im, const char *path)
{
    int rc = ZP_OK;
    line_reader r;
    ZP_CHECK(reader_open(&r, path));
    for (;;) {
        char *line = NULL;
        size_t len = 0;
        ZP_CHECK(reader_next(&r, &line, &len));
        if (!line)
            break;
        const char *s = text_skip_blanks(line);
        if (*s && *s != '#')
            ZP_CHECK(prom_sample(im, &r, line));
    }
out:
    reader_close(&r);
    return rc;
}

/* ---- Alibaba 2022 CallGraph -------------------------------------------------------------- */

static int unknown_service(const char *s)
{
    return !s[0] || strcmp(s, "UNKNOWN") == 0 || strcmp(s, "?") == 0 || strcmp(s, "(?)") == 0;
}

static int read_alibaba(zp_import *im, const char *path)
{
    static const char *const um[] = {"um", NULL}, *const dm[] = {"dm", NULL};
    static const csv_role roles[2] = {{"um", um, 1}, {"dm", dm, 1}};
    int rc = ZP_OK, colof[2], got = 0;
    char ignored[CSVIN_NOTE];
    csv_records *c = NULL;
    ZP_CHECK(csvrec_open(&c, path));
    ZP_CHECK(csvrec_header(c, roles, 2, NULL, 0, "'...,um,...,dm,...' (a CallGraph table)", colof,
                           ignored));
    int nfields = csvrec_count(c);
    for (;;) {
        ZP_CHECK(csvrec_next(c, &got));
        if (!got)
            break;
        if (csvrec_count(c) != nfields)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s:%ld: expected %d fields, found %d", path,
                             csvrec_line(c), nfields, csvrec_count(c)));
        const char *u = csvrec_field(c, colof[0]), *v = csvrec_field(c, colof[1]);
        im->records++;
        if (unknown_service(u) || unknown_service(v))
            im->unknown_rows++;
        else if (strcmp(u, v) == 0)
            im->self_calls++;
        else
            ZP_CHECK(import_add_calls(im, u, v, 1));
    }
out:
    csvrec_close(&c);
    return rc;
}

int import_trace_file(zp_import *im, int format, const char *path)
{
    switch (format) {
    case TRACE_JAEGER:
    case TRACE_ZIPKIN: return read_links(im, path);
    case TRACE_OTEL: return read_otel(im, path);
    default: return read_alibaba(im, path);
    }
}
