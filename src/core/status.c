/* status.c: status codes, error messages and the misuse assertion. */
#include "groklab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *gk_status_str(gk_status s) {
    switch (s) {
    case GK_OK: return "ok";
    case GK_EINVAL: return "invalid argument";
    case GK_EIO: return "input/output error";
    case GK_ENOMEM: return "out of memory";
    case GK_ENONFINITE: return "non-finite value";
    case GK_EINTERRUPTED: return "interrupted";
    case GK_EUNAVAILABLE: return "unavailable";
    case GK_EFAILED: return "solver failed";
    case GK_ELIMIT: return "limit reached";
    }
    return "unknown status";
}

gk_status gk_fail(gk_error *err, gk_status s, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* The one place the library may abort: a broken invariant is a bug, not a runtime condition. */
void gk_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "groklab: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
