/* h5out.h - the output layer: one HDF5 file per run (design.md section 5), written collectively
 * by every rank of a communicator with parallel HDF5. h5out.c is the only file that includes
 * hdf5.h; h5out_none.c stands in for builds without MPI/HDF5 and refuses --out.
 *
 * The file is created as PATH.partial and renamed to PATH by a successful h5out_close, so a
 * crash never leaves a file under the final name. An existing PATH is an error unless force.
 * Every function is collective over the communicator given to h5out_open. */
#ifndef ZP_H5OUT_H
#define ZP_H5OUT_H

#include "par.h"
#include "pipeline.h"

typedef struct zp_h5out zp_h5out;

typedef struct {
    const char *command_line;
    const char *version;
    const char *git_revision;
    int ranks;
    const char *parameters_json; /* resolved config and options, stored in /parameters */
} zp_run_info;

/* Creates PATH.partial with the root attributes and /parameters. ZP_EIO when PATH exists (and
 * !force), its folder is missing, or HDF5 fails. */
int h5out_open(zp_h5out **h, zp_comm *c, const char *path, int force, const zp_run_info *info);
/* Writes /problem (apps, zones, dependencies, D) of the task's problem. */
int h5out_write_problem(zp_h5out *h, const zp_problem *p);
/* Appends tasks: every rank passes the results it holds; /tasks rows and /placements come from
 * ranks with is_owner[i] set, /trajectory rows from every rank (offsets by prefix sum). */
int h5out_append_tasks(zp_h5out *h, const zp_task_result *tasks, int ntasks, const int *is_owner,
                       const char *const *instances);
/* Closes the file; on success renames PATH.partial to PATH, otherwise removes PATH.partial. */
int h5out_close(zp_h5out **h, int success);

#endif
