/* main.c - the command line: parses options, loads the input, runs the tasks and writes the
 * outputs. No model logic lives here. Exit codes: 0 ok, 1 runtime failure, 2 usage,
 * 3 invalid input, 4 I/O, 5 a run or sweep stopped by a signal (stopsig.h). Only rank 0 prints,
 * except a rank that fails alone. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csvin.h"
#include "gencmd.h"
#include "graphio.h"
#include "digest.h"
#include "drun.h"
#include "h5out.h"
#include "importcmd.h"
#include "mergecmd.h"
#include "options.h"
#include "outfile.h"
#include "par.h"
#include "perfconf.h"
#include "pipeline.h"
#include "place.h"
#include "report.h"
#include "stopsig.h"
#include "sweep.h"
#include "util.h"

#define ZP_VERSION "0.1.0"
/* `git describe --always --dirty` of the build (the Makefile's $(BUILD)/gitrev.c) */
extern const char zp_git_rev[];
#define ZP_GIT_REV zp_git_rev

/* --help: the head, the search options (options.h's table), the tail. */
static const char usage_head[] =
    "Usage: zoneplace COMMAND [OPTIONS]\n"
    "Places containerized apps into zones: dependent apps together, zones balanced,\n"
    "capacities kept, few apps moved.\n"
    "\n"
    "Commands:\n"
    "  run --config F.json      place the apps of a config and report\n"
    "  validate --config F.json check a config and print what it holds\n"
    "  sweep --config SWEEP.json --out F.h5   run a parameter sweep (see zoneplace sweep --help)\n"
    "  merge PART.h5... --out F.h5   the parts of one sweep (array elements) into the file\n"
    "                           one job would have written (zoneplace merge --help)\n"
    "  import KIND FILE... --out F.json   a config from Kubernetes manifests and call graphs\n"
    "                           (Jaeger, Zipkin, OpenTelemetry, Alibaba; zoneplace import --help)\n"
    "  export k8s --config F.json --summary S.json   zone-pinning patches and a migration\n"
    "                           plan (zoneplace export --help)\n"
    "\n"
    "Options of run:\n"
    "  -c, --config F.json      input config (see README: config format)\n"
    "  -g, --graph G.graph      input graph in METIS format instead (unit demands)\n"
    "      --services S.csv --calls C.csv   microservice CSV input instead\n"
    "      --column ROLE=HEADER CSV: read ROLE (name, cpu, ram, disk, caller, callee,\n"
    "                           weight) from the column HEADER (repeatable)\n"
    "      --missing zero|error CSV: an empty resource cell reads as 0 (default, counted\n"
    "                           in a note) or is an error\n"
    "  -k, --zones K            zones for --graph/--services: K identical zones\n"
    "      --imbalance EPS      at most (1+EPS)*ceil(n/K) apps per zone (graph/CSV\n"
    "                           default 0.03, the METIS convention)\n"
    "      --capacity-slack X   graph/CSV: each zone holds (1+X)/K of the total demand of\n"
    "                           every resource (cumulative capacities); default unlimited\n"
    "  -o, --out F.h5           write the run to an HDF5 file (via F.h5.partial)\n"
    "      --summary F.json     write final metrics and placements as JSON\n"
    "  -f, --force              overwrite existing output files\n"
    "  -q, --quiet              no report on stdout, no progress on stderr\n"
    "  -h, --help               this help\n"
    "  -V, --version            version\n"
    "\n"
    "Search options (they override the config's \"search\" section; the key of\n"
    "--time-limit there is \"time_limit\", and so on):\n";
#define USAGE_COLUMN 27
static const char usage_tail[] =
    "\n"
    "SIGTERM, SIGINT or SIGUSR1 stop a run at its next search round: the best placement\n"
    "so far is written to --out/--summary, marked incomplete (complete = 0).\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage, 3 invalid input, 4 I/O,\n"
    "5 stopped by a signal (what was done is saved, marked incomplete).\n";

static void print_usage(void)
{
    fputs(usage_head, stdout);
    options_print_help(stdout, ZP_OPTS_RUN, USAGE_COLUMN);
    fputs(usage_tail, stdout);
}

typedef struct {
    const char *command;
    const char *config;
    const char *graph, *services, *calls;
    int zones;
    double imbalance, capacity_slack; /* < 0: not given */
    const char *out;
    const char *summary;
    int force, quiet;
    zp_options overrides;  /* search options given on the command line ... */
    zp_option_mask given; /* ... and which (options.h) */
    csvin_options csv;    /* CSV input options (--column, --missing) */
    char command_line[2048];
} cli;

enum {
    OPT_SUMMARY = 256, OPT_SERVICES, OPT_CALLS, OPT_IMBALANCE, OPT_SLACK, OPT_COLUMN, OPT_MISSING
};

static int parse_option(cli *c, int opt, const char *arg)
{
    int rc = ZP_OK;
    long long v = 0;
    zp_options *o = &c->overrides;
    switch (opt) {
    case 'c': c->config = arg; break;
    case 'g': c->graph = arg; break;
    case OPT_SERVICES: c->services = arg; break;
    case OPT_CALLS: c->calls = arg; break;
    case OPT_COLUMN: ZP_CHECK(csvin_add_mapping(&c->csv, arg)); break;
    case OPT_MISSING: ZP_CHECK(csvin_parse_missing(&c->csv, arg)); break;
    case 'k':
        ZP_CHECK(zp_parse_long(arg, 1, 1000000, "--zones", &v));
        c->zones = (int)v;
        break;
    case OPT_IMBALANCE:
        ZP_CHECK(zp_parse_double(arg, 0, 10, "--imbalance", &c->imbalance));
        break;
    case OPT_SLACK:
        ZP_CHECK(zp_parse_double(arg, 0, 1000, "--capacity-slack", &c->capacity_slack));
        break;
    case 'o': c->out = arg; break;
    case OPT_SUMMARY: c->summary = arg; break;
    case 'f': c->force = 1; break;
    case 'q': c->quiet = 1; break;
    default: {
        int i = options_cli_index(ZP_OPTS_RUN, opt);
        if (i < 0)
            return zp_fail(ZP_EUSAGE, "unknown option (see zoneplace --help)");
        ZP_CHECK(options_cli_parse(i, arg, o, &c->given));
    }
    }
out:
    return rc;
}

static int parse_cli(cli *c, int argc, char **argv)
{
    int rc = ZP_OK;
    static const struct option own[] = {
        {"config", required_argument, 0, 'c'},     {"out", required_argument, 0, 'o'},
        {"graph", required_argument, 0, 'g'},      {"services", required_argument, 0, OPT_SERVICES},
        {"calls", required_argument, 0, OPT_CALLS}, {"zones", required_argument, 0, 'k'},
        {"column", required_argument, 0, OPT_COLUMN},
        {"missing", required_argument, 0, OPT_MISSING},
        {"imbalance", required_argument, 0, OPT_IMBALANCE},
        {"capacity-slack", required_argument, 0, OPT_SLACK},
        {"summary", required_argument, 0, OPT_SUMMARY}, {"force", no_argument, 0, 'f'},
        {"quiet", no_argument, 0, 'q'},            {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'}};
    enum { NOWN = sizeof own / sizeof own[0] };
    struct option longopts[NOWN + ZP_OPTIONS_MAX + 1];
    char shortopts[128] = "c:g:k:o:fqhV";
    options_cli_longopts(ZP_OPTS_RUN, own, NOWN, longopts, shortopts, sizeof shortopts);
    memset(c, 0, sizeof *c);
    c->command = argv[1];
    options_default(&c->overrides);
    csvin_options_default(&c->csv);
    c->imbalance = c->capacity_slack = -1;
    zp_join_args(argc, argv, c->command_line, sizeof c->command_line);
    opterr = 0;
    optind = 2;
    int opt;
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (opt == '?') {
            if (optopt)
                return zp_fail(ZP_EUSAGE, "option -%c: unknown or missing its value (see --help)",
                               optopt);
            return zp_fail(ZP_EUSAGE, "%s: unknown option or missing value (see --help)",
                           argv[optind - 1]);
        }
        ZP_CHECK(parse_option(c, opt, optarg));
    }
    if (optind < argc)
        return zp_fail(ZP_EUSAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    int inputs = !!c->config + !!c->graph + !!(c->services || c->calls);
    if (inputs != 1)
        return zp_fail(ZP_EUSAGE, "%s: give one input: --config F.json, --graph G.graph or "
                                  "--services S.csv --calls C.csv (see --help)", argv[1]);
    if ((c->services || c->calls) && !(c->services && c->calls))
        return zp_fail(ZP_EUSAGE, "%s: --services and --calls go together", argv[1]);
    if (!c->config && c->zones < 1)
        return zp_fail(ZP_EUSAGE, "%s: --zones K is required with --graph or --services",
                       argv[1]);
    if (c->config && (c->zones || c->imbalance >= 0 || c->capacity_slack >= 0))
        return zp_fail(ZP_EUSAGE, "%s: --zones, --imbalance and --capacity-slack go with "
                                  "--graph or --services (a config names its zones)", argv[1]);
out:
    return rc;
}

/* share added up k times, in the order the feasibility check sums capacities. */
static double k_times(double share, int k)
{
    double sum = 0;
    for (int z = 0; z < k; z++)
        sum += share;
    return sum;
}

/* Zones of a graph or CSV input: K identical zones under METIS's balance constraint (an upper
 * bound on every zone's load, no floor: a floor cost up to 20% more cut than METIS at 3 apps
 * per zone); with a capacity slack each holds (1+X)/K of the total demand of every resource, as
 * cumulative capacities. */
static int graph_zones(const cli *c, zp_problem *p)
{
    int rc = graphio_uniform_zones(p, c->zones, c->imbalance >= 0 ? c->imbalance : 0.03);
    p->band_no_floor = 1;
    if (rc != ZP_OK || c->capacity_slack < 0 || p->nres == 0)
        return rc;
    p->capacity_mode = ZP_CUMULATIVE;
    for (int r = 0; r < p->nres; r++) {
        double total = 0;
        for (int u = 0; u < p->n; u++)
            total += problem_demand(p, u, r);
        double share = (1 + c->capacity_slack) * total / p->k;
        while (k_times(share, p->k) < total) /* rounding must not make the zones too small */
            share = nextafter(share, INFINITY);
        for (int z = 0; z < p->k; z++)
            p->capacity[(int64_t)z * p->nres + r] = share;
    }
    return ZP_OK;
}

/* Reads the CSV input; rank 0 notes on stderr what was ignored or defaulted. */
static int load_csv(const cli *c, zp_problem **p, csvin_report *rep)
{
    int rc = csvin_read(c->services, c->calls, &c->csv, p, rep);
    if (rc == ZP_OK && !c->quiet && par_rank(par_world()) == 0)
        csvin_report_print(stderr, rep, c->services, c->calls);
    return rc;
}

/* The resolved input of a graph or CSV run as a JSON object (/parameters of the HDF5 file). */
static int set_input_json(const cli *c, zp_config *cfg, double imbalance)
{
    char text[8192];
    snprintf(text, sizeof text,
             "{\"input\":\"%s\",\"calls\":\"%s\",\"zones\":%d,\"imbalance\":%g,"
             "\"capacity_slack\":%g}",
             c->graph ? c->graph : c->services, c->calls ? c->calls : "", c->zones, imbalance,
             c->capacity_slack);
    if (!(cfg->resolved_json = zp_strdup(text))) /* freed by config_destroy */
        return zp_fail(ZP_ERUNTIME, "out of memory");
    return ZP_OK;
}

/* A config around a graph or CSV input, with default options. */
static int load_graph_input(const cli *c, zp_config **out)
{
    int rc = ZP_OK;
    zp_config *cfg = zp_calloc(1, sizeof *cfg);
    csvin_report rep;
    memset(&rep, 0, sizeof rep);
    if (!cfg)
        return ZP_ERUNTIME;
    options_default(&cfg->options);
    if (c->graph)
        ZP_CHECK(graphio_read_metis(c->graph, &cfg->base));
    else
        ZP_CHECK(load_csv(c, &cfg->base, &rep));
    ZP_CHECK(graph_zones(c, cfg->base));
    ZP_CHECK(config_check_feasible_lines(cfg->base, rep.app_lines));
    cfg->base_apps = cfg->base->n;
    ZP_CHECK(set_input_json(c, cfg, cfg->base->imbalance));
    *out = cfg;
    cfg = NULL;
out:
    csvin_report_free(&rep);
    config_destroy(&cfg);
    return rc;
}

static int load_input(const cli *c, zp_config **cfg)
{
    return c->config ? config_load(c->config, cfg) : load_graph_input(c, cfg);
}

/* Parses the config's "perf" section (NULL *pf when there is none) for the problem placed last
 * (arrivals if any, whose first apps are base's), and makes the cpu reservations demands that
 * the placement must hold, checked like the config's own. */
static int load_perf(zp_config *cfg, const char *file, zp_perf **pf)
{
    int rc = ZP_OK;
    ZP_CHECK(perf_parse_text(cfg->perf_json, file, cfg->arrivals ? cfg->arrivals : cfg->base, pf));
    if (!*pf)
        return ZP_OK;
    perf_reserve_cpu(*pf, cfg->base);
    if (cfg->arrivals)
        perf_reserve_cpu(*pf, cfg->arrivals);
    rc = config_check_feasible(cfg->base);
    if (rc == ZP_OK && cfg->arrivals)
        rc = config_check_feasible(cfg->arrivals);
    if (rc != ZP_OK) {
        zp_error_prefix("%s: perf.reservation: the cpu reservations (cores) cannot be placed: ",
                        file);
        perf_destroy(pf);
    }
out:
    return rc;
}

/* The --objective flag against the input: the latency objective needs the model of the problem
 * the search places (the config's own "search.objective" is checked by config.c). */
static int check_objective(const cli *c, const zp_config *cfg)
{
    if (!options_given(c->given, "objective") || cfg->options.objective != ZP_OBJECTIVE_LATENCY)
        return ZP_OK;
    if (!cfg->perf_json)
        return zp_fail(ZP_EUSAGE, "--objective latency needs a config with a \"perf\" section "
                                  "(the response-time model's parameters)");
    return ZP_OK;
}

/* The response-time model's predictions for the initial placement (the one the pipeline kept in
 * the task result, as /initial_placements holds it) and the final one. */
typedef struct {
    int *x0; /* the initial placement */
    zp_perf_result *initial, *final;
} perf_eval;

static void perf_eval_free(perf_eval *ev)
{
    zp_free(ev->x0);
    ev->x0 = NULL;
    perf_result_destroy(&ev->initial);
    perf_result_destroy(&ev->final);
}

/* Every rank evaluates (O(n + m + k^2), and the HDF5 writer needs the tables on every rank). */
static int evaluate_perf(const zp_perf *pf, const zp_problem *p, const zp_task_result *res,
                         perf_eval *ev)
{
    int rc = ZP_OK;
    ZP_ALLOC(ev->x0, p->n);
    memcpy(ev->x0, res->initial, sizeof *ev->x0 * (size_t)p->n);
    /* apps that arrive after the initial placement (-1 there) go where round robin puts them */
    ZP_CHECK(place_rr(p, ev->x0));
    ZP_CHECK(perf_evaluate(pf, p, ev->x0, &ev->initial));
    ZP_CHECK(perf_evaluate(pf, p, res->placement, &ev->final));
out:
    return rc;
}

static int cmd_validate(const cli *c, int rank)
{
    zp_config *cfg = NULL;
    zp_perf *pf = NULL;
    int rc = load_input(c, &cfg);
    if (rc == ZP_OK)
        rc = load_perf(cfg, c->config, &pf);
    perf_destroy(&pf);
    if (rc == ZP_OK && rank == 0 && !c->quiet) {
        const zp_problem *p = cfg->base;
        int64_t lo, hi;
        problem_band(p, &lo, &hi);
        printf("%s: ok: %d apps, %d zones, %d resources, %lld dependencies (%lld edges), "
               "%s capacity, %lld..%lld apps per zone",
               p->source ? p->source : "input", p->n, p->k, p->nres, (long long)p->ndeps, (long long)(p->xadj[p->n] / 2),
               p->capacity_mode == ZP_CUMULATIVE ? "cumulative" : "per-app", (long long)lo,
               (long long)hi);
        if (cfg->arrivals)
            printf("; %d arriving apps", cfg->arrivals->n - p->n);
        printf("\n");
    }
    config_destroy(&cfg);
    return rc;
}

/* Rank 0: the output paths, checked before any input is read (a typo must not cost the time
 * of reading a large input). */
static int check_outputs(const cli *c)
{
    int rc = ZP_OK;
    if (c->out && c->summary && zp_same_output(c->out, c->summary))
        return zp_fail(ZP_EUSAGE, "--out %s and --summary %s name the same file", c->out,
                       c->summary);
    if (c->summary)
        rc = zp_check_output_path(c->summary, c->force, "use --force to overwrite");
    if (c->out && rc == ZP_OK)
        rc = zp_check_output_path(c->out, c->force, "use --force to overwrite");
    return rc;
}

/* How a run's outputs are published: a checkpoint or a stopped run's are not complete, and a
 * run replaces the outputs it published before. */
typedef struct {
    time_t started;
    int complete;
    int stopped_by; /* the signal agreed on, 0: none */
    int published;  /* outputs published so far by this run */
    const zp_dproblem *sliced; /* the problem when its graph is split over the ranks, or NULL */
} run_outputs;

/* Collective: the HDF5 file, published with the summary JSON summary_tmp (rank 0, written
 * before; taken over) when there is one. */
static int write_h5(const cli *c, zp_comm *world, const zp_config *cfg, const zp_problem *p,
                    const zp_task_result *res, const zp_perf *pf, const perf_eval *ev,
                    const run_outputs *ro, char **summary_tmp)
{
    int rc = ZP_OK;
    zp_h5out *h = NULL;
    char *settings = zp_options_json(&cfg->options);
    zp_run_info info = {c->command_line, ZP_VERSION, ZP_GIT_REV, par_size(world),
                        cfg->resolved_json, NULL, settings, ro->started};
    int replace = c->force || ro->published > 0;
    ZP_CHECK(par_agree_status(world, settings ? ZP_OK : ZP_ERUNTIME));
    int owner = par_rank(world) == 0; /* every rank holds the result; one writes it */
    const char *instance = p->name;
    ZP_CHECK(h5out_open(&h, world, c->out, replace, &info));
    if (ro->sliced)
        ZP_CHECK(h5out_write_dproblem(h, ro->sliced));
    else
        ZP_CHECK(h5out_write_problem(h, p));
    ZP_CHECK(h5out_append_tasks(h, res, 1, &owner, &instance));
    if (pf) {
        zp_perf_tables tables = {pf, ev->x0, ev->initial, ev->final};
        ZP_CHECK(h5out_write_perf(h, res, p, &tables));
    }
    ZP_CHECK(h5out_set_complete(h, ro->complete));
    if (*summary_tmp)
        h5out_publish_with(h, *summary_tmp, c->summary, replace);
    *summary_tmp = NULL;
out:
    if (h) {
        int close_rc = h5out_close(&h, rc == ZP_OK);
        if (rc == ZP_OK)
            rc = close_rc;
    }
    zp_free(settings);
    return rc;
}

/* Collective: the run's outputs for res (the final result, a checkpoint's or a stopped run's),
 * with the response-time predictions ev when pf is given: the summary JSON (rank 0), then the
 * HDF5 file, published together. */
static int write_outputs(const cli *c, zp_comm *world, const zp_config *cfg,
                         const zp_problem *final_p, const zp_task_result *res, const zp_perf *pf,
                         const perf_eval *ev, run_outputs *ro)
{
    int rc = ZP_OK;
    char *perf_json = NULL, *summary_tmp = NULL;
    if (c->summary && par_rank(world) == 0) { /* written first, published with the HDF5 file */
        const char *instance = final_p->name;
        if (pf && !(perf_json = report_perf_json(pf, final_p, ev->initial, ev->final)))
            rc = zp_fail(ZP_ERUNTIME, "out of memory");
        const char *task_perf = perf_json;
        if (rc == ZP_OK)
            rc = report_write_summary(c->summary, res, 1, &instance, &task_perf, ro->complete,
                                      ro->stopped_by ? stopsig_name(ro->stopped_by) : "",
                                      &summary_tmp);
    }
    ZP_CHECK(par_agree_status(world, rc));
    if (c->out)
        ZP_CHECK(write_h5(c, world, cfg, final_p, res, pf, ev, ro, &summary_tmp));
    if (summary_tmp) {
        const char *tmp = summary_tmp;
        int replace = c->force || ro->published > 0;
        rc = zp_publish(&tmp, &c->summary, 1, &replace, "use --force to overwrite");
        zp_free(summary_tmp); /* renamed, or removed by zp_publish */
        summary_tmp = NULL;
        ZP_CHECK(rc);
    }
    ro->published++;
out:
    if (summary_tmp)
        unlink(summary_tmp);
    zp_free(summary_tmp);
    zp_free(perf_json);
    return rc;
}

/* ---- stop signals and checkpoints of a run (zp_task_watch) ----------------------------------- */

typedef struct {
    const cli *c;
    zp_comm *world;
    const zp_config *cfg;
    const zp_perf *pf;  /* the last problem's response-time model, or NULL */
    run_outputs *ro;
    double last;        /* zp_now() at the run's start or its last checkpoint */
} run_watch;

/* Collective: a stop when any rank got a stop signal (the highest signal number is named); a
 * checkpoint when rank 0 finds checkpoint_every seconds passed since the last. */
static int watch_agree(void *ctx, int *stop, int *checkpoint)
{
    int rc = ZP_OK;
    run_watch *w = ctx;
    int64_t sig = stopsig_requested();
    int64_t due = par_rank(w->world) == 0 && (w->c->out || w->c->summary) &&
                  zp_now() - w->last >= w->cfg->options.checkpoint_every;
    ZP_CHECK(par_allreduce_max_i64(w->world, &sig));
    ZP_CHECK(par_allreduce_max_i64(w->world, &due));
    w->ro->stopped_by = (int)sig;
    *stop = sig != 0;
    *checkpoint = due != 0;
out:
    return rc;
}

/* Collective: publishes the outputs of the best placement so far, marked incomplete. */
static int watch_checkpoint(void *ctx, const zp_task_result *so_far, const zp_problem *p)
{
    int rc = ZP_OK;
    run_watch *w = ctx;
    zp_task_result res = *so_far; /* shares so_far's arrays: not freed here */
    perf_eval ev = {NULL, NULL, NULL};
    if (w->pf) {
        ZP_CHECK(par_agree_status(w->world, evaluate_perf(w->pf, p, &res, &ev)));
        res.perf_mean = ev.final->mean_weighted;
        res.perf_pct = ev.final->max_pct;
    }
    ZP_CHECK(write_outputs(w->c, w->world, w->cfg, p, &res, w->pf, &ev, w->ro));
    w->last = zp_now();
    if (par_rank(w->world) == 0 && !w->c->quiet)
        fprintf(stderr, "zoneplace: checkpoint %d: the best placement so far (objective %.6g) "
                        "written to %s (complete = 0)\n", w->ro->published, res.final.objective,
                w->c->out ? w->c->out : w->c->summary);
out:
    perf_eval_free(&ev);
    return rc;
}

/* The error of a run stopped by a signal, saying whether its placement was saved. */
static int stopped_error(const cli *c, const run_outputs *ro)
{
    return zp_fail(ZP_ESTOPPED, "stopped by %s: %s", stopsig_name(ro->stopped_by),
                   c->out || c->summary ? "the best placement found so far is saved, marked "
                                          "incomplete (complete = 0)"
                                        : "no --out or --summary: nothing saved");
}

/* Whether a run may read its graph in slices (drun.h): a --graph input placed by the
 * distributed engine's multilevel placement for the traffic objective, with the zones of a
 * bare graph (drun_applies decides the rest once the file is read). */
static int may_run_sliced(const cli *c, const zp_options *o)
{
    return c->graph && !c->config && c->capacity_slack < 0 && o->engine == ZP_ENGINE_DIST &&
           o->objective == ZP_OBJECTIVE_TRAFFIC &&
           (o->init == ZP_INIT_AUTO || o->init == ZP_INIT_MULTILEVEL);
}

/* Collective: the run of a graph read in slices, when drun_applies to it (*done = 1);
 * otherwise *done = 0 and the caller runs it as usual. */
static int run_sliced(const cli *c, zp_comm *world, int *done)
{
    int rc = ZP_OK;
    zp_config *cfg = NULL;
    zp_dproblem *dp = NULL;
    zp_task_result res;
    perf_eval ev = {NULL, NULL, NULL};
    memset(&res, 0, sizeof res);
    int rank = par_rank(world);
    double t0 = zp_now();
    run_outputs ro = {time(NULL), 1, 0, 0, NULL};
    zp_exchange ex = par_exchange(world);
    *done = 0;
    if (!(cfg = zp_calloc(1, sizeof *cfg)))
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "out of memory"));
    options_default(&cfg->options);
    options_apply(&cfg->options, &c->overrides, c->given);
    ZP_CHECK(par_agree_status(world, drun_load(c->graph, &ex.dc, &dp)));
    ZP_CHECK(par_agree_status(world, graph_zones(c, dp->zones)));
    if (!drun_applies(dp) || resolve_init(dp->zones, cfg->options.init) != ZP_INIT_MULTILEVEL)
        goto out;
    *done = 1;
    if (rank == 0 && !c->quiet && zp_now() - t0 > 1.0)
        fprintf(stderr, "zoneplace: input read in %.1f s on %d rank(s): %d apps, %lld "
                        "dependencies\n", zp_now() - t0, par_size(world), dp->zones->n,
                (long long)dp->zones->ndeps);
    ZP_CHECK(par_agree_status(world, set_input_json(c, cfg, dp->zones->imbalance)));
    zp_task_spec spec = {&cfg->options, 0, !c->quiet, &ex, NULL};
    ZP_CHECK(drun_task(&spec, dp, &res));
    /* a stop signal during the engine: its placement is saved as a stopped run's */
    int64_t sig = stopsig_requested();
    ZP_CHECK(par_allreduce_max_i64(world, &sig));
    ro.stopped_by = (int)sig;
    ro.complete = sig == 0;
    res.stopped = !ro.complete;
    if (rank == 0 && !c->quiet)
        report_print(stdout, dp->zones, &res, cfg->options.init);
    ro.sliced = dp;
    if (c->out || c->summary)
        ZP_CHECK(write_outputs(c, world, cfg, dp->zones, &res, NULL, &ev, &ro));
    if (res.stopped)
        rc = stopped_error(c, &ro);
out:
    task_result_free(&res);
    drun_destroy(&dp);
    config_destroy(&cfg);
    return rc;
}

static int cmd_run(const cli *c, zp_comm *world)
{
    int rc = ZP_OK;
    zp_config *cfg = NULL;
    zp_perf *pf = NULL, *pf_base = NULL;
    perf_eval ev = {NULL, NULL, NULL};
    zp_task_result res;
    zp_options sliced_options;
    memset(&res, 0, sizeof res);
    int rank = par_rank(world);
    double t0 = zp_now();
    run_outputs ro = {time(NULL), 0, 0, 0, NULL}; /* checkpoints are not complete */
    /* signals first: a stop during start-up ends after the initial placement, saved */
    stopsig_install();
    ZP_CHECK(par_agree_status(world, rank == 0 ? check_outputs(c) : ZP_OK));
    options_default(&sliced_options);
    options_apply(&sliced_options, &c->overrides, c->given);
    if (may_run_sliced(c, &sliced_options)) {
        int done = 0;
        ZP_CHECK(run_sliced(c, world, &done));
        if (done)
            goto out;
    }
    ZP_CHECK(par_agree_status(world, load_input(c, &cfg)));
    const zp_problem *final_p = cfg->arrivals ? cfg->arrivals : cfg->base;
    if (rank == 0 && !c->quiet && zp_now() - t0 > 1.0) /* large inputs: say where time went */
        fprintf(stderr, "zoneplace: input read in %.1f s: %d apps, %lld dependencies\n",
                zp_now() - t0, final_p->n, (long long)final_p->ndeps);
    ZP_CHECK(par_agree_status(world, load_perf(cfg, c->config, &pf)));
    /* Test hook (tests/e2e/test_crash.sh): rank ZP_TEST_FAIL_RANK fails alone, as a rank-local
     * error mid-run would, while the others go on into the next collective. */
    const char *fail_rank = getenv("ZP_TEST_FAIL_RANK");
    if (fail_rank && *fail_rank && atoi(fail_rank) == rank)
        ZP_CHECK(zp_fail(ZP_ERUNTIME, "injected failure on rank %d", rank));
    options_apply(&cfg->options, &c->overrides, c->given);
    ZP_CHECK(par_agree_status(world, check_objective(c, cfg)));

    zp_exchange ex = par_exchange(world);
    run_watch rw = {c, world, cfg, pf, &ro, t0};
    zp_task_watch watch = {stopsig_requested, watch_agree, watch_checkpoint, &rw};
    zp_task_spec spec = {&cfg->options, 0, !c->quiet, &ex, &watch};
    /* pf is parsed for the final problem: with arrivals the base stage gets its part */
    if (pf && cfg->arrivals)
        ZP_CHECK(par_agree_status(world, perf_restrict(pf, cfg->arrivals, cfg->base, &pf_base)));
    ZP_CHECK(task_run_model(&spec, pf_base ? pf_base : pf, pf, cfg->base, cfg->arrivals, &res));
    if (rank == 0 && !c->quiet)
        report_print(stdout, final_p, &res, cfg->options.init);
    if (pf) {
        ZP_CHECK(par_agree_status(world, evaluate_perf(pf, final_p, &res, &ev)));
        res.perf_mean = ev.final->mean_weighted;
        res.perf_pct = ev.final->max_pct;
        if (rank == 0 && !c->quiet)
            report_perf_print(stdout, pf, final_p, ev.initial, ev.final);
    }
    ro.complete = !res.stopped;
    if (c->out || c->summary)
        ZP_CHECK(write_outputs(c, world, cfg, final_p, &res, pf, &ev, &ro));
    if (res.stopped)
        rc = stopped_error(c, &ro);
out:
    stopsig_restore();
    perf_destroy(&pf_base);
    perf_eval_free(&ev);
    perf_destroy(&pf);
    task_result_free(&res);
    config_destroy(&cfg);
    return rc;
}

static int dispatch(int argc, char **argv, zp_comm *world)
{
    int rc = ZP_OK;
    int rank = par_rank(world);
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd)
        return zp_fail(ZP_EUSAGE, "no command given (see zoneplace --help)");
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (rank == 0)
            print_usage();
        return ZP_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        if (rank == 0)
            printf("zoneplace %s (git %s, %s)\n", ZP_VERSION, ZP_GIT_REV,
                   ZP_MPI ? "MPI + parallel HDF5" : "serial");
        return ZP_OK;
    }
    if (strcmp(cmd, "sweep") == 0)
        return sweep_main(argc, argv, world);
    if (strcmp(cmd, "generate") == 0)
        return generate_main(argc, argv, rank);
    if (strcmp(cmd, "import") == 0)
        return import_main(argc, argv, rank);
    if (strcmp(cmd, "export") == 0)
        return export_main(argc, argv, rank);
    if (strcmp(cmd, "merge") == 0)
        return merge_main(argc, argv, world);
    cli c;
    if (strcmp(cmd, "run") != 0 && strcmp(cmd, "validate") != 0)
        return zp_fail(ZP_EUSAGE, "unknown command '%s' (see zoneplace --help)", cmd);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (rank == 0)
                print_usage();
            return ZP_OK;
        }
    }
    ZP_CHECK(parse_cli(&c, argc, argv));
    c.command = cmd;
    rc = strcmp(cmd, "run") == 0 ? cmd_run(&c, world) : cmd_validate(&c, rank);
out:
    return rc;
}

int main(int argc, char **argv)
{
    if (par_init(&argc, &argv) != ZP_OK) {
        fprintf(stderr, "zoneplace: %s\n", zp_error_message());
        return ZP_ERUNTIME;
    }
    zp_comm *world = par_world();
    int rc = dispatch(argc, argv, world);
    /* One message per job: the lowest rank that recorded a failure prints it. A failed rank
     * whose peers do not come to agree within seconds failed alone (they are blocked in a
     * collective it left): it prints and ends the whole job instead of hanging. */
    int first = -1, alone = 0;
    int has_message = strcmp(zp_error_message(), "unknown error") != 0;
    int agreed = par_agree_end(rc, has_message, 5.0, &first, &alone);
    if (alone) {
        fprintf(stderr, "zoneplace: %s\n", zp_error_message());
        fflush(stderr);
        par_abort(rc);
    }
    if (agreed != ZP_OK && par_rank(world) == (first >= 0 ? first : 0))
        fprintf(stderr, "zoneplace: %s\n", zp_error_message());
    par_finalize();
    return rc != ZP_OK ? rc : agreed;
}
