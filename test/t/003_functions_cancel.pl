# Cancel and statement_timeout stop a SF 100 scan within a second, in the
# leader and in parallel workers (their row loops check for interrupts).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 4
shared_preload_libraries = 'tpchgen'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');

my $serial = 'SET max_parallel_workers_per_gather = 0;';
my $parallel = 'SET max_parallel_workers_per_gather = 2;';
my $scan = 'SELECT count(*), sum(length(l_comment)) FROM tpch_lineitem(sf => 100)';

# statement_timeout: the error comes back at most a second after it fires.
foreach my $case ([ 'leader', $serial ], [ 'workers', $parallel ])
{
	my ($name, $set) = @$case;
	my $start = time;
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"$set SET statement_timeout = '1s'; $scan");
	my $elapsed = time - $start;
	like($stderr, qr/canceling statement due to statement timeout/,
		"$name: statement_timeout cancels the scan");
	note(sprintf('%s: error after %.2f s', $name, $elapsed));
	cmp_ok($elapsed, '<', 2.0, "$name: stopped within a second of the timeout");
}

# pg_cancel_backend from another session, while workers are generating.
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
$bg->query_safe($parallel);
$bg->{stdin} .= "$scan;\n";
$bg->{run}->pump_nb;
$node->poll_query_until('postgres', qq{SELECT count(*) = 2 FROM pg_stat_activity
	WHERE backend_type = 'parallel worker' AND leader_pid = $pid})
  or die 'parallel workers did not start';
sleep(0.5);

my $start = time;
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
$node->poll_query_until('postgres', qq{SELECT count(*) = 0 FROM pg_stat_activity
	WHERE (pid = $pid AND state = 'active') OR leader_pid = $pid})
  or die 'the scan did not stop';
my $elapsed = time - $start;
note(sprintf('cancel: leader and workers idle after %.2f s', $elapsed));
cmp_ok($elapsed, '<', 1.0, 'cancel stops leader and workers within a second');
$bg->quit;

$node->stop;
done_testing();
