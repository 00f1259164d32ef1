/* plot.c: groklab's figures (stacked line panels, heat maps, matrices, histograms) drawn with PLplot in
 * one house style (see plot.h).
 *
 * Devices: pngcairo (PNG), PLplot's own svg (SVG with <text> elements; svgcairo would draw text as
 * outlines) and pdfcairo (PDF with embedded fonts, so its text can be searched and extracted). Each
 * file is drawn on a fresh PLplot stream into a hidden temp file in the target directory through a
 * FILE whose writes, fsync and close are all checked; the files are renamed into place only when every
 * one of them is complete, and the temp files are removed on any failure.
 *
 * PLplot is not thread-safe and its error hooks are global, so drawing runs under one mutex. PLplot
 * never gets to print or exit: plsError() collects the messages of operations it aborts and the exit
 * handler jumps back here instead of letting plexit() end the process. Text is passed to PLplot
 * verbatim, so its escapes ("#gm" for mu, "#u" / "#d" for super- and subscripts) work.
 *
 * Layout is computed in pixels from the page's top-left corner; text widths are estimated from the
 * character height (DejaVu Sans: digits 0.86, lower case 0.75 character heights wide).
 */
#define _GNU_SOURCE /* fopencookie */
#include "fig/plot.h"

#include "io/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <plplot.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- colours ------------------------------------------------------------------------------------- */

enum { C_WHITE = 0, C_BLACK, C_GRID, C_VLINE, C_NAN, C_RGB, C_BAND, C_FRAME, N_CMAP0 };

static const PLINT k_cmap0[N_CMAP0][3] = {
    {255, 255, 255}, {0, 0, 0}, {225, 225, 225}, {90, 90, 90}, {175, 175, 175}, {0, 0, 0}, {0, 0, 0}, {150, 150, 150},
};

/* Colours by role: the same in every figure. A label matches a role when it starts with the role's
 * word (case-insensitive) followed by a non-letter. */
static const struct {
    const char *word;
    int rgb;
} k_roles[] = {
    {"train", 0x1f77b4},    {"test", 0xd62728},   {"l2margin", 0x2ca02c}, {"l2", 0x2ca02c},
    {"l1margin", 0x9467bd}, {"l1", 0x9467bd},     {"K0", 0x8c564b},       {"kernel", 0x8c564b},
    {"linear", 0x8c564b},   {"lin", 0x8c564b},    {"ridge", 0x8c564b},    {"accuracy", 0x7f7f7f},
    {"y", 0x7f7f7f},        {"1", 0x7f7f7f},      {"||theta||", 0x333333}, {"#(2016)#gh#(2016)", 0x333333},
    {"population", 0xff7f0e}, {"nuclear", 0x9467bd},
};

/* Colours for series without a role, in order (none of them is a role colour). */
static const int k_free[] = {0xff7f0e, 0x17becf, 0xe377c2, 0xbcbd22, 0x7f7f7f, 0x3b528b, 0x5ec962, 0xaec7e8};

static int word_is(const char *label, const char *word) {
    size_t n = strlen(word);
    if (strncasecmp(label, word, n) != 0) return 0;
    char c = label[n];
    return !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9');
}

/* 0xRRGGBB of a role, or -1. */
static int role_rgb(const char *label) {
    if (!label) return -1;
    for (size_t i = 0; i < sizeof k_roles / sizeof k_roles[0]; i++)
        if (word_is(label, k_roles[i].word)) return k_roles[i].rgb;
    return -1;
}

/* The colour of a series: explicit, by role, or the next free colour (*nfree counts them). */
static int pick_rgb(int colour, const char *label, int *nfree) {
    if (colour) return colour & 0xffffff;
    int r = role_rgb(label);
    if (r >= 0) return r;
    return k_free[(*nfree)++ % (int)(sizeof k_free / sizeof k_free[0])];
}

static void use_rgb(int rgb, double alpha) {
    int slot = alpha < 1 ? C_BAND : C_RGB;
    plscol0a(slot, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, alpha);
    plcol0(slot);
}

static void set_cmap0(void) {
    PLINT r[N_CMAP0], g[N_CMAP0], b[N_CMAP0];
    for (int i = 0; i < N_CMAP0; i++) r[i] = k_cmap0[i][0], g[i] = k_cmap0[i][1], b[i] = k_cmap0[i][2];
    plscmap0(r, g, b, N_CMAP0);
}

/* cmap1: viridis-like for sequential data, blue-white-red for signed data. */
static void set_cmap1(int diverging) {
    static const PLFLT pos[5] = {0, 0.25, 0.5, 0.75, 1};
    static const PLFLT seq[3][5] = {{0.267, 0.229, 0.128, 0.369, 0.993},
                                    {0.005, 0.322, 0.567, 0.789, 0.906},
                                    {0.329, 0.546, 0.551, 0.383, 0.144}};
    static const PLFLT div[3][5] = {{0.019, 0.263, 0.970, 0.839, 0.404},
                                    {0.188, 0.576, 0.970, 0.376, 0.000},
                                    {0.380, 0.765, 0.970, 0.302, 0.122}};
    const PLFLT(*c)[5] = diverging ? div : seq;
    plscmap1n(256);
    plscmap1l(1, 5, pos, c[0], c[1], c[2], NULL);
}

/* Line styles: 0 and 1 solid, 2 dashed, 3 dotted (marks and spaces in micrometres). */
static void line_style(int style) {
    static PLINT dash_m = 4500, dash_s = 2500, dot_m = 700, dot_s = 1600;
    if (style == 2) plstyl(1, &dash_m, &dash_s);
    else if (style == 3) plstyl(1, &dot_m, &dot_s);
    else plstyl(0, NULL, NULL);
}

#define SYMBOL "#(850)" /* a filled circle (bullet) from the Hershey set */

/* ---- text sizes ---------------------------------------------------------------------------------- */

enum { S_TITLE, S_LABEL, S_TICK, S_SMALL };
static const double k_scale[] = {1.15, 0.95, 0.85, 0.75};

#define CHAR_MM 6.3 /* character height at scale 1, set on every stream */
/* Pixels of one character height at scale 1: PLplot's cairo and svg devices have 72 dots per inch. */
static const double g_ch1 = CHAR_MM * 72 / 25.4;

static double ch_px(int size) { return g_ch1 * k_scale[size]; }
static void text_size(int size) { plschr(0, k_scale[size]); }

/* Estimated width of a PLplot string in character heights: escapes skipped, super/subscripts smaller,
 * one width per UTF-8 character. */
static double text_em(const char *s) {
    double w = 0;
    int level = 0;
    for (const char *p = s ? s : ""; *p; p++) {
        if (p[0] == '#' && (p[1] == 'u' || p[1] == 'd')) {
            level += p[1] == 'u' ? 1 : -1;
            p++;
            continue;
        }
        if (p[0] == '#' && p[1] == '(') {
            const char *q = strchr(p, ')');
            if (q) p = q;
            w += 0.8;
            continue;
        }
        if (p[0] == '#' && p[1] == 'g' && p[2]) p += 2;
        if (((unsigned char)*p & 0xC0) == 0x80) continue; /* UTF-8 continuation byte */
        double cw = (*p >= '0' && *p <= '9') ? 0.86 : (*p >= 'A' && *p <= 'Z') ? 0.9 : (*p == ' ' || *p == '.') ? 0.45 : 0.76;
        w += level ? 0.7 * cw : cw;
    }
    return w;
}

static double text_px(const char *s, int size) { return text_em(s) * ch_px(size); }
static int has_text(const char *s) { return s && s[0]; }

/* ---- rendering a figure to files ----------------------------------------------------------------- */

typedef struct page {
    double w, h; /* pixels */
} page;

typedef void (*draw_fn)(const void *ctx, const page *pg);

typedef struct figure {
    page pg;
    draw_fn draw;
    const void *ctx;
} figure;

/* A FILE for PLplot whose every failure is remembered: write errors (a full disk), fsync, close. */
typedef struct sink {
    int fd;
    int error; /* errno of the first failure, 0 when none */
    int closed;
} sink;

static ssize_t sink_write(void *c, const char *buf, size_t n) {
    sink *s = c;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (!s->error) s->error = w < 0 ? errno : ENOSPC;
            return -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int sink_close(void *c) {
    sink *s = c;
    if (fsync(s->fd) != 0 && !s->error) s->error = errno;
    if (close(s->fd) != 0 && !s->error) s->error = errno;
    s->closed = 1;
    return s->error ? -1 : 0;
}

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf g_jump;
static volatile int g_armed;
static char g_exit_msg[256];
static PLINT g_errcode;
static char g_errmsg[1024];

/* PLplot calls this from plexit() before it would print and exit(); jump back into render_stream. */
static int on_plexit(const char *msg) {
    snprintf(g_exit_msg, sizeof g_exit_msg, "%s", msg ? msg : "");
    if (g_armed) {
        g_armed = 0;
        longjmp(g_jump, 1);
    }
    return 1;
}

static void strip_newlines(char *s) {
    for (char *p = s; *p; p++)
        if (*p == '\n') *p = ' ';
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') s[--n] = '\0';
    while (s[0] == ' ') memmove(s, s + 1, strlen(s));
}

/* Draws fig with device dev into f on a fresh stream (PLplot closes f); called with g_lock held. */
static gk_status render_stream(const char *dev, FILE *f, const char *path, const figure *fig, gk_error *err) {
    PLINT prev = 0, strm = -1;
    plgstrm(&prev);
    plmkstrm(&strm);
    if (strm < 0) return gk_fail(err, GK_EFAILED, "cannot plot %s: PLplot has no free stream", path);
    g_errcode = 0;
    g_errmsg[0] = '\0';
    plsError(&g_errcode, g_errmsg);
    plsexit(on_plexit);
    if (setjmp(g_jump) != 0) { /* PLplot gave up; its stream is abandoned rather than ended half-made */
        plsstrm(prev);
        strip_newlines(g_exit_msg);
        return gk_fail(err, GK_EFAILED, "cannot plot %s: PLplot: %s", path, g_exit_msg);
    }
    g_armed = 1;
    plsdev(dev);
    plsfile(f);
    plspage(0, 0, (PLINT)fig->pg.w, (PLINT)fig->pg.h, 0, 0);
    plspause(0);
    set_cmap0();
    plinit();
    pladv(0);
    plschr(CHAR_MM, 1.0); /* the same text size on every page (PLplot's default grows with the page) */
    fig->draw(fig->ctx, &fig->pg);
    plend1();
    g_armed = 0;
    plsstrm(prev);
    if (g_errcode != 0) {
        strip_newlines(g_errmsg);
        return gk_fail(err, GK_EFAILED, "cannot plot %s: PLplot: %s", path, g_errmsg);
    }
    return GK_OK;
}

static int device_available(const char *name) {
    static const char *menus[128], *names[128];
    const char **pm = menus, **pn = names;
    int n = 128;
    plgDevs(&pm, &pn, &n);
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0) return 1;
    return 0;
}

/* Draws into tmp (created here, so that an unwritable place is reported here and not by PLplot). */
static gk_status render_file(const char *dev, const char *tmp, const char *path, const figure *fig,
                             gk_error *err) {
    sink sk = {open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), 0, 0};
    if (sk.fd < 0) return gk_fail(err, GK_EIO, "cannot write figure %s: %s", path, strerror(errno));
    cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    FILE *f = fopencookie(&sk, "w", io);
    if (!f) {
        close(sk.fd);
        remove(tmp);
        return gk_fail(err, GK_ENOMEM, "cannot write figure %s: out of memory", path);
    }
    pthread_mutex_lock(&g_lock);
    gk_status s = device_available(dev) ? render_stream(dev, f, path, fig, err)
                                        : gk_fail(err, GK_EUNAVAILABLE, "cannot plot %s: PLplot device %s is missing", path, dev);
    pthread_mutex_unlock(&g_lock);
    if (!sk.closed && s != GK_OK) { /* PLplot never opened (or abandoned) the stream: f is still ours */
        if (s == GK_EUNAVAILABLE) fclose(f);
    }
    struct stat st;
    if (s == GK_OK && !sk.closed) s = gk_fail(err, GK_EIO, "cannot write figure %s: PLplot did not finish it", path);
    if (s == GK_OK && sk.error) s = gk_fail(err, GK_EIO, "cannot write figure %s: %s", path, strerror(sk.error));
    if (s == GK_OK && (stat(tmp, &st) != 0 || st.st_size == 0))
        s = gk_fail(err, GK_EIO, "cannot write figure %s: PLplot wrote nothing", path);
    if (s != GK_OK) remove(tmp);
    return s;
}

typedef struct target {
    char path[1024], tmp[1100];
    const char *dev;
} target;

/* The device for a file name's extension, or NULL. */
static const char *device_for(const char *path) {
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return NULL;
    if (!strcasecmp(dot, ".png")) return "pngcairo";
    if (!strcasecmp(dot, ".svg")) return "svg";
    if (!strcasecmp(dot, ".pdf")) return "pdfcairo";
    return NULL;
}

/* path and its temp name "<dir>/.<name>.tmp<pid>". */
static gk_status make_target(target *t, const char *path, gk_error *err) {
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    int a = snprintf(t->path, sizeof t->path, "%s", path);
    int b = snprintf(t->tmp, sizeof t->tmp, "%.*s.%s.tmp%ld", dirlen, path, path + dirlen, (long)getpid());
    if (a < 0 || b < 0 || (size_t)a >= sizeof t->path || (size_t)b >= sizeof t->tmp)
        return gk_fail(err, GK_EINVAL, "figure path too long: %s", path);
    t->dev = device_for(path);
    if (!t->dev) return gk_fail(err, GK_EINVAL, "figure %s: unknown format (allowed: .png, .svg, .pdf)", path);
    return GK_OK;
}

/* Draws every target into its temp file; renames them all into place only when all are complete. */
static gk_status render_targets(target *t, int n, const figure *fig, gk_error *err) {
    gk_status s = GK_OK;
    int done = 0;
    for (; done < n && !s; done++) s = render_file(t[done].dev, t[done].tmp, t[done].path, fig, err);
    if (s) {
        for (int k = 0; k < done - 1; k++) remove(t[k].tmp);
        return s;
    }
    for (int k = 0; k < n; k++) {
        if (!s) s = gk_rename_into_place(t[k].tmp, t[k].path, err);
        else remove(t[k].tmp);
    }
    return s;
}

/* <base>.png and <base>.svg. */
static gk_status render(const char *base, const figure *fig, gk_error *err) {
    GK_ASSERT(base);
    target t[2];
    char path[1100];
    static const char *const ext[2] = {".png", ".svg"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s%s", base, ext[k]);
        gk_status s = make_target(&t[k], path, err);
        if (s) return s;
    }
    return render_targets(t, 2, fig, err);
}

static gk_status render_path(const char *path, const figure *fig, gk_error *err) {
    GK_ASSERT(path);
    target t;
    gk_status s = make_target(&t, path, err);
    return s ? s : render_targets(&t, 1, fig, err);
}

/* ---- axes ---------------------------------------------------------------------------------------- */

typedef struct range {
    double lo, hi;
    int any;
} range;

/* A value in axis units (log10 on a log axis); NAN when it cannot be shown. */
static double to_axis(double v, int logaxis) {
    if (!isfinite(v)) return NAN;
    if (!logaxis) return v;
    return v > 0 ? log10(v) : NAN;
}

static void range_add(range *r, double v) {
    if (!isfinite(v)) return;
    if (!r->any) r->lo = r->hi = v;
    if (v < r->lo) r->lo = v;
    if (v > r->hi) r->hi = v;
    r->any = 1;
}

typedef struct axis {
    double lo, hi; /* axis units (log10 on a log axis) */
    int log;
    double step;   /* major tick spacing, axis units */
    int nsub;      /* minor intervals per major one (linear axes) */
    int sci;       /* linear: labels as m x 10^k */
    int decimals;  /* linear, not sci: digits after the point */
} axis;

/* 1, 2, 2.5 or 5 times a power of ten, near span / target. */
static double nice_step(double span, int target) {
    double raw = span / target, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1.0001 ? 1 : m <= 2.0001 ? 2 : m <= 2.5001 ? 2.5 : m <= 5.0001 ? 5 : 10) * p;
}

/* A log axis end (log10 units) at 1, 2 or 5 x 10^k: the largest one <= v (dir < 0) or smallest >= v. */
static double nice_log_end(double v, int dir) {
    static const double m[4] = {1, 2, 5, 10};
    double e = floor(v + 1e-9), best = dir < 0 ? e : e + 1;
    for (int k = 0; k < 4; k++) {
        double t = e + log10(m[k]);
        if (dir < 0 && t <= v + 1e-9) best = t;
        if (dir > 0 && t >= v - 1e-9) return t;
    }
    return best;
}

/* Axis from the data range r. Log: whole decades, every one labelled (every k-th when there are more
 * than 12). Linear: ends on major ticks unless `fixed` (the caller's exact range). */
static axis axis_make(range r, int logaxis, int fixed, int target) {
    axis a = {0};
    a.log = logaxis;
    if (!r.any) r.lo = 0, r.hi = 1;
    if (r.hi - r.lo < 1e-300 * fmax(1, fabs(r.lo))) r.lo -= logaxis ? 0 : 0.5 + 0.05 * fabs(r.lo), r.hi += logaxis ? 0 : 0.5 + 0.05 * fabs(r.hi);
    if (logaxis) {
        a.lo = fixed ? r.lo : nice_log_end(r.lo, -1);
        a.hi = fixed ? r.hi : nice_log_end(r.hi, 1);
        if (!fixed && floor(a.hi + 1e-9) - ceil(a.lo - 1e-9) < 1) /* fewer than two decades inside: whole ones */
            a.lo = floor(r.lo + 1e-9), a.hi = ceil(r.hi - 1e-9);
        if (a.hi <= a.lo) a.hi = a.lo + 1;
        double span = a.hi - a.lo;
        a.step = span <= 12 ? 1 : ceil(span / 12);
        return a;
    }
    a.step = nice_step(r.hi - r.lo, target);
    /* (a value beyond a tick by less than 0.1% of a step, like 2.0004 t*, does not add a whole step) */
    a.lo = fixed ? r.lo : a.step * floor(r.lo / a.step + 1e-3);
    a.hi = fixed ? r.hi : a.step * ceil(r.hi / a.step - 1e-3);
    if (a.hi <= a.lo) a.hi = a.lo + a.step;
    double mant = a.step / pow(10, floor(log10(a.step) + 1e-9));
    a.nsub = fabs(mant - 2) < 1e-6 ? 4 : 5;
    double big = fmax(fabs(a.lo), fabs(a.hi));
    a.sci = big >= 1e6 || big < 1e-3;
    a.decimals = (int)fmax(0, -floor(log10(a.step) + 1e-9)) + (fabs(mant - 2.5) < 1e-6 ? 1 : 0);
    return a;
}

/* On a log axis too short for a label at every decade (need: pixels between label centres), label every
 * k-th decade instead, the fewest that fit. */
static void thin_log_axis(axis *a, double px, double need) {
    if (!a->log || a->hi <= a->lo) return;
    double per = px / (a->hi - a->lo);
    if (per * a->step < need) a->step = ceil(need / per);
}

/* The major ticks inside the axis, in axis units. */
static int axis_ticks(const axis *a, double *t, int max) {
    int n = 0;
    double eps = 1e-9 * a->step;
    for (double k = ceil((a->lo - eps) / a->step); n < max; k++) {
        double v = k * a->step;
        if (v > a->hi + eps) break;
        t[n++] = fabs(v) < eps ? 0 : v;
    }
    return n;
}

/* A tick label: 10^k on log axes, else the value in full (m x 10^k for very large or small values). */
static void tick_label(const axis *a, double v, char *buf, size_t len) {
    if (a->log) {
        long e = lround(v);
        snprintf(buf, len, "10#u%ld#d", e);
        return;
    }
    if (v == 0) {
        snprintf(buf, len, "0");
        return;
    }
    if (!a->sci) {
        snprintf(buf, len, "%.*f", a->decimals, v);
        return;
    }
    int e = (int)floor(log10(fabs(v)) + 1e-9);
    int digits = (int)fmax(0, e - floor(log10(a->step) + 1e-9));
    double m = v / pow(10, e);
    if (digits == 0 && fabs(fabs(m) - 1) < 1e-9) snprintf(buf, len, "%s10#u%d#d", m < 0 ? "-" : "", e);
    else snprintf(buf, len, "%.*f\xc3\x97" "10#u%d#d", digits, m, e); /* U+00D7, the multiplication sign */
}

enum { MAX_TICKS = 64 };

/* The widest tick label, in pixels. */
static double ticks_width(const axis *a) {
    double t[MAX_TICKS], w = 0;
    char buf[64];
    int n = axis_ticks(a, t, MAX_TICKS);
    for (int i = 0; i < n; i++) {
        tick_label(a, t[i], buf, sizeof buf);
        w = fmax(w, text_px(buf, S_TICK));
    }
    return w;
}

static double axis_frac(const axis *a, double v) { return (v - a->lo) / (a->hi - a->lo); }

/* Tick labels along one side: "b" (below) or "l" (left, horizontal, right-aligned) or "r". */
static void draw_tick_labels(const axis *a, const char *side) {
    double t[MAX_TICKS];
    char buf[64];
    int n = axis_ticks(a, t, MAX_TICKS);
    text_size(S_TICK);
    plcol0(C_BLACK);
    for (int i = 0; i < n; i++) {
        tick_label(a, t[i], buf, sizeof buf);
        double f = axis_frac(a, t[i]);
        if (side[0] == 'b') plmtex("b", 1.5, f, 0.5, buf);
        else if (side[0] == 'l') plmtex("lv", 0.6, f, 1.0, buf);
        else plmtex("rv", 0.6, f, 0.0, buf);
    }
}

/* The light grid under the data, at the major ticks. */
static void draw_grid(const axis *xa, const axis *ya) {
    plcol0(C_GRID);
    plwidth(1);
    line_style(0);
    plbox(xa->log ? "gl" : "g", xa->step, 0, ya->log ? "gl" : "g", ya->step, 0);
}

/* The frame with major and minor ticks, drawn over the data. */
static void draw_frame(const axis *xa, const axis *ya) {
    plcol0(C_BLACK);
    plwidth(1);
    line_style(0);
    plbox(xa->log ? "bcstl" : "bcst", xa->step, xa->log ? 0 : xa->nsub, ya->log ? "bcstl" : "bcst", ya->step,
          ya->log ? 0 : ya->nsub);
}

/* Pixel box from the page's top-left corner. */
typedef struct box {
    double l, r, t, b;
} box;

static void viewport_box(const page *pg, box b) { plvpor(b.l / pg->w, b.r / pg->w, 1 - b.b / pg->h, 1 - b.t / pg->h); }

/* Space the axis texts of a frame need: left = y tick labels + y label, bottom = x tick labels + x label. */
static double left_margin(double ytick_w, const char *ylabel) {
    return 10 + ytick_w + 0.6 * ch_px(S_TICK) + (has_text(ylabel) ? 2.1 * ch_px(S_LABEL) : 0);
}
static double bottom_margin(const char *xlabel) {
    return 2.4 * ch_px(S_TICK) + (has_text(xlabel) ? 1.7 * ch_px(S_LABEL) : 0) + 4;
}

/* The axis labels at the distances left_margin / bottom_margin reserved. */
static void draw_axis_labels(double ytick_w, const char *xlabel, const char *ylabel) {
    text_size(S_LABEL);
    plcol0(C_BLACK);
    double c = ch_px(S_LABEL);
    if (has_text(xlabel)) plmtex("b", (2.4 * ch_px(S_TICK) + 0.7 * c) / c, 0.5, 0.5, xlabel);
    if (has_text(ylabel)) plmtex("l", (ytick_w + 0.6 * ch_px(S_TICK) + 1.2 * c) / c, 0.5, 0.5, ylabel);
}

static void draw_figure_title(const page *pg, const char *title, double band) {
    if (!has_text(title)) return;
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(C_BLACK);
    double fit = 0.96 * pg->w / (text_em(title) * ch_px(S_TITLE)); /* a long title shrinks to the page */
    plschr(0, k_scale[S_TITLE] * fmin(1, fit));
    plptex(0.5, 1 - 0.55 * band / pg->h, 1, 0, 0.5, title);
}

/* ---- legends: drawn in pixels, placed where they cover no curve --------------------------------- */

enum { MAX_ENTRIES = GK_PLOT_MAX_SERIES + GK_PLOT_MAX_HLINES };

typedef struct legend {
    int n;
    const char *text[MAX_ENTRIES];
    int rgb[MAX_ENTRIES], style[MAX_ENTRIES];
    double w, h; /* pixels */
} legend;

/* An entry; an identical one (same text, colour, style) is added once. */
static void legend_add(legend *lg, const char *text, int rgb, int style) {
    if (!has_text(text) || lg->n >= MAX_ENTRIES) return;
    for (int k = 0; k < lg->n; k++)
        if (!strcmp(lg->text[k], text) && lg->rgb[k] == rgb && lg->style[k] == style) return;
    lg->text[lg->n] = text, lg->rgb[lg->n] = rgb, lg->style[lg->n] = style;
    lg->n++;
}

static void legend_measure(legend *lg) {
    double c = ch_px(S_TICK), wmax = 0;
    for (int k = 0; k < lg->n; k++) wmax = fmax(wmax, text_px(lg->text[k], S_TICK));
    lg->w = lg->n ? 0.8 * c + 2.4 * c + 0.6 * c + wmax + 0.8 * c : 0;
    lg->h = lg->n ? lg->n * 1.5 * c + 0.7 * c : 0;
}

/* Does the segment (x0, y0)-(x1, y1) meet the box? (Liang-Barsky clipping.) */
static int segment_hits(double x0, double y0, double x1, double y1, box r) {
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {x0 - r.l, r.r - x0, y0 - r.t, r.b - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1) return 0;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return 0;
            if (t < t1) t1 = t;
        }
    }
    return 1;
}

/* Maps axis units into the pixel box of the plot. */
typedef struct mapper {
    const axis *xa, *ya;
    box b;
} mapper;

static double map_x(const mapper *m, double u) { return m->b.l + axis_frac(m->xa, u) * (m->b.r - m->b.l); }
static double map_y(const mapper *m, double v) { return m->b.b - axis_frac(m->ya, v) * (m->b.b - m->b.t); }

/* How many pieces of the panel's curves, points and reference lines fall inside box r. */
static long panel_hits(const gk_panel *p, const mapper *m, box r) {
    long hits = 0;
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        double px = NAN, py = NAN;
        for (size_t i = 0; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), v = to_axis(s->y[i], p->logy);
            if (!isfinite(u) || !isfinite(v)) {
                px = NAN;
                continue;
            }
            double x = map_x(m, u), y = fmin(fmax(map_y(m, v), m->b.t), m->b.b);
            if (s->style == 1 || !isfinite(px)) hits += x >= r.l && x <= r.r && y >= r.t && y <= r.b;
            else hits += segment_hits(px, py, x, y, r);
            px = x, py = y;
        }
    }
    for (int k = 0; k < p->nhlines; k++) {
        double v = to_axis(p->hline[k], p->logy);
        if (isfinite(v)) hits += segment_hits(m->b.l, map_y(m, v), m->b.r, map_y(m, v), r);
    }
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (isfinite(u)) hits += segment_hits(map_x(m, u), m->b.t, map_x(m, u), m->b.b, r);
    }
    return hits;
}

/* A legend spot inside the plot box covering nothing, else *outside = 1. */
static box legend_spot(const gk_panel *p, const mapper *m, const legend *lg, int *outside) {
    const double in = 8, w = lg->w, h = lg->h;
    const box b = m->b;
    double cx = 0.5 * (b.l + b.r - w), cy = 0.5 * (b.t + b.b - h);
    const double xs[8] = {b.r - in - w, b.l + in, b.r - in - w, b.l + in, cx, cx, b.r - in - w, b.l + in};
    const double ys[8] = {b.t + in, b.t + in, b.b - in - h, b.b - in - h, b.t + in, b.b - in - h, cy, cy};
    *outside = 0;
    if (w < b.r - b.l - 2 * in && h < b.b - b.t - 2 * in)
        for (int k = 0; k < 8; k++) {
            box r = {xs[k], xs[k] + w, ys[k], ys[k] + h};
            box grown = {r.l - 4, r.r + 4, r.t - 4, r.b + 4};
            if (panel_hits(p, m, grown) == 0) return r;
        }
    *outside = 1;
    return (box){0};
}

/* Draws the legend in box r (pixels). */
static void legend_draw(const legend *lg, const page *pg, box r) {
    if (lg->n == 0) return;
    plvpor(0, 1, 0, 1);
    plwind(0, pg->w, 0, pg->h);
    PLFLT bx[5] = {r.l, r.r, r.r, r.l, r.l}, by[5] = {pg->h - r.t, pg->h - r.t, pg->h - r.b, pg->h - r.b, pg->h - r.t};
    plcol0(C_WHITE);
    plfill(4, bx, by);
    plcol0(C_FRAME);
    plwidth(1);
    line_style(0);
    plline(5, bx, by);
    double c = ch_px(S_TICK);
    text_size(S_TICK);
    for (int k = 0; k < lg->n; k++) {
        double y = pg->h - (r.t + 0.35 * c + (k + 0.5) * 1.5 * c + 0.15 * c);
        PLFLT lx[2] = {r.l + 0.8 * c, r.l + 3.2 * c}, ly[2] = {y, y};
        use_rgb(lg->rgb[k], 1);
        plwidth(2.2);
        if (lg->style[k] == 1) {
            PLFLT mx = 0.5 * (lx[0] + lx[1]);
            plstring(1, &mx, &y, SYMBOL);
        } else {
            line_style(lg->style[k]);
            plline(2, lx, ly);
        }
        line_style(0);
        plcol0(C_BLACK);
        plptex(lx[1] + 0.6 * c, y, 1, 0, 0, lg->text[k]);
    }
    plwidth(1);
}

/* ---- line panels --------------------------------------------------------------------------------- */

enum { PANEL_W = 900, PANEL_H = 360, TITLE_BAND = 50, CHUNK = 256 };

typedef struct panels_ctx {
    const char *title;
    const gk_panel *p;
    int n;
} panels_ctx;

static void panel_axes(const gk_panel *p, axis *xa, axis *ya) {
    range xr = {0}, yr = {0};
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        for (size_t i = 0; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), v = to_axis(s->y[i], p->logy);
            if (!isfinite(u) || !isfinite(v)) continue;
            range_add(&xr, u);
            range_add(&yr, v);
            if (p->band_lo[k] && p->band_hi[k]) { /* bands widen the y range */
                range_add(&yr, to_axis(p->band_lo[k][i], p->logy));
                range_add(&yr, to_axis(p->band_hi[k][i], p->logy));
            }
        }
    }
    for (int k = 0; k < p->nvlines; k++) range_add(&xr, to_axis(p->vline[k], p->logx));
    for (int k = 0; k < p->nhlines; k++) range_add(&yr, to_axis(p->hline[k], p->logy));
    *xa = axis_make(xr, p->logx, 0, 6);
    double lo = to_axis(p->ymin, p->logy), hi = to_axis(p->ymax, p->logy);
    int fixed = (p->ymin != 0 || p->ymax != 0) && isfinite(lo) && isfinite(hi) && hi > lo;
    if (fixed) yr = (range){lo, hi, 1};
    else if (!p->logy && yr.any) { /* a little room, so that a line at the end of the data is not on the frame */
        double pad = 0.02 * (yr.hi - yr.lo);
        yr.lo = yr.lo >= 0 && yr.lo - pad < 0 ? 0 : yr.lo - pad;
        yr.hi = yr.hi <= 0 && yr.hi + pad > 0 ? 0 : yr.hi + pad;
    }
    *ya = axis_make(yr, p->logy, fixed, 5);
}

/* One run of points: a line (a lone point is drawn as a dot) or symbols. */
static void flush_run(PLFLT *x, PLFLT *y, int m, int style, int continued) {
    if (m == 0 || (m == 1 && continued)) return;
    line_style(style);
    if (style == 1 || m == 1) plstring(m, x, y, SYMBOL);
    else plline(m, x, y);
}

/* Draws a series in runs of valid points (a gap at each skipped point). */
static void draw_series(const gk_series *s, int logx, int logy) {
    PLFLT bx[CHUNK], by[CHUNK];
    int m = 0, continued = 0;
    for (size_t i = 0; i < s->n; i++) {
        double u = to_axis(s->x[i], logx), v = to_axis(s->y[i], logy);
        if (!isfinite(u) || !isfinite(v)) {
            flush_run(bx, by, m, s->style, continued);
            m = continued = 0;
            continue;
        }
        if (m == CHUNK) {
            flush_run(bx, by, m, s->style, continued);
            bx[0] = bx[m - 1], by[0] = by[m - 1];
            m = continued = 1;
        }
        bx[m] = u, by[m] = v, m++;
    }
    flush_run(bx, by, m, s->style, continued);
    line_style(0);
}

/* The band of series k: one polygon per run of points where x, lo and hi can all be shown (upper edge
 * forward, lower edge back), filled with the series' colour at alpha 0.25, clipped to the y range. */
static void draw_band(const gk_panel *p, int k, int rgb, const axis *ya) {
    const gk_series *s = &p->series[k];
    const double *lo = p->band_lo[k], *hi = p->band_hi[k];
    if (s->n < 2) return;
    PLFLT *px = malloc(2 * s->n * sizeof *px), *py = malloc(2 * s->n * sizeof *py);
    if (!px || !py) { /* a figure without its band rather than none */
        free(px);
        free(py);
        return;
    }
    use_rgb(rgb, 0.25);
    size_t i = 0;
    while (i < s->n) {
        size_t m = 0;
        for (; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), a = to_axis(lo[i], p->logy), b = to_axis(hi[i], p->logy);
            if (!isfinite(u) || !isfinite(a) || !isfinite(b)) break;
            px[m] = u, py[m++] = fmin(fmax(b, ya->lo), ya->hi);
            px[2 * s->n - m] = u, py[2 * s->n - m] = fmin(fmax(a, ya->lo), ya->hi);
        }
        if (m >= 2) { /* the lower edge sits at the end of the buffers: move it next to the upper one */
            memmove(px + m, px + 2 * s->n - m, m * sizeof *px);
            memmove(py + m, py + 2 * s->n - m, m * sizeof *py);
            plfill((PLINT)(2 * m), px, py);
        }
        i++;
    }
    free(px);
    free(py);
}

/* Vertical markers (dotted, grey) with their labels above the frame, never on a curve; a label that would run
 * into the one before it moves right (box_px: the frame's width). */
static void draw_vlines(const gk_panel *p, const axis *xa, const axis *ya, double box_px) {
    plcol0(C_VLINE);
    plwidth(1.5);
    line_style(3);
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (!isfinite(u) || u < xa->lo || u > xa->hi) continue;
        PLFLT x[2] = {u, u}, y[2] = {ya->lo, ya->hi};
        plline(2, x, y);
    }
    line_style(0);
    text_size(S_SMALL);
    double right_end = -1; /* of the last label drawn, as a fraction of the box: the next starts after it */
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (!isfinite(u) || u < xa->lo || u > xa->hi || !has_text(p->vline_label[k])) continue;
        double half = 0.5 * (text_em(p->vline_label[k]) + 0.5) * ch_px(S_SMALL) / box_px;
        double c = fmin(fmax(axis_frac(xa, u), 0.02), 0.98);
        if (c - half < right_end) c = right_end + half;
        plmtex("t", 0.75, c, 0.5, p->vline_label[k]);
        right_end = c + half;
    }
}

static void draw_hlines(const gk_panel *p, const int *rgb, const axis *xa) {
    plwidth(1.8);
    for (int k = 0; k < p->nhlines; k++) {
        double v = to_axis(p->hline[k], p->logy);
        if (!isfinite(v)) continue;
        PLFLT x[2] = {xa->lo, xa->hi}, y[2] = {v, v};
        use_rgb(rgb[k], 1);
        line_style(2);
        plline(2, x, y);
    }
    line_style(0);
}

static int any_vline_label(const gk_panel *p) {
    for (int k = 0; k < p->nvlines; k++)
        if (has_text(p->vline_label[k])) return 1;
    return 0;
}

/* The colours of the series (srgb) and reference lines (hrgb), and the legend. */
static void panel_colours(const gk_panel *p, int *srgb, int *hrgb, legend *lg) {
    int nfree = 0;
    for (int k = 0; k < p->nseries; k++) {
        srgb[k] = pick_rgb(p->colour[k], p->series[k].label, &nfree);
        legend_add(lg, p->series[k].label, srgb[k], p->series[k].style);
    }
    for (int k = 0; k < p->nhlines; k++) {
        hrgb[k] = pick_rgb(p->hline_colour[k], p->hline_label[k], &nfree);
        legend_add(lg, p->hline_label[k], hrgb[k], 2);
    }
    legend_measure(lg);
}

/* A panel's axes, colours, legend and plot box (left and right given: shared by stacked panels). */
typedef struct panel_layout {
    axis xa, ya;
    int srgb[GK_PLOT_MAX_SERIES], hrgb[GK_PLOT_MAX_HLINES];
    legend lg;
    double yw, vl; /* y tick label width, height of the marker labels */
    mapper m;
    box spot;      /* the legend's box */
    int outside;   /* the legend is right of the plot box */
} panel_layout;

static void layout_panel(const gk_panel *p, double top, double height, double left, double right, panel_layout *L) {
    GK_ASSERT(p->nseries >= 0 && p->nseries <= GK_PLOT_MAX_SERIES);
    GK_ASSERT(p->nvlines >= 0 && p->nvlines <= GK_PLOT_MAX_VLINES);
    GK_ASSERT(p->nhlines >= 0 && p->nhlines <= GK_PLOT_MAX_HLINES);
    memset(L, 0, sizeof *L);
    panel_axes(p, &L->xa, &L->ya);
    panel_colours(p, L->srgb, L->hrgb, &L->lg);
    L->yw = ticks_width(&L->ya);
    L->vl = any_vline_label(p) ? 1.4 * ch_px(S_SMALL) : 0;
    double th = has_text(p->title) ? 1.6 * ch_px(S_LABEL) : 0;
    L->m = (mapper){&L->xa, &L->ya, {left, right, top + th + L->vl + 6, top + height - bottom_margin(p->xlabel)}};
    L->spot = L->lg.n ? legend_spot(p, &L->m, &L->lg, &L->outside) : (box){0};
    if (L->outside) L->spot = (box){right + 12, right + 12 + L->lg.w, L->m.b.t, L->m.b.t + L->lg.h};
}

static void draw_panel(const gk_panel *p, const page *pg, double top, double height, double left, double right) {
    panel_layout L;
    layout_panel(p, top, height, left, right, &L);
    axis xa = L.xa, ya = L.ya;
    mapper m = L.m;
    m.xa = &xa, m.ya = &ya;
    const int *srgb = L.srgb, *hrgb = L.hrgb;
    const legend lg = L.lg;
    const box spot = L.spot;
    double yw = L.yw, vl = L.vl;
    thin_log_axis(&ya, m.b.b - m.b.t, 2.5 * ch_px(S_TICK)); /* 10^k: the exponent is above the line */
    thin_log_axis(&xa, m.b.r - m.b.l, ticks_width(&xa) + ch_px(S_TICK));
    viewport_box(pg, m.b);
    plwind(xa.lo, xa.hi, ya.lo, ya.hi);
    draw_grid(&xa, &ya);
    for (int k = 0; k < p->nseries; k++)
        if (p->band_lo[k] && p->band_hi[k]) draw_band(p, k, srgb[k], &ya);
    draw_hlines(p, hrgb, &xa);
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        GK_ASSERT(s->n == 0 || (s->x && s->y));
        use_rgb(srgb[k], 1);
        plwidth(2);
        draw_series(s, p->logx, p->logy);
    }
    draw_vlines(p, &xa, &ya, m.b.r - m.b.l);
    draw_frame(&xa, &ya);
    draw_tick_labels(&xa, "b");
    draw_tick_labels(&ya, "l");
    draw_axis_labels(yw, p->xlabel, p->ylabel);
    if (has_text(p->title)) {
        text_size(S_LABEL);
        plcol0(C_BLACK);
        plmtex("t", (vl + 0.75 * ch_px(S_LABEL)) / ch_px(S_LABEL), 0.5, 0.5, p->title);
    }
    legend_draw(&lg, pg, spot);
}

/* A panel is taller than PANEL_H when its log y axis has more decades than fit a label each. */
static double panel_height(const gk_panel *p) {
    axis xa, ya;
    panel_axes(p, &xa, &ya);
    if (!ya.log) return PANEL_H;
    double ch_tick = CHAR_MM * 72 / 25.4 * k_scale[S_TICK]; /* before any stream: PLplot's 72 dpi */
    double need = (ya.hi - ya.lo) * 1.9 * ch_tick, have = PANEL_H - 125;
    return need > have ? fmin(PANEL_H + need - have, 2.5 * PANEL_H) : PANEL_H;
}

/* Stacked panels share their plot box's left and right edges (so their x axes line up): the left one
 * clears the widest y labels; a legend that fits inside no panel goes right of the box, on a page made
 * that much wider. */
static void panels_frame(const panels_ctx *ctx, double *left, double *need) {
    double band = has_text(ctx->title) ? TITLE_BAND : 10, top = band, right = PANEL_W - 25;
    panel_layout L;
    *left = 0, *need = 0;
    for (int k = 0; k < ctx->n; k++) {
        layout_panel(&ctx->p[k], top, panel_height(&ctx->p[k]), 0, right, &L);
        *left = fmax(*left, left_margin(L.yw, ctx->p[k].ylabel));
    }
    for (int k = 0; k < ctx->n; k++) {
        double h = panel_height(&ctx->p[k]);
        layout_panel(&ctx->p[k], top, h, *left, right, &L);
        if (L.outside) *need = fmax(*need, L.lg.w + 22);
        top += h;
    }
}

static void draw_panels(const void *vctx, const page *pg) {
    const panels_ctx *ctx = vctx;
    double band = has_text(ctx->title) ? TITLE_BAND : 10, top = band, left, need;
    panels_frame(ctx, &left, &need);
    draw_figure_title(pg, ctx->title, band);
    for (int k = 0; k < ctx->n; k++) {
        double h = panel_height(&ctx->p[k]);
        draw_panel(&ctx->p[k], pg, top, h, left, PANEL_W - 25);
        top += h;
    }
}

static figure panels_figure(const panels_ctx *ctx) {
    double h = has_text(ctx->title) ? TITLE_BAND : 10, left, need;
    for (int k = 0; k < ctx->n; k++) h += panel_height(&ctx->p[k]);
    panels_frame(ctx, &left, &need);
    return (figure){{PANEL_W + need, h + 10}, draw_panels, ctx};
}

gk_status gk_plot_panels(const char *base, const char *title, const gk_panel *panels, int npanels, gk_error *err) {
    if (npanels < 1 || !panels) return gk_fail(err, GK_EINVAL, "figure %s: no panels to plot", base ? base : "?");
    panels_ctx ctx = {title, panels, npanels};
    figure fig = panels_figure(&ctx);
    return render(base, &fig, err);
}

gk_status gk_plot_panels_file(const char *path, const char *title, const gk_panel *panels, int npanels,
                              gk_error *err) {
    if (npanels < 1 || !panels) return gk_fail(err, GK_EINVAL, "figure %s: no panels to plot", path ? path : "?");
    panels_ctx ctx = {title, panels, npanels};
    figure fig = panels_figure(&ctx);
    return render_path(path, &fig, err);
}

/* ---- heat maps ----------------------------------------------------------------------------------- */

/* The colour of value z on colour axis za (log10 of z when logz); grey when it cannot be shown. */
static double cell_t(double z, const axis *za, int logz) {
    double v = to_axis(z, logz);
    if (!isfinite(v)) return NAN;
    double t = axis_frac(za, v);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static void cell_colour(double z, const axis *za, int logz) {
    double t = cell_t(z, za, logz);
    if (isfinite(t)) plcol1(t);
    else plcol0(C_NAN);
}

/* A filled rectangle in window coordinates, a hair larger so that anti-aliasing leaves no seams. */
static void fill_rect(double x0, double x1, double y0, double y1, double ex, double ey) {
    double l = fmin(x0, x1) - ex, r = fmax(x0, x1) + ex, b = fmin(y0, y1) - ey, t = fmax(y0, y1) + ey;
    PLFLT x[4] = {l, r, r, l}, y[4] = {b, b, t, t};
    plfill(4, x, y);
}

/* The colour axis over the finite values (log10 when logz): symmetric about 0 when `symmetric` and the
 * values have both signs; a constant one unit wide. */
static axis z_axis(const double *const *mats, int nmats, size_t n, int symmetric, int logz) {
    range r = {0};
    for (int k = 0; k < nmats; k++)
        for (size_t i = 0; i < n; i++) range_add(&r, to_axis(mats[k][i], logz));
    if (symmetric && r.any && r.lo < 0 && r.hi > 0) {
        double m = fmax(-r.lo, r.hi);
        r.lo = -m, r.hi = m;
    }
    if (!r.any) r = (range){0, 1, 1};
    if (r.hi == r.lo) r.lo -= 0.5, r.hi += 0.5;
    return axis_make(r, logz, !logz && symmetric, 5);
}

/* A vertical colour bar in box b (pixels) with its tick labels and label on the right. */
static void draw_colorbar(const page *pg, box b, const axis *za, const char *label) {
    enum { STRIPS = 128 };
    viewport_box(pg, b);
    plwind(0, 1, za->lo, za->hi);
    double dz = (za->hi - za->lo) / STRIPS;
    for (int k = 0; k < STRIPS; k++) {
        plcol1((k + 0.5) / STRIPS);
        fill_rect(0, 1, za->lo + k * dz, za->lo + (k + 1) * dz, 0, 0.3 * dz);
    }
    plcol0(C_BLACK);
    plwidth(1);
    plbox("bc", 0, 0, za->log ? "bcstl" : "bcst", za->step, za->log ? 0 : za->nsub);
    draw_tick_labels(za, "r");
    if (has_text(label)) {
        text_size(S_LABEL);
        double c = ch_px(S_LABEL);
        plmtex("r", (ticks_width(za) + 0.6 * ch_px(S_TICK) + 0.9 * c) / c, 0.5, 0.5, label);
    }
}

typedef struct heat_ctx {
    const gk_heatmap *h;
    const double *xe, *ye; /* cell edges in window units (nx + 1, ny + 1) */
    axis xa, ya, za;
} heat_ctx;

static void draw_markers(const gk_heatmap *h) {
    for (size_t i = 0; i < h->nmarks; i++) {
        PLFLT u = to_axis(h->mark_x[i], h->logx), v = to_axis(h->mark_y[i], h->logy);
        if (!isfinite(u) || !isfinite(v)) continue;
        plschr(0, 2.4);
        plcol0(C_WHITE);
        plstring(1, &u, &v, SYMBOL);
        plschr(0, 1.6);
        plcol0(C_BLACK);
        plstring(1, &u, &v, SYMBOL);
    }
}

/* A cell value: whole numbers in full up to 6 digits, else 3 significant digits. */
static void cell_text(double v, char *buf, size_t len) {
    if (!isfinite(v)) snprintf(buf, len, "-");
    else if (fabs(v) >= 100 && fabs(v) < 1e6) snprintf(buf, len, "%.0f", v);
    else snprintf(buf, len, "%.3g", v);
}

/* Each cell's value (and its prediction below it), white on dark cells and black on light ones. */
static void draw_cell_values(const heat_ctx *c, double cell_w_px) {
    const gk_heatmap *h = c->h;
    char a[48], b[64];
    for (size_t iy = 0; iy < h->ny; iy++)
        for (size_t ix = 0; ix < h->nx; ix++) {
            double z = h->z[iy * h->nx + ix], t = cell_t(z, &c->za, h->logz);
            double u = 0.5 * (c->xe[ix] + c->xe[ix + 1]), v0 = c->ye[iy], v1 = c->ye[iy + 1], v = 0.5 * (v0 + v1);
            cell_text(z, a, sizeof a);
            b[0] = '\0';
            if (h->zpred) {
                char pv[48];
                cell_text(h->zpred[iy * h->nx + ix], pv, sizeof pv);
                snprintf(b, sizeof b, "%s %s", has_text(h->zpred_label) ? h->zpred_label : "pred", pv);
            }
            double scale = fmin(k_scale[S_LABEL], 0.8 * cell_w_px / (fmax(text_em(a), text_em(b)) * g_ch1));
            plschr(0, scale);
            plcol0(isfinite(t) && t < 0.6 ? C_WHITE : C_BLACK);
            double dy = 0.16 * (v1 - v0);
            plptex(u, b[0] ? v + dy : v, 1, 0, 0.5, a);
            if (b[0]) {
                plschr(0, 0.8 * scale);
                plptex(u, v - dy, 1, 0, 0.5, b);
            }
        }
}

/* "Nice" contour levels of the prediction inside its range: 1, 2, 5 x 10^k when log, else linear. */
static int pred_levels(const gk_heatmap *h, PLFLT *lev, int max) {
    range r = {0};
    for (size_t i = 0; i < h->nx * h->ny; i++) range_add(&r, h->zpred[i]);
    if (!r.any || r.hi <= r.lo) return 0;
    int n = 0;
    if (h->logz && r.lo > 0) {
        static const double m[3] = {1, 2, 5};
        for (double e = floor(log10(r.lo)); e <= ceil(log10(r.hi)) && n < max; e++)
            for (int k = 0; k < 3 && n < max; k++) {
                double v = m[k] * pow(10, e);
                if (v > r.lo && v < r.hi) lev[n++] = v;
            }
        return n;
    }
    double st = nice_step(r.hi - r.lo, 4);
    for (double v = st * ceil(r.lo / st); v < r.hi && n < max; v += st)
        if (v > r.lo) lev[n++] = v;
    return n;
}

/* The predicted values as labelled white contour lines over the cell centres (all must be finite). */
static void draw_pred_contours(const heat_ctx *c) {
    const gk_heatmap *h = c->h;
    if (!h->zpred || h->nx < 2 || h->ny < 2) return;
    for (size_t i = 0; i < h->nx * h->ny; i++)
        if (!isfinite(h->zpred[i])) return;
    PLFLT lev[16];
    int nlev = pred_levels(h, lev, 16);
    PLFLT **f = NULL, *xg = malloc(h->nx * sizeof *xg), *yg = malloc(h->ny * sizeof *yg);
    plAlloc2dGrid(&f, (PLINT)h->nx, (PLINT)h->ny);
    if (f && xg && yg && nlev > 0) {
        for (size_t ix = 0; ix < h->nx; ix++) xg[ix] = 0.5 * (c->xe[ix] + c->xe[ix + 1]);
        for (size_t iy = 0; iy < h->ny; iy++) yg[iy] = 0.5 * (c->ye[iy] + c->ye[iy + 1]);
        for (size_t ix = 0; ix < h->nx; ix++)
            for (size_t iy = 0; iy < h->ny; iy++) f[ix][iy] = h->zpred[iy * h->nx + ix];
        PLcGrid cg = {xg, yg, NULL, (PLINT)h->nx, (PLINT)h->ny, 0};
        pl_setcontlabelparam(0.006, 0.3, 0.1, 0); /* no labels on the lines: the note lists the levels */
        plcol0(C_WHITE);
        plwidth(2.5);
        line_style(2);
        plcont((PLFLT_MATRIX)f, (PLINT)h->nx, (PLINT)h->ny, 1, (PLINT)h->nx, 1, (PLINT)h->ny, lev, nlev, pltr1, &cg);
        line_style(0);
    }
    if (f) plFree2dGrid(f, (PLINT)h->nx, (PLINT)h->ny);
    free(xg);
    free(yg);
}

/* Category labels: one per cell, at its centre. */
static void draw_category_labels(const double *v, size_t n, const double *e, const axis *a, const char *side) {
    char buf[48];
    text_size(S_TICK);
    plcol0(C_BLACK);
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%g", v[i]);
        double f = axis_frac(a, 0.5 * (e[i] + e[i + 1]));
        if (side[0] == 'b') plmtex("b", 1.5, f, 0.5, buf);
        else plmtex("lv", 0.6, f, 1.0, buf);
    }
}

static double category_width(const double *v, size_t n) {
    char buf[48];
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%g", v[i]);
        w = fmax(w, text_px(buf, S_TICK));
    }
    return w;
}

static void draw_heat(const void *vctx, const page *pg) {
    const heat_ctx *c = vctx;
    const gk_heatmap *h = c->h;
    draw_figure_title(pg, h->title, TITLE_BAND);
    set_cmap1(0);
    double yw = h->categorical ? category_width(h->y, h->ny) : ticks_width(&c->ya);
    double note = h->zpred && h->cell_values ? 3.0 * ch_px(S_SMALL) : 0;
    box b = {left_margin(yw, h->ylabel), pg->w - 210, TITLE_BAND + 15, pg->h - bottom_margin(h->xlabel) - note};
    viewport_box(pg, b);
    plwind(c->xa.lo, c->xa.hi, c->ya.lo, c->ya.hi);
    double ex = 1e-3 * (c->xa.hi - c->xa.lo), ey = 1e-3 * (c->ya.hi - c->ya.lo);
    for (size_t iy = 0; iy < h->ny; iy++)
        for (size_t ix = 0; ix < h->nx; ix++) {
            cell_colour(h->z[iy * h->nx + ix], &c->za, h->logz);
            fill_rect(c->xe[ix], c->xe[ix + 1], c->ye[iy], c->ye[iy + 1], ex, ey);
        }
    draw_pred_contours(c);
    if (h->cell_values && h->nx) draw_cell_values(c, (b.r - b.l) / (double)h->nx);
    draw_markers(h);
    plcol0(C_BLACK);
    plwidth(1);
    if (h->categorical) {
        plbox("bc", 0, 0, "bc", 0, 0);
        draw_category_labels(h->x, h->nx, c->xe, &c->xa, "b");
        draw_category_labels(h->y, h->ny, c->ye, &c->ya, "l");
    } else {
        draw_frame(&c->xa, &c->ya);
        draw_tick_labels(&c->xa, "b");
        draw_tick_labels(&c->ya, "l");
    }
    draw_axis_labels(yw, h->xlabel, h->ylabel);
    if (note > 0) {
        char buf[256], lines[256];
        const char *pl = has_text(h->zpred_label) ? h->zpred_label : "prediction";
        snprintf(buf, sizeof buf, "in each cell: %s (top), predicted %s (below)", has_text(h->zlabel) ? h->zlabel : "value", pl);
        PLFLT lev[16];
        int nlev = h->nx >= 2 && h->ny >= 2 ? pred_levels(h, lev, 16) : 0;
        size_t u = (size_t)snprintf(lines, sizeof lines, "dashed white lines: predicted %s =", pl);
        for (int k = 0; k < nlev && u < sizeof lines; k++)
            u += (size_t)snprintf(lines + u, sizeof lines - u, "%s %g", k ? "," : "", lev[k]);
        text_size(S_SMALL);
        double disp = (bottom_margin(h->xlabel) + 0.6 * ch_px(S_SMALL)) / ch_px(S_SMALL);
        plmtex("b", disp, 0.0, 0.0, buf);
        if (nlev) plmtex("b", disp + 1.4, 0.0, 0.0, lines);
    }
    draw_colorbar(pg, (box){pg->w - 180, pg->w - 158, b.t, b.b}, &c->za, h->zlabel);
}

/* Cell edges in window units from n cell centres: midpoints between neighbours (geometric on a log
 * axis), the outer edges half a neighbour spacing out, a lone centre one unit wide; categorical: the
 * index i +- 0.5. */
static gk_status cell_edges(const double *c, size_t n, int logaxis, int categorical, const char *name, double *e,
                            gk_error *err) {
    if (n == 0) { /* an empty axis: [0, 1] (see edge_axis) */
        e[0] = 0;
        return GK_OK;
    }
    for (size_t i = 0; i < n; i++) {
        double t = categorical ? (double)i : to_axis(c[i], logaxis);
        if (!isfinite(t) || !isfinite(c[i]))
            return gk_fail(err, GK_EINVAL, "heat map: %s[%zu] = %g cannot be shown on a %s axis", name, i, c[i],
                           logaxis ? "log" : "linear");
        if (i > 0 && (t == e[i - 1] || (i > 1 && (t > e[i - 1]) != (e[i - 1] > e[i - 2]))))
            return gk_fail(err, GK_EINVAL, "heat map: %s must be strictly monotonic (at index %zu)", name, i);
        e[i] = t;
    }
    if (n == 1) {
        e[1] = e[0] + 0.5, e[0] -= 0.5;
    } else {
        double last = e[n - 1];
        for (size_t i = n - 1; i >= 1; i--) e[i] = 0.5 * (e[i] + e[i - 1]);
        e[0] = 2 * e[0] - e[1];
        e[n] = 2 * last - e[n - 1];
    }
    return GK_OK;
}

/* The window axis over edges e[0..n] (exact range; ticks where they fall). */
static axis edge_axis(const double *e, size_t n, int logaxis) {
    range r = {0};
    range_add(&r, e[0]);
    range_add(&r, e[n]);
    if (r.lo == r.hi) r.hi = r.lo + 1;
    axis a = axis_make(r, logaxis, 1, 5);
    return a;
}

gk_status gk_plot_heatmap_ex(const char *base, const gk_heatmap *h, gk_error *err) {
    GK_ASSERT(h && (h->nmarks == 0 || (h->mark_x && h->mark_y)));
    gk_heatmap empty = *h;
    if (h->nx == 0 || h->ny == 0) { /* an empty frame */
        static const double zero = 0;
        empty.nx = empty.ny = 0, empty.x = empty.y = empty.z = &zero, empty.zpred = NULL;
        h = &empty;
    }
    GK_ASSERT(h->x && h->y && h->z);
    heat_ctx c = {.h = h};
    double *xe = malloc((h->nx + 1) * sizeof *xe), *ye = malloc((h->ny + 1) * sizeof *ye);
    gk_status s = GK_OK;
    if (!xe || !ye) s = gk_fail(err, GK_ENOMEM, "heat map %s: out of memory", base);
    if (!s) s = cell_edges(h->x, h->nx, h->logx, h->categorical, "x", xe, err);
    if (!s) s = cell_edges(h->y, h->ny, h->logy, h->categorical, "y", ye, err);
    if (!s) {
        c.xe = xe, c.ye = ye;
        c.xa = edge_axis(xe, h->nx, h->logx && !h->categorical);
        c.ya = edge_axis(ye, h->ny, h->logy && !h->categorical);
        c.za = z_axis(&h->z, 1, h->nx * h->ny, 0, h->logz);
        figure fig = {{900, 700}, draw_heat, &c};
        s = render(base, &fig, err);
    }
    free(xe);
    free(ye);
    return s;
}

gk_status gk_plot_heatmap(const char *base, const char *title, const char *xlabel, const char *ylabel,
                          const char *zlabel, const double *x, size_t nx, const double *y, size_t ny,
                          const double *z, int logx, int logy, const double *mark_x, const double *mark_y,
                          size_t nmarks, gk_error *err) {
    gk_heatmap h = {.title = title, .xlabel = xlabel, .ylabel = ylabel, .zlabel = zlabel, .x = x, .y = y, .z = z,
                    .nx = nx, .ny = ny, .logx = logx, .logy = logy, .mark_x = mark_x, .mark_y = mark_y,
                    .nmarks = nmarks};
    return gk_plot_heatmap_ex(base, &h, err);
}

/* ---- matrices side by side ----------------------------------------------------------------------- */

typedef struct mat_ctx {
    const char *title;
    const char *const *titles;
    const double *const *mats;
    int n;
    size_t rows, cols;
    axis za;
    double panel_w, panel_h;
} mat_ctx;

enum { MAT_LEFT = 60, MAT_GAP = 55, MAT_BAR = 150, MAT_TOP = TITLE_BAND + 35, MAT_BOTTOM = 50 };

/* Integer tick spacing for an index axis of n cells. */
static double index_step(size_t n) {
    double s = ceil(n / 5.0);
    return s < 1 ? 1 : s;
}

static void draw_matrix(const mat_ctx *m, int k, const page *pg) {
    double left = MAT_LEFT + k * (m->panel_w + MAT_GAP);
    viewport_box(pg, (box){left, left + m->panel_w, MAT_TOP, MAT_TOP + m->panel_h});
    double ncols = m->cols ? (double)m->cols : 1, nrows = m->rows ? (double)m->rows : 1;
    plwind(0, ncols, nrows, 0); /* row 0 at the top */
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++) {
            cell_colour(m->mats[k][i * m->cols + j], &m->za, 0);
            fill_rect(j, j + 1.0, i, i + 1.0, 1e-3 * ncols, 1e-3 * nrows);
        }
    plcol0(C_BLACK);
    plwidth(1);
    text_size(S_TICK);
    plbox("bcnt", index_step(m->cols), 0, "bcntv", index_step(m->rows), 0);
    if (m->titles && has_text(m->titles[k])) {
        text_size(text_px(m->titles[k], S_LABEL) < m->panel_w + MAT_GAP - 10 ? S_LABEL : S_SMALL);
        plmtex("t", 0.9, 0.5, 0.5, m->titles[k]);
    }
}

static void draw_matrices(const void *vctx, const page *pg) {
    const mat_ctx *m = vctx;
    draw_figure_title(pg, m->title, TITLE_BAND);
    set_cmap1(m->za.lo < 0 && m->za.hi > 0);
    for (int k = 0; k < m->n; k++) draw_matrix(m, k, pg);
    double l = MAT_LEFT + m->n * (m->panel_w + MAT_GAP) - MAT_GAP + 20;
    draw_colorbar(pg, (box){l, l + 22, MAT_TOP, MAT_TOP + m->panel_h}, &m->za, NULL);
}

gk_status gk_plot_matrices(const char *base, const char *title, const char *const *panel_titles,
                           const double *const *mats, int npanels, size_t nrows, size_t ncols, gk_error *err) {
    if (npanels < 1 || !mats) return gk_fail(err, GK_EINVAL, "figure %s: no matrices to plot", base ? base : "?");
    size_t n = nrows * ncols;
    for (int k = 0; k < npanels; k++) GK_ASSERT(n == 0 || mats[k]);
    mat_ctx m = {title, panel_titles, mats, npanels, nrows, ncols, z_axis(mats, npanels, n, 1, 0), 0, 0};
    double w = fmax(1200, MAT_LEFT + MAT_BAR + npanels * (200.0 + MAT_GAP));
    m.panel_w = (w - MAT_LEFT - MAT_BAR) / npanels - MAT_GAP;
    double aspect = (nrows && ncols) ? (double)nrows / (double)ncols : 1;
    m.panel_h = fmin(fmax(m.panel_w * aspect, 160), 600);
    figure fig = {{w, MAT_TOP + m.panel_h + MAT_BOTTOM}, draw_matrices, &m};
    return render(base, &fig, err);
}

/* ---- histograms ---------------------------------------------------------------------------------- */

typedef struct hist_ctx {
    const char *title, *xlabel;
    const char *const *labels;
    int ns, nbins;
    axis xa, ya;
    const double *edges;  /* nbins + 1 */
    const size_t *counts; /* ns x nbins */
    PLFLT *px, *py;       /* 2 nbins + 2 points of one step outline */
} hist_ctx;

/* Sample k as a translucent filled step outline. */
static void draw_step(const hist_ctx *h, int k, int rgb) {
    const size_t *cnt = h->counts + (size_t)k * h->nbins;
    int m = 0;
    h->px[m] = h->edges[0], h->py[m++] = 0;
    for (int b = 0; b < h->nbins; b++) {
        h->px[m] = h->edges[b], h->py[m++] = (double)cnt[b];
        h->px[m] = h->edges[b + 1], h->py[m++] = (double)cnt[b];
    }
    h->px[m] = h->edges[h->nbins], h->py[m++] = 0;
    use_rgb(rgb, 0.18);
    plfill(m, h->px, h->py);
    use_rgb(rgb, 1);
    plwidth(2);
    line_style(0);
    plline(m, h->px, h->py);
}

/* The histograms as a gk_panel-like obstacle set for the legend: one point per bin top. */
static long hist_hits(const hist_ctx *h, const mapper *m, box r) {
    long hits = 0;
    for (int k = 0; k < h->ns; k++)
        for (int b = 0; b < h->nbins; b++) {
            double y = map_y(m, (double)h->counts[(size_t)k * h->nbins + b]);
            hits += segment_hits(map_x(m, h->edges[b]), y, map_x(m, h->edges[b + 1]), y, r);
        }
    return hits;
}

static void draw_hists(const void *vctx, const page *pg) {
    const hist_ctx *h = vctx;
    draw_figure_title(pg, h->title, TITLE_BAND);
    legend lg = {0};
    int rgb[GK_PLOT_MAX_SERIES], nfree = 0;
    for (int k = 0; k < h->ns; k++) rgb[k] = k_free[nfree++ % (int)(sizeof k_free / sizeof k_free[0])];
    for (int k = 0; k < h->ns; k++) legend_add(&lg, h->labels ? h->labels[k] : NULL, rgb[k], 0);
    legend_measure(&lg);
    double yw = ticks_width(&h->ya);
    mapper m = {&h->xa, &h->ya, {left_margin(yw, "count"), pg->w - 25, TITLE_BAND + 15, pg->h - bottom_margin(h->xlabel)}};
    box spot = {m.b.r - 8 - lg.w, m.b.r - 8, m.b.t + 8, m.b.t + 8 + lg.h};
    const double xs[2] = {m.b.r - 8 - lg.w, m.b.l + 8};
    int found = 0;
    for (int k = 0; k < 2 && !found; k++) {
        box r = {xs[k], xs[k] + lg.w, m.b.t + 8, m.b.t + 8 + lg.h};
        if (hist_hits(h, &m, (box){r.l - 4, r.r + 4, r.t - 4, r.b + 4}) == 0) spot = r, found = 1;
    }
    if (!found && lg.n) {
        m.b.r = pg->w - lg.w - 22;
        spot = (box){m.b.r + 12, m.b.r + 12 + lg.w, m.b.t, m.b.t + lg.h};
    }
    viewport_box(pg, m.b);
    plwind(h->xa.lo, h->xa.hi, h->ya.lo, h->ya.hi);
    draw_grid(&h->xa, &h->ya);
    for (int k = 0; k < h->ns; k++) draw_step(h, k, rgb[k]);
    draw_frame(&h->xa, &h->ya);
    draw_tick_labels(&h->xa, "b");
    draw_tick_labels(&h->ya, "l");
    draw_axis_labels(yw, h->xlabel, "count");
    legend_draw(&lg, pg, spot);
}

/* Shared bins over the pooled finite values (constant data: one unit wide). */
static void bin_samples(hist_ctx *h, double *edges, size_t *counts, const double *const *samples,
                        const size_t *n) {
    range r = {0};
    for (int k = 0; k < h->ns; k++)
        for (size_t i = 0; i < n[k]; i++) range_add(&r, samples[k][i]);
    if (!r.any) r = (range){0, 1, 1};
    if (r.hi == r.lo) r.lo -= 0.5, r.hi += 0.5;
    double w = (r.hi - r.lo) / h->nbins, top = 0;
    for (int b = 0; b <= h->nbins; b++) edges[b] = r.lo + b * w;
    edges[h->nbins] = r.hi;
    for (int k = 0; k < h->ns; k++) {
        size_t *cnt = counts + (size_t)k * h->nbins;
        for (size_t i = 0; i < n[k]; i++) {
            double v = samples[k][i];
            if (!isfinite(v)) continue;
            int b = (int)((v - r.lo) / w);
            cnt[b < 0 ? 0 : b >= h->nbins ? h->nbins - 1 : b]++;
        }
        for (int b = 0; b < h->nbins; b++) top = fmax(top, (double)cnt[b]);
    }
    h->xa = axis_make(r, 0, 0, 6);
    h->ya = axis_make((range){0, top > 0 ? 1.1 * top : 1, 1}, 0, 0, 5);
}

gk_status gk_plot_histograms(const char *base, const char *title, const char *xlabel, const char *const *labels,
                             const double *const *samples, const size_t *counts, int nsamples, int nbins,
                             gk_error *err) {
    if (nsamples < 0 || nsamples > GK_PLOT_MAX_SERIES)
        return gk_fail(err, GK_EINVAL, "histogram %s: %d samples (at most %d)", base ? base : "?", nsamples,
                       GK_PLOT_MAX_SERIES);
    GK_ASSERT(nsamples == 0 || (samples && counts));
    size_t most = 0;
    for (int k = 0; k < nsamples; k++) {
        GK_ASSERT(counts[k] == 0 || samples[k]);
        if (counts[k] > most) most = counts[k];
    }
    if (nbins < 1) nbins = (int)fmin(50, fmax(10, ceil(sqrt((double)most))));
    hist_ctx h = {.title = title, .xlabel = xlabel, .labels = labels, .ns = nsamples, .nbins = nbins};
    double *edges = malloc((size_t)(nbins + 1) * sizeof *edges);
    size_t *cnt = calloc((size_t)(nsamples ? nsamples : 1) * (size_t)nbins, sizeof *cnt);
    PLFLT *px = malloc((size_t)(2 * nbins + 2) * sizeof *px), *py = malloc((size_t)(2 * nbins + 2) * sizeof *py);
    gk_status s = GK_OK;
    if (!edges || !cnt || !px || !py) s = gk_fail(err, GK_ENOMEM, "histogram %s: out of memory", base);
    if (!s) {
        bin_samples(&h, edges, cnt, samples, counts);
        h.edges = edges, h.counts = cnt, h.px = px, h.py = py;
        figure fig = {{900, 560}, draw_hists, &h};
        s = render(base, &fig, err);
    }
    free(edges);
    free(cnt);
    free(px);
    free(py);
    return s;
}
