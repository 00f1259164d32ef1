/* parity.h: the keys of the sparse-parity task, shared by the experiments built on it (parity.c,
 * parity_progress.c, slingshot.c). */
#ifndef GK_EXP_PARITY_H
#define GK_EXP_PARITY_H

#include "exp/exp.h"

/* The data and the net: x in {-1,+1}^n, y the product of the first k bits, a ReLU MLP of `width` units. */
#define GK_PARITY_TASK_PARAMS(width_default)                                                                       \
    {"n", GK_P_INT, "40", 1, 1e6, 0, 0, NULL, "input bits (x in {-1,+1}^n)"},                                      \
    {"k", GK_P_INT, "3", 1, 1e6, 0, 0, NULL, "the label is the product of the first k bits"},                      \
    {"n_train", GK_P_INT, "1000", 1, 1e7, 0, 0, NULL, "train samples (a fixed set)"},                             \
    {"n_test", GK_P_INT, "1000", 1, 1e7, 0, 0, NULL, "test samples"},                                             \
    {"width", GK_P_INT, width_default, 1, 1e6, 0, 0, NULL, "hidden ReLU units"},                                  \
    {"init_scale", GK_P_REAL, "1", 0, INFINITY, 1, 0, NULL, "PyTorch default init times this"},                   \
    {"loss", GK_P_ENUM, "hinge", 0, 0, 0, 0, "hinge|logistic", "hinge max(0, 1 - y f) or logistic log(1 + exp(-y f))"}, \
    {"online", GK_P_BOOL, "0", 0, 1, 0, 0, NULL,                                                                   \
     "fresh samples each step (Barak et al.): every step draws `batch` new inputs, seeded by the seed and the step; " \
     "the train columns are then measured on n_train samples of the same law that are never trained on"}

/* The columns of parity.c, which the experiments built on it declare first (their eval calls parity's, which writes
 * these by the same COL_<name>; io/columns.h). */
#define GK_PARITY_COLUMNS(X, F)                                                                                   \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean hinge or logistic loss (key `loss`) on the train set")  \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL, "share of train samples with sign f(x) = y")                   \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "the same loss on the test set")                                \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "share of test samples with sign f(x) = y")                      \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                        \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)

#endif
