/* sweep_grid.c: the grid of a sweep (see sweep.h): parsing lists and ranges of values, the points as indices,
 * their names and their resolved configs. Deterministic and process-free. */
#include "run/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- grid parsing -------------------------------------------------------------------------------- */

static int parse_double(const char *s, double *v) {
    char *end = NULL;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(x)) return 0;
    *v = x;
    return 1;
}

/* %.15g unless that does not read back exactly, then %.17g. */
void gk_sweep_fmt_exact(char *buf, size_t len, double v) {
    snprintf(buf, len, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, len, "%.17g", v);
}

static gk_status axis_push(gk_sweep_axis *a, const char *text, gk_error *err) {
    if (a->n >= GK_SWEEP_MAX_VALUES)
        return gk_fail(err, GK_EINVAL, "%s: more than %d values", a->key, GK_SWEEP_MAX_VALUES);
    char **t = realloc(a->text, (size_t)(a->n + 1) * sizeof *t);
    if (!t) return gk_fail(err, GK_ENOMEM, "out of memory");
    a->text = t;
    double *nv = realloc(a->num, (size_t)(a->n + 1) * sizeof *nv);
    if (!nv) return gk_fail(err, GK_ENOMEM, "out of memory");
    a->num = nv;
    double v = NAN;
    char norm[64];
    const char *use = text;
    if (parse_double(text, &v)) {
        gk_sweep_fmt_exact(norm, sizeof norm, v);
        use = norm;
    }
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->text[i], use))
            return gk_fail(err, GK_EINVAL, "%s: the value %s is listed twice", a->key, text);
    a->text[a->n] = strdup(use);
    if (!a->text[a->n]) return gk_fail(err, GK_ENOMEM, "out of memory");
    a->num[a->n] = v;
    a->n++;
    return GK_OK;
}

/* start:stop:num or start:stop:numlog */
static gk_status parse_range(gk_sweep_axis *a, const char *vals, gk_error *err) {
    char buf[256];
    if (strlen(vals) >= sizeof buf) return gk_fail(err, GK_EINVAL, "%s: range '%s' is too long", a->key, vals);
    snprintf(buf, sizeof buf, "%s", vals);
    char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || strchr(c2 + 1, ':'))
        return gk_fail(err, GK_EINVAL, "%s=%s is a malformed range: use start:stop:num or start:stop:numlog", a->key, vals);
    *c1 = *c2 = '\0';
    char *ns = c2 + 1;
    size_t nl = strlen(ns);
    int logr = nl > 3 && !strcmp(ns + nl - 3, "log");
    if (logr) ns[nl - 3] = '\0';
    double start, stop, num;
    if (!parse_double(buf, &start) || !parse_double(c1 + 1, &stop) || !parse_double(ns, &num) || num != floor(num) ||
        num < 1 || strchr(ns, '.') || strchr(ns, 'e') || strchr(ns, 'E'))
        return gk_fail(err, GK_EINVAL,
                       "%s=%s is a malformed range: use start:stop:num or start:stop:numlog (numbers, num a whole "
                       "number >= 1)", a->key, vals);
    if (num > GK_SWEEP_MAX_VALUES)
        return gk_fail(err, GK_EINVAL, "%s=%s: at most %d values in a range", a->key, vals, GK_SWEEP_MAX_VALUES);
    if (logr && !(start > 0 && stop > 0))
        return gk_fail(err, GK_EINVAL, "%s=%s: a log range needs start > 0 and stop > 0", a->key, vals);
    if (num == 1 && start != stop)
        return gk_fail(err, GK_EINVAL, "%s=%s: a range of 1 value needs start = stop", a->key, vals);
    int n = (int)num;
    for (int i = 0; i < n; i++) {
        double f = n == 1 ? 0 : (double)i / (double)(n - 1), v;
        if (i == 0) v = start;
        else if (i == n - 1) v = stop;
        else v = logr ? exp(log(start) + f * (log(stop) - log(start))) : start + f * (stop - start);
        /* A computed value within 1e-12 of a whole number is that number (16:256:5log gives 32, not 31.999..). */
        if (i > 0 && i < n - 1 && fabs(v - round(v)) <= 1e-12 * fmax(1, fabs(v))) v = round(v);
        char t[64];
        gk_sweep_fmt_exact(t, sizeof t, v);
        gk_status s = axis_push(a, t, err);
        if (s) return s;
    }
    return GK_OK;
}

static gk_status parse_list(gk_sweep_axis *a, const char *vals, gk_error *err) {
    const char *p = vals;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0) return gk_fail(err, GK_EINVAL, "%s=%s: an empty value in the list", a->key, vals);
        if (len >= 128) return gk_fail(err, GK_EINVAL, "%s: a value is too long", a->key);
        char v[128];
        memcpy(v, p, len);
        v[len] = '\0';
        gk_status s = axis_push(a, v, err);
        if (s) return s;
        if (!comma) return GK_OK;
        p = comma + 1;
    }
}

void gk_sweep_free(gk_sweep *sw) {
    for (int i = 0; i < sw->naxes; i++) {
        for (int k = 0; k < sw->axes[i].n; k++) free(sw->axes[i].text[k]);
        free(sw->axes[i].text);
        free(sw->axes[i].num);
    }
    memset(sw, 0, sizeof *sw);
}

int gk_sweep_axis_index(const gk_sweep *sw, const char *key) {
    for (int i = 0; i < sw->naxes; i++)
        if (!strcmp(sw->axes[i].key, key)) return i;
    return -1;
}

/* One argument key=v1,v2,... or key=start:stop:num[log] into a new axis. */
static gk_status parse_axis(gk_sweep *sw, const gk_config *probe, const char *a, int nseeds, gk_error *err) {
    const char *eq = strchr(a, '=');
    if (!eq || eq == a) return gk_fail(err, GK_EINVAL, "'%s' is not of the form key=v1,v2,... or key=start:stop:num[log]", a);
    size_t klen = (size_t)(eq - a);
    if (klen >= sizeof sw->axes[0].key) return gk_fail(err, GK_EINVAL, "unknown key '%.*s...'", 40, a);
    char key[64];
    memcpy(key, a, klen);
    key[klen] = '\0';
    const gk_preset *p = sw->preset;
    if (gk_config_index(probe, key) < 0)
        return gk_fail(err, GK_EINVAL, "unknown key '%s' for preset %s (see groklab run %s --help)", key, p->name, p->name);
    if (gk_sweep_axis_index(sw, key) >= 0) return gk_fail(err, GK_EINVAL, "key '%s' is given twice", key);
    if (!strcmp(key, "seed") && nseeds > 0)
        return gk_fail(err, GK_EINVAL, "key 'seed' is given twice (in the grid and as --seeds)");
    if (sw->naxes >= GK_SWEEP_MAX_AXES - 1)
        return gk_fail(err, GK_EINVAL, "too many swept keys (at most %d)", GK_SWEEP_MAX_AXES - 1);
    gk_sweep_axis *ax = &sw->axes[sw->naxes++];
    snprintf(ax->key, sizeof ax->key, "%s", key);
    const char *vals = eq + 1;
    if (!*vals) return gk_fail(err, GK_EINVAL, "%s: empty list of values", key);
    return strchr(vals, ':') ? parse_range(ax, vals, err) : parse_list(ax, vals, err);
}

gk_status gk_sweep_parse(gk_sweep *sw, const gk_preset *p, const char *const *args, int nargs, int nseeds,
                         gk_error *err) {
    memset(sw, 0, sizeof *sw);
    sw->preset = p;
    gk_config probe;
    gk_status s = gk_config_init(&probe, p->type->params, err);
    if (s) return s;
    for (int i = 0; i < nargs && !s; i++) s = parse_axis(sw, &probe, args[i], nseeds, err);
    if (!s && nseeds > 0) {
        gk_sweep_axis *ax = &sw->axes[sw->naxes++];
        snprintf(ax->key, sizeof ax->key, "seed");
        for (int k = 1; k <= nseeds && !s; k++) {
            char t[32];
            snprintf(t, sizeof t, "%d", k);
            s = axis_push(ax, t, err);
        }
    }
    if (!s) {
        double n = 1;
        for (int i = 0; i < sw->naxes; i++) n *= sw->axes[i].n;
        if (n > 1e6) s = gk_fail(err, GK_EINVAL, "the grid has %.0f points (at most 1000000)", n);
        sw->npoints = (size_t)n;
    }
    if (s) gk_sweep_free(sw);
    return s;
}

void gk_sweep_indices(const gk_sweep *sw, size_t k, int *idx) {
    for (int i = sw->naxes - 1; i >= 0; i--) {
        idx[i] = (int)(k % (size_t)sw->axes[i].n);
        k /= (size_t)sw->axes[i].n;
    }
}

/* ---- point names ---------------------------------------------------------------------------------- */

static int name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
}

/* 64-bit FNV-1a: a fixed hash, so names are the same on every machine and run. */
static uint64_t fnv1a(const char *s) {
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static void append(char *buf, size_t len, const char *s, int sanitize) {
    size_t n = strlen(buf);
    for (; *s && n + 1 < len; s++) buf[n++] = !sanitize || name_char(*s) ? *s : '_';
    buf[n] = '\0';
}

/* key=value; a value with other characters than name_char gets '~' and a hash of the value as given, so
 * that "/a/b/m.csv" and "_a_b_m.csv" stay apart (the '~' never comes from a value). */
static void append_pair(char *buf, size_t len, const char *key, const char *value) {
    if (buf[0]) append(buf, len, "_", 0);
    append(buf, len, key, 1);
    append(buf, len, "=", 0);
    append(buf, len, value, 1);
    int plain = value[0] != '\0';
    for (const char *c = value; *c; c++) plain &= name_char(*c);
    if (!plain) {
        char h[16];
        uint64_t x = fnv1a(value);
        snprintf(h, sizeof h, "~%08x", (unsigned)((x ^ (x >> 32)) & 0xffffffffu));
        append(buf, len, h, 0);
    }
}

void gk_sweep_point_name(const gk_sweep *sw, size_t k, char *buf, size_t len) {
    int idx[GK_SWEEP_MAX_AXES];
    gk_sweep_indices(sw, k, idx);
    char full[4096] = "";
    int has_seed = 0;
    for (int i = 0; i < sw->naxes; i++) {
        int is_seed = !strcmp(sw->axes[i].key, "seed");
        has_seed |= is_seed;
        if (sw->axes[i].n >= 2 || is_seed) append_pair(full, sizeof full, sw->axes[i].key, sw->axes[i].text[idx[i]]);
    }
    if (!has_seed) {
        gk_config cfg;
        gk_error e;
        if (gk_preset_config(sw->preset, NULL, 0, &cfg, &e) == GK_OK && gk_config_index(&cfg, "seed") >= 0)
            append_pair(full, sizeof full, "seed", gk_config_str(&cfg, "seed"));
    }
    if (!full[0]) snprintf(full, sizeof full, "point");
    if (strlen(full) > GK_SWEEP_NAME_MAX) { /* cut, and keep it unique by a hash of the whole name */
        unsigned long long h = (unsigned long long)fnv1a(full);
        snprintf(full + GK_SWEEP_NAME_MAX - 17, sizeof full - (GK_SWEEP_NAME_MAX - 17), "~%016llx", h);
    }
    snprintf(buf, len, "%s", full);
}

/* ---- point configs ------------------------------------------------------------------------------- */

gk_status gk_sweep_point_config(const gk_sweep *sw, size_t k, gk_config *cfg, gk_error *err) {
    int idx[GK_SWEEP_MAX_AXES];
    gk_sweep_indices(sw, k, idx);
    char assign_buf[GK_SWEEP_MAX_AXES + 2][200];
    const char *assign[GK_SWEEP_MAX_AXES + 2];
    int na = 0;
    for (int i = 0; i < sw->naxes; i++) {
        snprintf(assign_buf[na], sizeof assign_buf[na], "%s=%s", sw->axes[i].key, sw->axes[i].text[idx[i]]);
        assign[na] = assign_buf[na];
        na++;
    }
    if (sw->threads > 0 && gk_sweep_axis_index(sw, "threads") < 0) {
        snprintf(assign_buf[na], sizeof assign_buf[na], "threads=%d", sw->threads);
        assign[na] = assign_buf[na];
        na++;
    }
    char name[512];
    gk_sweep_point_name(sw, k, name, sizeof name);
    gk_error e = {{0}};
    gk_status s = gk_preset_config(sw->preset, assign, na, cfg, &e);
    if (s) return gk_fail(err, s, "point %s: %s", name, e.msg);
    if (sw->steps_per_tstar > 0) {
        if (gk_sweep_axis_index(sw, "steps") >= 0)
            return gk_fail(err, GK_EINVAL, "key 'steps' is swept and --steps-per-tstar is given: use one of them");
        if (gk_config_index(cfg, "alpha") < 0 || gk_config_index(cfg, "wd") < 0 || gk_config_index(cfg, "lr") < 0)
            return gk_fail(err, GK_EINVAL, "--steps-per-tstar needs a preset with alpha, wd and lr keys (%s has not)",
                           sw->preset->name);
        double alpha = gk_config_real(cfg, "alpha"), wd = gk_config_real(cfg, "wd"), lr = gk_config_real(cfg, "lr");
        double pred = log(alpha) / (wd * lr), steps = ceil(sw->steps_per_tstar * pred);
        if (!(isfinite(pred) && pred > 0))
            return gk_fail(err, GK_EINVAL,
                           "point %s: --steps-per-tstar needs a predicted transition ln(alpha)/(wd*lr) > 0 (alpha > 1, "
                           "wd > 0)", name);
        char t[64];
        snprintf(t, sizeof t, "steps=%.0f", steps);
        s = gk_config_set(cfg, t, &e);
        if (!s && sw->preset->type->check) s = sw->preset->type->check(cfg, &e);
        if (s) return gk_fail(err, s, "point %s: %s (from --steps-per-tstar)", name, e.msg);
    }
    return GK_OK;
}

gk_status gk_sweep_validate(const gk_sweep *sw, gk_error *err) {
    for (size_t k = 0; k < sw->npoints; k++) {
        gk_config cfg;
        gk_status s = gk_sweep_point_config(sw, k, &cfg, err);
        if (s) return s;
    }
    return GK_OK;
}

