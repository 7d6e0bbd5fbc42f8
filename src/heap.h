/* heap.h - a set of indexed binary max-heaps, one per zone, over app ids. Each app is in at most
 * one heap at a time; keys and positions live in arrays shared by all heaps, so moving an app
 * between zones is a remove and an insert. Ties go to the lower app id (deterministic). */
#ifndef ZP_HEAP_H
#define ZP_HEAP_H

typedef struct {
    int nheaps;
    int *size;     /* [nheaps] */
    int *cap;      /* [nheaps] */
    int **items;   /* [nheaps][cap] app ids */
    double *key;   /* [n] */
    int *where;    /* [n] position in its heap, -1 if in none */
    int *owner;    /* [n] heap the app is in */
} zp_heapset;

int heapset_create(zp_heapset **hs, int nheaps, int n);
void heapset_destroy(zp_heapset **hs);
/* Empties every heap (O(items)). */
void heapset_clear(zp_heapset *hs);
/* Inserts u into heap h with key, or updates its key (moving it to heap h if needed). */
int heapset_put(zp_heapset *hs, int h, int u, double key);
void heapset_remove(zp_heapset *hs, int u);
/* Top app of heap h, or -1 when empty. */
static inline int heapset_top(const zp_heapset *hs, int h)
{
    return hs->size[h] ? hs->items[h][0] : -1;
}
static inline int heapset_contains(const zp_heapset *hs, int u) { return hs->where[u] >= 0; }

#endif
