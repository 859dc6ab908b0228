/*
 * pool.c - the 300 MiB text pool every comment is cut from.
 *
 * dbgen fills the pool with sentences from a small grammar, every choice a
 * weighted pick on stream 5 from its initial seed, so the pool is the same in
 * every run.  We build it once per process into an anonymous mapping and
 * never write it again; a process that forks afterwards (the postmaster with
 * shared_preload_libraries) shares its pages with all of its children.
 *
 * Speed: words are stored padded to 16 bytes, so each is copied with one
 * fixed-size store and the pointer advanced by its true length; the pool has
 * slack after its end so that the last sentence can be written whole, and so
 * that formatters may copy comments in 16-byte pieces.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Set once under the lock, then only read. */
static const char *pool_mem;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * The grammar, compiled once per segment: a sentence is a string of N
 * (noun phrase), V (verb phrase), P (prepositional phrase), T (terminator);
 * a phrase is the list of word lists its words are picked from, each maybe
 * followed by a comma.
 */
typedef struct phrase
{
	int			n;
	uint8_t		comma[4];
	const tpch_dist *words[4];
} phrase;

typedef struct grammar_rules
{
	char		sentence[5][8];
	phrase		np[4];
	phrase		vp[4];
} grammar_rules;

static const tpch_dist *
word_list(char c)
{
	switch (c)
	{
		case 'N':
			return &tpch_dist_nouns;
		case 'J':
			return &tpch_dist_adjectives;
		case 'D':
			return &tpch_dist_adverbs;
		case 'V':
			return &tpch_dist_verbs;
		case 'X':
			return &tpch_dist_auxillaries;
	}
	return NULL;
}

static void
compile_rules(grammar_rules *g)
{
	const tpch_dist *lists[2] = {&tpch_dist_np, &tpch_dist_vp};
	phrase	   *out[2] = {g->np, g->vp};

	for (int i = 0; i < tpch_dist_grammar.count; i++)
	{
		const char *t = tpch_dist_grammar.text + (size_t) i * tpch_dist_grammar.width;
		int			n = 0;

		for (; *t; t++)
			if (*t != ' ')
				g->sentence[i][n++] = *t;
		g->sentence[i][n] = '\0';
	}
	for (int l = 0; l < 2; l++)
		for (int i = 0; i < lists[l]->count; i++)
		{
			const char *t = lists[l]->text + (size_t) i * lists[l]->width;
			phrase	   *ph = &out[l][i];

			memset(ph, 0, sizeof(*ph));
			for (; *t; t++)
			{
				if (*t == ',')
					ph->comma[ph->n - 1] = 1;
				else if (*t != ' ')
					ph->words[ph->n++] = word_list(*t);
			}
		}
}

static inline char *
put_word(char *p, int64_t *x, const tpch_dist *d)
{
	int			i = tpch_pick(x, d);

	memcpy(p, d->text + (size_t) i * 16, 16);
	return p + d->len[i];
}

/* A noun or verb phrase: its words, each with its comma, then a space. */
static inline __attribute__((always_inline)) char *
put_phrase(char *p, int64_t *x, const phrase *ph)
{
	for (int k = 0; k < ph->n; k++)
	{
		p = put_word(p, x, ph->words[k]);
		*p = ',';
		p += ph->comma[k];
		*p++ = ' ';
	}
	return p;
}

/* Writes one sentence at p, without its trailing space; returns its end. */
static char *
sentence(char *p, int64_t *x, const grammar_rules *g)
{
	const char *t = g->sentence[tpch_pick(x, &tpch_dist_grammar)];

	for (; *t; t++)
	{
		switch (*t)
		{
			case 'N':
				p = put_phrase(p, x, &g->np[tpch_pick(x, &tpch_dist_np)]);
				break;
			case 'V':
				p = put_phrase(p, x, &g->vp[tpch_pick(x, &tpch_dist_vp)]);
				break;
			case 'P':
				p = put_word(p, x, &tpch_dist_prepositions);
				memcpy(p, " the ", 5);
				p = put_phrase(p + 5, x, &g->np[tpch_pick(x, &tpch_dist_np)]);
				break;
			case 'T':
				/* the terminator replaces the trailing space */
				p = put_word(p - 1, x, &tpch_dist_terminators);
				break;
		}
	}
	return p;
}

/*
 * Writes whole sentences, each followed by a space, from stream state *state
 * at pool + from, until the write position reaches `stop`.  With stop at a
 * checkpoint (a sentence start) the segment ends exactly there, and its last
 * sentences go through a scratch buffer so that the 16-byte word stores
 * never spill into the next segment, which another thread may be writing.
 * With stop at the end of the pool, dbgen's end rule applies: a sentence
 * that does not fit with its space is cut (it already lies in place, the
 * slack holds the rest).  Returns where writing stopped; *state is left
 * after the last draw.
 */
static size_t
build_segment(char *pool, int64_t *state, size_t from, size_t stop)
{
	grammar_rules g;
	int64_t		x = *state;
	char	   *end = pool + TPCH_POOL_SIZE;
	char	   *limit = pool + stop;
	char	   *p = pool + from;

	compile_rules(&g);

	while (p < limit)
	{
		char	   *start = p;

		if (limit != end && limit - p < 1024)
		{
			char		scratch[1024];
			size_t		n = (size_t) (sentence(scratch + 8, &x, &g) - (scratch + 8));

			memcpy(p, scratch + 8, n);
			p += n;
		}
		else
			p = sentence(p, &x, &g);
		if (end - start < (p - start) + 1)
			break;
		*p++ = ' ';
	}
	*state = x;
	return (size_t) (p - pool);
}

/*
 * Checkpoints: the first sentence start at or after each sixteenth of the
 * pool, with stream 5's state there.  They are facts of the pool, found once
 * by building it sequentially (tools/pool_checkpoints.c); with them the
 * sixteen segments are built independently, in parallel, into the same
 * bytes (checked by the core tests against the pool's sha256).
 */
#define NSEGMENTS 16

static const struct
{
	uint32_t	offset;
	int32_t		state;
}			checkpoints[NSEGMENTS - 1] = {
#include "pool_checkpoints.h"
};

static void
build_one(char *pool, int seg)
{
	size_t		from = seg == 0 ? 0 : checkpoints[seg - 1].offset;
	int64_t		x = seg == 0 ? tpch_stream_seed[S_POOL] : checkpoints[seg - 1].state;
	size_t		stop = seg == NSEGMENTS - 1 ? TPCH_POOL_SIZE : checkpoints[seg].offset;

	build_segment(pool, &x, from, stop);
}

typedef struct build_job
{
	char	   *pool;
	int			next;			/* next segment to claim (atomic) */
} build_job;

static void *
build_worker(void *arg)
{
	build_job  *j = arg;
	int			seg;

	while ((seg = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) < NSEGMENTS)
		build_one(j->pool, seg);
	return NULL;
}

void
tpch_pool_build_threads(char *pool, int nthreads)
{
	build_job	j = {pool, 0};
	pthread_t	tids[NSEGMENTS];
	int			started = 0;

	if (nthreads > NSEGMENTS)
		nthreads = NSEGMENTS;
	if (nthreads > 1)
	{
		sigset_t	all,
					old;

		/* helpers take no signals: they belong to the caller's thread */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		for (; started < nthreads - 1; started++)
			if (pthread_create(&tids[started], NULL, build_worker, &j) != 0)
				break;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	build_worker(&j);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

void
tpch_pool_build(char *pool)
{
	tpch_pool_build_threads(pool, 1);
}

int
tpch_pool_init(void)
{
	return tpch_pool_init_threads(1);
}

int
tpch_pool_init_threads(int nthreads)
{
	int			err = TPCH_OK;

	pthread_mutex_lock(&pool_lock);
	if (pool_mem == NULL)
	{
		void	   *mem = mmap(NULL, TPCH_POOL_ALLOC, PROT_READ | PROT_WRITE,
							   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED)
			err = TPCH_ERR_NOMEM;
		else
		{
#ifdef MADV_HUGEPAGE
			/* comments are cut from anywhere in 300 MiB: spare the TLB */
			(void) madvise(mem, TPCH_POOL_ALLOC, MADV_HUGEPAGE);
#endif
			tpch_pool_build_threads(mem, nthreads);
			(void) mprotect(mem, TPCH_POOL_ALLOC, PROT_READ);
			__atomic_store_n(&pool_mem, mem, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&pool_lock);
	return err;
}

/*
 * Maps a pool file read-only at a 2 MiB boundary: comments are cut from
 * anywhere in 300 MiB, and the page cache's 2 MiB folios (Linux 6.16 and
 * later on ext4 and XFS) can then be mapped as huge pages where 4 kB pages
 * would cost a TLB miss for nearly every comment.  A reservation of one huge
 * page more is made, the file mapped inside it at the boundary, the rest
 * given back.
 */
const char *
tpch_pool_map_file(int fd)
{
	const size_t huge = (size_t) 2 * 1024 * 1024;
	char	   *reserve;
	char	   *aligned;
	char	   *mem;
	size_t		head;

	reserve = mmap(NULL, TPCH_POOL_ALLOC + huge, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reserve == MAP_FAILED)
		return NULL;
	aligned = (char *) (((uintptr_t) reserve + huge - 1) & ~(uintptr_t) (huge - 1));
	mem = mmap(aligned, TPCH_POOL_ALLOC, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (mem == MAP_FAILED)
	{
		int			save = errno;

		munmap(reserve, TPCH_POOL_ALLOC + huge);
		errno = save;
		return NULL;
	}
	/* TPCH_POOL_ALLOC is whole pages: the reservation around it goes back */
	head = (size_t) (aligned - reserve);
	if (head > 0)
		munmap(reserve, head);
	munmap(aligned + TPCH_POOL_ALLOC, huge - head);
#ifdef MADV_HUGEPAGE
	/* read back after an eviction in 2 MiB folios, mapped as huge pages */
	(void) madvise(mem, TPCH_POOL_ALLOC, MADV_HUGEPAGE);
#endif
	return mem;
}

int
tpch_pool_adopt(const char *buf)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_mem == NULL)
		__atomic_store_n(&pool_mem, buf, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&pool_lock);
	return TPCH_OK;
}

const char *
tpch_pool(void)
{
	return __atomic_load_n(&pool_mem, __ATOMIC_ACQUIRE);
}
