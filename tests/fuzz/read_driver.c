/* read_driver.c - loads one input the way `zoneplace run` would and reports like zoneplace
 * ("zoneplace: message" on stderr, exit status 0/2/3/4). tests/e2e/test_bad_inputs.sh uses it
 * for the input forms the command line does not offer yet (.graph, CSV):
 *   read_driver config F.json
 *   read_driver graph F.graph K          METIS graph into K uniform zones
 *   read_driver csv S.csv C.csv K        services + calls into K uniform zones */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graphio.h"
#include "util.h"

static int parse_zones(const char *text, int *k)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < 1 || v > 1000000) /* as main.c's parse_long */
        return zp_fail(ZP_EUSAGE, "--zones: expected a whole number in [1, 1000000], got '%s'",
                       text);
    *k = (int)v;
    return ZP_OK;
}

static int load(int argc, char **argv)
{
    int rc = ZP_OK, k = 0;
    zp_config *cfg = NULL;
    zp_problem *p = NULL;
    const char *form = argc > 1 ? argv[1] : "";
    if (strcmp(form, "config") == 0 && argc == 3) {
        ZP_CHECK(config_load(argv[2], &cfg));
        p = cfg->base;
        cfg->base = NULL;
    } else if (strcmp(form, "graph") == 0 && argc == 4) {
        ZP_CHECK(parse_zones(argv[3], &k));
        ZP_CHECK(graphio_read_metis(argv[2], &p));
        ZP_CHECK(graphio_uniform_zones(p, k, 0.0));
        ZP_CHECK(config_check_feasible(p));
    } else if (strcmp(form, "csv") == 0 && argc == 5) {
        ZP_CHECK(parse_zones(argv[4], &k));
        ZP_CHECK(graphio_read_csv(argv[2], argv[3], &p));
        ZP_CHECK(graphio_uniform_zones(p, k, 0.0));
        ZP_CHECK(config_check_feasible(p));
    } else {
        rc = zp_fail(ZP_EUSAGE, "usage: read_driver config F.json | graph F.graph K | "
                                "csv S.csv C.csv K");
        goto out;
    }
    printf("ok: %d apps, %d zones, %lld dependencies\n", p->n, p->k, (long long)p->ndeps);
out:
    problem_destroy(&p);
    config_destroy(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = load(argc, argv);
    if (rc != ZP_OK)
        fprintf(stderr, "zoneplace: %s\n", zp_error_message());
    return rc;
}
