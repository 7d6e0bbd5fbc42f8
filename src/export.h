/* export.h - `zoneplace export k8s`: a placement a cluster can apply.
 *
 * From a config and the summary of its run (tasks[0].placement), and the manifests the config
 * was imported from (to know each workload's kind and namespace):
 *   - patches: one YAML document per workload, a strategic-merge patch (apiVersion, kind,
 *     metadata.name/namespace, spec.template.spec.affinity.nodeAffinity requiring
 *     topology.kubernetes.io/zone In [zone]) for kubectl patch or kustomize;
 *   - a migration plan from the current placement (apps[].current_zone) to the new one, as CSV
 *     and/or JSON: one step per app that moves (or is placed for the first time), in an order in
 *     which no step makes a zone exceed its capacity or slots (a moved app is counted in its new
 *     zone before it leaves the old one, as a rolling update runs it), each with its move cost
 *     move_factor * size * D[from][to]. When every remaining move waits for room, an app steps
 *     aside to a zone with room first (a "detour" step); a plan that cannot be ordered at all is
 *     refused (ZP_EINPUT). */
#ifndef ZP_EXPORT_H
#define ZP_EXPORT_H

#include <stdio.h>

typedef struct {
    const char *config, *summary;
    const char *const *manifests;
    int nmanifests;
    const char *out;       /* patches (YAML), or NULL */
    const char *plan_csv;  /* or NULL */
    const char *plan_json; /* or NULL */
} export_options;

/* Writes the outputs asked for; notes (what had no workload, the plan's size) go to notes
 * unless NULL. */
int export_k8s(const export_options *o, FILE *notes);

#endif
