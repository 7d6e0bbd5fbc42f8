/* rebalance.h - brings every zone into the balance band by moving the apps whose moves cost
 * least (the thesis's rebalancing: independent apps first, since moving them costs nothing),
 * from zones over the band to zones under it or with room. Zone limits hold for every move. */
#ifndef ZP_REBALANCE_H
#define ZP_REBALANCE_H

#include "cost.h"

/* Moves apps until st->imbalance is 0 or no allowed move reduces it. Returns the number of
 * moves made, or -ZP_ERUNTIME when out of memory. */
int64_t rebalance(zp_state *st);

#endif
