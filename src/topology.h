/* topology.h - the zone distance matrix D: cost of one request between two zones.
 *
 * The thesis's fat tree: access and aggregation edges cost e_in, core edges e_core. A request
 * inside a zone crosses 4 inner edges (4*e_in = 40 by default); across zones 4 inner and 2 core
 * edges (4*e_in + 2*e_core = 240). An explicit k x k matrix (regions, measured latencies) may
 * replace it. */
#ifndef ZP_TOPOLOGY_H
#define ZP_TOPOLOGY_H

#include "problem.h"

/* Fills p->dist from fat-tree edge costs (p->k must be set). */
int topology_fat_tree(zp_problem *p, double e_in, double e_core);
/* Copies an explicit k x k matrix (row-major) into p->dist. */
int topology_matrix(zp_problem *p, const double *matrix);
/* Whether D is the fat-tree shape: one value on the diagonal, one off it. */
int topology_is_uniform(const zp_problem *p);

#endif
