/* sweep_table.c: the results of a sweep (see sweep.h): the points' summary.json files as a table, sweep.csv and
 * sweep_times.csv, and the log-log fit of the observed against the predicted transition. */
#include "run/sweep.h"

#include "io/fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the summaries ----------------------------------------------------------------------- */

/* Keys that depend on the machine's speed, not on the run's results: *_seconds, seconds_per_step and the number
 * of checkpoints a timer wrote. */
int gk_sweep_is_time_key(const char *key) {
    size_t n = strlen(key);
    return (n > 8 && !strcmp(key + n - 8, "_seconds")) || !strcmp(key, "seconds_per_step") ||
           !strcmp(key, "checkpoints_written");
}

void gk_sweep_table_free(gk_sweep_table *t) {
    for (int j = 0; j < t->nscalars; j++) free(t->scalar_names[j]);
    free(t->scalar_names);
    for (size_t k = 0; k < t->npoints; k++) {
        if (t->status) free(t->status[k]);
        if (t->error) free(t->error[k]);
    }
    free(t->status);
    free(t->error);
    free(t->val);
    memset(t, 0, sizeof *t);
}

int gk_sweep_table_col(const gk_sweep_table *t, const char *name) {
    for (int j = 0; j < t->nscalars; j++)
        if (!strcmp(t->scalar_names[j], name)) return j;
    return -1;
}

static int is_scalar(const cJSON *it) { return cJSON_IsNumber(it) || cJSON_IsNull(it) || cJSON_IsBool(it); }

/* Adds the scalars of o not yet named to the table's columns. */
static gk_status add_scalar_names(gk_sweep_table *t, const cJSON *o, gk_error *err) {
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        if (!is_scalar(it) || gk_sweep_table_col(t, it->string) >= 0) continue;
        char **nn = realloc(t->scalar_names, (size_t)(t->nscalars + 1) * sizeof *nn);
        if (nn) t->scalar_names = nn;
        if (!nn || !(nn[t->nscalars] = strdup(it->string))) return gk_fail(err, GK_ENOMEM, "out of memory");
        t->nscalars++;
    }
    return GK_OK;
}

/* Reads point k's summary into *sum (NULL when it has none of its own) and its status and error into t. */
static gk_status collect_point(const gk_sweep *sw, size_t k, const char *dir, gk_sweep_table *t, cJSON **sum,
                               gk_error *err) {
    char name[512];
    gk_sweep_point_name(sw, k, name, sizeof name);
    *sum = gk_sweep_read_summary(dir, name);
    const char *st = *sum ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*sum, "status")) : NULL;
    /* A summary of other params (the grid changed around a kept directory) is not this point's. */
    if (*sum && cJSON_GetObjectItemCaseSensitive(*sum, "params") && !gk_sweep_params_match(sw, k, *sum)) st = NULL;
    if (!st) {
        cJSON_Delete(*sum);
        *sum = NULL;
    }
    const char *e = *sum ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*sum, "error")) : NULL;
    t->status[k] = strdup(st ? st : "missing");
    t->error[k] = strdup(e ? e : "");
    if (!t->status[k] || !t->error[k]) return gk_fail(err, GK_ENOMEM, "out of memory");
    if (!st) t->missing++;
    else if (!strcmp(st, "completed")) t->completed++;
    else if (strcmp(st, "interrupted")) t->failed++;
    return add_scalar_names(t, *sum, err);
}

gk_status gk_sweep_collect(const gk_sweep *sw, const char *dir, gk_sweep_table *t, gk_error *err) {
    memset(t, 0, sizeof *t);
    size_t n = sw->npoints;
    cJSON **sums = calloc(n ? n : 1, sizeof *sums);
    t->npoints = n;
    t->status = calloc(n ? n : 1, sizeof *t->status);
    t->error = calloc(n ? n : 1, sizeof *t->error);
    if (!sums || !t->status || !t->error) {
        free(sums);
        gk_sweep_table_free(t);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    gk_status s = GK_OK;
    /* Pass 1: read every summary and name the scalars in order of first appearance. */
    for (size_t k = 0; k < n && !s; k++) s = collect_point(sw, k, dir, t, &sums[k], err);
    /* Pass 2: the values. */
    if (!s) {
        t->val = malloc((n * (size_t)t->nscalars + 1) * sizeof *t->val);
        if (!t->val) s = gk_fail(err, GK_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n && !s; k++)
        for (int j = 0; j < t->nscalars; j++) {
            const cJSON *it = sums[k] ? cJSON_GetObjectItemCaseSensitive(sums[k], t->scalar_names[j]) : NULL;
            double v = NAN;
            if (cJSON_IsNumber(it)) v = it->valuedouble;
            else if (cJSON_IsBool(it)) v = cJSON_IsTrue(it) ? 1 : 0;
            t->val[k * (size_t)t->nscalars + (size_t)j] = v;
        }
    for (size_t k = 0; k < n; k++) cJSON_Delete(sums[k]);
    free(sums);
    if (s) gk_sweep_table_free(t);
    return s;
}

/* ---- sweep.csv ----------------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len) {
    if (b->oom) return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len + 1) cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np, b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void sb_field(sbuf *b, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        sb_str(b, s);
        return;
    }
    sb_str(b, "\"");
    for (const char *c = s; *c; c++) sb_put(b, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
    sb_str(b, "\"");
}

static void sb_num(sbuf *b, double v) {
    if (!isfinite(v)) return; /* null: an empty field */
    char t[64];
    gk_sweep_fmt_exact(t, sizeof t, v);
    sb_str(b, t);
}

static gk_status sb_commit(sbuf *b, const char *dir, const char *name, gk_error *err) {
    if (b->oom) {
        free(b->p);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    char path[1200];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (!s) s = gk_write_file_atomic(path, b->p ? b->p : "", b->n, err);
    free(b->p);
    return s;
}

/* Where scalar j goes: sweep_times.csv (wall time), sweep.csv, or nowhere (named like a column sweep.csv has
 * already: a swept key, seed, point, status, error). */
static sbuf *scalar_dest(const gk_sweep *sw, const char *name, sbuf *b, sbuf *tb) {
    if (gk_sweep_is_time_key(name)) return tb;
    if (gk_sweep_axis_index(sw, name) >= 0 || !strcmp(name, "seed") || !strcmp(name, "point") ||
        !strcmp(name, "status") || !strcmp(name, "error"))
        return NULL;
    return b;
}

static void write_header(const gk_sweep *sw, const gk_sweep_table *t, sbuf *b, sbuf *tb) {
    for (int i = 0; i < sw->naxes; i++) {
        sb_field(b, sw->axes[i].key);
        sb_str(b, ",");
    }
    if (gk_sweep_axis_index(sw, "seed") < 0) sb_str(b, "seed,");
    sb_str(b, "point,status,error");
    sb_str(tb, "point");
    for (int j = 0; j < t->nscalars; j++) {
        sbuf *o = scalar_dest(sw, t->scalar_names[j], b, tb);
        if (!o) continue;
        sb_str(o, ",");
        sb_field(o, t->scalar_names[j]);
    }
    sb_str(b, "\n");
    sb_str(tb, "\n");
}

static void write_row(const gk_sweep *sw, const gk_sweep_table *t, size_t k, const char *default_seed, sbuf *b,
                      sbuf *tb) {
    char name[512];
    int idx[GK_SWEEP_MAX_AXES];
    gk_sweep_point_name(sw, k, name, sizeof name);
    gk_sweep_indices(sw, k, idx);
    for (int i = 0; i < sw->naxes; i++) {
        sb_field(b, sw->axes[i].text[idx[i]]);
        sb_str(b, ",");
    }
    if (gk_sweep_axis_index(sw, "seed") < 0) {
        sb_field(b, default_seed);
        sb_str(b, ",");
    }
    sb_field(b, name);
    sb_str(b, ",");
    sb_field(b, t->status[k]);
    sb_str(b, ",");
    sb_field(b, t->error[k]);
    sb_field(tb, name);
    for (int j = 0; j < t->nscalars; j++) {
        sbuf *o = scalar_dest(sw, t->scalar_names[j], b, tb);
        if (!o) continue;
        sb_str(o, ",");
        sb_num(o, t->val[k * (size_t)t->nscalars + (size_t)j]);
    }
    sb_str(b, "\n");
    sb_str(tb, "\n");
}

gk_status gk_sweep_write_csv(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, gk_error *err) {
    char default_seed[128] = "";
    gk_config cfg;
    gk_error e;
    if (gk_sweep_axis_index(sw, "seed") < 0 && gk_preset_config(sw->preset, NULL, 0, &cfg, &e) == GK_OK &&
        gk_config_index(&cfg, "seed") >= 0)
        snprintf(default_seed, sizeof default_seed, "%s", gk_config_str(&cfg, "seed"));
    sbuf b = {0}, tb = {0};
    write_header(sw, t, &b, &tb);
    for (size_t k = 0; k < t->npoints; k++) write_row(sw, t, k, default_seed, &b, &tb);
    gk_status s = sb_commit(&b, dir, "sweep.csv", err);
    if (s) {
        free(tb.p);
        return s;
    }
    return sb_commit(&tb, dir, "sweep_times.csv", err);
}

/* ---- the log-log fit ----------------------------------------------------------------------------- */

gk_status gk_loglog_fit(const double *x, const double *y, size_t n, double *slope, double *intercept,
                        size_t *used, gk_error *err) {
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]) && x[i] > 0 && y[i] > 0) sx += log(x[i]), sy += log(y[i]), m++;
    *used = m;
    *slope = *intercept = NAN;
    if (m < 2) return gk_fail(err, GK_EUNAVAILABLE, "log-log fit: %zu usable points (need 2 with x > 0, y > 0)", m);
    double mx = sx / (double)m, my = sy / (double)m, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]) && x[i] > 0 && y[i] > 0) {
            double dx = log(x[i]) - mx, dy = log(y[i]) - my;
            sxx += dx * dx, sxy += dx * dy;
        }
    if (!(sxx > 1e-300)) return gk_fail(err, GK_EUNAVAILABLE, "log-log fit: all x are equal");
    *slope = sxy / sxx;
    *intercept = my - *slope * mx;
    return GK_OK;
}

