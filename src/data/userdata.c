/* userdata.c: a user's data set from a CSV file (label last) or a pair of .npy files. See userdata.h. */
#include "data/userdata.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_userdata_free(gk_userdata *u) {
    free(u->X);
    free(u->y);
    memset(u, 0, sizeof *u);
}

/* ---- CSV ---------------------------------------------------------------------------------------------- */

/* A growing array of doubles. */
typedef struct dbuf {
    double *v;
    size_t n, cap;
} dbuf;

static int dbuf_push(dbuf *b, double x) {
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        double *v = realloc(b->v, cap * sizeof *v);
        if (!v) return -1;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = x;
    return 0;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

/* Splits line in place at commas; returns the number of fields (at most max). */
static size_t split(char *line, char **fields, size_t max) {
    size_t k = 0;
    for (char *s = line;; s++) {
        char *c = strchr(s, ',');
        if (k < max) fields[k] = s;
        k++;
        if (!c) break;
        *c = '\0';
        s = c;
    }
    for (size_t i = 0; i < k && i < max; i++) fields[i] = trim(fields[i]);
    return k;
}

static int parse_num(const char *s, double *v) {
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return s[0] && !*end;
}

typedef struct csv_state {
    const char *path;
    size_t line, ncols, ncols_line, rows; /* ncols_line: the line that set the number of fields */
    dbuf vals;
    char **fields;
} csv_state;

/* One line of the file (without its newline). A first line with a field that is not a number is the header. */
static gk_status csv_line(csv_state *c, char *line, gk_error *err) {
    char *t = trim(line);
    if (!t[0]) return GK_OK; /* a blank line */
    size_t k = split(t, c->fields, c->ncols ? c->ncols + 1 : GK_USERDATA_MAX_LINE / 2 + 2);
    double v;
    if (!c->ncols) {
        if (k < 2) return gk_fail(err, GK_EINVAL, "%s:%zu: one field; expected the features then the label, separated by commas", c->path, c->line);
        c->ncols = k;
        c->ncols_line = c->line;
        int header = 0;
        for (size_t i = 0; i < k; i++) header |= !parse_num(c->fields[i], &v);
        if (header) return GK_OK;
    }
    if (k != c->ncols)
        return gk_fail(err, GK_EINVAL, "%s:%zu: %zu fields, expected %zu (%zu features and the label, as on line %zu)",
                       c->path, c->line, k, c->ncols, c->ncols - 1, c->ncols_line);
    if (c->vals.n + k > GK_USERDATA_MAX_VALUES)
        return gk_fail(err, GK_EINVAL, "%s:%zu: more than %zu values in all", c->path, c->line, GK_USERDATA_MAX_VALUES);
    for (size_t i = 0; i < k; i++) {
        if (!parse_num(c->fields[i], &v))
            return gk_fail(err, GK_EINVAL, "%s:%zu: field %zu ('%.40s') is not a number (a header is allowed on the first line only)",
                           c->path, c->line, i + 1, c->fields[i]);
        if (!isfinite(v))
            return gk_fail(err, GK_EINVAL, "%s:%zu: field %zu is %s: every value must be finite", c->path, c->line, i + 1, c->fields[i]);
        if (dbuf_push(&c->vals, v)) return gk_fail(err, GK_ENOMEM, "out of memory reading %s", c->path);
    }
    c->rows++;
    return GK_OK;
}

/* Moves the n x ncols values into X (features) and y (the last column). */
static gk_status csv_finish(csv_state *c, gk_userdata *out, gk_error *err) {
    if (!c->rows) return gk_fail(err, GK_EINVAL, "%s: no data rows (expected lines of features then the label)", c->path);
    size_t n = c->vals.n / c->ncols, d = c->ncols - 1;
    out->X = malloc(n * d * sizeof(double));
    out->y = malloc(n * sizeof(double));
    if (!out->X || !out->y) {
        gk_userdata_free(out);
        return gk_fail(err, GK_ENOMEM, "out of memory reading %s", c->path);
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(out->X + i * d, c->vals.v + i * c->ncols, d * sizeof(double));
        out->y[i] = c->vals.v[i * c->ncols + d];
    }
    out->n = n;
    out->d = d;
    return GK_OK;
}

gk_status gk_userdata_read_csv(const char *path, gk_userdata *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) return gk_fail(err, GK_EINVAL, "cannot open %s: %s", path, strerror(errno));
    csv_state c = {.path = path};
    char *buf = malloc(GK_USERDATA_MAX_LINE + 2);
    c.fields = malloc((GK_USERDATA_MAX_LINE / 2 + 2) * sizeof *c.fields);
    gk_status s = buf && c.fields ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory reading %s", path);
    while (!s && fgets(buf, (int)GK_USERDATA_MAX_LINE + 2, f)) {
        c.line++;
        size_t len = strlen(buf);
        if (len > GK_USERDATA_MAX_LINE && buf[len - 1] != '\n')
            s = gk_fail(err, GK_EINVAL, "%s:%zu: line longer than %zu bytes", path, c.line, GK_USERDATA_MAX_LINE);
        else s = csv_line(&c, buf, err);
    }
    if (!s && ferror(f)) s = gk_fail(err, GK_EIO, "cannot read %s: %s", path, strerror(errno));
    fclose(f);
    if (!s) s = csv_finish(&c, out, err);
    free(buf);
    free(c.fields);
    free(c.vals.v);
    return s;
}

/* ---- .npy --------------------------------------------------------------------------------------------- */

typedef struct npy_head {
    char kind;      /* 'f', 'i', 'u', 'b' */
    int size;       /* bytes per item */
    int fortran;
    int ndim;
    size_t shape[2];
    char descr[16];
} npy_head;

/* The value of 'key' in the header dict, as the text that follows "'key':". */
static const char *dict_value(const char *h, const char *key) {
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) return NULL;
    p = strchr(p + strlen(pat), ':');
    if (!p) return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

static gk_status parse_descr(const char *h, npy_head *nh, const char *path, gk_error *err) {
    const char *v = dict_value(h, "descr");
    if (!v || *v != '\'') return gk_fail(err, GK_EINVAL, "%s: the .npy header has no 'descr' (a structured array?)", path);
    size_t k = 0;
    for (v++; *v && *v != '\'' && k + 1 < sizeof nh->descr; v++) nh->descr[k++] = *v;
    nh->descr[k] = '\0';
    const char *d = nh->descr;
    if (d[0] == '>' && d[2] != '1')
        return gk_fail(err, GK_EINVAL, "%s: dtype '%s' is big-endian: save it little-endian (e.g. X.astype('<f8'))", path, d);
    if (strlen(d) < 3 || !strchr("<|=>", d[0]) || !strchr("fiub", d[1]))
        return gk_fail(err, GK_EINVAL, "%s: dtype '%s' is not a plain number type", path, d);
    nh->kind = d[1];
    nh->size = atoi(d + 2);
    return GK_OK;
}

static gk_status parse_shape(const char *h, npy_head *nh, const char *path, gk_error *err) {
    const char *v = dict_value(h, "fortran_order");
    if (!v || (strncmp(v, "True", 4) && strncmp(v, "False", 5)))
        return gk_fail(err, GK_EINVAL, "%s: the .npy header has no fortran_order", path);
    nh->fortran = !strncmp(v, "True", 4);
    v = dict_value(h, "shape");
    if (!v || *v != '(') return gk_fail(err, GK_EINVAL, "%s: the .npy header has no shape", path);
    nh->ndim = 0;
    for (v++; *v && *v != ')';) {
        while (*v == ' ' || *v == ',') v++;
        if (*v == ')') break;
        char *end;
        errno = 0;
        unsigned long long x = strtoull(v, &end, 10);
        if (end == v || errno) return gk_fail(err, GK_EINVAL, "%s: malformed shape in the .npy header", path);
        if (nh->ndim == 2) return gk_fail(err, GK_EINVAL, "%s: an array of 3 or more dimensions; expected 1-D or 2-D", path);
        nh->shape[nh->ndim++] = (size_t)x;
        v = end;
    }
    return GK_OK;
}

/* Reads the magic, the version and the header dict; leaves f at the first data byte. */
static gk_status npy_header(FILE *f, const char *path, npy_head *nh, gk_error *err) {
    unsigned char pre[12];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6))
        return gk_fail(err, GK_EINVAL, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    size_t hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    if (pre[6] >= 2) {
        if (fread(pre + 10, 1, 2, f) != 2) return gk_fail(err, GK_EINVAL, "%s: truncated .npy header", path);
        hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    } else if (pre[6] != 1) return gk_fail(err, GK_EINVAL, "%s: .npy format version %d is not supported", path, pre[6]);
    if (hlen > 65536) return gk_fail(err, GK_EINVAL, "%s: .npy header of %zu bytes (at most 65536)", path, hlen);
    char *h = malloc(hlen + 1);
    if (!h) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = fread(h, 1, hlen, f) == hlen ? GK_OK : gk_fail(err, GK_EINVAL, "%s: truncated .npy header", path);
    h[s ? 0 : hlen] = '\0';
    memset(nh, 0, sizeof *nh);
    if (!s) s = parse_descr(h, nh, path, err);
    if (!s) s = parse_shape(h, nh, path, err);
    free(h);
    return s;
}

static double item(const unsigned char *p, char kind, int size) {
    switch (kind) {
    case 'f': {
        if (size == 8) { double x; memcpy(&x, p, 8); return x; }
        float x; memcpy(&x, p, 4); return x;
    }
    case 'i':
        if (size == 8) { int64_t x; memcpy(&x, p, 8); return (double)x; }
        if (size == 4) { int32_t x; memcpy(&x, p, 4); return x; }
        if (size == 2) { int16_t x; memcpy(&x, p, 2); return x; }
        return (int8_t)p[0];
    default: return p[0]; /* 'u1', 'b1' */
    }
}

static int dtype_ok(const npy_head *nh, int labels) {
    if (nh->kind == 'f') return nh->size == 8 || nh->size == 4;
    if (!labels) return 0;
    if (nh->kind == 'i') return nh->size == 8 || nh->size == 4 || nh->size == 2 || nh->size == 1;
    return nh->size == 1; /* u1, b1 */
}

/* Reads one array of rows x cols (C order after conversion) into a new buffer of doubles. */
static gk_status npy_data(FILE *f, const char *path, const npy_head *nh, size_t rows, size_t cols, double **out, gk_error *err) {
    size_t count = rows * cols, bytes = count * (size_t)nh->size;
    long here = ftell(f);
    if (fseek(f, 0, SEEK_END) || here < 0) return gk_fail(err, GK_EIO, "cannot read %s: not a regular file", path);
    size_t avail = (size_t)(ftell(f) - here);
    if (avail != bytes)
        return gk_fail(err, GK_EINVAL, "%s: shape (%zu, %zu) of '%s' needs %zu data bytes, the file has %zu (%s)", path, rows,
                       cols, nh->descr, bytes, avail, avail < bytes ? "truncated" : "trailing data");
    fseek(f, here, SEEK_SET);
    unsigned char *raw = malloc(bytes ? bytes : 1);
    double *v = malloc((count ? count : 1) * sizeof(double));
    gk_status s = raw && v ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory reading %s", path);
    if (!s && fread(raw, 1, bytes, f) != bytes) s = gk_fail(err, GK_EIO, "cannot read %s", path);
    for (size_t k = 0; !s && k < count; k++) {
        size_t r = nh->fortran ? k % rows : k / cols, c = nh->fortran ? k / rows : k % cols;
        double x = item(raw + k * (size_t)nh->size, nh->kind, nh->size);
        if (!isfinite(x)) s = gk_fail(err, GK_EINVAL, "%s: element [%zu, %zu] is %g: every value must be finite", path, r, c, x);
        v[r * cols + c] = x;
    }
    free(raw);
    if (s) free(v);
    else *out = v;
    return s;
}

/* Opens one .npy file and reads it as rows x cols. want_labels: 1-D (or n x 1) labels, else 2-D features. */
static gk_status npy_read(const char *path, int want_labels, double **out, size_t *rows, size_t *cols, gk_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return gk_fail(err, GK_EINVAL, "cannot open %s: %s", path, strerror(errno));
    npy_head nh;
    gk_status s = npy_header(f, path, &nh, err);
    const char *want = want_labels ? "labels y: a 1-D array of numbers" : "features X: a 2-D float64 or float32 array";
    if (!s && !dtype_ok(&nh, want_labels)) s = gk_fail(err, GK_EINVAL, "%s: dtype '%s'; expected %s", path, nh.descr, want);
    int shape_ok = want_labels ? nh.ndim == 1 || (nh.ndim == 2 && nh.shape[1] == 1) : nh.ndim == 2;
    if (!s && !shape_ok) {
        char shape[64];
        if (nh.ndim == 0) snprintf(shape, sizeof shape, "()");
        else if (nh.ndim == 1) snprintf(shape, sizeof shape, "(%zu,)", nh.shape[0]);
        else snprintf(shape, sizeof shape, "(%zu, %zu)", nh.shape[0], nh.shape[1]);
        s = gk_fail(err, GK_EINVAL, "%s: shape %s; expected %s", path, shape, want);
    }
    if (!s) {
        *rows = nh.shape[0];
        *cols = nh.ndim == 2 ? nh.shape[1] : 1;
        if (*cols && *rows > GK_USERDATA_MAX_VALUES / *cols)
            s = gk_fail(err, GK_EINVAL, "%s: shape (%zu, %zu) has more than %zu values", path, *rows, *cols, GK_USERDATA_MAX_VALUES);
    }
    if (!s) s = npy_data(f, path, &nh, *rows, *cols, out, err);
    fclose(f);
    return s;
}

gk_status gk_userdata_read_npy(const char *x_path, const char *y_path, gk_userdata *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    size_t n, d, ny, one;
    gk_status s = npy_read(x_path, 0, &out->X, &n, &d, err);
    if (!s) s = npy_read(y_path, 1, &out->y, &ny, &one, err);
    if (!s && ny != n) s = gk_fail(err, GK_EINVAL, "%s has %zu rows but %s has %zu labels: expected one label per row", x_path, n, y_path, ny);
    if (!s && (n == 0 || d == 0)) s = gk_fail(err, GK_EINVAL, "%s: shape (%zu, %zu): expected at least one row and one feature", x_path, n, d);
    if (s) gk_userdata_free(out);
    else out->n = n, out->d = d;
    return s;
}

static int ends_with(const char *s, size_t len, const char *suffix) {
    size_t k = strlen(suffix);
    return len >= k && !strncmp(s + len - k, suffix, k);
}

gk_status gk_userdata_read(const char *spec, gk_userdata *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    const char *comma = strchr(spec, ',');
    if (comma) {
        char x[1024];
        size_t len = (size_t)(comma - spec);
        if (len >= sizeof x || !ends_with(spec, len, ".npy") || !ends_with(comma + 1, strlen(comma + 1), ".npy"))
            return gk_fail(err, GK_EINVAL, "data '%s': expected FILE.csv or X.npy,y.npy", spec);
        memcpy(x, spec, len);
        x[len] = '\0';
        return gk_userdata_read_npy(x, comma + 1, out, err);
    }
    if (ends_with(spec, strlen(spec), ".csv")) return gk_userdata_read_csv(spec, out, err);
    return gk_fail(err, GK_EINVAL, "data '%s': expected FILE.csv (features then the label) or X.npy,y.npy", spec);
}

gk_status gk_userdata_check_keys(const char *train, const char *test, gk_error *err) {
    for (int k = 0; k < 2; k++) {
        const char *key = k ? "test" : "train", *v = k ? test : train;
        if (!v[0]) return gk_fail(err, GK_EINVAL, "data=file needs %s=FILE.csv or %s=X.npy,y.npy", key, key);
    }
    return GK_OK;
}

gk_status gk_userdata_read_pair(const char *train, const char *test, gk_userdata *tr, gk_userdata *te, gk_error *err) {
    gk_status s = gk_userdata_read(train, tr, err);
    if (!s) s = gk_userdata_read(test, te, err);
    if (s) gk_userdata_free(tr), gk_userdata_free(te);
    return s;
}
