/*
 * pool.c - the text pool of the PostgreSQL processes: built once per server
 * into a file of the data directory, then mapped by every process.
 *
 * With shared_preload_libraries the postmaster builds the pool before it
 * forks anything, and every process inherits its pages.  Without it, the
 * first process that needs the pool builds it into
 * pgsql_tmp_tpchgen/pool-<build id> (under a lock, so concurrent first queries
 * build it once: the others wait and then map it), and every later backend
 * and parallel worker maps that file read-only and shared: one copy in the
 * page cache for the whole server, nothing copied, a few hundred page
 * faults.  Written in large pieces, the file sits in the page cache in 2 MiB
 * folios where the kernel and file system allow (Linux 6.16 and later on
 * ext4, XFS), which a 2 MiB-aligned mapping then maps with huge pages.
 *
 * The file is trusted only whole: its trailer carries a magic number, the
 * build id of this library (a new binary never reads an older file), the
 * size and a CRC-32C of the pool.  The size is checked by every process, the
 * CRC by the first process of each server start that maps the file (it
 * leaves a note of the postmaster it checked for); a file that fails is
 * rebuilt.  If no file can be written, the process builds a private pool and
 * says so once.
 */
#include "tpchgen_pg.h"

#include "access/parallel.h"
#include "miscadmin.h"
#include "common/file_perm.h"
#include "port/pg_crc32c.h"
#include "portability/instr_time.h"
#include "storage/fd.h"
#include "utils/timestamp.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Base backups and pg_rewind skip names that start with "pgsql_tmp": the
 * pool is rebuilt wherever it is missing, so 300 MiB need not travel.
 */
#define POOL_DIR		"pgsql_tmp_tpchgen"
#define POOL_LOCK		POOL_DIR "/lock"
#define POOL_MAGIC		"TPCHPOOL"
#define POOL_VERSION	1

/* The trailer follows the pool, page-aligned: the pool starts the file. */
#define TRAILER_OFFSET	TYPEALIGN(4096, TPCH_POOL_ALLOC)

/* Pieces the pool is written in: large, so the page cache gets 2 MiB folios. */
#define WRITE_PIECE		((size_t) 8 * 1024 * 1024)

#define BUILD_ID_MAX	32

typedef struct PoolTrailer
{
	char		magic[8];
	uint32		version;
	uint32		build_id_len;
	uint8		build_id[BUILD_ID_MAX];
	uint64		pool_bytes;
	pg_crc32c	pool_crc;
	pg_crc32c	trailer_crc;	/* of the fields above */
} PoolTrailer;

/* Who checked the CRC of a pool file, for the rest of that server's life. */
typedef struct PoolChecked
{
	int			postmaster_pid;
	TimestampTz start_time;
} PoolChecked;

/* The build id, computed once; its hex form names the file. */
static uint8 build_id[BUILD_ID_MAX];
static uint32 build_id_len = 0;
static char pool_path[MAXPGPATH];
static char checked_path[MAXPGPATH];

static void
log_pool(const char *how, instr_time start)
{
	instr_time	duration;

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	/* which processes pay for a pool is worth seeing (and testing) */
	elog(DEBUG1, "tpchgen text pool %s in %.0f ms", how,
		 INSTR_TIME_GET_MILLISEC(duration));
}

/* Builds a private pool in this process (the core's anonymous mapping). */
static const char *
build_private(void)
{
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (tpch_pool_init() != TPCH_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not allocate the tpchgen text pool"),
				 errdetail("The pool needs %zu bytes of memory.", TPCH_POOL_ALLOC)));
	log_pool("built", start);
	return tpch_pool();
}

/* Called from _PG_init when preloaded: the postmaster builds the pool. */
void
tpchgen_pool_preload(void)
{
	build_private();
}

/* Finds the GNU build id note of the object that holds this code. */
static int
find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t	self = (uintptr_t) arg;
	bool		mine = false;

	for (int i = 0; i < info->dlpi_phnum && !mine; i++)
	{
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t	lo = info->dlpi_addr + ph->p_vaddr;

		mine = ph->p_type == PT_LOAD && self >= lo && self < lo + ph->p_memsz;
	}
	if (!mine)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
	{
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p = (const char *) (info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;

		if (ph->p_type != PT_NOTE)
			continue;
		while (p + sizeof(ElfW(Nhdr)) <= end)
		{
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *) p;
			const char *name = p + sizeof(ElfW(Nhdr));
			const uint8 *desc = (const uint8 *) name + TYPEALIGN(4, n->n_namesz);

			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
				memcmp(name, "GNU", 4) == 0)
			{
				build_id_len = Min(n->n_descsz, BUILD_ID_MAX);
				memcpy(build_id, desc, build_id_len);
				return 1;
			}
			p = (const char *) desc + TYPEALIGN(4, n->n_descsz);
		}
	}
	return 1;
}

/*
 * The build id of this library names its pool file.  Without a build id
 * note, the library file's size and modification time stand for it: either
 * way a reinstalled binary gets a new file.
 */
static void
set_pool_path(void)
{
	char		hex[2 * BUILD_ID_MAX + 1];

	if (pool_path[0])
		return;
	dl_iterate_phdr(find_build_id, (void *) &find_build_id);
	if (build_id_len == 0)
	{
		Dl_info		info;
		struct stat st;
		uint64		v[2] = {0, 0};

		if (dladdr((void *) &find_build_id, &info) && info.dli_fname &&
			stat(info.dli_fname, &st) == 0)
		{
			v[0] = (uint64) st.st_size;
			v[1] = (uint64) st.st_mtime;
		}
		memcpy(build_id, v, sizeof(v));
		build_id_len = sizeof(v);
	}
	for (uint32 i = 0; i < build_id_len; i++)
		sprintf(hex + 2 * i, "%02x", build_id[i]);
	snprintf(pool_path, sizeof(pool_path), POOL_DIR "/pool-%s", hex);
	snprintf(checked_path, sizeof(checked_path), "%s.checked", pool_path);
}

static pg_crc32c
trailer_crc(const PoolTrailer *t)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, t, offsetof(PoolTrailer, trailer_crc));
	FIN_CRC32C(crc);
	return crc;
}

/* Whether the postmaster of this server life has had the file's CRC checked. */
static bool
checked_this_start(void)
{
	PoolChecked c;
	int			fd = open(checked_path, O_RDONLY | O_CLOEXEC);
	bool		ok;

	if (fd < 0)
		return false;
	ok = read(fd, &c, sizeof(c)) == sizeof(c) &&
		c.postmaster_pid == PostmasterPid && c.start_time == PgStartTime;
	close(fd);
	return ok;
}

static void
note_checked(void)
{
	PoolChecked c;
	int			fd = open(checked_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
						  pg_file_create_mode);

	if (fd < 0)
		return;
	memset(&c, 0, sizeof(c));
	c.postmaster_pid = PostmasterPid;
	c.start_time = PgStartTime;
	/* a lost note only costs a check more */
	(void) !write(fd, &c, sizeof(c));
	close(fd);
}

typedef enum PoolFileState
{
	POOL_FILE_OK,
	POOL_FILE_MISSING,
	POOL_FILE_BAD				/* wrong size, trailer or CRC */
} PoolFileState;

/*
 * Maps the pool file if it is complete and of this build; with `check`, its
 * CRC is verified unless this server start has seen it verified.  On
 * success *pool is the mapping, which stays for the life of the process.
 */
static PoolFileState
open_pool_file(bool check, const char **pool)
{
	int			fd = open(pool_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	PoolTrailer t;
	const char *mem;

	*pool = NULL;
	if (fd < 0)
		return errno == ENOENT ? POOL_FILE_MISSING : POOL_FILE_BAD;
	if (fstat(fd, &st) != 0 ||
		st.st_size != (off_t) (TRAILER_OFFSET + sizeof(PoolTrailer)) ||
		pread(fd, &t, sizeof(t), TRAILER_OFFSET) != sizeof(t) ||
		memcmp(t.magic, POOL_MAGIC, sizeof(t.magic)) != 0 ||
		t.version != POOL_VERSION ||
		t.trailer_crc != trailer_crc(&t) ||
		t.build_id_len != build_id_len ||
		memcmp(t.build_id, build_id, build_id_len) != 0 ||
		t.pool_bytes != TPCH_POOL_ALLOC ||
		(mem = tpch_pool_map_file(fd)) == NULL)
	{
		close(fd);
		return POOL_FILE_BAD;
	}
	close(fd);

	if (check && !checked_this_start())
	{
		pg_crc32c	crc;

		INIT_CRC32C(crc);
		COMP_CRC32C(crc, mem, TPCH_POOL_ALLOC);
		FIN_CRC32C(crc);
		if (crc != t.pool_crc)
		{
			munmap((void *) mem, TPCH_POOL_ALLOC);
			return POOL_FILE_BAD;
		}
		note_checked();
	}
	*pool = mem;
	return POOL_FILE_OK;
}

/* Removes pool files of other builds, and a temporary file a crash left. */
static void
remove_stale_files(void)
{
	DIR		   *dir = AllocateDir(POOL_DIR);
	struct dirent *de;
	const char *mine = pool_path + strlen(POOL_DIR "/");

	while ((de = ReadDirExtended(dir, POOL_DIR, LOG)) != NULL)
	{
		char		path[MAXPGPATH];

		if (strncmp(de->d_name, "pool-", 5) != 0 ||
			strcmp(de->d_name, mine) == 0)
			continue;
		snprintf(path, sizeof(path), POOL_DIR "/%s", de->d_name);
		if (unlink(path) != 0)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove file \"%s\": %m", path)));
	}
	FreeDir(dir);
}

/*
 * Builds the pool and writes it to the file: a temporary name, synced, then
 * renamed, so the file is whole or absent.  Returns false with errno set
 * when the file cannot be written; nothing is left behind then.
 */
static bool
write_pool_file(void)
{
	char		tmp[MAXPGPATH];
	char	   *buf;
	int			fd;
	PoolTrailer t;
	pg_crc32c	crc;
	int			save;

	buf = mmap(NULL, TPCH_POOL_ALLOC, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return false;
#ifdef MADV_HUGEPAGE
	(void) madvise(buf, TPCH_POOL_ALLOC, MADV_HUGEPAGE);
#endif
	tpch_pool_build(buf);

	snprintf(tmp, sizeof(tmp), "%s.tmp", pool_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, pg_file_create_mode);
	if (fd < 0)
		goto fail;
	INIT_CRC32C(crc);
	for (size_t off = 0; off < TPCH_POOL_ALLOC;)
	{
		size_t		n = Min(WRITE_PIECE, TPCH_POOL_ALLOC - off);
		ssize_t		w = pwrite(fd, buf + off, n, off);

		if (w <= 0)
		{
			if (w == 0)
				errno = ENOSPC;
			goto fail;
		}
		COMP_CRC32C(crc, buf + off, w);
		off += w;
	}
	FIN_CRC32C(crc);

	memset(&t, 0, sizeof(t));
	memcpy(t.magic, POOL_MAGIC, sizeof(t.magic));
	t.version = POOL_VERSION;
	t.build_id_len = build_id_len;
	memcpy(t.build_id, build_id, build_id_len);
	t.pool_bytes = TPCH_POOL_ALLOC;
	t.pool_crc = crc;
	t.trailer_crc = trailer_crc(&t);
	if (pwrite(fd, &t, sizeof(t), TRAILER_OFFSET) != sizeof(t))
	{
		if (errno == 0)
			errno = ENOSPC;
		goto fail;
	}
	if (enableFsync && pg_fdatasync(fd) != 0)
		goto fail;
	if (close(fd) != 0)
	{
		fd = -1;
		goto fail;
	}
	fd = -1;
	munmap(buf, TPCH_POOL_ALLOC);
	buf = NULL;
	if (durable_rename(tmp, pool_path, LOG) != 0)
		goto fail;
	note_checked();
	return true;

fail:
	save = errno;
	if (fd >= 0)
		close(fd);
	(void) unlink(tmp);
	if (buf)
		munmap(buf, TPCH_POOL_ALLOC);
	errno = save;
	return false;
}

/*
 * The pool from the file, built if need be; NULL (errno set) when there is
 * no file and none can be written.  Only the builder holds the lock while
 * it builds; waiting for it can be cancelled.
 */
static const char *
pool_from_file(void)
{
	const char *pool;
	instr_time	start;
	int			lock;
	PoolFileState state;
	int			save;

	INSTR_TIME_SET_CURRENT(start);
	if (open_pool_file(true, &pool) == POOL_FILE_OK)
	{
		log_pool("mapped", start);
		return pool;
	}

	if (MakePGDirectory(POOL_DIR) != 0 && errno != EEXIST)
		return NULL;
	lock = open(POOL_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, pg_file_create_mode);
	if (lock < 0)
		return NULL;
	PG_TRY();
	{
		while (flock(lock, LOCK_EX | LOCK_NB) != 0)
		{
			if (errno != EWOULDBLOCK && errno != EINTR)
				elog(ERROR, "could not lock file \"%s\": %m", POOL_LOCK);
			CHECK_FOR_INTERRUPTS();
			pg_usleep(10000L);
		}
	}
	PG_CATCH();
	{
		close(lock);
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* someone else may have built it while we waited */
	state = open_pool_file(true, &pool);
	if (state == POOL_FILE_OK)
	{
		close(lock);
		log_pool("mapped", start);
		return pool;
	}
	if (state == POOL_FILE_BAD)
		ereport(LOG,
				(errmsg("tpchgen text pool file \"%s\" is damaged or incomplete; rebuilding it",
						pool_path)));
	remove_stale_files();
	if (!write_pool_file())
	{
		save = errno;
		close(lock);
		errno = save;
		return NULL;
	}
	state = open_pool_file(false, &pool);
	save = errno;
	close(lock);
	if (state != POOL_FILE_OK)
	{
		errno = save;
		return NULL;
	}
	log_pool("built", start);
	return pool;
}

/*
 * The text pool of this process: inherited from the postmaster, mapped from
 * the pool file (built first if need be), or, when no file can be written,
 * built privately.
 */
const char *
tpchgen_pool(void)
{
	static bool warned = false;
	const char *pool = tpch_pool();

	if (pool != NULL)
		return pool;
	set_pool_path();
	pool = pool_from_file();
	if (pool != NULL)
	{
		tpch_pool_adopt(pool);
		return tpch_pool();
	}

	/* workers' notices would reach the client once per worker */
	if (!warned && !IsParallelWorker())
	{
		warned = true;
		ereport(NOTICE,
				(errcode_for_file_access(),
				 errmsg("could not keep the tpchgen text pool in file \"%s\": %m",
						pool_path),
				 errdetail("This session builds a private pool, as will every other session and parallel worker that needs one."),
				 errhint("Let the server write %zu MB into directory \"%s\" of the data directory, or add tpchgen to shared_preload_libraries.",
						 (size_t) (TRAILER_OFFSET + sizeof(PoolTrailer)) / 1000000, POOL_DIR)));
	}
	return build_private();
}
