/* import.h - what `zoneplace import` gathers from real sources before it writes a config:
 * workloads (apps with cpu/ram requests and where they run now), zones (from nodes or made up),
 * and call counts between services, aggregated by (caller, callee) in bounded memory whatever
 * the number of call records. Readers of the sources: import_k8s.c (Kubernetes YAML/JSON),
 * import_trace.c (Jaeger/Zipkin dependency links, OpenTelemetry service-graph metrics, the
 * Alibaba 2022 CallGraph CSV). Name matching between call-graph services and workloads and the
 * config writer are here. */
#ifndef ZP_IMPORT_H
#define ZP_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "strmap.h"

typedef struct {
    char *name;      /* the app name in the config (see import_name_workloads) */
    char *base;      /* metadata.name */
    char *ns;        /* metadata.namespace ("default") */
    char *kind;      /* Deployment, StatefulSet, DaemonSet; "Service" for a call-graph service */
    char *file;      /* where it was read, for messages */
    long line;
    double replicas; /* pods */
    double cpu, ram; /* per pod: millicores, MiB */
    char *zone;      /* zone it runs in now, or NULL */
} import_app;

typedef struct {
    char *name;
    double cpu, ram; /* allocatable, summed over the zone's nodes */
    int nodes;
} import_zone;

/* Call counts between service names as the call graph spells them. */
typedef struct {
    char **names; /* interned service names */
    int nnames, cap_names;
    zp_strmap *index;
    uint64_t *keys; /* open-addressing (caller << 32 | callee) + 1, 0 empty */
    double *count;
    int64_t cap, size;
} import_calls;

typedef struct {
    import_app *apps;
    int napps, cap_apps;
    import_zone *zones;
    int nzones, cap_zones;
    import_calls calls;
    /* what was skipped or defaulted, for the notes */
    int64_t missing_requests; /* containers without a cpu or memory request */
    int64_t other_objects;    /* Services, ConfigMaps... */
    int64_t nodes_without_zone;
    int64_t unknown_rows;     /* call records naming no service (Alibaba UNKNOWN, empty) */
    int64_t self_calls;       /* records of a service calling itself */
    int64_t zero_counts;      /* caller-callee pairs with count 0 (a config weight is > 0) */
    int64_t records;          /* call records read */
    char other_kinds[256];
} zp_import;

void import_init(zp_import *im);
void import_free(zp_import *im);

/* Adds a workload (strings copied); *out the new app. */
int import_add_app(zp_import *im, const char *base, const char *ns, const char *kind,
                   const char *file, long line, import_app **out);
/* Adds allocatable to zone name (created on first use). */
int import_add_to_zone(zp_import *im, const char *name, double cpu, double ram);

/* Adds count calls caller -> callee (names as the source spells them). */
int import_add_calls(zp_import *im, const char *caller, const char *callee, double count);

/* Gives every app its config name: metadata.name, or namespace/name where two namespaces use
 * the same name (namespace/kind/name where even that is shared). */
int import_name_workloads(zp_import *im);

/* Options of the config written. */
typedef struct {
    const char *name;       /* config name */
    const char *description;
    int zones;              /* K made-up zones when no nodes were read (0: nodes needed) */
    double capacity_slack;  /* with made-up zones: (1+X)/K of the total demand each; < 0: none */
    double imbalance;       /* objective.imbalance */
    int calls_only;         /* apps are the services of the call graph */
    const char *current;    /* CSV app,zone of the current placement, or NULL */
} import_options;

/* Matches the call graph to the apps (exact name, then the name without a namespace or DNS
 * suffix, then case-insensitively), notes what did not match on f (NULL: quiet) and writes the
 * config JSON to path (via report_write_text). */
int import_write_config(zp_import *im, const import_options *opt, const char *path, FILE *notes);

/* The service part of a call-graph or workload name: "cart.shop.svc.cluster.local" and
 * "shop/cart" give "cart" (into buf of len bytes). */
void import_base_name(const char *name, char *buf, size_t len);

#endif
