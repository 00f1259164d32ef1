/* fuzz_target_csv.c: the target CSV reader of matrix completion. Invariants: on success a d x d matrix,
 * 1 <= d <= GK_MC_CSV_MAX_DIM, finite and exactly symmetric; on failure no matrix and a message. */
#include "fuzz_common.h"

#include "data/mc_data.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    double *X = NULL;
    size_t d = 0;
    gk_error err;
    err.msg[0] = '\0';
    gk_status s = gk_mc_read_csv(fuzz_file(data, size), &X, &d, &err);
    if (s != GK_OK) {
        FUZZ_ASSERT(X == NULL && err.msg[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(d >= 1 && d <= GK_MC_CSV_MAX_DIM);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) FUZZ_ASSERT(isfinite(X[i * d + j]) && X[i * d + j] == X[j * d + i]);
    free(X);
    return 0;
}
