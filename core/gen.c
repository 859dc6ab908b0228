/*
 * gen.c - the table generators.
 *
 * Every random stream of a table group starts group row r at
 * seed * 16807^((r - 1) * boundary) mod (2^31 - 1), however many draws the
 * earlier rows used.  So a generator keeps, per stream, the state at the
 * start of the current row (base) and moves it by one multiplication per row
 * (the stride 16807^boundary); the draws of a row work on a copy (cur).
 * Seeking is one modular power per stream, and leaving a column out simply
 * skips its draws: the next row starts from base * stride all the same.
 *
 * The exception is dbgen's 64-bit path at SF >= 30000 for o_custkey (stream
 * 40) and l_partkey (stream 19): see big_* below.
 */
#include "internal.h"

#include <string.h>

/* Comment lengths: (int)(A * 0.4) .. (int)(A * 1.6) for average A. */
#define CMNT(lo, hi) lo, hi

/* Streams owned by each table, -1 terminated. */
static const int8_t streams_of[TPCH_NTABLES][20] = {
	[TPCH_REGION] = {S_R_CMNT, -1},
	[TPCH_NATION] = {S_N_CMNT, -1},
	[TPCH_SUPPLIER] = {S_S_ADDR, S_S_NTRG, S_S_PHNE, S_S_ABAL, S_S_CMNT, S_BBB_JNK,
	S_BBB_TYPE, S_BBB_CMNT, S_BBB_OFFSET, -1},
	[TPCH_PART] = {S_P_MFG, S_P_BRND, S_P_TYPE, S_P_SIZE, S_P_CNTR, S_P_CMNT, S_P_NAME, -1},
	[TPCH_PARTSUPP] = {S_PS_QTY, S_PS_SCST, S_PS_CMNT, -1},
	[TPCH_CUSTOMER] = {S_C_ADDR, S_C_NTRG, S_C_PHNE, S_C_ABAL, S_C_MSEG, S_C_CMNT, -1},
	/* all of the group: orders may build their lines for lineitem too */
	[TPCH_ORDERS] = {S_O_CLRK, S_O_CMNT, S_O_ODATE, S_O_PRIO, S_O_CKEY, S_O_LCNT,
		S_L_QTY, S_L_DCNT, S_L_TAX, S_L_SHIP, S_L_SMODE, S_L_PKEY, S_L_SKEY, S_L_SDTE,
	S_L_CDTE, S_L_RDTE, S_L_RFLG, S_L_CMNT, -1},
	[TPCH_LINEITEM] = {S_O_ODATE, S_O_LCNT, S_L_QTY, S_L_DCNT, S_L_TAX, S_L_SHIP,
		S_L_SMODE, S_L_PKEY, S_L_SKEY, S_L_SDTE, S_L_CDTE, S_L_RDTE, S_L_RFLG, S_L_CMNT, -1},
};

/*
 * Lineitem's streams: those of the order (its date and line count) first,
 * then the lines', which a skipped order leaves behind.
 */
#define ORDER_STREAMS 2
static const int8_t *const line_streams = streams_of[TPCH_LINEITEM] + ORDER_STREAMS;

/* What the order group computes (from the column mask). */
enum
{
	N_CUST = 1 << 0,
	N_OD = 1 << 1,
	N_PRIO = 1 << 2,
	N_CLERK = 1 << 3,
	N_OCMT = 1 << 4,
	N_LINES = 1 << 5,			/* orders: draw the lines at all */
	N_PK = 1 << 6,
	N_SK = 1 << 7,
	N_QTY = 1 << 8,
	N_DISC = 1 << 9,
	N_TAX = 1 << 10,
	N_INSTR = 1 << 11,
	N_SMODE = 1 << 12,
	N_LCMT = 1 << 13,
	N_SHIP = 1 << 14,
	N_COMMIT = 1 << 15,
	N_RECEIPT = 1 << 16,
	N_RFLAG = 1 << 17,
	N_TOTAL = 1 << 18,
	N_STATUS = 1 << 19
};

static const char alphabet[64] =
"0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,";

/* padded: formatters may read 16 bytes of any string */
static const char flag_chars[32] = "RANFOP";

static inline tpch_str
flag(int i)
{
	tpch_str	s = {flag_chars + i, 1};

	return s;
}

static inline tpch_str
mkstr(const char *p, uint32_t len)
{
	tpch_str	s = {p, len};

	return s;
}

/* ------------------------------------------------------------------------
 * dbgen's 64-bit streams (SF >= 30000)
 *
 * o_custkey and l_partkey draw from x' = 6364136223846793005 x + 1 (mod 2^64)
 * as |x| mod range.  dbgen still pads stream 19 after each order with its
 * 31-bit skip routine applied to the 64-bit state (a wrapped product, then
 * C's signed remainder), and starts each chunk from the 31-bit seek of the
 * seed.  So inside a chunk stream 19 can only be replayed.
 * ------------------------------------------------------------------------ */

#define LCG_A 6364136223846793005ULL

static inline int64_t
big_step(int64_t x)
{
	return (int64_t) ((uint64_t) x * LCG_A + 1);
}

static inline int64_t
big_value(int64_t x, int64_t lo, int64_t hi)
{
	/* |INT64_MIN| stays negative in dbgen too; C's % then truncates */
	int64_t		t = x < 0 ? (int64_t) (0 - (uint64_t) x) : x;

	return lo + t % (hi - lo + 1);
}

static int64_t
big_pad(int64_t z, int n)
{
	int64_t		m = 16807;

	while (n > 0)
	{
		if (n & 1)
			z = (int64_t) ((uint64_t) m * (uint64_t) z) % TPCH_M;
		n >>= 1;
		m = tpch_mulmod(m, m);
	}
	return z;
}

/* The LCG advanced n steps: compose x -> a x + c with itself by squaring. */
static int64_t
big_jump(int64_t x, uint64_t n)
{
	uint64_t	a = LCG_A,
				c = 1,
				ra = 1,
				rc = 0;

	while (n)
	{
		if (n & 1)
		{
			ra = ra * a;
			rc = rc * a + c;
		}
		c = (a + 1) * c;
		a = a * a;
		n >>= 1;
	}
	return (int64_t) (ra * (uint64_t) x + rc);
}

/* ------------------------------------------------------------------------
 * Shared pieces
 * ------------------------------------------------------------------------ */

static inline tpch_str
comment(const tpch_gen *g, int64_t *x, int lo, int hi)
{
	int64_t		off = tpch_uniform(x, 0, TPCH_POOL_SIZE - hi);
	int64_t		len = tpch_uniform(x, lo, hi);

	/*
	 * A random spot in 300 MiB: start the cache miss now, copy later; the
	 * end needs a prefetch of its own only in another line (a redundant one
	 * still takes a fill buffer).
	 */
	if (!g->no_prefetch)
	{
		__builtin_prefetch(g->pool + off);
		if ((off >> 6) != ((off + len - 1) >> 6))
			__builtin_prefetch(g->pool + off + len - 1);
	}
	return mkstr(g->pool + off, (uint32_t) len);
}

/* dbgen's random alphanumeric string: 6 bits of a draw per character. */
static tpch_str
vstring(int64_t *x, char *buf)
{
	int			len = (int) tpch_uniform(x, 10, 40);
	int64_t		v = 0;

	for (int i = 0; i < len; i++)
	{
		if (i % 5 == 0)
		{
			/* U(0, 2^31 - 1): dbgen's range overflows to -2^31 */
			*x = tpch_next(*x);
			v = (int64_t) (((double) *x / 2147483647.0) * -2147483648.0);
		}
		buf[i] = alphabet[v & 63];
		v >>= 6;
	}
	return mkstr(buf, (uint32_t) len);
}

static inline char *
put_digits(char *p, int64_t v, int width)
{
	char		tmp[24];
	int			n = 0;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* "Prefix#%09lld" */
static tpch_str
numbered(char *buf, const char *prefix, int plen, int64_t v)
{
	memcpy(buf, prefix, plen);
	return mkstr(buf, (uint32_t) (put_digits(buf + plen, v, 9) - buf));
}

static tpch_str
phone(int64_t *x, int64_t nation, char *buf)
{
	int64_t		a = tpch_uniform(x, 100, 999);
	int64_t		b = tpch_uniform(x, 100, 999);
	int64_t		c = tpch_uniform(x, 1000, 9999);
	char	   *p = buf;

	p = put_digits(p, 10 + nation, 2);
	*p++ = '-';
	p = put_digits(p, a, 3);
	*p++ = '-';
	p = put_digits(p, b, 3);
	*p++ = '-';
	p = put_digits(p, c, 4);
	return mkstr(buf, (uint32_t) (p - buf));
}

static inline int64_t
retail_price(int64_t p)
{
	return 90000 + (p / 10) % 20001 + 100 * (p % 1000);
}

static inline int64_t
supplier_of(int64_t p, int64_t j, int64_t s)
{
	return (p + j * (s / 4 + (p - 1) / s)) % s + 1;
}

static inline int
wanted(const tpch_gen *g, int col)
{
	return (g->columns >> col) & 1;
}

/* ------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------ */

static void
gen_region(tpch_gen *g, tpch_region_row *r)
{
	int64_t		i = g->row - 1;

	r->r_regionkey = i;
	r->r_name = tpch_dist_str(&tpch_dist_regions, (int) i);
	r->r_comment = wanted(g, 2) ? comment(g, &g->s[S_R_CMNT].cur, CMNT(28, 115)) : mkstr("", 0);
}

static void
gen_nation(tpch_gen *g, tpch_nation_row *r)
{
	int64_t		i = g->row - 1;

	r->n_nationkey = i;
	r->n_name = tpch_dist_str(&tpch_dist_nations, (int) i);
	r->n_regionkey = tpch_nation_region[i];
	r->n_comment = wanted(g, 3) ? comment(g, &g->s[S_N_CMNT].cur, CMNT(28, 115)) : mkstr("", 0);
}

static void
gen_supplier(tpch_gen *g, tpch_supplier_row *r)
{
	tpch_stream *s = g->s;

	memset(r, 0, offsetof(tpch_supplier_row, name_buf));
	r->s_suppkey = g->row;
	if (wanted(g, 1))
		r->s_name = numbered(r->name_buf, "Supplier#", 9, g->row);
	if (wanted(g, 2))
		r->s_address = vstring(&s[S_S_ADDR].cur, r->address_buf);
	r->s_nationkey = tpch_uniform(&s[S_S_NTRG].cur, 0, 24);
	if (wanted(g, 4))
		r->s_phone = phone(&s[S_S_PHNE].cur, r->s_nationkey, r->phone_buf);
	r->s_acctbal = tpch_uniform(&s[S_S_ABAL].cur, -99999, 999999);
	if (wanted(g, 6))
	{
		tpch_str	c = comment(g, &s[S_S_CMNT].cur, CMNT(25, 100));
		int64_t		bad = tpch_uniform(&s[S_BBB_CMNT].cur, 1, 10000);
		int64_t		type = tpch_uniform(&s[S_BBB_TYPE].cur, 0, 100);
		int64_t		noise = tpch_uniform(&s[S_BBB_JNK].cur, 0, c.len - 19);
		int64_t		off = tpch_uniform(&s[S_BBB_OFFSET].cur, 0, c.len - 19 - noise);

		/* about 1 in 1000: "Customer ... Complaints/Recommends" */
		if (bad <= 10)
		{
			memcpy(r->comment_buf, c.ptr, c.len);
			memcpy(r->comment_buf + off, "Customer ", 9);
			memcpy(r->comment_buf + off + 9 + noise, type < 50 ? "Complaints" : "Recommends", 10);
			c.ptr = r->comment_buf;
		}
		r->s_comment = c;
	}
}

static void
gen_part(tpch_gen *g, tpch_part_row *r)
{
	tpch_stream *s = g->s;
	int64_t		p = g->row;

	memset(r, 0, offsetof(tpch_part_row, name_buf));
	r->p_partkey = p;
	if (wanted(g, 1))
	{
		/*
		 * dbgen shuffles all 92 colours but keeps the first five, which no
		 * swap after the fifth touches: five draws suffice.
		 */
		uint8_t		perm[92];
		char	   *q = r->name_buf;

		for (int i = 0; i < 92; i++)
			perm[i] = (uint8_t) i;
		for (int i = 0; i < 5; i++)
		{
			int			j = (int) tpch_uniform(&s[S_P_NAME].cur, i, 91);
			uint8_t		t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
			if (i > 0)
				*q++ = ' ';
			memcpy(q, tpch_dist_colors.text + (size_t) perm[i] * tpch_dist_colors.width,
				   tpch_dist_colors.len[perm[i]]);
			q += tpch_dist_colors.len[perm[i]];
		}
		r->p_name = mkstr(r->name_buf, (uint32_t) (q - r->name_buf));
	}
	if (wanted(g, 2) || wanted(g, 3))
	{
		int64_t		m = tpch_uniform(&s[S_P_MFG].cur, 1, 5);

		memcpy(r->mfgr_buf, "Manufacturer#", 13);
		r->mfgr_buf[13] = (char) ('0' + m);
		r->p_mfgr = mkstr(r->mfgr_buf, 14);
		if (wanted(g, 3))
		{
			int64_t		b = 10 * m + tpch_uniform(&s[S_P_BRND].cur, 1, 5);

			memcpy(r->brand_buf, "Brand#", 6);
			put_digits(r->brand_buf + 6, b, 2);
			r->p_brand = mkstr(r->brand_buf, 8);
		}
		if (!wanted(g, 2))
			r->p_mfgr = mkstr("", 0);
	}
	if (wanted(g, 4))
		r->p_type = tpch_dist_str(&tpch_dist_p_types, tpch_pick(&s[S_P_TYPE].cur, &tpch_dist_p_types));
	r->p_size = tpch_uniform(&s[S_P_SIZE].cur, 1, 50);
	if (wanted(g, 6))
		r->p_container = tpch_dist_str(&tpch_dist_p_cntr, tpch_pick(&s[S_P_CNTR].cur, &tpch_dist_p_cntr));
	r->p_retailprice = retail_price(p);
	if (wanted(g, 8))
		r->p_comment = comment(g, &s[S_P_CMNT].cur, CMNT(5, 22));
}

static void
gen_partsupp(tpch_gen *g, tpch_partsupp_row *r)
{
	tpch_stream *s = g->s;
	int64_t		p = g->row;

	r->ps_partkey = p;
	r->ps_suppkey = supplier_of(p, g->sub, g->n_supp);
	r->ps_availqty = tpch_uniform(&s[S_PS_QTY].cur, 1, 9999);
	r->ps_supplycost = tpch_uniform(&s[S_PS_SCST].cur, 100, 100000);
	r->ps_comment = wanted(g, 4) ? comment(g, &s[S_PS_CMNT].cur, CMNT(49, 198)) : mkstr("", 0);
}

static void
gen_customer(tpch_gen *g, tpch_customer_row *r)
{
	tpch_stream *s = g->s;

	memset(r, 0, offsetof(tpch_customer_row, name_buf));
	r->c_custkey = g->row;
	if (wanted(g, 1))
		r->c_name = numbered(r->name_buf, "Customer#", 9, g->row);
	if (wanted(g, 2))
		r->c_address = vstring(&s[S_C_ADDR].cur, r->address_buf);
	r->c_nationkey = tpch_uniform(&s[S_C_NTRG].cur, 0, 24);
	if (wanted(g, 4))
		r->c_phone = phone(&s[S_C_PHNE].cur, r->c_nationkey, r->phone_buf);
	r->c_acctbal = tpch_uniform(&s[S_C_ABAL].cur, -99999, 999999);
	if (wanted(g, 6))
		r->c_mktsegment = tpch_dist_str(&tpch_dist_msegmnt, tpch_pick(&s[S_C_MSEG].cur, &tpch_dist_msegmnt));
	if (wanted(g, 7))
		r->c_comment = comment(g, &s[S_C_CMNT].cur, CMNT(29, 116));
}

/* One line of the current order, drawn from the streams' current states. */
static void
gen_line(tpch_gen *g, int n, tpch_lineitem_row *l)
{
	tpch_stream *s = g->s;
	uint32_t	need = (uint32_t) g->need;
	int32_t		od = g->order.o_orderdate;

	l->l_orderkey = g->order.o_orderkey;
	l->l_linenumber = n;
	if (need & N_QTY)
		l->l_quantity = tpch_uniform(&s[S_L_QTY].cur, 1, 50);
	if (need & N_DISC)
		l->l_discount = tpch_uniform(&s[S_L_DCNT].cur, 0, 10);
	if (need & N_TAX)
		l->l_tax = tpch_uniform(&s[S_L_TAX].cur, 0, 8);
	if (need & N_INSTR)
		l->l_shipinstruct = tpch_dist_str(&tpch_dist_instruct, tpch_pick(&s[S_L_SHIP].cur, &tpch_dist_instruct));
	if (need & N_SMODE)
		l->l_shipmode = tpch_dist_str(&tpch_dist_smode, tpch_pick(&s[S_L_SMODE].cur, &tpch_dist_smode));
	if (need & N_LCMT)
		l->l_comment = comment(g, &s[S_L_CMNT].cur, CMNT(10, 43));
	if (g->big)
	{
		/* stream 19 steps for every line, wanted or not */
		g->big19 = big_step(g->big19);
		l->l_partkey = big_value(g->big19, 1, g->n_part);
	}
	else if (need & N_PK)
		l->l_partkey = tpch_uniform(&s[S_L_PKEY].cur, 1, g->n_part);
	if (need & N_SK)
		l->l_suppkey = supplier_of(l->l_partkey, tpch_uniform(&s[S_L_SKEY].cur, 0, 3), g->n_supp);
	l->l_extendedprice = retail_price(l->l_partkey) * l->l_quantity;
	if (need & N_SHIP)
		l->l_shipdate = od + (int32_t) tpch_uniform(&s[S_L_SDTE].cur, 1, 121);
	if (need & N_COMMIT)
		l->l_commitdate = od + (int32_t) tpch_uniform(&s[S_L_CDTE].cur, 30, 90);
	if (need & N_RECEIPT)
		l->l_receiptdate = l->l_shipdate + (int32_t) tpch_uniform(&s[S_L_RDTE].cur, 1, 30);
	if (need & N_RFLAG)
		l->l_returnflag = l->l_receiptdate <= TPCH_CURRENT_DATE
			? flag(tpch_pick(&s[S_L_RFLG].cur, &tpch_dist_rflag)) : flag(2);
	l->l_linestatus = flag(l->l_shipdate <= TPCH_CURRENT_DATE ? 3 : 4);
}

/* The order fields of the current group row; lines are drawn after. */
static void
gen_order(tpch_gen *g)
{
	tpch_stream *s = g->s;
	tpch_orders_row *o = &g->order;
	uint32_t	need = (uint32_t) g->need;

	o->o_orderkey = tpch_orderkey(g->row - g->key_base) | (int64_t) g->key_seq << 3;
	if (g->big)
	{
		g->big19_row = 0;		/* mid-order until the streams advance */
		g->big40 = big_step(g->big40);
		o->o_custkey = big_value(g->big40, 1, g->n_cust);
	}
	else if (need & N_CUST)
		o->o_custkey = tpch_uniform(&s[S_O_CKEY].cur, 1, g->n_cust);
	if (need & N_CUST)
	{
		/* a third of the customers get no orders */
		int64_t		delta = 1;

		while (o->o_custkey % 3 == 0)
		{
			o->o_custkey += delta;
			if (o->o_custkey > g->n_cust)
				o->o_custkey = g->n_cust;
			delta = -delta;
		}
	}
	if (need & N_OD)
		o->o_orderdate = (int32_t) tpch_uniform(&s[S_O_ODATE].cur, 0, TPCH_ORDER_DATE_MAX);
	if (need & N_PRIO)
		o->o_orderpriority = tpch_dist_str(&tpch_dist_o_oprio, tpch_pick(&s[S_O_PRIO].cur, &tpch_dist_o_oprio));
	if (need & N_CLERK)
		o->o_clerk = numbered(o->clerk_buf, "Clerk#", 6, tpch_uniform(&s[S_O_CLRK].cur, 1, g->n_clerk));
	if (need & N_OCMT)
		o->o_comment = comment(g, &s[S_O_CMNT].cur, CMNT(19, 78));
	o->o_shippriority = 0;
	g->ol.nlines = (int) tpch_uniform(&s[S_O_LCNT].cur, 1, 7);
	g->ol.next = 0;
}

/* The orders row: its lines are drawn for the total price and status. */
static void
gen_orders_row(tpch_gen *g, tpch_orders_row *r)
{
	tpch_orders_row *o = &g->order;

	gen_order(g);
	if (g->need & (N_LINES | N_TOTAL | N_STATUS) || g->big)
	{
		int64_t		total = 0;
		int			nf = 0;

		for (int n = 1; n <= g->ol.nlines; n++)
		{
			tpch_lineitem_row *l = &g->ol.line[n - 1];
			int64_t		v;

			gen_line(g, n, l);
			v = (l->l_extendedprice * (100 - l->l_discount)) / 100;
			total += v * (100 + l->l_tax) / 100;
			nf += l->l_shipdate <= TPCH_CURRENT_DATE;
		}
		o->o_totalprice = total;
		o->o_orderstatus = flag(nf == g->ol.nlines ? 3 : nf == 0 ? 4 : 5);
	}
	*r = *o;
	r->o_clerk.ptr = r->clerk_buf;
}

/* ------------------------------------------------------------------------
 * Generator life cycle
 * ------------------------------------------------------------------------ */

/* Column mask -> what the order group must compute. */
static uint64_t
order_needs(tpch_table t, uint64_t cols)
{
	uint64_t	n = 0;

#define IF(col, bits) if ((cols >> (col)) & 1) n |= (bits)
	if (t == TPCH_ORDERS && (cols & TPCH_WITH_LINES))
		n = order_needs(TPCH_LINEITEM, TPCH_ALL_COLUMNS) | N_LINES;
	if (t == TPCH_ORDERS)
	{
		IF(1, N_CUST);
		IF(2, N_STATUS | N_LINES | N_SHIP | N_OD);
		IF(3, N_TOTAL | N_LINES | N_PK | N_QTY | N_DISC | N_TAX);
		IF(4, N_OD);
		IF(5, N_PRIO);
		IF(6, N_CLERK);
		IF(8, N_OCMT);
	}
	else
	{
		IF(1, N_PK);
		IF(2, N_PK | N_SK);
		IF(4, N_QTY);
		IF(5, N_PK | N_QTY);
		IF(6, N_DISC);
		IF(7, N_TAX);
		IF(8, N_RFLAG | N_RECEIPT | N_SHIP | N_OD);
		IF(9, N_SHIP | N_OD);
		IF(10, N_SHIP | N_OD);
		IF(11, N_COMMIT | N_OD);
		IF(12, N_RECEIPT | N_SHIP | N_OD);
		IF(13, N_INSTR);
		IF(14, N_SMODE);
		IF(15, N_LCMT);
	}
#undef IF
	return n;
}

uint64_t
tpch_pool_columns(tpch_table t)
{
	static const uint8_t comment_col[TPCH_NTABLES] = {2, 3, 6, 8, 4, 7, 8, 15};

	return (unsigned) t < TPCH_NTABLES ? UINT64_C(1) << comment_col[t] : 0;
}

void
tpch_gen_set_prefetch(tpch_gen *g, int on)
{
	g->no_prefetch = !on;
}

int
tpch_gen_set_columns(tpch_gen *g, uint64_t columns)
{
	uint64_t	pooled = tpch_pool_columns(g->table);

	g->columns = columns;
	if (g->table == TPCH_ORDERS || g->table == TPCH_LINEITEM)
		g->need = order_needs(g->table, columns);
	else
		g->need = columns;
	if (g->dated)
		g->need |= N_OD;
	if (g->table == TPCH_ORDERS && (columns & TPCH_WITH_LINES))
		pooled |= TPCH_WITH_LINES;
	g->nopool = g->pool == NULL && (columns & pooled) != 0;
	return g->nopool ? TPCH_ERR_NOPOOL : TPCH_OK;
}

int
tpch_gen_restrict_date(tpch_gen *g, int col, int32_t lo, int32_t hi)
{
	/* each line date is the order date plus a draw from this range */
	int64_t		from;
	int64_t		to;

	if (g->table != TPCH_LINEITEM)
		return TPCH_ERR_TABLE;
	switch (col)
	{
		case 10:				/* l_shipdate */
			from = 1, to = 121;
			break;
		case 11:				/* l_commitdate */
			from = 30, to = 90;
			break;
		case 12:				/* l_receiptdate: the ship date plus 1..30 */
			from = 2, to = 151;
			break;
		default:
			return TPCH_ERR_TABLE;
	}
	if (g->big)
		return TPCH_OK;
	if (!g->dated)
	{
		g->od_lo = INT32_MIN;
		g->od_hi = INT32_MAX;
		for (int i = 0; i < TPCH_LINE_STREAMS; i++)
		{
			int64_t		p = tpch_stream_stride[line_streams[i]];

			for (int j = 0; j < TPCH_LAG_BITS; j++)
			{
				g->lag_pow[i][j] = p;
				p = tpch_mulmod(p, p);
			}
		}
	}
	g->dated = 1;
	g->need |= N_OD;
	/* the order dates whose lines can reach [lo, hi] */
	if ((int64_t) lo - to > g->od_lo)
		g->od_lo = (int32_t) ((int64_t) lo - to);
	if ((int64_t) hi - from < g->od_hi)
		g->od_hi = (int32_t) ((int64_t) hi - from);
	return TPCH_OK;
}

double
tpch_gen_dated_share(const tpch_gen *g)
{
	int64_t		lo;
	int64_t		hi;

	if (!g->dated)
		return 1.0;
	lo = g->od_lo < 0 ? 0 : g->od_lo;
	hi = g->od_hi > TPCH_ORDER_DATE_MAX ? TPCH_ORDER_DATE_MAX : g->od_hi;
	return hi < lo ? 0.0 : (double) (hi - lo + 1) / (TPCH_ORDER_DATE_MAX + 1);
}

const tpch_lineitem_row *
tpch_gen_lines(const tpch_gen *g, int *n)
{
	*n = g->ol.nlines;
	return g->ol.line;
}

/*
 * Every stream of the table at the start of group row `row`, the streams
 * standing at the start of row `from` (0: not seeded yet).  Returns
 * TPCH_AGAIN when the replay of dbgen's 64-bit stream 19 (SF >= 30000) has
 * gone `budget` rows without reaching `row`: it stops where it is, and a
 * later call goes on from there.
 */
static int
seek_streams(tpch_gen *g, int64_t from, int64_t row, int64_t budget)
{
	/*
	 * A hop forward from where the streams stand is a power of 16807 with
	 * fewer bits than the jump from the table's start: the seeks from one
	 * row of a hash range to the next (tpch_hash_next) cost a few
	 * multiplications instead of some forty.  Not while a date window has
	 * left the lines' streams behind the order's (g->lag): they do not stand
	 * at `from`.
	 */
	int			hop = from >= 1 && from <= row && row - from < row - 1 &&
		g->lag == 0;

	g->lag = 0;
	g->skipped = 0;
	for (const int8_t *sp = streams_of[g->table]; *sp >= 0; sp++)
	{
		int			k = *sp;

		if (hop)
			g->s[k].base = tpch_mulmod(g->s[k].base,
									   tpch_pow16807((uint64_t) (row - from) *
													 (uint64_t) tpch_stream_boundary[k]));
		else
			g->s[k].base = tpch_mulmod(tpch_stream_seed[k],
									   tpch_pow16807((uint64_t) (row - 1) *
													 (uint64_t) tpch_stream_boundary[k]));
		g->s[k].cur = g->s[k].base;
	}
	if (g->big && (g->table == TPCH_ORDERS || g->table == TPCH_LINEITEM))
	{
		/*
		 * At the chunk start the streams hold their 31-bit seek; from there
		 * the 64-bit path.  Stream 19 is replayed, from where it stands if
		 * that is on the way.
		 */
		int64_t		r0 = g->chunk_first;
		int64_t		stop;
		int64_t		x43;

		g->big40 = tpch_mulmod(tpch_stream_seed[S_O_CKEY],
							   tpch_pow16807((uint64_t) (r0 - 1) * 1));
		g->big40 = big_jump(g->big40, (uint64_t) (row - r0));
		if (g->big19_row >= r0 && g->big19_row <= row)
			r0 = g->big19_row;
		else
			g->big19 = tpch_mulmod(tpch_stream_seed[S_L_PKEY],
								   tpch_pow16807((uint64_t) (r0 - 1) * 7));
		stop = row - r0 > budget ? r0 + budget : row;
		x43 = tpch_mulmod(tpch_stream_seed[S_O_LCNT], tpch_pow16807((uint64_t) (r0 - 1)));
		for (int64_t r = r0; r < stop; r++)
		{
			int64_t		x = x43;
			int			lines = (int) tpch_uniform(&x, 1, 7);

			for (int n = 0; n < lines; n++)
				g->big19 = big_step(g->big19);
			g->big19 = big_pad(g->big19, 7 - lines);
			x43 = tpch_next(x43);
		}
		g->big19_row = stop;
		if (stop < row)
			return TPCH_AGAIN;
	}
	return TPCH_OK;
}

/* Moves every stream of the table to the next group row. */
static inline void
advance_streams(tpch_gen *g)
{
	for (const int8_t *sp = streams_of[g->table]; *sp >= 0; sp++)
	{
		tpch_stream *st = &g->s[*sp];

		st->base = tpch_mulmod(st->base, tpch_stream_stride[*sp]);
		st->cur = st->base;
	}
	if (g->big && (g->table == TPCH_ORDERS || g->table == TPCH_LINEITEM))
	{
		g->big19 = big_pad(g->big19, 7 - g->ol.nlines);
		g->big19_row = g->row + 1;
	}
}

/*
 * After a skipped order (tpch_gen_restrict_date): only the streams its
 * order draws from move on; the lines' streams are left behind, to be
 * caught up at the next order that is not skipped.
 */
static inline void
advance_order_streams(tpch_gen *g)
{
	for (int i = 0; i < ORDER_STREAMS; i++)
	{
		tpch_stream *st = &g->s[streams_of[TPCH_LINEITEM][i]];

		st->base = tpch_mulmod(st->base, tpch_stream_stride[streams_of[TPCH_LINEITEM][i]]);
		st->cur = st->base;
	}
	g->lag++;
}

/*
 * Moves the lines' streams over the orders skipped: a multiplication per
 * stream and set bit of the lag (a few orders in a row are the rule), where
 * advancing them at every skipped order took one per stream and order.
 */
static void
catch_up_lines(tpch_gen *g)
{
	while (g->lag > 0)
	{
		int64_t		step = g->lag < ((int64_t) 1 << TPCH_LAG_BITS) ?
			g->lag : ((int64_t) 1 << TPCH_LAG_BITS) - 1;

		for (int i = 0; i < TPCH_LINE_STREAMS; i++)
		{
			tpch_stream *st = &g->s[line_streams[i]];

			for (int j = 0; j < TPCH_LAG_BITS; j++)
				if ((step >> j) & 1)
					st->base = tpch_mulmod(st->base, g->lag_pow[i][j]);
			st->cur = st->base;
		}
		g->lag -= step;
	}
}

int
tpch_gen_init(tpch_gen *g, tpch_table t, double sf, int64_t part, int64_t parts)
{
	int64_t		first,
				count;
	int			err;

	if ((unsigned) t >= TPCH_NTABLES)
		return TPCH_ERR_TABLE;
	err = tpch_part_range(t, sf, part, parts, &first, &count);
	if (err != TPCH_OK)
		return err;
	memset(g, 0, sizeof(*g));
	g->pool = tpch_pool();
	g->table = t;
	g->sf = sf;
	g->part = part;
	g->parts = parts;
	g->scale = tpch_scale_of(sf);
	g->n_supp = tpch_scaled(10000, sf);
	g->n_cust = tpch_scaled(150000, sf);
	g->n_part = tpch_scaled(200000, sf);
	g->n_clerk = 1000 * g->scale;
	g->big = g->scale >= 30000;
	g->chunk_first = first;
	g->part_first = first;
	g->part_count = count;
	tpch_gen_set_columns(g, TPCH_ALL_COLUMNS);
	return tpch_gen_seek(g, first, count);
}

int
tpch_gen_seek(tpch_gen *g, int64_t first, int64_t count)
{
	return tpch_gen_seek_bounded(g, first, count, INT64_MAX);
}

int
tpch_gen_seek_bounded(tpch_gen *g, int64_t first, int64_t count, int64_t budget)
{
	int64_t		from = g->row;

	if (count < 0 || first < g->part_first ||
		first + count > g->part_first + g->part_count)
		return TPCH_ERR_RANGE;
	g->end = first + count;
	g->row = first;
	g->sub = 0;
	g->ol.nlines = 0;
	g->ol.next = 0;
	return seek_streams(g, from, first, budget < 1 ? 1 : budget);
}

int
tpch_gen_next(tpch_gen *g, tpch_row *row)
{
	if (g->nopool)
		return -TPCH_ERR_NOPOOL;
	switch (g->table)
	{
		case TPCH_LINEITEM:
			while (g->ol.next == g->ol.nlines)
			{
				if (g->ol.nlines > 0)
				{
					if (g->skipped)
						advance_order_streams(g);
					else
						advance_streams(g);
					g->row++;
				}
				if (g->row >= g->end)
				{
					g->ol.nlines = 0;
					g->ol.next = 0;
					return 0;
				}
				gen_order(g);
				/* no line of it can be in the date window: the next order */
				g->skipped = g->dated && (g->order.o_orderdate < g->od_lo ||
										  g->order.o_orderdate > g->od_hi);
				if (g->skipped)
					g->ol.next = g->ol.nlines;
				else if (g->lag > 0)
					catch_up_lines(g);
			}
			g->ol.next++;
			gen_line(g, g->ol.next, &row->lineitem);
			return 1;

		case TPCH_PARTSUPP:
			if (g->sub == 4)
			{
				advance_streams(g);
				g->row++;
				g->sub = 0;
			}
			if (g->row >= g->end)
				return 0;
			gen_partsupp(g, &row->partsupp);
			g->sub++;
			return 1;

		default:
			break;
	}

	if (g->row >= g->end)
		return 0;
	switch (g->table)
	{
		case TPCH_REGION:
			gen_region(g, &row->region);
			break;
		case TPCH_NATION:
			gen_nation(g, &row->nation);
			break;
		case TPCH_SUPPLIER:
			gen_supplier(g, &row->supplier);
			break;
		case TPCH_PART:
			gen_part(g, &row->part);
			break;
		case TPCH_CUSTOMER:
			gen_customer(g, &row->customer);
			break;
		case TPCH_ORDERS:
			gen_orders_row(g, &row->orders);
			break;
		default:
			return 0;
	}
	advance_streams(g);
	g->row++;
	return 1;
}
