/* seeds.c: the mean and the spread of K runs of one config (seeds.h). */
#include "report/seeds.h"

#include "report/phenomena.h" /* gk_json_number */

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_spread(const double *x, int K, size_t stride, double out[4]) {
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    int c = 0;
    for (int k = 0; k < K; k++) {
        double v = x[(size_t)k * stride];
        if (!isfinite(v)) continue;
        sum += v, c++;
        lo = fmin(lo, v), hi = fmax(hi, v);
    }
    double mean = c ? sum / c : NAN, ss = 0;
    for (int k = 0; k < K; k++) {
        double v = x[(size_t)k * stride];
        if (isfinite(v)) ss += (v - mean) * (v - mean);
    }
    out[0] = mean;
    out[1] = c > 1 ? sqrt(ss / (c - 1)) : c ? 0.0 : NAN;
    out[2] = c ? lo : NAN;
    out[3] = c ? hi : NAN;
}

/* ---- metrics, eval point by eval point ----------------------------------------------------------------------- */

static const char *const stat_suffix[4] = {"", "_std", "_min", "_max"};

/* The names of the aggregate's columns, in a->names: the runs' own (for stat[]), then seeds_n, then c_std, c_min
 * and c_max of every column c after step and time. */
static gk_status make_names(gk_seeds_agg *a, const gk_csv_table *t, gk_error *err) {
    size_t len = 16;
    for (int c = 0; c < t->ncols; c++) len += 4 * (strlen(t->names[c]) + 8);
    char *p = a->names = malloc(len);
    if (!p) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = GK_OK;
    /* each name is written before its column is added: a column takes its role from its name (io/metrics.h) */
    for (int c = 0; c < t->ncols && !s; c++) {
        const char *name = p;
        p += sprintf(p, "%s", t->names[c]) + 1;
        for (int j = 0; j < 4 && !s; j++) s = gk_metrics_add_column(&a->stat[j], name, err);
    }
    for (int c = 0; c < 2 && !s; c++) s = gk_metrics_add_column(&a->table, a->stat[0].names[c], err);
    const char *count = p;
    p += sprintf(p, "seeds_n") + 1;
    if (!s) s = gk_metrics_add_column(&a->table, count, err);
    for (int c = 2; c < t->ncols && !s; c++)
        for (int j = 0; j < 4 && !s; j++) {
            const char *name = j ? p : a->stat[0].names[c];
            if (j) p += sprintf(p, "%s%s", t->names[c], stat_suffix[j]) + 1;
            s = gk_metrics_add_column(&a->table, name, err);
        }
    return s;
}

/* The runs must have the columns of the first run that has any. */
static gk_status same_columns(const gk_csv_table *const *runs, int K, const gk_csv_table *t, gk_error *err) {
    for (int k = 0; k < K; k++) {
        if (!runs[k]) continue;
        if (runs[k]->ncols != t->ncols)
            return gk_fail(err, GK_EINVAL, "the runs of a multi-seed run have different columns (%d and %d)",
                           t->ncols, runs[k]->ncols);
        for (int c = 0; c < t->ncols; c++)
            if (strcmp(runs[k]->names[c], t->names[c]))
                return gk_fail(err, GK_EINVAL, "the runs of a multi-seed run differ in column %d (%s and %s)", c + 1,
                               t->names[c], runs[k]->names[c]);
    }
    return GK_OK;
}

/* One eval point: the four reductions of every column over the runs k with at[k] >= 0 (their row at[k]) into
 * stat[], the count, and the table row. */
static gk_status reduce_row(gk_seeds_agg *a, const gk_csv_table *const *runs, int K, const long *at, double *x,
                            double *rows, gk_error *err) {
    const int nc = a->stat[0].ncols;
    int n = 0;
    for (int k = 0; k < K; k++) n += at[k] >= 0;
    double *tab = rows + 4 * nc, st[4];
    for (int c = 0; c < nc; c++) {
        for (int k = 0; k < K; k++) x[k] = at[k] >= 0 ? runs[k]->vals[(size_t)at[k] * (size_t)nc + (size_t)c] : NAN;
        gk_spread(x, K, 1, st);
        for (int j = 0; j < 4; j++) rows[j * nc + c] = st[j];
        if (c < 2) tab[c] = st[0];
        else
            for (int j = 0; j < 4; j++) tab[3 + 4 * (c - 2) + j] = st[j];
    }
    tab[2] = n;
    gk_status s = GK_OK;
    for (int j = 0; j < 4 && !s; j++) s = gk_metrics_append(&a->stat[j], rows + j * nc, err);
    if (!s) s = gk_metrics_append(&a->table, tab, err);
    double *cnt = s ? NULL : realloc(a->count, a->table.nrows * sizeof *cnt);
    if (!s && !cnt) s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) a->count = cnt, cnt[a->table.nrows - 1] = n;
    return s;
}

/* The next eval point: by_index, row r of every run that has one; else the smallest step among the runs' next
 * rows (next[k]), taken from every run whose next row is at that step. at[k]: the row taken, or -1. Returns 0
 * when no run has a row left. */
static int next_point(const gk_csv_table *const *runs, int K, int by_index, size_t r, size_t *next, long *at) {
    double step = INFINITY;
    for (int k = 0; k < K; k++)
        if (runs[k] && next[k] < runs[k]->nrows) step = fmin(step, runs[k]->vals[next[k] * (size_t)runs[k]->ncols]);
    int any = 0;
    for (int k = 0; k < K; k++) {
        int has = runs[k] && next[k] < runs[k]->nrows;
        if (has && !by_index) has = runs[k]->vals[next[k] * (size_t)runs[k]->ncols] == step;
        if (has && by_index) has = next[k] == r;
        at[k] = has ? (long)next[k]++ : -1;
        any |= has;
    }
    return any;
}

gk_status gk_seeds_aggregate(const gk_csv_table *const *runs, int K, int by_index, gk_seeds_agg *a, gk_error *err) {
    memset(a, 0, sizeof *a);
    for (int j = 0; j < 4; j++) gk_metrics_init(&a->stat[j]);
    gk_metrics_init(&a->table);
    const gk_csv_table *first = NULL;
    for (int k = 0; k < K && !first; k++)
        if (runs[k] && runs[k]->nrows) first = runs[k];
    if (!first) return gk_fail(err, GK_EINVAL, "none of the %d runs has written a metrics row", K);
    if (first->ncols < 2) return gk_fail(err, GK_EINVAL, "a run's metrics.csv has fewer than 2 columns");
    gk_status s = same_columns(runs, K, first, err);
    if (!s) s = make_names(a, first, err);
    const int nc = first->ncols;
    double *x = malloc((size_t)K * sizeof *x), *rows = malloc((size_t)(4 * nc + 4 * nc + 1) * sizeof *rows);
    size_t *next = calloc((size_t)K, sizeof *next);
    long *at = malloc((size_t)K * sizeof *at);
    if (!s && (!x || !rows || !next || !at)) s = gk_fail(err, GK_ENOMEM, "out of memory");
    for (size_t r = 0; !s && next_point(runs, K, by_index, r, next, at); r++) s = reduce_row(a, runs, K, at, x, rows, err);
    free(x), free(rows), free(next), free(at);
    if (s) gk_seeds_agg_free(a);
    return s;
}

void gk_seeds_agg_free(gk_seeds_agg *a) {
    for (int j = 0; j < 4; j++) gk_metrics_free(&a->stat[j]);
    gk_metrics_free(&a->table);
    free(a->count);
    free(a->names);
    a->count = NULL, a->names = NULL;
}

/* ---- summaries ----------------------------------------------------------------------------------------------- */

static int cmp_double(const void *p, const void *q) {
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

/* The median of the finite v[0..K-1] (NAN if none): the middle one, or the mean of the middle two. */
static double median_of(const double *v, int K) {
    double *f = malloc((size_t)(K > 0 ? K : 1) * sizeof *f);
    int n = 0;
    for (int k = 0; f && k < K; k++)
        if (isfinite(v[k])) f[n++] = v[k];
    double med = NAN;
    if (n) {
        qsort(f, (size_t)n, sizeof *f, cmp_double);
        med = n % 2 ? f[n / 2] : 0.5 * (f[n / 2 - 1] + f[n / 2]);
    }
    free(f);
    return med;
}

void gk_seeds_stats(cJSON *o, const double *v, int K) {
    double st[4];
    gk_spread(v, K, 1, st);
    int n = 0;
    for (int k = 0; k < K; k++) n += isfinite(v[k]) != 0;
    cJSON_AddNumberToObject(o, "n", n);
    gk_json_number(o, "median", median_of(v, K));
    gk_json_number(o, "mean", st[GK_SEEDS_MEAN]);
    gk_json_number(o, "std", st[GK_SEEDS_STD]);
    gk_json_number(o, "min", st[GK_SEEDS_MIN]);
    gk_json_number(o, "max", st[GK_SEEDS_MAX]);
}

static double num_or_nan(const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Run k's phenomenon `what` (NULL if its list has none). */
static const cJSON *phenomenon_of(const cJSON *sum, const char *what) {
    const cJSON *e, *list = sum ? cJSON_GetObjectItemCaseSensitive(sum, "phenomena") : NULL;
    cJSON_ArrayForEach(e, list) {
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "what"));
        if (w && !strcmp(w, what)) return e;
    }
    return NULL;
}

/* One phenomenon over the runs: each run's step (or final ratio) and their statistics. */
static void phenomenon_over_seeds(const cJSON *const *sums, int K, const cJSON *model, double *v, cJSON *list) {
    const char *what = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "what"));
    if (!what) return;
    const char *field = cJSON_GetObjectItemCaseSensitive(model, "ratio") ? "ratio" : "step";
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(list, o);
    cJSON_AddStringToObject(o, "what", what);
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(model, "rule");
    if (cJSON_IsString(rule)) cJSON_AddStringToObject(o, "rule", rule->valuestring);
    cJSON *arr = cJSON_AddArrayToObject(o, !strcmp(field, "step") ? "steps" : "ratios");
    for (int k = 0; k < K; k++) { /* a standard fact's step is under its own key (step_key) */
        const cJSON *ph = phenomenon_of(sums[k], what);
        const char *key = ph ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ph, "step_key")) : NULL;
        v[k] = key ? num_or_nan(sums[k], key) : num_or_nan(ph, field);
        cJSON_AddItemToArray(arr, isfinite(v[k]) ? cJSON_CreateNumber(v[k]) : cJSON_CreateNull());
    }
    const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "step_key"));
    if (key) cJSON_AddStringToObject(o, "step_key", key); /* the median is there (gk_seeds_across) */
    else gk_json_number(o, field, median_of(v, K));
    gk_seeds_stats(o, v, K);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "median"); /* one name per number: the step_key's, or `field` */
}

void gk_seeds_summarize(const cJSON *const *sums, int K, cJSON *out) {
    const cJSON *model = NULL;
    for (int k = 0; k < K && !model; k++) model = sums[k];
    double *v = malloc((size_t)(K > 0 ? K : 1) * sizeof *v);
    if (!model || !v) {
        free(v);
        return;
    }
    cJSON *list = cJSON_AddArrayToObject(out, "phenomena");
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(model, "phenomena")) phenomenon_over_seeds(sums, K, e, v, list);
    free(v);
    gk_seeds_across(sums, K, out, 1);
}

void gk_seeds_across(const cJSON *const *sums, int K, cJSON *out, int medians) {
    const cJSON *model = NULL, *e;
    for (int k = 0; k < K && !model; k++) model = sums[k];
    double *v = malloc((size_t)(K > 0 ? K : 1) * sizeof *v);
    cJSON *across = model && v ? cJSON_AddObjectToObject(out, "across_seeds") : NULL;
    const cJSON *keys = across ? model : NULL;
    cJSON_ArrayForEach(e, keys) {
        if (!cJSON_IsNumber(e) && !cJSON_IsNull(e)) continue; /* a number, or null (a step never reached) */
        if (!strcmp(e->string, "seed")) continue;
        for (int k = 0; k < K; k++) v[k] = num_or_nan(sums[k], e->string);
        gk_seeds_stats(cJSON_AddObjectToObject(across, e->string), v, K);
        if (medians && !cJSON_GetObjectItemCaseSensitive(out, e->string)) gk_json_number(out, e->string, median_of(v, K));
    }
    free(v);
}
