/* gemm.c: see gemm.h. The double and float32 functions are one body, gemm_t.h, included once per type. */
#include "core/gemm.h"

#include "core/parallel.h"

#include <cblas.h>

#define GK_T double
#define GK_GEMM_ROW_SLICES gk_gemm_row_slices
#define GK_ADD_COLUMN_SUMS gk_add_column_sums
#define GK_CBLAS_GEMM cblas_dgemm
#include "core/gemm_t.h"

#define GK_T float
#define GK_GEMM_ROW_SLICES gk_sgemm_row_slices
#define GK_ADD_COLUMN_SUMS gk_add_column_sums_f
#define GK_CBLAS_GEMM cblas_sgemm
#include "core/gemm_t.h"
