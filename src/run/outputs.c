/* outputs.c: the declared summary and figures of an experiment (outputs.h). */
#include "run/outputs.h"

#include "train/flow.h"
#include "train/train.h"

#include <math.h>
#include <string.h>

/* Used when an experiment declares no rules: the train set is fit, the test accuracy jumps (on the columns of
 * those roles; a role the run lacks gives no phenomenon). */
static void default_rules(const gk_metrics *m, gk_rule out[3]) {
    const int tr = gk_metrics_role_col(m, GK_ROLE_TRAIN_ACC), te = gk_metrics_role_col(m, GK_ROLE_TEST_ACC);
    const gk_rule rules[3] = {
        {"train set fit", tr < 0 ? "" : m->names[tr], GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
        {"test accuracy jumped", te < 0 ? "" : m->names[te], GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
        {NULL, NULL, 0, 0, NULL},
    };
    memcpy(out, rules, sizeof rules);
}

double gk_exp_predicted(const gk_exp_type *T, void *exp) { return T->predicted_step ? T->predicted_step(exp) : NAN; }

void gk_exp_summarize(const gk_exp_type *T, void *exp, const gk_metrics *m, double predicted, cJSON *sum) {
    gk_rule defaults[3];
    default_rules(m, defaults);
    gk_summarize_rules(T->rules ? T->rules(exp) : defaults, m, predicted, sum);
    const gk_flow *flow = T->trainer(exp)->flow;
    if (flow) {
        cJSON_AddNumberToObject(sum, "grad_evals", (double)gk_flow_evals(flow));
        cJSON_AddNumberToObject(sum, "flow_steps", (double)gk_flow_steps(flow));
        cJSON_AddNumberToObject(sum, "flow_rejected", (double)gk_flow_rejected(flow));
    }
    gk_error aux = {{0}};
    if (T->summarize && T->summarize(exp, m, sum, &aux)) cJSON_AddStringToObject(sum, "summarize_error", aux.msg);
    gk_summarize_facts(T->facts, m, sum); /* last: a ratio may read the hook's numbers */
}

gk_status gk_exp_figures(const gk_exp_type *T, void *exp, const gk_config *cfg, const gk_metrics *m,
                         double predicted, const char *dir, gk_error *err) {
    gk_status s = GK_OK;
    for (const gk_curve_figure *F = T->curves; F && F->file && !s; F++) s = gk_plot_curves(F, m, cfg, predicted, dir, err);
    return s || !T->figures ? s : T->figures(exp, m, dir, err);
}
