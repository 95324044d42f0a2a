/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CMD_H
#define VMM_CMD_H

/*
 * The subcommands main() dispatches to, one file each under vmm/cmd/. Each
 * takes its own argv (argv[0] is the subcommand's name) and returns the
 * process's exit status (base/exit.h).
 */
int cmd_run(int argc, char **argv);	  /* cmd/run.c */
int cmd_restore(int argc, char **argv);	  /* cmd/restore.c */
int cmd_inspect(int argc, char **argv);	  /* cmd/inspect.c: needs no KVM */
int cmd_host_info(int argc, char **argv); /* cmd/hostinfo.c */
/* save, pause, resume, stop, info (cmd/client.c; client_command_known names them). */
int cmd_client(int argc, char **argv);

#endif
