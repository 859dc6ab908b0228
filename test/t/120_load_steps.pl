# tpch_load tells at DEBUG1 where each table's seconds went (filling, keys,
# ANALYZE): one line per table, whose three figures add up to the table's
# seconds in the result, and a step that was not asked for takes 0 s.
# bench/run's load section reads these lines for L1's steps.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('load_steps');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my @tables = qw(region nation supplier part partsupp customer orders lineitem);

# (result rows as table => seconds, DEBUG1 steps as table => [fill, keys, analyze])
sub load
{
	my ($args) = @_;
	my ($stdout, $stderr);
	$node->psql('postgres', qq{SET client_min_messages = debug1;
		SELECT table_name || ' ' || seconds FROM tpch_load($args)},
		stdout => \$stdout, stderr => \$stderr, on_error_die => 1);
	my %seconds = map { split / / } split /\n/, $stdout;
	my %steps;
	while ($stderr =~ /tpch_load (\w+): filled in ([\d.]+) s, keys in ([\d.]+) s, analyzed in ([\d.]+) s/g)
	{
		$steps{$1} = [ $2, $3, $4 ];
	}
	return (\%seconds, \%steps);
}

my ($seconds, $steps) = load("sf => 0.01, schema => 'full'");
is_deeply([ sort keys %$steps ], [ sort @tables ], 'one DEBUG1 line per table');
for my $t (@tables)
{
	my ($f, $k, $a) = @{ $steps->{$t} };
	# the line rounds each step to the millisecond
	cmp_ok(abs($f + $k + $a - $seconds->{$t}), '<', 0.002,
		"$t: fill + keys + ANALYZE = its seconds");
}
cmp_ok($steps->{lineitem}[0], '>', 0, 'lineitem took some time to fill');
cmp_ok($steps->{lineitem}[1], '>', 0, 'its primary key some time to build');

($seconds, $steps) = load(
	"sf => 0.01, schema => 'bare', keys => 'none', \"analyze\" => false, tables => '{orders}'");
is_deeply([ keys %$steps ], ['orders'], 'only the tables loaded');
is($steps->{orders}[1] . ' ' . $steps->{orders}[2], '0.000 0.000',
	'no keys and no ANALYZE: those steps take 0 s');

$node->stop;
done_testing();
