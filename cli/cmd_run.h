/* run.h: the commands that train or inspect one run: list, run, resume, theory (cli/run.c). Each takes the
 * command's arguments (argv[0] = the command name) and returns the exit code. */
#ifndef GK_CLI_CMD_RUN_H
#define GK_CLI_CMD_RUN_H

#define GK_CLI_DEFAULT_PRESET "diag-sparse"

int gk_cli_list(int argc, char **argv);
int gk_cli_run(int argc, char **argv);
int gk_cli_resume(int argc, char **argv);
int gk_cli_theory(int argc, char **argv);

#endif
