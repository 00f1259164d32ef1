/* metrics.c: the eval table and its CSV file. */
#include "io/metrics.h"

#include "core/state.h"
#include "io/fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_metrics_init(gk_metrics *m) { memset(m, 0, sizeof *m); }

void gk_metrics_free(gk_metrics *m) {
    free(m->rows);
    memset(m, 0, sizeof *m);
}

gk_status gk_metrics_add_column(gk_metrics *m, const char *name, gk_error *err) {
    GK_ASSERT(m->nrows == 0);
    if (m->ncols >= GK_MAX_METRICS) return gk_fail(err, GK_EINVAL, "too many metric columns (max %d)", GK_MAX_METRICS);
    m->decl[m->ncols] = NULL;
    m->names[m->ncols++] = name;
    return GK_OK;
}

gk_status gk_metrics_add_declared(gk_metrics *m, const gk_column *c, gk_error *err) {
    gk_status s = gk_metrics_add_column(m, c->name, err);
    if (!s) m->decl[m->ncols - 1] = c;
    return s;
}

gk_status gk_metrics_add_table(gk_metrics *m, const gk_column *table, const void *state, gk_error *err) {
    gk_status s = GK_OK;
    for (int k = 0; table[k].name && !s; k++) {
        if (!gk_column_present(table, k, state)) continue;
        if (!table[k].members) {
            s = gk_metrics_add_declared(m, &table[k], err);
            continue;
        }
        const char *names[GK_COLUMN_FAMILY_MAX];
        const int n = table[k].members(state, names);
        for (int j = 0; j < n && !s; j++) { /* a family's members: their own names, the family's declaration */
            s = gk_metrics_add_column(m, names[j], err);
            if (!s) m->decl[m->ncols - 1] = &table[k];
        }
    }
    return s;
}

gk_column_role gk_metrics_role(const gk_metrics *m, int c) {
    return m->decl[c] ? m->decl[c]->role : gk_column_role_of_name(m->names[c]);
}

int gk_metrics_role_col(const gk_metrics *m, gk_column_role role) {
    for (int c = 0; c < m->ncols; c++)
        if (gk_metrics_role(m, c) == role) return c;
    return -1;
}

gk_status gk_metrics_append(gk_metrics *m, const double *row, gk_error *err) {
    if (m->nrows == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        double *r = realloc(m->rows, cap * (size_t)m->ncols * sizeof(double));
        if (!r) return gk_fail(err, GK_ENOMEM, "out of memory for metrics");
        m->rows = r;
        m->cap = cap;
    }
    memcpy(m->rows + m->nrows * (size_t)m->ncols, row, (size_t)m->ncols * sizeof(double));
    m->nrows++;
    return GK_OK;
}

int gk_metrics_col(const gk_metrics *m, const char *name) {
    for (int c = 0; c < m->ncols; c++)
        if (strcmp(m->names[c], name) == 0) return c;
    return -1;
}

void gk_metrics_column(const gk_metrics *m, int col, double *out) {
    for (size_t r = 0; r < m->nrows; r++) out[r] = gk_metrics_at(m, r, col);
}

gk_status gk_metrics_write_csv(const gk_metrics *m, const char *path, gk_error *err) {
    gk_atomic_file af;
    gk_status s = gk_atomic_open(&af, path, err);
    if (s) return s;
    for (int c = 0; c < m->ncols; c++) fprintf(af.f, "%s%s", m->names[c], c + 1 < m->ncols ? "," : "\n");
    for (size_t r = 0; r < m->nrows; r++)
        for (int c = 0; c < m->ncols; c++) {
            double v = gk_metrics_at(m, r, c);
            if (c == 0) fprintf(af.f, "%.0f", v); /* step */
            else if (isnan(v)) fputs("", af.f);  /* pandas reads an empty field as NaN */
            else fprintf(af.f, "%.17g", v);
            fputc(c + 1 < m->ncols ? ',' : '\n', af.f);
        }
    return gk_atomic_commit(&af, err);
}

long gk_metrics_first_at_least(const gk_metrics *m, const char *name, double thr) {
    int c = gk_metrics_col(m, name);
    for (size_t r = 0; c >= 0 && r < m->nrows; r++)
        if (gk_metrics_at(m, r, c) >= thr) return (long)r;
    return -1;
}

double gk_metrics_step_of(const gk_metrics *m, long r) { return r < 0 ? NAN : gk_metrics_at(m, (size_t)r, 0); }

void gk_metrics_visit(gk_metrics *m, const char *name, gk_state *st) {
    void *rows = m->rows;
    size_t bytes = m->nrows * (size_t)m->ncols * sizeof(double);
    gk_state_block_alloc(st, name, &rows, &bytes);
    if (!st->loading || st->status) return;
    const size_t row_bytes = (size_t)m->ncols * sizeof(double);
    if (row_bytes == 0 || bytes % row_bytes != 0) { /* a partial row is an edited or broken checkpoint, not cut */
        free(rows);
        gk_state_fail(st, GK_EINVAL, "the checkpoint's metrics rows are not whole (a partial row)");
        return;
    }
    free(m->rows);
    m->rows = rows;
    m->nrows = m->cap = bytes / ((size_t)m->ncols * sizeof(double));
}
