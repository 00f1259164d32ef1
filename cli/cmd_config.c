/* cmd_config.c: `groklab run --config FILE` (a run's config.json, or one written by hand) and the checks
 * `groklab resume` makes on a run directory before it resumes. */
#include "cmd_config.h"

#include "common.h"
#include "io/metrics_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One key=value of a config's "params" object (strings as they are, booleans 1/0, numbers exactly). */
static char *assignment_of(const cJSON *v) {
    char buf[1200];
    if (cJSON_IsString(v)) snprintf(buf, sizeof buf, "%s=%s", v->string, v->valuestring);
    else if (cJSON_IsBool(v)) snprintf(buf, sizeof buf, "%s=%d", v->string, cJSON_IsTrue(v));
    else if (cJSON_IsNumber(v)) snprintf(buf, sizeof buf, "%s=%.17g", v->string, v->valuedouble);
    else return NULL;
    return strdup(buf);
}

int gk_cli_config_read(const char *path, char **preset, char ***assign, int *nassign) {
    char *text = NULL;
    size_t len = 0;
    gk_error err = {{0}};
    if (gk_read_text_file(path, 1 << 20, &text, &len, &err)) return gk_cli_bad_input("--config: %s", err.msg);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "preset");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
    if (!cJSON_IsString(name) || (params && !cJSON_IsObject(params))) {
        cJSON_Delete(root);
        return gk_cli_bad_input("--config %s: not a groklab config (a JSON object with \"preset\": NAME and "
                                "\"params\": {key: value, ...}, as a run's config.json)", path);
    }
    int n = cJSON_GetArraySize(params), rc = -1;
    *assign = calloc((size_t)n + 1, sizeof **assign);
    *nassign = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, params) {
        char *a = assignment_of(v);
        if (!a) {
            rc = gk_cli_bad_input("--config %s: params.%s is not a number, a string or true/false", path, v->string);
            break;
        }
        (*assign)[(*nassign)++] = a;
    }
    *preset = strdup(name->valuestring);
    cJSON_Delete(root);
    return rc;
}

void gk_cli_config_free(char *preset, char **assign, int nassign) {
    for (int i = 0; i < nassign; i++) free(assign[i]);
    free(assign);
    free(preset);
}

static int exists(const char *dir, const char *file) {
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return stat(path, &st) == 0;
}

/* The step a finished or interrupted run stopped at (summary.json's steps_done), NAN if unknown. */
static double steps_done(const char *dir) {
    char path[1200], *text = NULL;
    size_t len = 0;
    gk_error err = {{0}};
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (gk_read_text_file(path, 1 << 22, &text, &len, &err)) return NAN;
    cJSON *s = cJSON_Parse(text);
    free(text);
    double n = gk_cli_jnum(s, "steps_done");
    cJSON_Delete(s);
    return n;
}

int gk_cli_resume_check(const char *dir, int quiet) {
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && !exists(dir, "config.json"))
        return gk_cli_bad_input("%s: the run stopped before training began (it has no config.json, nothing to "
                                "resume); run it again with groklab run PRESET ... --out %s --force", dir, dir);
    double done = steps_done(dir);
    if (!quiet && isfinite(done))
        fprintf(stderr, "groklab: %s stopped at step %.0f; resuming from its last checkpoint\n", dir, done);
    return -1;
}
