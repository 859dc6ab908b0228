# tpch_export writes the bytes of dbgen (tbl) and of bin/tpchgen (csv),
# whatever the number of workers, the compression or the I/O method.
use strict;
use warnings;

use File::Compare;
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

# sha256 of dbgen 3.0.1's files: SF 0.01, and part 2 of 3 (-C 3 -S 2) at SF 0.1
my %dbgen_sf001 = (
	region => '6022658d673924389b54dcb70fa8c3d6da1b0d7afa3c1c017bab62a019df404f',
	nation => '66f96949939fa8fdf1c4ffed1e5f6c2842fe11a14b51fdc6ed1e17460031e8c5',
	supplier => '9dc1002ee774699a092ed83ba278caf466d62a15d7e35bb6ed9293475528734b',
	part => '896e14465325110dd9cf05a16972028a58be0010959262176ecd97f4db1702f8',
	partsupp => '5947b5ebab042b49148f82c1324ad122f7e0d98cfadcbef12da0a5e239e09e79',
	customer => '6b690cce995cb715861ebf2c77aa02c61406e3a0ddcd3326d1ecfa969b9163f8',
	orders => '07cc8b362fda6d0b503c4d6c5d228817548e0688a3b21b590c52bb47b7b79c0f',
	lineitem => 'ee411d23efcd2943ef70489799e37dfc24543dbd03b461a88e16fd82a95765e4',);
my %dbgen_sf01_part2of3 = (
	supplier => 'a31a4f13b4c4d32d799a3bd72b461894cd8a5e4eee3ebf6e9e7b897dda3eeac6',
	part => '281443343bf2c88299b8f3a8417cfcc43661b939119c9f25852aa641670e5e79',
	partsupp => '07bf1cdb25dd37f590f77ea2d56247fab396d7d50fc7f102b97ec4a77c132e5e',
	customer => '35543c12d2fa6a02fa11e88d3e36d58a4b6f78e7453f2e1755ac401f77b8675b',
	orders => 'f40f8ebb4e7d45b68e3c91369b0ca77569bfcb3d0dbad36a22b4f127ce21cd2f',
	lineitem => '5fc35f7c697bd995f34e4dd8c854aff65ce5e1a3f08aa4d261d8acfc24fcc058',);
my $dbgen_sf01_lineitem =
  '6fe51474be8c04e04737c83f1cea2feaf3179e4f3bd6ba08c5065928d96ee60b';
my @tables =
  qw(region nation supplier part partsupp customer orders lineitem);

my $cli = $TpchgenTest::cli;

my $node = PostgreSQL::Test::Cluster->new('export_files');
$node->init;
$node->append_conf(
	'postgresql.conf', qq(
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $tmp = PostgreSQL::Test::Utils::tempdir;

sub export
{
	my ($args, $setup) = @_;
	$setup //= '';
	return $node->safe_psql('postgres',
		"$setup SELECT file, rows, bytes FROM tpch_export($args)");
}

# All eight tables as dbgen writes them, serially.
mkdir "$tmp/tbl";
my $out = export("'all', '$tmp/tbl', sf => 0.01, format => 'tbl', workers => 0");
is(scalar(split /\n/, $out), 8, "'all' returns one row per file");
like($out, qr{^\Q$tmp\E/tbl/lineitem\.tbl\|60175\|7264250$}m,
	"'all' returns each file's rows and bytes");
is_deeply(entries("$tmp/tbl"), [ sort map { "$_.tbl" } @tables ],
	"'all' writes dbgen's file names and nothing else");
for my $t (@tables)
{
	is(sha256_of("$tmp/tbl/$t.tbl"), $dbgen_sf001{$t}, "$t.tbl at SF 0.01 is dbgen's");
}

# One part of three, in parallel: dbgen's chunk files, nation and region whole.
mkdir "$tmp/part";
export("'all', '$tmp/part', sf => 0.1, format => 'tbl', part => 2, parts => 3, workers => 2");
is_deeply(
	entries("$tmp/part"),
	[ sort('nation.tbl', 'region.tbl', map { "$_.tbl.2" } grep { !/^(nation|region)$/ } @tables) ],
	"parts > 1 names files as dbgen -C 3 -S 2 does");
for my $t (keys %dbgen_sf01_part2of3)
{
	is(sha256_of("$tmp/part/$t.tbl.2"), $dbgen_sf01_part2of3{$t},
		"$t.tbl.2 at SF 0.1 is dbgen's, with 2 workers");
}
is(sha256_of("$tmp/part/nation.tbl"), $dbgen_sf001{nation}, 'nation is never split');

# A bigger table, with the parallel workers' default and each I/O method.
for my $method (qw(auto io_uring sync))
{
	for my $direct (qw(on off))
	{
	  SKIP:
		{
			skip 'io_uring is disabled on this kernel', 1
			  if $method eq 'io_uring' && io_uring_disabled();
			export("'lineitem', '$tmp/lineitem-$method-$direct.tbl', sf => 0.1, format => 'tbl'",
				"SET tpchgen.io_method = $method; SET tpchgen.direct_io = $direct;");
			is(sha256_of("$tmp/lineitem-$method-$direct.tbl"), $dbgen_sf01_lineitem,
				"lineitem at SF 0.1 is dbgen's with io_method $method, direct_io $direct");
			unlink "$tmp/lineitem-$method-$direct.tbl";
		}
	}
}

# No workers to be had, or a leader that only writes: the same bytes.
for my $setup ('SET max_parallel_workers = 0;', 'SET parallel_leader_participation = off;')
{
	export("'lineitem', '$tmp/lineitem-setup.tbl', sf => 0.1, format => 'tbl', workers => 2",
		$setup);
	is(sha256_of("$tmp/lineitem-setup.tbl"), $dbgen_sf01_lineitem,
		"lineitem at SF 0.1 is dbgen's after $setup");
	unlink "$tmp/lineitem-setup.tbl";
}

# auto says which method it picked.
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET client_min_messages = debug1; SELECT rows FROM tpch_export('region', '$tmp/debug.csv')");
if (io_uring_disabled())
{
	like($stderr, qr/could not set up io_uring/, 'auto falls back to pwrite without io_uring');
}
else
{
	like($stderr, qr/writing "\Q$tmp\E\/debug\.csv" with io_uring/, 'auto picks io_uring');
  SKIP:
	{
		skip "the file system of $tmp refuses O_DIRECT", 1 unless takes_direct_io($tmp);
		like($stderr, qr/writing "\Q$tmp\E\/debug\.csv" with direct I\/O/,
			'and direct I/O where the file system takes it');
	}
	($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET client_min_messages = debug1; SET tpchgen.direct_io = off; SELECT rows FROM tpch_export('region', '$tmp/debug-buffered.csv')");
	unlike($stderr, qr/direct I\/O/, 'direct_io = off writes through the page cache');
}
($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET client_min_messages = debug1; SET tpchgen.io_method = sync; SELECT rows FROM tpch_export('region', '$tmp/debug-sync.csv')");
unlike($stderr, qr/io_uring/, 'io_method sync does not touch io_uring');

# CSV: the same bytes as the CLI, for every table, serial and parallel.
system_or_bail($cli, '--sf', '0.01', '--format', 'csv', '--header', '--output-dir', "$tmp/cli");
for my $workers (0, 2)
{
	mkdir "$tmp/csv$workers";
	export("'all', '$tmp/csv$workers', sf => 0.01, header => true, workers => $workers");
	for my $t (@tables)
	{
		ok(compare("$tmp/csv$workers/$t.csv", "$tmp/cli/$t.csv") == 0,
			"$t.csv with $workers workers is the CLI's");
	}
}

# zstd: frames that decompress to exactly the plain export, and the same
# frames whatever the number of workers.
system_or_bail($cli, '--sf', '0.1', '--table', 'lineitem', '--format', 'csv',
	'--output-dir', "$tmp/cli01");
for my $workers (0, 2)
{
	$out = export("'lineitem', '$tmp/lineitem$workers.csv.zst', sf => 0.1, compression => 'zstd', level => 1, workers => $workers");
	like($out, qr/\|600572\|\d+$/, "zstd export with $workers workers counts the rows");
	my ($bytes) = $out =~ /\|(\d+)$/;
	is(-s "$tmp/lineitem$workers.csv.zst", $bytes, 'bytes is the compressed size');
	system_or_bail('zstd', '-q', '-d', '-f', "$tmp/lineitem$workers.csv.zst",
		'-o', "$tmp/lineitem$workers.csv");
	ok(compare("$tmp/lineitem$workers.csv", "$tmp/cli01/lineitem.csv") == 0,
		"zstd -d gives the plain export back ($workers workers)");
}
ok(compare("$tmp/lineitem0.csv.zst", "$tmp/lineitem2.csv.zst") == 0,
	'zstd output does not depend on the number of workers');

mkdir "$tmp/zst";
export("'all', '$tmp/zst', sf => 0.01, format => 'tbl', compression => 'zstd', parts => 2, part => 1, workers => 0");
is_deeply(
	entries("$tmp/zst"),
	[ sort('nation.tbl.zst', 'region.tbl.zst', map { "$_.tbl.1.zst" } grep { !/^(nation|region)$/ } @tables) ],
	'compressed files get .zst after dbgen\'s name');

$node->stop;
done_testing();
