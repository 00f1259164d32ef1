/* plot.c: `groklab plot`: runs (or every point of a sweep) laid over each other on shared axes.
 *   groklab plot RUN_OR_SWEEP_DIR... [--x step|t|tstar] [--y COLUMN,...] [--logx] [--logy] [--by KEY]
 *                [--title TEXT] [--size WxH] [--font SCALE] [--out FILE.png|.svg|.pdf]
 * The figure is the library's (gk_plot_runs, fig/overlay.h); this file parses the options. Exit codes: 0
 * written, 1 the figure could not be written, 2 bad input (nothing written). */
#include "common.h"
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAX_COLS = 8 };

typedef struct plot_cli {
    gk_plot_options o;
    char ycols[MAX_COLS][64];
    const char *y[MAX_COLS];
    int help;
} plot_cli;

static void plot_usage(FILE *f) {
    fprintf(f, "usage: groklab plot RUN_OR_SWEEP_DIR... [options]\n"
               "  overlays runs (a sweep directory stands for all its points) on shared axes\n"
               "options:\n"
               "  --x step|t|tstar   x axis: the step, the time t (= step x lr; flow runs: t), or t/t* (default step)\n"
               "  --y COL,...        metrics.csv columns, one panel each (one run: accuracies in one\n"
               "                     panel, the rest in another; default train_acc,test_acc or the losses)\n"
               "  --logx, --logy     log axes (a loss spanning decades is on a log axis anyway; --logy\n"
               "                     leaves accuracies linear unless they are all the figure shows)\n"
               "  --by KEY           colour by this config param (e.g. alpha); default: one colour per run.\n"
               "                     A numeric KEY of 5 values or more gets a colour bar (log-spaced when\n"
               "                     they span more than a decade) instead of a legend entry per value;\n"
               "                     one other differing key is drawn as line styles\n"
               "  --title TEXT       figure title (default: preset and number of runs)\n"
               "  --size WxH         page size in pixels (default 1600x900, one panel 1280x720)\n"
               "  --font SCALE       text scale (default 1; 1.3 for a projector)\n"
               "  --out FILE         FILE.png, FILE.svg or FILE.pdf (default plot.png)\n");
}

static int split_columns(plot_cli *c, const char *arg) {
    const char *p = arg;
    c->o.ny = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof c->ycols[0] || c->o.ny >= MAX_COLS)
            return gk_cli_bad_input("--y '%s': give 1 to %d column names separated by commas", arg, MAX_COLS);
        memcpy(c->ycols[c->o.ny], p, len);
        c->ycols[c->o.ny][len] = '\0';
        c->y[c->o.ny] = c->ycols[c->o.ny];
        c->o.ny++;
        if (!comma) return -1;
        p = comma + 1;
    }
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int parse_size(plot_cli *c, const char *arg) {
    char *end;
    long w = strtol(arg, &end, 10), h = *end == 'x' ? strtol(end + 1, &end, 10) : -1;
    if (*end || w < 200 || h < 150 || w > 20000 || h > 20000)
        return gk_cli_bad_input("--size '%s': give WIDTHxHEIGHT in pixels, 200-20000 x 150-20000 (e.g. 1600x900)", arg);
    c->o.width = (int)w, c->o.height = (int)h;
    return -1;
}

static int on_opt(void *ud, int code, const char *arg) {
    plot_cli *c = ud;
    char *end;
    switch (code) {
    case 'x': c->o.x = arg; return -1;
    case 'y': return split_columns(c, arg);
    case 'L': c->o.logx = 1; return -1;
    case 'G': c->o.logy = 1; return -1;
    case 'b': c->o.by = arg; return -1;
    case 'o': c->o.out = arg; return -1;
    case 't': c->o.title = arg; return -1;
    case 's': return parse_size(c, arg);
    case 'f':
        c->o.font = strtod(arg, &end);
        if (*end || !(c->o.font >= 0.3 && c->o.font <= 5)) return gk_cli_bad_input("--font '%s': give a scale from 0.3 to 5", arg);
        return -1;
    case 'h': c->help = 1; return -1;
    default: return 2;
    }
}

int gk_cli_plot(int argc, char **argv) {
    static const struct option longs[] = {
        {"x", required_argument, NULL, 'x'},     {"y", required_argument, NULL, 'y'},
        {"logx", no_argument, NULL, 'L'},        {"logy", no_argument, NULL, 'G'},
        {"by", required_argument, NULL, 'b'},    {"out", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'}, {"size", required_argument, NULL, 's'},
        {"font", required_argument, NULL, 'f'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    plot_cli c = {.o = {.x = "step", .out = "plot.png"}};
    c.o.y = c.y;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    int ndirs = 0;
    if (!dirs) return fprintf(stderr, "groklab: error: out of memory\n"), 1;
    int rc = gk_cli_parse(argc, argv, longs, on_opt, &c, dirs, &ndirs);
    if (rc < 0 && c.help) plot_usage(stdout), rc = 0;
    else if (rc < 0 && !ends_with(c.o.out, ".png") && !ends_with(c.o.out, ".svg") && !ends_with(c.o.out, ".pdf"))
        rc = gk_cli_bad_input("--out '%s': the file name must end in .png, .svg or .pdf", c.o.out);
    else if (rc < 0 && ndirs == 0) rc = gk_cli_bad_input("no run or sweep directory given (groklab plot --help)");
    if (rc < 0) {
        gk_error err;
        int n = 0;
        gk_status s = gk_plot_runs(dirs, ndirs, &c.o, &n, &err);
        if (s == GK_EINVAL) rc = gk_cli_bad_input("%s", err.msg);
        else if (s) rc = 1, fprintf(stderr, "groklab: error: %s\n", err.msg);
        else rc = 0, printf("wrote %s (%d run%s)\n", c.o.out, n, n == 1 ? "" : "s");
    }
    free(dirs);
    return rc;
}
