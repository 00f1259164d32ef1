/* web_page.h: groklab's report page (web/page.html, app.js, app.css and uPlot, embedded into the library at
 * build time by cmake/embed.cmake) filled with a page's data. The same page serves `groklab serve` (live: the
 * data name the runs to poll) and report.html (frozen: the data hold the rows, summary and config). */
#ifndef GK_REPORT_WEB_PAGE_H
#define GK_REPORT_WEB_PAGE_H

#include "groklab.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* The page with `data` (a JSON object: mode "index" | "run" | "sweep", live, and the mode's fields; see app.js)
 * inlined. *html is malloc'd and NUL-terminated, *len its length. */
gk_status gk_web_page(const cJSON *data, char **html, size_t *len, gk_error *err);

/* Reads a whole file into a malloc'd NUL-terminated buffer (*len: its length, may be NULL). GK_EIO naming the
 * file if it cannot be read. */
gk_status gk_web_slurp(const char *path, char **out, size_t *len, gk_error *err);

/* The names of the figures (*.png, *.svg) in dir, sorted, as a JSON array (empty if dir cannot be read). */
cJSON *gk_web_figures(const char *dir);

/* The words of each metrics column (the figures' own, fig/run_files.h: gk_column_title, e.g. "train accuracy"
 * for train_acc) as a JSON object {name: words}, for the page's legends and column lists: from an array of
 * column names, or from a metrics.csv's text (its header). */
cJSON *gk_web_column_labels(const cJSON *names);
cJSON *gk_web_column_labels_csv(const char *csv);
/* The words of each column of a sweep.csv's text ({name: words}): the sweep figures' for its summary scalars
 * (fig/run_files.h: gk_sweep_column_words), a config key's words, else the column's title. */
cJSON *gk_web_sweep_labels_csv(const char *csv);

#endif
