/* plot.c: `groklab plot`: runs (or every point of a sweep) laid over each other on shared axes.
 *   groklab plot RUN_OR_SWEEP_DIR... [--x step|t|tstar] [--y COLUMN,...] [--logx] [--logy] [--by KEY]
 *                [--title TEXT] [--out FILE.png|.svg|.pdf]
 * Reads each run's metrics.csv, config.json and summary.json. One panel per --y column (one run: its
 * accuracies in one panel, its other columns in another, a colour per column); each run is one
 * colour (with --by KEY: one colour per value of KEY, in order), named in the legend by the config params
 * that differ between the runs. References from summary.json (e.g. the test accuracy of the max-margin
 * classifiers) are drawn as dashed lines; x = tstar is step / predicted_transition_step (t / t* for flow
 * runs), with a marker at 1. With --logx the rows at x = 0 (the step-0 evaluation) are drawn at half the
 * smallest positive x, as the axis title says. Exit codes: 0 written, 1 the figure could not be written,
 * 2 bad input (nothing written). */
#include "common.h"
#include "plot.h"
#include "io/metrics_read.h"
#include "fig/plot.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum { MAX_RUNS = 256, MAX_COLS = 8, MAX_PARAMS = 64 };
#define MAX_CSV_BYTES ((size_t)512 << 20)
#define MAX_JSON_BYTES ((size_t)16 << 20)

typedef struct run {
    char dir[1024];
    gk_csv_table m;
    cJSON *config, *summary; /* NULL when the file is absent */
    double predicted, tstar; /* predicted transition in steps; t* in time units; NAN when absent */
    double *x;               /* the x of every metrics row */
    char label[256];         /* what differs from the other runs */
    int colour;              /* GK_RGB */
    int rank;                /* --by: the position of its value among the sorted values */
} run;

typedef struct plot_opts {
    const char *x, *by, *out, *title;
    char ycols[MAX_COLS][64];
    int ny, logx, logy;
    char xlabel[96]; /* the x axis title (with --logx: where x = 0 is drawn) */
} plot_opts;

static void plot_usage(FILE *f) {
    fprintf(f, "usage: groklab plot RUN_OR_SWEEP_DIR... [options]\n"
               "  overlays runs (a sweep directory stands for all its points) on shared axes\n"
               "options:\n"
               "  --x step|t|tstar   x axis: the step, the time t (= step x lr; flow runs: t), or t/t* (default step)\n"
               "  --y COL,...        metrics.csv columns, one panel each (one run: accuracies in one\n"
               "                     panel, the rest in another; default train_acc,test_acc or the losses)\n"
               "  --logx, --logy     log axes\n"
               "  --by KEY           colour by this config param (e.g. alpha); default: one colour per run\n"
               "  --title TEXT       figure title (default: preset and columns)\n"
               "  --out FILE         FILE.png, FILE.svg or FILE.pdf (default plot.png)\n");
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_file(const char *dir, const char *name) {
    char p[1200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The run directories in dir: dir itself, or its subdirectories holding a metrics.csv (a sweep). */
static int expand_dir(const char *dir, char (*out)[1024], int *n, char *msg, size_t mlen) {
    if (!is_dir(dir)) return snprintf(msg, mlen, "%s is not a directory", dir), 2;
    if (has_file(dir, "metrics.csv")) {
        if (*n >= MAX_RUNS) return snprintf(msg, mlen, "more than %d runs", MAX_RUNS), 2;
        snprintf(out[(*n)++], 1024, "%s", dir);
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) return snprintf(msg, mlen, "cannot read directory %s", dir), 2;
    char *names[MAX_RUNS];
    int k = 0;
    struct dirent *e;
    char sub[1024];
    while ((e = readdir(d)) != NULL && k < MAX_RUNS) {
        if (e->d_name[0] == '.') continue;
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (is_dir(sub) && has_file(sub, "metrics.csv")) names[k++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)k, sizeof *names, cmp_str);
    int rc = 0;
    if (k == 0) rc = 2, snprintf(msg, mlen, "%s is neither a run directory (no metrics.csv) nor a sweep directory (no point with one)", dir);
    for (int i = 0; i < k; i++) {
        if (!rc && *n >= MAX_RUNS) rc = 2, snprintf(msg, mlen, "more than %d runs", MAX_RUNS);
        if (!rc) snprintf(out[(*n)++], 1024, "%s/%s", dir, names[i]);
        free(names[i]);
    }
    return rc;
}

static cJSON *read_json(const char *dir, const char *name) {
    char p[1200], *text = NULL;
    gk_error err;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (!has_file(dir, name) || gk_read_text_file(p, MAX_JSON_BYTES, &text, NULL, &err)) return NULL;
    cJSON *o = cJSON_Parse(text);
    free(text);
    return o;
}

static double json_num(const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *params_of(const run *r) {
    const cJSON *p = r->config ? cJSON_GetObjectItemCaseSensitive(r->config, "params") : NULL;
    if (!p && r->summary) p = cJSON_GetObjectItemCaseSensitive(r->summary, "params");
    return cJSON_IsObject(p) ? p : NULL;
}

/* A param's value as text ("" when absent). */
static void param_text(const run *r, const char *key, char *buf, size_t len) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params_of(r), key);
    if (cJSON_IsNumber(v)) snprintf(buf, len, "%.6g", v->valuedouble);
    else if (cJSON_IsString(v)) snprintf(buf, len, "%s", v->valuestring);
    else if (cJSON_IsBool(v)) snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else buf[0] = '\0';
}

static const char *preset_of(const run *r) {
    const cJSON *c = r->config ? r->config : r->summary;
    const cJSON *v = c ? cJSON_GetObjectItemCaseSensitive(c, "preset") : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int load_run(run *r, const char *dir, char *msg, size_t mlen) {
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char p[1200];
    gk_error err;
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    if (gk_csv_table_read(p, MAX_CSV_BYTES, &r->m, &err)) return snprintf(msg, mlen, "%s", err.msg), 2;
    r->config = read_json(dir, "config.json");
    r->summary = read_json(dir, "summary.json");
    r->predicted = json_num(r->summary, "predicted_transition_step");
    r->tstar = json_num(r->summary, "tstar");
    r->x = malloc((r->m.nrows ? r->m.nrows : 1) * sizeof *r->x);
    if (!r->x) return snprintf(msg, mlen, "out of memory"), 1;
    return 0;
}

static void free_run(run *r) {
    gk_csv_table_free(&r->m);
    cJSON_Delete(r->config);
    cJSON_Delete(r->summary);
    free(r->x);
}

/* ---- what to draw -------------------------------------------------------------------------------- */

static int run_x(run *r, const char *mode, char *msg, size_t mlen) {
    int cs = gk_csv_table_col(&r->m, "step"), ct = gk_csv_table_col(&r->m, "time");
    int c = !strcmp(mode, "t") ? ct : cs;
    double div = 1;
    if (!strcmp(mode, "tstar")) {
        if (ct >= 0 && isfinite(r->tstar) && r->tstar > 0) c = ct, div = r->tstar;
        else if (cs >= 0 && isfinite(r->predicted) && r->predicted > 0) c = cs, div = r->predicted;
        else
            return snprintf(msg, mlen, "--x tstar: %s has no predicted transition (tstar or predicted_transition_step in summary.json)",
                            r->dir), 2;
    }
    if (c < 0) return snprintf(msg, mlen, "--x %s: %s/metrics.csv has no '%s' column", mode, r->dir, !strcmp(mode, "t") ? "time" : "step"), 2;
    for (size_t i = 0; i < r->m.nrows; i++) r->x[i] = r->m.vals[i * (size_t)r->m.ncols + (size_t)c] / div;
    return 0;
}

/* --logx cannot show x = 0 (the step-0 evaluation, the initial point): draw those rows at half the
 * smallest positive x of all runs, at the axis's left end, and say so in the axis title. */
static void place_log_zero(run *runs, int n, plot_opts *o) {
    double lo = INFINITY;
    int zeros = 0;
    snprintf(o->xlabel, sizeof o->xlabel, "%s", !strcmp(o->x, "tstar") ? "t / t*" : !strcmp(o->x, "t") ? "t" : "step");
    if (!o->logx) return;
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < runs[i].m.nrows; k++) {
            double v = runs[i].x[k];
            if (v > 0 && v < lo) lo = v;
            zeros += v == 0;
        }
    if (!zeros || !isfinite(lo)) return;
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < runs[i].m.nrows; k++)
            if (runs[i].x[k] == 0) runs[i].x[k] = lo / 2;
    size_t u = strlen(o->xlabel);
    snprintf(o->xlabel + u, sizeof o->xlabel - u, " (0 drawn at %.3g)", lo / 2);
}

/* Every param key of every run, once (threads never matters). */
static int param_keys(const run *runs, int n, const char **keys) {
    int nk = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, params_of(&runs[i])) {
            int seen = !strcmp(it->string, "threads");
            for (int k = 0; k < nk && !seen; k++) seen = !strcmp(keys[k], it->string);
            if (!seen && nk < MAX_PARAMS) keys[nk++] = it->string;
        }
    }
    return nk;
}

/* Each run's label: the params that differ between the runs (and the preset when that differs). */
static void label_runs(run *runs, int n) {
    const char *keys[MAX_PARAMS];
    int nk = param_keys(runs, n, keys), preset_differs = 0;
    for (int i = 1; i < n; i++) preset_differs |= strcmp(preset_of(&runs[i]), preset_of(&runs[0])) != 0;
    char a[128], b[128];
    for (int i = 0; i < n; i++) {
        char *l = runs[i].label;
        size_t len = sizeof runs[i].label, used = 0;
        l[0] = '\0';
        if (preset_differs) used += (size_t)snprintf(l, len, "%s", preset_of(&runs[i]));
        for (int k = 0; k < nk && used < len; k++) {
            int differs = 0;
            param_text(&runs[0], keys[k], a, sizeof a);
            for (int j = 1; j < n && !differs; j++) {
                param_text(&runs[j], keys[k], b, sizeof b);
                differs = strcmp(a, b) != 0;
            }
            if (!differs) continue;
            param_text(&runs[i], keys[k], b, sizeof b);
            used += (size_t)snprintf(l + used, len - used, "%s%s=%s", used ? ", " : "", keys[k], b[0] ? b : "-");
        }
        if (!l[0]) { /* nothing differs: the directory name */
            const char *slash = strrchr(runs[i].dir, '/');
            snprintf(l, len, "%s", slash && slash[1] ? slash + 1 : runs[i].dir);
        }
    }
}

/* A viridis colour at t in [0, 1] (dark blue to green; the pale yellow end is left out). */
static int viridis(double t) {
    static const int c[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {190, 210, 40}};
    double u = fmin(fmax(t, 0), 1) * 4;
    int k = (int)fmin(floor(u), 3);
    double f = u - k;
    int rgb[3];
    for (int j = 0; j < 3; j++) rgb[j] = (int)lround(c[k][j] + f * (c[k + 1][j] - c[k][j]));
    return GK_RGB(rgb[0], rgb[1], rgb[2]);
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

/* --by KEY: one colour per value of KEY (in numeric order when they are numbers), labelled KEY=value. */
static int colour_by(run *runs, int n, const char *key, char *msg, size_t mlen) {
    by_value *v = calloc((size_t)n, sizeof *v);
    if (!v) return snprintf(msg, mlen, "out of memory"), 1;
    int nv = 0;
    for (int i = 0; i < n; i++) {
        char t[128], *end;
        param_text(&runs[i], key, t, sizeof t);
        if (!t[0]) {
            free(v);
            return snprintf(msg, mlen, "--by %s: %s has no param '%s' in its config.json", key, runs[i].dir, key), 2;
        }
        int seen = 0;
        for (int k = 0; k < nv && !seen; k++) seen = !strcmp(v[k].text, t);
        if (seen) continue;
        snprintf(v[nv].text, sizeof v[nv].text, "%s", t);
        v[nv].num = strtod(t, &end);
        if (*end) v[nv].num = NAN;
        nv++;
    }
    qsort(v, (size_t)nv, sizeof *v, cmp_by);
    for (int i = 0; i < n; i++) {
        char t[128];
        param_text(&runs[i], key, t, sizeof t);
        for (int k = 0; k < nv; k++)
            if (!strcmp(v[k].text, t)) runs[i].colour = viridis(nv > 1 ? (double)k / (nv - 1) : 0), runs[i].rank = k;
        snprintf(runs[i].label, sizeof runs[i].label, "%s=%s", key, t);
    }
    free(v);
    return 0;
}

static int cmp_rank(const void *a, const void *b) {
    const run *x = a, *y = b;
    return x->rank != y->rank ? (x->rank > y->rank) - (x->rank < y->rank) : strcmp(x->dir, y->dir);
}

/* The tab10 palette, colour i: a colour per run, or per column of a single run. */
static int tab10(int i) {
    static const int tab[10] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd,
                                0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return 0x1000000 | tab[i % 10];
}

static void colour_each(run *runs, int n) {
    for (int i = 0; i < n; i++) runs[i].colour = n <= 10 ? tab10(i) : viridis((double)i / (n - 1));
}

/* One dashed reference line at v named name, unless the panel already has it. */
static void add_reference(gk_panel *p, const char *name, double v, const char *col, int one_run, char (*labels)[96], int *nl) {
    if (!isfinite(v) || p->nhlines >= GK_PLOT_MAX_HLINES || *nl >= 2 * GK_PLOT_MAX_HLINES) return;
    for (int k = 0; k < p->nhlines; k++)
        if (p->hline[k] == v && strncmp(p->hline_label[k], name, strlen(name)) == 0) return;
    if (one_run) snprintf(labels[*nl], 96, "%s (reference, %s)", name, col); /* the panel has several columns */
    else snprintf(labels[*nl], 96, "%s (reference)", name);
    p->hline[p->nhlines] = v;
    p->hline_label[p->nhlines++] = labels[(*nl)++];
}

/* Dashed reference lines for column col: summary.json references.NAME.col of every run (each once). A run
 * summary without a references object may hold them flat, as kernel_COL and zero_predictor_COL (kumar). */
static void add_references(gk_panel *p, const run *runs, int n, const char *col, char (*labels)[96], int *nl) {
    static const char *flat[2][2] = {{"kernel", "kernel"}, {"zero_predictor", "zero"}};
    for (int i = 0; i < n; i++) {
        const cJSON *refs = runs[i].summary ? cJSON_GetObjectItemCaseSensitive(runs[i].summary, "references") : NULL, *it;
        if (cJSON_IsObject(refs)) {
            cJSON_ArrayForEach(it, refs) add_reference(p, it->string, json_num(it, col), col, n == 1, labels, nl);
            continue;
        }
        for (int k = 0; k < 2; k++) {
            char key[128];
            snprintf(key, sizeof key, "%s_%s", flat[k][0], col);
            add_reference(p, flat[k][1], json_num(runs[i].summary, key), col, n == 1, labels, nl);
        }
    }
}

/* On a log y axis, a reference more than 3 decades beyond the curves (an interpolant's train loss of
 * 1e-27, say) would squash them into a sliver: such lines are left out. */
static void drop_far_references(gk_panel *p) {
    double lo = INFINITY, hi = 0;
    for (int k = 0; k < p->nseries; k++)
        for (size_t i = 0; i < p->series[k].n; i++) {
            double v = p->series[k].y[i];
            if (isfinite(v) && v > 0) lo = fmin(lo, v), hi = fmax(hi, v);
        }
    if (!p->logy || !(hi > 0)) return;
    int kept = 0;
    for (int k = 0; k < p->nhlines; k++)
        if (p->hline[k] >= lo * 1e-3 && p->hline[k] <= hi * 1e3) {
            p->hline[kept] = p->hline[k];
            p->hline_label[kept++] = p->hline_label[k];
        }
    p->nhlines = kept;
}

/* The t* marker: at 1 on a t/t* axis; at the shared t* when every run has the same one. */
static void add_tstar(gk_panel *p, const run *runs, int n, const char *mode) {
    double at = !strcmp(mode, "tstar") ? 1 : !strcmp(mode, "t") ? runs[0].tstar : runs[0].predicted;
    for (int i = 1; i < n && isfinite(at); i++) {
        double v = !strcmp(mode, "tstar") ? 1 : !strcmp(mode, "t") ? runs[i].tstar : runs[i].predicted;
        if (!(fabs(v - at) <= 1e-9 * fabs(at))) at = NAN;
    }
    if (!isfinite(at) || at <= 0) return;
    p->vline[0] = at;
    p->vline_label[0] = "t*";
    p->nvlines = 1;
}

/* A column of run r as a series (the values, copied into buf). */
static gk_series column_series(const run *r, int c, double *buf, const char *label, int style) {
    for (size_t i = 0; i < r->m.nrows; i++) buf[i] = r->m.vals[i * (size_t)r->m.ncols + (size_t)c];
    return (gk_series){label, r->x, buf, r->m.nrows, style};
}

/* ---- the command --------------------------------------------------------------------------------- */

static void default_title(const run *runs, int n, const plot_opts *o, char *buf, size_t len) {
    const char *pre = preset_of(&runs[0]);
    for (int i = 1; i < n; i++)
        if (strcmp(preset_of(&runs[i]), pre)) pre = "";
    size_t u = (size_t)snprintf(buf, len, "%s%s%d run%s", pre, pre[0] ? ": " : "", n, n == 1 ? "" : "s");
    if (o->by && u < len) snprintf(buf + u, len - u, ", coloured by %s", o->by);
}

/* Accuracies and agreements: fractions in [0, 1]. */
static int is_fraction_column(const char *col) {
    return strstr(col, "_acc") != NULL || strncmp(col, "agree_", 6) == 0 || strncmp(col, "support_share", 13) == 0;
}

/* Each column's panel: one per column for several runs; for one run, its fractions (accuracies) in one panel
 * and its other columns in a second (a loss beside an accuracy would flatten it). Returns the panel count. */
static int assign_panels(int n, const plot_opts *o, int *panel) {
    int frac = 0;
    for (int c = 0; c < o->ny; c++) frac += is_fraction_column(o->ycols[c]);
    int split = n == 1 && frac > 0 && frac < o->ny;
    for (int c = 0; c < o->ny; c++) panel[c] = n > 1 ? c : split && !is_fraction_column(o->ycols[c]);
    return n > 1 ? o->ny : 1 + split;
}

static int build_panels(run *runs, int n, const plot_opts *o, gk_panel *panels, double *buf,
                        char (*reflabels)[96], char (*ylab)[300]) {
    int panel[MAX_COLS], nl = 0;
    const int np = assign_panels(n, o, panel);
    for (int c = 0; c < o->ny; c++) {
        gk_panel *p = &panels[panel[c]];
        p->xlabel = o->xlabel;
        p->logx = o->logx, p->logy = o->logy;
        if (n == 1) {
            int col = gk_csv_table_col(&runs[0].m, o->ycols[c]);
            p->colour[p->nseries] = tab10(p->nseries);
            p->series[p->nseries++] = column_series(&runs[0], col, buf, o->ycols[c], 0);
            buf += runs[0].m.nrows;
            size_t u = strlen(ylab[p - panels]);
            snprintf(ylab[p - panels] + u, sizeof *ylab - u, "%s%s", u ? ", " : "", o->ycols[c]);
            p->ylabel = ylab[p - panels];
        } else {
            p->ylabel = o->ycols[c];
            for (int i = 0; i < n; i++) {
                int col = gk_csv_table_col(&runs[i].m, o->ycols[c]);
                p->colour[p->nseries] = runs[i].colour;
                p->series[p->nseries++] = column_series(&runs[i], col, buf, runs[i].label, 0);
                buf += runs[i].m.nrows;
            }
        }
        add_references(p, runs, n, o->ycols[c], reflabels, &nl);
    }
    for (int k = 0; k < np; k++) { /* accuracies on [0, 1] (unless log) */
        int acc = 1;
        for (int c = 0; c < o->ny; c++)
            if (panel[c] == k) acc &= is_fraction_column(o->ycols[c]);
        if (acc && !o->logy) panels[k].ymin = 0, panels[k].ymax = 1.02;
    }
    for (int k = 0; k < np; k++) add_tstar(&panels[k], runs, n, o->x), drop_far_references(&panels[k]);
    return np;
}

static int draw(run *runs, int n, const plot_opts *o) {
    size_t rows = 0;
    for (int i = 0; i < n; i++) rows += runs[i].m.nrows;
    gk_panel *panels = calloc((size_t)o->ny, sizeof *panels);
    double *buf = malloc((rows ? rows : 1) * (size_t)o->ny * sizeof *buf);
    char(*reflabels)[96] = calloc(2 * GK_PLOT_MAX_HLINES, sizeof *reflabels);
    char ylab[2][300] = {{0}}, title[300];
    int rc = 0;
    gk_error err;
    if (!panels || !buf || !reflabels) {
        fprintf(stderr, "groklab: error: out of memory\n");
        rc = 1;
    } else {
        int np = build_panels(runs, n, o, panels, buf, reflabels, ylab);
        if (o->title) snprintf(title, sizeof title, "%s", o->title);
        else default_title(runs, n, o, title, sizeof title);
        if (gk_plot_panels_file(o->out, title, panels, np, &err)) {
            fprintf(stderr, "groklab: error: %s\n", err.msg);
            rc = 1;
        } else {
            printf("wrote %s (%d run%s)\n", o->out, n, n == 1 ? "" : "s");
        }
    }
    free(panels);
    free(buf);
    free(reflabels);
    return rc;
}

/* The columns to plot: --y, else the accuracies when every run has them, else the losses. */
static int check_columns(run *runs, int n, plot_opts *o, char *msg, size_t mlen) {
    if (o->ny == 0) {
        int acc = 1;
        for (int i = 0; i < n; i++) acc &= gk_csv_table_col(&runs[i].m, "test_acc") >= 0 && gk_csv_table_col(&runs[i].m, "train_acc") >= 0;
        snprintf(o->ycols[0], sizeof o->ycols[0], acc ? "train_acc" : "train_loss");
        snprintf(o->ycols[1], sizeof o->ycols[1], acc ? "test_acc" : "test_loss");
        o->ny = 2;
    }
    if (n > GK_PLOT_MAX_SERIES && n > 1)
        return snprintf(msg, mlen, "%d runs: at most %d can be overlaid in one figure", n, GK_PLOT_MAX_SERIES), 2;
    if (n == 1 && o->ny > GK_PLOT_MAX_SERIES) return snprintf(msg, mlen, "too many --y columns"), 2;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < o->ny; c++)
            if (gk_csv_table_col(&runs[i].m, o->ycols[c]) < 0) {
                size_t u = (size_t)snprintf(msg, mlen, "--y %s: no column '%s' in %s/metrics.csv (columns:", o->ycols[c],
                                            o->ycols[c], runs[i].dir);
                for (int k = 0; k < runs[i].m.ncols && u < mlen; k++) u += (size_t)snprintf(msg + u, mlen - u, " %s", runs[i].m.names[k]);
                if (u < mlen) snprintf(msg + u, mlen - u, ")");
                return 2;
            }
    return 0;
}

static int split_columns(const char *arg, plot_opts *o, char *msg, size_t mlen) {
    const char *p = arg;
    o->ny = 0;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == 0 || len >= sizeof o->ycols[0] || o->ny >= MAX_COLS)
            return snprintf(msg, mlen, "--y '%s': give 1 to %d column names separated by commas", arg, MAX_COLS), 2;
        memcpy(o->ycols[o->ny], p, len);
        o->ycols[o->ny++][len] = '\0';
        if (!c) return 0;
        p = c + 1;
    }
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Options anywhere among the directories; returns 0, 2 (bad input, msg set) or -1 (--help). */
static int parse_opts(int argc, char **argv, plot_opts *o, char *msg, size_t mlen) {
    static const struct option longs[] = {
        {"x", required_argument, NULL, 'x'},    {"y", required_argument, NULL, 'y'},
        {"logx", no_argument, NULL, 'L'},       {"logy", no_argument, NULL, 'G'},
        {"by", required_argument, NULL, 'b'},   {"out", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *o = (plot_opts){.x = "step", .out = "plot.png"};
    optind = 0; /* glibc: start afresh */
    opterr = 0;
    int c, rc = 0;
    while (!rc && (c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        if (c == 'x') o->x = optarg;
        else if (c == 'y') rc = split_columns(optarg, o, msg, mlen);
        else if (c == 'L') o->logx = 1;
        else if (c == 'G') o->logy = 1;
        else if (c == 'b') o->by = optarg;
        else if (c == 'o') o->out = optarg;
        else if (c == 't') o->title = optarg;
        else if (c == 'h') return -1;
        else if (c == ':') rc = 2, snprintf(msg, mlen, "option '%s' needs a value", argv[optind - 1]);
        else rc = 2, snprintf(msg, mlen, "unknown option '%s' (groklab plot --help)", argv[optind - 1]);
    }
    if (rc) return rc;
    if (strcmp(o->x, "step") && strcmp(o->x, "t") && strcmp(o->x, "tstar"))
        return snprintf(msg, mlen, "--x '%s' is not one of step, t, tstar", o->x), 2;
    if (!ends_with(o->out, ".png") && !ends_with(o->out, ".svg") && !ends_with(o->out, ".pdf"))
        return snprintf(msg, mlen, "--out '%s': the file name must end in .png, .svg or .pdf", o->out), 2;
    if (o->by && !o->by[0]) return snprintf(msg, mlen, "--by needs a config key (e.g. alpha)"), 2;
    if (optind >= argc) return snprintf(msg, mlen, "no run or sweep directory given (groklab plot --help)"), 2;
    return 0;
}

/* Everything that can be refused before drawing: the directories, columns, x axis and --by key. */
static int prepare(run *runs, int *n, char (*dirs)[1024], int nd, plot_opts *o, char *msg, size_t mlen) {
    int rc = 0;
    for (int i = 0; i < nd && !rc; i++) {
        rc = load_run(&runs[i], dirs[i], msg, mlen);
        *n = i + 1;
    }
    if (!rc) rc = check_columns(runs, *n, o, msg, mlen);
    for (int i = 0; i < *n && !rc; i++) rc = run_x(&runs[i], o->x, msg, mlen);
    if (!rc) place_log_zero(runs, *n, o);
    if (!rc) label_runs(runs, *n);
    if (!rc && o->by) rc = colour_by(runs, *n, o->by, msg, mlen);
    else if (!rc) colour_each(runs, *n);
    if (!rc && o->by) qsort(runs, (size_t)*n, sizeof *runs, cmp_rank); /* legend in the order of the values */
    return rc;
}

int gk_cli_plot(int argc, char **argv) {
    plot_opts o;
    char msg[2048];
    int rc = parse_opts(argc, argv, &o, msg, sizeof msg);
    if (rc < 0) {
        plot_usage(stdout);
        return 0;
    }
    if (rc) return gk_cli_bad_input("%s", msg);
    char(*dirs)[1024] = malloc(MAX_RUNS * sizeof *dirs);
    run *runs = calloc(MAX_RUNS, sizeof *runs);
    int nd = 0, n = 0;
    if (!dirs || !runs) rc = 1, snprintf(msg, sizeof msg, "out of memory");
    for (int i = optind; i < argc && !rc; i++) rc = expand_dir(argv[i], dirs, &nd, msg, sizeof msg);
    if (!rc) rc = prepare(runs, &n, dirs, nd, &o, msg, sizeof msg);
    if (rc == 2) gk_cli_bad_input("%s", msg);
    else if (rc) fprintf(stderr, "groklab: error: %s\n", msg);
    if (!rc) rc = draw(runs, n, &o);
    for (int i = 0; i < n; i++) free_run(&runs[i]);
    free(runs);
    free(dirs);
    return rc;
}
