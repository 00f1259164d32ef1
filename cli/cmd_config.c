/* cmd_config.c: `groklab run --config FILE` (a run's config.json, or one written by hand) and the checks
 * `groklab resume` makes on a run directory before it resumes. */
#include "cmd_config.h"

#include "common.h"
#include "config_toml.h"
#include "io/config_json.h"
#include "io/metrics_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The file as a config.json read back: a .toml file through cpptoml, anything else as JSON. Both are checked by
 * the reader `groklab resume` uses (io/config_json.c). */
static int read_saved(const char *path, gk_saved_config *saved) {
    gk_error err = {{0}};
    if (!has_suffix(path, ".toml")) {
        if (gk_config_json_read(path, saved, &err)) return gk_cli_bad_input("--config: %s", err.msg);
        return -1;
    }
    char *text = NULL, msg[512] = "";
    size_t len = 0;
    if (gk_read_text_file(path, GK_CONFIG_JSON_MAX_BYTES, &text, &len, &err)) return gk_cli_bad_input("--config: %s", err.msg);
    char *json = gk_cli_toml_to_json(text, len, msg, sizeof msg);
    free(text);
    if (!json) return gk_cli_bad_input("--config %s: %s", path, msg);
    gk_status s = gk_config_json_parse(json, path, saved, &err);
    free(json);
    return s ? gk_cli_bad_input("--config: %s", err.msg) : -1;
}

int gk_cli_config_read(const char *path, char **preset, char ***assign, int *nassign) {
    gk_saved_config *saved = calloc(1, sizeof *saved);
    if (!saved) return gk_cli_bad_input("--config %s: out of memory", path);
    int rc = read_saved(path, saved);
    *assign = calloc((size_t)saved->n + 1, sizeof **assign);
    *nassign = 0;
    for (int i = 0; rc < 0 && *assign && i < saved->n; i++) (*assign)[(*nassign)++] = strdup(saved->assign[i]);
    *preset = strdup(saved->preset);
    free(saved);
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
