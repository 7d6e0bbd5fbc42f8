/* importcmd.h - the command-line fronts of `zoneplace import` (import.h, import_k8s.h,
 * import_trace.h) and `zoneplace export` (export.h):
 *
 *   zoneplace import k8s FILE... [--calls FORMAT:FILE]... [--current CUR.csv]
 *                    [--zones K [--capacity-slack X]] [--imbalance E] [--name N] --out C.json
 *   zoneplace import jaeger|zipkin|otel|alibaba FILE... --zones K ... --out C.json
 *   zoneplace export k8s --config C.json --summary S.json [--manifests FILE]...
 *                    [--out PATCHES.yaml] [--plan PLAN.csv] [--plan-json PLAN.json]
 *   common: [--force] [--quiet]
 *
 * Serial work: under mpirun only rank 0 reads and writes. */
#ifndef ZP_IMPORTCMD_H
#define ZP_IMPORTCMD_H

/* Run the command; argv[1] is "import" or "export". ZP_OK or the error code (message set). */
int import_main(int argc, char **argv, int rank);
int export_main(int argc, char **argv, int rank);

#endif
