# tpch_load writes its primary keys' btree pages itself (src/btbuild.c).
# amcheck finds every one of them a correct btree holding exactly the heap's
# rows (bt_index_parent_check with heapallindexed and rootdescend): at SF
# 0.01 and at SF 0.1 (a three-level lineitem key), serial and with workers,
# a part of several, unlogged, under wal_level minimal and replica, after a
# crash that follows the commit, and on a streaming standby (bt_index_check).
# The keys then answer index-only scans and refuse duplicates as PostgreSQL's
# own index does.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

# Every primary key of the schemas, checked as the primary sees it.
sub check_keys
{
	my ($node, $schemas, $fn) = @_;
	my $args = $fn eq 'bt_index_parent_check' ? 'true, true' : 'true';
	return $node->safe_psql(
		'postgres', qq{
		WITH k AS MATERIALIZED (
			SELECT c.oid, n.nspname || '.' || c.relname AS name
			  FROM pg_index i
			  JOIN pg_class c ON c.oid = i.indexrelid
			  JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE i.indisprimary AND n.nspname IN ($schemas))
		SELECT name FROM k CROSS JOIN LATERAL $fn(oid, $args) ORDER BY 1});
}

# The schema.table_pkey names check_keys returns for the schemas' tables.
sub key_names
{
	my ($node, $schemas) = @_;
	return $node->safe_psql(
		'postgres', qq{
		SELECT n.nspname || '.' || c.relname || '_pkey'
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE c.relkind = 'r' AND n.nspname IN ($schemas)
		 ORDER BY 1});
}

my $probe = PostgreSQL::Test::Cluster->new('btree_probe');
my $extdir = $probe->config_data('--sharedir') . '/extension';
plan skip_all => 'amcheck and pageinspect are not installed (they ship in contrib)'
  unless -f "$extdir/amcheck.control" && -f "$extdir/pageinspect.control";

my $schemas = "'serial', 'par', 'part2', 'unl', 'big'";

for my $wal_level (qw(replica minimal))
{
	my $node = load_node(
		"btree_$wal_level",
		init => { allows_streaming => $wal_level eq 'replica' ? 1 : 0 },
		conf => qq(wal_level = $wal_level
max_wal_senders = @{[ $wal_level eq 'replica' ? 10 : 0 ]}
wal_keep_size = @{[ $wal_level eq 'replica' ? '1GB' : 0 ]}
),
		extensions => [qw(amcheck pageinspect)]);

	my $standby;
	if ($wal_level eq 'replica')
	{
		$node->backup('before');
		$standby = PostgreSQL::Test::Cluster->new('btree_standby');
		$standby->init_from_backup($node, 'before', has_streaming => 1);
		$standby->start;
	}

	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'serial', workers => 0)");
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'par', workers => 2, keys => 'foreign')");
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'part2', part => 2, parts => 3)");
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'unl', unlogged => true, \"analyze\" => false)");
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.1, schema => 'big', tables => '{partsupp,orders,lineitem}', workers => 2)");

	my $names = key_names($node, $schemas);
	is(scalar(split /\n/, $names), 35, "$wal_level: a primary key on each of the 35 tables");
	is(check_keys($node, $schemas, 'bt_index_parent_check'), $names,
		"$wal_level: amcheck finds every key a btree holding exactly its table's rows");

	# three levels: the root's level is 2
	is($node->safe_psql('postgres', "SELECT level FROM bt_metap('big.lineitem_pkey')"),
		'2', "$wal_level: SF 0.1's lineitem key has three levels");

	# Index-only scans need no heap fetch: the visibility map is set.
	my $plan = $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_bitmapscan = off;
		 EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
		 SELECT count(*) FROM big.lineitem WHERE l_orderkey BETWEEN 1000 AND 50000");
	like($plan, qr/Index Only Scan using lineitem_pkey.*Heap Fetches: 0/s,
		"$wal_level: an index-only scan of the key fetches no heap page");
	is($node->safe_psql('postgres',
			"SET enable_seqscan = off; SET enable_bitmapscan = off;
			 SELECT count(*), sum(l_linenumber) FROM big.lineitem WHERE l_orderkey BETWEEN 1000 AND 50000"),
		$node->safe_psql('postgres',
			"SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off;
			 SELECT count(*), sum(l_linenumber) FROM big.lineitem WHERE l_orderkey BETWEEN 1000 AND 50000"),
		"$wal_level: the index finds the rows a sequential scan finds");

	# Unique violations, and inserts that split its pages, as with PostgreSQL's own.
	my ($ret, $out, $err) = $node->psql('postgres',
		'INSERT INTO big.partsupp SELECT * FROM big.partsupp WHERE ps_partkey = 7777 LIMIT 1');
	like($err, qr/duplicate key value violates unique constraint "partsupp_pkey"/,
		"$wal_level: a duplicate partsupp key is refused");
	($ret, $out, $err) = $node->psql('postgres',
		'INSERT INTO big.lineitem SELECT * FROM big.lineitem WHERE l_orderkey = 1 AND l_linenumber = 1');
	like($err, qr/duplicate key value violates unique constraint "lineitem_pkey"/,
		"$wal_level: a duplicate lineitem key is refused");
	$node->safe_psql('postgres',
		"INSERT INTO big.lineitem SELECT l_orderkey, l_partkey, l_suppkey, l_linenumber + 7, l_quantity,
		        l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate,
		        l_receiptdate, l_shipinstruct, l_shipmode, l_comment
		   FROM big.lineitem WHERE l_orderkey % 3 = 0");
	is(check_keys($node, "'big'", 'bt_index_parent_check'),
		"big.lineitem_pkey\nbig.orders_pkey\nbig.partsupp_pkey",
		"$wal_level: after inserts that split its pages the key is still correct");

	if ($standby)
	{
		$node->wait_for_catchup($standby);
		$standby->safe_psql('postgres', 'SELECT 1');
		# (amcheck skips the unlogged keys, which a standby has empty)
		is(check_keys($standby, $schemas, 'bt_index_check'), $names,
			'the standby: amcheck finds every replicated key correct');
		$standby->stop;
	}

	# A crash after the commit: the keys come back from the WAL (replica) or
	# the commit's sync (minimal).
	$node->stop('immediate');
	$node->start;
	is(check_keys($node, "'serial', 'par', 'part2', 'big'", 'bt_index_parent_check'),
		join("\n", grep { !/^unl\./ } split /\n/, $names),
		"$wal_level: after a crash every key is still correct");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM unl.lineitem'),
		'0', "$wal_level: the unlogged tables are reset");
	is(check_keys($node, "'unl'", 'bt_index_parent_check'),
		key_names($node, "'unl'"),
		"$wal_level: and their keys are empty, correct btrees");
	$node->stop;
}

done_testing();
