/* strmap.h - open-addressing hash map from strings to int ids (app names to indices). The map
 * does not copy keys: they must outlive it. */
#ifndef ZP_STRMAP_H
#define ZP_STRMAP_H

#include <stdint.h>

typedef struct {
    int64_t cap;        /* power of two */
    int64_t size;
    const char **keys;  /* [cap], NULL when empty */
    int *values;        /* [cap] */
} zp_strmap;

/* Creates a map sized for about expected entries. */
int strmap_create(zp_strmap **m, int64_t expected);
void strmap_destroy(zp_strmap **m);
/* Inserts key -> value unless key is present. *existing gets the value already stored for key,
 * or -1 when key was new. Returns ZP_OK or ZP_ERUNTIME (out of memory). */
int strmap_put(zp_strmap *m, const char *key, int value, int *existing);
/* Value of key, or -1. */
int strmap_get(const zp_strmap *m, const char *key);

#endif
