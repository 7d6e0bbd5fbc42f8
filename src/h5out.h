/* h5out.h - the output layer: one HDF5 file per run (docs/design.md section 5; the layout is
 * docs/hdf5.md), written collectively by every rank of a communicator with parallel HDF5.
 * h5out.c writes the layout, h5perf.c the /perf groups, h5read.c reads a file back (zoneplace
 * merge), all over h5io.c (the only place that includes hdf5.h, through h5io.h; the rows of
 * the layout are in h5layout.h); h5out_none.c stands in for builds without MPI/HDF5 and
 * refuses --out.
 *
 * The file is created under a temporary name of its own (PATH.partial.<pid>.<hex>, outfile.h)
 * and renamed to PATH by a successful h5out_close, so a crash never leaves a file under the
 * final name. An existing PATH is an error unless force. Disk space is reserved before every
 * write (h5io.h), so that a full disk ends the run with "PATH: cannot write: No space left on
 * device" on every rank instead of failing inside a collective HDF5 call.
 * Every function is collective over the communicator given to h5out_open. */
#ifndef ZP_H5OUT_H
#define ZP_H5OUT_H

#include <time.h>

#include "par.h"
#include "perfmodel.h"
#include "pipeline.h"

typedef struct zp_h5out zp_h5out;

typedef struct {
    const char *command_line;
    const char *version;
    const char *git_revision;
    int ranks;
    const char *parameters_json; /* resolved config and options, stored in /parameters */
    const char *digest; /* what determines the results (sweeps: a JSON object), or NULL */
    const char *settings; /* the effective search options, a JSON object, or NULL */
    time_t started;       /* when the run began (rank 0's clock) */
} zp_run_info;

/* Creates the temporary file with the root attributes and /parameters. ZP_EIO when PATH exists (and
 * !force), its folder is missing, or HDF5 fails. */
int h5out_open(zp_h5out **h, zp_comm *c, const char *path, int force, const zp_run_info *info);
/* Reopens the zoneplace file prev to add tasks: prev is copied to a temporary file, which the new
 * rows extend and h5out_close renames to PATH (PATH may be prev itself: then it is replaced,
 * whatever force says). The old rows, problems and attributes stay. ZP_EIO when prev is
 * missing or not a file of this layout, or PATH (!= prev) exists and !force. */
int h5out_open_append(zp_h5out **h, zp_comm *c, const char *prev, const char *path, int force);
/* Not collective (call it on one rank): the task ids of the /tasks rows of the file path, in
 * row order, in *ids (zp_malloc'd, the caller frees it with zp_free). ZP_EIO if unreadable. */
int h5out_completed_tasks(const char *path, int **ids, int *n);
/* Not collective: the string root attribute name of the file path in *value (zp_free it), NULL
 * when the file has no such attribute. ZP_EIO if the file cannot be opened. */
int h5out_root_string(const char *path, const char *name, char **value);

/* Writes the group /problem (apps, zones, dependencies, D) of a problem; every rank passes the
 * same problem. Called again it writes /problem_1, /problem_2, ...: the /tasks rows appended
 * after it record its index (field problem). */
int h5out_write_problem(zp_h5out *h, const zp_problem *p);
/* h5out_write_problem for a problem split over the ranks (drun.h): the same datasets, each rank
 * writing its apps' rows and the dependencies whose lower end it owns. */
struct zp_dproblem;
int h5out_write_dproblem(zp_h5out *h, const struct zp_dproblem *dp);
/* Collective, for files reopened by h5out_open_append (zoneplace sweep --resume): makes the
 * /tasks rows appended next belong to the existing problem group that holds a problem equal to
 * p (as its attributes tell: name, apps, zones, capacity mode, requests, move factor,
 * imbalance). *found = 0 when no group does (then write p with h5out_write_problem). */
int h5out_use_problem(zp_h5out *h, const zp_problem *p, int *found);
/* Appends tasks: every rank passes the results it holds (ranks may pass different numbers,
 * also 0). /tasks, /phases, /starts rows and /placements rows come from the tasks with
 * is_owner[i] set (/initial_placements from each result's initial placement, as the pipeline
 * made it): exactly one rank must own each task (in `run`, every rank holds the same
 * result: only rank 0 may set is_owner). /trajectory rows come from every task passed (each
 * rank's rows at offsets from an exclusive prefix sum, one collective write). May be called
 * any number of times on one file. */
int h5out_append_tasks(zp_h5out *h, const zp_task_result *tasks, int ntasks, const int *is_owner,
                       const char *const *instances);
/* The response-time model's predictions of one task, for h5out_write_perf. */
typedef struct {
    const zp_perf *pf;              /* the parameters they were made with */
    const int *initial_x;           /* [apps] the placement "initial" describes (round robin,
                                       running apps kept: the summary's perf.initial) */
    const zp_perf_result *initial;  /* predictions for initial_x */
    const zp_perf_result *final;    /* predictions for the task's best placement */
} zp_perf_tables;
/* Collective: writes the group /perf/task_<T> (T = task->task, a task appended before) with the
 * per-dependency, per-link and per-app tables of the model for the initial and the final
 * placement, and their summary as attributes (docs/hdf5.md). Every rank passes the same values;
 * rank 0's are written. p is the problem the predictions were made for. */
int h5out_write_perf(zp_h5out *h, const zp_task_result *task, const zp_problem *p,
                     const zp_perf_tables *t);
/* Collective: the root attribute complete (0 when the file is opened): 1 once it holds every
 * task the run or sweep set out to compute, 0 for a commit of a sweep still running or stopped;
 * and the attribute ended, the time of this call. */
int h5out_set_complete(zp_h5out *h, int complete);
/* Collective: replaces the string root attribute name by values (every rank passes the same):
 * one scalar string when scalar (n = 1), else an array of n strings. For files that record the
 * provenance of other files (zoneplace merge: the parts' start, hosts, Slurm ids). */
int h5out_replace_root_strings(zp_h5out *h, const char *name, const char *const *values, int n,
                               int scalar);
/* Rank 0 (the others' calls are ignored): a finished temporary file (outfile.h; the handle takes
 * it over) to be renamed to path right after this file, under the same folder lock, e.g. the
 * summary JSON; replace as for zp_publish. Removed if the close fails. */
void h5out_publish_with(zp_h5out *h, char *tmp, const char *path, int replace);
/* Closes the file; on success renames it (and its companion) to the final names, otherwise
 * removes the temporary files. */
int h5out_close(zp_h5out **h, int success);

/* ---- reading a file back (h5read.c): zoneplace merge ------------------------------------ */

/* A zoneplace file as read back: what h5out_open, h5out_write_problem and h5out_append_tasks
 * were given, so that writing it again through them gives the same datasets. */
typedef struct {
    /* root attributes ("" when the file has none of that name) */
    char *version, *git_revision, *digest, *settings, *started, *ended, *mpi_library;
    char *slurm_job_id, *slurm_array_job_id, *slurm_array_task_id;
    int64_t mpi_ranks, complete;
    char **hosts;
    int nhosts;
    char *parameters_json;   /* /parameters/config_json */
    zp_problem **problems;   /* /problem, /problem_1, ... */
    int nproblems;
    zp_task_result *tasks;   /* the /tasks rows in row order, each with its /phases, /starts,
                                placement rows and /trajectory rows (in the file's order) */
    int *problem_of;         /* [ntasks] the rows' field problem */
    char **instances;        /* [ntasks] the rows' field instance */
    int ntasks;
    int perf_groups;         /* groups under /perf (not read) */
} zp_h5file;

/* Not collective (any rank may read a file on its own): reads the zoneplace file path. ZP_EIO
 * when it cannot be opened or read; ZP_EINPUT when it is not a zoneplace output of this
 * layout (not HDF5, another creator, another format_version). The caller frees f with
 * h5out_file_free, also after a failure. */
int h5out_read_file(const char *path, zp_h5file *f);
void h5out_file_free(zp_h5file *f);

#endif
