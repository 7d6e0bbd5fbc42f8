/* generate.c - synthetic instances: the microservice generator (clusters, domains, shared
 * services, Chung-Lu degrees, realistic demands), Barabasi-Albert power-law graphs and regular
 * grids/meshes. Every random choice
 * comes from rng.h streams keyed by (seed, GEN_TASK, phase), so one phase's draws never shift
 * another's (changing m keeps the demands, for instance). */
#include "generate.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rng.h"
#include "util.h"

#define MAX_APPS (INT_MAX - 1)
#define GEN_TASK 0x67656e6572617465ull /* "generate": keeps these streams apart from the search's  \
                                        */

enum { PHASE_SIZES = 1, PHASE_PERM, PHASE_FITNESS, PHASE_EDGES, PHASE_DEMANDS, PHASE_ATTACH };

/* Shape of the microservice graphs (see generate.h). */
static const double HUB_SHARE = 0.06;    /* calls to shared services */
static const double HUB_TO_HUB = 0.10;   /* of those, calls between shared services */
static const double INTER_SHARE = 0.12;  /* calls across clusters */
static const double DOMAIN_LOCAL = 0.70; /* of those, inside the caller's domain */
static const int DOMAIN_SIZE = 8;        /* clusters per domain */
static const double SIZE_ALPHA = 1.5;    /* Pareto exponent of cluster sizes */
static const double FIT_GAMMA = 2.5;     /* degree power-law exponent inside clusters */
static const double FIT_MAX = 20.0;      /* popularity cap, relative to the least popular */
static const double HUB_ZIPF = 1.0;      /* popularity of shared service i ~ 1/(i+1) */
static const double WEIGHT_MAX = 100.0;  /* weights are floor(100^U): 1..99 */

/* Walker/Vose alias table over a segment: O(1) draws proportional to weights. */
typedef struct {
    double *prob; /* [n] acceptance probability of each slot */
    int *alias;   /* [n] absolute index taken when the slot rejects */
} alias_table;

/* Builds the alias entries of [b, e) from weights w[b..e) (overwritten by prob). small/large
 * are scratch stacks of at least e - b entries. */
static void alias_build(alias_table *t, const double *w, int64_t b, int64_t e, int *small,
                        int *large)
{
    double total = 0;
    int64_t ns = 0, nl = 0, len = e - b;
    for (int64_t i = b; i < e; i++)
        total += w[i];
    for (int64_t i = b; i < e; i++) {
        t->prob[i] = w[i] * (double)len / total;
        t->alias[i] = (int)i;
        if (t->prob[i] < 1.0)
            small[ns++] = (int)i;
        else
            large[nl++] = (int)i;
    }
    while (ns > 0 && nl > 0) {
        int s = small[--ns], l = large[nl - 1];
        t->alias[s] = l;
        t->prob[l] -= 1.0 - t->prob[s];
        if (t->prob[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl > 0) /* rounding leftovers: always accept */
        t->prob[large[--nl]] = 1.0;
    while (ns > 0)
        t->prob[small[--ns]] = 1.0;
}

static int64_t alias_draw(const alias_table *t, zp_rng *rng, int64_t b, int64_t e)
{
    int64_t i = b + (int64_t)rng_below(rng, (uint64_t)(e - b));
    return rng_uniform(rng) < t->prob[i] ? i : t->alias[i];
}

/* Working state of one microservice generation. Positions 0..nhubs-1 are the shared
 * services, then the clusters in order; perm maps a position to its app id. */
typedef struct {
    int64_t n, m;
    uint64_t seed;
    int64_t nhubs;
    int64_t ncl;
    int64_t *cstart;  /* [ncl + 1] first position of each cluster */
    int *perm;        /* [n] */
    alias_table pos;  /* per cluster (and the hub segment) over positions */
    alias_table cl;   /* over clusters, by total popularity */
    double *clweight; /* [ncl] */
    int *src, *dst;
    double *w;
    int64_t nlisted;
} micro_gen;

static void micro_free(micro_gen *g)
{
    zp_free(g->cstart);
    zp_free(g->perm);
    zp_free(g->pos.prob);
    zp_free(g->pos.alias);
    zp_free(g->cl.prob);
    zp_free(g->cl.alias);
    zp_free(g->clweight);
    zp_free(g->src);
    zp_free(g->dst);
    zp_free(g->w);
}

/* Cluster sizes: Pareto with a minimum of twice the mean degree, so that a cluster can hold
 * its calls without most of them repeating; every cluster has at least 2 apps. */
static int micro_clusters(micro_gen *g)
{
    int rc = ZP_OK;
    zp_rng rng;
    rng_seed(&rng, g->seed, GEN_TASK, PHASE_SIZES);
    int64_t rest = g->n - g->nhubs;
    double degree = 2.0 * (double)g->m / (double)g->n;
    int64_t smin = (int64_t)ZP_MIN(200.0, ZP_MAX(8.0, 2.0 * degree));
    int64_t smax = ZP_MAX(smin, ZP_MIN(rest / 8, 100 * smin));
    int64_t cap = rest / 2 + 2;
    ZP_ALLOC(g->cstart, cap + 1);
    int64_t p = g->nhubs;
    g->ncl = 0;
    while (p < g->n) {
        double u = 1.0 - rng_uniform(&rng); /* (0, 1] */
        int64_t s = (int64_t)ZP_MIN((double)smax, (double)smin * pow(u, -1.0 / SIZE_ALPHA));
        if (g->n - p - s < smin) /* too small a remainder joins this cluster */
            s = g->n - p;
        g->cstart[g->ncl++] = p;
        p += s;
    }
    g->cstart[g->ncl] = g->n;
out:
    return rc;
}

static int micro_permutation(micro_gen *g)
{
    int rc = ZP_OK;
    zp_rng rng;
    rng_seed(&rng, g->seed, GEN_TASK, PHASE_PERM);
    ZP_ALLOC(g->perm, g->n);
    for (int64_t i = 0; i < g->n; i++)
        g->perm[i] = (int)i;
    for (int64_t i = g->n - 1; i > 0; i--) {
        int64_t j = (int64_t)rng_below(&rng, (uint64_t)i + 1);
        int t = g->perm[i];
        g->perm[i] = g->perm[j];
        g->perm[j] = t;
    }
out:
    return rc;
}

/* Popularity of each position (Chung-Lu weights), then the alias tables. */
static int micro_tables(micro_gen *g)
{
    int rc = ZP_OK;
    int *small = NULL, *large = NULL;
    double *fit = NULL;
    zp_rng rng;
    rng_seed(&rng, g->seed, GEN_TASK, PHASE_FITNESS);
    ZP_ALLOC(fit, g->n);
    ZP_ALLOC(small, g->n);
    ZP_ALLOC(large, g->n);
    ZP_ALLOC(g->pos.prob, g->n);
    ZP_ALLOC(g->pos.alias, g->n);
    ZP_ALLOC(g->clweight, g->ncl);
    ZP_ALLOC(g->cl.prob, g->ncl);
    ZP_ALLOC(g->cl.alias, g->ncl);
    for (int64_t i = 0; i < g->nhubs; i++)
        fit[i] = pow((double)(i + 1), -HUB_ZIPF);
    for (int64_t i = g->nhubs; i < g->n; i++) {
        double f = pow(1.0 - rng_uniform(&rng), -1.0 / (FIT_GAMMA - 1.0));
        fit[i] = ZP_MIN(FIT_MAX, f);
    }
    if (g->nhubs > 0)
        alias_build(&g->pos, fit, 0, g->nhubs, small, large);
    for (int64_t c = 0; c < g->ncl; c++) {
        g->clweight[c] = 0;
        for (int64_t i = g->cstart[c]; i < g->cstart[c + 1]; i++)
            g->clweight[c] += fit[i];
        alias_build(&g->pos, fit, g->cstart[c], g->cstart[c + 1], small, large);
    }
    alias_build(&g->cl, g->clweight, 0, g->ncl, small, large);
out:
    zp_free(fit);
    zp_free(small);
    zp_free(large);
    return rc;
}

/* A position in cluster c, by popularity. */
static int64_t in_cluster(const micro_gen *g, zp_rng *rng, int64_t c)
{
    return alias_draw(&g->pos, rng, g->cstart[c], g->cstart[c + 1]);
}

static int64_t any_cluster(const micro_gen *g, zp_rng *rng)
{
    return alias_draw(&g->cl, rng, 0, g->ncl);
}

/* A cluster other than c: usually in c's domain, else anywhere by popularity. */
static int64_t other_cluster(const micro_gen *g, zp_rng *rng, int64_t c)
{
    int64_t d0 = c / DOMAIN_SIZE * DOMAIN_SIZE, d1 = ZP_MIN(g->ncl, d0 + DOMAIN_SIZE);
    if (d1 - d0 > 1 && rng_uniform(rng) < DOMAIN_LOCAL) {
        int64_t o = d0 + (int64_t)rng_below(rng, (uint64_t)(d1 - d0 - 1));
        return o >= c ? o + 1 : o;
    }
    for (int tries = 0; tries < 64; tries++) {
        int64_t o = any_cluster(g, rng);
        if (o != c)
            return o;
    }
    return (c + 1 + (int64_t)rng_below(rng, (uint64_t)(g->ncl - 1))) % g->ncl;
}

/* A position of cluster c other than a: by popularity, uniform if popularity keeps hitting a. */
static int64_t partner_in_cluster(const micro_gen *g, zp_rng *rng, int64_t c, int64_t a)
{
    for (int tries = 0; tries < 32; tries++) {
        int64_t b = in_cluster(g, rng, c);
        if (b != a)
            return b;
    }
    int64_t b0 = g->cstart[c], len = g->cstart[c + 1] - b0;
    return b0 + (a - b0 + 1 + (int64_t)rng_below(rng, (uint64_t)(len - 1))) % len;
}

/* Splits total over the clusters in proportion to their popularity by rounding the running
 * sum, so that the parts add up to total exactly. */
static int64_t cluster_share(const micro_gen *g, int64_t c, int64_t total, double before,
                             double sum)
{
    int64_t lo = llround((double)total * before / sum);
    int64_t hi = llround((double)total * (before + g->clweight[c]) / sum);
    return c + 1 == g->ncl ? total - lo : hi - lo;
}

static void put_call(micro_gen *g, zp_rng *rng, int64_t a, int64_t b)
{
    g->src[g->nlisted] = g->perm[a];
    g->dst[g->nlisted] = g->perm[b];
    g->w[g->nlisted] = floor(pow(WEIGHT_MAX, rng_uniform(rng)));
    g->nlisted++;
}

/* The calls made by the apps of cluster c. Going cluster by cluster keeps the alias and
 * permutation lookups inside one small segment: a random cluster per call made the generator
 * several times slower at a million apps (cache misses). */
static void cluster_calls(micro_gen *g, zp_rng *rng, int64_t c, int64_t intra, int64_t inter,
                          int64_t to_hubs)
{
    for (int64_t e = 0; e < intra; e++) {
        int64_t a = in_cluster(g, rng, c);
        put_call(g, rng, a, partner_in_cluster(g, rng, c, a));
    }
    for (int64_t e = 0; e < inter; e++) {
        int64_t a = in_cluster(g, rng, c);
        put_call(g, rng, a, in_cluster(g, rng, other_cluster(g, rng, c)));
    }
    for (int64_t e = 0; e < to_hubs; e++) {
        int64_t a = in_cluster(g, rng, c);
        put_call(g, rng, a, alias_draw(&g->pos, rng, 0, g->nhubs));
    }
}

static void hub_calls(micro_gen *g, zp_rng *rng, int64_t count)
{
    for (int64_t e = 0; e < count; e++) {
        int64_t b = alias_draw(&g->pos, rng, 0, g->nhubs), a;
        do
            a = alias_draw(&g->pos, rng, 0, g->nhubs);
        while (a == b);
        put_call(g, rng, a, b);
    }
}

static int micro_edges(micro_gen *g)
{
    int rc = ZP_OK;
    zp_rng rng;
    rng_seed(&rng, g->seed, GEN_TASK, PHASE_EDGES);
    ZP_ALLOC(g->src, g->m);
    ZP_ALLOC(g->dst, g->m);
    ZP_ALLOC(g->w, g->m);
    int64_t hubs = g->nhubs > 0 ? llround(HUB_SHARE * (double)g->m) : 0;
    int64_t hub2hub = g->nhubs > 1 ? llround(HUB_TO_HUB * (double)hubs) : 0;
    int64_t inter = g->ncl > 1 ? llround(INTER_SHARE * (double)g->m) : 0;
    int64_t intra = g->m - hubs - inter;
    double sum = 0, before = 0;
    for (int64_t c = 0; c < g->ncl; c++)
        sum += g->clweight[c];
    for (int64_t c = 0; c < g->ncl; c++) {
        cluster_calls(g, &rng, c, cluster_share(g, c, intra, before, sum),
                      cluster_share(g, c, inter, before, sum),
                      cluster_share(g, c, hubs - hub2hub, before, sum));
        before += g->clweight[c];
    }
    hub_calls(g, &rng, hub2hub);
    assert(g->nlisted == g->m);
out:
    return rc;
}

/* Demands by position: a size t in [0, 1] drives cpu (50 * 80^t millicores) and, with some
 * spread, ram (64 * 256^t' MiB); shared services draw t from the top of the range. */
static void micro_demands(const micro_gen *g, zp_problem *p)
{
    zp_rng rng;
    rng_seed(&rng, g->seed, GEN_TASK, PHASE_DEMANDS);
    for (int64_t i = 0; i < g->n; i++) {
        double t = rng_uniform(&rng);
        if (i < g->nhubs)
            t = 0.6 + 0.4 * t;
        double spread = 0.5 * (rng_uniform(&rng) - 0.5); /* drawn once: ZP_MIN/MAX are macros */
        double tr = ZP_MIN(1.0, ZP_MAX(0.0, t + spread));
        int u = g->perm[i];
        p->demand[(int64_t)u * 2 + 0] = round(50.0 * pow(80.0, t));
        p->demand[(int64_t)u * 2 + 1] = round(64.0 * pow(256.0, tr));
    }
}

/* Names "<prefix><i>" for every app (one allocation each: problem_destroy frees them so). */
static int number_apps(zp_problem *p, const char *prefix)
{
    char buf[32];
    for (int i = 0; i < p->n; i++) {
        snprintf(buf, sizeof buf, "%s%d", prefix, i);
        if (!(p->app_names[i] = zp_strdup(buf)))
            return ZP_ERUNTIME;
    }
    return ZP_OK;
}

/* An empty problem of n apps with the given resources, labelled for messages. */
static int new_problem(zp_problem **out, int64_t n, int nres, const char *const *res,
                       const char *source, const char *name)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    ZP_CHECK(problem_create(&p));
    p->source = zp_strdup(source);
    p->name = zp_strdup(name);
    if (!p->source || !p->name)
        ZP_CHECK(ZP_ERUNTIME);
    p->nres = nres;
    ZP_ALLOC(p->res_names, nres);
    for (int r = 0; r < nres; r++)
        if (!(p->res_names[r] = zp_strdup(res[r])))
            ZP_CHECK(ZP_ERUNTIME);
    ZP_CHECK(problem_alloc_apps(p, (int)n));
    *out = p;
    p = NULL;
out:
    problem_destroy(&p);
    return rc;
}

int generate_microservices(int64_t n, int64_t m_target, uint64_t seed, zp_problem **out)
{
    static const char *const res[2] = {"cpu", "ram"};
    int rc = ZP_OK;
    micro_gen g;
    zp_problem *p = NULL;
    char source[160], name[96];
    memset(&g, 0, sizeof g);
    *out = NULL;
    if (n < 1 || n > MAX_APPS || m_target < 0 || (n < 2 && m_target > 0))
        return zp_fail(ZP_EUSAGE,
                       "microservices: need 1 <= n <= %d, m >= 0 (n >= 2 if m > 0), "
                       "got n = %lld, m = %lld",
                       MAX_APPS, (long long)n, (long long)m_target);
    g.n = n;
    g.m = m_target;
    g.seed = seed;
    g.nhubs = n >= 64 ? ZP_MAX(2, llround(sqrt((double)n) / 4.0)) : 0;
    ZP_CHECK(micro_clusters(&g));
    ZP_CHECK(micro_permutation(&g));
    ZP_CHECK(micro_tables(&g));
    ZP_CHECK(micro_edges(&g));
    snprintf(source, sizeof source, "generate_microservices(n=%lld, m=%lld, seed=%llu)",
             (long long)n, (long long)m_target, (unsigned long long)seed);
    snprintf(name, sizeof name, "micro-n%lld-m%lld-s%llu", (long long)n, (long long)m_target,
             (unsigned long long)seed);
    ZP_CHECK(new_problem(&p, n, 2, res, source, name));
    micro_demands(&g, p);
    ZP_CHECK(number_apps(p, "svc"));
    zp_free(g.perm);
    g.perm = NULL;
    ZP_CHECK(problem_set_dependencies(p, g.m, g.src, g.dst, g.w));
    *out = p;
    p = NULL;
out:
    micro_free(&g);
    problem_destroy(&p);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Grids and meshes: apps in row-major order, each edge listed once towards larger ids.      */

/* Edge lists grow in known amounts; this appends one. */
typedef struct {
    int *src, *dst;
    int64_t m;
} edge_list;

static void add_edge(edge_list *l, int64_t a, int64_t b)
{
    l->src[l->m] = (int)a;
    l->dst[l->m] = (int)b;
    l->m++;
}

static int grid_names(zp_problem *p, int cols)
{
    char buf[40];
    for (int i = 0; i < p->n; i++) {
        snprintf(buf, sizeof buf, "g%d_%d", i / cols, i % cols);
        if (!(p->app_names[i] = zp_strdup(buf)))
            return ZP_ERUNTIME;
    }
    return ZP_OK;
}

int generate_grid(int rows, int cols, int diagonals, zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    edge_list l = {NULL, NULL, 0};
    char source[96], name[64];
    *out = NULL;
    if (rows < 1 || cols < 1 || (int64_t)rows * cols > MAX_APPS)
        return zp_fail(ZP_EUSAGE, "grid: need rows, cols >= 1 and rows * cols <= %d", MAX_APPS);
    int64_t n = (int64_t)rows * cols;
    int64_t m = (int64_t)rows * (cols - 1) + (int64_t)(rows - 1) * cols +
                (diagonals ? 2 * (int64_t)(rows - 1) * (cols - 1) : 0);
    snprintf(source, sizeof source, "generate_grid(%d x %d%s)", rows, cols,
             diagonals ? ", diagonals" : "");
    snprintf(name, sizeof name, "grid%s-%dx%d", diagonals ? "8" : "4", rows, cols);
    ZP_CHECK(new_problem(&p, n, 0, NULL, source, name));
    ZP_CHECK(grid_names(p, cols));
    ZP_ALLOC(l.src, m);
    ZP_ALLOC(l.dst, m);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < cols; c++) {
            int64_t i = r * cols + c;
            if (c + 1 < cols)
                add_edge(&l, i, i + 1);
            if (r + 1 < rows)
                add_edge(&l, i, i + cols);
            if (diagonals && r + 1 < rows && c + 1 < cols)
                add_edge(&l, i, i + cols + 1);
            if (diagonals && r + 1 < rows && c > 0)
                add_edge(&l, i, i + cols - 1);
        }
    }
    ZP_CHECK(problem_set_dependencies(p, l.m, l.src, l.dst, NULL));
    *out = p;
    p = NULL;
out:
    zp_free(l.src);
    zp_free(l.dst);
    problem_destroy(&p);
    return rc;
}

/* Most edges a new app of a power-law graph brings. */
#define MAX_ATTACH 1000

/* Edges of a power-law graph of n apps (see generate.h). */
static int64_t powerlaw_edges(int64_t n, int64_t attach)
{
    int64_t clique = ZP_MIN(n, attach + 1);
    return clique * (clique - 1) / 2 + (n - clique) * attach;
}

int generate_powerlaw(int64_t n, int attach, uint64_t seed, zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    edge_list l = {NULL, NULL, 0};
    int *ends = NULL;
    zp_rng rng;
    char source[128], name[96];
    *out = NULL;
    if (n < 1 || n > MAX_APPS || attach < 1 || attach > MAX_ATTACH ||
        powerlaw_edges(n, attach) > INT_MAX / 2)
        return zp_fail(ZP_EUSAGE, "powerlaw: need 1 <= n <= %d, 1 <= attach <= %d and at most "
                       "%d edges, got n = %lld, attach = %d", MAX_APPS, MAX_ATTACH, INT_MAX / 2,
                       (long long)n, attach);
    int64_t m = powerlaw_edges(n, attach), clique = ZP_MIN(n, (int64_t)attach + 1);
    snprintf(source, sizeof source, "generate_powerlaw(n=%lld, attach=%d, seed=%llu)",
             (long long)n, attach, (unsigned long long)seed);
    snprintf(name, sizeof name, "powerlaw-n%lld-a%d-s%llu", (long long)n, attach,
             (unsigned long long)seed);
    ZP_CHECK(new_problem(&p, n, 0, NULL, source, name));
    ZP_CHECK(number_apps(p, "p"));
    ZP_ALLOC(l.src, m);
    ZP_ALLOC(l.dst, m);
    for (int64_t v = 1; v < clique; v++)
        for (int64_t u = 0; u < v; u++)
            add_edge(&l, v, u);
    /* the endpoints of the edges so far, each app listed once per edge it has: a uniform
     * draw from them picks an app with probability proportional to its degree */
    ZP_ALLOC(ends, 2 * m);
    for (int64_t e = 0; e < l.m; e++) {
        ends[2 * e] = l.src[e];
        ends[2 * e + 1] = l.dst[e];
    }
    rng_seed(&rng, seed, GEN_TASK, PHASE_ATTACH);
    for (int64_t v = clique; v < n; v++) {
        int64_t first = l.m, listed = 2 * l.m;
        while (l.m - first < attach) {
            int t = ends[rng_below(&rng, (uint64_t)listed)];
            int64_t e = first;
            while (e < l.m && l.dst[e] != t)
                e++;
            if (e == l.m) { /* a new target; a repeat is drawn again */
                ends[2 * l.m] = (int)v;
                ends[2 * l.m + 1] = t;
                add_edge(&l, v, t);
            }
        }
    }
    ZP_CHECK(problem_set_dependencies(p, l.m, l.src, l.dst, NULL));
    *out = p;
    p = NULL;
out:
    zp_free(ends);
    zp_free(l.src);
    zp_free(l.dst);
    problem_destroy(&p);
    return rc;
}

static int mesh_names(zp_problem *p, int nx, int ny)
{
    char buf[48];
    for (int i = 0; i < p->n; i++) {
        snprintf(buf, sizeof buf, "m%d_%d_%d", i % nx, i / nx % ny, i / nx / ny);
        if (!(p->app_names[i] = zp_strdup(buf)))
            return ZP_ERUNTIME;
    }
    return ZP_OK;
}

int generate_mesh3d(int nx, int ny, int nz, zp_problem **out)
{
    int rc = ZP_OK;
    zp_problem *p = NULL;
    edge_list l = {NULL, NULL, 0};
    char source[96], name[64];
    *out = NULL;
    if (nx < 1 || ny < 1 || nz < 1 || (int64_t)nx * ny * nz > MAX_APPS)
        return zp_fail(ZP_EUSAGE, "mesh3d: need nx, ny, nz >= 1 and nx * ny * nz <= %d", MAX_APPS);
    int64_t n = (int64_t)nx * ny * nz, plane = (int64_t)nx * ny;
    int64_t m =
        (int64_t)(nx - 1) * ny * nz + (int64_t)nx * (ny - 1) * nz + (int64_t)nx * ny * (nz - 1);
    snprintf(source, sizeof source, "generate_mesh3d(%d x %d x %d)", nx, ny, nz);
    snprintf(name, sizeof name, "mesh3d-%dx%dx%d", nx, ny, nz);
    ZP_CHECK(new_problem(&p, n, 0, NULL, source, name));
    ZP_CHECK(mesh_names(p, nx, ny));
    ZP_ALLOC(l.src, m);
    ZP_ALLOC(l.dst, m);
    for (int64_t i = 0; i < n; i++) {
        int64_t x = i % nx, y = i / nx % ny, z = i / plane;
        if (x + 1 < nx)
            add_edge(&l, i, i + 1);
        if (y + 1 < ny)
            add_edge(&l, i, i + nx);
        if (z + 1 < nz)
            add_edge(&l, i, i + plane);
    }
    ZP_CHECK(problem_set_dependencies(p, l.m, l.src, l.dst, NULL));
    *out = p;
    p = NULL;
out:
    zp_free(l.src);
    zp_free(l.dst);
    problem_destroy(&p);
    return rc;
}
