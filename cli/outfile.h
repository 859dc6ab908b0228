/*
 * outfile.h - the CLI's output files (cli/outfile.c): created without
 * following links, named only when complete.
 */
#ifndef TPCHGEN_OUTFILE_H
#define TPCHGEN_OUTFILE_H

#include <limits.h>
#include <signal.h>

/* At most this many files are being written at once. */
#define OUTFILE_MAX 64

/*
 * A file being written into the output directory: unnamed until complete,
 * or, where the file system has no unnamed files, under a hidden random name.
 */
typedef struct out_file
{
	char		path[PATH_MAX];	/* DIR/NAME, for messages */
	char		name[NAME_MAX + 1];	/* its name in the directory */
	char		tmp[NAME_MAX + 1];	/* the hidden name, while has_tmp */
	volatile sig_atomic_t has_tmp;
	int			fd;
	int			unnamed;		/* an O_TMPFILE file */
	int			in_use;			/* created and not closed yet */
} out_file;

/* Creates the output directory and its missing parents, and opens it. */
void		outfile_open_dir(const char *dir);

/* A new file, to be called `name` in the output directory when complete. */
out_file   *outfile_create(const char *name);

/* Gives a complete file its name (replacing an entry there, never through it). */
void		outfile_place(out_file *f);

/* outfile_place, then close; a write error found at close removes the name. */
void		outfile_close(out_file *f);

/* Removes the hidden names of files not complete yet (signal-safe). */
void		outfile_remove_temporaries(void);

/* Ctrl-C, SIGTERM, SIGHUP and exit remove the incomplete files. */
void		outfile_handle_signals(void);

#endif							/* TPCHGEN_OUTFILE_H */
