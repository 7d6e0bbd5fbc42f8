/* test_options.c - the search options' table (options.h): its rows are consistent (limits
 * within the field's type, so no value read through it is cast out of range), and the JSON and
 * command-line readers built on it accept, refuse and report as the table says. */
#include <cJSON.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "options.h"
#include "util.h"

/* The largest value a field of this type holds exactly as a double read from JSON. */
static double type_max(int type)
{
    switch (type) {
    case ZP_OPT_INT: return INT_MAX;
    case ZP_OPT_INT64:
    case ZP_OPT_UINT64: return 9007199254740991.0; /* 2^53 - 1 */
    default: return 1e300;
    }
}

static void test_table(void)
{
    CHECK(zp_option_count <= (int)(8 * sizeof(zp_option_mask)));
    for (int i = 0; i < zp_option_count; i++) {
        const zp_option_def *d = &zp_option_table[i];
        CHECK(d->key && d->flag && d->arg && d->help && d->help[0]);
        if (d->type == ZP_OPT_NAME) {
            CHECK(d->names != NULL);
            CHECK(d->names && strcmp(zp_name_of(d->names, (int)d->def), "?") != 0);
        } else {
            CHECK(d->lo <= d->def && d->def <= d->hi);
            if (d->hi > type_max(d->type))
                fprintf(stderr, "  %s: limit %g exceeds its type\n", d->key, d->hi);
            CHECK(d->hi <= type_max(d->type));
            CHECK(d->type == ZP_OPT_REAL || d->lo >= (d->type == ZP_OPT_INT ? INT_MIN : 0));
        }
        for (int j = 0; j < i; j++) {
            CHECK(strcmp(zp_option_table[j].key, d->key) != 0);
            CHECK(strcmp(zp_option_table[j].flag, d->flag) != 0);
            CHECK(!d->short_flag || zp_option_table[j].short_flag != d->short_flag);
        }
    }
    zp_options o;
    options_default(&o);
    CHECK_INT(o.seed, 1);
    CHECK_INT(o.starts, 1);
    CHECK_INT(o.init, ZP_INIT_AUTO);
    CHECK_INT(o.objective, ZP_OBJECTIVE_TRAFFIC);
    CHECK_NEAR(o.effort, 1, 0);
    CHECK_INT(o.trajectory_every, 1);
    CHECK(strcmp(init_name(ZP_INIT_MULTILEVEL), "multilevel") == 0);
    CHECK(strcmp(objective_name(ZP_OBJECTIVE_LATENCY), "latency") == 0);
}

/* Reads the search section text as the config "c.json"; *msg is the message on failure. */
static int read_search(const char *text, int where, zp_options *o, zp_option_mask *given)
{
    cJSON *node = cJSON_Parse(text);
    options_default(o);
    *given = 0;
    zp_error_clear();
    int rc = node ? options_read_json("c.json", node, where, o, given) : ZP_ERUNTIME;
    cJSON_Delete(node);
    return rc;
}

static int message_is(const char *expected)
{
    int ok = strcmp(zp_error_message(), expected) == 0;
    if (!ok)
        fprintf(stderr, "  got '%s', expected '%s'\n", zp_error_message(), expected);
    return ok;
}

static void test_json(void)
{
    zp_options o;
    zp_option_mask given;
    CHECK_INT(read_search("{\"trajectory_every\": 5e9}", ZP_OPTS_RUN, &o, &given), ZP_EINPUT);
    CHECK(message_is("c.json: search.trajectory_every: expected a number in [1, 1000000000], "
                     "got 5000000000"));
    CHECK_INT(read_search("{\"iterations\": 2.5}", ZP_OPTS_RUN, &o, &given), ZP_EINPUT);
    CHECK(message_is("c.json: search.iterations: expected a whole number, got 2.5"));
    CHECK_INT(read_search("{\"init\": \"best\"}", ZP_OPTS_RUN, &o, &given), ZP_EINPUT);
    CHECK(message_is("c.json: search.init: expected \"rr\", \"random\" or \"greedy\" (or "
                     "\"multilevel\", \"auto\")"));
    CHECK_INT(read_search("{\"objective\": \"latency\"}", ZP_OPTS_SWEEP, &o, &given), ZP_EINPUT);
    CHECK(message_is("c.json: search: unknown key \"objective\""));
    CHECK_INT(read_search("[1]", ZP_OPTS_RUN, &o, &given), ZP_EINPUT);
    CHECK(message_is("c.json: search: expected an object"));
    CHECK_INT(read_search("{\"seed\": 9007199254740991, \"init\": \"greedy\", \"effort\": 0.5}",
                          ZP_OPTS_RUN, &o, &given), ZP_OK);
    CHECK(o.seed == 9007199254740991ULL);
    CHECK_INT(o.init, ZP_INIT_GREEDY);
    CHECK_NEAR(o.effort, 0.5, 0);
    CHECK(options_given(given, "seed") && options_given(given, "init"));
    CHECK(!options_given(given, "starts"));
    /* only the given options are applied */
    zp_options base;
    options_default(&base);
    base.starts = 7;
    options_apply(&base, &o, given);
    CHECK_INT(base.starts, 7);
    CHECK_INT(base.init, ZP_INIT_GREEDY);
    CHECK(base.seed == 9007199254740991ULL);
}

static int cli_index(int where, const char *flag)
{
    struct option longopts[ZP_OPTIONS_MAX + 1];
    char shortopts[64] = "";
    options_cli_longopts(where, NULL, 0, longopts, shortopts, sizeof shortopts);
    for (int i = 0; longopts[i].name; i++)
        if (strcmp(longopts[i].name, flag) == 0)
            return options_cli_index(where, longopts[i].val);
    return -1;
}

static void test_cli(void)
{
    zp_options o;
    zp_option_mask given = 0;
    options_default(&o);
    CHECK(cli_index(ZP_OPTS_SWEEP, "seed") < 0);
    CHECK(cli_index(ZP_OPTS_SWEEP, "objective") < 0);
    int init = cli_index(ZP_OPTS_RUN, "init"), every = cli_index(ZP_OPTS_RUN, "trajectory-every");
    CHECK(init >= 0 && every >= 0);
    if (init < 0 || every < 0)
        return;
    CHECK_INT(options_cli_parse(init, "multilevel", &o, &given), ZP_OK);
    CHECK_INT(o.init, ZP_INIT_MULTILEVEL);
    CHECK(options_given(given, "init"));
    CHECK_INT(options_cli_parse(init, "best", &o, &given), ZP_EUSAGE);
    CHECK(message_is("--init: expected rr, random or greedy (or multilevel, auto), got 'best'"));
    CHECK_INT(options_cli_parse(every, "5000000000", &o, &given), ZP_EUSAGE);
    CHECK(message_is("--trajectory-every: expected a whole number in [1, 1000000000], got "
                     "'5000000000'"));
    CHECK_INT(o.trajectory_every, 1);
    CHECK(!options_given(given, "trajectory_every"));
}

int main(void)
{
    test_table();
    test_json();
    test_cli();
    return CHECK_DONE();
}
