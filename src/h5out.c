/* h5out.c - the run's file layout over the HDF5 plumbing of h5io.c (see h5out.h; the layout
 * is documented field by field in docs/hdf5.md): the root attributes and /parameters, the
 * /problem groups, the tables /tasks, /phases, /starts, /trajectory and the placements; the
 * /perf groups are in h5perf.c.
 *
 * Every rank opens PATH.partial with the MPI-IO driver. /placements and /initial_placements
 * are 2-D int32 [task rows][apps], unlimited in both dimensions, padded with -1; the tables and
 * small arrays are written as h5io.c describes. Attributes carry units and meanings. */
#include "h5io.h"
#include "h5layout.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cost.h"
#include "drun.h"
#include "outfile.h"
#include "util.h"

#define TRAJ_CHUNK 4096     /* rows per chunk */
#define TABLE_CHUNK 64
#define PLACE_CHUNK 1024    /* apps per chunk of a placement row */

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
    TF(init, F_STR, NAME_LEN, "", "initial placement: rr, random, greedy or multilevel"),
    TF(zones, F_I32, 0, "zones", "zones of the task's problem"),
    TF(apps, F_I32, 0, "apps", "apps of the final problem (valid length of the placement row)"),
    TF(seed, F_U64, 0, "1", "base seed of the task"),
    TF(starts, F_I32, 0, "1", "local-search starts"),
    TF(epochs, F_I32, 0, "1", "best-placement exchanges between starts"),
    TF(best_start, F_I32, 0, "1", "start whose placement won the last exchange"),
};
static const field task_tail[] = {
    TF(wall_seconds, F_F64, 0, "s", "wall-clock time of the task"),
    TF(perf_mean_ms, F_F64, 0, "ms", "response-time model (docs/perfmodel.md) of the final "
       "placement: rate-weighted mean response time; nan without a perf section, inf unstable"),
    TF(perf_pct_ms, F_F64, 0, "ms", "the model's worst percentile response time over the "
       "dependencies (nan, inf: as perf_mean_ms)"),
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
    RF(step, F_I64, "rounds", "search round counted from the task's first search phase on "
                              "(earlier phases' rounds + epoch * rounds per epoch + round): it "
                              "keeps increasing through the task's phases"),
    RF(phase, F_I32, "1", "phase code (attribute phase_names)"),
    RF(kind, F_I32, "1", "what the row records (attribute kind_names): 0 round, a search round "
                         "of the start; 1 epoch_end, the start at the end of an epoch; 2 "
                         "phase_end, the task's placement at the end of a phase (start -1); 3 "
                         "level, a multilevel level (start -1, step = level + 1000 * cycle)"),
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

const table_spec table_specs[N_TABLES] = {
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
     "it; start = -1 rows mark the task's phase ends and multilevel levels; (task, start, epoch, "
     "phase, step, kind) identifies a row"},
};

/* ---- the handle ---------------------------------------------------------------------------- */

struct zp_h5out {
    zp_h5io io; /* io.partial: PATH.partial */
    int force;
    char *path;
    table tasks, phases, starts, traj;
    table *tables[4];   /* the four above, in table_specs order */
    hid_t place[2];     /* /placements, /initial_placements */
    int64_t place_rows, place_cols;
    int nproblems;              /* /problem groups in the file */
    int current_problem;        /* index of the last one written by this handle, or -1 */
    char *comp_tmp;             /* rank 0: a file to publish with this one (h5out_publish_with) */
    const char *comp_path;
    int comp_replace;
};

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

/* Rank 0: t as ISO 8601 UTC ("" if it cannot be converted). */
static void iso_time(time_t t, char *buf, size_t size)
{
    struct tm tm;
    buf[0] = '\0';
    if (gmtime_r(&t, &tm))
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Collective: the string attribute name of rank 0's value (same on every rank afterwards). */
static int attr_from_rank0(zp_h5out *h, const char *name, const char *value)
{
    int rc = ZP_OK;
    char *shared = NULL;
    ZP_CHECK(bcast_str(h->io.comm, value, &shared));
    ZP_CHECK(h5_attr_str(&h->io, h->io.file, name, shared));
out:
    zp_free(shared);
    return rc;
}

/* Collective: the root attribute hosts, the host names of the ranks, each once, in the order of
 * their lowest rank. */
static int write_hosts(zp_h5out *h)
{
    int rc = ZP_OK, size = par_size(h->io.comm), n = 0;
    char (*names)[64] = NULL;
    const char **list = NULL;
    ZP_ALLOC(names, size);
    ZP_ALLOC(list, size);
    for (int r = 0; r < size; r++) {
        if (r == h->io.rank && gethostname(names[r], sizeof names[r] - 1) != 0)
            snprintf(names[r], sizeof names[r], "?");
        ZP_CHECK(par_bcast(h->io.comm, names[r], sizeof names[r], r));
        names[r][sizeof names[r] - 1] = '\0';
        int seen = 0;
        for (int i = 0; i < n && !seen; i++)
            seen = strcmp(list[i], names[r]) == 0;
        if (!seen)
            list[n++] = names[r];
    }
    ZP_CHECK(h5_attr_strs(&h->io, h->io.file, "hosts", list, n, 0));
out:
    zp_free(list);
    zp_free(names);
    return rc;
}

/* Collective: where and with what the file was made: hosts, MPI library, Slurm job. */
static int write_provenance(zp_h5out *h, const zp_run_info *info)
{
    int rc = ZP_OK;
    char mpi[256], started[32] = "";
    const char *job = getenv("SLURM_JOB_ID"), *array = getenv("SLURM_ARRAY_JOB_ID"),
               *element = getenv("SLURM_ARRAY_TASK_ID");
    par_library_version(mpi, sizeof mpi);
    if (info && info->started)
        iso_time(info->started, started, sizeof started);
    ZP_CHECK(attr_from_rank0(h, "started", started));
    ZP_CHECK(write_hosts(h));
    ZP_CHECK(attr_from_rank0(h, "mpi_library", mpi));
    ZP_CHECK(attr_from_rank0(h, "slurm_job_id", job ? job : ""));
    ZP_CHECK(attr_from_rank0(h, "slurm_array_job_id", array ? array : ""));
    ZP_CHECK(attr_from_rank0(h, "slurm_array_task_id", element ? element : ""));
    ZP_CHECK(attr_from_rank0(h, "settings", info && info->settings ? info->settings : ""));
out:
    return rc;
}

static int write_root(zp_h5out *h, const zp_run_info *info)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    char *created = NULL, *command = NULL, hdf5[64], stamp[32] = "";
    unsigned maj = 0, min = 0, rel = 0;
    hid_t g = H5I_INVALID_HID;
    if (io->rank == 0)
        iso_time(time(NULL), stamp, sizeof stamp);
    ZP_CHECK(bcast_str(io->comm, stamp, &created));
    ZP_CHECK(bcast_str(io->comm, info ? info->command_line : "", &command));
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
    ZP_CHECK(h5_attr_str(io, io->file, "creator", "zoneplace"));
    ZP_CHECK(h5_attr_str(io, io->file, "version", info ? info->version : ""));
    ZP_CHECK(h5_attr_str(io, io->file, "created", created));
    ZP_CHECK(h5_attr_str(io, io->file, "command_line", command));
    ZP_CHECK(h5_attr_i64(io, io->file, "mpi_ranks", info ? info->ranks : par_size(io->comm)));
    ZP_CHECK(h5_attr_str(io, io->file, "git_revision", info ? info->git_revision : ""));
    if (info && info->digest)
        ZP_CHECK(h5_attr_str(io, io->file, "digest", info->digest));
    ZP_CHECK(h5_attr_i64(io, io->file, "format_version", ZP_H5_FORMAT));
    ZP_CHECK(h5_attr_str(io, io->file, "hdf5_version", hdf5));
    ZP_CHECK(h5_attr_str(io, io->file, "layout", "see docs/hdf5.md of zoneplace"));
    ZP_CHECK(h5_attr_i64(io, io->file, "complete", 0));
    ZP_CHECK(write_provenance(h, info));

    H5_TRY(g = H5Gcreate2(io->file, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           "create /parameters");
    ZP_CHECK(h5_attr_str(io, g, "description",
                      "the resolved configuration; seeds and counts of each task are in /tasks "
                      "(seed, starts, epochs) and /starts (every start's stream seed), "
                      "command-line overrides in the root attribute command_line"));
    ZP_CHECK(h5_attr_str(io, g, "compiler", __VERSION__));
    ZP_CHECK(h5_attr_str(io, g, "hdf5_version", hdf5));
    ZP_CHECK(h5_write_text(io, g, "config_json", info ? info->parameters_json : "",
                        "the input configuration as parsed, JSON text"));
out:
    h5_close_id(&g);
    zp_free(created);
    zp_free(command);
    return rc;
}

const char *const place_names[2] = {"placements", "initial_placements"};

static int create_tables(zp_h5out *h)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    for (int i = 0; i < N_TABLES; i++)
        ZP_CHECK(h5_table_create(io, h->tables[i], &table_specs[i]));
    const char *phase_names[ZP_PHASE_COUNT];
    for (int p = 0; p < ZP_PHASE_COUNT; p++)
        phase_names[p] = p == ZP_PHASE_INIT ? "init" : phase_name(p, 0);
    ZP_CHECK(h5_attr_strs(io, h->traj.dset, "phase_names", phase_names, ZP_PHASE_COUNT, 0));
    ZP_CHECK(h5_attr_strs(io, h->phases.dset, "phase_names", phase_names, ZP_PHASE_COUNT, 0));
    static const char *const kind_names[ZP_TRAJ_KINDS] = {"round", "epoch_end", "phase_end",
                                                          "level"};
    ZP_CHECK(h5_attr_strs(io, h->traj.dset, "kind_names", kind_names, ZP_TRAJ_KINDS, 0));

    static const char *const pdesc[2] = {
        "zone index of every app in the best placement, one row per /tasks row (same order); "
        "row i is valid up to /tasks.apps[i], padded with -1",
        "zone index of every app in the initial placement (phase 0, the one the search started "
        "from), one row per /tasks row; -1 for apps that arrive after it (arrivals) and "
        "padding"};
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
        H5_TRY(h->place[i] = H5Dcreate2(io->file, place_names[i], H5T_STD_I32LE, sp, H5P_DEFAULT,
                                        dcpl, H5P_DEFAULT),
               place_names[i]);
        ZP_CHECK(h5_describe(io, h->place[i], "zone index", pdesc[i]));
    }
out:
    h5_close_id(&dcpl);
    h5_close_id(&sp);
    return rc;
}

/* Collective: opens the tables of an existing file and counts its rows and problems. */
static int open_tables(zp_h5out *h)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    hid_t sp = H5I_INVALID_HID;
    for (int i = 0; i < N_TABLES; i++)
        ZP_CHECK(h5_table_open(io, h->tables[i], &table_specs[i]));
    for (int i = 0; i < 2; i++) {
        hsize_t dims[2] = {0, 0};
        H5_TRY(h->place[i] = H5Dopen2(io->file, place_names[i], H5P_DEFAULT), place_names[i]);
        H5_TRY(sp = H5Dget_space(h->place[i]), place_names[i]);
        if (H5Sget_simple_extent_ndims(sp) != 2 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0)
            ZP_CHECK(zp_fail(ZP_EIO, "%s: /%s is not a 2-D dataset", io->partial, place_names[i]));
        h5_close_id(&sp);
        h->place_rows = (int64_t)dims[0];
        h->place_cols = ZP_MAX(h->place_cols, (int64_t)dims[1]);
    }
    if (h->place_rows != h->tasks.rows)
        ZP_CHECK(zp_fail(ZP_EIO, "%s: /placements has %lld rows for %lld /tasks rows", io->partial,
                         (long long)h->place_rows, (long long)h->tasks.rows));
    for (;;) {
        char name[32];
        if (h->nproblems == 0)
            snprintf(name, sizeof name, "problem");
        else
            snprintf(name, sizeof name, "problem_%d", h->nproblems);
        htri_t there = H5Lexists(io->file, name, H5P_DEFAULT);
        H5_TRY(there, name);
        if (!there)
            break;
        h->nproblems++;
    }
out:
    h5_close_id(&sp);
    return rc;
}

static void destroy(zp_h5out *h)
{
    for (int i = 0; i < N_TABLES; i++) {
        h5_close_id(&h->tables[i]->dset);
        h5_close_id(&h->tables[i]->ftype);
    }
    h5_close_id(&h->place[0]);
    h5_close_id(&h->place[1]);
    h5_close_id(&h->io.dxpl);
}

/* Collective: a handle for path (not yet opened) with the temporary name rank 0 chose (made
 * new by rank 0 when create_on_0: the file resumed from is copied into it), or NULL (out of
 * memory). */
static zp_h5out *handle_new(zp_comm *c, const char *path, int force)
{
    zp_h5out *h = zp_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->io.comm = c;
    h->io.rank = par_rank(c);
    h->io.resfd = -1;
    h->force = force;
    h->current_problem = -1;
    h->io.file = h->io.dxpl = h->place[0] = h->place[1] = H5I_INVALID_HID;
    h->tables[T_TASKS] = &h->tasks;
    h->tables[T_PHASES] = &h->phases;
    h->tables[T_STARTS] = &h->starts;
    h->tables[T_TRAJ] = &h->traj;
    for (int i = 0; i < N_TABLES; i++)
        h->tables[i]->dset = h->tables[i]->ftype = H5I_INVALID_HID;
    if (!(h->path = zp_strdup(path))) {
        zp_free(h);
        return NULL;
    }
    h->io.path = h->path;
    return h;
}

/* Collective: rank 0's temporary name (made by it, or NULL after its failure) on every rank. */
static int share_partial(zp_h5out *h, const char *name)
{
    return bcast_str(h->io.comm, name ? name : "", &h->io.partial);
}

/* Rank 0: removes the unpublished companion file. */
static void drop_companion(zp_h5out *h)
{
    if (h->comp_tmp)
        unlink(h->comp_tmp);
    zp_free(h->comp_tmp);
    h->comp_tmp = NULL;
}

/* Closes and frees a handle that failed to open; rank 0 removes the partial file it made. */
static void handle_abandon(zp_h5out *h)
{
    if (!h)
        return;
    destroy(h);
    h5_release_reserve(&h->io);
    if (h->io.file >= 0)
        H5Fclose(h->io.file);
    h5_unreserve(&h->io);
    if (h->io.rank == 0 && h->io.created && h->io.partial)
        remove(h->io.partial);
    zp_free(h->path);
    zp_free(h->io.partial);
    zp_free(h);
}

/* The bytes the root attributes, /parameters and the empty tables take, at most. */
static int64_t root_bytes(const zp_run_info *info)
{
    int64_t n = 1 << 16;
    if (info && info->parameters_json)
        n += (int64_t)strlen(info->parameters_json);
    if (info && info->command_line)
        n += (int64_t)strlen(info->command_line);
    return n;
}

int h5out_open(zp_h5out **out_h, zp_comm *c, const char *path, int force, const zp_run_info *info)
{
    int rc = ZP_OK;
    zp_h5out *h = NULL;
    *out_h = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (!(h = handle_new(c, path, force)))
        rc = ZP_ERUNTIME;
    char *tmp = NULL;
    if (rc == ZP_OK && h->io.rank == 0)
        rc = zp_check_output_path(path, force, "use --force to overwrite");
    if (rc == ZP_OK && h->io.rank == 0)
        rc = zp_temp_name(path, &tmp);
    if ((rc = par_agree_status(c, rc)) != ZP_OK) {
        if (rc != ZP_ERUNTIME && h && h->io.rank != 0)
            zp_fail(rc, "%s: refused on rank 0", path);
        goto fail;
    }
    rc = share_partial(h, tmp);
    zp_free(tmp);
    if ((rc = par_agree_status(c, rc)) != ZP_OK)
        goto fail;
    if ((rc = h5_open_file(&h->io, 0)) != ZP_OK)
        goto fail;
    if ((rc = h5_reserve(&h->io, h->io.rank == 0 ? root_bytes(info) : 0)) != ZP_OK)
        goto fail;
    rc = write_root(h, info);
    if (rc == ZP_OK)
        rc = create_tables(h);
    if ((rc = h5_agree(&h->io, rc)) != ZP_OK)
        goto fail;
    h->io.live = 1;
    *out_h = h;
    return ZP_OK;
fail:
    handle_abandon(h);
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
    char *tmp = NULL;
    if (rc == ZP_OK && h->io.rank == 0) {
        struct stat sb;
        if (stat(prev, &sb) != 0 || !S_ISREG(sb.st_mode))
            rc = zp_fail(ZP_EIO, "%s: no such file to append to", prev);
        else if (strcmp(prev, path) != 0)
            rc = zp_check_output_path(path, force, "use --force to overwrite");
        if (rc == ZP_OK)
            rc = zp_temp_copy(prev, path, &tmp);
        h->io.created = rc == ZP_OK;
    }
    if ((rc = par_agree_status(c, rc)) != ZP_OK) {
        if (rc != ZP_ERUNTIME && h && h->io.rank != 0)
            zp_fail(rc, "%s: refused on rank 0", path);
        zp_free(tmp);
        goto fail;
    }
    rc = share_partial(h, tmp);
    zp_free(tmp);
    if ((rc = par_agree_status(c, rc)) != ZP_OK)
        goto fail;
    if ((rc = h5_open_file(&h->io, 1)) != ZP_OK)
        goto fail;
    if ((rc = h5_reserve(&h->io, 0)) != ZP_OK)
        goto fail;
    rc = open_tables(h);
    if ((rc = h5_agree(&h->io, rc)) != ZP_OK)
        goto fail;
    h->io.live = 1;
    *out_h = h;
    return ZP_OK;
fail:
    handle_abandon(h);
    return rc;
}

int h5out_root_string(const char *path, const char *name, char **value)
{
    int rc = ZP_OK;
    char *text = NULL;
    hid_t file = H5I_INVALID_HID, vl = H5I_INVALID_HID;
    *value = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return h5_fail(path, "open the file");
    if ((vl = h5_vlstr_type()) < 0)
        rc = h5_fail(path, "make a string type");
    else if (H5Aexists(file, name) > 0 && h5_attr_read(file, name, vl, &text) == 0 && text)
        rc = (*value = zp_strdup(text)) ? ZP_OK : ZP_ERUNTIME;
    if (text)
        H5free_memory(text);
    H5Eclear2(H5E_DEFAULT);
    h5_close_id(&vl);
    h5_close_id(&file);
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
    h5_close_id(&mt);
    h5_close_id(&sp);
    h5_close_id(&d);
    h5_close_id(&file);
    return rc;
}

/* ---- problem ------------------------------------------------------------------------------- */

typedef struct {
    int32_t src, dst;
    double weight;
    int32_t multiplicity;
} dep_row;

static const field dep_fields[] = {
    {"src", offsetof(dep_row, src), F_I32, 0, "app index", "lower app index u"},
    {"dst", offsetof(dep_row, dst), F_I32, 0, "app index", "higher app index v"},
    {"weight", offsetof(dep_row, weight), F_F64, 0, "requests/time unit",
     "weight w, summed over the listings merged into this pair"},
    {"multiplicity", offsetof(dep_row, multiplicity), F_I32, 0, "dependencies",
     "listed dependencies merged into this pair (2 for a pair listed both ways)"},
};
#define DESC_DEPENDENCIES "undirected dependency graph, one row per app pair u < v"

static int write_dependencies(zp_h5out *h, hid_t g, const zp_problem *p)
{
    int rc = ZP_OK;
    dep_row *rows = NULL;
    int64_t m = 0;
    int64_t nadj = p->xadj ? p->xadj[p->n] : 0;
    ZP_ALLOC(rows, nadj / 2 + 1);
    for (int u = 0; u < p->n && p->xadj; u++)
        for (int64_t j = p->xadj[u]; j < p->xadj[u + 1]; j++)
            if (p->adjncy[j] > u)
                rows[m++] = (dep_row){u, p->adjncy[j], p->adjwgt ? p->adjwgt[j] : 1.0,
                                      p->adjmult ? p->adjmult[j] : 1};
    ZP_CHECK(h5_write_compound(&h->io, g, "dependencies", dep_fields, (int)NFIELDS(dep_fields),
                               sizeof(dep_row), rows, m, DESC_DEPENDENCIES));
out:
    zp_free(rows);
    return rc;
}

/* Description of every per-app dataset of a problem group, shared by both writers. */
#define DESC_APP_NAMES "app names, in input order"
#define DESC_DEMAND "demand[app][resource] (columns in the order of resources)"
#define DESC_NEEDS_IO "1 when the app needs a zone with io"
#define DESC_SIZE "migration size of the app (a move costs move_factor * size * D)"
#define DESC_VWGT "apps each vertex stands for"

static int write_app_arrays(zp_h5out *h, hid_t g, const zp_problem *p)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    uint8_t *flags = NULL;
    hsize_t n = (hsize_t)p->n, nres = (hsize_t)p->nres;
    hsize_t nd[2] = {n, nres};
    ZP_CHECK(h5_write_names(io, g, "app_names", p->app_names, p->n, DESC_APP_NAMES));
    ZP_CHECK(h5_write_numeric(io, g, "demand", F_F64, 2, nd, p->demand, "resource units",
                              DESC_DEMAND));
    ZP_ALLOC(flags, p->n);
    for (int u = 0; u < p->n; u++)
        flags[u] = p->needs_io ? p->needs_io[u] : 0;
    ZP_CHECK(h5_write_array(io, g, "needs_io", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, &n, flags, "1",
                            DESC_NEEDS_IO));
    if (p->size)
        ZP_CHECK(h5_write_numeric(io, g, "size", F_F64, 1, &n, p->size, "1", DESC_SIZE));
    if (p->current) {
        hid_t i32 = H5T_STD_I32LE;
        ZP_CHECK(h5_write_array(io, g, "current", i32, H5T_NATIVE_INT, 1, &n, p->current,
                             "zone index", "zone the app runs in before placement, -1: new app"));
    }
    if (p->allowed_xadj && p->allowed_xadj[p->n] > 0) {
        hsize_t na = (hsize_t)p->allowed_xadj[p->n], nx = n + 1;
        ZP_CHECK(h5_write_numeric(io, g, "allowed_xadj", F_I64, 1, &nx, p->allowed_xadj,
                                  "index",
                                  "CSR offsets into allowed: zones of app u are "
                                  "allowed[allowed_xadj[u]:allowed_xadj[u+1]]; empty: every zone"));
        ZP_CHECK(h5_write_array(io, g, "allowed", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &na,
                                p->allowed, "zone index",
                                "allowed zones of the apps (CSR with allowed_xadj)"));
    }
    if (p->vwgt)
        ZP_CHECK(h5_write_array(io, g, "vwgt", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &n, p->vwgt,
                                "apps", DESC_VWGT));
out:
    zp_free(flags);
    return rc;
}

/* The resources and the zones: their names, capacities, slots, io and D. */
static int write_zone_arrays(zp_h5out *h, hid_t g, const zp_problem *p)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    uint8_t *flags = NULL;
    hsize_t k = (hsize_t)p->k, nres = (hsize_t)p->nres;
    hsize_t kd[2] = {k, nres}, kk[2] = {k, k};
    ZP_CHECK(h5_write_names(io, g, "resources", p->res_names, p->nres, "resource names"));
    ZP_CHECK(h5_write_names(io, g, "zone_names", p->zone_names, p->k,
                            "zone names, in input order"));
    ZP_CHECK(h5_write_numeric(io, g, "capacity", F_F64, 2, kd, p->capacity, "resource units",
                              "capacity[zone][resource]; inf: unlimited. per_app mode: limit for "
                              "each app; cumulative mode: limit for the sum of demands"));
    ZP_CHECK(h5_write_array(io, g, "slots", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &k, p->slots,
                            "apps", "most apps in the zone; 2147483647: unlimited"));
    ZP_ALLOC(flags, p->k);
    for (int z = 0; z < p->k; z++)
        flags[z] = p->zone_io ? p->zone_io[z] : 1;
    ZP_CHECK(h5_write_array(io, g, "zone_io", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, &k, flags, "1",
                            "1 when the zone offers io"));
    ZP_CHECK(h5_write_numeric(io, g, "D", F_F64, 2, kk, p->dist, "cost per request",
                              "D[a][b]: cost of one request between an app in zone a and one in "
                              "b"));
out:
    zp_free(flags);
    return rc;
}

/* The longest of n names, NUL included (write_names pads every name to it). */
static int64_t name_bytes(char *const *names, int n)
{
    size_t len = 1;
    for (int i = 0; i < n && names; i++)
        len = ZP_MAX(len, strlen(names[i] ? names[i] : "") + 1);
    return (int64_t)len;
}

/* The bytes of a problem group, at most (for h5_reserve). */
static int64_t problem_bytes(const zp_problem *p)
{
    int64_t n = p->n, k = p->k, nres = p->nres;
    int64_t adj = p->xadj ? p->xadj[p->n] : 0;
    int64_t allowed = p->allowed_xadj ? p->allowed_xadj[p->n] : 0;
    return (1 << 16) + n * (8 * nres + 25 + name_bytes(p->app_names, p->n)) +
           k * (8 * nres + 5 + name_bytes(p->zone_names, p->k)) + 8 * k * k + 12 * adj +
           12 * allowed + nres * name_bytes(p->res_names, p->nres);
}

/* Collective: the next problem group, with p's attributes (p's counts: apps, dependencies). */
static int problem_group_create(zp_h5out *h, const zp_problem *p, int64_t bytes, hid_t *out)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    char name[32];
    hid_t g = H5I_INVALID_HID;
    ZP_CHECK(h5_reserve(io, io->rank == 0 ? bytes : 0));
    if (h->nproblems == 0)
        snprintf(name, sizeof name, "problem");
    else
        snprintf(name, sizeof name, "problem_%d", h->nproblems);
    H5_TRY(g = H5Gcreate2(io->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
    ZP_CHECK(h5_attr_str(io, g, "description",
                      "the problem: apps (names, demands), zones (capacities, slots), "
                      "dependencies (u < v pairs) and the zone distance matrix D"));
    ZP_CHECK(h5_attr_str(io, g, "name", p->name));
    ZP_CHECK(h5_attr_str(io, g, "source", p->source));
    ZP_CHECK(h5_attr_i64(io, g, "index", h->nproblems));
    ZP_CHECK(h5_attr_i64(io, g, "apps", p->n));
    ZP_CHECK(h5_attr_i64(io, g, "zones", p->k));
    ZP_CHECK(h5_attr_i64(io, g, "dependencies_listed", p->ndeps));
    ZP_CHECK(h5_attr_str(io, g, "capacity_mode", p->capacity_mode == ZP_CUMULATIVE ? "cumulative"
                                                                                : "per_app"));
    ZP_CHECK(h5_attr_f64(io, g, "requests", p->requests));
    ZP_CHECK(h5_attr_f64(io, g, "move_factor", p->move_factor));
    ZP_CHECK(h5_attr_f64(io, g, "imbalance", p->imbalance));
    ZP_CHECK(h5_attr_f64(io, g, "e_in", p->e_in));
    ZP_CHECK(h5_attr_f64(io, g, "e_core", p->e_core));
    *out = g;
    g = H5I_INVALID_HID;
out:
    h5_close_id(&g);
    return rc;
}

/* Collective: closes problem group g, written with status rc, which every rank learns. */
static int problem_group_close(zp_h5out *h, hid_t *g, int rc)
{
    h5_close_id(g);
    rc = h5_agree(&h->io, rc);
    if (rc == ZP_OK)
        h->current_problem = h->nproblems++;
    return rc;
}

int h5out_write_problem(zp_h5out *h, const zp_problem *p)
{
    int rc = ZP_OK;
    hid_t g = H5I_INVALID_HID;
    ZP_CHECK(problem_group_create(h, p, problem_bytes(p), &g));
    ZP_CHECK(write_zone_arrays(h, g, p));
    ZP_CHECK(write_app_arrays(h, g, p));
    ZP_CHECK(write_dependencies(h, g, p));
out:
    return problem_group_close(h, &g, rc);
}

/* ---- a problem split over the ranks (drun.h) --------------------------------------------- */

/* The rank's apps' rows of the per-app datasets: names "v<id>" as graphio_read_metis gives
 * them, demands, sizes, io needs and balance weights from the rank's slice. */
static int write_slice_apps(zp_h5out *h, hid_t g, const zp_dproblem *dp)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    const zp_dgraph *dg = dp->g;
    hsize_t n = (hsize_t)dp->zones->n, first = (hsize_t)dg->first, nl = (hsize_t)dg->nl;
    hsize_t nd[2] = {n, (hsize_t)dp->zones->nres};
    size_t len = (size_t)snprintf(NULL, 0, "v%lld", (long long)n) + 1;
    char *names = NULL;
    uint8_t *zeros = NULL;
    double *ones = NULL;
    hid_t t = H5I_INVALID_HID;
    ZP_ALLOC(names, (int64_t)nl * (int64_t)len);
    for (int i = 0; i < dg->nl; i++) /* NUL-padded to len, as h5_write_names pads */
        snprintf(names + (size_t)i * len, len, "v%lld", (long long)(dg->first + i + 1));
    H5_TRY(t = h5_atom(F_STR, len, 1), "app_names");
    ZP_CHECK(h5_write_array_part(io, g, "app_names", t, t, 1, &n, first, nl, names, NULL,
                                 DESC_APP_NAMES));
    ZP_CHECK(h5_write_numeric_part(io, g, "demand", F_F64, 2, nd, first, nl, dp->info.demand,
                                   "resource units", DESC_DEMAND));
    ZP_ALLOC(zeros, nl);
    ZP_CHECK(h5_write_array_part(io, g, "needs_io", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, &n, first,
                                 nl, zeros, "1", DESC_NEEDS_IO));
    ZP_ALLOC(ones, nl);
    for (int i = 0; i < dg->nl; i++)
        ones[i] = 1.0;
    ZP_CHECK(h5_write_numeric_part(io, g, "size", F_F64, 1, &n, first, nl,
                                   dp->info.size ? dp->info.size : ones, "1", DESC_SIZE));
    if (dp->info.ncon > 0)
        ZP_CHECK(h5_write_array_part(io, g, "vwgt", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &n, first,
                                     nl, dg->vwgt, "apps", DESC_VWGT));
out:
    h5_close_id(&t);
    zp_free(names);
    zp_free(zeros);
    zp_free(ones);
    return rc;
}

/* The rank's rows of /dependencies: the edges whose lower end it owns, in the order of the
 * serial writer (by lower end, then as the rows list them). */
static int write_slice_dependencies(zp_h5out *h, hid_t g, const zp_dproblem *dp)
{
    int rc = ZP_OK;
    const zp_dgraph *dg = dp->g;
    dep_row *rows = NULL;
    int64_t m = 0, first = 0, total;
    for (int u = 0; u < dg->nl; u++)
        for (int64_t j = dg->xadj[u]; j < dg->xadj[u + 1]; j++)
            m += dgraph_gid(dg, dg->adj[j]) > dg->first + u;
    ZP_ALLOC(rows, m);
    m = 0;
    for (int u = 0; u < dg->nl; u++) {
        int64_t gu = dg->first + u;
        for (int64_t j = dg->xadj[u]; j < dg->xadj[u + 1]; j++) {
            int64_t gv = dgraph_gid(dg, dg->adj[j]);
            if (gv > gu)
                rows[m++] = (dep_row){(int32_t)gu, (int32_t)gv,
                                      (double)dg->wgt[j] / DRUN_WEIGHT_SCALE, 1};
        }
    }
    total = m;
    ZP_CHECK(par_exscan_i64(h->io.comm, m, &first));
    ZP_CHECK(par_allreduce_sum_i64(h->io.comm, &total));
    ZP_CHECK(h5_write_compound_part(&h->io, g, "dependencies", dep_fields,
                                    (int)NFIELDS(dep_fields), sizeof(dep_row), rows, total, first,
                                    m, DESC_DEPENDENCIES));
out:
    zp_free(rows);
    return rc;
}

int h5out_write_dproblem(zp_h5out *h, const zp_dproblem *dp)
{
    int rc = ZP_OK;
    hid_t g = H5I_INVALID_HID;
    const zp_problem *p = dp->zones;
    int64_t n = p->n, nres = p->nres, k = p->k;
    int64_t bytes = (1 << 16) + n * (8 * nres + 25 + 24) + k * (8 * nres + 5 + 24) + 8 * k * k +
                    24 * p->ndeps; /* problem_bytes's bound */
    ZP_CHECK(problem_group_create(h, p, bytes, &g));
    ZP_CHECK(write_zone_arrays(h, g, p));
    ZP_CHECK(write_slice_apps(h, g, dp));
    ZP_CHECK(write_slice_dependencies(h, g, dp));
out:
    return problem_group_close(h, &g, rc);
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

/* Collective: appends the owned tasks' rows of both placement datasets. */
static int append_placements(zp_h5out *h, const zp_task_result *tasks, int ntasks,
                             const int *is_owner)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    int64_t mine = 0, width = 0, offset = 0, total = 0;
    int32_t *buf[2] = {NULL, NULL};
    hid_t fsp = H5I_INVALID_HID, msp = H5I_INVALID_HID;
    for (int i = 0; i < ntasks; i++)
        if (is_owner[i])
            mine++, width = ZP_MAX(width, (int64_t)tasks[i].apps);
    ZP_CHECK(par_allreduce_max_i64(io->comm, &width));
    total = mine;
    ZP_CHECK(par_allreduce_sum_i64(io->comm, &total));
    ZP_CHECK(par_exscan_i64(io->comm, mine, &offset));
    int64_t cols = ZP_MAX(width, h->place_cols);
    if (total == 0 || cols == 0)
        goto out;
    /* both row blocks first, so that a failure here is agreed on before any collective write */
    size_t cells = (size_t)ZP_MAX(mine, 1) * (size_t)cols;
    buf[0] = zp_malloc(sizeof *buf[0] * cells);
    buf[1] = zp_malloc(sizeof *buf[1] * cells);
    ZP_CHECK(h5_agree(io, buf[0] && buf[1] ? ZP_OK : ZP_ERUNTIME));
    for (size_t j = 0; j < cells; j++)
        buf[0][j] = buf[1][j] = -1;
    int64_t row = 0;
    for (int i = 0; i < ntasks; i++) {
        if (!is_owner[i])
            continue;
        int32_t *best = buf[0] + row * cols, *init = buf[1] + row * cols;
        row++;
        for (int u = 0; u < tasks[i].apps; u++) {
            best[u] = tasks[i].placement ? tasks[i].placement[u] : -1;
            init[u] = tasks[i].initial ? tasks[i].initial[u] : -1;
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
        H5_TRY(H5Dwrite(h->place[which], H5T_NATIVE_INT32, msp, fsp, io->dxpl, buf[which]),
               "write placements");
        /* see FLUSH_FILTERED in h5io.c */
        H5_TRY(H5Fflush(io->file, H5F_SCOPE_GLOBAL), "placements");
        h5_close_id(&msp);
        h5_close_id(&fsp);
    }
    h->place_rows += total;
    h->place_cols = cols;
out:
    h5_close_id(&msp);
    h5_close_id(&fsp);
    zp_free(buf[0]);
    zp_free(buf[1]);
    return rc;
}

/* The bytes this rank's rows of an append take, at most (for h5_reserve): the rows, a new
 * trajectory chunk, and placement rows (and columns, when rows grow wider) in whole chunks. */
static int64_t rows_bytes(const zp_h5out *h, const zp_task_result *tasks, int ntasks,
                          const int *is_owner)
{
    int64_t bytes = TRAJ_CHUNK * (int64_t)sizeof(zp_traj_row), width = 0;
    for (int i = 0; i < ntasks; i++) {
        bytes += tasks[i].traj.len * (int64_t)sizeof(zp_traj_row);
        if (!is_owner[i])
            continue;
        bytes += (int64_t)sizeof(task_row) + tasks[i].nphases * (int64_t)sizeof(phase_row) +
                 tasks[i].starts * (int64_t)sizeof(start_row);
        width = ZP_MAX(width, (int64_t)tasks[i].apps);
    }
    int64_t cols = (ZP_MAX(width, h->place_cols) + PLACE_CHUNK - 1) / PLACE_CHUNK * PLACE_CHUNK;
    bytes += 2 * 4 * (int64_t)ntasks * cols;
    if (width > h->place_cols && h->io.rank == 0)
        bytes += 2 * 4 * h->place_rows * (cols - h->place_cols);
    return bytes;
}

int h5out_append_tasks(zp_h5out *h, const zp_task_result *tasks, int ntasks, const int *is_owner,
                       const char *const *instances)
{
    zp_h5io *io = &h->io;
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
    if ((rc = h5_agree(io, rc)) != ZP_OK)
        goto out;
    ZP_CHECK(h5_reserve(io, rows_bytes(h, tasks, ntasks, is_owner)));
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
        r->perf_mean_ms = 1e3 * t->perf_mean;
        r->perf_pct_ms = 1e3 * t->perf_pct;
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
    ZP_CHECK(h5_table_append(io, &h->tasks, trows, nt));
    ZP_CHECK(h5_table_append(io, &h->phases, prows, np));
    ZP_CHECK(h5_table_append(io, &h->starts, srows, ns));
    ZP_CHECK(h5_table_append(io, &h->traj, rrows, nr));
    ZP_CHECK(append_placements(h, tasks, ntasks, is_owner));
out:
    zp_free(trows);
    zp_free(prows);
    zp_free(srows);
    zp_free(rrows);
    return h5_agree(io, rc);
}

/* ---- close --------------------------------------------------------------------------------- */

/* Collective: removes the root attribute name if the file has it (to write it anew). */
static int drop_root_attr(zp_h5out *h, const char *name)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    htri_t there = H5Aexists(io->file, name);
    H5_TRY(there, name);
    if (there)
        H5_TRY(H5Adelete(io->file, name), name);
out:
    return rc;
}

int h5out_set_complete(zp_h5out *h, int complete)
{
    zp_h5io *io = &h->io;
    int rc = ZP_OK;
    char now[32] = "";
    if (io->rank == 0)
        iso_time(time(NULL), now, sizeof now);
    ZP_CHECK(drop_root_attr(h, "complete"));
    ZP_CHECK(h5_attr_i64(io, io->file, "complete", complete));
    ZP_CHECK(drop_root_attr(h, "ended"));
    ZP_CHECK(attr_from_rank0(h, "ended", now));
out:
    return h5_agree(io, rc);
}

int h5out_replace_root_strings(zp_h5out *h, const char *name, const char *const *values, int n,
                               int scalar)
{
    int rc = ZP_OK;
    ZP_CHECK(drop_root_attr(h, name));
    ZP_CHECK(h5_attr_strs(&h->io, h->io.file, name, values, n, scalar));
out:
    return h5_agree(&h->io, rc);
}

void h5out_publish_with(zp_h5out *h, char *tmp, const char *path, int replace)
{
    drop_companion(h);
    h->comp_tmp = tmp;
    h->comp_path = path;
    h->comp_replace = replace;
}

/* Rank 0: renames the file (and its companion) to the final names (outfile.h). */
static int publish(zp_h5out *h)
{
    const char *tmp[2] = {h->io.partial, h->comp_tmp}, *path[2] = {h->path, h->comp_path};
    int replace[2] = {h->force, h->comp_replace};
    int rc = zp_publish(tmp, path, h->comp_tmp ? 2 : 1, replace, "use --force to overwrite");
    zp_free(h->comp_tmp); /* renamed, or removed by zp_publish */
    h->comp_tmp = NULL;
    return rc;
}

int h5out_close(zp_h5out **ph, int success)
{
    int rc = ZP_OK;
    zp_h5out *h = ph ? *ph : NULL;
    if (!h)
        return ZP_OK;
    h->io.live = 0;
    destroy(h);
    h5_release_reserve(&h->io);
    if (H5Fclose(h->io.file) < 0)
        rc = h5_fail(h->io.partial, "close the file");
    h->io.file = H5I_INVALID_HID;
    h5_unreserve(&h->io);
    rc = h5_agree(&h->io, rc);
    if (success && rc == ZP_OK) {
        ZP_CHECK(par_barrier(h->io.comm));
        if (h->io.rank == 0)
            rc = publish(h);
        rc = par_agree_status(h->io.comm, rc);
        if (rc != ZP_OK && h->io.rank != 0)
            zp_fail(rc, "%s: rank 0 could not rename the output", h->path);
    }
out:
    if ((!success || rc != ZP_OK) && h->io.rank == 0)
        remove(h->io.partial);
    drop_companion(h);
    zp_free(h->path);
    zp_free(h->io.partial);
    zp_free(h);
    *ph = NULL;
    return rc;
}

/* Whether problem group g holds a problem equal to p, as far as its attributes tell. */
static int problem_matches(hid_t g, const zp_problem *p)
{
    int64_t apps = -1, zones = -1;
    double req = -1, mf = -1, imb = -1;
    char *name = NULL, *mode = NULL;
    hid_t vl = h5_vlstr_type();
    int ok = vl >= 0 && h5_attr_read(g, "apps", H5T_NATIVE_INT64, &apps) == 0 &&
             h5_attr_read(g, "zones", H5T_NATIVE_INT64, &zones) == 0 &&
             h5_attr_read(g, "requests", H5T_NATIVE_DOUBLE, &req) == 0 &&
             h5_attr_read(g, "move_factor", H5T_NATIVE_DOUBLE, &mf) == 0 &&
             h5_attr_read(g, "imbalance", H5T_NATIVE_DOUBLE, &imb) == 0 &&
             h5_attr_read(g, "name", vl, &name) == 0 &&
             h5_attr_read(g, "capacity_mode", vl, &mode) == 0;
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
        hid_t g = H5Gopen2(h->io.file, name, H5P_DEFAULT);
        if (g < 0) {
            H5Eclear2(H5E_DEFAULT);
            continue;
        }
        if (problem_matches(g, p)) {
            *found = 1;
            h->current_problem = i;
        }
        H5Gclose(g);
    }
    /* every rank read the same attributes (collective metadata reads): the same answer */
    return ZP_OK;
}
zp_h5io *h5out_io(zp_h5out *h) { return &h->io; }
