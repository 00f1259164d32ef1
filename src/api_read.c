/* api_read.c: reading a run directory back (metrics.csv as columns, summary.json and config.json as text).
 * Reads are bounded: a file larger than GK_READ_MAX is refused with its name and size. */
#include "groklab.h"
#include "io/fsutil.h"

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

/* Next CSV field of line *p (quotes with "" escapes allowed); advances *p past the separator. The field is
 * copied unquoted into buf. Returns 0 at the end of the line. */
static int next_field(const char **p, char *buf, size_t len) {
    const char *s = *p;
    if (!s) return 0;
    size_t k = 0;
    int quoted = *s == '"';
    if (quoted) s++;
    for (; *s && (quoted || (*s != ',' && *s != '\n' && *s != '\r')); s++) {
        if (quoted && *s == '"') {
            if (s[1] == '"') s++;
            else {
                quoted = 0;
                continue;
            }
        }
        if (k + 1 < len) buf[k++] = *s;
    }
    buf[k] = '\0';
    *p = *s == ',' ? s + 1 : NULL;
    return 1;
}

static gk_status add_row(gk_table *t, const char *line, gk_error *err) {
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        for (int c = 0; c < t->ncols; c++) {
            double *v = realloc(t->cols[c], cap * sizeof(double));
            if (!v) return gk_fail(err, GK_ENOMEM, "out of memory");
            t->cols[c] = v;
        }
        t->cap = cap;
    }
    char field[1024];
    const char *p = line;
    for (int c = 0; c < t->ncols; c++) {
        double v = NAN;
        if (next_field(&p, field, sizeof field) && field[0]) {
            char *end;
            v = strtod(field, &end);
            if (*end) v = NAN; /* a text field (e.g. status) */
        }
        t->cols[c][t->nrows] = v;
    }
    t->nrows++;
    return GK_OK;
}

static gk_status parse_header(gk_table *t, const char *line, const char *path, gk_error *err) {
    int n = 1;
    for (const char *s = line; *s && *s != '\n'; s++) n += *s == ',';
    t->names = calloc((size_t)n, sizeof *t->names);
    t->cols = calloc((size_t)n, sizeof *t->cols);
    if (!t->names || !t->cols) return gk_fail(err, GK_ENOMEM, "out of memory");
    char field[256];
    const char *p = line;
    for (t->ncols = 0; t->ncols < n && next_field(&p, field, sizeof field); t->ncols++)
        if (!(t->names[t->ncols] = strdup(field))) return gk_fail(err, GK_ENOMEM, "out of memory");
    if (t->ncols == 0 || !t->names[0][0]) return gk_fail(err, GK_EIO, "%s: no header row", path);
    return GK_OK;
}

gk_status gk_table_read(const char *path, gk_table **out, gk_error *err) {
    *out = NULL;
    char *text;
    gk_status s = slurp(path, &text, NULL, err);
    if (s) return s;
    gk_table *t = calloc(1, sizeof *t);
    if (!t) s = gk_fail(err, GK_ENOMEM, "out of memory");
    char *save = NULL, *line = t ? strtok_r(text, "\n", &save) : NULL;
    if (t && !line) s = gk_fail(err, GK_EIO, "%s is empty", path);
    if (!s) s = parse_header(t, line, path, err);
    while (!s && (line = strtok_r(NULL, "\n", &save)))
        if (line[0] && line[0] != '\r') s = add_row(t, line, err);
    free(text);
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
