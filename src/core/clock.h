/* clock.h: wall time for reports (timing fields of summary.json); never an input to the numerics. */
#ifndef GK_CORE_CLOCK_H
#define GK_CORE_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock. */
static inline double gk_now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#endif
