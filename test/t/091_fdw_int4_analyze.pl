# Foreign tables: a key declared integer that outgrows it is an error with a
# hint, and ANALYZE samples the same rows every time.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('fdw_checks');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

# The last thousandth of orders at SF 1000: its keys are near 6 billion.
$node->safe_psql('postgres', q{
	CREATE SERVER big FOREIGN DATA WRAPPER tpchgen
		OPTIONS (sf '1000', part '1000', parts '1000');
	CREATE FOREIGN TABLE orders_int (o_orderkey integer, o_custkey integer)
		SERVER big OPTIONS (table 'orders');
	CREATE FOREIGN TABLE orders_int_first (o_orderkey integer)
		SERVER big OPTIONS (table 'orders', part '1');
});
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	'SELECT o_orderkey FROM orders_int LIMIT 1',
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'a key beyond the range of integer fails the query');
like($stderr, qr/ERROR:  22003: value \d{10} of column o_orderkey is out of range for type integer/,
	'with SQLSTATE 22003 and the value');
like($stderr, qr/HINT:  Declare the column as bigint\./, 'and a hint');
is($node->safe_psql('postgres', 'SELECT max(o_orderkey) FROM orders_int_first'),
	'6000000', 'keys that fit are returned as integer');

# ANALYZE twice: the same statistics (the sample is drawn with a fixed seed).
$node->safe_psql('postgres', q{
	CREATE SERVER small FOREIGN DATA WRAPPER tpchgen OPTIONS (sf '0.01');
	CREATE FOREIGN TABLE lineitem (l_orderkey bigint, l_quantity numeric(15,2),
		l_shipdate date, l_shipmode char(10), l_comment varchar(44))
		SERVER small OPTIONS (table 'lineitem');
});
my $stats = q{
	SELECT c.reltuples, s.attname, s.null_frac, s.avg_width, s.n_distinct,
		s.most_common_vals::text, s.most_common_freqs::text,
		s.histogram_bounds::text, s.correlation
	FROM pg_class c JOIN pg_stats s ON s.tablename = c.relname
	WHERE c.relname = 'lineitem' ORDER BY s.attname};
$node->safe_psql('postgres', 'ANALYZE lineitem');
my $first = $node->safe_psql('postgres', $stats);
is(scalar(split /\n/, $first), 5, 'ANALYZE gathers statistics for every column');
$node->safe_psql('postgres', 'ANALYZE lineitem');
is($node->safe_psql('postgres', $stats), $first, 'ANALYZE again gives the same statistics');

$node->stop;
done_testing();
