/* perfmodel.h - the response-time and network model of docs/perfmodel.md: per dependency the
 * predicted mean and percentile response time of a placement, per app the CPU utilisation, per
 * link queue (zone pair, direction, bundle member) the load, and the objective and move deltas
 * an optimiser can minimise. Plain C, no MPI, HDF5 or JSON (perfconf.h reads the parameters).
 *
 * The model. Each dependency (undirected CSR edge, merged weight w) is a stream of requests from a
 * client app c to a server app s at rate lambda = w * p->requests (requests/s). By default the
 * app with the higher id serves the one with the lower id (the CSR keeps no direction); a
 * "dependencies" entry may name the server. A request goes through
 *   1. one link queue: the link from the client's zone to the server's zone carries it in that
 *      direction (full duplex: one queue per direction; a zone's own link is one queue). A
 *      bundle of n links is n member queues; with bundle "hash" (IEEE 802.3ad) every
 *      conversation, here a dependency, stays on the member its hash picks; with "per_request"
 *      (ideal spreading) the bundle is one queue n times faster. A queue of bandwidth C is FCFS
 *      and transmits a request of mean size s in an exponential time of mean s/C;
 *   2. the path latency 2 delta (delta one way);
 *   3. the server: mu requests/s per whole core (service_rate) and a reservation Q/P in cores:
 *      Q/P <= 1 is one M/M/1 server of rate mu Q/P; a whole number c > 1 is an M/M/c queue of c
 *      servers of rate mu (Erlang C). Other values above 1 are refused by the parser.
 * With one request size on a queue, the queue is M/M/1: sojourn ~ Exp(C/s - Lambda). With
 * several sizes it is M/G/1 (a mixture of exponentials): the mean is Pollaczek-Khinchine's,
 * W = sum lambda_j s_j^2 / (C^2 (1 - rho)) plus s_i/C, and the wait is bounded by Kingman's
 * Exp(theta) (perfdist.h), so the percentile is an upper bound there. Means are exact for the
 * model; percentiles are the exact quantile of the hypoexponential sum of the stages
 * (percentile method "exact", default) or the paper's Eq. 4 bound, each part at sqrt(phi)
 * ("paper_bound"). Links and servers are taken as independent (exact for FCFS tandems with
 * Poisson input). "Without the network term" drops the link queue.
 *
 * Units: rates in requests/s, times in seconds, loads in bit/s. Results hold INFINITY where a
 * queue is unstable (utilisation >= 1). The parameters are bound to the problem they were
 * parsed for (its apps and CSR graph): parse again after the graph changes (arrivals). */
#ifndef ZP_PERFMODEL_H
#define ZP_PERFMODEL_H

#include <stdint.h>

#include "problem.h"

/* Defaults of the "perf" section (docs/perfmodel.md says where they come from). */
/* One-way delta: half of the round trips Pingmesh measured (the thesis's 0.268 / 1.34 ms). */
#define ZP_PERF_LATENCY_ZONE_MS 0.134 /* inside a zone */
#define ZP_PERF_LATENCY_CORE_MS 0.67  /* between zones */
#define ZP_PERF_LINK_GBPS 10.0
#define ZP_PERF_SIZE_KB 1.0
#define ZP_PERF_BITS_PER_KB 8000.0 /* 1 kB = 1000 bytes, like the SI Gbit/s it is divided by */

/* Per-queue cost of an unstable queue (utilisation >= 1) in the objective, times utilisation:
 * large but finite so that an optimiser still sees which way is better. */
#define ZP_PERF_PENALTY 1e9

/* How a bundle of links shares its conversations. */
enum { ZP_BUNDLE_HASH, ZP_BUNDLE_PER_REQUEST };
/* How percentiles are computed. */
enum { ZP_PCT_EXACT, ZP_PCT_PAPER_BOUND };

/* Utilisation from which a queue is reported as near saturation, where the model is least
 * reliable (the companion paper's measurements). */
#define ZP_PERF_BUSY 0.9

typedef struct zp_perf {
    int n, k;               /* sizes of the problem it was parsed for */
    int64_t nnz;            /* CSR entries (xadj[n]) of that problem */
    double *service_rate;   /* [n] mu, requests/s on one whole core */
    double *reservation;    /* [n] Q/P in cores: <= 1, or a whole number of servers */
    double *size_bits;      /* [nnz] mean request size of the edge, bits (both halves equal) */
    unsigned char *to_nbr;  /* [nnz] 1: the neighbour adjncy[j] serves the edge, 0: the owner */
    double *latency;        /* [k*k] one-way path latency delta between zones, s (symmetric) */
    double *bandwidth;      /* [k*k] bandwidth of one link of the pair's bundle, bit/s */
    int *links;             /* [k*k] links in the pair's bundle (symmetric) */
    double phi;             /* percentile as a fraction, e.g. 0.99 */
    int network;            /* objective and summary include the network term */
    int bundle;             /* ZP_BUNDLE_* */
    int pct_method;         /* ZP_PCT_* */
    int cpu;                /* index of the resource "cpu", -1 if none */
    /* link queues, laid out by perf_prepare(): queues of the direction a -> b (index a*k + b;
     * a zone's own link at a*k + a) are queue_base[a*k+b] .. queue_base[a*k+b+1]-1 */
    int64_t *queue_base;    /* [k*k + 1] */
    int64_t nqueues;
    double *queue_bw;       /* [nqueues] bandwidth of each queue, bit/s */
} zp_perf;

/* One dependency's prediction. */
typedef struct {
    int client, server;     /* app ids: requests go from client to server */
    double rate;            /* lambda, requests/s */
    double latency;         /* 2 delta, s */
    double network_time;    /* mean time in the link queue, s (INFINITY if the link is unstable) */
    double server_time;     /* mean time at the server, s (INFINITY if it is unstable) */
    double mean, mean_nonet; /* E[R] with and without the network term, s */
    double pct, pct_nonet;   /* P_phi[R] with and without the network term, s */
    int64_t queue;           /* the link queue its requests wait in */
    unsigned char unstable;  /* bit 0: server utilisation >= 1, bit 1: link utilisation >= 1 */
    unsigned char bound;     /* 1: pct is an upper bound (mixed sizes on its queue, or the paper's
                                bound), 0: the exact quantile of the model */
} zp_perf_dep;

/* The model's predictions for one placement. */
typedef struct zp_perf_result {
    int n, k;
    int64_t ndeps;          /* undirected edges, in CSR order of the lower-id app (u < v) */
    zp_perf_dep *dep;       /* [ndeps] */
    double *share;          /* [n] Q/P of each app, cores */
    double *arrival;        /* [n] total arrival rate of each app as a server, requests/s */
    double *cpu_util;       /* [n] arrival / (mu Q/P), or arrival / (c mu) for c servers */
    double *link_load;      /* [k*k] bit/s of requests from zone a to zone b (a*k+b), all
                               members; the diagonal is a zone's own link */
    double *link_util;      /* [k*k] utilisation of the busiest member queue of a -> b */
    int64_t nqueues;        /* link queues (pf->nqueues) */
    double *queue_load;     /* [nqueues] bit/s */
    double *queue_rate;     /* [nqueues] requests/s */
    double *queue_util;     /* [nqueues] load / bandwidth */
    double *zone_reserved;  /* [k] sum of the reservations of the apps placed in each zone */
    int unstable_servers;   /* apps whose cpu_util >= 1 */
    int64_t unstable_links; /* link queues whose utilisation >= 1 */
    int busy_servers;       /* apps with ZP_PERF_BUSY <= cpu_util < 1 */
    int64_t busy_links;     /* link queues with ZP_PERF_BUSY <= utilisation < 1 */
    int overbooked_zones;   /* zones whose reservations exceed their cpu capacity; -1 when
                               there is no resource "cpu" to check against */
    int64_t unstable_deps;  /* dependencies whose server or (with the network on) link is
                               unstable */
    int64_t bound_deps;     /* dependencies whose reported percentile is an upper bound */
    double rate_total;      /* sum of lambda */
    /* Summaries use the network term when pf->network is set. INFINITY if any dependency they
     * cover is unstable. */
    double mean_weighted;       /* sum lambda E[R] / sum lambda */
    double mean_weighted_nonet; /* the same without the network term */
    double worst_mean;          /* largest E[R]; worst_dep is its index in dep, -1 if none */
    int64_t worst_dep;
    double max_pct;             /* largest P_phi[R]; max_pct_dep its index, -1 if none */
    int64_t max_pct_dep;
    double objective;           /* perf_objective() of the placement */
} zp_perf_result;

/* Creates parameters with every default for problem p (service rate mu, reservation 1, 1 kB
 * requests, tier defaults), as if "perf" were {"service_rate": mu}, queues laid out. Caller owns
 * *out. */
int perf_create(const zp_problem *p, double mu, zp_perf **out);
/* Lays out the link queues after links, bandwidths or the bundle mode changed (perf_create()
 * has done it for the defaults). ZP_ERUNTIME when out of memory. */
int perf_prepare(zp_perf *pf);
/* Releases pf and sets *pf to NULL; NULL and *pf == NULL are fine. */
void perf_destroy(zp_perf **pf);
/* Sets the link of zones a and b (both orders): one-way latency, bandwidth of each of its
 * links and their count; perf_prepare() afterwards. */
void perf_set_link(zp_perf *pf, int a, int b, double latency_ms, double gbps, int links);
/* CSR position of v in u's sorted adjacency list, or -1 when they have no dependency. */
int64_t perf_find_edge(const zp_problem *p, int u, int v);
/* The parameters of pf (parsed for p) restricted to sub, a problem whose apps are the first
 * sub->n apps of p and whose dependencies are among p's, with the same zones (the base stage of
 * a run with arrivals). Caller owns *out. ZP_ERUNTIME when sub is not such a problem or out of
 * memory. */
int perf_restrict(const zp_perf *pf, const zp_problem *p, const zp_problem *sub, zp_perf **out);
/* Raises every app's cpu demand in p to at least its reservation, so that the placement's
 * capacity check holds the reservations (summed per zone in cumulative mode, per app in
 * per-app mode). Returns how many demands were raised; 0 when p has no resource "cpu". */
int perf_reserve_cpu(const zp_perf *pf, zp_problem *p);
/* Which link queue q is: the zones it goes from and to (equal for a zone's own link) and its
 * member in the bundle (0 with "per_request"). O(log k). */
void perf_queue_info(const zp_perf *pf, int64_t q, int *from, int *to, int *member);
/* Total arrival rate of app v as a server (the dependencies it serves), requests/s. */
double perf_arrival(const zp_perf *pf, const zp_problem *p, int v);

/* Predicts everything for placement x (x[i] in 0..k-1). On success *out is a new result the
 * caller releases with perf_result_destroy(). Fails with ZP_ERUNTIME when out of memory, when x
 * holds a zone out of range or when pf was parsed for another problem. Unstable queues are not
 * failures: they are counted and flagged in the result. */
int perf_evaluate(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_result **out);
/* Releases a result and sets *r to NULL; NULL and *r == NULL are fine. */
void perf_result_destroy(zp_perf_result **r);

/* The objective an optimiser minimises: sum over dependencies of lambda * E[R] (requests/s
 * times seconds: by Little's law the mean number of requests in the system). It is computed per
 * queue: sum of 2 delta lambda, plus the mean number at each server (rho/(1-rho), or
 * a + C(c,a) rho/(1-rho) for c servers) and, with the network on, in each link queue
 * (Lambda W + rho); an unstable queue (rho >= 1 - 1e-9) costs ZP_PERF_PENALTY * rho instead.
 * O(n + nnz + queues); with the network on it allocates 3 doubles per queue: it returns NAN (and
 * records "out of memory") if that fails. pf must be parsed for p and x valid: unlike perf_evaluate(), the
 * optimiser's functions do not check (they run in inner loops). */
double perf_objective(const zp_perf *pf, const zp_problem *p, const int *x);

/* Change of perf_objective() if app u moved to zone b, in O(degree of u), without state. It
 * models the path latencies of u's dependencies (the server terms do not depend on the
 * placement). It ignores how the move changes link queues: it is exact when the network term
 * is off. Use zp_perf_state for an exact delta with the network on. */
double perf_move_delta(const zp_perf *pf, const zp_problem *p, const int *x, int u, int b);

/* What a link queue carries: enough for its mean (Pollaczek-Khinchine) and its utilisation. */
typedef struct {
    double bits;  /* sum lambda s, bit/s */
    double rate;  /* sum lambda, requests/s */
    double bits2; /* sum lambda s^2, bit^2/s */
} zp_queue_load;

/* Incremental link queue loads of a placement, for an exact O(degree) delta with the network
 * on. */
typedef struct zp_perf_state {
    const zp_perf *pf;
    const zp_problem *p;
    zp_queue_load *load;    /* [nqueues] */
    zp_queue_load *pending; /* [nqueues] scratch, zero between calls */
    int64_t *touched;       /* [2 * max degree] scratch: queues with a pending change */
    unsigned char *mark;    /* [nqueues] scratch: queue already in touched */
    double objective;       /* perf_objective() kept up to date by perf_state_move(): a running
                               sum, which keeps the rounding of the deltas (about 1e-7 per
                               unstable queue entered or left): recompute with perf_objective()
                               where that matters */
} zp_perf_state;

/* Creates the state of placement x (read, not kept). Caller owns *out and releases it with
 * perf_state_destroy(). Fails with ZP_ERUNTIME (out of memory, pf for another problem). */
int perf_state_create(const zp_perf *pf, const zp_problem *p, const int *x, zp_perf_state **out);
void perf_state_destroy(zp_perf_state **s);
/* Exact change of perf_objective() if u moved from x[u] to zone b, link utilisations
 * included, in O(degree of u). x must be the placement the state follows. Uses the state's
 * scratch, hence not const (and not thread-safe per state). */
double perf_state_move_delta(zp_perf_state *s, const int *x, int u, int b);
/* Records that u moved from zone a to zone b. It reads x only for u's neighbours, so it may be
 * called before or after the caller sets x[u] = b. */
void perf_state_move(zp_perf_state *s, const int *x, int u, int a, int b);
/* Sets the state to placement x (every link load and the objective recomputed, nothing
 * allocated): for searches that jump back to a saved placement. */
void perf_state_assign(zp_perf_state *s, const int *x);
/* Copies the link loads and objective of src into dst (same parameters and problem). */
void perf_state_copy(zp_perf_state *dst, const zp_perf_state *src);
/* The objective's value of one unit of dependency weight kept inside a zone instead of
 * crossing to another: requests * 2 * (delta between zones 0 and 1 - delta inside zone 0),
 * links and servers left out. The latency analogue of the traffic objective's
 * requests * (D[0][1] - D[0][0]), for thresholds that think in "one edge" (0 with one zone). */
double perf_unit_gain(const zp_perf *pf, const zp_problem *p);

#endif
