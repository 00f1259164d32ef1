/* test_images.c: the IDX reader (good, truncated, wrong magic, wrong size; gzip and raw), the npm digits JSON
 * reader (good and malformed), the deep MLP (finite-difference gradients with MSE and cross-entropy, both
 * forwards; thread-count independence), the minibatch cycle, and two AdamW steps on minibatches against a
 * hand computation (issue 7). Fixtures are written into a temp dir by the test itself. */
#include "check.h"
#include "gradcheck.h"

#include "data/digits_json.h"
#include "data/idx.h"
#include "model/mlp_deep.h"
#include "train/sampler.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[256];

static void path_of(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", tmpdir, name); }

static void write_raw(const char *name, const unsigned char *b, size_t n) {
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    GK_ASSERT(f);
    if (n) GK_ASSERT(fwrite(b, 1, n, f) == n);
    fclose(f);
}

static void write_gz(const char *name, const unsigned char *b, size_t n) {
    char p[512];
    path_of(p, sizeof p, name);
    gzFile f = gzopen(p, "wb");
    GK_ASSERT(f);
    GK_ASSERT(gzwrite(f, b, (unsigned)n) == (int)n);
    gzclose(f);
}

/* An IDX3 image file of n images of r x c (pixel (i, k) = 10 i + k) into buf; returns its length. */
static size_t make_idx3(unsigned char *buf, unsigned n, unsigned r, unsigned c) {
    unsigned char h[16] = {0, 0, 8, 3, 0, 0, 0, (unsigned char)n, 0, 0, 0, (unsigned char)r, 0, 0, 0, (unsigned char)c};
    memcpy(buf, h, 16);
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < r * c; k++) buf[16 + i * r * c + k] = (unsigned char)(10 * i + k);
    return 16 + (size_t)n * r * c;
}

static size_t make_idx1(unsigned char *buf, unsigned n) {
    unsigned char h[8] = {0, 0, 8, 1, 0, 0, 0, (unsigned char)n};
    memcpy(buf, h, 8);
    for (unsigned i = 0; i < n; i++) buf[8 + i] = (unsigned char)((3 * i + 1) % 10);
    return 8 + n;
}

/* Reading `name` fails with GK_EINVAL (a malformed file is bad input), the message names the file and contains
 * `needle`, and *out is empty. */
static void expect_idx_error(const char *name, const char *needle) {
    char p[512];
    path_of(p, sizeof p, name);
    gk_idx x;
    gk_error err = {{0}};
    memset(&x, 0x5a, sizeof x);
    gk_status s = gk_idx_read(p, &x, &err);
    GK_CHECK_MSG(s == (strstr(needle, "cannot open") ? GK_EIO : GK_EINVAL), "%s: status %d", name, (int)s);
    GK_CHECK_MSG(strstr(err.msg, p) && strstr(err.msg, needle), "%s: message '%s' (expected '%s')", name, err.msg, needle);
    GK_CHECK(x.data == NULL && x.count == 0 && x.ndim == 0);
}

static void test_idx_reader(void) {
    unsigned char img[16 + 5 * 12], lab[8 + 5];
    const size_t ni = make_idx3(img, 5, 3, 4), nl = make_idx1(lab, 5);
    write_raw("img-raw", img, ni);
    write_gz("img.gz", img, ni);
    write_raw("lab-raw", lab, nl);
    write_gz("lab.gz", lab, nl);
    const char *good[2] = {"img-raw", "img.gz"};
    for (int k = 0; k < 2; k++) {
        char p[512];
        path_of(p, sizeof p, good[k]);
        gk_idx x;
        gk_error err;
        GK_CHECK_MSG(gk_idx_read(p, &x, &err) == GK_OK, "%s: %s", good[k], err.msg);
        GK_CHECK(x.ndim == 3 && x.dims[0] == 5 && x.dims[1] == 3 && x.dims[2] == 4 && x.count == 60);
        GK_CHECK(x.data && !memcmp(x.data, img + 16, 60));
        gk_idx_free(&x);
    }
    /* a labelled pair, and a selection of it as doubles in [0, 1] */
    char ip[512], lp[512];
    path_of(ip, sizeof ip, "img.gz");
    path_of(lp, sizeof lp, "lab-raw");
    gk_idx im, lb;
    gk_error err;
    GK_CHECK(gk_idx_read(ip, &im, &err) == GK_OK && gk_idx_read(lp, &lb, &err) == GK_OK);
    GK_CHECK(gk_idx_check_pair(&im, &lb, ip, lp, &err) == GK_OK);
    const size_t pick[2] = {4, 1};
    gk_image_set S;
    GK_CHECK(gk_idx_select(&im, &lb, pick, 2, &S, &err) == GK_OK);
    GK_CHECK(S.n == 2 && S.d == 12 && S.classes == 10 && S.y[0] == 3 && S.y[1] == 4);
    GK_CHECK(S.x[0] == 40.0 / 255.0 && S.x[12 + 11] == 21.0 / 255.0);
    gk_image_set_free(&S);
    /* pairs that do not belong together */
    GK_CHECK(gk_idx_check_pair(&lb, &lb, lp, lp, &err) == GK_EINVAL && strstr(err.msg, "3 dimensions"));
    unsigned char lab4[8 + 4];
    write_raw("lab4", lab4, make_idx1(lab4, 4));
    gk_idx l4;
    char p4[512];
    path_of(p4, sizeof p4, "lab4");
    GK_CHECK(gk_idx_read(p4, &l4, &err) == GK_OK);
    GK_CHECK(gk_idx_check_pair(&im, &l4, ip, p4, &err) == GK_EINVAL && strstr(err.msg, "5 images") && strstr(err.msg, "4 labels"));
    l4.data[2] = 12;
    GK_CHECK(gk_idx_check_pair(&im, &lb, ip, lp, &err) == GK_OK);
    lb.data[2] = 12;
    GK_CHECK(gk_idx_check_pair(&im, &lb, ip, lp, &err) == GK_EINVAL && strstr(err.msg, "label 12"));
    gk_idx_free(&l4);
    gk_idx_free(&im);
    gk_idx_free(&lb);

    /* truncated: in the data, in the dimensions, in the magic; raw and gzip; and a gzip stream cut short */
    write_raw("trunc-data", img, ni - 7);
    write_gz("trunc-data.gz", img, ni - 7);
    write_raw("trunc-dims", img, 10);
    write_raw("trunc-magic", img, 3);
    write_raw("empty", img, 0);
    expect_idx_error("trunc-data", "truncated");
    expect_idx_error("trunc-data.gz", "truncated");
    expect_idx_error("trunc-dims", "truncated");
    expect_idx_error("trunc-magic", "truncated");
    expect_idx_error("empty", "truncated");
    {
        char p[512];
        path_of(p, sizeof p, "img.gz");
        FILE *f = fopen(p, "rb");
        unsigned char gz[1024];
        size_t len = fread(gz, 1, sizeof gz, f);
        fclose(f);
        write_raw("cut.gz", gz, len / 2);
        expect_idx_error("cut.gz", "cut.gz");
        gz[len / 2] ^= 0xff; /* a damaged stream (or a CRC mismatch) */
        gz[len / 2 + 1] ^= 0xff;
        write_raw("bad.gz", gz, len);
        expect_idx_error("bad.gz", "bad.gz");
    }
    /* one header byte changed: wrong magic (not starting with 00 00, an unsupported type, too many dimensions)
     * and wrong sizes (the header disagrees with the length: extra bytes, a larger or a zero dimension) */
    static const struct {
        const char *name;
        int at;
        unsigned char v;
        const char *expect;
    } patch[] = {{"magic0", 0, 0x1f, "bad magic"},         {"type", 2, 0x0d, "not supported"} /* float */,
                 {"ndim", 3, 9, "bad magic"},              {"size-extra", 7, 4, "trailing data"} /* 4 images, holds 5 */,
                 {"size-short", 7, 6, "truncated"} /* 6 */, {"size-zero", 11, 0, "dimension 2 is 0"}};
    unsigned char bad[sizeof img];
    for (size_t k = 0; k < sizeof patch / sizeof *patch; k++) {
        memcpy(bad, img, ni);
        bad[patch[k].at] = patch[k].v;
        write_raw(patch[k].name, bad, ni);
        expect_idx_error(patch[k].name, patch[k].expect);
    }
    memcpy(bad, img, ni);
    bad[7] = 4;
    write_gz("size-extra.gz", bad, ni);
    expect_idx_error("size-extra.gz", "trailing data");
    memcpy(bad, img, ni);
    bad[4] = bad[8] = bad[12] = 0xff; /* 2^24 x 2^24 x 2^24 */
    write_raw("size-huge", bad, ni);
    expect_idx_error("size-huge", "plausible");
    expect_idx_error("does-not-exist", "cannot open");
    /* finding files: .gz first, raw, and the dotted spelling */
    char found[600];
    write_raw("train-images-idx3-ubyte", img, ni);
    write_gz("t10k-images.idx3-ubyte.gz", img, ni);
    GK_CHECK(gk_idx_find(tmpdir, "train-images-idx3-ubyte", found, sizeof found, &err) == GK_OK &&
             strstr(found, "train-images-idx3-ubyte") && !strstr(found, ".gz"));
    GK_CHECK(gk_idx_find(tmpdir, "t10k-images-idx3-ubyte", found, sizeof found, &err) == GK_OK &&
             strstr(found, "t10k-images.idx3-ubyte.gz"));
    GK_CHECK(gk_idx_find(tmpdir, "t10k-labels-idx1-ubyte", found, sizeof found, &err) == GK_EIO &&
             strstr(err.msg, "t10k-labels-idx1-ubyte") && strstr(err.msg, tmpdir));
}

/* ---- digits JSON -------------------------------------------------------------------------------- */

/* {"data": [...]} with m images of 784 pixels, pixel (i, k) = ((i + k + label) % 11) / 10; `extra` numbers
 * appended and `bad` placed at position 5 if not NULL. */
static void write_digits(const char *name, int label, int m, int extra, const char *bad) {
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    GK_ASSERT(f);
    fprintf(f, "{ \"data\": [");
    int first = 1;
    for (int i = 0; i < m; i++)
        for (int k = 0; k < 784; k++) {
            if (bad && i == 0 && k == 5) fprintf(f, "%s%s", first ? "" : ",", bad);
            else fprintf(f, "%s%g", first ? "" : ",", (double)((i + k + label) % 11) / 10.0);
            first = 0;
        }
    for (int e = 0; e < extra; e++) fprintf(f, ",0.5");
    fprintf(f, "]}");
    fclose(f);
}

static void expect_json_error(const char *name, const char *needle) {
    char p[512];
    path_of(p, sizeof p, name);
    gk_image_set S;
    memset(&S, 0, sizeof S);
    gk_error err = {{0}};
    gk_status want = strstr(needle, "cannot open") ? GK_EIO : GK_EINVAL;
    GK_CHECK_MSG(gk_digits_json_read_file(p, 0, &S, &err) == want, "%s accepted", name);
    GK_CHECK_MSG(strstr(err.msg, p) && strstr(err.msg, needle), "%s: message '%s' (expected '%s')", name, err.msg, needle);
    GK_CHECK(S.n == 0);
    gk_image_set_free(&S);
}

static void test_digits_json(void) {
    char sub[300];
    snprintf(sub, sizeof sub, "%s/digits", tmpdir);
    GK_ASSERT(mkdir(sub, 0700) == 0);
    for (int K = 0; K < 10; K++) {
        char name[64];
        snprintf(name, sizeof name, "digits/%d.json", K);
        write_digits(name, K, K % 3 + 1, 0, NULL);
    }
    gk_image_set S;
    gk_error err;
    GK_CHECK_MSG(gk_digits_json_load(sub, &S, &err) == GK_OK, "%s", err.msg);
    size_t want = 0;
    for (int K = 0; K < 10; K++) want += (size_t)(K % 3 + 1);
    GK_CHECK(S.n == want && S.d == 784 && S.classes == 10);
    /* digit 0 first (1 image), then two images of 1: image 2 is the second image of digit 1 */
    GK_CHECK(S.y[0] == 0 && S.y[1] == 1 && S.y[2] == 1 && S.y[3] == 2 && S.y[S.n - 1] == 9);
    GK_CHECK(S.x[2 * 784 + 7] == (double)((1 + 7 + 1) % 11) / 10.0);
    gk_image_set_free(&S);
    /* malformed */
    write_raw("notjson.json", (const unsigned char *)"{ \"data\": [0, 0.5,", 18);
    write_raw("noarray.json", (const unsigned char *)"{ \"pixels\": [0] }", 17);
    write_raw("array.json", (const unsigned char *)"[0, 1]", 6);
    write_digits("len.json", 0, 1, 1, NULL);
    write_digits("range.json", 0, 1, 0, "1.5");
    write_digits("neg.json", 0, 1, 0, "-0.1");
    write_digits("str.json", 0, 1, 0, "\"x\"");
    write_raw("emptyarr.json", (const unsigned char *)"{\"data\": []}", 12);
    expect_json_error("notjson.json", "not valid JSON");
    expect_json_error("noarray.json", "expected an object");
    expect_json_error("array.json", "expected an object");
    expect_json_error("len.json", "785 numbers");
    expect_json_error("range.json", "[5] is out of range");
    expect_json_error("neg.json", "out of range");
    expect_json_error("str.json", "not a number");
    expect_json_error("emptyarr.json", "0 numbers");
    expect_json_error("missing.json", "cannot open");
    /* a missing file in a folder fails the whole load, naming that file */
    char p[512];
    path_of(p, sizeof p, "digits/7.json");
    unlink(p);
    GK_CHECK(gk_digits_json_load(sub, &S, &err) == GK_EIO && strstr(err.msg, "7.json") && S.n == 0 && !S.x);
}

/* ---- the deep MLP ------------------------------------------------------------------------------- */

/* Central differences of the loss on every parameter (h = 1e-6): relative error below 1e-5 (denominator at
 * least 1e-6); a second backward adds the same gradient. */
static void grad_check(int depth, gk_mlp_forward fwd, double out_scale, int xent, int sparse) {
    const size_t n = 7, d = 6, h = 5;
    const int k = 4;
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_deep_create(&m, d, h, depth, k, fwd, out_scale, &err) == GK_OK);
    const size_t P = m.params.size;
    GK_CHECK(P == (depth == 1 ? d * k + k : d * h + h + (size_t)(depth - 2) * (h * h + h) + h * k + k));
    double *theta = malloc(P * sizeof(double)), *x = malloc(n * d * sizeof(double));
    int y[7];
    gk_model_init(&m, fwd == GK_MLP_NTK ? 1.0 : 2.0, 5, theta);
    gk_rng r;
    gk_rng_seed(&r, 9, 1);
    for (size_t i = 0; i < n * d; i++) x[i] = gk_rng_uniform(&r) < 0.4 ? 0.0 : gk_rng_uniform(&r); /* some zero pixels */
    gk_mlp_deep_set_sparse_input(&m, sparse);
    GK_CHECK(gk_mlp_deep_reserve_input(&m, 0, n * d, &err) == GK_OK);
    for (size_t i = 0; i < P; i++) theta[i] += 0.1 * gk_rng_normal(&r); /* nonzero biases in the ntk init too */
    for (size_t i = 0; i < n; i++) y[i] = (int)(i % (size_t)k);
    gk_dense_input X = {n, d, x, NULL, NULL};
    gk_gradcheck_result res;
    gk_gradcheck(&m, theta, &X, n, xent ? gk_gc_xent : gk_gc_mse_onehot, y, &(gk_gradcheck_opts){.h = 1e-6, .floor = 1e-6}, &res);
    GK_CHECK_MSG(res.gmax > 0 && res.max_rel < 1e-5, "depth %d %s %s%s: worst relative error %g", depth, fwd ? "ntk" : "standard",
                 xent ? "xent" : "mse", sparse ? " sparse" : "", res.max_rel);
    GK_CHECK(res.accum_err < 1e-12);
    free(theta);
    free(x);
    gk_model_free(&m);
}

static void test_mlp_gradients(void) {
    for (int xent = 0; xent < 2; xent++) {
        for (int sparse = 0; sparse < 2; sparse++) {
            grad_check(3, GK_MLP_STANDARD, 1.0, xent, sparse);
            grad_check(3, GK_MLP_NTK, 0.7, xent, sparse);
            grad_check(1, GK_MLP_STANDARD, 1.0, xent, sparse);
            grad_check(4, GK_MLP_STANDARD, 2.5, xent, sparse);
        }
    }
}

/* PyTorch's default nn.Linear init times init_scale: every weight and bias in +-scale/sqrt(fan_in), spread
 * over the whole interval (variance scale^2 / (3 fan_in)). */
static void test_mlp_init(void) {
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_deep_create(&m, 784, 200, 3, 10, GK_MLP_STANDARD, 1.0, &err) == GK_OK);
    double *theta = malloc(m.params.size * sizeof(double));
    gk_model_init(&m, 8.0, 1, theta);
    for (int t = 0; t < m.params.count; t++) {
        const gk_tensor *T = &m.params.t[t];
        const double fi = t < 2 ? 784 : 200, bound = 8.0 / sqrt(fi);
        double mx = 0, ss = 0;
        const size_t cnt = T->rows * T->cols;
        for (size_t i = 0; i < cnt; i++) mx = fmax(mx, fabs(theta[T->offset + i])), ss += theta[T->offset + i] * theta[T->offset + i];
        GK_CHECK_MSG(mx <= bound && (cnt < 100 || mx > 0.95 * bound), "%s: max %g bound %g", T->name, mx, bound);
        if (cnt > 1000) GK_CHECK_CLOSE(ss / (double)cnt, bound * bound / 3, 0, 0.05);
    }
    /* the total norm at scale 8 (calibration.md: 93.7 in PyTorch) */
    GK_CHECK_CLOSE(gk_norm2(theta, m.params.size), 93.7, 1.0, 0);
    free(theta);
    gk_model_free(&m);
}

/* Forward (outputs) and backward (gradients) of one input, on t threads. */
static void fwd_bwd(gk_model *m, const double *theta, const gk_dense_input *X, const double *dl, int t, double *out,
                    double *g) {
    gk_error err;
    omp_set_num_threads(t);
    memset(g, 0, m->params.size * sizeof(double));
    GK_CHECK(gk_model_forward(m, theta, X, X->n, out, &err) == GK_OK);
    gk_model_backward(m, theta, X, X->n, dl, g);
}

static double max_rel(const double *a, const double *b, size_t n) {
    double w = 0;
    for (size_t i = 0; i < n; i++) w = fmax(w, fabs(a[i] - b[i]) / (1e-300 + fmax(fabs(a[i]), fabs(b[i]))));
    return w;
}

/* Forward and backward give bitwise the same numbers on 1 and 2 threads (several row slices: the dgemm slices
 * depend on the row count only), on the dense and on the sparse first layer, with the rows given directly or
 * as indices into a larger set (with and without its precomputed nonzeros). The sparse path agrees with the
 * dense one to rounding. Sizes: n = 200 (the batch: 2 slices of 100) and n = 150; ~60% zero inputs. */
static void test_mlp_threads(void) {
    const size_t N = 300, d = 70, h = 90;
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_deep_create(&m, d, h, 3, 10, GK_MLP_STANDARD, 1.0, &err) == GK_OK);
    const size_t P = m.params.size;
    double *theta = malloc(P * sizeof(double)), *x = malloc(N * d * sizeof(double)), *xc = malloc(N * d * sizeof(double));
    double *dl = malloc(N * 10 * sizeof(double)), *out[4], *g[4];
    size_t rows[300];
    gk_model_init(&m, 3.0, 2, theta);
    GK_CHECK(gk_model_reserve(&m, 200, &err) == GK_OK && gk_mlp_deep_reserve_input(&m, 200, 200 * d, &err) == GK_OK);
    gk_rng r;
    gk_rng_seed(&r, 3, 3);
    for (size_t i = 0; i < N * d; i++) x[i] = gk_rng_uniform(&r) < 0.6 ? 0.0 : gk_rng_uniform(&r);
    for (size_t i = 0; i < N * 10; i++) dl[i] = gk_rng_normal(&r);
    for (size_t i = 0; i < N; i++) rows[i] = i;
    gk_rng_shuffle(&r, rows, N);
    for (size_t i = 0; i < N; i++) memcpy(xc + i * d, x + rows[i] * d, d * sizeof(double)); /* rows copied out */
    gk_sparse_rows nz;
    GK_CHECK(gk_sparse_rows_build(x, N, d, &nz, &err) == GK_OK);
    size_t cnt = 0;
    for (size_t i = 0; i < N * d; i++) cnt += x[i] != 0.0;
    GK_CHECK(nz.nnz == cnt && nz.start[N] == cnt && nz.n == N);
    for (int k = 0; k < 4; k++) out[k] = malloc(N * 10 * sizeof(double)), g[k] = malloc(P * sizeof(double));
    const size_t sizes[2] = {200, 150};
    for (int si = 0; si < 2; si++) {
        const size_t n = sizes[si];
        for (int sparse = 0; sparse < 2; sparse++) {
            gk_mlp_deep_set_sparse_input(&m, sparse);
            gk_dense_input Xc = {n, d, xc, NULL, NULL}, Xr = {n, d, x, rows, NULL}, Xz = {n, d, x, rows, &nz};
            fwd_bwd(&m, theta, &Xc, dl, 1, out[0], g[0]);
            fwd_bwd(&m, theta, &Xc, dl, 2, out[1], g[1]);
            GK_CHECK_MSG(!memcmp(out[0], out[1], n * 10 * sizeof(double)) && !memcmp(g[0], g[1], P * sizeof(double)),
                         "n %zu sparse %d: 1 and 2 threads differ", n, sparse);
            fwd_bwd(&m, theta, &Xr, dl, 2, out[1], g[1]);
            GK_CHECK_MSG(!memcmp(out[0], out[1], n * 10 * sizeof(double)) && !memcmp(g[0], g[1], P * sizeof(double)),
                         "n %zu sparse %d: row indices differ from copied rows", n, sparse);
            fwd_bwd(&m, theta, &Xz, dl, 1, out[1], g[1]);
            GK_CHECK_MSG(!memcmp(out[0], out[1], n * 10 * sizeof(double)) && !memcmp(g[0], g[1], P * sizeof(double)),
                         "n %zu sparse %d: precomputed nonzeros differ", n, sparse);
            if (sparse) {
                GK_CHECK_MSG(max_rel(out[0], out[2], n * 10) < 1e-12 && max_rel(g[0], g[3], P) < 1e-10,
                             "n %zu: sparse and dense paths differ by %g (outputs) %g (gradients)", n,
                             max_rel(out[0], out[2], n * 10), max_rel(g[0], g[3], P));
            } else {
                memcpy(out[2], out[0], n * 10 * sizeof(double));
                memcpy(g[3], g[0], P * sizeof(double));
            }
        }
    }
    gk_mlp_deep_set_sparse_input(&m, 0);
    omp_set_num_threads(1);
    for (int k = 0; k < 4; k++) free(out[k]), free(g[k]);
    gk_sparse_rows_free(&nz);
    free(theta);
    free(x);
    free(xc);
    free(dl);
    gk_model_free(&m);
}

/* ---- minibatches and AdamW ----------------------------------------------------------------------- */

static void test_batch_cycle(void) {
    gk_batch_cycle c, c2;
    gk_error err;
    GK_CHECK(gk_batch_cycle_init(&c, 10, 4, 7, &err) == GK_OK && gk_batch_cycle_init(&c2, 10, 4, 8, &err) == GK_OK);
    size_t sizes[6], differ = 0;
    for (int epoch = 0; epoch < 2; epoch++) {
        int seen[10] = {0};
        for (int b = 0; b < 3; b++) {
            const size_t *idx, *idx2;
            sizes[epoch * 3 + b] = gk_batch_cycle_next(&c, &idx);
            size_t s2 = gk_batch_cycle_next(&c2, &idx2);
            GK_CHECK(s2 == sizes[epoch * 3 + b]);
            for (size_t i = 0; i < sizes[epoch * 3 + b]; i++) seen[idx[i]]++, differ += idx[i] != idx2[i];
        }
        for (int i = 0; i < 10; i++) GK_CHECK_MSG(seen[i] == 1, "epoch %d: item %d seen %d times", epoch, i, seen[i]);
    }
    GK_CHECK(sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 2 && sizes[3] == 4 && sizes[5] == 2);
    GK_CHECK(differ > 0); /* another seed, another order */
    gk_batch_cycle_free(&c);
    gk_batch_cycle_free(&c2);
    GK_CHECK(gk_batch_cycle_init(&c, 3, 200, 1, &err) == GK_OK && c.batch == 3);
    gk_batch_cycle_free(&c);
}

/* Two AdamW steps of a linear model (depth 1) with MSE on one-hot targets, on minibatches of 2 out of 4 samples,
 * against the update written out by hand: f = x W + b (1 input, 2 classes), dL/dW_k = (2/(2*2)) sum_i (f_ik - t_ik) x_i. */
static void test_adamw_minibatch_two_steps(void) {
    const double xs[4] = {1.0, -2.0, 0.5, 3.0};
    const int ys[4] = {0, 1, 1, 0};
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_deep_create(&m, 1, 1, 1, 2, GK_MLP_STANDARD, 1.0, &err) == GK_OK);
    GK_CHECK(m.params.size == 4 && gk_model_reserve(&m, 2, &err) == GK_OK); /* W1 (1 x 2), b1 (2) */
    double theta[4] = {0.3, -0.2, 0.1, 0.05}, grad[4];
    const double lr = 0.1, wd = 0.5, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    gk_adamw o;
    gk_batch_cycle c;
    GK_CHECK(gk_adamw_init(&o, 4, lr, wd, b1, b2, eps, 0, &err) == GK_OK);
    GK_CHECK(gk_batch_cycle_init(&c, 4, 2, 11, &err) == GK_OK);
    double hand[4] = {0.3, -0.2, 0.1, 0.05}, mm[4] = {0}, vv[4] = {0};
    int used[4] = {0};
    for (int t = 1; t <= 2; t++) {
        const size_t *idx;
        const size_t b = gk_batch_cycle_next(&c, &idx);
        GK_CHECK(b == 2);
        double xb[2], f[4], dl[4];
        int yb[2];
        for (size_t i = 0; i < 2; i++) xb[i] = xs[idx[i]], yb[i] = ys[idx[i]], used[idx[i]]++;
        gk_dense_input X = {2, 1, xb, NULL, NULL};
        GK_CHECK(gk_model_forward(&m, theta, &X, 2, f, &err) == GK_OK);
        gk_mse_onehot_loss(f, yb, 2, 2, dl);
        memset(grad, 0, sizeof grad);
        gk_model_backward(&m, theta, &X, 2, dl, grad);
        gk_adamw_step(&o, theta, grad);
        /* by hand */
        double gh[4] = {0};
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 2; k++) {
                double r = hand[k] * xb[i] + hand[2 + k] - (yb[i] == k ? 1.0 : 0.0);
                gh[k] += 0.5 * r * xb[i];
                gh[2 + k] += 0.5 * r;
            }
        for (int p = 0; p < 4; p++) {
            mm[p] = b1 * mm[p] + (1 - b1) * gh[p];
            vv[p] = b2 * vv[p] + (1 - b2) * gh[p] * gh[p];
            const double mhat = mm[p] / (1 - pow(b1, t)), vhat = vv[p] / (1 - pow(b2, t));
            hand[p] = hand[p] * (1 - lr * wd) - lr * mhat / (sqrt(vhat) + eps);
            GK_CHECK_CLOSE(grad[p], gh[p], 1e-15, 1e-12);
        }
    }
    for (int p = 0; p < 4; p++) GK_CHECK_CLOSE(theta[p], hand[p], 1e-15, 1e-12);
    /* the two batches of an epoch cover the 4 samples once */
    for (int i = 0; i < 4; i++) GK_CHECK(used[i] == 1);
    /* the first step moves each coordinate by about lr (Adam's normalised step) plus the decay */
    GK_CHECK(fabs(theta[0] - 0.3) > 0.05);
    gk_adamw_free(&o);
    gk_batch_cycle_free(&c);
    gk_model_free(&m);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gk-test-images-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    GK_RUN(test_idx_reader);
    GK_RUN(test_digits_json);
    GK_RUN(test_mlp_gradients);
    GK_RUN(test_mlp_init);
    GK_RUN(test_mlp_threads);
    GK_RUN(test_batch_cycle);
    GK_RUN(test_adamw_minibatch_two_steps);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return gk_test_summary();
}
