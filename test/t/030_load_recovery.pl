# tpch_load's tables survive a crash after the commit and vanish with one
# before it; a streaming standby sees the same rows; under wal_level =
# minimal (no WAL for the new files, synced at the commit) and replica
# (whole pages in the WAL); unlogged tables are reset by a crash.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use TpchgenTest;

my @tables = qw(region nation supplier part partsupp customer orders lineitem);

# One fingerprint per table: the md5 of its rows as text, in text order.
sub fingerprints
{
	my ($node, $schema) = @_;
	return $node->safe_psql(
		'postgres', 'SELECT * FROM (' . join(
			"\nUNION ALL ",
			map {
				"SELECT '$_', count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM $schema.$_ t"
			} @tables) . ') f ORDER BY 1');
}

sub expected
{
	my ($node) = @_;
	return $node->safe_psql(
		'postgres', 'SELECT * FROM (' . join(
			"\nUNION ALL ",
			map {
				"SELECT '$_', count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM tpch_$_(sf => 0.01) t"
			} @tables) . ') f ORDER BY 1');
}

# Loads SF 0.01 into a schema in a session that stays open, uncommitted.
sub start_uncommitted_load
{
	my ($node, $schema, $out) = @_;
	my $in = "BEGIN;\nSELECT count(*) FROM tpch_load(sf => 0.01, schema => '$schema');\nSELECT 'loaded';\n";
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-At', '-d', $node->connstr('postgres') ],
		'<', \$in, '>', $out, '2>', \my $err);
	my $timer = IPC::Run::timer($PostgreSQL::Test::Utils::timeout_default);
	$timer->start;
	$h->pump until $$out =~ /loaded/ || $timer->is_expired;
	return $h;
}

for my $wal_level (qw(replica minimal))
{
	my $node = load_node(
		"load_$wal_level",
		init => { allows_streaming => $wal_level eq 'replica' ? 1 : 0 },
		conf => qq(wal_level = $wal_level
max_wal_senders = @{[ $wal_level eq 'replica' ? 10 : 0 ]}
));
	my $want = expected($node);

	my $standby;
	if ($wal_level eq 'replica')
	{
		$node->backup('before');
		$standby = PostgreSQL::Test::Cluster->new('load_standby');
		$standby->init_from_backup($node, 'before', has_streaming => 1);
		$standby->start;
	}

	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'serial', workers => 0)");
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'par', workers => 2, keys => 'foreign')");
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'unl', tables => '{region,orders}', unlogged => true)");
	is(fingerprints($node, 'serial'), $want, "$wal_level: the loaded tables are dbgen's rows");
	is(fingerprints($node, 'par'), $want, "$wal_level: with two workers too");

	if ($standby)
	{
		$node->wait_for_catchup($standby);
		is(fingerprints($standby, 'serial'), $want, 'a streaming standby sees the same rows');
		is(fingerprints($standby, 'par'), $want, 'loaded with workers too');
		is( $standby->safe_psql(
				'postgres',
				"SET enable_seqscan = off; SET enable_bitmapscan = off;
				 SELECT count(*) FROM par.orders WHERE o_orderkey < 1000"),
			'255',
			'the standby answers from the replicated index');
		$standby->stop;

		# pg_basebackup taken after the load: the files and their WAL
		$node->backup('after');
		my $restored = PostgreSQL::Test::Cluster->new('load_restored');
		$restored->init_from_backup($node, 'after');
		$restored->start;
		is(fingerprints($restored, 'par'), $want, 'a base backup taken after the load has the same rows');
		$restored->stop;
	}

	# A load left uncommitted, then a crash: no table after recovery.
	my $out = '';
	my $h = start_uncommitted_load($node, 'pending', \$out);
	like($out, qr/^8$/m, "$wal_level: the uncommitted load is done");
	$node->stop('immediate');
	$h->finish;
	$node->start;

	is(fingerprints($node, 'serial'), $want,
		"$wal_level: a crash after the commit keeps every row");
	is(fingerprints($node, 'par'), $want, "$wal_level: with two workers too");
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM pg_namespace WHERE nspname = 'pending'"),
		'0', "$wal_level: a crash before the commit leaves no schema and no table");
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM unl.region UNION ALL SELECT count(*) FROM unl.orders"),
		"0\n0", "$wal_level: a crash empties the unlogged tables");
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM pg_constraint WHERE connamespace = 'par'::regnamespace AND convalidated AND contype <> 'n'"),
		'18', "$wal_level: the keys are there and valid");

	# The rows are frozen and the visibility map is set after recovery too.
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_visibility');
	is($node->safe_psql('postgres',
			"SELECT all_visible = all_frozen AND all_frozen = pg_relation_size('par.lineitem') / 8192
			 FROM pg_visibility_map_summary('par.lineitem')"),
		't', "$wal_level: every page all-visible and all-frozen after recovery");

	# A clean restart keeps unlogged rows.
	$node->safe_psql('postgres',
		"SELECT * FROM tpch_load(sf => 0.01, schema => 'unl', tables => '{region,orders}',
		                         unlogged => true, if_exists => 'replace')");
	$node->restart;
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM unl.region UNION ALL SELECT count(*) FROM unl.orders"),
		"5\n15000", "$wal_level: a clean restart keeps the unlogged rows");
	$node->stop;
}

done_testing();
