/* power_dump.c: groklab's side of the PyTorch agreement check of Power et al.'s transformer (bench/power_torch.py,
 * bench/check_power_torch.sh). Builds an operation table and the transformer (model/transformer), draws the init,
 * and runs STEPS AdamW steps through the trainer (its sampler, its AdamW with warmup and decoupled decay, the
 * softmax cross-entropy on the answer), as the power experiment does. Writes into OUTDIR:
 *   tensors.txt   one line per tensor: name rows cols offset (theta's layout)
 *   dims.txt      key value lines (the model's options and the optimizer's)
 *   theta0.bin    the init (P float64), theta.bin the parameters after STEPS steps
 *   tok.bin       the train rows' tokens (n_train x 4 int32), y.bin their labels (int32)
 *   batches.bin   the train-row indices of every step (STEPS x B int32, -1 past a short batch), loss.txt the loss of every step
 * usage: power_dump OUTDIR key=value...  (keys: steps batch op p frac layers d_model heads d_ff ln pos act seed
 *        threads; defaults: the paper's model on x/y mod 97 at 50%, batch 512, 200 steps) */
#include "data/power_ops.h"
#include "model/transformer.h"
#include "train/train.h"
#include "train/trainer.h"

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dump {
    gk_power_data D;
    gk_model model;
    size_t B, N;
    int *btok, *by;
    double *f, *dldf;
    int32_t *batches; /* steps x B */
    double *losses;
    long calls;
} dump;

static gk_status objective(void *ud, const double *theta, const size_t *idx, size_t n, double *grad, double *loss,
                           gk_error *err) {
    dump *S = ud;
    for (size_t j = n; j < S->B; j++) S->batches[(size_t)S->calls * S->B + j] = -1; /* an epoch's short last batch */
    for (size_t j = 0; j < n; j++) {
        memcpy(S->btok + 4 * j, S->D.tok + 4 * idx[j], 4 * sizeof(int));
        S->by[j] = S->D.y[idx[j]];
        S->batches[(size_t)S->calls * S->B + j] = (int32_t)idx[j];
    }
    const gk_seq_input in = {n, 4, S->btok};
    gk_status s = gk_model_forward(&S->model, theta, &in, n, S->f, err);
    if (s) return s;
    *loss = gk_softmax_xent_loss(S->f, S->by, n, S->N, S->dldf);
    S->losses[S->calls++] = *loss;
    gk_model_backward(&S->model, theta, &in, n, S->dldf, grad);
    return GK_OK;
}

static int write_bin(const char *dir, const char *name, const void *p, size_t bytes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return perror(path), 1;
    const int bad = fwrite(p, 1, bytes, f) != bytes;
    return (fclose(f) != 0) | bad;
}

static const char *arg(int argc, char **argv, const char *key, const char *dflt) {
    const size_t k = strlen(key);
    for (int i = 2; i < argc; i++)
        if (!strncmp(argv[i], key, k) && argv[i][k] == '=') return argv[i] + k + 1;
    return dflt;
}
static long iarg(int argc, char **argv, const char *key, long dflt) {
    const char *v = arg(argc, argv, key, NULL);
    return v ? strtol(v, NULL, 10) : dflt;
}
static int pick(const char *v, const char *a, const char *b) { return !strcmp(v, a) ? 0 : !strcmp(v, b) ? 1 : 2; }

static int write_meta(const char *dir, const dump *S, const gk_tf_dims *d, const gk_train_opts *o, long steps) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tensors.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    for (int k = 0; k < S->model.params.count; k++)
        fprintf(f, "%s %zu %zu %zu\n", S->model.params.t[k].name, S->model.params.t[k].rows, S->model.params.t[k].cols,
                S->model.params.t[k].offset);
    fclose(f);
    snprintf(path, sizeof path, "%s/dims.txt", dir);
    if (!(f = fopen(path, "w"))) return 1;
    static const char *ln[] = {"post", "pre", "none"}, *pos[] = {"sin", "learned"}, *act[] = {"relu", "gelu"};
    fprintf(f, "vocab %zu\nn_ctx %zu\nn_out %zu\nlayers %zu\nd_model %zu\nheads %zu\nd_ff %zu\nln %s\npos %s\nact %s\n",
            d->vocab, d->n_ctx, d->n_out, d->layers, d->d_model, d->heads, d->d_ff, ln[d->ln], pos[d->pos], act[d->act]);
    fprintf(f, "n_train %zu\nbatch %zu\nsteps %ld\nlr %.17g\nwd %.17g\nbeta1 %.17g\nbeta2 %.17g\neps %.17g\nwarmup %ld\n",
            S->D.n_train, S->B, steps, o->lr, o->wd, o->beta1, o->beta2, o->eps, o->warmup);
    return fclose(f) != 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: power_dump OUTDIR key=value...\n"), 2;
    const char *dir = argv[1];
    const long steps = iarg(argc, argv, "steps", 200);
    omp_set_num_threads((int)iarg(argc, argv, "threads", 1));
    dump S = {0};
    gk_error err = {0};
    gk_power_op op;
    gk_status s = gk_power_op_parse(arg(argc, argv, "op", "div"), &op, &err);
    const int m = (int)iarg(argc, argv, "p", gk_power_op_is_perm(op) ? 5 : 97);
    if (!s) s = gk_power_data_make(&S.D, op, m, strtod(arg(argc, argv, "frac", "0.5"), NULL), 1, 0, 1, &err);
    if (s) return fprintf(stderr, "power_dump: %s\n", err.msg), 2;
    S.N = S.D.N;
    const gk_tf_dims d = {S.N + 2, 4, S.N, (size_t)iarg(argc, argv, "layers", 2), (size_t)iarg(argc, argv, "d_model", 128),
                          (size_t)iarg(argc, argv, "heads", 4), (size_t)iarg(argc, argv, "d_ff", 512),
                          (gk_tf_ln)pick(arg(argc, argv, "ln", "post"), "post", "pre"),
                          (gk_tf_pos)pick(arg(argc, argv, "pos", "sin"), "sin", "learned"),
                          (gk_tf_act)pick(arg(argc, argv, "act", "relu"), "relu", "gelu"), 0.0, 0};
    S.B = (size_t)iarg(argc, argv, "batch", 512);
    if (S.B > S.D.n_train) S.B = S.D.n_train;
    gk_train_opts o = {.optim = GK_OPTIM_ADAMW, .lr = 1e-3, .wd = 1, .beta1 = 0.9, .beta2 = 0.98, .eps = 1e-8,
                       .warmup = 10, .batch = (long)S.B, .seed = (uint64_t)iarg(argc, argv, "seed", 1)};
    gk_trainer tr = {0};
    if ((s = gk_tf_create(&S.model, &d, &err)) || (s = gk_model_reserve(&S.model, S.B, &err)))
        return fprintf(stderr, "power_dump: %s\n", err.msg), 2;
    S.btok = malloc(4 * S.B * sizeof(int)), S.by = malloc(S.B * sizeof(int));
    S.f = malloc(S.B * S.N * sizeof(double)), S.dldf = malloc(S.B * S.N * sizeof(double));
    S.batches = malloc((size_t)steps * S.B * sizeof(int32_t)), S.losses = malloc((size_t)steps * sizeof(double));
    if ((s = gk_trainer_init(&tr, S.model.params.size, &o, NULL, NULL, &S, &err)) ||
        (s = gk_trainer_set_batch_objective(&tr, objective, S.D.n_train, &err)))
        return fprintf(stderr, "power_dump: %s\n", err.msg), 1;
    gk_model_init(&S.model, 1.0, o.seed, tr.theta);
    const size_t P = S.model.params.size;
    int bad = write_bin(dir, "theta0.bin", tr.theta, P * sizeof(double));
    if ((s = gk_trainer_start(&tr, &err)) || (s = gk_trainer_advance(&tr, steps, NULL, &err)))
        return fprintf(stderr, "power_dump: %s\n", err.msg), 1;
    int32_t *tok = malloc(S.D.n_train * 4 * sizeof(int32_t)), *y = malloc(S.D.n_train * sizeof(int32_t));
    for (size_t i = 0; i < S.D.n_train * 4; i++) tok[i] = S.D.tok[i];
    for (size_t i = 0; i < S.D.n_train; i++) y[i] = S.D.y[i];
    bad |= write_bin(dir, "theta.bin", tr.theta, P * sizeof(double));
    bad |= write_bin(dir, "tok.bin", tok, S.D.n_train * 4 * sizeof(int32_t));
    bad |= write_bin(dir, "y.bin", y, S.D.n_train * sizeof(int32_t));
    bad |= write_bin(dir, "batches.bin", S.batches, (size_t)steps * S.B * sizeof(int32_t));
    bad |= write_meta(dir, &S, &d, &o, steps);
    char path[4096];
    snprintf(path, sizeof path, "%s/loss.txt", dir);
    FILE *f = fopen(path, "w");
    for (long t = 0; f && t < steps; t++) fprintf(f, "%.17g\n", S.losses[t]);
    bad |= !f || fclose(f) != 0;
    free(tok), free(y), free(S.btok), free(S.by), free(S.f), free(S.dldf), free(S.batches), free(S.losses);
    gk_trainer_free(&tr), gk_model_free(&S.model), gk_power_data_free(&S.D);
    return bad ? 1 : 0;
}
