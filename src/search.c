/* search.c - k-way FM refinement with gain heaps and iterated local search (see search.h). */
#include "search.h"

#include <math.h>
#include <string.h>

#include "heap.h"
#include "topology.h"
#include "util.h"

#define ZP_CHECK_RET(expr)                                                                         \
    do {                                                                                           \
        int zp_rc_ = (expr);                                                                       \
        if (zp_rc_ != ZP_OK)                                                                       \
            return zp_rc_;                                                                         \
    } while (0)

/* ---- tuning constants -------------------------------------------------------------------------
 * Where each value comes from. The structure is Fiduccia-Mattheyses (k-way, gain heaps, rollback
 * to the best prefix of a pass) inside an iterated local search (perturb, improve, accept); the
 * numbers are this program's, set in the commits named: f390df9 (the foundation), 290372a (the
 * stronger search, tuned until the thesis's case 2 reached 104-105 external dependencies on
 * every seed in under 0.5 s), b2bd1c2. tests/e2e/test_thesis.sh pins their results. */
/* Problems up to this many apps (the thesis's sizes) get the thorough settings: every
 * neighbour recounted after a move, long local passes, a walk that sometimes accepts a slightly
 * worse placement; larger ones the lean settings whose rounds cost little (290372a). */
#define SMALL_N 5000
/* FM passes of one refinement at most (b2bd1c2: a bound, passes end when one gains nothing). */
#define FM_MAX_PASSES 1000
/* Moves without a new best before a pass stops: n / 20, within [64, 4096] (f390df9). */
#define FM_STALL_PER_APPS 20
#define FM_STALL_MIN 64
#define FM_STALL_MAX 4096
/* Apps a pass may go outside the band beyond its best (f390df9). */
#define FM_CHAIN_BUDGET 2
/* Local rounds after a perturbation: passes, stall limit and the walk's probability of taking
 * a move one edge worse; thorough (small problems) or lean (290372a). */
#define THOROUGH_LOCAL_PASSES 8
#define LEAN_LOCAL_PASSES 2
#define THOROUGH_LOCAL_STALL 32
#define LEAN_LOCAL_STALL 16
#define THOROUGH_WALK_Q 0.1
/* An app's k neighbour-zone entries are indexed by zone ("dense": O(1) updates instead of a
 * scan) from this degree, or twice the zone count if larger (290372a). */
#define DENSE_MIN_DEGREE 32
/* Perturbations leave hubs alone: apps of more than 8 times the mean degree, at least 64
 * (290372a). */
#define HUB_DEGREE_FACTOR 8
#define HUB_DEGREE_MIN 64
/* Perturbation (290372a unless named): random draws for an app with neighbours, for a
 * neighbour in another zone (b2bd1c2) and for a swap partner (8 k + 16, f390df9); groups of up
 * to GROUP_MAX apps; strength up to 2 + k / 2, at most 8 moves a round. */
#define APP_TRIES 8
/* One perturbation step in GROUP_ODDS moves a group, the others swap two apps. */
#define GROUP_ODDS 2
#define GROUP_ZONE_TRIES 4
#define GROUP_MAX 4
#define PARTNER_TRIES_PER_ZONE 8
#define PARTNER_TRIES_MIN 16
#define STRENGTH_BASE 2
#define STRENGTH_MAX 8

struct zp_search {
    zp_state *st;
    zp_heapset *hs;
    int *lock;         /* [n] pass stamp of apps moved (or pinned) in the current pass */
    int stamp;
    int *log_u;        /* moves of the current pass, for the rollback */
    int *log_from;
    int64_t log_len, log_cap;
    int *saved;        /* [n] placement the iterated search returns to on rejection */
    int *best;         /* [n] best placement while the walk is elsewhere */
    int *touched;      /* [n] apps moved since the last accept/reject */
    int *touch_stamp;  /* [n] */
    int touch_round;
    int64_t ntouched;
    int *seeds;        /* [n] start set of a local pass */
    int *seed_mark;    /* [n] */
    int seed_stamp;
    int *pinned;       /* [n] apps a pass may not move (the perturbed ones) */
    int uniform;       /* D has one diagonal and one off-diagonal value */
    double dist_gain;  /* requests * (D_off - D_diag): value of one unit of weight kept inside */
    int n_over;        /* zones above the band */
    zp_search_limits lim;
    int64_t local_stall;
    int64_t hub_degree; /* perturbations leave apps of higher degree alone */
    int all_fit;       /* every app fits every zone on its own (io, allowed, per-app demands) */
    int local_passes;  /* local passes per round at most */
    double walk_q;     /* chance to accept a round one edge worse (small problems) */
    int eager;         /* recount every neighbour after a move (small problems: better ties) */
    int64_t moves;
    /* Connection of every app to the zones of its neighbours, kept up to date under moves
     * (METIS keeps the same for its boundary vertices): app u's list holds nb_len[u] entries
     * from nb_start[u] (room for min(degree, k)): zone, weight, number of neighbours there. */
    int64_t *nb_start; /* [n + 1] */
    int *nb_len;       /* [n] */
    int *nb_zone;      /* [pool] */
    int *nb_cnt;
    double *nb_w;
    unsigned char *dense; /* [n] u's k entries are indexed by zone (apps of degree >= 2k: O(1)
                             updates instead of a scan) */
    int *zcnt;         /* [k] scratch */
};

/* (imbalance, objective) lexicographic comparison with a relative tolerance on the objective. */
static int better(int64_t imb_a, double obj_a, int64_t imb_b, double obj_b)
{
    if (imb_a != imb_b)
        return imb_a < imb_b;
    return obj_a < obj_b - 1e-9 * fmax(1.0, fabs(obj_b));
}

static void set_mode(zp_search *s, int thorough);

static void default_limits(zp_search *s)
{
    int n = s->st->p->n;
    s->lim.max_passes = FM_MAX_PASSES;
    s->lim.stall_limit = ZP_MAX(FM_STALL_MIN, ZP_MIN(n / FM_STALL_PER_APPS, FM_STALL_MAX));
    s->lim.chain_budget = FM_CHAIN_BUDGET;
    s->lim.min_gain = 0;
}

/* Thorough (small problems) or lean settings of the local rounds. */
static void set_mode(zp_search *s, int thorough)
{
    s->eager = thorough;
    s->local_passes = thorough ? THOROUGH_LOCAL_PASSES : LEAN_LOCAL_PASSES;
    s->walk_q = thorough ? THOROUGH_WALK_Q : 0;
    s->local_stall = thorough ? THOROUGH_LOCAL_STALL : LEAN_LOCAL_STALL;
}

void search_set_limits(zp_search *s, const zp_search_limits *l)
{
    default_limits(s);
    set_mode(s, l->lean ? 0 : s->st->p->n <= SMALL_N);
    if (l->max_passes > 0)
        s->lim.max_passes = l->max_passes;
    if (l->stall_limit > 0)
        s->lim.stall_limit = l->stall_limit;
    if (l->chain_budget > 0)
        s->lim.chain_budget = l->chain_budget;
    if (l->min_gain > 0)
        s->lim.min_gain = l->min_gain;
}

static int fits(const zp_search *s, int u, int z)
{
    return s->all_fit || app_fits_zone(s->st->p, u, z);
}

/* state_move_fits without the per-app part (checked by fits()): slots and cumulative loads. */
static int zone_takes(const zp_search *s, int u, int b)
{
    const zp_state *st = s->st;
    const zp_problem *p = st->p;
    if (st->count[b] + problem_vwgt(p, u) > p->slots[b])
        return 0;
    if (p->capacity_mode == ZP_CUMULATIVE) {
        for (int r = 0; r < p->nres; r++) {
            double cap = problem_capacity(p, b, r);
            double after = st->load[b * p->nres + r] + problem_demand(p, u, r);
            if (after > cap + 1e-9 * fabs(cap))
                return 0;
        }
    }
    return 1;
}

/* Room for every app's neighbour-zone list: min(degree, k) entries. */
static int create_lists(zp_search *s)
{
    int rc = ZP_OK;
    const zp_problem *p = s->st->p;
    ZP_ALLOC(s->nb_start, (int64_t)p->n + 1);
    ZP_ALLOC(s->nb_len, p->n);
    for (int u = 0; u < p->n; u++)
        s->nb_start[u + 1] = s->nb_start[u] + ZP_MIN(p->xadj[u + 1] - p->xadj[u], (int64_t)p->k);
    ZP_ALLOC(s->nb_zone, s->nb_start[p->n]);
    ZP_ALLOC(s->nb_cnt, s->nb_start[p->n]);
    ZP_ALLOC(s->nb_w, s->nb_start[p->n]);
    ZP_ALLOC(s->dense, p->n);
    ZP_ALLOC(s->zcnt, p->k);
    for (int u = 0; u < p->n; u++)
        s->dense[u] = p->xadj[u + 1] - p->xadj[u] >= ZP_MAX(2 * (int64_t)p->k, DENSE_MIN_DEGREE);
out:
    return rc;
}

int search_create(zp_search **out, zp_state *st)
{
    int rc = ZP_OK;
    const zp_problem *p = st->p;
    zp_search *s = zp_calloc(1, sizeof *s);
    if (!s)
        return ZP_ERUNTIME;
    s->st = st;
    ZP_CHECK(heapset_create(&s->hs, p->k, p->n));
    ZP_ALLOC(s->lock, p->n);
    ZP_ALLOC(s->saved, p->n);
    ZP_ALLOC(s->best, p->n);
    ZP_ALLOC(s->touched, p->n);
    ZP_ALLOC(s->touch_stamp, p->n);
    ZP_ALLOC(s->seeds, p->n);
    ZP_ALLOC(s->seed_mark, p->n);
    ZP_ALLOC(s->pinned, p->n);
    s->log_cap = 1024;
    ZP_ALLOC(s->log_u, s->log_cap);
    ZP_ALLOC(s->log_from, s->log_cap);
    ZP_CHECK(create_lists(s));
    s->uniform = topology_is_uniform(p);
    s->dist_gain = p->requests * (p->k > 1 ? problem_dist(p, 0, 1) - problem_dist(p, 0, 0) : 0);
    if (st->perf) { /* latency objective: gains are the model's (cost.c), not D's */
        s->uniform = 0;
        s->dist_gain = state_unit_gain(st);
    }
    default_limits(s);
    s->all_fit = problem_fits_everywhere(p);
    s->hub_degree = ZP_MAX(HUB_DEGREE_MIN, HUB_DEGREE_FACTOR * (p->n ? p->xadj[p->n] / p->n : 0));
    set_mode(s, p->n <= SMALL_N);
    search_sync(s);
    *out = s;
    s = NULL;
out:
    search_destroy(&s);
    return rc;
}

void search_destroy(zp_search **ps)
{
    zp_search *s = ps ? *ps : NULL;
    if (!s)
        return;
    heapset_destroy(&s->hs);
    zp_free(s->lock);
    zp_free(s->saved);
    zp_free(s->best);
    zp_free(s->touched);
    zp_free(s->touch_stamp);
    zp_free(s->seeds);
    zp_free(s->seed_mark);
    zp_free(s->pinned);
    zp_free(s->log_u);
    zp_free(s->log_from);
    zp_free(s->nb_start);
    zp_free(s->nb_len);
    zp_free(s->nb_zone);
    zp_free(s->nb_cnt);
    zp_free(s->nb_w);
    zp_free(s->dense);
    zp_free(s->zcnt);
    zp_free(s);
    *ps = NULL;
}

int64_t search_moves(const zp_search *s) { return s->moves; }

static int count_over(const zp_state *st)
{
    int over = 0;
    for (int z = 0; z < st->p->k; z++)
        over += st->count[z] > st->hi;
    return over;
}

void search_sync(zp_search *s)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    s->n_over = count_over(st);
    for (int u = 0; u < p->n; u++) {
        int64_t base = s->nb_start[u];
        if (s->dense[u]) {
            memset(s->nb_w + base, 0, sizeof *s->nb_w * (size_t)p->k);
            memset(s->nb_cnt + base, 0, sizeof *s->nb_cnt * (size_t)p->k);
            for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
                int z = st->x[p->adjncy[j]];
                s->nb_w[base + z] += p->adjwgt[j];
                s->nb_cnt[base + z]++;
            }
            continue;
        }
        int len = 0;
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int z = st->x[p->adjncy[j]];
            if (s->zcnt[z]++ == 0)
                st->touched[len++] = z;
            st->conn[z] += p->adjwgt[j];
        }
        for (int i = 0; i < len; i++) {
            int z = st->touched[i];
            s->nb_zone[base + i] = z;
            s->nb_w[base + i] = st->conn[z];
            s->nb_cnt[base + i] = s->zcnt[z];
            st->conn[z] = 0;
            s->zcnt[z] = 0;
        }
        s->nb_len[u] = len;
    }
}

static void touch(zp_search *s, int u)
{
    if (s->touch_stamp[u] != s->touch_round) {
        s->touch_stamp[u] = s->touch_round;
        s->touched[s->ntouched++] = u;
    }
}

/* u's neighbour v moved from zone a to zone b with an edge of weight w: v's list follows. */
static void list_shift(zp_search *s, int v, int a, int b, double w)
{
    int64_t base = s->nb_start[v];
    if (s->dense[v]) {
        if (--s->nb_cnt[base + a] == 0)
            s->nb_w[base + a] = 0;
        else
            s->nb_w[base + a] -= w;
        s->nb_cnt[base + b]++;
        s->nb_w[base + b] += w;
        return;
    }
    int len = s->nb_len[v], *zone = s->nb_zone + base, *cnt = s->nb_cnt + base;
    double *wt = s->nb_w + base;
    int found_b = 0;
    for (int i = 0; i < len; i++) {
        if (zone[i] == a) {
            if (--cnt[i] == 0) { /* drop the entry: exact zero, no drift from repeated sums */
                len--;
                zone[i] = zone[len];
                cnt[i] = cnt[len];
                wt[i] = wt[len];
                i--;
            } else {
                wt[i] -= w;
            }
        } else if (zone[i] == b) {
            cnt[i]++;
            wt[i] += w;
            found_b = 1;
        }
    }
    if (!found_b) {
        zone[len] = b;
        cnt[len] = 1;
        wt[len++] = w;
    }
    s->nb_len[v] = len;
}

/* Every move of the search: the state, the neighbours' lists, the overloaded-zone count. */
static void do_move(zp_search *s, int u, int b)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    int a = st->x[u];
    if (a == b)
        return;
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
        list_shift(s, p->adjncy[j], a, b, p->adjwgt[j]);
    int over_before = (st->count[a] > st->hi) + (st->count[b] > st->hi);
    state_move(st, u, b);
    s->n_over += (st->count[a] > st->hi) + (st->count[b] > st->hi) - over_before;
    touch(s, u);
    s->moves++;
}

/* Connection weight of u to each zone in st->conn, zones listed in st->touched; returns how
 * many. Clear with state_clear_conn. */
static int gather(zp_search *s, int u)
{
    zp_state *st = s->st;
    int64_t base = s->nb_start[u];
    int len = s->nb_len[u];
    if (s->dense[u]) {
        int nt = 0;
        for (int z = 0; z < st->p->k; z++) {
            if (s->nb_cnt[base + z] > 0) {
                st->touched[nt++] = z;
                st->conn[z] = s->nb_w[base + z];
            }
        }
        return nt;
    }
    for (int i = 0; i < len; i++) {
        int z = s->nb_zone[base + i];
        st->touched[i] = z;
        st->conn[z] = s->nb_w[base + i];
    }
    return len;
}

/* Gain (objective decrease) of moving u from a to b, from u's connection weights in st->conn
 * over the nt zones in st->touched. */
static double gain_of(const zp_search *s, int u, int a, int b, int nt)
{
    const zp_state *st = s->st;
    const zp_problem *p = st->p;
    double g;
    if (st->perf)
        return -state_move_delta(st, u, b);
    if (s->uniform) {
        g = s->dist_gain * (st->conn[b] - st->conn[a]);
    } else {
        const double *da = p->dist + (int64_t)a * p->k, *db = p->dist + (int64_t)b * p->k;
        g = 0;
        for (int i = 0; i < nt; i++) {
            int z = st->touched[i];
            g += st->conn[z] * (da[z] - db[z]);
        }
        g *= p->requests;
    }
    if (p->current)
        g += move_cost_of(p, u, a) - move_cost_of(p, u, b);
    return g;
}

/* Best target zone of u and its gain. With check_limits, only moves that keep zone limits and
 * leave the imbalance at most budget count. Candidates: zones of u's neighbours and u's current
 * zone (moving back saves migration cost). Equal gains go to the emptier zone, then the lower
 * index. Returns -1 when there is none. */
static int best_target(zp_search *s, int u, int check_limits, int64_t budget, double *gain)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    int a = st->x[u], best = -1;
    int nt = gather(s, u);
    int home = p->current ? p->current[u] : -1;
    for (int i = 0; i <= nt; i++) {
        int b = i < nt ? st->touched[i] : home;
        if (b < 0 || b == a || (i == nt && st->conn[b] != 0))
            continue;
        if (!fits(s, u, b))
            continue;
        if (check_limits && (!zone_takes(s, u, b) || state_imbalance_after(st, u, b) > budget))
            continue;
        double g = gain_of(s, u, a, b, nt);
        if (best < 0 || g > *gain ||
            (g == *gain && (st->count[b] < st->count[best] ||
                            (st->count[b] == st->count[best] && b < best)))) {
            best = b;
            *gain = g;
        }
    }
    state_clear_conn(st, nt);
    return best;
}

static int refresh_key(zp_search *s, int u)
{
    double g = 0;
    int b = best_target(s, u, 0, 0, &g);
    if (b < 0) {
        heapset_remove(s->hs, u);
        return ZP_OK;
    }
    return heapset_put(s->hs, s->st->x[u], u, g);
}

static int log_move(zp_search *s, int u, int from)
{
    if (s->log_len == s->log_cap) {
        int64_t cap = 2 * s->log_cap;
        int *nu = zp_realloc(s->log_u, sizeof *nu * (size_t)cap);
        if (!nu)
            return ZP_ERUNTIME;
        s->log_u = nu;
        int *nf = zp_realloc(s->log_from, sizeof *nf * (size_t)cap);
        if (!nf)
            return ZP_ERUNTIME;
        s->log_from = nf;
        s->log_cap = cap;
    }
    s->log_u[s->log_len] = u;
    s->log_from[s->log_len++] = from;
    return ZP_OK;
}

/* After u moved from a to b: the neighbours' keys. With the fat-tree D a neighbour's gains
 * change by whole edge weights: those in a gain at most 2 w (toward b), those in a third zone
 * at most w, those in b lose; so their keys are raised to that bound without a recount (the
 * pass recounts an app when it reaches the top). Apps that had no candidate are counted. */
static int update_neighbours(zp_search *s, int u, int a, int b)
{
    const zp_problem *p = s->st->p;
    const int *x = s->st->x;
    for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
        int v = p->adjncy[j];
        if (s->lock[v] == s->stamp)
            continue;
        if (!s->uniform || s->eager || !heapset_contains(s->hs, v)) {
            ZP_CHECK_RET(refresh_key(s, v));
            continue;
        }
        if (x[v] == b)
            continue;
        double raise = (x[v] == a ? 2 : 1) * s->dist_gain * p->adjwgt[j];
        ZP_CHECK_RET(heapset_put(s->hs, x[v], v, s->hs->key[v] + raise));
    }
    return ZP_OK;
}

/* Zone whose top app has the highest key; only overloaded zones while one exists. */
static int pick_zone(const zp_search *s, double *key)
{
    const zp_state *st = s->st;
    int k = st->p->k, only_over = s->n_over > 0, best = -1;
    for (int z = 0; z < k; z++) {
        if (!s->hs->size[z] || (only_over && st->count[z] <= st->hi))
            continue;
        double kz = s->hs->key[s->hs->items[z][0]];
        if (best < 0 || kz > *key) {
            best = z;
            *key = kz;
        }
    }
    return best;
}

/* One FM pass. Starts from the seeds (every app when seeds is NULL); the pinned apps may not
 * move in this pass. *gain is the objective decrease (or the imbalance repaired); returns
 * whether the state got better in *improved. */
static int fm_pass(zp_search *s, const int *seeds, int64_t nseeds, const int *pinned,
                   int64_t npinned, int64_t stall_limit, int *improved, double *gain)
{
    int rc = ZP_OK;
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    s->stamp++;
    s->log_len = 0;
    for (int64_t i = 0; i < npinned; i++)
        s->lock[pinned[i]] = s->stamp;
    if (!seeds) {
        for (int u = 0; u < p->n; u++)
            ZP_CHECK(refresh_key(s, u));
    } else {
        for (int64_t i = 0; i < nseeds; i++)
            if (s->lock[seeds[i]] != s->stamp)
                ZP_CHECK(refresh_key(s, seeds[i]));
    }

    int64_t start_imb = st->imbalance, best_imb = st->imbalance, best_len = 0, since_best = 0;
    double start_obj = state_objective(st), best_obj = start_obj;
    for (;;) {
        double key = 0, other = 0;
        int z = pick_zone(s, &key);
        if (z < 0)
            break;
        int u = s->hs->items[z][0];
        heapset_remove(s->hs, u);
        double g = 0;
        int b = best_target(s, u, 1, best_imb + s->lim.chain_budget, &g);
        if (b < 0)
            continue;
        if (g < key - 1e-12 * fmax(1.0, fabs(key)) && pick_zone(s, &other) >= 0 && g < other) {
            ZP_CHECK(heapset_put(s->hs, z, u, g)); /* stale key: retry with its true gain */
            continue;
        }
        int from = st->x[u];
        ZP_CHECK(log_move(s, u, from));
        do_move(s, u, b);
        s->lock[u] = s->stamp;
        if (better(st->imbalance, state_objective(st), best_imb, best_obj)) {
            best_imb = st->imbalance;
            best_obj = state_objective(st);
            best_len = s->log_len;
            since_best = 0;
        } else if (++since_best > stall_limit) {
            break;
        }
        ZP_CHECK(update_neighbours(s, u, from, b));
    }
    for (int64_t i = s->log_len - 1; i >= best_len; i--)
        do_move(s, s->log_u[i], s->log_from[i]);
    s->log_len = best_len;
    *improved = best_len > 0;
    *gain = best_imb < start_imb ? INFINITY : start_obj - best_obj;
out:
    heapset_clear(s->hs);
    return rc;
}

/* Global passes until no improvement or the limits. */
static int refine_global(zp_search *s)
{
    int passes = 0, improved = 1;
    while (improved && passes < s->lim.max_passes) {
        double gain = 0, before = state_objective(s->st);
        int rc = fm_pass(s, NULL, 0, NULL, 0, s->lim.stall_limit, &improved, &gain);
        if (rc != ZP_OK)
            return -rc;
        passes += improved;
        if (s->lim.min_gain > 0 && gain < s->lim.min_gain * fabs(before))
            break;
    }
    return passes;
}

int search_refine(zp_search *s)
{
    search_sync(s);
    return refine_global(s);
}

/* Adds u to the seed list (once per seed stamp). */
static void add_seed(zp_search *s, int u, int64_t *n)
{
    if (s->seed_mark[u] != s->seed_stamp) {
        s->seed_mark[u] = s->seed_stamp;
        s->seeds[(*n)++] = u;
    }
}

/* Seeds of a local pass: the apps moved since the round began and their neighbours. */
static int64_t collect_seeds(zp_search *s)
{
    const zp_problem *p = s->st->p;
    int64_t n = 0;
    s->seed_stamp++;
    for (int64_t i = 0; i < s->ntouched; i++) {
        int u = s->touched[i];
        add_seed(s, u, &n);
        if (p->xadj[u + 1] - p->xadj[u] > s->hub_degree)
            continue; /* a hub moved in a pass: its neighbours were counted then */
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
            add_seed(s, p->adjncy[j], &n);
    }
    return n;
}

/* Local passes around the apps moved this round: the first with the perturbed apps pinned (so
 * that it does not simply undo the perturbation), then free ones while they improve. */
static int refine_local(zp_search *s)
{
    int64_t npinned = s->ntouched;
    memcpy(s->pinned, s->touched, sizeof *s->pinned * (size_t)npinned);
    int maxp = s->local_passes;
    for (int pass = 0; pass < maxp; pass++) {
        int improved = 0;
        double gain = 0;
        int64_t nseeds = collect_seeds(s);
        int rc = fm_pass(s, s->seeds, nseeds, s->pinned, pass == 0 ? npinned : 0,
                         s->local_stall, &improved, &gain);
        if (rc != ZP_OK)
            return rc;
        if (!improved && pass > 0)
            break;
    }
    return ZP_OK;
}

/* A random app of zone b that may move to zone a, or -1 (bounded random probing). */
static int random_partner(const zp_search *s, zp_rng *rng, int b, int a)
{
    const zp_state *st = s->st;
    int tries = PARTNER_TRIES_PER_ZONE * st->p->k + PARTNER_TRIES_MIN;
    for (int t = 0; t < tries; t++) {
        int v = (int)rng_below(rng, (uint64_t)st->p->n);
        if (st->x[v] == b && fits(s, v, a))
            return v;
    }
    return -1;
}

static int zone_within_limits(const zp_state *st, int z)
{
    const zp_problem *p = st->p;
    if (st->count[z] > p->slots[z])
        return 0;
    if (p->capacity_mode != ZP_CUMULATIVE)
        return 1;
    for (int r = 0; r < p->nres; r++) {
        double cap = problem_capacity(p, z, r);
        if (st->load[z * p->nres + r] > cap + 1e-9 * fabs(cap))
            return 0;
    }
    return 1;
}

/* Swaps u (to v's zone) and v (to u's zone) when both ends keep their zone limits. */
static void try_swap(zp_search *s, int u, int v)
{
    zp_state *st = s->st;
    int a = st->x[u], b = st->x[v];
    if (!fits(s, u, b) || !fits(s, v, a))
        return;
    do_move(s, u, b);
    do_move(s, v, a);
    if (!zone_within_limits(st, a) || !zone_within_limits(st, b)) {
        do_move(s, v, b);
        do_move(s, u, a);
    }
}

/* A random app, preferring one with neighbours. */
static int random_app(const zp_search *s, zp_rng *rng)
{
    const zp_problem *p = s->st->p;
    int u = (int)rng_below(rng, (uint64_t)p->n);
    for (int t = 0; t < APP_TRIES && (p->xadj[u + 1] == p->xadj[u] ||
                                      p->xadj[u + 1] - p->xadj[u] > s->hub_degree); t++)
        u = (int)rng_below(rng, (uint64_t)p->n);
    return u;
}

/* Moves a connected group of up to size apps of u's zone, grown from u breadth-first, to the
 * zone of one of u's neighbours elsewhere (or a random zone). Balance is left to the repair. */
static void move_group(zp_search *s, zp_rng *rng, int u, int size)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    int a = st->x[u], b = -1;
    int64_t deg = p->xadj[u + 1] - p->xadj[u];
    for (int t = 0; t < GROUP_ZONE_TRIES && deg > 0 && b < 0; t++) {
        int v = p->adjncy[p->xadj[u] + (int64_t)rng_below(rng, (uint64_t)deg)];
        if (st->x[v] != a)
            b = st->x[v];
    }
    if (b < 0) {
        b = (int)rng_below(rng, (uint64_t)p->k - 1);
        b += b >= a;
    }
    /* breadth-first over s->seeds (free between passes) */
    int64_t head = 0, tail = 0;
    s->seed_stamp++;
    s->seed_mark[u] = s->seed_stamp;
    s->seeds[tail++] = u;
    while (head < tail && head < size) {
        int v = s->seeds[head++];
        for (int64_t j = p->xadj[v]; j < p->xadj[v + 1] && tail < size; j++) {
            int w = p->adjncy[j];
            if (st->x[w] == a && s->seed_mark[w] != s->seed_stamp &&
                p->xadj[w + 1] - p->xadj[w] <= s->hub_degree) {
                s->seed_mark[w] = s->seed_stamp;
                s->seeds[tail++] = w;
            }
        }
    }
    for (int64_t i = 0; i < tail && i < size; i++) {
        int v = s->seeds[i];
        if (fits(s, v, b) && zone_takes(s, v, b))
            do_move(s, v, b);
    }
}

static void perturb(zp_search *s, zp_rng *rng, int strength)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    if (p->k < 2 || p->n < 2)
        return;
    for (int i = 0; i < strength; i++) {
        int u = random_app(s, rng);
        if (rng_below(rng, GROUP_ODDS) == 0) {
            move_group(s, rng, u, 1 + (int)rng_below(rng, GROUP_MAX));
            continue;
        }
        int a = st->x[u];
        int b = (int)rng_below(rng, (uint64_t)p->k - 1);
        b += b >= a;
        int v = random_partner(s, rng, b, a);
        if (v >= 0)
            try_swap(s, u, v);
    }
}

void search_perturb(zp_search *s, zp_rng *rng, int strength)
{
    search_sync(s);
    perturb(s, rng, strength);
}

static void begin_round(zp_search *s)
{
    s->touch_round++;
    s->ntouched = 0;
}

/* Returns the state to s->saved by undoing the apps moved since the round began. */
static void reject_round(zp_search *s)
{
    int64_t count = s->ntouched;
    for (int64_t i = 0; i < count; i++) {
        int u = s->touched[i];
        if (s->st->x[u] != s->saved[u])
            do_move(s, u, s->saved[u]);
    }
}

static void accept_round(zp_search *s)
{
    for (int64_t i = 0; i < s->ntouched; i++)
        s->saved[s->touched[i]] = s->st->x[s->touched[i]];
}

int search_ils(zp_search *s, zp_rng *rng, const zp_ils_params *prm)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    search_sync(s);
    if (refine_global(s) < 0)
        return ZP_ERUNTIME;
    if (prm->rounds <= 0)
        return ZP_OK;
    memcpy(s->saved, st->x, sizeof *st->x * (size_t)p->n);
    int64_t best_imb = st->imbalance, cur_imb = st->imbalance;
    double best_obj = state_objective(st), cur_obj = best_obj;
    int best_is_current = 1;
    int64_t last_better = 0; /* the round that last found a better best placement */
    int max_strength = ZP_MIN(STRENGTH_MAX, STRENGTH_BASE + p->k / 2);
    double thr = s->dist_gain, q = s->walk_q; /* the walk: at most one edge worse */
    for (int64_t round = 1; round <= prm->rounds; round++) {
        if (prm->deadline > 0 && zp_now() > prm->deadline)
            break;
        if (prm->patience > 0 && round - 1 - last_better >= prm->patience)
            break;
        if (prm->stop_requested && prm->stop_requested())
            break;
        begin_round(s);
        perturb(s, rng, 1 + (int)rng_below(rng, (uint64_t)max_strength));
        if (refine_local(s) != ZP_OK)
            return ZP_ERUNTIME;
        int64_t imb = st->imbalance;
        double obj = state_objective(st);
        int accept = !better(cur_imb, cur_obj, imb, obj);
        if (!accept && q > 0 && imb == cur_imb && obj <= cur_obj + thr && rng_uniform(rng) < q) {
            if (best_is_current)
                memcpy(s->best, s->saved, sizeof *s->best * (size_t)p->n);
            best_is_current = 0;
            accept = 1;
        }
        if (accept) {
            if (!better(best_imb, best_obj, imb, obj)) {
                if (better(imb, obj, best_imb, best_obj))
                    last_better = round;
                best_imb = imb;
                best_obj = obj;
                best_is_current = 1;
            }
            cur_imb = imb;
            cur_obj = obj;
            accept_round(s);
        } else {
            reject_round(s);
        }
        if (prm->observer && prm->record_every > 0 && round % prm->record_every == 0)
            prm->observer(prm->observer_ctx, st, round, best_obj);
    }
    if (!best_is_current) {
        state_assign(st, s->best);
        search_sync(s);
    }
    return ZP_OK;
}
