/* metrics_read.c: reading a run's metrics.csv back as a numeric table, with size limits. */
#include "io/metrics_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Splits line (NUL-terminated, modified) at commas into at most max cells; returns the count (max + 1 if
 * there are more). A cell may be quoted ("a, ""b""" is the text a, "b"): it is unquoted in place. */
static int split_cells(char *line, char **cells, int max) {
    int n = 0;
    char *r = line;
    for (;;) {
        if (n == max) return max + 1;
        char *w = r;
        cells[n++] = w;
        if (*r == '"') {
            for (r++; *r; r++) {
                if (*r == '"' && r[1] != '"') {
                    r++;
                    break;
                }
                if (*r == '"') r++; /* "" is one quote */
                *w++ = *r;
            }
        }
        while (*r && *r != ',') *w++ = *r++;
        int last = !*r;
        *w = '\0';
        if (last) break;
        r++;
    }
    return n;
}

/* The next line of *p (NUL-terminated in place, "\r\n" accepted); NULL at the end. */
static char *next_line(char **p) {
    if (!**p) return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r') line[n - 1] = '\0';
    return line;
}

static gk_status parse_cell(const char *s, int text_as_nan, double *v, const char *path, size_t row, const char *col,
                            gk_error *err) {
    if (!*s || !strcmp(s, "nan") || !strcmp(s, "NaN") || !strcmp(s, "-nan")) {
        *v = NAN;
        return GK_OK;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if ((end == s || *end) && text_as_nan) *v = NAN; /* a text cell (a status, a name) */
    else if (end == s || *end) return gk_fail(err, GK_EINVAL, "%s: row %zu, column %s: '%s' is not a number", path, row, col, s);
    return GK_OK;
}

enum { MAX_COLS = 512 };

gk_status gk_csv_table_read_text(const char *path, size_t max_bytes, int text_as_nan, gk_csv_table *t,
                                 gk_error *err) {
    memset(t, 0, sizeof *t);
    size_t len = 0;
    gk_status s = gk_read_text_file(path, max_bytes, &t->text, &len, err);
    if (s) return s;
    if (len > 0 && t->text[len - 1] != '\n') { /* every row groklab writes ends with one: the file was cut */
        gk_csv_table_free(t);
        return gk_fail(err, GK_EINVAL, "%s: the last row is cut short (no line end after it)", path);
    }
    char *p = t->text, *cells[MAX_COLS + 1];
    char *header = next_line(&p);
    int nc = header ? split_cells(header, cells, MAX_COLS) : 0;
    if (nc < 1 || nc > MAX_COLS || !cells[0][0]) {
        gk_csv_table_free(t);
        return gk_fail(err, GK_EINVAL, "%s: no CSV header (or more than %d columns)", path, MAX_COLS);
    }
    t->ncols = nc;
    t->names = malloc((size_t)nc * sizeof *t->names);
    size_t lines = 1;
    for (const char *q = p; *q; q++) lines += *q == '\n';
    t->vals = malloc(lines * (size_t)nc * sizeof *t->vals);
    if (!t->names || !t->vals) {
        gk_csv_table_free(t);
        return gk_fail(err, GK_ENOMEM, "out of memory reading %s", path);
    }
    for (int c = 0; c < nc; c++) t->names[c] = cells[c];
    char *line;
    while (!s && (line = next_line(&p)) != NULL) {
        if (!*line) continue;
        int n = split_cells(line, cells, MAX_COLS);
        if (n != nc) {
            s = gk_fail(err, GK_EINVAL, "%s: row %zu has %d cells, the header %d", path, t->nrows + 1, n, nc);
            break;
        }
        for (int c = 0; c < nc && !s; c++)
            s = parse_cell(cells[c], text_as_nan, &t->vals[t->nrows * (size_t)nc + (size_t)c], path, t->nrows + 1,
                           t->names[c], err);
        t->nrows++;
    }
    if (s) gk_csv_table_free(t);
    return s;
}

gk_status gk_csv_table_read(const char *path, size_t max_bytes, gk_csv_table *t, gk_error *err) {
    return gk_csv_table_read_text(path, max_bytes, 0, t, err);
}

void gk_csv_table_free(gk_csv_table *t) {
    free(t->names);
    free(t->vals);
    free(t->text);
    memset(t, 0, sizeof *t);
}

int gk_csv_table_col(const gk_csv_table *t, const char *name) {
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->names[c], name)) return c;
    return -1;
}
