/* dense_decl_t.h: the declarations of the dense layer's functions, written once for a scalar type and included
 * twice by dense.h (no include guard): GK_T = double with the plain names (gk_dense_forward, ...), GK_T = float
 * with the names ending in _f (gk_dense_forward_f, ...; precision=f32: float arithmetic, products by sgemm
 * slices). Before including, define GK_T and GK_NAME(x) (x, or x##_f); they are undefined at the end. */

/* Z (n x fo) = c A W + 1 b^T, then Z = act(Z) in place (b NULL: no bias). */
void GK_NAME(gk_dense_forward)(const GK_T *A, size_t n, size_t fi, size_t fo, const GK_T *W, const GK_T *b, GK_T c,
                               gk_act act, GK_T *Z);
/* Z = act(Z) in place (n x fo). */
void GK_NAME(gk_dense_activate)(GK_T *Z, size_t n, size_t fo, gk_act act);
/* double: grad_W += c A^T G, grad_b += the column sums of G (n x fo); float: grad_W = c A^T G and grad_b = the
 * column sums (overwritten, not accumulated). Each skipped when its pointer is NULL. */
void GK_NAME(gk_dense_param_grads)(const GK_T *A, const GK_T *G, size_t n, size_t fi, size_t fo, GK_T c, GK_T *gW,
                                   GK_T *gb);
/* G_in (n x fi) = (c G W^T) * act'(z), with act'(z) computed from A = act(z) (n x fi): ReLU 1[A > 0] (ReLU'(0) = 0,
 * as in PyTorch), tanh 1 - A^2, linear 1. */
void GK_NAME(gk_dense_input_grad)(const GK_T *G, const GK_T *W, const GK_T *A, size_t n, size_t fi, size_t fo, GK_T c,
                                  gk_act act, GK_T *Gin);

#undef GK_T
#undef GK_NAME
