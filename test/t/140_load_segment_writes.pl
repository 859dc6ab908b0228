# tpch_load's producers write each run of heap pages within a segment in one
# write, through descriptors of their own (src/segwrite.c), and send the
# checkpointer md.c's sync request for the segment themselves.  What that
# must keep:
# - a load that fails after writing leaves the leader no descriptor of the
#   unlinked files (the disk space comes back), and the checkpoints after it
#   and after a DROP find every sync request cancelled by the unlink (a
#   request md.c's cancel did not match would fail the checkpoint);
# - a checkpoint during the load, a streaming standby and a crash after the
#   commit all keep the pages the workers and the leader wrote.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

# wal_level = replica
my $node = load_node('segment_writes',
	init => { allows_streaming => 1 }, conf => "log_checkpoints = on\n");
my $dbdir = database_dir($node);

# ---- a failed load: no descriptor left, checkpoints go through ----
# The leader builds and writes alone (workers => 0) and is stopped by a
# statement timeout after some pages are written; the session then sleeps,
# so that its descriptors can be read from /proc.
my ($out, $err) = ('', '');
my $h = IPC::Run::start(
	[
		'psql', '-X', '-At', '-d', $node->connstr('postgres'),
		'-c', 'SELECT pg_backend_pid()',
		'-c', "SET tpchgen.load_test_delay = '100ms'; SET statement_timeout = '2s'",
		'-c', "SELECT * FROM tpch_load(sf => 0.1, schema => 'doomed', tables => '{lineitem}', workers => 0)",
		'-c', 'RESET statement_timeout',
		'-c', 'SELECT pg_sleep(60)'
	],
	'>', \$out, '2>', \$err);
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'")
  or die 'the session never got past the load';
my $timer = IPC::Run::timer($PostgreSQL::Test::Utils::timeout_default);
pump_until($h, $timer, \$out, qr/^\d+$/m);
pump_until($h, $timer, \$err, qr/statement timeout/);
my ($pid) = $out =~ /^(\d+)$/m;
ok(defined $pid, 'the loading backend is known');
like($err, qr/canceling statement due to statement timeout/,
	'the load was stopped by the timeout');
# md.c empties the first segment of an aborted fork at once and unlinks it
# at the next checkpoint
$node->safe_psql('postgres', 'CHECKPOINT');
my @deleted = grep { defined && /\(deleted\)/ }
  map { readlink($_) } glob("/proc/$pid/fd/*");
is_deeply(\@deleted, [], 'the backend holds no descriptor of a deleted file');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
$h->finish;
is_deeply(stray_files($node, $dbdir, 1), [], 'no file of the failed load is left');

# A checkpoint and a DROP: the requests of the loaded and dropped table's
# segments must be the ones md.c cancels when it unlinks them.
$node->safe_psql('postgres',
	"SELECT * FROM tpch_load(sf => 0.02, schema => 'gone', keys => 'none', workers => 2)");
$node->safe_psql('postgres', 'DROP SCHEMA gone CASCADE');
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', 'CHECKPOINT');
$node->safe_psql('postgres', 'CHECKPOINT');
my $log = slurp_file($node->logfile, $log_offset);
unlike($log, qr/could not fsync/, 'no sync request outlives its file');
like($log, qr/checkpoint complete/, 'the checkpoints after a failed load and a DROP complete');

# ---- a checkpoint during the load, a standby, a crash after the commit ----
$node->backup('before');
my $standby = PostgreSQL::Test::Cluster->new('segment_writes_standby');
$standby->init_from_backup($node, 'before', has_streaming => 1);
$standby->start;

($out, $err) = ('', '');
$h = IPC::Run::start(
	[
		'psql', '-X', '-d', $node->connstr('postgres'),
		'-c', "SET tpchgen.load_test_delay = '20ms'",
		'-c', "SELECT count(*) FROM tpch_load(sf => 0.05, schema => 'kept', keys => 'none', workers => 2)"
	],
	'>', \$out, '2>', \$err);
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM tpch_load_progress WHERE table_name = 'lineitem' AND rows_done > 0")
  or die 'the load never reached lineitem';
$node->safe_psql('postgres', 'CHECKPOINT');
$h->finish;
is($err, '', 'the load went through a checkpoint');

my $want = table_fingerprints($node, sub { "tpch_$_[0](sf => 0.05)" });
is(table_fingerprints($node, sub { "kept.$_[0]" }), $want,
	'the loaded tables are the generator\'s');
$node->wait_for_catchup($standby);
is(table_fingerprints($standby, sub { "kept.$_[0]" }), $want,
	'a streaming standby has the same tables');
$standby->stop;

$node->stop('immediate');
$node->start;
is(table_fingerprints($node, sub { "kept.$_[0]" }), $want,
	'a crash after the commit keeps every row');

$node->stop;
done_testing();
