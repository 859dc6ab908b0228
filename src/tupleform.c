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

/*
 * Appends a varlena value of len bytes blank-padded to pad at data + off, as
 * heap_fill_tuple stores it: with a one-byte header and unaligned when it is
 * short enough, else with a four-byte header aligned as the type (int).
 */
static inline Size
put_varlena(char *data, Size off, const char *src, uint32 len, uint32 pad)
{
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
	memcpy(p, src, len);
	if (full > len)
		memset(p + len, ' ', full - len);
	return p + full - data;
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
					char		num[VARHDRSZ + sizeof(uint16) + 8 * sizeof(int16)];

					tpchgen_numeric_from_cents(num, *(const int64 *) field * c->cents);
					off = put_varlena(data, off, num + VARHDRSZ,
									  VARSIZE(num) - VARHDRSZ, 0);
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
 * formatted line.
 */
Size
tpchgen_tuple_data_bound(const TpchgenTupleColumn *cols, int ncols)
{
	Size		bound = TPCH_MAX_LINE;

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
