# Without shared_preload_libraries the text pool is built once per server,
# into pgsql_tmp_tpchgen/pool-<build id> in the data directory, and mapped by every
# later backend and parallel worker: concurrent first queries build it once,
# and a truncated, damaged or foreign file is rebuilt, never used.
use strict;
use warnings;
use Digest::SHA;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# sha256 of the 314572800 bytes of dbgen's text pool
my $pool_sha256 =
  '09011f43d4e60579f77b33a51bbb67d04b4f3e700d84f289db6b937db90677f9';
my $pool_size = 314572800;
my $query = q{SELECT count(*), sum(l_orderkey), sum(length(l_comment))
	FROM tpch_lineitem(sf => 0.01)};
my $expected = '60175|1802759573|1598371';
my $force = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
  . 'SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; '
  . 'SET parallel_leader_participation = off;';

my $node = PostgreSQL::Test::Cluster->new('pool_file');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 4
log_min_messages = debug1
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');
my $dir = $node->data_dir . '/pgsql_tmp_tpchgen';

# How many processes built the pool, mapped the file, found it bad, since a
# log offset.
sub pool_events
{
	my ($offset) = @_;
	my $log = slurp_file($node->logfile, $offset);
	my @built = $log =~ /tpchgen text pool built/g;
	my @mapped = $log =~ /tpchgen text pool mapped/g;
	my @bad = $log =~ /tpchgen text pool file .* is damaged or incomplete/g;
	return (scalar @built, scalar @mapped, scalar @bad);
}

sub pool_file
{
	my @files = grep { !/\.(checked|tmp)$/ } glob("$dir/pool-*");
	return @files;
}

# The pool bytes of the file are dbgen's.
sub pool_file_sha256
{
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "open $file: $!";
	my $sha = Digest::SHA->new(256);
	my $left = $pool_size;
	while ($left > 0)
	{
		my $n = read($fh, my $buf, $left < 1 << 20 ? $left : 1 << 20);
		die "short read of $file" unless $n;
		$sha->add($buf);
		$left -= $n;
	}
	close($fh);
	return $sha->hexdigest;
}

# Four sessions at once, each the first to want the pool.
my $offset = -s $node->logfile;
my @runs;
foreach my $i (1 .. 4)
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', $query ],
		'>', \$out, '2>', \$err);
	push @runs, [ $h, \$out, \$err ];
}
foreach my $r (@runs)
{
	$r->[0]->finish;
	chomp ${ $r->[1] };
	is(${ $r->[1] }, $expected, 'concurrent first queries: rows');
	is(${ $r->[2] }, '', 'concurrent first queries: no notice or error');
}
my ($built, $mapped, $bad) = pool_events($offset);
is($built, 1, 'concurrent first queries build the pool once');
is($mapped, 3, 'the three others map the file');
my @files = pool_file();
is(scalar @files, 1, 'one pool file');
is(pool_file_sha256($files[0]), $pool_sha256, 'the pool file holds dbgen\'s pool');

# Later sessions and their parallel workers map it, and build nothing.
$offset = -s $node->logfile;
my $plan = $node->safe_psql('postgres', qq{$force
	EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
	SELECT max(l_comment) FROM tpch_lineitem(sf => 0.1)});
like($plan, qr/Workers Launched: 2/, 'two workers launched');
($built, $mapped, $bad) = pool_events($offset);
is($built, 0, 'workers build no pool');
is($mapped, 2, 'each worker maps the file');
is($node->safe_psql('postgres', "$force $query"), $expected, 'parallel rows');

# A truncated file is rebuilt, as the next session finds it.
truncate($files[0], 1 << 20) or die "truncate: $!";
$offset = -s $node->logfile;
is($node->safe_psql('postgres', $query), $expected, 'rows after truncation');
($built, $mapped, $bad) = pool_events($offset);
is($bad, 1, 'the truncated file is found incomplete');
is($built, 1, 'the truncated file is rebuilt');
is(pool_file_sha256($files[0]), $pool_sha256, 'the rebuilt file holds dbgen\'s pool');

# Damaged bytes are found by the checksum at the first use after a restart;
# a file of another build is removed.
$node->stop;
open(my $fh, '+<:raw', $files[0]) or die "open: $!";
seek($fh, 123456789, 0);
print $fh 'XXXXXXXX';
close($fh);
my $foreign = "$dir/pool-00112233445566778899aabbccddeeff00112233";
open($fh, '>', $foreign) or die "open: $!";
print $fh "not a pool\n";
close($fh);
$node->start;
$offset = -s $node->logfile;
is($node->safe_psql('postgres', $query), $expected, 'rows after damage');
($built, $mapped, $bad) = pool_events($offset);
is($bad, 1, 'the damaged file is found');
is($built, 1, 'the damaged file is rebuilt');
is(pool_file_sha256($files[0]), $pool_sha256, 'the rebuilt file holds dbgen\'s pool');
ok(!-e $foreign, 'the file of another build is removed');

# Checked once per server start: the next session only maps it.
$offset = -s $node->logfile;
is($node->safe_psql('postgres', $query), $expected, 'rows from the mapped file');
($built, $mapped, $bad) = pool_events($offset);
is($built + $bad, 0, 'no rebuild');
is($mapped, 1, 'the next session maps the file');

# Where no file can be written, a session builds a private pool and says so
# once.
$node->stop;
unlink(glob("$dir/*")) or die "unlink: $!";
chmod(0500, $dir) or die "chmod: $!";
$node->start;
my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT max(r_comment) FROM tpch_region(); $query");
is($ret, 0, 'unwritable directory: the queries succeed');
like($out, qr/\Q$expected\E$/, 'unwritable directory: rows');
my @notices = $err =~ /NOTICE:  could not keep the tpchgen text pool/g;
is(scalar @notices, 1, 'unwritable directory: one notice in the session');
like($err, qr/HINT:  Let the server write/, 'unwritable directory: a hint');
chmod(0700, $dir) or die "chmod: $!";

$node->stop;
done_testing();
