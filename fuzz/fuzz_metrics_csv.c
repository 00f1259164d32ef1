/* fuzz_metrics_csv.c: the numeric CSV reader behind groklab plot, groklab.load and the sweep table (metrics.csv,
 * sweep.csv), in both modes (text cells refused, or read as NaN). The first input byte picks the mode.
 * Invariants: on success every row has ncols values (all readable: ASan), every column has a name, and a cut last
 * row (no line end) was refused; on failure a message is set. */
#include "fuzz_common.h"

#include "io/metrics_read.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int text_as_nan = data[0] & 1;
    gk_csv_table t;
    gk_error err;
    err.msg[0] = '\0';
    gk_status s = gk_csv_table_read_text(fuzz_file(data + 1, size - 1), 1 << 20, text_as_nan, &t, &err);
    if (s != GK_OK) {
        FUZZ_ASSERT(err.msg[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(t.ncols >= 1 && t.names);
    FUZZ_ASSERT(size - 1 > 0 && data[size - 1] == '\n');
    for (int c = 0; c < t.ncols; c++) FUZZ_ASSERT(t.names[c] != NULL && gk_csv_table_col(&t, t.names[c]) >= 0);
    double sum = 0;
    for (size_t i = 0; i < t.nrows * (size_t)t.ncols; i++) sum += t.vals[i];
    (void)sum;
    gk_csv_table_free(&t);
    return 0;
}
