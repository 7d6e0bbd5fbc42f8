/* importcmd.c - `zoneplace import` and `zoneplace export` (see importcmd.h). */
#include "importcmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "import.h"
#include "import_k8s.h"
#include "import_trace.h"
#include "util.h"

#define MAX_FILES 256

static const char import_usage[] =
    "Usage: zoneplace import KIND FILE... [OPTIONS] --out CONFIG.json\n"
    "Writes a zoneplace config from real sources (see README: Importing real systems).\n\n"
    "Kinds (what FILE holds):\n"
    "  k8s       Kubernetes YAML manifests (multi-document) or kubectl -o json output:\n"
    "            Deployments, StatefulSets, DaemonSets (replicas, resources.requests) become\n"
    "            apps; Nodes with a topology.kubernetes.io/zone label become zones\n"
    "  jaeger, zipkin   dependency links JSON (parent, child, callCount)\n"
    "  otel      OpenTelemetry service-graph metrics, Prometheus text\n"
    "            (traces_service_graph_request_total{client=...,server=...})\n"
    "  alibaba   Alibaba 2022 CallGraph CSV (um -> dm per row, streamed)\n"
    "            With a call-graph kind the apps are the services of the graph.\n\n"
    "Options:\n"
    "      --calls FORMAT:FILE  a call graph for the apps (FORMAT jaeger, zipkin, otel or\n"
    "                           alibaba; repeatable); services are matched to workloads by\n"
    "                           name and what does not match is reported\n"
    "      --current CUR.csv    current placement, columns app,zone (else from the pod\n"
    "                           templates' zone nodeSelector/nodeAffinity)\n"
    "  -k, --zones K            K made-up zones z0..z{K-1} when no nodes are given\n"
    "      --capacity-slack X   made-up zones hold (1+X)/K of the total demand each\n"
    "                           (default: unlimited)\n"
    "      --imbalance E        objective.imbalance of the config (default 0.5)\n"
    "      --name NAME          the config's name (default: KIND import)\n"
    "  -o, --out CONFIG.json    the config written (via CONFIG.json.partial)\n"
    "  -f, --force              overwrite an existing output\n"
    "  -q, --quiet              no notes on stderr\n";

static const char export_usage[] =
    "Usage: zoneplace export k8s --config C.json --summary S.json [--manifests FILE]...\n"
    "                        [--out PATCHES.yaml] [--plan PLAN.csv] [--plan-json PLAN.json]\n"
    "Turns the placement of a run (S.json, written by run --summary) into what a cluster\n"
    "applies: per workload of the manifests a strategic-merge patch pinning it to its zone\n"
    "(nodeAffinity on topology.kubernetes.io/zone), and a migration plan from the config's\n"
    "current_zone placement whose steps never overfill a zone.\n"
    "  -f, --force   overwrite existing outputs;  -q, --quiet   no notes on stderr\n";

enum { OPT_CALLS = 256, OPT_CURRENT, OPT_SLACK, OPT_IMBALANCE, OPT_NAME, OPT_CONFIG, OPT_SUMMARY,
       OPT_MANIFESTS, OPT_PLAN, OPT_PLAN_JSON };

typedef struct {
    const char *calls[MAX_FILES];
    int ncalls;
    const char *manifests[MAX_FILES];
    int nmanifests;
    const char *out, *plan, *plan_json, *config, *summary;
    import_options io;
    int force, quiet, help;
} cmd_args;

static int add_file(const char **files, int *n, const char *path, const char *opt)
{
    if (*n == MAX_FILES)
        return zp_fail(ZP_EUSAGE, "%s: at most %d files", opt, MAX_FILES);
    files[(*n)++] = path;
    return ZP_OK;
}

static int parse_option(cmd_args *a, int opt, const char *arg)
{
    int rc = ZP_OK;
    long long v = 0;
    switch (opt) {
    case OPT_CALLS: {
        const char *colon = strchr(arg, ':');
        char fmt[16];
        snprintf(fmt, sizeof fmt, "%.*s", colon ? (int)(colon - arg) : 0, arg);
        if (!colon || trace_format(fmt) < 0 || !colon[1])
            return zp_fail(ZP_EUSAGE, "--calls: expected FORMAT:FILE with FORMAT jaeger, zipkin, "
                                      "otel or alibaba, got '%s'", arg);
        return add_file(a->calls, &a->ncalls, arg, "--calls");
    }
    case OPT_MANIFESTS: return add_file(a->manifests, &a->nmanifests, arg, "--manifests");
    case OPT_CURRENT: a->io.current = arg; break;
    case 'k':
        ZP_CHECK(zp_parse_long(arg, 1, 100000, "--zones", &v));
        a->io.zones = (int)v;
        break;
    case OPT_SLACK: ZP_CHECK(zp_parse_double(arg, 0, 1000, "--capacity-slack", &a->io.capacity_slack)); break;
    case OPT_IMBALANCE: ZP_CHECK(zp_parse_double(arg, 0, 10, "--imbalance", &a->io.imbalance)); break;
    case OPT_NAME: a->io.name = arg; break;
    case OPT_CONFIG: a->config = arg; break;
    case OPT_SUMMARY: a->summary = arg; break;
    case OPT_PLAN: a->plan = arg; break;
    case OPT_PLAN_JSON: a->plan_json = arg; break;
    case 'o': a->out = arg; break;
    case 'f': a->force = 1; break;
    case 'q': a->quiet = 1; break;
    case 'h': a->help = 1; break;
    default: return zp_fail(ZP_EUSAGE, "unknown option (see --help)");
    }
out:
    return rc;
}

/* Options after "zoneplace CMD KIND"; the files left over are in argv[*first..argc). */
static int parse_args(cmd_args *a, int argc, char **argv, int *first)
{
    int rc = ZP_OK;
    static const struct option longopts[] = {
        {"calls", required_argument, 0, OPT_CALLS}, {"current", required_argument, 0, OPT_CURRENT},
        {"zones", required_argument, 0, 'k'}, {"capacity-slack", required_argument, 0, OPT_SLACK},
        {"imbalance", required_argument, 0, OPT_IMBALANCE}, {"name", required_argument, 0, OPT_NAME},
        {"config", required_argument, 0, OPT_CONFIG}, {"summary", required_argument, 0, OPT_SUMMARY},
        {"manifests", required_argument, 0, OPT_MANIFESTS}, {"plan", required_argument, 0, OPT_PLAN},
        {"plan-json", required_argument, 0, OPT_PLAN_JSON}, {"out", required_argument, 0, 'o'},
        {"force", no_argument, 0, 'f'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->io.capacity_slack = -1;
    a->io.imbalance = 0.5;
    opterr = 0;
    optind = 3;
    int opt;
    while ((opt = getopt_long(argc, argv, "k:o:fqh", longopts, NULL)) != -1) {
        if (opt == '?')
            return zp_fail(ZP_EUSAGE, "%s: unknown option or missing value (see %s %s --help)",
                           argv[optind - 1], argv[0], argv[1]);
        ZP_CHECK(parse_option(a, opt, optarg));
    }
    *first = optind;
out:
    return rc;
}

static int check_outputs(const cmd_args *a)
{
    int rc = ZP_OK;
    const char *outs[3] = {a->out, a->plan, a->plan_json};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < i; j++)
            if (outs[i] && outs[j] && strcmp(outs[i], outs[j]) == 0)
                return zp_fail(ZP_EUSAGE, "%s: given as two outputs", outs[i]);
    for (int i = 0; i < 3; i++)
        if (outs[i])
            ZP_CHECK(zp_check_output_path(outs[i], a->force, "use --force to overwrite"));
out:
    return rc;
}

static int help_asked(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static int run_import(const cmd_args *a, const char *kind, char **files, int nfiles)
{
    int rc = ZP_OK;
    zp_import im;
    import_init(&im);
    import_options io = a->io;
    char description[512];
    int trace = trace_format(kind);
    io.calls_only = trace >= 0;
    for (int i = 0; i < nfiles; i++) {
        if (trace >= 0)
            ZP_CHECK(import_trace_file(&im, trace, files[i]));
        else
            ZP_CHECK(import_k8s_file(&im, files[i]));
    }
    if (trace < 0)
        ZP_CHECK(import_name_workloads(&im));
    for (int i = 0; i < a->ncalls; i++) {
        const char *colon = strchr(a->calls[i], ':');
        char fmt[16];
        snprintf(fmt, sizeof fmt, "%.*s", (int)(colon - a->calls[i]), a->calls[i]);
        ZP_CHECK(import_trace_file(&im, trace_format(fmt), colon + 1));
    }
    snprintf(description, sizeof description, "imported by zoneplace import %s from %s%s "
             "(cpu in millicores, ram in MiB: replicas x requests)", kind, files[0],
             nfiles > 1 ? " and more" : "");
    char name[128];
    snprintf(name, sizeof name, "%s import", kind);
    io.name = io.name ? io.name : name;
    io.description = description;
    ZP_CHECK(import_write_config(&im, &io, a->out, a->quiet ? NULL : stderr));
out:
    import_free(&im);
    return rc;
}

int import_main(int argc, char **argv, int rank)
{
    int rc = ZP_OK, first = 0;
    cmd_args a;
    if (help_asked(argc, argv)) {
        if (rank == 0)
            fputs(import_usage, stdout);
        return ZP_OK;
    }
    if (argc < 3)
        return zp_fail(ZP_EUSAGE, "import: give KIND and files (see zoneplace import --help)");
    const char *kind = argv[2];
    if (strcmp(kind, "k8s") != 0 && trace_format(kind) < 0)
        return zp_fail(ZP_EUSAGE, "import: unknown kind '%s' (k8s, jaeger, zipkin, otel, alibaba)",
                       kind);
    ZP_CHECK(parse_args(&a, argc, argv, &first));
    if (first >= argc)
        return zp_fail(ZP_EUSAGE, "import %s: give at least one input file", kind);
    if (!a.out)
        return zp_fail(ZP_EUSAGE, "import: --out CONFIG.json is required");
    if (a.config || a.summary || a.plan || a.plan_json || a.nmanifests)
        return zp_fail(ZP_EUSAGE, "import: --config, --summary, --manifests and --plan belong to "
                                  "zoneplace export");
    if (rank != 0)
        return ZP_OK;
    ZP_CHECK(check_outputs(&a));
    ZP_CHECK(run_import(&a, kind, argv + first, argc - first));
out:
    return rc;
}

int export_main(int argc, char **argv, int rank)
{
    int rc = ZP_OK, first = 0;
    cmd_args a;
    if (help_asked(argc, argv)) {
        if (rank == 0)
            fputs(export_usage, stdout);
        return ZP_OK;
    }
    if (argc < 3)
        return zp_fail(ZP_EUSAGE, "export: give the target (k8s; see zoneplace export --help)");
    if (strcmp(argv[2], "k8s") != 0)
        return zp_fail(ZP_EUSAGE, "export: unknown target '%s' (k8s)", argv[2]);
    ZP_CHECK(parse_args(&a, argc, argv, &first));
    if (first < argc)
        return zp_fail(ZP_EUSAGE, "export: unexpected argument '%s' (see --help)", argv[first]);
    if (!a.config || !a.summary)
        return zp_fail(ZP_EUSAGE, "export k8s: --config C.json and --summary S.json are required");
    if (!a.out && !a.plan && !a.plan_json)
        return zp_fail(ZP_EUSAGE, "export k8s: give --out, --plan or --plan-json");
    if (a.ncalls || a.io.current || a.io.zones)
        return zp_fail(ZP_EUSAGE, "export: --calls, --current and --zones belong to zoneplace "
                                  "import");
    if (rank != 0)
        return ZP_OK;
    ZP_CHECK(check_outputs(&a));
    export_options o = {a.config, a.summary, a.manifests, a.nmanifests, a.out, a.plan,
                        a.plan_json};
    ZP_CHECK(export_k8s(&o, a.quiet ? NULL : stderr));
out:
    return rc;
}
