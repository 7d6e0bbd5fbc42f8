/* h5io.h - HDF5 plumbing of the output layer, internal to src/h5*.c: error handling (one
 * message naming the file, collective agreement on a status), compound types built from field
 * lists, attributes, extendible tables and small datasets written from rank 0. The only header
 * that includes hdf5.h; h5out.c (the run's file layout), h5perf.c (the /perf groups) and
 * h5read.c (reading a file back, with a zp_h5io of no communicator) build on it.
 *
 * Every function taking a zp_h5io is collective over io->comm unless its comment says otherwise.
 * Errors: HDF5's own printing is turned off; a failure becomes one zp_fail message naming the
 * file, the object and HDF5's innermost reason. */
#ifndef ZP_H5IO_H
#define ZP_H5IO_H

#include <hdf5.h>

#include <stddef.h>
#include <stdint.h>

#include "h5out.h"
#include "par.h"

/* The open file as every rank of the communicator sees it. */
typedef struct {
    zp_comm *comm;
    int rank;
    int live;    /* opened and set up: HDF5 failures end the job (see H5_TRY) */
    int created; /* the partial file is ours (a refused open must not remove another run's) */
    char *partial; /* the file being written (a temporary name of its own, outfile.h) */
    const char *path; /* its final name, for messages about the disk */
    int resfd;        /* rank 0: descriptor of partial for reserving disk space, or -1 */
    char *reserve;    /* rank 0: the reserve file (h5_open_file), or NULL */
    hid_t file, dxpl;
} zp_h5io;

/* ---- table descriptions -------------------------------------------------------------------- */

enum { F_I32, F_I64, F_U64, F_F64, F_STR };

typedef struct {
    const char *name;
    size_t offset;
    int kind;
    size_t len; /* F_STR: bytes including the NUL */
    const char *units;
    const char *meaning;
} field;

#define MAX_FIELDS 48

/* An extendible table. Rows are packed into the file layout before writing (ftype is also the
 * memory type), so no datatype conversion breaks the collective transfer. */
typedef struct {
    hid_t dset, ftype;
    int64_t rows;
    const char *name;
    size_t row_size, file_size; /* bytes of a row in memory (struct) and in the file */
    int compressed;
    int nf;
    size_t moff[MAX_FIELDS], foff[MAX_FIELDS], fbytes[MAX_FIELDS];
} table;

/* ---- tables -------------------------------------------------------------------------------- */

typedef struct {
    const field *f;
    size_t n, base;
} field_group;

typedef struct {
    const char *name;
    field_group groups[3];
    int ngroups;
    size_t row_size;
    hsize_t chunk;
    int compress;
    const char *description;
} table_spec;

#define NFIELDS(a) (sizeof(a) / sizeof *(a))

/* Checks an HDF5 call (in a function with a zp_h5io *io, an int rc and a label out): a negative
 * value jumps to out with ZP_EIO while the file is being set up (failures there are the same on
 * every rank and are agreed on), and ends the job once it is live (see h5_abort). */
#define H5_TRY(expr, what)                                                                         \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            if (io->live)                                                                          \
                h5_abort(io, what);                                                                \
            rc = h5_fail(io->partial, what);                                                       \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* Records "FILE: HDF5 cannot WHAT: reason" and returns ZP_EIO. */
int h5_fail(const char *file, const char *what);
/* A failed HDF5 call once the file is live: reports it, removes the partial file and ends the
 * job with ZP_EIO (the other ranks may wait in a collective call this rank never joins). */
void h5_abort(const zp_h5io *io, const char *what) __attribute__((noreturn));
/* Not collective: closes any HDF5 id (a negative one is left alone) and invalidates it. */
void h5_close_id(hid_t *id);
/* The agreed status; a rank that did not fail itself names the failure. */
int h5_agree(zp_h5io *io, int rc);

/* Not collective: the memory (file = 0) or little-endian file (file = 1) type of a field kind;
 * F_STR: fixed-length UTF-8 of len bytes. */
hid_t h5_atom(int kind, size_t len, int file);
/* Not collective: variable-length UTF-8 string type (attributes only). */
hid_t h5_vlstr_type(void);
/* String attribute, scalar or array of n (same values on every rank). */
int h5_attr_strs(zp_h5io *io, hid_t obj, const char *name, const char *const *vals, int n,
                 int scalar);
int h5_attr_str(zp_h5io *io, hid_t obj, const char *name, const char *val);
int h5_attr_i64(zp_h5io *io, hid_t obj, const char *name, int64_t v);
int h5_attr_f64(zp_h5io *io, hid_t obj, const char *name, double v);
/* units (unless NULL) and description attributes of a dataset */
int h5_describe(zp_h5io *io, hid_t obj, const char *units, const char *description);
/* Not collective: reads the attribute name of obj into buf (memory type mt); -1 if it is
 * missing or unreadable. */
int h5_attr_read(hid_t obj, const char *name, hid_t mt, void *buf);

/* Creates an empty extendible table with its field documentation. */
int h5_table_create(zp_h5io *io, table *t, const table_spec *spec);
/* Opens an existing table, which must have exactly this build's fields. */
int h5_table_open(zp_h5io *io, table *t, const table_spec *spec);
/* Appends every rank's n rows (n may differ, and be 0) after the table's rows, in rank order. */
int h5_table_append(zp_h5io *io, table *t, const void *rows, int64_t n);

/* Creates dataset name in loc with the given shape (ndims 0: scalar) and writes buf from rank 0
 * (the other ranks' buf is ignored). mt is the memory type; ft the file type. */
int h5_write_array(zp_h5io *io, hid_t loc, const char *name, hid_t ft, hid_t mt, int ndims,
                   const hsize_t *dims, const void *buf, const char *units,
                   const char *description);
/* h5_write_array where every rank writes its own rows: buf holds rows first .. first + count - 1
 * of the first dimension (the ranks' parts do not overlap; count may be 0). */
int h5_write_array_part(zp_h5io *io, hid_t loc, const char *name, hid_t ft, hid_t mt, int ndims,
                        const hsize_t *dims, hsize_t first, hsize_t count, const void *buf,
                        const char *units, const char *description);
int h5_write_numeric(zp_h5io *io, hid_t loc, const char *name, int kind, int ndims,
                     const hsize_t *dims, const void *buf, const char *units,
                     const char *description);
int h5_write_numeric_part(zp_h5io *io, hid_t loc, const char *name, int kind, int ndims,
                          const hsize_t *dims, hsize_t first, hsize_t count, const void *buf,
                          const char *units, const char *description);
/* An array of n names as fixed-length UTF-8 strings (h5py reads bytes). */
int h5_write_names(zp_h5io *io, hid_t loc, const char *name, char *const *names, int n,
                   const char *description);
/* A scalar fixed-length string dataset (for texts too long for an attribute). */
int h5_write_text(zp_h5io *io, hid_t loc, const char *name, const char *text,
                  const char *description);
/* A fixed-size compound dataset of n rows (structs of row_size bytes described by f) written
 * from rank 0, with the table attributes field_names, field_units and field_descriptions. */
int h5_write_compound(zp_h5io *io, hid_t loc, const char *name, const field *f, int nf,
                      size_t row_size, const void *rows, int64_t n, const char *description);
/* h5_write_compound where every rank writes its rows first .. first + count - 1 of the n. */
int h5_write_compound_part(zp_h5io *io, hid_t loc, const char *name, const field *f, int nf,
                           size_t row_size, const void *rows, int64_t n, int64_t first,
                           int64_t count, const char *description);

/* Creates (or, append set, opens read-write) io->partial with the MPI-IO driver and sets up
 * collective transfers; io->created is set once the file is there. Rank 0 first takes some
 * disk space in a reserve file, given back by h5_release_reserve right before H5Fclose. */
int h5_open_file(zp_h5io *io, int append);

/* Reserves on the disk, before HDF5 writes, the space of `bytes` more (summed over the ranks)
 * plus room for the metadata HDF5 flushes, beyond what the file holds (rank 0, fallocate with
 * KEEP_SIZE). A full disk or quota then fails here, cleanly on every rank ("PATH: cannot write:
 * No space left on device"), rather than inside a collective HDF5 write, and the file can still
 * be closed. Where the file system cannot reserve, nothing is reserved. */
int h5_reserve(zp_h5io *io, int64_t bytes);
/* Not collective (rank 0): removes the reserve file of h5_open_file. */
void h5_release_reserve(zp_h5io *io);
/* Not collective (rank 0): gives back the reserved space beyond the end of the closed file and
 * closes io->resfd. */
void h5_unreserve(zp_h5io *io);

/* The plumbing of an open output handle (h5out.c), for the writers of h5perf.c. */
zp_h5io *h5out_io(zp_h5out *h);

#endif
