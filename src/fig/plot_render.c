/* plot_render.c: a figure (a draw function on a page) to PNG, SVG or PDF files, whole or not at all.
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
 */
#define _GNU_SOURCE /* fopencookie */
#include "fig/plot_core.h"

#include "io/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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
    gkf_set_cmap0();
    plinit();
    pladv(0);
    plschr(CHAR_MM, 1.0); /* the same text size on every page (PLplot's default grows with the page) */
    gkf_font = fig->font > 0 ? fig->font : 1;
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
gk_status gkf_render(const char *base, const figure *fig, gk_error *err) {
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

gk_status gkf_render_path(const char *path, const figure *fig, gk_error *err) {
    GK_ASSERT(path);
    target t;
    gk_status s = make_target(&t, path, err);
    return s ? s : render_targets(&t, 1, fig, err);
}
