/* fuzz_npy.c: the .npy reader of a user's data set (X.npy, y.npy). The input is cut in two at its first "\n--\n"
 * (or in the middle): X's bytes, then y's. Invariants: on success X holds n x d finite numbers and y n numbers
 * (all readable: ASan), n and d at least 1; on failure a message is set and nothing is left allocated. */
#include "fuzz_common.h"

#include "data/userdata.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t cut = size / 2, skip = 0;
    for (size_t i = 0; i + 4 <= size; i++)
        if (!memcmp(data + i, "\n--\n", 4)) {
            cut = i, skip = 4;
            break;
        }
    const char *x = fuzz_file_at(0, data, cut);
    const char *y = fuzz_file_at(1, data + cut + skip, size - cut - skip);
    gk_userdata u;
    gk_error err;
    err.msg[0] = '\0';
    gk_status s = gk_userdata_read_npy(x, y, &u, &err);
    if (s != GK_OK) {
        FUZZ_ASSERT(err.msg[0] != '\0' && u.X == NULL && u.y == NULL);
        return 0;
    }
    FUZZ_ASSERT(u.n >= 1 && u.d >= 1 && u.X && u.y);
    for (size_t i = 0; i < u.n * u.d; i++) FUZZ_ASSERT(isfinite(u.X[i]));
    double sum = 0;
    for (size_t i = 0; i < u.n; i++) sum += u.y[i];
    (void)sum;
    gk_userdata_free(&u);
    return 0;
}
