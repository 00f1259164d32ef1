/* fuzz_config.c: the key=value parser (gk_config_set) on every kind of key. The input is a list of
 * assignments, one per line. Invariants: a refused assignment leaves a message; an accepted one leaves a value
 * inside the key's range (and a bool 0 or 1, an enum index among its choices). */
#include "fuzz_common.h"

#include "groklab.h"

#include <math.h>
#include <string.h>

static const gk_param_spec spec[] = {
    {"n", GK_P_INT, "3", 1, 1e12, 0, 0, NULL, "an integer"},
    {"seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "a seed"},
    {"lr", GK_P_REAL, "0.1", 0, INFINITY, 1, 0, NULL, "a real > 0"},
    {"eta", GK_P_REAL, "0", 0, 0.5, 0, 1, NULL, "0 <= eta < 0.5"},
    {"x", GK_P_REAL, "0", -INFINITY, INFINITY, 0, 0, NULL, "any finite real"},
    {"opt", GK_P_ENUM, "gd", 0, 0, 0, 0, "gd|flow|adamw", "an enum"},
    {"on", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "a bool"},
    {"path", GK_P_STRING, "", 0, 0, 0, 0, NULL, "a string"},
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

static void check_value(const gk_config *cfg, int i) {
    const gk_param_spec *p = &spec[i];
    double v = cfg->num[i];
    FUZZ_ASSERT(memchr(cfg->str[i], '\0', sizeof cfg->str[i]) != NULL);
    if (p->kind == GK_P_STRING) return;
    FUZZ_ASSERT(isfinite(v));
    if (p->kind == GK_P_BOOL) FUZZ_ASSERT(v == 0 || v == 1);
    if (p->kind == GK_P_ENUM) FUZZ_ASSERT(v >= 0 && v <= 2 && v == floor(v));
    if (p->kind == GK_P_INT) FUZZ_ASSERT(v == floor(v));
    if (p->kind == GK_P_INT || p->kind == GK_P_REAL) {
        FUZZ_ASSERT(p->min_open ? v > p->min : v >= p->min);
        FUZZ_ASSERT(p->max_open ? v < p->max : v <= p->max);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gk_config cfg;
    gk_error err;
    if (gk_config_init(&cfg, spec, &err) != GK_OK) abort();
    char line[4096];
    size_t i = 0;
    while (i < size) {
        size_t n = 0;
        while (i < size && data[i] != '\n' && n + 1 < sizeof line) line[n++] = (char)data[i++];
        i++;
        line[n] = '\0';
        err.msg[0] = '\0';
        gk_status s = gk_config_set(&cfg, line, &err);
        if (s != GK_OK) {
            FUZZ_ASSERT(s == GK_EINVAL && err.msg[0] != '\0');
            continue;
        }
        for (int k = 0; spec[k].key; k++) check_value(&cfg, k);
    }
    char range[160];
    for (int k = 0; spec[k].key; k++) gk_param_range_str(&spec[k], range, sizeof range);
    return 0;
}
