/* h5out.c - the output layer over parallel HDF5 (see h5out.h; the layout is documented field by
 * field in docs/hdf5.md). The only file that includes hdf5.h.
 *
 * Every rank opens PATH.partial with the MPI-IO driver. Tables (/tasks, /phases, /starts,
 * /trajectory) are 1-D chunked compound datasets with an unlimited dimension; /placements and
 * /initial_placements are 2-D int32 [task rows][apps], unlimited in both dimensions, padded
 * with -1. An append extends a table once by the rows of all ranks and every rank writes its
 * own rows at the offset given by an exclusive prefix sum, in one collective transfer (a rank
 * with no rows joins with an empty selection). Small arrays (/problem, /parameters) are written
 * collectively with rank 0 holding the whole selection. Attributes carry units and meanings.
 *
 * Errors: HDF5's own printing is turned off; a failure becomes one zp_fail message naming the
 * file, the object and HDF5's innermost reason. Every public function ends by agreeing on a
 * status over the communicator, so all ranks return the same code and take the same path. */
#include <hdf5.h>

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cost.h"
#include "h5out.h"
#include "place.h"
#include "rng.h"
#include "util.h"

#define ZP_H5_FORMAT 1      /* version of the layout in docs/hdf5.md */
#define INSTANCE_LEN 64     /* fixed-length strings in tables, NUL included */
#define NAME_LEN 24
#define TRAJ_CHUNK 4096     /* rows per chunk */
#define TABLE_CHUNK 64
#define PLACE_CHUNK 1024    /* apps per chunk of a placement row */
#ifndef ZP_H5_WRITE_BATCH
#define ZP_H5_WRITE_BATCH (1 << 20) /* rows per rank and collective write */
#endif
/* FLUSH_FILTERED: during development a 3-rank sweep failed once in a collective write into a
 * compressed /trajectory chunk that an earlier append had filled in part ("inflate() failed" on
 * one rank, HDF5 1.10.8). It did not come back (the sweep code was changing at the time, so the
 * cause may have been mismatched collective calls), but an H5Fflush after every write to a
 * compressed dataset keeps every rank's view of the chunk index in step for one metadata flush
 * per append, so it stays. */

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

/* Metrics of a placement, shared by /tasks and /phases. */
typedef struct {
    double objective, traffic;
    int64_t external_deps, internal_deps;
    double cut_weight, cv, lb_pct, resource_cv, move_cost;
    int64_t moves, violations, imbalance, max_zone_apps, min_zone_apps;
    double thesis_cost, thesis_pct, thesis_lb_pct;
} metrics_row;

typedef struct {
    int32_t task, problem;
    char instance[INSTANCE_LEN];
    char init[NAME_LEN];
    int32_t zones, apps;
    uint64_t seed;
    int32_t starts, epochs, best_start;
    metrics_row m;
    double wall_seconds;
} task_row;

typedef struct {
    int32_t task, phase;
    char name[NAME_LEN];
    metrics_row m;
} phase_row;

typedef struct {
    int32_t task, start;
    uint64_t seed;
} start_row;

#define MF(fld, kind, units, meaning)                                                              \
    {#fld, offsetof(metrics_row, fld), kind, 0, units, meaning}
static const field metric_fields[] = {
    MF(objective, F_F64, "cost", "what the search minimises after balance: traffic + move_cost; "
                                 "objective latency (/perf/task_<T>): the response-time model's "
                                 "objective (requests in the system) + move_cost"),
    MF(traffic, F_F64, "cost", "T * sum over dependencies of weight * D[zone(u)][zone(v)]"),
    MF(external_deps, F_I64, "dependencies", "listed dependencies between apps in different zones"),
    MF(internal_deps, F_I64, "dependencies", "listed dependencies inside a zone"),
    MF(cut_weight, F_F64, "requests/time unit", "sum of weights of external dependencies"),
    MF(cv, F_F64, "1", "population sd / mean of apps per zone"),
    MF(lb_pct, F_F64, "%", "load balance 100 - 100 * cv / sqrt(zones)"),
    MF(resource_cv, F_F64, "1", "largest over resources of the CV of zone load / capacity"),
    MF(move_cost, F_F64, "cost", "sum over moved apps of move_factor * size * D[from][to]"),
    MF(moves, F_I64, "apps", "apps not in their current zone"),
    MF(violations, F_I64, "count", "apps not fitting their zone + zone limits exceeded"),
    MF(imbalance, F_I64, "apps", "apps outside the balance band, summed over zones"),
    MF(max_zone_apps, F_I64, "apps", "apps in the fullest zone"),
    MF(min_zone_apps, F_I64, "apps", "apps in the emptiest zone"),
    MF(thesis_cost, F_F64, "cost", "thesis report: traffic with T = 1 plus 2400 per move"),
    MF(thesis_pct, F_F64, "%", "thesis report: proportion of the worst-case cost"),
    MF(thesis_lb_pct, F_F64, "%", "thesis report: LB with mean floor(n/k)"),
};
#define N_METRICS (sizeof metric_fields / sizeof metric_fields[0])

#define TF(fld, kind, len, units, meaning)                                                         \
    {#fld, offsetof(task_row, fld), kind, len, units, meaning}
static const field task_head[] = {
    TF(task, F_I32, 0, "1", "task index (sweeps: index in the expanded sweep)"),
    TF(problem, F_I32, 0, "1", "index of the task's /problem group (0: /problem, i: /problem_i), "
                               "-1: not written"),
    TF(instance, F_STR, INSTANCE_LEN, "", "problem name (cut to 63 bytes)"),
    TF(init, F_STR, NAME_LEN, "", "initial placement: rr, random or greedy"),
    TF(zones, F_I32, 0, "zones", "zones of the task's problem"),
    TF(apps, F_I32, 0, "apps", "apps of the final problem (valid length of the placement row)"),
    TF(seed, F_U64, 0, "1", "base seed of the task"),
    TF(starts, F_I32, 0, "1", "local-search starts"),
    TF(epochs, F_I32, 0, "1", "best-placement exchanges between starts"),
    TF(best_start, F_I32, 0, "1", "start whose placement won the last exchange"),
};
static const field task_tail[] = {
    TF(wall_seconds, F_F64, 0, "s", "wall-clock time of the task"),
};

#define PF(fld, kind, len, units, meaning)                                                         \
    {#fld, offsetof(phase_row, fld), kind, len, units, meaning}
static const field phase_head[] = {
    PF(task, F_I32, 0, "1", "task index"),
    PF(phase, F_I32, 0, "1", "phase code (attribute phase_names)"),
    PF(name, F_STR, NAME_LEN, "", "phase name: rr/random/greedy, search, rebalance, arrive, ..."),
};

#define SF(fld, kind, units, meaning) {#fld, offsetof(start_row, fld), kind, 0, units, meaning}
static const field start_fields[] = {
    SF(task, F_I32, "1", "task index"),
    SF(start, F_I32, "1", "start index s (its stream is seeded from (seed, task, s))"),
    SF(seed, F_U64, "1", "64-bit seed of the start's random stream"),
};

#define RF(fld, kind, units, meaning) {#fld, offsetof(zp_traj_row, fld), kind, 0, units, meaning}
static const field traj_fields[] = {
    RF(task, F_I32, "1", "task index"),
    RF(start, F_I32, "1", "start index; -1 for the task's phase-boundary rows"),
    RF(epoch, F_I32, "1", "epoch (exchange round) of the start"),
    RF(step, F_I64, "rounds", "search round (epoch * rounds per epoch + round)"),
    RF(phase, F_I32, "1", "phase code (attribute phase_names)"),
    RF(traffic, F_F64, "cost", "traffic of the current placement"),
    RF(external_deps, F_I64, "dependencies", "listed dependencies between zones"),
    RF(cv, F_F64, "1", "population sd / mean of apps per zone"),
    RF(lb_pct, F_F64, "%", "100 - 100 * cv / sqrt(zones)"),
    RF(move_cost, F_F64, "cost", "cumulative migration cost"),
    RF(moves, F_I64, "apps", "apps not in their current zone"),
    RF(best, F_F64, "cost", "best objective of the start so far (phase latency_search: the "
                            "response-time model's objective + move_cost)"),
    RF(wall, F_F64, "s", "seconds since the task began"),
};

/* ---- the handle ---------------------------------------------------------------------------- */

struct zp_h5out {
    zp_comm *comm;
    int rank, force;
    int live;    /* opened and set up: HDF5 failures end the job (see H5_TRY) */
    int created; /* PATH.partial is ours (a refused open must not remove another run's) */
    char *path, *partial;
    hid_t file, dxpl;
    table tasks, phases, starts, traj;
    table *tables[4];   /* the four above, in table_specs order */
    hid_t place[2];     /* /placements, /initial_placements */
    int64_t place_rows, place_cols;
    int nproblems;              /* /problem groups in the file */
    int current_problem;        /* index of the last one written by this handle, or -1 */
    const zp_problem *problem;  /* that problem, for initial placements */
};

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
static int h5_fail(const char *file, const char *what)
{
    h5_err err = {""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &err);
    H5Eclear2(H5E_DEFAULT);
    return zp_fail(ZP_EIO, "%s: HDF5 cannot %s%s%s", file, what, err.desc[0] ? ": " : "",
                   err.desc);
}

/* A failed HDF5 call once the file is open and written (h->live): the other ranks may be
 * waiting inside a collective HDF5 call that this rank will never join, and no status exchange
 * can reach them. So the rank reports the failure, removes the partial file and ends the job
 * with ZP_EIO (no final file exists, as after a crash). */
static void h5_abort(const zp_h5out *h, const char *what) __attribute__((noreturn));
static void h5_abort(const zp_h5out *h, const char *what)
{
    h5_fail(h->partial, what);
    fprintf(stderr, "zoneplace: %s (rank %d, ending the job)\n", zp_error_message(), h->rank);
    fflush(stderr);
    remove(h->partial);
    par_abort(ZP_EIO);
}

/* Checks an HDF5 call: a negative value jumps to out with ZP_EIO while the file is being set up
 * (failures there are the same on every rank and are agreed on), and ends the job once it is
 * live (see h5_abort). */
#define H5_TRY(expr, what)                                                                         \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            if (h->live)                                                                           \
                h5_abort(h, what);                                                                 \
            rc = h5_fail(h->partial, what);                                                        \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

static void close_id(hid_t *id)
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
static int agree(zp_h5out *h, int rc)
{
    int all = par_agree_status(h->comm, rc);
    if (all != ZP_OK && rc == ZP_OK)
        zp_fail(all, "%s: HDF5 output failed on another rank", h->partial);
    return all;
}

/* ---- types and attributes ------------------------------------------------------------------ */

static hid_t atom(int kind, size_t len, int file)
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
static int add_fields(zp_h5out *h, hid_t mt, hid_t ft, size_t *file_off, const field *f, size_t nf,
                      size_t base)
{
    int rc = ZP_OK;
    for (size_t i = 0; i < nf; i++) {
        hid_t ma = atom(f[i].kind, f[i].len, 0), fa = atom(f[i].kind, f[i].len, 1);
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
            return h5_fail(h->partial, "build a table type");
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
static hid_t vlstr_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        t = H5I_INVALID_HID;
    }
    return t;
}

/* Collective (same values on every rank): string attribute, scalar or array of n. */
static int attr_strs(zp_h5out *h, hid_t obj, const char *name, const char *const *vals, int n,
                     int scalar)
{
    int rc = ZP_OK;
    hsize_t dim = (hsize_t)n;
    hid_t t = vlstr_type(), sp = H5I_INVALID_HID, a = H5I_INVALID_HID;
    H5_TRY(t, "make a string type");
    H5_TRY(sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL), name);
    H5_TRY(a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT), name);
    H5_TRY(H5Awrite(a, t, vals), name);
out:
    close_id(&a);
    close_id(&sp);
    close_id(&t);
    return rc;
}

static int attr_str(zp_h5out *h, hid_t obj, const char *name, const char *val)
{
    const char *v = val ? val : "";
    return attr_strs(h, obj, name, &v, 1, 1);
}

static int attr_num(zp_h5out *h, hid_t obj, const char *name, int kind, const void *val)
{
    int rc = ZP_OK;
    hid_t ft = atom(kind, 0, 1), mt = atom(kind, 0, 0), sp = H5I_INVALID_HID,
          a = H5I_INVALID_HID;
    H5_TRY(ft, name);
    H5_TRY(mt, name);
    H5_TRY(sp = H5Screate(H5S_SCALAR), name);
    H5_TRY(a = H5Acreate2(obj, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT), name);
    H5_TRY(H5Awrite(a, mt, val), name);
out:
    close_id(&a);
    close_id(&sp);
    close_id(&mt);
    close_id(&ft);
    return rc;
}

static int attr_i64(zp_h5out *h, hid_t obj, const char *name, int64_t v)
{
    return attr_num(h, obj, name, F_I64, &v);
}

static int attr_f64(zp_h5out *h, hid_t obj, const char *name, double v)
{
    return attr_num(h, obj, name, F_F64, &v);
}

/* units and description attributes of a dataset */
static int describe(zp_h5out *h, hid_t obj, const char *units, const char *description)
{
    int rc = ZP_OK;
    if (units)
        ZP_CHECK(attr_str(h, obj, "units", units));
    ZP_CHECK(attr_str(h, obj, "description", description));
out:
    return rc;
}

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
enum { T_TASKS, T_PHASES, T_STARTS, T_TRAJ, N_TABLES };
static const table_spec table_specs[N_TABLES] = {
    {"tasks",
     {{task_head, NFIELDS(task_head), 0},
      {metric_fields, N_METRICS, offsetof(task_row, m)},
      {task_tail, NFIELDS(task_tail), 0}},
     3, sizeof(task_row), TABLE_CHUNK, 0,
     "one row per task: final metrics of its best placement (row i of /placements is the "
     "placement of row i)"},
    {"phases",
     {{phase_head, NFIELDS(phase_head), 0}, {metric_fields, N_METRICS, offsetof(phase_row, m)}},
     2, sizeof(phase_row), TABLE_CHUNK, 0,
     "metrics of the placement after every phase of every task"},
    {"starts", {{start_fields, NFIELDS(start_fields), 0}}, 1, sizeof(start_row), TABLE_CHUNK, 0,
     "the random-stream seed of every start of every task"},
    {"trajectory", {{traj_fields, NFIELDS(traj_fields), 0}}, 1, sizeof(zp_traj_row), TRAJ_CHUNK,
     1,
     "search trajectories: rows of each start in order of step, written by the rank that ran "
     "it; start = -1 rows mark the task's phase ends"},
};

/* The packed file type of a table and where each field goes (no HDF5 file access). */
static int table_layout(zp_h5out *h, table *t, const table_spec *spec)
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
            ZP_CHECK(add_fields(h, -1, t->ftype, &off, f, 1, 0));
        }
    }
out:
    return rc;
}

/* Collective: creates an empty extendible table with its field documentation. */
static int table_create(zp_h5out *h, table *t, const table_spec *spec)
{
    int rc = ZP_OK;
    hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    const char *names[MAX_FIELDS], *units[MAX_FIELDS], *meanings[MAX_FIELDS];
    const char *name = spec->name;
    int nf = 0;
    ZP_CHECK(table_layout(h, t, spec));
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
    H5_TRY(t->dset = H5Dcreate2(h->file, name, t->ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
           name);
    ZP_CHECK(attr_str(h, t->dset, "description", spec->description));
    ZP_CHECK(attr_strs(h, t->dset, "field_names", names, nf, 0));
    ZP_CHECK(attr_strs(h, t->dset, "field_units", units, nf, 0));
    ZP_CHECK(attr_strs(h, t->dset, "field_descriptions", meanings, nf, 0));
out:
    close_id(&dcpl);
    close_id(&sp);
    return rc;
}

/* Collective: opens an existing table, which must have exactly this build's fields. */
static int table_open(zp_h5out *h, table *t, const table_spec *spec)
{
    int rc = ZP_OK;
    hid_t type = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    hsize_t dims = 0;
    ZP_CHECK(table_layout(h, t, spec));
    H5_TRY(t->dset = H5Dopen2(h->file, spec->name, H5P_DEFAULT), spec->name);
    H5_TRY(type = H5Dget_type(t->dset), spec->name);
    if (H5Tequal(type, t->ftype) <= 0)
        ZP_CHECK(zp_fail(ZP_EIO, "%s: /%s has other fields than this zoneplace writes (made by "
                                 "another version?)", h->partial, spec->name));
    H5_TRY(sp = H5Dget_space(t->dset), spec->name);
    H5_TRY(H5Sget_simple_extent_dims(sp, &dims, NULL), spec->name);
    t->rows = (int64_t)dims;
out:
    close_id(&sp);
    close_id(&type);
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
static int table_append(zp_h5out *h, table *t, const void *rows, int64_t n)
{
    int rc = ZP_OK;
    int64_t batches = (n + ZP_H5_WRITE_BATCH - 1) / ZP_H5_WRITE_BATCH, done = 0;
    hid_t fsp = H5I_INVALID_HID, msp = H5I_INVALID_HID;
    unsigned char *buf = NULL;
    buf = zp_malloc((size_t)ZP_MIN(ZP_MAX(n, 1), ZP_H5_WRITE_BATCH) * t->file_size);
    ZP_CHECK(agree(h, buf ? ZP_OK : ZP_ERUNTIME));
    ZP_CHECK(par_allreduce_max_i64(h->comm, &batches));
    for (int64_t b = 0; b < batches; b++) {
        int64_t count = ZP_MAX(ZP_MIN(n - done, (int64_t)ZP_H5_WRITE_BATCH), 0), offset = 0;
        int64_t total = count;
        ZP_CHECK(par_exscan_i64(h->comm, count, &offset));
        ZP_CHECK(par_allreduce_sum_i64(h->comm, &total));
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
        H5_TRY(H5Dwrite(t->dset, t->ftype, msp, fsp, h->dxpl, buf), t->name);
        if (t->compressed) /* see FLUSH_FILTERED */
            H5_TRY(H5Fflush(h->file, H5F_SCOPE_GLOBAL), t->name);
        close_id(&msp);
        close_id(&fsp);
        t->rows += total;
        done += count;
    }
out:
    close_id(&msp);
    close_id(&fsp);
    zp_free(buf);
    return rc;
}

/* ---- small arrays, written by rank 0 ------------------------------------------------------- */

/* Collective: creates dataset name in loc with the given shape and writes buf from rank 0 (the
 * other ranks' buf is ignored). mt is the memory type; ft the file type. */
static int write_array(zp_h5out *h, hid_t loc, const char *name, hid_t ft, hid_t mt, int ndims,
                       const hsize_t *dims, const void *buf, const char *units,
                       const char *description)
{
    int rc = ZP_OK;
    static const char dummy[64];
    hid_t sp = H5I_INVALID_HID, msp = H5I_INVALID_HID, d = H5I_INVALID_HID;
    hssize_t npoints = 0;
    H5_TRY(sp = ndims ? H5Screate_simple(ndims, dims, NULL) : H5Screate(H5S_SCALAR), name);
    H5_TRY(d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
    H5_TRY(npoints = H5Sget_simple_extent_npoints(sp), name);
    if (npoints > 0) {
        H5_TRY(msp = H5Scopy(sp), name);
        if (h->rank != 0) {
            H5_TRY(H5Sselect_none(sp), name);
            H5_TRY(H5Sselect_none(msp), name);
        }
        H5_TRY(H5Dwrite(d, mt, msp, sp, h->dxpl, h->rank == 0 && buf ? buf : dummy), name);
    }
    ZP_CHECK(describe(h, d, units, description));
out:
    close_id(&d);
    close_id(&msp);
    close_id(&sp);
    return rc;
}

static int write_numeric(zp_h5out *h, hid_t loc, const char *name, int kind, int ndims,
                         const hsize_t *dims, const void *buf, const char *units,
                         const char *description)
{
    int rc = ZP_OK;
    hid_t ft = atom(kind, 0, 1), mt = atom(kind, 0, 0);
    H5_TRY(ft, name);
    H5_TRY(mt, name);
    ZP_CHECK(write_array(h, loc, name, ft, mt, ndims, dims, buf, units, description));
out:
    close_id(&mt);
    close_id(&ft);
    return rc;
}

/* Collective: an array of n names as fixed-length UTF-8 strings (h5py reads bytes). */
static int write_names(zp_h5out *h, hid_t loc, const char *name, char *const *names, int n,
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
    H5_TRY(t = atom(F_STR, len, 1), name);
    hsize_t dim = (hsize_t)n;
    ZP_CHECK(write_array(h, loc, name, t, t, 1, &dim, buf, NULL, description));
out:
    close_id(&t);
    zp_free(buf);
    return rc;
}

/* Collective: a scalar fixed-length string dataset (for texts too long for an attribute). */
static int write_text(zp_h5out *h, hid_t loc, const char *name, const char *text,
                      const char *description)
{
    int rc = ZP_OK;
    hid_t t = H5I_INVALID_HID;
    const char *v = text ? text : "";
    H5_TRY(t = atom(F_STR, strlen(v) + 1, 1), name);
    ZP_CHECK(write_array(h, loc, name, t, t, 0, NULL, v, NULL, description));
out:
    close_id(&t);
    return rc;
}

/* ---- open ---------------------------------------------------------------------------------- */

/* Collective: a copy of rank 0's string on every rank. */
static int bcast_str(zp_comm *c, const char *in, char **out)
{
    int rc = ZP_OK;
    int64_t len = par_rank(c) == 0 ? (int64_t)strlen(in ? in : "") : 0;
    ZP_CHECK(par_bcast(c, &len, sizeof len, 0));
    ZP_ALLOC(*out, len + 1);
    if (par_rank(c) == 0)
        memcpy(*out, in ? in : "", (size_t)len);
    ZP_CHECK(par_bcast(c, *out, len, 0));
    (*out)[len] = '\0';
out:
    return rc;
}

static int write_root(zp_h5out *h, const zp_run_info *info)
{
    int rc = ZP_OK;
    char *created = NULL, *command = NULL, hdf5[64], stamp[32] = "";
    unsigned maj = 0, min = 0, rel = 0;
    hid_t g = H5I_INVALID_HID;
    if (h->rank == 0) {
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm))
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    ZP_CHECK(bcast_str(h->comm, stamp, &created));
    ZP_CHECK(bcast_str(h->comm, info ? info->command_line : "", &command));
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
    ZP_CHECK(attr_str(h, h->file, "creator", "zoneplace"));
    ZP_CHECK(attr_str(h, h->file, "version", info ? info->version : ""));
    ZP_CHECK(attr_str(h, h->file, "created", created));
    ZP_CHECK(attr_str(h, h->file, "command_line", command));
    ZP_CHECK(attr_i64(h, h->file, "mpi_ranks", info ? info->ranks : par_size(h->comm)));
    ZP_CHECK(attr_str(h, h->file, "git_revision", info ? info->git_revision : ""));
    ZP_CHECK(attr_i64(h, h->file, "format_version", ZP_H5_FORMAT));
    ZP_CHECK(attr_str(h, h->file, "hdf5_version", hdf5));
    ZP_CHECK(attr_str(h, h->file, "layout", "see docs/hdf5.md of zoneplace"));

    H5_TRY(g = H5Gcreate2(h->file, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           "create /parameters");
    ZP_CHECK(attr_str(h, g, "description",
                      "the resolved configuration; seeds and counts of each task are in /tasks "
                      "(seed, starts, epochs) and /starts (every start's stream seed), "
                      "command-line overrides in the root attribute command_line"));
    ZP_CHECK(attr_str(h, g, "compiler", __VERSION__));
    ZP_CHECK(attr_str(h, g, "hdf5_version", hdf5));
    ZP_CHECK(write_text(h, g, "config_json", info ? info->parameters_json : "",
                        "the input configuration as parsed, JSON text"));
out:
    close_id(&g);
    zp_free(created);
    zp_free(command);
    return rc;
}

static const char *const place_names[2] = {"placements", "initial_placements"};

static int create_tables(zp_h5out *h)
{
    int rc = ZP_OK;
    hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    for (int i = 0; i < N_TABLES; i++)
        ZP_CHECK(table_create(h, h->tables[i], &table_specs[i]));
    const char *phase_names[ZP_PHASE_COUNT];
    for (int p = 0; p < ZP_PHASE_COUNT; p++)
        phase_names[p] = p == ZP_PHASE_INIT ? "init" : phase_name(p, 0);
    ZP_CHECK(attr_strs(h, h->traj.dset, "phase_names", phase_names, ZP_PHASE_COUNT, 0));
    ZP_CHECK(attr_strs(h, h->phases.dset, "phase_names", phase_names, ZP_PHASE_COUNT, 0));

    static const char *const pdesc[2] = {
        "zone index of every app in the best placement, one row per /tasks row (same order); "
        "row i is valid up to /tasks.apps[i], padded with -1",
        "zone index of every app in the initial placement (phase 0, before the search), one row "
        "per /tasks row; -1 where not known (padding, or a task whose initial placement could "
        "not be reproduced, e.g. arrivals)"};
    hsize_t dims[2] = {0, 0}, maxdims[2] = {H5S_UNLIMITED, H5S_UNLIMITED};
    hsize_t chunk[2] = {1, PLACE_CHUNK};
    int fill = -1;
    H5_TRY(sp = H5Screate_simple(2, dims, maxdims), "placements");
    H5_TRY(dcpl = H5Pcreate(H5P_DATASET_CREATE), "placements");
    H5_TRY(H5Pset_chunk(dcpl, 2, chunk), "placements");
    H5_TRY(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "placements");
    H5_TRY(H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &fill), "placements");
    H5_TRY(H5Pset_deflate(dcpl, 4), "placements");
    for (int i = 0; i < 2; i++) {
        H5_TRY(h->place[i] = H5Dcreate2(h->file, place_names[i], H5T_STD_I32LE, sp, H5P_DEFAULT,
                                        dcpl, H5P_DEFAULT),
               place_names[i]);
        ZP_CHECK(describe(h, h->place[i], "zone index", pdesc[i]));
    }
out:
    close_id(&dcpl);
    close_id(&sp);
    return rc;
}

/* Collective: opens the tables of an existing file and counts its rows and problems. */
static int open_tables(zp_h5out *h)
{
    int rc = ZP_OK;
    hid_t sp = H5I_INVALID_HID;
    for (int i = 0; i < N_TABLES; i++)
        ZP_CHECK(table_open(h, h->tables[i], &table_specs[i]));
    for (int i = 0; i < 2; i++) {
        hsize_t dims[2] = {0, 0};
        H5_TRY(h->place[i] = H5Dopen2(h->file, place_names[i], H5P_DEFAULT), place_names[i]);
        H5_TRY(sp = H5Dget_space(h->place[i]), place_names[i]);
        if (H5Sget_simple_extent_ndims(sp) != 2 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0)
            ZP_CHECK(zp_fail(ZP_EIO, "%s: /%s is not a 2-D dataset", h->partial, place_names[i]));
        close_id(&sp);
        h->place_rows = (int64_t)dims[0];
        h->place_cols = ZP_MAX(h->place_cols, (int64_t)dims[1]);
    }
    if (h->place_rows != h->tasks.rows)
        ZP_CHECK(zp_fail(ZP_EIO, "%s: /placements has %lld rows for %lld /tasks rows", h->partial,
                         (long long)h->place_rows, (long long)h->tasks.rows));
    for (;;) {
        char name[32];
        if (h->nproblems == 0)
            snprintf(name, sizeof name, "problem");
        else
            snprintf(name, sizeof name, "problem_%d", h->nproblems);
        htri_t there = H5Lexists(h->file, name, H5P_DEFAULT);
        H5_TRY(there, name);
        if (!there)
            break;
        h->nproblems++;
    }
out:
    close_id(&sp);
    return rc;
}

static void destroy(zp_h5out *h)
{
    for (int i = 0; i < N_TABLES; i++) {
        close_id(&h->tables[i]->dset);
        close_id(&h->tables[i]->ftype);
    }
    close_id(&h->place[0]);
    close_id(&h->place[1]);
    close_id(&h->dxpl);
}

/* A handle for path (not yet opened), or NULL (out of memory). */
static zp_h5out *handle_new(zp_comm *c, const char *path, int force)
{
    zp_h5out *h = zp_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->comm = c;
    h->rank = par_rank(c);
    h->force = force;
    h->current_problem = -1;
    h->file = h->dxpl = h->place[0] = h->place[1] = H5I_INVALID_HID;
    h->tables[T_TASKS] = &h->tasks;
    h->tables[T_PHASES] = &h->phases;
    h->tables[T_STARTS] = &h->starts;
    h->tables[T_TRAJ] = &h->traj;
    for (int i = 0; i < N_TABLES; i++)
        h->tables[i]->dset = h->tables[i]->ftype = H5I_INVALID_HID;
    size_t len = strlen(path);
    if (!(h->path = zp_strdup(path)) || !(h->partial = zp_malloc(len + 9))) {
        zp_free(h->path);
        zp_free(h);
        return NULL;
    }
    snprintf(h->partial, len + 9, "%s.partial", path);
    return h;
}

/* Closes and frees a handle that failed to open; rank 0 removes the partial file it made. */
static void handle_abandon(zp_h5out *h)
{
    if (!h)
        return;
    destroy(h);
    if (h->file >= 0)
        H5Fclose(h->file);
    if (h->rank == 0 && h->created)
        remove(h->partial);
    zp_free(h->path);
    zp_free(h->partial);
    zp_free(h);
}

/* Collective: creates (or, append set, opens read-write) h->partial with the MPI-IO driver and
 * sets up collective transfers. */
static int open_file(zp_h5out *h, int append)
{
    int rc = ZP_OK;
    hid_t fapl = H5I_INVALID_HID;
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_fapl_mpio(fapl, *(MPI_Comm *)par_mpi_comm(h->comm), MPI_INFO_NULL) < 0 ||
        H5Pset_all_coll_metadata_ops(fapl, 1) < 0 || H5Pset_coll_metadata_write(fapl, 1) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0)
        rc = h5_fail(h->partial, "set up MPI-IO file access");
    else if ((h->file = append ? H5Fopen(h->partial, H5F_ACC_RDWR, fapl)
                               : H5Fcreate(h->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0)
        rc = h5_fail(h->partial, append ? "open the file" : "create the file");
    if (rc == ZP_OK) {
        h->created = 1;
        if ((h->dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
            H5Pset_dxpl_mpio(h->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
            rc = h5_fail(h->partial, "set up collective transfers");
    }
    close_id(&fapl);
    return agree(h, rc);
}

int h5out_open(zp_h5out **out_h, zp_comm *c, const char *path, int force, const zp_run_info *info)
{
    int rc = ZP_OK;
    zp_h5out *h = NULL;
    *out_h = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (!(h = handle_new(c, path, force)))
        rc = ZP_ERUNTIME;
    if (rc == ZP_OK && h->rank == 0)
        rc = zp_check_output_path(path, force, "use --force to overwrite");
    if ((rc = par_agree_status(c, rc)) != ZP_OK) {
        if (rc != ZP_ERUNTIME && h && h->rank != 0)
            zp_fail(rc, "%s: refused on rank 0", path);
        goto fail;
    }
    if ((rc = open_file(h, 0)) != ZP_OK)
        goto fail;
    rc = write_root(h, info);
    if (rc == ZP_OK)
        rc = create_tables(h);
    if ((rc = agree(h, rc)) != ZP_OK)
        goto fail;
    h->live = 1;
    *out_h = h;
    return ZP_OK;
fail:
    handle_abandon(h);
    return rc;
}

/* Rank 0: copies the file from to the file to (created or truncated). */
static int copy_file(const char *from, const char *to)
{
    int rc = ZP_OK;
    char buf[1 << 16];
    size_t n;
    FILE *in = fopen(from, "rb"), *out = NULL;
    if (!in)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", from, strerror(errno));
    if (!(out = fopen(to, "wb"))) {
        rc = zp_fail(ZP_EIO, "%s: cannot create: %s", to, strerror(errno));
        goto out;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            rc = zp_fail(ZP_EIO, "%s: cannot write: %s", to, strerror(errno));
            goto out;
        }
    if (ferror(in))
        rc = zp_fail(ZP_EIO, "%s: cannot read: %s", from, strerror(errno));
out:
    if (out && fclose(out) != 0 && rc == ZP_OK)
        rc = zp_fail(ZP_EIO, "%s: cannot write: %s", to, strerror(errno));
    fclose(in);
    return rc;
}

int h5out_open_append(zp_h5out **out_h, zp_comm *c, const char *prev, const char *path,
                      int force)
{
    int rc = ZP_OK;
    zp_h5out *h = NULL;
    *out_h = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (!(h = handle_new(c, path, force)))
        rc = ZP_ERUNTIME;
    if (rc == ZP_OK && h->rank == 0) {
        struct stat sb;
        if (stat(prev, &sb) != 0 || !S_ISREG(sb.st_mode))
            rc = zp_fail(ZP_EIO, "%s: no such file to append to", prev);
        else if (strcmp(prev, path) != 0)
            rc = zp_check_output_path(path, force, "use --force to overwrite");
        if (rc == ZP_OK)
            rc = copy_file(prev, h->partial);
        h->created = rc == ZP_OK;
    }
    if ((rc = par_agree_status(c, rc)) != ZP_OK) {
        if (rc != ZP_ERUNTIME && h && h->rank != 0)
            zp_fail(rc, "%s: refused on rank 0", path);
        goto fail;
    }
    if ((rc = open_file(h, 1)) != ZP_OK)
        goto fail;
    rc = open_tables(h);
    if ((rc = agree(h, rc)) != ZP_OK)
        goto fail;
    h->live = 1;
    *out_h = h;
    return ZP_OK;
fail:
    handle_abandon(h);
    return rc;
}

int h5out_completed_tasks(const char *path, int **ids, int *n)
{
    int rc = ZP_OK;
    hid_t file = H5I_INVALID_HID, d = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    hid_t mt = H5I_INVALID_HID;
    hsize_t rows = 0;
    *ids = NULL;
    *n = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        rc = h5_fail(path, "open the file");
        goto out;
    }
    if ((d = H5Dopen2(file, "tasks", H5P_DEFAULT)) < 0 || (sp = H5Dget_space(d)) < 0 ||
        H5Sget_simple_extent_dims(sp, &rows, NULL) < 0) {
        rc = h5_fail(path, "read /tasks");
        goto out;
    }
    ZP_ALLOC(*ids, rows);
    if ((mt = H5Tcreate(H5T_COMPOUND, sizeof(int))) < 0 ||
        H5Tinsert(mt, "task", 0, H5T_NATIVE_INT) < 0 ||
        (rows > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *ids) < 0)) {
        rc = h5_fail(path, "read /tasks");
        goto out;
    }
    *n = (int)rows;
out:
    if (rc != ZP_OK) {
        zp_free(*ids);
        *ids = NULL;
    }
    close_id(&mt);
    close_id(&sp);
    close_id(&d);
    close_id(&file);
    return rc;
}

/* Collective: a fixed-size compound dataset of n rows (structs of row_size bytes described by
 * f) written from rank 0, with the table attributes field_names, field_units and
 * field_descriptions, like the extendible tables. */
static int write_compound(zp_h5out *h, hid_t loc, const char *name, const field *f, int nf,
                          size_t row_size, const void *rows, int64_t n, const char *description)
{
    int rc = ZP_OK;
    hid_t mt = H5I_INVALID_HID, ft = H5I_INVALID_HID, d = H5I_INVALID_HID;
    const char *names[MAX_FIELDS], *units[MAX_FIELDS], *meanings[MAX_FIELDS];
    size_t off = 0;
    assert(nf <= MAX_FIELDS);
    H5_TRY(mt = H5Tcreate(H5T_COMPOUND, row_size), name);
    H5_TRY(ft = H5Tcreate(H5T_COMPOUND, fields_size(f, (size_t)nf)), name);
    ZP_CHECK(add_fields(h, mt, ft, &off, f, (size_t)nf, 0));
    hsize_t dim = (hsize_t)n;
    ZP_CHECK(write_array(h, loc, name, ft, mt, 1, &dim, rows, NULL, description));
    H5_TRY(d = H5Dopen2(loc, name, H5P_DEFAULT), name);
    for (int i = 0; i < nf; i++)
        names[i] = f[i].name, units[i] = f[i].units, meanings[i] = f[i].meaning;
    ZP_CHECK(attr_strs(h, d, "field_names", names, nf, 0));
    ZP_CHECK(attr_strs(h, d, "field_units", units, nf, 0));
    ZP_CHECK(attr_strs(h, d, "field_descriptions", meanings, nf, 0));
out:
    close_id(&d);
    close_id(&ft);
    close_id(&mt);
    return rc;
}

/* ---- problem ------------------------------------------------------------------------------- */

typedef struct {
    int32_t src, dst;
    double weight;
    int32_t multiplicity;
} dep_row;

static int write_dependencies(zp_h5out *h, hid_t g, const zp_problem *p)
{
    int rc = ZP_OK;
    dep_row *rows = NULL;
    int64_t m = 0;
    static const field f[] = {
        {"src", offsetof(dep_row, src), F_I32, 0, "app index", "lower app index u"},
        {"dst", offsetof(dep_row, dst), F_I32, 0, "app index", "higher app index v"},
        {"weight", offsetof(dep_row, weight), F_F64, 0, "requests/time unit",
         "weight w, summed over the listings merged into this pair"},
        {"multiplicity", offsetof(dep_row, multiplicity), F_I32, 0, "dependencies",
         "listed dependencies merged into this pair (2 for a pair listed both ways)"},
    };
    int64_t nadj = p->xadj ? p->xadj[p->n] : 0;
    ZP_ALLOC(rows, nadj / 2 + 1);
    for (int u = 0; u < p->n && p->xadj; u++)
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
            if (p->adjncy[j] > u)
                rows[m++] = (dep_row){u, p->adjncy[j], p->adjwgt ? p->adjwgt[j] : 1.0,
                                      p->adjmult ? p->adjmult[j] : 1};
    ZP_CHECK(write_compound(h, g, "dependencies", f, (int)NFIELDS(f), sizeof(dep_row), rows, m,
                            "undirected dependency graph, one row per app pair u < v"));
out:
    zp_free(rows);
    return rc;
}

static int write_problem_arrays(zp_h5out *h, hid_t g, const zp_problem *p)
{
    int rc = ZP_OK;
    uint8_t *flags = NULL;
    hsize_t n = (hsize_t)p->n, k = (hsize_t)p->k, nres = (hsize_t)p->nres;
    hsize_t nd[2] = {n, nres}, kd[2] = {k, nres}, kk[2] = {k, k};
    ZP_CHECK(write_names(h, g, "resources", p->res_names, p->nres, "resource names"));
    ZP_CHECK(write_names(h, g, "app_names", p->app_names, p->n, "app names, in input order"));
    ZP_CHECK(write_numeric(h, g, "demand", F_F64, 2, nd, p->demand, "resource units",
                           "demand[app][resource] (columns in the order of resources)"));
    ZP_ALLOC(flags, ZP_MAX(p->n, p->k));
    for (int u = 0; u < p->n; u++)
        flags[u] = p->needs_io ? p->needs_io[u] : 0;
    hid_t u8 = H5T_STD_U8LE;
    ZP_CHECK(write_array(h, g, "needs_io", u8, H5T_NATIVE_UINT8, 1, &n, flags, "1",
                         "1 when the app needs a zone with io"));
    if (p->size)
        ZP_CHECK(write_numeric(h, g, "size", F_F64, 1, &n, p->size, "1",
                               "migration size of the app (a move costs move_factor * size * D)"));
    if (p->current) {
        hid_t i32 = H5T_STD_I32LE;
        ZP_CHECK(write_array(h, g, "current", i32, H5T_NATIVE_INT, 1, &n, p->current,
                             "zone index", "zone the app runs in before placement, -1: new app"));
    }
    if (p->allowed_xadj && p->allowed_xadj[p->n] > 0) {
        hsize_t na = (hsize_t)p->allowed_xadj[p->n], nx = n + 1;
        ZP_CHECK(write_numeric(h, g, "allowed_xadj", F_I64, 1, &nx, p->allowed_xadj, "index",
                               "CSR offsets into allowed: zones of app u are "
                               "allowed[allowed_xadj[u]:allowed_xadj[u+1]]; empty: every zone"));
        ZP_CHECK(write_array(h, g, "allowed", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &na, p->allowed,
                             "zone index", "allowed zones of the apps (CSR with allowed_xadj)"));
    }
    if (p->vwgt)
        ZP_CHECK(write_array(h, g, "vwgt", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &n, p->vwgt, "apps",
                             "apps each vertex stands for"));
    ZP_CHECK(write_names(h, g, "zone_names", p->zone_names, p->k, "zone names, in input order"));
    ZP_CHECK(write_numeric(h, g, "capacity", F_F64, 2, kd, p->capacity, "resource units",
                           "capacity[zone][resource]; inf: unlimited. per_app mode: limit for "
                           "each app; cumulative mode: limit for the sum of demands"));
    ZP_CHECK(write_array(h, g, "slots", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &k, p->slots, "apps",
                         "most apps in the zone; 2147483647: unlimited"));
    for (int z = 0; z < p->k; z++)
        flags[z] = p->zone_io ? p->zone_io[z] : 1;
    ZP_CHECK(write_array(h, g, "zone_io", u8, H5T_NATIVE_UINT8, 1, &k, flags, "1",
                         "1 when the zone offers io"));
    ZP_CHECK(write_numeric(h, g, "D", F_F64, 2, kk, p->dist, "cost per request",
                           "D[a][b]: cost of one request between an app in zone a and one in b"));
    ZP_CHECK(write_dependencies(h, g, p));
out:
    zp_free(flags);
    return rc;
}

int h5out_write_problem(zp_h5out *h, const zp_problem *p)
{
    int rc = ZP_OK;
    char name[32];
    hid_t g = H5I_INVALID_HID;
    if (h->nproblems == 0)
        snprintf(name, sizeof name, "problem");
    else
        snprintf(name, sizeof name, "problem_%d", h->nproblems);
    H5_TRY(g = H5Gcreate2(h->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
    ZP_CHECK(attr_str(h, g, "description",
                      "the problem: apps (names, demands), zones (capacities, slots), "
                      "dependencies (u < v pairs) and the zone distance matrix D"));
    ZP_CHECK(attr_str(h, g, "name", p->name));
    ZP_CHECK(attr_str(h, g, "source", p->source));
    ZP_CHECK(attr_i64(h, g, "index", h->nproblems));
    ZP_CHECK(attr_i64(h, g, "apps", p->n));
    ZP_CHECK(attr_i64(h, g, "zones", p->k));
    ZP_CHECK(attr_i64(h, g, "dependencies_listed", p->ndeps));
    ZP_CHECK(attr_str(h, g, "capacity_mode", p->capacity_mode == ZP_CUMULATIVE ? "cumulative"
                                                                                : "per_app"));
    ZP_CHECK(attr_f64(h, g, "requests", p->requests));
    ZP_CHECK(attr_f64(h, g, "move_factor", p->move_factor));
    ZP_CHECK(attr_f64(h, g, "imbalance", p->imbalance));
    ZP_CHECK(attr_f64(h, g, "e_in", p->e_in));
    ZP_CHECK(attr_f64(h, g, "e_core", p->e_core));
    ZP_CHECK(write_problem_arrays(h, g, p));
out:
    close_id(&g);
    rc = agree(h, rc);
    if (rc == ZP_OK) {
        h->current_problem = h->nproblems++;
        h->problem = p;
    }
    return rc;
}

/* ---- tasks --------------------------------------------------------------------------------- */

static void metrics_fill(metrics_row *r, const zp_metrics *m)
{
    *r = (metrics_row){m->objective,    m->traffic,       m->external_deps, m->internal_deps,
                       m->cut_weight,   m->cv,            m->lb_pct,        m->resource_cv,
                       m->move_cost,    m->moves,         m->violations,    m->imbalance,
                       m->max_load,     m->min_load,      m->thesis_cost,   m->thesis_pct,
                       m->thesis_lb_pct};
}

static int init_kind_of(const char *name)
{
    if (strcmp(name, "rr") == 0)
        return ZP_INIT_RR;
    if (strcmp(name, "random") == 0)
        return ZP_INIT_RANDOM;
    if (strcmp(name, "greedy") == 0)
        return ZP_INIT_GREEDY;
    return -1;
}

/* The task's initial placement, made again the way the pipeline makes it (stream (seed, task,
 * UINT64_MAX), running apps kept) and kept only if its metrics equal the recorded phase 0. */
static int initial_placement(const zp_h5out *h, const zp_task_result *t, int *x)
{
    const zp_problem *p = h->problem;
    for (int u = 0; u < t->apps; u++)
        x[u] = -1;
    if (!p || p->n != t->apps || p->k != t->zones || t->nphases < 1 ||
        t->phases[0].phase != ZP_PHASE_INIT)
        return 0;
    int kind = init_kind_of(t->phases[0].name);
    if (kind < 0)
        return 0;
    zp_rng rng;
    rng_seed(&rng, t->seed, (uint64_t)t->task, UINT64_MAX);
    for (int u = 0; u < p->n; u++)
        x[u] = p->current ? p->current[u] : -1;
    zp_metrics m;
    if (place_initial(p, kind, x, &rng) == ZP_OK) {
        metrics_compute(p, x, &m);
        const zp_metrics *r = &t->phases[0].m;
        if (m.traffic == r->traffic && m.external_deps == r->external_deps &&
            m.move_cost == r->move_cost && m.max_load == r->max_load &&
            m.min_load == r->min_load && m.violations == r->violations)
            return 1;
    }
    zp_error_clear();
    for (int u = 0; u < t->apps; u++)
        x[u] = -1;
    return 0;
}

/* Collective: appends the owned tasks' rows of both placement datasets. */
static int append_placements(zp_h5out *h, const zp_task_result *tasks, int ntasks,
                             const int *is_owner)
{
    int rc = ZP_OK;
    int64_t mine = 0, width = 0, offset = 0, total = 0;
    int32_t *buf[2] = {NULL, NULL};
    int *x = NULL;
    hid_t fsp = H5I_INVALID_HID, msp = H5I_INVALID_HID;
    for (int i = 0; i < ntasks; i++)
        if (is_owner[i])
            mine++, width = ZP_MAX(width, (int64_t)tasks[i].apps);
    ZP_CHECK(par_allreduce_max_i64(h->comm, &width));
    total = mine;
    ZP_CHECK(par_allreduce_sum_i64(h->comm, &total));
    ZP_CHECK(par_exscan_i64(h->comm, mine, &offset));
    int64_t cols = ZP_MAX(width, h->place_cols);
    if (total == 0 || cols == 0)
        goto out;
    /* both row blocks first, so that a failure here is agreed on before any collective write */
    size_t cells = (size_t)ZP_MAX(mine, 1) * (size_t)cols;
    buf[0] = zp_malloc(sizeof *buf[0] * cells);
    buf[1] = zp_malloc(sizeof *buf[1] * cells);
    x = zp_malloc(sizeof *x * (size_t)ZP_MAX(width, 1));
    ZP_CHECK(agree(h, buf[0] && buf[1] && x ? ZP_OK : ZP_ERUNTIME));
    for (size_t j = 0; j < cells; j++)
        buf[0][j] = buf[1][j] = -1;
    int64_t row = 0;
    for (int i = 0; i < ntasks; i++) {
        if (!is_owner[i])
            continue;
        int32_t *best = buf[0] + row * cols, *init = buf[1] + row * cols;
        row++;
        initial_placement(h, &tasks[i], x);
        for (int u = 0; u < tasks[i].apps; u++) {
            best[u] = tasks[i].placement ? tasks[i].placement[u] : -1;
            init[u] = x[u];
        }
    }
    for (int which = 0; which < 2; which++) {
        hsize_t dims[2] = {(hsize_t)(h->place_rows + total), (hsize_t)cols};
        hsize_t start[2] = {(hsize_t)(h->place_rows + offset), 0};
        hsize_t count[2] = {(hsize_t)ZP_MAX(mine, 1), (hsize_t)cols};
        H5_TRY(H5Dset_extent(h->place[which], dims), "extend placements");
        H5_TRY(fsp = H5Dget_space(h->place[which]), "placements");
        H5_TRY(msp = H5Screate_simple(2, count, NULL), "placements");
        if (mine > 0) {
            H5_TRY(H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL),
                   "placements");
        } else {
            H5_TRY(H5Sselect_none(fsp), "placements");
            H5_TRY(H5Sselect_none(msp), "placements");
        }
        H5_TRY(H5Dwrite(h->place[which], H5T_NATIVE_INT32, msp, fsp, h->dxpl, buf[which]),
               "write placements");
        H5_TRY(H5Fflush(h->file, H5F_SCOPE_GLOBAL), "placements"); /* see FLUSH_FILTERED */
        close_id(&msp);
        close_id(&fsp);
    }
    h->place_rows += total;
    h->place_cols = cols;
out:
    close_id(&msp);
    close_id(&fsp);
    zp_free(buf[0]);
    zp_free(buf[1]);
    zp_free(x);
    return rc;
}

int h5out_append_tasks(zp_h5out *h, const zp_task_result *tasks, int ntasks, const int *is_owner,
                       const char *const *instances)
{
    int rc = ZP_OK;
    task_row *trows = NULL;
    phase_row *prows = NULL;
    start_row *srows = NULL;
    zp_traj_row *rrows = NULL;
    int64_t nt = 0, np = 0, ns = 0, nr = 0;
    for (int i = 0; i < ntasks; i++) {
        nr += tasks[i].traj.len;
        if (is_owner[i])
            nt++, np += tasks[i].nphases, ns += tasks[i].starts;
    }
    trows = zp_calloc((size_t)ZP_MAX(nt, 1), sizeof *trows);
    prows = zp_calloc((size_t)ZP_MAX(np, 1), sizeof *prows);
    srows = zp_calloc((size_t)ZP_MAX(ns, 1), sizeof *srows);
    rrows = zp_malloc(sizeof *rrows * (size_t)ZP_MAX(nr, 1));
    if (!trows || !prows || !srows || !rrows)
        rc = ZP_ERUNTIME;
    if ((rc = agree(h, rc)) != ZP_OK)
        goto out;
    nt = np = ns = nr = 0;
    for (int i = 0; i < ntasks; i++) {
        const zp_task_result *t = &tasks[i];
        if (t->traj.len > 0)
            memcpy(rrows + nr, t->traj.rows, sizeof *rrows * (size_t)t->traj.len);
        nr += t->traj.len;
        if (!is_owner[i])
            continue;
        task_row *r = &trows[nt++];
        r->task = t->task;
        r->problem = h->current_problem;
        snprintf(r->instance, sizeof r->instance, "%s", instances && instances[i] ? instances[i]
                                                                                  : "");
        snprintf(r->init, sizeof r->init, "%s", t->nphases > 0 ? t->phases[0].name : "");
        r->zones = t->zones;
        r->apps = t->apps;
        r->seed = t->seed;
        r->starts = t->starts;
        r->epochs = t->epochs;
        r->best_start = t->best_start;
        metrics_fill(&r->m, &t->final);
        r->wall_seconds = t->wall;
        for (int ph = 0; ph < t->nphases; ph++) {
            phase_row *q = &prows[np++];
            q->task = t->task;
            q->phase = t->phases[ph].phase;
            snprintf(q->name, sizeof q->name, "%s", t->phases[ph].name);
            metrics_fill(&q->m, &t->phases[ph].m);
        }
        for (int s = 0; s < t->starts; s++)
            srows[ns++] = (start_row){t->task, s, t->start_seeds ? t->start_seeds[s] : 0};
    }
    ZP_CHECK(table_append(h, &h->tasks, trows, nt));
    ZP_CHECK(table_append(h, &h->phases, prows, np));
    ZP_CHECK(table_append(h, &h->starts, srows, ns));
    ZP_CHECK(table_append(h, &h->traj, rrows, nr));
    ZP_CHECK(append_placements(h, tasks, ntasks, is_owner));
out:
    zp_free(trows);
    zp_free(prows);
    zp_free(srows);
    zp_free(rrows);
    return agree(h, rc);
}

/* ---- response-time model (/perf) ------------------------------------------------------------ */

/* The two placements of the /perf tables: column prefixes and row parts [0] and [1]. */
enum { PERF_INITIAL, PERF_FINAL, PERF_PLACEMENTS };

typedef struct {
    double latency_ms, network_ms, server_ms, mean_ms, mean_nonet_ms, pct_ms, pct_nonet_ms;
    int32_t unstable;
} perf_dep_part;

typedef struct {
    int32_t client, server;
    double rate;
    perf_dep_part at[PERF_PLACEMENTS];
} perf_dep_row;

typedef struct {
    double load, utilisation;
    int32_t unstable;
} perf_link_part;

typedef struct {
    int32_t zone_a, zone_b;
    double latency_ms, bandwidth;
    perf_link_part at[PERF_PLACEMENTS];
} perf_link_row;

typedef struct {
    int32_t zone;
    double reservation, cpu_utilisation;
    int32_t unstable;
} perf_app_part;

typedef struct {
    int32_t app;
    double service_rate, arrival_rate;
    perf_app_part at[PERF_PLACEMENTS];
} perf_app_row;

#define PDF(fld, kind, units, meaning) {#fld, offsetof(perf_dep_row, fld), kind, 0, units, meaning}
#define PDP(P, i, fld, kind, units, meaning)                                                       \
    {#P "_" #fld, offsetof(perf_dep_row, at[i].fld), kind, 0, units, #P " placement: " meaning}
#define PERF_DEP_PART(P, i)                                                                        \
    PDP(P, i, latency_ms, F_F64, "ms", "path latency 2 delta (there and back)"),                   \
    PDP(P, i, network_ms, F_F64, "ms", "mean time in the link queue; inf: link unstable"),         \
    PDP(P, i, server_ms, F_F64, "ms", "mean time in the server queue; inf: server unstable"),      \
    PDP(P, i, mean_ms, F_F64, "ms", "mean response time E[R] with the network term"),              \
    PDP(P, i, mean_nonet_ms, F_F64, "ms", "mean response time without the network term"),          \
    PDP(P, i, pct_ms, F_F64, "ms", "percentile response time (attribute percentile) with the "    \
        "network term"),                                                                           \
    PDP(P, i, pct_nonet_ms, F_F64, "ms", "percentile response time without the network term"),     \
    PDP(P, i, unstable, F_I32, "1", "bit 0: server utilisation >= 1, bit 1: link utilisation >= 1")
static const field perf_dep_fields[] = {
    PDF(client, F_I32, "app index", "app sending the requests"),
    PDF(server, F_I32, "app index", "app serving them"),
    PDF(rate, F_F64, "requests/s", "lambda = weight * requests (T)"),
    PERF_DEP_PART(initial, PERF_INITIAL),
    PERF_DEP_PART(final, PERF_FINAL),
};

#define PLF(fld, kind, units, meaning) {#fld, offsetof(perf_link_row, fld), kind, 0, units, meaning}
#define PLP(P, i, fld, kind, units, meaning)                                                       \
    {#P "_" #fld, offsetof(perf_link_row, at[i].fld), kind, 0, units, #P " placement: " meaning}
#define PERF_LINK_PART(P, i)                                                                       \
    PLP(P, i, load, F_F64, "bit/s", "requests' bits per second through the link"),                 \
    PLP(P, i, utilisation, F_F64, "1", "load / bandwidth"),                                        \
    PLP(P, i, unstable, F_I32, "1", "1 when the utilisation is >= 1 (the model does not hold)")
static const field perf_link_fields[] = {
    PLF(zone_a, F_I32, "zone index", "lower zone of the pair (zone_a = zone_b: the zone's own "
                                     "link, used by dependencies inside it)"),
    PLF(zone_b, F_I32, "zone index", "higher zone of the pair"),
    PLF(latency_ms, F_F64, "ms", "one-way path latency delta between the zones"),
    PLF(bandwidth, F_F64, "bit/s", "sigma = links * link_gbps * 1e9 (link aggregation)"),
    PERF_LINK_PART(initial, PERF_INITIAL),
    PERF_LINK_PART(final, PERF_FINAL),
};

#define PAF(fld, kind, units, meaning) {#fld, offsetof(perf_app_row, fld), kind, 0, units, meaning}
#define PAP(P, i, fld, kind, units, meaning)                                                       \
    {#P "_" #fld, offsetof(perf_app_row, at[i].fld), kind, 0, units, #P " placement: " meaning}
#define PERF_APP_PART(P, i)                                                                        \
    PAP(P, i, zone, F_I32, "zone index", "zone of the app"),                                       \
    PAP(P, i, reservation, F_F64, "cores", "CPU reservation Q/P (\"auto\" resolved in its zone)"), \
    PAP(P, i, cpu_utilisation, F_F64, "1", "arrival_rate / (service_rate * reservation)"),         \
    PAP(P, i, unstable, F_I32, "1", "1 when the CPU utilisation is >= 1")
static const field perf_app_fields[] = {
    PAF(app, F_I32, "app index", "the app (row of /problem/app_names)"),
    PAF(service_rate, F_F64, "requests/s", "mu: requests served per second on a whole core"),
    PAF(arrival_rate, F_F64, "requests/s", "total rate of the requests the app serves"),
    PERF_APP_PART(initial, PERF_INITIAL),
    PERF_APP_PART(final, PERF_FINAL),
};

static void fill_dep_part(perf_dep_part *o, const zp_perf_dep *d)
{
    *o = (perf_dep_part){1e3 * d->latency,   1e3 * d->network_time, 1e3 * d->server_time,
                         1e3 * d->mean,      1e3 * d->mean_nonet,   1e3 * d->pct,
                         1e3 * d->pct_nonet, d->unstable};
}

/* The rows of the three /perf tables of a task, made before any collective call so that an
 * allocation failure on one rank is agreed on instead of leaving the others in a write. */
typedef struct {
    perf_dep_row *deps;
    perf_link_row *links;
    perf_app_row *apps;
    int64_t ndeps, nlinks, napps;
} perf_rows;

static void perf_rows_free(perf_rows *r)
{
    zp_free(r->deps);
    zp_free(r->links);
    zp_free(r->apps);
}

static void fill_perf_deps(perf_rows *out, const zp_perf_tables *t)
{
    const zp_perf_result *r[PERF_PLACEMENTS] = {t->initial, t->final};
    for (int64_t e = 0; e < out->ndeps; e++) {
        perf_dep_row *row = &out->deps[e];
        row->client = t->final->dep[e].client;
        row->server = t->final->dep[e].server;
        row->rate = t->final->dep[e].rate;
        for (int i = 0; i < PERF_PLACEMENTS; i++)
            fill_dep_part(&row->at[i], &r[i]->dep[e]);
    }
}

/* One row per zone pair a <= b, in order (0,0), (0,1), ..., (1,1), ... */
static void fill_perf_links(perf_rows *out, const zp_perf_tables *t)
{
    const zp_perf_result *r[PERF_PLACEMENTS] = {t->initial, t->final};
    int k = t->final->k;
    int64_t n = 0;
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++, n++) {
            int64_t l = (int64_t)a * k + b;
            perf_link_row *row = &out->links[n];
            row->zone_a = a;
            row->zone_b = b;
            row->latency_ms = 1e3 * t->pf->latency[l];
            row->bandwidth = t->pf->bandwidth[l];
            for (int i = 0; i < PERF_PLACEMENTS; i++)
                row->at[i] = (perf_link_part){r[i]->link_load[l], r[i]->link_util[l],
                                              r[i]->link_util[l] >= 1};
        }
}

static void fill_perf_apps(perf_rows *out, const zp_perf_tables *t, const int *final_x)
{
    const zp_perf_result *r[PERF_PLACEMENTS] = {t->initial, t->final};
    const int *x[PERF_PLACEMENTS] = {t->initial_x, final_x};
    for (int u = 0; u < out->napps; u++) {
        perf_app_row *row = &out->apps[u];
        row->app = u;
        row->service_rate = t->pf->service_rate[u];
        row->arrival_rate = t->final->arrival[u];
        for (int i = 0; i < PERF_PLACEMENTS; i++)
            row->at[i] = (perf_app_part){x[i][u], r[i]->share[u], r[i]->cpu_util[u],
                                         r[i]->cpu_util[u] >= 1};
    }
}

/* Not collective: the rows of every table, ZP_ERUNTIME when out of memory. */
static int make_perf_rows(perf_rows *out, const zp_perf_tables *t, const int *final_x)
{
    int rc = ZP_OK;
    int k = t->final->k;
    out->ndeps = t->final->ndeps;
    out->nlinks = (int64_t)k * (k + 1) / 2;
    out->napps = t->final->n;
    ZP_ALLOC(out->deps, out->ndeps);
    ZP_ALLOC(out->links, out->nlinks);
    ZP_ALLOC(out->apps, out->napps);
    fill_perf_deps(out, t);
    fill_perf_links(out, t);
    fill_perf_apps(out, t, final_x);
out:
    return rc;
}

static int write_perf_tables(zp_h5out *h, hid_t g, const perf_rows *r)
{
    int rc = ZP_OK;
    ZP_CHECK(write_compound(h, g, "dependencies", perf_dep_fields, (int)NFIELDS(perf_dep_fields),
                            sizeof *r->deps, r->deps, r->ndeps,
                            "one row per dependency, in the order of /problem/dependencies: "
                            "predicted response times (inf where a queue is unstable)"));
    ZP_CHECK(write_compound(h, g, "links", perf_link_fields, (int)NFIELDS(perf_link_fields),
                            sizeof *r->links, r->links, r->nlinks,
                            "one row per zone pair a <= b: load and utilisation of its link"));
    ZP_CHECK(write_compound(h, g, "apps", perf_app_fields, (int)NFIELDS(perf_app_fields),
                            sizeof *r->apps, r->apps, r->napps,
                            "one row per app: its zone, CPU reservation and utilisation as a "
                            "server"));
out:
    return rc;
}

/* The summary of one placement as attributes PREFIX_mean_ms, ... (the summary JSON's perf
 * object; inf where JSON has null). */
static int write_perf_summary(zp_h5out *h, hid_t g, const char *prefix, const zp_perf_result *r)
{
    int rc = ZP_OK;
    char name[64];
    const struct {
        const char *key;
        double value;
    } items[] = {
        {"mean_ms", 1e3 * r->mean_weighted},
        {"mean_ms_without_network", 1e3 * r->mean_weighted_nonet},
        {"worst_mean_ms", 1e3 * r->worst_mean},
        {"max_percentile_ms", 1e3 * r->max_pct},
        {"objective", r->objective},
    };
    for (size_t i = 0; i < NFIELDS(items); i++) {
        snprintf(name, sizeof name, "%s_%s", prefix, items[i].key);
        ZP_CHECK(attr_f64(h, g, name, items[i].value));
    }
    snprintf(name, sizeof name, "%s_unstable_servers", prefix);
    ZP_CHECK(attr_i64(h, g, name, r->unstable_servers));
    snprintf(name, sizeof name, "%s_unstable_links", prefix);
    ZP_CHECK(attr_i64(h, g, name, r->unstable_links));
    snprintf(name, sizeof name, "%s_unstable_dependencies", prefix);
    ZP_CHECK(attr_i64(h, g, name, r->unstable_deps));
out:
    return rc;
}

/* Collective: the group /perf, created by the first task that writes into it. */
static int perf_root(zp_h5out *h, hid_t *g)
{
    int rc = ZP_OK;
    htri_t there = H5Lexists(h->file, "perf", H5P_DEFAULT);
    H5_TRY(there, "perf");
    if (there) {
        H5_TRY(*g = H5Gopen2(h->file, "perf", H5P_DEFAULT), "perf");
        return ZP_OK;
    }
    H5_TRY(*g = H5Gcreate2(h->file, "perf", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "perf");
    ZP_CHECK(attr_str(h, *g, "description",
                      "the response-time model (docs/perfmodel.md): one group task_<T> per task "
                      "of /tasks that has a \"perf\" section"));
out:
    return rc;
}

/* Collective: /perf/task_<T> with its attributes and tables. */
static int write_perf_group(zp_h5out *h, hid_t root, const zp_task_result *task,
                            const zp_perf_tables *t, const perf_rows *rows)
{
    int rc = ZP_OK;
    char name[32];
    hid_t g = H5I_INVALID_HID;
    snprintf(name, sizeof name, "task_%d", task->task);
    H5_TRY(g = H5Gcreate2(root, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
    ZP_CHECK(attr_str(h, g, "description",
                      "the model's predictions for the initial placement (round robin, running "
                      "apps kept) and the final one (the task's row of /placements)"));
    ZP_CHECK(attr_i64(h, g, "task", task->task));
    ZP_CHECK(attr_str(h, g, "objective", objective_name(task->objective)));
    ZP_CHECK(attr_f64(h, g, "percentile", 100.0 * t->pf->phi));
    ZP_CHECK(attr_i64(h, g, "network", t->pf->network));
    ZP_CHECK(write_perf_summary(h, g, "initial", t->initial));
    ZP_CHECK(write_perf_summary(h, g, "final", t->final));
    ZP_CHECK(write_perf_tables(h, g, rows));
out:
    close_id(&g);
    return rc;
}

int h5out_write_perf(zp_h5out *h, const zp_task_result *task, const zp_problem *p,
                     const zp_perf_tables *t)
{
    int rc = ZP_OK;
    hid_t root = H5I_INVALID_HID;
    perf_rows rows;
    memset(&rows, 0, sizeof rows);
    if (t->final->n != p->n || t->initial->n != p->n || t->final->k != p->k ||
        t->initial->k != p->k || task->apps != p->n || t->initial->ndeps != t->final->ndeps)
        rc = zp_fail(ZP_ERUNTIME, "%s: /perf: predictions of another problem", h->partial);
    if (rc == ZP_OK)
        rc = make_perf_rows(&rows, t, task->placement);
    ZP_CHECK(agree(h, rc));
    ZP_CHECK(perf_root(h, &root));
    ZP_CHECK(write_perf_group(h, root, task, t, &rows));
out:
    close_id(&root);
    perf_rows_free(&rows);
    return agree(h, rc);
}

/* ---- close --------------------------------------------------------------------------------- */

/* Rank 0: moves PATH.partial to PATH; without force never replaces an existing PATH (a hard
 * link fails if PATH exists; where links are unsupported, a check then a rename). */
static int publish(zp_h5out *h)
{
    if (h->force) {
        if (rename(h->partial, h->path) != 0)
            return zp_fail(ZP_EIO, "%s: cannot rename from %s: %s", h->path, h->partial,
                           strerror(errno));
        return ZP_OK;
    }
    if (link(h->partial, h->path) == 0) {
        unlink(h->partial);
        return ZP_OK;
    }
    if (errno == EEXIST)
        return zp_fail(ZP_EIO, "%s: exists (use --force to overwrite)", h->path);
    struct stat sb;
    if (stat(h->path, &sb) == 0)
        return zp_fail(ZP_EIO, "%s: exists (use --force to overwrite)", h->path);
    if (rename(h->partial, h->path) != 0)
        return zp_fail(ZP_EIO, "%s: cannot rename from %s: %s", h->path, h->partial,
                       strerror(errno));
    return ZP_OK;
}

int h5out_close(zp_h5out **ph, int success)
{
    int rc = ZP_OK;
    zp_h5out *h = ph ? *ph : NULL;
    if (!h)
        return ZP_OK;
    h->live = 0;
    destroy(h);
    if (H5Fclose(h->file) < 0)
        rc = h5_fail(h->partial, "close the file");
    h->file = H5I_INVALID_HID;
    rc = agree(h, rc);
    if (success && rc == ZP_OK) {
        ZP_CHECK(par_barrier(h->comm));
        if (h->rank == 0)
            rc = publish(h);
        rc = par_agree_status(h->comm, rc);
        if (rc != ZP_OK && h->rank != 0)
            zp_fail(rc, "%s: rank 0 could not rename the output", h->path);
    }
out:
    if ((!success || rc != ZP_OK) && h->rank == 0)
        remove(h->partial);
    zp_free(h->path);
    zp_free(h->partial);
    zp_free(h);
    *ph = NULL;
    return rc;
}

/* ---- resumed sweeps: the problem group of appended rows (added by the sweep issue) -------- */

/* Reads the attribute name of obj into buf (memory type mt); -1 if it is missing or unreadable. */
static int attr_read(hid_t obj, const char *name, hid_t mt, void *buf)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int bad = a < 0 || H5Aread(a, mt, buf) < 0;
    if (a >= 0)
        H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return bad ? -1 : 0;
}

/* Whether problem group g holds a problem equal to p, as far as its attributes tell. */
static int problem_matches(hid_t g, const zp_problem *p)
{
    int64_t apps = -1, zones = -1;
    double req = -1, mf = -1, imb = -1;
    char *name = NULL, *mode = NULL;
    hid_t vl = vlstr_type();
    int ok = vl >= 0 && attr_read(g, "apps", H5T_NATIVE_INT64, &apps) == 0 &&
             attr_read(g, "zones", H5T_NATIVE_INT64, &zones) == 0 &&
             attr_read(g, "requests", H5T_NATIVE_DOUBLE, &req) == 0 &&
             attr_read(g, "move_factor", H5T_NATIVE_DOUBLE, &mf) == 0 &&
             attr_read(g, "imbalance", H5T_NATIVE_DOUBLE, &imb) == 0 &&
             attr_read(g, "name", vl, &name) == 0 && attr_read(g, "capacity_mode", vl, &mode) == 0;
    ok = ok && name && mode && apps == p->n && zones == p->k && req == p->requests &&
         mf == p->move_factor && imb == p->imbalance && strcmp(name, p->name ? p->name : "") == 0 &&
         strcmp(mode, p->capacity_mode == ZP_CUMULATIVE ? "cumulative" : "per_app") == 0;
    if (name)
        H5free_memory(name);
    if (mode)
        H5free_memory(mode);
    if (vl >= 0)
        H5Tclose(vl);
    return ok;
}

int h5out_use_problem(zp_h5out *h, const zp_problem *p, int *found)
{
    *found = 0;
    for (int i = 0; i < h->nproblems && !*found; i++) {
        char name[32];
        if (i == 0)
            snprintf(name, sizeof name, "problem");
        else
            snprintf(name, sizeof name, "problem_%d", i);
        hid_t g = H5Gopen2(h->file, name, H5P_DEFAULT);
        if (g < 0) {
            H5Eclear2(H5E_DEFAULT);
            continue;
        }
        if (problem_matches(g, p)) {
            *found = 1;
            h->current_problem = i;
            h->problem = p;
        }
        H5Gclose(g);
    }
    /* every rank read the same attributes (collective metadata reads): the same answer */
    return ZP_OK;
}
