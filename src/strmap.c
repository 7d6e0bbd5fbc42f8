/* strmap.c - FNV-1a hashed, linearly probed string map; grows at 50% load. */
#include "strmap.h"

#include <string.h>

#include "util.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int alloc_table(zp_strmap *m, int64_t cap)
{
    m->keys = zp_calloc((size_t)cap, sizeof *m->keys);
    m->values = zp_calloc((size_t)cap, sizeof *m->values);
    if (!m->keys || !m->values) {
        zp_free(m->keys);
        zp_free(m->values);
        return ZP_ERUNTIME;
    }
    m->cap = cap;
    return ZP_OK;
}

int strmap_create(zp_strmap **out, int64_t expected)
{
    zp_strmap *m = zp_calloc(1, sizeof *m);
    if (!m)
        return ZP_ERUNTIME;
    int64_t cap = 16;
    while (cap < 2 * expected)
        cap *= 2;
    if (alloc_table(m, cap) != ZP_OK) {
        zp_free(m);
        return ZP_ERUNTIME;
    }
    *out = m;
    return ZP_OK;
}

void strmap_destroy(zp_strmap **pm)
{
    zp_strmap *m = pm ? *pm : NULL;
    if (!m)
        return;
    zp_free(m->keys);
    zp_free(m->values);
    zp_free(m);
    *pm = NULL;
}

static int64_t slot_of(const zp_strmap *m, const char *key)
{
    int64_t i = (int64_t)(hash_str(key) & (uint64_t)(m->cap - 1));
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(zp_strmap *m)
{
    zp_strmap old = *m;
    if (alloc_table(m, old.cap * 2) != ZP_OK) {
        *m = old;
        return ZP_ERUNTIME;
    }
    for (int64_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        int64_t j = slot_of(m, old.keys[i]);
        m->keys[j] = old.keys[i];
        m->values[j] = old.values[i];
    }
    zp_free(old.keys);
    zp_free(old.values);
    return ZP_OK;
}

int strmap_put(zp_strmap *m, const char *key, int value, int *existing)
{
    if (2 * (m->size + 1) > m->cap && grow(m) != ZP_OK)
        return ZP_ERUNTIME;
    int64_t i = slot_of(m, key);
    *existing = m->keys[i] ? m->values[i] : -1;
    if (m->keys[i])
        return ZP_OK;
    m->keys[i] = key;
    m->values[i] = value;
    m->size++;
    return ZP_OK;
}

int strmap_get(const zp_strmap *m, const char *key)
{
    int64_t i = slot_of(m, key);
    return m->keys[i] ? m->values[i] : -1;
}
