/* metrics.h: the table of eval rows behind metrics.csv (column 0 is step, column 1 is time). */
#ifndef GK_METRICS_H
#define GK_METRICS_H

#include "groklab.h"
#include "io/columns.h"

#define GK_MAX_METRICS 512 /* a multi-seed run has 4 per column (mean, std, min, max) */

typedef struct gk_metrics {
    int ncols;
    const char *names[GK_MAX_METRICS];
    const gk_column *decl[GK_MAX_METRICS]; /* the declaration (NULL: added by name only) */
    size_t nrows, cap;
    double *rows; /* nrows x ncols */
} gk_metrics;

void gk_metrics_init(gk_metrics *m);
void gk_metrics_free(gk_metrics *m);
/* A column by name only (tables read back from files, tables of the report layer); its role is the one its name
 * had before roles were declared (gk_column_role_of_name, read when asked: the name may be filled in later).
 * Experiments declare theirs (io/columns.h). */
gk_status gk_metrics_add_column(gk_metrics *m, const char *name, gk_error *err);
/* A declared column (name, unit, role and meaning from the declaration, which must outlive m). */
gk_status gk_metrics_add_declared(gk_metrics *m, const gk_column *c, gk_error *err);
/* The present columns of a declaration table, in order (columns.h). */
gk_status gk_metrics_add_table(gk_metrics *m, const gk_column *table, const void *state, gk_error *err);
/* The role of column c: its declaration's, or for a column added by name the role of that name. */
gk_column_role gk_metrics_role(const gk_metrics *m, int c);
/* The first column with this role, or -1. */
int gk_metrics_role_col(const gk_metrics *m, gk_column_role role);
/* Appends a row of ncols values (copied). */
gk_status gk_metrics_append(gk_metrics *m, const double *row, gk_error *err);
int gk_metrics_col(const gk_metrics *m, const char *name); /* -1 if absent */
static inline double gk_metrics_at(const gk_metrics *m, size_t row, int col) { return m->rows[row * m->ncols + col]; }
/* The first row whose column `name` is >= thr, or -1 (also when the column is absent). */
long gk_metrics_first_at_least(const gk_metrics *m, const char *name, double thr);
/* The step (column 0) of row r, or NAN for r < 0. */
double gk_metrics_step_of(const gk_metrics *m, long r);
/* Saves or loads the rows of m (its columns must already be declared) as checkpoint block `name`. */
struct gk_state;
void gk_metrics_visit(gk_metrics *m, const char *name, struct gk_state *st);
/* Copies one column into out (nrows values). */
void gk_metrics_column(const gk_metrics *m, int col, double *out);
/* Header row, then one row per eval, numbers printed with %.17g (exact round trip); atomic. */
gk_status gk_metrics_write_csv(const gk_metrics *m, const char *path, gk_error *err);

#endif
