/* run_entry.c: gk_run and gk_resume (run.h): one run (run.c, run_resume.c), or seeds=K of an experiment without a
 * lockstep form as K runs in DIR/seed_<s> (run_seeds.c). */
#include "run/run_internal.h"

gk_status gk_run(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res, gk_error *err) {
    if (gk_run_splits_seeds(p, cfg)) return gk_run_seeds(p, cfg, opts, res, err);
    return gk_run_one(p, cfg, opts, res, err);
}

gk_status gk_resume(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                    gk_run_result *res, gk_error *err) {
    gk_resume_ctx c;
    gk_status s = gk_resume_begin(dir, assign, nassign, opts, res, &c, err);
    if (s) return s;
    if (gk_run_splits_seeds(c.p, &c.cfg)) return gk_resume_seeds(c.p, &c.cfg, assign, nassign, &c.o, res, err);
    return gk_resume_run(c.p, &c.cfg, &c.o, res, err);
}
