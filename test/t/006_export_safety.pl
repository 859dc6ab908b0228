# tpch_export never leaves a partial file behind (error, cancel, a worker
# killed, a crash, a full disk), never replaces a file unasked, shows its
# progress, and writes correctly beyond 4 GiB.
use strict;
use warnings;

use File::Compare;
use FindBin;
use Time::HiRes;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

my $node = PostgreSQL::Test::Cluster->new('export_safety');
$node->init;
$node->append_conf(
	'postgresql.conf', qq(
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
restart_after_crash = on
));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $tmp = PostgreSQL::Test::Utils::tempdir;

# ---- never replace a file unasked ----
mkdir "$tmp/keep";
spew("$tmp/keep/region.csv", "mine\n");
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SELECT * FROM tpch_export('region', '$tmp/keep/region.csv')");
like($stderr, qr/file "\Q$tmp\E\/keep\/region\.csv" already exists/,
	'an existing file is refused');
is(slurp("$tmp/keep/region.csv"), "mine\n", 'and left as it was');

# 'all' checks every name before it writes anything.
spew("$tmp/keep/lineitem.csv", "mine\n");
($ret, $stdout, $stderr) = $node->psql('postgres',
	"SELECT * FROM tpch_export('all', '$tmp/keep', sf => 0.01)");
like($stderr, qr/already exists/, "'all' refuses when one of its files exists");
is_deeply(entries("$tmp/keep"), [ 'lineitem.csv', 'region.csv' ],
	"and writes none of the others");

$node->safe_psql('postgres',
	"SELECT * FROM tpch_export('region', '$tmp/keep/region.csv', overwrite => true)");
$node->safe_psql('postgres',
	"SELECT * FROM tpch_export('region', '$tmp/fresh.csv')");
ok(compare("$tmp/keep/region.csv", "$tmp/fresh.csv") == 0,
	'overwrite => true replaces the file');

# ---- beyond 4 GiB: a test hook starts the data at an offset, leaving a hole ----
$node->safe_psql('postgres',
	"SELECT * FROM tpch_export('lineitem', '$tmp/low.tbl', sf => 0.01, format => 'tbl', workers => 0)");
my $low = slurp("$tmp/low.tbl");
# Direct I/O (io_uring's default), buffered io_uring, pwrite, and a start
# off the 4 KiB grid, which direct I/O cannot take: the writer goes on
# through the page cache.
my @high = (
	[ 'io_uring', 'on', 4500 * 1024 ],
	[ 'io_uring', 'off', 4500 * 1024 ],
	[ 'sync', 'on', 4500 * 1024 ],
	[ 'io_uring', 'on', 4500 * 1024 + 1 ]);
for my $case (@high)
{
	my ($method, $direct, $kb) = @$case;
	my $name = "$method, direct_io $direct, at $kb kB";
	my $out = $node->safe_psql('postgres',
		"SET tpchgen.io_method = $method; SET tpchgen.direct_io = $direct;
		 SET tpchgen.export_test_offset = '${kb}kB';
		 SELECT bytes FROM tpch_export('lineitem', '$tmp/high.tbl', sf => 0.01,
		                               format => 'tbl', workers => 2)");
	my $offset = $kb * 1024;
	is(-s "$tmp/high.tbl", $offset + length($low),
		"the file ends at the offset plus the data ($name)");
	open(my $fh, '<', "$tmp/high.tbl") or die;
	binmode $fh;
	sysseek($fh, $offset, 0) or die;
	my $got = '';
	while (sysread($fh, my $buf, 1 << 20)) { $got .= $buf; }
	close($fh);
	ok($got eq $low, "the data past 4 GiB is exactly the export ($name)");
	is($out, length($low), "bytes counts the data, not the hole ($name)");
	unlink "$tmp/high.tbl";
}

# ---- cancel, and progress while it runs ----

mkdir "$tmp/cancel";
my ($out, $err);

# A slowed-down export of lineitem at SF 1 into $tmp/cancel, with `workers`
# and settings before it; its output goes to $out and $err.
sub start_lineitem_export
{
	my ($workers, $setup) = @_;
	($out, $err) = ('', '');
	return start_slow_export($node,
		($setup // '')
		  . "SELECT * FROM tpch_export('lineitem', '$tmp/cancel/lineitem.csv', sf => 1, workers => $workers)",
		\$out, \$err);
}

my $h = start_lineitem_export(0);
wait_for_export_progress($node);
is( $node->safe_psql(
		'postgres',
		"SELECT command, type, tuples_processed > 0 FROM pg_stat_progress_copy"),
	'COPY TO|FILE|t',
	'a running export shows in pg_stat_progress_copy');
$node->safe_psql('postgres',
	"SELECT pg_cancel_backend(pid) FROM pg_stat_progress_copy");
$h->finish;
like($err, qr/canceling statement due to user request/, 'the export was cancelled');
like($out, qr/after/, 'the session goes on');
is_deeply(entries("$tmp/cancel"), [], 'a cancelled export leaves nothing behind');

# The data goes to an unnamed file (O_TMPFILE): nothing shows while it runs.
# Where the file system has no unnamed files (a test hook here), it goes to
# a hidden temporary name, which a cancel removes as well.
for my $named (qw(off on))
{
	$h = start_lineitem_export(1, "SET tpchgen.export_test_named = $named; ");
	wait_for_export_progress($node);
	my $seen = entries("$tmp/cancel");
	if ($named eq 'off')
	{
		is_deeply($seen, [], 'a running export has no name in the directory');
	}
	else
	{
		ok(@$seen == 1 && $seen->[0] =~ /^\.lineitem\.csv\.tpchgen-\d+-[0-9a-f]{16}\.tmp$/,
			'without O_TMPFILE a running export writes under a hidden temporary name');
	}
	$node->safe_psql('postgres',
		"SELECT pg_cancel_backend(pid) FROM pg_stat_progress_copy");
	$h->finish;
	like($err, qr/canceling statement due to user request/,
		"cancelled (export_test_named = $named)");
	is_deeply(entries("$tmp/cancel"), [],
		"and nothing is left behind (export_test_named = $named)");
}

# ---- a parallel worker killed ----
$h = start_lineitem_export(2);
$node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'parallel worker'")
  or die 'no parallel worker showed up';
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'parallel worker'");
$h->finish;
like($err, qr/terminating .* due to administrator command/,
	'the leader reports the killed worker');
like($out, qr/after/, 'the leader goes on');
is_deeply(entries("$tmp/cancel"), [], 'a killed worker leaves nothing behind');

# ---- a parallel worker killed outright: the server restarts ----
# SIGKILL gives the leader no chance to clean up (the postmaster ends every
# backend at once); an unnamed file disappears with its process anyway.
$h = start_lineitem_export(2);
wait_for_export_progress($node);
my $worker = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'parallel worker' LIMIT 1");
ok(kill('KILL', $worker), 'a parallel worker was killed with SIGKILL');
$h->finish;
like($err, qr/server closed the connection|terminating connection because of crash/,
	'the export ends with the crash');
# pg_isready rather than psql: psql refused at once breaks poll_query_until.
my $up = 0;
for (1 .. 600)
{
	last if ($up = system('pg_isready', '-q', '-d', $node->connstr('postgres')) == 0);
	Time::HiRes::usleep(100_000);
}
ok($up, 'the server restarted');
is_deeply(entries("$tmp/cancel"), [], 'a crash mid-export leaves nothing behind');

# ---- the leader itself terminated ----
$h = start_lineitem_export(0);
wait_for_export_progress($node);
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_progress_copy");
$h->finish;
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
  or die 'the backend did not exit';
is_deeply(entries("$tmp/cancel"), [], 'a terminated backend leaves nothing behind');

# ---- a full file system ----
SKIP:
{
	skip 'set TPCHGEN_SMALL_FS to a small file system to test ENOSPC', 6
	  unless $ENV{TPCHGEN_SMALL_FS};
	my $small = $ENV{TPCHGEN_SMALL_FS};
	my $before = entries($small);
	for my $setup ('io_method = io_uring', 'direct_io = off', 'io_method = sync')
	{
		($ret, $stdout, $stderr) = $node->psql('postgres',
			"SET tpchgen.$setup;
			 SELECT * FROM tpch_export('lineitem', '$small/lineitem.csv', sf => 0.1)");
		like($stderr,
			qr/could not write to file "\Q$small\E\/lineitem\.csv": No space left on device/,
			"a full disk is reported with the path ($setup)");
		is_deeply(entries($small), $before, "and leaves nothing behind ($setup)");
	}
}

$node->stop;
done_testing();
