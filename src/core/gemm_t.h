/* gemm_t.h: the body of gemm.c written once for a scalar type, included twice by gemm.c (no include guard).
 * Before including, define GK_T (double or float), GK_GEMM_ROW_SLICES and GK_ADD_COLUMN_SUMS (the public names
 * at that type) and GK_CBLAS_GEMM (cblas_dgemm or cblas_sgemm); they are undefined at the end. */

void GK_GEMM_ROW_SLICES(int trans_a, int trans_b, size_t M, size_t N, size_t K, GK_T alpha, const GK_T *A, size_t lda,
                        const GK_T *B, size_t ldb, GK_T beta, GK_T *C, size_t ldc, size_t block) {
    const long nb = (long)((M + block - 1) / block);
#pragma omp parallel for schedule(static) if (nb > 1 && M * N * K >= GK_PARALLEL_MIN)
    for (long b = 0; b < nb; b++) {
        const size_t i0 = M * (size_t)b / (size_t)nb, m = M * (size_t)(b + 1) / (size_t)nb - i0;
        const GK_T *Ab = trans_a ? A + i0 : A + i0 * lda;
        GK_CBLAS_GEMM(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                      (int)N, (int)K, alpha, Ab, (int)lda, B, (int)ldb, beta, C + i0 * ldc, (int)ldc);
    }
}

void GK_ADD_COLUMN_SUMS(const GK_T *G, size_t n, size_t fo, GK_T *gb) {
    const long nb = (long)((fo + 31) / 32);
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
    for (long b = 0; b < nb; b++) {
        const size_t j0 = (size_t)b * 32, len = j0 + 32 <= fo ? 32 : fo - j0;
        GK_T acc[32] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < len; j++) acc[j] += G[i * fo + j0 + j];
        for (size_t j = 0; j < len; j++) gb[j0 + j] += acc[j];
    }
}

#undef GK_T
#undef GK_GEMM_ROW_SLICES
#undef GK_ADD_COLUMN_SUMS
#undef GK_CBLAS_GEMM
