/* metrics_slice.h: one run's rows of a table that interleaves K runs row by row (xor's seeds.csv: K rows per
 * eval point), as a table of its own, so that declared facts (report/phenomena.h) read it like metrics.csv. */
#ifndef GK_IO_METRICS_SLICE_H
#define GK_IO_METRICS_SLICE_H

#include "io/metrics.h"

/* out = the rows r0, r0 + stride, r0 + 2 stride, ... of m, with m's columns. out is initialised here (also on
 * failure): free it with gk_metrics_free. */
gk_status gk_metrics_slice(const gk_metrics *m, size_t r0, size_t stride, gk_metrics *out, gk_error *err);

#endif
