/* margin_refs.h: the theory references of the diagonal linear net (Lyu et al. 2024, Thm 3.4 / 3.5) on its data
 * set: the max-L2-margin (kernel regime, early) and the max-L1-margin (rich regime, after t*) linear classifiers
 * through the origin, each solved once on the train set (gk_l2_margin, gk_l1_margin) and scored on both sets. */
#ifndef GK_THEORY_MARGIN_REFS_H
#define GK_THEORY_MARGIN_REFS_H

#include "data/diag_data.h"

enum { GK_REF_L2, GK_REF_L1, GK_NREFS };
extern const char *const gk_margin_ref_names[GK_NREFS]; /* "l2margin", "l1margin" */

/* A linear classifier w_ref, scored once on the test set. */
typedef struct gk_margin_ref {
    int ok;
    char why[512];      /* the reason, when the reference is unavailable */
    double margin, train_acc, test_acc, seconds;
    double *test_score; /* <w_ref, x> on the test set */
} gk_margin_ref;

/* Solves both references on D's train set and scores them. A reference that cannot be computed (not
 * separable, solver failure) is recorded with its reason (ok = 0) and is no error; running out of memory is. */
gk_status gk_margin_refs_make(gk_margin_ref ref[GK_NREFS], const gk_diag_data *D, gk_error *err);
void gk_margin_refs_free(gk_margin_ref ref[GK_NREFS]);

/* Share of the n points on which scores f and ref have the same sign (a tie counts 1/2); NAN for n = 0. */
double gk_sign_agreement(const double *f, const double *ref, size_t n);

#endif
