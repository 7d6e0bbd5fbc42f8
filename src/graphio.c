/* graphio.c - METIS .graph and CSV readers and writers, partition files, uniform zones.
 * Owns the buffered writer; the streaming line reader and the integer tokenizer that make
 * million-app inputs fast are textin.c's, the METIS grammar metisgram.c's (shared with the
 * parallel reader, dread.c). Nothing here knows about the search or the output file. */
#include "graphio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "metisgram.h"
#include "strmap.h"
#include "textin.h"
#include "topology.h"
#include "util.h"

#define MAX_EXACT 9007199254740992.0 /* 2^53: larger integers do not survive a double */

/* ---------------------------------------------------------------------------------------- */
/* App names.                                                                                */

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

/* ---------------------------------------------------------------------------------------- */
/* METIS reader.                                                                             */

typedef struct {
    int v;
    double w;
} nb_weight;

/* Vertex u's upper entries (v > u) not yet claimed by their other end: [next, end) of its row.
 * Kept together because the symmetry check reads both at random vertices (one cache miss
 * instead of two). */
typedef struct {
    int64_t next, end;
} upper_range;

typedef struct {
    line_reader in;
    const char *path;
    metis_header h;
    int n;     /* h.n */
    int64_t m; /* h.m */
    int ncon;  /* h.ncon */
    zp_problem *p;
    /* The adjacency as the vertex lines list it, row after row, each row sorted by neighbour
     * (files usually are: checked first): it becomes the problem's CSR as it is, without an
     * edge list to scatter, merge and sort again. */
    int64_t *xadj; /* [vcap + 1] */
    int *adj;
    double *wgt;
    int64_t nadj, capadj;
    int64_t nup;         /* upper entries (v > u) so far: the edges */
    double weight_total; /* their weights */
    /* Symmetry check in one pass: vertex u's lower entries (v < u) must claim the next
     * unclaimed upper entry of v's sorted row, since rows arrive in increasing u. */
    upper_range *range; /* [vcap] */
    int64_t *vline;     /* [vcap] line of each vertex, for messages */
    /* Vertex sizes and weights until the problem exists. Per-vertex arrays grow with the
     * vertex lines actually read: a 20-byte file announcing 2 billion vertices must fail as
     * an input error, not by allocating 100 GB. */
    double *vsize;   /* [vcap] or NULL */
    double *vweight; /* [vcap * ncon] or NULL */
    int64_t vcap;
    int64_t balance_total; /* sum of the first vertex weights so far (the balance weights) */
    nb_weight *sorted;     /* scratch for a row listed out of order */
    int64_t sorted_cap;
} metis_reader;

static void metis_reader_free(metis_reader *mr)
{
    reader_close(&mr->in);
    zp_free(mr->xadj);
    zp_free(mr->adj);
    zp_free(mr->wgt);
    zp_free(mr->range);
    zp_free(mr->vline);
    zp_free(mr->vsize);
    zp_free(mr->vweight);
    zp_free(mr->sorted);
    problem_destroy(&mr->p);
}

/* Header "n m [fmt [ncon]]" (metisgram.c). */
static int read_header(metis_reader *mr)
{
    int rc = metis_read_header(&mr->in, &mr->h);
    mr->n = mr->h.n;
    mr->m = mr->h.m;
    mr->ncon = mr->h.ncon;
    return rc;
}

/* The problem read: apps with the vertex weights as demands of resources named after them and
 * the first weight as balance weight, vertex sizes as migration sizes. */
int graphio_name_weights(zp_problem *p, int ncon)
{
    int rc = ZP_OK;
    p->nres = ncon;
    ZP_ALLOC(p->res_names, ncon);
    for (int r = 0; r < ncon; r++) {
        char buf[32];
        if (ncon == 1)
            snprintf(buf, sizeof buf, "weight");
        else
            snprintf(buf, sizeof buf, "weight%d", r + 1);
        if (!(p->res_names[r] = zp_strdup(buf)))
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    }
out:
    return rc;
}

static int metis_problem(metis_reader *mr)
{
    int rc = ZP_OK;
    ZP_CHECK(problem_create(&mr->p));
    zp_problem *p = mr->p;
    p->source = zp_strdup(mr->path);
    p->name = text_name_from_path(mr->path);
    if (!p->source || !p->name)
        return ZP_ERUNTIME;
    ZP_CHECK(graphio_name_weights(p, mr->ncon));
    ZP_CHECK(problem_alloc_apps(p, mr->n));
    if (mr->ncon > 0) {
        memcpy(p->demand, mr->vweight, sizeof *p->demand * (size_t)mr->n * (size_t)mr->ncon);
        ZP_ALLOC(p->vwgt, mr->n);
        for (int u = 0; u < mr->n; u++)
            p->vwgt[u] = (int)mr->vweight[(int64_t)u * mr->ncon];
    }
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
    if (grow_to((void **)&mr->xadj, sizeof *mr->xadj, cap + 1) != ZP_OK ||
        grow_to((void **)&mr->range, sizeof *mr->range, cap) != ZP_OK ||
        grow_to((void **)&mr->vline, sizeof *mr->vline, cap) != ZP_OK ||
        (mr->h.has_vsize && grow_to((void **)&mr->vsize, sizeof *mr->vsize, cap) != ZP_OK) ||
        (mr->ncon > 0 &&
         grow_to((void **)&mr->vweight, sizeof *mr->vweight, cap * mr->ncon) != ZP_OK))
        return ZP_ERUNTIME;
    mr->vcap = cap;
    return ZP_OK;
}

/* Room for one more adjacency entry. The header's 2m bounds the arrays (a line may go past
 * it only with entries that fail the symmetry check); they grow by doubling so that an absurd
 * m in a small file does not allocate gigabytes. */
static int adjacency_room(metis_reader *mr)
{
    if (mr->nadj < mr->capadj)
        return ZP_OK;
    int64_t cap = ZP_MIN(2 * mr->m, ZP_MAX(2 * mr->capadj, (int64_t)1 << 16));
    cap = ZP_MAX(cap, mr->nadj + 1);
    if (grow_to((void **)&mr->adj, sizeof *mr->adj, cap) != ZP_OK ||
        grow_to((void **)&mr->wgt, sizeof *mr->wgt, cap) != ZP_OK)
        return ZP_ERUNTIME;
    mr->capadj = cap;
    return ZP_OK;
}

/* Appends u's entry for v; an upper one (v > u) is an edge, bounded by the header's m. */
static int add_entry(metis_reader *mr, int u, int v, double w)
{
    int rc = ZP_OK;
    if (v > u) {
        if (mr->nup == mr->m)
            return metis_fail_more_edges(mr->path, mr->in.line, mr->m);
        mr->nup++;
        mr->weight_total += w;
    }
    ZP_CHECK(adjacency_room(mr));
    mr->adj[mr->nadj] = v;
    mr->wgt[mr->nadj] = w;
    mr->nadj++;
out:
    return rc;
}

static int asymmetric(const metis_reader *mr, long line, int u, int v)
{
    return metis_fail_asymmetric(mr->path, line, u, v);
}

static int listed_twice(const metis_reader *mr, int u, int v)
{
    return metis_fail_listed_twice(mr->path, mr->in.line, u, v);
}

/* Matches u -> v (v < u) with v's upper entry for u. Rows come in increasing order, so the
 * upper entries of v's sorted row are claimed in order: the first unclaimed one must be u.
 * If the entry just claimed is u, this line lists v a second time. */
static int match_lower(metis_reader *mr, int u, int v, double w)
{
    upper_range *r = &mr->range[v];
    int64_t c = r->next;
    if (c < r->end && mr->adj[c] == u) {
        if (mr->wgt[c] != w)
            return metis_fail_edge_weight(mr->path, mr->in.line, u, v, w, mr->wgt[c],
                                          (long)mr->vline[v]);
        r->next++;
        return ZP_OK;
    }
    if (c > mr->xadj[v] && mr->adj[c - 1] == u)
        return listed_twice(mr, u, v);
    if (c < r->end && mr->adj[c] < u) /* v listed an earlier vertex that never listed v */
        return asymmetric(mr, (long)mr->vline[v], v, mr->adj[c]);
    return asymmetric(mr, mr->in.line, u, v);
}

static int cmp_nb_weight(const void *a, const void *b)
{
    const nb_weight *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* Sorts the row [b, e) by neighbour with its weights. */
static int sort_row(metis_reader *mr, int64_t b, int64_t e)
{
    int64_t len = e - b;
    if (text_grow_array((void **)&mr->sorted, &mr->sorted_cap, len, sizeof *mr->sorted) != ZP_OK)
        return ZP_ERUNTIME;
    for (int64_t j = 0; j < len; j++)
        mr->sorted[j] = (nb_weight){mr->adj[b + j], mr->wgt[b + j]};
    qsort(mr->sorted, (size_t)len, sizeof *mr->sorted, cmp_nb_weight);
    for (int64_t j = 0; j < len; j++) {
        mr->adj[b + j] = mr->sorted[j].v;
        mr->wgt[b + j] = mr->sorted[j].w;
    }
    return ZP_OK;
}

/* Sorts u's row by neighbour (files are usually sorted already: checked first), which also
 * brings a neighbour listed twice together, and marks its upper entries unclaimed. */
static int finish_row(metis_reader *mr, int u)
{
    int rc = ZP_OK;
    int64_t b = mr->xadj[u], e = mr->nadj, j;
    for (j = b + 1; j < e && mr->adj[j - 1] < mr->adj[j]; j++)
        ;
    if (j < e && mr->adj[j - 1] > mr->adj[j]) {
        ZP_CHECK(sort_row(mr, b, e));
        for (j = b + 1; j < e && mr->adj[j - 1] < mr->adj[j]; j++)
            ;
    }
    if (j < e)
        return listed_twice(mr, u, mr->adj[j]);
    for (j = b; j < e && mr->adj[j] < u; j++)
        ;
    mr->range[u] = (upper_range){j, e};
    mr->xadj[u + 1] = e;
out:
    return rc;
}

/* Vertex size and weights at the start of u's line (metisgram.c), then the balance weights'
 * bound: the first weight becomes the app's balance weight (an int, summed into int64 zone
 * loads compared with int slots), and METIS's 32-bit bound on the total keeps every sum exact. */
static int read_vertex_values(metis_reader *mr, int u, char **s)
{
    int rc = metis_vertex_values(&mr->h, &mr->in, u, s, mr->vsize ? &mr->vsize[u] : NULL,
                                 mr->vweight ? &mr->vweight[(int64_t)u * mr->ncon] : NULL);
    if (rc == ZP_OK && mr->ncon > 0 &&
        (mr->balance_total += (int64_t)mr->vweight[(int64_t)u * mr->ncon]) >
            METIS_MAX_BALANCE_WEIGHT)
        rc = metis_fail_balance(mr->path, mr->in.line);
    return rc;
}

/* Matches the lower entries of u's row (v < u), in the order of the line. Their lookups land
 * at random vertices (two dependent cache misses each), so the addresses are prefetched for
 * the whole row first and the misses of a line overlap instead of queueing. */
static int match_row(metis_reader *mr, int u)
{
    int64_t b = mr->xadj[u], e = mr->nadj, j;
    for (j = b; j < e; j++)
        if (mr->adj[j] < u)
            ZP_PREFETCH(&mr->range[mr->adj[j]]);
    for (j = b; j < e; j++)
        if (mr->adj[j] < u) {
            int64_t c = mr->range[mr->adj[j]].next;
            ZP_PREFETCH(&mr->adj[c]);
            ZP_PREFETCH(&mr->wgt[c]);
        }
    for (j = b; j < e; j++) {
        int rc = mr->adj[j] < u ? match_lower(mr, u, mr->adj[j], mr->wgt[j]) : ZP_OK;
        if (rc != ZP_OK)
            return rc;
    }
    return ZP_OK;
}

/* One vertex line: [size] [weights] then neighbour [weight] pairs. */
static int metis_vertex(metis_reader *mr, int u, char *s)
{
    int rc = ZP_OK;
    ZP_CHECK(read_vertex_values(mr, u, &s));
    for (;;) {
        int v, found = 0;
        int64_t w;
        ZP_CHECK(metis_neighbour(&mr->h, &mr->in, u, &s, &v, &w, &found));
        if (!found)
            break;
        ZP_CHECK(add_entry(mr, u, v, (double)w));
    }
    ZP_CHECK(match_row(mr, u));
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
        if (!text_is_blank_line(line) && !metis_is_comment(line))
            return metis_fail_more_lines(mr->path, mr->in.line, mr->n);
    }
}

/* Upper entries nobody claimed: v listed u but u (read later) did not list v. */
static int metis_unmatched(const metis_reader *mr)
{
    for (int v = 0; v < mr->n; v++)
        if (mr->range[v].next < mr->range[v].end)
            return asymmetric(mr, (long)mr->vline[v], v, mr->adj[mr->range[v].next]);
    return ZP_OK;
}

static int metis_body(metis_reader *mr)
{
    int rc = ZP_OK;
    for (int u = 0; u < mr->n; u++) {
        char *line = NULL;
        ZP_CHECK(metis_next_data_line(&mr->in, &line));
        if (!line)
            return metis_fail_vertex_lines(mr->path, ZP_MAX(mr->in.line, 1L), mr->n, u);
        ZP_CHECK(vertex_room(mr, u));
        mr->vline[u] = mr->in.line;
        mr->xadj[u] = mr->nadj;
        ZP_CHECK(metis_vertex(mr, u, line));
        ZP_CHECK(finish_row(mr, u));
    }
    ZP_CHECK(metis_trailer(mr));
    ZP_CHECK(metis_unmatched(mr));
    if (mr->nup != mr->m)
        return metis_fail_edge_count(mr->path, mr->h.line, mr->m, mr->nup);
out:
    return rc;
}

/* Hands the rows read to the problem as its CSR (a file lists every edge once: nothing merged,
 * multiplicity 1). */
static int metis_adjacency(metis_reader *mr)
{
    int rc = ZP_OK;
    zp_problem *p = mr->p;
    if (!mr->adj) /* no edges: the arrays exist all the same */
        ZP_CHECK(adjacency_room(mr));
    ZP_ALLOC(p->adjmult, mr->nadj);
    for (int64_t j = 0; j < mr->nadj; j++)
        p->adjmult[j] = 1;
    p->xadj = mr->xadj;
    p->adjncy = mr->adj;
    p->adjwgt = mr->wgt;
    mr->xadj = NULL;
    mr->adj = NULL;
    mr->wgt = NULL;
    p->ndeps = mr->m;
    p->dep_weight_total = mr->weight_total;
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
    ZP_CHECK(read_header(&mr));
    ZP_CHECK(metis_body(&mr));
    reader_close(&mr.in);
    zp_free(mr.range);
    zp_free(mr.vline);
    zp_free(mr.sorted);
    mr.range = NULL;
    mr.vline = NULL;
    mr.sorted = NULL;
    ZP_CHECK(metis_problem(&mr));
    zp_free(mr.vsize);
    zp_free(mr.vweight);
    mr.vsize = mr.vweight = NULL;
    ZP_CHECK(metis_adjacency(&mr));
    ZP_CHECK(name_apps(mr.p, "v", 1));
    *out = mr.p;
    mr.p = NULL;
out:
    metis_reader_free(&mr);
    return rc;
}

/* The CSV reader lives in csvin.c (libcsv, header names, aliases); this is its plain form. */
int graphio_read_csv(const char *services_path, const char *calls_path, zp_problem **out)
{
    csvin_options opt;
    csvin_options_default(&opt);
    return csvin_read(services_path, calls_path, &opt, out, NULL);
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
    return n > 0 && !strpbrk(s, ",\n\r") && !text_is_blank(s[0]) && !text_is_blank(s[n - 1]);
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

int graphio_uniform_zones(zp_problem *p, int k, double imbalance)
{
    int rc = ZP_OK;
    if (k < 1)
        return zp_fail(ZP_EUSAGE, "zone count %d must be >= 1", k);
    if (!(imbalance >= 0) || !isfinite(imbalance))
        return zp_fail(ZP_EUSAGE, "imbalance %g must be a finite number >= 0", imbalance);
    problem_clear_zones(p);
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
    int rc = text_need_int(r, &line, "zone index", &v);
    if (rc == ZP_OK)
        rc = text_next_int(r, &line, "zone index", &extra, &found);
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
        if (!text_is_blank_line(line))
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
