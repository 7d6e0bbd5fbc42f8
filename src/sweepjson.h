/* sweepjson.h - the JSON documents of a sweep: the summary file (written after every round; the
 * entries of a summary being resumed are kept and written again), the digest of what determines
 * the results (stored in both outputs and compared by --resume), and the text of the HDF5 file's
 * /parameters. Part of the file-format layer (docs/design.md section 8): plain C types in,
 * strings out, so that the sweep's orchestration (sweep.c) sees no JSON library. */
#ifndef ZP_SWEEPJSON_H
#define ZP_SWEEPJSON_H

#include "config.h"
#include "pipeline.h"
#include "sweepfile.h"

/* The task entries of a summary being resumed (rank 0), kept to be written again. */
typedef struct sweepjson_old sweepjson_old;

/* Reads the summary JSON path of sweep s: every entry must describe a task of s (ZP_EINPUT
 * otherwise); the entries go to *old (left NULL when the file is missing and optional, which
 * is ZP_EIO when not optional). When ids is not NULL the entries' task ids go there (*n). */
int sweepjson_read_summary(const char *path, const sweep_def *s, int optional,
                           sweepjson_old **old, int **ids, int *n);
void sweepjson_old_destroy(sweepjson_old **old);

/* The digest of everything that determines the results: the zoneplace version, the sweep file
 * as parsed, every task's effective search options (s->search already holds the command line's;
 * cfg[i] is instance i's config), every instance's problem. A compact JSON object of hex
 * strings into *digest (zp_free it). */
int sweepjson_make_digest(const sweep_def *s, zp_config *const *cfg, const char *version,
                          char **digest);
/* The digest recorded in the summary JSON path into *digest (NULL: none; zp_free it). */
int sweepjson_read_digest(const char *path, char **digest);
/* The parts in which the digest now differs from old (NULL: the output records none), named
 * and joined by "; " into list ("" when they are equal). */
void sweepjson_digest_differences(const char *now, const char *old, char *list, size_t size);
/* ZP_OK when the digest now equals old (NULL: the output records none); ZP_EINPUT naming every
 * part that differs otherwise (resume: the file named in the message). */
int sweepjson_compare_digest(const char *now, const char *old, const char *resume);

/* What the summary of a sweep holds besides its entries. */
typedef struct {
    const sweep_def *s;
    const sweepjson_old *old;    /* entries of the summary being resumed, or NULL */
    const int *sel;              /* ids of the tasks this run selected, nsel of them, ... */
    const zp_task_result *all;   /* ... their results by position in sel ... */
    const unsigned char *have;   /* ... where have[i] is set */
    int nsel;
    int nselected_all;           /* tasks the slice and zone list select, done before or not */
    int slice_i, slice_n;        /* --slice I/N */
    const int *only;             /* --zones, nonly of them (0: every zone count) */
    int nonly;
    const char *version;
    const char *stopped_by;      /* the signal that stopped the run, "" if none */
    const char *digest;          /* sweepjson_make_digest's */
} sweepjson_summary;

/* Rank 0: the summary JSON (the resumed entries and this run's, by task id) written to a
 * temporary file *tmp next to path, for the caller to publish (outfile.h). */
int sweepjson_write_summary(const sweepjson_summary *sum, const char *path, char **tmp);

/* How a run was split over ranks, as /parameters records it. */
typedef struct {
    int ranks, ranks_per_task, groups;
    int slice_i, slice_n;
    const int *only;
    int nonly;
} sweepjson_split;

/* The text of /parameters: the sweep file as parsed, the parameters of every task (with the
 * problem group of the tasks that have one, problem_of[id] >= 0) and how this run was split.
 * NULL when out of memory; zp_free it. */
char *sweepjson_parameters(const sweep_def *s, const int *problem_of, const sweepjson_split *split);

#endif
