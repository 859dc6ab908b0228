/*
 * commands.h - the subcommands of the tpchgen CLI beside data generation.
 */
#ifndef TPCHGEN_COMMANDS_H
#define TPCHGEN_COMMANDS_H

/* in qgen.c: `tpchgen qgen ...`, with argv[0] = "qgen"; returns the exit code */
extern int	tpchgen_qgen_main(int argc, char **argv);

#endif							/* TPCHGEN_COMMANDS_H */
