/* perfconf.h - the input side of the response-time model: reads a config's "perf" section into
 * the model's parameters (zp_perf, perfmodel.h), with messages "file: perf.path: what is wrong".
 * The only part of the model that sees JSON.
 *
 * The top-level section "perf" (every key optional unless marked; unknown keys are errors):
 *   {
 *     "service_rate": 1000,       required: mu, requests/s an app serves on a whole core (> 0)
 *     "reservation": 0.5,         Q/P, cores reserved per app: > 0 and at most 1 (one server
 *                                 at mu Q/P) or a whole number c (M/M/c, c servers at mu); or
 *                                 "auto": the app's cpu demand, in cores (needs a resource
 *                                 "cpu" and a cpu demand > 0 for every app that serves).
 *                                 Default 1. Reservations become cpu demands the placement
 *                                 must hold (perf_reserve_cpu).
 *     "request_size_kb": 4,       E[s], mean request size in kB (1 kB = 1000 bytes, > 0),
 *                                 default 1.
 *     "percentile": 99,           phi in percent, 0 < phi < 100. Default 99.
 *     "network": true,            whether the objective and the summary include the network
 *                                 term (the per-dependency results always give both). Default true.
 *     "bundle": "hash",           how a bundle of links carries conversations: "hash" (IEEE
 *                                 802.3ad, each dependency on the member its hash picks) or
 *                                 "per_request" (ideal spreading: one queue of the bundle's
 *                                 whole bandwidth). Default "hash".
 *     "percentile_method": "exact",  "exact" (the quantile of the model's response time) or
 *                                 "paper_bound" (the paper's Eq. 4). Default "exact".
 *     "tiers": {
 *       "zone": {"latency_ms": 0.134, "link_gbps": 10, "links": 1},   inside a zone
 *       "core": {"latency_ms": 0.67,  "link_gbps": 10, "links": 2}    between zones
 *     },                          latency_ms = one-way delta (>= 0); links an integer >= 1.
 *                                 Defaults: 0.134 ms / 0.67 ms (half of Pingmesh's round
 *                                 trips), 10 Gbit/s, 1 link.
 *     "pairs": [{"zones": ["z0", "z1"], "latency_ms": 34, "link_gbps": 1, "links": 1}],
 *                                 per zone pair overrides of the tier values (["z0", "z0"] is
 *                                 zone z0's own link), e.g. regions.
 *     "apps": {"A3": {"service_rate": 200, "reservation": 1.0, "request_size_kb": 8}},
 *                                 per app overrides; request_size_kb here is the mean size of
 *                                 the requests the app serves.
 *     "dependencies": [{"apps": ["A1", "A2"], "server": "A2", "request_size_kb": 16}]
 *                                 per dependency overrides (the pair must be a dependency).
 *   }
 * Request size precedence: dependency entry, then the server's "apps" entry, then the default.
 */
#ifndef ZP_PERFCONF_H
#define ZP_PERFCONF_H

#include "perfmodel.h"

struct cJSON; /* the JSON library's node: callers of perf_parse include <cJSON.h>, others need not */

/* Parses the "perf" section (node, a JSON object) for problem p; file names the config in
 * messages. On success *out is a new zp_perf the caller releases with perf_destroy(). On failure
 * *out is untouched and the status is ZP_EINPUT with a message "file: perf.path: what is wrong",
 * or ZP_ERUNTIME when out of memory. p must have its apps, zones and dependencies set. */
int perf_parse(const struct cJSON *node, const char *file, const zp_problem *p, zp_perf **out);

/* perf_parse() of the section kept as JSON text (zp_config.perf_json); *out = NULL when text is
 * NULL (no "perf" section). */
int perf_parse_text(const char *text, const char *file, const zp_problem *p, zp_perf **out);

#endif
