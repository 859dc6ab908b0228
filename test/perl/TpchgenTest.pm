# TpchgenTest - helpers shared by the TAP tests in test/t/.
#
# A test loads it with
#
#   use FindBin;
#   use lib "$FindBin::RealBin/../perl";
#   use TpchgenTest;
#
# which works however prove is started (PGXS's prove_installcheck puts only
# PostgreSQL's own modules and the top directory on @INC).
package TpchgenTest;

use strict;
use warnings;

use Cwd qw(abs_path);
use Digest::SHA;
use Exporter 'import';
use Fcntl qw(O_WRONLY O_CREAT O_DIRECT);
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;

# The tree's bin/tpchgen.  Found from this file, not from $TESTDIR, which
# PGXS no longer sets from PostgreSQL 17 on.
our $cli = abs_path(dirname(__FILE__) . '/../..') . '/bin/tpchgen';

our @EXPORT = qw(entries slurp spew sha256_of io_uring_disabled
  takes_direct_io start_slow_export wait_for_export_progress table_fingerprints
  stray_files load_node database_dir);

# Every entry of a directory, hidden ones included, sorted.
sub entries
{
	my ($dir) = @_;
	opendir(my $dh, $dir) or die "could not open $dir: $!";
	my @names = sort grep { $_ ne '.' && $_ ne '..' } readdir($dh);
	closedir($dh);
	return \@names;
}

sub slurp
{
	my ($file) = @_;
	open(my $fh, '<', $file) or die "could not open $file: $!";
	binmode $fh;
	local $/;
	my $data = <$fh>;
	close($fh);
	return $data;
}

sub spew
{
	my ($file, $data) = @_;
	open(my $fh, '>', $file) or die "could not write $file: $!";
	print $fh $data;
	close($fh);
}

sub sha256_of
{
	my ($file) = @_;
	return Digest::SHA->new(256)->addfile($file, 'b')->hexdigest;
}

# Whether the kernel refuses io_uring to everyone (kernel.io_uring_disabled).
sub io_uring_disabled
{
	open(my $fh, '<', '/proc/sys/kernel/io_uring_disabled') or return 0;
	my $v = <$fh>;
	close($fh);
	return $v != 0;
}

# Whether the file system of $dir takes O_DIRECT.
sub takes_direct_io
{
	my ($dir) = @_;
	my $probe = "$dir/direct-probe";
	my $ok = sysopen(my $fh, $probe, O_WRONLY | O_CREAT | O_DIRECT);
	close($fh) if $ok;
	unlink $probe;
	return $ok;
}

# Runs $sql in the background on $node with every export slowed down by the
# test hook, followed by a query that proves the session went on; psql's
# output goes to the scalars $out and $err refer to.  Returns the IPC::Run
# harness.
sub start_slow_export
{
	my ($node, $sql, $out, $err) = @_;
	return IPC::Run::start(
		[
			'psql', '-X', '-d', $node->connstr('postgres'),
			'-c', "SET tpchgen.export_test_delay = '100ms'",
			'-c', $sql, '-c', "SELECT 'after'"
		],
		'>', $out, '2>', $err);
}

# Waits until the one export running on $node has written something.
sub wait_for_export_progress
{
	my ($node) = @_;
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_progress_copy WHERE bytes_processed > 0")
	  or die 'the export never showed progress';
}

# Per TPC-H table, its name, row count and the md5 of its rows as text in
# order, as one text from $node; $from->(name) gives the FROM item to read
# (a table, or a call such as "tpch_orders(sf => 0.01)").
sub table_fingerprints
{
	my ($node, $from) = @_;
	return $node->safe_psql(
		'postgres', join(
			"\nUNION ALL ",
			map {
				"SELECT '$_', count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM "
				  . $from->($_) . ' t'
			} qw(region nation supplier part partsupp customer orders lineitem)));
}

# A started cluster for the tpch_load tests, named $name: `init` with the
# options of $opt{init} (e.g. { allows_streaming => 1 }), room for two
# parallel workers, then the settings of $opt{conf}, and in the database
# postgres the extension tpchgen and those of $opt{extensions}.
sub load_node
{
	my ($name, %opt) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%{ $opt{init} // {} });
	$node->append_conf(
		'postgresql.conf', qq(
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
) . ($opt{conf} // ''));
	$node->start;
	$node->safe_psql('postgres',
		join('; ', map { "CREATE EXTENSION $_" } 'tpchgen', @{ $opt{extensions} // [] }));
	return $node;
}

# The directory of $node's database postgres, where its relation files are.
sub database_dir
{
	my ($node) = @_;
	return $node->data_dir . '/base/'
	  . $node->safe_psql('postgres',
		"SELECT oid FROM pg_database WHERE datname = 'postgres'");
}

# The files of $dbdir ($node's database directory) that belong to no
# relation, sorted.  With $checkpoint, a CHECKPOINT first: the first segment
# of an aborted relation's fork stays, empty, until the next checkpoint.
sub stray_files
{
	my ($node, $dbdir, $checkpoint) = @_;
	$node->safe_psql('postgres', 'CHECKPOINT') if $checkpoint;
	my %known = map { $_ => 1 } split /\n/,
	  $node->safe_psql('postgres',
		"SELECT pg_relation_filenode(oid) FROM pg_class WHERE pg_relation_filenode(oid) IS NOT NULL");
	opendir(my $dh, $dbdir) or die "could not open $dbdir: $!";
	my @stray = sort grep {
		my ($filenode) = /^(\d+)/;
		!/^\.\.?$/ && !/^pg_/ && !/^PG_VERSION$/ && !(defined $filenode && $known{$filenode})
	} readdir($dh);
	closedir($dh);
	return \@stray;
}

1;
