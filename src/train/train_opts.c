/* train_opts.c: the readers of the trainer's keys and the learning rate of a step (train_opts.h). */
#include "train/train_opts.h"

#include <math.h>
#include <string.h>

double gk_train_schedule_factor(const gk_train_opts *o, long t) {
    if (o->schedule != GK_SCHEDULE_COSINE || t <= o->warmup) return 1.0;
    const double span = (double)(o->schedule_steps - o->warmup);
    double s = span > 0 ? (double)(t - o->warmup) / span : 1.0;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    return o->min_lr_frac + (1 - o->min_lr_frac) * 0.5 * (1 + cos(M_PI * s));
}

double gk_train_lr_at(const gk_train_opts *o, long t) {
    const double lr = o->warmup > 0 && t < o->warmup ? o->lr * (double)t / (double)o->warmup : o->lr;
    return lr * gk_train_schedule_factor(o, t);
}

void gk_train_opts_batch_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->batch = gk_config_int(cfg, "batch");
    o->batch_replace = gk_config_bool(cfg, "batch_replace");
    o->seed = (uint64_t)gk_config_int(cfg, "seed");
}

void gk_train_opts_sgd_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->optim = GK_OPTIM_GD;
    o->lr = gk_config_real(cfg, "lr"), o->wd = gk_config_real(cfg, "wd");
    o->momentum = gk_config_real(cfg, "momentum");
    o->nesterov = gk_config_bool(cfg, "nesterov");
}

void gk_train_opts_interventions_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->grad_noise = gk_config_real(cfg, "grad_noise");
    o->weight_noise = gk_config_real(cfg, "weight_noise");
    o->decay_to_init = gk_config_bool(cfg, "decay_to_init");
    o->fixed_norm = gk_config_bool(cfg, "fixed_norm");
    o->norm_target = gk_config_real(cfg, "norm_target");
    o->seed = (uint64_t)gk_config_int(cfg, "seed");
}

void gk_train_opts_from_config(const gk_config *cfg, gk_train_opts *o) {
    const gk_optim_kind optim = o->optim;
    o->lr = gk_config_real(cfg, "lr"), o->wd = gk_config_real(cfg, "wd");
    if (gk_config_index(cfg, "beta1") >= 0) gk_train_opts_adamw_from_config(cfg, o);
    if (gk_config_index(cfg, "grad") >= 0) gk_train_opts_transforms_from_config(cfg, o);
    if (gk_config_index(cfg, "batch") >= 0) gk_train_opts_batch_from_config(cfg, o);
    if (gk_config_index(cfg, "momentum") >= 0) gk_train_opts_sgd_from_config(cfg, o);
    if (gk_config_index(cfg, "grad_noise") >= 0) gk_train_opts_interventions_from_config(cfg, o);
    if (gk_config_index(cfg, "schedule") >= 0) gk_train_opts_schedule_from_config(cfg, o);
    o->optim = optim;
}

void gk_train_opts_schedule_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->schedule = strcmp(gk_config_str(cfg, "schedule"), "cosine") ? GK_SCHEDULE_CONSTANT : GK_SCHEDULE_COSINE;
    o->min_lr_frac = gk_config_real(cfg, "min_lr_frac");
    o->schedule_steps = gk_config_int(cfg, "steps");
    if (gk_config_index(cfg, "warmup") >= 0) o->warmup = gk_config_int(cfg, "warmup");
}

void gk_train_opts_transforms_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->perp = !strcmp(gk_config_str(cfg, "grad"), "perp");
    o->perp_rescale = gk_config_bool(cfg, "perp_rescale");
    const char *f = gk_config_str(cfg, "filter");
    o->filter = !strcmp(f, "ema") ? GK_FILTER_EMA : !strcmp(f, "ma") ? GK_FILTER_MA : GK_FILTER_NONE;
    o->filter_alpha = gk_config_real(cfg, "filter_alpha");
    o->filter_lambda = gk_config_real(cfg, "filter_lambda");
    o->filter_window = gk_config_int(cfg, "filter_window");
}

void gk_train_opts_adamw_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->lr = gk_config_real(cfg, "lr"), o->wd = gk_config_real(cfg, "wd");
    o->beta1 = gk_config_real(cfg, "beta1"), o->beta2 = gk_config_real(cfg, "beta2");
    o->eps = gk_config_real(cfg, "eps");
    /* the warmup key of the AdamW keys is AdamW's: GD presets that share the spec table never warmed up */
    if (o->optim == GK_OPTIM_ADAMW) o->warmup = gk_config_int(cfg, "warmup");
}

void gk_train_opts_lr_auto_from_config(const gk_config *cfg, gk_train_opts *o) {
    o->lr_auto = (gk_lr_auto_opts){gk_config_bool(cfg, "lr_auto"), gk_config_real(cfg, "lr_auto_c"),
                                   gk_config_real(cfg, "lr_auto_growth"), gk_config_int(cfg, "lr_auto_every"),
                                   (int)gk_config_int(cfg, "lr_auto_iters")};
}

gk_status gk_train_opts_flow_from_config(const gk_config *cfg, gk_train_opts *o, gk_error *err) {
    int use_flow = 0;
    gk_status s = gk_flow_opts_from_config(cfg, o->lr * (double)gk_config_int(cfg, "steps"), &use_flow, &o->flow, err);
    if (!s) o->optim = use_flow ? GK_OPTIM_FLOW : GK_OPTIM_GD;
    return s;
}
