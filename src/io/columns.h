/* columns.h: a metrics column declared once, where its value is computed: its name, unit, meaning and role.
 *
 * An experiment lists its columns in one X-macro, in metrics.csv order, and GK_COLUMNS makes from that list both
 * an enum of row indices (COL_<name>, counting from 2: step and time are 0 and 1) and the declaration table:
 *
 *     #define PAR_COLUMNS(X, F)                                                                        \
 *         X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean hinge loss on the train set")          \
 *         X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL, "share of train samples with sign f = y")     \
 *         F(norm_, "norm", GK_ROLE_NONE, NULL, "`norm_<tensor>`: ...", norm_names)                     \
 *         X(sc_share, "share", GK_ROLE_NONE, uses_ce, "`loss=ce`: ...")   (present only when uses_ce(state))
 *     GK_COLUMNS(par_cols, PAR_COLUMNS);
 *     ... in eval: row[COL_train_loss] = ...; row[COL_train_acc] = ...; row[COL_norm_ + k] = ...;
 *
 * F declares a family: one column per name that norm_names(state, names) gives (up to GK_COLUMN_FAMILY_MAX),
 * e.g. one per tensor of the model.
 *
 * eval writes every present column by its name, into a row indexed by the whole list; the run driver keeps the
 * present ones in order (gk_columns_collect). A value cannot land under another column's name, and a present
 * column left unwritten, or an absent one written, is an error at the eval that does it, naming the column.
 * The role, not the spelling of a name, is what the run driver, the summary and the standard figure act on. */
#ifndef GK_COLUMNS_H
#define GK_COLUMNS_H

#include "groklab.h"

/* What the run layer does with a column. */
typedef enum gk_column_role {
    GK_ROLE_NONE = 0,    /* recorded and plotted only */
    GK_ROLE_TRAIN_LOSS,  /* the training objective on the train set: the progress line, the standard figure */
    GK_ROLE_TEST_LOSS,   /* the same on the test set */
    GK_ROLE_TRAIN_ACC,   /* share of train samples right: the train fit (>= 0.99) and the default phenomena */
    GK_ROLE_TEST_ACC,    /* share of test samples right: the test jump (>= 0.95), the default phenomena */
    GK_ROLE_PARAM_NORM,  /* ||theta||: a non-finite value stops the run as diverged; the norm panel */
    GK_ROLE_AGREEMENT,   /* agreement with a theory reference (name agree_<reference>): the agreement panel */
    GK_NCOLUMN_ROLES
} gk_column_role;

typedef struct gk_column {
    const char *name;
    const char *unit;                 /* "share" (0..1), "loss", "norm", "ratio", "count", "time", ... */
    gk_column_role role;
    int (*present)(const void *state); /* NULL: every run has it; else only runs where it returns non-zero */
    const char *meaning;              /* one line of docs/metrics.md (the condition first when present is set) */
    /* A family (F): the names of its columns in this run (into names[GK_COLUMN_FAMILY_MAX]), and how many. */
    int (*members)(const void *state, const char **names);
} gk_column;

#define GK_COLUMN_FAMILY_MAX 16
#define GK_COLUMN_ENUM_(name, unit, role, present, meaning) COL_##name,
#define GK_COLUMN_DECL_(name, unit, role, present, meaning) {#name, unit, role, present, meaning, NULL},
#define GK_FAMILY_ENUM_(name, unit, role, present, meaning, members) \
    COL_##name, COL_##name##last_ = COL_##name + GK_COLUMN_FAMILY_MAX - 1,
#define GK_FAMILY_DECL_(name, unit, role, present, meaning, members) {#name, unit, role, present, meaning, members},
/* The enum COL_<name> (row indices from 2) and `static const gk_column table[]` (terminated by {NULL}). */
#define GK_COLUMNS(table, LIST)                                                      \
    enum { COL_time_ = 1, LIST(GK_COLUMN_ENUM_, GK_FAMILY_ENUM_) COL_end_ };         \
    static const gk_column table[] = {LIST(GK_COLUMN_DECL_, GK_FAMILY_DECL_){NULL, NULL, GK_ROLE_NONE, NULL, NULL, NULL}}

/* Meanings shared by most experiments. */
#define GK_MEANING_PARAM_NORM "Euclidean norm of all parameters, ‖theta‖"
#define GK_MEANING_REL_DIST                                                                                       \
    "‖theta − theta0‖ / ‖theta0‖: how far training moved from the initialisation (small in the lazy / kernel " \
    "regime)"

/* The length of the row eval writes: 2 + the slots of the table's declarations (a family takes
 * GK_COLUMN_FAMILY_MAX). */
int gk_columns_row_length(const gk_column *table);
/* Whether declaration k of the table is in the run of this state. */
int gk_column_present(const gk_column *table, int k, const void *state);
/* Marks the declared slots of full as not written (a NaN whose bits no computation makes), before eval. */
void gk_columns_blank(const gk_column *table, double *full);
/* Checks that eval wrote exactly the present columns of full (GK_EINVAL naming the first that it did not, or
 * that it wrote though absent), then copies the present ones in order to row[2 ..]; *n = how many. */
gk_status gk_columns_collect(const gk_column *table, const void *state, const double *full, double *row, int *n,
                             gk_error *err);
/* The role a column's name had before roles were declared (for columns added by name only; see metrics.h). */
gk_column_role gk_column_role_of_name(const char *name);

#endif
