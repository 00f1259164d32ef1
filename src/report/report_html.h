/* report_html.h: report.html, the report page of a run or a sweep frozen into one file (rows, summary, config,
 * uPlot and the page's script inlined; the figures beside it are shown by their names). It opens offline in a
 * browser and shows what `groklab serve` shows live, as of when it was written. */
#ifndef GK_REPORT_HTML_H
#define GK_REPORT_HTML_H

#include "groklab.h"

/* dir/report.html from dir's metrics.csv, summary.json, config.json and figures. Atomic. */
gk_status gk_report_html_run(const char *dir, gk_error *err);
/* dir/report.html for a sweep: sweep.csv, its figures, and each point's (subdirectories with a config.json)
 * step, time, accuracy and loss columns. Atomic. */
gk_status gk_report_html_sweep(const char *dir, gk_error *err);

#endif
