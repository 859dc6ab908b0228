/*
 * updates.h - the CLI's update-set mode (cli/updates.c).
 */
#ifndef TPCHGEN_CLI_UPDATES_H
#define TPCHGEN_CLI_UPDATES_H

/* Whether the command line asks for update sets (an update option is given). */
int			updates_requested(int argc, char **argv);

/* Parses the whole command line and writes the update files; exits on error. */
int			updates_main(int argc, char **argv);

#endif							/* TPCHGEN_CLI_UPDATES_H */
