/* report.c - human report and summary JSON (see report.h). */
#include "report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outfile.h"
#include "place.h"
#include "util.h"

#define BAR_WIDTH 60

void report_print(FILE *out, const zp_problem *p, const zp_task_result *res, int init_kind)
{
    (void)init_kind;
    fprintf(out, "%s: %d apps, %d zones, %lld dependencies; seed %llu, %d start%s, %d epoch%s, "
            "objective %s\n", p->name, p->n, p->k, (long long)p->ndeps,
            (unsigned long long)res->seed, res->starts, res->starts == 1 ? "" : "s", res->epochs,
            res->epochs == 1 ? "" : "s", objective_name(res->objective));
    fprintf(out, "%-18s %12s %6s %6s %7s %7s %6s %10s %5s %8s\n", "phase", "traffic", "ext",
            "int", "CV", "LB%", "moves", "move cost", "viol", "thesis%");
    for (int i = 0; i < res->nphases; i++) {
        const zp_metrics *m = &res->phases[i].m;
        fprintf(out, "%-18s %12.0f %6lld %6lld %7.4f %7.2f %6lld %10.0f %5lld %8.3f\n",
                res->phases[i].name, m->traffic, (long long)m->external_deps,
                (long long)m->internal_deps, m->cv, m->lb_pct, (long long)m->moves, m->move_cost,
                (long long)m->violations, m->thesis_pct);
    }
    int64_t counts[4096] = {0}, most = 1;
    int k = p->k < 4096 ? p->k : 4096;
    for (int u = 0; u < p->n; u++)
        if (res->placement[u] < k)
            counts[res->placement[u]] += problem_vwgt(p, u);
    for (int z = 0; z < k; z++)
        most = ZP_MAX(most, counts[z]);
    fprintf(out, "apps per zone (best start %d, %.3f s):\n", res->best_start, res->wall);
    for (int z = 0; z < k; z++) {
        int len = (int)(most <= BAR_WIDTH ? counts[z] : counts[z] * BAR_WIDTH / most);
        fprintf(out, "%-8s :", p->zone_names[z]);
        for (int i = 0; i < len; i++)
            fputc('+', out);
        fprintf(out, " %lld\n", (long long)counts[z]);
    }
    const zp_metrics *last = res->nphases ? &res->phases[res->nphases - 1].m : NULL;
    if (last && last->imbalance > 0) { /* "0 violations" alone would read as a good result */
        int64_t lo, hi;
        problem_band(p, &lo, &hi);
        fprintf(out, "warning: %lld apps outside the balance band %lld..%lld apps per zone (not "
                "reached by the search)\n", (long long)last->imbalance, (long long)lo,
                (long long)hi);
    }
}

void *report_metrics_json(const zp_metrics *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "traffic", m->traffic);
    cJSON_AddNumberToObject(o, "external_deps", (double)m->external_deps);
    cJSON_AddNumberToObject(o, "internal_deps", (double)m->internal_deps);
    cJSON_AddNumberToObject(o, "cut_weight", m->cut_weight);
    cJSON_AddNumberToObject(o, "cv", m->cv);
    cJSON_AddNumberToObject(o, "lb_pct", m->lb_pct);
    cJSON_AddNumberToObject(o, "resource_cv", m->resource_cv);
    cJSON_AddNumberToObject(o, "moves", (double)m->moves);
    cJSON_AddNumberToObject(o, "move_cost", m->move_cost);
    cJSON_AddNumberToObject(o, "objective", m->objective);
    cJSON_AddNumberToObject(o, "violations", (double)m->violations);
    cJSON_AddNumberToObject(o, "imbalance", (double)m->imbalance);
    cJSON_AddNumberToObject(o, "max_zone_apps", (double)m->max_load);
    cJSON_AddNumberToObject(o, "min_zone_apps", (double)m->min_load);
    cJSON_AddNumberToObject(o, "thesis_cost", m->thesis_cost);
    cJSON_AddNumberToObject(o, "thesis_pct", m->thesis_pct);
    cJSON_AddNumberToObject(o, "thesis_lb_pct", m->thesis_lb_pct);
    return o;
}

/* Where a multilevel placement spent its time, and how deep it went. */
static void add_multilevel_times(cJSON *ph, const zp_task_result *res)
{
    cJSON_AddNumberToObject(ph, "coarsen_seconds", res->ml_seconds[0]);
    cJSON_AddNumberToObject(ph, "coarsest_seconds", res->ml_seconds[1]);
    cJSON_AddNumberToObject(ph, "refine_seconds", res->ml_seconds[2]);
    cJSON_AddNumberToObject(ph, "levels", res->ml_levels);
    cJSON_AddNumberToObject(ph, "cycles", res->ml_cycles);
    cJSON_AddNumberToObject(ph, "bands", res->ml_bands);
}

/* A time in milliseconds for JSON: null where the model does not hold (unstable queue). */
static cJSON *ms_or_null(double seconds)
{
    return isfinite(seconds) ? cJSON_CreateNumber(1e3 * seconds) : cJSON_CreateNull();
}

/* x[0..n) as a raw JSON array, formatted as cJSON_Print formats an int array ("[0, 1, 2]"):
 * cJSON prints every number with sprintf and checks it with sscanf, over a second for the
 * placement of a million apps, which rank 0 alone would spend after a distributed run. */
static cJSON *int_array_json(const int *x, int n)
{
    char *text = zp_malloc((size_t)n * 13 + 3), *s = text; /* ", " and 11 characters each */
    if (!text)
        return NULL;
    *s++ = '[';
    for (int i = 0; i < n && x; i++) {
        char digits[12];
        int len = 0;
        unsigned v = x[i] < 0 ? 0u - (unsigned)x[i] : (unsigned)x[i];
        if (i)
            *s++ = ',', *s++ = ' ';
        if (x[i] < 0)
            *s++ = '-';
        do
            digits[len++] = (char)('0' + v % 10);
        while (v /= 10);
        while (len)
            *s++ = digits[--len];
    }
    *s++ = ']';
    *s = '\0';
    cJSON *raw = cJSON_CreateRaw(text);
    zp_free(text);
    return raw;
}

void *report_task_json(const zp_task_result *res, const char *instance)
{
    cJSON *t = cJSON_CreateObject(), *phases = cJSON_CreateArray(), *seeds = cJSON_CreateArray();
    cJSON *placement = int_array_json(res->placement, res->apps);
    if (!t || !phases || !seeds || !placement) {
        cJSON_Delete(t);
        cJSON_Delete(phases);
        cJSON_Delete(seeds);
        cJSON_Delete(placement);
        return NULL;
    }
    cJSON_AddNumberToObject(t, "task", res->task);
    if (instance)
        cJSON_AddStringToObject(t, "instance", instance);
    cJSON_AddNumberToObject(t, "zones", res->zones);
    cJSON_AddNumberToObject(t, "apps", res->apps);
    cJSON_AddNumberToObject(t, "seed", (double)res->seed);
    cJSON_AddNumberToObject(t, "starts", res->starts);
    cJSON_AddNumberToObject(t, "epochs", res->epochs);
    cJSON_AddNumberToObject(t, "best_start", res->best_start);
    cJSON_AddStringToObject(t, "objective_kind", objective_name(res->objective));
    cJSON_AddNumberToObject(t, "wall_seconds", res->wall);
    if (!isnan(res->perf_mean)) { /* the model's mean and worst percentile, null: unstable */
        cJSON_AddItemToObject(t, "perf_mean_ms", ms_or_null(res->perf_mean));
        cJSON_AddItemToObject(t, "perf_max_percentile_ms", ms_or_null(res->perf_pct));
    }
    for (int i = 0; i < res->nphases; i++) {
        cJSON *ph = report_metrics_json(&res->phases[i].m);
        if (ph) {
            cJSON_AddItemToObject(ph, "phase", cJSON_CreateString(res->phases[i].name));
            cJSON_AddNumberToObject(ph, "seconds", res->phases[i].seconds);
            if (res->phases[i].phase == ZP_PHASE_INIT && res->init_kind == ZP_INIT_MULTILEVEL)
                add_multilevel_times(ph, res);
            cJSON_AddItemToArray(phases, ph);
        }
    }
    cJSON_AddItemToObject(t, "phases", phases);
    cJSON_AddItemToObject(t, "final", report_metrics_json(&res->final));
    for (int s = 0; s < res->starts; s++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)res->start_seeds[s]);
        cJSON_AddItemToArray(seeds, cJSON_CreateString(buf));
    }
    cJSON_AddItemToObject(t, "start_seeds", seeds);
    cJSON_AddItemToObject(t, "placement", placement);
    return t;
}

int report_write_text(const char *path, const char *text)
{
    int rc = ZP_OK;
    char *name = NULL;
    static const int replace = 1;
    ZP_CHECK(zp_temp_write(path, text, &name));
    const char *from = name;
    rc = zp_publish(&from, &path, 1, &replace, "");
out:
    zp_free(name);
    return rc;
}

int report_write_summary(const char *path, const zp_task_result *results, int ntasks,
                         const char *const *instances, const char *const *task_perf,
                         int complete, const char *stopped_by, char **tmp)
{
    int rc = ZP_OK;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject(), *tasks = cJSON_CreateArray();
    if (!root || !tasks) {
        cJSON_Delete(tasks);
        rc = zp_fail(ZP_ERUNTIME, "out of memory");
        goto out;
    }
    cJSON_AddStringToObject(root, "creator", "zoneplace");
    cJSON_AddBoolToObject(root, "complete", complete);
    cJSON_AddStringToObject(root, "stopped_by", stopped_by);
    cJSON_AddItemToObject(root, "tasks", tasks);
    for (int i = 0; i < ntasks; i++) {
        cJSON *t = report_task_json(&results[i], instances ? instances[i] : NULL);
        if (!t) {
            rc = zp_fail(ZP_ERUNTIME, "out of memory");
            goto out;
        }
        cJSON_AddItemToArray(tasks, t);
        cJSON *perf = task_perf && task_perf[i] ? cJSON_Parse(task_perf[i]) : NULL;
        if (perf)
            cJSON_AddItemToObject(t, "perf", perf);
    }
    text = cJSON_Print(root);
    if (!text) {
        rc = zp_fail(ZP_ERUNTIME, "out of memory");
        goto out;
    }
    rc = tmp ? zp_temp_write(path, text, tmp) : report_write_text(path, text);
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

/* Link queues the report lists. */
#define REPORT_BUSIEST 5

/* ---- response-time model ------------------------------------------------------------------- */

/* Every link queue that carries requests: zones, bundle member, load and utilisation. */
static cJSON *queues_json(const zp_perf *pf, const zp_problem *p, const zp_perf_result *r)
{
    cJSON *list = cJSON_CreateArray();
    for (int64_t q = 0; list && q < r->nqueues; q++) {
        int a, b, member;
        cJSON *o;
        if (r->queue_rate[q] <= 0 || !(o = cJSON_CreateObject()))
            continue;
        perf_queue_info(pf, q, &a, &b, &member);
        cJSON_AddStringToObject(o, "from", p->zone_names[a]);
        cJSON_AddStringToObject(o, "to", p->zone_names[b]);
        cJSON_AddNumberToObject(o, "member", member);
        cJSON_AddNumberToObject(o, "load_mbps", 1e-6 * r->queue_load[q]);
        cJSON_AddNumberToObject(o, "requests_per_s", r->queue_rate[q]);
        cJSON_AddNumberToObject(o, "utilisation", r->queue_util[q]);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

static cJSON *perf_result_json(const zp_perf *pf, const zp_problem *p, const zp_perf_result *r,
                               int with_queues)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddItemToObject(o, "mean_ms", ms_or_null(r->mean_weighted));
    cJSON_AddItemToObject(o, "mean_ms_without_network", ms_or_null(r->mean_weighted_nonet));
    cJSON_AddItemToObject(o, "worst_mean_ms", ms_or_null(r->worst_mean));
    cJSON_AddItemToObject(o, "max_percentile_ms", ms_or_null(r->max_pct));
    cJSON_AddNumberToObject(o, "unstable_servers", r->unstable_servers);
    cJSON_AddNumberToObject(o, "unstable_links", r->unstable_links);
    cJSON_AddNumberToObject(o, "unstable_dependencies", (double)r->unstable_deps);
    cJSON_AddNumberToObject(o, "busy_servers", r->busy_servers);
    cJSON_AddNumberToObject(o, "busy_links", (double)r->busy_links);
    cJSON_AddNumberToObject(o, "overbooked_zones", r->overbooked_zones);
    cJSON_AddNumberToObject(o, "percentiles_bounded", (double)r->bound_deps);
    cJSON_AddNumberToObject(o, "objective", r->objective);
    if (with_queues)
        cJSON_AddItemToObject(o, "link_queues", queues_json(pf, p, r));
    return o;
}

static double change_pct(double before, double after)
{
    return isfinite(before) && isfinite(after) && before > 0 ? 100.0 * (after - before) / before
                                                             : NAN;
}

char *report_perf_json(const zp_perf *pf, const zp_problem *p, const zp_perf_result *initial,
                       const zp_perf_result *final)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "percentile", 100.0 * pf->phi);
    cJSON_AddBoolToObject(o, "network", pf->network);
    cJSON_AddStringToObject(o, "bundle", pf->bundle == ZP_BUNDLE_HASH ? "hash" : "per_request");
    cJSON_AddStringToObject(o, "percentile_method",
                            pf->pct_method == ZP_PCT_EXACT ? "exact" : "paper_bound");
    cJSON_AddItemToObject(o, "initial", perf_result_json(pf, p, initial, 0));
    cJSON_AddItemToObject(o, "final", perf_result_json(pf, p, final, 1));
    double d = change_pct(initial->mean_weighted, final->mean_weighted);
    cJSON_AddItemToObject(o, "mean_change_pct", isfinite(d) ? cJSON_CreateNumber(d)
                                                            : cJSON_CreateNull());
    char *printed = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    text = printed ? zp_strdup(printed) : NULL; /* the caller frees with zp_free, not cJSON */
    cJSON_free(printed);
    return text;
}

static void print_ms(FILE *out, const char *label, double seconds)
{
    if (isfinite(seconds))
        fprintf(out, "%s %.3f ms", label, 1e3 * seconds);
    else
        fprintf(out, "%s unbounded (unstable)", label);
}

/* Queues of r in decreasing utilisation (ties by index), the first n of them into top. */
static int busiest_queues(const zp_perf_result *r, int64_t *top, int n)
{
    int found = 0;
    for (int64_t q = 0; q < r->nqueues; q++) {
        if (r->queue_rate[q] <= 0)
            continue;
        int i = found < n ? found++ : n;
        if (i == n && !(r->queue_util[q] > r->queue_util[top[n - 1]]))
            continue;
        i = ZP_MIN(i, n - 1);
        while (i > 0 && r->queue_util[q] > r->queue_util[top[i - 1]]) {
            top[i] = top[i - 1];
            i--;
        }
        top[i] = q;
    }
    return found;
}

/* The busiest link queues with the load of every member of their bundle, so that a hashed
 * bundle's imbalance shows. */
static void print_busiest_links(FILE *out, const zp_perf *pf, const zp_problem *p,
                                const zp_perf_result *r)
{
    int64_t top[REPORT_BUSIEST];
    int n = busiest_queues(r, top, REPORT_BUSIEST);
    if (n == 0)
        return;
    fprintf(out, "busiest link queues (utilisation of each bundle member):");
    for (int i = 0; i < n; i++) {
        int a, b, member;
        perf_queue_info(pf, top[i], &a, &b, &member);
        int64_t first = top[i] - member, d = (int64_t)a * p->k + b;
        int64_t members = pf->queue_base[d + 1] - pf->queue_base[d];
        fprintf(out, "%s %s->%s", i ? ";" : "", p->zone_names[a], p->zone_names[b]);
        for (int64_t q = first; q < first + members; q++)
            fprintf(out, " %s%.3g", q == top[i] ? "*" : "", r->queue_util[q]);
    }
    fprintf(out, "\n");
}

void report_perf_print(FILE *out, const zp_perf *pf, const zp_problem *p,
                       const zp_perf_result *initial, const zp_perf_result *final)
{
    fprintf(out, "response time (model%s):", pf->network ? ", with network" : "");
    print_ms(out, " mean", final->mean_weighted);
    double d = change_pct(initial->mean_weighted, final->mean_weighted);
    print_ms(out, " (initial placement", initial->mean_weighted);
    if (isfinite(d))
        fprintf(out, ", %+.1f%%", d);
    fprintf(out, ");");
    char label[32];
    snprintf(label, sizeof label, " worst p%g%s", 100.0 * pf->phi,
             pf->pct_method == ZP_PCT_PAPER_BOUND ? " (paper's bound)" : "");
    print_ms(out, label, final->max_pct);
    print_ms(out, "; worst mean", final->worst_mean);
    fprintf(out, "; unstable: %d servers, %lld link queues\n", final->unstable_servers,
            (long long)final->unstable_links);
    if (pf->network)
        print_busiest_links(out, pf, p, final);
    if (final->busy_servers || final->busy_links)
        fprintf(out, "warning: near saturation (utilisation >= %g, where the model is least "
                "reliable): %d servers, %lld link queues\n", ZP_PERF_BUSY, final->busy_servers,
                (long long)final->busy_links);
    if (final->overbooked_zones > 0)
        fprintf(out, "warning: the cpu reservations of the apps exceed the cpu capacity of %d of "
                "%d zones\n", final->overbooked_zones, p->k);
    if (pf->network && final->bound_deps > 0)
        fprintf(out, "note: %lld percentiles are upper bounds (%s)\n", (long long)final->bound_deps,
                pf->pct_method == ZP_PCT_PAPER_BOUND ? "the paper's bound"
                                                     : "mixed request sizes on their link queue");
}
