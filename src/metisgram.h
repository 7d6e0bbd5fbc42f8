/* metisgram.h - the METIS .graph grammar shared by the serial reader (graphio.c) and the
 * parallel one (dread.c): the header, the values and neighbours of a vertex line, and the
 * "file:line: message" of every defect either detects, so that both refuse a file in the same
 * words (the format and the rules: graphio.h, graphio_read_metis). */
#ifndef ZP_METISGRAM_H
#define ZP_METISGRAM_H

#include <limits.h>
#include <stdint.h>

#include "textin.h"

/* Largest sum of the first vertex weights (the balance weights): below ZP_UNLIMITED_SLOTS, so
 * no zone load reaches it and every int sum stays exact. */
#define METIS_MAX_BALANCE_WEIGHT (INT_MAX - 1)

typedef struct {
    int n;     /* vertices */
    int64_t m; /* undirected edges */
    int has_vsize, has_vwgt, has_ewgt;
    int ncon;  /* vertex weights per vertex, 0 without them */
    long line; /* the header's line */
} metis_header;

/* A '%' comment line (blanks before the '%' allowed). */
int metis_is_comment(const char *line);

/* Next line of r that is not a comment, or *line = NULL at the end. */
int metis_next_data_line(line_reader *r, char **line);

/* Reads the header "n m [fmt [ncon]]", the first line that is not a comment. */
int metis_read_header(line_reader *r, metis_header *h);

/* Vertex u's size (when the format has sizes, into *size) and its ncon weights (into
 * weights[0..ncon)) at the start of its line *s (the line r last returned); *s moves past them.
 * Negative values and values above ZP_MAX_NUMBER are refused. */
int metis_vertex_values(const metis_header *h, const line_reader *r, int u, char **s,
                        double *size, double *weights);

/* The next neighbour v (0-based) of u on its line and its edge weight w (1 without edge
 * weights); *found = 0 at the end of the line. Refuses ids out of range, self-loops and edge
 * weights that are missing, <= 0 or above ZP_MAX_NUMBER. */
int metis_neighbour(const metis_header *h, const line_reader *r, int u, char **s, int *v,
                    int64_t *w, int *found);

/* The messages of the checks that span lines (ids 0-based, lines 1-based; each returns
 * ZP_EINPUT). */
int metis_fail_balance(const char *path, long line);
int metis_fail_more_edges(const char *path, long line, int64_t m);
int metis_fail_asymmetric(const char *path, long line, int u, int v);
int metis_fail_listed_twice(const char *path, long line, int u, int v);
int metis_fail_edge_weight(const char *path, long line, int u, int v, double w, double other,
                           long other_line);
int metis_fail_vertex_lines(const char *path, long line, int n, int found);
int metis_fail_more_lines(const char *path, long line, int n);
int metis_fail_edge_count(const char *path, long line, int64_t m, int64_t listed);

#endif
