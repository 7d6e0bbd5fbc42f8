/* dread.h - the parallel METIS .graph reader: every rank of a communicator parses its own byte
 * range of the file (split at line boundaries) into its slice of the distributed graph
 * (dgraph.h), so that no rank ever holds the whole graph. Plain C over the collectives of
 * zp_dcomm (dcomm.h): par_dcomm() under MPI, dcomm_serial() in the unit tests.
 *
 * It reads what graphio_read_metis reads (graphio.h: format, mapping, limits) and gives the
 * graph dgraph_from_problem would cut from that problem: rows sorted by neighbour, edge weights
 * as int64 fixed point with scale 1 (METIS weights are integers), vwgt the first vertex
 * weight (1 without weights). The vertex ranges follow the file's bytes: rank r owns the vertex
 * lines that start in bytes [r*B/P, (r+1)*B/P) (B bytes, P ranks; a range may be empty).
 *
 * A defective file is refused with the status and the "file:line: message" the serial reader
 * gives for it, whatever the number of ranks: each rank keeps the first defect of its lines in
 * the order the serial reader would detect it, the ranks agree on the first one, and only the
 * rank that found it keeps the message (the others' zp_error_message() is empty); every rank
 * returns the same status. Symmetry is checked with an order-independent hash sum of the edges
 * (an asymmetric file passes with probability 2^-64); when it fails, the adjacency entries
 * travel to their owners once to name the first defect exactly. */
#ifndef ZP_DREAD_H
#define ZP_DREAD_H

#include <stdint.h>

#include "dcomm.h"
#include "dgraph.h"

typedef struct {
    int64_t n;          /* vertices (apps) of the whole graph (header) */
    int64_t ndeps;      /* undirected edges (header m) */
    int ncon;           /* vertex weights per vertex in the file (0: none) */
    int has_vsize;      /* the file has vertex sizes (fmt 1xx) */
    int64_t total_vwgt; /* sum over all vertices of the balance weight (first vertex weight; 1
                         * without weights) */
    double *demand;     /* [nl * ncon] the owned vertices' weights, as graphio_read_metis's
                         * demands; NULL when ncon = 0 */
    double *size;       /* [nl] the owned vertices' sizes, NULL without sizes */
    int64_t header_line;
} zp_dread_info;

/* Collective over dc: rank r parses its byte range of path into *g (its slice) and *info.
 * ZP_EINPUT "path:line: ..." for a defective file, ZP_EIO when it cannot be opened or read; on
 * failure *g is NULL and *info empty on every rank. */
int dread_metis(const char *path, zp_dcomm *dc, zp_dgraph **g, zp_dread_info *info);

void dread_info_free(zp_dread_info *info);

#endif
