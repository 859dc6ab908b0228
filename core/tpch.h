/*
 * tpch.h - public API of the tpchgen generator core.
 *
 * A pure C generator of TPC-H data, byte-identical to dbgen 3.0.1 at every
 * scale factor and chunking.  No PostgreSQL headers, no I/O, no allocation
 * in the per-row path and no mutable globals: the only process-wide state is
 * the read-only text pool, built once (thread-safe) by tpch_pool_init().
 *
 * Rows are numbered inside a table "group": orders+lineitem have one group
 * row per order, part+partsupp one per part.  A generator covers a range of
 * group rows and starts there in O(log n) by seeking its random streams.
 */
#ifndef TPCH_H
#define TPCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tpch_table
{
	TPCH_REGION = 0,
	TPCH_NATION,
	TPCH_SUPPLIER,
	TPCH_PART,
	TPCH_PARTSUPP,
	TPCH_CUSTOMER,
	TPCH_ORDERS,
	TPCH_LINEITEM,
	TPCH_NTABLES
} tpch_table;

/* Error codes; 0 is success.  tpch_strerror() gives a one-line message. */
typedef enum tpch_err
{
	TPCH_OK = 0,
	TPCH_ERR_SF_RANGE,			/* SF <= 0, NaN, infinite or above 100000 */
	TPCH_ERR_SF_NOT_WHOLE,		/* SF above 1 with a fraction */
	TPCH_ERR_PARTS,				/* parts < 1 */
	TPCH_ERR_PART,				/* part outside 1..parts */
	TPCH_ERR_TABLE,				/* unknown table */
	TPCH_ERR_RANGE,				/* row range outside the part */
	TPCH_ERR_NOMEM,				/* text pool could not be allocated */
	TPCH_ERR_NOPOOL,			/* tpch_pool_init() was not called */
	TPCH_AGAIN					/* tpch_gen_seek_bounded: not there yet */
} tpch_err;

#define TPCH_SF_MAX 100000.0

const char *tpch_strerror(int err);

/* Table names ("lineitem") and lookup; returns -1 for an unknown name. */
const char *tpch_table_name(tpch_table t);
int			tpch_table_lookup(const char *name);

/* The eight names in order, for hints: "region, nation, ... and lineitem". */
const char *tpch_table_list(void);

/*
 * dbgen's name of a table's file, ext being "tbl" or "csv": "lineitem.tbl",
 * or "lineitem.tbl.3" for part 3 when parts > 1 (nation and region are
 * never split).  Returns what snprintf returns.
 */
int			tpch_file_name(char *buf, size_t cap, tpch_table t, const char *ext,
						   int64_t part, int64_t parts);

/* ------------------------------------------------------------------------
 * Scale factor and row counts
 * ------------------------------------------------------------------------ */

/* Validates an SF; TPCH_OK or TPCH_ERR_SF_*. */
int			tpch_check_sf(double sf);

/* Validates (sf, part, parts); TPCH_OK or an error code. */
int			tpch_check_args(double sf, int64_t part, int64_t parts);

/*
 * Number of group rows of a table at an SF: orders for TPCH_ORDERS and
 * TPCH_LINEITEM, parts for TPCH_PART and TPCH_PARTSUPP, else the table's
 * rows.  Requires a valid SF.
 */
int64_t		tpch_group_rows(tpch_table t, double sf);

/*
 * Group rows [*first, *first + *count) of part `part` of `parts` (dbgen
 * -C parts -S part): q = N / parts rows each, the last part also takes the
 * remainder.  Nation and region are never split: every part covers all of
 * them.  *first is 1-based.
 */
int			tpch_part_range(tpch_table t, double sf, int64_t part, int64_t parts,
							int64_t *first, int64_t *count);

/*
 * Table rows for group rows: exact for every table but lineitem, whose line
 * count per order is random (1..7); for lineitem this is 4 per order
 * (the mean), within 0.1% of the truth from SF 0.01 up.
 */
int64_t		tpch_rows_estimate(tpch_table t, int64_t group_rows);

/* Most rows one group row has: 7 for lineitem, 4 for partsupp, else 1. */
int			tpch_group_rows_max(tpch_table t);

/*
 * Average bytes of one group row's .tbl lines (all its rows) at SF 1, to
 * cut a table into chunks of about the same size.
 */
int			tpch_group_tbl_bytes(tpch_table t);

/* Bytes one group row's lines can take, in either format, to size buffers. */
size_t		tpch_group_max_bytes(tpch_table t);

/* Order keys are sparse: index i (1-based) maps to key and back. */
int64_t		tpch_orderkey(int64_t index);
/* Index of an order key, or 0 when the key is not a base-table key. */
int64_t		tpch_order_index(int64_t orderkey);

/*
 * Keys to group rows (core/keys.c), for the key conditions a foreign scan
 * pushes down.  Intervals are closed, sorted and disjoint.
 */

/* The first order index of 1..n whose key is at least key; n + 1 if none. */
int64_t		tpch_order_index_ceil(int64_t key, int64_t n);

/*
 * The group rows [*first, *end) of table t at sf whose leading key is in
 * lo..hi (hi INT64_MAX: no upper bound), before any part's bounds apply:
 * orders and lineitem number their orders 1..n with sparse keys, the other
 * tables' key is the group row itself.
 */
void		tpch_key_group_range(tpch_table t, double sf, int64_t lo,
								 int64_t hi, int64_t *first, int64_t *end);

/*
 * The intersection of the n intervals lo[i]..hi[i] and the m intervals
 * lo2[j]..hi2[j] into rlo/rhi (room for n + m); returns its count.
 */
int			tpch_intervals_intersect(int n, const int64_t *lo,
									 const int64_t *hi, int m,
									 const int64_t *lo2, const int64_t *hi2,
									 int64_t *rlo, int64_t *rhi);

/* ------------------------------------------------------------------------
 * Text pool: 300 MiB, built once per process from stream 5, then read-only.
 * ------------------------------------------------------------------------ */

#define TPCH_POOL_SIZE 314572800

/*
 * Builds the pool if it is not built yet; thread-safe, later calls return at
 * once.  TPCH_OK or TPCH_ERR_NOMEM.  The memory is process-lifetime (an
 * anonymous mapping), so a process that forks after this shares the pages.
 */
int			tpch_pool_init(void);

/*
 * The same with n threads building independent segments of the pool (the
 * bytes are the same).  The helper threads block every signal.
 */
int			tpch_pool_init_threads(int nthreads);

/* The pool, or NULL if this process has none yet. */
const char *tpch_pool(void);

/* Bytes of a pool buffer: the pool and 4 KiB of slack after it. */
#define TPCH_POOL_ALLOC ((size_t) TPCH_POOL_SIZE + 4096)

/*
 * Builds a pool into caller memory (TPCH_POOL_ALLOC bytes), for example a
 * shared memory segment that several processes map; touches no global state.
 */
void		tpch_pool_build(char *buf);
void		tpch_pool_build_threads(char *buf, int nthreads);

/*
 * Makes a built pool buffer this process's pool if it has none yet (if it
 * has, that one stays).  The buffer must stay mapped for the life of the
 * process.  Returns TPCH_OK.
 */
int			tpch_pool_adopt(const char *buf);

/*
 * Maps a file holding a built pool (TPCH_POOL_ALLOC bytes) read-only, at a
 * 2 MiB boundary so that it can be mapped in huge pages; NULL with errno set
 * on failure.  The mapping can then be adopted (tpch_pool_adopt).
 */
const char *tpch_pool_map_file(int fd);

/* The columns of a table cut from the pool (its comments), as a mask. */
uint64_t	tpch_pool_columns(tpch_table t);

/* ------------------------------------------------------------------------
 * Rows
 * ------------------------------------------------------------------------ */

/*
 * A string that is not NUL-terminated.  The columns of tpch_pool_columns()
 * (the comments) point into the text pool and stay valid for as long as the
 * pool lives (the process), except a supplier comment altered by dbgen's
 * "Customer ... Complaints" rule, which lives in the row's own buffer.  All
 * other strings point into the row or into constant tables: valid while the
 * row is.
 */
typedef struct tpch_str
{
	const char *ptr;
	uint32_t	len;
} tpch_str;

/* Money and discount/tax are integer hundredths; dates are day numbers
 * with 0 = 1992-01-01 (tpch_date_ymd / TPCH_DATE_PG_OFFSET convert). */

typedef struct tpch_region_row
{
	int64_t		r_regionkey;
	tpch_str	r_name;
	tpch_str	r_comment;
} tpch_region_row;

typedef struct tpch_nation_row
{
	int64_t		n_nationkey;
	tpch_str	n_name;
	int64_t		n_regionkey;
	tpch_str	n_comment;
} tpch_nation_row;

typedef struct tpch_supplier_row
{
	int64_t		s_suppkey;
	tpch_str	s_name;
	tpch_str	s_address;
	int64_t		s_nationkey;
	tpch_str	s_phone;
	int64_t		s_acctbal;
	tpch_str	s_comment;
	char		name_buf[32];
	char		address_buf[48];
	char		phone_buf[16];
	char		comment_buf[112];
} tpch_supplier_row;

typedef struct tpch_part_row
{
	int64_t		p_partkey;
	tpch_str	p_name;
	tpch_str	p_mfgr;
	tpch_str	p_brand;
	tpch_str	p_type;
	int64_t		p_size;
	tpch_str	p_container;
	int64_t		p_retailprice;
	tpch_str	p_comment;
	char		name_buf[64];
	char		mfgr_buf[16];
	char		brand_buf[16];
} tpch_part_row;

typedef struct tpch_partsupp_row
{
	int64_t		ps_partkey;
	int64_t		ps_suppkey;
	int64_t		ps_availqty;
	int64_t		ps_supplycost;
	tpch_str	ps_comment;
} tpch_partsupp_row;

typedef struct tpch_customer_row
{
	int64_t		c_custkey;
	tpch_str	c_name;
	tpch_str	c_address;
	int64_t		c_nationkey;
	tpch_str	c_phone;
	int64_t		c_acctbal;
	tpch_str	c_mktsegment;
	tpch_str	c_comment;
	char		name_buf[32];
	char		address_buf[48];
	char		phone_buf[16];
} tpch_customer_row;

typedef struct tpch_orders_row
{
	int64_t		o_orderkey;
	int64_t		o_custkey;
	tpch_str	o_orderstatus;
	int64_t		o_totalprice;
	int32_t		o_orderdate;
	tpch_str	o_orderpriority;
	tpch_str	o_clerk;
	int64_t		o_shippriority;
	tpch_str	o_comment;
	char		clerk_buf[32];
} tpch_orders_row;

typedef struct tpch_lineitem_row
{
	int64_t		l_orderkey;
	int64_t		l_partkey;
	int64_t		l_suppkey;
	int64_t		l_linenumber;
	int64_t		l_quantity;		/* whole units */
	int64_t		l_extendedprice;
	int64_t		l_discount;
	int64_t		l_tax;
	tpch_str	l_returnflag;
	tpch_str	l_linestatus;
	int32_t		l_shipdate;
	int32_t		l_commitdate;
	int32_t		l_receiptdate;
	tpch_str	l_shipinstruct;
	tpch_str	l_shipmode;
	tpch_str	l_comment;
} tpch_lineitem_row;

typedef union tpch_row
{
	tpch_region_row region;
	tpch_nation_row nation;
	tpch_supplier_row supplier;
	tpch_part_row part;
	tpch_partsupp_row partsupp;
	tpch_customer_row customer;
	tpch_orders_row orders;
	tpch_lineitem_row lineitem;
} tpch_row;

/* ------------------------------------------------------------------------
 * Column descriptors: name, value kind and place in the row struct, so that
 * front ends can convert any table's rows generically.
 * ------------------------------------------------------------------------ */

typedef enum tpch_kind
{
	TPCH_KIND_INT,				/* int64_t, plain integer */
	TPCH_KIND_KEY,				/* int64_t, a key (orderkey may exceed 2^31) */
	TPCH_KIND_MONEY,			/* int64_t hundredths, numeric(15,2) */
	TPCH_KIND_QUANTITY,			/* int64_t whole units, numeric(15,2) */
	TPCH_KIND_DATE,				/* int32_t day number, 0 = 1992-01-01 */
	TPCH_KIND_CHAR,				/* tpch_str, fixed width char(n) */
	TPCH_KIND_VARCHAR			/* tpch_str, varchar(n) */
} tpch_kind;

typedef struct tpch_column
{
	const char *name;			/* "l_orderkey" */
	tpch_kind	kind;
	int			width;			/* n of char(n)/varchar(n), else 0 */
	uint32_t	offset;			/* offsetof(row struct, field) */
} tpch_column;

/* The columns of a table in TPC-H order; *ncols receives their count. */
const tpch_column *tpch_columns(tpch_table t, int *ncols);

/* Column index by name in a table, or -1. */
int			tpch_column_lookup(tpch_table t, const char *name);

/* ------------------------------------------------------------------------
 * Generators
 * ------------------------------------------------------------------------ */

/* Bit i of a column mask selects column i of tpch_columns(). */
#define TPCH_ALL_COLUMNS (UINT64_MAX >> 1)

/* Internal state of one random stream. */
typedef struct tpch_stream
{
	int64_t		base;			/* state at the start of the current row */
	int64_t		cur;			/* state while the row is drawn */
} tpch_stream;

#define TPCH_NSTREAMS 48

/* Lineitem's streams drawn for its lines, not its order (gen.c). */
#define TPCH_LINE_STREAMS 12
/* A skipped run of orders is caught up in steps of up to 2^TPCH_LAG_BITS - 1. */
#define TPCH_LAG_BITS 6

/* Per-order state kept to emit its lines one at a time (lineitem). */
typedef struct tpch_order_lines
{
	int			nlines;
	int			next;
	tpch_lineitem_row line[7];
} tpch_order_lines;

/*
 * One generator.  The fields are private; the struct is public only so that
 * callers can place it anywhere (stack, palloc, DSM) without an allocator.
 */
typedef struct tpch_gen
{
	tpch_table	table;
	double		sf;
	int64_t		part;
	int64_t		parts;
	/* derived scale */
	int64_t		scale;			/* whole multiplier (1 when SF < 1) */
	int64_t		n_supp;
	int64_t		n_cust;
	int64_t		n_part;
	int64_t		n_clerk;
	int			big;			/* scale >= 30000: 64-bit streams 19, 40 */
	/* what is being generated */
	uint64_t	columns;
	uint64_t	need;			/* internal: which values to compute */
	int64_t		chunk_first;	/* first group row of the dbgen chunk */
	int64_t		part_first;		/* the group rows seeks may reach */
	int64_t		part_count;
	int64_t		key_base;		/* order key of group row r: index r - key_base, */
	int			key_seq;		/* sequence key_seq (update sets, core/update.h) */
	int			keys_only;		/* update deletes: tpch_gen_format writes keys */
	int64_t		end;			/* one past the last group row */
	int64_t		row;			/* next group row to produce */
	int			sub;			/* partsupp/lineitem: next row in the group */
	const char *pool;
	tpch_stream s[TPCH_NSTREAMS];
	int			nopool;			/* a selected column needs the missing pool */
	int			no_prefetch;	/* tpch_gen_set_prefetch(g, 0) */
	int64_t		big19;			/* 64-bit state of stream 19 (big) */
	int64_t		big19_row;		/* the group row big19 starts, or 0 */
	int64_t		big40;			/* 64-bit state of stream 40 (big) */
	tpch_order_lines ol;
	tpch_orders_row order;
	int			dated;			/* lineitem: orders outside od_lo..od_hi skipped */
	int32_t		od_lo;
	int32_t		od_hi;
	int			skipped;		/* dated: the current order is skipped */
	int64_t		lag;			/* dated: group rows the line streams are behind */
	int64_t		lag_pow[TPCH_LINE_STREAMS][TPCH_LAG_BITS];	/* stride^(2^j) */
} tpch_gen;

/*
 * Sets up a generator for part `part` of `parts` of a table (parts = 1:
 * the whole table), with all columns selected.  Returns TPCH_OK or an error
 * code.  Without a pool in the process it still succeeds, but then only
 * columns outside tpch_pool_columns() may be selected: tpch_gen_next() fails
 * with -TPCH_ERR_NOPOOL otherwise.
 */
int			tpch_gen_init(tpch_gen *g, tpch_table t, double sf,
						  int64_t part, int64_t parts);

/*
 * Restricts the generator to group rows [first, first + count) inside its
 * part (absolute 1-based group-row numbers, as from tpch_part_range) and
 * rewinds to `first`.  O(log n) for every table and SF, except orders and
 * lineitem at SF >= 30000, where dbgen's 64-bit stream 19 can only be
 * replayed: from where the generator stands when seeking forward, else from
 * the start of the part (linear in that distance, about 10 ns a row).
 */
int			tpch_gen_seek(tpch_gen *g, int64_t first, int64_t count);

/*
 * The same, but doing at most `budget` rows of stream 19's replay (orders
 * and lineitem at SF >= 30000) per call: TPCH_AGAIN means "call again with
 * the same arguments", so that a caller can check for a cancel in between.
 * Elsewhere it returns what tpch_gen_seek returns.
 */
int			tpch_gen_seek_bounded(tpch_gen *g, int64_t first, int64_t count,
								  int64_t budget);

/*
 * Chooses the columns to compute (bit i = column i).  Columns left out are
 * not built and their values in the row are unspecified, while the random
 * streams stay in step, so the other columns are unchanged.  Call before the
 * first tpch_gen_next after init or seek.  Returns TPCH_ERR_NOPOOL when a
 * selected column needs the pool and the process has none, else TPCH_OK.
 *
 * For TPCH_ORDERS, TPCH_WITH_LINES added to the mask also builds every
 * column of the order's lines, which tpch_gen_lines() then hands out: one
 * pass for both tables, as dbgen makes them.
 */
#define TPCH_WITH_LINES (UINT64_C(1) << 63)
int			tpch_gen_set_columns(tpch_gen *g, uint64_t columns);

/*
 * Whether tpch_gen_next starts fetching each comment from its random spot
 * in the pool as it draws it (on after init), so that the bytes have
 * arrived when the caller copies them later.  A caller that holds several
 * rows before copying them may turn it off and prefetch the comments of a
 * batch of rows together instead (tpchgen load does: cheaper there).
 */
void		tpch_gen_set_prefetch(tpch_gen *g, int on);

/*
 * Lets a lineitem generator leave out rows whose date column `col`
 * (l_shipdate, l_commitdate or l_receiptdate, as column numbers of
 * tpch_columns) cannot lie in [lo, hi] (day numbers, as the rows hold
 * them): it skips the orders whose every line falls outside, which costs
 * them their order date and line count only.  Rows are left out only
 * where none could match, and the rows produced are unchanged; the rows of
 * a skipped order are not counted anywhere.  Several calls narrow the
 * window.  Kept across seeks and tpch_gen_set_columns; tpch_gen_init
 * clears it.  Returns TPCH_ERR_TABLE for another table or column (nothing
 * then changes), and does nothing for SF >= 30000, where every line of
 * every order steps a 64-bit stream.
 */
int			tpch_gen_restrict_date(tpch_gen *g, int col, int32_t lo, int32_t hi);

/*
 * The share of the orders whose lines a generator restricted by
 * tpch_gen_restrict_date draws (order dates are uniform): 1 when it is not
 * restricted.  For estimates of the rows generated.
 */
double		tpch_gen_dated_share(const tpch_gen *g);

/* The lines of the order last produced by an orders generator with
 * TPCH_WITH_LINES; *n receives their count. */
const tpch_lineitem_row *tpch_gen_lines(const tpch_gen *g, int *n);

/*
 * Produces the next row into *row (the table's struct in the union).
 * Returns 1 for a row, 0 at the end of the range, -TPCH_ERR_NOPOOL when a
 * selected column needs the pool and there is none.
 */
int			tpch_gen_next(tpch_gen *g, tpch_row *row);

/* ------------------------------------------------------------------------
 * Formatting
 * ------------------------------------------------------------------------ */

typedef enum tpch_format
{
	TPCH_FMT_TBL,				/* dbgen .tbl: every field followed by '|' */
	TPCH_FMT_CSV				/* RFC 4180, quoted only when needed */
} tpch_format;

/* No formatted row is longer than this (including the newline). */
#define TPCH_MAX_LINE 1024

/*
 * Writes one row, with its newline, to buf (which has room for
 * TPCH_MAX_LINE bytes); returns the number of bytes written.
 */
size_t		tpch_format_row(tpch_table t, tpch_format fmt, const tpch_row *row,
							char *buf);

/*
 * Generates rows and writes them formatted into buf until fewer than
 * TPCH_MAX_LINE bytes of cap remain or the range ends.  Returns the bytes
 * written (0 at the end) and adds the rows to *nrows.  The fast path for
 * files: no row struct is handed out.
 */
size_t		tpch_gen_format(tpch_gen *g, tpch_format fmt, char *buf, size_t cap,
							int64_t *nrows);

/* The CSV header line, with its newline; returns its length. */
size_t		tpch_format_header(tpch_table t, char *buf);

/* Writes "YYYY-MM-DD" (10 bytes, no NUL) for a day number. */
void		tpch_format_date(int32_t day, char *buf);

/* Writes money (hundredths) as dbgen does ("-0.05"); returns the length. */
size_t		tpch_format_money(int64_t cents, char *buf);

/* Day 0 (1992-01-01) as a PostgreSQL date (days since 2000-01-01). */
#define TPCH_DATE_PG_OFFSET (-2922)

#ifdef __cplusplus
}
#endif

#endif							/* TPCH_H */
