/* report.h - what a run tells its user: the human report on stdout (per-phase table, per-zone
 * bars like the thesis's "zone0 :++++++++++") and the summary JSON for scripts and tests. */
#ifndef ZP_REPORT_H
#define ZP_REPORT_H

#include <stdio.h>

#include "pipeline.h"

/* Prints the report of one task. p is the problem of the final placement. */
void report_print(FILE *out, const zp_problem *p, const zp_task_result *res, int init_kind);

/* Writes {"tasks":[...]} with every task's phases, final metrics and placement to path,
 * through path.partial and a rename so a crash never leaves a partial file. ZP_EIO on failure. */
int report_write_summary(const char *path, const zp_task_result *results, int ntasks,
                         const char *const *instances, const char *extra_json);

/* Appends the metric fields of m to a cJSON object (opaque here to keep cJSON out of callers). */
void *report_metrics_json(const zp_metrics *m);

#endif
