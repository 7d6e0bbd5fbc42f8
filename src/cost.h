/* cost.h - the objective, the metrics of a placement, and the incremental state that the search
 * and rebalance phases move apps in.
 *
 * A placement is an int array x[n] of zone indices. metrics_compute() recounts everything from
 * scratch; zp_state keeps the same numbers up to date under single moves in O(degree).
 *
 * The objective is traffic + move cost. A state with the response-time model attached
 * (state_attach_perf, --objective latency) minimises the model's objective (sum over
 * dependencies of rate x predicted mean response time, perfmodel.h) + move cost instead; it
 * still tracks traffic and the other counts for the reports. */
#ifndef ZP_COST_H
#define ZP_COST_H

#include <stdint.h>

#include "perfmodel.h"
#include "problem.h"

typedef struct {
    double traffic;        /* T * sum over dependencies of w * D[x_u][x_v] */
    int64_t external_deps; /* listed dependencies whose ends are in different zones */
    int64_t internal_deps;
    double cut_weight;     /* sum of w over external dependencies */
    double cv;             /* population sd / mean of apps per zone */
    double lb_pct;         /* 100 - 100 * cv / sqrt(k) */
    double resource_cv;    /* largest, over resources, CV of load_z / capacity_z */
    int64_t moves;         /* apps not in their current zone */
    double move_cost;      /* sum over moved apps of m * size * D[x0][x] */
    double objective;      /* traffic + move_cost */
    int64_t violations;    /* apps that do not fit their zone + zone limits exceeded */
    int64_t imbalance;     /* apps outside the balance band, summed over zones */
    int64_t max_load, min_load;
    /* the thesis's report (docs/design.md section 2) */
    double thesis_cost;      /* traffic with T = 1 plus 2400 per move */
    double thesis_pct;       /* 100 (cost + 2400 moves) / (1000 (in+out edges) + 6000 moves) */
    double thesis_lb_pct;    /* LB with mean floor(n/k) */
} zp_metrics;

/* Recomputes every metric of placement x from scratch. */
void metrics_compute(const zp_problem *p, const int *x, zp_metrics *m);

/* The parts of the metrics that add up over apps and dependencies: what a rank holding a slice
 * of the problem (the distributed run, drun.h) sums over its apps, before the ranks add them up. */
typedef struct {
    double base_traffic;    /* sum over dependencies of w * D[x_u][x_v] (T = 1) */
    int64_t external_deps;
    double cut_weight;
    int64_t moves;
    double move_cost;
    int64_t app_violations; /* apps that do not fit their zone */
} zp_metric_sums;

/* The metrics from the sums and the zones' loads: count[k] balance weight and load[k * nres]
 * demands per zone (p: the zones, band and objective parameters; its total weight the apps'). */
void metrics_finish(const zp_problem *p, const int64_t *count, const double *load,
                    const zp_metric_sums *sums, zp_metrics *m);

/* Migration cost of app u placed in zone z. */
double move_cost_of(const zp_problem *p, int u, int z);

/* Incremental state of a placement. The state owns copies of nothing but its own arrays; x is
 * owned by the state. */
typedef struct {
    const zp_problem *p;
    int *x;          /* [n] */
    int64_t *count;  /* [k] apps (vertex weight) per zone */
    double *load;    /* [k * nres] sum of demands per zone */
    double traffic;
    double move_cost;
    double cut_weight;
    int64_t external_deps;
    int64_t lo, hi;  /* balance band */
    int64_t imbalance;
    int64_t moves;
    double *conn;    /* [k] scratch: weight from an app to each zone */
    int *touched;    /* [k] scratch: zones with conn != 0 */
    zp_perf_state *perf; /* owned; NULL: the traffic objective */
} zp_state;

/* Creates the state of placement x (copied). */
int state_create(zp_state **s, const zp_problem *p, const int *x);
void state_destroy(zp_state **s);
/* Sets the state to placement x (copied), recomputing everything. */
void state_assign(zp_state *s, const int *x);
/* Copies the placement of src (same problem) into dst. */
void state_copy(zp_state *dst, const zp_state *src);
/* Attaches the response-time model pf (parsed for s->p, which it must outlive): from now on
 * the objective and its deltas are the model's + move cost, and every move and assignment
 * keeps it up to date. ZP_ERUNTIME when out of memory or pf belongs to another problem. */
int state_attach_perf(zp_state *s, const zp_perf *pf);
static inline double state_objective(const zp_state *s)
{
    return (s->perf ? s->perf->objective : s->traffic) + s->move_cost;
}
/* Objective value of one unit of dependency weight kept inside a zone rather than across two
 * (traffic: requests * (D[0][1] - D[0][0]); with the model: perf_unit_gain), for thresholds. */
double state_unit_gain(const zp_state *s);

/* Change of the objective if u moved to zone b (negative is better), from u's neighbours
 * (and, with the model attached, the loads of their links). */
double state_move_delta(const zp_state *s, int u, int b);
/* Whether u may move to b without breaking fit, slots or cumulative capacity. Balance is not
 * checked here. */
int state_move_fits(const zp_state *s, int u, int b);
/* Imbalance after moving u to b (apps outside the band, summed over zones). */
int64_t state_imbalance_after(const zp_state *s, int u, int b);
/* Moves u to zone b and updates every tracked quantity. */
void state_move(zp_state *s, int u, int b);

/* Connection weight of u to each zone, in s->conn, with the zones touched listed in
 * s->touched; returns how many. The caller must call state_clear_conn() after use. */
int state_gather_conn(zp_state *s, int u);
void state_clear_conn(zp_state *s, int ntouched);

#endif
