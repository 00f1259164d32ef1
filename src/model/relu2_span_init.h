/* relu2_span_init.h: the set-up of the span path (relu2_span.h) from the init: W(0) drawn as the direct path
 * draws it (gk_relu2_init), the products computed, and W(0) freed (the span path never keeps it). */
#ifndef GK_MODEL_RELU2_SPAN_INIT_H
#define GK_MODEL_RELU2_SPAN_INIT_H

#include "model/relu2_span.h"

/* model: a relu2 net of width m on p inputs (its a_j drawn here too); Z: the n train then nt test rows;
 * e1, e2: the two directions. */
gk_status gk_relu2_products_from_init(gk_relu2_products *S, gk_model *model, double omega, uint64_t seed,
                                      const double *Z, size_t n, size_t nt, size_t m, size_t p, const double *e1,
                                      const double *e2, gk_error *err);

#endif
