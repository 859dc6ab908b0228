# The SQL functions without parallel workers (max_parallel_workers = 0):
# the leader alone claims every chunk of a parallel plan; scans stream, with
# no temporary file and no memory growing with the scale factor.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('serial');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_parallel_workers = 0
max_parallel_workers_per_gather = 2
log_temp_files = 0
work_mem = '64kB'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $force = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
  . 'SET min_parallel_table_scan_size = 0;';

# A parallel plan, but no worker: the leader generates everything.
my $plan = $node->safe_psql('postgres', qq{$force
	EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
	SELECT count(*) FROM tpch_lineitem(sf => 0.01)});
like($plan, qr/Parallel Custom Scan \(tpchgen\)/, 'parallel-aware scan planned');
like($plan, qr/Workers Launched: 0/, 'no worker launched');

my $sums = q{SELECT count(*), sum(l_orderkey), sum(l_extendedprice),
	sum(length(l_comment)) FROM tpch_lineitem(sf => 0.01)};
is($node->safe_psql('postgres', "$force $sums"),
	'60175|1802759573|2152189760.47|1598371',
	'leader alone returns every row');
is($node->safe_psql('postgres', $sums),
	'60175|1802759573|2152189760.47|1598371',
	'serial plan returns the same rows');

# Streaming: no temporary file even with work_mem = 64kB ...
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres',
	'SELECT count(*), sum(length(l_comment)) FROM tpch_lineitem(sf => 0.1)');
ok(!$node->log_contains('temporary file', $log_offset),
	'custom scan writes no temporary file');

# ... while the plain function, which a FunctionScan materializes, does: the
# check above can see one.
$log_offset = -s $node->logfile;
$node->safe_psql('postgres', q{SELECT count(*) FROM generate_series(1, 1) p,
	LATERAL tpch_lineitem(sf => 0.1, part => p, parts => 1)});
ok($node->log_contains('temporary file', $log_offset),
	'a materializing FunctionScan would write one');

# Memory does not grow with the scale factor: the backend's peak resident
# size after SF 1 is within a few MB of the one after SF 0.01 (the text pool,
# built once, is already counted in both).
my $peak = q{SELECT regexp_replace(pg_read_file('/proc/' || pg_backend_pid()
	|| '/status'), '.*VmHWM:\s*(\d+) kB.*', '\1')::bigint};
my @out = split /\n/, $node->safe_psql('postgres', qq{
	SELECT sum(length(l_comment)) FROM tpch_lineitem(sf => 0.01);
	$peak;
	SELECT sum(length(l_comment)) FROM tpch_lineitem(sf => 1);
	$peak;});
my ($small, $large) = @out[1, 3];
note("peak RSS after SF 0.01: $small kB, after SF 1: $large kB");
cmp_ok($large - $small, '<', 16 * 1024,
	'peak memory grows by less than 16 MB from SF 0.01 to SF 1');

$node->stop;
done_testing();
