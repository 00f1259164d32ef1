/* mlp_deep_t.h: the sparse first layer of mlp_deep.c written once for a scalar type, included twice by
 * mlp_deep.c (no include guard): GK_T = double (the default path) and GK_T = float (precision=f32). Before
 * including, define GK_T, GK_NAME(x) (x, or x##_f), GK_TBUF (the impl's d_in x width scratch of that type: T or
 * Tf) and GK_NOBIAS(x) (the value of c z without a bias: x in double; x + 0.0f in float, as the float path always
 * did, so a -0 comes out +0); they are undefined at the end. */

/* acc[k] = sum_p val[p] W[idx[p], k] for k < fo, the entries p = 0..cnt-1 added in order (4 rows of W per pass
 * over acc, each acc[k] still summed one entry at a time), starting from 0. W rows have length fo. The values
 * are rounded to GK_T. */
GK_CLONES static void GK_NAME(sparse_rows)(GK_T *restrict acc, size_t fo, const int *idx, const double *val,
                                           size_t cnt, const GK_T *restrict W) {
    for (size_t k = 0; k < fo; k++) acc[k] = 0;
    size_t p = 0;
    for (; p + 4 <= cnt; p += 4) {
        const GK_T v0 = (GK_T)val[p], v1 = (GK_T)val[p + 1], v2 = (GK_T)val[p + 2], v3 = (GK_T)val[p + 3];
        const GK_T *w0 = W + (size_t)idx[p] * fo, *w1 = W + (size_t)idx[p + 1] * fo;
        const GK_T *w2 = W + (size_t)idx[p + 2] * fo, *w3 = W + (size_t)idx[p + 3] * fo;
        for (size_t k = 0; k < fo; k++) acc[k] = (((acc[k] + v0 * w0[k]) + v1 * w1[k]) + v2 * w2[k]) + v3 * w3[k];
    }
    for (; p < cnt; p++) {
        const GK_T v = (GK_T)val[p], *w = W + (size_t)idx[p] * fo;
        for (size_t k = 0; k < fo; k++) acc[k] += v * w[k];
    }
}

/* z[k] = c z[k] + b[k] (the gemm form alpha A B + beta C, beta = 1, C preset to the bias); b NULL: c z[k]. */
GK_CLONES static void GK_NAME(scale_bias)(GK_T *restrict z, GK_T c, const GK_T *restrict b, size_t fo) {
    if (b)
        for (size_t k = 0; k < fo; k++) z[k] = c * z[k] + b[k];
    else
        for (size_t k = 0; k < fo; k++) z[k] = GK_NOBIAS(c * z[k]);
}

/* y[k] += c acc[k], the product in GK_T, the sum in double (the gemm form alpha A B + beta C with beta = 1). */
GK_CLONES static void GK_NAME(scale_add)(double *restrict y, const GK_T *restrict acc, GK_T c, size_t fo) {
    for (size_t k = 0; k < fo; k++) y[k] += (double)(c * acc[k]);
}

static const GK_T *GK_NAME(tensor)(const gk_model *mod, const GK_T *theta, int t) {
    return t < 0 ? NULL : theta + mod->params.t[t].offset;
}

/* z_i = c sum_{j: x_ij != 0} x_ij W[j, :] + b, over the nonzero inputs of row i only, then the ReLU (or none
 * for a one-layer net). */
static gk_status GK_NAME(sparse_first_layer)(mlp_deep_impl *R, const gk_dense_input *X, size_t n, const GK_T *W,
                                             const GK_T *b, GK_T c, GK_T *z, gk_error *err) {
    gk_status s = build_csr(R, X, n, err);
    if (s) return s;
    const size_t fo = fan_out(R, 1);
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (R->nnz * fo >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        GK_T *zi = z + (size_t)i * fo;
        const size_t q = R->rp[i];
        GK_NAME(sparse_rows)(zi, fo, R->ci + q, R->cv + q, R->rp[i + 1] - q, W);
        GK_NAME(scale_bias)(zi, c, b, fo);
    }
    GK_NAME(gk_dense_activate)(z, n, fo, R->depth > 1 ? GK_ACT_RELU : GK_ACT_LINEAR);
    return GK_OK;
}

/* grad W[j, :] += c sum_{i: x_ij != 0} x_ij G[i, :], the samples of input j in order (CSC of the last CSR), the
 * sums in GK_T, added to the double gradient. */
static void GK_NAME(sparse_weight_grads)(mlp_deep_impl *R, const GK_T *G, size_t n, GK_T c, double *gW) {
    build_csc(R, n);
    const size_t fo = fan_out(R, 1);
    const long d = (long)R->d_in;
#pragma omp parallel for schedule(static) if (R->nnz * fo >= GK_PARALLEL_MIN)
    for (long j = 0; j < d; j++) {
        GK_T *acc = R->GK_TBUF + (size_t)j * fo;
        const size_t q = R->cp[j];
        if (R->cp[j + 1] == q) continue;
        GK_NAME(sparse_rows)(acc, fo, R->ri + q, R->rv + q, R->cp[j + 1] - q, G);
        GK_NAME(scale_add)(gW + (size_t)j * fo, acc, c, fo);
    }
}

#undef GK_T
#undef GK_NAME
#undef GK_TBUF
#undef GK_NOBIAS
