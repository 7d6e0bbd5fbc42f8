/* rng.h - seeded random streams keyed by work item.
 *
 * A stream is derived from (seed, task, start) only, never from the rank, so a start gives the
 * same random choices whichever rank runs it. xoshiro256** seeded through splitmix64. */
#ifndef ZP_RNG_H
#define ZP_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} zp_rng;

/* Seeds rng from the work item (seed, task, start). */
void rng_seed(zp_rng *rng, uint64_t seed, uint64_t task, uint64_t start);
/* The 64-bit seed value that rng_seed derives for a work item (recorded in the output). */
uint64_t rng_stream_seed(uint64_t seed, uint64_t task, uint64_t start);
uint64_t rng_next(zp_rng *rng);
/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
uint64_t rng_below(zp_rng *rng, uint64_t bound);
/* Uniform double in [0, 1). */
double rng_uniform(zp_rng *rng);

#endif
