/* sweepjson.c - the JSON documents of a sweep (see sweepjson.h): the summary file and the
 * entries of a resumed one, the digest --resume compares, the HDF5 file's /parameters. */
#include "sweepjson.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "outfile.h"
#include "report.h"
#include "util.h"

struct sweepjson_old {
    cJSON *tasks; /* the "tasks" array of the resumed summary */
};

/* ---- the summary being resumed -------------------------------------------------------------- */

/* Checks that the entry of a resumed output describes task id of this sweep. */
static int check_old_task(const sweep_def *s, const char *file, int id, const char *instance,
                          int zones, double seed)
{
    if (id < 0 || id >= s->ntasks)
        return zp_fail(ZP_EINPUT, "%s: task %d is not a task of %s (%d tasks): another sweep?",
                       file, id, s->source, s->ntasks);
    const sweep_task *t = &s->tasks[id];
    if ((instance && strcmp(instance, s->inst[t->instance].name) != 0) || zones != t->zones ||
        seed != (double)t->seed)
        return zp_fail(ZP_EINPUT,
                       "%s: task %d is %s, %d zones, seed %.0f there but %s, %d zones, seed "
                       "%llu in %s: made from another sweep file?",
                       file, id, instance ? instance : "?", zones, seed,
                       s->inst[t->instance].name, t->zones, (unsigned long long)t->seed,
                       s->source);
    return ZP_OK;
}

int sweepjson_read_summary(const char *path, const sweep_def *s, int optional,
                           sweepjson_old **old, int **ids, int *n)
{
    int rc = ZP_OK;
    char *text = NULL;
    cJSON *root = NULL;
    size_t len = 0;
    if (optional && access(path, F_OK) != 0 && errno == ENOENT)
        return ZP_OK;
    ZP_CHECK(zp_read_file(path, &text, &len));
    root = cJSON_Parse(text);
    cJSON *tasks = root ? cJSON_GetObjectItemCaseSensitive(root, "tasks") : NULL;
    if (!cJSON_IsArray(tasks))
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: not a zoneplace summary (no \"tasks\" list)", path));
    int count = cJSON_GetArraySize(tasks), i = 0;
    if (ids)
        ZP_ALLOC(*ids, count);
    for (cJSON *t = tasks->child; t; t = t->next, i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "task");
        const cJSON *inst = cJSON_GetObjectItemCaseSensitive(t, "instance");
        const cJSON *zones = cJSON_GetObjectItemCaseSensitive(t, "zones");
        const cJSON *seed = cJSON_GetObjectItemCaseSensitive(t, "seed");
        if (!cJSON_IsNumber(id) || !cJSON_IsNumber(zones) || !cJSON_IsNumber(seed))
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: tasks[%d]: expected \"task\", \"zones\", \"seed\"",
                             path, i));
        ZP_CHECK(check_old_task(s, path, id->valueint,
                                cJSON_IsString(inst) ? inst->valuestring : NULL, zones->valueint,
                                seed->valuedouble));
        if (ids)
            (*ids)[i] = id->valueint;
    }
    if (ids)
        *n = count;
    ZP_ALLOC(*old, 1);
    (*old)->tasks = cJSON_DetachItemViaPointer(root, tasks);
out:
    cJSON_Delete(root);
    zp_free(text);
    return rc;
}

void sweepjson_old_destroy(sweepjson_old **old)
{
    if (!old || !*old)
        return;
    cJSON_Delete((*old)->tasks);
    zp_free(*old);
    *old = NULL;
}

/* ---- the digest ----------------------------------------------------------------------------- */

int sweepjson_make_digest(const sweep_def *s, zp_config *const *cfg, const char *version,
                          char **digest)
{
    char hex[17], key[300];
    uint64_t settings = ZP_DIGEST_INIT;
    cJSON *d = cJSON_CreateObject();
    if (!d)
        return zp_fail(ZP_ERUNTIME, "out of memory");
    cJSON_AddStringToObject(d, "version", version);
    zp_digest_hex(zp_digest_str(ZP_DIGEST_INIT, s->resolved_json), hex);
    cJSON_AddStringToObject(d, "sweep", hex);
    for (int id = 0; id < s->ntasks; id++) {
        zp_options o;
        const sweep_task *t = &s->tasks[id];
        sweep_task_options(s, t, &cfg[t->instance]->options, &o);
        settings = zp_digest_options(settings, &o);
    }
    zp_digest_hex(settings, hex);
    cJSON_AddStringToObject(d, "settings", hex);
    for (int i = 0; i < s->ninst; i++) {
        uint64_t h = zp_digest_problem(ZP_DIGEST_INIT, cfg[i]->base);
        if (cfg[i]->arrivals)
            h = zp_digest_problem(h, cfg[i]->arrivals);
        zp_digest_hex(h, hex);
        snprintf(key, sizeof key, "instance %s", s->inst[i].name);
        cJSON_AddStringToObject(d, key, hex);
    }
    char *printed = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    *digest = printed ? zp_strdup(printed) : NULL;
    cJSON_free(printed);
    return *digest ? ZP_OK : zp_fail(ZP_ERUNTIME, "out of memory");
}

int sweepjson_read_digest(const char *path, char **digest)
{
    int rc = ZP_OK;
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    ZP_CHECK(zp_read_file(path, &text, &len));
    root = cJSON_Parse(text);
    cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "digest");
    char *printed = cJSON_IsObject(d) ? cJSON_PrintUnformatted(d) : NULL;
    if (printed && !(*digest = zp_strdup(printed)))
        rc = ZP_ERUNTIME;
    cJSON_free(printed);
out:
    cJSON_Delete(root);
    zp_free(text);
    return rc;
}

/* What a digest entry stands for, in a message. */
static void describe_part(const char *key, const cJSON *now, const cJSON *old, char *buf,
                          size_t size)
{
    if (strcmp(key, "version") == 0)
        snprintf(buf, size, "the zoneplace version (%s there, %s here)",
                 cJSON_IsString(old) ? old->valuestring : "none",
                 cJSON_IsString(now) ? now->valuestring : "none");
    else if (strcmp(key, "sweep") == 0)
        snprintf(buf, size, "the sweep file's parameters");
    else if (strcmp(key, "settings") == 0)
        snprintf(buf, size, "the effective search options (sweep file, configs, command line)");
    else if (!now || !old)
        snprintf(buf, size, "the instances (%s %s)", key, now ? "is new" : "is gone");
    else
        snprintf(buf, size, "the content of %s", key);
}

void sweepjson_digest_differences(const char *now_text, const char *old_text, char *list,
                                  size_t size)
{
    char part[256];
    cJSON *now = cJSON_Parse(now_text), *old = old_text ? cJSON_Parse(old_text) : NULL;
    list[0] = '\0';
    if (!old)
        snprintf(list, size, "it records no digest (made by an older zoneplace)");
    for (const cJSON *e = now ? now->child : NULL; e && old; e = e->next) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(old, e->string);
        if (cJSON_IsString(o) && cJSON_IsString(e) && strcmp(o->valuestring, e->valuestring) == 0)
            continue;
        describe_part(e->string, e, o, part, sizeof part);
        snprintf(list + strlen(list), size - strlen(list), "%s%s", list[0] ? "; " : "", part);
    }
    for (const cJSON *o = old ? old->child : NULL; o; o = o->next)
        if (!cJSON_GetObjectItemCaseSensitive(now, o->string)) {
            describe_part(o->string, NULL, o, part, sizeof part);
            snprintf(list + strlen(list), size - strlen(list), "%s%s", list[0] ? "; " : "", part);
        }
    cJSON_Delete(now);
    cJSON_Delete(old);
}

int sweepjson_compare_digest(const char *now_text, const char *old_text, const char *resume)
{
    char list[900];
    sweepjson_digest_differences(now_text, old_text, list, sizeof list);
    if (!list[0])
        return ZP_OK;
    return zp_fail(ZP_EINPUT, "--resume %s: made with other inputs or settings, its tasks would "
                              "not match: %s differ (--start-over computes every task again)",
                   resume, list);
}

/* ---- the summary ---------------------------------------------------------------------------- */

/* The summary entry of a task: report.c's, plus the sweep parameters it ran with. */
static cJSON *task_result_json(const sweep_def *s, const sweep_task *t, const zp_task_result *res)
{
    cJSON *o = report_task_json(res, s->inst[t->instance].name);
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "capacity_mode", sweep_capmode_name(t->capacity_mode));
    cJSON_AddNumberToObject(o, "imbalance", t->imbalance);
    cJSON_AddNumberToObject(o, "requests", t->requests);
    cJSON_AddNumberToObject(o, "move_factor", t->move_factor);
    return o;
}

static int task_id_of(const cJSON *entry)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "task");
    return cJSON_IsNumber(id) ? id->valueint : -1;
}

/* Whether task id is in the run's slice and zone list. */
static int is_selected(const sweepjson_summary *sum, int id)
{
    int selected = id % sum->slice_n == sum->slice_i;
    if (selected && sum->nonly) {
        selected = 0;
        for (int j = 0; j < sum->nonly; j++)
            selected |= sum->s->tasks[id].zones == sum->only[j];
    }
    return selected;
}

int sweepjson_write_summary(const sweepjson_summary *sum, const char *path, char **tmp)
{
    int rc = ZP_OK;
    const sweep_def *s = sum->s;
    char *text = NULL;
    cJSON **by_id = NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    ZP_ALLOC(by_id, s->ntasks);
    for (cJSON *e = sum->old ? sum->old->tasks->child : NULL; e; e = e->next) {
        int id = task_id_of(e);
        if (id >= 0 && id < s->ntasks)
            by_id[id] = e;
    }
    cJSON *fresh = cJSON_CreateArray(); /* owns the new entries until they move into tasks */
    if (!fresh)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    cJSON_AddItemToObject(root, "fresh", fresh);
    for (int i = 0; i < sum->nsel; i++) {
        if (!sum->have[i])
            continue;
        cJSON *e = task_result_json(s, &s->tasks[sum->sel[i]], &sum->all[i]);
        if (!e)
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
        cJSON_AddItemToArray(fresh, e);
        by_id[sum->sel[i]] = e;
    }
    int ndone = 0, nselected_done = 0;
    cJSON *tasks = cJSON_CreateArray();
    if (!tasks)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    for (int id = 0; id < s->ntasks; id++) {
        if (!by_id[id])
            continue;
        cJSON_AddItemReferenceToArray(tasks, by_id[id]);
        ndone++;
    }
    for (int id = 0; id < s->ntasks; id++)
        nselected_done += is_selected(sum, id) && by_id[id];
    cJSON_AddStringToObject(root, "creator", "zoneplace");
    cJSON_AddStringToObject(root, "version", sum->version);
    cJSON_AddStringToObject(root, "command", "sweep");
    cJSON_AddStringToObject(root, "sweep", s->name ? s->name : "");
    cJSON_AddStringToObject(root, "sweep_file", s->source);
    cJSON_AddNumberToObject(root, "tasks_total", s->ntasks);
    cJSON_AddNumberToObject(root, "tasks_selected", sum->nselected_all);
    cJSON_AddNumberToObject(root, "tasks_done", ndone);
    cJSON_AddBoolToObject(root, "complete", nselected_done == sum->nselected_all);
    cJSON_AddStringToObject(root, "stopped_by", sum->stopped_by);
    cJSON_AddItemToObject(root, "digest", cJSON_Parse(sum->digest));
    cJSON_AddItemToObject(root, "tasks", tasks);
    /* print with the references, then drop the helper array from the output */
    cJSON_DetachItemViaPointer(root, fresh);
    text = cJSON_Print(root);
    cJSON_Delete(fresh);
    if (!text)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    rc = zp_temp_write(path, text, tmp);
out:
    cJSON_free(text);
    cJSON_Delete(root);
    zp_free(by_id);
    return rc;
}

/* ---- /parameters ---------------------------------------------------------------------------- */

static cJSON *task_params_json(const sweep_def *s, const sweep_task *t)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "task", t->id);
    cJSON_AddStringToObject(o, "instance", s->inst[t->instance].name);
    cJSON_AddNumberToObject(o, "zones", t->zones);
    cJSON_AddNumberToObject(o, "apps", (double)t->apps);
    cJSON_AddNumberToObject(o, "seed", (double)t->seed);
    cJSON_AddNumberToObject(o, "starts", t->starts);
    cJSON_AddStringToObject(o, "capacity_mode", sweep_capmode_name(t->capacity_mode));
    cJSON_AddNumberToObject(o, "imbalance", t->imbalance);
    cJSON_AddNumberToObject(o, "requests", t->requests);
    cJSON_AddNumberToObject(o, "move_factor", t->move_factor);
    return o;
}

/* The name of problem group index in the HDF5 file: "problem", "problem_1", ... */
static void problem_group_name(int index, char *buf, size_t size)
{
    if (index <= 0)
        snprintf(buf, size, "problem");
    else
        snprintf(buf, size, "problem_%d", index);
}

char *sweepjson_parameters(const sweep_def *s, const int *problem_of, const sweepjson_split *split)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "command", "sweep");
    cJSON_AddStringToObject(root, "sweep_file", s->source);
    cJSON_AddItemToObject(root, "sweep", cJSON_Parse(s->resolved_json));
    cJSON *tasks = cJSON_AddArrayToObject(root, "tasks");
    for (int id = 0; tasks && id < s->ntasks; id++) {
        cJSON *t = task_params_json(s, &s->tasks[id]);
        if (t && problem_of[id] >= 0) {
            char name[32];
            problem_group_name(problem_of[id], name, sizeof name);
            cJSON_AddStringToObject(t, "problem", name);
        }
        cJSON_AddItemToArray(tasks, t);
    }
    cJSON_AddNumberToObject(root, "ranks", split->ranks);
    cJSON_AddNumberToObject(root, "ranks_per_task", split->ranks_per_task);
    cJSON_AddNumberToObject(root, "groups", split->groups);
    cJSON *slice = cJSON_AddArrayToObject(root, "slice");
    cJSON_AddItemToArray(slice, cJSON_CreateNumber(split->slice_i));
    cJSON_AddItemToArray(slice, cJSON_CreateNumber(split->slice_n));
    cJSON_AddItemToObject(root, "only_zones", cJSON_CreateIntArray(split->only, split->nonly));
    char *printed = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    char *text = printed ? zp_strdup(printed) : NULL; /* the caller frees with zp_free */
    cJSON_free(printed);
    return text;
}
