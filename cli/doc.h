/* doc.h: the man page and the bash completion, generated from the same tables as --help (doc.c). */
#ifndef GK_CLI_DOC_H
#define GK_CLI_DOC_H

#include <stdio.h>

/* `groklab --help-man` / `--help-completion`: the man page or the bash completion on stdout. */
int gk_cli_doc(const char *what, void (*usage)(FILE *));
/* docs/metrics.md from the declared columns (`groklab --help-metrics`). */
int gk_cli_doc_metrics(FILE *out);

#endif
