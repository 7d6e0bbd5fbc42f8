/* digest.c - fingerprints of problems and options (see digest.h). */
#include "digest.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define FNV_PRIME 0x100000001b3ULL

uint64_t zp_digest_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n && p; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

uint64_t zp_digest_str(uint64_t h, const char *s)
{
    return zp_digest_bytes(h, s ? s : "", strlen(s ? s : "") + 1);
}

static uint64_t digest_names(uint64_t h, char *const *names, int n)
{
    for (int i = 0; i < n && names; i++)
        h = zp_digest_str(h, names[i]);
    return h;
}

/* An optional array: its presence, then its bytes. */
static uint64_t digest_array(uint64_t h, const void *a, size_t bytes)
{
    unsigned char there = a != NULL;
    h = zp_digest_bytes(h, &there, 1);
    return a ? zp_digest_bytes(h, a, bytes) : h;
}

uint64_t zp_digest_problem(uint64_t h, const zp_problem *p)
{
    size_t n = (size_t)p->n, k = (size_t)p->k, nres = (size_t)p->nres;
    size_t adj = p->xadj ? (size_t)p->xadj[p->n] : 0;
    size_t allowed = p->allowed_xadj ? (size_t)p->allowed_xadj[p->n] : 0;
    const double consts[5] = {p->requests, p->move_factor, p->imbalance, p->e_in, p->e_core};
    const int sizes[4] = {p->n, p->k, p->nres, p->capacity_mode};
    h = zp_digest_bytes(h, sizes, sizeof sizes);
    h = zp_digest_bytes(h, consts, sizeof consts);
    h = digest_names(h, p->res_names, p->nres);
    h = digest_names(h, p->app_names, p->n);
    h = digest_names(h, p->zone_names, p->k);
    h = digest_array(h, p->demand, sizeof *p->demand * n * nres);
    h = digest_array(h, p->needs_io, n);
    h = digest_array(h, p->size, sizeof *p->size * n);
    h = digest_array(h, p->current, sizeof *p->current * n);
    h = digest_array(h, p->allowed_xadj, p->allowed_xadj ? sizeof *p->allowed_xadj * (n + 1) : 0);
    h = digest_array(h, p->allowed, sizeof *p->allowed * allowed);
    h = digest_array(h, p->vwgt, sizeof *p->vwgt * n);
    h = digest_array(h, p->capacity, sizeof *p->capacity * k * nres);
    h = digest_array(h, p->slots, sizeof *p->slots * k);
    h = digest_array(h, p->zone_io, k);
    h = digest_array(h, p->dist, sizeof *p->dist * k * k);
    h = digest_array(h, p->xadj, p->xadj ? sizeof *p->xadj * (n + 1) : 0);
    h = digest_array(h, p->adjncy, sizeof *p->adjncy * adj);
    h = digest_array(h, p->adjwgt, sizeof *p->adjwgt * adj);
    return digest_array(h, p->adjmult, sizeof *p->adjmult * adj);
}

uint64_t zp_digest_options(uint64_t h, const zp_options *o)
{
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        const char *field = (const char *)o + d->offset;
        size_t size = d->type == ZP_OPT_INT64    ? sizeof(int64_t)
                      : d->type == ZP_OPT_UINT64 ? sizeof(uint64_t)
                      : d->type == ZP_OPT_REAL   ? sizeof(double)
                                                 : sizeof(int);
        h = zp_digest_str(h, d->key);
        h = zp_digest_bytes(h, field, size);
    }
    return h;
}

/* One option's value as JSON text. */
static void option_value(const zp_option_def *d, const void *f, char *v, size_t size)
{
    switch (d->type) {
    case ZP_OPT_INT64: snprintf(v, size, "%lld", (long long)*(const int64_t *)f); break;
    case ZP_OPT_UINT64: snprintf(v, size, "%llu", (unsigned long long)*(const uint64_t *)f); break;
    case ZP_OPT_REAL: snprintf(v, size, "%.17g", *(const double *)f); break;
    case ZP_OPT_NAME: snprintf(v, size, "\"%s\"", zp_name_of(d->names, *(const int *)f)); break;
    default: snprintf(v, size, "%d", *(const int *)f);
    }
}

char *zp_options_json(const zp_options *o)
{
    size_t size = 8 + 128 * (size_t)zp_option_count, len = 1;
    char *buf = zp_malloc(size), v[64];
    if (!buf)
        return NULL;
    buf[0] = '{';
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        option_value(d, (const char *)o + d->offset, v, sizeof v);
        int n = snprintf(buf + len, size - len, "%s\"%s\": %s", i ? ", " : "", d->key, v);
        len += n > 0 && (size_t)n < size - len ? (size_t)n : 0;
    }
    snprintf(buf + len, size - len, "}");
    return buf;
}

void zp_digest_hex(uint64_t h, char *buf)
{
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
}
