/* config.c: typed key=value configuration with range checks. Every message names the key, the value
 * and the allowed range, so the CLI can print it as is. */
#include "groklab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int spec_count(const gk_param_spec *spec) {
    int n = 0;
    while (spec[n].key) n++;
    return n;
}

int gk_config_index(const gk_config *cfg, const char *key) {
    for (int i = 0; i < cfg->count; i++)
        if (strcmp(cfg->spec[i].key, key) == 0) return i;
    return -1;
}

static void fmt_num(char *buf, size_t len, double v) {
    if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, len, "%.0f", v);
    else snprintf(buf, len, "%g", v);
}

void gk_param_range_str(const gk_param_spec *p, char *buf, size_t len) {
    char lo[32], hi[32];
    const char *what = p->kind == GK_P_INT ? "an integer" : "a number";
    if (p->kind == GK_P_ENUM) { snprintf(buf, len, "one of %s", p->choices); return; }
    if (p->kind == GK_P_BOOL) { snprintf(buf, len, "0 or 1"); return; }
    if (p->kind == GK_P_STRING) { snprintf(buf, len, "a text value"); return; }
    fmt_num(lo, sizeof lo, p->min);
    fmt_num(hi, sizeof hi, p->max);
    int has_lo = isfinite(p->min), has_hi = isfinite(p->max);
    if (has_lo && has_hi)
        snprintf(buf, len, "%s with %s %s %s %s %s", what, lo, p->min_open ? "<" : "<=", p->key,
                 p->max_open ? "<" : "<=", hi);
    else if (has_lo)
        snprintf(buf, len, "%s with %s %s %s", what, p->key, p->min_open ? ">" : ">=", lo);
    else if (has_hi)
        snprintf(buf, len, "%s with %s %s %s", what, p->key, p->max_open ? "<" : "<=", hi);
    else
        snprintf(buf, len, "%s", what);
}

static int enum_index(const char *choices, const char *value) {
    size_t vlen = strlen(value);
    int idx = 0;
    for (const char *c = choices; *c;) {
        const char *bar = strchr(c, '|');
        size_t clen = bar ? (size_t)(bar - c) : strlen(c);
        if (clen == vlen && strncmp(c, value, clen) == 0) return idx;
        if (!bar) break;
        c = bar + 1;
        idx++;
    }
    return -1;
}

static gk_status assign(gk_config *cfg, int i, const char *value, gk_error *err) {
    const gk_param_spec *p = &cfg->spec[i];
    char range[160];
    gk_param_range_str(p, range, sizeof range);
    if (strlen(value) >= sizeof cfg->str[i])
        return gk_fail(err, GK_EINVAL, "%s: value is too long (at most %zu characters)", p->key,
                       sizeof cfg->str[i] - 1);
    double v = 0;
    if (p->kind == GK_P_ENUM) {
        int k = enum_index(p->choices, value);
        if (k < 0) return gk_fail(err, GK_EINVAL, "%s=%s is not allowed: %s must be %s", p->key, value, p->key, range);
        v = k;
    } else if (p->kind == GK_P_BOOL) {
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes")) v = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no")) v = 0;
        else return gk_fail(err, GK_EINVAL, "%s=%s is not a boolean: %s must be 0 or 1", p->key, value, p->key);
    } else if (p->kind == GK_P_INT || p->kind == GK_P_REAL) {
        char *end = NULL;
        errno = 0;
        v = strtod(value, &end);
        if (end == value || *end != '\0' || errno == ERANGE || !isfinite(v))
            return gk_fail(err, GK_EINVAL, "%s=%s is not a number: %s must be %s", p->key, value, p->key, range);
        if (p->kind == GK_P_INT && (v != floor(v) || fabs(v) > 9e15))
            return gk_fail(err, GK_EINVAL, "%s=%s is not an integer: %s must be %s", p->key, value, p->key, range);
        int below = p->min_open ? !(v > p->min) : !(v >= p->min);
        int above = p->max_open ? !(v < p->max) : !(v <= p->max);
        if (below || above)
            return gk_fail(err, GK_EINVAL, "%s=%s is out of range: %s must be %s", p->key, value, p->key, range);
    }
    cfg->num[i] = v;
    snprintf(cfg->str[i], sizeof cfg->str[i], "%s", value);
    return GK_OK;
}

gk_status gk_config_init(gk_config *cfg, const gk_param_spec *spec, gk_error *err) {
    memset(cfg, 0, sizeof *cfg);
    cfg->spec = spec;
    cfg->count = spec_count(spec);
    GK_ASSERT(cfg->count <= GK_MAX_PARAMS);
    for (int i = 0; i < cfg->count; i++) {
        gk_status s = assign(cfg, i, spec[i].def, err);
        GK_ASSERT(s == GK_OK); /* a default outside its own range is a bug in the spec table */
    }
    return GK_OK;
}

gk_status gk_config_set(gk_config *cfg, const char *assignment, gk_error *err) {
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return gk_fail(err, GK_EINVAL, "'%s' is not of the form key=value", assignment);
    char key[64];
    size_t klen = (size_t)(eq - assignment);
    if (klen >= sizeof key) return gk_fail(err, GK_EINVAL, "'%.*s...' is not a known key", 40, assignment);
    memcpy(key, assignment, klen);
    key[klen] = '\0';
    int i = gk_config_index(cfg, key);
    if (i < 0) return gk_fail(err, GK_EINVAL, "unknown key '%s' (see --help for the keys this preset takes)", key);
    gk_status s = assign(cfg, i, eq + 1, err);
    if (s == GK_OK) cfg->set[i] = 1;
    return s;
}

static int must_index(const gk_config *cfg, const char *key) {
    int i = gk_config_index(cfg, key);
    if (i < 0) gk_assert_fail(key, __FILE__, __LINE__);
    return i;
}

double gk_config_real(const gk_config *cfg, const char *key) { return cfg->num[must_index(cfg, key)]; }
long gk_config_int(const gk_config *cfg, const char *key) { return (long)cfg->num[must_index(cfg, key)]; }
int gk_config_bool(const gk_config *cfg, const char *key) { return cfg->num[must_index(cfg, key)] != 0; }
const char *gk_config_str(const gk_config *cfg, const char *key) { return cfg->str[must_index(cfg, key)]; }
