/* serve_cols.c: the rows of a run's metrics.csv as numbers, for the live page (serve.h, /api/cols). The page
 * names the columns it draws and the byte offset it has read up to; the reply holds only those columns of only
 * the complete lines after that offset, as float64 (parsed here by strtod, so exactly the numbers of the text),
 * which the page uses as they come (no text to parse in the browser). Everything is bounded: the text read per
 * request and the numbers sent per request; the page asks again for the rest. */
#include "serve.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TEXT_BYTES (16u << 20)   /* metrics.csv read per request */
#define MAX_REPLY_VALUES (4u << 20)  /* numbers sent per request (32 MB) */
#define MAX_HEADER_BYTES (64u << 10) /* the header line */
#define MAX_FIELDS 1024              /* columns in a header */
#define MAX_WANTED 64                /* columns asked for in one request */

/* The header line of the csv at path, NUL-terminated and without its newline (NULL if there is no complete one
 * yet). *end is the byte offset just past it. */
static char *read_header(int fd, size_t *end) {
    char *h = malloc(MAX_HEADER_BYTES + 1);
    ssize_t got = h ? pread(fd, h, MAX_HEADER_BYTES, 0) : -1;
    char *nl = got > 0 ? memchr(h, '\n', (size_t)got) : NULL;
    if (!nl) {
        free(h);
        return NULL;
    }
    *nl = 0;
    if (nl > h && nl[-1] == '\r') nl[-1] = 0;
    *end = (size_t)(nl - h) + 1;
    return h;
}

/* Splits the header in place into at most MAX_FIELDS names; returns how many. */
static int split_names(char *h, char **names) {
    int n = 0;
    for (char *s = h; n < MAX_FIELDS;) {
        names[n++] = s;
        char *c = strchr(s, ',');
        if (!c) break;
        *c = 0;
        s = c + 1;
    }
    return n;
}

cJSON *gk_serve_csv_columns(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t end;
    char *h = fd >= 0 ? read_header(fd, &end) : NULL, *names[MAX_FIELDS];
    if (fd >= 0) close(fd);
    cJSON *out = cJSON_CreateArray();
    int n = h ? split_names(h, names) : 0;
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(out, cJSON_CreateString(names[i]));
    free(h);
    return out;
}

/* The "cols" argument (names joined by commas) -> for each header field, the slot it fills (-1: not asked for).
 * Returns the number of slots, or -1 (a name not in the header, named twice, or too many). */
static int map_wanted(const char *cols, char **names, int nf, int *slot_of) {
    char buf[MAX_WANTED * 64 + 1], *save = NULL;
    if (!cols || !*cols || strlen(cols) >= sizeof buf) return -1;
    strcpy(buf, cols);
    for (int f = 0; f < nf; f++) slot_of[f] = -1;
    int nw = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), nw++) {
        int f = 0;
        while (f < nf && strcmp(names[f], tok)) f++;
        if (f == nf || slot_of[f] >= 0 || nw == MAX_WANTED) return -1;
        slot_of[f] = nw;
    }
    return nw;
}

/* m * 10^e rounded to the nearest double, when that can be had without strtod's long arithmetic (Clinger's
 * fast path: both factors exact, one rounding; or in 64-bit long double, one rounding, then to double unless the
 * long double sits exactly on a midpoint between two doubles). Returns 0 when it cannot; *out otherwise. */
static int decimal_to_double(uint64_t m, int e, double *out) {
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (m < (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
        *out = e < 0 ? (double)m / p10[-e] : (double)m * p10[e];
        return 1;
    }
#if LDBL_MANT_DIG == 64
    if (e < -27 || e > 27) return 0;
    long double p = 1, r;
    for (int k = 0; k < (e < 0 ? -e : e); k++) p *= 10; /* exact: 5^27 < 2^64 */
    r = e < 0 ? (long double)m / p : (long double)m * p;
    if (r < DBL_MIN || r > DBL_MAX) return 0;
    int ex;
    uint64_t bits = (uint64_t)ldexpl(frexpl(r, &ex), 64);
    if ((bits & 0x7ff) == 0x400) return 0; /* a midpoint: rounding it again could go the wrong way */
    *out = (double)r;
    return 1;
#else
    return 0;
#endif
}

/* One field [s, e) as a number (the nearest double, as strtod gives it): NaN when empty or not a number. Plain
 * decimals ([-]digits[.digits][e[+-]digits], at most 18 significant digits) are converted here, the rest by
 * strtod. */
static double field_value(const char *s, const char *e) {
    if (s == e) return NAN;
    const char *c = s + (*s == '-' || *s == '+');
    uint64_t m = 0;
    int digits = 0, scale = 0, any = 0;
    for (; c < e && *c >= '0' && *c <= '9'; c++, any = 1)
        if (digits < 19) m = m * 10 + (uint64_t)(*c - '0'), digits += m > 0;
        else scale++;
    if (c < e && *c == '.')
        for (c++; c < e && *c >= '0' && *c <= '9'; c++, any = 1)
            if (digits < 19) m = m * 10 + (uint64_t)(*c - '0'), digits += m > 0, scale--;
    int x = 0, xs = 1, xd = 0;
    if (any && c < e && (*c == 'e' || *c == 'E')) {
        c++;
        if (c < e && (*c == '-' || *c == '+')) xs = *c++ == '-' ? -1 : 1;
        for (; c < e && *c >= '0' && *c <= '9' && x < 10000; c++, xd++) x = x * 10 + (*c - '0');
        if (!xd) any = 0;
    }
    double v;
    if (any && c == e && digits < 19 && (m == 0 || decimal_to_double(m, scale + xs * x, &v)))
        return *s == '-' ? -(m ? v : 0.0) : (m ? v : 0.0);
    char *end;
    v = strtod(s, &end);
    return end == e ? v : NAN;
}

/* The numbers of the wanted fields of one line [s, e) into out[slot * rows + row]. */
static void parse_line(const char *s, const char *e, const int *slot_of, int nf, double *out, size_t rows,
                       size_t row, int nw) {
    for (int k = 0; k < nw; k++) out[2 + (size_t)k * rows + row] = NAN;
    for (int f = 0; f < nf && s <= e; f++) {
        const char *c = memchr(s, ',', (size_t)(e - s));
        if (!c) c = e;
        if (slot_of[f] >= 0) out[2 + (size_t)slot_of[f] * rows + row] = field_value(s, c);
        s = c + 1;
    }
}

/* Writes the doubles little-endian whatever the machine (the page reads them as a Float64Array). */
static void to_little_endian(double *v, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &v[i], 8);
        u = __builtin_bswap64(u);
        memcpy(&v[i], &u, 8);
    }
#else
    (void)v;
    (void)n;
#endif
}

/* The text of [from, to) of fd, cut back to whole lines and to at most max_rows lines: *rows of them. */
static char *read_lines(int fd, size_t from, size_t to, size_t max_rows, size_t *len, size_t *rows) {
    size_t want = to - from > MAX_TEXT_BYTES ? MAX_TEXT_BYTES : to - from;
    char *text = malloc(want + 1);
    ssize_t got = text ? pread(fd, text, want, (off_t)from) : -1;
    if (got < 0) {
        free(text);
        return NULL;
    }
    size_t n = 0, k = 0;
    for (char *s = text, *e = text + got; s < e && k < max_rows; k++) {
        char *nl = memchr(s, '\n', (size_t)(e - s));
        if (!nl) break;
        n = (size_t)(nl - text) + 1;
        s = nl + 1;
    }
    *len = n;
    *rows = k;
    return text;
}

/* The reply's body: [rows, next offset, then each wanted column's rows] as float64. */
static double *parse_block(const char *text, size_t len, size_t rows, const int *slot_of, int nf, int nw,
                           size_t next) {
    double *out = malloc((2 + (size_t)nw * rows) * sizeof *out);
    if (!out) return NULL;
    out[0] = (double)rows;
    out[1] = (double)next;
    const char *s = text;
    for (size_t r = 0; r < rows; r++) {
        const char *nl = memchr(s, '\n', len - (size_t)(s - text));
        const char *e = nl > s && nl[-1] == '\r' ? nl - 1 : nl;
        parse_line(s, e, slot_of, nf, out, rows, r, nw);
        s = nl + 1;
    }
    to_little_endian(out, 2 + (size_t)nw * rows);
    return out;
}

typedef struct cols_query {
    long long offset, end; /* end < 0: to the end of the file */
    const char *cols;
} cols_query;

/* Answers a query on an open metrics.csv (fd is closed by the caller). */
static void answer(int fd, size_t size, const cols_query *q, gk_reply *r) {
    size_t hend;
    char *h = read_header(fd, &hend), *names[MAX_FIELDS];
    int slot_of[MAX_FIELDS], nf = h ? split_names(h, names) : 0;
    int nw = h ? map_wanted(q->cols, names, nf, slot_of) : 0;
    if (h && nw < 0) {
        free(h);
        return gk_serve_error(r, 400, "cols: cols=NAME,... names columns of metrics.csv's header (each once, "
                                      "at most 64)");
    }
    size_t from = (size_t)q->offset, to = q->end >= 0 && (size_t)q->end < size ? (size_t)q->end : size;
    if (!h || from < hend) from = h ? hend : 0;
    if (to < from) to = from;
    size_t len = 0, rows = 0;
    char *text = h ? read_lines(fd, from, to, MAX_REPLY_VALUES / (size_t)(nw ? nw : 1), &len, &rows) : NULL;
    double *out = h && text ? parse_block(text, len, rows, slot_of, nf, nw, from + len) : NULL;
    free(text);
    free(h);
    if (!out) {
        double none[2] = {0, (double)from};
        out = malloc(sizeof none);
        if (!out) return gk_serve_error(r, 500, "cols: out of memory");
        memcpy(out, none, sizeof none);
        to_little_endian(out, 2);
        rows = 0;
        nw = 0;
    }
    r->code = 200;
    r->type = "application/octet-stream";
    r->body = (char *)out;
    r->len = (2 + (size_t)nw * rows) * sizeof *out;
}

/* Parses a byte offset (decimal digits only). */
static int parse_offset(const char *s, long long *out) {
    if (!s || !*s || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s)) return -1;
    *out = atoll(s);
    return 0;
}

void gk_serve_cols(const gk_serve *sv, const char *p, const char *offset, const char *end, const char *cols,
                   gk_reply *r) {
    char dir[PATH_MAX], path[PATH_MAX + 32];
    cols_query q = {.end = -1, .cols = cols};
    unsigned code = p ? gk_serve_resolve(sv, p, dir, sizeof dir) : 400;
    if (!code && (parse_offset(offset, &q.offset) || (end && parse_offset(end, &q.end)) || !cols)) code = 400;
    if (code)
        return gk_serve_error(r, code, "cols: p=K/RUN, offset=BYTES (digits), cols=NAME,... and optionally "
                                       "end=BYTES are needed");
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return gk_serve_error(r, 404, "cols: the run has no metrics.csv yet");
    }
    if (q.offset > (long long)st.st_size) {
        close(fd);
        return gk_serve_error(r, 409, "cols: metrics.csv is shorter than offset (it was replaced): start again");
    }
    answer(fd, (size_t)st.st_size, &q, r);
    close(fd);
}
