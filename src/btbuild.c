/*
 * btbuild.c - a btree primary key written straight from keys that arrive in
 * key order, instead of CREATE INDEX's heap scan and sort.
 *
 * tpch_load creates each primary key (ALTER TABLE ... ADD PRIMARY KEY) while
 * its table is still empty, so PostgreSQL makes the catalog entries, the NOT
 * NULL constraints, the empty index's metapage and, for an unlogged table,
 * its init fork, as it always does.  The fill then hands us each row's key
 * and heap TID in heap order.  That is key order but for runs sharing their
 * leading key (partsupp's four suppliers of a part are not in suppkey
 * order), which are sorted here.  Every key must be strictly greater than
 * the one before it: the index is then unique and valid by construction, and
 * anything else is an error that aborts the load.
 *
 * The pages are nbtree version 4, as nbtree's README describes them: leaf
 * pages at blocks 1, 2, ... written as they fill, each but the rightmost
 * with a high key, the next leaf's first key truncated to the attributes
 * that tell it from this leaf's last one; then the internal levels, each
 * from the downlinks of the level below, a page's first item a downlink
 * with no key (minus infinity); last the metapage, over the empty one.  Leaf
 * pages are filled to the index's fillfactor, internal pages to 70%, as
 * CREATE INDEX fills them.  Pages are written and WAL-logged whole by the
 * heap's bulk writer (pg_compat.h), with its durability rules; the metapage
 * already exists, so it is rewritten through shared buffers.
 *
 * Memory: one batch of pages, whatever the scale factor.  The downlinks of a
 * level (24 bytes per 8 kB page of it: half a gigabyte for lineitem's key at
 * SF 1000) go to a temporary file, read back in order to build the level
 * above.
 */
#include "btbuild.h"

#include "access/nbtree.h"
#include "access/xloginsert.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "storage/buffile.h"
#include "storage/bufmgr.h"
#include "utils/inval.h"
#include "utils/rel.h"

/* Pages written at once: one WAL record's worth, as the heap's. */
#define BATCH_PAGES XLR_MAX_BLOCK_ID

/* The longest run of entries sharing a leading key (lineitem has 7). */
#define MAX_RUN 64

/* One leaf entry: a key and its heap TID. */
typedef struct BtEntry
{
	int64		key[BTBUILD_MAX_KEYS];
	ItemPointerData tid;
} BtEntry;

/* A downlink to a page of the level below, with the page's low key. */
typedef struct BtDownlink
{
	int64		key[BTBUILD_MAX_KEYS];
	int			natts;			/* key attributes kept; 0: minus infinity */
	BlockNumber child;
} BtDownlink;

struct TpchgenBtBuild
{
	Relation	index;
	int			nkeys;
	int16		attlen[BTBUILD_MAX_KEYS];
	Size		attoff[BTBUILD_MAX_KEYS];	/* of each key in a tuple */
	Size		size[BTBUILD_MAX_KEYS + 1]; /* of a tuple of i key attributes */
	Size		leaf_full;		/* free space a leaf keeps (fillfactor) */
	Size		inner_full;		/* free space an internal page keeps */
	TpchgenBulkWrite *bw;

	/* pages built and not yet written: batch[i] goes to batch_first + i */
	PGAlignedBlock batch[BATCH_PAGES];
	int			nbatch;
	BlockNumber batch_first;

	/* the leaf being filled, batch[nbatch] */
	bool		leaf_open;
	int			leaf_items;
	BlockNumber leaf_block;
	BtDownlink	leaf_low;		/* its low key: the previous leaf's high key */
	bool		have_last;
	BtEntry		last;			/* the last entry placed */

	BtEntry		run[MAX_RUN];	/* entries sharing a leading key, unsorted */
	int			nrun;

	BufFile    *down;			/* the leaf level's downlinks, in order */
	int64		ndown;
};

static void flush_run(TpchgenBtBuild *b);
static void leaf_add(TpchgenBtBuild *b, const BtEntry *e);
static void leaf_finish(TpchgenBtBuild *b, const BtEntry *next);
static Page batch_page(TpchgenBtBuild *b, BlockNumber *block);
static void batch_done(TpchgenBtBuild *b);
static void batch_flush(TpchgenBtBuild *b);
static BufFile *build_level(TpchgenBtBuild *b, BufFile *in, int64 nin,
							uint32 level, BtDownlink *last, int64 *nout);
static void down_write(BufFile *file, BtDownlink *d);
static void down_read(BufFile *file, BtDownlink *d);
static Size form_tuple(const TpchgenBtBuild *b, char *buf, const int64 *key,
					   int natts, bool pivot);
static void page_put(Page page, OffsetNumber off, const char *tup, Size size);
static void write_metapage(TpchgenBtBuild *b, BlockNumber root, uint32 level);

/*
 * Starts writing `index`, an empty btree over nkeys integer columns created
 * by this transaction; the leaves are written from block 1 on.
 */
TpchgenBtBuild *
tpchgen_btbuild_start(Relation index, int nkeys)
{
	TpchgenBtBuild *b;
	TupleDesc	desc = RelationGetDescr(index);
	Size		off = MAXALIGN(sizeof(IndexTupleData));

	/* what the tuple layout below and the unique-by-order check assume */
	if (index->rd_rel->relam != BTREE_AM_OID ||
		index->rd_createSubid == InvalidSubTransactionId ||
		nkeys < 1 || nkeys > BTBUILD_MAX_KEYS ||
		IndexRelationGetNumberOfAttributes(index) != nkeys ||
		IndexRelationGetNumberOfKeyAttributes(index) != nkeys ||
		RelationGetNumberOfBlocks(index) != 1)
		elog(ERROR, "index \"%s\" is not an empty btree of this transaction over %d keys",
			 RelationGetRelationName(index), nkeys);

	b = palloc0(sizeof(TpchgenBtBuild));
	b->index = index;
	b->nkeys = nkeys;
	b->size[0] = MAXALIGN(sizeof(IndexTupleData));
	for (int i = 0; i < nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if ((att->atttypid != INT8OID && att->atttypid != INT4OID) ||
			index->rd_opfamily[i] != INTEGER_BTREE_FAM_OID ||
			(index->rd_indoption[i] & INDOPTION_DESC) != 0)
			elog(ERROR, "index \"%s\" is not an ascending btree over integers",
				 RelationGetRelationName(index));
		off = att_align_nominal(off, att->attalign);
		b->attlen[i] = att->attlen;
		b->attoff[i] = off;
		off += att->attlen;
		b->size[i + 1] = MAXALIGN(off);
	}
	b->leaf_full = BTGetTargetPageFreeSpace(index);
	b->inner_full = BLCKSZ * (100 - BTREE_NONLEAF_FILLFACTOR) / 100;
	b->bw = tpchgen_bulk_start(index, MAIN_FORKNUM);
	b->batch_first = 1;
	b->leaf_block = 1;
	PrepareTempTablespaces();
	b->down = BufFileCreateTemp(false);
	return b;
}

/*
 * Adds nrows entries: keys[i * nkeys ...] and the heap TID of the tuple at
 * locs[i] (BTBUILD_LOC) from block first_block on.
 */
void
tpchgen_btbuild_add(TpchgenBtBuild *b, const int64 *keys, const uint32 *locs,
					int64 nrows, BlockNumber first_block)
{
	for (int64 i = 0; i < nrows; i++)
	{
		const int64 *key = keys + i * b->nkeys;
		BtEntry    *e;

		if (b->nrun > 0 && key[0] != b->run[0].key[0])
			flush_run(b);
		if (b->nrun == MAX_RUN)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("more than %d rows of index \"%s\" share the key " INT64_FORMAT,
							MAX_RUN, RelationGetRelationName(b->index), key[0])));
		e = &b->run[b->nrun++];
		memcpy(e->key, key, sizeof(int64) * b->nkeys);
		ItemPointerSet(&e->tid, first_block + (locs[i] >> 16),
					   (OffsetNumber) (locs[i] & 0xFFFF));
	}
}

/* Compares two keys attribute by attribute. */
static int
key_cmp(const TpchgenBtBuild *b, const int64 *x, const int64 *y)
{
	for (int i = 0; i < b->nkeys; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/*
 * Sorts the run (a handful of entries: insertion sort) and places it on the
 * leaves, each entry checked to be greater than the one before.
 */
static void
flush_run(TpchgenBtBuild *b)
{
	for (int i = 1; i < b->nrun; i++)
	{
		BtEntry		e = b->run[i];
		int			j = i;

		while (j > 0 && key_cmp(b, b->run[j - 1].key, e.key) > 0)
		{
			b->run[j] = b->run[j - 1];
			j--;
		}
		b->run[j] = e;
	}
	for (int i = 0; i < b->nrun; i++)
	{
		const BtEntry *e = &b->run[i];

		if (b->have_last && key_cmp(b, b->last.key, e->key) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("keys of index \"%s\" do not ascend: (" INT64_FORMAT ", " INT64_FORMAT ") after (" INT64_FORMAT ", " INT64_FORMAT ")",
							RelationGetRelationName(b->index),
							e->key[0], b->nkeys > 1 ? e->key[1] : 0,
							b->last.key[0], b->nkeys > 1 ? b->last.key[1] : 0),
					 errdetail("tpch_load writes a primary key from rows it expects in key order.")));
		leaf_add(b, e);
		b->last = *e;
		b->have_last = true;
	}
	b->nrun = 0;
}

/* Opens a new leaf: its high key's line pointer is kept free at P_HIKEY. */
static void
leaf_open(TpchgenBtBuild *b)
{
	Page		page = batch_page(b, &b->leaf_block);

	((PageHeader) page)->pd_lower += sizeof(ItemIdData);
	b->leaf_items = 0;
	b->leaf_open = true;
}

/*
 * Places an entry on the current leaf, first finishing the leaf when the
 * entry would leave less free space than the fillfactor keeps, or no room
 * for the high key (at most a whole key).
 */
static void
leaf_add(TpchgenBtBuild *b, const BtEntry *e)
{
	char		tup[64];
	Size		size = b->size[b->nkeys];
	Size		need = size + sizeof(ItemIdData);
	Page		page;
	Size		free;

	if (!b->leaf_open)
		leaf_open(b);
	page = b->batch[b->nbatch].data;
	free = ((PageHeader) page)->pd_upper - ((PageHeader) page)->pd_lower;
	if (b->leaf_items > 0 &&
		(free < need + b->size[b->nkeys] || free - need < b->leaf_full))
	{
		leaf_finish(b, e);
		leaf_open(b);
		page = b->batch[b->nbatch].data;
	}
	form_tuple(b, tup, e->key, b->nkeys, false);
	((IndexTuple) tup)->t_tid = e->tid;
	page_put(page, P_FIRSTKEY + b->leaf_items, tup, size);
	b->leaf_items++;
}

/*
 * Finishes the current leaf: the high key before `next` (NULL: this leaf is
 * the rightmost, its items slide into the high key's place), its sibling
 * links, and its downlink for the level above.
 */
static void
leaf_finish(TpchgenBtBuild *b, const BtEntry *next)
{
	Page		page = b->batch[b->nbatch].data;
	BTPageOpaque opaque = BTPageGetOpaque(page);
	BtDownlink	d;
	int			natts = 1;

	opaque->btpo_prev = b->leaf_block == 1 ? P_NONE : b->leaf_block - 1;
	opaque->btpo_level = 0;
	opaque->btpo_flags = BTP_LEAF;
	if (next != NULL)
	{
		char		tup[64];
		Size		size;

		/* suffix truncation: the attributes up to the first that differs */
		while (natts < b->nkeys && next->key[natts - 1] == b->last.key[natts - 1])
			natts++;
		size = form_tuple(b, tup, next->key, natts, true);
		/* a leaf high key's block number is unused: the next key's heap block */
		BTreeTupleSetDownLink((IndexTuple) tup, ItemPointerGetBlockNumber(&next->tid));
		page_put(page, P_HIKEY, tup, size);
		opaque->btpo_next = b->leaf_block + 1;
	}
	else
	{
		memmove(PageGetItemId(page, P_HIKEY), PageGetItemId(page, P_FIRSTKEY),
				sizeof(ItemIdData) * b->leaf_items);
		((PageHeader) page)->pd_lower -= sizeof(ItemIdData);
		opaque->btpo_next = P_NONE;
		if (b->leaf_block == 1)
			opaque->btpo_flags |= BTP_ROOT;
	}

	d = b->leaf_low;
	d.child = b->leaf_block;
	down_write(b->down, &d);
	b->ndown++;
	if (next != NULL)
	{
		b->leaf_low.natts = natts;
		memcpy(b->leaf_low.key, next->key, sizeof(next->key));
	}
	b->leaf_open = false;
	batch_done(b);
}

/*
 * Ends the leaf level and builds the levels above it, then points the
 * metapage at the root.  An index that got no entry stays as PostgreSQL
 * built it, empty.
 */
void
tpchgen_btbuild_finish(TpchgenBtBuild *b)
{
	BufFile    *level;
	BtDownlink	top;
	int64		n;
	uint32		height = 0;

	if (b->nrun > 0)
		flush_run(b);
	if (b->leaf_open)
		leaf_finish(b, NULL);
	level = b->down;
	n = b->ndown;
	top.child = 1;				/* a single leaf, at block 1, is the root */
	while (n > 1)
	{
		BufFile    *up;

		height++;
		up = build_level(b, level, n, height, &top, &n);
		BufFileClose(level);
		level = up;
	}
	BufFileClose(level);
	batch_flush(b);
	tpchgen_bulk_finish(b->bw);
	if (n == 1)
		write_metapage(b, top.child, height);
	/* a backend that cached the empty index's metapage forgets it */
	CacheInvalidateRelcache(b->index);
	pfree(b);
}

/*
 * Builds one internal level over `in` (the nin downlinks of the level below,
 * left to right) at the next blocks; returns a temporary file of its own
 * pages' downlinks, *nout of them, the last in *last.
 */
static BufFile *
build_level(TpchgenBtBuild *b, BufFile *in, int64 nin, uint32 level,
			BtDownlink *last, int64 *nout)
{
	BufFile    *out = BufFileCreateTemp(false);
	Size		avail = BLCKSZ - SizeOfPageHeaderData -
		MAXALIGN(sizeof(BTPageOpaqueData));
	Size		hikey = b->size[b->nkeys] + sizeof(ItemIdData);
	BtDownlink	next;			/* in's downlink number j, not yet placed */
	int64		j = 0;

	if (BufFileSeek(in, 0, 0, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not rewind the downlinks' temporary file: %m")));
	down_read(in, &next);
	*nout = 0;
	while (j < nin)
	{
		BtDownlink	first = next;
		int64		k = j + 1;
		Size		used = b->size[0] + sizeof(ItemIdData) + hikey;
		BlockNumber block;
		Page		page;
		BTPageOpaque opaque;
		OffsetNumber off = P_FIRSTKEY;
		char		tup[64];
		Size		size;

		CHECK_FOR_INTERRUPTS();
		page = batch_page(b, &block);
		/* P_HIKEY's line pointer stays free until the page's end is known */
		((PageHeader) page)->pd_lower += sizeof(ItemIdData);

		/* the first downlink has no key: minus infinity */
		size = form_tuple(b, tup, first.key, 0, true);
		BTreeTupleSetDownLink((IndexTuple) tup, first.child);
		page_put(page, off++, tup, size);
		if (k < nin)
			down_read(in, &next);

		/* as many more as keep the fillfactor's space free */
		while (k < nin)
		{
			Size		add = b->size[next.natts] + sizeof(ItemIdData);

			if (used + add > avail ||
				(avail - used - add < b->inner_full && k - j >= 2 && k + 1 < nin))
				break;
			used += add;
			size = form_tuple(b, tup, next.key, next.natts, true);
			BTreeTupleSetDownLink((IndexTuple) tup, next.child);
			page_put(page, off++, tup, size);
			if (++k < nin)
				down_read(in, &next);
		}

		opaque = BTPageGetOpaque(page);
		opaque->btpo_prev = j == 0 ? P_NONE : block - 1;
		opaque->btpo_next = k == nin ? P_NONE : block + 1;
		opaque->btpo_level = level;
		opaque->btpo_flags = j == 0 && k == nin ? BTP_ROOT : 0;
		if (k < nin)
		{
			/* the high key: the next page's low key, with its downlink */
			size = form_tuple(b, tup, next.key, next.natts, true);
			BTreeTupleSetDownLink((IndexTuple) tup, next.child);
			page_put(page, P_HIKEY, tup, size);
		}
		else
		{
			/* the rightmost page has no high key: its items slide down */
			memmove(PageGetItemId(page, P_HIKEY), PageGetItemId(page, P_FIRSTKEY),
					sizeof(ItemIdData) * (off - P_FIRSTKEY));
			((PageHeader) page)->pd_lower -= sizeof(ItemIdData);
		}
		first.child = block;
		down_write(out, &first);
		*last = first;
		(*nout)++;
		batch_done(b);
		j = k;
	}
	return out;
}

/* Appends a downlink to a level's temporary file. */
static void
down_write(BufFile *file, BtDownlink *d)
{
	BufFileWrite(file, d, sizeof(BtDownlink));
}

/* Reads the next downlink of a level's temporary file. */
static void
down_read(BufFile *file, BtDownlink *d)
{
	if (BufFileRead(file, d, sizeof(BtDownlink)) != sizeof(BtDownlink))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read the downlinks' temporary file: %m")));
}

/*
 * The next page of the batch, initialized as an empty btree page; *block
 * receives its block number.
 */
static Page
batch_page(TpchgenBtBuild *b, BlockNumber *block)
{
	Page		page = b->batch[b->nbatch].data;

	_bt_pageinit(page, BLCKSZ);
	*block = b->batch_first + b->nbatch;
	return page;
}

/* The batch's current page is complete; writes the batch when full. */
static void
batch_done(TpchgenBtBuild *b)
{
	if (++b->nbatch == BATCH_PAGES)
		batch_flush(b);
}

static void
batch_flush(TpchgenBtBuild *b)
{
	if (b->nbatch == 0)
		return;
	tpchgen_bulk_write(b->bw, b->batch_first, b->batch[0].data, b->nbatch,
					   true);
	b->batch_first += b->nbatch;
	b->nbatch = 0;
}

/*
 * Forms a tuple of the first natts key attributes into buf (zeroed
 * padding).  A pivot tuple (a high key or an internal page's item) says how
 * many attributes it keeps, as suffix truncation leaves every pivot; its
 * block number is set by the caller.  Returns its size.
 */
static Size
form_tuple(const TpchgenBtBuild *b, char *buf, const int64 *key, int natts,
		   bool pivot)
{
	IndexTuple	itup = (IndexTuple) buf;
	Size		size = b->size[natts];

	memset(buf, 0, size);
	for (int i = 0; i < natts; i++)
	{
		if (b->attlen[i] == sizeof(int64))
			memcpy(buf + b->attoff[i], &key[i], sizeof(int64));
		else
		{
			int32		v = (int32) key[i];

			if (v != key[i])
				elog(ERROR, "key " INT64_FORMAT " does not fit an integer column",
					 key[i]);
			memcpy(buf + b->attoff[i], &v, sizeof(int32));
		}
	}
	itup->t_info = size;
	if (pivot)
		BTreeTupleSetNAtts(itup, natts, false);
	return size;
}

/*
 * Puts a tuple at offset `off` of a page being filled from the front: its
 * line pointer is the next one, or P_HIKEY's, already counted in pd_lower.
 */
static void
page_put(Page page, OffsetNumber off, const char *tup, Size size)
{
	PageHeader	ph = (PageHeader) page;

	ph->pd_upper -= size;
	memcpy(page + ph->pd_upper, tup, size);
	ItemIdSetNormal(PageGetItemId(page, off), ph->pd_upper, size);
	if (off > PageGetMaxOffsetNumber(page))
		ph->pd_lower += sizeof(ItemIdData);
}

/*
 * Points the metapage at the root.  Block 0 holds the empty index's
 * metapage, so it is rewritten in shared buffers and WAL-logged whole there.
 */
static void
write_metapage(TpchgenBtBuild *b, BlockNumber root, uint32 level)
{
	PGAlignedBlock meta;
	Buffer		buf;

	_bt_initmetapage(meta.data, root, level, _bt_allequalimage(b->index, false));
	buf = ReadBufferExtended(b->index, MAIN_FORKNUM, BTREE_METAPAGE,
							 RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	START_CRIT_SECTION();
	memcpy(BufferGetPage(buf), meta.data, BLCKSZ);
	MarkBufferDirty(buf);
	if (RelationNeedsWAL(b->index))
		log_newpage_buffer(buf, true);
	END_CRIT_SECTION();
	UnlockReleaseBuffer(buf);
}
