/* mergecmd.c - `zoneplace merge` (see mergecmd.h): reads the parts back (h5out_read_file),
 * checks that they belong to one sweep and agree where they overlap, and writes the tasks
 * through the output layer as the whole sweep's run would: problem groups numbered by their
 * first task, each followed by its tasks in task order. */
#include "mergecmd.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "h5out.h"
#include "mergejson.h"
#include "util.h"

static const char merge_usage[] =
    "Usage: zoneplace merge PART.h5 [PART.h5...] --out ALL.h5 [--force] [--quiet]\n"
    "Merges the HDF5 outputs of the parts of one sweep (job-array elements run with --slice\n"
    "or --zones, resumed runs) into the file one job running the whole sweep would have\n"
    "written: one problem group per problem, /tasks rows in task order with their phases,\n"
    "starts, trajectories and placements; the root attribute complete is 1 when every task of\n"
    "the sweep is there (docs/hdf5.md, \"Merging the parts of a sweep\").\n"
    "\n"
    "The parts must record the same digest (zoneplace version, sweep file, every task's\n"
    "options, every instance's content); a task present in several parts must have the same\n"
    "results in each (wall-clock times aside): it is written once.\n"
    "\n"
    "Options:\n"
    "  -o, --out ALL.h5   the merged file (written under a temporary name, then renamed)\n"
    "  -f, --force        overwrite an existing ALL.h5\n"
    "  -q, --quiet        no line on stdout about what was merged\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 parts that do not belong together or a file that is not a\n"
    "zoneplace sweep output, 4 a file that cannot be read or written (ALL.h5 exists: --force).\n";

typedef struct {
    const char *out;
    int force, quiet, help;
    char **parts;
    int nparts;
    char command_line[2048];
} merge_args;

/* Where the merged file takes a task from. */
typedef struct {
    int part, row; /* part -1: no part holds the task */
} pick;

typedef struct {
    merge_args a;
    zp_h5file *files;  /* [nparts] */
    int ntotal;        /* tasks of the sweep */
    pick *by_id;       /* [ntotal] */
    int present;       /* tasks some part holds */
    int *group_of;     /* [ntotal] problem group of the merged file, -1 when absent */
    int *group_first;  /* [ntotal] task id that introduced each group */
    int ngroups;
} merge_run;

/* ---- command line ------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, merge_args *a)
{
    int rc = ZP_OK;
    memset(a, 0, sizeof *a);
    zp_join_args(argc, argv, a->command_line, sizeof a->command_line);
    ZP_ALLOC(a->parts, argc);
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
            a->help = 1;
        else if (!strcmp(opt, "--force") || !strcmp(opt, "-f"))
            a->force = 1;
        else if (!strcmp(opt, "--quiet") || !strcmp(opt, "-q"))
            a->quiet = 1;
        else if (!strcmp(opt, "--out") || !strcmp(opt, "-o")) {
            if (i + 1 >= argc)
                return zp_fail(ZP_EUSAGE, "%s: missing value", opt);
            a->out = argv[++i];
        } else if (opt[0] == '-' && opt[1])
            return zp_fail(ZP_EUSAGE, "merge: unknown option '%s' (see zoneplace merge --help)",
                           opt);
        else
            a->parts[a->nparts++] = argv[i];
    }
    if (a->help)
        return ZP_OK;
    if (!a->out)
        return zp_fail(ZP_EUSAGE, "merge: --out ALL.h5 is required (see zoneplace merge --help)");
    if (a->nparts == 0)
        return zp_fail(ZP_EUSAGE, "merge: give the parts to merge (see zoneplace merge --help)");
out:
    return rc;
}

/* ---- do the parts belong together? -------------------------------------------------------- */

static int check_parts(merge_run *m)
{
    int rc = ZP_OK;
    for (int i = 0; i < m->a.nparts; i++) {
        const zp_h5file *f = &m->files[i];
        int ntotal = 0;
        if (!f->digest[0])
            return zp_fail(ZP_EINPUT, "%s: records no sweep digest (a `zoneplace run` output, "
                                      "or an older zoneplace's): merge takes the parts of one "
                                      "sweep", m->a.parts[i]);
        if (f->perf_groups > 0)
            return zp_fail(ZP_EINPUT, "%s: has /perf groups, which sweeps do not write: not a "
                                      "sweep output", m->a.parts[i]);
        ZP_CHECK(mergejson_sweep_tasks(f->parameters_json, m->a.parts[i], &ntotal));
        ZP_CHECK(mergejson_compare_digests(f->digest, m->a.parts[i], m->files[0].digest,
                                           m->a.parts[0]));
        if (strcmp(f->settings, m->files[0].settings) != 0) /* in the digest: a hand-edited file */
            return zp_fail(ZP_EINPUT, "%s: not a part of the same sweep as %s: the sweep's common "
                                      "search options (attribute settings) differ",
                           m->a.parts[i], m->a.parts[0]);
        if (i > 0 && ntotal != m->ntotal) /* likewise */
            return zp_fail(ZP_EINPUT, "%s: a sweep of %d tasks, %s has %d", m->a.parts[i], ntotal,
                           m->a.parts[0], m->ntotal);
        m->ntotal = ntotal;
    }
out:
    return rc;
}

/* ---- tasks in several parts --------------------------------------------------------------- */

static const zp_problem *problem_of(const merge_run *m, pick p)
{
    const zp_h5file *f = &m->files[p.part];
    int g = f->problem_of[p.row];
    return g >= 0 && g < f->nproblems ? f->problems[g] : NULL;
}

static int same_problem(const zp_problem *a, const zp_problem *b)
{
    return a && b && strcmp(a->name ? a->name : "", b->name ? b->name : "") == 0 &&
           zp_digest_problem(ZP_DIGEST_INIT, a) == zp_digest_problem(ZP_DIGEST_INIT, b);
}

static int bits_equal(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Trajectory rows by their key, then by their values (so that equal sets sort alike). */
static int traj_cmp(const void *pa, const void *pb)
{
    const zp_traj_row *a = pa, *b = pb;
    int64_t ka[6] = {a->start, a->epoch, a->phase, a->step, a->kind, a->external_deps};
    int64_t kb[6] = {b->start, b->epoch, b->phase, b->step, b->kind, b->external_deps};
    for (int i = 0; i < 6; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    double da[5] = {a->traffic, a->cv, a->lb_pct, a->move_cost, a->best};
    double db[5] = {b->traffic, b->cv, b->lb_pct, b->move_cost, b->best};
    return memcmp(da, db, sizeof da);
}

static int traj_row_equal(const zp_traj_row *a, const zp_traj_row *b)
{
    return a->task == b->task && traj_cmp(a, b) == 0 && a->moves == b->moves; /* wall aside */
}

/* Whether two parts recorded the same trajectory rows for a task (in any order: the order
 * follows the ranks that ran the starts). *equal = 0 or 1. */
static int same_trajectory(const zp_traj *a, const zp_traj *b, int *equal)
{
    int rc = ZP_OK;
    zp_traj_row *x = NULL, *y = NULL;
    *equal = a->len == b->len;
    if (!*equal || a->len == 0)
        return ZP_OK;
    ZP_ALLOC(x, a->len);
    ZP_ALLOC(y, b->len);
    memcpy(x, a->rows, sizeof *x * (size_t)a->len);
    memcpy(y, b->rows, sizeof *y * (size_t)b->len);
    qsort(x, (size_t)a->len, sizeof *x, traj_cmp);
    qsort(y, (size_t)b->len, sizeof *y, traj_cmp);
    for (int64_t i = 0; i < a->len && *equal; i++)
        *equal = traj_row_equal(&x[i], &y[i]);
out:
    zp_free(x);
    zp_free(y);
    return rc;
}

static int same_phases(const zp_task_result *a, const zp_task_result *b)
{
    if (a->nphases != b->nphases)
        return 0;
    for (int i = 0; i < a->nphases; i++)
        if (a->phases[i].phase != b->phases[i].phase ||
            strcmp(a->phases[i].name, b->phases[i].name) != 0 ||
            memcmp(&a->phases[i].m, &b->phases[i].m, sizeof a->phases[i].m) != 0)
            return 0;
    return 1;
}

/* What differs between two parts' results of one task (NULL: nothing but wall-clock times). */
static const char *task_difference(const merge_run *m, pick p, pick q, int traj_equal)
{
    const zp_task_result *a = &m->files[p.part].tasks[p.row], *b = &m->files[q.part].tasks[q.row];
    if (strcmp(m->files[p.part].instances[p.row], m->files[q.part].instances[q.row]) != 0 ||
        !same_problem(problem_of(m, p), problem_of(m, q)))
        return "its problem";
    if (a->zones != b->zones || a->apps != b->apps || a->seed != b->seed ||
        a->starts != b->starts || a->epochs != b->epochs)
        return "its parameters (zones, apps, seed, starts, epochs)";
    if (a->best_start != b->best_start || memcmp(&a->final, &b->final, sizeof a->final) != 0)
        return "its final metrics";
    if (!bits_equal(a->perf_mean, b->perf_mean) || !bits_equal(a->perf_pct, b->perf_pct))
        return "its response-time predictions";
    if (!same_phases(a, b))
        return "its phases";
    if (memcmp(a->placement, b->placement, sizeof *a->placement * (size_t)a->apps) != 0 ||
        memcmp(a->initial, b->initial, sizeof *a->initial * (size_t)a->apps) != 0)
        return "its placements";
    if (memcmp(a->start_seeds, b->start_seeds, sizeof *a->start_seeds * (size_t)a->starts) != 0)
        return "its starts' seeds";
    return traj_equal ? NULL : "its trajectory";
}

/* Rows of part i for tasks an earlier part holds: identical ones are dropped, others refused. */
static int take_task(merge_run *m, pick p)
{
    int rc = ZP_OK;
    int id = m->files[p.part].tasks[p.row].task;
    if (id >= m->ntotal)
        return zp_fail(ZP_EINPUT, "%s: task %d is not a task of the sweep (%d tasks)",
                       m->a.parts[p.part], id, m->ntotal);
    if (!problem_of(m, p))
        return zp_fail(ZP_EINPUT, "%s: task %d has no problem group", m->a.parts[p.part], id);
    pick had = m->by_id[id];
    if (had.part < 0) {
        m->by_id[id] = p;
        m->present++;
        return ZP_OK;
    }
    int traj_equal = 0;
    ZP_CHECK(same_trajectory(&m->files[had.part].tasks[had.row].traj,
                             &m->files[p.part].tasks[p.row].traj, &traj_equal));
    const char *what = task_difference(m, had, p, traj_equal);
    if (what)
        return zp_fail(ZP_EINPUT, "%s: task %d differs from its row in %s (%s): both cannot be "
                                  "in one file (parts of different runs?)", m->a.parts[p.part],
                       id, m->a.parts[had.part], what);
out:
    return rc;
}

static int collect_tasks(merge_run *m)
{
    int rc = ZP_OK;
    ZP_ALLOC(m->by_id, m->ntotal);
    for (int id = 0; id < m->ntotal; id++)
        m->by_id[id] = (pick){-1, -1};
    for (int i = 0; i < m->a.nparts; i++)
        for (int row = 0; row < m->files[i].ntasks; row++)
            ZP_CHECK(take_task(m, (pick){i, row}));
out:
    return rc;
}

/* The problem groups: one per distinct problem, numbered by the first task (in task order)
 * that has it, as the whole sweep's run numbers them. */
static int number_groups(merge_run *m)
{
    int rc = ZP_OK;
    ZP_ALLOC(m->group_of, m->ntotal);
    ZP_ALLOC(m->group_first, m->ntotal);
    for (int id = 0; id < m->ntotal; id++) {
        m->group_of[id] = -1;
        if (m->by_id[id].part < 0)
            continue;
        const zp_problem *p = problem_of(m, m->by_id[id]);
        int g = 0;
        while (g < m->ngroups && !same_problem(problem_of(m, m->by_id[m->group_first[g]]), p))
            g++;
        if (g == m->ngroups)
            m->group_first[m->ngroups++] = id;
        m->group_of[id] = g;
    }
out:
    return rc;
}

/* ---- the merged file's provenance --------------------------------------------------------- */

/* Appends value to the list *acc (sep between entries) unless it is empty or already there. */
static int add_distinct(char **acc, const char *value, const char *sep)
{
    if (!value || !value[0])
        return ZP_OK;
    size_t used = *acc ? strlen(*acc) : 0, vlen = strlen(value), slen = strlen(sep);
    for (const char *at = *acc; at && (at = strstr(at, value)); at += vlen) {
        int starts = at == *acc || (at - *acc >= (ptrdiff_t)slen && !strncmp(at - slen, sep, slen));
        int ends = at[vlen] == '\0' || !strncmp(at + vlen, sep, slen);
        if (starts && ends)
            return ZP_OK;
    }
    char *grown = zp_realloc(*acc, used + slen + vlen + 1);
    if (!grown)
        return zp_fail(ZP_ERUNTIME, "out of memory");
    snprintf(grown + used, slen + vlen + 1, "%s%s", used ? sep : "", value);
    *acc = grown;
    return ZP_OK;
}

/* The root attributes that describe where and when the parts ran. */
typedef struct {
    char *git_revision, *mpi_library, *slurm[3];
    const char *started, *ended; /* the parts' earliest and latest */
    const char **hosts;
    int nhosts;
    int64_t ranks;
} provenance;

static void provenance_free(provenance *pv)
{
    zp_free(pv->git_revision);
    zp_free(pv->mpi_library);
    for (int i = 0; i < 3; i++)
        zp_free(pv->slurm[i]);
    zp_free(pv->hosts);
}

static int gather_provenance(const merge_run *m, provenance *pv)
{
    int rc = ZP_OK;
    int maxhosts = 0;
    memset(pv, 0, sizeof *pv);
    for (int i = 0; i < m->a.nparts; i++)
        maxhosts += m->files[i].nhosts;
    ZP_ALLOC(pv->hosts, maxhosts);
    pv->started = pv->ended = "";
    for (int i = 0; i < m->a.nparts; i++) {
        const zp_h5file *f = &m->files[i];
        ZP_CHECK(add_distinct(&pv->git_revision, f->git_revision, ", "));
        ZP_CHECK(add_distinct(&pv->mpi_library, f->mpi_library, "; "));
        ZP_CHECK(add_distinct(&pv->slurm[0], f->slurm_job_id, ","));
        ZP_CHECK(add_distinct(&pv->slurm[1], f->slurm_array_job_id, ","));
        ZP_CHECK(add_distinct(&pv->slurm[2], f->slurm_array_task_id, ","));
        /* ISO 8601 UTC times of one format compare as strings */
        if (f->started[0] && (!pv->started[0] || strcmp(f->started, pv->started) < 0))
            pv->started = f->started;
        if (f->ended[0] && strcmp(f->ended, pv->ended) > 0)
            pv->ended = f->ended;
        pv->ranks = ZP_MAX(pv->ranks, f->mpi_ranks);
        for (int h = 0; h < f->nhosts; h++) {
            int seen = 0;
            for (int j = 0; j < pv->nhosts && !seen; j++)
                seen = !strcmp(pv->hosts[j], f->hosts[h]);
            if (!seen)
                pv->hosts[pv->nhosts++] = f->hosts[h];
        }
    }
out:
    return rc;
}

/* ---- writing ------------------------------------------------------------------------------ */

/* Collective: the root attributes that describe the parts rather than this merge. */
static int write_provenance(zp_h5out *h, const provenance *pv)
{
    int rc = ZP_OK;
    static const char *const slurm_names[3] = {"slurm_job_id", "slurm_array_job_id",
                                               "slurm_array_task_id"};
    const char *lib = pv->mpi_library ? pv->mpi_library : "";
    ZP_CHECK(h5out_replace_root_strings(h, "started", &pv->started, 1, 1));
    ZP_CHECK(h5out_replace_root_strings(h, "hosts", pv->hosts, pv->nhosts, 0));
    ZP_CHECK(h5out_replace_root_strings(h, "mpi_library", &lib, 1, 1));
    for (int i = 0; i < 3; i++) {
        const char *v = pv->slurm[i] ? pv->slurm[i] : "";
        ZP_CHECK(h5out_replace_root_strings(h, slurm_names[i], &v, 1, 1));
    }
out:
    return rc;
}

/* Collective: group g's problem and tasks (rank 0 passes them; the others join with none). */
static int write_group(const merge_run *m, zp_h5out *h, int g, int rank)
{
    int rc = ZP_OK;
    zp_task_result *list = NULL;
    const char **names = NULL;
    int *owner = NULL, n = 0;
    ZP_CHECK(h5out_write_problem(h, problem_of(m, m->by_id[m->group_first[g]])));
    ZP_ALLOC(list, m->ntotal);
    ZP_ALLOC(names, m->ntotal);
    ZP_ALLOC(owner, m->ntotal);
    for (int id = 0; id < m->ntotal && rank == 0; id++) {
        if (m->group_of[id] != g)
            continue;
        pick p = m->by_id[id];
        list[n] = m->files[p.part].tasks[p.row]; /* a shallow copy: the file keeps the arrays */
        names[n] = m->files[p.part].instances[p.row];
        owner[n++] = 1;
    }
    ZP_CHECK(h5out_append_tasks(h, list, n, owner, names));
out:
    zp_free(list);
    zp_free(names);
    zp_free(owner);
    return rc;
}

static int write_merged(const merge_run *m, zp_comm *world)
{
    int rc = ZP_OK;
    zp_h5out *h = NULL;
    provenance pv;
    char *params = NULL;
    const zp_h5file *f0 = &m->files[0];
    mergejson_part *parts = zp_calloc((size_t)m->a.nparts, sizeof *parts);
    for (int i = 0; parts && i < m->a.nparts; i++)
        parts[i] = (mergejson_part){m->a.parts[i], m->files[i].parameters_json, m->files[i].ntasks};
    if (parts)
        params = mergejson_parameters(parts, m->a.nparts, m->group_of, m->ntotal);
    zp_free(parts);
    rc = gather_provenance(m, &pv);
    if (rc == ZP_OK && !params)
        rc = zp_fail(ZP_ERUNTIME, "out of memory");
    ZP_CHECK(par_agree_status(world, rc));
    zp_run_info info = {m->a.command_line, f0->version,
                        pv.git_revision ? pv.git_revision : "", (int)pv.ranks, params,
                        f0->digest, f0->settings, time(NULL)};
    ZP_CHECK(h5out_open(&h, world, m->a.out, m->a.force, &info));
    ZP_CHECK(write_provenance(h, &pv));
    for (int g = 0; g < m->ngroups; g++)
        ZP_CHECK(write_group(m, h, g, par_rank(world)));
    ZP_CHECK(h5out_set_complete(h, m->present == m->ntotal));
    ZP_CHECK(h5out_replace_root_strings(h, "ended", &pv.ended, 1, 1));
out:
    if (h) {
        int close_rc = h5out_close(&h, rc == ZP_OK);
        if (rc == ZP_OK)
            rc = close_rc;
    }
    provenance_free(&pv);
    zp_free(params);
    return rc;
}

/* ---- entry point -------------------------------------------------------------------------- */

static void free_run(merge_run *m)
{
    for (int i = 0; m->files && i < m->a.nparts; i++)
        h5out_file_free(&m->files[i]);
    zp_free(m->files);
    zp_free(m->by_id);
    zp_free(m->group_of);
    zp_free(m->group_first);
    zp_free(m->a.parts);
}

/* Every rank reads every part (read-only) and checks them: all take the same decisions. */
static int read_parts(merge_run *m)
{
    int rc = ZP_OK;
    ZP_ALLOC(m->files, m->a.nparts);
    for (int i = 0; i < m->a.nparts; i++)
        ZP_CHECK(h5out_read_file(m->a.parts[i], &m->files[i]));
    ZP_CHECK(check_parts(m));
    ZP_CHECK(collect_tasks(m));
    ZP_CHECK(number_groups(m));
out:
    return rc;
}

int merge_main(int argc, char **argv, zp_comm *world)
{
    int rc = ZP_OK;
    merge_run m;
    memset(&m, 0, sizeof m);
    int rank = par_rank(world);
    ZP_CHECK(parse_args(argc, argv, &m.a));
    if (m.a.help) {
        if (rank == 0)
            fputs(merge_usage, stdout);
        goto out;
    }
    /* the output first: a typo must not cost the reading of the parts */
    ZP_CHECK(par_agree_status(world, rank == 0 ? zp_check_output_path(m.a.out, m.a.force,
                                                     "use --force to overwrite") : ZP_OK));
    ZP_CHECK(par_agree_status(world, read_parts(&m)));
    ZP_CHECK(write_merged(&m, world));
    if (rank == 0 && !m.a.quiet)
        printf("zoneplace merge: %s: %d of the sweep's %d tasks from %d part%s (%s), %d "
               "problem group%s\n", m.a.out, m.present, m.ntotal, m.a.nparts,
               m.a.nparts == 1 ? "" : "s", m.present == m.ntotal ? "complete" : "incomplete",
               m.ngroups, m.ngroups == 1 ? "" : "s");
out:
    free_run(&m);
    return rc;
}
