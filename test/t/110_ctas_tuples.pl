# CREATE TABLE AS and INSERT ... SELECT * from tpch_<table>() store heap
# tuples formed straight from the core's rows, generated ahead by a helper
# thread of the backend (tpchgen.scan_thread) when it may use two CPUs.
# The tuples are byte for byte those of the Datum path, serial, parallel,
# with and without the thread; the thread is gone after the end of the scan,
# a closed cursor, a statement_timeout and an error in the insert.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('ctas_tuples');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 4
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');
$node->safe_psql('postgres', 'CREATE EXTENSION pageinspect');

my $cpus = `nproc`;
chomp $cpus;
my $force = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
  . 'SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;';

# Every tuple's data, header length and NULL/varwidth bits, as a multiset:
# parallel workers and INSERT's page choice may change the order.
sub tuples_of
{
	my ($rel) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT count(*) || ' ' || md5(string_agg(tuple, ',' ORDER BY tuple))
		FROM (SELECT t_hoff || ':' || (t_infomask & 3) || ':' || coalesce(t_bits, '')
				|| ':' || encode(t_data, 'hex') AS tuple
			FROM generate_series(0, pg_relation_size('$rel') / 8192 - 1) b,
				heap_page_items(get_raw_page('$rel', b::int))) t});
}

# Threads of a backend, from /proc.
sub threads_of
{
	my ($pid) = @_;
	opendir(my $dir, "/proc/$pid/task") or die "no /proc/$pid/task: $!";
	my $n = grep { /^\d+$/ } readdir($dir);
	closedir($dir);
	return $n;
}

my %sf = (region => 1, nation => 1, supplier => 0.1, part => 0.01,
	partsupp => 0.01, customer => 0.01, orders => 0.01, lineitem => 0.01);
foreach my $t (sort keys %sf)
{
	my $fn = "tpch_$t(sf => $sf{$t})";

	# OFFSET 0 keeps a Limit above the scan: Datums, formed by the receiver
	$node->safe_psql('postgres', "CREATE TABLE ref AS SELECT * FROM $fn OFFSET 0");
	my $ref = tuples_of('ref');
	foreach my $mode ([ 'thread', 'SET tpchgen.scan_thread = on;' ],
		[ 'no thread', 'SET tpchgen.scan_thread = off;' ],
		[ 'parallel', $force ])
	{
		my ($name, $set) = @$mode;
		$node->safe_psql('postgres', "$set CREATE TABLE x AS SELECT * FROM $fn");
		is(tuples_of('x'), $ref, "$t, $name: CREATE TABLE AS gives the Datum path's tuples");
		$node->safe_psql('postgres', "CREATE TABLE y (LIKE ref)");
		$node->safe_psql('postgres', "$set INSERT INTO y SELECT * FROM $fn");
		is(tuples_of('y'), $ref, "$t, $name: INSERT ... SELECT gives the Datum path's tuples");
		$node->safe_psql('postgres', 'DROP TABLE x, y');
	}
	$node->safe_psql('postgres', 'DROP TABLE ref');
}

like($node->safe_psql('postgres',
		"$force EXPLAIN (COSTS OFF) CREATE TABLE x AS SELECT * FROM tpch_lineitem(sf => 0.01)"),
	qr/Gather/, 'the parallel case has a Gather');

# An INSERT whose target adds a column projects: the Datum path, same rows.
$node->safe_psql('postgres', q{
	CREATE TABLE z (LIKE tpch_orders_row, extra serial);
	INSERT INTO z SELECT * FROM tpch_orders(sf => 0.01)});
is($node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM z) || ' ' || count(*) FROM (SELECT o_orderkey,
		o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority,
		o_clerk, o_shippriority, o_comment FROM z
		EXCEPT ALL SELECT * FROM tpch_orders(sf => 0.01)) d}),
	'15000 0', 'INSERT into a wider table: the same rows');

# The thread lives as long as the scan: a cursor shows it, CLOSE ends it.
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
is(threads_of($pid), 1, 'a backend has one thread');
$bg->query_safe('BEGIN');
$bg->query_safe('DECLARE c CURSOR FOR SELECT * FROM tpch_lineitem(sf => 0.1)');
$bg->query_safe('FETCH 2 FROM c');
SKIP:
{
	skip 'one CPU: no helper thread', 1 if $cpus < 2;
	is(threads_of($pid), 2, 'the helper thread runs while the cursor is open');
}
$bg->query_safe('CLOSE c');
is(threads_of($pid), 1, 'CLOSE stops the helper thread');
$bg->query_safe('SET tpchgen.scan_thread = off');
$bg->query_safe('DECLARE c CURSOR FOR SELECT * FROM tpch_lineitem(sf => 0.1)');
$bg->query_safe('FETCH 2 FROM c');
is(threads_of($pid), 1, 'tpchgen.scan_thread = off: no helper thread');
$bg->query_safe('COMMIT');
$bg->query_safe('RESET tpchgen.scan_thread');

# statement_timeout stops the copy within a second, and the thread with it.
my $start = time;
$bg->query("SET statement_timeout = '500ms'; "
	  . 'CREATE TABLE big AS SELECT * FROM tpch_lineitem(sf => 10)');
my $elapsed = time - $start;
like($bg->{stderr}, qr/canceling statement due to statement timeout/,
	'statement_timeout cancels CREATE TABLE AS');
$bg->{stderr} = '';
note(sprintf('CREATE TABLE AS cancelled after %.2f s', $elapsed));
cmp_ok($elapsed, '<', 1.5, 'cancelled within a second of the timeout');
$bg->query_safe('RESET statement_timeout');
is(threads_of($pid), 1, 'no helper thread after the cancel');
is($bg->query_safe(q{SELECT to_regclass('big') IS NULL}), 't', 'no table left');

# An error in the insert (a CHECK constraint) ends the statement and the thread.
$bg->query_safe('CREATE TABLE checked (LIKE tpch_lineitem_row, CHECK (l_orderkey < 30000))');
$bg->query('INSERT INTO checked SELECT * FROM tpch_lineitem(sf => 0.1)');
like($bg->{stderr}, qr/violates check constraint/, 'the CHECK constraint fails mid-way');
$bg->{stderr} = '';
is(threads_of($pid), 1, 'no helper thread after the error');
is($bg->query_safe('SELECT count(*) FROM checked'), '0', 'nothing inserted');
$bg->query_safe(
	'INSERT INTO checked SELECT * FROM tpch_lineitem(sf => 0.1) WHERE l_orderkey < 30000');
is($bg->query_safe('SELECT count(*) FROM checked'),
	$bg->query_safe('SELECT count(*) FROM tpch_lineitem(sf => 0.1) WHERE l_orderkey < 30000'),
	'the session goes on');
$bg->quit;

$node->stop;
done_testing();
