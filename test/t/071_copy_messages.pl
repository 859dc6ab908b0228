# The COPY fast path sends the protocol messages of PostgreSQL's own COPY
# TO STDOUT, not only its bytes: one CopyData message per row (the binary
# header inside the first row's, the trailer alone), however the rows are
# batched into the socket.  A client that reads message by message (as
# PQgetCopyData callers may) sees no difference.  The protocol is spoken
# here over the Unix socket, so that every message's boundaries show.
use strict;
use warnings;

use IO::Socket::UNIX;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('copy_messages');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tpchgen');
my $user = getpwuid($<);

# Reads one backend message: (type, body).
sub read_message
{
	my ($sock) = @_;
	my $head = '';
	while (length($head) < 5)
	{
		my $got = sysread($sock, $head, 5 - length($head), length($head));
		die "connection closed" unless $got;
	}
	my ($type, $len) = unpack('a1 N', $head);
	my $body = '';
	while (length($body) < $len - 4)
	{
		my $got = sysread($sock, $body, $len - 4 - length($body), length($body));
		die "connection closed" unless $got;
	}
	return ($type, $body);
}

# Runs $sql in a new session whose options are $options, and returns the
# types of every message up to ReadyForQuery, and the CopyData bodies.
sub copy_messages
{
	my ($options, $sql) = @_;
	my $sock = IO::Socket::UNIX->new(
		Type => SOCK_STREAM(),
		Peer => $node->host . '/.s.PGSQL.' . $node->port)
	  or die "cannot connect: $!";
	my $startup = pack('N', 196608)
	  . join('', map { "$_\0" } user => $user, database => 'postgres',
		options => $options)
	  . "\0";
	syswrite($sock, pack('N', 4 + length($startup)) . $startup);
	for (;;)
	{
		my ($type, $body) = read_message($sock);
		die "startup failed: $body" if $type eq 'E';
		last if $type eq 'Z';
	}
	syswrite($sock, 'Q' . pack('N', 5 + length($sql)) . "$sql\0");
	my (@types, @data);
	for (;;)
	{
		my ($type, $body) = read_message($sock);
		die "query failed: $body" if $type eq 'E';
		push @types, $type unless $type eq 'd' && @types && $types[-1] eq 'd';
		push @data, $body if $type eq 'd';
		last if $type eq 'Z';
	}
	syswrite($sock, 'X' . pack('N', 4));
	close($sock);
	return (join(' ', @types), \@data);
}

foreach my $case (
	[ 'tpch_lineitem(sf => 0.01)', '(FORMAT csv)' ],
	[ 'tpch_lineitem(sf => 0.01)', '' ],
	[ 'tpch_orders(sf => 0.01)', '(FORMAT binary)' ],
	[ 'tpch_region()', '(FORMAT csv, HEADER)' ],
	[ 'tpch_region()', '(FORMAT binary)' ])
{
	my ($source, $options) = @$case;
	my $sql = "COPY (SELECT * FROM $source) TO STDOUT $options";
	my ($fast_types, $fast) = copy_messages('-c tpchgen.copy_fast_path=on', $sql);
	my ($slow_types, $slow) = copy_messages('-c tpchgen.copy_fast_path=off', $sql);
	is($fast_types, $slow_types, "$source $options: the same messages");
	is(scalar(@$fast), scalar(@$slow), "$source $options: as many CopyData messages");
	my $first_difference = -1;
	for my $i (0 .. $#$slow)
	{
		next if defined $fast->[$i] && $fast->[$i] eq $slow->[$i];
		$first_difference = $i;
		last;
	}
	is($first_difference, -1, "$source $options: every CopyData message is COPY's");
}

# One message per row: as many as rows, plus the binary trailer's.
my ($types, $data) = copy_messages('',
	'COPY (SELECT * FROM tpch_orders(sf => 0.01)) TO STDOUT (FORMAT binary)');
is(scalar(@$data), 15000 + 1, 'binary: one CopyData per row and the trailer');
($types, $data) = copy_messages('',
	'COPY (SELECT * FROM tpch_lineitem(sf => 0.01)) TO STDOUT');
is(scalar(grep { /\n\z/ && index($_, "\n") == length($_) - 1 } @$data),
	60175, 'text: one line per CopyData message');

$node->stop;
done_testing();
