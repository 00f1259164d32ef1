/* slingshot.c: the slingshot's cycles in a run's metrics (see slingshot.h for the definitions). */
#include "report/slingshot.h"

#include <math.h>
#include <stdlib.h>

const gk_slingshot_opts gk_slingshot_defaults = {.spike_ratio = 10, .spike_floor = 1e-3, .growth_min = 1.05,
                                                  .jump_min = 0.05};

static int finite2(double a, double b) { return isfinite(a) && isfinite(b); }

/* From the onset row a: the peak (highest loss) and the recovery (first row back under thr; n if never). */
static void spike_extent(const double *loss, size_t n, size_t a, double thr, size_t *peak, size_t *rec) {
    size_t p = a, r = a + 1;
    for (; r < n; r++) {
        if (!isfinite(loss[r])) continue;
        if (loss[r] <= thr) break;
        if (loss[r] > loss[p]) p = r;
    }
    *peak = p, *rec = r;
}

/* The lowest finite norm in rows [from, a) (the onset's own row when there is none): the start of the run-up. */
static double norm_before(const double *norm, size_t from, size_t a) {
    double lo = INFINITY;
    for (size_t i = from; i < a; i++)
        if (isfinite(norm[i]) && norm[i] < lo) lo = norm[i];
    return isfinite(lo) ? lo : norm[a];
}

size_t gk_slingshot_find(const double *norm, const double *loss, size_t n, const gk_slingshot_opts *o,
                         gk_slingshot_cycle *out, size_t cap, size_t *spikes_without_growth) {
    if (!o) o = &gk_slingshot_defaults;
    size_t found = 0, lone = 0, low_row = 0;
    double low = INFINITY; /* the lowest loss since the last recovery, first reached at row low_row */
    for (size_t i = 0; i < n; i++) {
        if (!finite2(norm[i], loss[i])) continue;
        const double thr = fmax(o->spike_ratio * low, o->spike_floor);
        if (!(isfinite(low) && loss[i] > thr)) {
            if (loss[i] < low) low = loss[i], low_row = i;
            continue;
        }
        size_t peak, rec;
        spike_extent(loss, n, i, thr, &peak, &rec);
        const size_t r = rec < n ? rec : n - 1;
        const double before = norm_before(norm, low_row, i), after = norm[r];
        if (isfinite(after) && before > 0 && after >= o->growth_min * before) {
            if (found < cap) {
                if (found > 0) out[found - 1].plateau_end = i - 1;
                out[found] = (gk_slingshot_cycle){i, peak, r, n - 1, low, loss[peak], before, after, NAN};
            }
            found++;
        } else {
            lone++;
        }
        if (rec >= n) break;
        low = loss[rec], low_row = rec, i = rec;
    }
    for (size_t c = 0; c < found && c < cap; c++) out[c].norm_plateau_end = norm[out[c].plateau_end];
    if (spikes_without_growth) *spikes_without_growth = lone;
    return found;
}

static cJSON *cycle_json(const gk_metrics *m, const gk_slingshot_cycle *c, const double *acc) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "onset_step", gk_metrics_step_of(m, (long)c->onset));
    cJSON_AddNumberToObject(j, "peak_step", gk_metrics_step_of(m, (long)c->peak));
    cJSON_AddNumberToObject(j, "recovery_step", gk_metrics_step_of(m, (long)c->recovery));
    cJSON_AddNumberToObject(j, "plateau_end_step", gk_metrics_step_of(m, (long)c->plateau_end));
    cJSON_AddNumberToObject(j, "loss_before", c->loss_before);
    cJSON_AddNumberToObject(j, "loss_peak", c->loss_peak);
    cJSON_AddNumberToObject(j, "norm_before", c->norm_before);
    cJSON_AddNumberToObject(j, "norm_after", c->norm_after);
    cJSON_AddNumberToObject(j, "growth", c->norm_after / c->norm_before);
    cJSON_AddNumberToObject(j, "plateau_norm_change", c->norm_plateau_end / c->norm_after);
    if (acc) {
        cJSON_AddNumberToObject(j, "test_acc_before", acc[c->onset > 0 ? c->onset - 1 : 0]);
        cJSON_AddNumberToObject(j, "test_acc_plateau_end", acc[c->plateau_end]);
    }
    return j;
}

/* The test accuracy's jumps, each with the latest cycle onset at or before it (cycle -1: none yet). */
static cJSON *jumps_json(const gk_metrics *m, const double *acc, const gk_slingshot_cycle *cy, size_t nc, double jump) {
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 1; i < m->nrows; i++) {
        if (!finite2(acc[i], acc[i - 1]) || acc[i] - acc[i - 1] < jump) continue;
        long c = -1;
        for (size_t k = 0; k < nc && cy[k].onset <= i; k++) c = (long)k;
        const double step = gk_metrics_step_of(m, (long)i);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "step", step);
        cJSON_AddNumberToObject(j, "rise", acc[i] - acc[i - 1]);
        cJSON_AddNumberToObject(j, "cycle", (double)c);
        if (c >= 0) cJSON_AddNumberToObject(j, "steps_after_onset", step - gk_metrics_step_of(m, (long)cy[c].onset));
        else cJSON_AddNullToObject(j, "steps_after_onset");
        cJSON_AddItemToArray(list, j);
    }
    return list;
}

static cJSON *opts_json(const gk_slingshot_opts *o) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "spike_ratio", o->spike_ratio);
    cJSON_AddNumberToObject(j, "spike_floor", o->spike_floor);
    cJSON_AddNumberToObject(j, "growth_min", o->growth_min);
    cJSON_AddNumberToObject(j, "jump_min", o->jump_min);
    return j;
}

gk_status gk_slingshot_summarize(const gk_metrics *m, const char *norm_col, const char *loss_col, const char *acc_col,
                                 const gk_slingshot_opts *o, cJSON *sum, gk_error *err) {
    if (!o) o = &gk_slingshot_defaults;
    const int cn = gk_metrics_col(m, norm_col), cl = gk_metrics_col(m, loss_col);
    const int ca = acc_col ? gk_metrics_col(m, acc_col) : -1;
    if (cn < 0 || cl < 0)
        return gk_fail(err, GK_EINVAL, "slingshot: no column '%s' in the metrics", cn < 0 ? norm_col : loss_col);
    const size_t n = m->nrows, cap = n / 2 + 1;
    double *norm = malloc((n + 1) * sizeof(double)), *loss = malloc((n + 1) * sizeof(double));
    double *acc = ca >= 0 ? malloc((n + 1) * sizeof(double)) : NULL;
    gk_slingshot_cycle *cy = malloc(cap * sizeof *cy);
    if (!norm || !loss || !cy || (ca >= 0 && !acc)) {
        free(norm), free(loss), free(acc), free(cy);
        return gk_fail(err, GK_ENOMEM, "slingshot: out of memory for %zu rows", n);
    }
    gk_metrics_column(m, cn, norm), gk_metrics_column(m, cl, loss);
    if (acc) gk_metrics_column(m, ca, acc);
    size_t lone = 0, nc = gk_slingshot_find(norm, loss, n, o, cy, cap, &lone);
    nc = nc < cap ? nc : cap;
    cJSON *s = cJSON_AddObjectToObject(sum, "slingshot"), *list = cJSON_AddArrayToObject(s, "cycles");
    for (size_t c = 0; c < nc; c++) cJSON_AddItemToArray(list, cycle_json(m, &cy[c], acc));
    cJSON_AddNumberToObject(s, "n_cycles", (double)nc);
    cJSON_AddNumberToObject(s, "spikes_without_growth", (double)lone);
    if (acc) cJSON_AddItemToObject(s, "test_acc_jumps", jumps_json(m, acc, cy, nc, o->jump_min));
    cJSON_AddItemToObject(s, "options", opts_json(o));
    free(norm), free(loss), free(acc), free(cy);
    return GK_OK;
}
