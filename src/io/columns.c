/* columns.c: the declared metrics columns (columns.h): which are present, and the check that eval wrote them. */
#include "io/columns.h"

#include <stdint.h>
#include <string.h>

/* A quiet NaN with a payload no arithmetic produces (an operation on NaN keeps its input's payload, and eval
 * reads none of the row). */
static const uint64_t unwritten_bits = UINT64_C(0x7ff8c01d0c01d0c0);

static int unwritten(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b == unwritten_bits;
}

static int slots(const gk_column *c) { return c->members ? GK_COLUMN_FAMILY_MAX : 1; }

int gk_columns_row_length(const gk_column *table) {
    int n = 2;
    for (int k = 0; table[k].name; k++) n += slots(&table[k]);
    return n;
}

int gk_column_present(const gk_column *table, int k, const void *state) {
    return !table[k].present || table[k].present(state);
}

void gk_columns_blank(const gk_column *table, double *full) {
    double v;
    memcpy(&v, &unwritten_bits, sizeof v);
    for (int j = 2, n = gk_columns_row_length(table); j < n; j++) full[j] = v;
}

/* The columns declaration c stands for in this run: 0 or 1, or a family's members (names filled). */
static int width(const gk_column *table, int k, const void *state, const char **names) {
    if (!gk_column_present(table, k, state)) return 0;
    if (!table[k].members) return names[0] = table[k].name, 1;
    int n = table[k].members(state, names);
    GK_ASSERT(n >= 0 && n <= GK_COLUMN_FAMILY_MAX);
    return n;
}

gk_status gk_columns_collect(const gk_column *table, const void *state, const double *full, double *row, int *n,
                             gk_error *err) {
    *n = 0;
    const double *slot = full + 2;
    for (int k = 0; table[k].name; slot += slots(&table[k]), k++) {
        const char *names[GK_COLUMN_FAMILY_MAX];
        const int w = width(table, k, state, names);
        for (int j = 0; j < slots(&table[k]); j++) {
            if (j < w && unwritten(slot[j]))
                return gk_fail(err, GK_EINVAL, "metrics column %s is declared but eval did not write it", names[j]);
            if (j >= w && !unwritten(slot[j]))
                return gk_fail(err, GK_EINVAL, "metrics column %s%s is absent from this run but eval wrote it",
                               table[k].name, table[k].members ? " (a member past the family's last)" : "");
            if (j < w) row[2 + (*n)++] = slot[j];
        }
    }
    return GK_OK;
}

gk_column_role gk_column_role_of_name(const char *name) {
    static const struct { const char *name; gk_column_role role; } by_name[] = {
        {"train_loss", GK_ROLE_TRAIN_LOSS}, {"test_loss", GK_ROLE_TEST_LOSS}, {"train_acc", GK_ROLE_TRAIN_ACC},
        {"test_acc", GK_ROLE_TEST_ACC},     {"param_norm", GK_ROLE_PARAM_NORM},
    };
    for (size_t k = 0; k < sizeof by_name / sizeof *by_name; k++)
        if (!strcmp(name, by_name[k].name)) return by_name[k].role;
    return strncmp(name, "agree_", 6) ? GK_ROLE_NONE : GK_ROLE_AGREEMENT;
}
