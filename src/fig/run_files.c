/* run_files.c: a run directory as the figures read it, and the words for its columns (run_files.h). */
#include "fig/run_files.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_CSV_BYTES ((size_t)512 << 20)
#define MAX_JSON_BYTES ((size_t)16 << 20)

cJSON *gk_fig_read_json(const char *dir, const char *name) {
    char p[1200], *text = NULL;
    struct stat st;
    gk_error err;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) || gk_read_text_file(p, MAX_JSON_BYTES, &text, NULL, &err))
        return NULL;
    cJSON *o = cJSON_Parse(text);
    free(text);
    return o;
}

static double json_num(const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

gk_status gk_fig_run_load(gk_fig_run *r, const char *dir, gk_error *err) {
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char p[1200];
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    gk_status s = gk_csv_table_read(p, MAX_CSV_BYTES, &r->m, err);
    if (s) return s;
    r->config = gk_fig_read_json(dir, "config.json");
    r->summary = gk_fig_read_json(dir, "summary.json");
    r->predicted = json_num(r->summary, "predicted_transition_step");
    r->tstar = json_num(r->summary, "tstar");
    return GK_OK;
}

void gk_fig_run_free(gk_fig_run *r) {
    gk_csv_table_free(&r->m);
    cJSON_Delete(r->config);
    cJSON_Delete(r->summary);
    r->config = r->summary = NULL;
}

const cJSON *gk_fig_run_params(const gk_fig_run *r) {
    const cJSON *p = r->config ? cJSON_GetObjectItemCaseSensitive(r->config, "params") : NULL;
    if (!p && r->summary) p = cJSON_GetObjectItemCaseSensitive(r->summary, "params");
    return cJSON_IsObject(p) ? p : NULL;
}

const char *gk_fig_run_preset(const gk_fig_run *r) {
    const cJSON *c = r->config ? r->config : r->summary;
    const cJSON *v = c ? cJSON_GetObjectItemCaseSensitive(c, "preset") : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

void gk_fig_param_text(const gk_fig_run *r, const char *key, char *buf, size_t len) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(gk_fig_run_params(r), key);
    if (cJSON_IsNumber(v)) snprintf(buf, len, "%.6g", v->valuedouble);
    else if (cJSON_IsString(v)) snprintf(buf, len, "%s", v->valuestring);
    else if (cJSON_IsBool(v)) snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else buf[0] = '\0';
}

const char *gk_reference_title(const char *key) {
    static const char *names[][2] = {{"l2margin", "L2 max-margin"}, {"l1margin", "L1 max-margin"},
                                     {"kernel", "kernel regression, initial NTK"}, {"zero", "zero predictor"},
                                     {"zero_predictor", "zero predictor"}, {"nuclear", "min nuclear norm"},
                                     {"linear", "linear"}, {"ridge", "ridge"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(key, names[i][0])) return names[i][1];
    return key;
}

/* Config keys in words, where one reading holds for the experiments that have the key (kumar's alpha scales the
 * output, every other experiment's the initialisation). PLplot escapes: #ga is alpha. */
const char *gk_param_words(const char *key, const char *experiment) {
    static const char *names[][3] = {{"alpha", "kumar", "output scale #ga"}, {"alpha", "", "init scale #ga"},
                                     {"init_scale", "", "init scale #ga"},   {"wd", "", "weight decay"},
                                     {"lr", "", "learning rate"},             {"fixed_norm", "", "fixed norm"},
                                     {"frac", "", "train fraction"},          {"width", "", "width"},
                                     {"steps", "", "steps"},                  {"seed", "", "seed"},
                                     {"p", "", "modulus p"},                {"label_noise", "", "label noise"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(key, names[i][0]) && (!names[i][1][0] || (experiment && !strcmp(experiment, names[i][1]))))
            return names[i][2];
    return NULL;
}

const char *gk_fig_run_experiment(const gk_fig_run *r) {
    const cJSON *c = r->config ? r->config : r->summary;
    const cJSON *v = c ? cJSON_GetObjectItemCaseSensitive(c, "experiment") : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

void gk_param_label(const char *key, const char *experiment, const char *value, char *buf, size_t len) {
    const char *w = gk_param_words(key, experiment);
    int truth = !strcmp(value, "true") ? 1 : !strcmp(value, "false") ? 0 : -1, n;
    if (!w) n = snprintf(buf, len, "%s=%s", key, value);
    else if (truth >= 0) n = snprintf(buf, len, "%s: %s", w, truth ? "yes" : "no");
    else n = snprintf(buf, len, "%s %s", w, value);
    if (n >= 0 && (size_t)n >= len && len >= 4) memcpy(buf + len - 4, "...", 4); /* cut visibly */
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

const char *gk_column_quantity(const char *col) {
    static const char *names[][2] = {{"param_norm", "parameter norm ||#gh||"}, {"time", "time t"},
                                     {"rel_dist_from_init", "relative distance from init"},
                                     {"norm_margin", "normalised margin"}, {"support_share", "support share"},
                                     {"min_margin", "minimum margin"}, {"ipr", "Fourier IPR"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(col, names[i][0])) return names[i][1];
    if (ends_with(col, "_acc")) return "accuracy";
    if (ends_with(col, "_loss")) return "loss";
    if (!strncmp(col, "agree_", 6)) return "agreement with the reference";
    if (!strncmp(col, "norm_", 5)) return "weight norm"; /* one column per tensor: norm_W_U, norm_W1, ... */
    return col;
}

const char *gk_column_set(const char *col) {
    if (!strncmp(col, "train_", 6)) return "train";
    if (!strncmp(col, "test_", 5)) return "test";
    if (!strncmp(col, "agree_", 6)) return gk_reference_title(col + 6);
    if (!strncmp(col, "norm_", 5) && strcmp(col, "norm_margin")) return col + 5; /* the tensor's name */
    return "";
}

void gk_column_title(const char *col, char *buf, size_t len) {
    const char *set = gk_column_set(col), *q = gk_column_quantity(col);
    if (!strncmp(col, "norm_", 5) && set[0]) snprintf(buf, len, "weight norm of %s", set);
    else if (!strncmp(col, "agree_", 6)) snprintf(buf, len, "agreement with %s", set);
    else if (set[0]) snprintf(buf, len, "%s %s", set, q);
    else snprintf(buf, len, "%s", q);
}

int gk_column_is_fraction(const char *col) {
    return ends_with(col, "_acc") || !strncmp(col, "agree_", 6) || !strncmp(col, "support_share", 13);
}
