/* sweep.c - the `zoneplace sweep` command (see sweep.h): options, groups of ranks, rounds of
 * tasks, preemption by signal, resume, and the outputs (HDF5 via h5out, the summary JSON and
 * the digest via sweepjson, the report). */
#include "sweep.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "digest.h"
#include "h5out.h"
#include "options.h"
#include "outfile.h"
#include "perfconf.h"
#include "pipeline.h"
#include "stopsig.h"
#include "sweepfile.h"
#include "sweepjson.h"
#include "util.h"

#ifndef ZP_VERSION
#define ZP_VERSION "0.1.0"
#endif
/* `git describe --always --dirty` of the build (the Makefile's $(BUILD)/gitrev.c) */
extern const char zp_git_rev[];
#define ZP_GIT_REV zp_git_rev

static const char sweep_usage[] =
    "Usage: zoneplace sweep --config SWEEP.json [--out F.h5] [--summary F.json] [OPTIONS]\n"
    "Runs every task of a sweep file (instances x zone counts x parameters x seeds) on groups\n"
    "of MPI ranks and writes them all to one HDF5 file (/tasks, /trajectory, /placements).\n"
    "\n"
    "Options:\n"
    "  -c, --config SWEEP.json   the sweep file (format: docs/sweeps.md)\n"
    "  -o, --out F.h5            write the sweep to an HDF5 file (published after every round)\n"
    "      --summary F.json      write every task's parameters, metrics and placement as JSON\n"
    "  -r, --resume PREV         skip the tasks PREV holds and add the others to it: PREV is a\n"
    "                            sweep's .h5 (then the default --out) or its summary .json\n"
    "                            (then the default --summary); refused (status 3) when PREV was\n"
    "                            made with other inputs, options or zoneplace version\n"
    "      --start-over          with --resume PREV made differently: compute every task again\n"
    "                            and replace PREV\n"
    "  -R, --ranks-per-task R    ranks that run one task's starts together (default: ranks /\n"
    "                            tasks, at least 1); the ranks form ranks/R groups\n"
    "      --slice I/N           run only the tasks whose id % N == I (job arrays)\n"
    "      --zones K[,K...]      run only the tasks with these zone counts (job arrays)\n"
    "      --list                print the tasks that would run and exit\n"
    "  -f, --force               overwrite existing output files\n"
    "  -q, --quiet               no report on stdout, no progress on stderr\n"
    "  -h, --help                this help\n"
    "\n"
    "Search options of every task (they override the sweep's \"search\" section, which\n"
    "overrides the instances' own; seeds and starts are sweep parameters):\n";
#define USAGE_COLUMN 28
static const char sweep_usage_tail[] =
    "\n"
    "Task ids are the expansion order of the sweep file and never change with the options\n"
    "above, so the outputs of slices, zone counts and resumed runs merge by task id.\n"
    "Results do not depend on the number of ranks or on --ranks-per-task.\n"
    "\n"
    "SIGTERM, SIGINT or SIGUSR1 (Slurm sends SIGTERM before it kills a job): the running tasks\n"
    "are finished, every completed task is written, the files are closed validly and the exit\n"
    "status is 5; run again with --resume to complete the sweep.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage, 3 invalid input, 4 I/O,\n"
    "5 stopped by a signal (partial results saved; resume with --resume).\n";

/* ---- options -------------------------------------------------------------------------------- */

typedef struct {
    const char *config, *out, *summary, *resume;
    int force, quiet, list, help;
    int start_over; /* --resume of a file made differently: compute every task again */
    int rpt; /* ranks per task, 0: automatic */
    int slice_i, slice_n;
    int only[64];
    int nonly;
    zp_options search;   /* search options given on the command line ... */
    zp_option_mask given; /* ... and which (options.h) */
    char command_line[4096];
} sweep_cli;

static int parse_slice(const char *text, sweep_cli *c)
{
    long long i, n;
    char buf[64];
    const char *slash = strchr(text, '/');
    if (!slash || (size_t)(slash - text) >= sizeof buf)
        return zp_fail(ZP_EUSAGE, "--slice: expected I/N (e.g. 0/4), got '%s'", text);
    memcpy(buf, text, (size_t)(slash - text));
    buf[slash - text] = '\0';
    if (zp_parse_long(buf, 0, 1000000, "--slice I", &i) ||
        zp_parse_long(slash + 1, 1, 1000000, "--slice N", &n))
        return ZP_EUSAGE;
    if (i >= n)
        return zp_fail(ZP_EUSAGE, "--slice %lld/%lld: I must be below N", i, n);
    c->slice_i = (int)i;
    c->slice_n = (int)n;
    return ZP_OK;
}

static int parse_zone_list(const char *text, sweep_cli *c)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        long long k;
        if (zp_parse_long(tok, 1, 1000000, "--zones", &k))
            return ZP_EUSAGE;
        if (c->nonly == (int)(sizeof c->only / sizeof c->only[0]))
            return zp_fail(ZP_EUSAGE, "--zones: at most %d zone counts",
                           (int)(sizeof c->only / sizeof c->only[0]));
        c->only[c->nonly++] = (int)k;
    }
    if (!c->nonly)
        return zp_fail(ZP_EUSAGE, "--zones: expected K[,K...], got '%s'", text);
    return ZP_OK;
}

enum { OPT_SUMMARY = 256, OPT_SLICE, OPT_ZONES, OPT_LIST, OPT_START_OVER };

static int parse_cli(sweep_cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"config", required_argument, 0, 'c'},      {"out", required_argument, 0, 'o'},
        {"summary", required_argument, 0, OPT_SUMMARY}, {"resume", required_argument, 0, 'r'},
        {"ranks-per-task", required_argument, 0, 'R'}, {"slice", required_argument, 0, OPT_SLICE},
        {"zones", required_argument, 0, OPT_ZONES}, {"list", no_argument, 0, OPT_LIST},
        {"start-over", no_argument, 0, OPT_START_OVER},
        {"force", no_argument, 0, 'f'},             {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}};
    enum { NOWN = sizeof own / sizeof own[0] };
    struct option longopts[NOWN + ZP_OPTIONS_MAX + 1];
    char shortopts[128] = "c:o:r:R:fqh";
    options_cli_longopts(ZP_OPTS_SWEEP, own, NOWN, longopts, shortopts, sizeof shortopts);
    memset(c, 0, sizeof *c);
    options_default(&c->search);
    c->slice_n = 1;
    zp_join_args(argc, argv, c->command_line, sizeof c->command_line);
    opterr = 0;
    optind = 2;
    int opt;
    long long v;
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (opt) {
        case 'c': c->config = optarg; break;
        case 'o': c->out = optarg; break;
        case OPT_SUMMARY: c->summary = optarg; break;
        case 'r': c->resume = optarg; break;
        case 'R':
            if (strcmp(optarg, "auto") == 0) {
                c->rpt = 0;
                break;
            }
            if (zp_parse_long(optarg, 1, 1000000, "--ranks-per-task", &v))
                return ZP_EUSAGE;
            c->rpt = (int)v;
            break;
        case OPT_SLICE:
            if (parse_slice(optarg, c))
                return ZP_EUSAGE;
            break;
        case OPT_ZONES:
            if (parse_zone_list(optarg, c))
                return ZP_EUSAGE;
            break;
        case OPT_LIST: c->list = 1; break;
        case OPT_START_OVER: c->start_over = 1; break;
        case 'f': c->force = 1; break;
        case 'q': c->quiet = 1; break;
        case 'h': c->help = 1; return ZP_OK;
        default:
            if (options_cli_index(ZP_OPTS_SWEEP, opt) >= 0) {
                if (options_cli_parse(options_cli_index(ZP_OPTS_SWEEP, opt), optarg, &c->search,
                                      &c->given))
                    return ZP_EUSAGE;
                break;
            }
            if (optopt && optopt < 256)
                return zp_fail(ZP_EUSAGE, "sweep: option -%c: unknown or missing its value (see "
                                          "zoneplace sweep --help)", optopt);
            return zp_fail(ZP_EUSAGE, "sweep: %s: unknown option or missing value (see "
                                      "zoneplace sweep --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return zp_fail(ZP_EUSAGE, "sweep: unexpected argument '%s' (see zoneplace sweep --help)",
                       argv[optind]);
    if (!c->config)
        return zp_fail(ZP_EUSAGE, "sweep: --config SWEEP.json is required (see zoneplace sweep "
                                  "--help)");
    return ZP_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int resume_is_json(const sweep_cli *c) { return c->resume && ends_with(c->resume, ".json"); }

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- results moved between ranks ------------------------------------------------------------ */

/* The fixed part of a task result as sent from a group's leader to world rank 0. */
typedef struct {
    int32_t task, zones, apps, starts, epochs, best_start, nphases, unused;
    uint64_t seed;
    double wall, perf_mean, perf_pct;
    zp_phase_result phases[ZP_MAX_PHASES];
    zp_metrics final;
} wire_result;

static void wire_pack(const zp_task_result *r, wire_result *w)
{
    memset(w, 0, sizeof *w);
    w->task = r->task, w->zones = r->zones, w->apps = r->apps, w->starts = r->starts;
    w->epochs = r->epochs, w->best_start = r->best_start, w->nphases = r->nphases;
    w->seed = r->seed, w->wall = r->wall;
    w->perf_mean = r->perf_mean, w->perf_pct = r->perf_pct;
    memcpy(w->phases, r->phases, sizeof w->phases);
    w->final = r->final;
}

static void wire_unpack(const wire_result *w, zp_task_result *r)
{
    r->task = w->task, r->zones = w->zones, r->apps = w->apps, r->starts = w->starts;
    r->epochs = w->epochs, r->best_start = w->best_start, r->nphases = w->nphases;
    r->seed = w->seed, r->wall = w->wall;
    r->perf_mean = w->perf_mean, r->perf_pct = w->perf_pct;
    memcpy(r->phases, w->phases, sizeof r->phases);
    r->final = w->final;
}

/* ---- the run's state ------------------------------------------------------------------------ */

typedef struct {
    sweep_cli cli;
    zp_comm *world, *group;
    int rank, size, rpt, ngroups, color;
    sweep_def *s;
    zp_config **cfg; /* [ninst] */
    int *sel;        /* selected tasks still to run, in id order */
    int nsel;
    int *sel_all;      /* selected by slice and zones, before removing the done ones */
    int nselected_all;
    int *problem_of;   /* [ntasks] index of the task's problem group in the HDF5 file, -1 */
    int nproblems;
    int *done;       /* task ids already in the resumed output */
    int ndone;
    sweepjson_old *old_summary; /* tasks of the summary being resumed (rank 0) */
    int *group_of, *order_of;
    int *pos_at;       /* [rounds * ngroups] position in sel of group g's task of round k, -1 */
    int rounds;
    zp_task_result *mine; /* results of this rank's group, with this rank's trajectory rows */
    int *mine_id;
    int nmine;
    zp_task_result *all; /* rank 0: copies of every result of this run, by position in sel */
    unsigned char *have; /* rank 0: all[i] is filled */
    int completed;       /* tasks completed in this run */
    int stopped;         /* the signal that stopped the run, 0 if none */
    int commits;         /* outputs published so far by this run */
    int committed_tasks; /* r->completed at the last commit */
    char *resume_base;   /* rank 0: the resumed HDF5 file as it was (outfile.h snapshot) */
    char *digest;        /* what determines the results, a JSON object (make_digest) */
    char *old_digest;    /* rank 0: the digest of the output being resumed, NULL if none */
    char *settings;      /* the sweep's effective search options, a JSON object */
    time_t started;
    double t0;
} sweep_run;

static void free_run(sweep_run *r)
{
    if (r->cfg)
        for (int i = 0; r->s && i < r->s->ninst; i++)
            config_destroy(&r->cfg[i]);
    zp_free(r->cfg);
    for (int i = 0; r->mine && i < r->nmine; i++)
        task_result_free(&r->mine[i]);
    for (int i = 0; r->all && i < r->nsel; i++)
        task_result_free(&r->all[i]);
    zp_free(r->mine);
    zp_free(r->mine_id);
    zp_free(r->all);
    zp_free(r->have);
    zp_free(r->sel);
    zp_free(r->sel_all);
    zp_free(r->problem_of);
    zp_free(r->done);
    zp_free(r->group_of);
    zp_free(r->order_of);
    zp_free(r->pos_at);
    sweepjson_old_destroy(&r->old_summary);
    if (r->resume_base)
        unlink(r->resume_base);
    zp_free(r->resume_base);
    zp_free(r->digest);
    zp_free(r->old_digest);
    zp_free(r->settings);
    par_comm_free(&r->group);
    sweep_destroy(&r->s);
}

/* ---- loading, resume, validation ------------------------------------------------------------ */

static int load_all(sweep_run *r)
{
    int rc = ZP_OK;
    sweep_instance_data *data = NULL;
    ZP_CHECK(par_agree_status(r->world, sweep_load(r->cli.config, &r->s)));
    sweep_def *s = r->s;
    ZP_ALLOC(r->cfg, s->ninst);
    ZP_ALLOC(data, s->ninst);
    for (int i = 0; i < s->ninst && rc == ZP_OK; i++)
        rc = sweep_instance_load(s, i, &r->cfg[i]);
    ZP_CHECK(par_agree_status(r->world, rc));
    for (int i = 0; i < s->ninst; i++)
        data[i] = (sweep_instance_data){r->cfg[i]->base, r->cfg[i]->arrivals, r->cfg[i]->options};
    ZP_CHECK(par_agree_status(r->world, sweep_resolve(s, data)));
    options_apply(&s->search, &r->cli.search, r->cli.given);
    s->search_given |= r->cli.given;
out:
    zp_free(data);
    return rc;
}

/* Rank 0: the task ids held by the output being resumed. */
static int read_done(sweep_run *r, int **ids, int *n)
{
    *ids = NULL;
    *n = 0;
    int rc = ZP_OK;
    if (resume_is_json(&r->cli))
        return sweepjson_read_summary(r->cli.resume, r->s, 0, &r->old_summary, ids, n);
    ZP_CHECK(h5out_completed_tasks(r->cli.resume, ids, n));
    for (int i = 0; i < *n; i++) {
        int id = (*ids)[i];
        if (id < 0 || id >= r->s->ntasks)
            ZP_CHECK(zp_fail(ZP_EINPUT, "%s: task %d is not a task of %s (%d tasks): made from "
                                        "another sweep file?", r->cli.resume, id, r->s->source,
                             r->s->ntasks));
    }
out:
    return rc;
}

/* Collective: the digest of what determines the results (sweepjson.h), the same on every rank,
 * stored in both outputs and compared by --resume; the sweep's effective search options. */
static int make_digest(sweep_run *r)
{
    int rc = ZP_OK;
    ZP_CHECK(sweepjson_make_digest(r->s, r->cfg, ZP_VERSION, &r->digest));
    if (!(r->settings = zp_options_json(&r->s->search)))
        rc = zp_fail(ZP_ERUNTIME, "out of memory");
out:
    return rc;
}

/* Rank 0: the digest recorded in the output being resumed into r->old_digest (NULL: none). */
static int read_old_digest(sweep_run *r)
{
    if (!resume_is_json(&r->cli))
        return h5out_root_string(r->cli.resume, "digest", &r->old_digest);
    return sweepjson_read_digest(r->cli.resume, &r->old_digest);
}

/* Collective: whether the resumed output was made the way this sweep would make it; with
 * --start-over a mismatch turns the resume into a fresh sweep over the same outputs. */
static int check_resume_digest(sweep_run *r)
{
    int rc = ZP_OK;
    int64_t restart = 0;
    if (r->rank == 0) {
        rc = read_old_digest(r);
        if (rc == ZP_OK)
            rc = sweepjson_compare_digest(r->digest, r->old_digest, r->cli.resume);
        if (rc == ZP_EINPUT && r->cli.start_over) {
            zp_error_clear();
            rc = ZP_OK, restart = 1;
        }
    }
    ZP_CHECK(par_agree_status(r->world, rc));
    ZP_CHECK(par_bcast(r->world, &restart, sizeof restart, 0));
    if (restart) {
        r->cli.resume = NULL;
        r->cli.force = 1;
    }
out:
    return rc;
}

static int setup_resume(sweep_run *r)
{
    int rc = ZP_OK;
    int64_t n = 0;
    if (!r->cli.resume)
        return ZP_OK;
    ZP_CHECK(check_resume_digest(r));
    if (!r->cli.resume)
        return ZP_OK;
    if (r->rank == 0) {
        int nn = 0;
        rc = read_done(r, &r->done, &nn);
        n = nn;
        /* a summary being updated besides an .h5 resume keeps its old entries */
        if (rc == ZP_OK && r->cli.summary && !r->old_summary)
            rc = sweepjson_read_summary(r->cli.summary, r->s, 1, &r->old_summary, NULL, NULL);
    }
    ZP_CHECK(par_agree_status(r->world, rc));
    ZP_CHECK(par_bcast(r->world, &n, sizeof n, 0));
    if (r->rank != 0)
        ZP_ALLOC(r->done, n);
    ZP_CHECK(par_bcast(r->world, r->done, (int64_t)sizeof *r->done * n, 0));
    r->ndone = (int)n;
out:
    return rc;
}

/* Rank 0 builds every selected task's problem once, so that input errors come before any work. */
static int validate_tasks(sweep_run *r)
{
    int rc = ZP_OK;
    if (r->rank == 0) {
        for (int i = 0; i < r->nsel && rc == ZP_OK; i++) {
            const sweep_task *t = &r->s->tasks[r->sel[i]];
            const zp_config *cfg = r->cfg[t->instance];
            zp_problem *p = NULL;
            rc = sweep_task_problem(r->s, t, cfg->base, &p);
            problem_destroy(&p);
            if (rc == ZP_OK && cfg->arrivals) {
                rc = sweep_task_problem(r->s, t, cfg->arrivals, &p);
                problem_destroy(&p);
            }
        }
    }
    return par_agree_status(r->world, rc);
}

#define RESUME_ADVICE "use --force to overwrite, or --resume"

static int check_outputs(sweep_run *r)
{
    int rc = ZP_OK;
    const sweep_cli *c = &r->cli;
#if defined(ZP_MPI) && !ZP_MPI
    if (c->out) /* refused before any work rather than after it */
        return zp_fail(ZP_EUSAGE, "%s: this zoneplace was built without HDF5 (make MPI=0): use "
                                  "--summary", c->out);
#endif
    if (c->out && c->summary && zp_same_output(c->out, c->summary))
        return zp_fail(ZP_EUSAGE, "--out %s and --summary %s name the same file", c->out,
                       c->summary);
    if (r->rank == 0) {
        if (c->out) {
            int in_place = c->resume && strcmp(c->out, c->resume) == 0;
            rc = zp_check_output_path(c->out, c->force || in_place, RESUME_ADVICE);
        }
        if (rc == ZP_OK && c->summary)
            rc = zp_check_output_path(c->summary, c->force || c->resume, RESUME_ADVICE);
    }
    return par_agree_status(r->world, rc);
}

/* ---- listing -------------------------------------------------------------------------------- */

/* Width of the instance column: the longest instance name, at least 8. */
static int name_width(const sweep_def *s)
{
    int w = 8;
    for (int i = 0; i < s->ninst; i++)
        w = ZP_MAX(w, (int)strlen(s->inst[i].name));
    return ZP_MIN(w, 40);
}

static void print_task_header(FILE *f, int w)
{
    fprintf(f, "%5s %-*s %5s %6s %6s %-10s %9s %8s %8s\n", "task", w, "instance", "zones", "seed",
            "starts", "capacity", "imbalance", "requests", "move_fac");
}

static void print_task_params(FILE *f, const sweep_def *s, const sweep_task *t, int w)
{
    fprintf(f, "%5d %-*s %5d %6llu %6d %-10s %9g %8g %8g", t->id, w, s->inst[t->instance].name,
            t->zones, (unsigned long long)t->seed, t->starts, sweep_capmode_name(t->capacity_mode),
            t->imbalance, t->requests, t->move_factor);
}

static void print_list(const sweep_run *r)
{
    const sweep_def *s = r->s;
    printf("# sweep %s (%s): %d tasks; %d selected, %d of them done, %d to run\n",
           s->name ? s->name : "", s->source, s->ntasks, r->nselected_all,
           r->nselected_all - r->nsel, r->nsel);
    int w = name_width(s);
    print_task_header(stdout, w);
    for (int i = 0; i < r->nsel; i++)
        print_task_params(stdout, s, &s->tasks[r->sel[i]], w), putchar('\n');
}

/* ---- running -------------------------------------------------------------------------------- */

static int setup_groups(sweep_run *r)
{
    int rc = ZP_OK;
    int rpt = r->cli.rpt;
    if (rpt > r->size)
        return zp_fail(ZP_EUSAGE, "--ranks-per-task %d: only %d ranks", rpt, r->size);
    if (rpt == 0)
        rpt = ZP_MAX(1, r->size / ZP_MAX(1, r->nsel));
    r->rpt = rpt;
    r->ngroups = ZP_MAX(1, r->size / rpt);
    r->color = ZP_MIN(r->rank / rpt, r->ngroups - 1);
    ZP_CHECK(par_split(r->world, r->color, r->rank, &r->group));
    ZP_ALLOC(r->group_of, r->nsel);
    ZP_ALLOC(r->order_of, r->nsel);
    sweep_schedule(r->s, r->sel, r->nsel, r->ngroups, r->group_of, r->order_of, &r->rounds);
    ZP_ALLOC(r->pos_at, (int64_t)r->rounds * r->ngroups);
    for (int64_t i = 0; i < (int64_t)r->rounds * r->ngroups; i++)
        r->pos_at[i] = -1;
    for (int i = 0; i < r->nsel; i++)
        r->pos_at[(int64_t)r->order_of[i] * r->ngroups + r->group_of[i]] = i;
    ZP_ALLOC(r->mine, ZP_MAX(r->rounds, 1));
    ZP_ALLOC(r->mine_id, ZP_MAX(r->rounds, 1));
    if (r->rank == 0) {
        ZP_ALLOC(r->all, r->nsel);
        ZP_ALLOC(r->have, r->nsel);
    }
out:
    return rc;
}

/* Position in sel of the task group g runs in round k, or -1. */
static int task_at(const sweep_run *r, int g, int k)
{
    return r->pos_at[(int64_t)k * r->ngroups + g];
}

/* The response-time model of the task's final placement when its instance has a "perf"
 * section (parsed for the task's own problem: its zones may be the sweep's): mean and worst
 * percentile into res. */
static int evaluate_model(const sweep_run *r, const sweep_task *t, const zp_problem *p,
                          zp_task_result *res)
{
    int rc = ZP_OK;
    zp_perf *pf = NULL;
    zp_perf_result *ev = NULL;
    const zp_config *cfg = r->cfg[t->instance];
    if (!cfg->perf_json)
        return ZP_OK;
    ZP_CHECK(perf_parse_text(cfg->perf_json, r->s->inst[t->instance].path, p, &pf));
    ZP_CHECK(perf_evaluate(pf, p, res->placement, &ev));
    res->perf_mean = ev->mean_weighted;
    res->perf_pct = ev->max_pct;
out:
    perf_result_destroy(&ev);
    perf_destroy(&pf);
    return rc;
}

static int run_task(sweep_run *r, int pos, zp_task_result *res)
{
    int rc = ZP_OK;
    const sweep_task *t = &r->s->tasks[r->sel[pos]];
    const zp_config *cfg = r->cfg[t->instance];
    zp_problem *base = NULL, *arr = NULL;
    zp_options o;
    ZP_CHECK(sweep_task_problem(r->s, t, cfg->base, &base));
    if (cfg->arrivals)
        ZP_CHECK(sweep_task_problem(r->s, t, cfg->arrivals, &arr));
    sweep_task_options(r->s, t, &cfg->options, &o);
    zp_exchange ex = par_exchange(r->group);
    zp_task_spec spec = {&o, t->id, !r->cli.quiet && r->rank == 0, &ex, NULL};
    ZP_CHECK(task_run(&spec, base, arr, res));
    ZP_CHECK(evaluate_model(r, t, arr ? arr : base, res));
out:
    problem_destroy(&base);
    problem_destroy(&arr);
    return rc;
}

/* Every group leader sends its result of round k to world rank 0 (a broadcast each, in group
 * order, so that every rank takes part in the same collectives). */
static int share_round(sweep_run *r, int k)
{
    int rc = ZP_OK;
    int *xbuf = NULL, *ibuf = NULL;
    uint64_t *sbuf = NULL;
    for (int g = 0; g < r->ngroups; g++) {
        int pos = task_at(r, g, k);
        if (pos < 0)
            continue;
        const sweep_task *t = &r->s->tasks[r->sel[pos]];
        int root = g * r->rpt;
        wire_result w;
        const zp_task_result *src = r->color == g && r->nmine > 0 ? &r->mine[r->nmine - 1] : NULL;
        if (r->rank == root)
            wire_pack(src, &w);
        ZP_CHECK(par_bcast(r->world, &w, sizeof w, root));
        ZP_ALLOC(xbuf, w.apps);
        ZP_ALLOC(ibuf, w.apps);
        ZP_ALLOC(sbuf, w.starts);
        if (r->rank == root) {
            memcpy(xbuf, src->placement, sizeof *xbuf * (size_t)w.apps);
            memcpy(ibuf, src->initial, sizeof *ibuf * (size_t)w.apps);
            memcpy(sbuf, src->start_seeds, sizeof *sbuf * (size_t)w.starts);
        }
        ZP_CHECK(par_bcast(r->world, xbuf, (int64_t)sizeof *xbuf * w.apps, root));
        ZP_CHECK(par_bcast(r->world, ibuf, (int64_t)sizeof *ibuf * w.apps, root));
        ZP_CHECK(par_bcast(r->world, sbuf, (int64_t)sizeof *sbuf * w.starts, root));
        if (w.task != t->id || w.apps != t->apps)
            ZP_CHECK(zp_fail(ZP_ERUNTIME, "sweep: internal error: group %d sent task %d, "
                                          "expected %d", g, w.task, t->id));
        if (r->rank == 0) {
            zp_task_result *dst = &r->all[pos];
            wire_unpack(&w, dst);
            dst->placement = xbuf, dst->initial = ibuf, dst->start_seeds = sbuf;
            xbuf = ibuf = NULL, sbuf = NULL;
            r->have[pos] = 1;
        }
        zp_free(xbuf), zp_free(ibuf), zp_free(sbuf);
        xbuf = ibuf = NULL, sbuf = NULL;
        r->completed++;
    }
out:
    zp_free(xbuf);
    zp_free(ibuf);
    zp_free(sbuf);
    return rc;
}

static int commit_outputs(sweep_run *r);

static int run_rounds(sweep_run *r)
{
    int rc = ZP_OK;
    for (int k = 0; k < r->rounds; k++) {
        int64_t sig = stopsig_requested();
        ZP_CHECK(par_allreduce_max_i64(r->world, &sig));
        if (sig) {
            r->stopped = (int)sig;
            break;
        }
        int pos = task_at(r, r->color, k);
        int status = ZP_OK;
        if (pos >= 0) {
            status = run_task(r, pos, &r->mine[r->nmine]);
            if (status == ZP_OK)
                r->mine_id[r->nmine++] = r->sel[pos];
            else
                task_result_free(&r->mine[r->nmine]);
        }
        ZP_CHECK(par_agree_status(r->world, status));
        ZP_CHECK(share_round(r, k));
        if (r->cli.out || r->cli.summary)
            ZP_CHECK(commit_outputs(r));
        if (r->rank == 0 && !r->cli.quiet)
            fprintf(stderr, "zoneplace sweep: %d/%d tasks done [%.1f s]\n", r->completed,
                    r->nsel, zp_now() - r->t0);
    }
out:
    return rc;
}

/* The problem groups of the HDF5 file: one per distinct task problem (instance, zones, capacity
 * mode, imbalance, requests, move factor) among the selected tasks, numbered in task order. */
static int same_problem(const sweep_task *a, const sweep_task *b)
{
    return a->instance == b->instance && a->zones == b->zones &&
           a->capacity_mode == b->capacity_mode && a->imbalance == b->imbalance &&
           a->requests == b->requests && a->move_factor == b->move_factor;
}

static int number_problems(sweep_run *r)
{
    int rc = ZP_OK;
    int *first = NULL; /* task id that introduced each problem */
    ZP_ALLOC(r->problem_of, r->s->ntasks);
    ZP_ALLOC(first, r->nselected_all);
    for (int id = 0; id < r->s->ntasks; id++)
        r->problem_of[id] = -1;
    for (int i = 0; i < r->nselected_all; i++) {
        const sweep_task *t = &r->s->tasks[r->sel_all[i]];
        int p = 0;
        while (p < r->nproblems && !same_problem(&r->s->tasks[first[p]], t))
            p++;
        if (p == r->nproblems)
            first[r->nproblems++] = t->id;
        r->problem_of[t->id] = p;
    }
out:
    zp_free(first);
    return rc;
}

/* ---- outputs -------------------------------------------------------------------------------- */

/* Rank 0: the summary JSON of every task finished so far in a temporary file *tmp to publish
 * (outfile.h). */
static int write_summary(sweep_run *r, char **tmp)
{
    const sweep_cli *c = &r->cli;
    sweepjson_summary sum = {r->s, r->old_summary, r->sel, r->all, r->have, r->nsel,
                             r->nselected_all, c->slice_i, c->slice_n, c->only, c->nonly,
                             ZP_VERSION, r->stopped ? stopsig_name(r->stopped) : "", r->digest};
    return sweepjson_write_summary(&sum, c->summary, tmp);
}

/* /parameters of the HDF5 file (sweepjson.h), with how this run was split. */
static char *parameters_json(const sweep_run *r)
{
    sweepjson_split split = {r->size, r->rpt, r->ngroups, r->cli.slice_i, r->cli.slice_n,
                             r->cli.only, r->cli.nonly};
    return sweepjson_parameters(r->s, r->problem_of, &split);
}

/* Collective: the final problem (with arrivals) of task t. */
static int final_problem(const sweep_run *r, const sweep_task *t, zp_problem **p)
{
    const zp_config *cfg = r->cfg[t->instance];
    return sweep_task_problem(r->s, t, cfg->arrivals ? cfg->arrivals : cfg->base, p);
}

/* Collective: appends the tasks of problem group p (every group when p < 0): rank 0 owns every
 * /tasks row (copies in task order, without trajectories); every rank adds the trajectory rows
 * of the results it computed. */
static int append_results(sweep_run *r, zp_h5out *h, int p)
{
    int rc = ZP_OK;
    zp_task_result *list = NULL;
    int *owner = NULL;
    const char **names = NULL;
    int ncopies = r->rank == 0 ? r->nsel : 0, n = 0;
    ZP_ALLOC(list, ncopies + r->nmine);
    ZP_ALLOC(owner, ncopies + r->nmine);
    ZP_ALLOC(names, ncopies + r->nmine);
    for (int i = 0; i < ncopies; i++) {
        if (!r->have[i] || (p >= 0 && r->problem_of[r->sel[i]] != p))
            continue;
        list[n] = r->all[i];
        memset(&list[n].traj, 0, sizeof list[n].traj);
        owner[n] = 1;
        names[n++] = r->s->inst[r->s->tasks[r->sel[i]].instance].name;
    }
    for (int i = 0; i < r->nmine; i++) {
        if (p >= 0 && r->problem_of[r->mine_id[i]] != p)
            continue;
        list[n] = r->mine[i];
        owner[n] = 0;
        names[n++] = r->s->inst[r->s->tasks[r->mine_id[i]].instance].name;
    }
    ZP_CHECK(h5out_append_tasks(h, list, n, owner, names));
out:
    zp_free(list);
    zp_free(owner);
    zp_free(names);
    return rc;
}

/* Collective: the HDF5 file of every task finished so far, written anew and published with the
 * summary json_tmp (rank 0; taken over). */
static int write_h5(sweep_run *r, char **json_tmp, int complete)
{
    int rc = ZP_OK;
    zp_h5out *h = NULL;
    zp_problem *prob = NULL;
    char *params = NULL;
    const sweep_cli *c = &r->cli;
    int replace = c->force || r->commits > 0; /* after the first commit the file is ours */
    if (c->resume && !resume_is_json(c)) {
        /* the old rows stay; the new ones follow them, each problem's under its existing group */
        int in_place = strcmp(c->out, c->resume) == 0;
        if (r->rank == 0 && !r->resume_base) /* commits replace c->resume: keep it as it was */
            rc = zp_temp_snapshot(c->resume, c->out, &r->resume_base);
        ZP_CHECK(par_agree_status(r->world, rc));
        ZP_CHECK(h5out_open_append(&h, r->world, r->rank == 0 ? r->resume_base : c->resume,
                                   c->out, replace || in_place));
        for (int p = 0; p < r->nproblems; p++) {
            int id = -1;
            for (int i = 0; i < r->nsel && id < 0; i++)
                if (r->problem_of[r->sel[i]] == p)
                    id = r->sel[i];
            if (id < 0) /* no new task of this problem */
                continue;
            problem_destroy(&prob);
            ZP_CHECK(par_agree_status(r->world, final_problem(r, &r->s->tasks[id], &prob)));
            int found = 0;
            ZP_CHECK(h5out_use_problem(h, prob, &found));
            if (!found) /* e.g. a resume with a wider selection than the first run's */
                ZP_CHECK(h5out_write_problem(h, prob));
            ZP_CHECK(append_results(r, h, p));
        }
        goto publish;
    }
    /* every rank: the output layer needs the same text everywhere (it sizes a dataset by it) */
    if (!(params = parameters_json(r)))
        rc = zp_fail(ZP_ERUNTIME, "out of memory");
    ZP_CHECK(par_agree_status(r->world, rc));
    zp_run_info info = {c->command_line, ZP_VERSION, ZP_GIT_REV, r->size, params ? params : "{}",
                        r->digest, r->settings, r->started};
    ZP_CHECK(h5out_open(&h, r->world, c->out, replace, &info));
    /* problem by problem: its group, then its tasks (tasks of one problem differ only in seeds
     * and starts, the innermost parameters, so /tasks stays in task order) */
    for (int p = 0; p < r->nproblems; p++) {
        int id = 0;
        while (id < r->s->ntasks && r->problem_of[id] != p)
            id++;
        problem_destroy(&prob);
        ZP_CHECK(par_agree_status(r->world, final_problem(r, &r->s->tasks[id], &prob)));
        ZP_CHECK(h5out_write_problem(h, prob));
        ZP_CHECK(append_results(r, h, p));
    }
publish:
    ZP_CHECK(h5out_set_complete(h, complete));
    if (*json_tmp)
        h5out_publish_with(h, *json_tmp, c->summary, replace || c->resume);
    *json_tmp = NULL;
out:
    if (h) {
        int close_rc = h5out_close(&h, rc == ZP_OK);
        if (rc == ZP_OK)
            rc = close_rc;
    }
    problem_destroy(&prob); /* after the close: the output refers to the last problem */
    zp_free(params);
    return rc;
}

static void print_report(const sweep_run *r)
{
    const sweep_def *s = r->s;
    printf("sweep %s (%s): %d of %d tasks run here on %d rank%s (%d group%s of %d), %d done "
           "before; %.2f s\n",
           s->name ? s->name : "", s->source, r->completed, r->nselected_all, r->size,
           r->size == 1 ? "" : "s", r->ngroups, r->ngroups == 1 ? "" : "s", r->rpt, r->ndone,
           zp_now() - r->t0);
    int w = name_width(s);
    fprintf(stdout, "%5s %-*s %5s %6s %6s %-10s %12s %6s %7s %5s %8s\n", "task", w, "instance",
            "zones", "seed", "starts", "capacity", "traffic", "ext", "LB%", "viol", "wall s");
    for (int i = 0; i < r->nsel; i++) {
        if (!r->have[i])
            continue;
        const sweep_task *t = &s->tasks[r->sel[i]];
        const zp_metrics *m = &r->all[i].final;
        printf("%5d %-*s %5d %6llu %6d %-10s %12.0f %6lld %7.2f %5lld %8.3f\n", t->id, w,
               s->inst[t->instance].name, t->zones, (unsigned long long)t->seed, t->starts,
               sweep_capmode_name(t->capacity_mode), m->traffic, (long long)m->external_deps,
               m->lb_pct, (long long)m->violations, r->all[i].wall);
    }
}

/* ---- entry point ---------------------------------------------------------------------------- */

/* Collective: publishes the outputs as they stand, every task finished so far: the summary JSON
 * (written first by rank 0) and the HDF5 file, renamed one after the other (outfile.h). Called
 * after every round, so that a kill loses only the tasks then running; each commit writes the
 * files anew (the published ones are never written in place). */
static int commit_outputs(sweep_run *r)
{
    int rc = ZP_OK;
    char *json_tmp = NULL;
    int complete = r->completed == r->nsel;
    if (r->cli.summary && r->rank == 0)
        rc = write_summary(r, &json_tmp);
    ZP_CHECK(par_agree_status(r->world, rc));
    if (r->cli.out) {
        ZP_CHECK(write_h5(r, &json_tmp, complete));
    } else if (json_tmp) {
        const char *tmp = json_tmp;
        int replace = r->cli.force || r->cli.resume || r->commits > 0;
        rc = zp_publish(&tmp, &r->cli.summary, 1, &replace, RESUME_ADVICE);
        zp_free(json_tmp); /* renamed, or removed by zp_publish */
        json_tmp = NULL;
    }
    ZP_CHECK(par_agree_status(r->world, rc));
    r->commits++;
    r->committed_tasks = r->completed;
out:
    if (json_tmp) /* not handed over: the HDF5 file failed first */
        unlink(json_tmp);
    zp_free(json_tmp);
    return rc;
}

static int sweep_outputs(sweep_run *r)
{
    int rc = ZP_OK;
    int changed = r->commits == 0 || r->committed_tasks != r->completed || r->stopped;
    if ((r->cli.out || r->cli.summary) && changed) /* a stop is recorded in the summary */
        ZP_CHECK(commit_outputs(r));
    if (r->rank == 0 && !r->cli.quiet)
        print_report(r);
out:
    return rc;
}

int sweep_main(int argc, char **argv, zp_comm *world)
{
    int rc = ZP_OK;
    sweep_run run;
    int installed = 0;
    memset(&run, 0, sizeof run);
    sweep_run *r = &run;
    r->world = world;
    r->rank = par_rank(world);
    r->size = par_size(world);
    r->t0 = zp_now();
    r->started = time(NULL);
    ZP_CHECK(parse_cli(&r->cli, argc, argv));
    if (r->cli.help) {
        if (r->rank == 0) {
            fputs(sweep_usage, stdout);
            options_print_help(stdout, ZP_OPTS_SWEEP, USAGE_COLUMN);
            fputs(sweep_usage_tail, stdout);
        }
        return ZP_OK;
    }
    sweep_cli *c = &r->cli;
    if (c->resume && !c->out && !resume_is_json(c))
        c->out = c->resume;
    if (c->resume && !c->summary && resume_is_json(c))
        c->summary = c->resume;
    if (c->resume && !file_exists(c->resume))
        ZP_CHECK(zp_fail(ZP_EIO, "--resume %s: no such file", c->resume));
    /* signals first, so that a SIGTERM during start-up also ends in a valid (empty) output */
    stopsig_install();
    installed = 1;
    if (!c->list) /* before any input is read */
        ZP_CHECK(check_outputs(r));
    ZP_CHECK(load_all(r));
    ZP_CHECK(make_digest(r));
    ZP_CHECK(setup_resume(r));
    ZP_CHECK(sweep_select(r->s, c->slice_i, c->slice_n, c->only, c->nonly, NULL, 0, &r->sel_all,
                          &r->nselected_all));
    ZP_CHECK(number_problems(r));
    ZP_CHECK(sweep_select(r->s, c->slice_i, c->slice_n, c->only, c->nonly, r->done, r->ndone,
                          &r->sel, &r->nsel));
    if (c->list) {
        if (r->rank == 0)
            print_list(r);
        goto out;
    }
    ZP_CHECK(validate_tasks(r));
    ZP_CHECK(setup_groups(r));
    ZP_CHECK(run_rounds(r));
    ZP_CHECK(sweep_outputs(r));
    if (r->stopped && r->completed < r->nsel) {
        const char *where = c->out ? c->out : c->summary ? c->summary : NULL;
        if (where)
            rc = zp_fail(ZP_ESTOPPED,
                         "stopped by %s after %d of %d tasks; the completed tasks are in %s: "
                         "finish with the same command and --resume %s",
                         stopsig_name(r->stopped), r->completed, r->nsel, where, where);
        else
            rc = zp_fail(ZP_ESTOPPED, "stopped by %s after %d of %d tasks (no --out or "
                                      "--summary: nothing saved)",
                         stopsig_name(r->stopped), r->completed, r->nsel);
    }
out:
    if (installed)
        stopsig_restore();
    free_run(r);
    return rc;
}
