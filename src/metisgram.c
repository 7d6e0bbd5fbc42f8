/* metisgram.c - the METIS .graph grammar both graph readers share (see metisgram.h). */
#include "metisgram.h"

#include "util.h"

int metis_is_comment(const char *line) { return *text_skip_blanks(line) == '%'; }

int metis_next_data_line(line_reader *r, char **line)
{
    size_t len;
    int rc;
    do {
        rc = reader_next(r, line, &len);
    } while (rc == ZP_OK && *line && metis_is_comment(*line));
    return rc;
}

static int metis_format(metis_header *h, const char *path, int64_t fmt)
{
    if (fmt < 0 || fmt > 111 || fmt % 10 > 1 || fmt / 10 % 10 > 1 || fmt / 100 > 1)
        return zp_fail(ZP_EINPUT, "%s:%ld: fmt %lld is not one of 0, 1, 10, 11, 100, 101, 110, 111",
                       path, h->line, (long long)fmt);
    h->has_ewgt = (int)(fmt % 10);
    h->has_vwgt = (int)(fmt / 10 % 10);
    h->has_vsize = (int)(fmt / 100);
    return ZP_OK;
}

/* The values of the header line: count of them in *count (more than 4 is refused). */
static int header_values(line_reader *r, long hline, char *line, int64_t *v, int *count)
{
    int rc = ZP_OK, found = 1;
    *count = 0;
    while (found) {
        int64_t x = 0;
        ZP_CHECK(text_next_int(r, &line, "header", &x, &found));
        if (found && *count == 4)
            return zp_fail(ZP_EINPUT, "%s:%ld: header has more than 4 values 'n m [fmt [ncon]]'",
                           r->path, hline);
        if (found)
            v[(*count)++] = x;
    }
out:
    return rc;
}

int metis_read_header(line_reader *r, metis_header *h)
{
    int rc = ZP_OK, count = 0;
    char *line = NULL;
    const char *path = r->path;
    ZP_CHECK(metis_next_data_line(r, &line));
    h->line = r->line > 0 ? r->line : 1;
    if (!line)
        return zp_fail(ZP_EINPUT, "%s:%ld: no header line 'n m [fmt [ncon]]'", path, h->line);
    int64_t v[4] = {0, 0, 0, 1};
    ZP_CHECK(header_values(r, h->line, line, v, &count));
    if (count < 2)
        return zp_fail(ZP_EINPUT, "%s:%ld: header needs at least 'n m'", path, h->line);
    if (v[0] < 1 || v[0] > ZP_MAX_APPS)
        return zp_fail(ZP_EINPUT, "%s:%ld: vertex count %lld is not in 1..%d", path, h->line,
                       (long long)v[0], ZP_MAX_APPS);
    if (v[1] < 0 || v[1] > v[0] * (v[0] - 1) / 2)
        return zp_fail(ZP_EINPUT, "%s:%ld: edge count %lld is not in 0..n(n-1)/2", path, h->line,
                       (long long)v[1]);
    h->n = (int)v[0];
    h->m = v[1];
    ZP_CHECK(metis_format(h, path, v[2]));
    if (v[3] < 1 || v[3] > 1000 || (!h->has_vwgt && v[3] != 1))
        return zp_fail(ZP_EINPUT,
                       "%s:%ld: ncon %lld must be in 1..1000 and needs vertex "
                       "weights (fmt 10, 11, 110 or 111) when above 1",
                       path, h->line, (long long)v[3]);
    h->ncon = h->has_vwgt ? (int)v[3] : 0;
out:
    return rc;
}

/* One vertex value (what: "vertex size" or "vertex weight"): present, >= 0, <= 1e15. */
static int vertex_value(const line_reader *r, int u, char **s, const char *what, double *out)
{
    int64_t v = 0;
    int rc = text_need_int(r, s, what, &v);
    if (rc != ZP_OK)
        return rc;
    if (v < 0)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s %lld of vertex %d is negative", r->path, r->line,
                       what, (long long)v, u + 1);
    if (v > ZP_MAX_NUMBER)
        return zp_fail(ZP_EINPUT, "%s:%ld: %s %lld of vertex %d is above the limit 1e15", r->path,
                       r->line, what, (long long)v, u + 1);
    *out = (double)v;
    return ZP_OK;
}

int metis_vertex_values(const metis_header *h, const line_reader *r, int u, char **s,
                        double *size, double *weights)
{
    int rc = ZP_OK;
    if (h->has_vsize)
        ZP_CHECK(vertex_value(r, u, s, "vertex size", size));
    for (int c = 0; c < h->ncon; c++)
        ZP_CHECK(vertex_value(r, u, s, "vertex weight", &weights[c]));
out:
    return rc;
}

/* The edge weight after neighbour nb (if the format has them). */
static int edge_weight(const metis_header *h, const line_reader *r, int u, int64_t nb, char **s,
                       int64_t *w)
{
    int64_t x = 0;
    int found = 0;
    *w = 1;
    if (!h->has_ewgt)
        return ZP_OK;
    int rc = text_next_int(r, s, "edge weight", &x, &found);
    if (rc != ZP_OK)
        return rc;
    if (!found)
        return zp_fail(ZP_EINPUT, "%s:%ld: neighbour %lld of vertex %d has no edge weight",
                       r->path, r->line, (long long)nb, u + 1);
    if (x <= 0 || x > ZP_MAX_NUMBER)
        return zp_fail(ZP_EINPUT, "%s:%ld: edge %d-%lld has weight %lld; weights must be > 0 "
                       "and <= 1e15", r->path, r->line, u + 1, (long long)nb, (long long)x);
    *w = x;
    return ZP_OK;
}

int metis_neighbour(const metis_header *h, const line_reader *r, int u, char **s, int *v,
                    int64_t *w, int *found)
{
    int64_t nb = 0;
    int rc = text_next_int(r, s, "neighbour id", &nb, found);
    if (rc != ZP_OK || !*found)
        return rc;
    if (nb < 1 || nb > h->n)
        return zp_fail(ZP_EINPUT, "%s:%ld: neighbour %lld of vertex %d is not in 1..%d", r->path,
                       r->line, (long long)nb, u + 1, h->n);
    if (nb - 1 == u)
        return zp_fail(ZP_EINPUT, "%s:%ld: vertex %d lists itself (self-loop)", r->path, r->line,
                       u + 1);
    *v = (int)nb - 1;
    return edge_weight(h, r, u, nb, s, w);
}

int metis_fail_balance(const char *path, long line)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: the vertex weights add up to more than %d (the first "
                   "weight of every vertex is its balance weight)",
                   path, line, METIS_MAX_BALANCE_WEIGHT);
}

int metis_fail_more_edges(const char *path, long line, int64_t m)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: more edges than the %lld of the header", path, line,
                   (long long)m);
}

int metis_fail_asymmetric(const char *path, long line, int u, int v)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: vertex %d lists %d, but vertex %d does not list %d", path,
                   line, u + 1, v + 1, v + 1, u + 1);
}

int metis_fail_listed_twice(const char *path, long line, int u, int v)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: vertex %d lists neighbour %d twice", path, line, u + 1,
                   v + 1);
}

int metis_fail_edge_weight(const char *path, long line, int u, int v, double w, double other,
                           long other_line)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: edge %d-%d has weight %.17g here but %.17g on line %ld",
                   path, line, u + 1, v + 1, w, other, other_line);
}

int metis_fail_vertex_lines(const char *path, long line, int n, int found)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: the header announces %d vertex lines, found %d", path,
                   line, n, found);
}

int metis_fail_more_lines(const char *path, long line, int n)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: more vertex lines than the %d of the header", path, line,
                   n);
}

int metis_fail_edge_count(const char *path, long line, int64_t m, int64_t listed)
{
    return zp_fail(ZP_EINPUT, "%s:%ld: the header announces %lld edges, the vertex lines list %lld",
                   path, line, (long long)m, (long long)listed);
}
