/* graphio.h - large inputs and outputs in plain-text formats other tools share: METIS .graph
 * files, CSV microservice data (services.csv + calls.csv) and partition files; and the uniform
 * zone set-up that a bare graph is partitioned into (the METIS convention).
 *
 * Every reader validates its whole input and reports the first defect as
 * "file:line: message" with status ZP_EINPUT; a file that cannot be opened, read or written is
 * ZP_EIO with "file: strerror". Readers stream their input through a large buffer (no fscanf)
 * and use O(n + m) memory: 1M vertices / 10M edges read in a few seconds. */
#ifndef ZP_GRAPHIO_H
#define ZP_GRAPHIO_H

#include <stdint.h>

#include "problem.h"

/* Reads a METIS graph file: header "n m [fmt [ncon]]" (fmt digits: 100 vertex sizes,
 * 10 vertex weights, 1 edge weights), then one line per vertex with its 1-based neighbours,
 * '%' comment lines anywhere. An empty line is a vertex without neighbours.
 *
 * Mapping onto the model: apps "v1".."vn". Without vertex weights every app's balance weight is
 * 1 (p->vwgt = NULL), so the band counts apps as METIS counts unit-weight vertices. With vertex
 * weights the first weight of each vertex becomes its balance weight (p->vwgt), so the band
 * bounds the weight of every zone, as METIS bounds part weights (ncon = 1; with ncon > 1 METIS
 * balances every weight, zoneplace the first one only, the others stay demands). Every weight
 * also becomes a resource demand: one resource "weight" for ncon = 1, "weight1".."weightN"
 * otherwise (limited only when zones get capacities). Vertex sizes become the apps' migration
 * sizes. Edge weights become dependency weights (default 1). Each undirected edge is one
 * listed dependency (ndeps = m). No zones are set (see graphio_uniform_zones).
 *
 * Rejected with file:line: header counts that disagree with the body (vertex lines, edges =
 * half the adjacency entries), neighbour ids out of range, self-loops, a neighbour listed twice
 * on a line, asymmetry (u lists v but v does not list u, or with another weight), tokens that
 * are not integers, negative vertex weights or sizes, edge weights <= 0, weights and sizes above
 * ZP_MAX_NUMBER (1e15, the limit of every input format), a line longer than ZP_MAX_INPUT_BYTES,
 * first vertex weights that add up to more than 2^31 - 2. */
int graphio_read_metis(const char *path, zp_problem **out);

/* Names p's resources as graphio_read_metis does for ncon vertex weights: "weight" for one,
 * "weight1".."weightN" for more (p->nres = ncon). */
int graphio_name_weights(zp_problem *p, int ncon);

/* Reads CSV microservice data. services.csv: header naming the columns name, cpu_millicores,
 * mem_mib and optionally disk_mib (any order), one service per line; resources "cpu"
 * (millicores), "ram" (MiB) and, with the column, "disk" (MiB). calls.csv: header with caller,
 * callee and optionally weight (requests per time unit, default 1), one call per line; every
 * line is one listed dependency (mutual or repeated calls merge into one edge, as docs/design.md
 * says). Fields are trimmed; blank lines are skipped; quoting is not supported.
 * Rejected with file:line: missing, unknown or repeated columns, wrong field counts, empty
 * names, numbers that are not finite (demands < 0, weights <= 0), duplicate service names,
 * calls naming an unknown service, a service calling itself, no services at all. */
int graphio_read_csv(const char *services_path, const char *calls_path, zp_problem **out);

/* Flags of graphio_write_metis_flags. */
enum {
    GRAPHIO_NO_VERTEX_WEIGHTS = 1 /* structure and edge weights only (unit-demand instances) */
};

/* Writes p's graph as a METIS file that graphio_read_metis (and gpmetis, gpart) read back:
 * demands as vertex weights (ncon = nres), migration sizes as vertex sizes when any differs
 * from 1, dependency weights as edge weights when any differs from 1. METIS holds integers, so
 * a non-integral value is ZP_EINPUT naming the app. Output is deterministic. */
int graphio_write_metis(const zp_problem *p, const char *path);
int graphio_write_metis_flags(const zp_problem *p, const char *path, int flags);

/* Writes p as services.csv + calls.csv that graphio_read_csv reads back. The services columns
 * come from the resources cpu, ram (written as 0 if absent) and disk (if present); another
 * resource cannot be represented and is ZP_EINPUT. A merged edge of multiplicity c and weight w
 * is written as c calls whose weights add up to exactly w, so the merged graph, ndeps and the
 * multiplicities survive the round trip (the direction of each call does not). */
int graphio_write_csv(const zp_problem *p, const char *services_path, const char *calls_path);

/* Gives p k identical zones "z0".."z{k-1}" (replacing any zones it had): unlimited capacity
 * and slots, io on, the fat-tree distances D (e_in 10, e_core 100: 40 inside, 240 across), and
 * p->imbalance = imbalance, so that problem_band() bounds every zone by
 * floor((1 + imbalance) * ceil(W / k)) (W: total balance weight, n for unit weights), the
 * balance constraint of a `--graph` run.
 * ZP_EUSAGE for k < 1 or an imbalance that is negative or not finite. */
int graphio_uniform_zones(zp_problem *p, int k, double imbalance);

/* Writes a placement as a partition file: one zone index (0-based) per line, n lines. */
int graphio_write_partition(const char *path, const int *x, int n);

/* Reads a partition file for n apps and k zones into *x (allocated, owned by the caller):
 * exactly n lines, each an integer in [0, k). Errors are file:line (ZP_EINPUT). */
int graphio_read_partition(const char *path, int n, int k, int **x);

#endif
