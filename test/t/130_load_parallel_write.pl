# tpch_load's parallel workers write and WAL-log the heap pages they build,
# each at the blocks its chunk reserved in chunk order.  The pages are then
# the same as a serial load's, tuple for tuple and block for block; a
# streaming standby replays the workers' out-of-order records into the same
# pages; a worker terminated while the workers write leaves no file behind;
# and a table that crosses md.c's 1 GB segment boundary (lineitem at SF 2,
# about 245,000 blocks) is whole on both sides of it: segment 0 exactly
# 1 GB, no hole, no zero page, every row.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;
use Test::More;

my @tables = qw(region nation supplier part partsupp customer orders lineitem);

# wal_level = replica
my $node = load_node('parallel_write',
	init => { allows_streaming => 1 }, extensions => ['pageinspect']);
my $dbdir = database_dir($node);

# Per table: its rows with their TIDs, in block order, as one md5.
sub pages_of
{
	my ($n, $schema) = @_;
	return $n->safe_psql(
		'postgres', join(
			"\nUNION ALL ",
			map {
				"SELECT '$_', count(*), md5(string_agg(ctid::text || t::text, E'\\n' ORDER BY ctid)) FROM $schema.$_ t"
			} @tables));
}

# The tuples of a table whose own TID (t_ctid) is not where they are.
sub misplaced
{
	my ($rel, $from, $to) = @_;
	return $node->safe_psql(
		'postgres', qq(
		SELECT count(*) FROM generate_series($from, $to) b,
		  heap_page_items(get_raw_page('$rel', b::int)) i
		WHERE i.t_ctid <> format('(%s,%s)', b, i.lp)::tid));
}

$node->backup('before');
my $standby = PostgreSQL::Test::Cluster->new('parallel_write_standby');
$standby->init_from_backup($node, 'before', has_streaming => 1);
$standby->start;

# ---- the same pages with and without workers, on the standby too ----
$node->safe_psql('postgres',
	"SELECT * FROM tpch_load(sf => 0.01, schema => 'ser', keys => 'none', workers => 0)");
$node->safe_psql('postgres',
	"SELECT * FROM tpch_load(sf => 0.01, schema => 'par', keys => 'none', workers => 2)");
my $serial = pages_of($node, 'ser');
is(pages_of($node, 'par'), $serial,
	'two workers writing their own pages give the serial load\'s pages, block for block');
my $blocks = $node->safe_psql('postgres', "SELECT pg_relation_size('par.lineitem') / 8192");
is(misplaced('par.lineitem', 0, $blocks - 1), '0',
	'every tuple a worker wrote has its own TID as t_ctid');
$node->wait_for_catchup($standby);
is(pages_of($standby, 'par'), $serial,
	'a streaming standby replays the workers\' pages into the same blocks');
$standby->stop;

# ---- a worker terminated while the workers write: no file left ----
my ($out, $err) = ('', '');
my $h = IPC::Run::start(
	[
		'psql', '-X', '-d', $node->connstr('postgres'),
		'-c', "SET tpchgen.load_test_delay = '50ms'",
		'-c', "SELECT * FROM tpch_load(sf => 0.1, schema => 'doomed', tables => '{lineitem}', workers => 2)",
		'-c', "SELECT 'after'"
	],
	'>', \$out, '2>', \$err);
# pages are written once the leader has learnt of some: rows_done > 0
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM tpch_load_progress WHERE table_name = 'lineitem' AND rows_done > 0")
  or die 'the load never showed progress';
ok((grep { -s "$dbdir/$_" } @{ stray_files($node, $dbdir, 0) }) > 0,
	'the workers have written pages of the table, not yet committed');
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'parallel worker'");
$h->finish;
like($err, qr/terminating .* due to administrator command/,
	'the leader reports the terminated worker');
like($out, qr/after/, 'and the session goes on');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_namespace WHERE nspname = 'doomed'"),
	'0', 'no schema, no table');
is_deeply(stray_files($node, $dbdir, 1), [], 'and no file the workers wrote');

$node->stop;

# ---- across the 1 GB segment boundary ----
# wal_level = minimal: the commit syncs the files the workers wrote, from the
# leader, and no WAL doubles the 2 GB written.
my $min = load_node('parallel_write_minimal',
	conf => "wal_level = minimal\nmax_wal_senders = 0\n", extensions => ['pageinspect']);
$node = $min;    # for misplaced()
my $sf = 2;
$min->safe_psql('postgres',
	"SELECT * FROM tpch_load(sf => $sf, schema => 'big', tables => '{lineitem}',
	                         keys => 'none', \"analyze\" => false, workers => 2)");
my $relseg = $min->safe_psql('postgres',
	"SELECT setting::bigint FROM pg_settings WHERE name = 'segment_size'");
my $nblocks = $min->safe_psql('postgres', "SELECT pg_relation_size('big.lineitem') / 8192");
ok($nblocks > $relseg, "lineitem at SF $sf has $nblocks blocks, more than a segment's $relseg");
my $path = $min->data_dir . '/'
  . $min->safe_psql('postgres', "SELECT pg_relation_filepath('big.lineitem')");
is(-s $path, $relseg * 8192, 'segment 0 is exactly whole');
is(-s "$path.1", ($nblocks - $relseg) * 8192, 'segment 1 holds the rest');
ok(!-e "$path.2", 'and there is no segment 2');
is( $min->safe_psql('postgres',
		"SELECT count(DISTINCT (ctid::text::point)[0]) FROM big.lineitem"),
	$nblocks, 'every block holds rows: no hole, no zero page');
is(misplaced('big.lineitem', $relseg - 200, $relseg + 200), '0',
	'the tuples around the boundary are where their TIDs say');
my $sums = "count(*), sum(l_orderkey), sum(l_partkey), sum(l_extendedprice), sum(length(l_comment))";
is( $min->safe_psql('postgres', "SELECT $sums FROM big.lineitem"),
	$min->safe_psql('postgres', "SELECT $sums FROM tpch_lineitem(sf => $sf)"),
	'the rows are the generator\'s');
$min->safe_psql('postgres', 'DROP SCHEMA big CASCADE');

$min->stop;
done_testing();
