/* graphio.c - METIS .graph and CSV readers and writers, partition files, uniform zones.
 * Owns the streaming line reader, the integer tokenizer and the buffered writer that make
 * million-app inputs fast; nothing here knows about the search or the output file. */
#include "graphio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "topology.h"
#include "util.h"

#define CHUNK ((size_t)4 << 20)
#define MAX_EXACT 9007199254740992.0 /* 2^53: larger integers do not survive a double */
#define MAX_APPS ZP_MAX_APPS
#define TOKEN_SHOWN 40 /* characters of a bad token quoted in a message */

#if defined(__GNUC__)
#define PREFETCH(addr) __builtin_prefetch(addr)
#else
#define PREFETCH(addr) ((void)(addr))
#endif

/* ---------------------------------------------------------------------------------------- */
/* Line reader: big fread chunks, lines handed out in place (writable, NUL-terminated).      */

typedef struct {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap;   /* one spare byte is always kept for the NUL after an unterminated last line */
    size_t start; /* first byte of the next line */
    size_t scan;  /* bytes after start already known to hold no newline */
    size_t end;   /* end of the bytes read */
    int eof;
    long line; /* number of the line last returned, 1-based */
} line_reader;

static int reader_open(line_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (!r->f)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", path, strerror(errno));
    r->cap = CHUNK;
    r->buf = zp_malloc(r->cap);
    return r->buf ? ZP_OK : ZP_ERUNTIME;
}

static void reader_close(line_reader *r)
{
    if (r->f)
        fclose(r->f);
    zp_free(r->buf);
    r->f = NULL;
    r->buf = NULL;
}

/* Moves the unfinished line to the front and reads behind it; the buffer only grows when one
 * line is longer than about half of it (a hub's adjacency line can be megabytes). */
static int reader_fill(line_reader *r)
{
    size_t pending = r->end - r->start;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, pending);
        r->start = 0;
        r->end = pending;
    }
    if (r->cap - r->end < CHUNK / 2) {
        /* only a line without end grows the buffer: a device or pipe of NULs or of one endless
         * line is refused here instead of filling memory */
        if (memchr(r->buf, '\0', r->end))
            return zp_fail(ZP_EINPUT, "%s:%ld: NUL byte in a text file", r->path, r->line + 1);
        if (r->cap >= ZP_MAX_INPUT_BYTES)
            return zp_fail(ZP_EINPUT, "%s:%ld: a line longer than %zu MiB (the input limit)",
                           r->path, r->line + 1, ZP_MAX_INPUT_BYTES >> 20);
        char *bigger = zp_realloc(r->buf, r->cap * 2);
        if (!bigger)
            return ZP_ERUNTIME;
        r->buf = bigger;
        r->cap *= 2;
    }
    size_t got = fread(r->buf + r->end, 1, r->cap - 1 - r->end, r->f);
    if (got == 0) {
        if (ferror(r->f))
            return zp_fail(ZP_EIO, "%s: %s", r->path, strerror(errno));
        r->eof = 1;
    }
    r->end += got;
    return ZP_OK;
}

/* Hands out the next line without its newline (and a CR before it), or *line = NULL at the
 * end. A NUL byte is an input error: the tokenizers stop at NUL and would skip the rest. */
static int reader_next(line_reader *r, char **line, size_t *len)
{
    for (;;) {
        char *base = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = memchr(base + r->scan, '\n', avail - r->scan);
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - base) : avail;
            r->start += nl ? n + 1 : n;
            r->scan = 0;
            r->line++;
            if (n > 0 && base[n - 1] == '\r')
                n--;
            if (memchr(base, '\0', n))
                return zp_fail(ZP_EINPUT, "%s:%ld: NUL byte in a text file", r->path, r->line);
            base[n] = '\0';
            *line = base;
            *len = n;
            return ZP_OK;
        }
        if (r->eof) {
            *line = NULL;
            *len = 0;
            return ZP_OK;
        }
        r->scan = avail;
        int rc = reader_fill(r);
        if (rc != ZP_OK)
            return rc;
    }
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static const char *skip_blanks(const char *s)
{
    while (is_blank(*s))
        s++;
    return s;
}

static int is_blank_line(const char *s) { return *skip_blanks(s) == '\0'; }

/* ---------------------------------------------------------------------------------------- */
/* Integer tokens (METIS files, partition files).                                           */

static int bad_token(const line_reader *r, const char *tok, const char *what)
{
    int n = 0;
    while (tok[n] && !is_blank(tok[n]) && n < TOKEN_SHOWN)
        n++;
    return zp_fail(ZP_EINPUT, "%s:%ld: %s: expected an integer, found '%.*s'", r->path, r->line,
                   what, n, tok);
}

/* Reads the next blank-separated integer of *s and advances *s past it; *found = 0 when the
 * line has no more tokens. Hand-written because strtoll per token is the bottleneck of a
 * 150 MB file. */
static int next_int(const line_reader *r, char **s, const char *what, int64_t *value, int *found)
{
    char *p = (char *)skip_blanks(*s);
    *found = 0;
    if (!*p) {
        *s = p;
        return ZP_OK;
    }
    char *tok = p;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t v = 0;
    int digits = 0, big = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        v = v * 10 + (uint64_t)(*p - '0');
        big |= v > ((uint64_t)1 << 53);
    }
    if (!digits || (*p && !is_blank(*p)))
        return bad_token(r, tok, what);
    if (big)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s %.*s is too large (limit 2^53)", r->path, r->line,
                       what, (int)ZP_MIN(p - tok, TOKEN_SHOWN), tok);
    *value = neg ? -(int64_t)v : (int64_t)v;
    *found = 1;
    *s = p;
    return ZP_OK;
}

/* next_int for a token that must be there. */
static int need_int(const line_reader *r, char **s, const char *what, int64_t *value)
{
    int found = 0;
    int rc = next_int(r, s, what, value, &found);
    if (rc == ZP_OK && !found)
        rc = zp_fail(ZP_EINPUT, "%s:%ld: missing %s", r->path, r->line, what);
    return rc;
}

/* Name of a problem read from path: the file name without directories and extension. */
static char *name_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *name = zp_strdup(base);
    if (name) {
        char *dot = strrchr(name, '.');
        if (dot && dot != name)
            *dot = '\0';
    }
    return name;
}

/* Sets names "<prefix><i + first>" for every app. One allocation per name: problem_destroy
 * frees them one by one (about 20 MB at a million apps). */
static int name_apps(zp_problem *p, const char *prefix, int first)
{
    char buf[32];
    for (int i = 0; i < p->n; i++) {
        snprintf(buf, sizeof buf, "%s%d", prefix, i + first);
        p->app_names[i] = zp_strdup(buf);
        if (!p->app_names[i])
            return ZP_ERUNTIME;
    }
    return ZP_OK;
}

/* Grows *ptr (elements of size elem) so that it holds at least need elements. */
static int grow_array(void **ptr, int64_t *cap, int64_t need, size_t elem)
{
    if (need <= *cap)
        return ZP_OK;
    int64_t c = *cap > 0 ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *bigger = zp_realloc(*ptr, (size_t)c * elem);
    if (!bigger)
        return ZP_ERUNTIME;
    *ptr = bigger;
    *cap = c;
    return ZP_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* METIS reader.                                                                             */

typedef struct {
    int v;
    double w;
} nb_weight;

/* Vertex u's upper entries: [first unclaimed, end). Kept together because the symmetry
 * check reads both at random vertices (one cache miss instead of two). */
typedef struct {
    int64_t next, end;
} upper_range;

typedef struct {
    line_reader in;
    const char *path;
    int n;
    int64_t m;
    int has_vsize, has_vwgt, has_ewgt, ncon;
    long header_line;
    zp_problem *p;
    /* Upper half of the adjacency (v > u, listed on u's line), grouped by u and sorted by v.
     * It becomes the dependency list; the lower half is only checked against it. Neighbour
     * and weight sit together: the check reads them at random places. */
    int *src;
    nb_weight *up;
    int64_t nup, capup;
    int *dst;  /* the dependency list handed to problem_set_dependencies, from up */
    double *w; /* NULL without edge weights */
    /* Symmetry check in one pass: vertex u's lower entries (v < u) must claim the next
     * unclaimed entry of v's sorted upper list, since rows arrive in increasing u. */
    upper_range *range; /* [vcap] */
    int64_t *vline;     /* [vcap] line of each vertex, for messages */
    /* Vertex sizes and weights until the problem exists. Per-vertex arrays grow with the
     * vertex lines actually read: a 20-byte file announcing 2 billion vertices must fail as
     * an input error, not by allocating 100 GB. */
    double *vsize;   /* [vcap] or NULL */
    double *vweight; /* [vcap * ncon] or NULL */
    int64_t vcap;
    nb_weight *lower;   /* the current line's lower entries (v < u) */
    int64_t lower_cap, nlower;
} metis_reader;

static void metis_reader_free(metis_reader *mr)
{
    reader_close(&mr->in);
    zp_free(mr->src);
    zp_free(mr->up);
    zp_free(mr->dst);
    zp_free(mr->w);
    zp_free(mr->range);
    zp_free(mr->vline);
    zp_free(mr->vsize);
    zp_free(mr->vweight);
    zp_free(mr->lower);
    problem_destroy(&mr->p);
}

static int is_comment(const char *line) { return *skip_blanks(line) == '%'; }

/* Next line that is not a '%' comment, or NULL at the end. */
static int next_data_line(line_reader *r, char **line)
{
    size_t len;
    int rc;
    do {
        rc = reader_next(r, line, &len);
    } while (rc == ZP_OK && *line && is_comment(*line));
    return rc;
}

static int metis_format(metis_reader *mr, int64_t fmt)
{
    if (fmt < 0 || fmt > 111 || fmt % 10 > 1 || fmt / 10 % 10 > 1 || fmt / 100 > 1)
        return zp_fail(ZP_EINPUT, "%s:%ld: fmt %lld is not one of 0, 1, 10, 11, 100, 101, 110, 111",
                       mr->path, mr->header_line, (long long)fmt);
    mr->has_ewgt = (int)(fmt % 10);
    mr->has_vwgt = (int)(fmt / 10 % 10);
    mr->has_vsize = (int)(fmt / 100);
    return ZP_OK;
}

/* Header "n m [fmt [ncon]]": the first line that is not a comment. */
static int metis_header(metis_reader *mr)
{
    int rc = ZP_OK;
    char *line = NULL;
    ZP_CHECK(next_data_line(&mr->in, &line));
    mr->header_line = mr->in.line > 0 ? mr->in.line : 1;
    if (!line)
        return zp_fail(ZP_EINPUT, "%s:%ld: no header line 'n m [fmt [ncon]]'", mr->path,
                       mr->header_line);
    int64_t v[4] = {0, 0, 0, 1};
    int count = 0, found = 1;
    while (found) {
        int64_t x;
        ZP_CHECK(next_int(&mr->in, &line, "header", &x, &found));
        if (found && count == 4)
            return zp_fail(ZP_EINPUT, "%s:%ld: header has more than 4 values 'n m [fmt [ncon]]'",
                           mr->path, mr->header_line);
        if (found)
            v[count++] = x;
    }
    if (count < 2)
        return zp_fail(ZP_EINPUT, "%s:%ld: header needs at least 'n m'", mr->path, mr->header_line);
    if (v[0] < 1 || v[0] > MAX_APPS)
        return zp_fail(ZP_EINPUT, "%s:%ld: vertex count %lld is not in 1..%d", mr->path,
                       mr->header_line, (long long)v[0], MAX_APPS);
    if (v[1] < 0 || v[1] > v[0] * (v[0] - 1) / 2)
        return zp_fail(ZP_EINPUT, "%s:%ld: edge count %lld is not in 0..n(n-1)/2", mr->path,
                       mr->header_line, (long long)v[1]);
    mr->n = (int)v[0];
    mr->m = v[1];
    ZP_CHECK(metis_format(mr, v[2]));
    if (v[3] < 1 || v[3] > 1000 || (!mr->has_vwgt && v[3] != 1))
        return zp_fail(ZP_EINPUT,
                       "%s:%ld: ncon %lld must be in 1..1000 and needs vertex "
                       "weights (fmt 10, 11, 110 or 111) when above 1",
                       mr->path, mr->header_line, (long long)v[3]);
    mr->ncon = mr->has_vwgt ? (int)v[3] : 0;
out:
    return rc;
}

/* The problem read: apps with the vertex weights as demands of resources named after them,
 * vertex sizes as migration sizes. */
static int metis_problem(metis_reader *mr)
{
    int rc = ZP_OK;
    ZP_CHECK(problem_create(&mr->p));
    zp_problem *p = mr->p;
    p->source = zp_strdup(mr->path);
    p->name = name_from_path(mr->path);
    if (!p->source || !p->name)
        return ZP_ERUNTIME;
    p->nres = mr->ncon;
    ZP_ALLOC(p->res_names, mr->ncon);
    for (int r = 0; r < mr->ncon; r++) {
        char buf[32];
        if (mr->ncon == 1)
            snprintf(buf, sizeof buf, "weight");
        else
            snprintf(buf, sizeof buf, "weight%d", r + 1);
        p->res_names[r] = zp_strdup(buf);
        if (!p->res_names[r])
            return ZP_ERUNTIME;
    }
    ZP_CHECK(problem_alloc_apps(p, mr->n));
    if (mr->ncon > 0)
        memcpy(p->demand, mr->vweight, sizeof *p->demand * (size_t)mr->n * (size_t)mr->ncon);
    if (mr->vsize)
        memcpy(p->size, mr->vsize, sizeof *p->size * (size_t)mr->n);
out:
    return rc;
}

static int grow_to(void **ptr, size_t elem, int64_t cap)
{
    void *bigger = zp_realloc(*ptr, elem * (size_t)(cap > 0 ? cap : 1));
    if (!bigger)
        return ZP_ERUNTIME;
    *ptr = bigger;
    return ZP_OK;
}

/* Room for vertex u in the per-vertex arrays: doubling, capped at the header's n. */
static int vertex_room(metis_reader *mr, int u)
{
    if (u < mr->vcap)
        return ZP_OK;
    int64_t cap = ZP_MIN((int64_t)mr->n, ZP_MAX(2 * mr->vcap, (int64_t)4096));
    if (grow_to((void **)&mr->range, sizeof *mr->range, cap) != ZP_OK ||
        grow_to((void **)&mr->vline, sizeof *mr->vline, cap) != ZP_OK ||
        (mr->has_vsize && grow_to((void **)&mr->vsize, sizeof *mr->vsize, cap) != ZP_OK) ||
        (mr->ncon > 0 &&
         grow_to((void **)&mr->vweight, sizeof *mr->vweight, cap * mr->ncon) != ZP_OK))
        return ZP_ERUNTIME;
    mr->vcap = cap;
    return ZP_OK;
}

/* Appends u -> v (v > u). The header's m bounds the arrays; they grow by doubling so that an
 * absurd m in a small file does not allocate gigabytes. */
static int add_upper(metis_reader *mr, int u, int v, double w)
{
    if (mr->nup == mr->m)
        return zp_fail(ZP_EINPUT, "%s:%ld: more edges than the %lld of the header", mr->path,
                       mr->in.line, (long long)mr->m);
    if (mr->nup == mr->capup) {
        int64_t cap = ZP_MIN(mr->m, ZP_MAX(2 * mr->capup, (int64_t)1 << 16));
        int64_t c1 = mr->capup, c2 = mr->capup;
        if (grow_array((void **)&mr->src, &c1, cap, sizeof *mr->src) != ZP_OK ||
            grow_array((void **)&mr->up, &c2, cap, sizeof *mr->up) != ZP_OK)
            return ZP_ERUNTIME;
        mr->capup = cap;
    }
    mr->src[mr->nup] = u;
    mr->up[mr->nup] = (nb_weight){v, w};
    mr->nup++;
    return ZP_OK;
}

static int asymmetric(const metis_reader *mr, long line, int u, int v)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: vertex %d lists %d, but vertex %d does not list %d",
                   mr->path, line, u + 1, v + 1, v + 1, u + 1);
}

static int listed_twice(const metis_reader *mr, int u, int v)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: vertex %d lists neighbour %d twice", mr->path, mr->in.line,
                   u + 1, v + 1);
}

/* Matches u -> v (v < u) with v's upper entry for u. Rows come in increasing order, so the
 * entries of v's sorted upper list are claimed in order: the first unclaimed one must be u.
 * If the entry just claimed is u, this line lists v a second time. */
static int match_lower(metis_reader *mr, int u, int v, double w)
{
    upper_range *r = &mr->range[v];
    int64_t c = r->next;
    if (c < r->end && mr->up[c].v == u) {
        if (mr->up[c].w != w)
            return zp_fail(ZP_EINPUT,
                           "%s:%ld: edge %d-%d has weight %.17g here but %.17g on "
                           "line %lld",
                           mr->path, mr->in.line, u + 1, v + 1, w, mr->up[c].w,
                           (long long)mr->vline[v]);
        r->next++;
        return ZP_OK;
    }
    if (c > 0 && mr->src[c - 1] == v && mr->up[c - 1].v == u)
        return listed_twice(mr, u, v);
    if (c < r->end && mr->up[c].v < u) /* v listed an earlier vertex that never listed v */
        return asymmetric(mr, (long)mr->vline[v], v, mr->up[c].v);
    return asymmetric(mr, mr->in.line, u, v);
}

static int cmp_nb_weight(const void *a, const void *b)
{
    const nb_weight *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* Sorts u's upper entries by neighbour (files are usually sorted already: checked first),
 * which also brings a neighbour listed twice together. */
static int sort_upper(metis_reader *mr, int u)
{
    int64_t len = mr->nup - mr->range[u].next, j;
    if (len < 2) /* nothing to sort; mr->up is still NULL before the first edge */
        return ZP_OK;
    nb_weight *row = mr->up + mr->range[u].next;
    for (j = 1; j < len && row[j - 1].v < row[j].v; j++)
        ;
    if (j < len && row[j - 1].v > row[j].v) {
        qsort(row, (size_t)len, sizeof *row, cmp_nb_weight);
        for (j = 1; j < len && row[j - 1].v < row[j].v; j++)
            ;
    }
    return j < len ? listed_twice(mr, u, row[j].v) : ZP_OK;
}

/* Splits the upper entries into the arrays problem_set_dependencies takes. */
static int metis_split_upper(metis_reader *mr)
{
    int rc = ZP_OK;
    ZP_ALLOC(mr->dst, mr->nup);
    if (mr->has_ewgt)
        ZP_ALLOC(mr->w, mr->nup);
    for (int64_t j = 0; j < mr->nup; j++) {
        mr->dst[j] = mr->up[j].v;
        if (mr->w)
            mr->w[j] = mr->up[j].w;
    }
    zp_free(mr->up);
    mr->up = NULL;
out:
    return rc;
}

/* Vertex size and weights at the start of u's line. */
static int metis_vertex_values(metis_reader *mr, int u, char **s)
{
    int64_t v;
    int rc = ZP_OK;
    if (mr->has_vsize) {
        ZP_CHECK(need_int(&mr->in, s, "vertex size", &v));
        if (v < 0)
            return zp_fail(ZP_EINPUT, "%s:%ld: vertex size %lld of vertex %d is negative", mr->path,
                           mr->in.line, (long long)v, u + 1);
        if (v > ZP_MAX_NUMBER)
            return zp_fail(ZP_EINPUT, "%s:%ld: vertex size %lld of vertex %d is above the limit "
                           "1e15", mr->path, mr->in.line, (long long)v, u + 1);
        mr->vsize[u] = (double)v;
    }
    for (int c = 0; c < mr->ncon; c++) {
        ZP_CHECK(need_int(&mr->in, s, "vertex weight", &v));
        if (v < 0)
            return zp_fail(ZP_EINPUT, "%s:%ld: vertex weight %lld of vertex %d is negative",
                           mr->path, mr->in.line, (long long)v, u + 1);
        if (v > ZP_MAX_NUMBER)
            return zp_fail(ZP_EINPUT, "%s:%ld: vertex weight %lld of vertex %d is above the limit "
                           "1e15", mr->path, mr->in.line, (long long)v, u + 1);
        mr->vweight[(int64_t)u * mr->ncon + c] = (double)v;
    }
out:
    return rc;
}

/* Reads the edge weight after neighbour nb (if the format has them). */
static int metis_edge_weight(metis_reader *mr, int u, int64_t nb, char **s, double *w)
{
    int64_t x;
    int found = 0;
    *w = 1.0;
    if (!mr->has_ewgt)
        return ZP_OK;
    int rc = next_int(&mr->in, s, "edge weight", &x, &found);
    if (rc != ZP_OK)
        return rc;
    if (!found)
        return zp_fail(ZP_EINPUT, "%s:%ld: neighbour %lld of vertex %d has no edge weight",
                       mr->path, mr->in.line, (long long)nb, u + 1);
    if (x <= 0 || x > ZP_MAX_NUMBER)
        return zp_fail(ZP_EINPUT, "%s:%ld: edge %d-%lld has weight %lld; weights must be > 0 "
                       "and <= 1e15", mr->path, mr->in.line, u + 1, (long long)nb, (long long)x);
    *w = (double)x;
    return ZP_OK;
}

/* One vertex line: [size] [weights] then neighbour [weight] pairs. */
/* Matches the line's lower entries. Their lookups land at random vertices (two dependent
 * cache misses each), so the addresses are prefetched for the whole line first and the
 * misses of a line overlap instead of queueing. */
static int match_line(metis_reader *mr, int u)
{
    int64_t k;
    for (k = 0; k < mr->nlower; k++)
        PREFETCH(&mr->range[mr->lower[k].v]);
    for (k = 0; mr->up && k < mr->nlower; k++) /* NULL before the first upper entry */
        PREFETCH(&mr->up[mr->range[mr->lower[k].v].next]);
    for (k = 0; k < mr->nlower; k++) {
        int rc = match_lower(mr, u, mr->lower[k].v, mr->lower[k].w);
        if (rc != ZP_OK)
            return rc;
    }
    return ZP_OK;
}

static int add_lower(metis_reader *mr, int v, double w)
{
    if (grow_array((void **)&mr->lower, &mr->lower_cap, mr->nlower + 1, sizeof *mr->lower) != ZP_OK)
        return ZP_ERUNTIME;
    mr->lower[mr->nlower++] = (nb_weight){v, w};
    return ZP_OK;
}

static int metis_vertex(metis_reader *mr, int u, char *s)
{
    int rc = ZP_OK;
    mr->nlower = 0;
    ZP_CHECK(metis_vertex_values(mr, u, &s));
    for (;;) {
        int64_t nb;
        int found = 0;
        double w;
        ZP_CHECK(next_int(&mr->in, &s, "neighbour id", &nb, &found));
        if (!found)
            break;
        if (nb < 1 || nb > mr->n)
            return zp_fail(ZP_EINPUT, "%s:%ld: neighbour %lld of vertex %d is not in 1..%d",
                           mr->path, mr->in.line, (long long)nb, u + 1, mr->n);
        if (nb - 1 == u)
            return zp_fail(ZP_EINPUT, "%s:%ld: vertex %d lists itself (self-loop)", mr->path,
                           mr->in.line, u + 1);
        ZP_CHECK(metis_edge_weight(mr, u, nb, &s, &w));
        int v = (int)nb - 1;
        ZP_CHECK(v > u ? add_upper(mr, u, v, w) : add_lower(mr, v, w));
    }
    ZP_CHECK(match_line(mr, u));
out:
    return rc;
}

/* After the n vertex lines only blank lines and comments may follow. */
static int metis_trailer(metis_reader *mr)
{
    char *line;
    size_t len;
    for (;;) {
        int rc = reader_next(&mr->in, &line, &len);
        if (rc != ZP_OK || !line)
            return rc;
        if (!is_blank_line(line) && !is_comment(line))
            return zp_fail(ZP_EINPUT, "%s:%ld: more vertex lines than the %d of the header",
                           mr->path, mr->in.line, mr->n);
    }
}

/* Upper entries nobody claimed: v listed u but u (read later) did not list v. */
static int metis_unmatched(const metis_reader *mr)
{
    for (int v = 0; v < mr->n; v++)
        if (mr->range[v].next < mr->range[v].end)
            return asymmetric(mr, (long)mr->vline[v], v, mr->up[mr->range[v].next].v);
    return ZP_OK;
}

static int metis_body(metis_reader *mr)
{
    int rc = ZP_OK;
    for (int u = 0; u < mr->n; u++) {
        char *line = NULL;
        ZP_CHECK(next_data_line(&mr->in, &line));
        if (!line)
            return zp_fail(ZP_EINPUT, "%s:%ld: the header announces %d vertex lines, found %d",
                           mr->path, ZP_MAX(mr->in.line, 1L), mr->n, u);
        ZP_CHECK(vertex_room(mr, u));
        mr->vline[u] = mr->in.line;
        mr->range[u].next = mr->nup;
        ZP_CHECK(metis_vertex(mr, u, line));
        ZP_CHECK(sort_upper(mr, u));
        mr->range[u].end = mr->nup;
    }
    ZP_CHECK(metis_trailer(mr));
    ZP_CHECK(metis_unmatched(mr));
    if (mr->nup != mr->m)
        return zp_fail(ZP_EINPUT,
                       "%s:%ld: the header announces %lld edges, the vertex lines "
                       "list %lld",
                       mr->path, mr->header_line, (long long)mr->m, (long long)mr->nup);
out:
    return rc;
}

int graphio_read_metis(const char *path, zp_problem **out)
{
    int rc = ZP_OK;
    metis_reader mr;
    memset(&mr, 0, sizeof mr);
    mr.path = path;
    *out = NULL;
    ZP_CHECK(reader_open(&mr.in, path));
    ZP_CHECK(metis_header(&mr));
    ZP_CHECK(metis_body(&mr));
    /* The checking arrays go before the CSR is built: that is the peak of the read. */
    reader_close(&mr.in);
    zp_free(mr.range);
    zp_free(mr.vline);
    mr.range = NULL;
    mr.vline = NULL;
    ZP_CHECK(metis_problem(&mr));
    zp_free(mr.vsize);
    zp_free(mr.vweight);
    mr.vsize = mr.vweight = NULL;
    ZP_CHECK(metis_split_upper(&mr));
    ZP_CHECK(name_apps(mr.p, "v", 1));
    ZP_CHECK(problem_set_dependencies(mr.p, mr.m, mr.src, mr.dst, mr.w));
    *out = mr.p;
    mr.p = NULL;
out:
    metis_reader_free(&mr);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* CSV reader.                                                                               */

#define CSV_MAX_FIELDS 16

/* Splits line at commas in place, trimming blanks around each field. Counts every field but
 * stores at most CSV_MAX_FIELDS. */
static int split_fields(char *line, char **fields)
{
    int count = 0;
    char *s = line;
    for (;;) {
        char *comma = strchr(s, ',');
        char *end = comma ? comma : s + strlen(s);
        char *b = (char *)skip_blanks(s);
        while (end > b && is_blank(end[-1]))
            end--;
        *end = '\0';
        if (count < CSV_MAX_FIELDS)
            fields[count] = b;
        count++;
        if (!comma)
            return count;
        s = comma + 1;
    }
}

typedef struct {
    const char *const *names; /* column names, the first nrequired mandatory */
    int nnames, nrequired;
    const char *usage; /* header shape shown in messages */
} csv_layout;

/* Quoted fields (RFC 4180) would need a real CSV parser; names with commas or quotes are
 * rare enough in service names to refuse them plainly rather than misread them. */
static int csv_refuse_quotes(const line_reader *r, const char *line)
{
    if (strchr(line, '"'))
        return zp_fail(ZP_EINPUT, "%s:%ld: quoted fields are not supported (names may not "
                       "contain commas or double quotes)", r->path, r->line);
    return ZP_OK;
}

/* Maps the header's fields to the layout's columns: colof[c] is the field index of column c,
 * or -1 for an absent optional column. */
static int csv_header(line_reader *r, const csv_layout *lay, int *colof, int *nfields)
{
    char *line = NULL, *fields[CSV_MAX_FIELDS];
    size_t len;
    int rc = ZP_OK;
    do {
        ZP_CHECK(reader_next(r, &line, &len));
    } while (line && is_blank_line(line));
    if (!line)
        return zp_fail(ZP_EINPUT, "%s:%ld: empty file, expected the header %s", r->path,
                       ZP_MAX(r->line, 1L), lay->usage);
    if (r->line == 1 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        line += 3; /* UTF-8 byte order mark, as spreadsheet exports write it */
    ZP_CHECK(csv_refuse_quotes(r, line));
    int nf = split_fields(line, fields);
    if (nf > CSV_MAX_FIELDS)
        return zp_fail(ZP_EINPUT, "%s:%ld: too many columns, expected %s", r->path, r->line,
                       lay->usage);
    for (int c = 0; c < lay->nnames; c++)
        colof[c] = -1;
    for (int f = 0; f < nf; f++) {
        int c = 0;
        while (c < lay->nnames && strcmp(fields[f], lay->names[c]) != 0)
            c++;
        if (c == lay->nnames)
            return zp_fail(ZP_EINPUT, "%s:%ld: unknown column '%s', expected %s", r->path, r->line,
                           fields[f], lay->usage);
        if (colof[c] >= 0)
            return zp_fail(ZP_EINPUT, "%s:%ld: column '%s' appears twice", r->path, r->line,
                           fields[f]);
        colof[c] = f;
    }
    for (int c = 0; c < lay->nrequired; c++)
        if (colof[c] < 0)
            return zp_fail(ZP_EINPUT, "%s:%ld: missing column '%s', expected %s", r->path, r->line,
                           lay->names[c], lay->usage);
    *nfields = nf;
out:
    return rc;
}

/* Next data line split into exactly nfields fields; *got = 0 at the end of the file. */
static int csv_row(line_reader *r, int nfields, char **fields, int *got)
{
    char *line = NULL;
    size_t len;
    int rc = ZP_OK;
    *got = 0;
    do {
        ZP_CHECK(reader_next(r, &line, &len));
    } while (line && is_blank_line(line));
    if (!line)
        return ZP_OK;
    ZP_CHECK(csv_refuse_quotes(r, line));
    int nf = split_fields(line, fields);
    if (nf != nfields)
        return zp_fail(ZP_EINPUT, "%s:%ld: expected %d fields, found %d", r->path, r->line, nfields,
                       nf);
    *got = 1;
out:
    return rc;
}

/* A decimal number (no hex, inf or nan) >= 0, or > 0 when positive is set. */
static int csv_number(const line_reader *r, const char *text, const char *column, int positive,
                      double *value)
{
    char *end = NULL;
    double v = 0;
    int ok = text[0] && strspn(text, "0123456789+-.eE") == strlen(text);
    if (ok) {
        errno = 0;
        v = strtod(text, &end);
        ok = *end == '\0' && isfinite(v) && errno != ERANGE && (positive ? v > 0 : v >= 0);
    }
    if (!ok)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s: expected a number %s, found '%.*s'", r->path,
                       r->line, column, positive ? "> 0" : ">= 0", TOKEN_SHOWN, text);
    *value = v;
    return ZP_OK;
}

enum { SVC_NAME, SVC_CPU, SVC_MEM, SVC_DISK, SVC_COLUMNS };
static const char *const svc_columns[SVC_COLUMNS] = {"name", "cpu_millicores", "mem_mib",
                                                     "disk_mib"};
static const csv_layout svc_layout = {svc_columns, SVC_COLUMNS, 3,
                                      "'name,cpu_millicores,mem_mib[,disk_mib]'"};
enum { CALL_CALLER, CALL_CALLEE, CALL_WEIGHT, CALL_COLUMNS };
static const char *const call_columns[CALL_COLUMNS] = {"caller", "callee", "weight"};
static const csv_layout call_layout = {call_columns, CALL_COLUMNS, 2, "'caller,callee[,weight]'"};

typedef struct {
    line_reader in;
    int nres;
    int64_t n, cap_names, cap_demand, cap_lines;
    char **names;
    double *demand;
    int64_t *lines; /* line of each service, for duplicate messages */
    zp_strmap *index;
    int last[2]; /* service of the previous call's caller and callee, or -1 */
    int64_t m, cap_src, cap_dst, cap_w;
    int *src, *dst;
    double *w;
} csv_reader;

static void csv_reader_free(csv_reader *cr)
{
    reader_close(&cr->in);
    for (int64_t i = 0; i < cr->n; i++)
        zp_free(cr->names ? cr->names[i] : NULL);
    zp_free(cr->names);
    zp_free(cr->demand);
    zp_free(cr->lines);
    strmap_destroy(&cr->index);
    zp_free(cr->src);
    zp_free(cr->dst);
    zp_free(cr->w);
}

static int csv_add_service(csv_reader *cr, char **fields, const int *colof)
{
    int rc = ZP_OK;
    line_reader *r = &cr->in;
    const char *name = fields[colof[SVC_NAME]];
    if (!name[0])
        return zp_fail(ZP_EINPUT, "%s:%ld: empty service name", r->path, r->line);
    if (cr->n == MAX_APPS)
        return zp_fail(ZP_EINPUT, "%s:%ld: more than %d services", r->path, r->line, MAX_APPS);
    int64_t i = cr->n;
    if (grow_array((void **)&cr->names, &cr->cap_names, i + 1, sizeof *cr->names) != ZP_OK ||
        grow_array((void **)&cr->lines, &cr->cap_lines, i + 1, sizeof *cr->lines) != ZP_OK ||
        grow_array((void **)&cr->demand, &cr->cap_demand, (i + 1) * cr->nres, sizeof *cr->demand) !=
            ZP_OK)
        return ZP_ERUNTIME;
    for (int res = 0; res < cr->nres; res++)
        ZP_CHECK(csv_number(r, fields[colof[SVC_CPU + res]], svc_columns[SVC_CPU + res], 0,
                            &cr->demand[i * cr->nres + res]));
    cr->names[i] = zp_strdup(name);
    if (!cr->names[i])
        return ZP_ERUNTIME;
    cr->lines[i] = r->line;
    cr->n++;
    int existing = -1;
    ZP_CHECK(strmap_put(cr->index, cr->names[i], (int)i, &existing));
    if (existing >= 0)
        return zp_fail(ZP_EINPUT, "%s:%ld: duplicate service '%s' (first on line %lld)", r->path,
                       r->line, name, (long long)cr->lines[existing]);
out:
    return rc;
}

static int csv_read_services(csv_reader *cr, const char *path)
{
    int rc = ZP_OK, colof[SVC_COLUMNS], nfields = 0, got = 1;
    char *fields[CSV_MAX_FIELDS];
    ZP_CHECK(reader_open(&cr->in, path));
    ZP_CHECK(csv_header(&cr->in, &svc_layout, colof, &nfields));
    cr->nres = colof[SVC_DISK] >= 0 ? 3 : 2;
    ZP_CHECK(strmap_create(&cr->index, 1024));
    for (;;) {
        ZP_CHECK(csv_row(&cr->in, nfields, fields, &got));
        if (!got)
            break;
        ZP_CHECK(csv_add_service(cr, fields, colof));
    }
    if (cr->n == 0)
        return zp_fail(ZP_EINPUT, "%s:%ld: no services", path, ZP_MAX(cr->in.line, 1L));
out:
    reader_close(&cr->in);
    return rc;
}

/* Index of a called or calling service. Call lists are usually grouped by caller, so the
 * previous row's service (column col) is tried before the hash map, whose probes miss the
 * cache at a million services. */
static int csv_lookup(csv_reader *cr, int col, const char *name, const char *services_path)
{
    int i = cr->last[col];
    if (i < 0 || strcmp(cr->names[i], name) != 0)
        i = cr->last[col] = strmap_get(cr->index, name);
    if (i < 0)
        zp_fail(ZP_EINPUT, "%s:%ld: unknown service '%.*s' (not in %s)", cr->in.path, cr->in.line,
                TOKEN_SHOWN * 2, name, services_path);
    return i;
}

static int csv_add_call(csv_reader *cr, char **fields, const int *colof, const char *services_path)
{
    int rc = ZP_OK;
    int u = csv_lookup(cr, 0, fields[colof[CALL_CALLER]], services_path);
    int v = u < 0 ? -1 : csv_lookup(cr, 1, fields[colof[CALL_CALLEE]], services_path);
    if (u < 0 || v < 0)
        return ZP_EINPUT;
    if (u == v)
        return zp_fail(ZP_EINPUT, "%s:%ld: service '%s' calls itself", cr->in.path, cr->in.line,
                       cr->names[u]);
    double w = 1.0;
    if (colof[CALL_WEIGHT] >= 0)
        ZP_CHECK(csv_number(&cr->in, fields[colof[CALL_WEIGHT]], "weight", 1, &w));
    int64_t i = cr->m;
    if (grow_array((void **)&cr->src, &cr->cap_src, i + 1, sizeof *cr->src) != ZP_OK ||
        grow_array((void **)&cr->dst, &cr->cap_dst, i + 1, sizeof *cr->dst) != ZP_OK ||
        grow_array((void **)&cr->w, &cr->cap_w, i + 1, sizeof *cr->w) != ZP_OK)
        return ZP_ERUNTIME;
    cr->src[i] = u;
    cr->dst[i] = v;
    cr->w[i] = w;
    cr->m++;
out:
    return rc;
}

static int csv_read_calls(csv_reader *cr, const char *path, const char *services_path)
{
    int rc = ZP_OK, colof[CALL_COLUMNS], nfields = 0, got = 1;
    char *fields[CSV_MAX_FIELDS];
    cr->last[0] = cr->last[1] = -1;
    ZP_CHECK(reader_open(&cr->in, path));
    ZP_CHECK(csv_header(&cr->in, &call_layout, colof, &nfields));
    for (;;) {
        ZP_CHECK(csv_row(&cr->in, nfields, fields, &got));
        if (!got)
            break;
        ZP_CHECK(csv_add_call(cr, fields, colof, services_path));
    }
out:
    reader_close(&cr->in);
    return rc;
}

/* Moves the services read into a new problem (the names change owner). */
static int csv_problem(csv_reader *cr, const char *services_path, zp_problem **out)
{
    static const char *const res[3] = {"cpu", "ram", "disk"};
    int rc = ZP_OK;
    zp_problem *p = NULL;
    ZP_CHECK(problem_create(&p));
    p->source = zp_strdup(services_path);
    p->name = name_from_path(services_path);
    if (!p->source || !p->name)
        ZP_CHECK(ZP_ERUNTIME);
    p->nres = cr->nres;
    ZP_ALLOC(p->res_names, cr->nres);
    for (int r = 0; r < cr->nres; r++)
        if (!(p->res_names[r] = zp_strdup(res[r])))
            ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(problem_alloc_apps(p, (int)cr->n));
    memcpy(p->app_names, cr->names, sizeof *cr->names * (size_t)cr->n);
    memset(cr->names, 0, sizeof *cr->names * (size_t)cr->n);
    memcpy(p->demand, cr->demand, sizeof *cr->demand * (size_t)(cr->n * cr->nres));
    ZP_CHECK(problem_set_dependencies(p, cr->m, cr->src, cr->dst, cr->w));
    *out = p;
    p = NULL;
out:
    problem_destroy(&p);
    return rc;
}

int graphio_read_csv(const char *services_path, const char *calls_path, zp_problem **out)
{
    int rc = ZP_OK;
    csv_reader cr;
    memset(&cr, 0, sizeof cr);
    *out = NULL;
    ZP_CHECK(csv_read_services(&cr, services_path));
    ZP_CHECK(csv_read_calls(&cr, calls_path, services_path));
    strmap_destroy(&cr.index);
    ZP_CHECK(csv_problem(&cr, services_path, out));
out:
    csv_reader_free(&cr);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Buffered writer.                                                                          */

typedef struct {
    FILE *f;
    const char *path;
    char *buf;
    size_t len;
    int rc;
} out_buf;

#define OUT_CAP ((size_t)1 << 20)

static int out_open(out_buf *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    o->buf = zp_malloc(OUT_CAP);
    if (!o->buf)
        return ZP_ERUNTIME;
    o->f = fopen(path, "wb");
    if (!o->f)
        return zp_fail(ZP_EIO, "%s: cannot write: %s", path, strerror(errno));
    return ZP_OK;
}

static void out_flush(out_buf *o)
{
    if (o->rc == ZP_OK && o->len > 0 && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->rc = zp_fail(ZP_EIO, "%s: %s", o->path, strerror(errno));
    o->len = 0;
}

/* Pieces are short (names, numbers): only room for them is ensured. */
static char *out_room(out_buf *o, size_t need)
{
    if (o->len + need > OUT_CAP)
        out_flush(o);
    return o->buf + o->len;
}

static void out_str(out_buf *o, const char *s)
{
    size_t n = strlen(s);
    if (n > OUT_CAP / 2) {
        out_flush(o);
        if (o->rc == ZP_OK && fwrite(s, 1, n, o->f) != n)
            o->rc = zp_fail(ZP_EIO, "%s: %s", o->path, strerror(errno));
        return;
    }
    memcpy(out_room(o, n), s, n);
    o->len += n;
}

static void out_char(out_buf *o, char c)
{
    *out_room(o, 1) = c;
    o->len++;
}

static void out_int(out_buf *o, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char *d = out_room(o, (size_t)n + 1);
    if (v < 0)
        *d++ = '-';
    while (n > 0)
        *d++ = tmp[--n];
    o->len = (size_t)(d - o->buf);
}

/* Shortest text that reads back as the same double. */
static void out_num(out_buf *o, double v)
{
    if (v == floor(v) && fabs(v) < MAX_EXACT) {
        out_int(o, (int64_t)v);
        return;
    }
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v)
        snprintf(tmp, sizeof tmp, "%.17g", v);
    out_str(o, tmp);
}

static int out_close(out_buf *o)
{
    if (o->f) {
        out_flush(o);
        if (fclose(o->f) != 0 && o->rc == ZP_OK)
            o->rc = zp_fail(ZP_EIO, "%s: %s", o->path, strerror(errno));
        o->f = NULL;
    }
    zp_free(o->buf);
    o->buf = NULL;
    return o->rc;
}

/* ---------------------------------------------------------------------------------------- */
/* METIS writer.                                                                             */

static int is_count(double v, double min) { return v >= min && v == floor(v) && v <= MAX_EXACT; }

/* Which optional sections the file gets; non-integral values are refused before the file is
 * created, so a failed write leaves nothing behind. */
static int metis_sections(const zp_problem *p, const char *path, int flags, int *vsize, int *vwgt,
                          int *ewgt)
{
    *vwgt = p->nres > 0 && !(flags & GRAPHIO_NO_VERTEX_WEIGHTS);
    *vsize = *ewgt = 0;
    for (int u = 0; u < p->n; u++) {
        *vsize |= p->size[u] != 1.0;
        if (!is_count(p->size[u], 0))
            return zp_fail(ZP_EINPUT, "%s: app '%s' has size %g; METIS files hold integers >= 0",
                           path, p->app_names[u], p->size[u]);
        for (int r = 0; *vwgt && r < p->nres; r++)
            if (!is_count(problem_demand(p, u, r), 0))
                return zp_fail(ZP_EINPUT,
                               "%s: app '%s' has %s %g; METIS files hold integers "
                               ">= 0",
                               path, p->app_names[u], p->res_names[r], problem_demand(p, u, r));
    }
    for (int64_t j = 0; j < p->xadj[p->n]; j++) {
        *ewgt |= p->adjwgt[j] != 1.0;
        if (!is_count(p->adjwgt[j], 1))
            return zp_fail(ZP_EINPUT,
                           "%s: a dependency of app '%s' has weight %g; METIS files "
                           "hold integers >= 1",
                           path, p->app_names[p->adjncy[j]], p->adjwgt[j]);
    }
    return ZP_OK;
}

static void metis_write_header(out_buf *o, const zp_problem *p, int vsize, int vwgt, int ewgt)
{
    out_int(o, p->n);
    out_char(o, ' ');
    out_int(o, p->xadj[p->n] / 2);
    if (vsize || vwgt || ewgt) {
        out_char(o, ' ');
        if (vsize)
            out_char(o, '1');
        if (vsize || vwgt)
            out_char(o, vwgt ? '1' : '0');
        out_char(o, ewgt ? '1' : '0');
        if (vwgt && p->nres > 1) {
            out_char(o, ' ');
            out_int(o, p->nres);
        }
    }
    out_char(o, '\n');
}

static void metis_write_vertex(out_buf *o, const zp_problem *p, int u, int vsize, int vwgt,
                               int ewgt)
{
    int first = 1;
    if (vsize) {
        out_int(o, (int64_t)p->size[u]);
        first = 0;
    }
    for (int r = 0; vwgt && r < p->nres; r++, first = 0) {
        if (!first)
            out_char(o, ' ');
        out_int(o, (int64_t)problem_demand(p, u, r));
    }
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++, first = 0) {
        if (!first)
            out_char(o, ' ');
        out_int(o, (int64_t)p->adjncy[j] + 1);
        if (ewgt) {
            out_char(o, ' ');
            out_int(o, (int64_t)p->adjwgt[j]);
        }
    }
    out_char(o, '\n');
}

int graphio_write_metis_flags(const zp_problem *p, const char *path, int flags)
{
    int rc = ZP_OK, vsize, vwgt, ewgt;
    out_buf o;
    memset(&o, 0, sizeof o);
    ZP_CHECK(metis_sections(p, path, flags, &vsize, &vwgt, &ewgt));
    ZP_CHECK(out_open(&o, path));
    metis_write_header(&o, p, vsize, vwgt, ewgt);
    for (int u = 0; u < p->n && o.rc == ZP_OK; u++)
        metis_write_vertex(&o, p, u, vsize, vwgt, ewgt);
out:
    if (o.buf) {
        int crc = out_close(&o);
        if (rc == ZP_OK)
            rc = crc;
    }
    return rc;
}

int graphio_write_metis(const zp_problem *p, const char *path)
{
    return graphio_write_metis_flags(p, path, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* CSV writer.                                                                               */

static int resource_index(const zp_problem *p, const char *name)
{
    for (int r = 0; r < p->nres; r++)
        if (strcmp(p->res_names[r], name) == 0)
            return r;
    return -1;
}

/* A name the CSV reader gives back unchanged: no comma, line break, edge blanks or NUL. */
static int csv_safe_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && !strpbrk(s, ",\n\r") && !is_blank(s[0]) && !is_blank(s[n - 1]);
}

static int csv_check(const zp_problem *p, const char *path, const int *col)
{
    for (int r = 0; r < p->nres; r++)
        if (r != col[0] && r != col[1] && r != col[2])
            return zp_fail(ZP_EINPUT, "%s: resource '%s' has no CSV column (cpu, ram, disk)", path,
                           p->res_names[r]);
    for (int u = 0; u < p->n; u++) {
        if (!csv_safe_name(p->app_names[u]))
            return zp_fail(ZP_EINPUT, "%s: app name '%s' cannot be written to CSV", path,
                           p->app_names[u]);
        for (int r = 0; r < p->nres; r++)
            if (!(problem_demand(p, u, r) >= 0) || !isfinite(problem_demand(p, u, r)))
                return zp_fail(ZP_EINPUT, "%s: app '%s' has %s %g", path, p->app_names[u],
                               p->res_names[r], problem_demand(p, u, r));
    }
    return ZP_OK;
}

static int write_services(const zp_problem *p, const char *path, const int *col)
{
    out_buf o;
    int rc = out_open(&o, path);
    if (rc == ZP_OK) {
        out_str(&o, col[2] >= 0 ? "name,cpu_millicores,mem_mib,disk_mib\n"
                                : "name,cpu_millicores,mem_mib\n");
        for (int u = 0; u < p->n && o.rc == ZP_OK; u++) {
            out_str(&o, p->app_names[u]);
            for (int c = 0; c < 3; c++) {
                if (c == 2 && col[2] < 0)
                    break;
                out_char(&o, ',');
                out_num(&o, col[c] >= 0 ? problem_demand(p, u, col[c]) : 0.0);
            }
            out_char(&o, '\n');
        }
    }
    int crc = out_close(&o);
    return rc != ZP_OK ? rc : crc;
}

/* Piece i of c pieces of weight w whose sum, in any order, is exactly w: integers q and q + 1
 * when w is an integer >= c, else c - 1 copies of a power of two d <= w / c and the rest (all
 * multiples of ulp(w), so no partial sum rounds). Merged edges are summed in an unspecified
 * order by problem_set_dependencies, so w / c pieces would not always give w back. */
static double weight_piece(double w, int c, int i)
{
    if (c == 1)
        return w;
    if (w == floor(w) && w >= c && w < MAX_EXACT) {
        double q = floor(w / c), r = w - q * c;
        return i < r ? q + 1 : q;
    }
    int e;
    frexp(w / c, &e);
    double d = ldexp(1.0, e - 1);
    return i < c - 1 ? d : w - (c - 1) * d;
}

static int write_calls(const zp_problem *p, const char *path)
{
    out_buf o;
    int rc = out_open(&o, path);
    if (rc == ZP_OK) {
        out_str(&o, "caller,callee,weight\n");
        for (int u = 0; u < p->n && o.rc == ZP_OK; u++) {
            for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
                int v = p->adjncy[j];
                int mult = p->adjmult && p->adjmult[j] > 0 ? p->adjmult[j] : 1;
                for (int c = 0; v > u && c < mult; c++) {
                    out_str(&o, p->app_names[u]);
                    out_char(&o, ',');
                    out_str(&o, p->app_names[v]);
                    out_char(&o, ',');
                    out_num(&o, weight_piece(p->adjwgt[j], mult, c));
                    out_char(&o, '\n');
                }
            }
        }
    }
    int crc = out_close(&o);
    return rc != ZP_OK ? rc : crc;
}

int graphio_write_csv(const zp_problem *p, const char *services_path, const char *calls_path)
{
    int col[3] = {resource_index(p, "cpu"), resource_index(p, "ram"), resource_index(p, "disk")};
    int rc = csv_check(p, services_path, col);
    if (rc == ZP_OK)
        rc = write_services(p, services_path, col);
    if (rc == ZP_OK)
        rc = write_calls(p, calls_path);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Zones and partitions.                                                                     */

static void free_zones(zp_problem *p)
{
    for (int z = 0; p->zone_names && z < p->k; z++)
        zp_free(p->zone_names[z]);
    zp_free(p->zone_names);
    zp_free(p->capacity);
    zp_free(p->slots);
    zp_free(p->zone_io);
    zp_free(p->dist);
    p->zone_names = NULL;
    p->capacity = NULL;
    p->slots = NULL;
    p->zone_io = NULL;
    p->dist = NULL;
    p->k = 0;
}

int graphio_uniform_zones(zp_problem *p, int k, double imbalance)
{
    int rc = ZP_OK;
    if (k < 1)
        return zp_fail(ZP_EUSAGE, "zone count %d must be >= 1", k);
    if (!(imbalance >= 0) || !isfinite(imbalance))
        return zp_fail(ZP_EUSAGE, "imbalance %g must be a finite number >= 0", imbalance);
    free_zones(p);
    ZP_CHECK(problem_alloc_zones(p, k));
    for (int z = 0; z < k; z++) {
        char buf[24];
        snprintf(buf, sizeof buf, "z%d", z);
        if (!(p->zone_names[z] = zp_strdup(buf)))
            ZP_CHECK(ZP_ERUNTIME);
    }
    ZP_CHECK(topology_fat_tree(p, 10.0, 100.0));
    p->imbalance = imbalance;
out:
    return rc;
}

int graphio_write_partition(const char *path, const int *x, int n)
{
    out_buf o;
    int rc = out_open(&o, path);
    for (int u = 0; rc == ZP_OK && u < n && o.rc == ZP_OK; u++) {
        out_int(&o, x[u]);
        out_char(&o, '\n');
    }
    int crc = out_close(&o);
    return rc != ZP_OK ? rc : crc;
}

static int partition_line(line_reader *r, char *line, int k, int *zone)
{
    int64_t v = 0, extra;
    int found = 0;
    int rc = need_int(r, &line, "zone index", &v);
    if (rc == ZP_OK)
        rc = next_int(r, &line, "zone index", &extra, &found);
    if (rc == ZP_OK && found)
        rc = zp_fail(ZP_EINPUT, "%s:%ld: one zone index per line", r->path, r->line);
    if (rc == ZP_OK && (v < 0 || v >= k))
        rc = zp_fail(ZP_EINPUT, "%s:%ld: zone index %lld is not in 0..%d", r->path, r->line,
                     (long long)v, k - 1);
    if (rc == ZP_OK)
        *zone = (int)v;
    return rc;
}

int graphio_read_partition(const char *path, int n, int k, int **x)
{
    int rc = ZP_OK;
    line_reader r;
    int *part = NULL;
    char *line = NULL;
    size_t len;
    *x = NULL;
    ZP_CHECK(reader_open(&r, path));
    ZP_ALLOC(part, n);
    for (int u = 0; u < n; u++) {
        ZP_CHECK(reader_next(&r, &line, &len));
        if (!line)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s:%ld: expected %d lines (one per app), found %d", path,
                             ZP_MAX(r.line, 1L), n, u));
        ZP_CHECK(partition_line(&r, line, k, &part[u]));
    }
    for (;;) {
        ZP_CHECK(reader_next(&r, &line, &len));
        if (!line)
            break;
        if (!is_blank_line(line))
            ZP_CHECK(
                zp_fail(ZP_EINPUT, "%s:%ld: more than %d lines (one per app)", path, r.line, n));
    }
    *x = part;
    part = NULL;
out:
    reader_close(&r);
    zp_free(part);
    return rc;
}
