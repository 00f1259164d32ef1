/* fuzz_idx.c: the IDX reader (raw or gzip). Invariants: on success the data holds exactly the product of the
 * dimensions (all bytes readable: ASan checks), on failure nothing is left allocated and a message is set. */
#include "fuzz_common.h"

#include "data/idx.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gk_idx x;
    gk_error err;
    err.msg[0] = '\0';
    gk_status s = gk_idx_read(fuzz_file(data, size), &x, &err);
    if (s != GK_OK) {
        FUZZ_ASSERT(x.data == NULL && x.count == 0 && err.msg[0] != '\0');
        return 0;
    }
    size_t count = 1;
    for (int k = 0; k < x.ndim; k++) count *= x.dims[k];
    FUZZ_ASSERT(x.ndim >= 1 && x.ndim <= GK_IDX_MAX_DIMS && count == x.count);
    unsigned sum = 0;
    for (size_t i = 0; i < x.count; i++) sum += x.data[i];
    (void)sum;
    gk_idx_free(&x);
    return 0;
}
