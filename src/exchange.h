/* exchange.h - how the starts of a task share their best placement: the interface between the
 * pipeline, which runs the starts, and the parallel layer (par.h), which implements it over MPI.
 * It sits below both, so that the parallel layer does not depend on the pipeline. */
#ifndef ZP_EXCHANGE_H
#define ZP_EXCHANGE_H

#include <stdint.h>

#include "dcomm.h"

/* How starts are spread and how the best placement is exchanged. reduce_best is collective:
 * on entry each rank gives its best (imbalance, objective, start) and placement x; on return
 * every rank holds the global best and its placement in x. */
typedef struct zp_exchange {
    int rank, size;
    int (*reduce_best)(struct zp_exchange *ex, int64_t *imbalance, double *objective,
                       int *start, int *x, int n);
    void *ctx;
    zp_dcomm dc; /* the same ranks' collectives, for the distributed engine */
} zp_exchange;

/* The exchange of a single process: every start runs here. */
zp_exchange exchange_serial(void);

#endif
