/* run_resume.c: continuing a run from its checkpoint, with the config rebuilt from its config.json. */
#include "run/run_internal.h"

#include "io/config_json.h"
#include "io/fsutil.h"
#include "io/run_lock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The run's config: its config.json's assignments, then the user's (which replace the stored value of the same
 * key). Only steps (not below the run's) and threads may change. */
static gk_status resume_config(const char *dir, const char *const *assign, int nassign, const gk_preset **p,
                               gk_config *cfg, gk_error *err) {
    for (int i = 0; i < nassign; i++)
        if (strncmp(assign[i], "steps=", 6) && strncmp(assign[i], "threads=", 8))
            return gk_fail(err, GK_EINVAL, "'%s': resume takes only steps=N and threads=N (the rest is the run's config)",
                           assign[i]);
    char path[1100];
    snprintf(path, sizeof path, "%s/config.json", dir);
    gk_saved_config *cj = malloc(sizeof *cj);
    if (!cj) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = gk_config_json_read(path, cj, err);
    if (!s && !(*p = gk_preset_find(cj->preset)))
        s = gk_fail(err, GK_EINVAL, "%s names preset '%s', which this groklab does not know", path, cj->preset);
    const char *ptrs[GK_MAX_PARAMS];
    for (int k = 0; !s && k < cj->n; k++) {
        ptrs[k] = cj->assign[k];
        for (int i = 0; i < nassign; i++) {
            size_t len = (size_t)(strchr(assign[i], '=') - assign[i]);
            if (!strncmp(cj->assign[k], assign[i], len) && cj->assign[k][len] == '=') ptrs[k] = assign[i];
        }
    }
    if (!s) s = gk_preset_config(*p, ptrs, cj->n, cfg, err);
    if (!s && isfinite(cj->steps) && (double)gk_config_int(cfg, "steps") < cj->steps)
        s = gk_fail(err, GK_EINVAL, "steps=%ld is below the run's %.0f steps: resume can only go further",
                    gk_config_int(cfg, "steps"), cj->steps);
    free(cj);
    return s;
}

gk_status gk_resume_prepare(const char *dir, const char *const *assign, int nassign, const gk_preset **p,
                            gk_config *cfg, gk_error *err) {
    if (gk_run_is_running(dir)) /* two processes writing one run would interleave its files */
        return gk_fail(err, GK_EINVAL, "%s: its run is still going (a process holds %s/%s): resume it once it has "
                       "stopped", dir, dir, GK_RUN_LOCK_NAME);
    gk_status s = resume_config(dir, assign, nassign, p, cfg, err);
    return s ? s : gk_run_check_address_space(*p, cfg, err);
}

gk_status gk_resume_run(const gk_preset *p, gk_config *cfg, const gk_run_opts *o, gk_run_result *res, gk_error *err) {
    const char *dir = o->out_dir;
    run_state rs = {.p = p, .cfg = cfg, .o = o};
    gk_status s = gk_run_build(&rs, err);
    if (!s) s = gk_run_load_checkpoint(&rs, dir, err);
    int stale = 0;
    if (!s) s = gk_remove_stale_temps(dir, &stale, err); /* of the killed run */
    if (!s) {
        cJSON *conf = gk_config_to_json(p, cfg);
        s = gk_run_write_json(dir, "config.json", conf, err);
        cJSON_Delete(conf);
    }
    if (!s) s = gk_run_train_and_finish(&rs, res, err);
    gk_run_state_free(&rs);
    return s;
}

gk_status gk_resume_begin(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                          gk_run_result *res, gk_resume_ctx *c, gk_error *err) {
    memset(res, 0, sizeof *res);
    c->p = NULL;
    c->o = *opts;
    c->o.out_dir = dir;
    return gk_resume_prepare(dir, assign, nassign, &c->p, &c->cfg, err);
}

gk_status gk_resume_one(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                        gk_run_result *res, gk_error *err) {
    gk_resume_ctx c;
    gk_status s = gk_resume_begin(dir, assign, nassign, opts, res, &c, err);
    return s ? s : gk_resume_run(c.p, &c.cfg, &c.o, res, err);
}
