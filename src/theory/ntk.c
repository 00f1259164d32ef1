/* ntk.c: the empirical neural tangent kernel through the generic model interface.
 *
 * Per-sample gradients come from one forward on a batch followed by one backward per sample with a one-hot
 * dout; the Gram matrix is a BLAS product of the gradient rows. Gradient rows are held in chunks of at most
 * GK_NTK_CHUNK_BYTES each (two chunks: one for `a`, one for `b`), so memory stays bounded for large P; when
 * `a` needs more than one chunk, the gradients of `b` are recomputed once per chunk of `a`. When b == a and
 * one chunk holds all of `a`, the Gram is a single dsyrk and `b` is never differentiated.
 */
#include "theory/theory.h"

#include "model/model.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GK_NTK_CHUNK_BYTES ((size_t)256 << 20)

/* G[r, :] = grad f(x_{i0 + r}) for r < cnt, for the inputs of the last forward (n of them). */
static void per_sample_grads(gk_model *m, const double *theta, const void *in, size_t n, size_t i0, size_t cnt,
                             double *dout, double *G) {
    size_t P = m->params.size;
    memset(G, 0, cnt * P * sizeof *G);
    for (size_t r = 0; r < cnt; r++) {
        dout[i0 + r] = 1.0;
        gk_model_backward(m, theta, in, n, dout, G + r * P);
        dout[i0 + r] = 0.0;
    }
}

/* The implementation with at most max_rows gradient rows per chunk (0: from GK_NTK_CHUNK_BYTES). Not in the
 * header: exported only so that the tests can exercise the chunked path on a small model. */
gk_status gk_ntk_gram_chunked(struct gk_model *m, const double *theta, const void *a, size_t na, const void *b,
                              size_t nb, size_t max_rows, double *K, gk_error *err);
gk_status gk_ntk_gram_chunked(struct gk_model *m, const double *theta, const void *a, size_t na, const void *b,
                              size_t nb, size_t max_rows, double *K, gk_error *err) {
    GK_ASSERT(m && m->ops && m->ops->forward && m->ops->backward && theta && a && b && K && na > 0 && nb > 0);
    if (m->n_out != 1)
        return gk_fail(err, GK_EINVAL, "NTK: model '%s' has %d outputs per sample; the NTK needs a scalar output",
                       m->ops->name ? m->ops->name : "?", m->n_out);
    size_t P = m->params.size;
    if (P == 0) return gk_fail(err, GK_EINVAL, "NTK: model has no parameters");
    int same = (a == b && na == nb);
    size_t rows = max_rows ? max_rows : GK_NTK_CHUNK_BYTES / (P * sizeof(double));
    if (rows < 1) rows = 1;
    size_t ca = na < rows ? na : rows, cb = nb < rows ? nb : rows;
    int one_chunk_same = same && ca == na;
    size_t nmax = na > nb ? na : nb;
    double *Ga = malloc(ca * P * sizeof *Ga);
    double *Gb = one_chunk_same ? NULL : malloc(cb * P * sizeof *Gb);
    double *out = malloc(nmax * sizeof *out), *dout = calloc(nmax, sizeof *dout);
    gk_status st = GK_OK;
    if (!Ga || (!one_chunk_same && !Gb) || !out || !dout) {
        st = gk_fail(err, GK_ENOMEM, "NTK: out of memory for %zu per-sample gradients of %zu parameters", ca + cb, P);
        goto done;
    }
    for (size_t i0 = 0; i0 < na; i0 += ca) {
        size_t ci = na - i0 < ca ? na - i0 : ca;
        st = gk_model_forward(m, theta, a, na, out, err);
        if (st != GK_OK) goto done;
        per_sample_grads(m, theta, a, na, i0, ci, dout, Ga);
        if (one_chunk_same) {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)na, (int)P, 1.0, Ga, (int)P, 0.0, K, (int)na);
            for (size_t i = 0; i < na; i++)
                for (size_t j = 0; j < i; j++) K[i * na + j] = K[j * na + i];
            break;
        }
        st = gk_model_forward(m, theta, b, nb, out, err);
        if (st != GK_OK) goto done;
        for (size_t j0 = 0; j0 < nb; j0 += cb) {
            size_t cj = nb - j0 < cb ? nb - j0 : cb;
            per_sample_grads(m, theta, b, nb, j0, cj, dout, Gb);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)ci, (int)cj, (int)P, 1.0, Ga, (int)P, Gb, (int)P,
                        0.0, K + i0 * nb + j0, (int)nb);
        }
    }
    for (size_t i = 0; i < na * nb; i++)
        if (!isfinite(K[i])) {
            st = gk_fail(err, GK_ENONFINITE, "NTK: K[%zu][%zu] is not finite", i / nb, i % nb);
            break;
        }
done:
    free(Ga), free(Gb), free(out), free(dout);
    return st;
}

gk_status gk_ntk_gram(struct gk_model *m, const double *theta, const void *a, size_t na, const void *b, size_t nb,
                      double *K, gk_error *err) {
    return gk_ntk_gram_chunked(m, theta, a, na, b, nb, 0, K, err);
}
