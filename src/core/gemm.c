/* gemm.c: see gemm.h. */
#include "core/gemm.h"

#include "core/parallel.h"

#include <cblas.h>

void gk_gemm_row_slices(int trans_a, int trans_b, size_t M, size_t N, size_t K, double alpha, const double *A,
                        size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc, size_t block) {
    const long nb = (long)((M + block - 1) / block);
#pragma omp parallel for schedule(static) if (nb > 1 && M * N * K >= GK_PARALLEL_MIN)
    for (long b = 0; b < nb; b++) {
        const size_t i0 = M * (size_t)b / (size_t)nb, m = M * (size_t)(b + 1) / (size_t)nb - i0;
        const double *Ab = trans_a ? A + i0 : A + i0 * lda;
        cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                    (int)N, (int)K, alpha, Ab, (int)lda, B, (int)ldb, beta, C + i0 * ldc, (int)ldc);
    }
}

void gk_add_column_sums(const double *G, size_t n, size_t fo, double *gb) {
    const long nb = (long)((fo + 31) / 32);
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
    for (long b = 0; b < nb; b++) {
        const size_t j0 = (size_t)b * 32, len = j0 + 32 <= fo ? 32 : fo - j0;
        double acc[32] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < len; j++) acc[j] += G[i * fo + j0 + j];
        for (size_t j = 0; j < len; j++) gb[j0 + j] += acc[j];
    }
}

void gk_sgemm_row_slices(int trans_a, int trans_b, size_t M, size_t N, size_t K, float alpha, const float *A,
                         size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc, size_t block) {
    const long nb = (long)((M + block - 1) / block);
#pragma omp parallel for schedule(static) if (nb > 1 && M * N * K >= GK_PARALLEL_MIN)
    for (long b = 0; b < nb; b++) {
        const size_t i0 = M * (size_t)b / (size_t)nb, m = M * (size_t)(b + 1) / (size_t)nb - i0;
        const float *Ab = trans_a ? A + i0 : A + i0 * lda;
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                    (int)N, (int)K, alpha, Ab, (int)lda, B, (int)ldb, beta, C + i0 * ldc, (int)ldc);
    }
}

void gk_add_column_sums_f(const float *G, size_t n, size_t fo, float *gb) {
    const long nb = (long)((fo + 31) / 32);
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
    for (long b = 0; b < nb; b++) {
        const size_t j0 = (size_t)b * 32, len = j0 + 32 <= fo ? 32 : fo - j0;
        float acc[32] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < len; j++) acc[j] += G[i * fo + j0 + j];
        for (size_t j = 0; j < len; j++) gb[j0 + j] += acc[j];
    }
}
