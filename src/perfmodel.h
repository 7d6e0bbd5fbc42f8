/* perfmodel.h - the response-time and network model of design.md section 6: per dependency the
 * predicted mean and percentile response time of a placement, per app the CPU utilisation, per
 * zone pair the link utilisation, and the objective and move deltas an optimiser can minimise.
 * Plain C, no MPI or HDF5. See docs/perfmodel.md for the derivation and its validation.
 *
 * The model. Each dependency (undirected CSR edge, merged weight w) is a stream of requests from a
 * client app c to a server app s at rate lambda = w * p->requests (requests/s). By default the
 * app with the higher id serves the one with the lower id (the CSR keeps no direction); a
 * "dependencies" entry may name the server. A request crosses the link of its zone pair (an
 * M/M/1-like queue of rate nu = sigma / E[s]), the fixed path latency 2*delta (there and back),
 * and the server (an M/M/1 queue of rate mu * Q/P):
 *
 *     E[R]     = 2 delta + 1/(nu (1 - rho_link)) + 1/(mu Q/P - Lambda_s)
 *     P_phi[R] = 2 delta - ln(1 - phi) * (1/(nu (1 - rho_link)) + 1/(mu Q/P - Lambda_s))
 *
 * Lambda_s is the server's total arrival rate (all dependencies it serves) and rho_link the
 * link's utilisation (sum of lambda * E[s] of all dependencies crossing it, over sigma). With one
 * dependency per server and link these are the formulas exactly (nu (1 - rho) =
 * nu - lambda); with several they are the M/M/1 answer for the shared queue. With mixed request
 * sizes the link term is that of a processor-sharing link (bandwidth shared fairly, as TCP does),
 * whose mean depends on the sizes only through their means. "Without the network term" drops the
 * 1/(nu (1 - rho_link)) part. The percentile treats the sum of the two queueing times as one
 * exponential of the same mean: exact without the network term, conservative with it for
 * phi >= 0.72 (the worst case, equal rates, crosses over at phi = 0.7154).
 *
 * Links. Dependencies inside zone z use zone z's own link (tier "zone"); dependencies between
 * zones a and b use the link of the pair {a, b} (tier "core"). sigma = links * link_gbps * 1e9
 * bit/s (link aggregation: n bundled links give n times the rate). Only requests are
 * transmitted through the link queue (responses are not modelled, as in the formula).
 *
 * The "perf" section of a config that sets these parameters is read by perfconf.h.
 *
 * Units: rates in requests/s, times in seconds, loads in bit/s. Results hold INFINITY where a
 * queue is unstable (utilisation >= 1). The parameters are bound to the problem they were
 * parsed for (its apps and CSR graph): parse again after the graph changes (arrivals). */
#ifndef ZP_PERFMODEL_H
#define ZP_PERFMODEL_H

#include <stdint.h>

#include "problem.h"

/* Reservation value meaning "auto": demand / capacity of the app's zone, at evaluation time. */
#define ZP_PERF_AUTO (-1.0)

/* Defaults of the "perf" section (docs/perfmodel.md says where they come from). */
#define ZP_PERF_LATENCY_ZONE_MS 0.268 /* one-way delta inside a zone */
#define ZP_PERF_LATENCY_CORE_MS 1.34  /* one-way delta between zones */
#define ZP_PERF_LINK_GBPS 10.0
#define ZP_PERF_SIZE_KB 1.0
#define ZP_PERF_BITS_PER_KB 8000.0 /* 1 kB = 1000 bytes, like the SI Gbit/s it is divided by */

/* Per-queue cost of an unstable queue (utilisation >= 1) in the objective, times utilisation:
 * large but finite so that an optimiser still sees which way is better. */
#define ZP_PERF_PENALTY 1e9

typedef struct zp_perf {
    int n, k;               /* sizes of the problem it was parsed for */
    int64_t nnz;            /* CSR entries (xadj[n]) of that problem */
    double *service_rate;   /* [n] mu, requests/s on a whole core */
    double *reservation;    /* [n] Q/P, or ZP_PERF_AUTO */
    double *size_bits;      /* [nnz] mean request size of the edge, bits (both halves equal) */
    unsigned char *to_nbr;  /* [nnz] 1: the neighbour adjncy[j] serves the edge, 0: the owner */
    double *latency;        /* [k*k] one-way path latency delta between zones, s (symmetric) */
    double *bandwidth;      /* [k*k] sigma of the zone pair's link, bit/s (symmetric) */
    double phi;             /* percentile as a fraction, e.g. 0.99 */
    int network;            /* objective and summary include the network term */
    int cpu;                /* index of the resource "cpu", -1 if none */
    int any_auto;           /* some app has reservation "auto" */
} zp_perf;

/* One dependency's prediction. */
typedef struct {
    int client, server;     /* app ids: requests go from client to server */
    double rate;            /* lambda, requests/s */
    double latency;         /* 2 delta, s */
    double network_time;    /* mean time in the link queue, s (INFINITY if the link is unstable) */
    double server_time;     /* mean time in the server queue, s (INFINITY if it is unstable) */
    double mean, mean_nonet; /* E[R] with and without the network term, s */
    double pct, pct_nonet;   /* P_phi[R] with and without the network term, s */
    unsigned char unstable;  /* bit 0: server utilisation >= 1, bit 1: link utilisation >= 1 */
} zp_perf_dep;

/* The model's predictions for one placement. */
typedef struct zp_perf_result {
    int n, k;
    int64_t ndeps;          /* undirected edges, in CSR order of the lower-id app (u < v) */
    zp_perf_dep *dep;       /* [ndeps] */
    double *share;          /* [n] Q/P each app got (auto resolved) */
    double *arrival;        /* [n] total arrival rate of each app as a server, requests/s */
    double *cpu_util;       /* [n] arrival / (mu Q/P) */
    double *link_load;      /* [k*k] bit/s of requests on each link (symmetric, diagonal: a
                               zone's own link) */
    double *link_util;      /* [k*k] link_load / sigma (symmetric) */
    int unstable_servers;   /* apps whose cpu_util >= 1 */
    int unstable_links;     /* links (zone pairs, a <= b) whose utilisation >= 1 */
    int64_t unstable_deps;  /* dependencies whose server or (with the network on) link is
                               unstable */
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
 * requests, tier defaults), as if "perf" were {"service_rate": mu}. Caller owns *out. */
int perf_create(const zp_problem *p, double mu, zp_perf **out);
/* Releases pf and sets *pf to NULL; NULL and *pf == NULL are fine. */
void perf_destroy(zp_perf **pf);
/* Sets the link of zones a and b (both orders): one-way latency, bandwidth of each of its
 * links and their count. */
void perf_set_link(zp_perf *pf, int a, int b, double latency_ms, double gbps, int links);
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
 * queue: sum of 2 delta lambda, plus rho/(1-rho) per server and, with the network on, per link;
 * an unstable queue (rho >= 1 - 1e-9) costs ZP_PERF_PENALTY * rho instead. O(n + nnz), plus
 * O(k^2) with the network on, which allocates k*k doubles: it returns NAN (and records "out of
 * memory") if that fails. pf must be parsed for p and x valid: unlike perf_evaluate(), the
 * optimiser's functions do not check (they run in inner loops). */
double perf_objective(const zp_perf *pf, const zp_problem *p, const int *x);

/* Change of perf_objective() if app u moved to zone b, in O(degree of u), without state. It
 * models the path latencies of u's dependencies and, for an "auto" reservation, u's new share
 * (its server term); both are exact. It ignores how the move changes link utilisations: it is
 * exact when the network term is off, and otherwise the difference is the links' part only.
 * Use zp_perf_state for an exact delta with the network on. */
double perf_move_delta(const zp_perf *pf, const zp_problem *p, const int *x, int u, int b);

/* Incremental link loads of a placement, for an exact O(degree) delta with the network on. */
typedef struct zp_perf_state {
    const zp_perf *pf;
    const zp_problem *p;
    double *load;           /* [k*k] bit/s per link, at index min(a,b)*k + max(a,b) */
    double *pending;        /* [k*k] scratch, zero between calls */
    int64_t *touched;       /* [2 * max degree] scratch: links with a pending change */
    unsigned char *mark;    /* [k*k] scratch: link already in touched */
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
