/* test_userdata.c: the user data reader (src/data/userdata.c): CSV with and without a header, .npy pairs
 * (float64/float32 features, integer/float labels, C and Fortran order, format 1.0 and 2.0), round trip with
 * the --save-data writer, and every bad file: the message names the file, the line or shape, and the form. */
#include "check.h"
#include "data/userdata.h"
#include "io/samples_csv.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/gk_userdata_XXXXXX";

static const char *path_of(const char *name) {
    static char buf[64][512];
    static int k;
    char *p = buf[k++ % 64];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static const char *write_text(const char *name, const char *text) {
    const char *p = path_of(name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

/* A .npy file: version (1 or 2), dtype, shape text, fortran flag and raw data. */
static const char *write_npy(const char *name, int version, const char *descr, const char *shape, int fortran,
                             const void *data, size_t bytes) {
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
                     fortran ? "True" : "False", shape);
    size_t pre = version == 1 ? 10 : 12, total = pre + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64, hlen = (size_t)n + pad + 1;
    const char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    fwrite("\x93NUMPY", 1, 6, f);
    unsigned char v[6] = {(unsigned char)version, 0, (unsigned char)(hlen & 255), (unsigned char)(hlen >> 8), 0, 0};
    fwrite(v, 1, version == 1 ? 4 : 6, f);
    fwrite(dict, 1, (size_t)n, f);
    for (size_t i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    fwrite(data, 1, bytes, f);
    fclose(f);
    return p;
}

/* Reads spec and expects failure with a message containing every needle. */
static void expect_error(const char *spec, gk_status want, const char *n1, const char *n2) {
    gk_userdata u;
    gk_error err = {{0}};
    gk_status s = gk_userdata_read(spec, &u, &err);
    GK_CHECK_MSG(s == want, "%s: status %d, want %d (%s)", spec, s, want, err.msg);
    GK_CHECK_MSG(strstr(err.msg, n1) && (!n2 || strstr(err.msg, n2)), "message '%s' lacks '%s' / '%s'", err.msg, n1, n2 ? n2 : "");
    GK_CHECK(u.X == NULL && u.y == NULL && u.n == 0);
}

static void test_csv(void) {
    gk_userdata u;
    gk_error err = {{0}};
    const char *p = write_text("h.csv", "x0,x1,label\n1.5, -2 ,1\r\n\n3e-1,4,-1\n");
    GK_CHECK(gk_userdata_read(p, &u, &err) == GK_OK);
    GK_CHECK(u.n == 2 && u.d == 2);
    GK_CHECK(u.X[0] == 1.5 && u.X[1] == -2 && u.X[2] == 0.3 && u.X[3] == 4 && u.y[0] == 1 && u.y[1] == -1);
    gk_userdata_free(&u);
    p = write_text("noh.csv", "0.25,0.5,0.75,2\n1,2,3,0");
    GK_CHECK(gk_userdata_read(p, &u, &err) == GK_OK && u.n == 2 && u.d == 3 && u.y[0] == 2 && u.X[5] == 3);
    gk_userdata_free(&u);

    expect_error(write_text("ragged.csv", "a,b,y\n1,2,1\n1,2\n"), GK_EINVAL, "ragged.csv:3: 2 fields, expected 3", "as on line 1");
    expect_error(write_text("text.csv", "1,2,1\n1,x,1\n"), GK_EINVAL, "text.csv:2: field 2 ('x') is not a number", NULL);
    expect_error(write_text("nan.csv", "1,2,1\n1,nan,1\n"), GK_EINVAL, "nan.csv:2: field 2 is nan", "finite");
    expect_error(write_text("empty.csv", ""), GK_EINVAL, "empty.csv: no data rows", "features then the label");
    expect_error(write_text("header.csv", "a,b,y\n"), GK_EINVAL, "header.csv: no data rows", NULL);
    expect_error(write_text("one.csv", "1\n2\n"), GK_EINVAL, "one.csv:1: one field", "features then the label");
    expect_error(path_of("absent.csv"), GK_EINVAL, "absent.csv", NULL);
    expect_error("data.txt", GK_EINVAL, "data.txt", "FILE.csv");
    /* A line beyond the bound is refused, not read whole. */
    size_t big = GK_USERDATA_MAX_LINE + 10;
    char *line = malloc(big + 2);
    memset(line, '1', big);
    strcpy(line + big, "\n");
    expect_error(write_text("long.csv", line), GK_EINVAL, "long.csv:1: line longer than", NULL);
    free(line);
}

/* The CSV that --save-data writes reads back exactly. */
static void test_roundtrip(void) {
    double X[6] = {0.1, -1.0 / 3, 1e-300, 2.5, 7, -0.0}, y[3] = {1, -1, 1};
    const double *labels[1] = {y};
    const char *names[1] = {"y"};
    gk_error err = {{0}};
    GK_CHECK(gk_write_dense_samples_csv(dir, "train.csv", X, 3, 2, labels, names, 1, &err) == GK_OK);
    gk_userdata u;
    GK_CHECK(gk_userdata_read(path_of("train.csv"), &u, &err) == GK_OK);
    GK_CHECK(u.n == 3 && u.d == 2 && !memcmp(u.X, X, sizeof X) && !memcmp(u.y, y, sizeof y));
    gk_userdata_free(&u);
}

static void test_npy(void) {
    double X[6] = {1, 2, 3, 4, 5, 6};
    float Xf[6] = {1, 2, 3, 4, 5, 6};
    double Xt[6] = {1, 4, 2, 5, 3, 6}; /* the same 2 x 3 matrix in Fortran order */
    int64_t y[2] = {1, -1};
    unsigned char yb[2] = {1, 0};
    char spec[1100];
    gk_userdata u;
    gk_error err = {{0}};
    const char *cases[][2] = {{"<f8", "C"}, {"<f4", "C"}, {"<f8", "F"}};
    const void *data[] = {X, Xf, Xt};
    size_t bytes[] = {sizeof X, sizeof Xf, sizeof Xt};
    for (int c = 0; c < 3; c++) {
        const char *xp = write_npy("X.npy", c == 2 ? 2 : 1, cases[c][0], "(2, 3)", cases[c][1][0] == 'F', data[c], bytes[c]);
        const char *yp = write_npy("y.npy", 1, "<i8", "(2,)", 0, y, sizeof y);
        snprintf(spec, sizeof spec, "%s,%s", xp, yp);
        GK_CHECK_MSG(gk_userdata_read(spec, &u, &err) == GK_OK, "%s", err.msg);
        GK_CHECK_MSG(u.n == 2 && u.d == 3 && !memcmp(u.X, X, sizeof X) && u.y[0] == 1 && u.y[1] == -1, "case %d", c);
        gk_userdata_free(&u);
    }
    const char *xp = write_npy("X.npy", 1, "<f8", "(2, 3)", 0, X, sizeof X);
    const char *yp = write_npy("yb.npy", 1, "|b1", "(2,)", 0, yb, sizeof yb);
    GK_CHECK(gk_userdata_read_npy(xp, yp, &u, &err) == GK_OK && u.y[0] == 1 && u.y[1] == 0);
    gk_userdata_free(&u);

    yp = write_npy("y.npy", 1, "<i8", "(2,)", 0, y, sizeof y);
    struct { const char *x, *y, *n1, *n2; } bad[] = {
        {write_npy("short.npy", 1, "<f8", "(2, 3)", 0, X, 40), yp, "short.npy: shape (2, 3) of '<f8' needs 48 data bytes, the file has 40", "truncated"},
        {write_npy("long.npy", 1, "<f8", "(2, 2)", 0, X, 48), yp, "long.npy", "trailing data"},
        {write_npy("be.npy", 1, ">f8", "(2, 3)", 0, X, 48), yp, "be.npy: dtype '>f8' is big-endian", "<f8"},
        {write_npy("int.npy", 1, "<i8", "(2, 3)", 0, X, 48), yp, "int.npy: dtype '<i8'", "2-D float64 or float32"},
        {write_npy("vec.npy", 1, "<f8", "(6,)", 0, X, 48), yp, "vec.npy: shape (6,)", "2-D float64"},
        {write_npy("cube.npy", 1, "<f8", "(1, 2, 3)", 0, X, 48), yp, "cube.npy", "3 or more dimensions"},
        {xp, write_npy("y2.npy", 1, "<f8", "(2, 3)", 0, X, 48), "y2.npy: shape (2, 3)", "1-D array"},
        {xp, write_npy("y3.npy", 1, "<i8", "(3,)", 0, X, 24), "has 2 rows but", "y3.npy has 3 labels"},
        {xp, write_npy("yobj.npy", 1, "|O", "(2,)", 0, X, 16), "yobj.npy: dtype '|O'", NULL},
        {write_text("text.npy", "not numpy"), yp, "text.npy: not a .npy file", NULL},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        snprintf(spec, sizeof spec, "%s,%s", bad[k].x, bad[k].y);
        expect_error(spec, GK_EINVAL, bad[k].n1, bad[k].n2);
    }
    double inf[6] = {1, 2, 3, 4, 1.0 / 0.0, 6};
    snprintf(spec, sizeof spec, "%s,%s", write_npy("inf.npy", 1, "<f8", "(2, 3)", 0, inf, 48), yp);
    expect_error(spec, GK_EINVAL, "inf.npy: element [1, 1] is inf", "finite");
    expect_error("X.npy,y.csv", GK_EINVAL, "X.npy,y.csv", "X.npy,y.npy");
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    GK_RUN(test_csv);
    GK_RUN(test_roundtrip);
    GK_RUN(test_npy);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    return gk_test_summary();
}
