/* api_read.c: reading a run directory back (metrics.csv as columns, summary.json and config.json as text).
 * Reads are bounded: a file larger than GK_READ_MAX is refused with its name and size. */
#include "groklab.h"
#include "io/fsutil.h"
#include "io/metrics_read.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GK_READ_MAX ((size_t)1 << 30)

struct gk_table {
    int ncols;
    size_t nrows, cap;
    char **names;
    double **cols; /* ncols arrays of cap values */
};

struct gk_result {
    gk_table *metrics;
    char *summary, *config;
};

/* The whole file as a NUL-terminated string (at most GK_READ_MAX bytes). */
static gk_status slurp(const char *path, char **out, size_t *len, gk_error *err) {
    return gk_read_text_file(path, GK_READ_MAX, out, len, err);
}

/* The columns of a CSV file read by io's table reader (text cells as NAN). */
gk_status gk_table_read(const char *path, gk_table **out, gk_error *err) {
    *out = NULL;
    gk_csv_table c;
    gk_status s = gk_csv_table_read_text(path, GK_READ_MAX, 1, &c, err);
    if (s) return s;
    gk_table *t = calloc(1, sizeof *t);
    if (t) t->names = calloc((size_t)c.ncols, sizeof *t->names), t->cols = calloc((size_t)c.ncols, sizeof *t->cols);
    if (!t || !t->names || !t->cols) s = gk_fail(err, GK_ENOMEM, "out of memory reading %s", path);
    for (int k = 0; !s && k < c.ncols; k++, t->ncols++) {
        t->names[k] = strdup(c.names[k]);
        t->cols[k] = malloc((c.nrows ? c.nrows : 1) * sizeof(double));
        if (!t->names[k] || !t->cols[k]) s = gk_fail(err, GK_ENOMEM, "out of memory reading %s", path);
        for (size_t r = 0; !s && r < c.nrows; r++) t->cols[k][r] = c.vals[r * (size_t)c.ncols + (size_t)k];
    }
    if (t) t->nrows = t->cap = c.nrows;
    gk_csv_table_free(&c);
    if (s) gk_table_free(t);
    else *out = t;
    return s;
}

int gk_table_ncols(const gk_table *t) { return t->ncols; }
size_t gk_table_nrows(const gk_table *t) { return t->nrows; }
const char *gk_table_name(const gk_table *t, int col) { return col >= 0 && col < t->ncols ? t->names[col] : NULL; }
const double *gk_table_column(const gk_table *t, int col) { return col >= 0 && col < t->ncols ? t->cols[col] : NULL; }

int gk_table_find(const gk_table *t, const char *name) {
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->names[c], name)) return c;
    return -1;
}

void gk_table_free(gk_table *t) {
    if (!t) return;
    for (int c = 0; c < t->ncols; c++) {
        free(t->names[c]);
        free(t->cols[c]);
    }
    free(t->names);
    free(t->cols);
    free(t);
}

gk_status gk_result_open(const char *dir, gk_result **out, gk_error *err) {
    *out = NULL;
    char path[2048];
    gk_result *r = calloc(1, sizeof *r);
    if (!r) return gk_fail(err, GK_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    gk_status s = gk_table_read(path, &r->metrics, err);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (!s) s = slurp(path, &r->summary, NULL, err);
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (!s) s = slurp(path, &r->config, NULL, err);
    if (s) gk_result_close(r);
    else *out = r;
    return s;
}

const gk_table *gk_result_metrics(const gk_result *r) { return r->metrics; }
const char *gk_result_summary(const gk_result *r) { return r->summary; }
const char *gk_result_config(const gk_result *r) { return r->config; }

void gk_result_close(gk_result *r) {
    if (!r) return;
    gk_table_free(r->metrics);
    free(r->summary);
    free(r->config);
    free(r);
}
