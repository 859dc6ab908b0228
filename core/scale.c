/*
 * scale.c - scale factors, row counts, chunk ranges, order keys, table and
 * column descriptions.
 *
 * dbgen reads SF >= 1 as a whole multiplier of the base counts and SF < 1
 * in thousandths: k = (int)(1000 SF), count = max(1, k * base / 1000).  We
 * refuse a fractional SF above 1 where dbgen would silently truncate it.
 */
#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const table_names[TPCH_NTABLES] = {
	"region", "nation", "supplier", "part", "partsupp", "customer", "orders", "lineitem"
};

const char *
tpch_strerror(int err)
{
	switch (err)
	{
		case TPCH_OK:
			return "success";
		case TPCH_ERR_SF_RANGE:
			return "scale factor must be a number above 0 and at most 100000";
		case TPCH_ERR_SF_NOT_WHOLE:
			return "scale factors above 1 must be whole numbers (dbgen would truncate)";
		case TPCH_ERR_PARTS:
			return "parts must be at least 1";
		case TPCH_ERR_PART:
			return "part must be between 1 and parts";
		case TPCH_ERR_TABLE:
			return "unknown table (expected region, nation, supplier, part, partsupp, "
				"customer, orders or lineitem)";
		case TPCH_ERR_RANGE:
			return "row range outside the part";
		case TPCH_ERR_NOMEM:
			return "out of memory for the 300 MiB text pool";
		case TPCH_ERR_NOPOOL:
			return "text pool not built (call tpch_pool_init first)";
		case TPCH_AGAIN:
			return "seek not finished (call again)";
	}
	return "unknown error";
}

const char *
tpch_table_name(tpch_table t)
{
	return (unsigned) t < TPCH_NTABLES ? table_names[t] : NULL;
}

const char *
tpch_table_list(void)
{
	return "region, nation, supplier, part, partsupp, customer, orders and lineitem";
}

int
tpch_file_name(char *buf, size_t cap, tpch_table t, const char *ext,
			   int64_t part, int64_t parts)
{
	if (parts > 1 && t != TPCH_NATION && t != TPCH_REGION)
		return snprintf(buf, cap, "%s.%s.%lld", tpch_table_name(t), ext,
						(long long) part);
	return snprintf(buf, cap, "%s.%s", tpch_table_name(t), ext);
}

int
tpch_table_lookup(const char *name)
{
	for (int t = 0; t < TPCH_NTABLES; t++)
		if (strcmp(name, table_names[t]) == 0)
			return t;
	return -1;
}

int
tpch_check_sf(double sf)
{
	if (!(sf > 0.0) || !(sf <= TPCH_SF_MAX))	/* NaN fails both */
		return TPCH_ERR_SF_RANGE;
	if (sf > 1.0 && sf != floor(sf))
		return TPCH_ERR_SF_NOT_WHOLE;
	return TPCH_OK;
}

int
tpch_check_args(double sf, int64_t part, int64_t parts)
{
	int			err = tpch_check_sf(sf);

	if (err != TPCH_OK)
		return err;
	if (parts < 1)
		return TPCH_ERR_PARTS;
	if (part < 1 || part > parts)
		return TPCH_ERR_PART;
	return TPCH_OK;
}

/* The whole multiplier: SF itself from 1 up, else 1. */
int64_t
tpch_scale_of(double sf)
{
	return sf >= 1.0 ? (int64_t) sf : 1;
}

/* A base count at an SF (the thousandths rule below 1). */
int64_t
tpch_scaled(int64_t base, double sf)
{
	int64_t		k,
				n;

	if (sf >= 1.0)
		return base * (int64_t) sf;
	k = (int) (1000.0 * sf);
	n = k * base / 1000;
	return n < 1 ? 1 : n;
}

int64_t
tpch_group_rows(tpch_table t, double sf)
{
	switch (t)
	{
		case TPCH_REGION:
			return 5;
		case TPCH_NATION:
			return 25;
		case TPCH_SUPPLIER:
			return tpch_scaled(10000, sf);
		case TPCH_PART:
		case TPCH_PARTSUPP:
			return tpch_scaled(200000, sf);
		case TPCH_CUSTOMER:
			return tpch_scaled(150000, sf);
		case TPCH_ORDERS:
		case TPCH_LINEITEM:
			return tpch_scaled(1500000, sf);
		default:
			return 0;
	}
}

int
tpch_part_range(tpch_table t, double sf, int64_t part, int64_t parts,
				int64_t *first, int64_t *count)
{
	int			err = tpch_check_args(sf, part, parts);
	int64_t		n,
				q;

	if (err != TPCH_OK)
		return err;
	if ((unsigned) t >= TPCH_NTABLES)
		return TPCH_ERR_TABLE;
	n = tpch_group_rows(t, sf);
	if (t == TPCH_REGION || t == TPCH_NATION)
	{
		*first = 1;
		*count = n;
		return TPCH_OK;
	}
	q = n / parts;
	*first = (part - 1) * q + 1;
	*count = part == parts ? n - (parts - 1) * q : q;
	return TPCH_OK;
}

int64_t
tpch_rows_estimate(tpch_table t, int64_t group_rows)
{
	switch (t)
	{
		case TPCH_PARTSUPP:
		case TPCH_LINEITEM:
			return 4 * group_rows;
		default:
			return group_rows;
	}
}

int
tpch_group_rows_max(tpch_table t)
{
	switch (t)
	{
		case TPCH_LINEITEM:
			return 7;
		case TPCH_PARTSUPP:
			return 4;
		default:
			return 1;
	}
}

int
tpch_group_tbl_bytes(tpch_table t)
{
	/* measured on dbgen's SF 1 files: file size / group rows */
	static const int bytes[TPCH_NTABLES] = {
		[TPCH_REGION] = 78,
		[TPCH_NATION] = 89,
		[TPCH_SUPPLIER] = 141,
		[TPCH_PART] = 121,
		[TPCH_PARTSUPP] = 595,
		[TPCH_CUSTOMER] = 162,
		[TPCH_ORDERS] = 115,
		[TPCH_LINEITEM] = 507,
	};

	return (unsigned) t < TPCH_NTABLES ? bytes[t] : 0;
}

size_t
tpch_group_max_bytes(tpch_table t)
{
	/* no line of those two tables reaches 400 bytes, nor any other 700 */
	return t == TPCH_PARTSUPP || t == TPCH_LINEITEM ?
		(size_t) tpch_group_rows_max(t) * 400 : 700;
}

int64_t
tpch_orderkey(int64_t i)
{
	return ((i >> 3) << 5) | (i & 7);
}

int64_t
tpch_order_index(int64_t key)
{
	if (key < 1 || (key & 0x18) != 0)
		return 0;
	return ((key >> 5) << 3) | (key & 7);
}

/* ------------------------------------------------------------------------
 * Columns, in TPC-H order, with the widths of the specification.
 * ------------------------------------------------------------------------ */

#define COL(tbl, name, kind, width) {#name, kind, width, offsetof(tbl, name)}

static const tpch_column region_cols[] = {
	COL(tpch_region_row, r_regionkey, TPCH_KIND_KEY, 0),
	COL(tpch_region_row, r_name, TPCH_KIND_CHAR, 25),
	COL(tpch_region_row, r_comment, TPCH_KIND_VARCHAR, 152),
};

static const tpch_column nation_cols[] = {
	COL(tpch_nation_row, n_nationkey, TPCH_KIND_KEY, 0),
	COL(tpch_nation_row, n_name, TPCH_KIND_CHAR, 25),
	COL(tpch_nation_row, n_regionkey, TPCH_KIND_KEY, 0),
	COL(tpch_nation_row, n_comment, TPCH_KIND_VARCHAR, 152),
};

static const tpch_column supplier_cols[] = {
	COL(tpch_supplier_row, s_suppkey, TPCH_KIND_KEY, 0),
	COL(tpch_supplier_row, s_name, TPCH_KIND_CHAR, 25),
	COL(tpch_supplier_row, s_address, TPCH_KIND_VARCHAR, 40),
	COL(tpch_supplier_row, s_nationkey, TPCH_KIND_KEY, 0),
	COL(tpch_supplier_row, s_phone, TPCH_KIND_CHAR, 15),
	COL(tpch_supplier_row, s_acctbal, TPCH_KIND_MONEY, 0),
	COL(tpch_supplier_row, s_comment, TPCH_KIND_VARCHAR, 101),
};

static const tpch_column part_cols[] = {
	COL(tpch_part_row, p_partkey, TPCH_KIND_KEY, 0),
	COL(tpch_part_row, p_name, TPCH_KIND_VARCHAR, 55),
	COL(tpch_part_row, p_mfgr, TPCH_KIND_CHAR, 25),
	COL(tpch_part_row, p_brand, TPCH_KIND_CHAR, 10),
	COL(tpch_part_row, p_type, TPCH_KIND_VARCHAR, 25),
	COL(tpch_part_row, p_size, TPCH_KIND_INT, 0),
	COL(tpch_part_row, p_container, TPCH_KIND_CHAR, 10),
	COL(tpch_part_row, p_retailprice, TPCH_KIND_MONEY, 0),
	COL(tpch_part_row, p_comment, TPCH_KIND_VARCHAR, 23),
};

static const tpch_column partsupp_cols[] = {
	COL(tpch_partsupp_row, ps_partkey, TPCH_KIND_KEY, 0),
	COL(tpch_partsupp_row, ps_suppkey, TPCH_KIND_KEY, 0),
	COL(tpch_partsupp_row, ps_availqty, TPCH_KIND_INT, 0),
	COL(tpch_partsupp_row, ps_supplycost, TPCH_KIND_MONEY, 0),
	COL(tpch_partsupp_row, ps_comment, TPCH_KIND_VARCHAR, 199),
};

static const tpch_column customer_cols[] = {
	COL(tpch_customer_row, c_custkey, TPCH_KIND_KEY, 0),
	COL(tpch_customer_row, c_name, TPCH_KIND_VARCHAR, 25),
	COL(tpch_customer_row, c_address, TPCH_KIND_VARCHAR, 40),
	COL(tpch_customer_row, c_nationkey, TPCH_KIND_KEY, 0),
	COL(tpch_customer_row, c_phone, TPCH_KIND_CHAR, 15),
	COL(tpch_customer_row, c_acctbal, TPCH_KIND_MONEY, 0),
	COL(tpch_customer_row, c_mktsegment, TPCH_KIND_CHAR, 10),
	COL(tpch_customer_row, c_comment, TPCH_KIND_VARCHAR, 117),
};

static const tpch_column orders_cols[] = {
	COL(tpch_orders_row, o_orderkey, TPCH_KIND_KEY, 0),
	COL(tpch_orders_row, o_custkey, TPCH_KIND_KEY, 0),
	COL(tpch_orders_row, o_orderstatus, TPCH_KIND_CHAR, 1),
	COL(tpch_orders_row, o_totalprice, TPCH_KIND_MONEY, 0),
	COL(tpch_orders_row, o_orderdate, TPCH_KIND_DATE, 0),
	COL(tpch_orders_row, o_orderpriority, TPCH_KIND_CHAR, 15),
	COL(tpch_orders_row, o_clerk, TPCH_KIND_CHAR, 15),
	COL(tpch_orders_row, o_shippriority, TPCH_KIND_INT, 0),
	COL(tpch_orders_row, o_comment, TPCH_KIND_VARCHAR, 79),
};

static const tpch_column lineitem_cols[] = {
	COL(tpch_lineitem_row, l_orderkey, TPCH_KIND_KEY, 0),
	COL(tpch_lineitem_row, l_partkey, TPCH_KIND_KEY, 0),
	COL(tpch_lineitem_row, l_suppkey, TPCH_KIND_KEY, 0),
	COL(tpch_lineitem_row, l_linenumber, TPCH_KIND_INT, 0),
	COL(tpch_lineitem_row, l_quantity, TPCH_KIND_QUANTITY, 0),
	COL(tpch_lineitem_row, l_extendedprice, TPCH_KIND_MONEY, 0),
	COL(tpch_lineitem_row, l_discount, TPCH_KIND_MONEY, 0),
	COL(tpch_lineitem_row, l_tax, TPCH_KIND_MONEY, 0),
	COL(tpch_lineitem_row, l_returnflag, TPCH_KIND_CHAR, 1),
	COL(tpch_lineitem_row, l_linestatus, TPCH_KIND_CHAR, 1),
	COL(tpch_lineitem_row, l_shipdate, TPCH_KIND_DATE, 0),
	COL(tpch_lineitem_row, l_commitdate, TPCH_KIND_DATE, 0),
	COL(tpch_lineitem_row, l_receiptdate, TPCH_KIND_DATE, 0),
	COL(tpch_lineitem_row, l_shipinstruct, TPCH_KIND_CHAR, 25),
	COL(tpch_lineitem_row, l_shipmode, TPCH_KIND_CHAR, 10),
	COL(tpch_lineitem_row, l_comment, TPCH_KIND_VARCHAR, 44),
};

#define NCOLS(a) ((int) (sizeof(a) / sizeof((a)[0])))

const tpch_column *
tpch_columns(tpch_table t, int *ncols)
{
	static const struct
	{
		const tpch_column *cols;
		int			n;
	}			tabs[TPCH_NTABLES] = {
		{region_cols, NCOLS(region_cols)},
		{nation_cols, NCOLS(nation_cols)},
		{supplier_cols, NCOLS(supplier_cols)},
		{part_cols, NCOLS(part_cols)},
		{partsupp_cols, NCOLS(partsupp_cols)},
		{customer_cols, NCOLS(customer_cols)},
		{orders_cols, NCOLS(orders_cols)},
		{lineitem_cols, NCOLS(lineitem_cols)},
	};

	if ((unsigned) t >= TPCH_NTABLES)
	{
		*ncols = 0;
		return NULL;
	}
	*ncols = tabs[t].n;
	return tabs[t].cols;
}

int
tpch_column_lookup(tpch_table t, const char *name)
{
	int			n;
	const tpch_column *c = tpch_columns(t, &n);

	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return i;
	return -1;
}
