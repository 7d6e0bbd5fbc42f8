/* mergejson.h - the JSON of `zoneplace merge` (mergecmd.h): what a part's /parameters says about
 * its sweep, the comparison of the parts' digests, and the merged file's /parameters. Part of
 * the file-format layer (docs/design.md section 8): strings in, plain C types and strings out,
 * so that the command sees no JSON library. */
#ifndef ZP_MERGEJSON_H
#define ZP_MERGEJSON_H

/* The number of tasks of the whole sweep whose /parameters text is params ("tasks" lists them
 * all, whatever the part ran); ZP_EINPUT naming file when params is not a sweep's. */
int mergejson_sweep_tasks(const char *params, const char *file, int *ntotal);

/* ZP_EINPUT "FILE: not a part of the same sweep as FIRST: <what> differ" naming every entry in
 * which the sweep digest of file differs from first's. */
int mergejson_compare_digests(const char *digest, const char *file, const char *first_digest,
                              const char *first_file);

/* A part as the merged /parameters records it. */
typedef struct {
    const char *file;   /* its path */
    const char *params; /* its /parameters text */
    int rows;           /* its /tasks rows */
} mergejson_part;

/* The merged file's /parameters text (zp_free it; NULL when out of memory): the first part's
 * sweep and task list, each task's problem group as group_of[id] numbers it (-1: the task is
 * absent; ntotal ids), the whole sweep selected (slice [0, 1], no zone list), the largest rank
 * counts of the parts and every part in "merged_from" (docs/hdf5.md). */
char *mergejson_parameters(const mergejson_part *parts, int nparts, const int *group_of,
                           int ntotal);

#endif
