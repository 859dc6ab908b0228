# Foreign tables across sessions and server settings: ALTER SERVER in one
# session changes what a prepared statement in another returns; with the
# library preloaded, parallel workers scan comments without building a text
# pool; a scan of a huge table, or a long seek into it, stops at once when
# cancelled.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('fdw_sessions');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tpchgen'
max_worker_processes = 8
max_parallel_workers = 4
log_min_messages = debug1
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION tpchgen;
	CREATE SERVER tpch FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
	CREATE SCHEMA tpch;
	IMPORT FOREIGN SCHEMA tpch FROM SERVER tpch INTO tpch;
});

# A prepared statement sees another session's ALTER SERVER at its next run.
my $session = $node->background_psql('postgres');
$session->query_safe('PREPARE q AS SELECT count(*) FROM tpch.orders');
is($session->query_safe('EXECUTE q'), '15000', 'prepared at SF 0.01');
$node->safe_psql('postgres', q{ALTER SERVER tpch OPTIONS (SET sf '0.1')});
is($session->query_safe('EXECUTE q'), '150000', 'ALTER SERVER applies to the next run');
$node->safe_psql('postgres',
	q{ALTER FOREIGN TABLE tpch.orders OPTIONS (ADD sf '0.02')});
is($session->query_safe('EXECUTE q'), '30000', 'and so does ALTER FOREIGN TABLE');
$session->quit;
$node->safe_psql('postgres', q{
	ALTER FOREIGN TABLE tpch.orders OPTIONS (DROP sf);
	ALTER SERVER tpch OPTIONS (SET sf '0.01');
});

# Preloaded: workers inherit the postmaster's pool, none builds one.
my $query = q{SELECT count(*), sum(l_orderkey), sum(length(l_comment))
	FROM tpch.lineitem};
my $force = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
  . 'SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;';
my $offset = -s $node->logfile;
my $plan = $node->safe_psql('postgres', qq{$force
	EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $query});
like($plan, qr/Parallel Foreign Scan on lineitem/, 'parallel foreign scan');
like($plan, qr/Workers Launched: 2/, 'with two workers');
is($node->safe_psql('postgres', "$force $query"), '60175|1802759573|1598371',
	'parallel rows are the serial ones');
is($node->safe_psql('postgres', $query), '60175|1802759573|1598371',
	'serial rows');
ok(!$node->log_contains('tpchgen text pool built', $offset),
	'no process built a pool of its own');

# Cancelling a scan that would run for days.
$node->safe_psql('postgres', q{
	CREATE SERVER huge FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '100000');
	CREATE FOREIGN TABLE lineitem_huge (l_orderkey bigint, l_comment text)
		SERVER huge OPTIONS (table 'lineitem');
});
my ($ret, $stdout, $stderr) = $node->psql('postgres', qq{$force
	SET statement_timeout = '300ms';
	SELECT count(*), max(l_comment) FROM lineitem_huge});
isnt($ret, 0, 'the scan fails');
like($stderr, qr/canceling statement due to statement timeout/,
	'cancelled by statement_timeout');
is($node->safe_psql('postgres', 'SELECT count(*) FROM lineitem_huge
	WHERE l_orderkey BETWEEN 1 AND 40'), '55',
	'while keys near the start find their rows at once');

# A key far into it is reached by replaying a stream for half an hour, in
# steps that check for a cancel.
($ret, $stdout, $stderr) = $node->psql('postgres', q{
	SET statement_timeout = '300ms';
	SELECT count(*) FROM lineitem_huge
	WHERE l_orderkey BETWEEN 600000000000 AND 600000000040});
like($stderr, qr/canceling statement due to statement timeout/,
	'the seek to a far key is cancelled');

$node->stop;
done_testing();
