/* cli.h: helpers shared by the command-line files. */
#ifndef GK_CLI_H
#define GK_CLI_H

#include "exp/exp.h"

/* Prints "groklab: error: msg" and returns exit code 2 (bad input). */
int gk_cli_bad_input(const char *msg);
/* Prints every key of a preset with its default, range and meaning. */
void gk_cli_print_params(const gk_preset *p);
/* `groklab sweep ARGS...` (cli/sweep.c): returns the exit code. */
int gk_cli_sweep(int argc, char **argv);
/* `groklab plot DIR... [options]` (cli/plot.c), argv[0] = "plot": returns the exit code. */
int gk_cli_plot(int argc, char **argv);

#endif
