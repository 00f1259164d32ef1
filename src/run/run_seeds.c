/* run_seeds.c: seeds=K for an experiment without a lockstep form (gk_exp_type.lockstep_seeds = 0): K whole runs,
 * one after another, in DIR/seed_<s> for s = seed, seed+1, ..., seed+K-1. Each is a normal run of seeds=1 (its own
 * config.json, metrics.csv, summary.json, checkpoint, figures), so each is checkpointed and resumed as any run is.
 * DIR holds the config (seeds=K), then, when the runs are over (or stopped), metrics.csv with the mean, std, min
 * and max of every column eval point by eval point (report/seeds.h), curves.png and the experiment's curve
 * figures with the mean drawn and the seeds' min-max shaded, and summary.json (last) with each run's outcome and
 * phenomena and their median and spread.
 *
 * The runs go one after another, each on the `threads` cores: their results are those of `groklab run PRESET
 * seed=s` byte for byte, at any thread count (each run fixes its own reduction order). Resume (gk_resume on DIR)
 * looks at each run: finished ones are kept, a run with a checkpoint continues from it, a run killed before its
 * first checkpoint starts again (it is deterministic: the same run), and runs not begun are run. */
#include "run/run_internal.h"

#include "core/clock.h"
#include "fig/standard_figure.h"
#include "io/checkpoint.h" /* gk_remove_tree */
#include "io/fsutil.h"
#include "io/metrics_read.h"
#include "io/run_lock.h"
#include "report/report_html.h"
#include "report/seeds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEEDS_MAX_FILE (1ul << 30) /* the largest metrics.csv or summary.json read back */

typedef struct seeds_run {
    const gk_preset *p;
    const gk_config *cfg;    /* seeds = K */
    const gk_run_opts *o;    /* o->out_dir: the multi-seed directory */
    const char *const *assign; /* resume: the steps=N, threads=N given (for the runs that continue) */
    int nassign, K;
    long seed0;
    double t0;
    gk_status *outcome;      /* each run's: GK_OK, GK_EINTERRUPTED, GK_ENONFINITE, ...; -1: not run */
    char error[600];         /* the first run that did not complete, and why */
} seeds_run;

int gk_run_splits_seeds(const gk_preset *p, const gk_config *cfg) {
    int i = gk_config_index(cfg, "seeds");
    return i >= 0 && cfg->num[i] > 1 && !p->type->lockstep_seeds;
}

static void seed_dir(const seeds_run *S, int k, char *buf, size_t len) {
    snprintf(buf, len, "%s/seed_%ld", S->o->out_dir, S->seed0 + k);
}

static int has_file(const char *dir, const char *name) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static cJSON *read_json(const char *dir, const char *name) {
    char path[1200], *text = NULL;
    size_t len = 0;
    gk_error e = {{0}};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (access(path, F_OK) || gk_read_text_file(path, SEEDS_MAX_FILE, &text, &len, &e)) return NULL;
    cJSON *o = cJSON_Parse(text);
    free(text);
    return o;
}

/* The outcome a summary's status names (gk_run_status_name's inverse). */
static gk_status status_named(const char *name) {
    static const gk_status all[] = {GK_OK, GK_EINTERRUPTED, GK_ENONFINITE, GK_ELIMIT};
    for (size_t i = 0; name && i < sizeof all / sizeof *all; i++)
        if (!strcmp(name, gk_run_status_name(all[i]))) return all[i];
    return GK_EFAILED;
}

/* ---- the runs ------------------------------------------------------------------------------------------------ */

typedef struct seed_progress_ctx {
    const gk_run_opts *o;
    char name[160];
} seed_progress_ctx;

/* The parent's progress, the preset named with the seed ("diag-sparse seed 2 (2/3)"). */
static void seed_progress(void *ud, const gk_progress *pg) {
    const seed_progress_ctx *c = ud;
    gk_progress q = *pg;
    q.preset = c->name;
    c->o->progress(c->o->ud, &q);
}

/* Whether run dir is over for good (its summary says completed at the config's steps, or diverged or failed:
 * such a run is not continued); *how is then its outcome. */
static int seed_finished(const seeds_run *S, const char *dir, gk_status *how) {
    cJSON *sum = read_json(dir, "summary.json");
    if (!sum) return 0;
    *how = status_named(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sum, "status")));
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(sum, "steps");
    int done = (*how == GK_OK && cJSON_IsNumber(steps) && steps->valuedouble >= (double)gk_config_int(S->cfg, "steps")) ||
               *how == GK_ENONFINITE || *how == GK_EFAILED;
    cJSON_Delete(sum);
    return done;
}

/* Run k: kept if finished, continued from its checkpoint, else run from the start (into a fresh directory). */
static gk_status run_seed(seeds_run *S, int k, gk_run_result *r, gk_error *err) {
    char dir[1100];
    seed_dir(S, k, dir, sizeof dir);
    seed_progress_ctx pc = {.o = S->o};
    snprintf(pc.name, sizeof pc.name, "%s seed %ld (%d/%d)", S->p->name, S->seed0 + k, k + 1, S->K);
    gk_run_opts o = *S->o;
    o.out_dir = dir, o.force = 0;
    o.progress = S->o->progress ? seed_progress : NULL, o.ud = &pc;
    memset(r, 0, sizeof *r);
    if (seed_finished(S, dir, &r->status)) return GK_OK;
    if (has_file(dir, "checkpoint")) return gk_resume_one(dir, S->assign, S->nassign, &o, r, err);
    struct stat st;
    gk_status s = stat(dir, &st) == 0 ? gk_remove_tree(dir, err) : GK_OK; /* killed before its first checkpoint */
    gk_config sub = *S->cfg;
    char kv[64];
    snprintf(kv, sizeof kv, "seed=%ld", S->seed0 + k);
    if (!s) s = gk_config_set(&sub, kv, err);
    if (!s) s = gk_config_set(&sub, "seeds=1", err);
    return s ? s : gk_run_one(S->p, &sub, &o, r, err);
}

/* The runs in seed order, until one is stopped (the stop flag) or cannot be run. A run that diverges is a
 * result: the next one runs. */
static gk_status run_all(seeds_run *S, gk_error *err) {
    gk_status s = GK_OK;
    for (int k = 0; k < S->K && !s; k++) {
        if (S->o->stop && *S->o->stop) break;
        gk_run_result r;
        s = run_seed(S, k, &r, err);
        if (r.summary) cJSON_Delete(r.summary);
        if (s) break;
        S->outcome[k] = r.status;
        if (r.status && !S->error[0])
            snprintf(S->error, sizeof S->error, "seed %ld: %s", S->seed0 + k,
                     r.error[0] ? r.error : "did not complete");
        if (r.status == GK_EINTERRUPTED) break;
    }
    return s;
}

/* ---- the multi-seed directory's files ------------------------------------------------------------------------ */

/* What the runs ended with: the first stopped one's outcome, else the first that failed, else GK_OK. */
static gk_status overall(const seeds_run *S) {
    gk_status worst = GK_OK;
    for (int k = 0; k < S->K; k++) {
        if ((int)S->outcome[k] < 0 || S->outcome[k] == GK_EINTERRUPTED) return GK_EINTERRUPTED;
        if (!worst) worst = S->outcome[k];
    }
    return worst;
}


/* One entry of summary.json's per_seed: the run's seed, directory, outcome and every number of its summary. */
static cJSON *per_seed_entry(const seeds_run *S, int k, const cJSON *sum) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seed", (double)(S->seed0 + k));
    char name[64];
    snprintf(name, sizeof name, "seed_%ld", S->seed0 + k);
    cJSON_AddStringToObject(o, "dir", name);
    const cJSON *st = sum ? cJSON_GetObjectItemCaseSensitive(sum, "status") : NULL;
    cJSON_AddStringToObject(o, "status", cJSON_IsString(st) ? st->valuestring : "not run");
    const cJSON *e;
    cJSON_ArrayForEach(e, sum) {
        if (cJSON_IsNumber(e) || cJSON_IsNull(e) || (cJSON_IsString(e) && !strcmp(e->string, "error")))
            cJSON_AddItemToObject(o, e->string, cJSON_Duplicate(e, 0));
    }
    return o;
}

static cJSON *make_summary(const seeds_run *S, cJSON *const *sums, const gk_seeds_agg *a, gk_status how) {
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddStringToObject(sum, "preset", S->p->name);
    cJSON_AddStringToObject(sum, "experiment", S->p->type->name);
    cJSON_AddStringToObject(sum, "version", GK_VERSION);
    cJSON_AddStringToObject(sum, "status", gk_run_status_name(how));
    if (how) cJSON_AddStringToObject(sum, "error", S->error[0] ? S->error : "stopped before every seed had run");
    cJSON *conf = gk_config_to_json(S->p, S->cfg);
    cJSON_AddItemToObject(sum, "params", cJSON_DetachItemFromObject(conf, "params"));
    cJSON_Delete(conf);
    cJSON_AddNumberToObject(sum, "seeds", S->K);
    cJSON_AddNumberToObject(sum, "steps", (double)gk_config_int(S->cfg, "steps"));
    double done = INFINITY; /* the fewest steps a run has done */
    for (int k = 0; k < S->K; k++) {
        const cJSON *v = sums[k] ? cJSON_GetObjectItemCaseSensitive(sums[k], "steps_done") : NULL;
        done = fmin(done, cJSON_IsNumber(v) ? v->valuedouble : 0);
    }
    cJSON_AddNumberToObject(sum, "steps_done", done);
    cJSON_AddNumberToObject(sum, "eval_points", a ? (double)a->table.nrows : 0);
    cJSON_AddNumberToObject(sum, "wall_seconds", gk_now_seconds() - S->t0);
    cJSON *per = cJSON_AddArrayToObject(sum, "per_seed");
    for (int k = 0; k < S->K; k++) cJSON_AddItemToArray(per, per_seed_entry(S, k, sums[k]));
    gk_seeds_summarize((const cJSON *const *)sums, S->K, sum);
    return sum;
}

/* curves.png and the experiment's curve figures: the means, the seeds' min-max shaded (no reference lines: each
 * seed has its own data, so its own references). */
static gk_status write_figures(const seeds_run *S, const gk_seeds_agg *a, double predicted, gk_error *err) {
    const gk_band_tables bands = {&a->stat[GK_SEEDS_MIN], &a->stat[GK_SEEDS_MAX]};
    char title[200];
    snprintf(title, sizeof title, "%s, %d seeds (%ld-%ld): mean, shaded min-max", S->p->name, S->K, S->seed0,
             S->seed0 + S->K - 1);
    const char *dir = S->o->out_dir;
    gk_status s = gk_standard_figure_banded(title, &a->stat[GK_SEEDS_MEAN], &bands, NULL, predicted, dir, 0, err);
    for (const gk_curve_figure *F = S->p->type->curves; F && F->file && !s; F++)
        s = gk_plot_curves_banded(F, &a->stat[GK_SEEDS_MEAN], &bands, S->cfg, predicted, dir, err);
    return s;
}

/* Reads the runs' metrics and summaries back, then writes metrics.csv, the figures, summary.json (last) and
 * report.html into the multi-seed directory. */
static gk_status write_outputs(seeds_run *S, gk_run_result *res, gk_error *err) {
    gk_csv_table *tabs = calloc((size_t)S->K, sizeof *tabs);
    const gk_csv_table **runs = calloc((size_t)S->K, sizeof *runs);
    cJSON **sums = calloc((size_t)S->K, sizeof *sums);
    gk_status s = tabs && runs && sums ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    double *pred = s ? NULL : malloc((size_t)S->K * sizeof *pred);
    for (int k = 0; k < S->K && !s; k++) {
        char dir[1100], path[1200];
        seed_dir(S, k, dir, sizeof dir);
        snprintf(path, sizeof path, "%s/metrics.csv", dir);
        if (access(path, F_OK) == 0 && (s = gk_csv_table_read(path, SEEDS_MAX_FILE, &tabs[k], err))) break;
        runs[k] = tabs[k].nrows ? &tabs[k] : NULL;
        sums[k] = read_json(dir, "summary.json");
        const cJSON *pv = sums[k] ? cJSON_GetObjectItemCaseSensitive(sums[k], "predicted_transition_step") : NULL;
        if (pred) pred[k] = cJSON_IsNumber(pv) ? pv->valuedouble : NAN;
    }
    gk_seeds_agg a;
    int have = 0;
    for (int k = 0; k < S->K && !s; k++) have |= runs[k] != NULL;
    const int by_index = gk_config_index(S->cfg, "lr_auto") >= 0 && gk_config_bool(S->cfg, "lr_auto");
    if (!s && have && !(s = gk_seeds_aggregate(runs, S->K, by_index, &a, err))) {
        s = gk_run_write_metrics(S->o->out_dir, &a.table, err);
        cJSON *tmp = cJSON_CreateObject(); /* the median predicted step, for the t* line */
        if (pred) gk_seeds_stats(tmp, pred, S->K);
        const cJSON *med = cJSON_GetObjectItemCaseSensitive(tmp, "median");
        gk_status fs = s ? GK_OK : write_figures(S, &a, cJSON_IsNumber(med) ? med->valuedouble : NAN, err);
        cJSON_Delete(tmp);
        res->summary = make_summary(S, sums, &a, res->status);
        if (fs) cJSON_AddStringToObject(res->summary, "figure_error", err->msg);
        if (!s) s = gk_run_write_json(S->o->out_dir, "summary.json", res->summary, err);
        if (!s) s = fs;
        gk_seeds_agg_free(&a);
    } else if (!s) {
        res->summary = make_summary(S, sums, NULL, res->status);
        s = gk_run_write_json(S->o->out_dir, "summary.json", res->summary, err);
    }
    for (int k = 0; k < S->K; k++) {
        if (tabs) gk_csv_table_free(&tabs[k]);
        if (sums && sums[k]) cJSON_Delete(sums[k]);
    }
    free(tabs), free(runs), free(sums), free(pred);
    return s;
}

/* Runs (or continues) every seed of S, then writes the multi-seed directory's results. The caller holds the
 * directory's run lock (lock) and has written config.json; the lock is dropped here. */
static gk_status seeds_go(seeds_run *S, int lock, gk_run_result *res, gk_error *err) {
    gk_status *outcome = malloc((size_t)S->K * sizeof *outcome);
    if (!outcome) {
        gk_run_unlock(lock);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    for (int k = 0; k < S->K; k++) outcome[k] = (gk_status)-1;
    S->outcome = outcome;
    gk_status s = run_all(S, err);
    char first[1100];
    struct stat st;
    seed_dir(S, 0, first, sizeof first);
    if (s && stat(first, &st) != 0) { /* the first run could not be set up: no results to write */
        gk_run_unlock(lock);
        free(outcome);
        return s;
    }
    res->status = overall(S);
    if (res->status) snprintf(res->error, sizeof res->error, "%.500s", S->error[0] ? S->error : "interrupted");
    gk_error aux = {{0}};
    gk_status w = write_outputs(S, res, s ? &aux : err);
    gk_run_unlock(lock);
    if (!s) s = w;
    if (!s) s = gk_report_html_run(S->o->out_dir, err);
    free(outcome);
    return s;
}

/* seed .. seed+K-1 must all be seeds (at most 2^32 - 1). */
static gk_status check_seed_range(const gk_config *cfg, gk_error *err) {
    long seed = gk_config_int(cfg, "seed"), K = gk_config_int(cfg, "seeds");
    if ((double)seed + (double)K - 1 > 4294967295.0)
        return gk_fail(err, GK_EINVAL, "seed=%ld with seeds=%ld: the last run's seed %.0f is past 4294967295", seed, K,
                       (double)seed + (double)K - 1);
    return GK_OK;
}

gk_status gk_run_seeds(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res,
                       gk_error *err) {
    memset(res, 0, sizeof *res);
    seeds_run S = {.p = p, .cfg = cfg, .o = opts, .K = (int)gk_config_int(cfg, "seeds"),
                   .seed0 = gk_config_int(cfg, "seed"), .t0 = gk_now_seconds()};
    gk_status s = check_seed_range(cfg, err);
    struct stat st;
    int created = stat(opts->out_dir, &st) != 0, lock = -1;
    if (!s) s = gk_run_claim_dir(opts, err);
    if (!s) s = gk_mkdir_p(opts->out_dir, err);
    if (!s) s = gk_run_lock_dir(opts, &lock, err);
    if (s) return s;
    cJSON *conf = gk_config_to_json(p, cfg);
    s = gk_run_write_json(opts->out_dir, "config.json", conf, err);
    cJSON_Delete(conf);
    if (s) {
        gk_run_unlock(lock);
        return s;
    }
    s = seeds_go(&S, lock, res, err);
    char first[1100];
    seed_dir(&S, 0, first, sizeof first);
    if (s && stat(first, &st) != 0) { /* the first run could not be set up (its data, say): nothing is left */
        char path[1200];
        snprintf(path, sizeof path, "%s/config.json", opts->out_dir);
        unlink(path);
        gk_run_release_dir(opts->out_dir, created);
    }
    return s;
}

gk_status gk_resume_seeds(const gk_preset *p, const gk_config *cfg, const char *const *assign, int nassign,
                          const gk_run_opts *opts, gk_run_result *res, gk_error *err) {
    memset(res, 0, sizeof *res);
    seeds_run S = {.p = p, .cfg = cfg, .o = opts, .assign = assign, .nassign = nassign,
                   .K = (int)gk_config_int(cfg, "seeds"), .seed0 = gk_config_int(cfg, "seed"), .t0 = gk_now_seconds()};
    int lock = gk_run_lock(opts->out_dir);
    if (lock < 0)
        return gk_fail(err, GK_EINVAL, "%s: another groklab process is writing it: resume it once it has stopped",
                       opts->out_dir);
    int stale = 0;
    gk_status s = gk_remove_stale_temps(opts->out_dir, &stale, err);
    if (!s) {
        cJSON *conf = gk_config_to_json(p, cfg); /* steps=N may have grown */
        s = gk_run_write_json(opts->out_dir, "config.json", conf, err);
        cJSON_Delete(conf);
    }
    if (s) {
        gk_run_unlock(lock);
        return s;
    }
    return seeds_go(&S, lock, res, err);
}
