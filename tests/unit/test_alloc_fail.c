/* test_alloc_fail.c - every allocation-failure path of the input loaders, in the spirit of
 * SQLite's malloc tests. For n = 1, 2, ... the n-th allocation fails (zp_alloc_fail_at; cJSON's
 * allocations go through the same counter by cJSON_InitHooks) and the loader must fail cleanly
 * with "out of memory" (ZP_ERUNTIME), never crash, never succeed with the failure swallowed,
 * until the first n beyond the allocations a load makes, where it must give exactly what a
 * load without injection gives. Inputs: configs of every shape (per-app and cumulative
 * capacities, io, allowed zones, sizes, current zones, arrivals, an explicit distance matrix),
 * bad configs that fail late (feasibility), a METIS graph with all weight kinds and a CSV pair,
 * and the parallel METIS reader on one rank (dread.c: a graph, one whose rows need sorting, an
 * asymmetric one that takes the exact symmetry check).
 *
 * Leaks: in a plain build the heap in use (mallinfo2, glibc's tcache off) must be the same
 * before and after every load; under AddressSanitizer the test re-runs itself with
 * LeakSanitizer on, which checks every path at exit; tests/e2e/test_valgrind.sh runs it under
 * valgrind memcheck. */
#include <cJSON.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "dread.h"
#include "graphio.h"
#include "util.h"

/* ---- cJSON through the failure counter --------------------------------------------------- */

static int cjson_failed; /* the injected failure hit an allocation of cJSON */

static void *hook_malloc(size_t size)
{
    void *p = zp_malloc(size);
    if (!p)
        cjson_failed = 1;
    return p;
}

static void hook_free(void *p) { zp_free(p); }

/* ---- one loader as a uniform call ---------------------------------------------------------- */

typedef struct {
    const char *name;
    int kind; /* 0 config, 1 METIS graph, 2 CSV, 3 METIS graph in slices (one rank) */
    const char *path, *path2;
} input;

/* dread_metis on one rank; a fingerprint of the slice read. */
static int load_slices(const input *in, char *fingerprint, size_t size)
{
    zp_dcomm dc = dcomm_serial();
    zp_dgraph *g = NULL;
    zp_dread_info info;
    int rc = dread_metis(in->path, &dc, &g, &info);
    if (rc == ZP_OK) {
        int64_t w = 0;
        for (int64_t j = 0; j < g->xadj[g->nl]; j++)
            w += g->wgt[j] * (j + 1) + g->adj[j];
        snprintf(fingerprint, size, "n=%lld nl=%d entries=%lld w=%lld vw=%lld", (long long)g->n,
                 g->nl, (long long)g->xadj[g->nl], (long long)w, (long long)info.total_vwgt);
    } else {
        snprintf(fingerprint, size, "status %d: %s", rc, zp_error_message());
    }
    dgraph_destroy(&g);
    dread_info_free(&info);
    return rc;
}

/* Loads the input; returns the status and a fingerprint of what was loaded. */
static int load(const input *in, char *fingerprint, size_t size)
{
    int rc;
    if (in->kind == 3)
        return load_slices(in, fingerprint, size);
    zp_config *cfg = NULL;
    zp_problem *p = NULL;
    if (in->kind == 0) {
        rc = config_load(in->path, &cfg);
        if (rc == ZP_OK)
            p = cfg->arrivals ? cfg->arrivals : cfg->base;
    } else if (in->kind == 1) {
        rc = graphio_read_metis(in->path, &p);
    } else {
        rc = graphio_read_csv(in->path, in->path2, &p);
    }
    if (rc == ZP_OK)
        snprintf(fingerprint, size, "n=%d k=%d nres=%d edges=%lld deps=%lld w=%.17g", p->n, p->k,
                 p->nres, (long long)p->xadj[p->n], (long long)p->ndeps, p->dep_weight_total);
    else
        snprintf(fingerprint, size, "status %d: %s", rc, zp_error_message());
    if (cfg)
        config_destroy(&cfg);
    else
        problem_destroy(&p);
    return rc;
}

static size_t heap_in_use(void)
{
#ifdef __SANITIZE_ADDRESS__
    return 0; /* ASan's allocator: LeakSanitizer checks instead */
#else
    return mallinfo2().uordblks;
#endif
}

/* Walks every failure point of one input; returns the number of paths walked. */
static long walk(const input *in)
{
    char want[1024], got[1024];
    zp_alloc_fail_at(0);
    zp_error_clear();
    int rc0 = load(in, want, sizeof want); /* also warms up stdio and the locale */
    long total = zp_alloc_count();
    long bad = 0, n;
    for (n = 1;; n++) {
        size_t before = heap_in_use();
        cjson_failed = 0;
        zp_error_clear();
        zp_alloc_fail_at(n);
        int rc = load(in, got, sizeof got);
        long made = zp_alloc_count();
        zp_alloc_fail_at(0);
        size_t after = heap_in_use();
        const char *why = NULL;
        if (after != before)
            why = "heap in use changed (leak)";
        else if (made < n) { /* the failure never happened: the load must be the normal one */
            if (rc != rc0 || strcmp(got, want) != 0)
                why = "without a failure the result differs from the normal load";
        } else if (rc == ZP_OK) {
            why = "succeeded although an allocation failed";
        } else if (rc == ZP_EINPUT && cjson_failed && strstr(got, "malformed JSON")) {
            /* cJSON cannot tell out-of-memory from bad syntax: acceptable, its own malloc */
        } else if (rc != ZP_ERUNTIME || !strstr(got, "out of memory")) {
            why = "wrong status or message";
        }
        if (why) {
            if (++bad <= 10)
                fprintf(stderr, "FAIL %s: allocation %ld of %ld fails: %s (got '%s', normal '%s')\n",
                        in->name, n, total, why, got, want);
        }
        if (made < n)
            break;
        if (n > 10 * total + 1000) {
            fprintf(stderr, "FAIL %s: more than %ld allocations: the loop does not end\n",
                    in->name, n);
            bad++;
            break;
        }
    }
    CHECK(bad == 0);
    CHECK(n >= total + 1 && total > 0);
    printf("%s %s: %ld allocation failure paths (normal load: %s)\n", bad ? "FAIL" : "ok",
           in->name, n - 1, want);
    return n - 1;
}

static char tmpdir[4096];

static const char *write_temp(const char *name, const char *text)
{
    static char paths[8][4200];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    return path;
}

int main(int argc, char **argv)
{
    (void)argc;
    /* Runs itself again with the allocator set up for leak checks: under ASan, LeakSanitizer on
     * (tests/run.sh turns it off for the MPI programs; this one has no MPI); otherwise glibc's
     * per-thread cache off, since mallinfo2 counts cached chunks as in use. Valgrind (which
     * would not follow the exec) sets ZP_ALLOC_FAIL_REEXEC=1 to skip this. */
    if (!getenv("ZP_ALLOC_FAIL_REEXEC")) {
        char opts[2048];
#ifdef __SANITIZE_ADDRESS__
        const char *var = "ASAN_OPTIONS", *add = "detect_leaks=1";
#else
        const char *var = "GLIBC_TUNABLES", *add = "glibc.malloc.tcache_count=0";
#endif
        const char *old = getenv(var);
        snprintf(opts, sizeof opts, "%s%s%s", old ? old : "", old && *old ? ":" : "", add);
        setenv(var, opts, 1);
        setenv("ZP_ALLOC_FAIL_REEXEC", "1", 1);
        execv("/proc/self/exe", argv);
        perror("execv (leak checks weaker)");
    }
    const char *root = getenv("ZP_ROOT");
    if (root && chdir(root) != 0)
        perror(root);
    const char *tmp = getenv("ZP_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/alloc_fail_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror(tmpdir);
        return 1;
    }
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);

    const char *graph = write_temp("g.graph", "% all weight kinds\n"
                                              "4 4 111 2\n"
                                              "1 2 3 2 7 4 1\n"
                                              "2 1 1 1 7 3 4\n"
                                              "1 0 5 2 4 4 2\n"
                                              "3 1 1 1 1 3 2\n");
    const char *unsorted = write_temp("u.graph", "4 4\n3 2\n4 3 1\n1 2\n2\n");
    const char *asymmetric = write_temp("a.graph", "4 4\n2 3\n1 3\n1 2 4\n\n");
    const char *services = write_temp("s.csv", "name,cpu_millicores,mem_mib,disk_mib\n"
                                               "front,500,256,1\nauth,250,128,2\n"
                                               "db,1000,2048,30\ncache,100,512,0\n");
    const char *calls = write_temp("c.csv", "caller,callee,weight\nfront,auth,2\nauth,db,1\n"
                                            "front,db,1\ndb,auth,3\nfront,cache,0.5\n");
    const input inputs[] = {
        {"examples/tiny.json", 0, "inputs/examples/tiny.json", NULL},
        {"examples/cumulative.json", 0, "inputs/examples/cumulative.json", NULL},
        {"examples/migration.json", 0, "inputs/examples/migration.json", NULL},
        {"thesis/case1_arrivals.json", 0, "inputs/thesis/case1_arrivals.json", NULL},
        {"bad_inputs/slots_too_few.json", 0, "tests/bad_inputs/config/slots_too_few.json", NULL},
        {"bad_inputs/matrix_negative.json", 0, "tests/bad_inputs/config/matrix_negative.json",
         NULL},
        {"bad_inputs/arrival_dep_unknown_app.json", 0,
         "tests/bad_inputs/config/arrival_dep_unknown_app.json", NULL},
        {"metis graph (fmt 111, ncon 2)", 1, graph, NULL},
        {"csv services + calls", 2, services, calls},
        {"metis graph in slices (fmt 111, ncon 2)", 3, graph, NULL},
        {"metis graph in slices, rows out of order", 3, unsorted, NULL},
        {"metis graph in slices, asymmetric", 3, asymmetric, NULL},
    };
    long paths = 0;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        paths += walk(&inputs[i]);
    printf("%ld allocation failure paths walked\n", paths);

    /* the matrix case needs an explicit distance matrix that is valid: one more config */
    const char *matrix = write_temp(
        "m.json", "{\"zones\": [{\"name\": \"a\", \"slots\": 3}, {\"name\": \"b\", \"io\": false}],"
                  " \"apps\": [{\"name\": \"x\", \"size\": 2, \"allowed_zones\": [\"a\"]},"
                  " {\"name\": \"y\", \"needs_io\": true}, {\"name\": \"z\"}],"
                  " \"dependencies\": [{\"from\": \"x\", \"to\": \"y\", \"weight\": 2}, [\"y\", \"z\"]],"
                  " \"topology\": {\"matrix\": [[1, 5], [5, 1]]},"
                  " \"search\": {\"seed\": 7, \"starts\": 2}, \"perf\": {}}");
    input m = {"matrix + perf + object dependencies", 0, matrix, NULL};
    walk(&m);

    cJSON_InitHooks(NULL);
    unlink(graph);
    unlink(unsorted);
    unlink(asymmetric);
    unlink(services);
    unlink(calls);
    unlink(matrix);
    rmdir(tmpdir);
    return CHECK_DONE();
}
