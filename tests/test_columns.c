/* test_columns.c: declared metrics columns (io/columns.h): the row enum and table from one list, the check that
 * eval wrote exactly the present columns, families, and roles in the metrics table. */
#include "check.h"
#include "io/metrics.h"

#include <string.h>

typedef struct toy { int extra, nfam; } toy;
static int has_extra(const void *st) { return ((const toy *)st)->extra; }
static int fam_names(const void *st, const char **names) {
    static const char *all[] = {"norm_a", "norm_b", "norm_c"};
    const int n = ((const toy *)st)->nfam;
    for (int k = 0; k < n; k++) names[k] = all[k];
    return n;
}

#define TOY_COLUMNS(X, F)                                                      \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "the loss")                \
    X(extra, "count", GK_ROLE_NONE, has_extra, "`extra=1`: a count")           \
    F(norm_, "norm", GK_ROLE_NONE, NULL, "per tensor", fam_names)              \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "the accuracy")
GK_COLUMNS(toy_cols, TOY_COLUMNS);

static void write_toy(const toy *t, double *full) {
    full[COL_train_loss] = 0.5;
    if (t->extra) full[COL_extra] = 3;
    for (int k = 0; k < t->nfam; k++) full[COL_norm_ + k] = 10 + k;
    full[COL_test_acc] = 0.25;
}

static void test_enum_and_table(void) {
    GK_CHECK(COL_train_loss == 2 && COL_extra == 3 && COL_norm_ == 4);
    GK_CHECK(COL_test_acc == 4 + GK_COLUMN_FAMILY_MAX);
    GK_CHECK(gk_columns_row_length(toy_cols) == COL_end_);
    GK_CHECK(!strcmp(toy_cols[3].name, "test_acc") && toy_cols[3].role == GK_ROLE_TEST_ACC && !toy_cols[4].name);
}

static void test_collect(void) {
    double full[COL_end_], row[8];
    gk_error err = {{0}};
    int n = -1;
    const toy with = {1, 2}, without = {0, 3};
    gk_columns_blank(toy_cols, full);
    write_toy(&with, full);
    GK_CHECK(gk_columns_collect(toy_cols, &with, full, row, &n, &err) == GK_OK);
    GK_CHECK(n == 5 && row[2] == 0.5 && row[3] == 3 && row[4] == 10 && row[5] == 11 && row[6] == 0.25);
    gk_columns_blank(toy_cols, full);
    write_toy(&without, full);
    GK_CHECK(gk_columns_collect(toy_cols, &without, full, row, &n, &err) == GK_OK);
    GK_CHECK(n == 5 && row[2] == 0.5 && row[3] == 10 && row[5] == 12 && row[6] == 0.25);
    gk_columns_blank(toy_cols, full); /* a present column left unwritten */
    write_toy(&with, full);
    const double blank = full[COL_test_acc - 1]; /* an unused family slot: still blank */
    memcpy(&full[COL_test_acc], &blank, sizeof blank);
    GK_CHECK(gk_columns_collect(toy_cols, &with, full, row, &n, &err) == GK_EINVAL && strstr(err.msg, "test_acc"));
    gk_columns_blank(toy_cols, full); /* an absent column written */
    write_toy(&with, full);
    GK_CHECK(gk_columns_collect(toy_cols, &without, full, row, &n, &err) == GK_EINVAL && strstr(err.msg, "extra"));
    gk_columns_blank(toy_cols, full); /* a family member missing */
    write_toy(&with, full);
    GK_CHECK(gk_columns_collect(toy_cols, &(toy){1, 3}, full, row, &n, &err) == GK_EINVAL && strstr(err.msg, "norm_c"));
    gk_columns_blank(toy_cols, full); /* NaN is a value like any other */
    write_toy(&with, full);
    full[COL_train_loss] = NAN;
    GK_CHECK(gk_columns_collect(toy_cols, &with, full, row, &n, &err) == GK_OK && isnan(row[2]));
}

static void test_metrics_roles(void) {
    gk_metrics m;
    gk_error err = {{0}};
    gk_metrics_init(&m);
    const toy t = {0, 2};
    GK_CHECK(gk_metrics_add_column(&m, "step", &err) == GK_OK);
    GK_CHECK(gk_metrics_add_table(&m, toy_cols, &t, &err) == GK_OK);
    GK_CHECK(m.ncols == 5 && !strcmp(m.names[2], "norm_a") && !strcmp(m.names[3], "norm_b") && m.decl[2] == &toy_cols[2]);
    GK_CHECK(gk_metrics_role_col(&m, GK_ROLE_TEST_ACC) == 4 && gk_metrics_role_col(&m, GK_ROLE_TRAIN_ACC) == -1);
    GK_CHECK(gk_metrics_add_column(&m, "agree_kernel", &err) == GK_OK); /* a name only: its old role */
    GK_CHECK(gk_metrics_role_col(&m, GK_ROLE_AGREEMENT) == 5 && !m.decl[5]);
    gk_metrics_free(&m);
}

int main(void) {
    GK_RUN(test_enum_and_table);
    GK_RUN(test_collect);
    GK_RUN(test_metrics_roles);
    return gk_test_summary();
}
