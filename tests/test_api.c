/* test_api.c: the public API of include/groklab.h (src/api.c, src/api_read.c) through the header alone:
 * presets and keys, a bad key (nothing written), a run with a progress callback and a stop flag, reading the
 * run back (the same numbers as metrics.csv), the references alone, a 2-point sweep, the CSV reader, and the
 * caller's OpenMP and OpenBLAS thread counts left as they were by a run, a resume-free theory call and a sweep. */
#include "check.h"
#include "groklab.h"

#include <cblas.h> /* openblas_get_num_threads */
#include <omp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/gk_api_XXXXXX";
static const char *TINY[] = {"d=50", "n=32", "n_test=100", "steps=400", "evals=10", "evals_lin=10", "threads=1"};

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

static void test_presets(void) {
    size_t n = gk_preset_count();
    GK_CHECK(n >= 20 && gk_preset_at(n) == NULL);
    const gk_preset *p = gk_preset_find("diag-sparse");
    GK_CHECK(p == gk_preset_at(0) && gk_preset_find("no-such") == NULL);
    gk_preset_info info;
    gk_preset_describe(p, &info);
    GK_CHECK(!strcmp(info.name, "diag-sparse") && !strcmp(info.experiment, "diag") && strstr(info.paper, "Lyu"));
    int k = gk_preset_nparams(p), found = 0;
    gk_error err = {{0}};
    for (int i = 0; i < k; i++) {
        gk_param_info pi;
        GK_CHECK(gk_preset_param(p, i, &pi, &err) == GK_OK);
        if (!strcmp(pi.key, "steps")) found = !strcmp(pi.def, "121300") && pi.kind == GK_P_INT && strstr(pi.range, "1 <= steps");
    }
    GK_CHECK_MSG(found, "steps: the preset's default and range");
    gk_param_info pi;
    GK_CHECK(gk_preset_param(p, k, &pi, &err) == GK_EINVAL);
    GK_CHECK(!strcmp(gk_version(), GK_VERSION));
}

typedef struct seen {
    int calls, acc_col;
    long last_step;
    volatile int *stop;
    long stop_at;
} seen;

static void on_progress(void *ud, const gk_run_progress *p) {
    seen *s = ud;
    s->calls++;
    s->last_step = p->step;
    for (int c = 0; c < p->ncols; c++)
        if (!strcmp(p->names[c], "test_acc")) s->acc_col = c;
    if (s->stop && p->step >= s->stop_at) *s->stop = 1;
}

static void test_run(void) {
    char out[256], bad[256], path[300];
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    gk_error err = {{0}};
    gk_status outcome;
    const char *badkeys[] = {"alpha=-1"};
    gk_run_options o = {.out_dir = bad};
    GK_CHECK(gk_run_preset("diag-sparse", badkeys, 1, &o, &outcome, &err) == GK_EINVAL);
    GK_CHECK_MSG(strstr(err.msg, "alpha=-1") && strstr(err.msg, "alpha > 0"), "%s", err.msg);
    GK_CHECK(!exists(bad));
    GK_CHECK(gk_run_preset("no-such", NULL, 0, &o, &outcome, &err) == GK_EINVAL && strstr(err.msg, "unknown preset"));

    seen s = {0};
    o = (gk_run_options){.out_dir = out, .progress = on_progress, .ud = &s};
    GK_CHECK(gk_run_preset("diag-sparse", TINY, 7, &o, &outcome, &err) == GK_OK && outcome == GK_OK);
    GK_CHECK(s.calls >= 10 && s.last_step == 400 && s.acc_col > 1);
    gk_result *r;
    GK_CHECK(gk_result_open(out, &r, &err) == GK_OK);
    const gk_table *m = gk_result_metrics(r);
    GK_CHECK((int)gk_table_nrows(m) == s.calls && gk_table_find(m, "test_acc") == s.acc_col);
    GK_CHECK(gk_table_column(m, 0)[gk_table_nrows(m) - 1] == 400 && !strcmp(gk_table_name(m, 0), "step"));
    GK_CHECK(strstr(gk_result_summary(r), "\"completed\"") && strstr(gk_result_config(r), "\"diag-sparse\""));
    gk_result_close(r);

    /* The stop flag: the run ends early, interrupted, with the metrics so far. */
    volatile int stop = 0;
    seen s2 = {.stop = &stop, .stop_at = 50};
    const char *longer[] = {"d=50", "n=32", "n_test=100", "steps=100000000", "evals=50", "evals_lin=0", "threads=1"};
    snprintf(out, sizeof out, "%s/stopped", dir);
    o = (gk_run_options){.out_dir = out, .stop = &stop, .progress = on_progress, .ud = &s2};
    GK_CHECK(gk_run_preset("diag-sparse", longer, 7, &o, &outcome, &err) == GK_OK && outcome == GK_EINTERRUPTED);
    GK_CHECK(gk_result_open(out, &r, &err) == GK_OK);
    GK_CHECK((int)gk_table_nrows(gk_result_metrics(r)) == s2.calls - 1 || (int)gk_table_nrows(gk_result_metrics(r)) == s2.calls);
    GK_CHECK(strstr(gk_result_summary(r), "\"interrupted\"") != NULL);
    gk_result_close(r);
    /* runs through the C API checkpoint by default, so an interrupted one can be resumed */
    snprintf(path, sizeof path, "%s/checkpoint", out);
    GK_CHECK_MSG(exists(path), "%s: the stopped run has a checkpoint", path);
    snprintf(path, sizeof path, "%s/nockpt", dir);
    o = (gk_run_options){.out_dir = path, .checkpoint_every = -1};
    GK_CHECK(gk_run_preset("diag-sparse", TINY, 7, &o, &outcome, &err) == GK_OK && outcome == GK_OK);
    snprintf(path, sizeof path, "%s/nockpt/checkpoint", dir);
    GK_CHECK_MSG(!exists(path), "checkpoint_every < 0: no checkpoint");
    snprintf(path, sizeof path, "%s/none", dir);
    GK_CHECK(gk_result_open(path, &r, &err) == GK_EIO && strstr(err.msg, "metrics.csv"));
}

static void test_theory_columns(void) {
    char *json = NULL, *cols = NULL;
    gk_error err = {{0}};
    GK_CHECK(gk_theory_preset("diag-sparse", TINY, 3, &json, &err) == GK_OK);
    GK_CHECK(json && strstr(json, "l1margin") && strstr(json, "predicted_transition_step"));
    gk_free(json);
    GK_CHECK(gk_preset_columns("diag-sparse", TINY, 3, &cols, &err) == GK_OK);
    GK_CHECK(cols && !strncmp(cols, "step,time,train_loss", 20) && strstr(cols, ",agree_l1margin"));
    gk_free(cols);
    const char *norefs[] = {"references=0"};
    GK_CHECK(gk_preset_columns("diag-sparse", norefs, 1, &cols, &err) == GK_OK && !strstr(cols, "agree_"));
    gk_free(cols);
}

/* A second grid into a sweep's directory is refused and changes nothing; force replaces the tables (sweep.json
 * names the new grid); the first sweep's points stay. */
static void other_sweep_refused(const char *out, gk_sweep_options *o, const char *csv) {
    const char *other[] = {"alpha=16,32", "wd=8e-2", "d=100", "n=64", "n_test=300", "evals=30", "evals_lin=30", "threads=1"};
    char json[300], before[4096] = "", after[4096] = "";
    snprintf(json, sizeof json, "%s/sweep.json", out);
    FILE *f = fopen(json, "r");
    GK_CHECK_MSG(f && fread(before, 1, sizeof before - 1, f) > 0 && strstr(before, "alpha=16,64"), "sweep.json names the grid");
    if (f) fclose(f);
    struct stat st0, st1;
    GK_CHECK(stat(csv, &st0) == 0);
    size_t done = 0;
    gk_error err = {{0}};
    GK_CHECK(gk_sweep_preset("diag-sparse", other, 8, o, &done, &err) == GK_EINVAL && strstr(err.msg, "another sweep"));
    GK_CHECK(stat(csv, &st1) == 0 && st1.st_mtime == st0.st_mtime && st1.st_size == st0.st_size);
    o->force = 1;
    o->checkpoint_every = -1;
    GK_CHECK_MSG(gk_sweep_preset("diag-sparse", other, 8, o, &done, &err) == GK_OK && done == 2, "%s", err.msg);
    f = fopen(json, "r");
    GK_CHECK(f && fread(after, 1, sizeof after - 1, f) > 0 && strstr(after, "alpha=16,32"));
    if (f) fclose(f);
    char point[400];
    snprintf(point, sizeof point, "%s/alpha=64_seed=1/summary.json", out);
    GK_CHECK_MSG(exists(point), "the first sweep's point stays");
    snprintf(point, sizeof point, "%s/alpha=32_seed=1/checkpoint", out);
    GK_CHECK_MSG(!exists(point), "checkpoint_every < 0: a completed point has no checkpoint");
    o->force = 0;
    o->checkpoint_every = 0;
}

static void test_sweep(void) {
    char out[256];
    snprintf(out, sizeof out, "%s/sweep", dir);
    const char *args[] = {"alpha=16,64", "wd=8e-2", "d=100", "n=64", "n_test=300", "evals=30", "evals_lin=30", "threads=1"};
    gk_sweep_options o = {.out_dir = out, .steps_per_tstar = 2};
    size_t done = 0;
    gk_error err = {{0}};
    GK_CHECK_MSG(gk_sweep_preset("diag-sparse", args, 8, &o, &done, &err) == GK_OK, "%s", err.msg);
    GK_CHECK(done == 2);
    char path[300];
    snprintf(path, sizeof path, "%s/sweep.csv", out);
    gk_table *t;
    GK_CHECK(gk_table_read(path, &t, &err) == GK_OK);
    int g = gk_table_find(t, "test_grok_step"), a = gk_table_find(t, "alpha");
    GK_CHECK(gk_table_nrows(t) == 2 && g >= 0 && a == 0 && gk_table_find(t, "d") < 0);
    GK_CHECK_MSG(g >= 0 && gk_table_column(t, g)[0] > 0 && gk_table_column(t, g)[0] < gk_table_column(t, g)[1],
                 "a larger alpha groks later");
    gk_table_free(t);
    other_sweep_refused(out, &o, path);
    const char *bad[] = {"alpha=16,-1"};
    snprintf(out, sizeof out, "%s/badsweep", dir);
    o.out_dir = out;
    GK_CHECK(gk_sweep_preset("diag-sparse", bad, 1, &o, &done, &err) == GK_EINVAL && !exists(out));
}

/* A library call sets threads=1 and BLAS on one thread for its run, then gives the caller its settings back:
 * after a run, a bad run, the references, the columns and a sweep. */
static void test_threads_restored(void) {
    omp_set_num_threads(3);
    openblas_set_num_threads(2);
    char out[256];
    gk_error err = {{0}};
    gk_status outcome;
    snprintf(out, sizeof out, "%s/threads", dir);
    gk_run_options o = {.out_dir = out};
    GK_CHECK(gk_run_preset("diag-sparse", TINY, 7, &o, &outcome, &err) == GK_OK && outcome == GK_OK);
    GK_CHECK_MSG(omp_get_max_threads() == 3 && openblas_get_num_threads() == 2, "after a run: omp %d, blas %d",
                 omp_get_max_threads(), openblas_get_num_threads());
    const char *bad[] = {"threads=1", "alpha=-1"};
    snprintf(out, sizeof out, "%s/threads_bad", dir);
    o.out_dir = out;
    GK_CHECK(gk_run_preset("diag-sparse", bad, 2, &o, &outcome, &err) == GK_EINVAL);
    char *json = NULL, *cols = NULL;
    GK_CHECK(gk_theory_preset("diag-sparse", TINY, 7, &json, &err) == GK_OK);
    GK_CHECK(gk_preset_columns("diag-sparse", TINY, 7, &cols, &err) == GK_OK);
    gk_free(json);
    gk_free(cols);
    GK_CHECK_MSG(omp_get_max_threads() == 3 && openblas_get_num_threads() == 2, "after theory/columns: omp %d, blas %d",
                 omp_get_max_threads(), openblas_get_num_threads());
    const char *args[] = {"alpha=16,64", "d=50", "n=32", "n_test=100", "steps=200", "evals=5", "evals_lin=0", "threads=1"};
    snprintf(out, sizeof out, "%s/threads_sweep", dir);
    gk_sweep_options so = {.out_dir = out};
    size_t done = 0;
    GK_CHECK_MSG(gk_sweep_preset("diag-sparse", args, 8, &so, &done, &err) == GK_OK && done == 2, "%s", err.msg);
    GK_CHECK_MSG(omp_get_max_threads() == 3 && openblas_get_num_threads() == 2, "after a sweep: omp %d, blas %d",
                 omp_get_max_threads(), openblas_get_num_threads());
}

/* The CSV reader: quoted text fields with commas, empty fields as NAN, CRLF. */
static void test_table(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,status,\"b\"\r\n1,\"x, \"\"y\"\"\",2.5\r\n,ok,-3\r\n", f);
    fclose(f);
    gk_table *t;
    gk_error err = {{0}};
    GK_CHECK(gk_table_read(path, &t, &err) == GK_OK);
    GK_CHECK(gk_table_ncols(t) == 3 && gk_table_nrows(t) == 2 && !strcmp(gk_table_name(t, 2), "b"));
    GK_CHECK(gk_table_column(t, 0)[0] == 1 && isnan(gk_table_column(t, 0)[1]) && isnan(gk_table_column(t, 1)[0]));
    GK_CHECK(gk_table_column(t, 2)[0] == 2.5 && gk_table_column(t, 2)[1] == -3 && gk_table_column(t, 3) == NULL);
    gk_table_free(t);
    /* a last row cut inside a number still has every cell: the missing line end tells */
    f = fopen(path, "w");
    fputs("step,loss\n1,0.25\n2,0.12", f);
    fclose(f);
    GK_CHECK(gk_table_read(path, &t, &err) == GK_EINVAL && strstr(err.msg, "cut short"));
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    GK_RUN(test_presets);
    GK_RUN(test_run);
    GK_RUN(test_theory_columns);
    GK_RUN(test_sweep);
    GK_RUN(test_table);
    GK_RUN(test_threads_restored);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    return gk_test_summary();
}
