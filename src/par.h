/* par.h - the parallel layer: everything zoneplace does with MPI goes through here. par_mpi.c
 * implements it with MPI (the only file including mpi.h besides what hdf5.h pulls in for
 * the output layer, src/h5*.c); par_serial.c implements it for one process (make MPI=0).
 *
 * Functions marked "collective" must be called by every rank of the communicator. */
#ifndef ZP_PAR_H
#define ZP_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "dcomm.h"
#include "exchange.h"

typedef struct zp_comm zp_comm;

/* Starts MPI (if built with it). */
int par_init(int *argc, char ***argv);
void par_finalize(void);
/* Ends the whole job with exit status code, from any rank, without waiting for the others. */
void par_abort(int code) __attribute__((noreturn));

zp_comm *par_world(void);
int par_rank(const zp_comm *c);
int par_size(const zp_comm *c);
/* Collective: splits c by color (ranks with the same color form a group, ordered by key). */
int par_split(zp_comm *c, int color, int key, zp_comm **out);
void par_comm_free(zp_comm **c);

/* The start exchange over c (exchange.h): collective reduce_best. */
zp_exchange par_exchange(zp_comm *c);

/* The distributed engine's collectives over c (dcomm.h); c must outlive the result. */
zp_dcomm par_dcomm(zp_comm *c);

/* Collective helpers over c. */
int par_bcast(zp_comm *c, void *buf, int64_t bytes, int root);
int par_allreduce_max_i64(zp_comm *c, int64_t *value);
int par_allreduce_sum_i64(zp_comm *c, int64_t *value);
int par_allreduce_max_double(zp_comm *c, double *value);
/* Exclusive prefix sum of value over the ranks (0 on rank 0). */
int par_exscan_i64(zp_comm *c, int64_t value, int64_t *offset);
int par_barrier(zp_comm *c);
/* Collective: the lowest non-zero status of any rank (0 when all succeeded). */
int par_agree_status(zp_comm *c, int status);
/* Collective over the world, once, at the end of main: par_agree_status on a communicator of its
 * own, so that it never matches a collective that other ranks are blocked in. *first gets the
 * lowest rank with a non-zero status and has_message set (the rank that prints), or -1. A rank
 * with a non-zero status waits at most timeout seconds: if the others do not all arrive, it
 * failed alone and *alone is set (the caller prints its message and calls par_abort). */
int par_agree_end(int status, int has_message, double timeout, int *first, int *alone);

/* The MPI_Comm behind c, as an opaque pointer for the HDF5 output layer (NULL in serial). */
void *par_mpi_comm(zp_comm *c);
/* The MPI library's version line (MPI_Get_library_version), for provenance. */
void par_library_version(char *buf, size_t size);

#endif
