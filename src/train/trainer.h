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

#include "train/trainer_state.h"
#include "train/interventions.h"


/* Allocates the buffers (theta zeroed) and the optimizer state. objective may be NULL only with step_fn. */
gk_status gk_trainer_init(gk_trainer *tr, size_t P, const gk_train_opts *o, gk_objective objective, gk_step_fn step_fn,
                          void *ud, gk_error *err);
/* After theta was initialised: theta0 = theta, and for gradient flow the integrator starts at theta. */
gk_status gk_trainer_start(gk_trainer *tr, gk_error *err);
/* After gk_trainer_init (with objective NULL) and before gk_trainer_start: train on minibatches of the n_train
 * examples (opts.batch of them per step; batch = 0 or >= n_train: full batch, idx = 0..n_train-1 in order). */
gk_status gk_trainer_set_batch_objective(gk_trainer *tr, gk_batch_objective f, size_t n_train, gk_error *err);
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


#endif
