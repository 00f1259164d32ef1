/* run_checkpoint.c: a run's checkpoint: what it holds (the preset, the metrics columns and rows, the trainer
 * and the experiment's own state), the ticker thread that raises `pause` when one is due, writing and loading
 * it, and the weights written beside it. */
#include "run/run_internal.h"

#include "core/clock.h"
#include "io/checkpoint.h"
#include "io/fault.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *ticker_main(void *arg) {
    run_state *rs = arg;
    const struct timespec tick = {0, 20000000};
    while (!__atomic_load_n(&rs->quit, __ATOMIC_RELAXED)) {
        nanosleep(&tick, NULL);
        int user = rs->o->stop && *rs->o->stop;
        double due = rs->next_ckpt;
        if (user || gk_now_seconds() >= due) __atomic_store_n(&rs->pause, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* FNV-1a hash of the resolved config, every key but steps and threads (the two a resume may change) and seeds (a
 * run layer key: a checkpointed run has seeds=1, or xor's K runs, whose state size already tells K; left out, the
 * checkpoints written before the key existed still resume): a checkpoint of another config (copied from another
 * run, or config.json edited) is refused. */
static uint64_t config_hash(const gk_config *cfg) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < cfg->count; i++) {
        const gk_param_spec *ps = &cfg->spec[i];
        if (!strcmp(ps->key, "steps") || !strcmp(ps->key, "threads") || !strcmp(ps->key, "seeds")) continue;
        const unsigned char *b = (const unsigned char *)ps->key;
        for (size_t k = 0; b[k]; k++) h = (h ^ b[k]) * 1099511628211ull;
        if (ps->kind == GK_P_STRING) {
            b = (const unsigned char *)cfg->str[i];
            for (size_t k = 0; b[k]; k++) h = (h ^ b[k]) * 1099511628211ull;
        } else {
            unsigned char v[sizeof(double)];
            memcpy(v, &cfg->num[i], sizeof v);
            for (size_t k = 0; k < sizeof v; k++) h = (h ^ v[k]) * 1099511628211ull;
        }
        h = (h ^ 0xff) * 1099511628211ull; /* separator */
    }
    return h;
}

/* The mutable state of a run: which preset, the metrics so far, the trainer, the experiment's own state. */
void gk_run_visit(run_state *rs, gk_state *st) {
    char preset[64] = {0}, names[2048] = {0};
    snprintf(preset, sizeof preset, "%s", rs->p->name);
    for (int c = 0; c < rs->m.ncols; c++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s,", rs->m.names[c]);
    char stored_preset[64], stored_names[2048];
    memcpy(stored_preset, preset, sizeof preset);
    memcpy(stored_names, names, sizeof names);
    gk_state_block(st, "run.preset", stored_preset, sizeof stored_preset);
    gk_state_block(st, "run.columns", stored_names, sizeof stored_names);
    if (st->loading && !st->status && (memcmp(stored_preset, preset, sizeof preset) || memcmp(stored_names, names, sizeof names)))
        gk_state_fail(st, GK_EINVAL, "the checkpoint is of another preset or version (its metrics columns differ)");
    const uint64_t hash = config_hash(rs->cfg);
    uint64_t stored_hash = hash;
    gk_state_block(st, "run.config_hash", &stored_hash, sizeof stored_hash);
    if (st->loading && !st->status && stored_hash != hash)
        gk_state_fail(st, GK_EINVAL, "the checkpoint was written under another config than config.json's (a "
                      "checkpoint copied from another run, or config.json edited)");
    gk_metrics_visit(&rs->m, "run.metrics", st);
    gk_trainer_visit(rs->tr, st);
    if (rs->p->type->visit) rs->p->type->visit(rs->exp, st);
}

gk_status gk_run_write_weights(run_state *rs, const char *sub, gk_error *err) {
    if (!rs->tr->table) return GK_OK;
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/weights/%s", rs->o->out_dir, sub);
    return gk_npy_write_tensors(dir, rs->tr->table, rs->tr->theta, err);
}

/* Writes the checkpoint (with save_weights, the weights at this step before it). A run whose state cannot be saved
 * goes on without checkpoints; an I/O failure is returned. */
gk_status gk_run_write_checkpoint(run_state *rs, gk_error *err) {
    if (!rs->ckpt_ok) return GK_OK;
    double t0 = gk_now_seconds();
    gk_state st;
    gk_state_init_save(&st);
    gk_run_visit(rs, &st);
    gk_error why = {{0}};
    gk_status s = gk_state_status(&st, &why);
    if (s == GK_EUNAVAILABLE) {
        rs->ckpt_ok = 0;
        snprintf(rs->ckpt_why, sizeof rs->ckpt_why, "%s", why.msg);
        gk_state_free(&st);
        return GK_OK;
    }
    if (s) s = gk_fail(err, s, "%s", why.msg);
    /* the weights first: a weights/step_N of a killed writer is always past the checkpoint's step, and resume
     * removes those (gk_run_load_checkpoint) */
    if (!s && rs->o->save_weights) {
        char sub[64];
        snprintf(sub, sizeof sub, "step_%ld", rs->step);
        s = gk_run_write_weights(rs, sub, err);
        if (!s) gk_fault_point("weights");
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", rs->o->out_dir, GK_CHECKPOINT_FILE);
    if (!s) s = gk_checkpoint_write(path, st.buf, st.len, err);
    if (!s) gk_fault_point("checkpoint");
    gk_state_free(&st);
    rs->ckpt_count += !s;
    rs->ckpt_secs += gk_now_seconds() - t0;
    return s;
}

/* Removes dir/weights/step_N for every N > step: written after the checkpoint resumed from, possibly in part. */
static gk_status remove_weights_after(const char *dir, long step, gk_error *err) {
    char wdir[1100], sub[1400], file[1700];
    snprintf(wdir, sizeof wdir, "%s/weights", dir);
    DIR *d = opendir(wdir);
    if (!d) return GK_OK;
    gk_status s = GK_OK;
    struct dirent *e;
    while (!s && (e = readdir(d))) {
        long n;
        char tail;
        if (sscanf(e->d_name, "step_%ld%c", &n, &tail) != 1 || n <= step) continue;
        snprintf(sub, sizeof sub, "%s/%s", wdir, e->d_name);
        DIR *sd = opendir(sub);
        struct dirent *f;
        while (sd && (f = readdir(sd)))
            if (strcmp(f->d_name, ".") && strcmp(f->d_name, "..")) {
                snprintf(file, sizeof file, "%s/%s", sub, f->d_name);
                unlink(file);
            }
        if (sd) closedir(sd);
        if (rmdir(sub) != 0 && errno != ENOENT) s = gk_fail(err, GK_EIO, "cannot remove %s: %s", sub, strerror(errno));
    }
    closedir(d);
    return s;
}

/* Whether this run's state can be saved at all (a BDF flow cannot): a trial visit that copies nothing. */
static void probe_checkpoint(run_state *rs) {
    rs->ckpt_ok = 1;
    gk_state st;
    gk_state_init_probe(&st);
    gk_run_visit(rs, &st);
    gk_error why = {{0}};
    if (gk_state_status(&st, &why) == GK_EUNAVAILABLE) {
        rs->ckpt_ok = 0;
        snprintf(rs->ckpt_why, sizeof rs->ckpt_why, "%s", why.msg);
    }
    gk_state_free(&st);
}

void gk_run_ticker_start(run_state *rs) {
    probe_checkpoint(rs);
    if (!(rs->o->checkpoint_every > 0)) return;
    rs->next_ckpt = gk_now_seconds() + rs->o->checkpoint_every;
    rs->ticker_on = pthread_create(&rs->ticker, NULL, ticker_main, rs) == 0;
}

void gk_run_ticker_stop(run_state *rs) {
    if (!rs->ticker_on) return;
    __atomic_store_n(&rs->quit, 1, __ATOMIC_RELAXED);
    pthread_join(rs->ticker, NULL);
    rs->ticker_on = 0;
}

/* Loads the checkpoint of dir into a built run state. */
/* A checkpoint with a valid CRC can still hold nonsense (edited, or written by a bug): its step must lie in
 * 0..steps (lr_auto: >= 0) and its metrics rows may not be past it. */
static gk_status check_sense(const run_state *rs, const char *path, gk_error *err) {
    long step = rs->tr->step, steps = gk_config_int(rs->cfg, "steps");
    if (step < 0 || (!rs->tr->o.lr_auto.on && step > steps))
        return gk_fail(err, GK_EINVAL, "cannot resume from %s: its step %ld is outside 0..%ld", path, step, steps);
    if (rs->m.nrows > 0 && gk_metrics_step_of(&rs->m, (long)rs->m.nrows - 1) > (double)step)
        return gk_fail(err, GK_EINVAL, "cannot resume from %s: its metrics rows go past its step %ld", path, step);
    return GK_OK;
}

gk_status gk_run_load_checkpoint(run_state *rs, const char *dir, gk_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, GK_CHECKPOINT_FILE);
    void *payload = NULL;
    size_t len = 0;
    gk_status s = gk_checkpoint_read(path, &payload, &len, err);
    if (s) return s;
    gk_state st;
    gk_state_init_load(&st, payload, len);
    gk_run_visit(rs, &st);
    gk_error why = {{0}};
    s = gk_state_status(&st, &why);
    if (s) s = gk_fail(err, GK_EINVAL, "cannot resume from %s: %s", path, why.msg);
    free(payload);
    rs->step = rs->tr->step;
    if (!s) s = check_sense(rs, path, err);
    return s ? s : remove_weights_after(dir, rs->step, err);
}

