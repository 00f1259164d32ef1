/* trainer.h: what every experiment trains with, written once.
 *
 * The trainer owns the flat parameter buffer theta (named by the model's gk_param_table), the initial
 * parameters theta0, the gradient, the optimizer state (AdamW moments, or a gradient-flow integrator) and the
 * step counter; it runs the step loop for GD (coupled weight decay), AdamW (decoupled) and gradient flow, and
 * it gives continuous time t = lr * step for all three. An experiment supplies the objective (loss and
 * gradient at theta) and, where its science needs a structured step (the diagonal net's fused update, XOR's
 * multi-seed lockstep), a step function that still runs inside this loop. Everything mutable is listed by
 * gk_trainer_visit, so a checkpoint is one call.
 *
 *   tr = {0}; gk_trainer_init(&tr, P, &opts, objective, NULL, E, err);
 *   model_init(..., tr.theta);  gk_trainer_start(&tr, err);      (theta0 = theta; the flow starts here)
 *   gk_trainer_advance(&tr, target, stop, err);                  (steps until tr.step == target)
 *
 * Minibatches: pass objective NULL to gk_trainer_init, then gk_trainer_set_batch_objective(&tr, f, n_train, err)
 * before gk_trainer_start; the trainer draws the examples of each step (opts.batch, sampler.h) and the full-batch
 * objective (sharpness, gradient flow, lr_auto) is f on all examples in order.
 *
 * One GD or AdamW update (gk_trainer_update), in this order: g += grad_noise N(0, 1); the gradient transforms
 * (perpendicular gradient, Grokfast filter); the optimizer with its weight decay (toward 0 or toward theta0) and,
 * for GD, momentum; theta += weight_noise N(0, 1); the fixed-norm projection; the float32 rounding. The noise
 * of step t is drawn from a seed hashed from (opts.seed, t), so a resumed run draws the same noise with no
 * generator state. The learning rate of step t (1-based) is lr x warmup(t) x schedule(t) (gk_trainer_lr_at).
 */
#ifndef GK_TRAINER_H
#define GK_TRAINER_H

#include "core/state.h"
#include "train/flow.h"
#include "train/sampler.h"
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

/* The training objective at theta: accumulates dL/dtheta into grad (zeroed by the trainer) and sets *loss. */
typedef gk_status (*gk_objective)(void *ud, const double *theta, double *grad, double *loss, gk_error *err);
/* A minibatch objective: the mean loss over train examples idx[0..n) at theta; accumulates d(loss)/d(theta)
 * into grad (zeroed by the trainer) and sets *loss. The trainer draws idx. */
typedef gk_status (*gk_batch_objective)(void *ud, const double *theta, const size_t *idx, size_t n, double *grad,
                                        double *loss, gk_error *err);

typedef struct gk_trainer gk_trainer;
/* One optimizer step done by the experiment itself; the trainer counts it (tr->step is the step being taken). */
typedef gk_status (*gk_step_fn)(void *ud, gk_trainer *tr, gk_error *err);

struct gk_trainer {
    gk_train_opts o;
    const gk_param_table *table; /* names the tensors of theta (for the weights .npy files): opts.table, or set by hand */
    size_t P;
    double *theta, *theta0, *grad;
    gk_adamw adam;
    gk_flow *flow;
    double *filt;                     /* EMA: P; MA: filter_window x P ring of past gradients, then their sum */
    long filt_count;                  /* gradients seen by the filter */
    long step;
    double lr_step;                   /* the GD step size of the step being taken (o.lr unless lr_auto) */
    /* lr_auto state (checkpointed when on): time reached, the measured step size, the next measurement */
    double t, lr_now, lr_measured, lr_min, lr_max;
    double lr_objective;              /* the objective (loss + wd |theta|^2 / 2) at the start of the last step */
    long lr_next_measure, lr_measures, lr_halvings;
    gk_objective objective;
    gk_step_fn step_fn;
    void *ud;
    /* minibatches: the experiment's objective, the train examples, the sampler (minibatch only) and 0..n-1 */
    gk_batch_objective batch_objective;
    void *batch_ud;
    size_t n_train;
    int minibatch;
    gk_batch_cycle sampler;
    size_t *all_idx;
    double *velocity;                 /* GD momentum buffer */
    double norm_held;                 /* fixed_norm: the norm theta is rescaled to */
};

/* Allocates the buffers (theta zeroed) and the optimizer state. objective may be NULL only with step_fn. */
gk_status gk_trainer_init(gk_trainer *tr, size_t P, const gk_train_opts *o, gk_objective objective, gk_step_fn step_fn,
                          void *ud, gk_error *err);
/* After theta was initialised: theta0 = theta, and for gradient flow the integrator starts at theta. */
gk_status gk_trainer_start(gk_trainer *tr, gk_error *err);
/* After gk_trainer_init (with objective NULL) and before gk_trainer_start: train on minibatches of the n_train
 * examples (opts.batch of them per step; batch = 0 or >= n_train: full batch, idx = 0..n_train-1 in order). */
gk_status gk_trainer_set_batch_objective(gk_trainer *tr, gk_batch_objective f, size_t n_train, gk_error *err);
/* A deterministic 64-bit seed for randomness inside step tr->step (dropout masks, online samples, the noise):
 * a hash of opts.seed, the step and the stream, so a resumed run draws the same values with no RNG state. */
uint64_t gk_trainer_step_seed(const gk_trainer *tr, uint64_t stream);
/* The learning rate of step t (1-based; the step being taken is tr->step + 1): lr x min(t / warmup, 1) x the
 * schedule's factor (cosine: min_lr_frac + (1 - min_lr_frac) (1 + cos(pi s)) / 2, s = (t - warmup) /
 * (schedule_steps - warmup) clipped to [0, 1]). */
double gk_train_lr_at(const gk_train_opts *o, long t);
/* The schedule's factor alone (1 for constant; AdamW applies its own warmup). */
double gk_train_schedule_factor(const gk_train_opts *o, long t);
/* Steps until tr->step == target, checking *stop between steps (then GK_OK with tr->step < target).
 * A non-finite training loss returns GK_ENONFINITE naming the step. */
gk_status gk_trainer_advance(gk_trainer *tr, long target, const volatile int *stop, gk_error *err);
/* GK_ENONFINITE naming the step if loss is not finite. For step functions. */
gk_status gk_trainer_check_loss(const gk_trainer *tr, double loss, gk_error *err);
/* One GD or AdamW update with the gradient in tr->grad (for step functions that compute it themselves): the
 * gradient transforms first (perpendicular projection, then the Grokfast filter), then the optimizer. */
void gk_trainer_update(gk_trainer *tr);
/* The transforms alone, on tr->grad (gk_trainer_update calls them). */
void gk_trainer_perp(gk_trainer *tr);
void gk_trainer_filter(gk_trainer *tr);
/* The interventions alone (interventions.c; gk_trainer_update calls them): gradient noise on tr->grad, the GD
 * step (coupled decay toward 0 or theta0, momentum) at tr->lr_step, the AdamW step (decoupled decay toward 0
 * or theta0), weight noise and the fixed-norm projection on tr->theta. */
void gk_trainer_grad_noise(gk_trainer *tr);
void gk_trainer_gd_step(gk_trainer *tr);
void gk_trainer_adamw_step(gk_trainer *tr);
void gk_trainer_weight_noise(gk_trainer *tr);
void gk_trainer_project_norm(gk_trainer *tr);
/* 1 if a transform is on (an experiment with a fused step must then use the plain one). */
static inline int gk_trainer_transforms_on(const gk_train_opts *o) { return o->perp || o->filter != GK_FILTER_NONE; }

/* t at a step of a fixed-lr run (lr x step). */
static inline double gk_trainer_time(const gk_trainer *tr, long step) { return tr->o.lr * (double)step; }
/* t now: the time reached (lr_auto: the sum of the steps taken). */
static inline double gk_trainer_now(const gk_trainer *tr) {
    return tr->o.lr_auto.on ? tr->t : gk_trainer_time(tr, tr->step);
}
/* lr_auto: steps until t == t_target (the last step shortened to land on it), checking *stop between steps. */
gk_status gk_trainer_advance_time(gk_trainer *tr, double t_target, const volatile int *stop, gk_error *err);
double gk_trainer_param_norm(const gk_trainer *tr);
/* ||theta - theta0|| / ||theta0|| (NaN when theta0 = 0). */
double gk_trainer_rel_dist(const gk_trainer *tr);

/* cos(grad L, theta) of the objective's gradient at theta: near -1 when the gradient only scales the weights up
 * (naive loss minimisation, Prieto et al. 2025 Sec. 4); NaN if the objective fails or a norm is 0. tr->grad is
 * scratch. */
double gk_trainer_grad_weight_cos(gk_trainer *tr, gk_error *err);
/* Lists the mutable state (theta, step, optimizer moments, integrator) for a checkpoint. */
void gk_trainer_visit(gk_trainer *tr, gk_state *s);
void gk_trainer_free(gk_trainer *tr);

/* The sharpness: the largest eigenvalue of the Hessian of the training objective at theta, with the weight
 * decay's wd I for GD (coupled decay is part of the objective), by power iteration on Hessian-vector products
 * taken as central differences of gradients, Hv ~ (g(theta + e v) - g(theta - e v)) / (2 e), from a fixed
 * random start (deterministic). If the iteration settles on a negative eigenvalue, it is run again on the
 * shifted H - lambda I to reach the top one. The difference quotient's error is O(e^2) in the third derivative
 * (e = fd_step, or 1e-5 x max(1, |theta|_rms) for fd_step = 0); at ReLU kinks a small e reads spurious, huge
 * curvatures (a kink between theta - e v and theta + e v), so lr_auto takes e = the GD step's length. Needs the
 * objective. theta is left unchanged;
 * tr->grad is used as scratch. */
gk_status gk_trainer_sharpness(gk_trainer *tr, int iters, double fd_step, double *lambda, gk_error *err);
#define GK_SHARPNESS_PARAM                                                                                     \
    {"sharpness_every", GK_P_INT, "0", 0, 1e9, 0, 0, NULL,                                                     \
     "every K eval points, the top Hessian eigenvalue of the training loss (column sharpness; 0 = off)"}

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
