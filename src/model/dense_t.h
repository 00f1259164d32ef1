/* dense_t.h: the body of the dense layer (dense.c) written once for a scalar type, included twice by dense.c (no
 * include guard). Before including, define GK_T (double or float), GK_NAME(x) (the public name of x at that type:
 * x, or x##_f), GK_ROW_SLICES (gk_gemm_row_slices or gk_sgemm_row_slices) and GK_TANH (tanh or tanhf); they
 * are undefined at the end. Literals are written (GK_T)1, so each type computes in its own arithmetic. */

static void GK_NAME(pgemm)(int transA, int transB, size_t M, size_t N, size_t K, GK_T alpha, const GK_T *A, size_t lda,
                           const GK_T *B, size_t ldb, GK_T beta, GK_T *C, size_t ldc) {
    GK_ROW_SLICES(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, GK_DENSE_BLOCK);
}

void GK_NAME(gk_dense_forward)(const GK_T *A, size_t n, size_t fi, size_t fo, const GK_T *W, const GK_T *b, GK_T c,
                               gk_act act, GK_T *Z) {
    const long nn = (long)n;
    /* Z = 1 b^T, then Z += c A W (beta = 1); without bias Z = c A W (beta = 0) */
    if (b) {
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) memcpy(Z + (size_t)i * fo, b, fo * sizeof(GK_T));
    }
    GK_NAME(pgemm)(0, 0, n, fo, fi, c, A, fi, W, fo, b ? (GK_T)1 : (GK_T)0, Z, fo);
    GK_NAME(gk_dense_activate)(Z, n, fo, act);
}

void GK_NAME(gk_dense_activate)(GK_T *Z, size_t n, size_t fo, gk_act act) {
    const long nn = (long)n;
    if (act == GK_ACT_RELU) {
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) {
            GK_T *zi = Z + (size_t)i * fo;
            for (size_t j = 0; j < fo; j++) zi[j] = zi[j] > 0 ? zi[j] : (GK_T)0;
        }
    } else if (act == GK_ACT_TANH) {
        /* tanh costs ~16 multiply-adds: parallel on 16 times smaller layers */
#pragma omp parallel for schedule(static) if (n * fo * 16 >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) {
            GK_T *zi = Z + (size_t)i * fo;
            for (size_t j = 0; j < fo; j++) zi[j] = GK_TANH(zi[j]);
        }
    }
}

/* grad_W = c A^T G + beta grad_W, grad_b = the column sums of G + beta grad_b (beta 1: accumulate, 0: overwrite). */
static void GK_NAME(param_grads)(const GK_T *A, const GK_T *G, size_t n, size_t fi, size_t fo, GK_T c, GK_T *gW,
                                 GK_T *gb, GK_T beta) {
    if (gW) GK_NAME(pgemm)(1, 0, fi, fo, n, c, A, fi, G, fo, beta, gW, fo);
    if (gb) {
        if (beta == 0) memset(gb, 0, fo * sizeof(GK_T));
        GK_NAME(gk_add_column_sums)(G, n, fo, gb);
    }
}

void GK_NAME(gk_dense_input_grad)(const GK_T *G, const GK_T *W, const GK_T *A, size_t n, size_t fi, size_t fo, GK_T c,
                                  gk_act act, GK_T *Gin) {
    GK_NAME(pgemm)(0, 1, n, fi, fo, c, G, fo, W, fo, (GK_T)0, Gin, fi);
    if (act == GK_ACT_LINEAR) return;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * fi >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        GK_T *g = Gin + (size_t)i * fi;
        const GK_T *ai = A + (size_t)i * fi;
        if (act == GK_ACT_RELU)
            for (size_t j = 0; j < fi; j++) g[j] = ai[j] > 0 ? g[j] : (GK_T)0;
        else
            for (size_t j = 0; j < fi; j++) g[j] *= (GK_T)1 - ai[j] * ai[j];
    }
}

/* Room for n rows of a cache: A[l] of w[l] columns for l = 1..L-1, then the nb buffers *bufs[k] of gw columns. */
static gk_status GK_NAME(cache_reserve)(GK_T **A, GK_T **const *bufs, int nb, size_t *cap, size_t n, int L,
                                        const size_t *w, size_t gw, gk_error *err) {
    if (n <= *cap) return GK_OK;
    for (int l = 1; l < L; l++) {
        GK_T *p = realloc(A[l], n * w[l] * sizeof(GK_T));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, w[l]);
        A[l] = p;
    }
    for (int k = 0; k < nb; k++) {
        GK_T *p = realloc(*bufs[k], n * gw * sizeof(GK_T));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu gradients", n, gw);
        *bufs[k] = p;
    }
    *cap = n;
    return GK_OK;
}

#undef GK_T
#undef GK_NAME
#undef GK_ROW_SLICES
#undef GK_TANH
