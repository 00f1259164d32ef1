/* api.c: the public API of include/groklab.h over the experiment layer: presets and their keys, configs,
 * one run, the theory references, sweeps. A thin layer: every call goes to gk_preset_config, gk_run,
 * gk_theory_report or the sweep functions of exp/sweep.h. It never prints. */
#include "run/run.h"
#include "run/sweep.h"
#include "io/fsutil.h"

#include <stdlib.h>
#include <string.h>

const char *gk_version(void) { return GK_VERSION; }
void gk_free(void *p) { free(p); }

size_t gk_preset_count(void) {
    size_t n = 0;
    while (gk_preset_at(n)) n++;
    return n;
}

void gk_preset_describe(const gk_preset *p, gk_preset_info *out) {
    *out = (gk_preset_info){.name = p->name, .experiment = p->type->name, .paper = p->paper, .figure = p->figure,
                            .shows = p->shows};
}

int gk_preset_nparams(const gk_preset *p) {
    int n = 0;
    while (p->type->params[n].key) n++;
    return n;
}

static const char *kind_name(gk_param_kind k) {
    static const char *const names[] = {"int", "real", "enum", "bool", "string"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

gk_status gk_preset_param(const gk_preset *p, int i, gk_param_info *out, gk_error *err) {
    if (i < 0 || i >= gk_preset_nparams(p))
        return gk_fail(err, GK_EINVAL, "preset %s has %d keys, not key %d", p->name, gk_preset_nparams(p), i);
    gk_config cfg;
    gk_status s = gk_preset_config(p, NULL, 0, &cfg, err);
    if (s) return s;
    const gk_param_spec *ps = &cfg.spec[i];
    memset(out, 0, sizeof *out);
    out->key = ps->key;
    out->kind = ps->kind;
    out->kind_name = kind_name(ps->kind);
    snprintf(out->def, sizeof out->def, "%s", cfg.str[i]);
    gk_param_range_str(ps, out->range, sizeof out->range);
    out->help = ps->help;
    return GK_OK;
}

char *gk_config_json(const gk_preset *p, const gk_config *cfg) {
    cJSON *o = gk_config_to_json(p, cfg);
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    return text; /* cJSON allocates with malloc: gk_free */
}

/* ---- one run ------------------------------------------------------------------------------------------ */

typedef struct progress_bridge {
    const gk_run_options *o;
} progress_bridge;

static void bridge_progress(void *ud, const gk_progress *p) {
    const progress_bridge *b = ud;
    const gk_metrics *m = p->m;
    gk_run_progress q = {.preset = p->preset, .step = p->step, .steps = p->steps, .elapsed = p->elapsed,
                         .eta = p->eta, .ncols = m ? m->ncols : 0, .names = m ? m->names : NULL,
                         .row = m && m->nrows ? m->rows + (m->nrows - 1) * (size_t)m->ncols : NULL};
    b->o->progress(b->o->ud, &q);
}

gk_status gk_run_config(const gk_preset *p, const gk_config *cfg, const gk_run_options *o, gk_status *outcome,
                        gk_error *err) {
    *outcome = GK_EFAILED;
    if (!o || !o->out_dir || !o->out_dir[0]) return gk_fail(err, GK_EINVAL, "a run needs an output directory");
    progress_bridge b = {o};
    gk_run_opts opts = {.out_dir = o->out_dir, .save_data = o->save_data, .stop = o->stop,
                        .progress = o->progress ? bridge_progress : NULL, .ud = &b, .csv_interval = 2.0,
                        .checkpoint_every = o->checkpoint_every == 0   ? GK_CHECKPOINT_EVERY_DEFAULT
                                            : o->checkpoint_every < 0 ? 0
                                                                      : o->checkpoint_every};
    gk_run_result res;
    gk_status s = gk_run(p, cfg, &opts, &res, err);
    if (res.summary) cJSON_Delete(res.summary);
    if (s) return s;
    *outcome = res.status;
    if (res.status) gk_fail(err, res.status, "%s", res.error);
    return GK_OK;
}

static gk_status find_preset(const char *name, const gk_preset **p, gk_error *err) {
    *p = name ? gk_preset_find(name) : NULL;
    if (!*p) return gk_fail(err, GK_EINVAL, "unknown preset '%s' (groklab list shows them all)", name ? name : "");
    return GK_OK;
}

gk_status gk_run_preset(const char *preset, const char *const *assign, int nassign, const gk_run_options *o,
                        gk_status *outcome, gk_error *err) {
    *outcome = GK_EFAILED;
    const gk_preset *p;
    gk_status s = find_preset(preset, &p, err);
    gk_config cfg;
    if (!s) s = gk_preset_config(p, assign, nassign, &cfg, err);
    return s ? s : gk_run_config(p, &cfg, o, outcome, err);
}

static gk_status config_columns(const gk_preset *p, const gk_config *cfg, char **names, gk_error *err) {
    void *exp = NULL;
    gk_thread_settings caller = gk_apply_threads(cfg);
    gk_status s = p->type->create(cfg, &exp, err);
    if (s) {
        gk_restore_threads(caller);
        return s;
    }
    gk_metrics m;
    gk_metrics_init(&m);
    s = gk_declare_columns(p, cfg, exp, &m, err);
    size_t len = 1;
    for (int c = 0; c < m.ncols; c++) len += strlen(m.names[c]) + 1;
    char *buf = s ? NULL : calloc(len, 1);
    if (!s && !buf) s = gk_fail(err, GK_ENOMEM, "out of memory");
    for (int c = 0; buf && c < m.ncols; c++) {
        if (c) strcat(buf, ",");
        strcat(buf, m.names[c]);
    }
    p->type->destroy(exp); /* the names may belong to the experiment: copied above */
    gk_metrics_free(&m);
    gk_restore_threads(caller);
    *names = buf;
    return s;
}

gk_status gk_preset_columns(const char *preset, const char *const *assign, int nassign, char **names, gk_error *err) {
    *names = NULL;
    const gk_preset *p;
    gk_config cfg;
    gk_status s = find_preset(preset, &p, err);
    if (!s) s = gk_preset_config(p, assign, nassign, &cfg, err);
    return s ? s : config_columns(p, &cfg, names, err);
}

gk_status gk_theory_preset(const char *preset, const char *const *assign, int nassign, char **json, gk_error *err) {
    *json = NULL;
    const gk_preset *p;
    gk_config cfg;
    gk_status s = find_preset(preset, &p, err);
    if (!s) s = gk_preset_config(p, assign, nassign, &cfg, err);
    if (!s && gk_config_index(&cfg, "references") >= 0) s = gk_config_set(&cfg, "references=1", err);
    cJSON *o = NULL;
    if (!s) s = gk_theory_report(p, &cfg, &o, err);
    if (s) return s;
    *json = cJSON_Print(o);
    cJSON_Delete(o);
    return *json ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
}

/* ---- sweeps ------------------------------------------------------------------------------------------- */

static gk_status sweep_points(const gk_sweep *sw, const gk_sweep_options *o, gk_error *err) {
    for (size_t k = 0; k < sw->npoints; k++) {
        if (o->stop && *o->stop) break;
        char name[512];
        gk_sweep_point_name(sw, k, name, sizeof name);
        gk_status outcome = GK_OK;
        if (!gk_sweep_point_done(sw, k, o->out_dir)) {
            gk_status s = gk_sweep_run_point(sw, k, o->out_dir, o->stop, &outcome, err);
            if (s) return s;
        }
        if (o->point_done) o->point_done(o->ud, k, sw->npoints, name, outcome);
    }
    return GK_OK;
}

/* A key with one value ("key=v", no ',' or ':') is fixed rather than swept: it joins the preset's overrides,
 * so that it takes no grid axis (a sweep has at most GK_SWEEP_MAX_AXES). Checked first: a bad one is an error. */
static gk_status fixed_keys(const gk_preset *p, const char *const *args, int nargs, char *buf, size_t len,
                            const char **grid, int *ngrid, gk_error *err) {
    const char *fixed[256];
    int nfixed = 0;
    *ngrid = 0;
    if (nargs > 256) return gk_fail(err, GK_EINVAL, "too many keys (at most 256)");
    for (int i = 0; i < nargs; i++) {
        const char *eq = strchr(args[i], '=');
        if (eq && !strpbrk(eq, ",:")) fixed[nfixed++] = args[i];
        else grid[(*ngrid)++] = args[i];
    }
    gk_config cfg;
    gk_status s = gk_preset_config(p, fixed, nfixed, &cfg, err);
    if (s) return s;
    size_t used = (size_t)snprintf(buf, len, "%s", p->overrides ? p->overrides : "");
    for (int i = 0; i < nfixed && used < len; i++) used += (size_t)snprintf(buf + used, len - used, " %s", fixed[i]);
    return used < len ? GK_OK : gk_fail(err, GK_EINVAL, "the fixed keys of the sweep are too long");
}

gk_status gk_sweep_preset(const char *preset, const char *const *args, int nargs, const gk_sweep_options *o,
                          size_t *completed, gk_error *err) {
    *completed = 0;
    if (!o || !o->out_dir || !o->out_dir[0]) return gk_fail(err, GK_EINVAL, "a sweep needs an output directory");
    const gk_preset *p;
    gk_status s = find_preset(preset, &p, err);
    if (s) return s;
    char overrides[1024];
    const char *grid[256];
    int ngrid = 0;
    s = fixed_keys(p, args, nargs, overrides, sizeof overrides, grid, &ngrid, err);
    if (s) return s;
    gk_preset q = *p; /* the preset with the fixed keys among its overrides */
    q.overrides = overrides;
    gk_sweep sw;
    memset(&sw, 0, sizeof sw);
    s = gk_sweep_parse(&sw, &q, grid, ngrid, o->seeds, err);
    if (s) return s;
    sw.steps_per_tstar = o->steps_per_tstar;
    sw.checkpoint_every = o->checkpoint_every;
    s = gk_sweep_validate(&sw, err);
    char *identity = s ? NULL : gk_sweep_identity(preset, args, nargs, o->seeds, o->steps_per_tstar);
    if (!s && !identity) s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) s = gk_mkdir_p(o->out_dir, err);
    if (!s) s = gk_remove_stale_temps(o->out_dir, NULL, err);
    if (!s) s = gk_sweep_claim_dir(o->out_dir, identity, o->force, 1, err);
    free(identity);
    if (!s) s = sweep_points(&sw, o, err);
    gk_sweep_table tab;
    memset(&tab, 0, sizeof tab);
    if (!s) s = gk_sweep_collect(&sw, o->out_dir, &tab, err);
    if (!s) s = gk_sweep_write_csv(&sw, &tab, o->out_dir, err);
    if (!s) {
        char notes[512] = "", files[512] = "";
        *completed = tab.completed;
        s = gk_sweep_figures(&sw, &tab, o->out_dir, o->zkey ? o->zkey : "test_grok_step", notes, sizeof notes, files,
                             sizeof files, err);
        gk_sweep_curve_opts curve = {.y = {o->zkey ? o->zkey : "test_grok_step"}, .ny = 1};
        int drawn = 0; /* one swept key: curve.png and sweep_curve.json, as `groklab sweep` draws them */
        if (!s) s = gk_sweep_curve(&sw, &tab, o->out_dir, &curve, notes, sizeof notes, &drawn, err);
    }
    if (tab.status) gk_sweep_table_free(&tab);
    if (!s && o->stop && *o->stop) s = gk_fail(err, GK_EINTERRUPTED, "sweep interrupted");
    gk_sweep_free(&sw);
    return s;
}
