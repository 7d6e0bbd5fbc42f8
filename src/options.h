/* options.h - the search options of a run, described once. One table (zp_option_table) gives each
 * option its JSON key in a "search" section, its command-line flag, type, limits, default, help
 * text and field of zp_options; the config (config.c), the sweep file (sweepfile.c), the run
 * command line (main.c) and the sweep command line (sweep.c) all read options through it, and
 * the options part of --help is printed from it. The names of enumerated values (initial
 * placements, objectives) are spelled here only.
 *
 * Adding a search option: a zp_options field, its row in options.c, and the code that uses it. */
#ifndef ZP_OPTIONS_H
#define ZP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cJSON;
struct option;

/* ZP_INIT_AUTO (the default): multilevel, except rr (the thesis pipeline) for problems of at
 * most ZP_AUTO_RR_APPS apps whose zones have limits (place_auto_kind). Up to
 * ZP_AUTO_MULTILEVEL_APPS apps the search phase gets a fixed budget of rounds (auto_rounds). */
enum { ZP_INIT_AUTO = -1, ZP_INIT_RR = 0, ZP_INIT_RANDOM = 1, ZP_INIT_GREEDY = 2, ZP_INIT_MULTILEVEL = 3 };
#define ZP_AUTO_MULTILEVEL_APPS 5000
#define ZP_AUTO_RR_APPS 200

/* What the search minimises: traffic + move cost (the thesis), or the response-time model's
 * objective + move cost (needs a "perf" section; see cost.h). */
enum { ZP_OBJECTIVE_TRAFFIC = 0, ZP_OBJECTIVE_LATENCY = 1 };

/* ZP_ENGINE_SHARED (default): every rank of a task runs multilevel.c on the whole problem;
 * ZP_ENGINE_DIST: dengine.c splits the graph over the task's ranks (the problems it handles, see
 * dengine_applies; the others use the shared engine). */
enum { ZP_ENGINE_SHARED = 0, ZP_ENGINE_DIST = 1 };

/* Run options a config may set and the command line may override (defaults: options.c). */
typedef struct {
    uint64_t seed;        /* base seed of every start's stream */
    int starts;           /* local-search starts per task */
    int epochs;           /* best-placement exchanges between starts */
    int64_t iterations;   /* perturbation rounds per start and epoch; 0: automatic */
    double time_limit;    /* seconds per task, 0: none (results then depend on speed) */
    int init;             /* ZP_INIT_* initial placement */
    int trajectory_every; /* record a trajectory row every this many moves (phase ends always) */
    int objective;        /* ZP_OBJECTIVE_*: what the search minimises */
    double effort;        /* work of the automatic budgets (multilevel starts and rounds, search
                           * rounds) relative to the default 1; reproducible, unlike time_limit */
    int64_t patience;     /* a start stops after this many search rounds without a better
                           * placement; 0: never (reproducible, unlike time_limit) */
    int engine;           /* ZP_ENGINE_*: the multilevel engine of large problems */
    double checkpoint_every; /* zoneplace run: seconds between checkpoints of the outputs (the
                              * best placement so far, complete = 0); 0: at every checkpoint
                              * of the task (each epoch) */
} zp_options;

/* Range of zp_options.effort. */
#define ZP_EFFORT_MIN 0.01
#define ZP_EFFORT_MAX 100.0

/* ---- names of enumerated values -------------------------------------------------------------- */

typedef struct {
    const char *name;
    int value;
} zp_name;

/* A set of names, in the order messages list them; the first `main` are the usual choices and
 * the others are listed after them in parentheses. */
typedef struct {
    const zp_name *names;
    int count, main;
} zp_name_set;

extern const zp_name_set zp_init_names;      /* rr random greedy multilevel auto */
extern const zp_name_set zp_objective_names; /* traffic latency */
extern const zp_name_set zp_engine_names;    /* shared dist */

/* The name of value in set ("?" when it has none). */
const char *zp_name_of(const zp_name_set *set, int value);
/* The value named name in set; -1 with *value untouched when there is none. */
int zp_name_lookup(const zp_name_set *set, const char *name, int *value);
/* "rr", "random"... ("traffic", "latency"). */
const char *init_name(int init);
const char *objective_name(int objective);

/* ---- the table ------------------------------------------------------------------------------- */

enum { ZP_OPT_INT, ZP_OPT_INT64, ZP_OPT_UINT64, ZP_OPT_REAL, ZP_OPT_NAME };

typedef struct {
    const char *key;           /* JSON key in a "search" section */
    const char *flag;          /* long command-line flag, without the dashes */
    char short_flag;           /* one-letter flag, 0: none */
    int type;                  /* ZP_OPT_*: the C type of the field */
    double lo, hi;             /* limits (numbers); integers are checked before any cast */
    double def;                /* default (for ZP_OPT_NAME the enum value) */
    const zp_name_set *names;  /* ZP_OPT_NAME: the accepted names */
    size_t offset;             /* offsetof(zp_options, field) */
    int in_sweep;              /* a sweep's "search" section and `zoneplace sweep` take it (seed
                                * and starts are sweep parameters there) */
    const char *arg;           /* the flag's argument in --help */
    const char *help;          /* help text; '\n' starts another line */
} zp_option_def;

extern const zp_option_def zp_option_table[];
extern const int zp_option_count;

/* Which options were given: bit i for zp_option_table[i]. */
typedef uint32_t zp_option_mask;

/* Where options come from: a config and the run command line take every option, a sweep file
 * and the sweep command line those with in_sweep. */
enum { ZP_OPTS_RUN = 0, ZP_OPTS_SWEEP = 1 };

void options_default(zp_options *o);

/* Copies the options given in mask from src to dst. */
void options_apply(zp_options *dst, const zp_options *src, zp_option_mask given);

/* Whether the option with this JSON key is in given. */
int options_given(zp_option_mask given, const char *key);

/* Reads the "search" object (at JSON path "search" of file) into *o: unknown keys and values
 * out of range are ZP_EINPUT naming the JSON path. Bits of the keys read are set in *given. */
int options_read_json(const char *file, const struct cJSON *search, int where, zp_options *o,
                      zp_option_mask *given);

/* Most rows the table may have (one bit each in zp_option_mask). */
#define ZP_OPTIONS_MAX (8 * (int)sizeof(zp_option_mask))

/* Command line: longopts = own[0..nown) followed by the table's flags for where, and a zero row
 * (room for nown + ZP_OPTIONS_MAX + 1); the flags' letters are appended to shortopts (with ':').
 * getopt_long then returns options_cli_index's argument for them. */
void options_cli_longopts(int where, const struct option *own, int nown, struct option *longopts,
                          char *shortopts, size_t shortcap);
/* The table row of what getopt_long returned, or -1 when opt is not a table option. */
int options_cli_index(int where, int opt);
/* Parses arg for table row i into *o and sets its bit in *given (ZP_EUSAGE naming the flag). */
int options_cli_parse(int i, const char *arg, zp_options *o, zp_option_mask *given);

/* The options part of --help for where: one line per flag, help text from column. */
void options_print_help(FILE *f, int where, int column);

#endif
