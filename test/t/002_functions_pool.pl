# The 300 MiB text pool: which processes build it, with and without
# shared_preload_libraries, and the same rows either way.  Without
# preloading, the first process that needs the pool builds it into a file of
# the data directory, and every other process maps that file
# (060_pool_file.pl tests the file itself).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $force = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
  . 'SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;';
my $query = q{SELECT count(*), sum(l_orderkey), sum(length(l_comment))
	FROM tpch_lineitem(sf => 0.01)};
my $expected = '60175|1802759573|1598371';

# How many processes built a pool, and mapped the pool file, since a log
# offset.
sub pool_events
{
	my ($node, $offset) = @_;
	my $log = slurp_file($node->logfile, $offset);
	my @built = $log =~ /tpchgen text pool built/g;
	my @mapped = $log =~ /tpchgen text pool mapped/g;
	return (scalar @built, scalar @mapped);
}

foreach my $preload (0, 1)
{
	my $name = $preload ? 'preload' : 'no_preload';
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 4
log_min_messages = debug1
});
	$node->append_conf('postgresql.conf',
		"shared_preload_libraries = 'tpchgen'") if $preload;
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

	my ($built, $mapped) = pool_events($node, 0);
	is($built, $preload ? 1 : 0,
		"$name: pool built at server start only when preloaded");

	# Columns that are not cut from the pool need none.
	my $offset = -s $node->logfile;
	is($node->safe_psql('postgres', "$force SELECT count(*), sum(l_extendedprice)
		FROM tpch_lineitem(sf => 0.01)"), '60175|2152189760.47',
		"$name: count and sum without comments");
	($built, $mapped) = pool_events($node, $offset);
	is($built + $mapped, 0, "$name: no pool for a query without comments");

	# Enough chunks for both workers, which do all the work.
	$offset = -s $node->logfile;
	my $plan = $node->safe_psql('postgres', qq{$force
		SET parallel_leader_participation = off;
		EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
		SELECT max(l_comment) FROM tpch_lineitem(sf => 0.1)});
	like($plan, qr/Workers Launched: 2/, "$name: two workers launched");
	($built, $mapped) = pool_events($node, $offset);
	is($built, $preload ? 0 : 1,
		$preload ? "$name: nobody builds a pool"
		  : "$name: one worker builds the pool file");
	is($mapped, $preload ? 0 : 1,
		$preload ? "$name: workers inherit the postmaster's pool"
		  : "$name: the other worker maps it");

	is($node->safe_psql('postgres', "$force $query"), $expected,
		"$name: parallel rows");
	is($node->safe_psql('postgres', $query), $expected, "$name: serial rows");

	# A later session builds no pool, and maps the file once.
	$offset = -s $node->logfile;
	$node->safe_psql('postgres',
		'SELECT max(r_comment) FROM tpch_region(); SELECT max(n_comment) FROM tpch_nation()');
	($built, $mapped) = pool_events($node, $offset);
	is($built, 0, "$name: no pool built by a later session");
	is($mapped, $preload ? 0 : 1, "$name: the pool file mapped once per session");

	$node->stop;
}

done_testing();
