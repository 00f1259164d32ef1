/* metrics_read.h: reading back what a run wrote (metrics.csv as a numeric table, any small text file). */
#ifndef GK_METRICS_READ_H
#define GK_METRICS_READ_H

#include "groklab.h"
#include "io/fsutil.h" /* gk_read_text_file */

/* A numeric CSV table: a header of names, then rows of numbers (an empty cell or "nan" is NAN). */
typedef struct gk_csv_table {
    int ncols;
    char **names;  /* ncols names, pointing into text */
    size_t nrows;
    double *vals;  /* nrows x ncols, row-major */
    char *text;    /* the file's bytes (owned) */
} gk_csv_table;

/* Reads a numeric CSV file (at most max_bytes); every row must have as many cells as the header. */
gk_status gk_csv_table_read(const char *path, size_t max_bytes, gk_csv_table *t, gk_error *err);
/* The same with text cells read as NAN when text_as_nan (a sweep table's status column, say); cells may be
 * quoted ("a, ""b""" is the text a, "b"). */
gk_status gk_csv_table_read_text(const char *path, size_t max_bytes, int text_as_nan, gk_csv_table *t,
                                 gk_error *err);
void gk_csv_table_free(gk_csv_table *t);
int gk_csv_table_col(const gk_csv_table *t, const char *name); /* -1 if absent */

#endif
