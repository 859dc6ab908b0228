# tpch_load_distributed over postgres_fdw: a coordinator and two nodes on
# Unix sockets.  The coordinator's tables hold dbgen's rows and give the
# validation answers; each partition's rows lie in its bounds, so orders and
# lineitem joins go to the nodes partition-wise; a failing node leaves
# nothing anywhere; bad arguments are errors with a SQLSTATE and a hint.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

my @tables = qw(region nation supplier part partsupp customer orders lineitem);
my %key = (
	supplier => 's_suppkey',
	part => 'p_partkey',
	partsupp => 'ps_partkey',
	customer => 'c_custkey',
	orders => 'o_orderkey',
	lineitem => 'l_orderkey');

my $coord = PostgreSQL::Test::Cluster->new('coord');
my @nodes = map { PostgreSQL::Test::Cluster->new("n$_") } 1 .. 2;
for my $node ($coord, @nodes)
{
	$node->init;
	$node->append_conf('postgresql.conf', "max_parallel_workers_per_gather = 0\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');
}
my $user = $coord->safe_psql('postgres', 'SELECT current_user');
$coord->safe_psql('postgres', 'CREATE EXTENSION postgres_fdw');
for my $i (1 .. 2)
{
	my $n = $nodes[ $i - 1 ];
	my ($host, $port) = ($n->host, $n->port);
	$coord->safe_psql(
		'postgres', qq(
		CREATE SERVER n$i FOREIGN DATA WRAPPER postgres_fdw
			OPTIONS (host '$host', port '$port', dbname 'postgres');
		CREATE USER MAPPING FOR CURRENT_USER SERVER n$i OPTIONS (user '$user');
	));
}

my $want = table_fingerprints($coord, sub { "tpch_$_[0](sf => 0.01)" });

my $rows = $coord->safe_psql('postgres',
	"SELECT coalesce(server, 'local'), table_name, rows FROM tpch_load_distributed(sf => 0.01, servers => ARRAY['n1', 'n2'], schema => 'dist') ORDER BY 1, 2");
like($rows, qr/^local\|nation\|25$/m, 'nation is loaded on the coordinator');
like($rows, qr/^n1\|orders\|7500$/m,  'the first node holds half the orders');
like($rows, qr/^n2\|region\|5$/m,     'every node holds region whole');
is(scalar(() = $rows =~ /\n/g) + 1, 2 + 2 * 8, 'a row per node and table');

is(table_fingerprints($coord, sub { "dist.$_[0]" }), $want,
	'the distributed tables hold dbgen\'s rows');
is($coord->safe_psql('postgres',
		"SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)
		 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		 WHERE i.inhparent = 'dist.orders'::regclass"),
	'orders_p1:f,orders_p2:f', 'orders is partitioned over two foreign tables');
is($nodes[1]->safe_psql('postgres',
		"SELECT count(*) FROM pg_constraint WHERE conrelid = 'dist.lineitem'::regclass AND contype = 'p'"),
	'1', 'the nodes have the primary keys');

# Every partition's rows lie within its bounds (the node counts them).
for my $t (sort keys %key)
{
	my $k = $key{$t};
	for my $p (split /\n/, $coord->safe_psql(
		'postgres', qq(
		SELECT c.relname || ' ' || array_to_string(regexp_match(pg_get_expr(c.relpartbound, c.oid),
			'FROM \\(''?(\\d+)''?\\) TO \\(''?(\\d+)''?\\)'), ' ')
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'dist.$t'::regclass ORDER BY 1)))
	{
		my ($rel, $lo, $hi) = split / /, $p;
		is($coord->safe_psql('postgres',
				"SELECT count(*) FROM dist.$rel WHERE NOT ($k >= $lo AND $k < $hi)"),
			'0', "$rel: every row lies in its bounds [$lo, $hi)");
	}
}
is($coord->safe_psql('postgres',
		"SELECT count(*) FROM dist.orders_p1 o JOIN dist.lineitem_p2 l ON l_orderkey = o_orderkey"),
	'0', 'orders and lineitem part 1 hold the same orders');

my $plan = $coord->safe_psql('postgres', qq(
	SET enable_partitionwise_join = on;
	SET enable_partitionwise_aggregate = on;
	EXPLAIN (VERBOSE, COSTS OFF)
	SELECT o_orderpriority, count(*) FROM dist.orders JOIN dist.lineitem ON l_orderkey = o_orderkey
	GROUP BY o_orderkey, o_orderpriority));
like($plan, qr/Relations: Aggregate on \(\(dist\.orders_p1 orders(_\d+)?\) INNER JOIN \(dist\.lineitem_p1 lineitem(_\d+)?\)\)/,
	'the join and its aggregate go to the node, partition by partition');

my $check = $coord->safe_psql('postgres',
	"SET search_path = dist, public; SELECT count(*) FILTER (WHERE ok), string_agg(detail, '; ') FILTER (WHERE NOT ok) FROM tpch_check(sf => 0.01)");
is($check, '22|', 'the 22 validation queries on the coordinator give the answers');

# A failing node: the second node's load stops on a table in its way.
$nodes[1]->safe_psql('postgres', 'CREATE SCHEMA fail; CREATE TABLE fail.lineitem ()');
my ($ret, $out, $err) = $coord->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT * FROM tpch_load_distributed(sf => 0.01, servers => ARRAY['n1', 'n2'], schema => 'fail')");
isnt($ret, 0, 'a failing node fails the call');
like($err, qr/ERROR:  42P07: .*lineitem.*already exists/, 'with the node\'s error and SQLSTATE');
like($err, qr/part 2 of 2 on server "n2"/, 'naming the node');
is($nodes[0]->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'fail')") . '|'
	  . $nodes[0]->safe_psql('postgres', "SELECT count(*) FROM pg_namespace WHERE nspname = 'fail'") . '|'
	  . $coord->safe_psql('postgres', "SELECT count(*) FROM pg_namespace WHERE nspname = 'fail'"),
	'0|0|0', 'nothing is left on the other node or the coordinator');
is($nodes[1]->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relnamespace = 'fail'::regnamespace"),
	'1', 'the failing node keeps only what it had');

# Rolled back on the coordinator after the nodes succeeded: nothing stays.
$coord->safe_psql('postgres',
	"BEGIN; SELECT count(*) FROM tpch_load_distributed(sf => 0.01, servers => ARRAY['n1', 'n2'], schema => 'rb'); ROLLBACK");
is(join('|', map { $_->safe_psql('postgres', "SELECT count(*) FROM pg_namespace WHERE nspname = 'rb'") } $coord, @nodes),
	'0|0|0', 'a rolled-back call leaves nothing on any node');

# A cancel (here statement_timeout) while the nodes load: the nodes'
# statements are cancelled too, and nothing is left anywhere.
{
	my ($r, $o, $e) = $coord->psql('postgres',
		"SET statement_timeout = '1s'; SELECT * FROM tpch_load_distributed(sf => 1, servers => ARRAY['n1', 'n2'], schema => 'cx')");
	like($e, qr/canceling statement due to statement timeout/, 'a cancel stops the call');
	for my $n (@nodes)
	{
		ok($n->poll_query_until('postgres',
				"SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE '%tpch_load(%' AND pid <> pg_backend_pid()"),
			$n->name . ': the node\'s load stops too');
	}
	is(join('|', map { $_->safe_psql('postgres', "SELECT count(*) FROM pg_namespace WHERE nspname = 'cx'") } $coord, @nodes),
		'0|0|0', 'a cancelled call leaves nothing on any node');
}

# Bad arguments.
$coord->safe_psql('postgres', qq(
	CREATE SERVER nomap FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'postgres');
	CREATE SERVER gen FOREIGN DATA WRAPPER tpchgen;
	CREATE USER MAPPING FOR CURRENT_USER SERVER gen;
));
for my $case (
	[ "ARRAY['n1', 'nx']", '42704', 'server "nx" does not exist', 'unknown server' ],
	[ "ARRAY['n1', 'n1']", '42710', 'named more than once', 'duplicate servers' ],
	[ "ARRAY['n1', 'nomap']", '42704', 'no user mapping', 'no user mapping' ],
	[ "ARRAY['gen']", '42809', 'not a postgres_fdw server', 'another wrapper' ],
	[ "'{}'", '22023', 'at least one server', 'no server' ],
	[ 'NULL', '22004', 'servers must not be null', 'servers NULL' ])
{
	my ($servers, $state, $msg, $what) = @$case;
	my ($r, $o, $e) = $coord->psql('postgres',
		"\\set VERBOSITY verbose\nSELECT * FROM tpch_load_distributed(sf => 0.01, servers => $servers, schema => 'bad')");
	like($e, qr/ERROR:  $state: .*\Q$msg\E.*\n(.*\n)*HINT:  /, "$what: SQLSTATE $state and a hint");
}
my ($r, $o, $e) = $coord->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT * FROM tpch_load_distributed(sf => 0.01, servers => ARRAY['n1', 'n2'], schema => 'dist')");
like($e, qr/ERROR:  42P07: .*\n(.*\n)*HINT:  .*if_exists/, 'existing tables: SQLSTATE 42P07 and a hint');

# A caller who is not a superuser must connect with a password the node
# asks for (the nodes here trust local connections, so none is asked).
$coord->safe_psql('postgres', qq(
	CREATE ROLE alice LOGIN;
	GRANT CREATE ON DATABASE postgres TO alice;
	GRANT USAGE ON FOREIGN SERVER n1 TO alice;
	CREATE USER MAPPING FOR alice SERVER n1 OPTIONS (user 'alice');
));
$nodes[0]->safe_psql('postgres', 'CREATE ROLE alice LOGIN; GRANT CREATE ON DATABASE postgres TO alice');
($r, $o, $e) = $coord->psql('postgres',
	"\\set VERBOSITY verbose\nSET ROLE alice;\nSELECT * FROM tpch_load_distributed(sf => 0.01, servers => ARRAY['n1'], schema => 'alice')");
like($e, qr/ERROR:  2F003: password is required to connect to server "n1"\n(.*\n)*HINT:  /,
	'a non-superuser without a password: SQLSTATE 2F003 and a hint');
is($nodes[0]->safe_psql('postgres', "SELECT count(*) FROM pg_namespace WHERE nspname = 'alice'"),
	'0', 'and nothing is made on the node');

$coord->safe_psql('postgres',
	"SELECT count(*) FROM tpch_load_distributed(sf => 0.01, servers => ARRAY['n1', 'n2'], schema => 'dist', if_exists => 'replace')");
is(table_fingerprints($coord, sub { "dist.$_[0]" }), $want, 'if_exists => replace loads it again');

# SF 0.1 once: row counts and sums per table, and two validation queries.
my %sums = (
	region => 'r_regionkey',
	nation => 'n_nationkey',
	supplier => 's_acctbal',
	part => 'p_retailprice',
	partsupp => 'ps_supplycost',
	customer => 'c_acctbal',
	orders => 'o_totalprice',
	lineitem => 'l_extendedprice');
my $sql01 = sub {
	my ($from) = @_;
	return join("\nUNION ALL ",
		map { "SELECT '$_', count(*), sum($sums{$_}) FROM " . $from->($_) } @tables);
};
$coord->safe_psql('postgres',
	"SELECT count(*) FROM tpch_load_distributed(sf => 0.1, servers => ARRAY['n1', 'n2'], schema => 'sf01', \"analyze\" => false)");
is($coord->safe_psql('postgres', $sql01->(sub { "sf01.$_[0]" })),
	$coord->safe_psql('postgres', $sql01->(sub { "tpch_$_[0](sf => 0.1)" })),
	'SF 0.1: row counts and sums per table equal the generator\'s');
is($coord->safe_psql('postgres',
		"SET search_path = sf01, public; SELECT string_agg(query_nr || ':' || ok, ',') FROM (SELECT * FROM tpch_check(1, sf => 0.1) UNION ALL SELECT * FROM tpch_check(6, sf => 0.1)) c"),
	'1:true,6:true', 'SF 0.1: Q1 and Q6 on the coordinator give the answers');

done_testing();
