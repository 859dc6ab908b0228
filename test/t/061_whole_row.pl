# Whole-row references (t, t::text, row_to_json(t)) stream through the
# custom scan, serial and parallel: no function scan, no temporary file,
# while the function scan that WITH ORDINALITY keeps writes them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('whole_row');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 4
log_temp_files = 0
work_mem = '64kB'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $force = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
  . 'SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;';

my @queries = (
	'SELECT t FROM tpch_orders(sf => 0.1) t',
	'SELECT sum(hashtext(t::text)) FROM tpch_orders(sf => 0.1) t',
	'SELECT max(row_to_json(t)::text) FROM tpch_lineitem(sf => 0.01) t',);

foreach my $parallel (0, 1)
{
	my $set = $parallel ? $force : 'SET max_parallel_workers_per_gather = 0;';
	my $name = $parallel ? 'parallel' : 'serial';
	foreach my $q (@queries)
	{
		my $plan = $node->safe_psql('postgres', "$set EXPLAIN (COSTS OFF) $q");
		like($plan, qr/Custom Scan \(tpchgen\)/, "$name: custom scan for $q");
		unlike($plan, qr/Function Scan/, "$name: no function scan for $q");
		like($plan, qr/Gather/, "$name: Gather for $q")
		  if $parallel && $q =~ /sum|max/;

		my $offset = -s $node->logfile;
		$node->safe_psql('postgres', "$set $q");
		my $log = slurp_file($node->logfile, $offset);
		unlike($log, qr/temporary file/, "$name: no temporary file for $q");
	}
}

# The same rows as the function scan, which spills to temporary files.
my $offset = -s $node->logfile;
my $fs = $node->safe_psql('postgres',
	q{SELECT sum(hashtext(ROW(o_orderkey, o_custkey, o_orderstatus, o_totalprice,
		o_orderdate, o_orderpriority, o_clerk, o_shippriority,
		o_comment)::tpch_orders_row::text))
	  FROM tpch_orders(sf => 0.1) WITH ORDINALITY o});
like(slurp_file($node->logfile, $offset), qr/temporary file/,
	'the function scan writes temporary files');
is($node->safe_psql('postgres',
		'SELECT sum(hashtext(t::text)) FROM tpch_orders(sf => 0.1) t'),
	$fs, 'whole rows are the function scan\'s');
is($node->safe_psql('postgres',
		"$force SELECT sum(hashtext(t::text)) FROM tpch_orders(sf => 0.1) t"),
	$fs, 'parallel whole rows are the function scan\'s');

$node->stop;
done_testing();
