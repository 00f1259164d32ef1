/* metrics_slice.c: every stride-th row of a metrics table (metrics_slice.h). */
#include "report/metrics_slice.h"

gk_status gk_metrics_slice(const gk_metrics *m, size_t r0, size_t stride, gk_metrics *out, gk_error *err) {
    GK_ASSERT(stride > 0);
    gk_metrics_init(out);
    gk_status s = GK_OK;
    for (int c = 0; c < m->ncols && !s; c++) {
        s = gk_metrics_add_column(out, m->names[c], err);
        if (!s) out->decl[c] = m->decl[c];
    }
    for (size_t r = r0; r < m->nrows && !s; r += stride) s = gk_metrics_append(out, m->rows + r * (size_t)m->ncols, err);
    return s;
}
