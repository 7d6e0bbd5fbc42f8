/* fuzz_config.c - libFuzzer harness for the JSON config loader (config_load): every input must
 * load or fail with ZP_EINPUT/ZP_EIO and a "file: json.path: message" error, without crashes,
 * leaks or undefined behaviour; what loads must be a consistent problem. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file f;
    fuzz_file_init(&f, "config.json");
    fuzz_file_set(&f, data, size);
    zp_config *cfg = NULL;
    zp_error_clear();
    int rc = config_load(f.path, &cfg);
    fuzz_check_status(rc, f.path);
    if (rc == ZP_OK) {
        fuzz_check_problem(cfg->base);
        if (cfg->arrivals) {
            fuzz_check_problem(cfg->arrivals);
            if (cfg->arrivals->n <= cfg->base->n || cfg->base_apps != cfg->base->n)
                abort();
        }
        if (!cfg->resolved_json || cfg->base->k < 1)
            abort();
    }
    config_destroy(&cfg);
    return 0;
}
