/* options.c - the search options' table and its readers for JSON, the command line and --help
 * (see options.h). */
#include "options.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "jsonin.h"
#include "util.h"

/* getopt_long's value for row i of a flag without a letter (above main.c's and sweep.c's own). */
#define CLI_BASE 1000

static const zp_name init_list[] = {{"rr", ZP_INIT_RR},
                                    {"random", ZP_INIT_RANDOM},
                                    {"greedy", ZP_INIT_GREEDY},
                                    {"multilevel", ZP_INIT_MULTILEVEL},
                                    {"auto", ZP_INIT_AUTO}};
/* rr, random and greedy are the thesis's initial placements, listed first in messages */
const zp_name_set zp_init_names = {init_list, 5, 3};

static const zp_name objective_list[] = {{"traffic", ZP_OBJECTIVE_TRAFFIC},
                                         {"latency", ZP_OBJECTIVE_LATENCY}};
const zp_name_set zp_objective_names = {objective_list, 2, 2};

static const zp_name engine_list[] = {{"shared", ZP_ENGINE_SHARED}, {"dist", ZP_ENGINE_DIST}};
const zp_name_set zp_engine_names = {engine_list, 2, 2};

#define FIELD(f) offsetof(zp_options, f)

const zp_option_def zp_option_table[] = {
    {"seed", "seed", 's', ZP_OPT_UINT64, 0, 9007199254740991.0, 1, NULL, FIELD(seed), 0, "S",
     "base seed of the random streams"},
    {"starts", "starts", 'n', ZP_OPT_INT, 1, 1e6, 1, NULL, FIELD(starts), 0, "N",
     "local-search starts, spread over MPI ranks"},
    {"epochs", "epochs", 'e', ZP_OPT_INT, 1, 1e6, 1, NULL, FIELD(epochs), 1, "E",
     "best-placement exchanges between starts"},
    {"iterations", "iterations", 'i', ZP_OPT_INT64, 0, 1e12, 0, NULL, FIELD(iterations), 1, "N",
     "perturbation rounds per start (default: by problem size)"},
    {"init", "init", 0, ZP_OPT_NAME, 0, 0, ZP_INIT_AUTO, &zp_init_names, FIELD(init), 1, "KIND",
     "initial placement: auto (default: multilevel, but rr for\n"
     "up to 200 apps in zones with limits), rr, random,\n"
     "greedy, multilevel"},
    {"objective", "objective", 0, ZP_OPT_NAME, 0, 0, ZP_OBJECTIVE_TRAFFIC, &zp_objective_names,
     FIELD(objective), 0, "KIND",
     "what the search minimises: traffic (default) or latency\n"
     "(the predicted mean response time; needs a \"perf\" section)"},
    {"engine", "engine", 0, ZP_OPT_NAME, 0, 0, ZP_ENGINE_SHARED, &zp_engine_names, FIELD(engine),
     1, "KIND",
     "multilevel engine: shared (default: every rank places\n"
     "the whole graph) or dist (the graph split over the ranks,\n"
     "a --graph file read in slices, no search after it; the\n"
     "same placement on any number of ranks; docs/scaling.md)"},
    {"effort", "effort", 0, ZP_OPT_REAL, ZP_EFFORT_MIN, ZP_EFFORT_MAX, 1, NULL, FIELD(effort), 1,
     "E",
     "scale the automatic work budgets (default 1; 0.1: about\n"
     "10x faster on large inputs, a few % more cut; 4: more\n"
     "starts and rounds); reproducible, unlike --time-limit"},
    {"time_limit", "time-limit", 't', ZP_OPT_REAL, 0, 1e9, 0, NULL, FIELD(time_limit), 1, "SEC",
     "stop searching after SEC seconds per task (not reproducible)"},
    {"patience", "patience", 0, ZP_OPT_INT64, 0, 1e12, 0, NULL, FIELD(patience), 1, "N",
     "a start stops after N rounds in a row without a better\n"
     "placement (default 0: never); reproducible, unlike --time-limit"},
    {"trajectory_every", "trajectory-every", 0, ZP_OPT_INT, 1, 1e9, 1, NULL,
     FIELD(trajectory_every), 1, "N", "trajectory row every N search rounds"},
    {"checkpoint_every", "checkpoint-every", 0, ZP_OPT_REAL, 0, 1e9, 60, NULL,
     FIELD(checkpoint_every), 0, "SEC",
     "with --out/--summary: after an epoch, write the best\n"
     "placement so far (complete = 0) when SEC seconds passed\n"
     "since the last write (default 60; 0: after every epoch)"},
};
const int zp_option_count = (int)(sizeof zp_option_table / sizeof zp_option_table[0]);

#undef FIELD

/* ---- names ----------------------------------------------------------------------------------- */

const char *zp_name_of(const zp_name_set *set, int value)
{
    for (int i = 0; i < set->count; i++)
        if (set->names[i].value == value)
            return set->names[i].name;
    return "?";
}

int zp_name_lookup(const zp_name_set *set, const char *name, int *value)
{
    for (int i = 0; i < set->count; i++) {
        if (strcmp(set->names[i].name, name) == 0) {
            *value = set->names[i].value;
            return i;
        }
    }
    return -1;
}

const char *init_name(int init) { return zp_name_of(&zp_init_names, init); }

const char *objective_name(int objective) { return zp_name_of(&zp_objective_names, objective); }

/* "a, b or c (or d, e)", each name between quote characters. */
static void names_phrase(const zp_name_set *set, const char *quote, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < set->count && used < cap; i++) {
        const char *sep = i == 0 ? "" : i == set->main ? " (or " : i == set->main - 1 ? " or " : ", ";
        int n = snprintf(out + used, cap - used, "%s%s%s%s", sep, quote, set->names[i].name, quote);
        used += n > 0 ? (size_t)n : 0;
    }
    if (set->main < set->count && used < cap)
        snprintf(out + used, cap - used, ")");
}

/* ---- values ---------------------------------------------------------------------------------- */

void options_default(zp_options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        char *field = (char *)o + d->offset;
        switch (d->type) {
        case ZP_OPT_INT:
        case ZP_OPT_NAME: *(int *)field = (int)d->def; break;
        case ZP_OPT_INT64: *(int64_t *)field = (int64_t)d->def; break;
        case ZP_OPT_UINT64: *(uint64_t *)field = (uint64_t)d->def; break;
        case ZP_OPT_REAL: *(double *)field = d->def; break;
        }
    }
}

static size_t field_size(const zp_option_def *d)
{
    switch (d->type) {
    case ZP_OPT_INT64: return sizeof(int64_t);
    case ZP_OPT_UINT64: return sizeof(uint64_t);
    case ZP_OPT_REAL: return sizeof(double);
    default: return sizeof(int);
    }
}

void options_apply(zp_options *dst, const zp_options *src, zp_option_mask given)
{
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        if (given & (1u << i))
            memcpy((char *)dst + d->offset, (const char *)src + d->offset, field_size(d));
    }
}

int options_given(zp_option_mask given, const char *key)
{
    for (int i = 0; i < zp_option_count; i++)
        if (strcmp(zp_option_table[i].key, key) == 0)
            return (given >> i) & 1u;
    return 0;
}

/* Stores the number v, already checked against d's limits (so every cast is defined). */
static void store_number(const zp_option_def *d, double v, zp_options *o)
{
    char *field = (char *)o + d->offset;
    switch (d->type) {
    case ZP_OPT_INT:
    case ZP_OPT_NAME: *(int *)field = (int)v; break;
    case ZP_OPT_INT64: *(int64_t *)field = (int64_t)v; break;
    case ZP_OPT_UINT64: *(uint64_t *)field = (uint64_t)v; break;
    case ZP_OPT_REAL: *(double *)field = v; break;
    }
}

static int taken_by(const zp_option_def *d, int where)
{
    return where == ZP_OPTS_RUN || d->in_sweep;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static int read_json_value(const char *file, const zp_option_def *d, const cJSON *node,
                           zp_options *o)
{
    char path[ZP_JSON_PATH];
    json_child_path(path, "search", d->key);
    if (d->type == ZP_OPT_NAME) {
        int value;
        if (!cJSON_IsString(node) || zp_name_lookup(d->names, node->valuestring, &value) < 0) {
            char names[256];
            names_phrase(d->names, "\"", names, sizeof names);
            return json_error(file, path, "expected %s", names);
        }
        *(int *)((char *)o + d->offset) = value;
        return ZP_OK;
    }
    double v;
    int rc = json_number(file, path, node, d->lo, d->hi, d->type != ZP_OPT_REAL, &v);
    if (rc == ZP_OK)
        store_number(d, v, o);
    return rc;
}

int options_read_json(const char *file, const cJSON *search, int where, zp_options *o,
                      zp_option_mask *given)
{
    int rc = ZP_OK;
    const char *keys[ZP_OPTIONS_MAX + 1];
    int nkeys = 0;
    ZP_CHECK(json_expect_object(file, "search", search));
    for (int i = 0; i < zp_option_count; i++)
        if (taken_by(&zp_option_table[i], where))
            keys[nkeys++] = zp_option_table[i].key;
    keys[nkeys] = NULL;
    ZP_CHECK(json_check_keys(file, "search", search, keys));
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(search, d->key);
        if (!node)
            continue;
        ZP_CHECK(read_json_value(file, d, node, o));
        *given |= 1u << i;
    }
out:
    return rc;
}

/* ---- command line ---------------------------------------------------------------------------- */

void options_cli_longopts(int where, const struct option *own, int nown, struct option *longopts,
                          char *shortopts, size_t shortcap)
{
    size_t used = strlen(shortopts);
    int nlong = nown;
    if (nown > 0)
        memcpy(longopts, own, sizeof *own * (size_t)nown);
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        if (!taken_by(d, where))
            continue;
        int val = d->short_flag ? d->short_flag : CLI_BASE + i;
        longopts[nlong++] = (struct option){d->flag, required_argument, NULL, val};
        if (d->short_flag && used + 2 < shortcap) {
            shortopts[used++] = d->short_flag;
            shortopts[used++] = ':';
            shortopts[used] = '\0';
        }
    }
    longopts[nlong] = (struct option){NULL, 0, NULL, 0};
}

int options_cli_index(int where, int opt)
{
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        if (taken_by(d, where) && (d->short_flag ? d->short_flag == opt : CLI_BASE + i == opt))
            return i;
    }
    return -1;
}

int options_cli_parse(int i, const char *arg, zp_options *o, zp_option_mask *given)
{
    int rc = ZP_OK;
    const zp_option_def *d = &zp_option_table[i];
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", d->flag);
    if (d->type == ZP_OPT_NAME) {
        int value;
        if (zp_name_lookup(d->names, arg, &value) < 0) {
            char names[256];
            names_phrase(d->names, "", names, sizeof names);
            return zp_fail(ZP_EUSAGE, "%s: expected %s, got '%s'", flag, names, arg);
        }
        *(int *)((char *)o + d->offset) = value;
    } else if (d->type == ZP_OPT_REAL) {
        ZP_CHECK(zp_parse_double(arg, d->lo, d->hi, flag, (double *)((char *)o + d->offset)));
    } else {
        long long v;
        ZP_CHECK(zp_parse_long(arg, (long long)d->lo, (long long)d->hi, flag, &v));
        store_number(d, (double)v, o);
    }
    *given |= 1u << i;
out:
    return rc;
}

/* ---- help ------------------------------------------------------------------------------------ */

/* " (default V)" unless the help text already tells the default. */
static void default_note(const zp_option_def *d, char *out, size_t cap)
{
    out[0] = '\0';
    if (strstr(d->help, "default") || (d->type == ZP_OPT_REAL && d->def == 0))
        return;
    if (d->type == ZP_OPT_NAME)
        snprintf(out, cap, " (default %s)", zp_name_of(d->names, (int)d->def));
    else
        snprintf(out, cap, " (default %g)", d->def);
}

void options_print_help(FILE *f, int where, int column)
{
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        if (!taken_by(d, where))
            continue;
        char head[64];
        if (d->short_flag)
            snprintf(head, sizeof head, "  -%c, --%s %s", d->short_flag, d->flag, d->arg);
        else
            snprintf(head, sizeof head, "      --%s %s", d->flag, d->arg);
        char note[64];
        default_note(d, note, sizeof note);
        int pad = column - (int)strlen(head);
        fprintf(f, "%s%*s", head, pad > 1 ? pad : 1, "");
        for (const char *line = d->help; *line;) {
            const char *end = strchr(line, '\n');
            int len = end ? (int)(end - line) : (int)strlen(line);
            fprintf(f, "%.*s%s\n", len, line, end ? "" : note);
            line += len + (end ? 1 : 0);
            if (*line)
                fprintf(f, "%*s", column, "");
        }
    }
}
