/* par_mpi.c - the parallel layer over MPI (see par.h). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "par.h"
#include "util.h"

struct zp_comm {
    MPI_Comm comm;
    int owned;
};

static zp_comm world;
static MPI_Comm end_comm = MPI_COMM_NULL; /* par_agree_end's own communicator */

static int mpi_status(int err, const char *what)
{
    if (err == MPI_SUCCESS)
        return ZP_OK;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(err, msg, &len);
    return zp_fail(ZP_ERUNTIME, "MPI %s failed: %s", what, msg);
}

int par_init(int *argc, char ***argv)
{
    int rc = mpi_status(MPI_Init(argc, argv), "init");
    world.comm = MPI_COMM_WORLD;
    /* errors come back as codes so that every failure goes through one message and exit */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (rc == ZP_OK)
        rc = mpi_status(MPI_Comm_dup(MPI_COMM_WORLD, &end_comm), "comm dup");
    return rc;
}

void par_finalize(void)
{
    if (end_comm != MPI_COMM_NULL)
        MPI_Comm_free(&end_comm);
    MPI_Finalize();
}

void par_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

zp_comm *par_world(void) { return &world; }

int par_rank(const zp_comm *c)
{
    int r = 0;
    MPI_Comm_rank(c->comm, &r);
    return r;
}

int par_size(const zp_comm *c)
{
    int s = 1;
    MPI_Comm_size(c->comm, &s);
    return s;
}

int par_split(zp_comm *c, int color, int key, zp_comm **out)
{
    zp_comm *sub = zp_calloc(1, sizeof *sub);
    if (!sub)
        return ZP_ERUNTIME;
    int rc = mpi_status(MPI_Comm_split(c->comm, color, key, &sub->comm), "comm split");
    if (rc != ZP_OK) {
        zp_free(sub);
        return rc;
    }
    sub->owned = 1;
    *out = sub;
    return ZP_OK;
}

void par_comm_free(zp_comm **pc)
{
    zp_comm *c = pc ? *pc : NULL;
    if (!c || !c->owned) {
        if (pc)
            *pc = NULL;
        return;
    }
    MPI_Comm_free(&c->comm);
    zp_free(c);
    *pc = NULL;
}

/* Global best: fewest apps outside the band, then least objective, then lowest start; its
 * placement is broadcast from the rank that ran the start. */
static int mpi_reduce_best(zp_exchange *ex, int64_t *imbalance, double *objective, int *start,
                           int *x, int n)
{
    zp_comm *c = ex->ctx;
    long long imb = *imbalance, min_imb = 0;
    int rc = mpi_status(MPI_Allreduce(&imb, &min_imb, 1, MPI_LONG_LONG, MPI_MIN, c->comm),
                        "allreduce");
    if (rc)
        return rc;
    struct {
        double value;
        int index;
    } mine = {imb == min_imb ? *objective : INFINITY, *start}, best;
    rc = mpi_status(MPI_Allreduce(&mine, &best, 1, MPI_DOUBLE_INT, MPI_MINLOC, c->comm),
                    "allreduce minloc");
    if (rc)
        return rc;
    int owner = best.index % ex->size;
    rc = mpi_status(MPI_Bcast(x, n, MPI_INT, owner, c->comm), "bcast");
    *imbalance = min_imb;
    *objective = best.value;
    *start = best.index;
    return rc;
}

zp_exchange par_exchange(zp_comm *c)
{
    return (zp_exchange){par_rank(c), par_size(c), mpi_reduce_best, c, par_dcomm(c)};
}

int par_bcast(zp_comm *c, void *buf, int64_t bytes, int root)
{
    char *p = buf;
    while (bytes > 0) { /* MPI counts are int: send large buffers in pieces */
        int piece = bytes > (1 << 30) ? (1 << 30) : (int)bytes;
        int rc = mpi_status(MPI_Bcast(p, piece, MPI_BYTE, root, c->comm), "bcast");
        if (rc)
            return rc;
        p += piece;
        bytes -= piece;
    }
    return ZP_OK;
}

static int allreduce_i64(zp_comm *c, int64_t *v, MPI_Op op)
{
    long long in = *v, res = 0;
    int rc = mpi_status(MPI_Allreduce(&in, &res, 1, MPI_LONG_LONG, op, c->comm), "allreduce");
    *v = res;
    return rc;
}

int par_allreduce_max_i64(zp_comm *c, int64_t *v) { return allreduce_i64(c, v, MPI_MAX); }
int par_allreduce_sum_i64(zp_comm *c, int64_t *v) { return allreduce_i64(c, v, MPI_SUM); }

int par_allreduce_max_double(zp_comm *c, double *v)
{
    double in = *v;
    return mpi_status(MPI_Allreduce(&in, v, 1, MPI_DOUBLE, MPI_MAX, c->comm), "allreduce");
}

int par_exscan_i64(zp_comm *c, int64_t value, int64_t *offset)
{
    long long in = value, out = 0;
    int rc = mpi_status(MPI_Exscan(&in, &out, 1, MPI_LONG_LONG, MPI_SUM, c->comm), "exscan");
    *offset = par_rank(c) == 0 ? 0 : out; /* rank 0's result is undefined in MPI */
    return rc;
}

int par_barrier(zp_comm *c) { return mpi_status(MPI_Barrier(c->comm), "barrier"); }

int par_agree_status(zp_comm *c, int status)
{
    int in = status ? status : 1 << 30, out = 0;
    if (MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, c->comm) != MPI_SUCCESS)
        return ZP_ERUNTIME;
    return out == 1 << 30 ? ZP_OK : out;
}

int par_agree_end(int status, int has_message, double timeout, int *first, int *alone)
{
    int rank = par_rank(&world);
    int in[2] = {status ? status : 1 << 30, status && has_message ? rank : 1 << 30}, out[2];
    MPI_Request req;
    *first = -1;
    *alone = 0;
    if (MPI_Iallreduce(in, out, 2, MPI_INT, MPI_MIN, end_comm, &req) != MPI_SUCCESS)
        return status ? status : ZP_ERUNTIME;
    /* a rank that succeeded waits for everyone; a failed one only for a while: the others may
     * be blocked in a collective it will never join */
    double deadline = zp_now() + timeout;
    int done = 0;
    while (!done) {
        if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return status ? status : ZP_ERUNTIME;
        if (!done && status && zp_now() > deadline) {
            *alone = 1;
            return status;
        }
        if (!done) {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
    *first = out[1] == 1 << 30 ? -1 : out[1];
    return out[0] == 1 << 30 ? ZP_OK : out[0];
}

void *par_mpi_comm(zp_comm *c) { return &c->comm; }

void par_library_version(char *buf, size_t size)
{
    char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    if (MPI_Get_library_version(v, &len) != MPI_SUCCESS)
        len = 0;
    v[len < MPI_MAX_LIBRARY_VERSION_STRING ? len : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
    v[strcspn(v, ",\n")] = '\0'; /* "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4" */
    snprintf(buf, size, "%s", v);
}

/* ---- the distributed engine's collectives (dcomm.h) ---------------------------------------- */

static MPI_Comm dc_comm(zp_dcomm *dc) { return ((zp_comm *)dc->ctx)->comm; }

/* int counts and displacements from byte counts; MPI counts are int. */
static int dc_int_counts(const zp_dcomm *dc, const int64_t *bytes, int *count, int *displ)
{
    int64_t at = 0;
    for (int r = 0; r < dc->size; r++) {
        if (bytes[r] > INT32_MAX || at > INT32_MAX)
            return zp_fail(ZP_ERUNTIME, "a message of the distributed engine exceeds 2 GiB "
                           "(use more ranks)");
        count[r] = (int)bytes[r];
        displ[r] = (int)at;
        at += bytes[r];
    }
    return ZP_OK;
}

static int dc_alltoallv(zp_dcomm *dc, const void *send, const int64_t *scount, void *recv,
                        const int64_t *rcount)
{
    int rc = ZP_OK;
    int *sc = NULL, *sd = NULL, *rcn = NULL, *rd = NULL;
    ZP_ALLOC(sc, dc->size);
    ZP_ALLOC(sd, dc->size);
    ZP_ALLOC(rcn, dc->size);
    ZP_ALLOC(rd, dc->size);
    ZP_CHECK(dc_int_counts(dc, scount, sc, sd));
    ZP_CHECK(dc_int_counts(dc, rcount, rcn, rd));
    rc = mpi_status(MPI_Alltoallv(send, sc, sd, MPI_BYTE, recv, rcn, rd, MPI_BYTE, dc_comm(dc)),
                    "alltoallv");
out:
    zp_free(sc);
    zp_free(sd);
    zp_free(rcn);
    zp_free(rd);
    return rc;
}

static int dc_alltoall_i64(zp_dcomm *dc, const int64_t *send, int64_t *recv)
{
    return mpi_status(MPI_Alltoall(send, 1, MPI_INT64_T, recv, 1, MPI_INT64_T, dc_comm(dc)),
                      "alltoall");
}

static int dc_allreduce_i64(zp_dcomm *dc, int64_t *v, int count, int op)
{
    MPI_Op mop = op == ZP_DC_SUM ? MPI_SUM : op == ZP_DC_MAX ? MPI_MAX : MPI_MIN;
    return mpi_status(MPI_Allreduce(MPI_IN_PLACE, v, count, MPI_INT64_T, mop, dc_comm(dc)),
                      "allreduce");
}

static int dc_exscan_i64(zp_dcomm *dc, int64_t *v, int count)
{
    int rc = ZP_OK;
    int64_t *in = NULL;
    ZP_ALLOC(in, count);
    memcpy(in, v, sizeof *v * (size_t)count);
    ZP_CHECK(mpi_status(MPI_Exscan(in, v, count, MPI_INT64_T, MPI_SUM, dc_comm(dc)), "exscan"));
    if (dc->rank == 0) /* rank 0's result is undefined in MPI */
        memset(v, 0, sizeof *v * (size_t)count);
out:
    zp_free(in);
    return rc;
}

static int dc_allgatherv(zp_dcomm *dc, const void *send, int64_t bytes, void *recv,
                         const int64_t *rbytes)
{
    int rc = ZP_OK;
    int *rcn = NULL, *rd = NULL;
    ZP_ALLOC(rcn, dc->size);
    ZP_ALLOC(rd, dc->size);
    ZP_CHECK(dc_int_counts(dc, rbytes, rcn, rd));
    rc = mpi_status(MPI_Allgatherv(send, (int)bytes, MPI_BYTE, recv, rcn, rd, MPI_BYTE,
                                   dc_comm(dc)), "allgatherv");
out:
    zp_free(rcn);
    zp_free(rd);
    return rc;
}

zp_dcomm par_dcomm(zp_comm *c)
{
    return (zp_dcomm){par_rank(c), par_size(c), c, dc_alltoallv, dc_alltoall_i64,
                      dc_allreduce_i64, dc_exscan_i64, dc_allgatherv};
}
