/* dcomm.h - the collectives the distributed engine (dgraph.c, dengine.c) needs, as function
 * pointers: par_mpi.c fills them with MPI over a task's communicator (par_dcomm), dcomm_serial()
 * with one process, so the engine stays plain C that unit tests drive without MPI.
 *
 * Every function is collective over the ranks of the communicator. Byte counts are per rank
 * (arrays of `size` entries); receive buffers are laid out rank after rank without gaps. */
#ifndef ZP_DCOMM_H
#define ZP_DCOMM_H

#include <stdint.h>

enum { ZP_DC_SUM = 0, ZP_DC_MAX = 1, ZP_DC_MIN = 2 };

typedef struct zp_dcomm {
    int rank, size;
    void *ctx;
    /* Personalised exchange: rank r's send[sdispl(r) .. + scount[r]) goes to rank r, rcount[r]
     * bytes arrive from rank r (the caller learns rcount with alltoall_i64 first). */
    int (*alltoallv)(struct zp_dcomm *dc, const void *send, const int64_t *scount, void *recv,
                     const int64_t *rcount);
    /* One int64 to every rank: recv[r] = what rank r put in send[me]. */
    int (*alltoall_i64)(struct zp_dcomm *dc, const int64_t *send, int64_t *recv);
    /* In place over count values; op ZP_DC_*. */
    int (*allreduce_i64)(struct zp_dcomm *dc, int64_t *v, int count, int op);
    /* In place exclusive prefix sum over the ranks (zeros on rank 0). */
    int (*exscan_i64)(struct zp_dcomm *dc, int64_t *v, int count);
    /* Every rank gets every rank's bytes, rank after rank (rbytes[r] from rank r). */
    int (*allgatherv)(struct zp_dcomm *dc, const void *send, int64_t bytes, void *recv,
                      const int64_t *rbytes);
} zp_dcomm;

/* The communicator of a single process. */
zp_dcomm dcomm_serial(void);

#endif
