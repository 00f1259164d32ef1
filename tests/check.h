/* check.h: a minimal test harness. Each test program runs its cases with GK_RUN and returns
 * gk_test_summary(), which is non-zero when any check failed, so CTest sees the failure. */
#ifndef GK_CHECK_H
#define GK_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int gk_checks_run, gk_checks_failed, gk_cases_failed;

#define GK_CHECK(cond)                                                                                 \
    do {                                                                                               \
        gk_checks_run++;                                                                               \
        if (!(cond)) {                                                                                 \
            gk_checks_failed++;                                                                        \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                          \
        }                                                                                              \
    } while (0)

#define GK_CHECK_MSG(cond, ...)                                                                        \
    do {                                                                                               \
        gk_checks_run++;                                                                               \
        if (!(cond)) {                                                                                 \
            gk_checks_failed++;                                                                        \
            fprintf(stderr, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                          \
            fprintf(stderr, __VA_ARGS__);                                                              \
            fprintf(stderr, "\n");                                                                     \
        }                                                                                              \
    } while (0)

/* |a - b| <= atol + rtol * |b| */
#define GK_CHECK_CLOSE(a, b, atol, rtol)                                                               \
    do {                                                                                               \
        double gk_a_ = (a), gk_b_ = (b);                                                               \
        gk_checks_run++;                                                                               \
        if (!(fabs(gk_a_ - gk_b_) <= (atol) + (rtol)*fabs(gk_b_))) {                                   \
            gk_checks_failed++;                                                                        \
            fprintf(stderr, "  FAIL %s:%d: %s = %.17g, expected %s = %.17g\n", __FILE__, __LINE__, #a, \
                    gk_a_, #b, gk_b_);                                                                 \
        }                                                                                              \
    } while (0)

#define GK_RUN(fn)                                                                                     \
    do {                                                                                               \
        int before_ = gk_checks_failed;                                                                \
        fprintf(stderr, "[ RUN  ] %s\n", #fn);                                                         \
        fn();                                                                                          \
        if (gk_checks_failed != before_) gk_cases_failed++;                                            \
        fprintf(stderr, "[ %s ] %s\n", gk_checks_failed == before_ ? " OK " : "FAIL", #fn);            \
    } while (0)

static inline int gk_test_summary(void) {
    fprintf(stderr, "%d checks, %d failed, %d cases failed\n", gk_checks_run, gk_checks_failed, gk_cases_failed);
    return gk_checks_failed != 0 || gk_checks_run == 0;
}

#endif
