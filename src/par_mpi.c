/* par_mpi.c - the parallel layer over MPI (see par.h). */
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "util.h"

struct zp_comm {
    MPI_Comm comm;
    int owned;
};

static zp_comm world;

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
    return rc;
}

void par_finalize(void) { MPI_Finalize(); }

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
    return (zp_exchange){par_rank(c), par_size(c), mpi_reduce_best, c};
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

void *par_mpi_comm(zp_comm *c) { return &c->comm; }
