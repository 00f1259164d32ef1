/* plot.h: `groklab plot DIR... [options]` (plot.c): overlays runs or a sweep's points in one figure. */
#ifndef GK_CLI_PLOT_H
#define GK_CLI_PLOT_H

/* argv[0] = "plot"; returns the exit code. */
int gk_cli_plot(int argc, char **argv);

#endif
