/* sweep.h: `groklab sweep ARGS...` (cli/sweep.c): argv[0] = "sweep"; returns the exit code. */
#ifndef GK_CLI_CMD_SWEEP_H
#define GK_CLI_CMD_SWEEP_H

int gk_cli_sweep(int argc, char **argv);

#endif
