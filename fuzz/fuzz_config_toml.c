/* fuzz_config_toml.c: a hand-written TOML config as `groklab run --config FILE.toml` reads it: cpptoml's parse
 * and the shape check (cli/config_toml.cpp), then the config.json reader on the JSON it hands on. Invariants:
 * either JSON text or a message; JSON text that the reader takes has a preset and at most GK_MAX_PARAMS
 * assignments; no crash, leak or undefined behaviour inside cpptoml on any input. */
#include "fuzz_common.h"

#include "../cli/config_toml.h"
#include "io/config_json.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static gk_saved_config c;
    char msg[512] = "";
    char *json = gk_cli_toml_to_json((const char *)data, size, msg, sizeof msg);
    if (!json) {
        FUZZ_ASSERT(msg[0] != '\0');
        return 0;
    }
    gk_error err;
    err.msg[0] = '\0';
    if (gk_config_json_parse(json, "config.toml", &c, &err) == GK_OK) FUZZ_ASSERT(c.preset[0] && c.n <= GK_MAX_PARAMS);
    else FUZZ_ASSERT(err.msg[0] != '\0');
    free(json);
    return 0;
}
