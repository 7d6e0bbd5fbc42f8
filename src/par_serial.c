/* par_serial.c - the parallel layer for a build without MPI: one process, one rank. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "util.h"

struct zp_comm {
    int unused;
};

static zp_comm world;

int par_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return ZP_OK;
}
void par_finalize(void) {}
void par_abort(int code) { exit(code); }
zp_comm *par_world(void) { return &world; }
int par_rank(const zp_comm *c) { return (void)c, 0; }
int par_size(const zp_comm *c) { return (void)c, 1; }

int par_split(zp_comm *c, int color, int key, zp_comm **out)
{
    (void)color, (void)key;
    *out = c;
    return ZP_OK;
}

void par_comm_free(zp_comm **c) { *c = NULL; }
zp_exchange par_exchange(zp_comm *c) { return (void)c, exchange_serial(); }

int par_bcast(zp_comm *c, void *buf, int64_t bytes, int root)
{
    (void)c, (void)buf, (void)bytes, (void)root;
    return ZP_OK;
}
int par_allreduce_max_i64(zp_comm *c, int64_t *v) { return (void)c, (void)v, ZP_OK; }
int par_allreduce_sum_i64(zp_comm *c, int64_t *v) { return (void)c, (void)v, ZP_OK; }
int par_allreduce_max_double(zp_comm *c, double *v) { return (void)c, (void)v, ZP_OK; }

int par_exscan_i64(zp_comm *c, int64_t value, int64_t *offset)
{
    (void)c, (void)value;
    *offset = 0;
    return ZP_OK;
}

int par_barrier(zp_comm *c) { return (void)c, ZP_OK; }
int par_agree_status(zp_comm *c, int status) { return (void)c, status; }

int par_agree_end(int status, int has_message, double timeout, int *first, int *alone)
{
    (void)timeout;
    *first = status && has_message ? 0 : -1;
    *alone = 0;
    return status;
}
void *par_mpi_comm(zp_comm *c) { return (void)c, NULL; }

void par_library_version(char *buf, size_t size) { snprintf(buf, size, "none (serial build)"); }
zp_dcomm par_dcomm(zp_comm *c) { return (void)c, dcomm_serial(); }
