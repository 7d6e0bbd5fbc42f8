/* test_import.c - the importers' pieces without files: Kubernetes quantities, the base names
 * call-graph services are matched by, call-count aggregation, and workload naming across
 * namespaces. The file formats end to end: tests/e2e/test_import.sh. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "import.h"
#include "import_k8s.h"
#include "util.h"

static double quantity(const char *text)
{
    double v = NAN;
    return k8s_quantity(text, &v) == 0 ? v : -1;
}

static void test_quantities(void)
{
    CHECK_NEAR(quantity("100m"), 0.1, 1e-12);
    CHECK_NEAR(quantity("2"), 2, 0);
    CHECK_NEAR(quantity("0.5"), 0.5, 0);
    CHECK_NEAR(quantity("64Mi"), 64 * 1048576.0, 0);
    CHECK_NEAR(quantity("1Gi"), 1073741824.0, 0);
    CHECK_NEAR(quantity("128M"), 128e6, 0);
    CHECK_NEAR(quantity("64Ki"), 65536, 0);
    CHECK_NEAR(quantity("1e3"), 1000, 1e-9);
    CHECK_NEAR(quantity("1E"), 1e18, 0); /* exa, not an exponent */
    CHECK_NEAR(quantity("129e6"), 129e6, 1e-3);
    CHECK_NEAR(quantity("+1k"), 1000, 0);
    const char *bad[] = {"", "m", "64MB", "1..2", "-1", "1 Gi", "0x10", "Mi", "1e", NULL};
    for (int i = 0; bad[i]; i++)
        CHECK_NEAR(quantity(bad[i]), -1, 0);
}

static void test_base_names(void)
{
    char buf[64];
    import_base_name("cart.shop.svc.cluster.local", buf, sizeof buf);
    CHECK(strcmp(buf, "cart") == 0);
    import_base_name("shop/cart", buf, sizeof buf);
    CHECK(strcmp(buf, "cart") == 0);
    import_base_name("cart", buf, sizeof buf);
    CHECK(strcmp(buf, "cart") == 0);
}

static void test_aggregation_and_names(void)
{
    zp_import im;
    import_init(&im);
    /* enough pairs to make the pair table grow several times */
    int failed = 0;
    for (int i = 0; i < 20000; i++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "s%d", i % 300);
        snprintf(b, sizeof b, "s%d", (i * 7 + 1) % 300);
        failed += import_add_calls(&im, a, b, 1) != ZP_OK;
    }
    CHECK_INT(failed, 0);
    double total = 0;
    for (int64_t i = 0; i < im.calls.cap; i++)
        total += im.calls.keys[i] ? im.calls.count[i] : 0;
    CHECK_NEAR(total, 20000, 0);
    CHECK_INT(im.calls.nnames, 300);
    import_app *a = NULL;
    CHECK_INT(import_add_app(&im, "api", "shop", "Deployment", "m.yaml", 1, &a), ZP_OK);
    CHECK_INT(import_add_app(&im, "api", "blog", "Deployment", "m.yaml", 9, &a), ZP_OK);
    CHECK_INT(import_add_app(&im, "db", "shop", "StatefulSet", "m.yaml", 20, &a), ZP_OK);
    CHECK_INT(import_name_workloads(&im), ZP_OK);
    CHECK(strcmp(im.apps[0].name, "shop/api") == 0);
    CHECK(strcmp(im.apps[1].name, "blog/api") == 0);
    CHECK(strcmp(im.apps[2].name, "db") == 0);
    CHECK_INT(import_add_app(&im, "db", "shop", "StatefulSet", "n.yaml", 4, &a), ZP_OK);
    CHECK_INT(import_name_workloads(&im), ZP_EINPUT);
    CHECK(strstr(zp_error_message(), "n.yaml:4: workload shop/StatefulSet/db appears twice") != NULL);
    import_free(&im);
}

int main(void)
{
    test_quantities();
    test_base_names();
    test_aggregation_and_names();
    return CHECK_DONE();
}
