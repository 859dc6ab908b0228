# tpch_load leaves nothing behind when it fails: a cancel, a statement
# timeout, a parallel worker killed, a full disk.  No table, no schema it
# created, and no file under the database directory that is not a relation.
# It shows its progress while it runs.
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

my $node = load_node('load_safety');
my $dbdir = database_dir($node);

# Starts a slowed-down load of lineitem at SF 0.1 in the background, followed
# by a query that shows the session goes on.
my ($out, $err);
sub start_slow_load
{
	my ($workers, $setup) = @_;
	($out, $err) = ('', '');
	return IPC::Run::start(
		[
			'psql', '-X', '-d', $node->connstr('postgres'),
			'-c', "SET tpchgen.load_test_delay = '100ms'; " . ($setup // ''),
			'-c', "SELECT * FROM tpch_load(sf => 0.1, schema => 'doomed', workers => $workers)",
			'-c', "SELECT 'after'"
		],
		'>', \$out, '2>', \$err);
}

sub wait_for_progress
{
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM tpch_load_progress WHERE table_name = 'lineitem' AND rows_done > 0")
	  or die 'the load never showed progress';
}

sub nothing_left
{
	my ($what) = @_;
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM pg_namespace WHERE nspname = 'doomed'"),
		'0', "$what: no schema, no table");
	is_deeply(stray_files($node, $dbdir, 1), [], "$what: no stray file");
}

is_deeply(stray_files($node, $dbdir, 1), [], 'no stray file to begin with');

# ---- progress, then a cancel ----
my $h = start_slow_load(0);
wait_for_progress();
is( $node->safe_psql(
		'postgres',
		"SELECT table_name, rows_total, tables_done, tables_total FROM tpch_load_progress"),
	# lineitem's rows total is the estimate, four lines an order
	'lineitem|600000|7|8',
	'a running load shows its table, its rows and its tables in tpch_load_progress');
is( $node->safe_psql(
		'postgres',
		"SELECT command, type, relid::regclass IS NOT NULL, tuples_processed > 0 FROM pg_stat_progress_copy"),
	'COPY FROM|CALLBACK|t|t',
	'and in pg_stat_progress_copy as a COPY FROM');
my $t0 = [Time::HiRes::gettimeofday];
$node->safe_psql('postgres',
	"SELECT pg_cancel_backend(pid) FROM tpch_load_progress");
$h->finish;
my $took = Time::HiRes::tv_interval($t0);
like($err, qr/canceling statement due to user request/, 'the load was cancelled');
like($out, qr/after/, 'the session goes on');
ok($took < 2, "the cancel was honoured at once ($took s with the psql start)");
nothing_left('a cancel');

# ---- statement_timeout ----
$h = start_slow_load(2, "SET statement_timeout = '1500ms';");
$h->finish;
like($err, qr/canceling statement due to statement timeout/, 'the load timed out');
nothing_left('a statement timeout');

# ---- a parallel worker terminated ----
$h = start_slow_load(2);
wait_for_progress();
$node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'parallel worker'")
  or die 'no parallel worker showed up';
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'parallel worker'");
$h->finish;
like($err, qr/terminating .* due to administrator command/,
	'the leader reports the killed worker');
like($out, qr/after/, 'the leader goes on');
nothing_left('a killed worker');

# ---- the leader terminated ----
$h = start_slow_load(0);
wait_for_progress();
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM tpch_load_progress");
$h->finish;
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
  or die 'the backend did not exit';
nothing_left('a terminated backend');

# ---- an existing table is never touched unasked ----
$node->safe_psql('postgres',
	"CREATE SCHEMA kept; CREATE TABLE kept.orders (mine int); INSERT INTO kept.orders VALUES (1)");
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SELECT * FROM tpch_load(sf => 0.01, schema => 'kept')");
like($stderr, qr/relation "kept.orders" already exists/, 'an existing table is refused');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relnamespace = 'kept'::regnamespace"),
	'1', 'and nothing else is created');
is($node->safe_psql('postgres', 'SELECT mine FROM kept.orders'), '1', 'the table is as it was');

# A failure after the old table is dropped brings it back.
($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET statement_timeout = '1s'; SET tpchgen.load_test_delay = '100ms';
	 SELECT * FROM tpch_load(sf => 0.1, schema => 'kept', if_exists => 'replace')");
like($stderr, qr/statement timeout/, 'a replacing load that fails ...');
is($node->safe_psql('postgres', 'SELECT mine FROM kept.orders'), '1',
	'... leaves the old table in place');

# ---- a full disk ----
SKIP:
{
	skip 'set TPCHGEN_SMALL_FS to a small file system to test ENOSPC', 3
	  unless $ENV{TPCHGEN_SMALL_FS};
	# a directory of ours: CREATE TABLESPACE takes it over
	my $small = "$ENV{TPCHGEN_SMALL_FS}/load_$$";
	mkdir $small or die "could not create $small: $!";
	$node->safe_psql('postgres', "CREATE TABLESPACE small LOCATION '$small'");
	my $tsdir = (glob("$small/PG_*"))[0] . '/'
	  . $node->safe_psql('postgres', "SELECT oid FROM pg_database WHERE datname = 'postgres'");
	($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET default_tablespace = small;
		 SELECT * FROM tpch_load(sf => 0.01, schema => 'doomed', workers => 2)");
	like($stderr, qr/No space left on device/, 'a full disk is reported');
	nothing_left('a full disk');
	$node->safe_psql('postgres', 'CHECKPOINT');
	my @left = -d $tsdir ? grep { !/^\.\.?$/ } do { opendir(my $d, $tsdir); readdir($d) } : ();
	is_deeply(\@left, [], 'and leaves no file in the tablespace');
	$node->safe_psql('postgres', 'DROP TABLESPACE small');
	rmdir $small;
}

$node->stop;
done_testing();
