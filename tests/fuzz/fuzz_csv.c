/* fuzz_csv.c - libFuzzer harness for the CSV reader (graphio_read_csv). The input is split at
 * its first NUL byte: services.csv before it, calls.csv after it (no NUL: an empty calls.csv).
 * Every input must load or fail with "file:line: message" (ZP_EINPUT/ZP_EIO); what loads must
 * be a symmetric CSR graph. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "graphio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file services, calls;
    fuzz_file_init(&services, "services.csv");
    fuzz_file_init(&calls, "calls.csv");
    const uint8_t *nul = memchr(data, 0, size);
    size_t first = nul ? (size_t)(nul - data) : size;
    fuzz_file_set(&services, data, first);
    fuzz_file_set(&calls, nul ? nul + 1 : data + size, nul ? size - first - 1 : 0);
    zp_problem *p = NULL;
    zp_error_clear();
    int rc = graphio_read_csv(services.path, calls.path, &p);
    if (rc != ZP_OK && strstr(zp_error_message(), calls.path) == zp_error_message())
        fuzz_check_status(rc, calls.path);
    else
        fuzz_check_status(rc, services.path);
    if (rc == ZP_OK)
        fuzz_check_problem(p);
    problem_destroy(&p);
    return 0;
}
