/* overlay.c: runs overlaid on shared axes (overlay.h), the figure of `groklab plot` and gk_plot_runs. */
#include "fig/overlay.h"

#include "fig/plot.h"
#include "fig/run_files.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_RUNS = GK_OVERLAY_MAX_RUNS, MAX_COLS = GK_OVERLAY_MAX_COLS, MAX_PARAMS = 64, MAX_STYLES = 5 };

/* The line styles of a second key's values (plot.h: solid, dashed, dotted, dash-dot, long dash). */
static const int line_styles[MAX_STYLES] = {0, 2, 3, 4, 5};

typedef struct run {
    gk_fig_run f;
    double *x;       /* the x of every metrics row */
    char label[256]; /* what differs from the other runs */
    int colour;      /* GK_RGB */
    int style;       /* line style (by the second differing key) */
    int rank;        /* by: the position of its value among the sorted values */
} run;

typedef struct overlay {
    const gk_plot_options *o;
    const char *x;
    char ycols[MAX_COLS][64];
    char ytitles[MAX_COLS][96]; /* each column in words (gk_column_title) */
    int ny, logx, logy;
    char xlabel[96];  /* the x axis title (with logx: where x = 0 is drawn) */
    run *runs;
    int n;
    /* by: the legend names each colour (by_text) and each line style (style_text) instead of each curve */
    int factored, nby, nstyle;
    char by_text[GK_PLOT_MAX_SERIES][96], style_text[MAX_STYLES][96];
    int by_rgb[GK_PLOT_MAX_SERIES];
    /* by a numeric key of many values: the curves coloured on a colour bar instead */
    int use_cbar;
    gk_colour_bar cbar;
    double *cbar_values;
    char by_words[96]; /* by's key in words (or the key) */
} overlay;

/* ---- the run directories ------------------------------------------------------------------------- */

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_metrics(const char *dir) {
    char p[1400];
    struct stat st;
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* dir itself, or its subdirectories holding a metrics.csv (a sweep), in name order. */
static gk_status expand_one(const char *dir, char (*out)[1024], int *n, gk_error *err) {
    if (!is_dir(dir)) return gk_fail(err, GK_EINVAL, "%s is not a directory", dir);
    if (has_metrics(dir)) {
        if (*n >= MAX_RUNS) return gk_fail(err, GK_EINVAL, "more than %d runs", MAX_RUNS);
        snprintf(out[(*n)++], 1024, "%s", dir);
        return GK_OK;
    }
    DIR *d = opendir(dir);
    if (!d) return gk_fail(err, GK_EINVAL, "cannot read directory %s", dir);
    char *names[MAX_RUNS], sub[1300];
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && k < MAX_RUNS) {
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.' && is_dir(sub) && has_metrics(sub)) names[k++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)k, sizeof *names, cmp_str);
    gk_status s = GK_OK;
    if (k == 0)
        s = gk_fail(err, GK_EINVAL, "%s is neither a run directory (no metrics.csv) nor a sweep directory (no point "
                    "with one)", dir);
    for (int i = 0; i < k; i++) {
        if (!s && *n >= MAX_RUNS) s = gk_fail(err, GK_EINVAL, "more than %d runs", MAX_RUNS);
        if (!s && !names[i]) s = gk_fail(err, GK_ENOMEM, "out of memory");
        if (!s) snprintf(out[(*n)++], 1024, "%s/%s", dir, names[i]);
        free(names[i]);
    }
    return s;
}

gk_status gk_overlay_expand(const char *const *dirs, int ndirs, char (*out)[1024], int *nout, gk_error *err) {
    *nout = 0;
    if (ndirs < 1) return gk_fail(err, GK_EINVAL, "no run or sweep directory given");
    gk_status s = GK_OK;
    for (int i = 0; i < ndirs && !s; i++) s = expand_one(dirs[i], out, nout, err);
    return s;
}

/* ---- the x axis ---------------------------------------------------------------------------------- */

static double cell(const run *r, size_t row, int c) { return r->f.m.vals[row * (size_t)r->f.m.ncols + (size_t)c]; }

static gk_status run_x(run *r, const char *mode, gk_error *err) {
    const gk_csv_table *m = &r->f.m;
    int cs = gk_csv_table_col(m, "step"), ct = gk_csv_table_col(m, "time");
    int c = !strcmp(mode, "t") ? ct : cs;
    double div = 1;
    if (!strcmp(mode, "tstar")) {
        if (ct >= 0 && isfinite(r->f.tstar) && r->f.tstar > 0) c = ct, div = r->f.tstar;
        else if (cs >= 0 && isfinite(r->f.predicted) && r->f.predicted > 0) c = cs, div = r->f.predicted;
        else
            return gk_fail(err, GK_EINVAL, "--x tstar: %s has no predicted transition (tstar or "
                           "predicted_transition_step in summary.json)", r->f.dir);
    }
    if (c < 0)
        return gk_fail(err, GK_EINVAL, "--x %s: %s/metrics.csv has no '%s' column", mode, r->f.dir,
                       !strcmp(mode, "t") ? "time" : "step");
    for (size_t i = 0; i < m->nrows; i++) r->x[i] = cell(r, i, c) / div;
    return GK_OK;
}

/* A log x axis cannot show x = 0 (the step-0 evaluation): those rows go to half the smallest positive x of all
 * runs, at the axis's left end, and the axis title says so. */
static void place_log_zero(overlay *ov) {
    double lo = INFINITY;
    int zeros = 0;
    snprintf(ov->xlabel, sizeof ov->xlabel, "%s", !strcmp(ov->x, "tstar") ? "t / t*" : !strcmp(ov->x, "t") ? "t" : "step");
    if (!ov->logx) return;
    for (int i = 0; i < ov->n; i++)
        for (size_t k = 0; k < ov->runs[i].f.m.nrows; k++) {
            double v = ov->runs[i].x[k];
            if (v > 0 && v < lo) lo = v;
            zeros += v == 0;
        }
    if (!zeros || !isfinite(lo)) return;
    for (int i = 0; i < ov->n; i++)
        for (size_t k = 0; k < ov->runs[i].f.m.nrows; k++)
            if (ov->runs[i].x[k] == 0) ov->runs[i].x[k] = lo / 2;
    size_t u = strlen(ov->xlabel);
    snprintf(ov->xlabel + u, sizeof ov->xlabel - u, " (0 drawn at %.3g)", lo / 2);
}

/* ---- labels and colours -------------------------------------------------------------------------- */

/* The param keys every run has (threads never matters), in the first run's order. */
static int shared_keys(const run *runs, int n, const char **keys) {
    int nk = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, gk_fig_run_params(&runs[0].f)) {
        int shared = strcmp(it->string, "threads") != 0;
        for (int i = 1; i < n && shared; i++)
            shared = cJSON_GetObjectItemCaseSensitive(gk_fig_run_params(&runs[i].f), it->string) != NULL;
        if (shared && nk < MAX_PARAMS) keys[nk++] = it->string;
    }
    return nk;
}

static int key_differs(const run *runs, int n, const char *key) {
    char a[128], b[128];
    gk_fig_param_text(&runs[0].f, key, a, sizeof a);
    for (int j = 1; j < n; j++) {
        gk_fig_param_text(&runs[j].f, key, b, sizeof b);
        if (strcmp(a, b)) return 1;
    }
    return 0;
}

/* The keys that differ between the runs, among those they all have. */
static int differing_keys(const run *runs, int n, const char **keys) {
    const char *all[MAX_PARAMS];
    int na = shared_keys(runs, n, all), nk = 0;
    for (int k = 0; k < na; k++)
        if (key_differs(runs, n, all[k])) keys[nk++] = all[k];
    return nk;
}

/* A label that did not fit its room (len >= 4) ends in "...": cut visibly, not silently. */
static void mark_cut(char *l, size_t len) { memcpy(l + len - 4, "...", 4); }

/* Each run's label: its preset when the presets differ, then key=value for every differing shared key (the
 * directory's name when nothing differs). */
static void label_runs(run *runs, int n) {
    const char *keys[MAX_PARAMS];
    int nk = differing_keys(runs, n, keys), preset_differs = 0;
    for (int i = 1; i < n; i++) preset_differs |= strcmp(gk_fig_run_preset(&runs[i].f), gk_fig_run_preset(&runs[0].f)) != 0;
    char b[128];
    for (int i = 0; i < n; i++) {
        char *l = runs[i].label;
        const size_t len = sizeof runs[i].label;
        size_t used = 0;
        int w = 0;
        l[0] = '\0';
        if (preset_differs) w = snprintf(l, len, "%s", gk_fig_run_preset(&runs[i].f));
        used = w > 0 ? (size_t)w : 0;
        for (int k = 0; k < nk && used < len; k++) {
            gk_fig_param_text(&runs[i].f, keys[k], b, sizeof b);
            w = snprintf(l + used, len - used, "%s%s=%s", used ? ", " : "", keys[k], b);
            used += w > 0 ? (size_t)w : 0;
        }
        if (!l[0]) { /* nothing differs: the directory name */
            const char *slash = strrchr(runs[i].f.dir, '/');
            w = snprintf(l, len, "%s", slash && slash[1] ? slash + 1 : runs[i].f.dir);
            used = w > 0 ? (size_t)w : 0;
        }
        if (used >= len) mark_cut(l, len);
    }
}

typedef struct by_value {
    char text[128];
    double num;
} by_value;

static int cmp_by(const void *a, const void *b) {
    const by_value *x = a, *y = b;
    if (isfinite(x->num) && isfinite(y->num)) return (x->num > y->num) - (x->num < y->num);
    return strcmp(x->text, y->text);
}

/* The distinct values of key over the runs, sorted (numerically when all are numbers); -1 when a run lacks it. */
static int key_values(const run *runs, int n, const char *key, by_value *v) {
    int nv = 0, numeric = 1;
    for (int i = 0; i < n; i++) {
        char t[128], *end;
        gk_fig_param_text(&runs[i].f, key, t, sizeof t);
        if (!t[0]) return -1;
        int seen = 0;
        for (int k = 0; k < nv && !seen; k++) seen = !strcmp(v[k].text, t);
        if (seen) continue;
        snprintf(v[nv].text, sizeof v[nv].text, "%s", t);
        v[nv].num = strtod(t, &end);
        if (*end) v[nv].num = NAN, numeric = 0;
        nv++;
    }
    for (int k = 0; k < nv && !numeric; k++) v[k].num = NAN;
    qsort(v, (size_t)nv, sizeof *v, cmp_by);
    return nv;
}

static int value_rank(const run *r, const char *key, const by_value *v, int nv) {
    char t[128];
    gk_fig_param_text(&r->f, key, t, sizeof t);
    for (int k = 0; k < nv; k++)
        if (!strcmp(v[k].text, t)) return k;
    return 0;
}

/* Whether by's value, with key's (key NULL: by's alone), tells every run apart. */
static int tells_apart(const run *runs, int n, const char *by, const char *key) {
    char a[128], b[128];
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            gk_fig_param_text(&runs[i].f, by, a, sizeof a);
            gk_fig_param_text(&runs[j].f, by, b, sizeof b);
            if (strcmp(a, b)) continue;
            if (!key) return 0;
            gk_fig_param_text(&runs[i].f, key, a, sizeof a);
            gk_fig_param_text(&runs[j].f, key, b, sizeof b);
            if (!strcmp(a, b)) return 0;
        }
    return 1;
}

/* With `by`, the legend names colours and line styles instead of each curve when that tells the curves apart:
 * by's value alone, or with the other differing key of fewest values (at most MAX_STYLES) as the line style.
 * Keys that follow from those (steps set by --steps-per-tstar from alpha and wd, say) are not named. Else
 * each curve keeps its own entry. */
static void factor_styles(overlay *ov, const by_value *v, int nv) {
    const char *keys[MAX_PARAMS], *other = NULL;
    int nk = differing_keys(ov->runs, ov->n, keys), ns = 0;
    by_value *sv = calloc((size_t)ov->n, sizeof *sv), *tv = calloc((size_t)ov->n, sizeof *tv);
    int alone = tells_apart(ov->runs, ov->n, ov->o->by, NULL);
    for (int k = 0; k < nk && !alone && sv && tv; k++) {
        if (!strcmp(keys[k], ov->o->by)) continue;
        int nt = key_values(ov->runs, ov->n, keys[k], tv);
        if (nt < 2 || nt > MAX_STYLES || (other && nt >= ns) || !tells_apart(ov->runs, ov->n, ov->o->by, keys[k]))
            continue;
        other = keys[k], ns = nt;
        memcpy(sv, tv, (size_t)nt * sizeof *sv);
    }
    const char *exp = gk_fig_run_experiment(&ov->runs[0].f);
    if ((alone || other) && ov->n + nv + ns <= GK_PLOT_MAX_SERIES) {
        ov->factored = 1, ov->nby = nv, ov->nstyle = other ? ns : 0;
        for (int k = 0; k < nv; k++) gk_param_label(ov->o->by, exp, v[k].text, ov->by_text[k], sizeof ov->by_text[k]);
        for (int k = 0; k < ov->nstyle; k++) gk_param_label(other, exp, sv[k].text, ov->style_text[k], sizeof ov->style_text[k]);
        for (int i = 0; i < ov->n && ov->nstyle; i++) ov->runs[i].style = line_styles[value_rank(&ov->runs[i], other, sv, ns)];
    }
    free(sv);
    free(tv);
}

int gk_overlay_colour_scale(const double *v, int n, gk_colour_bar *cb) {
    int positive = n > 0;
    for (int k = 0; k < n; k++) {
        if (!isfinite(v[k])) return 0;
        positive &= v[k] > 0;
    }
    if (n < GK_OVERLAY_COLOUR_BAR_MIN) return 0;
    cb->lo = v[0], cb->hi = v[n - 1];
    cb->log = positive && cb->hi > 10 * cb->lo;
    return 1;
}

/* by KEY: one colour per value of KEY: on a colour bar (gk_overlay_colour_scale), else the sequential ramp in the
 * values' order. */
static gk_status colour_by(overlay *ov) {
    by_value *v = calloc((size_t)ov->n, sizeof *v);
    if (!v || !(ov->cbar_values = calloc((size_t)ov->n, sizeof(double)))) {
        free(v);
        return GK_ENOMEM;
    }
    int nv = key_values(ov->runs, ov->n, ov->o->by, v);
    if (nv < 0) {
        free(v);
        return GK_EINVAL;
    }
    for (int k = 0; k < nv; k++) ov->cbar_values[k] = v[k].num;
    ov->use_cbar = gk_overlay_colour_scale(ov->cbar_values, nv, &ov->cbar);
    ov->cbar.label = ov->by_words, ov->cbar.values = ov->cbar_values, ov->cbar.nvalues = nv;
    for (int i = 0; i < ov->n; i++) {
        run *r = &ov->runs[i];
        r->rank = value_rank(r, ov->o->by, v, nv);
        double t = nv > 1 ? (double)r->rank / (nv - 1) : 0;
        r->colour = GK_RGB(0, 0, 0) | (ov->use_cbar ? gk_colour_bar_rgb(&ov->cbar, v[r->rank].num) : gk_palette_seq(t));
    }
    for (int k = 0; k < nv && k < GK_PLOT_MAX_SERIES; k++)
        ov->by_rgb[k] = GK_RGB(0, 0, 0) | gk_palette_seq(nv > 1 ? (double)k / (nv - 1) : 0);
    if (nv <= GK_PLOT_MAX_SERIES) factor_styles(ov, v, ov->use_cbar ? 0 : nv); /* a bar names the colours */
    free(v);
    return GK_OK;
}

static void colour_each(run *runs, int n) {
    for (int i = 0; i < n; i++)
        runs[i].colour = GK_RGB(0, 0, 0) | (n <= GK_PALETTE_SIZE ? gk_palette_rgb(i) : gk_palette_seq((double)i / (n - 1)));
}

static int cmp_rank(const void *a, const void *b) {
    const run *x = a, *y = b;
    return x->rank != y->rank ? (x->rank > y->rank) - (x->rank < y->rank) : strcmp(x->f.dir, y->f.dir);
}

/* ---- references and markers ---------------------------------------------------------------------- */

typedef struct ref_names {
    char text[2 * GK_PLOT_MAX_HLINES][128];
    char name[2 * GK_PLOT_MAX_HLINES][64]; /* the reference of each text */
    int n;
} ref_names;

/* Reference name's colour: the same for a name in every panel; with one run, palette colours after train and
 * test (blue, red), with several, dark ones apart from the runs' colours. */
static int ref_colour(const ref_names *rn, const char *name, int one_run) {
    static const gk_role dark[4] = {GK_ROLE_THRESHOLD, GK_ROLE_NORM, GK_ROLE_KERNEL, GK_ROLE_EXTRA};
    int k = 0; /* the name's place among the names in first-seen order */
    for (int i = 0; i < rn->n && strcmp(rn->name[i], name); i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++) first = strcmp(rn->name[j], rn->name[i]) != 0;
        k += first;
    }
    return GK_RGB(0, 0, 0) | (one_run ? gk_palette_rgb(2 + k) : gk_role_rgb(dark[k % 4]));
}

/* One dashed reference line at v, unless the panel has it. */
static void add_reference(gk_panel *p, const char *name, double v, const char *col, int one_run, ref_names *rn) {
    if (!isfinite(v) || p->nhlines >= GK_PLOT_MAX_HLINES || rn->n >= 2 * GK_PLOT_MAX_HLINES) return;
    char text[128];
    if (one_run) snprintf(text, sizeof text, "%s (reference, %s)", gk_reference_title(name), gk_column_set(col));
    else snprintf(text, sizeof text, "%s (reference)", gk_reference_title(name));
    for (int k = 0; k < p->nhlines; k++)
        if (p->hline[k] == v && !strcmp(p->hline_label[k], text)) return;
    snprintf(rn->text[rn->n], sizeof rn->text[0], "%s", text);
    snprintf(rn->name[rn->n], sizeof rn->name[0], "%s", name);
    p->hline[p->nhlines] = v;
    p->hline_colour[p->nhlines] = ref_colour(rn, name, one_run);
    p->hline_label[p->nhlines++] = rn->text[rn->n++];
}

/* Dashed lines for column col: summary.json references.NAME.col of every run. A summary without a references
 * object may hold them flat, as kernel_COL and zero_predictor_COL (kumar). The references' train values (1 for
 * a max-margin classifier, ~0 for an interpolant's loss) tell nothing and are left out. */
static void add_references(gk_panel *p, const run *runs, int n, const char *col, ref_names *rn) {
    static const char *flat[2] = {"kernel", "zero_predictor"};
    for (int i = 0; i < n && strcmp(gk_column_set(col), "train"); i++) {
        const cJSON *sum = runs[i].f.summary, *it;
        const cJSON *refs = sum ? cJSON_GetObjectItemCaseSensitive(sum, "references") : NULL;
        if (cJSON_IsObject(refs)) {
            cJSON_ArrayForEach(it, refs) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, col);
                if (cJSON_IsNumber(v)) add_reference(p, it->string, v->valuedouble, col, n == 1, rn);
            }
            continue;
        }
        for (int k = 0; k < 2; k++) {
            char key[128];
            snprintf(key, sizeof key, "%s_%s", flat[k], col);
            const cJSON *v = sum ? cJSON_GetObjectItemCaseSensitive(sum, key) : NULL;
            if (cJSON_IsNumber(v)) add_reference(p, flat[k], v->valuedouble, col, n == 1, rn);
        }
    }
}

/* The positive range of the panel's curves. */
static void curve_range(const gk_panel *p, double *lo, double *hi) {
    *lo = INFINITY, *hi = 0;
    for (int k = 0; k < p->nseries; k++)
        for (size_t i = 0; i < p->series[k].n; i++) {
            double v = p->series[k].y[i];
            if (isfinite(v) && v > 0) *lo = fmin(*lo, v), *hi = fmax(*hi, v);
        }
}

/* On a log y axis, a reference more than 3 decades beyond the curves (an interpolant's train loss of 1e-27)
 * would squash them into a sliver: such lines are left out. */
static void drop_far_references(gk_panel *p) {
    double lo, hi;
    curve_range(p, &lo, &hi);
    if (!p->logy || !(hi > 0)) return;
    int kept = 0;
    for (int k = 0; k < p->nhlines; k++)
        if (p->hline[k] >= lo * 1e-3 && p->hline[k] <= hi * 1e3) {
            p->hline[kept] = p->hline[k];
            p->hline_colour[kept] = p->hline_colour[k];
            p->hline_label[kept++] = p->hline_label[k];
        }
    p->nhlines = kept;
}

/* The t* marker: at 1 on a t/t* axis; at the shared t* when every run has the same one. */
static void add_tstar(gk_panel *p, const run *runs, int n, const char *mode) {
    double at = NAN;
    for (int i = 0; i < n; i++) {
        double v = !strcmp(mode, "tstar") ? 1 : !strcmp(mode, "t") ? runs[i].f.tstar : runs[i].f.predicted;
        if (i == 0) at = v;
        else if (!(fabs(v - at) <= 1e-9 * fabs(at))) at = NAN;
    }
    if (!isfinite(at) || at <= 0) return;
    p->vline[0] = at;
    p->vline_label[0] = "t*";
    p->nvlines = 1;
}

/* ---- panels -------------------------------------------------------------------------------------- */

/* Column col of run r as a series (values copied into buf). */
static gk_series column_series(const run *r, const char *col, double *buf, const char *label, int style) {
    int c = gk_csv_table_col(&r->f.m, col);
    for (size_t i = 0; i < r->f.m.nrows; i++) buf[i] = cell(r, i, c);
    return (gk_series){label, r->x, buf, r->f.m.nrows, style, GK_ROLE_AUTO};
}

/* Each column's panel: one per column for several runs; for one run its fractions in one panel and its other
 * columns in a second (a loss beside an accuracy would flatten it). Returns the panel count. */
static int assign_panels(const overlay *ov, int *panel) {
    int frac = 0;
    for (int c = 0; c < ov->ny; c++) frac += gk_column_is_fraction(ov->ycols[c]);
    int split = ov->n == 1 && frac > 0 && frac < ov->ny;
    for (int c = 0; c < ov->ny; c++) panel[c] = ov->n > 1 ? c : split && !gk_column_is_fraction(ov->ycols[c]);
    return ov->n > 1 ? ov->ny : 1 + split;
}

/* A weight or parameter norm ("weight norm", "parameter norm ||theta||"; not "normalised margin"). */
static int is_norm(const char *col) { return strstr(gk_column_quantity(col), " norm") != NULL; }

/* One run's column c into panel p: a colour per column, named in words ("train loss", "weight norm of W_U"):
 * train blue, test red, a norm dark grey, any other column a palette colour after those of the references
 * (ref_colour), the same in every panel; the axis title lists the quantities of its columns once each (ylab:
 * room for it). */
static void one_run_column(const overlay *ov, gk_panel *p, int c, double *buf, char *ylab, size_t len) {
    const char *col = ov->ycols[c], *set = gk_column_set(col);
    gk_role role = !strcmp(set, "train") ? GK_ROLE_TRAIN : !strcmp(set, "test") ? GK_ROLE_TEST : GK_ROLE_AUTO;
    if (role == GK_ROLE_AUTO && is_norm(col)) role = GK_ROLE_NORM;
    int other = 0; /* the place of col among the columns without a role */
    for (int k = 0; k < c; k++) {
        const char *set_k = gk_column_set(ov->ycols[k]);
        other += strcmp(set_k, "train") && strcmp(set_k, "test") && !is_norm(ov->ycols[k]);
    }
    if (role == GK_ROLE_AUTO) p->colour[p->nseries] = GK_RGB(0, 0, 0) | gk_palette_rgb(6 + other);
    p->series[p->nseries] = column_series(&ov->runs[0], col, buf, ov->ytitles[c], 0);
    p->series[p->nseries++].role = role;
    const char *q = gk_column_quantity(col);
    size_t u = strlen(ylab);
    if (!strstr(ylab, q)) snprintf(ylab + u, len - u, "%s%s", u ? ", " : "", q);
    p->ylabel = ylab;
}

/* Several runs' column c into panel p: a colour per run, named by what differs (or by colour and style). */
static void runs_column(const overlay *ov, gk_panel *p, int c, double *buf) {
    const char *col = ov->ycols[c];
    p->ylabel = gk_column_quantity(col);
    for (int i = 0; i < ov->n; i++) {
        const run *r = &ov->runs[i];
        p->colour[p->nseries] = r->colour;
        p->series[p->nseries++] = column_series(r, col, buf, ov->factored ? NULL : r->label, r->style);
        buf += r->f.m.nrows;
    }
    for (int k = 0; ov->factored && k < ov->nby && p->nseries < GK_PLOT_MAX_SERIES; k++) { /* legend only */
        p->colour[p->nseries] = ov->by_rgb[k];
        p->series[p->nseries++] = (gk_series){ov->by_text[k], NULL, NULL, 0, 0, GK_ROLE_AUTO};
    }
    for (int k = 0; k < ov->nstyle && p->nseries < GK_PLOT_MAX_SERIES; k++) {
        p->colour[p->nseries] = GK_RGB(90, 90, 90);
        p->series[p->nseries++] = (gk_series){ov->style_text[k], NULL, NULL, 0, line_styles[k], GK_ROLE_AUTO};
    }
}

/* Panel titles for several runs: the column in words ("test accuracy"). */
static void title_panels(gk_panel *panels, const overlay *ov) {
    for (int c = 0; c < ov->ny && ov->n > 1; c++) panels[c].title = ov->ytitles[c];
}

static int spans_decades(const gk_panel *p) {
    double lo, hi;
    curve_range(p, &lo, &hi);
    return hi > 0 && hi / lo > 100;
}

static int build_panels(const overlay *ov, gk_panel *panels, double *buf, ref_names *rn, char (*titles)[160]) {
    int panel[MAX_COLS];
    const int np = assign_panels(ov, panel);
    for (int c = 0; c < ov->ny; c++) {
        gk_panel *p = &panels[panel[c]];
        p->xlabel = ov->xlabel;
        p->logx = ov->logx, p->logy = ov->logy;
        if (ov->n == 1) {
            one_run_column(ov, p, c, buf, titles[MAX_COLS - 1 - panel[c]], sizeof titles[0]);
            buf += ov->runs[0].f.m.nrows;
        } else {
            runs_column(ov, p, c, buf);
            for (int i = 0; i < ov->n; i++) buf += ov->runs[i].f.m.nrows;
        }
        add_references(p, ov->runs, ov->n, ov->ycols[c], rn);
    }
    title_panels(panels, ov);
    int all_frac = 1; /* --logy puts accuracies on a log axis only when they are all the figure shows */
    for (int c = 0; c < ov->ny; c++) all_frac &= gk_column_is_fraction(ov->ycols[c]);
    for (int k = 0; k < np; k++) {
        int frac = 1, loss = 1;
        for (int c = 0; c < ov->ny; c++)
            if (panel[c] == k) frac &= gk_column_is_fraction(ov->ycols[c]), loss &= !strcmp(gk_column_quantity(ov->ycols[c]), "loss");
        if (frac && !all_frac) panels[k].logy = 0;
        if (frac && !panels[k].logy) panels[k].ymin = 0, panels[k].ymax = 1.02;
        if (loss && spans_decades(&panels[k])) panels[k].logy = 1;
        add_tstar(&panels[k], ov->runs, ov->n, ov->x);
        drop_far_references(&panels[k]);
    }
    return np;
}

/* ---- the figure ---------------------------------------------------------------------------------- */

static void default_title(const overlay *ov, char *buf, size_t len) {
    const char *pre = gk_fig_run_preset(&ov->runs[0].f);
    for (int i = 1; i < ov->n; i++)
        if (strcmp(gk_fig_run_preset(&ov->runs[i].f), pre)) pre = "";
    size_t u = (size_t)snprintf(buf, len, "%s%s%d run%s", pre, pre[0] ? ": " : "", ov->n, ov->n == 1 ? "" : "s");
    if (ov->o->by && u < len) snprintf(buf + u, len - u, ", coloured by %s", ov->by_words);
}

static gk_status draw(const overlay *ov, gk_error *err) {
    size_t rows = 0;
    for (int i = 0; i < ov->n; i++) rows += ov->runs[i].f.m.nrows;
    gk_panel *panels = calloc((size_t)ov->ny, sizeof *panels);
    double *buf = malloc((rows ? rows : 1) * (size_t)ov->ny * sizeof *buf);
    ref_names *rn = calloc(1, sizeof *rn);
    char titles[MAX_COLS][160] = {{0}}, title[300];
    gk_status s = panels && buf && rn ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) {
        int np = build_panels(ov, panels, buf, rn, titles);
        if (ov->o->title) snprintf(title, sizeof title, "%s", ov->o->title);
        else default_title(ov, title, sizeof title);
        gk_plot_layout L = {ov->o->width, ov->o->height, 0, ov->o->font, ov->use_cbar ? &ov->cbar : NULL};
        s = gk_plot_panels_ex(ov->o->out, NULL, title, panels, np, &L, err);
    }
    free(panels);
    free(buf);
    free(rn);
    return s;
}

/* The columns: o->y, else the accuracies when every run has them, else the losses; every run must have each. */
static gk_status check_columns(overlay *ov, gk_error *err) {
    const gk_plot_options *o = ov->o;
    if (o->ny > MAX_COLS) return gk_fail(err, GK_EINVAL, "--y: at most %d columns", MAX_COLS);
    for (int c = 0; c < o->ny; c++) snprintf(ov->ycols[c], sizeof ov->ycols[c], "%s", o->y[c]);
    ov->ny = o->ny;
    if (ov->ny == 0) {
        int acc = 1;
        for (int i = 0; i < ov->n; i++)
            acc &= gk_csv_table_col(&ov->runs[i].f.m, "test_acc") >= 0 && gk_csv_table_col(&ov->runs[i].f.m, "train_acc") >= 0;
        snprintf(ov->ycols[0], sizeof ov->ycols[0], acc ? "train_acc" : "train_loss");
        snprintf(ov->ycols[1], sizeof ov->ycols[1], acc ? "test_acc" : "test_loss");
        ov->ny = 2;
    }
    if (ov->n > GK_PLOT_MAX_SERIES)
        return gk_fail(err, GK_EINVAL, "%d runs: at most %d can be overlaid in one figure", ov->n, GK_PLOT_MAX_SERIES);
    for (int i = 0; i < ov->n; i++)
        for (int c = 0; c < ov->ny; c++) {
            const gk_csv_table *m = &ov->runs[i].f.m;
            if (gk_csv_table_col(m, ov->ycols[c]) >= 0) continue;
            char cols[1024];
            size_t u = 0;
            for (int k = 0; k < m->ncols && u < sizeof cols; k++) u += (size_t)snprintf(cols + u, sizeof cols - u, " %s", m->names[k]);
            return gk_fail(err, GK_EINVAL, "--y %s: no column '%s' in %s/metrics.csv (columns:%s)", ov->ycols[c],
                           ov->ycols[c], ov->runs[i].f.dir, cols);
        }
    return GK_OK;
}

static gk_status check_options(const gk_plot_options *o, gk_error *err) {
    if (!o || !o->out || !o->out[0]) return gk_fail(err, GK_EINVAL, "no output file given");
    const char *x = o->x ? o->x : "step";
    if (strcmp(x, "step") && strcmp(x, "t") && strcmp(x, "tstar"))
        return gk_fail(err, GK_EINVAL, "--x '%s' is not one of step, t, tstar", x);
    if (o->by && !o->by[0]) return gk_fail(err, GK_EINVAL, "--by needs a config key (e.g. alpha)");
    if (o->ny < 0 || (o->ny > 0 && !o->y)) return gk_fail(err, GK_EINVAL, "--y: no columns");
    return GK_OK;
}

/* Everything that can be refused before drawing: the runs, columns, x axis and by key. */
static gk_status prepare(overlay *ov, char (*dirs)[1024], int nd, gk_error *err) {
    gk_status s = GK_OK;
    for (int i = 0; i < nd && !s; i++) {
        s = gk_fig_run_load(&ov->runs[i].f, dirs[i], err);
        if (s == GK_OK || s == GK_ENOMEM) ov->n = i + 1;
        if (s && s != GK_ENOMEM) s = GK_EINVAL;
        if (!s && !(ov->runs[i].x = malloc((ov->runs[i].f.m.nrows + 1) * sizeof(double))))
            s = gk_fail(err, GK_ENOMEM, "out of memory");
    }
    if (!s) s = check_columns(ov, err);
    for (int c = 0; c < ov->ny && !s; c++) gk_column_title(ov->ycols[c], ov->ytitles[c], sizeof ov->ytitles[c]);
    for (int i = 0; i < ov->n && !s; i++) s = run_x(&ov->runs[i], ov->x, err);
    if (s) return s;
    place_log_zero(ov);
    label_runs(ov->runs, ov->n);
    if (!ov->o->by) {
        colour_each(ov->runs, ov->n);
        return GK_OK;
    }
    const char *words = gk_param_words(ov->o->by, gk_fig_run_experiment(&ov->runs[0].f));
    snprintf(ov->by_words, sizeof ov->by_words, "%s", words ? words : ov->o->by);
    s = colour_by(ov);
    if (s == GK_EINVAL)
        for (int i = 0; i < ov->n; i++) {
            char t[128];
            gk_fig_param_text(&ov->runs[i].f, ov->o->by, t, sizeof t);
            if (!t[0])
                return gk_fail(err, GK_EINVAL, "--by %s: %s has no param '%s' in its config.json", ov->o->by,
                               ov->runs[i].f.dir, ov->o->by);
        }
    if (s) return gk_fail(err, s, "out of memory");
    qsort(ov->runs, (size_t)ov->n, sizeof *ov->runs, cmp_rank); /* the legend in the order of the values */
    return GK_OK;
}

gk_status gk_plot_runs(const char *const *dirs, int ndirs, const gk_plot_options *o, int *nruns, gk_error *err) {
    if (nruns) *nruns = 0;
    gk_status s = check_options(o, err);
    if (s) return s;
    char(*paths)[1024] = malloc(MAX_RUNS * sizeof *paths);
    overlay *ov = calloc(1, sizeof *ov);
    run *runs = calloc(MAX_RUNS, sizeof *runs);
    int nd = 0;
    if (!paths || !ov || !runs) s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) {
        *ov = (overlay){.o = o, .x = o->x ? o->x : "step", .logx = o->logx, .logy = o->logy, .runs = runs};
        s = gk_overlay_expand(dirs, ndirs, paths, &nd, err);
    }
    if (!s) s = prepare(ov, paths, nd, err);
    if (!s) s = draw(ov, err);
    if (!s && nruns) *nruns = ov->n;
    for (int i = 0; ov && i < ov->n; i++) gk_fig_run_free(&runs[i].f), free(runs[i].x);
    if (ov) free(ov->cbar_values);
    free(runs);
    free(ov);
    free(paths);
    return s;
}
