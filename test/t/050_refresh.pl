# Update sets through tpch_export (dbgen's bytes and names), and RF1/RF2
# cancelled midway: the tables are as before, and the cancel takes effect
# within a second.
use strict;
use warnings;

use Digest::SHA;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

# sha256 of dbgen 3.0.1 -U (test/update_fingerprints.tsv)
my %dbgen = (
	'0.1/orders.tbl.u1' => 'd3b2058d4272061397f7703d124c8d655828af28a1f5a7794059b784951667e4',
	'0.1/lineitem.tbl.u1' => 'e614315aa7582368b43ae671fdcf9dbd260f3c290a47c5699be6f92f7906c564',
	'0.1/delete.1' => '95c553661f5a725fc43188c05770f1789da9ee7a48b070b1de81f1f322a906ba',
	'0.1/orders.tbl.u2' => 'a3d7f5052a691645365d8e619c34d80ba038e281ba95b6ec8f0bbb74f0fb1505',
	'0.1/lineitem.tbl.u2' => '3552229150e47cf7269408c860013cea959ac8fb2a30cbf30e2c14557bff5cfd',
	'0.1/delete.2' => '0cd81f4bf811d5bc739a9b04a4045feda7f5fff790e3b63f1417d566930a6e4d',
	'1/orders.tbl.u1' => '9959cc8fc853d82cc8a424828af2ea4c3a9e9b36f3ec4b0fece52f130a26a8aa',
	'1/lineitem.tbl.u1' => 'bd924b1d723f906ca63f8b76e8dd19deb7c55374cbb0cc47785c73bb90cdea1f',
	'1/delete.1' => '801d3d83fd0735a07ac9c60c247d93f2233bdd17d1e5ff7a7e9c81629c6cb8b9',);

my $node = PostgreSQL::Test::Cluster->new('refresh');
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

sub sha256_of
{
	my ($file) = @_;
	return Digest::SHA->new(256)->addfile($file, 'b')->hexdigest;
}

# --- export: 'all' of a set writes dbgen's three files, with workers or not
foreach my $case ([ '0.1', 1, 0 ], [ '0.1', 2, 2 ], [ '1', 1, 2 ])
{
	my ($sf, $set, $workers) = @$case;
	my $dir = "$tmp/sf$sf-$set";
	mkdir $dir;
	my $out = $node->safe_psql('postgres',
		"SELECT file, rows FROM tpch_export('all', '$dir', sf => $sf, format => 'tbl', "
		  . "set => $set, workers => $workers)");
	is(scalar(split /\n/, $out), 3, "SF $sf set $set: three files");
	foreach my $f ("orders.tbl.u$set", "lineitem.tbl.u$set", "delete.$set")
	{
		is(sha256_of("$dir/$f"), $dbgen{"$sf/$f"},
			"SF $sf set $set: export of $f is dbgen's ($workers workers)");
	}
}
# one file of a set, compressed: the same bytes once unpacked
$node->safe_psql('postgres',
	"SELECT tpch_export('lineitem_u', '$tmp/l.zst', sf => 1, format => 'tbl', "
	  . "set => 1, compression => 'zstd')");
system("zstd -dq '$tmp/l.zst' -o '$tmp/l'") == 0 or die 'zstd failed';
is(sha256_of("$tmp/l"), $dbgen{'1/lineitem.tbl.u1'}, 'lineitem_u compressed');

# --- cancel: base tables at SF 0.01; RF1 of SF 1000's set 1 (1.5 million
# orders) takes long enough to be cancelled in the middle of its inserts
$node->safe_psql('postgres', q{
	CREATE TABLE orders AS SELECT * FROM tpch_orders(0.01);
	CREATE TABLE lineitem AS SELECT * FROM tpch_lineitem(0.01);
});
my $before = q{SELECT (SELECT count(*) FROM orders) || '/' || (SELECT count(*) FROM lineitem)
	|| '/' || (SELECT sum(o_totalprice) FROM orders)};
my $state = $node->safe_psql('postgres', $before);
is($state, '15000/60175/2127396830.02', 'base tables at SF 0.01');

# Runs $call in a background session, cancels it once $ready holds, and
# returns the seconds the cancel took.
sub cancel_during
{
	my ($call, $ready) = @_;
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	$bg->{stdin} .= "$call;\n";
	$bg->{run}->pump_nb;
	$node->poll_query_until('postgres', $ready =~ s/\$pid/$pid/gr)
	  or die "not ready: $ready";
	my $start = time;
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	$node->poll_query_until('postgres',
		"SELECT state = 'idle' FROM pg_stat_activity WHERE pid = $pid")
	  or die 'the call did not stop';
	my $elapsed = time - $start;
	$bg->quit;
	return $elapsed;
}

# while the orders are being inserted (the set's rows are generated)
my $elapsed = cancel_during(
	'CALL tpch_rf1(set => 1, sf => 1000)', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE pid = $pid AND query LIKE 'CALL%' AND state = 'active'
	  AND wait_event IS NULL AND now() - query_start > interval '2 s'});
note(sprintf('RF1 cancelled after %.2f s', $elapsed));
cmp_ok($elapsed, '<', 1.0, 'RF1 stops within a second of the cancel');
is($node->safe_psql('postgres', $before), $state, 'cancelled RF1 changed nothing');

# after the orders are in, while the lines wait on a lock: all or nothing
$node->safe_psql('postgres', 'CREATE TABLE gate (x int)');
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN; LOCK TABLE gate');
$node->safe_psql('postgres', q{
	CREATE FUNCTION wait_gate() RETURNS trigger LANGUAGE plpgsql AS
	$$BEGIN PERFORM FROM gate; RETURN NULL; END$$;
	CREATE TRIGGER wait_gate BEFORE INSERT ON lineitem
	FOR EACH STATEMENT EXECUTE FUNCTION wait_gate();
});
$elapsed = cancel_during(
	'CALL tpch_rf1(set => 2, sf => 0.01)', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE pid = $pid AND wait_event_type = 'Lock'});
$holder->quit;
is($node->safe_psql('postgres', $before), $state,
	'RF1 cancelled between its orders and its lines changed nothing');
$node->safe_psql('postgres', 'DROP TRIGGER wait_gate ON lineitem');

# RF2 cancelled while it deletes: nothing deleted
$node->safe_psql('postgres', 'CALL tpch_rf1(set => 2, sf => 0.01)');
$state = $node->safe_psql('postgres', $before);
$holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN; LOCK TABLE gate');
$node->safe_psql('postgres', q{
	CREATE TRIGGER wait_gate BEFORE DELETE ON orders
	FOR EACH STATEMENT EXECUTE FUNCTION wait_gate();
});
cancel_during(
	'CALL tpch_rf2(set => 2, sf => 0.01)', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE pid = $pid AND wait_event_type = 'Lock'});
$holder->quit;
is($node->safe_psql('postgres', $before), $state, 'cancelled RF2 deleted nothing');

$node->stop;
done_testing();
