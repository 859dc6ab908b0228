#!/usr/bin/env perl
# bench/table.pl - turn tab-separated rows into an aligned Markdown table.
#
# The first line is the header; a header cell ending in ":" is right-aligned
# (numbers).  Widths count characters, not bytes, so "×" and "†" line up.
use strict;
use warnings;

binmode STDIN,  ':encoding(UTF-8)';
binmode STDOUT, ':encoding(UTF-8)';

my @rows = map { chomp; [ split /\t/, $_, -1 ] } <STDIN>;
exit 0 unless @rows;

my @right = map { s/:$// ? 1 : 0 } @{ $rows[0] };
my $ncols = @{ $rows[0] };
my @width = (3) x $ncols;
for my $r (@rows) {
	for my $i (0 .. $ncols - 1) {
		$r->[$i] //= '';
		$width[$i] = length $r->[$i] if length $r->[$i] > $width[$i];
	}
}

sub line {
	my ($r) = @_;
	my @cells;
	for my $i (0 .. $ncols - 1) {
		my $pad = ' ' x ($width[$i] - length $r->[$i]);
		push @cells, $right[$i] ? $pad . $r->[$i] : $r->[$i] . $pad;
	}
	return '| ' . join(' | ', @cells) . " |\n";
}

print line($rows[0]);
print '|' . join('|', map { $right[$_] ? '-' x ($width[$_] + 1) . ':' : '-' x ($width[$_] + 2) }
		0 .. $ncols - 1) . "|\n";
print line($_) for @rows[1 .. $#rows];
