/* dread.c - the parallel METIS .graph reader (see dread.h).
 *
 * Each rank reads the header itself, then its lines twice with the shared line reader
 * (textin.c): a first pass counts lines and vertex lines, whose prefix sums over the ranks give
 * every line its number and every vertex line its vertex; the second pass parses the rank's
 * vertex lines with the grammar the serial reader uses (metisgram.c). What the serial reader
 * checks across lines (edge and weight totals, symmetry, counts) follows from per-rank sums.
 *
 * Errors follow the serial reader's detection order: a key (line, phase, position) orders
 * them, phase 0 being the tokens of a line, 1 the matching of its lower entries (v < u) against
 * their rows, 2 the duplicate check of the sorted row; the end of the file counts as line
 * (lines + 1). A rank stops parsing at its first defect: nothing after it can come first. */
#include "dread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metisgram.h"
#include "textin.h"
#include "util.h"

#define KEY_NONE INT64_MAX
#define SCAN_CHUNK ((size_t)1 << 16) /* bytes read at a time to find a range's first line */

enum { PH_TOKENS = 0, PH_MATCH = 1, PH_ROW = 2 };

/* Sums of balance weights saturate here, far above their bound (METIS_MAX_BALANCE_WEIGHT) and
 * far below overflow: weights up to 1e15 on millions of vertices would overflow int64. */
#define BALANCE_CAP ((int64_t)1 << 50)

static int64_t balance_add(int64_t a, int64_t b) { return ZP_MIN(a + b, BALANCE_CAP); }

/* A rank's first defect: key = line * 4 + phase (0 for failures without a line: I/O, memory,
 * header, which every rank sees alike), pos orders defects of one line and phase. */
typedef struct {
    int64_t key, pos, status;
} fail_key;

typedef struct {
    const char *path;
    zp_dcomm *dc;
    line_reader in;
    metis_header h;
    int64_t header_end; /* file offset after the header line */
    int64_t from, to;   /* this rank's lines start in [from, to) */
    /* layout from the first pass: counts of this rank and prefix sums over the ranks */
    int64_t nlines, nbody; /* lines, non-comment lines after the header */
    int broken;            /* the first pass stopped at a line it could not read */
    int dead;              /* a lower rank is broken: this rank's lines come after its defect */
    int64_t line0, body0, total_lines, total_body;
    int64_t *vtxdist;
    int64_t first;
    int nl; /* vertex lines of this rank */
    /* rows parsed, in line order (sorted only at the end) */
    int nrows;
    int64_t *xadj, *adj, *wgt, nadj, capadj;
    int64_t *vline;
    double *demand, *size;
    int64_t upper, balance; /* upper entries (v > u) and first vertex weights, rows so far */
    uint64_t hash;          /* sum of the upper entries' hashes minus the lower ones' */
    /* the partial row of a failure: what the serial reader had counted before it */
    int64_t fail_line, fail_upper;
    int fail_values_ok;
    int fail_in_row; /* the failure is a duplicate of a whole row: its lower entries matter */
    double fail_vw0;
    fail_key fail;
    char msg[1024];
} dread_state;

/* ---- failures ------------------------------------------------------------------------------- */

/* Keeps the failure just recorded with zp_fail (status) if it comes before the rank's first. */
static int note_at(dread_state *st, int status, int64_t line, int phase, int64_t pos)
{
    fail_key k = {status == ZP_EINPUT ? line * 4 + phase : 0, pos, status};
    if (k.key < st->fail.key || (k.key == st->fail.key && k.pos < st->fail.pos)) {
        st->fail = k;
        snprintf(st->msg, sizeof st->msg, "%s", zp_error_message());
    }
    return status;
}

/* A failure without a line of its own (I/O, memory, the header every rank reads). */
static int note(dread_state *st, int status) { return note_at(st, status, 0, PH_TOKENS, 0); }

/* Every rank's count values of int64 (all: [size * count], allocated). */
static int gather(zp_dcomm *dc, const int64_t *mine, int count, int64_t **all)
{
    int rc = ZP_OK;
    int64_t *rbytes = NULL;
    *all = NULL;
    ZP_ALLOC(rbytes, dc->size);
    ZP_ALLOC(*all, (int64_t)dc->size * count);
    for (int r = 0; r < dc->size; r++)
        rbytes[r] = (int64_t)sizeof(int64_t) * count;
    rc = dc->allgatherv(dc, mine, rbytes[0], *all, rbytes);
out:
    zp_free(rbytes);
    return rc;
}

/* Collective: the first failure over the ranks (lowest key, position, rank). Its rank keeps
 * the message, the others clear theirs; all return its status. */
static int agree(dread_state *st)
{
    int rc = ZP_OK, best = -1;
    int64_t *all = NULL;
    zp_dcomm *dc = st->dc;
    ZP_CHECK(gather(dc, (const int64_t *)&st->fail, 3, &all));
    for (int r = 0; r < dc->size; r++) {
        const int64_t *k = all + 3 * r, *b = best < 0 ? NULL : all + 3 * best;
        if (k[2] != ZP_OK && (!b || k[0] < b[0] || (k[0] == b[0] && k[1] < b[1])))
            best = r;
    }
    if (best < 0)
        goto out;
    rc = (int)all[3 * best + 2];
    if (best == dc->rank)
        zp_fail(rc, "%s", st->msg);
    else
        zp_error_clear();
out:
    zp_free(all);
    return rc;
}

/* ---- header and ranges ---------------------------------------------------------------------- */

static int read_header(dread_state *st, int64_t *bytes)
{
    int rc = ZP_OK;
    struct stat sb;
    ZP_CHECK(reader_open(&st->in, st->path));
    ZP_CHECK(metis_read_header(&st->in, &st->h));
    st->header_end = st->in.pos;
    if (fstat(fileno(st->in.f), &sb) != 0)
        ZP_CHECK(zp_fail(ZP_EIO, "%s: %s", st->path, strerror(errno)));
    if (!S_ISREG(sb.st_mode))
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: not a regular file (the ranks read byte ranges of it)",
                         st->path));
    *bytes = (int64_t)sb.st_size;
out:
    return rc;
}

/* The first line start at or after offset at (bytes: the file's size). */
static int line_start(dread_state *st, int64_t at, int64_t bytes, int64_t *start)
{
    int rc = ZP_OK;
    char *buf = NULL;
    int fd = fileno(st->in.f);
    *start = bytes;
    if (at <= 0) {
        *start = 0;
        return ZP_OK;
    }
    ZP_ALLOC(buf, SCAN_CHUNK);
    for (int64_t pos = at - 1; pos < bytes;) {
        ssize_t got = pread(fd, buf, SCAN_CHUNK, (off_t)pos);
        if (got < 0)
            ZP_CHECK(zp_fail(ZP_EIO, "%s: %s", st->path, strerror(errno)));
        if (got == 0)
            break;
        char *nl = memchr(buf, '\n', (size_t)got);
        if (nl) {
            *start = pos + (nl - buf) + 1;
            break;
        }
        pos += got;
    }
out:
    zp_free(buf);
    return rc;
}

static int find_range(dread_state *st, int64_t bytes)
{
    int rc = ZP_OK;
    int r = st->dc->rank, p = st->dc->size;
    ZP_CHECK(line_start(st, bytes / p * r + bytes % p * r / p, bytes, &st->from));
    ZP_CHECK(line_start(st, bytes / p * (r + 1) + bytes % p * (r + 1) / p, bytes, &st->to));
out:
    return rc;
}

/* ---- first pass: counts --------------------------------------------------------------------- */

/* Lines and body lines (not comments, after the header) of the range; a line that cannot be
 * read stops the count: the second pass reports it at its number. */
static int count_lines(dread_state *st)
{
    int rc = ZP_OK;
    if (st->from >= st->to)
        return ZP_OK;
    ZP_CHECK(reader_seek(&st->in, st->from, 0));
    while (st->in.pos < st->to) {
        int64_t at = st->in.pos;
        char *line;
        size_t len;
        if (reader_next(&st->in, &line, &len) != ZP_OK || !line) {
            st->broken = 1;
            break;
        }
        st->nlines++;
        st->nbody += at >= st->header_end && !metis_is_comment(line);
    }
out:
    return rc;
}

/* The line numbers and vertex ranges of every rank from their counts. */
static int lay_out(dread_state *st)
{
    int rc = ZP_OK;
    int64_t mine[3] = {st->nlines, st->nbody, st->broken}, *all = NULL;
    zp_dcomm *dc = st->dc;
    ZP_CHECK(gather(dc, mine, 3, &all));
    ZP_ALLOC(st->vtxdist, dc->size + 1);
    int64_t lines = 0, body = 0, broken = 0;
    for (int r = 0; r < dc->size; r++) {
        if (r == dc->rank) {
            st->line0 = lines;
            st->body0 = body;
        }
        st->vtxdist[r] = ZP_MIN(body, (int64_t)st->h.n);
        st->dead |= r < dc->rank && all[3 * r + 2];
        lines += all[3 * r];
        body += all[3 * r + 1];
        broken |= all[3 * r + 2];
    }
    st->vtxdist[dc->size] = st->h.n;
    /* a broken rank's count stops short; the defect it met comes before the end anyway */
    st->total_lines = broken ? INT64_MAX / 16 : lines;
    st->total_body = body;
    st->first = st->vtxdist[dc->rank];
    st->nl = (int)(ZP_MIN(st->body0 + st->nbody, (int64_t)st->h.n) - st->first);
    if (st->nl < 0)
        st->nl = 0;
out:
    zp_free(all);
    return rc;
}

/* ---- second pass: the rows ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Hash of the undirected edge lo-hi (lo < hi) with weight w. */
static uint64_t edge_hash(int64_t lo, int64_t hi, int64_t w)
{
    return mix64(mix64((uint64_t)lo * 0x9e3779b97f4a7c15ULL + (uint64_t)hi) ^ (uint64_t)w);
}

static int alloc_rows(dread_state *st, int64_t bytes)
{
    int rc = ZP_OK;
    int nl = st->nl, ncon = st->h.ncon;
    ZP_ALLOC(st->xadj, nl + 1);
    ZP_ALLOC(st->vline, nl);
    if (ncon > 0)
        ZP_ALLOC(st->demand, (int64_t)nl * ncon);
    if (st->h.has_vsize)
        ZP_ALLOC(st->size, nl);
    /* the range's share of the 2m entries, and never more than one per two bytes (an absurd
     * m in a small file allocates nothing) */
    double share = bytes > 0 ? (double)(st->to - st->from) / (double)bytes : 0.0;
    int64_t cap = (int64_t)(2.0 * (double)st->h.m * share * 1.05) + 1024;
    st->capadj = ZP_MIN(cap, (st->to - st->from) / 2 + 1024);
    ZP_ALLOC(st->adj, st->capadj);
    ZP_ALLOC(st->wgt, st->capadj);
out:
    return rc;
}

/* Room for one more adjacency entry (both arrays grow by doubling). */
static int grow_adjacency(dread_state *st)
{
    int64_t cap_adj = st->capadj, cap_wgt = st->capadj;
    if (text_grow_array((void **)&st->adj, &cap_adj, st->nadj + 1, sizeof *st->adj) != ZP_OK ||
        text_grow_array((void **)&st->wgt, &cap_wgt, st->nadj + 1, sizeof *st->wgt) != ZP_OK)
        return ZP_ERUNTIME;
    st->capadj = ZP_MIN(cap_adj, cap_wgt);
    return ZP_OK;
}

typedef struct {
    int64_t v, w;
} nb_weight;

static int cmp_nb_weight(const void *a, const void *b)
{
    const nb_weight *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* Row [b, e) sorted by neighbour (with its weights) into scratch (allocated). */
static int sorted_copy(const dread_state *st, int64_t b, int64_t e, nb_weight **scratch)
{
    int rc = ZP_OK;
    ZP_ALLOC(*scratch, e - b);
    for (int64_t j = b; j < e; j++)
        (*scratch)[j - b] = (nb_weight){st->adj[j], st->wgt[j]};
    qsort(*scratch, (size_t)(e - b), sizeof **scratch, cmp_nb_weight);
out:
    return rc;
}

static int row_is_sorted(const int64_t *adj, int64_t b, int64_t e)
{
    for (int64_t j = b + 1; j < e; j++)
        if (adj[j - 1] >= adj[j])
            return 0;
    return 1;
}

/* A neighbour listed twice on u's row [b, e), named as the serial reader names it: the pair
 * that ends the row's increasing prefix, else the smallest in sorted order. */
static int check_twice(dread_state *st, int64_t u, int64_t b, int64_t e)
{
    int rc = ZP_OK;
    nb_weight *s = NULL;
    int64_t j = b + 1;
    while (j < e && st->adj[j - 1] < st->adj[j])
        j++;
    if (j >= e)
        return ZP_OK;
    if (st->adj[j - 1] == st->adj[j])
        return metis_fail_listed_twice(st->path, st->in.line, (int)u, (int)st->adj[j]);
    ZP_CHECK(sorted_copy(st, b, e, &s));
    for (j = 1; j < e - b; j++)
        if (s[j - 1].v == s[j].v)
            ZP_CHECK(metis_fail_listed_twice(st->path, st->in.line, (int)u, (int)s[j].v));
out:
    zp_free(s);
    return rc;
}

static int64_t count_upper(const int64_t *adj, int64_t b, int64_t e, int64_t u)
{
    int64_t c = 0;
    for (int64_t j = b; j < e; j++)
        c += adj[j] > u;
    return c;
}

/* The neighbours of u's line after its values, appended to the adjacency. */
static int parse_neighbours(dread_state *st, int64_t u, char **s)
{
    for (;;) {
        int v, found = 0;
        int64_t w;
        int rc = metis_neighbour(&st->h, &st->in, (int)u, s, &v, &w, &found);
        if (rc != ZP_OK || !found)
            return rc;
        if (st->nadj == st->capadj && grow_adjacency(st) != ZP_OK)
            return ZP_ERUNTIME;
        st->adj[st->nadj] = v;
        st->wgt[st->nadj] = w;
        st->nadj++;
        st->hash += v > u ? edge_hash(u, v, w) : 0 - edge_hash(v, u, w);
    }
}

/* Vertex line i of the rank (vertex u); on a defect, what the serial reader had counted of
 * the line before it (fail_*) and the defect's key. */
static int parse_row(dread_state *st, int i, int64_t u, char *s)
{
    int rc = ZP_OK, ncon = st->h.ncon;
    int64_t b = st->nadj;
    int phase = PH_TOKENS;
    st->xadj[i] = b;
    st->vline[i] = st->in.line;
    st->fail_values_ok = 0;
    ZP_CHECK(metis_vertex_values(&st->h, &st->in, (int)u, &s, st->size ? &st->size[i] : NULL,
                                 st->demand ? &st->demand[(int64_t)i * ncon] : NULL));
    st->fail_values_ok = 1;
    ZP_CHECK(parse_neighbours(st, u, &s));
    phase = PH_ROW;
    ZP_CHECK(check_twice(st, u, b, st->nadj));
    st->xadj[i + 1] = st->nadj;
    st->upper += count_upper(st->adj, b, st->nadj, u);
    st->balance = balance_add(st->balance, ncon > 0 ? (int64_t)st->demand[(int64_t)i * ncon] : 0);
    st->nrows++;
out:
    if (rc != ZP_OK) {
        st->fail_line = st->in.line;
        st->fail_upper = count_upper(st->adj, b, st->nadj, u);
        st->fail_vw0 = st->fail_values_ok && ncon > 0 ? st->demand[(int64_t)i * ncon] : 0.0;
        st->fail_in_row = phase == PH_ROW;
        note_at(st, rc, st->in.line, phase, 0);
    }
    return rc;
}

/* One line of the range: a comment, the header, a vertex line or a line after the last one. */
static int parse_line(dread_state *st, int64_t at, char *line, int64_t *body)
{
    if (metis_is_comment(line) || at < st->header_end)
        return ZP_OK;
    int64_t k = (*body)++;
    if (k >= st->h.n) {
        if (text_is_blank_line(line))
            return ZP_OK;
        return note_at(st, metis_fail_more_lines(st->path, st->in.line, st->h.n), st->in.line,
                       PH_TOKENS, 0);
    }
    int i = (int)(k - st->first);
    if (i != st->nrows || i >= st->nl)
        return note(st, zp_fail(ZP_EIO, "%s: the file changed while it was read", st->path));
    return parse_row(st, i, k, line);
}

static int parse_range(dread_state *st)
{
    int rc = ZP_OK;
    int64_t body = st->body0;
    if (st->dead || st->from >= st->to)
        return ZP_OK;
    ZP_CHECK(reader_seek(&st->in, st->from, (long)st->line0));
    while (st->in.pos < st->to) {
        int64_t at = st->in.pos, number = st->in.line + 1;
        char *line;
        size_t len;
        rc = reader_next(&st->in, &line, &len);
        if (rc != ZP_OK)
            return note_at(st, rc, number, PH_TOKENS, 0);
        if (!line)
            break;
        ZP_CHECK(parse_line(st, at, line, &body));
    }
out:
    return rc;
}

/* ---- checks across lines -------------------------------------------------------------------- */

/* The first line where the running sum of the rows' upper entries (upper) or first weights
 * (balance) passes its bound, from the sums of the lower ranks; a failed row counts what the
 * serial reader had read of it. The weights come first on a line, the edges after. */
static void check_totals(dread_state *st, int64_t upper, int64_t balance, int check_upper,
                         int check_balance)
{
    int ncon = st->h.ncon;
    for (int i = 0; i <= st->nrows; i++) {
        int partial = i == st->nrows;
        if (partial && st->fail_line == 0)
            break;
        int64_t u = st->first + i;
        long line = (long)(partial ? st->fail_line : st->vline[i]);
        int values = partial ? st->fail_values_ok : 1;
        balance = balance_add(balance, !values || ncon == 0 ? 0
                                       : partial        ? (int64_t)st->fail_vw0
                                                        : (int64_t)st->demand[(int64_t)i * ncon]);
        upper += partial ? st->fail_upper : count_upper(st->adj, st->xadj[i], st->xadj[i + 1], u);
        if (check_balance && values && balance > METIS_MAX_BALANCE_WEIGHT) {
            note_at(st, metis_fail_balance(st->path, line), line, PH_TOKENS, -2);
            return;
        }
        if (check_upper && upper > st->h.m) {
            note_at(st, metis_fail_more_edges(st->path, line, st->h.m), line, PH_TOKENS, -1);
            return;
        }
    }
}

/* A lower entry b -> a (a < b) on its way to a's owner, for the exact symmetry check. */
typedef struct {
    int64_t a, b, w, line, pos;
} claim;

static int cmp_claim(const void *x, const void *y)
{
    const claim *p = x, *q = y;
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    if (p->b != q->b)
        return (p->b > q->b) - (p->b < q->b);
    return (p->pos > q->pos) - (p->pos < q->pos);
}

/* The lower entries of the rows up to line limit (and of a row refused for a duplicate:
 * the serial reader matches them first), bucketed by the owner of their target. */
static int make_claims(dread_state *st, int64_t limit, claim **out, int64_t *scount)
{
    int rc = ZP_OK, size = st->dc->size;
    int64_t *from = NULL, total = 0;
    claim *c = NULL;
    ZP_ALLOC(from, size + 1);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < st->nrows + st->fail_in_row && st->vline[i] <= limit; i++) {
            int64_t u = st->first + i, e = i < st->nrows ? st->xadj[i + 1] : st->nadj;
            for (int64_t j = st->xadj[i]; j < e; j++) {
                if (st->adj[j] >= u)
                    continue;
                int r = dgraph_owner(st->vtxdist, size, st->adj[j]);
                if (pass == 0)
                    from[r + 1]++;
                else
                    c[from[r]++] = (claim){st->adj[j], u, st->wgt[j], st->vline[i],
                                           j - st->xadj[i]};
            }
        }
        if (pass == 0) {
            for (int r = 0; r < size; r++) {
                scount[r] = from[r + 1] * (int64_t)sizeof(claim);
                from[r + 1] += from[r];
            }
            total = from[size]; /* from[r]: where rank r's claims start */
            ZP_ALLOC(c, total);
        }
    }
    *out = c;
    c = NULL;
out:
    zp_free(from);
    zp_free(c);
    return rc;
}

/* The serial reader's matching of a's upper entries (up, sorted, nup) against the lower
 * entries that list a (cl, sorted by line and position): the first defect, or the first
 * unclaimed entry at the end of the file. */
static void match_vertex(dread_state *st, int64_t a, long aline, const nb_weight *up, int64_t nup,
                         const claim *cl, int64_t ncl)
{
    int64_t c = 0;
    const char *path = st->path;
    for (int64_t k = 0; k < ncl; k++) {
        int64_t b = cl[k].b;
        long bline = (long)cl[k].line;
        int rc;
        if (c < nup && up[c].v == b) {
            if (up[c].w == cl[k].w) {
                c++;
                continue;
            }
            rc = metis_fail_edge_weight(path, bline, (int)b, (int)a, (double)cl[k].w,
                                        (double)up[c].w, aline);
        } else if (c > 0 && up[c - 1].v == b) {
            rc = metis_fail_listed_twice(path, bline, (int)b, (int)a);
        } else if (c < nup && up[c].v < b) { /* a listed an earlier vertex that never listed a */
            rc = metis_fail_asymmetric(path, aline, (int)a, (int)up[c].v);
        } else {
            rc = metis_fail_asymmetric(path, bline, (int)b, (int)a);
        }
        note_at(st, rc, bline, PH_MATCH, cl[k].pos);
        return;
    }
    if (c < nup)
        note_at(st, metis_fail_asymmetric(path, aline, (int)a, (int)up[c].v),
                st->total_lines + 1, PH_MATCH, a);
}

/* Matches the claims received (sorted) against the rows of this rank. */
static int match_claims(dread_state *st, const claim *cl, int64_t ncl)
{
    int rc = ZP_OK;
    int64_t k = 0;
    nb_weight *up = NULL;
    for (int i = 0; i < st->nl; i++) {
        int64_t a = st->first + i, nup = 0;
        while (k < ncl && cl[k].a < a) /* cannot happen: every claim has an owner's row */
            k++;
        int64_t k0 = k;
        while (k < ncl && cl[k].a == a)
            k++;
        if (i < st->nrows) {
            int64_t b = st->xadj[i], e = st->xadj[i + 1];
            ZP_CHECK(sorted_copy(st, b, e, &up));
            int64_t lo = 0;
            while (lo < e - b && up[lo].v < a)
                lo++;
            nup = e - b - lo;
            memmove(up, up + lo, sizeof *up * (size_t)nup);
            match_vertex(st, a, (long)st->vline[i], up, nup, cl + k0, k - k0);
            zp_free(up);
            up = NULL;
        } else if (k > k0) {
            match_vertex(st, a, 0, NULL, 0, cl + k0, k - k0);
        }
    }
out:
    zp_free(up);
    return rc;
}

/* Collective: the exact symmetry check, when the hash sums disagree or a rank failed (a
 * mismatch on an earlier line would come first). Only lines up to limit matter. */
static int exact_symmetry(dread_state *st, int64_t limit)
{
    int rc = ZP_OK;
    claim *send = NULL, *recv = NULL;
    int64_t *scount = NULL, *rcount = NULL, total = 0;
    zp_dcomm *dc = st->dc;
    ZP_ALLOC(scount, dc->size);
    ZP_ALLOC(rcount, dc->size);
    if (make_claims(st, limit, &send, scount) != ZP_OK) {
        note(st, ZP_ERUNTIME); /* still joins the exchange, with nothing */
        memset(scount, 0, sizeof *scount * (size_t)dc->size);
    }
    ZP_CHECK(dgraph_sendrecv(dc, send, scount, (void **)&recv, rcount, &total));
    total /= (int64_t)sizeof(claim);
    qsort(recv, (size_t)total, sizeof *recv, cmp_claim);
    if (match_claims(st, recv, total) != ZP_OK)
        note(st, ZP_ERUNTIME);
out:
    zp_free(send);
    zp_free(recv);
    zp_free(scount);
    zp_free(rcount);
    return rc;
}

/* Collective: the checks that span lines and ranks, from the ranks' sums. */
static int check_across(dread_state *st, int64_t *total_balance)
{
    int rc = ZP_OK;
    zp_dcomm *dc = st->dc;
    int64_t mine[4] = {st->upper + st->fail_upper, balance_add(st->balance, (int64_t)st->fail_vw0),
                       (int64_t)st->hash, st->fail.key},
            *all = NULL;
    ZP_CHECK(gather(dc, mine, 4, &all));
    int64_t upper = 0, balance = 0, upper0 = 0, balance0 = 0, limit = KEY_NONE;
    uint64_t hash = 0;
    for (int r = 0; r < dc->size; r++) {
        if (r == dc->rank) {
            upper0 = upper;
            balance0 = balance;
        }
        upper += all[4 * r];
        balance = balance_add(balance, all[4 * r + 1]);
        hash += (uint64_t)all[4 * r + 2];
        limit = ZP_MIN(limit, all[4 * r + 3]);
    }
    *total_balance = balance;
    if (upper > st->h.m || balance > METIS_MAX_BALANCE_WEIGHT)
        check_totals(st, upper0, balance0, upper > st->h.m, balance > METIS_MAX_BALANCE_WEIGHT);
    long end = (long)st->total_lines + 1;
    if (st->total_body < st->h.n)
        note_at(st, metis_fail_vertex_lines(st->path, ZP_MAX(end - 1, 1L), st->h.n,
                                            (int)st->total_body), end, PH_TOKENS, 0);
    if (upper < st->h.m)
        note_at(st, metis_fail_edge_count(st->path, st->h.line, st->h.m, upper), end, PH_ROW, 0);
    if (hash != 0 || limit != KEY_NONE)
        ZP_CHECK(exact_symmetry(st, limit == KEY_NONE ? KEY_NONE : limit / 4));
out:
    zp_free(all);
    return rc;
}

/* ---- the graph ------------------------------------------------------------------------------ */

/* Rows sorted by neighbour (files usually are: checked first), arrays cut to size. */
static int sort_rows(dread_state *st)
{
    int rc = ZP_OK;
    nb_weight *s = NULL;
    for (int i = 0; i < st->nrows; i++) {
        int64_t b = st->xadj[i], e = st->xadj[i + 1];
        if (row_is_sorted(st->adj, b, e))
            continue;
        ZP_CHECK(sorted_copy(st, b, e, &s));
        for (int64_t j = b; j < e; j++) {
            st->adj[j] = s[j - b].v;
            st->wgt[j] = s[j - b].w;
        }
        zp_free(s);
        s = NULL;
    }
    int64_t keep = ZP_MAX(st->nadj, (int64_t)1);
    int64_t *adj = zp_realloc(st->adj, sizeof *adj * (size_t)keep);
    if (!adj)
        ZP_CHECK(ZP_ERUNTIME);
    st->adj = adj;
    int64_t *wgt = zp_realloc(st->wgt, sizeof *wgt * (size_t)keep);
    if (!wgt)
        ZP_CHECK(ZP_ERUNTIME);
    st->wgt = wgt;
out:
    zp_free(s);
    return rc;
}

static int build(dread_state *st, int64_t total_balance, zp_dgraph **g, zp_dread_info *info)
{
    int rc = ZP_OK;
    int *vwgt = NULL;
    int ncon = st->h.ncon;
    ZP_ALLOC(vwgt, st->nl);
    for (int i = 0; i < st->nl; i++)
        vwgt[i] = ncon > 0 ? (int)st->demand[(int64_t)i * ncon] : 1;
    info->n = st->h.n;
    info->ndeps = st->h.m;
    info->ncon = ncon;
    info->has_vsize = st->h.has_vsize;
    info->total_vwgt = ncon > 0 ? total_balance : st->h.n;
    info->header_line = st->h.line;
    info->demand = st->demand;
    info->size = st->size;
    st->demand = st->size = NULL;
    rc = dgraph_assemble(st->dc, st->vtxdist, st->nl, st->xadj, st->adj, st->wgt, vwgt, g);
    st->vtxdist = st->xadj = st->adj = st->wgt = NULL;
    return rc;
out:
    return rc;
}

static void state_free(dread_state *st)
{
    reader_close(&st->in);
    zp_free(st->vtxdist);
    zp_free(st->xadj);
    zp_free(st->adj);
    zp_free(st->wgt);
    zp_free(st->vline);
    zp_free(st->demand);
    zp_free(st->size);
}

void dread_info_free(zp_dread_info *info)
{
    zp_free(info->demand);
    zp_free(info->size);
    memset(info, 0, sizeof *info);
}

int dread_metis(const char *path, zp_dcomm *dc, zp_dgraph **g, zp_dread_info *info)
{
    int rc = ZP_OK;
    int64_t bytes = 0, total_balance = 0;
    dread_state st;
    memset(&st, 0, sizeof st);
    memset(info, 0, sizeof *info);
    *g = NULL;
    st.path = path;
    st.dc = dc;
    st.fail.key = st.fail.pos = KEY_NONE;
    int step = read_header(&st, &bytes);
    if (step != ZP_OK)
        note(&st, step);
    ZP_CHECK(agree(&st));
    if ((step = find_range(&st, bytes)) != ZP_OK || (step = count_lines(&st)) != ZP_OK)
        note(&st, step);
    ZP_CHECK(lay_out(&st));
    if (alloc_rows(&st, bytes) != ZP_OK)
        note(&st, ZP_ERUNTIME);
    else
        parse_range(&st);
    ZP_CHECK(check_across(&st, &total_balance));
    if (st.fail.status == ZP_OK && sort_rows(&st) != ZP_OK)
        note(&st, ZP_ERUNTIME);
    ZP_CHECK(agree(&st));
    reader_close(&st.in);
    zp_free(st.vline);
    st.vline = NULL;
    ZP_CHECK(build(&st, total_balance, g, info));
out:
    state_free(&st);
    if (rc != ZP_OK)
        dread_info_free(info);
    return rc;
}
