/* chunks.h: sums over samples or parameters cut into GK_NCHUNK fixed chunks, whatever the thread count, and
 * combined in chunk order: the same bits at any number of threads. */
#ifndef GK_TRAIN_CHUNKS_H
#define GK_TRAIN_CHUNKS_H

#include <stddef.h>

#define GK_NCHUNK 64

/* Chunk c of n items: [*i0, *i1). */
static inline void gk_chunk_range(size_t n, long c, size_t *i0, size_t *i1) {
    *i0 = n * (size_t)c / GK_NCHUNK;
    *i1 = n * (size_t)(c + 1) / GK_NCHUNK;
}

static inline double gk_sum_chunks(const double *part) {
    double s = 0;
    for (int c = 0; c < GK_NCHUNK; c++) s += part[c];
    return s;
}

#endif
