/* h5out_none.c - the output layer of a build without MPI and HDF5: --out is refused. */
#include "h5out.h"

#include <string.h>

#include "util.h"

int h5out_open(zp_h5out **h, zp_comm *c, const char *path, int force, const zp_run_info *info)
{
    (void)c, (void)force, (void)info;
    *h = NULL;
    return zp_fail(ZP_EUSAGE, "%s: this zoneplace was built without HDF5 (make MPI=0)", path);
}

int h5out_write_problem(zp_h5out *h, const zp_problem *p) { return (void)h, (void)p, ZP_OK; }
int h5out_write_dproblem(zp_h5out *h, const struct zp_dproblem *dp)
{
    return (void)h, (void)dp, ZP_OK;
}

int h5out_append_tasks(zp_h5out *h, const zp_task_result *tasks, int ntasks, const int *is_owner,
                       const char *const *instances)
{
    (void)h, (void)tasks, (void)ntasks, (void)is_owner, (void)instances;
    return ZP_OK;
}

int h5out_write_perf(zp_h5out *h, const zp_task_result *task, const zp_problem *p,
                     const zp_perf_tables *t)
{
    (void)h, (void)task, (void)p, (void)t;
    return ZP_OK;
}

int h5out_set_complete(zp_h5out *h, int complete) { return (void)h, (void)complete, ZP_OK; }

void h5out_publish_with(zp_h5out *h, char *tmp, const char *path, int replace)
{
    (void)h, (void)path, (void)replace;
    zp_free(tmp);
}

int h5out_close(zp_h5out **h, int success)
{
    (void)success;
    *h = NULL;
    return ZP_OK;
}

int h5out_open_append(zp_h5out **h, zp_comm *c, const char *prev, const char *path, int force)
{
    (void)c, (void)prev, (void)force;
    *h = NULL;
    return zp_fail(ZP_EUSAGE, "%s: this zoneplace was built without HDF5 (make MPI=0)", path);
}

int h5out_root_string(const char *path, const char *name, char **value)
{
    (void)name;
    *value = NULL;
    return zp_fail(ZP_EUSAGE, "%s: this zoneplace was built without HDF5 (make MPI=0)", path);
}

int h5out_completed_tasks(const char *path, int **ids, int *n)
{
    *ids = NULL;
    *n = 0;
    return zp_fail(ZP_EUSAGE, "%s: this zoneplace was built without HDF5 (make MPI=0)", path);
}

int h5out_use_problem(zp_h5out *h, const zp_problem *p, int *found)
{
    (void)h, (void)p;
    *found = 0;
    return ZP_OK;
}

int h5out_replace_root_strings(zp_h5out *h, const char *name, const char *const *values, int n,
                               int scalar)
{
    (void)h, (void)name, (void)values, (void)n, (void)scalar;
    return ZP_OK;
}

int h5out_read_file(const char *path, zp_h5file *f)
{
    memset(f, 0, sizeof *f);
    return zp_fail(ZP_EUSAGE, "%s: this zoneplace was built without HDF5 (make MPI=0)", path);
}

void h5out_file_free(zp_h5file *f) { memset(f, 0, sizeof *f); }
