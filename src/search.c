/* search.c - k-way FM refinement with gain heaps and iterated local search (see search.h). */
#include "search.h"

#include <math.h>
#include <string.h>

#include "heap.h"
#include "topology.h"
#include "util.h"

struct zp_search {
    zp_state *st;
    zp_heapset *hs;
    int *lock;         /* [n] pass stamp of apps moved in the current pass */
    int stamp;
    int *log_u;        /* moves of the current pass, for the rollback */
    int *log_from;
    int64_t log_len, log_cap;
    int *saved;        /* [n] placement the iterated search returns to on rejection */
    int *best;         /* [n] best placement of the iterated search */
    int *touched;      /* [n] apps moved since the last accept/reject */
    int *touch_stamp;  /* [n] */
    int touch_round;
    int64_t ntouched;
    int uniform;       /* D has one diagonal and one off-diagonal value */
    double dist_gain;  /* requests * (D_off - D_diag): value of one unit of weight kept inside */
    int64_t stall_limit;
    int64_t moves;
};

/* (imbalance, objective) lexicographic comparison with a relative tolerance on the objective. */
static int better(int64_t imb_a, double obj_a, int64_t imb_b, double obj_b)
{
    if (imb_a != imb_b)
        return imb_a < imb_b;
    return obj_a < obj_b - 1e-9 * fmax(1.0, fabs(obj_b));
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
    s->log_cap = 1024;
    ZP_ALLOC(s->log_u, s->log_cap);
    ZP_ALLOC(s->log_from, s->log_cap);
    s->uniform = topology_is_uniform(p);
    s->dist_gain = p->requests * (p->k > 1 ? problem_dist(p, 0, 1) - problem_dist(p, 0, 0) : 0);
    s->stall_limit = ZP_MAX(64, ZP_MIN(p->n / 20, 4096));
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
    zp_free(s->log_u);
    zp_free(s->log_from);
    zp_free(s);
    *ps = NULL;
}

int64_t search_moves(const zp_search *s) { return s->moves; }

/* Gain (objective decrease) of moving u from a to b, given u's connection weights in st->conn. */
static double gain_of(const zp_search *s, int u, int a, int b)
{
    const zp_state *st = s->st;
    if (s->uniform)
        return s->dist_gain * (st->conn[b] - st->conn[a]) + move_cost_of(st->p, u, a) -
               move_cost_of(st->p, u, b);
    return -state_move_delta(st, u, b);
}

/* Best target zone of u and its gain. With check_limits, only moves that keep zone limits and
 * leave the imbalance at most budget count. Candidates: zones of u's neighbours and u's current
 * zone (moving back saves migration cost). Returns -1 when there is none. */
static int best_target(zp_search *s, int u, int check_limits, int64_t budget, double *gain)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    int a = st->x[u], best = -1;
    int nt = state_gather_conn(st, u);
    int home = p->current ? p->current[u] : -1;
    for (int i = 0; i <= nt; i++) {
        int b = i < nt ? st->touched[i] : home;
        if (b < 0 || b == a || (i == nt && st->conn[b] != 0))
            continue;
        if (!app_fits_zone(p, u, b))
            continue;
        if (check_limits &&
            (!state_move_fits(st, u, b) || state_imbalance_after(st, u, b) > budget))
            continue;
        double g = gain_of(s, u, a, b);
        if (best < 0 || g > *gain || (g == *gain && b < best)) {
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

static void touch(zp_search *s, int u)
{
    if (s->touch_stamp[u] != s->touch_round) {
        s->touch_stamp[u] = s->touch_round;
        s->touched[s->ntouched++] = u;
    }
}

static void apply_move(zp_search *s, int u, int b)
{
    touch(s, u);
    state_move(s->st, u, b);
    s->moves++;
}

/* Zone whose top app has the highest key; only overloaded zones while one exists. */
static int pick_zone(const zp_search *s, int skip_zone, double *key)
{
    const zp_state *st = s->st;
    int any_over = 0;
    for (int z = 0; z < st->p->k && !any_over; z++)
        any_over = st->count[z] > st->hi;
    int best = -1;
    for (int z = 0; z < st->p->k; z++) {
        int top = heapset_top(s->hs, z);
        if (top < 0 || z == skip_zone || (any_over && st->count[z] <= st->hi))
            continue;
        if (best < 0 || s->hs->key[top] > *key) {
            best = z;
            *key = s->hs->key[top];
        }
    }
    return best;
}

/* One FM pass; *improved tells whether the state got better. */
static int fm_pass(zp_search *s, int *improved)
{
    int rc = ZP_OK;
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    s->stamp++;
    s->log_len = 0;
    heapset_clear(s->hs);
    for (int u = 0; u < p->n; u++)
        ZP_CHECK(refresh_key(s, u));

    int64_t best_imb = st->imbalance, best_len = 0, since_best = 0;
    double best_obj = state_objective(st);
    for (;;) {
        double key = 0, other = 0;
        int z = pick_zone(s, -1, &key);
        if (z < 0)
            break;
        int u = heapset_top(s->hs, z);
        heapset_remove(s->hs, u);
        double g = 0;
        int b = best_target(s, u, 1, best_imb + 2, &g);
        if (b < 0)
            continue;
        if (g < key - 1e-12 * fmax(1.0, fabs(key)) && pick_zone(s, -1, &other) >= 0 &&
            g < other) {
            ZP_CHECK(heapset_put(s->hs, z, u, g)); /* stale key: retry with its true gain */
            continue;
        }
        ZP_CHECK(log_move(s, u, st->x[u]));
        apply_move(s, u, b);
        s->lock[u] = s->stamp;
        if (better(st->imbalance, state_objective(st), best_imb, best_obj)) {
            best_imb = st->imbalance;
            best_obj = state_objective(st);
            best_len = s->log_len;
            since_best = 0;
        } else if (++since_best > s->stall_limit) {
            break;
        }
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++) {
            int v = p->adjncy[j];
            if (s->lock[v] != s->stamp)
                ZP_CHECK(refresh_key(s, v));
        }
    }
    for (int64_t i = s->log_len - 1; i >= best_len; i--)
        apply_move(s, s->log_u[i], s->log_from[i]);
    *improved = best_len > 0;
out:
    heapset_clear(s->hs);
    return rc;
}

int search_refine(zp_search *s)
{
    int passes = 0, improved = 1;
    while (improved && passes < 1000) {
        int rc = fm_pass(s, &improved);
        if (rc != ZP_OK)
            return -rc;
        passes += improved;
    }
    return passes;
}

/* A random app of zone b that may move to zone a, or -1 (bounded random probing). */
static int random_partner(const zp_search *s, zp_rng *rng, int b, int a)
{
    const zp_state *st = s->st;
    int tries = 8 * st->p->k + 16;
    for (int t = 0; t < tries; t++) {
        int v = (int)rng_below(rng, (uint64_t)st->p->n);
        if (st->x[v] == b && app_fits_zone(st->p, v, a))
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
    if (!app_fits_zone(st->p, u, b) || !app_fits_zone(st->p, v, a))
        return;
    apply_move(s, u, b);
    apply_move(s, v, a);
    if (!zone_within_limits(st, a) || !zone_within_limits(st, b)) {
        apply_move(s, v, b);
        apply_move(s, u, a);
    }
}

void search_perturb(zp_search *s, zp_rng *rng, int strength)
{
    zp_state *st = s->st;
    const zp_problem *p = st->p;
    if (p->k < 2 || p->n < 2)
        return;
    for (int i = 0; i < strength; i++) {
        int u = (int)rng_below(rng, (uint64_t)p->n);
        for (int t = 0; t < 8 && p->xadj[u + 1] == p->xadj[u]; t++)
            u = (int)rng_below(rng, (uint64_t)p->n);
        int a = st->x[u];
        int b = (int)rng_below(rng, (uint64_t)p->k - 1);
        b += b >= a;
        int v = random_partner(s, rng, b, a);
        if (v >= 0)
            try_swap(s, u, v);
    }
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
            state_move(s->st, u, s->saved[u]);
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
    int rc = search_refine(s) < 0 ? ZP_ERUNTIME : ZP_OK;
    if (rc)
        return rc;
    memcpy(s->saved, st->x, sizeof *st->x * (size_t)p->n);
    memcpy(s->best, st->x, sizeof *st->x * (size_t)p->n);
    int64_t best_imb = st->imbalance, cur_imb = st->imbalance;
    double best_obj = state_objective(st), cur_obj = best_obj;
    int max_strength = 2 + p->k / 2;
    for (int64_t round = 1; round <= prm->rounds; round++) {
        if (prm->deadline > 0 && zp_now() > prm->deadline)
            break;
        begin_round(s);
        search_perturb(s, rng, 1 + (int)rng_below(rng, (uint64_t)max_strength));
        if (search_refine(s) < 0)
            return ZP_ERUNTIME;
        int64_t imb = st->imbalance;
        double obj = state_objective(st);
        if (better(imb, obj, best_imb, best_obj)) {
            best_imb = imb;
            best_obj = obj;
            memcpy(s->best, st->x, sizeof *st->x * (size_t)p->n);
        }
        if (!better(cur_imb, cur_obj, imb, obj)) { /* as good as the current one: walk on */
            cur_imb = imb;
            cur_obj = obj;
            accept_round(s);
        } else {
            reject_round(s);
        }
        if (prm->observer && prm->record_every > 0 && round % prm->record_every == 0)
            prm->observer(prm->observer_ctx, st, round, best_obj);
    }
    state_assign(st, s->best);
    return ZP_OK;
}
