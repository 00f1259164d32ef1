/* params.c: the tensor table over one flat parameter buffer. */
#include "groklab.h"

size_t gk_param_table_add(gk_param_table *pt, const char *name, size_t rows, size_t cols) {
    GK_ASSERT(pt->count < GK_MAX_TENSORS);
    gk_tensor *t = &pt->t[pt->count++];
    t->name = name;
    t->rows = rows;
    t->cols = cols;
    t->offset = pt->size;
    pt->size += rows * cols;
    return t->offset;
}
