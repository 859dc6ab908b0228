# tpch_load with checkpoints that begin while it writes: such a checkpoint
# may have let its redo pointer pass WAL records of pages it did not sync, so
# the load syncs the table itself before the commit.  A crash after the commit
# then replays from that checkpoint and must keep every row, the same rows
# with and without workers (whose workers write the pages themselves), and a
# visibility map with every page set.  The load says at DEBUG1 when it syncs.
# wal_level = replica: under minimal the commit syncs.
use strict;
use warnings;

use IPC::Run;
use Time::HiRes;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

# wal_level = replica: the pages go to the WAL
my $node = load_node('load_checkpoint',
	init => { allows_streaming => 1 }, conf => "log_min_messages = debug1\n",
	extensions => ['pg_visibility']);

my $want = $node->safe_psql('postgres',
	"SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM tpch_lineitem(sf => 0.01) t");

# Loads lineitem slowly in the background and takes a checkpoint once the
# first pages are written and before the last: the checkpoint begins while
# the load writes.
sub load_with_checkpoint
{
	my ($schema, $workers) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'psql', '-X', '-At', '-d', $node->connstr('postgres'),
			'-c', "SET tpchgen.load_test_delay = '300ms'",
			'-c', "SELECT rows FROM tpch_load(sf => 0.01, schema => '$schema', tables => '{lineitem}', workers => $workers)"
		],
		'>', \$out, '2>', \$err);
	my $seen = '';
	for (my $i = 0; $i < 600; $i++)
	{
		$seen = $node->safe_psql('postgres',
			"SELECT rows_done > 0 FROM tpch_load_progress WHERE table_name = 'lineitem'");
		last if $seen eq 't';
		Time::HiRes::usleep(50_000);
	}
	is($seen, 't', "$schema: the load has written pages");
	$node->safe_psql('postgres', 'CHECKPOINT');
	is( $node->safe_psql('postgres',
			"SELECT count(*) FROM tpch_load_progress WHERE table_name = 'lineitem'"),
		'1',
		"$schema: the checkpoint ended while the load still wrote");
	$h->finish;
	like($out, qr/^60175$/m, "$schema: the load is committed") or diag($err);
}

my $log_offset = -s $node->logfile;
load_with_checkpoint('serial', 0);
load_with_checkpoint('par', 2);

my $log = slurp_file($node->logfile, $log_offset);
my @synced = $log =~ /tpch_load synced table "lineitem": a checkpoint began while it was written/g;
is(scalar(@synced), 2,
	'both loads synced the table the checkpoint may have missed, once each');

$node->stop('immediate');
$node->start;

for my $schema (qw(serial par))
{
	is( $node->safe_psql('postgres',
			"SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM $schema.lineitem t"),
		$want,
		"$schema: a crash after the commit keeps dbgen's rows");
	is( $node->safe_psql('postgres',
			"SELECT all_visible = all_frozen AND all_frozen = pg_relation_size('$schema.lineitem') / 8192
			 FROM pg_visibility_map_summary('$schema.lineitem')"),
		't', "$schema: every page all-visible and all-frozen after recovery");
}

$node->stop;
done_testing();
