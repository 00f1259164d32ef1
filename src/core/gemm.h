/* gemm.h: a dgemm split into fixed slices of rows of the product, spread over the OpenMP threads.
 * OpenBLAS inside a run is single-threaded (its sums change with its own thread count); this gives the
 * batch products of the MLPs a second core without that: every slice is one single-threaded dgemm, the
 * slices depend on the shape only, and no two slices share an output or a sum, so the bits are the same for
 * any thread count. */
#ifndef GK_CORE_GEMM_H
#define GK_CORE_GEMM_H

#include <stddef.h>

/* C (M x N) = alpha op(A) op(B) + beta C, row-major, in nb = ceil(M / block) slices of rows of C of near-equal
 * size. op(A) rows i0..i1 are rows of A (trans_a = 0) or columns of A (trans_a = 1). */
void gk_gemm_row_slices(int trans_a, int trans_b, size_t M, size_t N, size_t K, double alpha, const double *A,
                        size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc, size_t block);

/* The same in float32 (sgemm slices; float32 models, precision=f32). */
void gk_sgemm_row_slices(int trans_a, int trans_b, size_t M, size_t N, size_t K, float alpha, const float *A,
                         size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc, size_t block);

/* gb[j] += sum_i G[i, j] for a row-major n x fo matrix G, the rows summed in order i = 0..n-1 for each column
 * (one thread per block of 32 columns): the bias gradient of a dense layer. */
void gk_add_column_sums(const double *G, size_t n, size_t fo, double *gb);

/* The same in float32 (the sums in float, as PyTorch's float32 bias gradient). */
void gk_add_column_sums_f(const float *G, size_t n, size_t fo, float *gb);

#endif
