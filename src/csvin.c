/* csvin.c - CSV records through libcsv, header mapping with aliases, and the services.csv +
 * calls.csv reader (see csvin.h). Lines come from the shared line reader, so every record knows
 * the line it starts on; libcsv does the quoting (RFC 4180, strict mode). */
#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strmap.h"
#include "textin.h"
#include "util.h"

#define MAX_APPS ZP_MAX_APPS
#define MAX_COLUMNS 1000
#define SHOWN 40 /* characters of a bad cell quoted in a message */

/* ---- records ---------------------------------------------------------------------------- */

struct csv_records {
    line_reader in;
    struct csv_parser parser;
    int parser_ready;
    char *arena; /* the record's fields, each NUL-terminated */
    int64_t arena_len, arena_cap;
    int64_t *offs; /* start of each field in arena */
    int64_t offs_cap;
    char **fields;
    int64_t fields_cap;
    int nfields;
    int done, oom;
    long line;
};

int csvrec_open(csv_records **out, const char *path)
{
    int rc = ZP_OK;
    csv_records *c = NULL;
    *out = NULL;
    ZP_ALLOC(c, 1);
    ZP_CHECK(reader_open(&c->in, path));
    if (csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    /* libcsv keeps its own realloc/free: it retries smaller growths after a failure, which
     * the allocation-failure tests would count as a failure ignored */
    c->parser_ready = 1;
    *out = c;
    c = NULL;
out:
    csvrec_close(&c);
    return rc;
}

void csvrec_close(csv_records **cp)
{
    csv_records *c = *cp;
    if (!c)
        return;
    reader_close(&c->in);
    if (c->parser_ready)
        csv_free(&c->parser);
    zp_free(c->arena);
    zp_free(c->offs);
    zp_free(c->fields);
    zp_free(c);
    *cp = NULL;
}

static void on_field(void *s, size_t len, void *data)
{
    csv_records *c = data;
    if (c->oom)
        return;
    if (text_grow_array((void **)&c->arena, &c->arena_cap, c->arena_len + (int64_t)len + 1, 1) !=
            ZP_OK ||
        text_grow_array((void **)&c->offs, &c->offs_cap, c->nfields + 1, sizeof *c->offs) !=
            ZP_OK) {
        c->oom = 1;
        return;
    }
    if (len > 0)
        memcpy(c->arena + c->arena_len, s, len);
    c->offs[c->nfields++] = c->arena_len;
    c->arena_len += (int64_t)len;
    c->arena[c->arena_len++] = '\0';
}

static void on_record(int term, void *data)
{
    (void)term;
    ((csv_records *)data)->done = 1;
}

/* Feeds one line and its line break; a line break inside quotes keeps the record open. */
static int feed_line(csv_records *c, const char *line, size_t len)
{
    if (csv_parse(&c->parser, line, len, on_field, on_record, c) != len ||
        csv_parse(&c->parser, "\n", 1, on_field, on_record, c) != 1 || c->oom) {
        if (c->oom || csv_error(&c->parser) == CSV_ENOMEM)
            return zp_fail(ZP_ERUNTIME, "out of memory");
        return zp_fail(ZP_EINPUT,
                       "%s:%ld: malformed quoted field (a field is quoted as a whole and a "
                       "quote inside it is doubled)", c->in.path, c->in.line);
    }
    return ZP_OK;
}

static int field_pointers(csv_records *c)
{
    if (text_grow_array((void **)&c->fields, &c->fields_cap, c->nfields, sizeof *c->fields) !=
        ZP_OK)
        return ZP_ERUNTIME;
    for (int i = 0; i < c->nfields; i++)
        c->fields[i] = c->arena + c->offs[i];
    return ZP_OK;
}

static int is_csv_space(char ch) { return ch == ' ' || ch == '\t'; }

/* A line without quotes splits at its commas in place, trimmed as libcsv trims: the same
 * fields, without libcsv's per-byte callbacks (they double the time of a 10M-row file).
 * c->done = 0 for a blank line. */
static int split_plain(csv_records *c, char *line)
{
    int n = 0;
    for (char *s = line;; n++) {
        char *comma = strchr(s, ',');
        char *end = comma ? comma : s + strlen(s);
        while (is_csv_space(*s))
            s++;
        while (end > s && is_csv_space(end[-1]))
            end--;
        if (text_grow_array((void **)&c->fields, &c->fields_cap, n + 1, sizeof *c->fields) !=
            ZP_OK)
            return ZP_ERUNTIME;
        c->fields[n] = s;
        if (!comma) {
            *end = '\0';
            break;
        }
        *end = '\0';
        s = comma + 1;
    }
    c->done = n == 0 && c->fields[0][0] == '\0' ? 0 : n + 1;
    return ZP_OK;
}

int csvrec_next(csv_records *c, int *got)
{
    *got = 0;
    for (;;) {
        char *line = NULL;
        size_t len = 0;
        int in_record = c->parser.pstate != 0 || c->nfields > 0;
        int rc = reader_next(&c->in, &line, &len);
        if (rc != ZP_OK)
            return rc;
        if (!line) {
            if (in_record)
                return zp_fail(ZP_EINPUT, "%s:%ld: quoted field not closed at the end of the file",
                               c->in.path, c->line);
            return ZP_OK;
        }
        if (!in_record) {
            c->line = c->in.line;
            c->nfields = 0;
            c->arena_len = 0;
            if (!memchr(line, '"', len)) {
                if ((rc = split_plain(c, line)) != ZP_OK)
                    return rc;
                if (c->done == 0)
                    continue;
                *got = 1;
                return ZP_OK;
            }
        }
        c->done = 0;
        if ((rc = feed_line(c, line, len)) != ZP_OK)
            return rc;
        if (!c->done)
            continue;
        if (c->nfields == 1 && c->arena[0] == '\0') { /* a blank line */
            c->nfields = 0;
            continue;
        }
        if (field_pointers(c) != ZP_OK)
            return ZP_ERUNTIME;
        int n = c->nfields;
        c->nfields = 0; /* the next call starts a new record; the fields stay readable */
        c->done = n;
        *got = 1;
        return ZP_OK;
    }
}

int csvrec_count(const csv_records *c) { return c->done; }
const char *csvrec_field(const csv_records *c, int i) { return c->fields[i]; }
long csvrec_line(const csv_records *c) { return c->line; }
const char *csvrec_path(const csv_records *c) { return c->in.path; }

static int role_of(const csv_role *roles, int nroles, const char *role)
{
    for (int r = 0; r < nroles; r++)
        if (strcasecmp(roles[r].role, role) == 0)
            return r;
    return -1;
}

static int has_name(const csv_role *role, const char *name)
{
    for (const char *const *n = role->names; *n; n++)
        if (strcasecmp(*n, name) == 0)
            return 1;
    return 0;
}

static void note_ignored(char *ignored, const char *name)
{
    size_t used = strlen(ignored);
    snprintf(ignored + used, CSVIN_NOTE - used, "%s%s", used ? ", " : "", name);
}

/* The explicit --column mappings of these roles. */
static int map_explicit(const csv_records *c, const csv_role *roles, int nroles,
                        const csv_mapping *map, int nmap, int *colof, int *explicit)
{
    for (int m = 0; m < nmap; m++) {
        int r = role_of(roles, nroles, map[m].role);
        if (r < 0)
            continue;
        int f = 0;
        while (f < c->done && strcasecmp(c->fields[f], map[m].column) != 0)
            f++;
        if (f == c->done)
            return zp_fail(ZP_EINPUT, "%s:%ld: --column %s=%s: no column '%s' in the header",
                           c->in.path, c->line, map[m].role, map[m].column, map[m].column);
        colof[r] = f;
        explicit[r] = 1;
    }
    return ZP_OK;
}

/* Gives header field f the role whose names include it, unless an explicit mapping took it. */
static int map_field(const csv_records *c, const csv_role *roles, int nroles, const int *explicit,
                     int f, int *colof, char *ignored)
{
    const char *name = c->fields[f];
    for (int r = 0; r < nroles; r++) {
        if (colof[r] == f)
            return ZP_OK;
        if (explicit[r] || !has_name(&roles[r], name))
            continue;
        if (colof[r] >= 0 && strcasecmp(c->fields[colof[r]], name) == 0)
            return zp_fail(ZP_EINPUT, "%s:%ld: column '%s' appears twice", c->in.path, c->line,
                           name);
        if (colof[r] >= 0)
            return zp_fail(ZP_EINPUT,
                           "%s:%ld: columns '%s' and '%s' both give %s (choose one with "
                           "--column %s=NAME)", c->in.path, c->line, c->fields[colof[r]], name,
                           roles[r].role, roles[r].role);
        colof[r] = f;
        return ZP_OK;
    }
    note_ignored(ignored, name[0] ? name : "(unnamed)");
    return ZP_OK;
}

int csvrec_header(csv_records *c, const csv_role *roles, int nroles, const csv_mapping *map,
                  int nmap, const char *usage, int *colof, char *ignored)
{
    int rc = ZP_OK, got = 0, explicit[16] = {0};
    ZP_CHECK(csvrec_next(c, &got));
    if (!got)
        return zp_fail(ZP_EINPUT, "%s:%ld: empty file, expected the header %s", c->in.path,
                       ZP_MAX(c->in.line, 1L), usage);
    char *first = c->fields[0];
    if (c->line == 1 && (unsigned char)first[0] == 0xEF && (unsigned char)first[1] == 0xBB &&
        (unsigned char)first[2] == 0xBF)
        memmove(first, first + 3, strlen(first + 3) + 1); /* spreadsheets write a BOM */
    if (c->done > MAX_COLUMNS)
        return zp_fail(ZP_EINPUT, "%s:%ld: too many columns (more than %d), expected %s",
                       c->in.path, c->line, MAX_COLUMNS, usage);
    ignored[0] = '\0';
    for (int r = 0; r < nroles; r++)
        colof[r] = -1;
    ZP_CHECK(map_explicit(c, roles, nroles, map, nmap, colof, explicit));
    for (int f = 0; f < c->done; f++)
        ZP_CHECK(map_field(c, roles, nroles, explicit, f, colof, ignored));
    for (int r = 0; r < nroles; r++)
        if (roles[r].required && colof[r] < 0)
            return zp_fail(ZP_EINPUT, "%s:%ld: missing column '%s', expected %s", c->in.path,
                           c->line, roles[r].names[0], usage);
out:
    return rc;
}

int csvrec_number(const csv_records *c, const char *text, const char *column, double *value)
{
    char *end = NULL;
    double v = 0;
    int ok = text[0] && strspn(text, "0123456789+-.eE") == strlen(text);
    if (ok) {
        errno = 0;
        v = strtod(text, &end);
        ok = *end == '\0' && isfinite(v) && errno != ERANGE && v >= 0;
    }
    if (!ok)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s: expected a number >= 0, found '%.*s'", c->in.path,
                       c->line, column, SHOWN, text);
    if (v > ZP_MAX_NUMBER)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s: %.*s is above the limit 1e15", c->in.path,
                       c->line, column, SHOWN, text);
    *value = v;
    return ZP_OK;
}

/* ---- services.csv + calls.csv ------------------------------------------------------------- */

enum { SVC_NAME, SVC_CPU, SVC_MEM, SVC_DISK, SVC_ROLES };
static const char *const svc_name[] = {"name", "service", "app", "service_name", "microservice",
                                       "msname", "deployment", "workload", NULL};
static const char *const svc_cpu[] = {"cpu_millicores", "cpu", "cpu_request", "cpu_requests",
                                      "cpu_m", "cpu_millis", "cpu_request_millicores", NULL};
static const char *const svc_mem[] = {"mem_mib", "memory", "mem", "ram", "ram_mib", "memory_mib",
                                      "mem_request", "memory_request", "memory_request_mib", NULL};
static const char *const svc_disk[] = {"disk_mib", "disk", "disk_request", NULL};
static const csv_role svc_roles[SVC_ROLES] = {
    {"name", svc_name, 1}, {"cpu", svc_cpu, 1}, {"ram", svc_mem, 1}, {"disk", svc_disk, 0}};
static const char svc_usage[] = "'name,cpu_millicores,mem_mib[,disk_mib]'";

enum { CALL_CALLER, CALL_CALLEE, CALL_WEIGHT, CALL_ROLES };
static const char *const call_caller[] = {"caller", "source", "parent", "from", "client", "src",
                                          NULL};
static const char *const call_callee[] = {"callee", "target", "child", "to", "server", "dst",
                                          NULL};
static const char *const call_weight[] = {"weight", "callCount", "call_count", "calls", "count",
                                          "rate", "requests", NULL};
static const csv_role call_roles[CALL_ROLES] = {
    {"caller", call_caller, 1}, {"callee", call_callee, 1}, {"weight", call_weight, 0}};
static const char call_usage[] = "'caller,callee[,weight]'";

void csvin_options_default(csvin_options *o) { memset(o, 0, sizeof *o); }

int csvin_add_mapping(csvin_options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return zp_fail(ZP_EUSAGE, "--column: expected ROLE=HEADER, got '%s'", arg);
    size_t rl = (size_t)(eq - arg);
    int known = 0;
    for (int r = 0; r < SVC_ROLES; r++)
        known |= strlen(svc_roles[r].role) == rl && strncmp(svc_roles[r].role, arg, rl) == 0;
    for (int r = 0; r < CALL_ROLES; r++)
        known |= strlen(call_roles[r].role) == rl && strncmp(call_roles[r].role, arg, rl) == 0;
    if (!known)
        return zp_fail(ZP_EUSAGE, "--column %s: the role is one of name, cpu, ram, disk, caller, "
                                  "callee, weight", arg);
    if (o->nmap == CSVIN_MAX_MAPPINGS)
        return zp_fail(ZP_EUSAGE, "--column: at most %d mappings", CSVIN_MAX_MAPPINGS);
    snprintf(o->map[o->nmap].role, sizeof o->map[o->nmap].role, "%.*s", (int)rl, arg);
    o->map[o->nmap].column = eq + 1;
    o->nmap++;
    return ZP_OK;
}

int csvin_parse_missing(csvin_options *o, const char *arg)
{
    if (strcmp(arg, "zero") == 0)
        o->missing_error = 0;
    else if (strcmp(arg, "error") == 0)
        o->missing_error = 1;
    else
        return zp_fail(ZP_EUSAGE, "--missing: expected zero or error, got '%s'", arg);
    return ZP_OK;
}

typedef struct {
    const csvin_options *opt;
    csvin_report *rep;
    csv_records *in;
    int nres;
    int64_t n, cap_names, cap_demand, cap_lines;
    char **names;
    double *demand;
    int64_t *lines; /* line of each service, for duplicate messages */
    zp_strmap *index;
    int last[2]; /* service of the previous call's caller and callee, or -1 */
    int64_t m, cap_src, cap_dst, cap_w;
    int *src, *dst;
    double *w;
} csv_reader;

static void csv_reader_free(csv_reader *cr)
{
    csvrec_close(&cr->in);
    for (int64_t i = 0; i < cr->n; i++)
        zp_free(cr->names ? cr->names[i] : NULL);
    zp_free(cr->names);
    zp_free(cr->demand);
    zp_free(cr->lines);
    strmap_destroy(&cr->index);
    zp_free(cr->src);
    zp_free(cr->dst);
    zp_free(cr->w);
}

/* A resource cell: empty means "not given", 0 unless --missing error. */
static int resource_cell(csv_reader *cr, const char *text, const char *column, double *value)
{
    if (text[0])
        return csvrec_number(cr->in, text, column, value);
    if (cr->opt->missing_error)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s: empty cell (--missing error)",
                       csvrec_path(cr->in), csvrec_line(cr->in), column);
    if (cr->rep->missing_cells++ == 0)
        cr->rep->first_missing_line = csvrec_line(cr->in);
    *value = 0;
    return ZP_OK;
}

static int csv_add_service(csv_reader *cr, const int *colof, const char *const *column)
{
    int rc = ZP_OK;
    csv_records *in = cr->in;
    const char *name = csvrec_field(in, colof[SVC_NAME]);
    if (!name[0])
        return zp_fail(ZP_EINPUT, "%s:%ld: empty service name", csvrec_path(in), csvrec_line(in));
    if (cr->n == MAX_APPS)
        return zp_fail(ZP_EINPUT, "%s:%ld: more than %d services", csvrec_path(in),
                       csvrec_line(in), MAX_APPS);
    int64_t i = cr->n;
    if (text_grow_array((void **)&cr->names, &cr->cap_names, i + 1, sizeof *cr->names) != ZP_OK ||
        text_grow_array((void **)&cr->lines, &cr->cap_lines, i + 1, sizeof *cr->lines) != ZP_OK ||
        text_grow_array((void **)&cr->demand, &cr->cap_demand, (i + 1) * cr->nres,
                        sizeof *cr->demand) != ZP_OK)
        return ZP_ERUNTIME;
    for (int res = 0; res < cr->nres; res++)
        ZP_CHECK(resource_cell(cr, csvrec_field(in, colof[SVC_CPU + res]), column[res],
                               &cr->demand[i * cr->nres + res]));
    cr->names[i] = zp_strdup(name);
    if (!cr->names[i])
        return ZP_ERUNTIME;
    cr->lines[i] = csvrec_line(in);
    cr->n++;
    int existing = -1;
    ZP_CHECK(strmap_put(cr->index, cr->names[i], (int)i, &existing));
    if (existing >= 0)
        return zp_fail(ZP_EINPUT, "%s:%ld: duplicate service '%s' (first on line %lld)",
                       csvrec_path(in), csvrec_line(in), name, (long long)cr->lines[existing]);
out:
    return rc;
}

static int field_count(const csv_records *in, int nfields)
{
    if (csvrec_count(in) != nfields)
        return zp_fail(ZP_EINPUT, "%s:%ld: expected %d fields, found %d", csvrec_path(in),
                       csvrec_line(in), nfields, csvrec_count(in));
    return ZP_OK;
}

static int csv_read_services(csv_reader *cr, const char *path)
{
    int rc = ZP_OK, colof[SVC_ROLES], got = 1;
    ZP_CHECK(csvrec_open(&cr->in, path));
    ZP_CHECK(csvrec_header(cr->in, svc_roles, SVC_ROLES, cr->opt->map, cr->opt->nmap, svc_usage,
                           colof, cr->rep->ignored[0]));
    int nfields = csvrec_count(cr->in);
    cr->nres = colof[SVC_DISK] >= 0 ? 3 : 2;
    char column[3][64]; /* the header names, for messages */
    for (int r = 0; r < cr->nres; r++)
        snprintf(column[r], sizeof column[r], "%s", csvrec_field(cr->in, colof[SVC_CPU + r]));
    const char *const cols[3] = {column[0], column[1], column[2]};
    ZP_CHECK(strmap_create(&cr->index, 1024));
    for (;;) {
        ZP_CHECK(csvrec_next(cr->in, &got));
        if (!got)
            break;
        ZP_CHECK(field_count(cr->in, nfields));
        ZP_CHECK(csv_add_service(cr, colof, cols));
    }
    if (cr->n == 0)
        return zp_fail(ZP_EINPUT, "%s:%ld: no services", path, ZP_MAX(csvrec_line(cr->in), 1L));
out:
    csvrec_close(&cr->in);
    return rc;
}

/* Index of a called or calling service. Call lists are usually grouped by caller, so the
 * previous row's service (column col) is tried before the hash map, whose probes miss the
 * cache at a million services. */
static int csv_lookup(csv_reader *cr, int col, const char *name, const char *services_path)
{
    int i = cr->last[col];
    if (i < 0 || strcmp(cr->names[i], name) != 0)
        i = cr->last[col] = strmap_get(cr->index, name);
    if (i < 0)
        zp_fail(ZP_EINPUT, "%s:%ld: unknown service '%.*s' (not in %s)", csvrec_path(cr->in),
                csvrec_line(cr->in), SHOWN * 2, name, services_path);
    return i;
}

static int call_weight_cell(csv_reader *cr, const int *colof, double *w)
{
    *w = 1.0;
    if (colof[CALL_WEIGHT] < 0)
        return ZP_OK;
    const char *text = csvrec_field(cr->in, colof[CALL_WEIGHT]);
    if (!text[0]) {
        cr->rep->default_weights++;
        return ZP_OK;
    }
    int rc = csvrec_number(cr->in, text, "weight", w);
    cr->rep->zero_weights += rc == ZP_OK && *w == 0;
    return rc;
}

static int csv_add_call(csv_reader *cr, const int *colof, const char *services_path)
{
    int rc = ZP_OK;
    int u = csv_lookup(cr, 0, csvrec_field(cr->in, colof[CALL_CALLER]), services_path);
    int v = u < 0 ? -1 : csv_lookup(cr, 1, csvrec_field(cr->in, colof[CALL_CALLEE]), services_path);
    if (u < 0 || v < 0)
        return ZP_EINPUT;
    if (u == v)
        return zp_fail(ZP_EINPUT, "%s:%ld: service '%s' calls itself", csvrec_path(cr->in),
                       csvrec_line(cr->in), cr->names[u]);
    double w = 1.0;
    ZP_CHECK(call_weight_cell(cr, colof, &w));
    int64_t i = cr->m;
    if (text_grow_array((void **)&cr->src, &cr->cap_src, i + 1, sizeof *cr->src) != ZP_OK ||
        text_grow_array((void **)&cr->dst, &cr->cap_dst, i + 1, sizeof *cr->dst) != ZP_OK ||
        text_grow_array((void **)&cr->w, &cr->cap_w, i + 1, sizeof *cr->w) != ZP_OK)
        return ZP_ERUNTIME;
    cr->src[i] = u;
    cr->dst[i] = v;
    cr->w[i] = w;
    cr->m++;
out:
    return rc;
}

static int csv_read_calls(csv_reader *cr, const char *path, const char *services_path)
{
    int rc = ZP_OK, colof[CALL_ROLES], got = 1;
    cr->last[0] = cr->last[1] = -1;
    ZP_CHECK(csvrec_open(&cr->in, path));
    ZP_CHECK(csvrec_header(cr->in, call_roles, CALL_ROLES, cr->opt->map, cr->opt->nmap,
                           call_usage, colof, cr->rep->ignored[1]));
    int nfields = csvrec_count(cr->in);
    for (;;) {
        ZP_CHECK(csvrec_next(cr->in, &got));
        if (!got)
            break;
        ZP_CHECK(field_count(cr->in, nfields));
        ZP_CHECK(csv_add_call(cr, colof, services_path));
    }
out:
    csvrec_close(&cr->in);
    return rc;
}

/* Moves the services read into a new problem (the names change owner). */
static int csv_problem(csv_reader *cr, const char *services_path, zp_problem **out)
{
    static const char *const res[3] = {"cpu", "ram", "disk"};
    int rc = ZP_OK;
    zp_problem *p = NULL;
    ZP_CHECK(problem_create(&p));
    p->source = zp_strdup(services_path);
    p->name = text_name_from_path(services_path);
    if (!p->source || !p->name)
        ZP_CHECK(ZP_ERUNTIME);
    p->nres = cr->nres;
    ZP_ALLOC(p->res_names, cr->nres);
    for (int r = 0; r < cr->nres; r++)
        if (!(p->res_names[r] = zp_strdup(res[r])))
            ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(problem_alloc_apps(p, (int)cr->n));
    memcpy(p->app_names, cr->names, sizeof *cr->names * (size_t)cr->n);
    memset(cr->names, 0, sizeof *cr->names * (size_t)cr->n);
    memcpy(p->demand, cr->demand, sizeof *cr->demand * (size_t)(cr->n * cr->nres));
    ZP_CHECK(problem_set_dependencies(p, cr->m, cr->src, cr->dst, cr->w));
    *out = p;
    p = NULL;
out:
    problem_destroy(&p);
    return rc;
}

int csvin_read(const char *services_path, const char *calls_path, const csvin_options *opt,
               zp_problem **out, csvin_report *rep)
{
    int rc = ZP_OK;
    csv_reader cr;
    csvin_report scratch;
    memset(&cr, 0, sizeof cr);
    memset(&scratch, 0, sizeof scratch);
    if (rep)
        memset(rep, 0, sizeof *rep);
    cr.opt = opt;
    cr.rep = rep ? rep : &scratch;
    *out = NULL;
    ZP_CHECK(csv_read_services(&cr, services_path));
    ZP_CHECK(csv_read_calls(&cr, calls_path, services_path));
    strmap_destroy(&cr.index);
    ZP_CHECK(csv_problem(&cr, services_path, out));
    if (rep) { /* the lines, for messages about apps (config_check_feasible) */
        rep->app_lines = cr.lines;
        cr.lines = NULL;
    }
out:
    csv_reader_free(&cr);
    return rc;
}

void csvin_report_free(csvin_report *rep)
{
    zp_free(rep->app_lines);
    rep->app_lines = NULL;
}

void csvin_report_print(FILE *f, const csvin_report *rep, const char *services_path,
                        const char *calls_path)
{
    const char *path[2] = {services_path, calls_path};
    for (int i = 0; i < 2; i++)
        if (rep->ignored[i][0])
            fprintf(f, "zoneplace: note: %s: ignored columns: %s\n", path[i], rep->ignored[i]);
    if (rep->missing_cells)
        fprintf(f, "zoneplace: note: %s: %lld empty resource cells read as 0 (first on line %ld; "
                   "--missing error refuses them)\n", services_path,
                (long long)rep->missing_cells, rep->first_missing_line);
    if (rep->default_weights)
        fprintf(f, "zoneplace: note: %s: %lld empty weight cells read as 1\n", calls_path,
                (long long)rep->default_weights);
    if (rep->zero_weights)
        fprintf(f, "zoneplace: note: %s: %lld calls of weight 0 kept (they cost nothing)\n",
                calls_path, (long long)rep->zero_weights);
}
