/* fuzz_metis.c - libFuzzer harness for the METIS .graph reader (graphio_read_metis): every
 * input must load or fail with a "file:line: message" error (ZP_EINPUT/ZP_EIO); what loads
 * must be a symmetric CSR graph, and must also survive the uniform zones of a --graph run. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fuzz_common.h"
#include "graphio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file f;
    fuzz_file_init(&f, "input.graph");
    fuzz_file_set(&f, data, size);
    zp_problem *p = NULL;
    zp_error_clear();
    int rc = graphio_read_metis(f.path, &p);
    fuzz_check_status(rc, f.path);
    if (rc == ZP_OK) {
        fuzz_check_problem(p);
        if (p->ndeps != p->xadj[p->n] / 2) /* each METIS edge is one listed dependency */
            abort();
        int k = 1 + (int)(size % 4);
        if (graphio_uniform_zones(p, k, 0.0) != ZP_OK)
            abort();
        if (config_check_feasible(p) != ZP_OK) /* unlimited zones hold any graph */
            abort();
    }
    problem_destroy(&p);
    return 0;
}
