/* test_slingshot.c: the slingshot cycle detector (report/slingshot.c) on constructed norm and loss curves. */
#include "check.h"
#include "report/slingshot.h"

#include <math.h>
#include <string.h>

enum { ROWS = 300 };

/* A fit (the loss falls from 1 to 0 over rows 0-20 while the norm grows), then three cycles at rows 60, 140 and
 * 230 (the loss spikes over three rows, peaking at the second, while the norm grows 1.3x; between them the norm
 * decays 0.1% a row), and one loss spike at row 100 with no norm growth. */
static void make_curves(double *norm, double *loss) {
    static const size_t onsets[] = {60, 140, 230};
    double nm = 1;
    for (size_t i = 0; i < ROWS; i++) {
        loss[i] = i < 20 ? 1 - i / 20.0 : 0;
        nm = i < 20 ? 1 + i / 10.0 : nm * 0.999;
        for (size_t c = 0; c < 3; c++)
            if (i >= onsets[c] && i < onsets[c] + 3) loss[i] = i == onsets[c] + 1 ? 0.5 : 0.05, nm *= 1.0914;
        if (i == 100) loss[i] = 0.2;
        norm[i] = nm;
    }
}

static void test_constructed_cycles(void) {
    double norm[ROWS], loss[ROWS];
    make_curves(norm, loss);
    gk_slingshot_cycle cy[8];
    size_t lone = 99;
    const size_t n = gk_slingshot_find(norm, loss, ROWS, NULL, cy, 8, &lone);
    GK_CHECK_MSG(n == 3, "found %zu cycles, expected 3", n);
    GK_CHECK(lone == 1);
    static const size_t onsets[] = {60, 140, 230};
    for (size_t c = 0; c < 3 && c < n; c++) {
        GK_CHECK(cy[c].onset == onsets[c] && cy[c].peak == onsets[c] + 1 && cy[c].recovery == onsets[c] + 3);
        GK_CHECK_CLOSE(cy[c].loss_peak, 0.5, 0, 0);
        GK_CHECK_CLOSE(cy[c].norm_after / cy[c].norm_before, 1.0914 * 1.0914 * 1.0914 * pow(0.999, 4), 0, 1e-12);
        GK_CHECK(cy[c].plateau_end == (c < 2 ? onsets[c + 1] - 1 : ROWS - 1));
        GK_CHECK(cy[c].norm_plateau_end < cy[c].norm_after); /* the plateau decays slowly; the growth spans rows onset-1 .. recovery, 4 rows of decay */
    }
    /* a stricter growth threshold keeps none; a smooth curve has none */
    gk_slingshot_opts o = gk_slingshot_defaults;
    o.growth_min = 1.5;
    GK_CHECK(gk_slingshot_find(norm, loss, ROWS, &o, cy, 8, &lone) == 0 && lone == 4);
    for (size_t i = 0; i < ROWS; i++) loss[i] = 1.0 / (1 + i), norm[i] = 1 + 0.01 * i;
    GK_CHECK(gk_slingshot_find(norm, loss, ROWS, NULL, cy, 8, &lone) == 0 && lone == 0);
}

/* The transformer's form (Thilak et al. 2022, Fig. 1): the loss falls to a floor of 1e-7 and sits there while the
 * norm grows 2% a row for 5 rows (the run-up), then spikes to 1e-2 over two rows, with no growth across the spike
 * itself, and the norm plateaus; twice (onsets at rows 50 and 120). The growth counts from the run-up's start. */
static void test_run_up_growth(void) {
    double norm[ROWS], loss[ROWS];
    double nm = 1;
    for (size_t i = 0; i < ROWS; i++) {
        loss[i] = i < 30 ? pow(10, -(double)i / 4) : 1e-7;
        const int up = (i >= 45 && i < 50) || (i >= 115 && i < 120);
        nm *= up ? 1.02 : 1.0001;
        if ((i >= 50 && i < 52) || (i >= 120 && i < 122)) loss[i] = 1e-2;
        norm[i] = nm;
    }
    gk_slingshot_cycle cy[8];
    size_t lone = 99;
    const size_t n = gk_slingshot_find(norm, loss, ROWS, NULL, cy, 8, &lone);
    GK_CHECK_MSG(n == 2 && lone == 0, "found %zu cycles and %zu lone spikes, expected 2 and 0", n, lone);
    for (size_t c = 0; c < 2 && c < n; c++) {
        GK_CHECK(cy[c].onset == (c ? 120u : 50u) && cy[c].recovery == cy[c].onset + 2);
        GK_CHECK(cy[c].norm_after / cy[c].norm_before > 1.10);                /* 1.02^5 and a little drift */
        GK_CHECK(cy[c].norm_after / norm[cy[c].onset - 1] < 1.001);          /* across the spike alone: none */
    }
}

static void test_summary_json(void) {
    double norm[ROWS], loss[ROWS], row[5];
    make_curves(norm, loss);
    gk_metrics m;
    gk_metrics_init(&m);
    gk_error err = {0};
    static const char *cols[] = {"step", "time", "last_layer_norm", "train_loss", "test_acc"};
    for (size_t c = 0; c < 5; c++) GK_CHECK(gk_metrics_add_column(&m, cols[c], &err) == GK_OK);
    for (size_t i = 0; i < ROWS; i++) { /* the test accuracy jumps two rows after the second cycle's onset */
        row[0] = 10.0 * i, row[1] = 0, row[2] = norm[i], row[3] = loss[i], row[4] = i < 142 ? 0.6 : 0.95;
        GK_CHECK(gk_metrics_append(&m, row, &err) == GK_OK);
    }
    cJSON *sum = cJSON_CreateObject();
    GK_CHECK(gk_slingshot_summarize(&m, "last_layer_norm", "train_loss", "test_acc", NULL, sum, &err) == GK_OK);
    const cJSON *s = cJSON_GetObjectItem(sum, "slingshot");
    GK_CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(s, "cycles")) == 3);
    const cJSON *c1 = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "cycles"), 1);
    GK_CHECK(cJSON_GetObjectItem(c1, "onset_step")->valuedouble == 1400);
    GK_CHECK(cJSON_GetObjectItem(c1, "peak_step")->valuedouble == 1410);
    const cJSON *jumps = cJSON_GetObjectItem(s, "test_acc_jumps"), *j0 = cJSON_GetArrayItem(jumps, 0);
    GK_CHECK(cJSON_GetArraySize(jumps) == 1);
    GK_CHECK(j0 && cJSON_GetObjectItem(j0, "step")->valuedouble == 1420);
    GK_CHECK(j0 && cJSON_GetObjectItem(j0, "cycle")->valuedouble == 1);
    GK_CHECK(j0 && cJSON_GetObjectItem(j0, "steps_after_onset")->valuedouble == 20);
    GK_CHECK(gk_slingshot_summarize(&m, "no_such", "train_loss", NULL, NULL, sum, &err) == GK_EINVAL);
    GK_CHECK(strstr(err.msg, "no_such") != NULL);
    cJSON_Delete(sum);
    gk_metrics_free(&m);
}

int main(void) {
    GK_RUN(test_constructed_cycles);
    GK_RUN(test_run_up_growth);
    GK_RUN(test_summary_json);
    return gk_test_summary();
}
