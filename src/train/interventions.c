/* interventions.c: what a GD or AdamW update can do beyond the plain step (see trainer.h): Gaussian gradient and
 * weight noise drawn from per-step seeds, momentum (heavy-ball and Nesterov, as PyTorch's SGD), weight decay
 * toward 0 or toward the initial parameters, the fixed-norm projection, the learning-rate schedule, and the
 * readers of their keys. */
#include "train/interventions.h"

#include <math.h>
#include <string.h>

#define GRAD_NOISE_STREAM UINT64_C(0x676e6f697365)   /* "gnoise" */
#define WEIGHT_NOISE_STREAM UINT64_C(0x776e6f697365) /* "wnoise" */

/* splitmix64's finaliser: a bijection of 64 bits that mixes every input bit into every output bit. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t gk_trainer_step_seed(const gk_trainer *tr, uint64_t stream) {
    uint64_t x = mix64(tr->o.seed + UINT64_C(0x9e3779b97f4a7c15));
    x = mix64(x ^ ((uint64_t)tr->step * UINT64_C(0xd1b54a32d192ed03)));
    return mix64(x ^ stream);
}

/* v += scale N(0, 1), the normals of this step's stream. */
static void add_noise(const gk_trainer *tr, double *v, double scale, uint64_t stream) {
    gk_rng r;
    gk_rng_seed(&r, gk_trainer_step_seed(tr, stream), stream);
    for (size_t k = 0; k < tr->P;) { /* both values of each polar pair, as gk_rng_normals, without a buffer */
        double pair[2];
        gk_rng_normals(&r, pair, 2);
        for (int j = 0; j < 2 && k < tr->P; j++) v[k++] += scale * pair[j];
    }
}

void gk_trainer_grad_noise(gk_trainer *tr) { add_noise(tr, tr->grad, tr->o.grad_noise, GRAD_NOISE_STREAM); }

void gk_trainer_weight_noise(gk_trainer *tr) { add_noise(tr, tr->theta, tr->o.weight_noise, WEIGHT_NOISE_STREAM); }

/* GD with coupled weight decay toward a (0 or theta0), d = g + wd (theta - a); with momentum mu (PyTorch SGD,
 * dampening 0): v = mu v + d, and theta -= lr v, or for Nesterov theta -= lr (d + mu v). Plain GD keeps the
 * parallel step of optim.c (the same bits as before momentum existed). */
void gk_trainer_gd_step(gk_trainer *tr) {
    const gk_train_opts *o = &tr->o;
    if (o->momentum == 0 && !o->decay_to_init) {
        gk_gd_step(tr->theta, tr->grad, tr->P, tr->lr_step, o->wd);
        return;
    }
    const double lr = tr->lr_step, mu = o->momentum;
    for (size_t k = 0; k < tr->P; k++) {
        double d = tr->grad[k] + o->wd * (tr->theta[k] - (o->decay_to_init ? tr->theta0[k] : 0));
        if (mu != 0) {
            tr->velocity[k] = mu * tr->velocity[k] + d;
            d = o->nesterov ? d + mu * tr->velocity[k] : tr->velocity[k];
        }
        tr->theta[k] -= lr * d;
    }
}

/* AdamW; with decay_to_init the decoupled decay pulls toward theta0: theta -= lr_t wd (theta - theta0), then the
 * Adam step without decay (the Adam step does not depend on theta, so the order is PyTorch's). The cosine
 * schedule scales the lr of the step; AdamW applies its own warmup. */
void gk_trainer_adamw_step(gk_trainer *tr) {
    gk_adamw *a = &tr->adam;
    a->lr = tr->o.lr * gk_train_schedule_factor(&tr->o, a->t + 1);
    if (!tr->o.decay_to_init) {
        gk_adamw_step(a, tr->theta, tr->grad);
        return;
    }
    const double lr_t = gk_adamw_lr_at(a, a->t + 1), wd = a->wd;
    for (size_t k = 0; k < tr->P; k++) tr->theta[k] -= lr_t * wd * (tr->theta[k] - tr->theta0[k]);
    a->wd = 0;
    gk_adamw_step(a, tr->theta, tr->grad);
    a->wd = wd;
}

/* theta *= target / |theta| (Omnigrok's constrained runs rescale every parameter by one global factor). */
void gk_trainer_project_norm(gk_trainer *tr) {
    const double n = gk_norm2(tr->theta, tr->P);
    if (!(n > 0)) return;
    const double r = tr->norm_held / n;
    for (size_t k = 0; k < tr->P; k++) tr->theta[k] *= r;
}
