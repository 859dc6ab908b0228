# The COPY fast path through a client: COPY TO STDOUT and psql's \copy give
# the bytes of PostgreSQL's own COPY from the first statement of a session
# without shared_preload_libraries; progress, the command tag, a cancel and
# a client that goes away mid-stream.
use strict;
use warnings;

use File::Compare;
use IPC::Run;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('copy');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $tmp = PostgreSQL::Test::Utils::tempdir;

# Runs psql with the fast path on or off, in a fresh session whose only
# statement (or meta-command) is $sql; stdout goes to $out.  Returns stderr.
sub psql_copy
{
	my ($fast, $sql, $out, $options) = @_;
	my $err = '';
	local $ENV{PGOPTIONS} =
	  "-c tpchgen.copy_fast_path=$fast -c client_min_messages=debug1 "
	  . ($options // '');
	IPC::Run::run(
		[ 'psql', '-X', '-q', '-d', $node->connstr('postgres'), '-c', $sql ],
		'>', $out, '2>', \$err)
	  or die "psql failed: $err";
	return $err;
}

# ---- byte for byte, from the first statement of a session ----
# (every option: pg_regress copy; each session here builds a text pool)
foreach my $table (qw(region nation supplier part partsupp customer orders lineitem))
{
	foreach my $options ('',
		$table eq 'lineitem' ? ('(FORMAT csv, HEADER)', '(FORMAT binary)') : ())
	{
		my $sql =
		  "COPY (SELECT * FROM tpch_$table(sf => 0.01)) TO STDOUT $options";
		my $err = psql_copy('on', $sql, "$tmp/fast");
		like($err, qr/tpchgen writes the rows of this COPY/,
			"$table $options: the first statement of a session takes the fast path");
		psql_copy('off', $sql, "$tmp/slow");
		ok(compare("$tmp/fast", "$tmp/slow") == 0,
			"$table $options: TO STDOUT gives COPY's bytes");
	}
}

# psql's \copy is COPY TO STDOUT with psql writing the file.
foreach my $options ('', 'csv header', 'binary')
{
	my $sql = "\\copy (SELECT * FROM tpch_orders(sf => 0.01)) to '$tmp/fast' $options";
	like(psql_copy('on', $sql, '/dev/null'),
		qr/tpchgen writes the rows of this COPY/, "\\copy $options is fast");
	$sql =~ s/fast/slow/;
	psql_copy('off', $sql, '/dev/null');
	ok(compare("$tmp/fast", "$tmp/slow") == 0, "\\copy $options gives COPY's bytes");
}

# Server files are written by the export's engine: workers generating,
# io_uring writing after COPY's header, COPY's binary trailer after them.
# With parallel costs zeroed the plan has a Gather, whose workers are used.
foreach my $options ('(FORMAT csv, HEADER)', '(FORMAT binary)', '')
{
	my $sql = "COPY (SELECT * FROM tpch_lineitem(sf => 0.1)) TO '%s' $options";
	my $err = psql_copy('on', sprintf($sql, "$tmp/fast"), '/dev/null',
		'-c max_parallel_workers_per_gather=2'
		  . ($options eq '' ? ' -c parallel_setup_cost=0 -c parallel_tuple_cost=0' : ''));
	# every process that generates maps the pool once: the leader and workers
	my $maps = () = $err =~ /text pool mapped/g;
	cmp_ok($maps, '>=', 2, "TO a file $options: workers generate");
	psql_copy('off', sprintf($sql, "$tmp/slow"), '/dev/null');
	ok(compare("$tmp/fast", "$tmp/slow") == 0, "TO a file $options: COPY's bytes");
}

# The command tag counts the rows.
my $tag = '';
IPC::Run::run(
	[
		'psql', '-X', '-d', $node->connstr('postgres'),
		'-c', "COPY (SELECT * FROM tpch_lineitem(sf => 0.01)) TO '/dev/null'"
	],
	'>', \$tag);
is($tag, "COPY 60175\n", 'the command tag is COPY <rows>');

# A foreign table: refused by PostgreSQL in the first statement of a session
# (the library is not loaded yet), accepted once it is.
$node->safe_psql('postgres',
	"CREATE SERVER tpch FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
	 IMPORT FOREIGN SCHEMA tpch LIMIT TO (orders) FROM SERVER tpch INTO public");
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'COPY orders TO STDOUT');
like($stderr, qr/cannot copy from foreign table "orders"/,
	'COPY of a foreign table as the first statement is refused');
like(
	psql_copy(
		'on', "\\copy orders to '$tmp/fast' csv",
		'/dev/null', '-c session_preload_libraries=tpchgen'),
	qr/tpchgen writes the rows of this COPY/,
	'with session_preload_libraries, \\copy of a foreign table is fast');
psql_copy('off', "\\copy (SELECT * FROM tpch_orders(sf => 0.01)) to '$tmp/slow' csv",
	'/dev/null');
ok(compare("$tmp/fast", "$tmp/slow") == 0, 'and gives the bytes of the function');

# ---- progress, cancel, a client that goes away ----

# A long COPY (lineitem at SF 10) in the background, to STDOUT into a file
# or to a server file.
my $big = 'COPY (SELECT * FROM tpch_lineitem(sf => 10)) TO';

sub start_copy
{
	my ($to, $err) = @_;
	return IPC::Run::start(
		[
			'psql', '-X', '-d', $node->connstr('postgres'),
			'-c', "$big $to", '-c', "SELECT 'after'"
		],
		'>', "$tmp/big", '2>', $err);
}

sub wait_for_progress
{
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_progress_copy WHERE tuples_processed > 0")
	  or die 'the COPY never showed progress';
}

foreach my $case (
	[ 'STDOUT', 'PIPE', 'STDOUT' ],
	[ "'/dev/null'", 'FILE', '/dev/null' ],
	[ "'$tmp/big.csv'", 'FILE', 'a file' ])
{
	my ($to, $type, $name) = @$case;
	my $err = '';
	my $h = start_copy($to, \$err);
	wait_for_progress();
	is( $node->safe_psql(
			'postgres',
			"SELECT command, type, bytes_processed > 0 FROM pg_stat_progress_copy"),
		"COPY TO|$type|t",
		"TO $name shows in pg_stat_progress_copy");
	my $pid = $node->safe_psql('postgres', 'SELECT pid FROM pg_stat_progress_copy');
	my $start = time;
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	$node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_progress_copy WHERE pid = $pid")
	  or die 'the COPY did not stop';
	my $elapsed = time - $start;
	note(sprintf('TO %s: cancelled after %.2f s', $name, $elapsed));
	cmp_ok($elapsed, '<', 1.0, "TO $name: a cancel stops it within a second");
	$h->finish;
	like($err, qr/canceling statement due to user request/, "TO $name: cancelled");
}

# The client dies mid-stream: the backend ends instead of generating on.
{
	my $err = '';
	my $h = start_copy('STDOUT', \$err);
	wait_for_progress();
	my $pid = $node->safe_psql('postgres', 'SELECT pid FROM pg_stat_progress_copy');
	$h->signal('KILL');
	$h->finish;
	my $start = time;
	$node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid")
	  or die 'the backend did not end';
	note(sprintf('client gone: backend ended after %.2f s', time - $start));
	ok(1, 'a client that goes away ends the backend');
	ok( $node->log_contains(qr/could not send data to client|connection to client lost/),
		'and the server log says why');
}

$node->stop;
done_testing();
