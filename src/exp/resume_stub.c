/* resume_stub.c: a placeholder for gk_resume until the run driver provides it (the lead removes this file). */
#include "exp/exp.h"

#include <string.h>

gk_status gk_resume(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts, gk_run_result *res,
                    gk_error *err) {
    (void)dir, (void)assign, (void)nassign, (void)opts;
    memset(res, 0, sizeof *res);
    return gk_fail(err, GK_EINVAL, "resume is not implemented");
}
