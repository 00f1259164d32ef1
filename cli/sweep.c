/* sweep.c: `groklab sweep`: which process runs which grid point, and the printing.
 *   groklab sweep PRESET key=v1,v2 key=start:stop:num[log] ... [--seeds K] [--jobs N] [--z KEY]
 *                 [--steps-per-tstar X] [--out DIR] [--quiet]
 * Locally, up to N worker processes (fork/waitpid), one point each, one OpenMP thread each. Under mpirun
 * (built with MPI), point k runs on rank k % size, and rank 0 assembles sweep.csv and the figures after a
 * barrier. A point whose directory already holds a completed summary of the same params is not run again.
 * Exit codes: 0 every point completed, 1 some point failed or diverged (or an I/O error), 2 bad input
 * (nothing is run or created), 130 interrupted. */
#include "cli.h"
#include "exp/sweep.h"
#include "io/fsutil.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef GK_HAVE_MPI
#include <mpi.h>
#endif

static volatile sig_atomic_t g_sweep_stop = 0;
static volatile int g_child_stop = 0; /* what a worker's gk_run watches */

static void on_stop_signal(int sig) {
    (void)sig;
    g_sweep_stop = 1;
    g_child_stop = 1;
}

static void install_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: waitpid returns EINTR so the parent can forward the stop */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int g_rank = 0;

/* Bad input is reported by rank 0 only (every rank sees the same arguments and exits 2). */
static int bad_input(const char *msg) { return g_rank == 0 ? gk_cli_bad_input(msg) : 2; }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sweep_usage(FILE *f) {
    fprintf(f, "usage: groklab sweep PRESET key=v1,v2,... key=start:stop:num[log] ... [options]\n"
               "  each key is a list of values or a range of num values (ends included; 'log' = geometric)\n"
               "options:\n"
               "  --out DIR              sweep directory (default: runs/sweep-PRESET); one subdirectory per point\n"
               "  --seeds K              also sweep seed = 1..K\n"
               "  --jobs N               worker processes (default: the number of cores)\n"
               "  --z KEY                summary scalar of the heat map (default: test_grok_step)\n"
               "  --steps-per-tstar X    steps = ceil(X * ln(alpha)/(wd*lr)) at each point\n"
               "  --quiet                no progress lines\n"
               "Run under `mpirun -n K groklab sweep ...` to spread the points over K ranks.\n"
               "Files: DIR/sweep.csv, DIR/sweep_times.csv, DIR/sweep_fit.json, DIR/heatmap.{png,svg},\n"
               "DIR/transition.{png,svg}. Exit: 0 all completed, 1 some failed, 2 bad input, 130 interrupted.\n");
}

typedef struct tally {
    size_t total, done, skipped, ran, failed;
    double t0;
    int quiet, rank, nranks;
} tally;

static const char *outcome(int code) {
    return code == 0 ? "completed" : code == 130 ? "interrupted" : code == 3 ? "diverged" : "failed";
}

static void progress(tally *t, const char *name, int code) {
    t->done++;
    t->ran++;
    if (code != 0 && code != 130) t->failed++;
    if (t->quiet) return;
    double el = now_s() - t->t0;
    size_t left = t->total - t->done;
    char who[32] = "";
    if (t->nranks > 1) snprintf(who, sizeof who, " rank %d/%d", t->rank, t->nranks);
    fprintf(stderr, "[sweep%s] %zu/%zu points done, %zu failed, %.1fs elapsed", who, t->done, t->total, t->failed, el);
    if (left > 0 && t->ran > 0) fprintf(stderr, ", ETA %.0fs", el / (double)t->ran * (double)left);
    fprintf(stderr, "  (%s: %s)\n", name, outcome(code));
}

static int code_of(gk_status run_status) {
    return run_status == GK_OK ? 0 : run_status == GK_EINTERRUPTED ? 130 : run_status == GK_ENONFINITE ? 3 : 1;
}

/* Runs one point in this process; returns the outcome code (0, 1, 3, 130) or 4 for an I/O error. */
static int run_here(const gk_sweep *sw, size_t k, const char *dir, char *why, size_t len) {
    gk_error err = {{0}};
    gk_status st = GK_OK;
    if (gk_sweep_run_point(sw, k, dir, &g_child_stop, &st, &err)) {
        snprintf(why, len, "%s", err.msg);
        return 4;
    }
    return code_of(st);
}

/* Local pool: up to `jobs` children, one point each. Returns 1 if stopped by a signal. */
static int run_local(const gk_sweep *sw, const size_t *todo, size_t ntodo, int jobs, const char *dir, tally *t) {
    pid_t *pids = calloc((size_t)jobs, sizeof *pids);
    size_t *pt = calloc((size_t)jobs, sizeof *pt);
    if (!pids || !pt) {
        free(pids);
        free(pt);
        fprintf(stderr, "groklab: error: out of memory\n");
        return 1;
    }
    size_t next = 0;
    int running = 0, forwarded = 0;
    for (;;) {
        while (!g_sweep_stop && running < jobs && next < ntodo) {
            int slot = 0;
            while (pids[slot]) slot++;
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) {
                fprintf(stderr, "groklab: error: fork failed: %s\n", strerror(errno));
                g_sweep_stop = 1;
                break;
            }
            if (pid == 0) { /* the worker: one point, one thread, then exit */
                char why[512] = "";
                int code = run_here(sw, todo[next], dir, why, sizeof why);
                if (code == 4) fprintf(stderr, "groklab: error: %s\n", why);
                fflush(NULL);
                _exit(code);
            }
            pids[slot] = pid;
            pt[slot] = todo[next++];
            running++;
        }
        if (g_sweep_stop && !forwarded) {
            for (int i = 0; i < jobs; i++)
                if (pids[i]) kill(pids[i], SIGTERM);
            forwarded = 1;
        }
        if (running == 0) break;
        int wst = 0;
        pid_t pid = waitpid(-1, &wst, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        int slot = -1;
        for (int i = 0; i < jobs; i++)
            if (pids[i] == pid) slot = i;
        if (slot < 0) continue;
        pids[slot] = 0;
        running--;
        int code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 1;
        char name[512];
        gk_sweep_point_name(sw, pt[slot], name, sizeof name);
        if (code != 130) progress(t, name, code); /* interrupted: neither finished nor failed */
    }
    free(pids);
    free(pt);
    return g_sweep_stop != 0;
}

static int parse_count(const char *opt, const char *v, long lo, long hi, long *out) {
    char *end = NULL;
    errno = 0;
    long x = strtol(v ? v : "", &end, 10);
    if (!v || end == v || *end || errno || x < lo || x > hi) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s=%s is not allowed: %s must be an integer with %ld <= %s <= %ld", opt,
                 v ? v : "", opt, lo, opt, hi);
        bad_input(msg);
        return 0;
    }
    *out = x;
    return 1;
}

static int sweep_main(int argc, char **argv, int rank, int nranks) {
    const char *out = NULL, *zkey = "test_grok_step", *preset_name = NULL;
    long seeds = 0, jobs = sysconf(_SC_NPROCESSORS_ONLN);
    double spt = 0;
    int quiet = 0, nassign = 0;
    if (jobs < 1) jobs = 1;
    const char **assign = calloc((size_t)argc + 1, sizeof *assign);
    if (!assign) return 1;
    int rc = -1;
    g_rank = rank;
    for (int i = 0; i < argc && rc < 0; i++) {
        const char *a = argv[i], *v = NULL;
        int takes = !strcmp(a, "--out") || !strcmp(a, "--seeds") || !strcmp(a, "--jobs") || !strcmp(a, "--z") ||
                    !strcmp(a, "--steps-per-tstar");
        if (takes) {
            if (i + 1 >= argc) {
                char msg[128];
                snprintf(msg, sizeof msg, "%s needs a value", a);
                rc = bad_input(msg);
                break;
            }
            v = argv[++i];
        }
        if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--seeds")) {
            if (!parse_count("--seeds", v, 1, 100000, &seeds)) rc = 2;
        } else if (!strcmp(a, "--jobs")) {
            if (!parse_count("--jobs", v, 1, 4096, &jobs)) rc = 2;
        } else if (!strcmp(a, "--z")) zkey = v;
        else if (!strcmp(a, "--steps-per-tstar")) {
            char *end = NULL;
            spt = strtod(v, &end);
            if (end == v || *end || !(spt > 0) || !isfinite(spt)) {
                char msg[256];
                snprintf(msg, sizeof msg, "--steps-per-tstar=%s is not allowed: it must be a number > 0", v);
                rc = bad_input(msg);
            }
        } else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            if (rank == 0) sweep_usage(stdout);
            rc = 0;
        } else if (a[0] == '-') {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown option '%s' (see groklab sweep --help)", a);
            rc = bad_input(msg);
        } else if (strchr(a, '=')) assign[nassign++] = a;
        else if (!preset_name) preset_name = a;
        else {
            char msg[256];
            snprintf(msg, sizeof msg, "'%s' is not of the form key=v1,v2,... or key=start:stop:num[log]", a);
            rc = bad_input(msg);
        }
    }
    const gk_preset *p = NULL;
    gk_sweep sw;
    memset(&sw, 0, sizeof sw);
    gk_error err = {{0}};
    if (rc < 0 && !preset_name) {
        if (rank == 0) sweep_usage(stderr);
        rc = bad_input("sweep needs a preset (groklab list shows them all)");
    }
    if (rc < 0 && !(p = gk_preset_find(preset_name))) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown preset '%s' (groklab list shows them all)", preset_name);
        rc = bad_input(msg);
    }
    if (rc < 0 && gk_sweep_parse(&sw, p, assign, nassign, (int)seeds, &err)) rc = bad_input(err.msg);
    if (rc < 0) {
        sw.steps_per_tstar = spt;
        /* One thread per point when points run side by side; results do not depend on it. */
        sw.threads = (nranks > 1 || jobs > 1) ? 1 : 0;
        if (gk_sweep_validate(&sw, &err)) rc = bad_input(err.msg);
    }
    free(assign);
    if (rc >= 0) {
        gk_sweep_free(&sw);
        return rc;
    }

    char dir[1024];
    if (out) snprintf(dir, sizeof dir, "%s", out);
    else snprintf(dir, sizeof dir, "runs/sweep-%s", p->name);
    if (gk_mkdir_p(dir, &err)) {
        if (rank == 0) fprintf(stderr, "groklab: error: %s\n", err.msg);
        gk_sweep_free(&sw);
        return 1;
    }
    install_handlers();

    /* This process's share of the points, minus those already done. */
    size_t *todo = malloc((sw.npoints + 1) * sizeof *todo), ntodo = 0, mine = 0;
    if (!todo) {
        gk_sweep_free(&sw);
        return 1;
    }
    for (size_t k = 0; k < sw.npoints; k++) {
        if (k % (size_t)nranks != (size_t)rank) continue;
        mine++;
        if (!gk_sweep_point_done(&sw, k, dir)) todo[ntodo++] = k;
    }
    tally t = {.total = mine, .done = mine - ntodo, .skipped = mine - ntodo, .t0 = now_s(), .quiet = quiet,
               .rank = rank, .nranks = nranks};
    if (!quiet) {
        if (rank == 0)
            fprintf(stderr, "groklab %s: sweep of %s, %zu points into %s (%s %ld)\n", GK_VERSION, p->name, sw.npoints,
                    dir, nranks > 1 ? "MPI ranks" : "jobs", nranks > 1 ? (long)nranks : jobs);
        if (t.skipped)
            fprintf(stderr, "[sweep%s] %zu of %zu points already completed, not run again\n",
                    nranks > 1 ? " (this rank)" : "", t.skipped, mine);
    }
    int stopped = 0;
    if (nranks > 1) {
        for (size_t i = 0; i < ntodo && !g_sweep_stop; i++) {
            char why[512] = "", name[512];
            int code = run_here(&sw, todo[i], dir, why, sizeof why);
            gk_sweep_point_name(&sw, todo[i], name, sizeof name);
            if (code == 4) fprintf(stderr, "groklab: error: %s: %s\n", name, why);
            if (code != 130) progress(&t, name, code);
        }
        stopped = g_sweep_stop != 0;
    } else {
        stopped = run_local(&sw, todo, ntodo, (int)(jobs < (long)ntodo ? jobs : (ntodo ? (long)ntodo : 1)), dir, &t);
    }
    free(todo);
#ifdef GK_HAVE_MPI
    if (nranks > 1) {
        int s_local = stopped, s_any = 0;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Allreduce(&s_local, &s_any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        stopped = s_any;
    }
#endif
    if (rank != 0) {
        gk_sweep_free(&sw);
        return stopped ? 130 : 0;
    }

    /* Rank 0 (or the only process): sweep.csv and the figures from every point's summary.json. */
    gk_sweep_table tab;
    rc = 0;
    if (gk_sweep_collect(&sw, dir, &tab, &err) || gk_sweep_write_csv(&sw, &tab, dir, &err)) {
        fprintf(stderr, "groklab: error: %s\n", err.msg);
        gk_sweep_free(&sw);
        return 1;
    }
    char notes[512] = "";
    if (gk_sweep_figures(&sw, &tab, dir, zkey, notes, sizeof notes, &err)) {
        fprintf(stderr, "groklab: error: figures: %s\n", err.msg);
        rc = 1;
    }
    printf("sweep %s: %zu points: %zu completed, %zu failed, %zu not finished (%.1f s)\n", p->name, sw.npoints,
           tab.completed, tab.failed, tab.missing + (sw.npoints - tab.completed - tab.failed - tab.missing),
           now_s() - t.t0);
    for (size_t k = 0; k < sw.npoints; k++)
        if (strcmp(tab.status[k], "completed") && strcmp(tab.status[k], "missing") && strcmp(tab.status[k], "interrupted")) {
            char name[512];
            gk_sweep_point_name(&sw, k, name, sizeof name);
            printf("  %s: %s: %s\n", name, tab.status[k], tab.error[k]);
        }
    if (notes[0]) printf("  %s\n", notes);
    printf("files in %s/: sweep.csv sweep_times.csv sweep_fit.json heatmap.png/svg transition.png/svg\n", dir);
    if (tab.failed && !rc) rc = 1;
    if (stopped || tab.completed + tab.failed < sw.npoints) rc = stopped ? 130 : (rc ? rc : 1);
    gk_sweep_table_free(&tab);
    gk_sweep_free(&sw);
    return rc;
}

/* Under mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE; other launchers PMI_SIZE) the ranks share the points;
 * otherwise the plain binary never touches MPI. */
int gk_cli_sweep(int argc, char **argv) {
    const char *env = getenv("OMPI_COMM_WORLD_SIZE");
    if (!env) env = getenv("PMI_SIZE");
    int under_mpi = env && atoi(env) > 1;
#ifdef GK_HAVE_MPI
    if (under_mpi) {
        int rank = 0, size = 1;
        MPI_Init(NULL, NULL);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        int rc = sweep_main(argc, argv, rank, size);
        /* The exit code of rank 0 is the sweep's; a bad input is the same on every rank. */
        MPI_Finalize();
        return rc;
    }
#else
    if (under_mpi)
        return gk_cli_bad_input("started under mpirun, but this groklab was built without MPI (install "
                                "libopenmpi-dev and rebuild)");
#endif
    return sweep_main(argc, argv, 0, 1);
}
