/* rng.c - splitmix64 seeding and xoshiro256** generation. */
#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t rng_stream_seed(uint64_t seed, uint64_t task, uint64_t start)
{
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    x = h ^ (task * 0xD1B54A32D192ED03ull);
    h = splitmix64(&x);
    x = h ^ (start * 0x8CB92BA72F3D8DD7ull);
    return splitmix64(&x);
}

void rng_seed(zp_rng *rng, uint64_t seed, uint64_t task, uint64_t start)
{
    uint64_t x = rng_stream_seed(seed, task, start);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(zp_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_below(zp_rng *rng, uint64_t bound)
{
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t r = rng_next(rng);
        if (r >= threshold)
            return r % bound;
    }
}

double rng_uniform(zp_rng *rng) { return (double)(rng_next(rng) >> 11) * 0x1.0p-53; }
