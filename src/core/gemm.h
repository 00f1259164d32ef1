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

#endif
