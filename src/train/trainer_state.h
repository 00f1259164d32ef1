/* trainer_state.h: the trainer's state (struct gk_trainer) and the objectives it calls; the functions that act
 * on it are in trainer.h (the step loop) and interventions.h (what one update does beyond the plain step). */
#ifndef GK_TRAINER_STATE_H
#define GK_TRAINER_STATE_H

#include "train/sampler.h"
#include "train/train_opts.h"

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

#endif
