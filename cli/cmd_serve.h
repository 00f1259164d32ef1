/* cmd_serve.h: `groklab serve [DIR ...] [--port N] [--host ADDR]` (cmd_serve.c, serve_api.c). */
#ifndef GK_CLI_CMD_SERVE_H
#define GK_CLI_CMD_SERVE_H

/* argv[0] = "serve"; returns the exit code (0 after SIGINT or SIGTERM, 1 if it cannot listen, 2 bad input). */
int gk_cli_serve(int argc, char **argv);

#endif
