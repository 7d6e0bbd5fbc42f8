/* import_trace.h - call graphs for `zoneplace import`, each added to the import's call counts:
 *
 *   jaeger, zipkin  dependency links JSON: an array (Zipkin /api/v2/dependencies) or {"data":
 *                   [...]} (Jaeger /api/dependencies) of {"parent", "child", "callCount"};
 *                   other keys (errorCount, source) are ignored. Errors "file: path: message".
 *   otel            OpenTelemetry service-graph metrics in Prometheus text format: the samples
 *                   traces_service_graph_request_total{client="a",server="b",...} V [time],
 *                   summed over their other labels; other metrics and # lines are ignored.
 *   alibaba         the Alibaba cluster-trace-microservices-v2022 CallGraph CSV (columns found
 *                   by header name: um, dm; the others, such as timestamp, traceid, rpc_id,
 *                   rpctype, interface, rt, are ignored): one call um -> dm per row, streamed in
 *                   bounded memory (the services and distinct pairs, not the rows); rows whose
 *                   um or dm is empty, "UNKNOWN" or "?" are counted and skipped.
 *
 * Text formats give "file:line: message". */
#ifndef ZP_IMPORT_TRACE_H
#define ZP_IMPORT_TRACE_H

#include "import.h"

enum { TRACE_JAEGER, TRACE_ZIPKIN, TRACE_OTEL, TRACE_ALIBABA, TRACE_FORMATS };

/* The format named name (jaeger, zipkin, otel, alibaba), or -1. */
int trace_format(const char *name);

int import_trace_file(zp_import *im, int format, const char *path);

#endif
