/* test_sweep_curve.c: the one-key figure of a sweep (src/run/sweep_curve.c) on constructed summaries: the log-log
 * slope of a power law over the medians of seeds, the minimum of a U and whether it is inside the range, an x
 * axis taken from another scalar, and the figures skipped (with a note) when two keys are swept. */
#include "check.h"

#include "io/fsutil.h"
#include "run/sweep.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A table of two scalars per point: "steps" = 3 n^2 (times 1.1 or 0.9 on seeds 2 and 3, so the median is the
 * law) and "u" = (ln(n) - ln(4))^2 + 1 with its minimum at n = 4; "norm" = 2 n. */
static void fill(const gk_sweep *sw, gk_sweep_table *t) {
    static char *names[] = {"steps", "u", "norm"};
    t->npoints = sw->npoints, t->nscalars = 3, t->scalar_names = names;
    t->val = malloc(sw->npoints * 3 * sizeof(double));
    int idx[GK_SWEEP_MAX_AXES];
    for (size_t k = 0; k < sw->npoints; k++) {
        gk_sweep_indices(sw, k, idx);
        const double n = sw->axes[0].num[idx[0]], f = sw->naxes > 1 ? (double[]){1, 1.1, 0.9}[idx[1]] : 1;
        t->val[k * 3] = 3 * n * n * f, t->val[k * 3 + 1] = pow(log(n) - log(4), 2) + 1, t->val[k * 3 + 2] = 2 * n;
    }
}

static cJSON *read_json(const char *dir, const char *name) {
    char path[512], *text = NULL;
    size_t len;
    gk_error err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gk_read_text_file(path, 1 << 20, &text, &len, &err)) return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}

static void test_slope_and_minimum(void) {
    const gk_preset *p = gk_preset_find("diag-sparse");
    GK_ASSERT(p);
    const char *args[] = {"alpha=1,2,4,8,16"};
    gk_sweep sw;
    gk_error err;
    GK_CHECK(gk_sweep_parse(&sw, p, args, 1, 3, &err) == GK_OK && sw.npoints == 15);
    gk_sweep_table t = {0};
    fill(&sw, &t);
    char dir[] = "/tmp/gk_test_curve_XXXXXX";
    GK_ASSERT(mkdtemp(dir));
    char notes[256] = "";
    int drawn = 0;
    gk_sweep_curve_opts o = {.y = {"steps", "u"}, .ny = 2};
    GK_CHECK(gk_sweep_curve(&sw, &t, dir, &o, notes, sizeof notes, &drawn, &err) == GK_OK && drawn);
    cJSON *j = read_json(dir, "sweep_curve.json"), *c = cJSON_GetObjectItem(j, "curves");
    GK_CHECK(j && !strcmp(cJSON_GetObjectItem(j, "x")->valuestring, "alpha") && cJSON_GetArraySize(c) == 2);
    const cJSON *steps = cJSON_GetArrayItem(c, 0), *u = cJSON_GetArrayItem(c, 1);
    const double slope = cJSON_GetObjectItem(steps, "slope")->valuedouble;
    GK_CHECK_MSG(fabs(slope - 2) < 1e-12, "slope %.17g (want 2: the medians follow 3 n^2)", slope);
    GK_CHECK(!cJSON_IsTrue(cJSON_GetObjectItem(steps, "min_interior")));
    GK_CHECK(cJSON_IsTrue(cJSON_GetObjectItem(u, "min_interior")) && cJSON_GetObjectItem(u, "min_x")->valuedouble == 4);
    cJSON_Delete(j);
    char png[600];
    snprintf(png, sizeof png, "%s/curve.png", dir);
    GK_CHECK(access(png, F_OK) == 0);
    /* x from another scalar: the minimum sits at norm = 8 */
    o = (gk_sweep_curve_opts){.x = "norm", .y = {"u"}, .ny = 1};
    GK_CHECK(gk_sweep_curve(&sw, &t, dir, &o, notes, sizeof notes, &drawn, &err) == GK_OK && drawn);
    j = read_json(dir, "sweep_curve.json");
    u = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "curves"), 0);
    GK_CHECK(j && cJSON_GetObjectItem(u, "min_x")->valuedouble == 8);
    cJSON_Delete(j);
    /* an absent scalar: nothing drawn, a note */
    o = (gk_sweep_curve_opts){.y = {"nosuch"}, .ny = 1};
    GK_CHECK(gk_sweep_curve(&sw, &t, dir, &o, notes, sizeof notes, &drawn, &err) == GK_OK && !drawn);
    GK_CHECK_MSG(strstr(notes, "nosuch") != NULL, "%s", notes);
    free(t.val);
    gk_sweep_free(&sw);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    GK_CHECK(system(cmd) == 0);
}

static void test_two_keys_skipped(void) {
    const gk_preset *p = gk_preset_find("diag-sparse");
    const char *args[] = {"alpha=1,2", "wd=1e-2,2e-2"};
    gk_sweep sw;
    gk_error err;
    GK_CHECK(gk_sweep_parse(&sw, p, args, 2, 0, &err) == GK_OK);
    gk_sweep_table t = {0};
    fill(&sw, &t);
    char notes[256] = "";
    int drawn = 1;
    gk_sweep_curve_opts o = {.y = {"steps"}, .ny = 1};
    GK_CHECK(gk_sweep_curve(&sw, &t, "/nonexistent", &o, notes, sizeof notes, &drawn, &err) == GK_OK && !drawn);
    GK_CHECK_MSG(strstr(notes, "more than one swept key") != NULL, "%s", notes);
    free(t.val);
    gk_sweep_free(&sw);
}

/* Axis titles in words: known summary scalars and keys from the table, another key of the preset from its help
 * text, an unknown key as it is. */
static void test_key_words(void) {
    const gk_preset *parity = gk_preset_find("parity-barak-fast"), *diag = gk_preset_find("diag-sparse");
    GK_ASSERT(parity && diag);
    gk_sweep sw;
    gk_error err;
    const char *args[] = {"n=10,20"};
    GK_ASSERT(gk_sweep_parse(&sw, parity, args, 1, 0, &err) == GK_OK);
    char buf[160];
    GK_CHECK(!strcmp(gk_sweep_key_words(&sw, "val99_step", buf, sizeof buf), "steps to 99% validation accuracy"));
    GK_CHECK(!strcmp(gk_sweep_key_words(&sw, "frac", buf, sizeof buf), "train fraction"));
    const char *n = gk_sweep_key_words(&sw, "n", buf, sizeof buf);
    GK_CHECK_MSG(!strcmp(n, "input bits n"), "parity's n: '%s'", n);
    GK_CHECK(!strcmp(gk_sweep_key_words(&sw, "no_such_scalar", buf, sizeof buf), "no_such_scalar"));
    gk_sweep_free(&sw);
    GK_ASSERT(gk_sweep_parse(&sw, diag, args, 1, 0, &err) == GK_OK);
    n = gk_sweep_key_words(&sw, "n", buf, sizeof buf);
    GK_CHECK_MSG(!strcmp(n, "train set size n"), "diag's n: '%s'", n);
    const char *alpha = gk_sweep_key_words(&sw, "alpha", buf, sizeof buf);
    /* the words plots and the live page use for alpha (fig/run_files.c), Greek as UTF-8 */
    GK_CHECK_MSG(!strcmp(alpha, "init scale \xce\xb1"), "diag's alpha: '%s'", alpha);
    gk_sweep_free(&sw);
}

int main(void) {
    GK_RUN(test_key_words);
    GK_RUN(test_slope_and_minimum);
    GK_RUN(test_two_keys_skipped);
    return gk_test_summary();
}
