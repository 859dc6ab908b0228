/*
 * tupleform.c - heap tuples formed straight from the core's rows, for
 * tpch_load's pages (load.c) and the scans that hand whole rows on as heap
 * tuples (scan.c).
 *
 * The bytes are those heap_form_tuple would give for the same values, so a
 * reader cannot tell the difference: fixed-width values aligned to their
 * type, varlena values with a one-byte header and no alignment when short
 * enough, zeroed padding.  No Datums, no palloc and no error reporting here:
 * scan.c calls this from a helper thread, which must not call into
 * PostgreSQL, so a value that cannot be stored is reported by a zero length
 * (the core's values never are: the callers choose the columns' storage).
 */
#include "tpchgen_pg.h"

#include "access/htup_details.h"
#include "utils/date.h"

/*
 * Aligns off in data, zeroing the padding: a reader takes a non-zero byte
 * where a varlena may start for a one-byte header, so padding must be zero
 * (heap_form_tuple gets that from palloc0).
 */
static inline Size
align_zero(char *data, Size off, Size align)
{
	Size		aligned = TYPEALIGN(align, off);

	if (aligned > off)
		memset(data + off, 0, aligned - off);
	return aligned;
}

/* Bytes a string copy may write past the value (see put_varlena). */
#define COPY_OVERSHOOT 16

/*
 * Appends a string of the core, len bytes blank-padded to pad, at data +
 * off as heap_fill_tuple stores a varlena: with a one-byte header and
 * unaligned when it is short enough, else with a four-byte header aligned as
 * the type (int).  Copied and padded in 16-byte pieces, which the compiler
 * turns into two vector moves where a memcpy of an unknown length becomes a
 * slow string instruction: the core pads every string's source so that it
 * may be read up to 15 bytes past its end, and the bytes written past the
 * value are overwritten by the next one or lie past the tuple's data, within
 * tpchgen_tuple_data_bound.
 */
static inline Size
put_varlena(char *data, Size off, const char *src, uint32 len, uint32 pad)
{
	static const char blanks[COPY_OVERSHOOT + 1] = "                ";

	uint32		full = Max(len, pad);
	char	   *p;

	if (full + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		SET_VARSIZE_SHORT(data + off, full + VARHDRSZ_SHORT);
		p = data + off + VARHDRSZ_SHORT;
	}
	else
	{
		off = align_zero(data, off, ALIGNOF_INT);
		SET_VARSIZE(data + off, full + VARHDRSZ);
		p = data + off + VARHDRSZ;
	}
	for (uint32 i = 0; i < len; i += COPY_OVERSHOOT)
		memcpy(p + i, src + i, COPY_OVERSHOOT);
	for (uint32 i = len; i < full; i += COPY_OVERSHOOT)
		memcpy(p + i, blanks, COPY_OVERSHOOT);
	return p + full - data;
}

/*
 * numeric(15,2) values in the short format that numeric.c itself produces
 * (and stores on disk, so it cannot change): a 16-bit header with sign,
 * display scale and weight, then base-10000 digits, most significant first,
 * without leading or trailing zero digits; zero has no digits and weight 0.
 * The bytes are numeric_in's, so hashing and comparisons agree.
 */
#define NUM_SHORT			0x8000
#define NUM_SHORT_SIGN		0x2000
#define NUM_SHORT_DSCALE_SHIFT 7
#define NUM_SHORT_WEIGHT_SIGN 0x0040
#define NUM_SHORT_WEIGHT_MASK 0x003F
#define NUM_BASE			10000

/* The most bytes numeric_body writes: header, five whole digits, cents. */
#define NUM_BODY_MAX		(sizeof(uint16) + 6 * sizeof(int16))
StaticAssertDecl(VARHDRSZ_SHORT + NUM_BODY_MAX <= VARATT_SHORT_MAX,
				 "a numeric value always takes a one-byte varlena header");

/*
 * Writes the header and digits of numeric cents/100 at p (unaligned) and
 * returns their length.  TPC-H's amounts have at most two whole digits
 * (below 10^8), which take no loop.
 */
static inline Size
numeric_body(char *p, int64 cents)
{
	bool		neg = cents < 0;
	uint64		v = neg ? -(uint64) cents : (uint64) cents;
	uint64		whole = v / 100;
	int16		digits[6];
	int			ndigits = 0;
	int			weight;
	uint16		header;

	if (whole >= (uint64) NUM_BASE * NUM_BASE)
	{
		int16		group[5];	/* least significant first */
		int			ngroups = 0;

		while (whole > 0)
		{
			group[ngroups++] = (int16) (whole % NUM_BASE);
			whole /= NUM_BASE;
		}
		while (ngroups > 0)
			digits[ndigits++] = group[--ngroups];
	}
	else if (whole >= NUM_BASE)
	{
		digits[ndigits++] = (int16) (whole / NUM_BASE);
		digits[ndigits++] = (int16) (whole % NUM_BASE);
	}
	else if (whole > 0)
		digits[ndigits++] = (int16) whole;
	weight = ndigits - 1;
	digits[ndigits++] = (int16) (v % 100 * 100);

	/* the leading digit is never zero; trailing zero digits go */
	while (ndigits > 0 && digits[ndigits - 1] == 0)
		ndigits--;
	if (ndigits == 0)
	{
		weight = 0;
		neg = false;
	}

	header = NUM_SHORT | (2 << NUM_SHORT_DSCALE_SHIFT) |
		(neg ? NUM_SHORT_SIGN : 0) |
		(weight < 0 ? NUM_SHORT_WEIGHT_SIGN : 0) |
		(weight & NUM_SHORT_WEIGHT_MASK);
	memcpy(p, &header, sizeof(header));
	for (int i = 0; i < ndigits; i++)
		memcpy(p + sizeof(header) + i * sizeof(int16), &digits[i],
			   sizeof(int16));
	return sizeof(header) + ndigits * sizeof(int16);
}

/* Builds numeric cents/100 at buf, a 4-byte varlena header first. */
Datum
tpchgen_numeric_from_cents(char *buf, int64 cents)
{
	SET_VARSIZE(buf, VARHDRSZ + numeric_body(buf + VARHDRSZ, cents));
	return PointerGetDatum(buf);
}

/*
 * Writes a row's tuple data at data and returns its length, at most
 * tpchgen_tuple_data_bound(); 0 when a value does not fit its storage.
 */
Size
tpchgen_form_tuple_data(const TpchgenTupleColumn *cols, int ncols,
						const tpch_row *row, char *data)
{
	const char *base = (const char *) row;
	Size		off = 0;

	for (int i = 0; i < ncols; i++)
	{
		const TpchgenTupleColumn *c = &cols[i];
		const char *field = base + c->offset;

		switch (c->store)
		{
			case TPCHGEN_STORE_INT8:
				off = align_zero(data, off, ALIGNOF_DOUBLE);
				memcpy(data + off, field, sizeof(int64));
				off += sizeof(int64);
				break;
			case TPCHGEN_STORE_INT4:
				{
					int64		v = *(const int64 *) field;
					int32		v32 = (int32) v;

					if (v > PG_INT32_MAX || v < PG_INT32_MIN)
						return 0;
					off = align_zero(data, off, ALIGNOF_INT);
					memcpy(data + off, &v32, sizeof(int32));
					off += sizeof(int32);
				}
				break;
			case TPCHGEN_STORE_DATE:
				{
					DateADT		d = *(const int32 *) field + TPCH_DATE_PG_OFFSET;

					off = align_zero(data, off, ALIGNOF_INT);
					memcpy(data + off, &d, sizeof(DateADT));
					off += sizeof(DateADT);
				}
				break;
			case TPCHGEN_STORE_NUMERIC:
				{
					/* always short enough for a one-byte header */
					Size		len = numeric_body(data + off + VARHDRSZ_SHORT,
												   *(const int64 *) field * c->cents);

					SET_VARSIZE_SHORT(data + off, VARHDRSZ_SHORT + len);
					off += VARHDRSZ_SHORT + len;
				}
				break;
			case TPCHGEN_STORE_TEXT:
				{
					const tpch_str *str = (const tpch_str *) field;

					if (str->len > TPCH_MAX_LINE)
						return 0;
					off = put_varlena(data, off, str->ptr, str->len, c->pad);
				}
				break;
		}
	}
	return off;
}

/*
 * Bytes a row's tuple data may take: every value's alignment and header,
 * the blank padding, and the strings, which together never exceed a
 * formatted line; then what the last copy may write past them.
 */
Size
tpchgen_tuple_data_bound(const TpchgenTupleColumn *cols, int ncols)
{
	Size		bound = TPCH_MAX_LINE + COPY_OVERSHOOT;

	for (int i = 0; i < ncols; i++)
		bound += MAXIMUM_ALIGNOF + VARHDRSZ + sizeof(int64) + 8 * sizeof(int16) +
			cols[i].pad;
	return bound;
}

/*
 * Writes a whole heap tuple (header, then data) of a row type without NULLs
 * at buf, MAXALIGNed, as heap_form_tuple would for a composite datum of
 * type typid/typmod, and returns its length; 0 as tpchgen_form_tuple_data.
 * The caller points a HeapTupleData at it.
 */
Size
tpchgen_form_tuple(const TpchgenTupleColumn *cols, int ncols, Oid typid,
				   int32 typmod, const tpch_row *row, char *buf)
{
	HeapTupleHeader td = (HeapTupleHeader) buf;
	Size		hoff = MAXALIGN(SizeofHeapTupleHeader);
	Size		len = tpchgen_form_tuple_data(cols, ncols, row, buf + hoff);
	bool		varwidth = false;

	if (len == 0 && ncols > 0)
		return 0;
	for (int i = 0; i < ncols; i++)
		varwidth |= cols[i].store == TPCHGEN_STORE_NUMERIC ||
			cols[i].store == TPCHGEN_STORE_TEXT;

	memset(td, 0, hoff);
	HeapTupleHeaderSetDatumLength(td, hoff + len);
	HeapTupleHeaderSetTypeId(td, typid);
	HeapTupleHeaderSetTypMod(td, typmod);
	ItemPointerSetInvalid(&td->t_ctid);
	HeapTupleHeaderSetNatts(td, ncols);
	td->t_hoff = hoff;
	td->t_infomask = varwidth ? HEAP_HASVARWIDTH : 0;
	return hoff + len;
}
