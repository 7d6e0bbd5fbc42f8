/* generate.h - deterministic synthetic instances at any size: microservice-like dependency
 * graphs, power-law graphs and grids/meshes. The same parameters and seed give the same problem, hence
 * byte-identical files when written with graphio (the random draws are xoshiro streams; the
 * shaping uses libm pow, so a different libm could in principle differ in a last bit).
 * Memory is O(n + m). No zones are set: see graphio_uniform_zones. Bad parameters are
 * ZP_EUSAGE. */
#ifndef ZP_GENERATE_H
#define ZP_GENERATE_H

#include <stdint.h>

#include "problem.h"

/* A microservice system of n apps ("svc0".."svc{n-1}") and exactly m_target listed
 * dependencies (caller -> callee; repeats merge into heavier edges, so the CSR has somewhat
 * fewer edges). Structure:
 *  - apps form clusters ("applications") of heavy-tailed size (Pareto, alpha 1.5, minimum
 *    about twice the mean degree), grouped by eight into domains;
 *  - about sqrt(n)/4 shared services (auth, databases, queues) receive 6% of the calls,
 *    Zipf-distributed over them, so a few have huge degree;
 *  - 12% of the calls cross clusters, 70% of those inside the caller's domain;
 *  - the rest stay inside a cluster, endpoints drawn by per-app popularity (Pareto, exponent
 *    2.5, Chung-Lu style), which gives power-law degrees;
 *  - call weights (requests per time unit) are log-uniform integers in 1..99;
 *  - demands: cpu (millicores) log-uniform in 50..4000, ram (MiB) in 64..16384, correlated with
 *    cpu; shared services are drawn from the top of both ranges.
 * App ids are a random permutation of the structure, so ids carry no locality. */
int generate_microservices(int64_t n, int64_t m_target, uint64_t seed, zp_problem **out);

/* A rows x cols grid, apps "g<r>_<c>", unit weights, no resources; 4 neighbours, or 8 with
 * diagonals. */
int generate_grid(int rows, int cols, int diagonals, zp_problem **out);

/* A Barabasi-Albert power-law graph: apps "p0".."p{n-1}", unit weights, no resources. The
 * first attach + 1 apps form a clique; each later app links to attach distinct earlier apps,
 * each drawn with probability proportional to its degree (preferential attachment, drawn from
 * the list of edge endpoints: Batagelj and Brandes), so degrees follow a power law of exponent
 * 3 and, unlike micro, the graph has no clusters. n < attach + 1 gives a clique of n. */
int generate_powerlaw(int64_t n, int attach, uint64_t seed, zp_problem **out);

/* An nx x ny x nz hexahedral mesh with 6 neighbours, apps "m<x>_<y>_<z>", unit weights. */
int generate_mesh3d(int nx, int ny, int nz, zp_problem **out);

#endif
