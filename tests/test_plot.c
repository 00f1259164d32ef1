/* test_plot.c: every kind of figure is written as a real PNG and SVG (or one PNG, SVG or PDF), whole or
 * not at all even on a full disk, with text kept as text; bad places or degenerate data give clean
 * errors or sane figures rather than crashes. */
#define _GNU_SOURCE /* memmem */
#include "fig/plot.h"
#include "fig/overlay.h"
#include "fig/plot_core.h"
#include "fig/run_files.h"
#include "report/web_page.h"

#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pango's fontconfig (used by PLplot's cairo devices for text) keeps a process-wide font cache that it
 * never frees; it does not grow with the number of figures. Keep LeakSanitizer quiet about it only. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static char g_dir[256];

static void path_of(char *buf, size_t len, const char *name, const char *ext) {
    snprintf(buf, len, "%s/%s%s", g_dir, name, ext);
}

/* Both files exist; the PNG has the PNG signature and > 2 kB; the SVG contains "<svg". */
static void check_figure(const char *name) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char png[512], svg[512], buf[4096];
    path_of(png, sizeof png, name, ".png");
    path_of(svg, sizeof svg, name, ".svg");
    struct stat st;
    GK_CHECK_MSG(stat(png, &st) == 0 && st.st_size > 2048, "%s missing or small", png);
    FILE *f = fopen(png, "rb");
    GK_CHECK(f != NULL);
    if (f) {
        size_t n = fread(buf, 1, 8, f);
        GK_CHECK(n == 8 && memcmp(buf, sig, 8) == 0);
        fclose(f);
    }
    f = fopen(svg, "rb");
    GK_CHECK_MSG(f != NULL, "%s missing", svg);
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        GK_CHECK(strstr(buf, "<svg") != NULL);
        fclose(f);
    }
}

/* No hidden temp files (".*.tmp<pid>") remain in dir. */
static int count_temp_files(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

static void base_of(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", g_dir, name); }

/* Two panels: loss on log-log axes, accuracy on log-x, with a predicted transition line. */
static void test_panels(void) {
    enum { N = 200 };
    double t[N], train[N], test[N], acc_tr[N], acc_te[N];
    for (int i = 0; i < N; i++) {
        t[i] = pow(10, 4.0 * i / (N - 1));
        train[i] = 1.0 / (1 + t[i] / 30);
        test[i] = 0.7 / (1 + pow(t[i] / 2000, 2)) + 1e-3;
        acc_tr[i] = 1 - exp(-t[i] / 50);
        acc_te[i] = 0.5 + 0.5 / (1 + exp(-(log10(t[i]) - 3.3) * 6));
    }
    train[0] = 0; /* skipped on the log axis */
    test[5] = NAN;
    gk_panel p[2];
    memset(p, 0, sizeof p);
    p[0] = (gk_panel){.title = "loss", .xlabel = "step", .ylabel = "loss", .logx = 1, .logy = 1, .nseries = 2};
    p[0].series[0] = (gk_series){"train", t, train, N, 0, GK_ROLE_AUTO};
    p[0].series[1] = (gk_series){"test", t, test, N, 2, GK_ROLE_AUTO};
    p[0].vline[0] = 2000, p[0].vline_label[0] = "predicted", p[0].nvlines = 1;
    p[1] = (gk_panel){.title = "accuracy", .xlabel = "step", .ylabel = "accuracy", .logx = 1, .nseries = 2,
                      .ymin = 0.4, .ymax = 1.02};
    p[1].series[0] = (gk_series){"train", t, acc_tr, N, 0, GK_ROLE_AUTO};
    p[1].series[1] = (gk_series){"test", t, acc_te, N, 1, GK_ROLE_AUTO};
    p[1].vline[0] = 2000, p[1].vline_label[0] = "predicted", p[1].nvlines = 1;
    char base[512];
    base_of(base, sizeof base, "panels");
    gk_error err = {{0}};
    gk_status s = gk_plot_panels(base, "grokking: train vs test", p, 2, &err);
    GK_CHECK_MSG(s == GK_OK, "%s", err.msg);
    check_figure("panels");
    /* the same call again overwrites cleanly (a fresh stream each time) */
    s = gk_plot_panels(base, "grokking: train vs test", p, 2, &err);
    GK_CHECK_MSG(s == GK_OK, "%s", err.msg);
    GK_CHECK(count_temp_files(g_dir) == 0);
}

static void test_heatmap(void) {
    enum { NX = 12, NY = 9 };
    double x[NX], y[NY], z[NX * NY], mx[2] = {30, 300}, my[2] = {0.2, 0.6};
    for (int i = 0; i < NX; i++) x[i] = 10 * pow(2, i);
    for (int j = 0; j < NY; j++) y[j] = 0.1 * j;
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) z[j * NX + i] = tanh(log10(x[i]) - 1.5 - 3 * y[j]);
    z[3 * NX + 4] = NAN;
    char base[512];
    base_of(base, sizeof base, "heatmap");
    gk_error err = {{0}};
    gk_status s = gk_plot_heatmap(base, "test accuracy over (n, eta)", "n (samples)", "eta", "test accuracy", x, NX,
                                  y, NY, z, 1, 0, mx, my, 2, &err);
    GK_CHECK_MSG(s == GK_OK, "%s", err.msg);
    check_figure("heatmap");
    /* a non-positive coordinate on a log axis is a clean error */
    x[0] = 0;
    s = gk_plot_heatmap(base, "bad", "x", "y", "z", x, NX, y, NY, z, 1, 0, NULL, NULL, 0, &err);
    GK_CHECK(s == GK_EINVAL && strstr(err.msg, "x[0]") != NULL);
    GK_CHECK(count_temp_files(g_dir) == 0);
}

static void test_matrices(void) {
    enum { R = 8, C = 12 };
    double a[R * C], b[R * C], c[R * C];
    for (int i = 0; i < R * C; i++) {
        a[i] = 0.1 * sin(i);
        b[i] = 0.8 * sin(i * 0.37) * (i % C < 6);
        c[i] = (i % C < 6) ? (i / C % 2 ? 1 : -1) : 0;
    }
    const double *mats[3] = {a, b, c};
    const char *titles[3] = {"step 0", "step 1000", "target"};
    char base[512];
    base_of(base, sizeof base, "matrices");
    gk_error err = {{0}};
    gk_status s = gk_plot_matrices(base, "W over training", titles, mats, 3, R, C, "entry", &err);
    GK_CHECK_MSG(s == GK_OK, "%s", err.msg);
    check_figure("matrices");
}

static void test_histograms(void) {
    enum { N = 500 };
    double a[N], b[N];
    gk_rng r;
    gk_rng_seed(&r, 7, 0);
    for (int i = 0; i < N; i++) {
        a[i] = 0.3 * gk_rng_normal(&r);
        b[i] = (i % 2 ? 1.2 : -1.2) + 0.25 * gk_rng_normal(&r);
    }
    const double *samples[2] = {a, b};
    size_t counts[2] = {N, N};
    const char *labels[2] = {"step 0", "step 5000"};
    char base[512];
    base_of(base, sizeof base, "hist");
    gk_error err = {{0}};
    gk_status s = gk_plot_histograms(base, "<w_j, mu_1> over neurons", "<w_j, mu_1>", labels, samples, counts, 2, 40, &err);
    GK_CHECK_MSG(s == GK_OK, "%s", err.msg);
    check_figure("hist");
}

/* A nonexistent directory and a "directory" that is a regular file: GK_EIO naming the path. */
static void test_unwritable(void) {
    char base[512], file[512];
    snprintf(base, sizeof base, "%s/no/such/dir/fig", g_dir);
    gk_panel p;
    memset(&p, 0, sizeof p);
    gk_error err = {{0}};
    gk_status s = gk_plot_panels(base, "x", &p, 1, &err);
    GK_CHECK(s == GK_EIO);
    GK_CHECK_MSG(strstr(err.msg, base) != NULL, "message: %s", err.msg);
    snprintf(file, sizeof file, "%s/plain.txt", g_dir);
    FILE *f = fopen(file, "w");
    GK_CHECK(f != NULL);
    if (f) fclose(f);
    snprintf(base, sizeof base, "%s/plain.txt/fig", g_dir);
    double v = 1;
    s = gk_plot_histograms(base, "x", "x", NULL, (const double *const[]){&v}, (size_t[]){1}, 1, 5, &err);
    GK_CHECK(s == GK_EIO && strstr(err.msg, base) != NULL);
    s = gk_plot_panels(base, "x", &p, 0, &err);
    GK_CHECK(s == GK_EINVAL);
    remove(file);
    GK_CHECK(count_temp_files(g_dir) == 0);
}

/* Empty series, single points, constant data, all-NaN data, empty grids: figures, no crashes. */
static void test_degenerate(void) {
    double one = 5, consts[4] = {2, 2, 2, 2}, xs[4] = {1, 2, 3, 4}, nans[2] = {NAN, INFINITY}, neg[2] = {-1, 0};
    gk_panel p[3];
    memset(p, 0, sizeof p);
    p[0].nseries = 2, p[0].logx = p[0].logy = 1;
    p[0].series[0] = (gk_series){"empty", NULL, NULL, 0, 0, GK_ROLE_AUTO};
    p[0].series[1] = (gk_series){"nonpositive", neg, neg, 2, 0, GK_ROLE_AUTO};
    p[1].nseries = 2;
    p[1].series[0] = (gk_series){"one point", &one, &one, 1, 0, GK_ROLE_AUTO};
    p[1].series[1] = (gk_series){"nan", nans, nans, 2, 1, GK_ROLE_AUTO};
    p[2].nseries = 1, p[2].logy = 1, p[2].title = "constant";
    p[2].series[0] = (gk_series){"constant", xs, consts, 4, 0, GK_ROLE_AUTO};
    char base[512];
    gk_error err = {{0}};
    base_of(base, sizeof base, "degenerate_panels");
    GK_CHECK_MSG(gk_plot_panels(base, NULL, p, 3, &err) == GK_OK, "%s", err.msg);
    check_figure("degenerate_panels");

    base_of(base, sizeof base, "degenerate_heat");
    double z = NAN, cz[4] = {3, 3, 3, 3};
    GK_CHECK_MSG(gk_plot_heatmap(base, "one cell", "x", "y", "z", &one, 1, &one, 1, &z, 1, 1, NULL, NULL, 0, &err) ==
                     GK_OK, "%s", err.msg);
    GK_CHECK_MSG(gk_plot_heatmap(base, "empty", "x", "y", "z", NULL, 0, NULL, 0, NULL, 0, 0, NULL, NULL, 0, &err) ==
                     GK_OK, "%s", err.msg);
    GK_CHECK_MSG(gk_plot_heatmap(base, "constant", "x", "y", "z", xs, 2, xs, 2, cz, 0, 0, NULL, NULL, 0, &err) ==
                     GK_OK, "%s", err.msg);
    check_figure("degenerate_heat");

    base_of(base, sizeof base, "degenerate_mat");
    const double *mats[1] = {cz};
    GK_CHECK_MSG(gk_plot_matrices(base, "constant", NULL, mats, 1, 1, 4, NULL, &err) == GK_OK, "%s", err.msg);
    GK_CHECK_MSG(gk_plot_matrices(base, "empty", NULL, mats, 1, 0, 0, NULL, &err) == GK_OK, "%s", err.msg);
    check_figure("degenerate_mat");

    base_of(base, sizeof base, "degenerate_hist");
    const double *samples[3] = {consts, NULL, nans};
    size_t counts[3] = {4, 0, 2};
    GK_CHECK_MSG(gk_plot_histograms(base, "constant", "v", NULL, samples, counts, 3, 0, &err) == GK_OK, "%s",
                 err.msg);
    GK_CHECK_MSG(gk_plot_histograms(base, "none", "v", NULL, NULL, NULL, 0, 10, &err) == GK_OK, "%s", err.msg);
    check_figure("degenerate_hist");
    GK_CHECK(count_temp_files(g_dir) == 0);
}


/* A whole file's bytes (at most max), NUL-terminated; NULL if absent. */
static char *slurp(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* A PNG is whole when it ends with its IEND chunk; an SVG when it ends with </svg>. */
static int png_whole(const char *path) {
    size_t n = 0;
    char *b = slurp(path, 1 << 22, &n);
    int ok = b && n > 20 && memcmp(b + n - 8, "IEND", 4) == 0;
    free(b);
    return ok;
}
static int svg_whole(const char *path) {
    size_t n = 0;
    char *b = slurp(path, 1 << 23, &n);
    while (b && n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' ')) b[--n] = '\0';
    int ok = b && n > 6 && strcmp(b + n - 6, "</svg>") == 0;
    free(b);
    return ok;
}

static void sample_panel(gk_panel *p, double *x, double *y, int n) {
    memset(p, 0, sizeof *p);
    for (int i = 0; i < n; i++) x[i] = i + 1, y[i] = sin(0.05 * i) + 0.001 * i;
    *p = (gk_panel){.title = "a panel", .xlabel = "step", .ylabel = "value", .logx = 1, .nseries = 2};
    p->series[0] = (gk_series){"train", x, y, (size_t)n, 0, GK_ROLE_AUTO};
    p->series[1] = (gk_series){"test", x, y, (size_t)n / 2, 2, GK_ROLE_AUTO};
}

/* On a disk that fills up, a figure lands whole or not at all: the call fails naming the file, and no
 * partial file and no temp file remain (issue 15, item 1). Needs root for the tmpfs; skipped otherwise. */
static void test_full_disk(void) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tiny", g_dir);
    GK_CHECK(mkdir(dir, 0755) == 0);
    if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
        printf("  SKIP test_full_disk: cannot mount a tmpfs (%s)\n", strerror(errno));
        rmdir(dir);
        return;
    }
    enum { N = 4000 };
    static double x[N], y[N];
    gk_panel p[3];
    for (int k = 0; k < 3; k++) sample_panel(&p[k], x, y, N);
    char base[600], png[640], svg[640];
    snprintf(base, sizeof base, "%s/fig", dir);
    snprintf(png, sizeof png, "%s.png", base);
    snprintf(svg, sizeof svg, "%s.svg", base);
    gk_error err = {{0}};
    gk_status s = gk_plot_panels(base, "a figure too large for the disk", p, 3, &err);
    GK_CHECK_MSG(s == GK_EIO, "status %d: %s", (int)s, err.msg);
    GK_CHECK_MSG(strstr(err.msg, "fig.") != NULL && strstr(err.msg, "No space left") != NULL, "message: %s", err.msg);
    struct stat st;
    GK_CHECK_MSG(stat(png, &st) != 0 && stat(svg, &st) != 0, "a partial figure was left in %s", dir);
    GK_CHECK(count_temp_files(dir) == 0);
    /* fill the disk but for a few kB at several levels: each time the files are whole or absent */
    for (int fill = 8; fill <= 56; fill += 8) {
        char junk[640];
        snprintf(junk, sizeof junk, "%s/junk", dir);
        FILE *f = fopen(junk, "wb");
        for (int i = 0; f && i < fill * 1024; i++) fputc('x', f);
        if (f) fclose(f);
        gk_panel small;
        sample_panel(&small, x, y, 50);
        s = gk_plot_panels(base, NULL, &small, 1, &err);
        int have_png = stat(png, &st) == 0, have_svg = stat(svg, &st) == 0;
        GK_CHECK_MSG(have_png == have_svg, "fill %d kB: png %d svg %d", fill, have_png, have_svg);
        GK_CHECK_MSG(s == GK_OK ? (png_whole(png) && svg_whole(svg)) : (!have_png && !have_svg),
                     "fill %d kB: status %d, files not whole", fill, (int)s);
        GK_CHECK(count_temp_files(dir) == 0);
        remove(png);
        remove(svg);
        remove(junk);
    }
    umount2(dir, MNT_DETACH);
    rmdir(dir);
}

/* One file per call in the format of its extension; text stays text in SVG and PDF. */
static void test_formats(void) {
    enum { N = 100 };
    double x[N], y[N];
    gk_panel p;
    sample_panel(&p, x, y, N);
    char path[600];
    gk_error err = {{0}};
    snprintf(path, sizeof path, "%s/one.pdf", g_dir);
    GK_CHECK_MSG(gk_plot_panels_file(path, "a pdf", &p, 1, &err) == GK_OK, "%s", err.msg);
    size_t n = 0;
    char *b = slurp(path, 1 << 22, &n);
    GK_CHECK(b && n > 1000 && memcmp(b, "%PDF", 4) == 0 && memmem(b, n, "/FontFile", 9) != NULL);
    free(b);
    remove(path);
    snprintf(path, sizeof path, "%s/one.svg", g_dir);
    GK_CHECK_MSG(gk_plot_panels_file(path, "an svg", &p, 1, &err) == GK_OK, "%s", err.msg);
    b = slurp(path, 1 << 22, &n);
    int texts = 0;
    for (const char *q = b; q && (q = strstr(q, "<text")) != NULL; q++) texts++;
    GK_CHECK_MSG(texts >= 10, "%d <text> elements", texts); /* titles, labels, ticks, legend */
    GK_CHECK(b && strstr(b, "<glyph") == NULL && strstr(b, "<symbol") == NULL); /* no outlined text */
    free(b);
    remove(path);
    snprintf(path, sizeof path, "%s/one.jpg", g_dir);
    GK_CHECK(gk_plot_panels_file(path, "x", &p, 1, &err) == GK_EINVAL && strstr(err.msg, ".pdf") != NULL);
    struct stat st;
    GK_CHECK(stat(path, &st) != 0);
    GK_CHECK(count_temp_files(g_dir) == 0);
}

/* A sweep heat map: category axes, values in the cells, predicted t* contours. */
static void test_heatmap_sweep(void) {
    double a[3] = {16, 64, 256}, wd[2] = {0.01, 0.02}, z[6], zp[6];
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 3; i++) zp[j * 3 + i] = log(a[i]) / (wd[j] * 0.01), z[j * 3 + i] = 0.8 * zp[j * 3 + i];
    gk_heatmap h = {.title = "grok step", .xlabel = "alpha", .ylabel = "wd", .zlabel = "test_grok_step", .x = a,
                    .y = wd, .z = z, .nx = 3, .ny = 2, .categorical = 1, .cell_values = 1, .zpred = zp,
                    .zpred_label = "t*"};
    char base[512], svg[600];
    base_of(base, sizeof base, "sweepheat");
    gk_error err = {{0}};
    GK_CHECK_MSG(gk_plot_heatmap_ex(base, &h, &err) == GK_OK, "%s", err.msg);
    check_figure("sweepheat");
    snprintf(svg, sizeof svg, "%s.svg", base);
    char *b = slurp(svg, 1 << 22, NULL);
    /* "256" is a category label: in the SVG as the entities of '2', '5', '6' */
    GK_CHECK(b && strstr(b, "&#x32;&#x35;&#x36;") != NULL);
    free(b);
}

/* Occurrences of needle in s. */
static int count_of(const char *s, const char *needle) {
    int n = 0;
    for (const char *q = s; q && (q = strstr(q, needle)) != NULL; q += strlen(needle)) n++;
    return n;
}

/* Each predicted contour is labelled with its level exactly once on the map (the note under it names the levels
 * once more): 20000 and 40000 for t* from 13863 to 55452. The cell values are small, so that no
 * cell number or colour-bar tick reads like a level. */
static void test_heatmap_contour_labels(void) {
    double a[3] = {16, 64, 256}, wd[2] = {0.01, 0.02}, z[6], zp[6];
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 3; i++) zp[j * 3 + i] = log(a[i]) / (wd[j] * 0.01), z[j * 3 + i] = 1e-3 * zp[j * 3 + i];
    gk_heatmap h = {.title = "contours", .xlabel = "alpha", .ylabel = "wd", .zlabel = "z", .x = a, .y = wd, .z = z,
                    .nx = 3, .ny = 2, .categorical = 1, .cell_values = 1, .zpred = zp, .zpred_label = "t*"};
    char base[512], svg[600];
    base_of(base, sizeof base, "contours");
    gk_error err = {{0}};
    GK_CHECK_MSG(gk_plot_heatmap_ex(base, &h, &err) == GK_OK, "%s", err.msg);
    snprintf(svg, sizeof svg, "%s.svg", base);
    char *b = slurp(svg, 1 << 22, NULL);
    GK_ASSERT(b);
    static const char *levels[2][2] = {{"20000", "&#x32;&#x30;&#x30;&#x30;&#x30;"},
                                       {"40000", "&#x34;&#x30;&#x30;&#x30;&#x30;"}};
    for (int k = 0; k < 2; k++) {
        int n = count_of(b, levels[k][1]);
        GK_CHECK_MSG(n == 2, "level %s written %d times (want 2: its label and the note)", levels[k][0], n);
    }
    free(b);
}

/* Width and height of a PNG from its IHDR chunk (0 when unreadable). */
static void png_size(const char *path, unsigned *w, unsigned *h) {
    unsigned char b[24] = {0};
    FILE *f = fopen(path, "rb");
    *w = *h = 0;
    if (!f) return;
    if (fread(b, 1, 24, f) == 24) {
        *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
        *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    }
    fclose(f);
}

/* Figures of panels are landscape 16:9 pages: 1600x900 for a grid, 1280x720 for one panel, or the caller's. */
static void test_layout(void) {
    enum { N = 50 };
    double x[N], y[N];
    gk_panel p[4];
    for (int k = 0; k < 4; k++) sample_panel(&p[k], x, y, N);
    char path[512];
    unsigned w, h;
    gk_error err = {{0}};
    const int counts[3] = {1, 3, 4};
    const unsigned want[3][2] = {{1280, 720}, {1600, 900}, {1600, 900}};
    for (int i = 0; i < 3; i++) {
        path_of(path, sizeof path, "layout", ".png");
        GK_CHECK_MSG(gk_plot_panels_file(path, "layout", p, counts[i], &err) == GK_OK, "%s", err.msg);
        png_size(path, &w, &h);
        GK_CHECK_MSG(w == want[i][0] && h == want[i][1], "%d panels: %ux%u", counts[i], w, h);
    }
    gk_plot_layout L = {960, 540, 1, 1.3, NULL};
    GK_CHECK_MSG(gk_plot_panels_ex(path, NULL, "layout", p, 2, &L, &err) == GK_OK, "%s", err.msg);
    png_size(path, &w, &h);
    GK_CHECK_MSG(w == 960 && h == 540, "layout 960x540: %ux%u", w, h);
    L.font = 9;
    GK_CHECK(gk_plot_panels_ex(path, NULL, "layout", p, 2, &L, &err) == GK_EINVAL && strstr(err.msg, "font") != NULL);
    remove(path);
    GK_CHECK(count_temp_files(g_dir) == 0);
}

/* One palette: roles have fixed colours, a panel's free colours skip the roles it uses, the sequential ramp
 * tells six values apart (no two greens for the two largest). */
static void test_palette(void) {
    GK_CHECK(gk_role_rgb(GK_ROLE_TRAIN) == 0x1f77b4 && gk_role_rgb(GK_ROLE_TEST) == 0xd62728);
    GK_CHECK(gk_role_rgb(GK_ROLE_L2) == gk_palette_rgb(gk_role_index(GK_ROLE_L2)));
    GK_CHECK(gk_role_index(GK_ROLE_AUTO) == -1);
    int prev = -1;
    for (int k = 0; k < 6; k++) {
        int c = gk_palette_seq(k / 5.0);
        if (prev >= 0) {
            int dr = ((c >> 16) & 255) - ((prev >> 16) & 255), dg = ((c >> 8) & 255) - ((prev >> 8) & 255);
            int db = (c & 255) - (prev & 255);
            GK_CHECK_MSG(dr * dr + dg * dg + db * db > 40 * 40, "ramp steps %d and %d: %06x %06x", k - 1, k, prev, c);
        }
        prev = c;
    }
}

/* Tick labels carry the digits the step needs: a loss flat at ln 2 gets no "0.693147185", a colour bar in
 * steps of 2500 no "17500.0"; a log axis of one decade is labelled at 1, 2 and 5 x 10^k. */
static void test_tick_labels(void) {
    char buf[64];
    axis a = gkf_axis_make((range){0.69314718, 0.693147185, 1}, 0, 0, 5);
    double t[MAX_TICKS];
    int n = gkf_axis_ticks(&a, t, MAX_TICKS);
    GK_CHECK(n >= 2);
    for (int i = 0; i < n; i++) {
        gkf_tick_label(&a, t[i], buf, sizeof buf);
        GK_CHECK_MSG(strlen(buf) <= 6, "flat axis tick '%s'", buf);
    }
    axis b = gkf_axis_make((range){0, 20000, 1}, 0, 0, 8);
    gkf_tick_label(&b, 17500, buf, sizeof buf);
    GK_CHECK_MSG(b.step == 2500 && !strcmp(buf, "17500"), "step %g: '%s'", b.step, buf);
    axis d = gkf_axis_make((range){1, log10(56), 1}, 1, 0, 5); /* n = 10 .. 56: 10, 20, 50, 100, not 10^1, 10^2 */
    double td[MAX_TICKS];
    int nd = gkf_axis_ticks(&d, td, MAX_TICKS);
    char all[128] = "";
    for (int i = 0; i < nd; i++) {
        gkf_tick_label(&d, td[i], buf, sizeof buf);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s ", buf);
    }
    GK_CHECK_MSG(!strcmp(all, "10 20 50 100 "), "one-decade log axis: '%s'", all);
    axis c = gkf_axis_make((range){0, 1, 1}, 0, 0, 4);
    gkf_tick_label(&c, 0.25, buf, sizeof buf);
    GK_CHECK_MSG(!strcmp(buf, "0.25"), "'%s'", buf);
}

/* s as PLplot's svg device writes text: each character as &#xNN; */
static void svg_text(const char *s, char *buf, size_t len) {
    size_t u = 0;
    for (; *s && u + 8 < len; s++) u += (size_t)snprintf(buf + u, len - u, "&#x%x;", (unsigned char)*s);
    buf[u] = '\0';
}

/* A numeric --by key of 5 or more values gets a colour bar: its ends are the ramp's ends, a span over a decade is
 * log-spaced; fewer values, or a value that is not a number, keep the legend. The bar is drawn with its label
 * and the values, and takes room from the panels rather than running off the page. */
static void test_colour_bar(void) {
    const double alphas[5] = {16, 32, 64, 128, 256}, few[4] = {16, 32, 64, 128}, lin[5] = {0, 1, 2, 3, 4};
    const double narrow[5] = {1, 2, 3, 4, 5}, text[5] = {1, 2, NAN, 4, 5};
    gk_colour_bar cb = {0};
    GK_CHECK(gk_overlay_colour_scale(alphas, 5, &cb) == 1 && cb.log == 1 && cb.lo == 16 && cb.hi == 256);
    GK_CHECK(gk_colour_bar_rgb(&cb, 16) == gk_palette_seq(0) && gk_colour_bar_rgb(&cb, 256) == gk_palette_seq(1));
    GK_CHECK_MSG(fabs(gk_colour_bar_pos(&cb, 64) - 0.5) < 1e-12, "log bar: 64 at %g", gk_colour_bar_pos(&cb, 64));
    GK_CHECK(gk_colour_bar_rgb(&cb, 32) != gk_colour_bar_rgb(&cb, 64));
    GK_CHECK(gk_overlay_colour_scale(few, 4, &cb) == 0);
    GK_CHECK(gk_overlay_colour_scale(text, 5, &cb) == 0);
    GK_CHECK(gk_overlay_colour_scale(lin, 5, &cb) == 1 && cb.log == 0 && gk_colour_bar_pos(&cb, 1) == 0.25);
    GK_CHECK(gk_overlay_colour_scale(narrow, 5, &cb) == 1 && cb.log == 0);

    enum { N = 50 };
    double x[N], y[N];
    gk_panel p[2];
    for (int k = 0; k < 2; k++) sample_panel(&p[k], x, y, N);
    gk_colour_bar bar = {"init scale #ga", 16, 256, 1, alphas, 5};
    gk_plot_layout L = {0, 0, 0, 0, &bar};
    char path[512], want[256];
    path_of(path, sizeof path, "cbar", ".svg");
    gk_error err = {{0}};
    GK_CHECK_MSG(gk_plot_panels_ex(path, NULL, "colour bar", p, 2, &L, &err) == GK_OK, "%s", err.msg);
    size_t n = 0;
    char *b = slurp(path, 1 << 22, &n);
    svg_text("init scale ", want, sizeof want);
    GK_CHECK_MSG(b && strstr(b, want) != NULL, "the bar's label in %s", path);
    for (int k = 0; k < 5 && b; k++) {
        char v[16];
        snprintf(v, sizeof v, "%g", alphas[k]);
        svg_text(v, want, sizeof want);
        GK_CHECK_MSG(strstr(b, want) != NULL, "value %s labelled on the bar", v);
    }
    free(b);
    remove(path);
}

/* Config keys and metrics columns in words for legends, colour bars and titles; a key's meaning may depend on the
 * experiment. */
static void test_param_words(void) {
    char buf[128];
    gk_param_label("wd", "diag", "0.01", buf, sizeof buf);
    GK_CHECK_MSG(!strcmp(buf, "weight decay 0.01"), "'%s'", buf);
    gk_param_label("fixed_norm", "images", "true", buf, sizeof buf);
    GK_CHECK_MSG(!strcmp(buf, "fixed norm: yes"), "'%s'", buf);
    gk_param_label("n", "parity", "20", buf, sizeof buf);
    GK_CHECK_MSG(!strcmp(buf, "n=20"), "'%s'", buf);
    GK_CHECK(strstr(gk_param_words("alpha", "kumar"), "output") && strstr(gk_param_words("alpha", "diag"), "init"));
    static const char *cols[][2] = {{"train_loss", "train loss"}, {"test_acc", "test accuracy"},
                                    {"norm_W_U", "weight norm of W_U"}, {"norm_margin", "normalised margin"},
                                    {"agree_l1margin", "agreement with L1 max-margin"},
                                    {"train_acc_clean", "train accuracy (clean)"}, {"restricted_loss", "restricted loss"},
                                    {"pop_loss", "population loss"}, {"sv1", "sv1"}};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        gk_column_title(cols[k][0], buf, sizeof buf);
        GK_CHECK_MSG(!strcmp(buf, cols[k][1]), "%s: '%s'", cols[k][0], buf);
    }
    char plain[128]; /* the web page's words: the same, PLplot's escapes as UTF-8 */
    gk_column_title("param_norm", buf, sizeof buf);
    gk_text_unicode(buf, plain, sizeof plain);
    GK_CHECK_MSG(!strcmp(plain, "parameter norm ||\xce\xb8||"), "'%s'", plain);
    gk_text_unicode("10#u-3#d #ga", plain, 6);
    GK_CHECK_MSG(!strcmp(plain, "10-3 "), "cut to its room: '%s'", plain);
    cJSON *labels = gk_web_column_labels_csv("step,train_acc,norm_W_U\n0,0.5,1\n");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(labels, "norm_W_U");
    GK_CHECK(cJSON_GetArraySize(labels) == 3 && cJSON_IsString(l) && !strcmp(l->valuestring, "weight norm of W_U"));
    cJSON_Delete(labels);
    labels = gk_web_sweep_labels_csv("wd,alpha,seed,point,status,test_grok_step\n");
    l = cJSON_GetObjectItemCaseSensitive(labels, "test_grok_step");
    GK_CHECK(cJSON_IsString(l) && !strcmp(l->valuestring, "steps to 95% test accuracy"));
    l = cJSON_GetObjectItemCaseSensitive(labels, "alpha");
    GK_CHECK_MSG(cJSON_IsString(l) && !strcmp(l->valuestring, "init scale \xce\xb1"), "alpha: %s", l ? l->valuestring : "?");
    cJSON_Delete(labels);
}

int main(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/gk_plot_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    GK_RUN(test_panels);
    GK_RUN(test_heatmap);
    GK_RUN(test_matrices);
    GK_RUN(test_histograms);
    GK_RUN(test_unwritable);
    GK_RUN(test_degenerate);
    GK_RUN(test_full_disk);
    GK_RUN(test_formats);
    GK_RUN(test_heatmap_sweep);
    GK_RUN(test_heatmap_contour_labels);
    GK_RUN(test_layout);
    GK_RUN(test_palette);
    GK_RUN(test_tick_labels);
    GK_RUN(test_colour_bar);
    GK_RUN(test_param_words);
    if (getenv("GK_KEEP_PLOTS")) fprintf(stderr, "figures kept in %s\n", g_dir);
    else {
        static const char *names[] = {"panels", "heatmap", "matrices", "hist", "degenerate_panels",
                                      "degenerate_heat", "degenerate_mat", "degenerate_hist", "sweepheat"};
        char p[512];
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            path_of(p, sizeof p, names[i], ".png");
            remove(p);
            path_of(p, sizeof p, names[i], ".svg");
            remove(p);
        }
        rmdir(g_dir);
    }
    return gk_test_summary();
}
