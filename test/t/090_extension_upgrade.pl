# ALTER EXTENSION tpchgen UPDATE from 0.1.0 gives the objects of a fresh
# install of the default version, with the same definitions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

my $default = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'tpchgen'");
isnt($default, '0.1.0', 'the default version is newer than 0.1.0');

$node->safe_psql('postgres', 'CREATE DATABASE updated');
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('updated', "CREATE EXTENSION tpchgen VERSION '0.1.0'");
is($node->safe_psql('updated',
		"SELECT extversion FROM pg_extension WHERE extname = 'tpchgen'"),
	'0.1.0', 'version 0.1.0 installs');
$node->safe_psql('updated', 'ALTER EXTENSION tpchgen UPDATE');
$node->safe_psql('fresh', 'CREATE EXTENSION tpchgen');
is($node->safe_psql('updated',
		"SELECT extversion FROM pg_extension WHERE extname = 'tpchgen'"),
	$default, "ALTER EXTENSION UPDATE reaches $default");

# The extension's members, as \dx+ lists them.
my $members = q{
	SELECT pg_describe_object(classid, objid, objsubid)
	FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tpchgen')
	ORDER BY 1};
my $fresh_members = $node->safe_psql('fresh', $members);
like($fresh_members, qr/^function tpch_lineitem\(/m, 'the member list is not empty');
is($node->safe_psql('updated', $members), $fresh_members,
	'the same member objects as a fresh install');
is($node->safe_psql('updated', '\dx+ tpchgen'), $node->safe_psql('fresh', '\dx+ tpchgen'),
	'the same \dx+ output');

# And the same definitions: functions, the row types' columns, the wrapper.
my $definitions = q{
	SELECT concat_ws(' | ', p.oid::regprocedure, pg_get_function_arguments(p.oid),
		pg_get_function_result(p.oid), p.provolatile, p.proparallel, p.proisstrict,
		p.prorows, p.procost, p.prosupport::regproc, p.prosrc, p.probin, p.proacl)
	FROM pg_proc p
	WHERE p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'tpchgen')
	UNION ALL
	SELECT concat_ws(' | ', t.typname, a.attnum, a.attname,
		format_type(a.atttypid, a.atttypmod))
	FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid
	WHERE t.typname LIKE 'tpch\_%' AND a.attnum > 0
	UNION ALL
	SELECT concat_ws(' | ', fdwname, fdwhandler::regproc, fdwvalidator::regproc, fdwoptions)
	FROM pg_foreign_data_wrapper
	ORDER BY 1};
is($node->safe_psql('updated', $definitions), $node->safe_psql('fresh', $definitions),
	'the same function, type and wrapper definitions');

# The updated extension works.
is($node->safe_psql('updated', 'SELECT count(*) FROM tpch_nation()'), '25',
	'the updated extension generates rows');

$node->stop;
done_testing();
