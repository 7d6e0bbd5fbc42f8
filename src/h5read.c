/* h5read.c - reads a zoneplace file back into what its writer was given (see h5out.h,
 * h5out_read_file): the root attributes, /parameters, the problem groups as zp_problem and the
 * rows of /tasks, /phases, /starts, /trajectory and the placements as zp_task_result, so that
 * `zoneplace merge` writes them again through h5out.c (one writer, no second copy of the layout).
 * Not collective: the file is opened read-only with HDF5's default driver by the calling rank. */
#include "h5io.h"
#include "h5layout.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* ---- attributes and small datasets -------------------------------------------------------- */

/* The string attribute name of obj in *out ("" when there is none). */
static int read_attr_str(hid_t obj, const char *name, char **out)
{
    char *text = NULL;
    hid_t vl = h5_vlstr_type();
    int have = vl >= 0 && H5Aexists(obj, name) > 0 && h5_attr_read(obj, name, vl, &text) == 0;
    H5Eclear2(H5E_DEFAULT);
    *out = zp_strdup(have && text ? text : "");
    if (text)
        H5free_memory(text);
    h5_close_id(&vl);
    return *out ? ZP_OK : ZP_ERUNTIME;
}

/* The string array attribute name of obj (the root's hosts) in *out, *n strings. */
static int read_attr_strs(hid_t obj, const char *name, char ***out, int *n)
{
    int rc = ZP_OK;
    hid_t a = H5I_INVALID_HID, sp = H5I_INVALID_HID, vl = h5_vlstr_type();
    char **raw = NULL;
    hssize_t count = 0;
    *out = NULL;
    *n = 0;
    if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 ||
        (sp = H5Aget_space(a)) < 0 || (count = H5Sget_simple_extent_npoints(sp)) <= 0)
        goto out;
    ZP_ALLOC(raw, count);
    ZP_ALLOC(*out, count);
    if (vl < 0 || H5Aread(a, vl, raw) < 0)
        goto out;
    for (hssize_t i = 0; i < count; i++) {
        if (!((*out)[i] = zp_strdup(raw[i] ? raw[i] : "")))
            rc = ZP_ERUNTIME;
        if (raw[i])
            H5free_memory(raw[i]);
    }
    *n = (int)count;
out:
    H5Eclear2(H5E_DEFAULT);
    zp_free(raw);
    h5_close_id(&sp);
    h5_close_id(&a);
    h5_close_id(&vl);
    return rc;
}

/* Reads dataset name of loc, which must hold count elements, into buf as memory type mt. */
static int read_array(zp_h5io *io, hid_t loc, const char *name, hid_t mt, int64_t count,
                      void *buf)
{
    int rc = ZP_OK;
    hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    H5_TRY(d = H5Dopen2(loc, name, H5P_DEFAULT), name);
    H5_TRY(sp = H5Dget_space(d), name);
    if (H5Sget_simple_extent_npoints(sp) != count)
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: %s has %lld values, expected %lld", io->partial, name,
                         (long long)H5Sget_simple_extent_npoints(sp), (long long)count));
    if (count > 0)
        H5_TRY(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), name);
out:
    h5_close_id(&sp);
    h5_close_id(&d);
    return rc;
}

/* Whether loc has a link name. */
static int has(hid_t loc, const char *name)
{
    htri_t there = H5Lexists(loc, name, H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    return there > 0;
}

/* A fixed-length string dataset (h5_write_names, h5_write_text) of count strings into
 * names[count] (zp_strdup'd). */
static int read_names(zp_h5io *io, hid_t loc, const char *name, int64_t count, char **names)
{
    int rc = ZP_OK;
    hid_t d = H5I_INVALID_HID, t = H5I_INVALID_HID;
    char *buf = NULL;
    H5_TRY(d = H5Dopen2(loc, name, H5P_DEFAULT), name);
    H5_TRY(t = H5Dget_type(d), name);
    size_t len = H5Tget_size(t);
    ZP_ALLOC(buf, ZP_MAX(count, 1) * (int64_t)len + 1);
    ZP_CHECK(read_array(io, loc, name, t, count, buf));
    for (int64_t i = 0; i < count; i++) {
        char *s = zp_malloc(len + 1);
        if (!s)
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
        memcpy(s, buf + i * (int64_t)len, len);
        s[len] = '\0';
        names[i] = s;
    }
out:
    zp_free(buf);
    h5_close_id(&t);
    h5_close_id(&d);
    return rc;
}

/* ---- problem groups ----------------------------------------------------------------------- */

typedef struct {
    int32_t src, dst;
    double weight;
    int32_t multiplicity;
} dep_in;

/* The dependencies table into p's CSR graph: row (u, v) is appended to both ends' lists in file
 * order, so that h5out.c, which lists each u's neighbours v > u in CSR order, writes the same
 * rows again. */
static int read_dependencies(zp_h5io *io, hid_t g, zp_problem *p)
{
    int rc = ZP_OK;
    hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    dep_in *rows = NULL;
    int64_t *fill = NULL;
    H5_TRY(d = H5Dopen2(g, "dependencies", H5P_DEFAULT), "dependencies");
    H5_TRY(sp = H5Dget_space(d), "dependencies");
    int64_t m = H5Sget_simple_extent_npoints(sp);
    H5_TRY(mt = H5Tcreate(H5T_COMPOUND, sizeof(dep_in)), "dependencies");
    H5_TRY(H5Tinsert(mt, "src", offsetof(dep_in, src), H5T_NATIVE_INT32), "dependencies");
    H5_TRY(H5Tinsert(mt, "dst", offsetof(dep_in, dst), H5T_NATIVE_INT32), "dependencies");
    H5_TRY(H5Tinsert(mt, "weight", offsetof(dep_in, weight), H5T_NATIVE_DOUBLE), "dependencies");
    H5_TRY(H5Tinsert(mt, "multiplicity", offsetof(dep_in, multiplicity), H5T_NATIVE_INT32),
           "dependencies");
    ZP_ALLOC(rows, ZP_MAX(m, 1));
    if (m > 0)
        H5_TRY(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), "dependencies");
    ZP_ALLOC(p->xadj, p->n + 1);
    ZP_ALLOC(fill, p->n + 1);
    for (int64_t i = 0; i < m; i++) {
        if (rows[i].src < 0 || rows[i].dst < 0 || rows[i].src >= p->n || rows[i].dst >= p->n)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: dependencies row %lld: app index out of range",
                             io->partial, (long long)i));
        p->xadj[rows[i].src + 1]++;
        p->xadj[rows[i].dst + 1]++;
    }
    for (int u = 0; u < p->n; u++)
        p->xadj[u + 1] += p->xadj[u];
    ZP_ALLOC(p->adjncy, ZP_MAX(2 * m, 1));
    ZP_ALLOC(p->adjwgt, ZP_MAX(2 * m, 1));
    ZP_ALLOC(p->adjmult, ZP_MAX(2 * m, 1));
    memcpy(fill, p->xadj, sizeof *fill * (size_t)(p->n + 1));
    for (int64_t i = 0; i < m; i++) {
        int ends[2] = {rows[i].src, rows[i].dst};
        for (int e = 0; e < 2; e++) {
            int64_t j = fill[ends[e]]++;
            p->adjncy[j] = ends[1 - e];
            p->adjwgt[j] = rows[i].weight;
            p->adjmult[j] = rows[i].multiplicity;
        }
        p->dep_weight_total += rows[i].weight;
    }
out:
    zp_free(fill);
    zp_free(rows);
    h5_close_id(&mt);
    h5_close_id(&sp);
    h5_close_id(&d);
    return rc;
}

/* The optional per-app arrays: written only when the problem has them. */
static int read_optional_arrays(zp_h5io *io, hid_t g, zp_problem *p)
{
    int rc = ZP_OK;
    if (!has(g, "size")) {
        zp_free(p->size);
        p->size = NULL;
    } else
        ZP_CHECK(read_array(io, g, "size", H5T_NATIVE_DOUBLE, p->n, p->size));
    if (has(g, "current")) {
        ZP_ALLOC(p->current, ZP_MAX(p->n, 1));
        ZP_CHECK(read_array(io, g, "current", H5T_NATIVE_INT, p->n, p->current));
    }
    if (has(g, "allowed_xadj")) {
        ZP_ALLOC(p->allowed_xadj, p->n + 1);
        ZP_CHECK(read_array(io, g, "allowed_xadj", H5T_NATIVE_INT64, p->n + 1, p->allowed_xadj));
        int64_t na = p->allowed_xadj[p->n];
        ZP_ALLOC(p->allowed, ZP_MAX(na, 1));
        ZP_CHECK(read_array(io, g, "allowed", H5T_NATIVE_INT, na, p->allowed));
    }
    if (has(g, "vwgt")) {
        ZP_ALLOC(p->vwgt, ZP_MAX(p->n, 1));
        ZP_CHECK(read_array(io, g, "vwgt", H5T_NATIVE_INT, p->n, p->vwgt));
    }
out:
    return rc;
}

static int read_problem_arrays(zp_h5io *io, hid_t g, zp_problem *p)
{
    int rc = ZP_OK;
    int64_t n = p->n, k = p->k;
    ZP_CHECK(read_names(io, g, "resources", p->nres, p->res_names));
    ZP_CHECK(read_names(io, g, "app_names", n, p->app_names));
    ZP_CHECK(read_array(io, g, "demand", H5T_NATIVE_DOUBLE, n * p->nres, p->demand));
    ZP_CHECK(read_array(io, g, "needs_io", H5T_NATIVE_UINT8, n, p->needs_io));
    ZP_CHECK(read_optional_arrays(io, g, p));
    ZP_CHECK(read_names(io, g, "zone_names", k, p->zone_names));
    ZP_CHECK(read_array(io, g, "capacity", H5T_NATIVE_DOUBLE, k * p->nres, p->capacity));
    ZP_CHECK(read_array(io, g, "slots", H5T_NATIVE_INT, k, p->slots));
    ZP_CHECK(read_array(io, g, "zone_io", H5T_NATIVE_UINT8, k, p->zone_io));
    ZP_ALLOC(p->dist, ZP_MAX(k * k, 1));
    ZP_CHECK(read_array(io, g, "D", H5T_NATIVE_DOUBLE, k * k, p->dist));
    ZP_CHECK(read_dependencies(io, g, p));
out:
    return rc;
}

/* Problem group index of the file as a zp_problem (the fields h5out_write_problem writes). */
static int read_problem(zp_h5io *io, int index, zp_problem **out)
{
    int rc = ZP_OK;
    char name[32];
    char *mode = NULL;
    hid_t g = H5I_INVALID_HID, sp = H5I_INVALID_HID, d = H5I_INVALID_HID;
    int64_t apps = -1, zones = -1;
    zp_problem *p = NULL;
    *out = NULL;
    if (index == 0)
        snprintf(name, sizeof name, "problem");
    else
        snprintf(name, sizeof name, "problem_%d", index);
    ZP_CHECK(problem_create(&p));
    H5_TRY(g = H5Gopen2(io->file, name, H5P_DEFAULT), name);
    if (h5_attr_read(g, "apps", H5T_NATIVE_INT64, &apps) || apps < 0 || apps > INT32_MAX ||
        h5_attr_read(g, "zones", H5T_NATIVE_INT64, &zones) || zones < 1 || zones > INT32_MAX ||
        h5_attr_read(g, "dependencies_listed", H5T_NATIVE_INT64, &p->ndeps) ||
        h5_attr_read(g, "requests", H5T_NATIVE_DOUBLE, &p->requests) ||
        h5_attr_read(g, "move_factor", H5T_NATIVE_DOUBLE, &p->move_factor) ||
        h5_attr_read(g, "imbalance", H5T_NATIVE_DOUBLE, &p->imbalance) ||
        h5_attr_read(g, "e_in", H5T_NATIVE_DOUBLE, &p->e_in) ||
        h5_attr_read(g, "e_core", H5T_NATIVE_DOUBLE, &p->e_core))
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: /%s lacks the attributes of a problem group",
                         io->partial, name));
    ZP_CHECK(read_attr_str(g, "name", &p->name));
    ZP_CHECK(read_attr_str(g, "source", &p->source));
    ZP_CHECK(read_attr_str(g, "capacity_mode", &mode));
    p->capacity_mode = strcmp(mode, "cumulative") == 0 ? ZP_CUMULATIVE : ZP_PER_APP;
    H5_TRY(d = H5Dopen2(g, "resources", H5P_DEFAULT), "resources");
    H5_TRY(sp = H5Dget_space(d), "resources");
    p->nres = (int)H5Sget_simple_extent_npoints(sp);
    ZP_ALLOC(p->res_names, ZP_MAX(p->nres, 1));
    ZP_CHECK(problem_alloc_apps(p, (int)apps));
    ZP_CHECK(problem_alloc_zones(p, (int)zones));
    ZP_CHECK(read_problem_arrays(io, g, p));
    *out = p;
    p = NULL;
out:
    problem_destroy(&p);
    zp_free(mode);
    h5_close_id(&d);
    h5_close_id(&sp);
    h5_close_id(&g);
    return rc;
}

static int read_problems(zp_h5io *io, zp_h5file *f)
{
    int rc = ZP_OK;
    char name[32] = "problem";
    while (has(io->file, name))
        snprintf(name, sizeof name, "problem_%d", ++f->nproblems);
    ZP_ALLOC(f->problems, ZP_MAX(f->nproblems, 1));
    for (int i = 0; i < f->nproblems; i++)
        ZP_CHECK(read_problem(io, i, &f->problems[i]));
out:
    return rc;
}

/* ---- tables ------------------------------------------------------------------------------- */

/* Every row of table spec into *rows (structs of spec->row_size bytes), *n rows: the inverse of
 * h5io.c's packing (little-endian hosts, as there). */
static int read_table(zp_h5io *io, const table_spec *spec, void **rows, int64_t *n)
{
    int rc = ZP_OK;
    table t;
    unsigned char *packed = NULL, *out_rows = NULL;
    memset(&t, 0, sizeof t);
    t.dset = t.ftype = H5I_INVALID_HID;
    ZP_CHECK(h5_table_open(io, &t, spec));
    ZP_ALLOC(packed, ZP_MAX(t.rows, 1) * (int64_t)t.file_size);
    ZP_ALLOC(out_rows, ZP_MAX(t.rows, 1) * (int64_t)t.row_size);
    if (t.rows > 0)
        H5_TRY(H5Dread(t.dset, t.ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, packed), spec->name);
    for (int64_t i = 0; i < t.rows; i++)
        for (int fi = 0; fi < t.nf; fi++)
            memcpy(out_rows + i * (int64_t)t.row_size + t.moff[fi],
                   packed + i * (int64_t)t.file_size + t.foff[fi], t.fbytes[fi]);
    *rows = out_rows;
    *n = t.rows;
    out_rows = NULL;
out:
    zp_free(out_rows);
    zp_free(packed);
    h5_close_id(&t.dset);
    h5_close_id(&t.ftype);
    return rc;
}

/* A placement dataset, [rows][*cols] int32, into *cells. */
static int read_placements(zp_h5io *io, const char *name, int64_t rows, int32_t **cells,
                           int64_t *cols)
{
    int rc = ZP_OK;
    hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    hsize_t dims[2] = {0, 0};
    H5_TRY(d = H5Dopen2(io->file, name, H5P_DEFAULT), name);
    H5_TRY(sp = H5Dget_space(d), name);
    if (H5Sget_simple_extent_ndims(sp) != 2 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0 ||
        (int64_t)dims[0] != rows)
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: /%s does not have a row per /tasks row", io->partial,
                         name));
    *cols = (int64_t)dims[1];
    ZP_ALLOC(*cells, ZP_MAX(rows * *cols, 1));
    if (rows * *cols > 0)
        H5_TRY(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, *cells), name);
out:
    h5_close_id(&sp);
    h5_close_id(&d);
    return rc;
}

static void metrics_from_row(zp_metrics *m, const metrics_row *r)
{
    *m = (zp_metrics){.objective = r->objective, .traffic = r->traffic,
                      .external_deps = r->external_deps, .internal_deps = r->internal_deps,
                      .cut_weight = r->cut_weight, .cv = r->cv, .lb_pct = r->lb_pct,
                      .resource_cv = r->resource_cv, .move_cost = r->move_cost,
                      .moves = r->moves, .violations = r->violations,
                      .imbalance = r->imbalance, .max_load = r->max_zone_apps,
                      .min_load = r->min_zone_apps, .thesis_cost = r->thesis_cost,
                      .thesis_pct = r->thesis_pct, .thesis_lb_pct = r->thesis_lb_pct};
}

/* The seconds s for which the writer's 1e3 * s gave ms: ms / 1e3, moved by the few ulps that
 * division may be off, so that the merged file holds the same bits. */
static double seconds_of_ms(double ms)
{
    double s = ms / 1e3;
    if (!isfinite(s) || 1e3 * s == ms)
        return s;
    double up = s, down = s;
    for (int step = 0; step < 4; step++) {
        up = nextafter(up, INFINITY);
        down = nextafter(down, -INFINITY);
        if (1e3 * up == ms)
            return up;
        if (1e3 * down == ms)
            return down;
    }
    return s;
}

/* The row index of task id, or -1 (ids index a table of size nids). */
static int row_of(const int *index, int64_t nids, int64_t id)
{
    return id >= 0 && id < nids ? index[id] : -1;
}

static int fill_task(zp_task_result *t, const task_row *r, const int32_t *best,
                     const int32_t *init, int64_t cols)
{
    int rc = ZP_OK;
    t->task = r->task;
    t->zones = r->zones;
    t->apps = r->apps;
    t->seed = r->seed;
    t->starts = r->starts;
    t->epochs = r->epochs;
    t->best_start = r->best_start;
    t->wall = r->wall_seconds;
    metrics_from_row(&t->final, &r->m);
    t->perf_mean = seconds_of_ms(r->perf_mean_ms);
    t->perf_pct = seconds_of_ms(r->perf_pct_ms);
    ZP_ALLOC(t->placement, ZP_MAX(t->apps, 1));
    ZP_ALLOC(t->initial, ZP_MAX(t->apps, 1));
    ZP_ALLOC(t->start_seeds, ZP_MAX(t->starts, 1));
    for (int u = 0; u < t->apps; u++) {
        t->placement[u] = u < cols ? best[u] : -1;
        t->initial[u] = u < cols ? init[u] : -1;
    }
out:
    return rc;
}

/* The /tasks rows with their placements, then the other tables' rows attached by task id. */
static int read_tasks(zp_h5io *io, zp_h5file *f)
{
    int rc = ZP_OK;
    void *raw[N_TABLES] = {NULL, NULL, NULL, NULL};
    int64_t nrows[N_TABLES] = {0, 0, 0, 0}, cols[2] = {0, 0}, nids = 1;
    int32_t *place[2] = {NULL, NULL};
    int *index = NULL;
    for (int i = 0; i < N_TABLES; i++)
        ZP_CHECK(read_table(io, &table_specs[i], &raw[i], &nrows[i]));
    for (int i = 0; i < 2; i++)
        ZP_CHECK(read_placements(io, place_names[i], nrows[T_TASKS], &place[i], &cols[i]));
    const task_row *tr = raw[T_TASKS];
    f->ntasks = (int)nrows[T_TASKS];
    ZP_ALLOC(f->tasks, ZP_MAX(f->ntasks, 1));
    ZP_ALLOC(f->problem_of, ZP_MAX(f->ntasks, 1));
    ZP_ALLOC(f->instances, ZP_MAX(f->ntasks, 1));
    for (int i = 0; i < f->ntasks; i++)
        nids = ZP_MAX(nids, (int64_t)tr[i].task + 1);
    ZP_ALLOC(index, nids);
    for (int64_t id = 0; id < nids; id++)
        index[id] = -1;
    for (int i = 0; i < f->ntasks; i++) {
        if (tr[i].task < 0 || index[tr[i].task] >= 0 || tr[i].apps < 0 || tr[i].starts < 0)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: /tasks row %d: task %d %s", io->partial, i,
                             tr[i].task, tr[i].task < 0 || tr[i].apps < 0 || tr[i].starts < 0
                                             ? "is not a valid row" : "appears twice"));
        index[tr[i].task] = i;
        f->problem_of[i] = tr[i].problem;
        if (!(f->instances[i] = zp_strdup(tr[i].instance)))
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
        ZP_CHECK(fill_task(&f->tasks[i], &tr[i], place[0] + i * cols[0], place[1] + i * cols[1],
                           ZP_MIN(cols[0], cols[1])));
    }
    const phase_row *pr = raw[T_PHASES];
    for (int64_t j = 0; j < nrows[T_PHASES]; j++) {
        int i = row_of(index, nids, pr[j].task);
        if (i < 0 || f->tasks[i].nphases >= ZP_MAX_PHASES)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: /phases row %lld: no such task or too many phases",
                             io->partial, (long long)j));
        zp_phase_result *ph = &f->tasks[i].phases[f->tasks[i].nphases++];
        ph->phase = pr[j].phase;
        memcpy(ph->name, pr[j].name, sizeof ph->name);
        ph->name[sizeof ph->name - 1] = '\0';
        metrics_from_row(&ph->m, &pr[j].m);
    }
    const start_row *sr = raw[T_STARTS];
    for (int64_t j = 0; j < nrows[T_STARTS]; j++) {
        int i = row_of(index, nids, sr[j].task);
        if (i < 0 || sr[j].start < 0 || sr[j].start >= f->tasks[i].starts)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: /starts row %lld: no such task or start",
                             io->partial, (long long)j));
        f->tasks[i].start_seeds[sr[j].start] = sr[j].seed;
    }
    const zp_traj_row *rr = raw[T_TRAJ];
    for (int64_t j = 0; j < nrows[T_TRAJ]; j++) {
        int i = row_of(index, nids, rr[j].task);
        if (i < 0)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: /trajectory row %lld: task %d has no /tasks row",
                             io->partial, (long long)j, rr[j].task));
        f->tasks[i].traj.cap++;
    }
    for (int i = 0; i < f->ntasks; i++)
        ZP_ALLOC(f->tasks[i].traj.rows, ZP_MAX(f->tasks[i].traj.cap, 1));
    for (int64_t j = 0; j < nrows[T_TRAJ]; j++) {
        zp_traj *t = &f->tasks[index[rr[j].task]].traj;
        t->rows[t->len++] = rr[j];
    }
out:
    zp_free(index);
    for (int i = 0; i < N_TABLES; i++)
        zp_free(raw[i]);
    zp_free(place[0]);
    zp_free(place[1]);
    return rc;
}

/* ---- the file ----------------------------------------------------------------------------- */

static int read_root(zp_h5io *io, zp_h5file *f)
{
    int rc = ZP_OK;
    char *creator = NULL;
    int64_t format = -1;
    hid_t g = H5I_INVALID_HID;
    ZP_CHECK(read_attr_str(io->file, "creator", &creator));
    if (strcmp(creator, "zoneplace") != 0)
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: not a zoneplace output (no creator attribute "
                                    "\"zoneplace\")", io->partial));
    if (h5_attr_read(io->file, "format_version", H5T_NATIVE_INT64, &format) || format != ZP_H5_FORMAT)
        ZP_CHECK(zp_fail(ZP_EINPUT, "%s: layout version %lld, this zoneplace reads version %d "
                                    "(docs/hdf5.md)", io->partial, (long long)format,
                         ZP_H5_FORMAT));
    struct { const char *name; char **value; } strs[] = {
        {"version", &f->version}, {"git_revision", &f->git_revision}, {"digest", &f->digest},
        {"settings", &f->settings}, {"started", &f->started}, {"ended", &f->ended},
        {"mpi_library", &f->mpi_library}, {"slurm_job_id", &f->slurm_job_id},
        {"slurm_array_job_id", &f->slurm_array_job_id},
        {"slurm_array_task_id", &f->slurm_array_task_id}};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        ZP_CHECK(read_attr_str(io->file, strs[i].name, strs[i].value));
    ZP_CHECK(read_attr_strs(io->file, "hosts", &f->hosts, &f->nhosts));
    if (h5_attr_read(io->file, "mpi_ranks", H5T_NATIVE_INT64, &f->mpi_ranks))
        f->mpi_ranks = 0;
    if (h5_attr_read(io->file, "complete", H5T_NATIVE_INT64, &f->complete))
        f->complete = 0;
    H5_TRY(g = H5Gopen2(io->file, "parameters", H5P_DEFAULT), "open /parameters");
    ZP_CHECK(read_names(io, g, "config_json", 1, &f->parameters_json));
out:
    h5_close_id(&g);
    zp_free(creator);
    return rc;
}

/* Counts the groups under /perf (zoneplace run writes them; sweeps do not). */
static void count_perf(zp_h5io *io, zp_h5file *f)
{
    H5G_info_t info;
    hid_t g = has(io->file, "perf") ? H5Gopen2(io->file, "perf", H5P_DEFAULT) : H5I_INVALID_HID;
    if (g >= 0 && H5Gget_info(g, &info) >= 0)
        f->perf_groups = (int)info.nlinks;
    H5Eclear2(H5E_DEFAULT);
    h5_close_id(&g);
}

int h5out_read_file(const char *path, zp_h5file *f)
{
    int rc = ZP_OK;
    struct stat sb;
    zp_h5io io;
    memset(f, 0, sizeof *f);
    memset(&io, 0, sizeof io);
    io.partial = (char *)path; /* names the file in messages */
    io.path = path;
    io.file = io.dxpl = H5I_INVALID_HID;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (stat(path, &sb) != 0)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return zp_fail(ZP_EINPUT, "%s: not a regular file", path);
    htri_t hdf5 = H5Fis_hdf5(path); /* HDF5 1.10 (Debian 12) */
    H5Eclear2(H5E_DEFAULT);
    if (hdf5 <= 0)
        return zp_fail(ZP_EINPUT, "%s: not an HDF5 file (not a zoneplace output)", path);
    if ((io.file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return h5_fail(path, "open the file");
    ZP_CHECK(read_root(&io, f));
    ZP_CHECK(read_problems(&io, f));
    ZP_CHECK(read_tasks(&io, f));
    count_perf(&io, f);
out:
    h5_close_id(&io.file);
    return rc;
}

void h5out_file_free(zp_h5file *f)
{
    char **strs[] = {&f->version, &f->git_revision, &f->digest, &f->settings, &f->started,
                     &f->ended, &f->mpi_library, &f->slurm_job_id, &f->slurm_array_job_id,
                     &f->slurm_array_task_id, &f->parameters_json};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        zp_free(*strs[i]);
    for (int i = 0; f->hosts && i < f->nhosts; i++)
        zp_free(f->hosts[i]);
    zp_free(f->hosts);
    for (int i = 0; f->problems && i < f->nproblems; i++)
        problem_destroy(&f->problems[i]);
    zp_free(f->problems);
    for (int i = 0; f->tasks && i < f->ntasks; i++)
        task_result_free(&f->tasks[i]);
    for (int i = 0; f->instances && i < f->ntasks; i++)
        zp_free(f->instances[i]);
    zp_free(f->tasks);
    zp_free(f->instances);
    zp_free(f->problem_of);
    memset(f, 0, sizeof *f);
}
