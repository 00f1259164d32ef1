/* interventions.h: one GD or AdamW update's parts beyond the plain step (interventions.c): per-step seeds,
 * gradient and weight noise, momentum, weight decay toward 0 or theta0, the fixed-norm projection. */
#ifndef GK_INTERVENTIONS_H
#define GK_INTERVENTIONS_H

#include "train/trainer_state.h"

/* A deterministic 64-bit seed for randomness inside step tr->step (dropout masks, online samples, the noise):
 * a hash of opts.seed, the step and the stream, so a resumed run draws the same values with no RNG state. */
uint64_t gk_trainer_step_seed(const gk_trainer *tr, uint64_t stream);
/* The interventions alone (interventions.c; gk_trainer_update calls them): gradient noise on tr->grad, the GD
 * step (coupled decay toward 0 or theta0, momentum) at tr->lr_step, the AdamW step (decoupled decay toward 0
 * or theta0), weight noise and the fixed-norm projection on tr->theta. */
void gk_trainer_grad_noise(gk_trainer *tr);
void gk_trainer_gd_step(gk_trainer *tr);
void gk_trainer_adamw_step(gk_trainer *tr);
void gk_trainer_weight_noise(gk_trainer *tr);
void gk_trainer_project_norm(gk_trainer *tr);

#endif
