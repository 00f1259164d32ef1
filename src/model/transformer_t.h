/* transformer_t.h: the arithmetic of transformer.c written once for a scalar type, included by transformer.c for
 * double (the default) and for float (f32 = 1), no include guard. Before including, define GK_T (double or
 * float), GK_NAME(x) (x, or x##_f), GK_GEMM (gk_gemm_row_slices or gk_sgemm_row_slices), GK_COLSUMS
 * (gk_add_column_sums or _f), GK_SQRT, GK_EXP, GK_ERF (the math functions at that type) and GK_BUFS(T) (the
 * buffers of that type in a tf_impl); with GK_TF_TYPES defined only the buffer types are declared. Literals are
 * written (GK_T)x, so each type computes in its own arithmetic. Everything here is undefined at the end. */

#ifdef GK_TF_TYPES

/* A layer's caches (each sized for the reserved rows). */
typedef struct GK_NAME(tf_layer) {
    GK_T *u, *xh1, *rs1;                 /* pre-LN: u = LN1(X) with its xhat and 1/std (post-LN: LN1 of a) */
    GK_T *Q, *K, *V, *A, *z;             /* queries (Rq), keys and values (nT), weights Rq x H x T, heads' output */
    GK_T *a, *X1, *xh2, *rs2, *v;        /* a = X + z W_O; X1 (post: LN1(a)); v = LN2(X1) (pre) */
    GK_T *hpre, *hid, *ffo, *mask, *b;   /* v W_1, act, hid W_2, dropout scale, b = X1 + drop(ffo) */
} GK_NAME(tf_layer);

/* The buffers of one precision. */
typedef struct GK_NAME(tf_bufs) {
    GK_NAME(tf_layer) *lay;
    GK_T **X;                             /* the stream X[0..L] (X[L] holds the n last rows) */
    GK_T *Y, *xhf, *rsf;                  /* pre-LN: Y = LNf(X_L) */
    /* backward scratch: stream gradients, LN scratch, attention gradients */
    GK_T *g0, *g1, *t1, *t2, *dQ, *dK, *dV, *dz, *dH;
    GK_T *pe;                             /* sinusoidal positions T x D */
    GK_T *th, *gr, *io;                   /* float32 only: theta, the gradient (P each), logits or their gradient */
} GK_NAME(tf_bufs);

#else

static void GK_NAME(mm)(int ta, int tb, size_t M, size_t N, size_t K, const GK_T *A, size_t lda, const GK_T *B,
                        size_t ldb, GK_T beta, GK_T *C, size_t ldc) {
    GK_GEMM(ta, tb, M, N, K, (GK_T)1, A, lda, B, ldb, beta, C, ldc, 64);
}

static const GK_T *GK_NAME(tens)(const tf_impl *T, const GK_T *theta, int t, size_t l, size_t block) {
    return theta + T->off[t] + l * block;
}
static GK_T *GK_NAME(gtens)(const tf_impl *T, GK_T *grad, int t, size_t l, size_t block) {
    return grad + T->off[t] + l * block;
}

/* ---- LayerNorm ---------------------------------------------------------------------------------------- */

/* y = g * xh + b, xh = (x - mean) r, r = 1/sqrt(var + eps), per row of x (rows x D, leading dimension ld). */
static void GK_NAME(ln_forward)(const GK_T *x, size_t ld, size_t nrows, size_t D, const GK_T *g, const GK_T *b,
                                GK_T *xh, GK_T *r, GK_T *y) {
    const long nn = (long)nrows;
#pragma omp parallel for schedule(static) if (nrows * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const GK_T *xi = x + (size_t)i * ld;
        GK_T mu = 0, var = 0;
        for (size_t j = 0; j < D; j++) mu += xi[j];
        mu /= (GK_T)D;
        for (size_t j = 0; j < D; j++) var += (xi[j] - mu) * (xi[j] - mu);
        const GK_T ri = (GK_T)1 / GK_SQRT(var / (GK_T)D + (GK_T)LN_EPS);
        GK_T *hi = xh + (size_t)i * D, *yi = y + (size_t)i * D;
        for (size_t j = 0; j < D; j++) hi[j] = (xi[j] - mu) * ri, yi[j] = g[j] * hi[j] + b[j];
        r[i] = ri;
    }
}

/* The backward of ln_forward: gg, gb += the gains' and biases' gradients; dx = dL/dx (may alias dy); scratch
 * nrows x D. */
static void GK_NAME(ln_backward)(const GK_T *dy, size_t nrows, size_t D, const GK_T *xh, const GK_T *r, const GK_T *g,
                                 GK_T *gg, GK_T *gb, GK_T *dx, GK_T *scratch) {
    for (size_t k = 0; k < nrows * D; k++) scratch[k] = dy[k] * xh[k];
    GK_COLSUMS(scratch, nrows, D, gg);
    GK_COLSUMS(dy, nrows, D, gb);
    const long nn = (long)nrows;
#pragma omp parallel for schedule(static) if (nrows * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const GK_T *gi = dy + (size_t)i * D, *hi = xh + (size_t)i * D;
        GK_T m1 = 0, m2 = 0;
        for (size_t j = 0; j < D; j++) m1 += gi[j] * g[j], m2 += gi[j] * g[j] * hi[j];
        m1 /= (GK_T)D, m2 /= (GK_T)D;
        GK_T *di = dx + (size_t)i * D;
        for (size_t j = 0; j < D; j++) di[j] = r[i] * (gi[j] * g[j] - m1 - hi[j] * m2);
    }
}

/* ---- activations and dropout -------------------------------------------------------------------------- */

static GK_T GK_NAME(act_f)(gk_tf_act a, GK_T x) {
    return a == GK_TF_RELU ? (x > 0 ? x : (GK_T)0) : (GK_T)0.5 * x * ((GK_T)1 + GK_ERF(x * (GK_T)M_SQRT1_2));
}
static GK_T GK_NAME(act_df)(gk_tf_act a, GK_T x) {
    if (a == GK_TF_RELU) return x > 0 ? (GK_T)1 : (GK_T)0; /* ReLU'(0) = 0 */
    return (GK_T)0.5 * ((GK_T)1 + GK_ERF(x * (GK_T)M_SQRT1_2)) +
           x * GK_EXP((GK_T)-0.5 * x * x) * (GK_T)(0.5 * M_2_SQRTPI * M_SQRT1_2);
}

static void GK_NAME(dropout_forward)(const tf_impl *T, size_t l, size_t len, GK_T *ffo, GK_T *mask) {
    const double p = T->d.dropout;
    const GK_T keep = (GK_T)(1.0 / (1.0 - p));
    for (size_t k = 0; k < len; k++) {
        mask[k] = hash_uniform(T->drop_seed, l, k) < p ? (GK_T)0 : keep;
        ffo[k] *= mask[k];
    }
}

/* ---- causal attention at the query rows --------------------------------------------------------------- */

/* A[r, h, u] and z[r] for the query rows r of every sequence (one sequence per task). */
static void GK_NAME(attention_forward)(const tf_impl *T, GK_NAME(tf_layer) *ly, const rows *R) {
    const size_t D = T->D, H = T->H, dh = T->dh, Tn = T->T, qpr = R->Rq / R->n;
    const GK_T c = (GK_T)1 / GK_SQRT((GK_T)dh);
    const long nn = (long)R->n;
#pragma omp parallel for schedule(static) if (R->nT * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++)
        for (size_t qi = 0; qi < qpr; qi++) {
            const size_t r = (size_t)i * qpr + qi, t = qpr == 1 ? Tn - 1 : qi; /* query position */
            const GK_T *q = ly->Q + r * D, *K = ly->K + (size_t)i * Tn * D, *V = ly->V + (size_t)i * Tn * D;
            GK_T *Ar = ly->A + r * H * Tn, *zr = ly->z + r * D;
            for (size_t h = 0; h < H; h++) {
                GK_T *w = Ar + h * Tn, mx = -INFINITY, sum = 0;
                for (size_t u = 0; u <= t; u++) {
                    GK_T s = 0;
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) s += q[j] * K[u * D + j];
                    w[u] = c * s, mx = w[u] > mx ? w[u] : mx;
                }
                for (size_t u = 0; u < Tn; u++) w[u] = u <= t ? GK_EXP(w[u] - mx) : (GK_T)0, sum += w[u];
                for (size_t j = h * dh; j < (h + 1) * dh; j++) zr[j] = 0;
                for (size_t u = 0; u <= t; u++) {
                    w[u] /= sum;
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) zr[j] += w[u] * V[u * D + j];
                }
            }
        }
}

/* From dz (Rq x D): dQ (Rq x D), dK and dV (nT x D), written whole. */
static void GK_NAME(attention_backward)(GK_NAME(tf_bufs) *B, const tf_impl *T, const GK_NAME(tf_layer) *ly,
                                        const rows *R, const GK_T *dz) {
    const size_t D = T->D, H = T->H, dh = T->dh, Tn = T->T, qpr = R->Rq / R->n;
    const GK_T c = (GK_T)1 / GK_SQRT((GK_T)dh);
    const long nn = (long)R->n;
#pragma omp parallel for schedule(static) if (R->nT * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const GK_T *K = ly->K + (size_t)i * Tn * D, *V = ly->V + (size_t)i * Tn * D;
        GK_T *dK = B->dK + (size_t)i * Tn * D, *dV = B->dV + (size_t)i * Tn * D;
        memset(dK, 0, Tn * D * sizeof(GK_T));
        memset(dV, 0, Tn * D * sizeof(GK_T));
        for (size_t qi = 0; qi < qpr; qi++) {
            const size_t r = (size_t)i * qpr + qi, t = qpr == 1 ? Tn - 1 : qi;
            const GK_T *q = ly->Q + r * D, *g = dz + r * D, *Ar = ly->A + r * H * Tn;
            GK_T *dq = B->dQ + r * D;
            for (size_t h = 0; h < H; h++) {
                const GK_T *w = Ar + h * Tn;
                GK_T dA[64], sbar = 0; /* T <= 64 (gk_tf_check) */
                for (size_t u = 0; u <= t; u++) {
                    GK_T s = 0;
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) s += g[j] * V[u * D + j], dV[u * D + j] += w[u] * g[j];
                    dA[u] = s, sbar += w[u] * s;
                }
                for (size_t j = h * dh; j < (h + 1) * dh; j++) dq[j] = 0;
                for (size_t u = 0; u <= t; u++) {
                    const GK_T ds = c * w[u] * (dA[u] - sbar);
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) dq[j] += ds * K[u * D + j], dK[u * D + j] += ds * q[j];
                }
            }
        }
    }
}

/* ---- one layer ------------------------------------------------------------------------------------------ */

/* The attention half: K, V at every row, Q, A, z and a = X + z W_O at the query rows; returns X1. */
static const GK_T *GK_NAME(attn_forward)(GK_NAME(tf_bufs) *B, const tf_impl *T, const GK_T *theta, size_t l,
                                         const GK_T *X, const rows *R) {
    GK_NAME(tf_layer) *ly = &B->lay[l];
    const size_t D = T->D, DD = D * D;
    const gk_tf_ln ln = T->d.ln;
    const GK_T *u = X;
    if (ln == GK_TF_LN_PRE) {
        GK_NAME(ln_forward)(X, D, R->nT, D, GK_NAME(tens)(T, theta, T_G1, l, D), GK_NAME(tens)(T, theta, T_B1, l, D),
                            ly->xh1, ly->rs1, ly->u);
        u = ly->u;
    }
    GK_NAME(mm)(0, 0, R->nT, D, D, u, D, GK_NAME(tens)(T, theta, T_WK, l, DD), D, 0, ly->K, D);
    GK_NAME(mm)(0, 0, R->nT, D, D, u, D, GK_NAME(tens)(T, theta, T_WV, l, DD), D, 0, ly->V, D);
    GK_NAME(mm)(0, 0, R->Rq, D, D, u + R->o * D, R->ld, GK_NAME(tens)(T, theta, T_WQ, l, DD), D, 0, ly->Q, D);
    GK_NAME(attention_forward)(T, ly, R);
    for (size_t r = 0; r < R->Rq; r++) memcpy(ly->a + r * D, X + (R->o + r * R->s) * D, D * sizeof(GK_T));
    GK_NAME(mm)(0, 0, R->Rq, D, D, ly->z, D, GK_NAME(tens)(T, theta, T_WO, l, DD), D, 1, ly->a, D);
    if (ln != GK_TF_LN_POST) return ly->a;
    GK_NAME(ln_forward)(ly->a, D, R->Rq, D, GK_NAME(tens)(T, theta, T_G1, l, D), GK_NAME(tens)(T, theta, T_B1, l, D),
                        ly->xh1, ly->rs1, ly->X1);
    return ly->X1;
}

static void GK_NAME(layer_forward)(GK_NAME(tf_bufs) *B, const tf_impl *T, const GK_T *theta, size_t l, const GK_T *X,
                                   GK_T *out, const rows *R) {
    GK_NAME(tf_layer) *ly = &B->lay[l];
    const size_t D = T->D, F = T->F;
    const gk_tf_ln ln = T->d.ln;
    const GK_T *X1 = GK_NAME(attn_forward)(B, T, theta, l, X, R), *v = X1;
    if (ln == GK_TF_LN_PRE) {
        GK_NAME(ln_forward)(X1, D, R->Rq, D, GK_NAME(tens)(T, theta, T_G2, l, D), GK_NAME(tens)(T, theta, T_B2, l, D),
                            ly->xh2, ly->rs2, ly->v);
        v = ly->v;
    }
    GK_NAME(mm)(0, 0, R->Rq, F, D, v, D, GK_NAME(tens)(T, theta, T_W1, l, D * F), F, 0, ly->hpre, F);
    for (size_t k = 0; k < R->Rq * F; k++) ly->hid[k] = GK_NAME(act_f)(T->d.act, ly->hpre[k]);
    GK_NAME(mm)(0, 0, R->Rq, D, F, ly->hid, F, GK_NAME(tens)(T, theta, T_W2, l, F * D), D, 0, ly->ffo, D);
    if (dropping(T)) GK_NAME(dropout_forward)(T, l, R->Rq * D, ly->ffo, ly->mask);
    GK_T *b = ln == GK_TF_LN_POST ? ly->b : out;
    for (size_t k = 0; k < R->Rq * D; k++) b[k] = X1[k] + ly->ffo[k];
    if (ln == GK_TF_LN_POST)
        GK_NAME(ln_forward)(b, D, R->Rq, D, GK_NAME(tens)(T, theta, T_G2, l, D), GK_NAME(tens)(T, theta, T_B2, l, D),
                            ly->xh2, ly->rs2, out);
}

/* The feed-forward half backward: from G = dL/d(layer output) (Rq x D, in B->g1) to dX1, left in B->g1. */
static void GK_NAME(ff_backward)(GK_NAME(tf_bufs) *B, const tf_impl *T, const GK_T *theta, GK_T *grad, size_t l,
                                 const rows *R) {
    GK_NAME(tf_layer) *ly = &B->lay[l];
    const size_t D = T->D, F = T->F, Rq = R->Rq;
    const gk_tf_ln ln = T->d.ln;
    GK_T *db = B->g1;
    if (ln == GK_TF_LN_POST)
        GK_NAME(ln_backward)(db, Rq, D, ly->xh2, ly->rs2, GK_NAME(tens)(T, theta, T_G2, l, D),
                             GK_NAME(gtens)(T, grad, T_G2, l, D), GK_NAME(gtens)(T, grad, T_B2, l, D), db, B->t2);
    const GK_T *dffo = db;
    if (dropping(T)) {
        for (size_t k = 0; k < Rq * D; k++) B->t1[k] = db[k] * ly->mask[k];
        dffo = B->t1;
    }
    const GK_T *v = ln == GK_TF_LN_PRE ? ly->v : ln == GK_TF_LN_POST ? ly->X1 : ly->a;
    const GK_T *W1 = GK_NAME(tens)(T, theta, T_W1, l, D * F);
    GK_NAME(mm)(1, 0, F, D, Rq, ly->hid, F, dffo, D, 1, GK_NAME(gtens)(T, grad, T_W2, l, F * D), D);
    GK_NAME(mm)(0, 1, Rq, F, D, dffo, D, GK_NAME(tens)(T, theta, T_W2, l, F * D), D, 0, B->dH, F);
    for (size_t k = 0; k < Rq * F; k++) B->dH[k] *= GK_NAME(act_df)(T->d.act, ly->hpre[k]);
    GK_NAME(mm)(1, 0, D, F, Rq, v, D, B->dH, F, 1, GK_NAME(gtens)(T, grad, T_W1, l, D * F), F);
    if (ln != GK_TF_LN_PRE) {
        GK_NAME(mm)(0, 1, Rq, D, F, B->dH, F, W1, F, 1, db, D); /* dX1 = db + dv */
        return;
    }
    GK_NAME(mm)(0, 1, Rq, D, F, B->dH, F, W1, F, 0, B->t1, D);
    GK_NAME(ln_backward)(B->t1, Rq, D, ly->xh2, ly->rs2, GK_NAME(tens)(T, theta, T_G2, l, D),
                         GK_NAME(gtens)(T, grad, T_G2, l, D), GK_NAME(gtens)(T, grad, T_B2, l, D), B->t1, B->t2);
    for (size_t k = 0; k < Rq * D; k++) db[k] += B->t1[k];
}

/* The attention half backward: from dX1 (in B->g1) to dL/dX (nT x D) into B->g0. */
static void GK_NAME(attn_backward)(GK_NAME(tf_bufs) *B, const tf_impl *T, const GK_T *theta, GK_T *grad, size_t l,
                                   const GK_T *X, const rows *R) {
    GK_NAME(tf_layer) *ly = &B->lay[l];
    const size_t D = T->D, DD = D * D, Rq = R->Rq, nT = R->nT;
    const gk_tf_ln ln = T->d.ln;
    GK_T *da = B->g1;
    if (ln == GK_TF_LN_POST)
        GK_NAME(ln_backward)(da, Rq, D, ly->xh1, ly->rs1, GK_NAME(tens)(T, theta, T_G1, l, D),
                             GK_NAME(gtens)(T, grad, T_G1, l, D), GK_NAME(gtens)(T, grad, T_B1, l, D), da, B->t2);
    GK_NAME(mm)(1, 0, D, D, Rq, ly->z, D, da, D, 1, GK_NAME(gtens)(T, grad, T_WO, l, DD), D);
    GK_NAME(mm)(0, 1, Rq, D, D, da, D, GK_NAME(tens)(T, theta, T_WO, l, DD), D, 0, B->dz, D);
    GK_NAME(attention_backward)(B, T, ly, R, B->dz);
    const GK_T *u = ln == GK_TF_LN_PRE ? ly->u : X;
    GK_NAME(mm)(1, 0, D, D, nT, u, D, B->dK, D, 1, GK_NAME(gtens)(T, grad, T_WK, l, DD), D);
    GK_NAME(mm)(1, 0, D, D, nT, u, D, B->dV, D, 1, GK_NAME(gtens)(T, grad, T_WV, l, DD), D);
    GK_NAME(mm)(1, 0, D, D, Rq, u + R->o * D, R->ld, B->dQ, D, 1, GK_NAME(gtens)(T, grad, T_WQ, l, DD), D);
    GK_T *du = B->g0;
    GK_NAME(mm)(0, 1, nT, D, D, B->dK, D, GK_NAME(tens)(T, theta, T_WK, l, DD), D, 0, du, D);
    GK_NAME(mm)(0, 1, nT, D, D, B->dV, D, GK_NAME(tens)(T, theta, T_WV, l, DD), D, 1, du, D);
    GK_NAME(mm)(0, 1, Rq, D, D, B->dQ, D, GK_NAME(tens)(T, theta, T_WQ, l, DD), D, 1, du + R->o * D, R->ld);
    if (ln == GK_TF_LN_PRE)
        GK_NAME(ln_backward)(du, nT, D, ly->xh1, ly->rs1, GK_NAME(tens)(T, theta, T_G1, l, D),
                             GK_NAME(gtens)(T, grad, T_G1, l, D), GK_NAME(gtens)(T, grad, T_B1, l, D), du, B->t2);
    for (size_t r = 0; r < Rq; r++) {
        GK_T *dx = du + (R->o + r * R->s) * D;
        const GK_T *g = da + r * D;
        for (size_t j = 0; j < D; j++) dx[j] += g[j];
    }
}

/* ---- the model ------------------------------------------------------------------------------------------ */

static void GK_NAME(embed_forward)(const GK_NAME(tf_bufs) *B, const tf_impl *T, const GK_T *theta,
                                   const gk_seq_input *X, GK_T *X0) {
    const size_t D = T->D, Tn = T->T;
    const GK_T *WE = theta + T->off[T_WE], *P = T->has[T_WPOS] ? theta + T->off[T_WPOS] : B->pe;
    for (size_t i = 0; i < X->n; i++)
        for (size_t t = 0; t < Tn; t++) {
            const GK_T *e = WE + (size_t)X->tok[i * Tn + t] * D, *pt = P + t * D;
            GK_T *x = X0 + (i * Tn + t) * D;
            for (size_t j = 0; j < D; j++) x[j] = e[j] + pt[j];
        }
}

/* out (n x n_out) = the logits at the last position. */
static void GK_NAME(run_forward)(tf_impl *T, const GK_T *theta, const gk_seq_input *X, size_t n, GK_T *out) {
    GK_NAME(tf_bufs) *B = GK_BUFS(T);
    GK_NAME(embed_forward)(B, T, theta, X, B->X[0]);
    for (size_t l = 0; l < T->L; l++) {
        const rows R = rows_of(T, l, n);
        GK_NAME(layer_forward)(B, T, theta, l, B->X[l], B->X[l + 1], &R);
    }
    const GK_T *Y = B->X[T->L];
    if (T->d.ln == GK_TF_LN_PRE) {
        GK_NAME(ln_forward)(Y, T->D, n, T->D, theta + T->off[T_GF], theta + T->off[T_BF], B->xhf, B->rsf, B->Y);
        Y = B->Y;
    }
    GK_NAME(mm)(0, 0, n, T->d.n_out, T->D, Y, T->D, theta + T->off[T_WU], T->d.n_out, 0, out, T->d.n_out);
}

/* grad += d(sum G * out)/d theta for the last forward. */
static void GK_NAME(run_backward)(tf_impl *T, const GK_T *theta, const gk_seq_input *X, size_t n, const GK_T *G,
                                  GK_T *grad) {
    GK_NAME(tf_bufs) *B = GK_BUFS(T);
    const size_t D = T->D, C = T->d.n_out, Tn = T->T;
    const GK_T *Y = T->d.ln == GK_TF_LN_PRE ? B->Y : B->X[T->L];
    GK_NAME(mm)(1, 0, D, C, n, Y, D, G, C, 1, grad + T->off[T_WU], C);
    GK_NAME(mm)(0, 1, n, D, C, G, C, theta + T->off[T_WU], C, 0, B->g1, D);
    if (T->d.ln == GK_TF_LN_PRE)
        GK_NAME(ln_backward)(B->g1, n, D, B->xhf, B->rsf, theta + T->off[T_GF], grad + T->off[T_GF],
                             grad + T->off[T_BF], B->g1, B->t2);
    for (size_t l = T->L; l-- > 0;) {
        const rows R = rows_of(T, l, n);
        GK_NAME(ff_backward)(B, T, theta, grad, l, &R);
        GK_NAME(attn_backward)(B, T, theta, grad, l, B->X[l], &R);
        if (l > 0) memcpy(B->g1, B->g0, R.nT * D * sizeof(GK_T));
    }
    /* the embedding: the transpose of the gather (serial: tokens repeat) */
    GK_T *gE = grad + T->off[T_WE], *gP = T->has[T_WPOS] ? grad + T->off[T_WPOS] : NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < Tn; t++) {
            const GK_T *g = B->g0 + (i * Tn + t) * D;
            GK_T *e = gE + (size_t)X->tok[i * Tn + t] * D;
            for (size_t j = 0; j < D; j++) e[j] += g[j];
            if (gP)
                for (size_t j = 0; j < D; j++) gP[t * D + j] += g[j];
        }
}

/* ---- buffers ---------------------------------------------------------------------------------------------- */

enum { GK_NAME(LB_COUNT) = 18, GK_NAME(MB_COUNT) = 12 };

static void GK_NAME(layer_bufs)(GK_NAME(tf_layer) *ly, GK_T ***b, size_t *w, const tf_impl *T) {
    GK_T **p[GK_NAME(LB_COUNT)] = {&ly->u,  &ly->xh1, &ly->rs1, &ly->Q,    &ly->K,   &ly->V,
                                   &ly->A,  &ly->z,   &ly->a,   &ly->X1,   &ly->xh2, &ly->rs2,
                                   &ly->v,  &ly->hpre, &ly->hid, &ly->ffo, &ly->mask, &ly->b};
    const size_t D = T->D, F = T->F;
    const size_t wd[GK_NAME(LB_COUNT)] = {D, D, 1, D, D, D, T->H * T->T, D, D, D, D, 1, D, F, F, D, D, D};
    for (int k = 0; k < GK_NAME(LB_COUNT); k++) b[k] = p[k], w[k] = wd[k];
}

/* The model-level buffers and their widths per row (rows: nT, except Y, xhf, rsf: n). */
static void GK_NAME(model_bufs)(GK_NAME(tf_bufs) *B, GK_T ***b, size_t *w, int *per_seq, const tf_impl *T) {
    GK_T **p[GK_NAME(MB_COUNT)] = {&B->Y, &B->xhf, &B->rsf, &B->g0, &B->g1, &B->t1,
                                   &B->t2, &B->dQ, &B->dK,  &B->dV, &B->dz, &B->dH};
    const size_t D = T->D;
    const size_t wd[GK_NAME(MB_COUNT)] = {D, D, 1, D, D, D, D, D, D, D, D, T->F};
    for (int k = 0; k < GK_NAME(MB_COUNT); k++) b[k] = p[k], w[k] = wd[k], per_seq[k] = k < 3;
}

/* realloc *p to count entries; 0 when out of memory (*p kept). */
static int GK_NAME(grow)(GK_T **p, size_t count) {
    GK_T *x = realloc(*p, (count ? count : 1) * sizeof(GK_T));
    if (x) *p = x;
    return x != NULL;
}

/* Room for batches of n sequences (float32: also the logits); 0 when out of memory. */
static int GK_NAME(bufs_reserve)(GK_NAME(tf_bufs) *B, const tf_impl *T, size_t n, int f32) {
    const size_t nT = n * T->T;
    int ok = 1;
    for (size_t l = 0; l <= T->L; l++) ok &= GK_NAME(grow)(&B->X[l], nT * T->D);
    GK_T **b[GK_NAME(LB_COUNT)];
    size_t w[GK_NAME(LB_COUNT)];
    int ps[GK_NAME(MB_COUNT)];
    for (size_t l = 0; l < T->L; l++) {
        GK_NAME(layer_bufs)(&B->lay[l], b, w, T);
        for (int k = 0; k < GK_NAME(LB_COUNT); k++) ok &= GK_NAME(grow)(b[k], nT * w[k]);
    }
    GK_NAME(model_bufs)(B, b, w, ps, T);
    for (int k = 0; k < GK_NAME(MB_COUNT); k++) ok &= GK_NAME(grow)(b[k], (ps[k] ? n : nT) * w[k]);
    if (f32) ok &= GK_NAME(grow)(&B->io, n * T->d.n_out);
    return ok;
}

static void GK_NAME(bufs_free)(GK_NAME(tf_bufs) *B, const tf_impl *T) {
    GK_T **b[GK_NAME(LB_COUNT)];
    size_t w[GK_NAME(LB_COUNT)];
    int ps[GK_NAME(MB_COUNT)];
    for (size_t l = 0; B->lay && l < T->L; l++) {
        GK_NAME(layer_bufs)(&B->lay[l], b, w, T);
        for (int k = 0; k < GK_NAME(LB_COUNT); k++) free(*b[k]);
    }
    GK_NAME(model_bufs)(B, b, w, ps, T);
    for (int k = 0; k < GK_NAME(MB_COUNT); k++) free(*b[k]);
    for (size_t l = 0; B->X && l <= T->L; l++) free(B->X[l]);
    free(B->X), free(B->lay), free(B->pe), free(B->th), free(B->gr), free(B->io);
    memset(B, 0, sizeof *B);
}

/* The layer and stream arrays and the positions (sinusoids computed in double); 0 when out of memory. */
static int GK_NAME(bufs_create)(GK_NAME(tf_bufs) *B, const tf_impl *T, const double *pe) {
    B->lay = calloc(T->L, sizeof *B->lay);
    B->X = calloc(T->L + 1, sizeof *B->X);
    B->pe = malloc(T->T * T->D * sizeof(GK_T));
    if (!B->lay || !B->X || !B->pe) return 0;
    for (size_t k = 0; k < T->T * T->D; k++) B->pe[k] = (GK_T)pe[k];
    return 1;
}

#endif /* GK_TF_TYPES */

#undef GK_T
#undef GK_NAME
#undef GK_GEMM
#undef GK_COLSUMS
#undef GK_SQRT
#undef GK_EXP
#undef GK_ERF
#undef GK_BUFS
