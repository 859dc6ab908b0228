# The CLI and the extension give the same queries: `tpchgen qgen` files
# equal tpch_query() and tpch_queries() for a stream, a seed and an SF, and
# its log equals tpch_query_params().  The libpq driver relies on it: it
# runs the CLI's texts on a server without the extension.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Digest::MD5 qw(md5_hex);
use FindBin;

use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

my $bin = $TpchgenTest::cli;
plan skip_all => "$bin is not built" unless -x $bin;

my $node = PostgreSQL::Test::Cluster->new('qgen_cli');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $dir = PostgreSQL::Test::Utils::tempdir;
my ($seed, $stream, $sf) = ('0101000003', 3, 10);
system($bin, 'qgen', '--sf', $sf, '--seed', $seed, '--stream', $stream,
	'--output-dir', $dir, '--log', "$dir/log") == 0
  or die "tpchgen qgen failed";

my $same = 0;
for my $q (1 .. 22)
{
	# compared by md5: psql's output would not keep the text's last newline
	my $file = md5_hex(slurp_file(sprintf('%s/q%02d.sql', $dir, $q)));
	my $sql = $node->safe_psql('postgres', "SELECT md5(tpch_query($q, $seed, $sf))");
	$same++ if $file eq $sql;
}
is($same, 22, 'each query file is tpch_query()');

my $order = $node->safe_psql('postgres',
	"SELECT string_agg(query_nr::text, ' ' ORDER BY position) FROM tpch_queries($stream, $seed, $sf)");
my @cli = map { (split /\t/)[0] } split /\n/, slurp_file("$dir/log");
is(join(' ', @cli), $order, 'the log is in the order of tpch_queries()');

my $params = $node->safe_psql('postgres', qq{
	SELECT string_agg(query_nr || E'\\t' || array_to_string(params, E'\\t'), E'\\n' ORDER BY query_nr)
	FROM tpch_query_params($seed, $sf)});
is(join("\n", sort { (split /\t/, $a)[0] <=> (split /\t/, $b)[0] } split /\n/, slurp_file("$dir/log")),
	$params, 'the log holds the values of tpch_query_params()');

# the stream file runs as it is in psql, query after query
my ($ret, $stdout, $stderr) = $node->psql('postgres', undef,
	extra_params => [ '-v', 'ON_ERROR_STOP=1', '-c', 'SET search_path = tpch, public',
		'-c', "CREATE SERVER s FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01'); CREATE SCHEMA tpch; IMPORT FOREIGN SCHEMA tpch FROM SERVER s INTO tpch" ]);
is($ret, 0, 'foreign tables at SF 0.01') or diag $stderr;
($ret, $stdout, $stderr) = $node->psql('postgres', undef,
	extra_params => [ '-v', 'ON_ERROR_STOP=1', '-c', 'SET search_path = tpch, public',
		'-f', "$dir/stream$stream.sql" ]);
is($ret, 0, "psql runs stream$stream.sql") or diag $stderr;

# tpch_check stops at once when its statement is cancelled (SF 1 foreign
# tables: Q1 alone would take many seconds)
$node->safe_psql('postgres', q{
	CREATE SERVER big FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '1');
	CREATE SCHEMA big;
	IMPORT FOREIGN SCHEMA tpch FROM SERVER big INTO big;
});
my $start = time;
($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET statement_timeout = '1s'; SET search_path = big, public; SELECT * FROM tpch_check(1, 1)");
like($stderr, qr/canceling statement due to statement timeout/, 'tpch_check is cancelled');
cmp_ok(time - $start, '<', 10, 'within seconds of the timeout');

$node->stop;
done_testing();
