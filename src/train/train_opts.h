/* train_opts.h: what a trainer is asked to do (gk_train_opts), the keys that ask it (declared once, placed in
 * an experiment's spec table) and their readers, and the learning rate of a step. See trainer.h. */
#ifndef GK_TRAIN_OPTS_H
#define GK_TRAIN_OPTS_H

#include "core/state.h"
#include "train/flow.h"
#include "train/train.h"

typedef enum gk_optim_kind { GK_OPTIM_GD, GK_OPTIM_ADAMW, GK_OPTIM_FLOW } gk_optim_kind;
typedef enum gk_filter_kind { GK_FILTER_NONE, GK_FILTER_EMA, GK_FILTER_MA } gk_filter_kind;
typedef enum gk_schedule_kind { GK_SCHEDULE_CONSTANT, GK_SCHEDULE_COSINE } gk_schedule_kind;

/* Minibatches (read with gk_train_opts_batch_from_config; the sampler's seed is the `seed` key). */
#define GK_BATCH_PARAMS(batch_default)                                                                              \
    {"batch", GK_P_INT, batch_default, 0, 1e9, 0, 0, NULL,                                                         \
     "minibatch size (0, or at least the train set: full batch, every example in order)"},                         \
    {"batch_replace", GK_P_BOOL, "0", 0, 1, 0, 0, NULL,                                                            \
     "0: a new permutation each epoch (each example once per epoch); 1: each minibatch drawn with replacement"}
/* SGD's momentum (GD only; read with gk_train_opts_sgd_from_config, which also reads lr and wd). */
#define GK_SGD_PARAMS                                                                                               \
    {"momentum", GK_P_REAL, "0", 0, 1, 0, 1, NULL,                                                                 \
     "GD heavy-ball momentum mu (PyTorch SGD: v = mu v + g + wd theta, theta -= lr v)"},                            \
    {"nesterov", GK_P_BOOL, "0", 0, 1, 0, 0, NULL, "momentum: Nesterov's form (theta -= lr (g + wd theta + mu v))"}
/* Interventions on the weights and gradients (read with gk_train_opts_interventions_from_config). */
#define GK_INTERVENTION_PARAMS                                                                                      \
    {"grad_noise", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL, "Gaussian gradient noise: g += grad_noise N(0, 1) each step"}, \
    {"weight_noise", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL,                                                      \
     "Gaussian weight noise: theta += weight_noise N(0, 1) after each update (Power et al. 2022 Fig. 2)"},          \
    {"decay_to_init", GK_P_BOOL, "0", 0, 1, 0, 0, NULL, "weight decay pulls toward the initial parameters, not 0"}, \
    {"fixed_norm", GK_P_BOOL, "0", 0, 1, 0, 0, NULL,                                                               \
     "after each update rescale all parameters to one global L2 norm (Omnigrok's constrained runs)"},               \
    {"norm_target", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL, "fixed_norm: the norm held (0: the initial norm)"}
/* The learning-rate schedule after the warmup (read with gk_train_opts_schedule_from_config). */
#define GK_SCHEDULE_PARAMS                                                                                          \
    {"schedule", GK_P_ENUM, "constant", 0, 0, 0, 0, "constant|cosine",                                             \
     "after the warmup: constant lr, or cosine decay to lr x min_lr_frac at the last step"},                       \
    {"min_lr_frac", GK_P_REAL, "0", 0, 1, 0, 0, NULL, "schedule=cosine: the final lr as a fraction of lr"}
/* The warmup of an experiment without the AdamW keys (which hold their own `warmup`). */
#define GK_WARMUP_PARAM {"warmup", GK_P_INT, "0", 0, 1e12, 0, 0, NULL, "linear warmup steps (lr_t = lr min(t/warmup, 1))"}

/* The keys of the gradient transforms, for experiments that train with GD or AdamW (place inside the spec
 * table; read with gk_train_opts_transforms_from_config). */
#define GK_TRANSFORM_PARAMS                                                                                         \
    {"grad", GK_P_ENUM, "plain", 0, 0, 0, 0, "plain|perp",                                                         \
     "perp: remove from each tensor's gradient its component along the tensor (Prieto et al. 2025, perpendicular "  \
     "gradient)"},                                                                                                  \
    {"perp_rescale", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "grad=perp: rescale each tensor's result to its gradient's norm"}, \
    {"filter", GK_P_ENUM, "none", 0, 0, 0, 0, "none|ema|ma",                                                       \
     "Grokfast: add filter_lambda x (an EMA or a moving average of past gradients) to the gradient (Lee et al. 2024)"}, \
    {"filter_alpha", GK_P_REAL, "0.98", 0, 1, 0, 1, NULL, "filter=ema: the EMA's decay alpha (h = alpha h + (1 - alpha) g)"}, \
    {"filter_lambda", GK_P_REAL, "2", 0, INFINITY, 0, 0, NULL, "filter=ema|ma: the amplification lambda"},     \
    {"filter_window", GK_P_INT, "100", 1, 10000, 0, 0, NULL, "filter=ma: the window of the moving average (steps)"}

/* lr_auto (Lyu et al.'s flow followed with large GD steps, issue 19): the step size is lr = c / sharpness,
 * re-measured every `every` steps by `iters` power iterations, and may grow by at most `growth` per
 * measurement (from the last measured value); a rise of the objective across a step (by more than 1e-3
 * relative) halves it at once, down to 1/16 of the measured value, until the next measurement. Time t advances
 * by the step size taken; the driver lands evals on given times by shortening the step before each. GD only,
 * through the trainer's own update (gk_trainer_update). */
typedef struct gk_lr_auto_opts {
    int on;
    double c, growth;
    long every;
    int iters;
} gk_lr_auto_opts;

#define GK_LR_AUTO_PARAMS                                                                                          \
    {"lr_auto", GK_P_BOOL, "0", 0, 1, 0, 0, NULL,                                                                  \
     "GD: set each step from the measured sharpness (lr = lr_auto_c / sharpness) and follow the gradient flow in t; " \
     "evals land on the fixed-lr run's times, and the run ends at t_end"},                                          \
    {"lr_auto_c", GK_P_REAL, "1", 0, 2, 1, 1, NULL, "lr_auto: the bound c on lr x sharpness (GD is stable below 2)"}, \
    {"lr_auto_every", GK_P_INT, "100", 1, 1e9, 0, 0, NULL, "lr_auto: steps between sharpness measurements"},         \
    {"lr_auto_growth", GK_P_REAL, "1.25", 1, INFINITY, 0, 0, NULL, "lr_auto: the most lr may grow per measurement"},  \
    {"lr_auto_iters", GK_P_INT, "20", 1, 10000, 0, 0, NULL, "lr_auto: power iterations per sharpness measurement"},  \
    {"t_end", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL, "lr_auto: the time t at which the run ends (0: steps x lr)"}

typedef struct gk_train_opts {
    gk_optim_kind optim;
    double lr, wd;                    /* GD: theta -= lr (g + wd theta); AdamW: decoupled; flow: t = lr * step */
    double beta1, beta2, eps;         /* AdamW */
    long warmup;                      /* linear warmup steps (GD and AdamW) */
    gk_schedule_kind schedule;        /* after the warmup: constant, or cosine to lr x min_lr_frac at schedule_steps */
    double min_lr_frac;
    long schedule_steps;
    long batch;                       /* minibatch size (0 or >= n_train: full batch) */
    int batch_replace;                /* 0: epoch shuffles; 1: with replacement */
    uint64_t seed;                    /* sampler, noise and step seeds */
    double momentum;                  /* GD: heavy-ball momentum (0: plain GD) */
    int nesterov;
    double grad_noise, weight_noise;  /* Gaussian scales */
    int decay_to_init;                /* weight decay toward theta0 (GD and AdamW) */
    int fixed_norm;                   /* after each update rescale theta to norm_target (0: |theta0|) */
    double norm_target;
    gk_flow_opts flow;                /* flow */
    int perp, perp_rescale;           /* perpendicular gradient (per tensor of the table) */
    gk_filter_kind filter;            /* Grokfast filter of the gradient */
    double filter_alpha, filter_lambda;
    long filter_window;
    gk_lr_auto_opts lr_auto;          /* GD: the step size set from the measured sharpness */
    int no_grad;                      /* a step function that needs no gradient buffer (tr->grad stays NULL) */
    int f32_params;                   /* precision=f32: theta (and the AdamW moments) rounded to float after each update */
    const gk_param_table *table;      /* the model's tensors (sets gk_trainer.table; P must be its size), or NULL */
} gk_train_opts;

/* 1 if a transform is on (an experiment with a fused step must then use the plain one). */
static inline int gk_trainer_transforms_on(const gk_train_opts *o) { return o->perp || o->filter != GK_FILTER_NONE; }

/* The learning rate of step t (1-based; the step being taken is tr->step + 1): lr x min(t / warmup, 1) x the
 * schedule's factor (cosine: min_lr_frac + (1 - min_lr_frac) (1 + cos(pi s)) / 2, s = (t - warmup) /
 * (schedule_steps - warmup) clipped to [0, 1]). */
double gk_train_lr_at(const gk_train_opts *o, long t);
/* The schedule's factor alone (1 for constant; AdamW applies its own warmup). */
double gk_train_schedule_factor(const gk_train_opts *o, long t);

/* Reads the GK_TRANSFORM_PARAMS keys into o. */
void gk_train_opts_transforms_from_config(const gk_config *cfg, gk_train_opts *o);
/* The AdamW keys of an experiment that trains with it (the defaults of beta2 and warmup as text). */
#define GK_ADAMW_PARAMS(beta2_default, warmup_default)                                                            \
    {"beta1", GK_P_REAL, "0.9", 0, 1, 0, 1, NULL, "AdamW beta1"},                                                   \
    {"beta2", GK_P_REAL, beta2_default, 0, 1, 0, 1, NULL, "AdamW beta2"},                                           \
    {"eps", GK_P_REAL, "1e-8", 0, INFINITY, 1, 0, NULL, "AdamW epsilon"},                                           \
    {"warmup", GK_P_INT, warmup_default, 0, 1e12, 0, 0, NULL, "AdamW linear warmup steps (lr_t = lr min(t/warmup, 1))"}
/* Reads lr, wd and the GK_ADAMW_PARAMS keys into o (warmup only when o->optim is already GK_OPTIM_ADAMW). */
void gk_train_opts_adamw_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads the GK_LR_AUTO_PARAMS keys into o (t_end is the driver's). */
void gk_train_opts_lr_auto_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads the GK_BATCH_PARAMS keys and `seed` into o. */
void gk_train_opts_batch_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads lr, wd and the GK_SGD_PARAMS keys into o (optim GD). */
void gk_train_opts_sgd_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads the GK_INTERVENTION_PARAMS keys and `seed` into o. */
void gk_train_opts_interventions_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads the GK_SCHEDULE_PARAMS keys, `steps` (the schedule's end) and `warmup` when the spec has GK_WARMUP_PARAM. */
void gk_train_opts_schedule_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads lr and wd and every group of keys above whose first key the spec table has (GK_ADAMW_PARAMS,
 * GK_TRANSFORM_PARAMS, GK_BATCH_PARAMS, GK_SGD_PARAMS, GK_INTERVENTION_PARAMS, GK_SCHEDULE_PARAMS with the warmup);
 * o->optim is kept (set it first). */
void gk_train_opts_from_config(const gk_config *cfg, gk_train_opts *o);
/* Reads the flow keys (opt, rtol, atol, flow_method, flow_dense) into o: optim = FLOW for opt=flow, GD otherwise. */
gk_status gk_train_opts_flow_from_config(const gk_config *cfg, gk_train_opts *o, gk_error *err);

#endif
