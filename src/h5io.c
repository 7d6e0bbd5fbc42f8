/* h5io.c - HDF5 plumbing of the output layer (see h5io.h): errors, types and attributes,
 * extendible tables, small datasets written from rank 0, opening a file with the MPI-IO driver.
 *
 * Tables are 1-D chunked compound datasets with an unlimited dimension. An append extends a
 * table once by the rows of all ranks and every rank writes its own rows at the offset given by
 * an exclusive prefix sum, in one collective transfer (a rank with no rows joins with an empty
 * selection). Small arrays are written collectively with rank 0 holding the whole selection.
 * Every public function of the layer ends by agreeing on a status over the communicator, so all
 * ranks return the same code and take the same path. */
#define _GNU_SOURCE /* fallocate */
#include "h5io.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "util.h"

/* Headroom kept reserved beyond the data of every write, and the size of the reserve file: HDF5's
 * metadata (object headers, chunk indexes, heaps) flushed at the next H5Fflush or at close, a
 * few KB to some hundred KB. */
#define RESERVE_SLACK (1 << 20)

#ifndef ZP_H5_WRITE_BATCH
#define ZP_H5_WRITE_BATCH (1 << 20) /* rows per rank and collective write */
#endif
/* FLUSH_FILTERED: during development a 3-rank sweep failed once in a collective write into a
 * compressed /trajectory chunk that an earlier append had filled in part ("inflate() failed" on
 * one rank, HDF5 1.10.8). It did not come back (the sweep code was changing at the time, so the
 * cause may have been mismatched collective calls), but an H5Fflush after every write to a
 * compressed dataset keeps every rank's view of the chunk index in step for one metadata flush
 * per append, so it stays. */

/* ---- errors -------------------------------------------------------------------------------- */

typedef struct {
    char desc[256];
} h5_err;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    h5_err *err = data;
    (void)n;
    if (e->desc && e->desc[0]) /* downward: the innermost reason comes last */
        snprintf(err->desc, sizeof err->desc, "%s", e->desc);
    return 0;
}

/* Records "FILE: HDF5 cannot WHAT: reason" and returns ZP_EIO. */
int h5_fail(const char *file, const char *what)
{
    h5_err err = {""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &err);
    H5Eclear2(H5E_DEFAULT);
    return zp_fail(ZP_EIO, "%s: HDF5 cannot %s%s%s", file, what, err.desc[0] ? ": " : "",
                   err.desc);
}

/* A failed HDF5 call once the file is open and written (io->live): the other ranks may be
 * waiting inside a collective HDF5 call that this rank will never join, and no status exchange
 * can reach them. So the rank reports the failure, removes the partial file and ends the job
 * with ZP_EIO (no final file exists, as after a crash). */
void h5_abort(const zp_h5io *io, const char *what)
{
    h5_fail(io->partial, what);
    fprintf(stderr, "zoneplace: %s (rank %d, ending the job)\n", zp_error_message(), io->rank);
    fflush(stderr);
    remove(io->partial);
    par_abort(ZP_EIO);
}


void h5_close_id(hid_t *id)
{
    if (*id < 0)
        return;
    switch (H5Iget_type(*id)) {
    case H5I_DATASET: H5Dclose(*id); break;
    case H5I_DATATYPE: H5Tclose(*id); break;
    case H5I_DATASPACE: H5Sclose(*id); break;
    case H5I_GROUP: H5Gclose(*id); break;
    case H5I_ATTR: H5Aclose(*id); break;
    case H5I_GENPROP_LST: H5Pclose(*id); break;
    case H5I_FILE: H5Fclose(*id); break;
    default: break;
    }
    *id = H5I_INVALID_HID;
}

/* Collective: the agreed status; a rank that did not fail itself names the failure. */
int h5_agree(zp_h5io *io, int rc)
{
    int all = par_agree_status(io->comm, rc);
    if (all != ZP_OK && rc == ZP_OK)
        zp_fail(all, "%s: HDF5 output failed on another rank", io->partial);
    return all;
}

/* ---- types and attributes ------------------------------------------------------------------ */

hid_t h5_atom(int kind, size_t len, int file)
{
    hid_t t = H5I_INVALID_HID;
    switch (kind) {
    case F_I32: t = H5Tcopy(file ? H5T_STD_I32LE : H5T_NATIVE_INT32); break;
    case F_I64: t = H5Tcopy(file ? H5T_STD_I64LE : H5T_NATIVE_INT64); break;
    case F_U64: t = H5Tcopy(file ? H5T_STD_U64LE : H5T_NATIVE_UINT64); break;
    case F_F64: t = H5Tcopy(file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE); break;
    default:
        t = H5Tcopy(H5T_C_S1);
        if (t >= 0 && (H5Tset_size(t, len) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
                       H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
            H5Tclose(t);
            t = H5I_INVALID_HID;
        }
    }
    return t;
}

/* Adds the fields (at base + their offset in memory) to a compound memory type, and packed in
 * order to a compound file type at *file_off. */
static int add_fields(zp_h5io *io, hid_t mt, hid_t ft, size_t *file_off, const field *f, size_t nf,
                      size_t base)
{
    int rc = ZP_OK;
    for (size_t i = 0; i < nf; i++) {
        hid_t ma = h5_atom(f[i].kind, f[i].len, 0), fa = h5_atom(f[i].kind, f[i].len, 1);
        int bad = ma < 0 || fa < 0;
        if (!bad && mt >= 0)
            bad = H5Tinsert(mt, f[i].name, base + f[i].offset, ma) < 0;
        if (!bad && ft >= 0)
            bad = H5Tinsert(ft, f[i].name, *file_off, fa) < 0;
        *file_off += fa >= 0 ? H5Tget_size(fa) : 0;
        if (ma >= 0)
            H5Tclose(ma);
        if (fa >= 0)
            H5Tclose(fa);
        if (bad)
            return h5_fail(io->partial, "build a table type");
    }
    return rc;
}

static size_t fields_size(const field *f, size_t nf)
{
    size_t s = 0;
    for (size_t i = 0; i < nf; i++)
        s += f[i].kind == F_STR ? f[i].len : f[i].kind == F_I32 ? 4 : 8;
    return s;
}

/* Variable-length UTF-8 string type (attributes only: parallel HDF5 cannot write VL data). */
hid_t h5_vlstr_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        t = H5I_INVALID_HID;
    }
    return t;
}

/* Collective (same values on every rank): string attribute, scalar or array of n. */
int h5_attr_strs(zp_h5io *io, hid_t obj, const char *name, const char *const *vals, int n,
                     int scalar)
{
    int rc = ZP_OK;
    hsize_t dim = (hsize_t)n;
    hid_t t = h5_vlstr_type(), sp = H5I_INVALID_HID, a = H5I_INVALID_HID;
    H5_TRY(t, "make a string type");
    H5_TRY(sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL), name);
    H5_TRY(a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT), name);
    H5_TRY(H5Awrite(a, t, vals), name);
out:
    h5_close_id(&a);
    h5_close_id(&sp);
    h5_close_id(&t);
    return rc;
}

int h5_attr_str(zp_h5io *io, hid_t obj, const char *name, const char *val)
{
    const char *v = val ? val : "";
    return h5_attr_strs(io, obj, name, &v, 1, 1);
}

static int attr_num(zp_h5io *io, hid_t obj, const char *name, int kind, const void *val)
{
    int rc = ZP_OK;
    hid_t ft = h5_atom(kind, 0, 1), mt = h5_atom(kind, 0, 0), sp = H5I_INVALID_HID,
          a = H5I_INVALID_HID;
    H5_TRY(ft, name);
    H5_TRY(mt, name);
    H5_TRY(sp = H5Screate(H5S_SCALAR), name);
    H5_TRY(a = H5Acreate2(obj, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT), name);
    H5_TRY(H5Awrite(a, mt, val), name);
out:
    h5_close_id(&a);
    h5_close_id(&sp);
    h5_close_id(&mt);
    h5_close_id(&ft);
    return rc;
}

int h5_attr_i64(zp_h5io *io, hid_t obj, const char *name, int64_t v)
{
    return attr_num(io, obj, name, F_I64, &v);
}

int h5_attr_f64(zp_h5io *io, hid_t obj, const char *name, double v)
{
    return attr_num(io, obj, name, F_F64, &v);
}

/* units and description attributes of a dataset */
int h5_describe(zp_h5io *io, hid_t obj, const char *units, const char *description)
{
    int rc = ZP_OK;
    if (units)
        ZP_CHECK(h5_attr_str(io, obj, "units", units));
    ZP_CHECK(h5_attr_str(io, obj, "description", description));
out:
    return rc;
}

/* The packed file type of a table and where each field goes (no HDF5 file access). */
static int table_layout(zp_h5io *io, table *t, const table_spec *spec)
{
    int rc = ZP_OK;
    size_t fsize = 0, off = 0;
    for (int g = 0; g < spec->ngroups; g++)
        fsize += fields_size(spec->groups[g].f, spec->groups[g].n);
    t->name = spec->name;
    t->rows = 0;
    t->row_size = spec->row_size;
    t->file_size = fsize;
    t->compressed = spec->compress;
    t->nf = 0;
    H5_TRY(t->ftype = H5Tcreate(H5T_COMPOUND, fsize), spec->name);
    for (int g = 0; g < spec->ngroups; g++) {
        for (size_t j = 0; j < spec->groups[g].n; j++) {
            const field *f = &spec->groups[g].f[j];
            assert(t->nf < MAX_FIELDS);
            t->moff[t->nf] = spec->groups[g].base + f->offset;
            t->foff[t->nf] = off;
            t->fbytes[t->nf] = fields_size(f, 1);
            t->nf++;
            ZP_CHECK(add_fields(io, -1, t->ftype, &off, f, 1, 0));
        }
    }
out:
    return rc;
}

/* Collective: creates an empty extendible table with its field documentation. */
int h5_table_create(zp_h5io *io, table *t, const table_spec *spec)
{
    int rc = ZP_OK;
    hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    const char *names[MAX_FIELDS], *units[MAX_FIELDS], *meanings[MAX_FIELDS];
    const char *name = spec->name;
    int nf = 0;
    ZP_CHECK(table_layout(io, t, spec));
    for (int g = 0; g < spec->ngroups; g++)
        for (size_t j = 0; j < spec->groups[g].n; j++, nf++) {
            names[nf] = spec->groups[g].f[j].name;
            units[nf] = spec->groups[g].f[j].units;
            meanings[nf] = spec->groups[g].f[j].meaning;
        }
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = spec->chunk;
    H5_TRY(sp = H5Screate_simple(1, &dims, &maxdims), name);
    H5_TRY(dcpl = H5Pcreate(H5P_DATASET_CREATE), name);
    H5_TRY(H5Pset_chunk(dcpl, 1, &chunk), name);
    H5_TRY(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), name);
    if (spec->compress) {
        H5_TRY(H5Pset_shuffle(dcpl), name);
        H5_TRY(H5Pset_deflate(dcpl, 4), name);
    }
    H5_TRY(t->dset = H5Dcreate2(io->file, name, t->ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
           name);
    ZP_CHECK(h5_attr_str(io, t->dset, "description", spec->description));
    ZP_CHECK(h5_attr_strs(io, t->dset, "field_names", names, nf, 0));
    ZP_CHECK(h5_attr_strs(io, t->dset, "field_units", units, nf, 0));
    ZP_CHECK(h5_attr_strs(io, t->dset, "field_descriptions", meanings, nf, 0));
out:
    h5_close_id(&dcpl);
    h5_close_id(&sp);
    return rc;
}

/* Collective: opens an existing table, which must have exactly this build's fields. */
int h5_table_open(zp_h5io *io, table *t, const table_spec *spec)
{
    int rc = ZP_OK;
    hid_t type = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    hsize_t dims = 0;
    ZP_CHECK(table_layout(io, t, spec));
    H5_TRY(t->dset = H5Dopen2(io->file, spec->name, H5P_DEFAULT), spec->name);
    H5_TRY(type = H5Dget_type(t->dset), spec->name);
    if (H5Tequal(type, t->ftype) <= 0)
        ZP_CHECK(zp_fail(ZP_EIO, "%s: /%s has other fields than this zoneplace writes (made by "
                                 "another version?)", io->partial, spec->name));
    H5_TRY(sp = H5Dget_space(t->dset), spec->name);
    H5_TRY(H5Sget_simple_extent_dims(sp, &dims, NULL), spec->name);
    t->rows = (int64_t)dims;
out:
    h5_close_id(&sp);
    h5_close_id(&type);
    return rc;
}

/* Copies n rows from their structs into the packed file layout (little-endian hosts: the
 * native numbers are the file's; a big-endian host would need a swap here). */
static void table_pack(const table *t, const void *rows, int64_t n, unsigned char *out)
{
    const unsigned char *in = rows;
    for (int64_t i = 0; i < n; i++, in += t->row_size, out += t->file_size)
        for (int f = 0; f < t->nf; f++)
            memcpy(out + t->foff[f], in + t->moff[f], t->fbytes[f]);
}

/* Collective: appends every rank's n rows (n may differ, and be 0) after the table's rows, in
 * rank order, with collective transfers of at most ZP_H5_WRITE_BATCH rows per rank. */
int h5_table_append(zp_h5io *io, table *t, const void *rows, int64_t n)
{
    int rc = ZP_OK;
    int64_t batches = (n + ZP_H5_WRITE_BATCH - 1) / ZP_H5_WRITE_BATCH, done = 0;
    hid_t fsp = H5I_INVALID_HID, msp = H5I_INVALID_HID;
    unsigned char *buf = NULL;
    buf = zp_malloc((size_t)ZP_MIN(ZP_MAX(n, 1), ZP_H5_WRITE_BATCH) * t->file_size);
    ZP_CHECK(h5_agree(io, buf ? ZP_OK : ZP_ERUNTIME));
    ZP_CHECK(par_allreduce_max_i64(io->comm, &batches));
    for (int64_t b = 0; b < batches; b++) {
        int64_t count = ZP_MAX(ZP_MIN(n - done, (int64_t)ZP_H5_WRITE_BATCH), 0), offset = 0;
        int64_t total = count;
        ZP_CHECK(par_exscan_i64(io->comm, count, &offset));
        ZP_CHECK(par_allreduce_sum_i64(io->comm, &total));
        if (total == 0)
            continue;
        hsize_t dims = (hsize_t)(t->rows + total), start = (hsize_t)(t->rows + offset),
                cnt = (hsize_t)(count > 0 ? count : 1);
        table_pack(t, (const char *)rows + (size_t)done * t->row_size, count, buf);
        H5_TRY(H5Dset_extent(t->dset, &dims), t->name);
        H5_TRY(fsp = H5Dget_space(t->dset), t->name);
        H5_TRY(msp = H5Screate_simple(1, &cnt, NULL), t->name);
        if (count > 0) {
            H5_TRY(H5Sselect_hyperslab(fsp, H5S_SELECT_SET, &start, NULL, &cnt, NULL), t->name);
        } else { /* nothing here, but the transfer is collective */
            H5_TRY(H5Sselect_none(fsp), t->name);
            H5_TRY(H5Sselect_none(msp), t->name);
        }
        H5_TRY(H5Dwrite(t->dset, t->ftype, msp, fsp, io->dxpl, buf), t->name);
        if (t->compressed) /* see FLUSH_FILTERED */
            H5_TRY(H5Fflush(io->file, H5F_SCOPE_GLOBAL), t->name);
        h5_close_id(&msp);
        h5_close_id(&fsp);
        t->rows += total;
        done += count;
    }
out:
    h5_close_id(&msp);
    h5_close_id(&fsp);
    zp_free(buf);
    return rc;
}

/* ---- small arrays, written by rank 0 ------------------------------------------------------- */

int h5_write_array_part(zp_h5io *io, hid_t loc, const char *name, hid_t ft, hid_t mt, int ndims,
                        const hsize_t *dims, hsize_t first, hsize_t count, const void *buf,
                        const char *units, const char *description)
{
    int rc = ZP_OK;
    static const char dummy[64];
    hid_t sp = H5I_INVALID_HID, msp = H5I_INVALID_HID, d = H5I_INVALID_HID;
    hssize_t npoints = 0;
    H5_TRY(sp = ndims ? H5Screate_simple(ndims, dims, NULL) : H5Screate(H5S_SCALAR), name);
    H5_TRY(d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
    H5_TRY(npoints = H5Sget_simple_extent_npoints(sp), name);
    if (npoints > 0) {
        hsize_t start[H5S_MAX_RANK] = {0}, part[H5S_MAX_RANK];
        for (int i = 0; i < ndims; i++)
            part[i] = dims[i];
        if (ndims > 0)
            start[0] = first, part[0] = count;
        H5_TRY(msp = ndims ? H5Screate_simple(ndims, part, NULL) : H5Scopy(sp), name);
        if (count == 0) {
            H5_TRY(H5Sselect_none(sp), name);
            H5_TRY(H5Sselect_none(msp), name);
        } else if (ndims > 0) {
            H5_TRY(H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, part, NULL), name);
        }
        H5_TRY(H5Dwrite(d, mt, msp, sp, io->dxpl, count && buf ? buf : dummy), name);
    }
    ZP_CHECK(h5_describe(io, d, units, description));
out:
    h5_close_id(&d);
    h5_close_id(&msp);
    h5_close_id(&sp);
    return rc;
}

int h5_write_array(zp_h5io *io, hid_t loc, const char *name, hid_t ft, hid_t mt, int ndims,
                   const hsize_t *dims, const void *buf, const char *units,
                   const char *description)
{
    hsize_t all = ndims ? dims[0] : 1;
    return h5_write_array_part(io, loc, name, ft, mt, ndims, dims, 0, io->rank == 0 ? all : 0,
                               buf, units, description);
}

int h5_write_numeric_part(zp_h5io *io, hid_t loc, const char *name, int kind, int ndims,
                          const hsize_t *dims, hsize_t first, hsize_t count, const void *buf,
                          const char *units, const char *description)
{
    int rc = ZP_OK;
    hid_t ft = h5_atom(kind, 0, 1), mt = h5_atom(kind, 0, 0);
    H5_TRY(ft, name);
    H5_TRY(mt, name);
    ZP_CHECK(h5_write_array_part(io, loc, name, ft, mt, ndims, dims, first, count, buf, units,
                                 description));
out:
    h5_close_id(&mt);
    h5_close_id(&ft);
    return rc;
}

int h5_write_numeric(zp_h5io *io, hid_t loc, const char *name, int kind, int ndims,
                     const hsize_t *dims, const void *buf, const char *units,
                     const char *description)
{
    hsize_t all = ndims ? dims[0] : 1;
    return h5_write_numeric_part(io, loc, name, kind, ndims, dims, 0, io->rank == 0 ? all : 0,
                                 buf, units, description);
}

/* Collective: an array of n names as fixed-length UTF-8 strings (h5py reads bytes). */
int h5_write_names(zp_h5io *io, hid_t loc, const char *name, char *const *names, int n,
                       const char *description)
{
    int rc = ZP_OK;
    size_t len = 1;
    char *buf = NULL;
    hid_t t = H5I_INVALID_HID;
    for (int i = 0; i < n; i++)
        len = ZP_MAX(len, strlen(names[i] ? names[i] : "") + 1);
    ZP_ALLOC(buf, (size_t)n * len);
    for (int i = 0; i < n; i++)
        memcpy(buf + (size_t)i * len, names[i] ? names[i] : "", strlen(names[i] ? names[i] : ""));
    H5_TRY(t = h5_atom(F_STR, len, 1), name);
    hsize_t dim = (hsize_t)n;
    ZP_CHECK(h5_write_array(io, loc, name, t, t, 1, &dim, buf, NULL, description));
out:
    h5_close_id(&t);
    zp_free(buf);
    return rc;
}

/* Collective: a scalar fixed-length string dataset (for texts too long for an attribute). */
int h5_write_text(zp_h5io *io, hid_t loc, const char *name, const char *text,
                      const char *description)
{
    int rc = ZP_OK;
    hid_t t = H5I_INVALID_HID;
    const char *v = text ? text : "";
    H5_TRY(t = h5_atom(F_STR, strlen(v) + 1, 1), name);
    ZP_CHECK(h5_write_array(io, loc, name, t, t, 0, NULL, v, NULL, description));
out:
    h5_close_id(&t);
    return rc;
}

/* Collective: creates (or, append set, opens read-write) io->partial with the MPI-IO driver and
 * sets up collective transfers. */
/* Rank 0: the reserve file, RESERVE_SLACK bytes of the disk taken before HDF5 opens the file
 * and given back before it closes it (h5_release_reserve): closing flushes HDF5's metadata,
 * and a close that fails leaves HDF5 unable to shut down (it crashes in MPI_Finalize). */
static int reserve_file_create(zp_h5io *io)
{
    int fd = -1;
    int rc = zp_temp_create(io->path, &io->reserve, &fd);
    if (rc != ZP_OK)
        return rc;
    int err = fallocate(fd, 0, 0, RESERVE_SLACK) == 0 ? 0 : errno;
    if (err == EOPNOTSUPP || err == ENOSYS)
        err = posix_fallocate(fd, 0, RESERVE_SLACK); /* writes the bytes where it must */
    close(fd);
    if (err == 0)
        return ZP_OK;
    h5_release_reserve(io);
    return zp_fail(ZP_EIO, "%s: cannot write: %s", io->path, strerror(err));
}

void h5_release_reserve(zp_h5io *io)
{
    if (!io->reserve)
        return;
    unlink(io->reserve);
    zp_free(io->reserve);
    io->reserve = NULL;
}

int h5_open_file(zp_h5io *io, int append)
{
    int rc = ZP_OK;
    hid_t fapl = H5I_INVALID_HID;
    if (io->rank == 0)
        rc = reserve_file_create(io);
    if ((rc = h5_agree(io, rc)) != ZP_OK)
        return rc;
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_fapl_mpio(fapl, *(MPI_Comm *)par_mpi_comm(io->comm), MPI_INFO_NULL) < 0 ||
        H5Pset_all_coll_metadata_ops(fapl, 1) < 0 || H5Pset_coll_metadata_write(fapl, 1) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0)
        rc = h5_fail(io->partial, "set up MPI-IO file access");
    else if ((io->file = append ? H5Fopen(io->partial, H5F_ACC_RDWR, fapl)
                               : H5Fcreate(io->partial, H5F_ACC_EXCL, H5P_DEFAULT, fapl)) < 0)
        rc = h5_fail(io->partial, append ? "open the file" : "create the file");
    if (rc == ZP_OK) {
        io->created = 1;
        if ((io->dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
            H5Pset_dxpl_mpio(io->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
            rc = h5_fail(io->partial, "set up collective transfers");
    }
    h5_close_id(&fapl);
    return h5_agree(io, rc);
}

int h5_write_compound_part(zp_h5io *io, hid_t loc, const char *name, const field *f, int nf,
                           size_t row_size, const void *rows, int64_t n, int64_t first,
                           int64_t count, const char *description)
{
    int rc = ZP_OK;
    hid_t mt = H5I_INVALID_HID, ft = H5I_INVALID_HID, d = H5I_INVALID_HID;
    const char *names[MAX_FIELDS], *units[MAX_FIELDS], *meanings[MAX_FIELDS];
    size_t off = 0;
    assert(nf <= MAX_FIELDS);
    H5_TRY(mt = H5Tcreate(H5T_COMPOUND, row_size), name);
    H5_TRY(ft = H5Tcreate(H5T_COMPOUND, fields_size(f, (size_t)nf)), name);
    ZP_CHECK(add_fields(io, mt, ft, &off, f, (size_t)nf, 0));
    hsize_t dim = (hsize_t)n;
    ZP_CHECK(h5_write_array_part(io, loc, name, ft, mt, 1, &dim, (hsize_t)first, (hsize_t)count,
                                 rows, NULL, description));
    H5_TRY(d = H5Dopen2(loc, name, H5P_DEFAULT), name);
    for (int i = 0; i < nf; i++)
        names[i] = f[i].name, units[i] = f[i].units, meanings[i] = f[i].meaning;
    ZP_CHECK(h5_attr_strs(io, d, "field_names", names, nf, 0));
    ZP_CHECK(h5_attr_strs(io, d, "field_units", units, nf, 0));
    ZP_CHECK(h5_attr_strs(io, d, "field_descriptions", meanings, nf, 0));
out:
    h5_close_id(&d);
    h5_close_id(&ft);
    h5_close_id(&mt);
    return rc;
}

int h5_write_compound(zp_h5io *io, hid_t loc, const char *name, const field *f, int nf,
                      size_t row_size, const void *rows, int64_t n, const char *description)
{
    return h5_write_compound_part(io, loc, name, f, nf, row_size, rows, n, 0,
                                  io->rank == 0 ? n : 0, description);
}

/* ---- resumed sweeps: the problem group of appended rows (added by the sweep issue) -------- */

/* Reads the attribute name of obj into buf (memory type mt); -1 if it is missing or unreadable. */
int h5_attr_read(hid_t obj, const char *name, hid_t mt, void *buf)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int bad = a < 0 || H5Aread(a, mt, buf) < 0;
    if (a >= 0)
        H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return bad ? -1 : 0;
}

/* Rank 0: reserves [0, end of file + bytes + slack); ZP_EIO when the disk is full. */
static int reserve_local(zp_h5io *io, int64_t bytes)
{
    struct stat sb;
    if (io->resfd < 0)
        io->resfd = open(io->partial, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (io->resfd < 0 || fstat(io->resfd, &sb) != 0)
        return zp_fail(ZP_EIO, "%s: cannot write: %s", io->path, strerror(errno));
    off_t len = sb.st_size + (off_t)bytes + RESERVE_SLACK;
    if (fallocate(io->resfd, FALLOC_FL_KEEP_SIZE, 0, len) == 0)
        return ZP_OK;
    if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL)
        return ZP_OK; /* no reservation here: HDF5 meets a full disk itself */
    return zp_fail(ZP_EIO, "%s: cannot write: %s", io->path, strerror(errno));
}

int h5_reserve(zp_h5io *io, int64_t bytes)
{
    int rc = ZP_OK;
    int64_t total = ZP_MAX(bytes, 0);
    ZP_CHECK(par_allreduce_sum_i64(io->comm, &total));
    if (io->rank == 0)
        rc = reserve_local(io, total);
    rc = h5_agree(io, rc);
out:
    return rc;
}

void h5_unreserve(zp_h5io *io)
{
    struct stat sb;
    if (io->resfd < 0)
        return;
    if (fstat(io->resfd, &sb) == 0) /* the space past the end, reserved but never written */
        fallocate(io->resfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, sb.st_size,
                  (off_t)1 << 40);
    close(io->resfd);
    io->resfd = -1;
}
