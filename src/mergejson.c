/* mergejson.c - the JSON of `zoneplace merge` (see mergejson.h). */
#include "mergejson.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "sweepjson.h"
#include "util.h"

int mergejson_sweep_tasks(const char *params, const char *file, int *ntotal)
{
    cJSON *root = cJSON_Parse(params);
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(root, "command");
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
    int sweep = cJSON_IsString(cmd) && strcmp(cmd->valuestring, "sweep") == 0 &&
                cJSON_IsArray(tasks);
    *ntotal = sweep ? cJSON_GetArraySize(tasks) : 0;
    cJSON_Delete(root);
    if (!sweep)
        return zp_fail(ZP_EINPUT, "%s: not the output of a sweep (its /parameters list no sweep "
                                  "tasks): merge takes the parts of one sweep", file);
    return ZP_OK;
}

int mergejson_compare_digests(const char *digest, const char *file, const char *first_digest,
                              const char *first_file)
{
    char list[900];
    sweepjson_digest_differences(digest, first_digest, list, sizeof list);
    if (!list[0])
        return ZP_OK;
    return zp_fail(ZP_EINPUT, "%s: not a part of the same sweep as %s: %s differ", file,
                   first_file, list);
}

static int number_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* One entry of "merged_from": a part and how it was run. */
static cJSON *part_json(const mergejson_part *part, const cJSON *params)
{
    static const char *const keys[] = {"slice", "only_zones", "ranks", "ranks_per_task",
                                       "groups"};
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "file", part->file);
    cJSON_AddNumberToObject(o, "tasks", part->rows);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, keys[k]);
        if (v)
            cJSON_AddItemToObject(o, keys[k], cJSON_Duplicate(v, 1));
    }
    return o;
}

/* Every task entry's "problem": the group the merged file gives it, none when absent. */
static void renumber_tasks(cJSON *root, const int *group_of, int ntotal)
{
    cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
    for (cJSON *t = tasks ? tasks->child : NULL; t; t = t->next) {
        int id = number_of(t, "task");
        cJSON_DeleteItemFromObjectCaseSensitive(t, "problem");
        if (id < 0 || id >= ntotal || group_of[id] < 0)
            continue;
        char name[32];
        if (group_of[id] == 0)
            snprintf(name, sizeof name, "problem");
        else
            snprintf(name, sizeof name, "problem_%d", group_of[id]);
        cJSON_AddStringToObject(t, "problem", name);
    }
}

char *mergejson_parameters(const mergejson_part *parts, int nparts, const int *group_of,
                           int ntotal)
{
    static const char *const counts[] = {"ranks", "ranks_per_task", "groups"};
    cJSON **params = zp_calloc((size_t)nparts, sizeof *params);
    cJSON *root = NULL;
    char *text = NULL;
    for (int i = 0; params && i < nparts; i++)
        params[i] = cJSON_Parse(parts[i].params);
    if (!params || !params[0] || !(root = cJSON_Duplicate(params[0], 1)))
        goto out;
    renumber_tasks(root, group_of, ntotal);
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        int most = 0;
        for (int i = 0; i < nparts; i++)
            most = ZP_MAX(most, number_of(params[i], counts[k]));
        cJSON_DeleteItemFromObjectCaseSensitive(root, counts[k]);
        cJSON_AddNumberToObject(root, counts[k], most);
    }
    int whole[2] = {0, 1};
    cJSON_DeleteItemFromObjectCaseSensitive(root, "slice");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "only_zones");
    cJSON_AddItemToObject(root, "slice", cJSON_CreateIntArray(whole, 2));
    cJSON_AddItemToObject(root, "only_zones", cJSON_CreateArray());
    cJSON *merged = cJSON_AddArrayToObject(root, "merged_from");
    for (int i = 0; merged && i < nparts; i++)
        cJSON_AddItemToArray(merged, part_json(&parts[i], params[i]));
    char *printed = cJSON_PrintUnformatted(root);
    text = printed ? zp_strdup(printed) : NULL;
    cJSON_free(printed);
out:
    for (int i = 0; params && i < nparts; i++)
        cJSON_Delete(params[i]);
    zp_free(params);
    cJSON_Delete(root);
    return text;
}
