/* fuzz_config_json.c: a run's config.json as resume reads it back (io/config_json.c), then each of its
 * assignments set on a config the way the preset's would be. Invariants: on success the preset name is not
 * empty, there are at most GK_MAX_PARAMS assignments, each "key=value" with a key of letters, digits and _ that
 * appears once; an assignment the config takes leaves a value inside its key's range; on failure a message. */
#include "fuzz_common.h"

#include "io/config_json.h"

#include <math.h>
#include <string.h>

static const gk_param_spec spec[] = {
    {"steps", GK_P_INT, "100", 1, 1e12, 0, 0, NULL, "an integer"},
    {"seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "a seed"},
    {"lr", GK_P_REAL, "0.1", 0, INFINITY, 1, 0, NULL, "a real > 0"},
    {"opt", GK_P_ENUM, "gd", 0, 0, 0, 0, "gd|flow|adamw", "an enum"},
    {"on", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "a bool"},
    {"path", GK_P_STRING, "", 0, 0, 0, 0, NULL, "a string"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

static void check_assignment(const char *a) {
    const char *eq = strchr(a, '=');
    FUZZ_ASSERT(eq && eq > a && eq - a <= 63 && strlen(a) < GK_ASSIGN_LEN);
    for (const char *k = a; k < eq; k++)
        FUZZ_ASSERT(*k == '_' || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static gk_saved_config c;
    static char text[70000];
    if (size >= sizeof text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    gk_error err;
    err.msg[0] = '\0';
    if (gk_config_json_parse(text, "config.json", &c, &err) != GK_OK) {
        FUZZ_ASSERT(err.msg[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(c.preset[0] && c.n >= 0 && c.n <= GK_MAX_PARAMS);
    gk_config cfg;
    if (gk_config_init(&cfg, spec, &err) != GK_OK) abort();
    for (int i = 0; i < c.n; i++) {
        check_assignment(c.assign[i]);
        for (int j = 0; j < i; j++) FUZZ_ASSERT(strcspn(c.assign[i], "=") != strcspn(c.assign[j], "=") ||
                                                strncmp(c.assign[i], c.assign[j], strcspn(c.assign[i], "=")));
        if (gk_config_set(&cfg, c.assign[i], &err) != GK_OK) continue;
        for (int k = 0; spec[k].key; k++) FUZZ_ASSERT(spec[k].kind == GK_P_STRING || isfinite(cfg.num[k]));
    }
    return 0;
}
