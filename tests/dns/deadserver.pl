#!/usr/bin/perl
# deadserver.pl - a "resolver" that never answers: binds UDP and TCP on
# 127.0.0.1 (same port), reads every datagram and accepts every connection,
# and replies to nothing. A client sees a timeout, not "connection refused".
# Needs only perl-base.
#
#   perl deadserver.pl PORTFILE
#
# Writes the port to PORTFILE (atomically, via PORTFILE.tmp) once both
# sockets are bound, then runs until killed (SIGTERM).
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my $portfile = shift or die "usage: deadserver.pl PORTFILE\n";
my ($udp, $tcp);
for (1 .. 50) {
	$udp = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
		Proto => 'udp') or die "deadserver: udp: $!\n";
	$tcp = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
		LocalPort => $udp->sockport, Proto => 'tcp', Listen => 64,
		ReuseAddr => 1);
	last if $tcp;
	close $udp;
	undef $udp;
}
die "deadserver: no free port\n" unless $tcp;
open my $fh, '>', "$portfile.tmp" or die "deadserver: $portfile.tmp: $!\n";
print $fh $udp->sockport, "\n";
close $fh;
rename "$portfile.tmp", $portfile or die "deadserver: rename: $!\n";

$SIG{TERM} = $SIG{INT} = $SIG{HUP} = sub { exit 0 };
my $sel = IO::Select->new($udp, $tcp);
my $buf;
while (1) {
	for my $fh ($sel->can_read) {
		if ($fh == $udp) {
			$udp->recv($buf, 65535);	# read, never answer
		} elsif ($fh == $tcp) {
			my $c = $tcp->accept;
			$sel->add($c) if $c;	# hold it open, never answer
		} else {
			my $n = sysread($fh, $buf, 65535);
			if (!$n) { $sel->remove($fh); close $fh; }
		}
	}
}
