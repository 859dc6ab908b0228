/*
 * export_file.c - the lifecycle of the files tpch_export writes.
 *
 * Data goes to an unnamed file in the target's directory (or a new hidden
 * file there), is synced, and gets the target's name only when every file of
 * the call is complete and every target has been checked again.  A failed
 * export never removes a file it has put in place: until the first one is
 * placed, every existing file is as it was; after, the error says which are
 * new.  Paths reach the kernel as given, as COPY TO passes them, and names
 * are resolved in the directory opened once, never through a symbolic link
 * at the name.  A memory context callback removes temporary names and
 * releases rings, descriptors and compression contexts on error or cancel.
 */
#include "export.h"

#include "miscadmin.h"
#include "storage/fd.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void export_hidden_name(ExportFile *f);
static void export_stage(ExportCleanup *cl, ExportFile *f);
static void export_place(ExportCleanup *cl, int i, bool overwrite);

/*
 * Opens the directory of the files once: every later step names files
 * relative to it, so that the directory cannot change under the export.
 */
void
tpchgen_export_open_dir(ExportCleanup *cl, bool all)
{
	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not open directory \"%s\": too many open files",
						cl->dir)));
	cl->dirfd = open(cl->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cl->dirfd >= 0)
		return;
	ReleaseExternalFD();
	if (errno == ENOTDIR && all)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a directory", cl->dir),
				 errhint("tpch_export('all', ...) writes into an existing directory.")));
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not open directory \"%s\": %m", cl->dir),
			 all ? errhint("tpch_export('all', ...) writes into an existing directory.") :
			 errdetail("The file \"%s\" would go there.", cl->files[0].path)));
}

/*
 * Refuses a target that cannot be written or replaced.  The name itself is
 * looked at (lstat), never what a symbolic link there points to: a link
 * exists, dangling or not, and replacing it would replace the link, not its
 * target.  late: the check just before the files are put in place, when
 * whatever differs appeared while the export was running.
 */
void
tpchgen_export_check_target(ExportCleanup *cl, ExportFile *f, bool overwrite,
							bool late)
{
	struct stat st;
	struct stat dir;

	if (fstatat(cl->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
	{
		if (errno == ENOENT)
			return;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", f->path)));
	}
	if (S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a directory", f->path),
				 late ? errdetail("It appeared while the export was running; no file was replaced.") : 0));
	if (!overwrite)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_FILE),
				 errmsg("file \"%s\" already exists", f->path),
				 late ? errdetail("It appeared while the export was running; no file was replaced.") :
				 S_ISLNK(st.st_mode) ? errdetail("It is a symbolic link.") : 0,
				 errhint("Use overwrite => true to replace it.")));
	if (S_ISLNK(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a symbolic link", f->path),
				 errdetail(late ? "It appeared while the export was running; no file was replaced." :
						   "Only regular files are replaced: the link would be replaced, not the file it points to.")));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a regular file", f->path),
				 errdetail(late ? "It appeared while the export was running; no file was replaced." :
						   "Only regular files are replaced.")));

	/*
	 * In a sticky directory (such as /tmp) only a file's owner, or the
	 * directory's, may replace it: the rename would fail with EPERM at the
	 * end, after all the data was written.
	 */
	if (fstat(cl->dirfd, &dir) == 0 && (dir.st_mode & S_ISVTX) &&
		st.st_uid != geteuid() && dir.st_uid != geteuid())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot replace file \"%s\"", f->path),
				 errdetail(late ? "It belongs to another user, in a directory with the sticky bit set; it appeared while the export was running, and no file was replaced." :
						   "It belongs to another user, in a directory with the sticky bit set.")));
}

/*
 * A hidden name beside the target that nobody can plant anything at
 * beforehand.  It stays short whatever the target's name (which may take
 * all of NAME_MAX): a long name is left out.
 */
static void
export_hidden_name(ExportFile *f)
{
	uint64		r;

	if (!pg_strong_random(&r, sizeof(r)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random temporary file name")));
	if (f->tmp != NULL)
		pfree(f->tmp);
	if (strlen(f->name) <= 200)
		f->tmp = psprintf(".%s.tpchgen-%d-%016llx.tmp", f->name, MyProcPid,
						  (unsigned long long) r);
	else
		f->tmp = psprintf(".tpchgen-%d-%016llx.tmp", MyProcPid,
						  (unsigned long long) r);
}

/* Releases whatever an export still holds, and removes unfinished files. */
void
tpchgen_export_cleanup(void *arg)
{
	ExportCleanup *cl = arg;

	if (cl->writer != NULL)
		tpchgen_writer_close(cl->writer);
	cl->writer = NULL;
	if (cl->cctx != NULL)
		ZSTD_freeCCtx(cl->cctx);
	cl->cctx = NULL;
	for (int i = 0; i < cl->nfiles; i++)
	{
		ExportFile *f = &cl->files[i];

		/* An unnamed file vanishes with its last descriptor. */
		if (f->fd >= 0 && !f->borrowed)
		{
			close(f->fd);
			ReleaseExternalFD();
		}
		f->fd = -1;
		/* Only hidden names: a file put in place is never removed. */
		if (f->created)
			unlinkat(cl->dirfd, f->tmp, 0);
		f->created = false;
	}
	if (cl->dirfd >= 0)
	{
		close(cl->dirfd);
		ReleaseExternalFD();
	}
	cl->dirfd = -1;
}

/*
 * Creates the file that receives the data: an unnamed file in the target's
 * directory (O_TMPFILE), which no crash can leave behind, since it only gets
 * a name once complete; or, on file systems without unnamed files or without
 * /proc to name them through, a new file under a hidden random name (O_EXCL,
 * which follows no link).  Readable by others, as COPY TO makes its files.
 */
void
tpchgen_export_open(ExportCleanup *cl, ExportFile *f)
{
	struct stat st;
	mode_t		oumask;
	int			save_errno;

	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not open file \"%s\" for writing: too many open files",
						f->path)));
	oumask = umask(S_IWGRP | S_IWOTH);
#ifdef O_TMPFILE
	if (!tpchgen_export_test_named && stat("/proc/self/fd", &st) == 0)
		f->fd = openat(cl->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	f->unnamed = f->fd >= 0;
#endif
	for (int tries = 0; f->fd < 0 && tries < 100; tries++)
	{
		export_hidden_name(f);
		f->fd = openat(cl->dirfd, f->tmp,
					   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		f->created = f->fd >= 0;
		if (f->fd < 0 && errno != EEXIST)
			break;
	}
	save_errno = errno;
	umask(oumask);
	if (f->fd < 0)
	{
		ReleaseExternalFD();
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for writing: %m", f->path),
				 f->tmp != NULL ?
				 errdetail("The data goes to \"%s\" in the same directory first.", f->tmp) : 0));
	}
	ereport(DEBUG1,
			(errmsg_internal("tpchgen: writing \"%s\" %s", f->path,
							 f->unnamed ? "as an unnamed file" : "under a temporary name")));
}

/*
 * Gives an unnamed file a hidden name, from which a rename can replace the
 * target atomically.
 */
static void
export_stage(ExportCleanup *cl, ExportFile *f)
{
	char		proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	for (int tries = 0; !f->created; tries++)
	{
		export_hidden_name(f);
		if (linkat(AT_FDCWD, proc, cl->dirfd, f->tmp, AT_SYMLINK_FOLLOW) == 0)
			f->created = true;
		else if (errno != EEXIST || tries == 100)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not link file \"%s\": %m", f->path),
					 errdetail("It was written as an unnamed file; no file was replaced.")));
	}
}

/*
 * Puts file i in place: a rename of its hidden name over the target, or,
 * when nothing may be replaced, a link (of the unnamed file) or a rename
 * that fail if the name exists.  On a failure, files before i are in place
 * already: the error says which are new and which were left as they were.
 */
static void
export_place(ExportCleanup *cl, int i, bool overwrite)
{
	ExportFile *f = &cl->files[i];
	int			rc;
	int			save_errno;
	bool		exists;
	StringInfoData placed;
	StringInfoData left;

	if (tpchgen_export_test_refuse != NULL &&
		strcmp(f->name, tpchgen_export_test_refuse) == 0)
	{
		rc = -1;
		errno = EPERM;
	}
	else if (f->created)
	{
		rc = renameat2(cl->dirfd, f->tmp, cl->dirfd, f->name,
					   overwrite ? 0 : RENAME_NOREPLACE);
		/* File systems without RENAME_NOREPLACE: the last check stands. */
		if (rc != 0 && errno == EINVAL && !overwrite)
			rc = renameat(cl->dirfd, f->tmp, cl->dirfd, f->name);
	}
	else
	{
		char		proc[64];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
		rc = linkat(AT_FDCWD, proc, cl->dirfd, f->name, AT_SYMLINK_FOLLOW);
	}
	if (rc == 0)
	{
		f->created = false;
		return;
	}

	save_errno = errno;
	exists = errno == EEXIST;
	initStringInfo(&placed);
	initStringInfo(&left);
	for (int j = 0; j < cl->nfiles; j++)
	{
		StringInfo	list = j < i ? &placed : &left;

		appendStringInfo(list, "%s\"%s\"", list->len > 0 ? ", " : "",
						 cl->files[j].name);
	}
	errno = save_errno;
	ereport(ERROR,
			(exists ? errcode(ERRCODE_DUPLICATE_FILE) : errcode_for_file_access(),
			 exists ?
			 errmsg("file \"%s\" already exists", f->path) :
			 errmsg("could not put file \"%s\" in place: %m", f->path),
			 i == 0 ?
			 errdetail("No file was put in place: every existing file is as it was.") :
			 errdetail("In \"%s\", these files are new and complete: %s.  These were left as they were: %s.",
					   cl->dir, placed.data, left.data),
			 exists ? errhint("Use overwrite => true to replace it.") : 0));
}

/*
 * Puts every finished file in place, in three steps: every file gets the
 * name it is renamed from (unnamed files a hidden link), every target is
 * checked again, and only then are the targets replaced, one after the
 * other.  Until the last step nothing existing has changed; in it, only a
 * change made by someone else since the check can make a placement fail,
 * and then the files already placed stay (their old versions are gone).
 * Last, the directory is synced, so that the names are durable too.
 */
void
tpchgen_export_commit(ExportCleanup *cl, bool overwrite)
{
	for (int i = 0; i < cl->nfiles; i++)
		if (cl->files[i].unnamed && overwrite)
			export_stage(cl, &cl->files[i]);
	for (int i = 0; i < cl->nfiles; i++)
		tpchgen_export_check_target(cl, &cl->files[i], overwrite, true);
	for (int i = 0; i < cl->nfiles; i++)
		export_place(cl, i, overwrite);

	for (int i = 0; i < cl->nfiles; i++)
	{
		ExportFile *f = &cl->files[i];
		int			rc = close(f->fd);
		int			save_errno = errno;

		f->fd = -1;
		ReleaseExternalFD();
		errno = save_errno;
		if (rc != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not close file \"%s\": %m", f->path)));
	}
	/* An export file is not the database: a failure here is a plain error. */
	fsync_fname_ext(cl->dir, true, false, ERROR);
}
