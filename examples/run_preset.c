/* run_preset.c: runs a groklab preset through the public C API and prints its grok step.
 *   cc run_preset.c $(pkg-config --cflags --libs groklab) -o run_preset
 *   ./run_preset [PRESET [key=value ...]]      (default: diag-sparse steps=3000 evals=20 evals_lin=0)
 * Ctrl-C stops the run at the next step; the run directory keeps the metrics so far. */
#include <groklab.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int stop = 0;
static void on_sigint(int sig) { (void)sig; stop = 1; }

/* The first eval step with test_acc >= 0.95, or -1. */
static double grok_step(const gk_table *m) {
    int step = gk_table_find(m, "step"), acc = gk_table_find(m, "test_acc");
    if (step < 0 || acc < 0) return -1;
    for (size_t r = 0; r < gk_table_nrows(m); r++)
        if (gk_table_column(m, acc)[r] >= 0.95) return gk_table_column(m, step)[r];
    return -1;
}

int main(int argc, char **argv) {
    const char *preset = argc > 1 ? argv[1] : "diag-sparse";
    const char *small[] = {"steps=3000", "evals=20", "evals_lin=0"};
    const char *const *keys = argc > 2 ? (const char *const *)argv + 2 : small;
    int nkeys = argc > 2 ? argc - 2 : (argc > 1 ? 0 : 3);
    char dir[256];
    snprintf(dir, sizeof dir, "run_preset-%s", preset);

    signal(SIGINT, on_sigint);
    gk_run_options opts = {.out_dir = dir, .stop = &stop};
    gk_error err = {{0}};
    gk_status outcome;
    if (gk_run_preset(preset, keys, nkeys, &opts, &outcome, &err)) {
        fprintf(stderr, "run_preset: %s\n", err.msg);
        return 2;
    }
    gk_result *r;
    if (gk_result_open(dir, &r, &err)) {
        fprintf(stderr, "run_preset: %s\n", err.msg);
        return 1;
    }
    const gk_table *m = gk_result_metrics(r);
    double g = grok_step(m);
    printf("groklab %s, %s: %s after %zu eval points\n", gk_version(), preset,
           outcome == GK_OK ? "completed" : gk_status_str(outcome), gk_table_nrows(m));
    if (g >= 0) printf("grok step (test_acc >= 0.95): %.0f\n", g);
    else printf("grok step (test_acc >= 0.95): never\n");
    gk_result_close(r);
    return outcome == GK_OK ? 0 : 1;
}
