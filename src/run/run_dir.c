/* run_dir.c: the run directory: claiming it (an existing one only with --force, and only a groklab run's),
 * config.json, the JSON and CSV files written into it, and reading a run's JSON back. */
#include "run/run_internal.h"

#include "io/checkpoint.h"
#include "io/fsutil.h"
#include "io/run_lock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cJSON *gk_config_to_json(const gk_preset *p, const gk_config *cfg) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "preset", p->name);
    cJSON_AddStringToObject(root, "experiment", p->type->name);
    cJSON_AddStringToObject(root, "version", GK_VERSION);
    cJSON *params = cJSON_AddObjectToObject(root, "params");
    for (int i = 0; i < cfg->count; i++) {
        const gk_param_spec *s = &cfg->spec[i];
        if (s->kind == GK_P_ENUM || s->kind == GK_P_STRING) cJSON_AddStringToObject(params, s->key, cfg->str[i]);
        else if (s->kind == GK_P_BOOL) cJSON_AddBoolToObject(params, s->key, cfg->num[i] != 0);
        else cJSON_AddNumberToObject(params, s->key, cfg->num[i]);
    }
    cJSON_AddNumberToObject(root, "seed", gk_config_real(cfg, "seed"));
    return root;
}

gk_status gk_run_write_json(const char *dir, const char *name, const cJSON *obj, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (s) return s;
    char *text = cJSON_Print(obj);
    if (!text) return gk_fail(err, GK_ENOMEM, "cannot format %s", name);
    size_t len = strlen(text);
    char *withnl = realloc(text, len + 2);
    if (!withnl) {
        free(text);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    s = gk_write_file_atomic(path, withnl, len + 1, err);
    free(withnl);
    return s;
}

gk_status gk_run_write_metrics(const char *dir, const gk_metrics *m, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, "metrics.csv", err);
    return s ? s : gk_metrics_write_csv(m, path, err);
}

/* An existing run directory is replaced only when asked, and only if it is a groklab run (or empty). */
gk_status gk_run_claim_dir(const gk_run_opts *o, gk_error *err) {
    if (!gk_dir_nonempty(o->out_dir)) return GK_OK;
    if (gk_run_is_running(o->out_dir))
        return gk_fail(err, GK_EINVAL, "a run is going on in %s: choose another --out (even with --force)", o->out_dir);
    if (!o->force)
        return gk_fail(err, GK_EINVAL, "the run directory %s exists and is not empty: choose another --out, continue it "
                                       "with `groklab resume %s`, or replace it with --force", o->out_dir, o->out_dir);
    char cfg[1100];
    snprintf(cfg, sizeof cfg, "%s/config.json", o->out_dir);
    if (access(cfg, F_OK) != 0)
        return gk_fail(err, GK_EINVAL, "--force replaces only a groklab run directory: %s has no config.json", o->out_dir);
    return gk_remove_tree(o->out_dir, err);
}

gk_status gk_run_read_json(const char *path, cJSON **out, gk_error *err) {
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    gk_error why = {{0}};
    if (gk_read_text_file(path, 1 << 26, &text, &len, &why))
        return gk_fail(err, GK_EINVAL, "%s", why.msg); /* bad input, as a config that is not there */
    *out = cJSON_Parse(text);
    free(text);
    return *out ? GK_OK : gk_fail(err, GK_EINVAL, "%s is not a groklab JSON file", path);
}

