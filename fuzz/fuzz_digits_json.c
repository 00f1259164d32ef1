/* fuzz_digits_json.c: the npm digits JSON reader. Invariants: on success whole images of 784 pixels in [0, 1]
 * with the label asked for; on failure the set is unchanged and a message is set. */
#include "fuzz_common.h"

#include "data/digits_json.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gk_image_set S;
    memset(&S, 0, sizeof S);
    gk_error err;
    err.msg[0] = '\0';
    gk_status s = gk_digits_json_read_file(fuzz_file(data, size), 7, &S, &err);
    if (s != GK_OK) {
        FUZZ_ASSERT(S.n == 0 && err.msg[0] != '\0');
    } else {
        FUZZ_ASSERT(S.n >= 1 && S.d == 784);
        for (size_t i = 0; i < S.n * S.d; i++) FUZZ_ASSERT(S.x[i] >= 0 && S.x[i] <= 1);
        for (size_t i = 0; i < S.n; i++) FUZZ_ASSERT(S.y[i] == 7);
    }
    gk_image_set_free(&S);
    return 0;
}
