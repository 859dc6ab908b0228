# A file that appears under an export's target name while the export runs is
# neither replaced nor removed: the export fails and leaves it as it was.
use strict;
use warnings;
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

my $node = PostgreSQL::Test::Cluster->new('export_appears');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $tmp = PostgreSQL::Test::Utils::tempdir;

# Unnamed files (O_TMPFILE, linked at the end) and the hidden temporary
# name renamed at the end (file systems without O_TMPFILE, a test hook).
for my $named (qw(off on))
{
	my $dir = "$tmp/named-$named";
	mkdir $dir;
	my ($out, $err) = ('', '');
	# SF 0.05: about 19 chunks of 100 ms, a window the progress poll cannot miss on
	# a loaded machine (at SF 0.01 four chunks could end before its first look)
	my $h = start_slow_export($node,
		"SET tpchgen.export_test_named = $named; "
		  . "SELECT * FROM tpch_export('lineitem', '$dir/lineitem.tbl', sf => 0.05, "
		  . "format => 'tbl', workers => 0)",
		\$out, \$err);
	wait_for_export_progress($node);
	spew("$dir/lineitem.tbl", "theirs\n");
	$h->finish;
	like($err, qr/file "\Q$dir\E\/lineitem\.tbl" already exists/,
		"the export fails on the file that appeared (export_test_named = $named)");
	like($err, qr/It appeared while the export was running/, 'and says when it appeared');
	like($out, qr/after/, 'the session goes on');
	is(slurp("$dir/lineitem.tbl"), "theirs\n", 'the file that appeared is left as it was');
	is_deeply(entries($dir), ['lineitem.tbl'], 'and nothing else is left behind');
}

$node->stop;
done_testing();
