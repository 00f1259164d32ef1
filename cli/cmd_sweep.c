/* sweep.c: `groklab sweep PRESET key=v1,v2,... key=start:stop:num[log] ... [--seeds K] [--jobs N] [--z KEY]
 *             [--steps-per-tstar X] [--checkpoint-every S] [--out DIR] [--quiet]`
 * Locally, up to N worker processes (fork/waitpid), one point each, one OpenMP thread each; a worker dies with
 * the sweep (PR_SET_PDEATHSIG), and each point is locked while it runs (src/exp/sweep_point.c). Under mpirun
 * (built with MPI), point k runs on rank k % size, and rank 0 assembles sweep.csv and the figures after a
 * barrier. A point whose directory already holds a completed summary of the same params is not run again.
 * Exit codes: 0 every point completed, 1 some point failed or diverged (or an I/O error), 2 bad input
 * (nothing is run or created), 130 interrupted. */
#include "cmd_sweep.h"

#include "common.h"
#include "run/sweep.h"
#include "io/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef GK_HAVE_MPI
#include <mpi.h>
#endif

/* Outcome codes of one point (a worker's exit code). */
enum { PT_DONE = 0, PT_FAILED = 1, PT_DIVERGED = 3, PT_IOERR = 4, PT_BUSY = 5, PT_STOPPED = 130 };

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

static void sweep_usage(FILE *f) {
    fprintf(f, "usage: groklab sweep PRESET key=v1,v2,... key=start:stop:num[log] ... [options]\n"
               "  each key is a list of values or a range of num values (ends included; 'log' = geometric)\n"
               "options (before or after the preset):\n"
               "  --out DIR              sweep directory (default: runs/sweep-PRESET); one subdirectory per point\n"
               "  --seeds K              also sweep seed = 1..K\n"
               "  --jobs N               worker processes (default: the number of cores)\n"
               "  --z KEY                summary scalar of the heat map (default: test_grok_step)\n"
               "  --y K1,K2,...          one swept key: the summary scalars of curve.png against it (default: the --z key)\n"
               "  --x KEY                one swept key: a summary scalar as curve.png's x axis (e.g. norm_final)\n"
               "  --steps-per-tstar X    steps = ceil(X * ln(alpha)/(wd*lr)) at each point\n"
               "  --checkpoint-every S   seconds between a point's checkpoints (default 300; 0: none)\n"
               "  --quiet                no progress lines\n"
               "  --force                DIR holds another sweep (other preset, keys or values): replace its\n"
               "                         tables and figures (its points' runs are never deleted)\n"
               "Run under `mpirun -n K groklab sweep ...` to spread the points over K ranks.\n"
               "Files: DIR/sweep.csv, DIR/sweep_times.csv, DIR/sweep_fit.json, DIR/heatmap.{png,svg},\n"
               "DIR/transition.{png,svg}, DIR/curve.{png,svg} and DIR/sweep_curve.json (one swept key: the log-log\n"
               "slope and the minimum of each --y scalar). Exit: 0 all completed, 1 some failed, 2 bad input, 130 interrupted.\n");
}

/* ---- the arguments ----------------------------------------------------------------------------------- */

typedef struct sweep_args {
    const char *out, *zkey, *preset, *xkey;
    char ybuf[512];
    gk_sweep_curve_opts curve;
    long seeds, jobs;
    double spt, checkpoint_every;
    int quiet, help, force;
    char *identity; /* sweep_identity(), made before assign is freed */
    const char **assign;
    int nassign;
} sweep_args;

enum { OPT_OUT = 256, OPT_SEEDS, OPT_JOBS, OPT_Z, OPT_SPT, OPT_QUIET, OPT_CHECKPOINT, OPT_X, OPT_Y, OPT_FORCE };

static const struct option sweep_options[] = {
    {"out", required_argument, NULL, OPT_OUT},     {"seeds", required_argument, NULL, OPT_SEEDS},
    {"jobs", required_argument, NULL, OPT_JOBS},   {"z", required_argument, NULL, OPT_Z},
    {"steps-per-tstar", required_argument, NULL, OPT_SPT}, {"quiet", no_argument, NULL, OPT_QUIET},
    {"checkpoint-every", required_argument, NULL, OPT_CHECKPOINT}, {"force", no_argument, NULL, OPT_FORCE},
    {"x", required_argument, NULL, OPT_X},         {"y", required_argument, NULL, OPT_Y},
    {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
};

static int parse_count(const char *opt, const char *v, long lo, long hi, long *out) {
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return gk_cli_bad_input("%s=%s is not allowed: %s must be an integer with %ld <= %s <= %ld", opt, v, opt, lo,
                                opt, hi);
    *out = x;
    return -1;
}

/* --y K1,K2,...: the scalars of the curve figure (names checked against the summaries when it is drawn). */
static int parse_ykeys(sweep_args *a, const char *v) {
    if (strlen(v) >= sizeof a->ybuf) return gk_cli_bad_input("--y=%s is too long", v);
    memcpy(a->ybuf, v, strlen(v) + 1);
    a->curve.ny = 0;
    for (char *save = NULL, *k = strtok_r(a->ybuf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        if (a->curve.ny == GK_SWEEP_CURVE_MAX_Y)
            return gk_cli_bad_input("--y=%s is not allowed: at most %d scalars", v, GK_SWEEP_CURVE_MAX_Y);
        a->curve.y[a->curve.ny++] = k;
    }
    return a->curve.ny ? -1 : gk_cli_bad_input("--y=%s is not allowed: name at least one summary scalar", v);
}

static int on_sweep_opt(void *ud, int code, const char *v) {
    sweep_args *a = ud;
    switch (code) {
    case OPT_OUT: a->out = v; break;
    case OPT_SEEDS: return parse_count("--seeds", v, 1, 100000, &a->seeds);
    case OPT_JOBS: return parse_count("--jobs", v, 1, 4096, &a->jobs);
    case OPT_Z: a->zkey = v; break;
    case OPT_X: a->xkey = v; break;
    case OPT_Y: return parse_ykeys(a, v);
    case OPT_SPT: {
        char *end = NULL;
        a->spt = strtod(v, &end);
        if (end == v || *end || !(a->spt > 0) || !isfinite(a->spt))
            return gk_cli_bad_input("--steps-per-tstar=%s is not allowed: it must be a number > 0", v);
        break;
    }
    case OPT_QUIET: a->quiet = 1; break;
    case OPT_FORCE: a->force = 1; break;
    case OPT_CHECKPOINT: return gk_cli_parse_seconds("--checkpoint-every", v, &a->checkpoint_every);
    case 'h': a->help = 1; break;
    }
    return -1;
}

/* Parses the command line and the grid into *sw. Returns -1 to go on, or the exit code. Every rank sees the
 * same arguments. */
static int parse_sweep(int argc, char **argv, sweep_args *a, gk_sweep *sw, int nranks) {
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    a->assign = calloc((size_t)argc + 1, sizeof *a->assign);
    int npos = 0;
    int rc = pos && a->assign ? gk_cli_parse(argc, argv, sweep_options, on_sweep_opt, a, pos, &npos) : 1;
    for (int i = 0; rc < 0 && i < npos; i++) {
        if (strchr(pos[i], '=')) a->assign[a->nassign++] = pos[i];
        else if (!a->preset) a->preset = pos[i];
        else rc = gk_cli_bad_input("'%s' is not of the form key=v1,v2,... or key=start:stop:num[log]", pos[i]);
    }
    free(pos);
    if (rc < 0 && a->help) sweep_usage(stdout), rc = 0;
    if (rc < 0 && !a->preset) sweep_usage(stderr), rc = gk_cli_bad_input("sweep needs a preset (groklab list shows them all)");
    const gk_preset *p = NULL;
    if (rc < 0 && !(p = gk_cli_find_preset(a->preset))) rc = 2;
    gk_error err = {{0}};
    if (rc < 0 && gk_sweep_parse(sw, p, a->assign, a->nassign, (int)a->seeds, &err)) rc = gk_cli_bad_input("%s", err.msg);
    if (rc < 0) {
        sw->steps_per_tstar = a->spt;
        sw->checkpoint_every = a->checkpoint_every > 0 ? a->checkpoint_every : -1;
        /* One thread per point when points run side by side; results do not depend on it. */
        sw->threads = (nranks > 1 || a->jobs > 1) ? 1 : 0;
        if (gk_sweep_validate(sw, &err)) rc = gk_cli_bad_input("%s", err.msg);
        if (rc >= 0) gk_sweep_free(sw);
    }
    if (rc < 0) a->identity = gk_sweep_identity(a->preset, (const char *const *)a->assign, a->nassign, (int)a->seeds, a->spt);
    free(a->assign);
    return rc;
}

/* ---- running the points ------------------------------------------------------------------------------ */

typedef struct tally {
    size_t total, done, skipped, ran, failed;
    double t0;
    int quiet, rank, nranks;
} tally;

static const char *outcome(int code) {
    return code == PT_DONE ? "completed" : code == PT_STOPPED ? "interrupted" : code == PT_DIVERGED ? "diverged"
                                          : code == PT_BUSY   ? "running in another process" : "failed";
}

static void progress(tally *t, const char *name, int code) {
    t->done++;
    t->ran++;
    if (code != PT_DONE && code != PT_STOPPED && code != PT_BUSY) t->failed++;
    if (t->quiet) return;
    double el = gk_cli_now() - t->t0;
    size_t left = t->total - t->done;
    char who[32] = "";
    if (t->nranks > 1) snprintf(who, sizeof who, " rank %d/%d", t->rank, t->nranks);
    char d[32];
    fprintf(stderr, "[sweep%s] %zu/%zu points done, %zu failed, %s elapsed", who, t->done, t->total, t->failed,
            gk_cli_duration(el, d, sizeof d));
    if (left > 0 && t->ran > 0) fprintf(stderr, ", ETA %s", gk_cli_duration(el / (double)t->ran * (double)left, d, sizeof d));
    fprintf(stderr, "  (%s: %s)\n", name, outcome(code));
}

static int code_of(gk_status run_status) {
    return run_status == GK_OK ? PT_DONE : run_status == GK_EINTERRUPTED ? PT_STOPPED
                                         : run_status == GK_ENONFINITE   ? PT_DIVERGED : PT_FAILED;
}

/* Runs one point in this process and returns its outcome code; prints why when it could not. */
static int run_here(const gk_sweep *sw, size_t k, const char *dir) {
    gk_error err = {{0}};
    gk_status st = GK_OK;
    gk_status s = gk_sweep_run_point(sw, k, dir, &g_child_stop, &st, &err);
    if (s) fprintf(stderr, "groklab: %s: %s\n", s == GK_EUNAVAILABLE ? "note" : "error", err.msg);
    return s == GK_EUNAVAILABLE ? PT_BUSY : s ? PT_IOERR : code_of(st);
}

/* The worker: dies with the sweep (SIGKILL when the parent ends, however it ends), runs one point, exits. */
static void worker(const gk_sweep *sw, size_t k, const char *dir, pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(PT_STOPPED); /* the parent died before prctl */
    int code = run_here(sw, k, dir);
    fflush(NULL);
    _exit(code);
}

typedef struct pool {
    pid_t *pids;
    size_t *pt;
    int jobs, running;
} pool;

/* Starts workers until the pool is full or the points are all started. 0 if fork failed. */
static int fill_pool(pool *pl, const gk_sweep *sw, const size_t *todo, size_t ntodo, size_t *next, const char *dir) {
    while (!g_sweep_stop && pl->running < pl->jobs && *next < ntodo) {
        int slot = 0;
        while (pl->pids[slot]) slot++;
        fflush(NULL);
        pid_t parent = getpid(), pid = fork();
        if (pid < 0) {
            fprintf(stderr, "groklab: error: fork failed: %s\n", strerror(errno));
            return 0;
        }
        if (pid == 0) worker(sw, todo[*next], dir, parent);
        pl->pids[slot] = pid;
        pl->pt[slot] = todo[(*next)++];
        pl->running++;
    }
    return 1;
}

/* Local pool: up to `jobs` children, one point each. Returns 1 if stopped by a signal. */
static int run_local(const gk_sweep *sw, const size_t *todo, size_t ntodo, int jobs, const char *dir, tally *t) {
    pool pl = {calloc((size_t)jobs, sizeof(pid_t)), calloc((size_t)jobs, sizeof(size_t)), jobs, 0};
    if (!pl.pids || !pl.pt) {
        free(pl.pids), free(pl.pt);
        fprintf(stderr, "groklab: error: out of memory\n");
        return 1;
    }
    size_t next = 0;
    int forwarded = 0;
    for (;;) {
        if (!fill_pool(&pl, sw, todo, ntodo, &next, dir)) g_sweep_stop = 1;
        if (g_sweep_stop && !forwarded) {
            for (int i = 0; i < jobs; i++)
                if (pl.pids[i]) kill(pl.pids[i], SIGTERM);
            forwarded = 1;
        }
        if (pl.running == 0) break;
        int wst = 0, slot = -1;
        pid_t pid = waitpid(-1, &wst, 0);
        if (pid < 0 && errno == EINTR) continue;
        if (pid < 0) break;
        for (int i = 0; i < jobs; i++)
            if (pl.pids[i] == pid) slot = i;
        if (slot < 0) continue;
        pl.pids[slot] = 0;
        pl.running--;
        int code = WIFEXITED(wst) ? WEXITSTATUS(wst) : PT_FAILED;
        char name[512];
        gk_sweep_point_name(sw, pl.pt[slot], name, sizeof name);
        if (code != PT_STOPPED) progress(t, name, code); /* interrupted: neither finished nor failed */
    }
    free(pl.pids), free(pl.pt);
    return g_sweep_stop != 0;
}

/* This process's share of the points, minus those already done, run here or by workers. Returns 1 if stopped. */
static int run_points(const gk_sweep *sw, const sweep_args *a, const char *dir, int rank, int nranks, double t0) {
    size_t *todo = malloc((sw->npoints + 1) * sizeof *todo), ntodo = 0, mine = 0;
    if (!todo) return 1;
    for (size_t k = 0; k < sw->npoints; k++) {
        if (k % (size_t)nranks != (size_t)rank) continue;
        mine++;
        if (!gk_sweep_point_done(sw, k, dir)) todo[ntodo++] = k;
    }
    tally t = {.total = mine, .done = mine - ntodo, .skipped = mine - ntodo, .t0 = t0, .quiet = a->quiet,
               .rank = rank, .nranks = nranks};
    if (!a->quiet) {
        if (rank == 0)
            fprintf(stderr, "groklab %s: sweep of %s, %zu points into %s (%s %ld)\n", GK_VERSION, sw->preset->name,
                    sw->npoints, dir, nranks > 1 ? "MPI ranks" : "jobs", nranks > 1 ? (long)nranks : a->jobs);
        if (t.skipped)
            fprintf(stderr, "[sweep%s] %zu of %zu points already completed, not run again\n",
                    nranks > 1 ? " (this rank)" : "", t.skipped, mine);
    }
    int stopped = 0;
    if (nranks > 1) {
        for (size_t i = 0; i < ntodo && !g_sweep_stop; i++) {
            char name[512];
            int code = run_here(sw, todo[i], dir);
            gk_sweep_point_name(sw, todo[i], name, sizeof name);
            if (code != PT_STOPPED) progress(&t, name, code);
        }
        stopped = g_sweep_stop != 0;
    } else {
        long jobs = a->jobs < (long)ntodo ? a->jobs : (ntodo ? (long)ntodo : 1);
        stopped = run_local(sw, todo, ntodo, (int)jobs, dir, &t);
    }
    free(todo);
    return stopped;
}

/* ---- the results ------------------------------------------------------------------------------------- */

static void print_results(const gk_sweep *sw, const gk_sweep_table *tab, const char *dir, const char *notes,
                          const char *files, double t0) {
    printf("sweep %s: %zu points: %zu completed, %zu failed, %zu not finished (%.1f s)\n", sw->preset->name,
           sw->npoints, tab->completed, tab->failed,
           tab->missing + (sw->npoints - tab->completed - tab->failed - tab->missing), gk_cli_now() - t0);
    for (size_t k = 0; k < sw->npoints; k++)
        if (strcmp(tab->status[k], "completed") && strcmp(tab->status[k], "missing") &&
            strcmp(tab->status[k], "interrupted")) {
            char name[512];
            gk_sweep_point_name(sw, k, name, sizeof name);
            printf("  %s: %s: %s\n", name, tab->status[k], tab->error[k]);
        }
    if (notes[0]) printf("  %s\n", notes);
    printf("files in %s/: sweep.csv sweep_times.csv%s%s\n", dir, files[0] ? " " : "", files);
}

/* Rank 0 (or the only process): sweep.csv and the figures from every point's summary.json. */
static int assemble(const gk_sweep *sw, const sweep_args *a, const char *dir, int stopped, double t0) {
    gk_sweep_table tab;
    gk_error err = {{0}};
    if (gk_sweep_collect(sw, dir, &tab, &err) || gk_sweep_write_csv(sw, &tab, dir, &err)) {
        fprintf(stderr, "groklab: error: %s\n", err.msg);
        return 1;
    }
    int rc = 0;
    char notes[512] = "", files[512] = "";
    gk_sweep_curve_opts curve = a->curve;
    curve.x = a->xkey;
    if (!curve.ny) curve.y[curve.ny++] = a->zkey ? a->zkey : "test_grok_step";
    int drawn = 0;
    if (gk_sweep_curve(sw, &tab, dir, &curve, notes, sizeof notes, &drawn, &err) ||
        gk_sweep_figures(sw, &tab, dir, a->zkey, notes + strlen(notes), sizeof notes - strlen(notes), files,
                         sizeof files, &err)) {
        fprintf(stderr, "groklab: error: figures: %s\n", err.msg);
        rc = 1;
    }
    if (drawn) snprintf(files + strlen(files), sizeof files - strlen(files), " curve.png curve.svg sweep_curve.json");
    print_results(sw, &tab, dir, notes, files, t0);
    if (tab.failed && !rc) rc = 1;
    if (stopped || tab.completed + tab.failed < sw->npoints) rc = stopped ? 130 : (rc ? rc : 1);
    gk_sweep_table_free(&tab);
    return rc;
}

/* Sends stderr to /dev/null; returns a copy of the old one to restore (or -1). */
static int quiet_stderr(void) {
    fflush(stderr);
    int saved = dup(2), nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && nul >= 0) dup2(nul, 2);
    if (nul >= 0) close(nul);
    return saved;
}

/* ---- which sweep a directory holds ----------------------------------------------------------------------- */

/* Another sweep in the directory is bad input unless --force (gk_sweep_claim_dir); rank 0 writes sweep.json. -1
 * to go on, or the exit code. */
static int claim_sweep_dir(const sweep_args *a, const char *dir, int rank) {
    if (!a->identity) {
        if (rank == 0) fprintf(stderr, "groklab: error: out of memory\n");
        return 1;
    }
    gk_error err = {{0}};
    gk_status s = gk_sweep_claim_dir(dir, a->identity, a->force, rank == 0, &err);
    if (!s) return -1;
    if (rank == 0) {
        if (s == GK_EINVAL) return gk_cli_bad_input("%s", err.msg);
        fprintf(stderr, "groklab: error: %s\n", err.msg);
    }
    return s == GK_EINVAL ? 2 : 1;
}

static int sweep_main(int argc, char **argv, int rank, int nranks) {
    sweep_args a = {.zkey = "test_grok_step", .checkpoint_every = GK_SWEEP_CHECKPOINT_EVERY,
                    .jobs = sysconf(_SC_NPROCESSORS_ONLN)};
    if (a.jobs < 1) a.jobs = 1;
    gk_sweep sw;
    memset(&sw, 0, sizeof sw);
    /* Bad input is reported by rank 0 only (every rank sees the same arguments and exits 2). */
    int saved = rank != 0 ? quiet_stderr() : -1;
    int rc = parse_sweep(argc, argv, &a, &sw, nranks);
    if (saved >= 0) fflush(stderr), dup2(saved, 2), close(saved);
    if (rc >= 0) return rc;
    char dir[1024];
    if (a.out) snprintf(dir, sizeof dir, "%s", a.out);
    else snprintf(dir, sizeof dir, "runs/sweep-%s", sw.preset->name);
    gk_error err = {{0}};
    /* Temp files a killed sweep left in the sweep directory (sweep.csv, figures) go first. */
    if (gk_mkdir_p(dir, &err) || (rank == 0 && gk_remove_stale_temps(dir, NULL, &err))) {
        if (rank == 0) fprintf(stderr, "groklab: error: %s\n", err.msg);
        free(a.identity);
        gk_sweep_free(&sw);
        return 1;
    }
    if ((rc = claim_sweep_dir(&a, dir, rank)) >= 0) {
        free(a.identity);
        gk_sweep_free(&sw);
        return rc;
    }
    install_handlers();
    double t0 = gk_cli_now();
    int stopped = run_points(&sw, &a, dir, rank, nranks, t0);
#ifdef GK_HAVE_MPI
    if (nranks > 1) {
        int s_local = stopped, s_any = 0;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Allreduce(&s_local, &s_any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        stopped = s_any;
    }
#endif
    rc = rank == 0 ? assemble(&sw, &a, dir, stopped, t0) : stopped ? 130 : 0;
    free(a.identity);
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
