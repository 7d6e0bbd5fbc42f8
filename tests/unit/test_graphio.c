/* test_graphio.c - METIS and CSV readers and writers (contents, round trips, every malformed
 * case as ZP_EINPUT "file:line: ..."), partition files, uniform zones, allocation failures,
 * and the generators (determinism, sizes, degree and demand sanity). Works in a mkdtemp
 * directory under /tmp that it removes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "generate.h"
#include "csvin.h"
#include "graphio.h"
#include "problem.h"
#include "util.h"

#define MAX_FILES 128

static char tmpdir[64];
static char *files[MAX_FILES];
static int nfiles;

/* Path of name inside the temp dir (remembered for clean-up). */
static const char *tmp_path(const char *name)
{
    for (int i = 0; i < nfiles; i++)
        if (strcmp(strrchr(files[i], '/') + 1, name) == 0)
            return files[i];
    char *p = malloc(strlen(tmpdir) + strlen(name) + 2);
    sprintf(p, "%s/%s", tmpdir, name);
    files[nfiles++] = p;
    return p;
}

static const char *write_file(const char *name, const char *content, size_t len)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    fwrite(content, 1, len, f);
    fclose(f);
    return path;
}

static const char *text_file(const char *name, const char *content)
{
    return write_file(name, content, strlen(content));
}

static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* Checks status ZP_EINPUT and a message starting with "path:line:". */
static void expect_input_error(int rc, const char *path, long line, const char *fragment)
{
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s:%ld:", path, line);
    CHECK_INT(rc, ZP_EINPUT);
    const char *msg = zp_error_message();
    int ok = strncmp(msg, prefix, strlen(prefix)) == 0 && (!fragment || strstr(msg, fragment));
    if (!ok)
        fprintf(stderr, "  expected '%s ...%s...', got '%s'\n", prefix, fragment ? fragment : "",
                msg);
    CHECK(ok);
}

static void expect_metis_error(const char *name, const char *content, long line,
                               const char *fragment)
{
    zp_problem *p = NULL;
    const char *path = text_file(name, content);
    int rc = graphio_read_metis(path, &p);
    expect_input_error(rc, path, line, fragment);
    CHECK(p == NULL);
    problem_destroy(&p);
}

/* Neighbours of u (0-based) as "a:w b:w" with 1-based ids, for compact CSR checks. */
static const char *adjacency(const zp_problem *p, int u)
{
    static char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d:%g", len ? " " : "",
                                p->adjncy[j] + 1, p->adjwgt[j]);
    return buf;
}

static int same_graph(const zp_problem *a, const zp_problem *b)
{
    if (a->n != b->n || a->xadj[a->n] != b->xadj[b->n] || a->ndeps != b->ndeps)
        return 0;
    for (int u = 0; u <= a->n; u++)
        if (a->xadj[u] != b->xadj[u])
            return 0;
    for (int64_t j = 0; j < a->xadj[a->n]; j++)
        if (a->adjncy[j] != b->adjncy[j] || a->adjwgt[j] != b->adjwgt[j] ||
            a->adjmult[j] != b->adjmult[j])
            return 0;
    return 1;
}

static int same_apps(const zp_problem *a, const zp_problem *b)
{
    if (a->n != b->n || a->nres != b->nres)
        return 0;
    for (int r = 0; r < a->nres; r++)
        if (strcmp(a->res_names[r], b->res_names[r]) != 0)
            return 0;
    for (int u = 0; u < a->n; u++) {
        if (strcmp(a->app_names[u], b->app_names[u]) != 0 || a->size[u] != b->size[u])
            return 0;
        for (int r = 0; r < a->nres; r++)
            if (problem_demand(a, u, r) != problem_demand(b, u, r))
                return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------------------------------- */

static void test_metis_plain(void)
{
    const char *path = text_file("plain.graph", "% a comment\n"
                                                "4 4\n"
                                                "2 3\n"
                                                "% comments may sit between vertex lines\n"
                                                "1 3 4\n"
                                                "  1   2  \n"
                                                "2\n");
    zp_problem *p = NULL;
    CHECK_INT(graphio_read_metis(path, &p), ZP_OK);
    if (!p)
        return;
    CHECK_INT(p->n, 4);
    CHECK_INT(p->nres, 0);
    CHECK_INT(p->ndeps, 4);
    CHECK_INT(p->xadj[4], 8);
    CHECK(strcmp(adjacency(p, 0), "2:1 3:1") == 0);
    CHECK(strcmp(adjacency(p, 1), "1:1 3:1 4:1") == 0);
    CHECK(strcmp(adjacency(p, 3), "2:1") == 0);
    CHECK(strcmp(p->app_names[0], "v1") == 0 && strcmp(p->app_names[3], "v4") == 0);
    CHECK(strcmp(p->source, path) == 0);
    CHECK(strcmp(p->name, "plain") == 0);
    CHECK(p->vwgt == NULL);
    CHECK_INT(p->k, 0);
    CHECK_INT(problem_check_graph(p), ZP_OK);
    CHECK_NEAR(p->dep_weight_total, 4, 0);
    problem_destroy(&p);
}

static void test_metis_weighted(void)
{
    /* fmt 11: one vertex weight then neighbour/weight pairs; unsorted line; CRLF; no final
     * newline; an isolated vertex (empty line). */
    const char *path = text_file("w.graph", "4 2 11\r\n"
                                            "5 2 7\r\n"
                                            "3 3 2 1 7\r\n"
                                            "4 2 2\r\n"
                                            "0");
    zp_problem *p = NULL;
    CHECK_INT(graphio_read_metis(path, &p), ZP_OK);
    if (!p)
        return;
    CHECK_INT(p->nres, 1);
    CHECK(strcmp(p->res_names[0], "weight") == 0);
    CHECK_NEAR(problem_demand(p, 0, 0), 5, 0);
    CHECK_NEAR(problem_demand(p, 3, 0), 0, 0);
    /* the vertex weights are the balance weights too (zero allowed, as in METIS) */
    CHECK(p->vwgt && p->vwgt[0] == 5 && p->vwgt[1] == 3 && p->vwgt[2] == 4 && p->vwgt[3] == 0);
    CHECK_INT(problem_total_weight(p), 12);
    CHECK(strcmp(adjacency(p, 1), "1:7 3:2") == 0);
    CHECK(strcmp(adjacency(p, 3), "") == 0);
    CHECK_NEAR(p->dep_weight_total, 9, 0);
    problem_destroy(&p);

    /* fmt 111 with ncon 2: size, two weights, pairs. */
    path = text_file("w2.graph", "3 2 111 2\n"
                                 "4 1 2 2 9\n"
                                 "1 3 4 1 9 3 1\n"
                                 "2 5 6 2 1\n");
    CHECK_INT(graphio_read_metis(path, &p), ZP_OK);
    if (!p)
        return;
    CHECK_INT(p->nres, 2);
    CHECK(strcmp(p->res_names[1], "weight2") == 0);
    CHECK_NEAR(p->size[0], 4, 0);
    CHECK_NEAR(problem_demand(p, 2, 1), 6, 0);
    CHECK(p->vwgt && p->vwgt[0] == 1 && p->vwgt[1] == 3 && p->vwgt[2] == 5); /* the first */
    CHECK(strcmp(adjacency(p, 1), "1:9 3:1") == 0);

    /* Round trip through the writer: same apps, same graph, same bytes the second time. */
    const char *out1 = tmp_path("w2_out.graph"), *out2 = tmp_path("w2_out2.graph");
    zp_problem *q = NULL;
    CHECK_INT(graphio_write_metis(p, out1), ZP_OK);
    CHECK_INT(graphio_read_metis(out1, &q), ZP_OK);
    if (q) {
        CHECK(same_graph(p, q));
        CHECK(same_apps(p, q));
        CHECK_INT(graphio_write_metis(q, out2), ZP_OK);
        CHECK(same_file(out1, out2));
    }
    problem_destroy(&q);
    CHECK_INT(graphio_write_metis_flags(p, out2, GRAPHIO_NO_VERTEX_WEIGHTS), ZP_OK);
    CHECK_INT(graphio_read_metis(out2, &q), ZP_OK);
    if (q) {
        CHECK_INT(q->nres, 0);
        CHECK(same_graph(p, q));
    }
    problem_destroy(&q);

    /* Non-integral values cannot be written as METIS. */
    p->adjwgt[0] = 1.5;
    CHECK_INT(graphio_write_metis(p, out2), ZP_EINPUT);
    problem_destroy(&p);
}

static void test_metis_errors(void)
{
    expect_metis_error("e_empty.graph", "", 1, "header");
    expect_metis_error("e_comments.graph", "% only\n% comments\n", 2, "header");
    expect_metis_error("e_header1.graph", "3\n", 1, "n m");
    expect_metis_error("e_header2.graph", "2 5\n2\n1\n", 1, "edge count");
    expect_metis_error("e_header3.graph", "2 1 1 1 1\n", 1, "more than 4");
    expect_metis_error("e_header4.graph", "0 0\n", 1, "vertex count");
    expect_metis_error("e_fmt.graph", "2 1 2\n2\n1\n", 1, "fmt");
    expect_metis_error("e_ncon.graph", "2 1 1 3\n2 1\n1 1\n", 1, "ncon");
    expect_metis_error("e_count.graph", "3 3\n2\n1 3\n2\n", 1, "announces 3 edges");
    expect_metis_error("e_few_lines.graph", "3 1\n2\n1\n", 3, "found 2");
    expect_metis_error("e_huge_n.graph", "2000000000 0\n\n", 2, "found 1"); /* allocates little */
    expect_metis_error("e_many_lines.graph", "2 1\n2\n1\n1\n", 4, "more vertex lines");
    expect_metis_error("e_range.graph", "2 1\n3\n1\n", 2, "not in 1..2");
    expect_metis_error("e_zero_id.graph", "2 1\n0\n1\n", 2, "not in 1..2");
    expect_metis_error("e_self.graph", "2 1\n1 2\n1\n", 2, "self-loop");
    expect_metis_error("e_asym1.graph", "3 1\n2\n\n\n", 2, "vertex 2 does not list 1");
    expect_metis_error("e_asym2.graph", "3 1\n\n3\n\n", 3, "vertex 3 does not list 2");
    expect_metis_error("e_asym3.graph", "3 1\n\n\n2\n", 4, "vertex 2 does not list 3");
    expect_metis_error("e_asym4.graph", "3 2\n2 3\n\n1\n", 2, "vertex 2 does not list 1");
    expect_metis_error("e_wasym.graph", "2 1 1\n2 5\n1 6\n", 3, "weight 6 here but 5");
    expect_metis_error("e_token.graph", "2 1\n2x\n1\n", 2, "'2x'");
    expect_metis_error("e_token2.graph", "2 1\n2 - 1\n1\n", 2, "'-'");
    expect_metis_error("e_wzero.graph", "2 1 1\n2 0\n1 0\n", 2, "must be > 0");
    expect_metis_error("e_wneg.graph", "2 1 1\n2 -3\n1 -3\n", 2, "must be > 0");
    expect_metis_error("e_vneg.graph", "2 1 10\n-1 2\n1 1\n", 2, "negative");
    expect_metis_error("e_vmissing.graph", "2 1 10\n2\n\n", 3, "missing vertex weight");
    expect_metis_error("e_vsum.graph", "2 1 10\n2000000000 2\n2000000000 1\n", 3,
                       "add up to more than 2147483646");
    expect_metis_error("e_overflow.graph", "2 1 1\n2 99999999999999999999\n1 1\n", 2, "too large");
    expect_metis_error("e_noweight.graph", "2 1 1\n2\n1 1\n", 2, "no edge weight");
    expect_metis_error("e_dup_up.graph", "3 2\n2 2\n1\n\n", 2, "twice");
    expect_metis_error("e_dup_low.graph", "2 1\n2\n1 1\n", 3, "twice");
    expect_metis_error("e_extra_edges.graph", "3 1\n2 3\n1\n1\n", 2, "more edges");
    expect_metis_error("e_line_after_comments.graph", "% c\n% c\n2 1\n2\n1 x\n", 5, "'x'");
    const char nul[] = "2 1\n2\0\n1\n";
    const char *path = write_file("e_nul.graph", nul, sizeof nul - 1);
    zp_problem *p = NULL;
    expect_input_error(graphio_read_metis(path, &p), path, 2, "NUL");

    const char *missing = tmp_path("does_not_exist.graph");
    CHECK_INT(graphio_read_metis(missing, &p), ZP_EIO);
    CHECK(strncmp(zp_error_message(), missing, strlen(missing)) == 0);
}

/* ---------------------------------------------------------------------------------------- */

static void expect_csv_error(const char *services, const char *calls, int in_calls, long line,
                             const char *fragment)
{
    const char *sp = text_file("err.services.csv", services);
    const char *cp = text_file("err.calls.csv", calls);
    zp_problem *p = NULL;
    expect_input_error(graphio_read_csv(sp, cp, &p), in_calls ? cp : sp, line, fragment);
    CHECK(p == NULL);
}

static void test_csv(void)
{
    const char *sp =
        text_file("a.services.csv", "\xEF\xBB\xBFname, mem_mib ,cpu_millicores,disk_mib\r\n"
                                    "api,512,250,100\r\n"
                                    "\r\n"
                                    "db, 4096 ,2000.5,50000\r\n"
                                    "auth,128,50,0\r\n");
    const char *cp = text_file("a.calls.csv", "caller,callee,weight\n"
                                              "api,db,10\n"
                                              "api,auth,2.5\n"
                                              "auth,db,1\n"
                                              "db,auth,3\n"
                                              "api,db,5\n");
    zp_problem *p = NULL;
    CHECK_INT(graphio_read_csv(sp, cp, &p), ZP_OK);
    if (!p)
        return;
    CHECK_INT(p->n, 3);
    CHECK_INT(p->nres, 3);
    CHECK(strcmp(p->res_names[0], "cpu") == 0 && strcmp(p->res_names[1], "ram") == 0 &&
          strcmp(p->res_names[2], "disk") == 0);
    CHECK(strcmp(p->app_names[1], "db") == 0);
    CHECK_NEAR(problem_demand(p, 1, 0), 2000.5, 0);
    CHECK_NEAR(problem_demand(p, 1, 1), 4096, 0);
    CHECK_NEAR(problem_demand(p, 1, 2), 50000, 0);
    CHECK_INT(p->ndeps, 5);
    CHECK_INT(p->xadj[3], 6); /* 3 merged edges */
    CHECK(strcmp(adjacency(p, 0), "2:15 3:2.5") == 0);
    CHECK(strcmp(adjacency(p, 1), "1:15 3:4") == 0);
    CHECK_INT(p->adjmult[p->xadj[1]], 2); /* db-api listed twice */
    CHECK_INT(problem_check_graph(p), ZP_OK);

    /* Round trip: CSV -> CSV keeps apps, edges, multiplicities and weights. */
    const char *sp2 = tmp_path("b.services.csv"), *cp2 = tmp_path("b.calls.csv");
    zp_problem *q = NULL;
    CHECK_INT(graphio_write_csv(p, sp2, cp2), ZP_OK);
    CHECK_INT(graphio_read_csv(sp2, cp2, &q), ZP_OK);
    if (q) {
        CHECK(same_apps(p, q));
        CHECK(same_graph(p, q));
    }
    problem_destroy(&q);
    problem_destroy(&p);

    /* Without disk and weight columns: two resources, unit weights. */
    sp = text_file("c.services.csv", "name,cpu_millicores,mem_mib\nx,1,2\ny,3,4\n");
    cp = text_file("c.calls.csv", "callee,caller\nx,y\n");
    CHECK_INT(graphio_read_csv(sp, cp, &p), ZP_OK);
    if (p) {
        CHECK_INT(p->nres, 2);
        CHECK(strcmp(adjacency(p, 0), "2:1") == 0);
    }
    problem_destroy(&p);
}

/* CSV as real data comes (issue #10): aliases, extra columns, empty cells, weight 0, quoted
 * fields with commas and line breaks, CRLF; the report counts what was ignored or defaulted. */
static void test_csv_real_data(void)
{
    const char *sp = text_file("r.services.csv",
                               "service,kind,cpu_request,memory,cpu_limit_millicores\r\n"
                               "\"web, eu\",Deployment,250,,500\r\n"
                               "\"db\",StatefulSet,,\"1024\",2000\r\n"
                               "\"cache\nhot\",Deployment,100,64,\r\n");
    const char *cp = text_file("r.calls.csv", "source,target,callCount,rpctype\r\n"
                                              "\"web, eu\",db,0,rpc\r\n"
                                              "db,\"cache\nhot\",,mc\r\n");
    csvin_options opt;
    csvin_report rep;
    csvin_options_default(&opt);
    zp_problem *p = NULL;
    CHECK_INT(csvin_read(sp, cp, &opt, &p, &rep), ZP_OK);
    if (!p)
        return;
    CHECK_INT(p->n, 3);
    CHECK(strcmp(p->app_names[0], "web, eu") == 0);
    CHECK(strcmp(p->app_names[2], "cache\nhot") == 0);
    CHECK_NEAR(problem_demand(p, 0, 0), 250, 0);
    CHECK_NEAR(problem_demand(p, 0, 1), 0, 0);
    CHECK_NEAR(problem_demand(p, 1, 1), 1024, 0);
    CHECK_INT(p->ndeps, 2);
    CHECK_NEAR(p->dep_weight_total, 1, 0); /* 0 + the default 1 */
    CHECK(strcmp(adjacency(p, 0), "2:0") == 0); /* 1-based */
    CHECK(strcmp(rep.ignored[0], "kind, cpu_limit_millicores") == 0);
    CHECK(strcmp(rep.ignored[1], "rpctype") == 0);
    CHECK_INT(rep.missing_cells, 2);
    CHECK_INT(rep.first_missing_line, 2);
    CHECK_INT(rep.zero_weights, 1);
    CHECK_INT(rep.default_weights, 1);
    CHECK_INT(rep.app_lines[2], 4);
    csvin_report_free(&rep);
    problem_destroy(&p);

    /* --column maps a header the aliases do not know; --missing error refuses empty cells;
     * a header-only calls file is a graph without dependencies. */
    sp = text_file("m.services.csv", "svc,millis,mem_mib\na,1,1\nb,,2\n");
    cp = text_file("m.calls.csv", "caller,callee\r\n");
    CHECK_INT(csvin_add_mapping(&opt, "name=svc"), ZP_OK);
    CHECK_INT(csvin_add_mapping(&opt, "cpu=MILLIS"), ZP_OK);
    CHECK_INT(csvin_add_mapping(&opt, "gpu=x"), ZP_EUSAGE);
    CHECK_INT(csvin_read(sp, cp, &opt, &p, NULL), ZP_OK);
    if (p)
        CHECK_INT(p->ndeps, 0);
    problem_destroy(&p);
    CHECK_INT(csvin_parse_missing(&opt, "error"), ZP_OK);
    expect_input_error(csvin_read(sp, cp, &opt, &p, NULL), sp, 3, "millis: empty cell");
}

static void test_csv_errors(void)
{
    const char *ok_svc = "name,cpu_millicores,mem_mib\na,1,1\nb,2,2\n";
    const char *ok_calls = "caller,callee,weight\na,b,1\n";
    expect_csv_error("", ok_calls, 0, 1, "empty file");
    expect_csv_error("name,cpu_millicores\na,1\n", ok_calls, 0, 1, "missing column 'mem_mib'");
    expect_csv_error("name,cpu,cpu_millicores,mem_mib\n", ok_calls, 0, 1, "both give cpu");
    expect_csv_error("name,cpu_millicores,mem_mib\n\"a,1,1\n", ok_calls, 0, 2, "not closed");
    expect_csv_error("name,cpu_millicores,mem_mib\na\"b,1,1\n", ok_calls, 0, 2, "malformed quoted");
    expect_csv_error("name,cpu_millicores,mem_mib\na,1e16,1\n", ok_calls, 0, 2, "above the limit");
    expect_csv_error("name,cpu_millicores,mem_mib,name\n", ok_calls, 0, 1, "twice");
    expect_csv_error("name,cpu_millicores,mem_mib\n", ok_calls, 0, 1, "no services");
    expect_csv_error("name,cpu_millicores,mem_mib\na,1,1\nb,2\n", ok_calls, 0, 3,
                     "expected 3 fields, found 2");
    expect_csv_error("name,cpu_millicores,mem_mib\na,1,1,1\n", ok_calls, 0, 2, "found 4");
    expect_csv_error("name,cpu_millicores,mem_mib\na,x1,1\n", ok_calls, 0, 2, "cpu_millicores");
    expect_csv_error("name,cpu_millicores,mem_mib\na,1,-1\n", ok_calls, 0, 2, "mem_mib");
    expect_csv_error("name,cpu_millicores,mem_mib\na,nan,1\n", ok_calls, 0, 2, "'nan'");
    expect_csv_error("name,cpu_millicores,mem_mib\na,1e999,1\n", ok_calls, 0, 2, "number");
    expect_csv_error("name,cpu_millicores,mem_mib\n,1,1\n", ok_calls, 0, 2, "empty service name");
    expect_csv_error("name,cpu_millicores,mem_mib\na,1,1\nb,1,1\n\na,2,2\n", ok_calls, 0, 5,
                     "duplicate service 'a' (first on line 2)");
    expect_csv_error(ok_svc, "caller,weight\n", 1, 1, "missing column 'callee'");
    expect_csv_error(ok_svc, "caller,callee\na,c\n", 1, 2, "unknown service 'c'");
    expect_csv_error(ok_svc, "caller,callee\nzz,a\n", 1, 2, "unknown service 'zz'");
    expect_csv_error(ok_svc, "caller,callee\na,b\nb,b\n", 1, 3, "calls itself");
    expect_csv_error(ok_svc, "caller,callee,weight\na,b,-1\n", 1, 2, "weight");
    expect_csv_error(ok_svc, "caller,callee,weight\na,b,2e15\n", 1, 2, "above the limit");
    expect_csv_error(ok_svc, "caller,callee,weight\na,b\n", 1, 2, "expected 3 fields");
    zp_problem *p = NULL;
    const char *sp = text_file("ok.services.csv", ok_svc);
    const char *missing = tmp_path("missing.calls.csv");
    CHECK_INT(graphio_read_csv(sp, missing, &p), ZP_EIO);
    CHECK(strncmp(zp_error_message(), missing, strlen(missing)) == 0);
}

/* ---------------------------------------------------------------------------------------- */

static void test_zones_and_partitions(void)
{
    zp_problem *p = NULL;
    CHECK_INT(generate_grid(2, 5, 0, &p), ZP_OK);
    if (!p)
        return;
    CHECK_INT(graphio_uniform_zones(p, 3, 0.5), ZP_OK);
    CHECK_INT(graphio_uniform_zones(p, 4, 0.03), ZP_OK); /* replaces the first set */
    CHECK_INT(p->k, 4);
    CHECK(strcmp(p->zone_names[3], "z3") == 0);
    CHECK_NEAR(problem_dist(p, 0, 0), 40, 0);
    CHECK_NEAR(problem_dist(p, 0, 2), 240, 0);
    CHECK_INT(p->slots[1], ZP_UNLIMITED_SLOTS);
    CHECK_INT(p->zone_io[2], 1);
    int64_t lo, hi;
    problem_band(p, &lo, &hi);
    CHECK_INT(hi, 3); /* floor(1.03 * ceil(10 / 4)) */
    CHECK_INT(graphio_uniform_zones(p, 0, 0.03), ZP_EUSAGE);
    CHECK_INT(graphio_uniform_zones(p, 2, -1), ZP_EUSAGE);
    CHECK_INT(graphio_uniform_zones(p, 2, NAN), ZP_EUSAGE);

    int x[10] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1}, *y = NULL;
    const char *path = tmp_path("part.txt");
    CHECK_INT(graphio_write_partition(path, x, 10), ZP_OK);
    CHECK_INT(graphio_read_partition(path, 10, 4, &y), ZP_OK);
    CHECK(y && memcmp(x, y, sizeof x) == 0);
    free(y);
    y = NULL;
    expect_input_error(graphio_read_partition(path, 10, 3, &y), path, 4, "not in 0..2");
    expect_input_error(graphio_read_partition(path, 11, 4, &y), path, 10, "found 10");
    expect_input_error(graphio_read_partition(path, 9, 4, &y), path, 10, "more than 9");
    path = text_file("part_bad.txt", "0\n1 2\n");
    expect_input_error(graphio_read_partition(path, 2, 4, &y), path, 2, "one zone index");
    CHECK(y == NULL);
    problem_destroy(&p);
}

/* Every allocation of a read fails once in turn: the reader must return ZP_ERUNTIME and free
 * everything (AddressSanitizer's leak check sees the rest). */
static void test_alloc_failures(void)
{
    const char *g = text_file("af.graph", "4 4 11\n1 2 3 3 1\n2 1 3 3 2 4 4\n3 1 1 2 2\n4 2 4\n");
    const char *sp = text_file("af.services.csv", "name,cpu_millicores,mem_mib\na,1,1\nb,2,2\n");
    const char *cp = text_file("af.calls.csv", "caller,callee\na,b\nb,a\n");
    int failures = 0, rc;
    for (long i = 1;; i++) {
        zp_problem *p = NULL;
        zp_alloc_fail_at(i);
        rc = graphio_read_metis(g, &p);
        zp_alloc_fail_at(0);
        problem_destroy(&p);
        if (rc == ZP_OK)
            break;
        failures += rc == ZP_ERUNTIME;
        CHECK_INT(rc, ZP_ERUNTIME);
    }
    CHECK(failures > 5);
    for (long i = 1;; i++) {
        zp_problem *p = NULL;
        zp_alloc_fail_at(i);
        rc = graphio_read_csv(sp, cp, &p);
        zp_alloc_fail_at(0);
        problem_destroy(&p);
        if (rc == ZP_OK)
            break;
        CHECK_INT(rc, ZP_ERUNTIME);
    }
    for (long i = 1;; i++) {
        zp_problem *p = NULL;
        zp_alloc_fail_at(i);
        rc = generate_microservices(300, 2000, 3, &p);
        zp_alloc_fail_at(0);
        problem_destroy(&p);
        if (rc == ZP_OK)
            break;
        CHECK_INT(rc, ZP_ERUNTIME);
    }
}

/* ---------------------------------------------------------------------------------------- */

static void test_generate_micro(void)
{
    zp_problem *a = NULL, *b = NULL, *c = NULL;
    CHECK_INT(generate_microservices(5000, 40000, 7, &a), ZP_OK);
    CHECK_INT(generate_microservices(5000, 40000, 7, &b), ZP_OK);
    CHECK_INT(generate_microservices(5000, 40000, 8, &c), ZP_OK);
    if (!a || !b || !c)
        return;
    CHECK(same_graph(a, b) && same_apps(a, b));
    CHECK(!same_graph(a, c));
    CHECK_INT(a->ndeps, 40000);
    CHECK_INT(problem_check_graph(a), ZP_OK);
    CHECK(strcmp(a->app_names[42], "svc42") == 0);
    /* Repeats merge, but most listed calls are distinct edges. */
    int64_t edges = a->xadj[a->n] / 2;
    CHECK(edges > 30000 && edges <= 40000);

    /* Heavy-tailed degrees: the largest far above the mean, the median below it. */
    int64_t maxdeg = 0, below_mean = 0;
    double mean = (double)a->xadj[a->n] / a->n;
    for (int u = 0; u < a->n; u++) {
        int64_t d = a->xadj[u + 1] - a->xadj[u];
        maxdeg = ZP_MAX(maxdeg, d);
        below_mean += (double)d < mean;
    }
    CHECK(maxdeg > 10 * mean);
    CHECK(below_mean > a->n / 2);

    /* Demands in the documented ranges, spread over them. */
    CHECK_INT(a->nres, 2);
    double cmin = INFINITY, cmax = 0, rmin = INFINITY, rmax = 0;
    for (int u = 0; u < a->n; u++) {
        cmin = fmin(cmin, problem_demand(a, u, 0));
        cmax = fmax(cmax, problem_demand(a, u, 0));
        rmin = fmin(rmin, problem_demand(a, u, 1));
        rmax = fmax(rmax, problem_demand(a, u, 1));
    }
    CHECK(cmin >= 50 && cmin < 100 && cmax <= 4000 && cmax > 3000);
    CHECK(rmin >= 64 && rmin < 200 && rmax <= 16384 && rmax > 8000);

    /* Same seed, same bytes on disk (METIS and CSV). */
    const char *f1 = tmp_path("gen1.graph"), *f2 = tmp_path("gen2.graph");
    CHECK_INT(graphio_write_metis(a, f1), ZP_OK);
    CHECK_INT(graphio_write_metis(b, f2), ZP_OK);
    CHECK(same_file(f1, f2));
    const char *s1 = tmp_path("gen1.s.csv"), *c1 = tmp_path("gen1.c.csv");
    const char *s2 = tmp_path("gen2.s.csv"), *c2 = tmp_path("gen2.c.csv");
    CHECK_INT(graphio_write_csv(a, s1, c1), ZP_OK);
    CHECK_INT(graphio_write_csv(b, s2, c2), ZP_OK);
    CHECK(same_file(s1, s2) && same_file(c1, c2));
    zp_problem *r = NULL;
    CHECK_INT(graphio_read_csv(s1, c1, &r), ZP_OK);
    if (r)
        CHECK(same_graph(a, r) && same_apps(a, r));
    problem_destroy(&r);
    CHECK_INT(graphio_read_metis(f1, &r), ZP_OK);
    if (r) {
        CHECK_INT(r->xadj[r->n], a->xadj[a->n]);
        CHECK_NEAR(r->dep_weight_total, a->dep_weight_total, 1e-6);
    }
    problem_destroy(&r);

    problem_destroy(&a);
    problem_destroy(&b);
    problem_destroy(&c);

    /* Tiny and degenerate sizes. */
    CHECK_INT(generate_microservices(2, 5, 1, &a), ZP_OK);
    if (a)
        CHECK_INT(a->xadj[2], 2);
    problem_destroy(&a);
    CHECK_INT(generate_microservices(1, 0, 1, &a), ZP_OK);
    problem_destroy(&a);
    CHECK_INT(generate_microservices(1, 1, 1, &a), ZP_EUSAGE);
    CHECK_INT(generate_microservices(0, 0, 1, &a), ZP_EUSAGE);
    CHECK_INT(generate_microservices(100, 0, 1, &a), ZP_OK);
    if (a)
        CHECK_INT(a->xadj[100], 0);
    problem_destroy(&a);
}

static void test_generate_grids(void)
{
    zp_problem *p = NULL;
    CHECK_INT(generate_grid(3, 4, 0, &p), ZP_OK);
    if (p) {
        CHECK_INT(p->n, 12);
        CHECK_INT(p->xadj[12] / 2, 17);
        CHECK(strcmp(adjacency(p, 0), "2:1 5:1") == 0);
        CHECK(strcmp(adjacency(p, 5), "2:1 5:1 7:1 10:1") == 0);
        CHECK(strcmp(p->app_names[5], "g1_1") == 0);
        CHECK_INT(problem_check_graph(p), ZP_OK);
    }
    problem_destroy(&p);
    CHECK_INT(generate_grid(3, 4, 1, &p), ZP_OK);
    if (p) {
        CHECK_INT(p->xadj[12] / 2, 29);
        CHECK_INT(p->xadj[6] - p->xadj[5], 8);
        CHECK_INT(p->xadj[1] - p->xadj[0], 3);
    }
    problem_destroy(&p);
    CHECK_INT(generate_mesh3d(2, 3, 4, &p), ZP_OK);
    if (p) {
        CHECK_INT(p->n, 24);
        CHECK_INT(p->xadj[24] / 2, 46);
        CHECK_INT(p->xadj[1] - p->xadj[0], 3);
        CHECK(strcmp(p->app_names[23], "m1_2_3") == 0);
        CHECK_INT(problem_check_graph(p), ZP_OK);
    }
    problem_destroy(&p);
    CHECK_INT(generate_grid(0, 4, 0, &p), ZP_EUSAGE);
    CHECK_INT(generate_mesh3d(2, 0, 4, &p), ZP_EUSAGE);
    CHECK_INT(generate_grid(1, 1, 1, &p), ZP_OK);
    problem_destroy(&p);
}

/* Barabasi-Albert: exact edge counts, the clique, distinct targets among earlier apps, degrees
 * with a power-law tail, the same graph for the same seed. */
static void test_generate_powerlaw(void)
{
    zp_problem *a = NULL, *b = NULL, *c = NULL;
    CHECK_INT(generate_powerlaw(5, 3, 1, &a), ZP_OK);
    if (a) {
        CHECK_INT(a->xadj[5] / 2, 6 + 3); /* the clique of 4, then 3 edges */
        CHECK(strcmp(adjacency(a, 0), "2:1 3:1 4:1") == 0 ||
              strcmp(adjacency(a, 0), "2:1 3:1 4:1 5:1") == 0);
        CHECK_INT(a->xadj[5] - a->xadj[4], 3);
        CHECK(strcmp(a->app_names[4], "p4") == 0);
    }
    problem_destroy(&a);
    CHECK_INT(generate_powerlaw(20000, 4, 7, &a), ZP_OK);
    CHECK_INT(generate_powerlaw(20000, 4, 7, &b), ZP_OK);
    CHECK_INT(generate_powerlaw(20000, 4, 8, &c), ZP_OK);
    if (a && b && c) {
        CHECK(same_graph(a, b));
        CHECK(!same_graph(a, c));
        CHECK_INT(a->xadj[a->n] / 2, 10 + (20000 - 5) * 4);
        CHECK_INT(problem_check_graph(a), ZP_OK);
        /* every app after the clique has its 4 links to earlier apps, all distinct, and the
         * degrees are heavy-tailed: a hub above 20x the mean (about 60x expected), most apps
         * below the mean */
        int64_t earlier_ok = 0, maxdeg = 0, below_mean = 0;
        double mean = (double)a->xadj[a->n] / a->n;
        for (int u = 0; u < a->n; u++) {
            int64_t d = a->xadj[u + 1] - a->xadj[u], earlier = 0;
            for (int64_t j = a->xadj[u]; j < a->xadj[u + 1]; j++)
                earlier += a->adjncy[j] < u;
            earlier_ok += u < 5 ? earlier == u : earlier == 4;
            maxdeg = ZP_MAX(maxdeg, d);
            below_mean += (double)d < mean;
        }
        CHECK_INT(earlier_ok, 20000);
        CHECK(maxdeg > 20 * mean);
        CHECK(below_mean > a->n / 2);
    }
    problem_destroy(&a);
    problem_destroy(&b);
    problem_destroy(&c);
    CHECK_INT(generate_powerlaw(3, 5, 1, &a), ZP_OK); /* fewer apps than a clique: a triangle */
    if (a)
        CHECK_INT(a->xadj[3], 6);
    problem_destroy(&a);
    CHECK_INT(generate_powerlaw(0, 3, 1, &a), ZP_EUSAGE);
    CHECK_INT(generate_powerlaw(10, 0, 1, &a), ZP_EUSAGE);
    CHECK_INT(generate_powerlaw(10, 1001, 1, &a), ZP_EUSAGE);
    CHECK_INT(generate_powerlaw(2000000000, 1000, 1, &a), ZP_EUSAGE);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zp_graphio_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_metis_plain();
    test_metis_weighted();
    test_metis_errors();
    test_csv();
    test_csv_real_data();
    test_csv_errors();
    test_zones_and_partitions();
    test_alloc_failures();
    test_generate_micro();
    test_generate_grids();
    test_generate_powerlaw();
    for (int i = 0; i < nfiles; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    rmdir(tmpdir);
    return CHECK_DONE();
}
