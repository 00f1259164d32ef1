/* run.c: `groklab list`, `groklab run`, `groklab resume` and `groklab theory`.
 * Exit codes: 0 ok, 1 a run-time failure (I/O, divergence), 2 bad input, 130 interrupted. */
#include "cmd_run.h"

#include "cmd_config.h"
#include "common.h"
#include "io/run_lock.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile int g_stop = 0;
static volatile int g_training = 0; /* set by the library when the set-up is over */
/* A run directory this process created (empty if it existed): a stop during set-up removes it again. */
static char g_new_dir[1024], g_new_lock[1100];

static void on_sigint(int sig) {
    if (!g_training) { /* still setting up: nothing is trained yet, nothing to keep; end now (async-signal-safe) */
        static const char msg[] = "\ngroklab: stopped while setting up: the run was not started (nothing to resume)\n";
        if (write(2, msg, sizeof msg - 1) < 0) {}
        if (g_new_dir[0]) { /* the lock file is the only file in it before config.json */
            unlink(g_new_lock);
            rmdir(g_new_dir);
        }
        _exit(130);
    }
    g_stop = 1;
    signal(sig, SIG_DFL); /* a second Ctrl-C kills at once */
}

/* Stops during set-up end the process at once; dir (if not NULL, and new or to be emptied by --force) is removed
 * again then if it holds nothing but the run lock. */
static void install_stop_handlers(const char *dir, int force) {
    struct stat st;
    if (dir && (stat(dir, &st) != 0 || force)) { /* a new directory, or one --force empties first */
        snprintf(g_new_dir, sizeof g_new_dir, "%s", dir);
        snprintf(g_new_lock, sizeof g_new_lock, "%s/%s", dir, GK_RUN_LOCK_NAME);
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    signal(SIGHUP, on_sigint); /* a closed terminal stops the run as Ctrl-C does: summary and checkpoint kept */
}

int gk_cli_list(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: groklab list\n  every preset: its name, its CPU time at the defaults (on 2 free cores the run takes at"
               " most this;\n  ~: extrapolated from a stopped run; bench/preset_times.sh measures them), paper, figure"
               " and what it shows\n");
        return 0;
    }
    if (argc > 1) return gk_cli_bad_input("list takes no arguments (groklab list --help)");
    for (size_t i = 0; gk_preset_at(i); i++) {
        const gk_preset *p = gk_preset_at(i);
        int est;
        double cpu = gk_preset_cpu_seconds(p, &est);
        char d[32], t[40];
        snprintf(t, sizeof t, "%s%s", est ? "~" : "", gk_cli_duration(cpu, d, sizeof d));
        printf("%-23s %-9s %s, %s: %s\n", p->name, t, p->paper, p->figure, p->shows);
    }
    return 0;
}

/* ---- progress ------------------------------------------------------------------------------------------ */

typedef struct progress_ctx {
    int quiet, tty, warned;
    double last;
} progress_ctx;

#define LONG_RUN_SECONDS 600.0 /* a run expected to take longer is announced once, with its estimate */

/* Once, when the speed is known (after 3 s): a run that will take longer than LONG_RUN_SECONDS says so, and how
 * to make it shorter or to stop it and go on later. */
static void warn_if_long(progress_ctx *c, const gk_progress *p) {
    if (c->warned || p->elapsed < 3 || !isfinite(p->eta) || p->eta < LONG_RUN_SECONDS) return;
    c->warned = 1;
    char d[32];
    fprintf(stderr, "%s[%s] this run needs about %s more at this speed (%ld steps); Ctrl-C stops it and `groklab "
            "resume` goes on later; steps=N (or a -fast preset) is shorter\n", c->tty ? "\n" : "", p->preset,
            gk_cli_duration(p->eta, d, sizeof d), p->steps);
}

/* "  NAME VALUE" for the run's column of this declared role (nothing if it has none). */
static void print_last(const gk_metrics *m, gk_column_role role, const char *fmt) {
    int c = gk_metrics_role_col(m, role);
    if (c < 0) return;
    fprintf(stderr, "  %s ", m->names[c]);
    fprintf(stderr, fmt, m->nrows ? gk_metrics_at(m, m->nrows - 1, c) : NAN);
}

static void on_progress(void *ud, const gk_progress *p) {
    progress_ctx *c = ud;
    double t = gk_cli_now();
    int last = p->step >= p->steps;
    if (c->quiet) return;
    warn_if_long(c, p);
    if (!last && t - c->last < (c->tty ? 0.2 : 10.0)) return;
    c->last = t;
    fprintf(stderr, "%s[%s] step %ld/%ld (%3.0f%%)", c->tty ? "\r" : "", p->preset, p->step, p->steps,
            100.0 * (double)p->step / (double)p->steps);
    if (gk_metrics_role_col(p->m, GK_ROLE_TEST_ACC) >= 0) { /* regression experiments have losses only */
        print_last(p->m, GK_ROLE_TRAIN_ACC, "%.3f");
        print_last(p->m, GK_ROLE_TEST_ACC, "%.3f");
    } else print_last(p->m, GK_ROLE_TRAIN_LOSS, "%.4g");
    char el[32], eta[32];
    print_last(p->m, GK_ROLE_TEST_LOSS, "%.4g");
    fprintf(stderr, "  %s", gk_cli_duration(p->elapsed, el, sizeof el));
    if (isfinite(p->eta) && !last) fprintf(stderr, ", ETA %s  ", gk_cli_duration(p->eta, eta, sizeof eta));
    if (!c->tty || last) fputc('\n', stderr);
    else fflush(stderr);
}

/* ---- summary ------------------------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "files in DIR/: ..." with the files the directory holds: the standard ones first, then the others sorted. */
static void print_files(const char *dir) {
    static const char *const first[] = {"config.json", "metrics.csv", "summary.json", "curves.png", "curves.svg"};
    char *names[256];
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && n < 256 && (e = readdir(d)))
        if (e->d_name[0] != '.' && e->d_type != DT_DIR) names[n++] = strdup(e->d_name);
    if (d) closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    printf("files in %s/:", dir);
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < n; i++)
            if (names[i] && !strcmp(names[i], first[k])) printf(" %s", names[i]), free(names[i]), names[i] = NULL;
    for (int i = 0; i < n; i++)
        if (names[i]) printf(" %s", names[i]), free(names[i]);
    printf("\n");
}

/* One phenomenon of summary.json's "phenomena" list (src/report/phenomena.c): where its rule first held (step, t,
 * t/t*), or never, or a final ratio. */
static void print_phenomenon(const cJSON *e) {
    const char *what = cJSON_GetStringValue(cJSON_GetObjectItem(e, "what"));
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(e, "rule"));
    const cJSON *per_seed = cJSON_GetObjectItem(e, "steps"); /* a multi-seed run: each run's step */
    if (cJSON_IsArray(per_seed)) {
        int n = (int)gk_cli_jnum(e, "n"), K = cJSON_GetArraySize(per_seed);
        if (n == 0) printf("  %-22s never in %d seeds (%s)\n", what, K, rule);
        else printf("  %-22s (%s) in %d of %d seeds: median step %.0f, min %.0f, max %.0f\n", what, rule, n, K,
                    gk_cli_jnum(e, "median"), gk_cli_jnum(e, "min"), gk_cli_jnum(e, "max"));
        return;
    }
    if (cJSON_GetObjectItem(e, "ratio")) {
        printf("  %-22s %s = %.3g\n", what, rule, gk_cli_jnum(e, "ratio"));
        return;
    }
    double step = gk_cli_jnum(e, "step"), over = gk_cli_jnum(e, "over_tstar");
    if (!isfinite(step)) {
        printf("  %-22s never (%s)\n", what, rule);
        return;
    }
    printf("  %-22s (%s) at step %.0f, t = %.4g", what, rule, step, gk_cli_jnum(e, "time"));
    if (isfinite(over)) printf(" = %.2f t*", over);
    printf("\n");
}

/* Phenomena in the order they happened: by step, those that never held and final ratios last (stable). */
static int cmp_phenomenon(const void *a, const void *b) {
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    double sx = gk_cli_jnum(x, "step"), sy = gk_cli_jnum(y, "step");
    int fx = isfinite(sx) && !cJSON_GetObjectItem(x, "ratio"), fy = isfinite(sy) && !cJSON_GetObjectItem(y, "ratio");
    if (fx != fy) return fy - fx;
    if (fx && sx != sy) return sx < sy ? -1 : 1;
    return 0;
}

static void print_phenomena(const cJSON *list) {
    const cJSON *items[64], *e;
    int n = 0;
    cJSON_ArrayForEach(e, list) if (n < 64) items[n++] = e;
    /* qsort is not stable: order ties by their place in the list. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp_phenomenon(&items[j - 1], &items[j]) > 0; j--) {
            const cJSON *t = items[j];
            items[j] = items[j - 1], items[j - 1] = t;
        }
    for (int i = 0; i < n; i++) print_phenomenon(items[i]);
}

/* The header line: steps and time per step, or for gradient flow the gradient evaluations. */
static void print_headline(const cJSON *s) {
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(s, "status"));
    const char *preset = cJSON_GetStringValue(cJSON_GetObjectItem(s, "preset"));
    double evals = gk_cli_jnum(s, "grad_evals"), secs = gk_cli_jnum(s, "train_seconds");
    if (isfinite(evals))
        printf("\n%s: %s at t = %.4g (%.0f of %.0f steps of lr) in %.1f s: %.0f gradient evaluations (%.3g ms each)\n",
               preset, status, gk_cli_jnum(s, "final_time"), gk_cli_jnum(s, "steps_done"), gk_cli_jnum(s, "steps"),
               gk_cli_jnum(s, "wall_seconds"), evals, evals > 0 ? 1e3 * secs / evals : NAN);
    else
        printf("\n%s: %s after %.0f of %.0f steps in %.1f s (%.3g ms/step)\n", preset, status, gk_cli_jnum(s, "steps_done"),
               gk_cli_jnum(s, "steps"), gk_cli_jnum(s, "wall_seconds"), 1e3 * gk_cli_jnum(s, "seconds_per_step"));
}

static void print_references(const cJSON *s) {
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s, "references")) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "unavailable");
        if (why) printf("  reference %-11s unavailable: %s\n", r->string, cJSON_GetStringValue(why));
        else if (isfinite(gk_cli_jnum(r, "test_acc"))) printf("  reference %-11s test acc %.3f\n", r->string, gk_cli_jnum(r, "test_acc"));
        else if (isfinite(gk_cli_jnum(r, "test_loss")))
            printf("  reference %-11s test loss %.4g\n", r->string, gk_cli_jnum(r, "test_loss"));
    }
}

static void print_summary(const cJSON *s, const char *dir) {
    print_headline(s);
    double pred = gk_cli_jnum(s, "predicted_transition_step");
    if (isfinite(pred)) printf("  predicted transition  t* = ln(alpha)/(lambda*lr) = %.0f steps\n", pred);
    /* a phenomenon that is a standard fact names its key for the step (one name per number): filled in a copy */
    cJSON *list = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(s, "phenomena"), 1), *e;
    cJSON_ArrayForEach(e, list) {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "step_key"));
        const cJSON *step = key ? cJSON_GetObjectItemCaseSensitive(s, key) : NULL;
        if (step) cJSON_AddItemToObject(e, "step", cJSON_Duplicate(step, 0));
        const cJSON *median = cJSON_GetObjectItemCaseSensitive(e, "step"); /* over seeds: the median step */
        if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(e, "steps")) && median)
            cJSON_AddItemToObject(e, "median", cJSON_Duplicate(median, 0));
    }
    print_phenomena(list);
    cJSON_Delete(list);
    if (isfinite(gk_cli_jnum(s, "max_test_acc")))
        printf("  test accuracy         max %.3f (step %.0f), final %.3f; train final %.3f\n", gk_cli_jnum(s, "max_test_acc"),
               gk_cli_jnum(s, "max_test_acc_step"), gk_cli_jnum(s, "final_test_acc"), gk_cli_jnum(s, "final_train_acc"));
    else if (isfinite(gk_cli_jnum(s, "final_test_loss")))
        printf("  loss                  final train %.4g, test %.4g\n", gk_cli_jnum(s, "final_train_loss"),
               gk_cli_jnum(s, "final_test_loss"));
    print_references(s);
    if (isfinite(gk_cli_jnum(s, "switch_step")))
        printf("  switch (early -> late reference) at step %.0f\n", gk_cli_jnum(s, "switch_step"));
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(s, "error");
    if (err) printf("  stopped early: %s\n", cJSON_GetStringValue(err));
    const cJSON *fig = cJSON_GetObjectItemCaseSensitive(s, "figure_error");
    if (fig) fprintf(stderr, "groklab: error: a figure could not be written: %s\n", cJSON_GetStringValue(fig));
    print_files(dir);
}

static int report(gk_status s, gk_run_result *res, const gk_error *err, const char *dir) {
    if (s) {
        fprintf(stderr, "groklab: error: %s\n", err->msg);
        if (res->summary) cJSON_Delete(res->summary);
        return s == GK_EINVAL ? 2 : 1;
    }
    print_summary(res->summary, dir);
    cJSON_Delete(res->summary);
    if (res->status == GK_EINTERRUPTED) return 130;
    if (res->status) {
        fprintf(stderr, "groklab: error: %s\n", res->error);
        return 1;
    }
    return 0;
}

/* ---- run and resume ---------------------------------------------------------------------------------- */

enum { OPT_OUT = 256, OPT_SAVE_DATA, OPT_QUIET, OPT_FORCE, OPT_CHECKPOINT, OPT_SAVE_WEIGHTS, OPT_CONFIG };

typedef struct run_args {
    const char *out, *config;
    int save, quiet, help, force, save_weights;
    double checkpoint_every;
} run_args;

static int on_run_opt(void *ud, int code, const char *arg) {
    run_args *a = ud;
    switch (code) {
    case OPT_OUT: a->out = arg; break;
    case OPT_CONFIG: a->config = arg; break;
    case OPT_SAVE_DATA: a->save = 1; break;
    case OPT_QUIET: a->quiet = 1; break;
    case OPT_FORCE: a->force = 1; break;
    case OPT_SAVE_WEIGHTS: a->save_weights = 1; break;
    case OPT_CHECKPOINT: return gk_cli_parse_seconds("--checkpoint-every", arg, &a->checkpoint_every);
    case 'h': a->help = 1; break;
    }
    return -1;
}

static const struct option run_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"save-data", no_argument, NULL, OPT_SAVE_DATA},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"force", no_argument, NULL, OPT_FORCE},
    {"checkpoint-every", required_argument, NULL, OPT_CHECKPOINT},
    {"save-weights", no_argument, NULL, OPT_SAVE_WEIGHTS},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct option resume_options[] = {
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"checkpoint-every", required_argument, NULL, OPT_CHECKPOINT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

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

/* The longest --out taken: the run's files are named below it in fixed-size buffers (run/run.c). */
#define GK_CLI_OUT_MAX 900

/* Checks --out before anything is written: not empty, not too long (as a whole or in one component), and not
 * an existing file that is not a directory. Returns -1 to go on, or exit code 2. */
static int check_out_dir(const char *out) {
    size_t n = strlen(out);
    if (n == 0) return gk_cli_bad_input("--out is empty: give the run's directory");
    if (n > GK_CLI_OUT_MAX)
        return gk_cli_bad_input("--out is %zu characters long; at most %d are allowed", n, GK_CLI_OUT_MAX);
    for (const char *c = out; *c;) {
        size_t len = strcspn(c, "/");
        if (len > 255) return gk_cli_bad_input("--out has a component of %zu characters; at most 255 are allowed", len);
        c += len + (c[len] == '/');
    }
    struct stat st;
    if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode))
        return gk_cli_bad_input("--out %s is an existing file, not a directory", out);
    return -1;
}

/* Splits the positionals into the preset (the one without '=') and the key=value assignments. */
static int split_positionals(const char **pos, int npos, const char **preset, const char **assign, int *nassign) {
    *nassign = 0;
    for (int i = 0; i < npos; i++) {
        if (strchr(pos[i], '=')) assign[(*nassign)++] = pos[i];
        else if (!*preset) *preset = pos[i];
        else return gk_cli_bad_input("'%s' is not of the form key=value", pos[i]);
    }
    return -1;
}

static gk_run_opts run_opts_of(const run_args *a, const char *dir, progress_ctx *pc) {
    gk_run_opts o = {.out_dir = dir, .save_data = a->save, .stop = &g_stop, .training = &g_training,
                     .progress = on_progress, .ud = pc,
                     .csv_interval = 2.0, .force = a->force, .checkpoint_every = a->checkpoint_every,
                     .save_weights = a->save_weights};
    return o;
}

/* --config FILE: the file's keys first, then the command line's (which replace the file's values). */
typedef struct config_keys {
    char *preset, **file;
    const char **all;
    int nfile, n;
} config_keys;

static void config_keys_free(config_keys *k) {
    if (k->file) gk_cli_config_free(k->preset, k->file, k->nfile);
    free(k->all);
}

/* Whether the key of `kv` (key=value) is also assigned on the command line. */
static int given(const char *kv, const char **assign, int nassign) {
    size_t len = strcspn(kv, "=");
    for (int i = 0; i < nassign; i++)
        if (!strncmp(assign[i], kv, len) && assign[i][len] == '=') return 1;
    return 0;
}

static int with_config(const run_args *a, config_keys *k, const char **preset_name, const char **assign, int *nassign) {
    int rc = gk_cli_config_read(a->config, &k->preset, &k->file, &k->nfile);
    if (rc >= 0) return rc;
    if (*preset_name && strcmp(*preset_name, k->preset))
        return gk_cli_bad_input("preset '%s' given, but --config %s is a config of '%s'", *preset_name, a->config,
                                k->preset);
    *preset_name = k->preset;
    k->all = calloc((size_t)(k->nfile + *nassign) + 1, sizeof *k->all);
    if (!k->all) return 1;
    for (int i = 0; i < k->nfile; i++)
        if (!given(k->file[i], assign, *nassign)) k->all[k->n++] = k->file[i];
    for (int i = 0; i < *nassign; i++) k->all[k->n++] = assign[i];
    return -1;
}

int gk_cli_run(int argc, char **argv) {
    run_args a = {.checkpoint_every = GK_CHECKPOINT_EVERY_DEFAULT};
    const char **pos = calloc((size_t)argc + 1, sizeof *pos), **assign = calloc((size_t)argc + 1, sizeof *assign);
    const char *preset_name = NULL;
    int npos = 0, nassign = 0;
    int rc = pos && assign ? gk_cli_parse(argc, argv, run_options, on_run_opt, &a, pos, &npos) : 1;
    if (rc < 0) rc = split_positionals(pos, npos, &preset_name, assign, &nassign);
    config_keys ck = {0};
    if (rc < 0 && a.config) rc = with_config(&a, &ck, &preset_name, assign, &nassign);
    const gk_preset *p = NULL;
    if (rc < 0 && !(p = gk_cli_find_preset(preset_name ? preset_name : GK_CLI_DEFAULT_PRESET))) rc = 2;
    if (rc < 0 && a.help) gk_cli_print_params(p), rc = 0;
    gk_config cfg;
    gk_error err = {{0}};
    if (rc < 0 && gk_preset_config(p, ck.n ? (const char **)ck.all : assign, ck.n ? ck.n : nassign, &cfg, &err))
        rc = gk_cli_bad_input("%s", err.msg);
    if (rc < 0 && a.out) rc = check_out_dir(a.out);
    if (rc >= 0) {
        config_keys_free(&ck);
        free(pos), free(assign);
        return rc;
    }
    char dir[1024];
    if (a.out) snprintf(dir, sizeof dir, "%s", a.out);
    else default_out_dir(dir, sizeof dir, p->name);
    progress_ctx pc = {.quiet = a.quiet, .tty = isatty(2)};
    gk_run_opts opts = run_opts_of(&a, dir, &pc);
    install_stop_handlers(dir, a.force);
    if (!a.quiet) fprintf(stderr, "groklab %s: running %s into %s\n", GK_VERSION, p->name, dir);
    gk_run_result res;
    memset(&res, 0, sizeof res);
    gk_status s = gk_run(p, &cfg, &opts, &res, &err);
    config_keys_free(&ck);
    free(pos), free(assign);
    return report(s, &res, &err, dir);
}

static void resume_usage(void) {
    printf("usage: groklab resume RUN_DIR [steps=N] [--quiet] [--checkpoint-every SECONDS]\n"
           "  continues a run from its last checkpoint (written every --checkpoint-every seconds, default 300);\n"
           "  steps=N extends it to N steps. Exit codes as for run.\n");
}

int gk_cli_resume(int argc, char **argv) {
    run_args a = {.checkpoint_every = GK_CHECKPOINT_EVERY_DEFAULT};
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int npos = 0;
    int rc = pos ? gk_cli_parse(argc, argv, resume_options, on_run_opt, &a, pos, &npos) : 1;
    if (rc < 0 && a.help) resume_usage(), rc = 0;
    /* The first positional is the directory even when it holds '=' (sweep points do). */
    if (rc < 0 && npos < 1) rc = gk_cli_bad_input("usage: groklab resume RUN_DIR [steps=N] [--quiet] [--checkpoint-every S]");
    for (int i = 1; rc < 0 && i < npos; i++)
        if (!strchr(pos[i], '=')) rc = gk_cli_bad_input("'%s' is not of the form key=value", pos[i]);
    if (rc >= 0) {
        free(pos);
        return rc;
    }
    const char *dir = pos[0];
    if ((rc = gk_cli_resume_check(dir, a.quiet)) >= 0) {
        free(pos);
        return rc;
    }
    progress_ctx pc = {.quiet = a.quiet, .tty = isatty(2)};
    gk_run_opts opts = run_opts_of(&a, dir, &pc);
    install_stop_handlers(NULL, 0);
    if (!a.quiet) fprintf(stderr, "groklab %s: resuming %s\n", GK_VERSION, dir);
    gk_run_result res;
    memset(&res, 0, sizeof res);
    gk_error err = {{0}};
    gk_status s = gk_resume(dir, pos + 1, npos - 1, &opts, &res, &err);
    free(pos);
    return report(s, &res, &err, dir);
}

/* ---- theory: the references alone ------------------------------------------------------------------- */

static int on_theory_opt(void *ud, int code, const char *arg) {
    (void)arg;
    if (code == 'h') *(int *)ud = 1;
    return -1;
}

static void print_theory(const gk_preset *p, const cJSON *o) {
    printf("%s: theory references (%.1f s)\n", p->name, gk_cli_jnum(o, "seconds"));
    if (isfinite(gk_cli_jnum(o, "predicted_transition_step")))
        printf("  predicted transition  t* = %.0f steps\n", gk_cli_jnum(o, "predicted_transition_step"));
    const cJSON *r, *v;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "references")) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "unavailable");
        printf("  %-12s", r->string);
        if (why) printf(" unavailable: %s", cJSON_GetStringValue(why));
        cJSON_ArrayForEach(v, r) if (cJSON_IsNumber(v) && strcmp(v->string, "solve_seconds"))
            printf("  %s %.4g", v->string, v->valuedouble);
        printf("\n");
    }
}

int gk_cli_theory(int argc, char **argv) {
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char **pos = calloc((size_t)argc + 1, sizeof *pos), **assign = calloc((size_t)argc + 1, sizeof *assign);
    const char *preset_name = NULL;
    int npos = 0, nassign = 0, help = 0;
    int rc = pos && assign ? gk_cli_parse(argc, argv, opts, on_theory_opt, &help, pos, &npos) : 1;
    if (rc < 0) rc = split_positionals(pos, npos, &preset_name, assign, &nassign);
    if (rc < 0 && !preset_name && help) {
        printf("usage: groklab theory PRESET [key=value ...]\n  the theory references alone (no training): their "
               "accuracies, margins and the predicted transition step; groklab theory PRESET --help lists the keys\n");
        rc = 0;
    }
    if (rc < 0 && !preset_name) rc = gk_cli_bad_input("usage: groklab theory PRESET [key=value ...]");
    const gk_preset *p = NULL;
    if (rc < 0 && !(p = gk_cli_find_preset(preset_name))) rc = 2;
    if (rc < 0 && help) gk_cli_print_params(p), rc = 0;
    gk_config cfg;
    gk_error err = {{0}};
    if (rc < 0 && gk_preset_config(p, assign, nassign, &cfg, &err)) rc = gk_cli_bad_input("%s", err.msg);
    if (rc < 0 && gk_config_index(&cfg, "references") >= 0 && gk_config_set(&cfg, "references=1", &err))
        rc = gk_cli_bad_input("%s", err.msg);
    free(pos), free(assign);
    if (rc >= 0) return rc;
    cJSON *o = NULL;
    gk_status s = gk_theory_report(p, &cfg, &o, &err);
    if (s) {
        fprintf(stderr, "groklab: error: %s\n", err.msg);
        return s == GK_EINVAL ? 2 : 1;
    }
    print_theory(p, o);
    cJSON_Delete(o);
    return 0;
}
