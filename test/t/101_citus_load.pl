# tpch_load(distribute => 'citus'): bad arguments everywhere; then, where
# Citus is installed, a coordinator and two workers on Unix sockets: the
# tables are distributed as documented, every shard holds exactly the rows
# whose key hashes into its range, the tables equal dbgen's, the 22
# validation queries (the Citus form) give the answers, and a failing worker
# leaves nothing anywhere.  Without Citus the second part says that it
# skipped.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

my $coord = PostgreSQL::Test::Cluster->new('coord');
$coord->init;
$coord->start;
$coord->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

# Errors that need no Citus.
sub fails
{
	my ($node, $sql, $state, $pattern, $name) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	isnt($rc, 0, "$name fails");
	like($err, qr/ERROR:\s+$state: .*$pattern/s, "$name: SQLSTATE $state and message");
	return $err;
}
fails($coord, "SELECT * FROM tpch_load(0.01, distribute => 'greenplum')",
	'22023', 'unknown distribute value "greenplum".*HINT:.*"citus"',
	'an unknown distribute value');
fails($coord, "SELECT * FROM tpch_load(0.01, distribute => 'citus', parts => 2)",
	'0A000', 'cannot be combined with.*HINT:', 'distribute with parts');
fails($coord, "SELECT * FROM tpch_load(0.01, distribute => 'citus', keys => 'foreign')",
	'0A000', 'cannot be combined with', "distribute with keys => 'foreign'");
fails($coord, "SELECT * FROM tpch_load(0.01, distribute => 'citus')",
	'0A000', 'extension "citus" is not installed.*HINT:',
	'distribute without Citus');
fails($coord, "SELECT tpch_citus_fill('pg_class', 'nation', 0.01, 0, 1)",
	'22023', 'not a TPC-H table distributed by hash', 'filling a reference table');
is($coord->safe_psql('postgres', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
	'0', 'the failed calls made no table');

my $libdir = $coord->config_data('--pkglibdir');
SKIP:
{
	skip "Citus is not installed ($libdir/citus.so is missing): the Citus tests are skipped; README.md says how to build it", 1
	  unless -e "$libdir/citus.so";

	my @workers = map { PostgreSQL::Test::Cluster->new("w$_") } 1 .. 2;
	$coord->stop;
	for my $node ($coord, @workers)
	{
		$node->init unless $node == $coord;
		$node->append_conf('postgresql.conf', qq(
shared_preload_libraries = 'citus'
max_prepared_transactions = 20
max_parallel_workers_per_gather = 0
));
		$node->start;
		$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	}
	$coord->safe_psql('postgres', sprintf("SELECT citus_set_coordinator_host('%s', %d)",
			$coord->host, $coord->port));
	# tpchgen made after the workers are added, so Citus creates it there
	$coord->safe_psql('postgres', 'DROP EXTENSION tpchgen');
	$coord->safe_psql('postgres', sprintf("SELECT citus_add_node('%s', %d)", $_->host, $_->port))
	  for @workers;
	$coord->safe_psql('postgres', 'CREATE EXTENSION tpchgen');
	for my $w (@workers)
	{
		is($w->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'tpchgen'"),
			$coord->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'tpchgen'"),
			'Citus created tpchgen on ' . $w->name);
	}

	my $want = table_fingerprints($coord, sub { "tpch_$_[0](sf => 0.01)" });

	fails($coord, "SET citus.shard_replication_factor = 2;
		SELECT * FROM tpch_load(sf => 0.01, schema => 'rep', distribute => 'citus')",
		'0A000', 'needs citus.shard_replication_factor = 1.*HINT:', 'replicated shards');

	my $rows = $coord->safe_psql('postgres',
		"SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'cit', distribute => 'citus')");
	like($rows, qr/^lineitem\|60175$/m, 'lineitem: every row');
	like($rows, qr/^supplier\|100$/m, 'supplier: every row');

	is(table_fingerprints($coord, sub { "cit.$_[0]" }), $want, 'the distributed tables hold dbgen\'s rows');

	is($coord->safe_psql('postgres',
			"SELECT string_agg(logicalrelid::regclass::text || ':' || partmethod::text || ':' ||
				coalesce(column_to_column_name(logicalrelid, partkey), '-'), ',' ORDER BY logicalrelid::regclass::text)
			 FROM pg_dist_partition WHERE logicalrelid::regclass::text LIKE 'cit.%'"),
		'cit.customer:h:c_custkey,cit.lineitem:h:l_orderkey,cit.nation:n:-,cit.orders:h:o_orderkey,'
		  . 'cit.part:h:p_partkey,cit.partsupp:h:ps_partkey,cit.region:n:-,cit.supplier:n:-',
		'hash tables on their keys, nation, region and supplier as reference tables');
	is($coord->safe_psql('postgres',
			"SELECT count(DISTINCT colocationid) FROM pg_dist_partition
			 WHERE logicalrelid IN ('cit.orders'::regclass, 'cit.lineitem'::regclass)")
		  . $coord->safe_psql('postgres',
			"SELECT count(DISTINCT colocationid) FROM pg_dist_partition
			 WHERE logicalrelid IN ('cit.part'::regclass, 'cit.partsupp'::regclass)"),
		'11', 'lineitem co-located with orders, partsupp with part');
	is($coord->safe_psql('postgres',
			"SELECT string_agg(n.nodename || ':' || (n.nodeport = " . $coord->port . ")::text, ',' ORDER BY n.nodename)
			 FROM (SELECT DISTINCT nodename, nodeport FROM pg_dist_shard_placement
				   WHERE shardid IN (SELECT shardid FROM pg_dist_shard WHERE logicalrelid = 'cit.lineitem'::regclass)) n"),
		join(',', sort map { $_->host . ':false' } @workers),
		'the shards of lineitem are on both workers, none on the coordinator');

	# Each shard holds the rows whose key hashes into its range: counted on
	# the workers, against the generator's rows filtered here.
	for my $t (['orders', 'o_orderkey'], ['lineitem', 'l_orderkey'], ['partsupp', 'ps_partkey'],
		['customer', 'c_custkey'])
	{
		my ($name, $key) = @$t;
		is($coord->safe_psql('postgres', qq(
			SELECT count(*) FROM pg_dist_shard s
			JOIN run_command_on_shards('cit.$name', 'SELECT count(*) FROM %s') r USING (shardid)
			WHERE s.logicalrelid = 'cit.$name'::regclass
			  AND r.result::bigint IS DISTINCT FROM
				(SELECT count(*) FROM tpch_$name(0.01) g
				 WHERE hashint8(g.$key) BETWEEN s.shardminvalue::int AND s.shardmaxvalue::int))),
			'0', "$name: every shard holds the rows of its hash range");
	}
	is($coord->safe_psql('postgres', 'SELECT count(*) FROM cit.lineitem WHERE l_orderkey = 32'),
		$coord->safe_psql('postgres', 'SELECT count(*) FROM tpch_lineitem(0.01) WHERE l_orderkey = 32'),
		'a query routed to one shard finds its rows');
	is($coord->safe_psql('postgres',
			"SELECT count(*) FROM pg_constraint WHERE contype = 'p'
			 AND conrelid IN (SELECT logicalrelid FROM pg_dist_partition)
			 AND connamespace = 'cit'::regnamespace"),
		'8', 'the eight primary keys');

	for my $node ($coord, @workers)
	{
		is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname LIKE 'tpch_citus_seed%'"),
			'0', $node->name . ': the seed table of the fill is gone');
	}

	# The validation queries, in the Citus form: Citus cannot plan the
	# spec's texts of Q13, Q17, Q18, Q20 and Q22 on these tables (README).
	for my $q (1 .. 22)
	{
		my ($rc, $out, $err) = $coord->psql('postgres',
			"SET search_path = cit, public; SET citus.enable_repartition_joins = on;
			 SELECT ok, detail FROM tpch_check($q, sf => 0.01, form => 'citus')");
		is($out, 't|', "Q$q gives the validation answer") or diag($err);
	}

	# A worker that fails its fill: the whole call fails and leaves no
	# table, shard or prepared transaction anywhere.
	my $sig = 'text, text, float8, integer, integer';
	$workers[1]->safe_psql('postgres', "SET citus.enable_ddl_propagation = off;
		ALTER FUNCTION tpch_citus_fill($sig) RENAME TO tpch_citus_fill_gone");
	my ($rc, $out, $err) = $coord->psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'bad', distribute => 'citus')");
	isnt($rc, 0, 'a worker failing its fill fails the load');
	like($err, qr/tpch_citus_fill.*does not exist/, 'the worker\'s error is reported');
	for my $node ($coord, @workers)
	{
		is($node->safe_psql('postgres',
				"SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
						 WHERE n.nspname = 'bad') + (SELECT count(*) FROM pg_prepared_xacts)"),
			'0', $node->name . ': nothing left of the failed load');
	}
	is($coord->safe_psql('postgres',
			"SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'bad.%'"),
		'0', 'no distributed table left in Citus\'s metadata');
	$workers[1]->safe_psql('postgres', "SET citus.enable_ddl_propagation = off;
		ALTER FUNCTION tpch_citus_fill_gone($sig) RENAME TO tpch_citus_fill");

	# if_exists => 'replace' drops the distributed tables and loads again;
	# DEBUG1 has each table's seconds by step
	my ($out_r, $err_r);
	$coord->psql('postgres',
		"SET client_min_messages = debug1;
		 SELECT table_name, rows FROM tpch_load(sf => 0.01, schema => 'cit', distribute => 'citus',
			if_exists => 'replace', keys => 'none', \"analyze\" => false)",
		stdout => \$out_r, stderr => \$err_r);
	like($out_r, qr/^orders\|15000$/m, 'replace loads the tables again');
	is(scalar(() = $err_r =~ /DEBUG:  tpch_load \w+ \(citus\): created in [0-9.]+ s, filled in [0-9.]+ s, keys in 0\.000 s, analyzed in 0\.000 s/g),
		8, 'DEBUG1: a line per table with its seconds by step');
	is(table_fingerprints($coord, sub { "cit.$_[0]" }), $want, 'the replaced tables hold dbgen\'s rows');

	$_->stop for @workers;
}

$coord->stop;
done_testing();
