/* digest.h - fingerprints of what determines a run's results (problem content, effective search
 * options), so that a resumed sweep can tell whether the file it continues was made the same
 * way. 64-bit FNV-1a: a check against mistakes (an edited sweep file, other options), not
 * against forgery. */
#ifndef ZP_DIGEST_H
#define ZP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "problem.h"

#define ZP_DIGEST_INIT 0xcbf29ce484222325ULL

/* Folds n bytes into the running digest h. */
uint64_t zp_digest_bytes(uint64_t h, const void *data, size_t n);
/* Folds a string (NULL as empty), with its terminating NUL so that "ab"+"c" != "a"+"bc". */
uint64_t zp_digest_str(uint64_t h, const char *s);
/* Folds every field of a problem that the search reads (names, demands, capacities, slots, io,
 * allowed zones, distances, dependencies, current zones, sizes, model constants). */
uint64_t zp_digest_problem(uint64_t h, const zp_problem *p);
/* Folds the options, field by field as the options table lists them (key and value). */
uint64_t zp_digest_options(uint64_t h, const zp_options *o);
/* The options as a JSON object text, {"seed": 1, "init": "auto", ...} in the order of the
 * options table (zp_free it), or NULL when out of memory. */
char *zp_options_json(const zp_options *o);
/* 16 hex digits of h into buf (17 bytes). */
void zp_digest_hex(uint64_t h, char *buf);

#endif
