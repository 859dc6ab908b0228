/*
 * outfile.c - the CLI's output files, safe in a directory others may write.
 *
 * Every file is created in the opened output directory as a new inode (an
 * unnamed O_TMPFILE file, or a hidden random name made with O_EXCL, which
 * never follows a symbolic link), written, and given its name only when
 * complete; a signal or an error never leaves a partial file under a final
 * name, and nothing that was in the directory is ever written through.
 */
#include "outfile.h"
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* The output directory, opened once: every name is created relative to it. */
static int	out_dir = -1;
static const char *out_dir_name;

/*
 * Creates one directory of the output path, unless it exists.  A symbolic
 * link found there is followed only when it cannot have been planted: when
 * it is ours or its directory owner's, or that directory is not writable by
 * everyone (the rule of the kernel's fs.protected_symlinks for sticky
 * directories, here for every world-writable one, sticky or not).
 */
static void
make_one_dir(const char *path)
{
	struct stat st;
	struct stat parent;
	char		dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (mkdir(path, 0777) == 0)
		return;
	if (errno != EEXIST)
		client_fail("could not create directory \"%s\": %s", path, strerror(errno));
	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode) || st.st_uid == geteuid())
		return;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int) (slash - path), path);
	if (stat(dir, &parent) == 0 && (parent.st_mode & S_IWOTH) && st.st_uid != parent.st_uid)
		client_fail("--output-dir: \"%s\" is another user's symbolic link in a directory that everyone "
			 "may write: give the directory it points to",
			 path);
}

/*
 * Creates the output directory and its missing parents, then opens it.  The
 * directory itself is taken as given (a symbolic link to a directory is
 * followed, as a user typing the path means, unless someone else could have
 * planted it); the files in it are not.
 */
void
outfile_open_dir(const char *dir)
{
	char		path[PATH_MAX];
	size_t		len = strlen(dir);
	struct stat st;

	if (len == 0 || len >= sizeof(path))
		client_fail("--output-dir: bad directory name \"%s\"", dir);
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++)
	{
		if (*p != '/')
			continue;
		*p = '\0';
		make_one_dir(path);
		*p = '/';
	}
	make_one_dir(path);
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		client_fail("--output-dir: \"%s\" is not a directory", path);
	out_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	out_dir_name = dir;
	if (out_dir < 0)
		client_fail("could not open directory \"%s\": %s", path, strerror(errno));
	if (access(path, W_OK | X_OK) != 0)
		client_fail("cannot write into directory \"%s\": %s", path, strerror(errno));
}

/* The files being made, for the signal handler. */
static out_file files[OUTFILE_MAX];
static int	nfiles;

void
outfile_remove_temporaries(void)
{
	for (int i = 0; i < nfiles; i++)
		if (files[i].has_tmp)
			unlinkat(out_dir, files[i].tmp, 0);
}

/* Ctrl-C or kill: no temporary file stays behind (unlinkat is signal-safe). */
static void
on_signal(int sig)
{
	outfile_remove_temporaries();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A hidden name for f that nobody can guess ahead: another user of a shared
 * directory cannot plant anything there beforehand.
 */
static void
hidden_name(out_file *f)
{
	uint64_t	r;
	char		tmp[sizeof(f->tmp)];

	if (getrandom(&r, sizeof(r), 0) != (ssize_t) sizeof(r))
		client_fail("could not get random bytes: %s", strerror(errno));
	/*
	 * Through a local buffer: inlined at -O2 without -g (as PostgreSQL 18's
	 * CFLAGS have it), gcc 12 takes f->name and f->tmp for one object and
	 * warns that they may overlap (-Wrestrict).
	 */
	snprintf(tmp, sizeof(tmp), ".%s.tpchgen-%016llx.tmp", f->name,
			 (unsigned long long) r);
	memcpy(f->tmp, tmp, sizeof(tmp));
}

/*
 * Creates the file that receives a table: an unnamed file in the output
 * directory, or a new file under a hidden random name.  Both are new inodes
 * (O_TMPFILE, or O_CREAT | O_EXCL, which never follows a symbolic link), so
 * nothing that was in the directory is written to.
 */
out_file *
outfile_create(const char *name)
{
	out_file   *f = NULL;
	struct stat st;

	if (strlen(name) >= sizeof(f->name))
		client_fail("file name too long: \"%s\"", name);
	/* a closed file's slot is taken again */
	for (int i = 0; i < OUTFILE_MAX && f == NULL; i++)
		if (!files[i].in_use)
			f = &files[i];
	if (f == NULL)
		client_fail("too many output files open at once");
	f->has_tmp = 0;
	f->in_use = 1;
	if (f - files >= nfiles)
		nfiles = (int) (f - files) + 1;	/* counted first: seen by the signal handler */
	strcpy(f->name, name);
	snprintf(f->path, sizeof(f->path), "%s/%s", out_dir_name, name);
	/* a directory in the way is found now, not after generating the table */
	if (fstatat(out_dir, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		client_fail("cannot write \"%s\": it is a directory", f->path);
	f->fd = -1;
#ifdef O_TMPFILE
	/* naming it at the end goes through /proc */
	if (access("/proc/self/fd", X_OK) == 0)
		f->fd = openat(out_dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	f->unnamed = f->fd >= 0;
#endif
	for (int tries = 0; f->fd < 0 && tries < 100; tries++)
	{
		hidden_name(f);
		f->fd = openat(out_dir, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					   0666);
		if (f->fd >= 0)
			f->has_tmp = 1;
		else if (errno != EEXIST)
			break;
	}
	if (f->fd < 0)
		client_fail("could not create a file in \"%s\": %s", out_dir_name, strerror(errno));
	return f;
}

/*
 * Gives a complete file its name.  An unnamed file is linked to the name
 * directly when the name is free (linkat never replaces nor follows
 * anything); otherwise it is linked to a hidden random name first, which is
 * then renamed over the name: rename replaces the entry itself, a symbolic
 * link included, never the file a link points to.  Last, the name must hold
 * our file: in a directory that others may write without the sticky bit,
 * the hidden name could have been swapped for something else in between.
 */
void
outfile_place(out_file *f)
{
	struct stat ours;
	struct stat there;

	if (f->unnamed)
	{
		char		proc[64];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
		if (linkat(AT_FDCWD, proc, out_dir, f->name, AT_SYMLINK_FOLLOW) != 0)
		{
			if (errno != EEXIST)
				client_fail("could not link \"%s\": %s", f->path, strerror(errno));
			for (int tries = 0; !f->has_tmp; tries++)
			{
				hidden_name(f);
				if (linkat(AT_FDCWD, proc, out_dir, f->tmp, AT_SYMLINK_FOLLOW) == 0)
					f->has_tmp = 1;
				else if (errno != EEXIST || tries == 100)
					client_fail("could not link \"%s\": %s", f->path, strerror(errno));
			}
		}
	}
	if (f->has_tmp)
	{
		if (renameat(out_dir, f->tmp, out_dir, f->name) != 0)
			client_fail("could not rename \"%s\" to \"%s\": %s", f->tmp, f->path, strerror(errno));
		f->has_tmp = 0;
	}
	if (fstat(f->fd, &ours) != 0 || fstatat(out_dir, f->name, &there, AT_SYMLINK_NOFOLLOW) != 0 ||
		ours.st_dev != there.st_dev || ours.st_ino != there.st_ino)
		client_fail("\"%s\" is not the file written: another process replaced it while it was renamed",
			 f->path);
}

/* A complete file: its final name, then closed (a failed close removes it). */
void
outfile_close(out_file *f)
{
	outfile_place(f);
	/* a write that fails only at close (NFS): the name must not stay */
	if (close(f->fd) != 0)
	{
		int			save_errno = errno;

		unlinkat(out_dir, f->name, 0);
		client_fail("could not write \"%s\": %s", f->path, strerror(save_errno));
	}
	f->fd = -1;
	f->in_use = 0;
}

void
outfile_handle_signals(void)
{
	atexit(outfile_remove_temporaries);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}
