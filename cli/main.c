/* main.c: the groklab command line. The only place that prints or exits.
 *   groklab list
 *   groklab run [PRESET] [key=value ...] [--out DIR] [--save-data] [--quiet] [--help]
 * Exit codes: 0 ok, 1 a run-time failure (I/O, divergence), 2 bad input, 130 interrupted. */
#include "exp/exp.h"
#include "cli.h"

#include <dirent.h>
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
               "\nrun options:\n"
               "  --out DIR      run directory (default: runs/PRESET-DATE-TIME)\n"
               "  --save-data    also write the train and test sets (train.csv, test.csv)\n"
               "  --quiet        no progress line\n"
               "\nother:\n"
               "  groklab --version                               print the version\n"
               "  groklab --help                                  this text\n",
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
    fprintf(stderr, "%s[%s] step %ld/%ld (%3.0f%%)", c->tty ? "\r" : "", p->preset, p->step, p->steps,
            100.0 * (double)p->step / (double)p->steps);
    if (gk_metrics_col(p->m, "test_acc") >= 0)
        fprintf(stderr, "  train_acc %.3f  test_acc %.3f", last_value(p->m, "train_acc"), last_value(p->m, "test_acc"));
    else fprintf(stderr, "  train_loss %.4g", last_value(p->m, "train_loss"));
    fprintf(stderr, "  test_loss %.4g  %.1fs", last_value(p->m, "test_loss"), p->elapsed);
    if (isfinite(p->eta) && !last) fprintf(stderr, ", ETA %.0fs  ", p->eta);
    if (!c->tty || last) fputc('\n', stderr);
    else fflush(stderr);
}

/* ---- summary ------------------------------------------------------------------------------------------ */

static double jnum(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* One phenomenon of summary.json's "phenomena" list: where its rule first held (step, t/t*), or never, or a
 * final ratio. */
static void print_phenomenon(const cJSON *e) {
    const char *what = cJSON_GetStringValue(cJSON_GetObjectItem(e, "what"));
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(e, "rule"));
    if (cJSON_GetObjectItem(e, "ratio")) {
        printf("  %-22s %s = %.3g\n", what, rule, jnum(e, "ratio"));
        return;
    }
    double step = jnum(e, "step"), over = jnum(e, "over_tstar");
    if (!isfinite(step)) {
        printf("  %-22s never (%s)\n", what, rule);
        return;
    }
    printf("  %-22s (%s) at step %.0f, t = %.4g", what, rule, step, jnum(e, "time"));
    if (isfinite(over)) printf(" = %.2f t*", over);
    printf("\n");
}

/* The header line: steps and time per step, or for gradient flow the gradient evaluations. */
static void print_headline(const cJSON *s) {
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(s, "status"));
    const char *preset = cJSON_GetStringValue(cJSON_GetObjectItem(s, "preset"));
    double evals = jnum(s, "grad_evals"), secs = jnum(s, "train_seconds");
    if (isfinite(evals))
        printf("\n%s: %s at t = %.4g (%.0f of %.0f steps of lr) in %.1f s: %.0f gradient evaluations (%.3g ms each)\n",
               preset, status, jnum(s, "final_time"), jnum(s, "steps_done"), jnum(s, "steps"), jnum(s, "wall_seconds"),
               evals, evals > 0 ? 1e3 * secs / evals : NAN);
    else
        printf("\n%s: %s after %.0f of %.0f steps in %.1f s (%.3g ms/step)\n", preset, status, jnum(s, "steps_done"),
               jnum(s, "steps"), jnum(s, "wall_seconds"), 1e3 * jnum(s, "seconds_per_step"));
}

static void print_references(const cJSON *s) {
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s, "references")) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "unavailable");
        if (why) printf("  reference %-11s unavailable: %s\n", r->string, cJSON_GetStringValue(why));
        else if (isfinite(jnum(r, "test_acc"))) printf("  reference %-11s test acc %.3f\n", r->string, jnum(r, "test_acc"));
        else if (isfinite(jnum(r, "test_loss"))) printf("  reference %-11s test loss %.4g\n", r->string, jnum(r, "test_loss"));
    }
}

/* Only the files that are there (a figure that failed is not listed). */
static void print_files(const char *dir) {
    printf("files in %s/:", dir);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') printf(" %s", e->d_name);
    if (d) closedir(d);
    printf("\n");
}

static void print_summary(const cJSON *s, const char *dir) {
    print_headline(s);
    double pred = jnum(s, "predicted_transition_step");
    if (isfinite(pred)) printf("  predicted transition  t* = ln(alpha)/(lambda*lr) = %.0f steps\n", pred);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "phenomena")) print_phenomenon(e);
    if (isfinite(jnum(s, "max_test_acc")))
        printf("  test accuracy         max %.3f (step %.0f), final %.3f; train final %.3f\n", jnum(s, "max_test_acc"),
               jnum(s, "max_test_acc_step"), jnum(s, "final_test_acc"), jnum(s, "final_train_acc"));
    else if (isfinite(jnum(s, "final_test_loss")))
        printf("  loss                  final train %.4g, test %.4g\n", jnum(s, "final_train_loss"), jnum(s, "final_test_loss"));
    print_references(s);
    if (isfinite(jnum(s, "switch_step"))) printf("  switch (early -> late reference) at step %.0f\n", jnum(s, "switch_step"));
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(s, "error");
    if (err) printf("  stopped early: %s\n", cJSON_GetStringValue(err));
    const cJSON *fig = cJSON_GetObjectItemCaseSensitive(s, "figure_error");
    if (fig) fprintf(stderr, "groklab: error: a figure could not be written: %s\n", cJSON_GetStringValue(fig));
    print_files(dir);
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
    const cJSON *r, *v;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "references")) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "unavailable");
        printf("  %-12s", r->string);
        if (why) printf(" unavailable: %s", cJSON_GetStringValue(why));
        cJSON_ArrayForEach(v, r) if (cJSON_IsNumber(v) && strcmp(v->string, "solve_seconds"))
            printf("  %s %.4g", v->string, v->valuedouble);
        printf("\n");
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

static const char *resume_dir; /* `groklab resume DIR`: the run to continue */

static int finish_run(const char *dir, int quiet, gk_run_opts *opts, const char **assign, int nassign) {
    progress_ctx pc = {quiet, isatty(2), 0};
    opts->progress = on_progress;
    opts->ud = &pc;
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    if (!quiet) fprintf(stderr, "groklab %s: resuming %s\n", GK_VERSION, dir);
    gk_run_result res;
    gk_error err = {{0}};
    gk_status s = gk_resume(dir, assign, nassign, opts, &res, &err);
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

static int cmd_run(int argc, char **argv) {
    const char *preset_name = DEFAULT_PRESET, *out = NULL;
    int save = 0, quiet = 0, help = 0, nassign = 0, force = 0, save_weights = 0;
    double ckpt = 300;
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
        else if (!strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "--save-weights")) save_weights = 1;
        else if (!strcmp(a, "--checkpoint-every") && i + 1 < argc) {
            char *end;
            ckpt = strtod(argv[++i], &end);
            if (*end || !(ckpt >= 0) || !isfinite(ckpt)) return gk_cli_bad_input("--checkpoint-every needs a number of seconds >= 0");
        }
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
    if (resume_dir) {
        gk_run_opts opts = {.out_dir = resume_dir, .stop = &g_stop, .csv_interval = 2.0, .checkpoint_every = ckpt,
                            .save_weights = save_weights};
        return finish_run(resume_dir, quiet, &opts, assign, nassign);
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
    gk_run_opts opts = {.out_dir = dir, .save_data = save, .stop = &g_stop, .progress = on_progress, .ud = &pc,
                        .csv_interval = 2.0, .force = force, .checkpoint_every = ckpt, .save_weights = save_weights};
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
    if (!strcmp(cmd, "resume")) {
        if (argc < 3) return gk_cli_bad_input("resume needs a run directory: groklab resume RUN_DIR [steps=N]");
        resume_dir = argv[2];
        return cmd_run(argc - 3, argv + 3);
    }
    if (!strcmp(cmd, "sweep")) return gk_cli_sweep(argc - 2, argv + 2);
    if (!strcmp(cmd, "theory")) return cmd_theory(argc - 2, argv + 2);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strncmp(cmd, "--help-", 7)) return gk_cli_doc(cmd + 7, usage); /* man page, completion (cli/doc.c) */
    if (!strcmp(cmd, "--version")) {
        printf("groklab %s\n", GK_VERSION);
        return 0;
    }
    char msg[256];
    snprintf(msg, sizeof msg, "unknown command '%s' (commands: list, run, theory, sweep)", cmd);
    usage(stderr);
    return gk_cli_bad_input(msg);
}
