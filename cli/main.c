/* main.c: the groklab command line: the commands (run.c, sweep.c), the usage text and the OpenMP wait policy.
 * cli/ is the only place that prints or exits.
 * Exit codes: 0 ok, 1 a run-time failure (I/O, divergence), 2 bad input, 130 interrupted. */
#include "common.h"
#include "cmd_run.h"
#include "cmd_serve.h"
#include "cmd_sweep.h"
#include "doc.h"
#include "plot.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f) {
    fprintf(f, "groklab %s: a laboratory for grokking\n\n"
               "usage:\n"
               "  groklab list                                    every preset: paper, figure, what it shows\n"
               "  groklab run [PRESET] [key=value ...] [options]  run one experiment (default: " GK_CLI_DEFAULT_PRESET ")\n"
               "  groklab run PRESET --help                       every key with its default, range and meaning\n"
               "  groklab resume RUN_DIR [steps=N] [options]      continue a run from its last checkpoint\n"
               "  groklab sweep PRESET key=v1,v2 ... [options]    a grid of runs (groklab sweep --help)\n"
               "  groklab theory PRESET [key=value ...]           only the theory references and their test accuracy\n"
               "  groklab plot RUN_OR_SWEEP_DIR... [options]      overlay runs in one figure (groklab plot --help)\n"
               "  groklab serve [DIR...] [--port N]               live pages of the runs and sweeps (groklab serve --help)\n"
               "  groklab --version                               the version\n"
               "  groklab --help                                  this text\n"
               "\nrun options (before or after the preset):\n"
               "  --out DIR                 run directory (default: runs/PRESET-DATE-TIME)\n"
               "  --force                   replace an existing run directory\n"
               "  --save-data               also write the train and test sets (train.csv, test.csv)\n"
               "  --save-weights            also write the weights at every checkpoint (weights/step_N/)\n"
               "  --checkpoint-every S      seconds between checkpoints (default 300, 0 = none; fractions allowed)\n"
               "  --config FILE             the preset and keys of a config file (a run's config.json, JSON\n"
               "                            {\"preset\": NAME, \"params\": {...}}, or FILE.toml: preset = \"NAME\"\n"
               "                            and a [params] table); keys given too replace its values\n"
               "  --quiet                   no progress line\n"
               "\nExit codes: 0 ok, 1 a run-time failure, 2 bad input, 130 interrupted.\n",
            GK_VERSION);
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
    if (argc < 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "resume") && strcmp(argv[1], "sweep") &&
                      strcmp(argv[1], "theory"))) return;
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
    /* Each command parses argv[1..] itself: argv[1] (its name) takes getopt's argv[0] place. */
    if (!strcmp(cmd, "list")) return gk_cli_list(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return gk_cli_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "resume")) return gk_cli_resume(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep")) return gk_cli_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "theory")) return gk_cli_theory(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot")) return gk_cli_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve")) return gk_cli_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strncmp(cmd, "--help-", 7)) return gk_cli_doc(cmd + 7, usage); /* man page, completion (cli/doc.c) */
    if (!strcmp(cmd, "--version")) {
        printf("groklab %s\n", GK_VERSION);
        return 0;
    }
    usage(stderr);
    return gk_cli_bad_input("unknown command '%s' (commands: list, run, resume, sweep, theory, plot)", cmd);
}
