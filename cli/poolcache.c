/*
 * poolcache.c - the text pool kept between runs of tpchgen load, in a file
 * of the user's cache directory.
 *
 * Every load needs the 300 MiB pool its comments are cut from.  Building it
 * costs some 0.4 s of CPU (the grammar's draws, and the kernel zeroing the
 * fresh memory), all of it before the first row goes out, on cores the
 * server's backends are waiting for.  The pool is the same in every run and
 * every version of tpchgen (a fact of dbgen's grammar and seed), so a load
 * writes it once to $XDG_CACHE_HOME/tpchgen (by default ~/.cache/tpchgen)
 * and later loads map that file read-only: the page cache's copy, nothing
 * built, nothing zeroed.
 *
 * A file is used only if all of its bytes hash to the pool's hash, which is
 * known here and names the file (checked on every use, ~0.04 s of one
 * core): a truncated, damaged or foreign file is ignored and written anew.
 * A file is written under a name of its own and renamed into place, so a
 * concurrent run sees the whole file or none (both write the same bytes).  A cache that cannot
 * be read or written (no home directory, a read-only or full file system)
 * costs the build and one warning, never the load.
 */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The hash of the TPCH_POOL_ALLOC bytes of a built pool (pool_hash).  A
 * change to the pool's bytes would fail the core tests (its sha256) first;
 * this value changes with them.
 */
#define POOL_HASH UINT64_C(0xbbe4c67c86f57d02)

#define HASH_MULT UINT64_C(0x9e3779b97f4a7c15)

/* Pieces the file is written in: large, so the page cache gets large folios. */
#define WRITE_PIECE ((size_t) 8 * 1024 * 1024)

/* the file being written, removed at exit if the write did not finish */
static char temp_path[4096 + 32];

static inline uint64_t
rotl64(uint64_t v, int k)
{
	return (v << k) | (v >> (64 - k));
}

/*
 * A 64-bit hash of n bytes (n a multiple of 32) in four independent lanes,
 * so that the multiplications overlap and the hash keeps up with memory.
 * Each step is a bijection of the lane, so a file that differs from the
 * pool in any one 8-byte word always fails; words are read little-endian,
 * so the file and the hash are the same on every machine.
 */
static uint64_t
pool_hash(const char *p, size_t n)
{
	uint64_t	h[4] = {1, 2, 3, 4};
	uint64_t	r = n;

	for (size_t i = 0; i < n; i += 32)
		for (int k = 0; k < 4; k++)
		{
			uint64_t	w;

			memcpy(&w, p + i + 8 * k, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			w = __builtin_bswap64(w);
#endif
			h[k] = rotl64((h[k] ^ w) * HASH_MULT, 29);
		}
	for (int k = 0; k < 4; k++)
		r = rotl64((r ^ h[k]) * HASH_MULT, 29);
	return r;
}

/*
 * The cache file's path into buf: $XDG_CACHE_HOME/tpchgen/pool-HASH, or
 * $HOME/.cache/... (the XDG base directory rules: a relative
 * XDG_CACHE_HOME is ignored).  With dir_only, the directory.  NULL when
 * there is neither variable.
 */
static const char *
cache_path(char *buf, size_t cap, int dir_only)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int			n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, cap, "%s/tpchgen", xdg);
	else if (home && home[0] != '\0')
		n = snprintf(buf, cap, "%s/.cache/tpchgen", home);
	else
		return NULL;
	if (!dir_only && n > 0 && (size_t) n < cap)
		n += snprintf(buf + n, cap - n, "/pool-%016llx", (unsigned long long) POOL_HASH);
	return n > 0 && (size_t) n < cap ? buf : NULL;
}

/* The pool from the cache file, if it is there and whole; else 0. */
static int
pool_from_cache(void)
{
	char		path[4096];
	struct stat st;
	const char *mem;
	int			fd;

	if (cache_path(path, sizeof(path), 0) == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || st.st_size != (off_t) TPCH_POOL_ALLOC ||
		(mem = tpch_pool_map_file(fd)) == NULL)
	{
		close(fd);
		client_warn("ignoring the text pool cache %s: not a whole pool", path);
		return 0;
	}
	close(fd);
	if (pool_hash(mem, TPCH_POOL_ALLOC) != POOL_HASH)
	{
		munmap((void *) mem, TPCH_POOL_ALLOC);
		client_warn("ignoring the text pool cache %s: its contents are damaged", path);
		return 0;
	}
	return tpch_pool_adopt(mem) == TPCH_OK;
}

int
client_pool_init(int nthreads, int use_cache, int *built)
{
	*built = 0;
	if (use_cache && pool_from_cache())
		return TPCH_OK;
	*built = 1;
	return tpch_pool_init_threads(nthreads);
}

static void
remove_temp(void)
{
	if (temp_path[0])
		(void) unlink(temp_path);
	temp_path[0] = '\0';
}

/* Creates the directory and its missing parents (the last one private). */
static int
make_dirs(char *dir)
{
	for (char *p = dir + 1;; p++)
		if (*p == '/' || *p == '\0')
		{
			char		c = *p;

			*p = '\0';
			if (mkdir(dir, c == '\0' ? 0700 : 0755) != 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (c == '\0')
				return 0;
		}
}

void
client_pool_save(void)
{
	const char *pool = tpch_pool();
	char		dir[4096];
	char		path[4096];
	int			fd = -1;
	const char *what;
	const char *where;
	static int	registered;

	if (pool == NULL || cache_path(dir, sizeof(dir), 1) == NULL ||
		cache_path(path, sizeof(path), 0) == NULL)
		return;
	if (!registered && atexit(remove_temp) != 0)
		return;
	registered = 1;
	what = "could not create the directory";
	where = dir;
	if (make_dirs(dir) != 0)
		goto fail;
	snprintf(temp_path, sizeof(temp_path), "%s.tmp.%d", path, (int) getpid());
	what = "could not write";
	where = path;
	/*
	 * A file of our own: a leftover of an earlier run with this pid goes,
	 * and whatever is at the name then (a symlink planted there) is never
	 * followed or written through.
	 */
	(void) unlink(temp_path);
	fd = open(temp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	for (size_t off = 0; off < TPCH_POOL_ALLOC;)
	{
		size_t		n = TPCH_POOL_ALLOC - off < WRITE_PIECE ? TPCH_POOL_ALLOC - off : WRITE_PIECE;
		ssize_t		w = pwrite(fd, pool + off, n, (off_t) off);

		if (w <= 0)
		{
			if (w == 0)
				errno = ENOSPC;
			goto fail;
		}
		off += (size_t) w;
	}

	/*
	 * Not synced: a file the system lost half of after a crash fails the
	 * hash and is written again, which is all a cache needs.
	 */
	if (close(fd) != 0)
	{
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(temp_path, path) != 0)
		goto fail;
	temp_path[0] = '\0';
	return;

fail:
	{
		int			save = errno;

		if (fd >= 0)
			close(fd);
		remove_temp();
		client_warn("%s %s: %s (the text pool is built on every load until it can be cached; "
					"--no-pool-cache turns the cache off)", what, where, strerror(save));
	}
}
