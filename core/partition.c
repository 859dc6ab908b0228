/*
 * partition.c - the key ranges of dbgen's parts.
 */
#include "partition.h"
#include "schema.h"

int
tpch_part_key_column(tpch_table t)
{
	return tpch_primary_key(t)->cols[0];
}

int
tpch_part_key_range(tpch_table t, double sf, int64_t part, int64_t parts,
					int64_t *lo, int64_t *hi)
{
	int64_t		first,
				count;
	int			err = tpch_part_range(t, sf, part, parts, &first, &count);

	if (err != TPCH_OK)
		return err;
	switch (t)
	{
		case TPCH_ORDERS:
		case TPCH_LINEITEM:
			*lo = tpch_orderkey(first);
			*hi = tpch_orderkey(first + count);
			break;
		case TPCH_REGION:
		case TPCH_NATION:
			/* their keys start at 0 */
			*lo = first - 1;
			*hi = first - 1 + count;
			break;
		default:
			*lo = first;
			*hi = first + count;
			break;
	}
	return TPCH_OK;
}

/* Rotates a 32-bit word left by k bits. */
static inline uint32_t
rotl32(uint32_t x, int k)
{
	return (x << k) | (x >> (32 - k));
}

/*
 * PostgreSQL's hash of one 32-bit word (hash_uint32): Bob Jenkins' lookup3
 * with its three state words seeded by the golden ratio, the length in
 * bytes (4) and the constant 3923095, the word added to the first, then
 * lookup3's final mix; the hash is the third word.
 */
static uint32_t
hash_word(uint32_t k)
{
	uint32_t	a,
				b,
				c;

	a = b = c = UINT32_C(0x9e3779b9) + 4 + UINT32_C(3923095);
	a += k;
	c ^= b;
	c -= rotl32(b, 14);
	a ^= c;
	a -= rotl32(c, 11);
	b ^= a;
	b -= rotl32(a, 25);
	c ^= b;
	c -= rotl32(b, 16);
	a ^= c;
	a -= rotl32(c, 4);
	b ^= a;
	b -= rotl32(a, 14);
	c ^= b;
	c -= rotl32(b, 24);
	return c;
}

int32_t
tpch_hash_int8(int64_t key)
{
	/*
	 * hashint8 folds the high word into the low one (complemented for
	 * negative keys), so that a bigint equal to an int4 hashes as that int4
	 * does: cross-type hash joins depend on it.
	 */
	uint32_t	lo = (uint32_t) key;
	uint32_t	hi = (uint32_t) ((uint64_t) key >> 32);

	lo ^= key >= 0 ? hi : ~hi;
	return (int32_t) hash_word(lo);
}

int64_t
tpch_group_key(tpch_table t, int64_t index)
{
	switch (t)
	{
		case TPCH_ORDERS:
		case TPCH_LINEITEM:
			return tpch_orderkey(index);
		case TPCH_REGION:
		case TPCH_NATION:
			return index - 1;
		default:
			return index;
	}
}

int64_t
tpch_hash_next(tpch_table t, int64_t from, int64_t end, int32_t lo, int32_t hi)
{
	for (int64_t r = from; r < end; r++)
	{
		int32_t		h = tpch_hash_int8(tpch_group_key(t, r));

		if (h >= lo && h <= hi)
			return r;
	}
	return end;
}

int64_t
tpch_hash_probe_key(int32_t lo, int32_t hi)
{
	for (int64_t k = 1; k <= INT32_MAX; k++)
	{
		int32_t		h = tpch_hash_int8(k);

		if (h >= lo && h <= hi)
			return k;
	}
	return 0;
}
