/* report.h - what a run tells its user: the human report on stdout (per-phase table, per-zone
 * bars like the thesis's "zone0 :++++++++++") and the summary JSON for scripts and tests. */
#ifndef ZP_REPORT_H
#define ZP_REPORT_H

#include <stdio.h>

#include "perfmodel.h"
#include "pipeline.h"

/* Prints the report of one task. p is the problem of the final placement. */
void report_print(FILE *out, const zp_problem *p, const zp_task_result *res, int init_kind);

/* Writes {"complete", "stopped_by", "tasks":[...]} with every task's phases, final metrics and
 * placement for path, the way report_write_text does, or, tmp not NULL, only to a temporary
 * file whose name goes to *tmp for the caller to publish (zp_publish, or h5out_publish_with).
 * complete = 0 for a checkpoint or a stopped run; stopped_by names the signal that stopped it
 * ("" if none). task_perf (may be NULL, or hold NULLs) gives a JSON object per task stored as
 * its "perf". ZP_EIO on failure. */
int report_write_summary(const char *path, const zp_task_result *results, int ntasks,
                         const char *const *instances, const char *const *task_perf,
                         int complete, const char *stopped_by, char **tmp);

/* The response-time model's numbers of an initial and a final placement as a JSON object
 * (times in ms, null where a queue is unstable); the final placement's link queues are listed
 * one by one (zones, bundle member, load). Returns a string to free with zp_free, or
 * NULL when out of memory. */
char *report_perf_json(const zp_perf *pf, const zp_problem *p, const zp_perf_result *initial,
                       const zp_perf_result *final);
/* The report's lines: mean, worst percentile and worst mean response time, and by how much the
 * mean changed from the initial placement; the busiest link queues with their bundle members'
 * utilisations; warnings for queues near saturation and overbooked cpu reservations. */
void report_perf_print(FILE *out, const zp_perf *pf, const zp_problem *p,
                       const zp_perf_result *initial, const zp_perf_result *final);

/* The summary entry of one task (a cJSON object, opaque here): task, instance, zones, apps,
 * seed, starts, epochs, best_start, objective_kind ("traffic" or "latency": what the search
 * minimised), wall_seconds, phases, final, start_seeds, placement. NULL when out of memory. */
void *report_task_json(const zp_task_result *res, const char *instance);

/* Writes text and a newline to a temporary file of its own for path (outfile.h), then renames
 * it over path. ZP_EIO on failure. */
int report_write_text(const char *path, const char *text);

/* Appends the metric fields of m to a cJSON object (opaque here to keep cJSON out of callers). */
void *report_metrics_json(const zp_metrics *m);

#endif
