/* test_dread.c - the parallel METIS reader on one rank (dcomm_serial): the graph it builds is
 * the one dgraph_from_problem cuts from graphio_read_metis's problem, array by array, and a
 * defective file gets the serial reader's status and message, on hand-written files (weights,
 * sizes, ncon > 1, comments, blank vertex lines, unsorted rows, no final newline, one or
 * several defects), on tests/bad_inputs/graph and on randomly damaged random graphs. Works in
 * a mkdtemp directory under /tmp that it removes. (tests/e2e/test_dread.sh runs the same
 * comparison on 1 to 4 MPI ranks.) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dgraph.h"
#include "dread.h"
#include "graphio.h"
#include "problem.h"
#include "rng.h"
#include "util.h"

static char tmpdir[64];
static int compared_ok, compared_err;

static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    fwrite(content, 1, len, f);
    fclose(f);
    return path;
}

static int same_i64(const int64_t *a, const int64_t *b, int64_t n)
{
    return n == 0 || memcmp(a, b, sizeof *a * (size_t)n) == 0;
}

static int same_int(const int *a, const int *b, int64_t n)
{
    return n == 0 || memcmp(a, b, sizeof *a * (size_t)n) == 0;
}

/* dread's graph and info against the serial problem and its dgraph. */
static int same_graphs(const zp_problem *p, const zp_dgraph *a, const zp_dgraph *b,
                       const zp_dread_info *info)
{
    int64_t m = a->xadj[a->nl];
    int ok = a->n == b->n && a->nl == b->nl && a->ng == b->ng && a->first == b->first &&
             a->size == b->size && same_i64(a->vtxdist, b->vtxdist, a->size + 1) &&
             same_i64(a->xadj, b->xadj, a->nl + 1) && m == b->xadj[b->nl] &&
             same_int(a->adj, b->adj, m) && same_i64(a->wgt, b->wgt, m) &&
             same_int(a->vwgt, b->vwgt, a->nl) && same_i64(a->ghost_from, b->ghost_from, 2) &&
             same_i64(a->send_from, b->send_from, 2);
    ok = ok && info->n == p->n && info->ndeps == p->ndeps && info->ncon == p->nres &&
         info->total_vwgt == problem_total_weight(p);
    for (int u = 0; ok && u < p->n; u++) {
        for (int r = 0; r < p->nres; r++)
            ok = ok && info->demand[(int64_t)u * p->nres + r] == problem_demand(p, u, r);
        ok = ok && (info->size ? info->size[u] : 1.0) == p->size[u];
    }
    return ok;
}

/* Both readers on path: the same status and message, or the same graph (one check). */
static void compare_file(const char *path)
{
    zp_dcomm dc = dcomm_serial();
    zp_problem *p = NULL;
    zp_dgraph *serial = NULL, *par = NULL;
    zp_dread_info info;
    char want[1024];
    int rs = graphio_read_metis(path, &p);
    if (rs == ZP_OK)
        rs = dgraph_from_problem(p, dgraph_weight_scale(p), &dc, &serial);
    snprintf(want, sizeof want, "%s", rs == ZP_OK ? "" : zp_error_message());
    zp_error_clear();
    int rd = dread_metis(path, &dc, &par, &info), ok = rd == rs;
    if (ok && rs != ZP_OK) {
        compared_err++;
        ok = strcmp(zp_error_message(), want) == 0 && par == NULL && info.demand == NULL &&
             info.size == NULL;
    } else if (ok) {
        compared_ok++;
        ok = same_graphs(p, par, serial, &info);
    }
    if (!ok)
        fprintf(stderr, "  %s: serial %d '%s'\n  %*s parallel %d '%s'\n", path, rs, want,
                (int)strlen(path), "", rd, rd == ZP_OK ? "" : zp_error_message());
    CHECK(ok);
    dread_info_free(&info);
    dgraph_destroy(&par);
    dgraph_destroy(&serial);
    problem_destroy(&p);
}

static void compare_text(const char *name, const char *text)
{
    compare_file(write_file(name, text, strlen(text)));
}

static void test_valid_files(void)
{
    compare_text("plain.graph", "% a comment\n4 4\n2 3\n% between\n1 3 4\n  1   2  \n2\n");
    compare_text("weighted.graph", "4 2 11\r\n5 2 7\r\n3 3 2 1 7\r\n4 2 2\r\n0");
    compare_text("sizes_ncon.graph", "3 2 111 2\n4 1 2 2 9\n1 3 4 1 9 3 1\n2 5 6 2 1\n");
    compare_text("sizes.graph", "3 1 100\n7 2\n0 1\n3\n");
    compare_text("blank_vertices.graph", "5 1\n\n3\n2\n   \n\n\n% trailing comment\n\n");
    compare_text("unsorted.graph", "4 5 1\n4 1 3 2 2 3\n3 3 1 3 4 1\n1 2 4 4 2 3\n3 1 2 4\n");
    compare_text("no_edges.graph", "3 0\n\n\n");
    compare_text("one_vertex.graph", "1 0");
    compare_text("header_last.graph", "% c\n% c\n1 0\n");
    compare_text("vweights_zero.graph", "3 2 10\n0 2\n5 1 3\n0 2\n");
}

static void test_defects(void)
{
    static const char *const cases[] = {
        "", "% only\n% comments\n", "3\n", "2 5\n2\n1\n", "2 1 1 1 1\n", "0 0\n", "2 1 2\n2\n1\n",
        "2 1 1 3\n2 1\n1 1\n", "3 3\n2\n1 3\n2\n", "3 1\n2\n1\n", "2000000000 0\n\n",
        "2 1\n2\n1\n1\n", "2 1\n3\n1\n", "2 1\n0\n1\n", "2 1\n1 2\n1\n", "3 1\n2\n\n\n",
        "3 1\n\n3\n\n", "3 1\n\n\n2\n", "3 2\n2 3\n\n1\n", "2 1 1\n2 5\n1 6\n", "2 1\n2x\n1\n",
        "2 1\n2 - 1\n1\n", "2 1 1\n2 0\n1 0\n", "2 1 1\n2 -3\n1 -3\n", "2 1 10\n-1 2\n1 1\n",
        "2 1 10\n2\n\n", "2 1 10\n2000000000 2\n2000000000 1\n",
        "2 1 1\n2 99999999999999999999\n1 1\n", "2 1 1\n2\n1 1\n", "3 2\n2 2\n1\n\n",
        "2 1\n2\n1 1\n", "3 1\n2 3\n1\n1\n", "% c\n% c\n2 1\n2\n1 x\n",
        /* several defects: the one the serial reader meets first */
        "4 2\n2 4\n1 3\n2\n1 x\n",            /* asymmetry found at line 4 before the token */
        "4 1\n2 3\n1\n1\n\n",                 /* more edges at line 2 before the asymmetry */
        "4 2\n3 4\n\n1 1\n1\n",               /* a lower duplicate */
        "4 3\n2 3 4\n1\n1\n\n",               /* vertex 1 lists 4 that does not list it */
        "4 2\n2 3\n1 4\n1\n\n",               /* unmatched upper entries at the end */
        "3 1 10\n2000000000 2 x\n1 1\n\n",    /* weights add up before a bad token */
        "3 1 10\n1 2\n2147483646 1 x\n\n",    /* the sum passes on the failing line */
        "3 3 1\n2 1 3 1\n1 1 3 2\n1 1 2 2 7\n", /* more edges, then a missing weight */
        "3 2\n2 3\n1 3\n1 2\n\n2\n",          /* more vertex lines */
        "3 2\n3 2\n3 1\n2 1 1\n",             /* the duplicate named in sorted order */
        "3 2 1\n2 4 3 5\n1 4 3 6\n1 5 2 7\n", /* a weight differs on the last line */
        "5 3\n2\n1 3\n2 4\n\n\n",             /* 4 never lists 3 */
    };
    char name[32];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(name, sizeof name, "defect%zu.graph", i);
        compare_text(name, cases[i]);
    }
    /* 10,000 vertices of weight 1e15: their sum would overflow int64 */
    size_t cap = 200000, len = (size_t)snprintf(NULL, 0, "10000 0 10\n");
    char *heavy = malloc(cap);
    snprintf(heavy, cap, "10000 0 10\n");
    for (int u = 0; u < 10000; u++)
        len += (size_t)snprintf(heavy + len, cap - len, "1000000000000000\n");
    compare_file(write_file("heavy.graph", heavy, len));
    /* a header that announces no edge before a line of 4,999: the rows outgrow their guess */
    len = (size_t)snprintf(heavy, cap, "5000 0\n");
    for (int v = 2; v <= 5000; v++)
        len += (size_t)snprintf(heavy + len, cap - len, "%d ", v);
    compare_file(write_file("outgrown.graph", heavy, len));
    free(heavy);
    const char nul[] = "2 1\n2\0\n1\n";
    compare_file(write_file("nul.graph", nul, sizeof nul - 1));
    char missing[128];
    snprintf(missing, sizeof missing, "%s/does_not_exist.graph", tmpdir);
    compare_file(missing);
}

/* Every .graph of the project's bad-input collection. */
static void test_bad_inputs(void)
{
    const char *dir = "tests/bad_inputs/graph";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".graph") == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            compare_file(path);
        }
    }
    closedir(d);
}

/* ---- random graphs, randomly damaged ------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, long long v)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, fmt, v);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->len + (size_t)n + 1);
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, buf, (size_t)n + 1);
    t->len += (size_t)n;
}

/* A random symmetric graph of up to 12 vertices in a random METIS format, rows in random
 * order, with comments and blank lines. */
static void random_graph(zp_rng *rng, text *t)
{
    int n = 1 + (int)rng_below(rng, 12), fmt[] = {0, 1, 10, 11, 100, 101, 110, 111};
    int f = fmt[rng_below(rng, 8)], ncon = f / 10 % 10 ? 1 + (int)rng_below(rng, 3) : 0;
    int w[12][12] = {{0}}, m = 0;
    for (int u = 0; u < n; u++)
        for (int v = u + 1; v < n; v++)
            if (rng_below(rng, 3) == 0) {
                w[u][v] = w[v][u] = 1 + (int)rng_below(rng, f % 10 ? 9 : 1);
                m++;
            }
    t->len = 0;
    if (rng_below(rng, 3) == 0)
        put(t, "%% comment %lld\n", 1);
    put(t, "%lld ", n);
    put(t, "%lld", m);
    if (f || ncon > 1)
        put(t, " %lld", f);
    if (ncon > 1)
        put(t, " %lld", ncon);
    put(t, "\n", 0);
    for (int u = 0; u < n; u++) {
        if (rng_below(rng, 6) == 0)
            put(t, "%% c\n", 0);
        int first = 1, order[12];
        for (int v = 0; v < n; v++)
            order[v] = v;
        for (int v = n - 1; v > 0 && rng_below(rng, 4) == 0; v--) {
            int j = (int)rng_below(rng, (uint64_t)v + 1), x = order[v];
            order[v] = order[j];
            order[j] = x;
        }
        if (f / 100)
            put(t, first-- > 0 ? "%lld" : " %lld", (long long)rng_below(rng, 5));
        for (int c = 0; c < ncon; c++)
            put(t, first-- > 0 ? "%lld" : " %lld", (long long)rng_below(rng, 9));
        for (int k = 0; k < n; k++) {
            int v = order[k];
            if (!w[u][v])
                continue;
            put(t, first-- > 0 ? "%lld" : " %lld", v + 1);
            if (f % 10)
                put(t, " %lld", w[u][v]);
        }
        put(t, "\n", 0);
    }
    if (rng_below(rng, 4) == 0 && t->len > 0)
        t->len--; /* no final newline */
}

/* One to three random edits: a character replaced, deleted or inserted, a line repeated. */
static void damage(zp_rng *rng, text *t)
{
    static const char alphabet[] = "0123456789 \n%-x\t";
    int edits = 1 + (int)rng_below(rng, 3);
    for (int e = 0; e < edits && t->len > 0; e++) {
        size_t at = rng_below(rng, t->len);
        char c = alphabet[rng_below(rng, sizeof alphabet - 1)];
        switch (rng_below(rng, 4)) {
        case 0: t->s[at] = c; break;
        case 1: memmove(t->s + at, t->s + at + 1, t->len - at - 1), t->len--; break;
        case 2:
            put(t, "", 0); /* room */
            put(t, " ", 0);
            memmove(t->s + at + 1, t->s + at, t->len - at - 1);
            t->s[at] = c;
            break;
        default: {
            size_t b = at, end = at;
            while (b > 0 && t->s[b - 1] != '\n')
                b--;
            while (end < t->len && t->s[end] != '\n')
                end++;
            size_t n = end - b + (end < t->len);
            char *copy = malloc(n + 1);
            memcpy(copy, t->s + b, n);
            for (size_t i = 0; i < n; i++)
                put(t, " ", 0);
            memmove(t->s + b + n, t->s + b, t->len - n - b);
            memcpy(t->s + b, copy, n);
            free(copy);
        }
        }
    }
}

static void test_random_files(void)
{
    zp_rng rng;
    text t = {0};
    rng_seed(&rng, 15, 0, 0);
    for (int i = 0; i < 600; i++) {
        random_graph(&rng, &t);
        if (i % 3 != 0)
            damage(&rng, &t);
        compare_file(write_file("random.graph", t.s, t.len));
    }
    free(t.s);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zp_dread_XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    test_valid_files();
    test_defects();
    test_bad_inputs();
    test_random_files();
    printf("compared %d valid and %d defective files\n", compared_ok, compared_err);
    CHECK(compared_ok > 150 && compared_err > 300);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    CHECK_INT(system(cmd), 0);
    return CHECK_DONE();
}
