/* standard_figure.h: the figure every run gets, curves.png and curves.svg in dir. */
#ifndef GK_FIG_STANDARD_FIGURE_H
#define GK_FIG_STANDARD_FIGURE_H

#include "fig/curves.h"
#include "io/metrics.h"

#include <cjson/cJSON.h>

/* Panels of accuracy, loss, agreement (agree_* columns) and parameter norm against the step (x_tstar: against
 * step / predicted), titled "groklab <preset>"; nothing when m has fewer than 2 rows. The theory references'
 * test accuracies (summary's "references", the summary the run is about to write; NULL: none) are dashed lines. */
gk_status gk_standard_figure(const char *preset, const gk_metrics *m, const cJSON *summary, double predicted,
                             const char *dir, int x_tstar, gk_error *err);
/* The same for a multi-seed run: m holds the means, and every curve gets the band of its column in bands (the
 * seeds' min to max). */
gk_status gk_standard_figure_banded(const char *preset, const gk_metrics *m, const gk_band_tables *bands,
                                    const cJSON *summary, double predicted, const char *dir, int x_tstar,
                                    gk_error *err);

#endif
