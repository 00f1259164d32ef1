/* loss_t.h: the pieces of loss.c that are the same logic in double and in float32 (softmax_precision=f32),
 * written once and included twice by loss.c (no include guard). Before including, define GK_T (double or
 * float), GK_NAME(x) (the name of x at that type: x, or x##_f32) and GK_EXP (exp or expf); they are undefined at
 * the end. The literals are integers, so each type computes in its own arithmetic. */

/* StableMax's s(x) = x + 1 for x >= 0 and 1 / (1 - x) for x < 0, and its derivative s'(x) (see loss.c). */
static GK_T GK_NAME(stable_s)(GK_T x) { return x >= 0 ? x + 1 : 1 / (1 - x); }
static GK_T GK_NAME(stable_ds)(GK_T x) { return x >= 0 ? 1 : 1 / ((1 - x) * (1 - x)); }

/* Softmax Collapse (Prieto et al. 2025, Sec. 3): the share of samples whose sum of exp(z_j - max z), in GK_T
 * (the logits read as GK_T), is exactly 1: every other class's term is below half an ulp of 1, so the gradient
 * of the loss vanishes. */
double GK_NAME(gk_softmax_collapse_share)(const double *logits, size_t n, size_t k) {
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        const double *z = logits + i * k;
        GK_T m = (GK_T)z[0], S = 0;
        for (size_t j = 1; j < k; j++) m = (GK_T)z[j] > m ? (GK_T)z[j] : m;
        for (size_t j = 0; j < k; j++) S += GK_EXP((GK_T)z[j] - m);
        hits += S == 1;
    }
    return n ? (double)hits / (double)n : NAN;
}

#undef GK_T
#undef GK_NAME
#undef GK_EXP
