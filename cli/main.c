/* main.c: the groklab command line. The only place that prints or exits.
 *   groklab list
 *   groklab run [PRESET] [key=value ...] [--out DIR] [--save-data] [--quiet] [--help]
 * Exit codes: 0 ok, 1 a run-time failure (I/O, divergence), 2 bad input, 130 interrupted. */
#include "exp/exp.h"
#include "cli.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PRESET "diag-sparse"

static volatile int g_stop = 0;

static void on_sigint(int sig) {
    (void)sig;
    g_stop = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C kills at once */
}

int gk_cli_bad_input(const char *msg) {
    fprintf(stderr, "groklab: error: %s\n", msg);
    return 2;
}

static void usage(FILE *f) {
    fprintf(f, "groklab %s: a laboratory for grokking\n\n"
               "usage:\n"
               "  groklab list                                    every preset: paper, figure, what it shows\n"
               "  groklab run [PRESET] [key=value ...] [options]  run one experiment (default: " DEFAULT_PRESET ")\n"
               "  groklab run PRESET --help                       every key with its default, range and meaning\n"
               "  groklab sweep PRESET key=v1,v2 ... [options]    a grid of runs (groklab sweep --help)\n"
               "  groklab theory PRESET [key=value ...]           only the theory references and their test accuracy\n"
               "  groklab plot RUN_OR_SWEEP_DIR... [options]      overlay runs in one figure (groklab plot --help)\n"
               "\nrun options:\n"
               "  --out DIR      run directory (default: runs/PRESET-DATE-TIME)\n"
               "  --save-data    also write the train and test sets (train.csv, test.csv)\n"
               "  --quiet        no progress line\n",
            GK_VERSION);
}

static int cmd_list(void) {
    for (size_t i = 0; gk_preset_at(i); i++) {
        const gk_preset *p = gk_preset_at(i);
        printf("%-22s %s, %s: %s\n", p->name, p->paper, p->figure, p->shows);
    }
    return 0;
}

void gk_cli_print_params(const gk_preset *p) {
    gk_config cfg;
    gk_error err;
    if (gk_preset_config(p, NULL, 0, &cfg, &err)) {
        fprintf(stderr, "groklab: %s\n", err.msg);
        return;
    }
    printf("%s (%s, %s): %s\n\nkeys (key=value):\n", p->name, p->paper, p->figure, p->shows);
    for (int i = 0; i < cfg.count; i++) {
        char range[160];
        gk_param_range_str(&cfg.spec[i], range, sizeof range);
        printf("  %-12s = %-10s %s\n  %-12s   %-10s (%s)\n", cfg.spec[i].key, cfg.str[i], cfg.spec[i].help, "", "", range);
    }
}

/* ---- progress ------------------------------------------------------------------------------------------ */

typedef struct progress_ctx {
    int quiet, tty;
    double last;
} progress_ctx;

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double last_value(const gk_metrics *m, const char *col) {
    int c = gk_metrics_col(m, col);
    return c >= 0 && m->nrows ? gk_metrics_at(m, m->nrows - 1, c) : NAN;
}

static void on_progress(void *ud, const gk_progress *p) {
    progress_ctx *c = ud;
    double t = wall_now();
    int last = p->step >= p->steps;
    if (c->quiet || (!last && t - c->last < (c->tty ? 0.2 : 10.0))) return;
    c->last = t;
    fprintf(stderr, "%s[%s] step %ld/%ld (%3.0f%%)  train_acc %.3f  test_acc %.3f  test_loss %.4f  %.1fs",
            c->tty ? "\r" : "", p->preset, p->step, p->steps, 100.0 * (double)p->step / (double)p->steps,
            last_value(p->m, "train_acc"), last_value(p->m, "test_acc"), last_value(p->m, "test_loss"), p->elapsed);
    if (isfinite(p->eta) && !last) fprintf(stderr, ", ETA %.0fs  ", p->eta);
    if (!c->tty || last) fputc('\n', stderr);
    else fflush(stderr);
}

/* ---- summary ------------------------------------------------------------------------------------------ */

static double jnum(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void print_summary(const cJSON *s, const char *dir) {
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(s, "status");
    double pred = jnum(s, "predicted_transition_step"), fit = jnum(s, "train_fit_step"), grok = jnum(s, "test_grok_step");
    printf("\n%s: %s after %.0f of %.0f steps in %.1f s (%.3g ms/step)\n", cJSON_GetStringValue(cJSON_GetObjectItem(s, "preset")),
           cJSON_GetStringValue(status), jnum(s, "steps_done"), jnum(s, "steps"), jnum(s, "wall_seconds"),
           1e3 * jnum(s, "seconds_per_step"));
    if (isfinite(pred)) printf("  predicted transition  t* = ln(alpha)/(lambda*lr) = %.0f steps\n", pred);
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(s, "train_fit_rule"));
    if (isfinite(fit)) printf("  train set fit         (%s) at step %.0f\n", rule ? rule : "first eval", fit);
    else if (cJSON_GetObjectItem(s, "train_fit_step")) printf("  train set fit         never (%s)\n", rule ? rule : "");
    if (isfinite(grok))
        printf("  test accuracy jumped  (test_acc >= 0.95) at step %.0f%s", grok, isfinite(pred) ? "" : "\n");
    else if (cJSON_GetObjectItem(s, "test_grok_step")) printf("  test accuracy jumped  never (test_acc < 0.95)%s", isfinite(pred) ? "" : "\n");
    if (isfinite(pred) && cJSON_GetObjectItem(s, "test_grok_step")) printf(isfinite(grok) ? " = %.2f t*\n" : "\n", grok / pred);
    if (isfinite(jnum(s, "max_test_acc")))
        printf("  test accuracy         max %.3f (step %.0f), final %.3f; train final %.3f\n", jnum(s, "max_test_acc"),
               jnum(s, "max_test_acc_step"), jnum(s, "final_test_acc"), jnum(s, "final_train_acc"));
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(s, "references");
    const cJSON *r;
    cJSON_ArrayForEach(r, refs) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "unavailable");
        if (why) printf("  reference %-11s unavailable: %s\n", r->string, cJSON_GetStringValue(why));
        else printf("  reference %-11s test acc %.3f\n", r->string, jnum(r, "test_acc"));
    }
    if (isfinite(jnum(s, "switch_step"))) printf("  switch (early -> late reference) at step %.0f\n", jnum(s, "switch_step"));
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "error");
    if (e) printf("  stopped early: %s\n", cJSON_GetStringValue(e));
    printf("files in %s/: config.json metrics.csv summary.json curves.png curves.svg\n", dir);
}

/* ---- theory: the references alone ------------------------------------------------------------------- */

static int cmd_theory(int argc, char **argv) {
    if (argc < 1 || argv[0][0] == '-' || strchr(argv[0], '='))
        return gk_cli_bad_input("usage: groklab theory PRESET [key=value ...]");
    const gk_preset *p = gk_preset_find(argv[0]);
    if (!p) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown preset '%s' (groklab list shows them all)", argv[0]);
        return gk_cli_bad_input(msg);
    }
    for (int i = 1; i < argc; i++)
        if (!strchr(argv[i], '=')) {
            char msg[256];
            snprintf(msg, sizeof msg, "'%s' is not of the form key=value", argv[i]);
            return gk_cli_bad_input(msg);
        }
    gk_config cfg;
    gk_error err = {{0}};
    if (gk_preset_config(p, (const char *const *)argv + 1, argc - 1, &cfg, &err)) return gk_cli_bad_input(err.msg);
    int k = gk_config_index(&cfg, "references");
    if (k >= 0 && gk_config_set(&cfg, "references=1", &err)) return gk_cli_bad_input(err.msg);
    cJSON *o = NULL;
    gk_status s = gk_theory_report(p, &cfg, &o, &err);
    if (s) {
        fprintf(stderr, "groklab: error: %s\n", err.msg);
        return s == GK_EINVAL ? 2 : 1;
    }
    printf("%s: theory references (%.1f s)\n", p->name, jnum(o, "seconds"));
    if (isfinite(jnum(o, "predicted_transition_step")))
        printf("  predicted transition  t* = %.0f steps\n", jnum(o, "predicted_transition_step"));
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "references")) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "unavailable");
        if (why) printf("  %-12s unavailable: %s\n", r->string, cJSON_GetStringValue(why));
        else printf("  %-12s train acc %.3f  test acc %.3f  margin %.4g\n", r->string, jnum(r, "train_acc"),
                    jnum(r, "test_acc"), jnum(r, "margin"));
    }
    cJSON_Delete(o);
    return 0;
}

/* ---- run ---------------------------------------------------------------------------------------------- */

static void default_out_dir(char *buf, size_t len, const char *preset) {
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    struct stat st;
    snprintf(buf, len, "runs/%s-%s", preset, stamp);
    for (int k = 2; stat(buf, &st) == 0; k++) snprintf(buf, len, "runs/%s-%s-%d", preset, stamp, k);
}

static int cmd_run(int argc, char **argv) {
    const char *preset_name = DEFAULT_PRESET, *out = NULL;
    int save = 0, quiet = 0, help = 0, nassign = 0;
    const char *assign[256];
    if (argc > 256) return gk_cli_bad_input("too many arguments (at most 256)");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--out")) {
            if (i + 1 >= argc) return gk_cli_bad_input("--out needs a directory");
            out = argv[++i];
        } else if (!strncmp(a, "--out=", 6)) out = a + 6;
        else if (!strcmp(a, "--save-data")) save = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) help = 1;
        else if (a[0] == '-') {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown option '%s' (see groklab --help)", a);
            return gk_cli_bad_input(msg);
        } else if (strchr(a, '=')) assign[nassign++] = a;
        else if (i == 0) preset_name = a;
        else {
            char msg[256];
            snprintf(msg, sizeof msg, "'%s' is not of the form key=value", a);
            return gk_cli_bad_input(msg);
        }
    }
    const gk_preset *p = gk_preset_find(preset_name);
    if (!p) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown preset '%s' (groklab list shows them all)", preset_name);
        return gk_cli_bad_input(msg);
    }
    if (help) {
        gk_cli_print_params(p);
        return 0;
    }
    gk_config cfg;
    gk_error err = {{0}};
    if (gk_preset_config(p, assign, nassign, &cfg, &err)) return gk_cli_bad_input(err.msg);
    char dir[1024];
    if (out) snprintf(dir, sizeof dir, "%s", out);
    else default_out_dir(dir, sizeof dir, p->name);

    progress_ctx pc = {quiet, isatty(2), 0};
    gk_run_opts opts = {.out_dir = dir, .save_data = save, .stop = &g_stop, .progress = on_progress, .ud = &pc, .csv_interval = 2.0};
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    if (!quiet) fprintf(stderr, "groklab %s: running %s into %s\n", GK_VERSION, p->name, dir);
    gk_run_result res;
    gk_status s = gk_run(p, &cfg, &opts, &res, &err);
    if (s) {
        fprintf(stderr, "groklab: error: %s\n", err.msg);
        if (res.summary) cJSON_Delete(res.summary);
        return s == GK_EINVAL ? 2 : 1;
    }
    print_summary(res.summary, dir);
    cJSON_Delete(res.summary);
    if (res.status == GK_EINTERRUPTED) return 130;
    if (res.status) {
        fprintf(stderr, "groklab: error: %s\n", res.error);
        return 1;
    }
    return 0;
}

/* OpenMP threads that wait at a barrier spin by default (libgomp: 300,000 turns). On a machine shared with
 * other work that made runs 5x to 50x slower (diag-l2sep at load 4: 34 s with spinning, 6.6 s passive; same
 * metrics). Sleeping at once (passive) costs a wake-up per parallel region instead, which on an idle machine
 * made the paper-size diag step 1.4-2.2 ms instead of 0.81 ms with a short spin (GOMP_SPINCOUNT=30000).
 * So: a short spin when the cores are idle at start (run, sweep and theory sample /proc/stat for 100 ms),
 * passive otherwise. libgomp reads these once, when the program is loaded, so the CLI sets one and starts itself
 * again. A policy the user set (OMP_WAIT_POLICY or GOMP_SPINCOUNT) is left alone. */
/* Idle share of all cores over 100 ms, from the first line of /proc/stat ("cpu user nice system idle iowait
 * irq softirq steal ..."): what the machine does now, where the load average lags by minutes (and counts tasks
 * blocked on I/O, and this program's own start-up threads). -1 if unknown. */
static int read_cpu_times(unsigned long long *idle, unsigned long long *total) {
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                   &v[7]);
    fclose(f);
    if (n < 4) return -1;
    *idle = v[3] + v[4];
    *total = 0;
    for (int k = 0; k < 8; k++) *total += v[k];
    return 0;
}

static double process_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The CPU this process itself uses meanwhile (OpenBLAS's and Open MPI's threads spin up at load) counts as idle. */
static double idle_share(void) {
    unsigned long long i0, t0, i1, t1;
    if (read_cpu_times(&i0, &t0)) return -1;
    double c0 = process_cpu_seconds();
    struct timespec pause = {0, 100000000};
    nanosleep(&pause, NULL);
    double own = (process_cpu_seconds() - c0) * (double)sysconf(_SC_CLK_TCK);
    if (read_cpu_times(&i1, &t1) || t1 <= t0) return -1;
    return fmin(1.0, ((double)(i1 - i0) + own) / (double)(t1 - t0));
}

/* All cores but at most half of one are idle. */
static int machine_has_free_cores(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double idle = cores > 1 ? idle_share() : -1;
    return idle >= 0 && idle * (double)cores >= (double)cores - 0.5;
}

static void choose_wait_policy(int argc, char **argv) {
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    if (argc < 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "sweep") && strcmp(argv[1], "theory"))) return;
    int ok = machine_has_free_cores() ? setenv("GOMP_SPINCOUNT", "30000", 1) : setenv("OMP_WAIT_POLICY", "passive", 1);
    if (ok != 0) return;
    execv("/proc/self/exe", argv); /* returns only on failure: then go on with the default policy */
}

int main(int argc, char **argv) {
    choose_wait_policy(argc, argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "list")) return cmd_list();
    if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "sweep")) return gk_cli_sweep(argc - 2, argv + 2);
    if (!strcmp(cmd, "theory")) return cmd_theory(argc - 2, argv + 2);
    if (!strcmp(cmd, "plot")) return gk_cli_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("groklab %s\n", GK_VERSION);
        return 0;
    }
    char msg[256];
    snprintf(msg, sizeof msg, "unknown command '%s' (commands: list, run, theory, sweep)", cmd);
    usage(stderr);
    return gk_cli_bad_input(msg);
}
