/* heap.c - indexed binary max-heaps sharing key and position arrays. */
#include "heap.h"

#include "util.h"

int heapset_create(zp_heapset **out, int nheaps, int n)
{
    int rc = ZP_OK;
    zp_heapset *hs = zp_calloc(1, sizeof *hs);
    if (!hs)
        return ZP_ERUNTIME;
    hs->nheaps = nheaps;
    ZP_ALLOC(hs->size, nheaps);
    ZP_ALLOC(hs->cap, nheaps);
    ZP_ALLOC(hs->items, nheaps);
    ZP_ALLOC(hs->key, n);
    ZP_ALLOC(hs->where, n);
    ZP_ALLOC(hs->owner, n);
    for (int u = 0; u < n; u++)
        hs->where[u] = -1;
    *out = hs;
    hs = NULL;
out:
    heapset_destroy(&hs);
    return rc;
}

void heapset_destroy(zp_heapset **phs)
{
    zp_heapset *hs = phs ? *phs : NULL;
    if (!hs)
        return;
    for (int h = 0; hs->items && h < hs->nheaps; h++)
        zp_free(hs->items[h]);
    zp_free(hs->items);
    zp_free(hs->size);
    zp_free(hs->cap);
    zp_free(hs->key);
    zp_free(hs->where);
    zp_free(hs->owner);
    zp_free(hs);
    *phs = NULL;
}

void heapset_clear(zp_heapset *hs)
{
    for (int h = 0; h < hs->nheaps; h++) {
        for (int i = 0; i < hs->size[h]; i++)
            hs->where[hs->items[h][i]] = -1;
        hs->size[h] = 0;
    }
}

static int above(const zp_heapset *hs, int a, int b)
{
    return hs->key[a] > hs->key[b] || (hs->key[a] == hs->key[b] && a < b);
}

static void place_at(zp_heapset *hs, int h, int i, int u)
{
    hs->items[h][i] = u;
    hs->where[u] = i;
}

static void sift_up(zp_heapset *hs, int h, int i)
{
    int *it = hs->items[h];
    int u = it[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!above(hs, u, it[parent]))
            break;
        place_at(hs, h, i, it[parent]);
        i = parent;
    }
    place_at(hs, h, i, u);
}

static void sift_down(zp_heapset *hs, int h, int i)
{
    int *it = hs->items[h];
    int size = hs->size[h], u = it[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= size)
            break;
        if (c + 1 < size && above(hs, it[c + 1], it[c]))
            c++;
        if (!above(hs, it[c], u))
            break;
        place_at(hs, h, i, it[c]);
        i = c;
    }
    place_at(hs, h, i, u);
}

void heapset_remove(zp_heapset *hs, int u)
{
    int i = hs->where[u];
    if (i < 0)
        return;
    int h = hs->owner[u];
    int last = hs->items[h][--hs->size[h]];
    hs->where[u] = -1;
    if (last == u)
        return;
    place_at(hs, h, i, last);
    sift_up(hs, h, i);
    sift_down(hs, h, hs->where[last]);
}

int heapset_put(zp_heapset *hs, int h, int u, double key)
{
    if (hs->where[u] >= 0 && hs->owner[u] != h)
        heapset_remove(hs, u);
    if (hs->where[u] >= 0) {
        double old = hs->key[u];
        hs->key[u] = key;
        if (key > old)
            sift_up(hs, h, hs->where[u]);
        else
            sift_down(hs, h, hs->where[u]);
        return ZP_OK;
    }
    if (hs->size[h] == hs->cap[h]) {
        int cap = hs->cap[h] ? 2 * hs->cap[h] : 16;
        int *grown = zp_realloc(hs->items[h], sizeof *grown * (size_t)cap);
        if (!grown)
            return ZP_ERUNTIME;
        hs->items[h] = grown;
        hs->cap[h] = cap;
    }
    hs->key[u] = key;
    hs->owner[u] = h;
    int i = hs->size[h]++;
    place_at(hs, h, i, u);
    sift_up(hs, h, i);
    return ZP_OK;
}
