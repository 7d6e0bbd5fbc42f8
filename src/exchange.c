/* exchange.c - the exchange of a single process (see exchange.h). */
#include "exchange.h"

#include "util.h"

/* One process holds every start: its best is already the global one. */
static int serial_reduce(zp_exchange *ex, int64_t *imbalance, double *objective, int *start,
                         int *x, int n)
{
    (void)ex, (void)imbalance, (void)objective, (void)start, (void)x, (void)n;
    return ZP_OK;
}

zp_exchange exchange_serial(void)
{
    return (zp_exchange){0, 1, serial_reduce, NULL, dcomm_serial()};
}
