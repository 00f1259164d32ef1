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

/* Words for the summary scalars the sweep figures put on their axes (summary.json's standard facts,
 * run/run_summary.c; train/train.h's thresholds). */
static const char *const k_sweep_words[][2] = {
    {"val99_step", "steps to 99% validation accuracy"}, {"val95_step", "steps to 95% validation accuracy"},
    {"train99_step", "steps to 99% train accuracy"},   {"train_fit_step", "steps to 99% train accuracy"},
    {"test_grok_step", "steps to 95% test accuracy"},  {"max_test_acc", "best test accuracy"},
    {"best_val_acc", "best validation accuracy"},      {"final_train_loss", "final train loss"},
    {"final_test_loss", "final test loss"},            {"final_train_acc", "final train accuracy"},
    {"final_test_acc", "final test accuracy"},         {"norm_final", "final parameter norm"},
    {"norm_initial", "initial parameter norm"},        {"norm_at_fit", "parameter norm at the fit"},
    {"test_acc_at_fit", "test accuracy at the fit"},   {"grok_delay_ratio", "grokking delay ratio"},
    {"predicted_transition_step", "predicted transition step"},
}; /* config keys: gk_param_words */

const char *gk_sweep_column_words(const char *key) {
    for (size_t i = 0; i < sizeof k_sweep_words / sizeof k_sweep_words[0]; i++)
        if (!strcmp(key, k_sweep_words[i][0])) return k_sweep_words[i][1];
    return NULL;
}

/* Config keys in words, where one reading holds for the experiments that have the key (kumar's alpha scales the
 * output, every other experiment's the initialisation). PLplot escapes: #ga is alpha. */
const char *gk_param_words(const char *key, const char *experiment) {
    static const char *names[][3] = {{"alpha", "kumar", "output scale #ga"}, {"alpha", "", "init scale #ga"},
                                     {"init_scale", "", "init scale #ga"},   {"wd", "", "weight decay"},
                                     {"lr", "", "learning rate"},             {"fixed_norm", "", "fixed norm"},
                                     {"frac", "", "train fraction"},          {"width", "", "width"},
                                     {"steps", "", "steps"},                  {"seed", "", "seed"},
                                     {"p", "", "modulus p"},                {"label_noise", "", "label noise"},
                                     {"op", "", "operation"}};
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

/* Whether col has the word w between underscores ("acc" in train_acc_clean). */
static int has_word(const char *col, const char *w) {
    size_t n = strlen(w);
    for (const char *p = col; (p = strstr(p, w)) != NULL; p += n)
        if ((p == col || p[-1] == '_') && (p[n] == '\0' || p[n] == '_')) return 1;
    return 0;
}

static const char *const k_quantities[][2] = {{"param_norm", "parameter norm ||#gh||"}, {"time", "time t"},
                                              {"rel_dist_from_init", "relative distance from init"},
                                              {"norm_margin", "normalised margin"}, {"support_share", "support share"},
                                              {"min_margin", "minimum margin"}, {"ipr", "Fourier IPR"}};

static const char *known_quantity(const char *col) {
    for (size_t i = 0; i < sizeof k_quantities / sizeof k_quantities[0]; i++)
        if (!strcmp(col, k_quantities[i][0])) return k_quantities[i][1];
    return NULL;
}

const char *gk_column_quantity(const char *col) {
    const char *q = known_quantity(col);
    if (q) return q;
    if (!strncmp(col, "agree_", 6)) return "agreement with the reference";
    if (!strncmp(col, "norm_", 5)) return "weight norm"; /* one column per tensor: norm_W_U, norm_W1, ... */
    if (has_word(col, "acc")) return "accuracy";
    if (has_word(col, "loss")) return "loss";
    return col;
}

const char *gk_column_set(const char *col) {
    if (!strncmp(col, "train_", 6)) return "train";
    if (!strncmp(col, "test_", 5)) return "test";
    if (!strncmp(col, "agree_", 6)) return gk_reference_title(col + 6);
    if (!strncmp(col, "norm_", 5) && strcmp(col, "norm_margin")) return col + 5; /* the tensor's name */
    return "";
}

/* Any other column in words: its words apart, acc and pop spelled out, what follows the accuracy or loss in
 * brackets ("train_acc_clean" -> "train accuracy (clean)", "restricted_loss" -> "restricted loss"). */
static void column_words(const char *col, char *buf, size_t len) {
    size_t u = 0;
    int after = 0; /* 1 once acc or loss is written, then 2 once a word follows it */
    buf[0] = '\0';
    for (const char *p = col; *p && u < len;) {
        int n = (int)strcspn(p, "_");
        const char *say = n == 3 && !strncmp(p, "acc", 3) ? "accuracy" : n == 3 && !strncmp(p, "pop", 3) ? "population" : NULL;
        const char *sep = !u ? "" : after == 1 ? " (" : " ";
        int r = say ? snprintf(buf + u, len - u, "%s%s", sep, say) : snprintf(buf + u, len - u, "%s%.*s", sep, n, p);
        u += r > 0 ? (size_t)r : 0;
        if (after == 1) after = 2;
        if (!after && (say == NULL ? n == 4 && !strncmp(p, "loss", 4) : n == 3 && !strncmp(p, "acc", 3))) after = 1;
        p += n + (p[n] == '_');
    }
    if (after == 2 && u + 1 < len) buf[u++] = ')', buf[u] = '\0';
}

void gk_column_title(const char *col, char *buf, size_t len) {
    const char *q = known_quantity(col);
    if (q) snprintf(buf, len, "%s", q);
    else if (!strncmp(col, "norm_", 5)) snprintf(buf, len, "weight norm of %s", col + 5);
    else if (!strncmp(col, "agree_", 6)) snprintf(buf, len, "agreement with %s", gk_column_set(col));
    else column_words(col, buf, len);
    if (len >= 4 && strlen(buf) >= len - 1) memcpy(buf + len - 4, "...", 4); /* cut visibly */
}

/* The UTF-8 of PLplot's Greek escape #g<c> (the ones the figures use and their neighbours); NULL for others. */
static const char *greek_letter(char c) {
    static const char *greek[][2] = {{"a", "\xce\xb1"}, {"b", "\xce\xb2"}, {"g", "\xce\xb3"}, {"d", "\xce\xb4"},
                                     {"e", "\xce\xb5"}, {"h", "\xce\xb8"}, {"l", "\xce\xbb"}, {"m", "\xce\xbc"},
                                     {"p", "\xcf\x80"}, {"s", "\xcf\x83"}, {"t", "\xcf\x84"}, {"f", "\xcf\x86"}};
    for (size_t k = 0; k < sizeof greek / sizeof greek[0]; k++)
        if (c == greek[k][0][0]) return greek[k][1];
    return NULL;
}

void gk_text_unicode(const char *in, char *out, size_t len) {
    size_t u = 0;
    for (const char *p = in; *p; p++) {
        char one[2] = {*p, '\0'};
        const char *put = one, *g;
        if (p[0] == '#' && (p[1] == 'u' || p[1] == 'd')) { /* super/subscript on and off: plain text */
            p++;
            continue;
        }
        if (p[0] == '#' && p[1] == 'g' && p[2] && (g = greek_letter(p[2]))) put = g, p += 2;
        size_t n = strlen(put);
        if (u + n >= len) break;
        memcpy(out + u, put, n);
        u += n;
    }
    out[u] = '\0';
}

int gk_column_is_fraction(const char *col) {
    return has_word(col, "acc") || !strncmp(col, "agree_", 6) || !strncmp(col, "support_share", 13);
}
