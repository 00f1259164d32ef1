/* run_resume.c: continuing a run from its checkpoint, with the config rebuilt from its config.json. */
#include "run/run_internal.h"

#include "io/fsutil.h"
#include "io/run_lock.h"

#include <stdlib.h>
#include <string.h>

/* The key=value assignments that rebuild a run's config from its config.json, then the user's (which replace
 * the stored value of the same key). Only steps (not below the run's) and threads may change. */
static gk_status resume_assignments(const cJSON *params, const char *const *assign, int nassign, char (*out)[256],
                                    int *nout, gk_error *err) {
    for (int i = 0; i < nassign; i++)
        if (strncmp(assign[i], "steps=", 6) && strncmp(assign[i], "threads=", 8))
            return gk_fail(err, GK_EINVAL, "'%s': resume takes only steps=N and threads=N (the rest is the run's config)",
                           assign[i]);
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, params) {
        if (n >= GK_MAX_PARAMS) return gk_fail(err, GK_EINVAL, "config.json has too many params");
        if (cJSON_IsString(v)) snprintf(out[n], 256, "%s=%s", v->string, v->valuestring);
        else if (cJSON_IsBool(v)) snprintf(out[n], 256, "%s=%d", v->string, cJSON_IsTrue(v));
        else if (cJSON_IsNumber(v)) snprintf(out[n], 256, "%s=%.17g", v->string, v->valuedouble);
        else return gk_fail(err, GK_EINVAL, "config.json: param %s has no value", v->string);
        for (int i = 0; i < nassign; i++) {
            size_t len = strlen(v->string);
            if (!strncmp(assign[i], v->string, len) && assign[i][len] == '=') snprintf(out[n], 256, "%s", assign[i]);
        }
        n++;
    }
    *nout = n;
    return GK_OK;
}

static gk_status resume_config(const char *dir, const char *const *assign, int nassign, const gk_preset **p,
                               gk_config *cfg, gk_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/config.json", dir);
    cJSON *root = NULL;
    gk_status s = gk_run_read_json(path, &root, err);
    if (s) return s;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "preset");
    *p = cJSON_IsString(name) ? gk_preset_find(name->valuestring) : NULL;
    char keys[GK_MAX_PARAMS][256];
    const char *ptrs[GK_MAX_PARAMS];
    int n = 0;
    if (!*p) s = gk_fail(err, GK_EINVAL, "%s names no preset this groklab knows", path);
    if (!s) s = resume_assignments(cJSON_GetObjectItemCaseSensitive(root, "params"), assign, nassign, keys, &n, err);
    for (int i = 0; i < n; i++) ptrs[i] = keys[i];
    if (!s) s = gk_preset_config(*p, ptrs, n, cfg, err);
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "params"), "steps");
    if (!s && cJSON_IsNumber(old) && (double)gk_config_int(cfg, "steps") < old->valuedouble)
        s = gk_fail(err, GK_EINVAL, "steps=%ld is below the run's %.0f steps: resume can only go further",
                    gk_config_int(cfg, "steps"), old->valuedouble);
    cJSON_Delete(root);
    return s;
}

gk_status gk_resume(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                    gk_run_result *res, gk_error *err) {
    memset(res, 0, sizeof *res);
    if (gk_run_is_running(dir)) /* two processes writing one run would interleave its files */
        return gk_fail(err, GK_EINVAL, "%s: its run is still going (a process holds %s/%s): resume it once it has "
                       "stopped", dir, dir, GK_RUN_LOCK_NAME);
    const gk_preset *p = NULL;
    gk_config cfg;
    gk_status s = resume_config(dir, assign, nassign, &p, &cfg, err);
    if (s) return s;
    gk_run_opts o = *opts;
    o.out_dir = dir;
    if (gk_run_splits_seeds(p, &cfg)) return gk_resume_seeds(p, &cfg, assign, nassign, &o, res, err);
    run_state rs = {.p = p, .cfg = &cfg, .o = &o};
    s = gk_run_build(&rs, err);
    if (!s) s = gk_run_load_checkpoint(&rs, dir, err);
    int stale = 0;
    if (!s) s = gk_remove_stale_temps(dir, &stale, err); /* of the killed run */
    if (!s) {
        cJSON *conf = gk_config_to_json(p, &cfg);
        s = gk_run_write_json(dir, "config.json", conf, err);
        cJSON_Delete(conf);
    }
    if (!s) s = gk_run_train_and_finish(&rs, res, err);
    gk_run_state_free(&rs);
    return s;
}
