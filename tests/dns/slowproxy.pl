#!/usr/bin/perl
# slowproxy.pl - a UDP DNS forwarder that answers late: every query is
# passed to the real server (the test NSD) at once, and its answer held for
# DELAY milliseconds plus a random 0..JITTER, so answers come back in another
# order than the questions went out. Queries whose name matches DROP (a
# Perl regex, case-insensitive) are read and never answered, like a dead
# server for those names only. Needs only perl-base.
#
#   perl slowproxy.pl PORTFILE LOGFILE UPSTREAM_PORT DELAY JITTER SEED [DROP]
#
# Listens on 127.0.0.1 (UDP), forwards to 127.0.0.1:UPSTREAM_PORT; writes
# its port to PORTFILE (via PORTFILE.tmp) once bound, and one line per
# query to LOGFILE ("NAME forwarded" or "NAME dropped"). Runs until killed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($portfile, $logfile, $upport, $delay, $jitter, $seed, $drop) = @ARGV;
die "usage: slowproxy.pl PORTFILE LOGFILE UPSTREAM_PORT DELAY JITTER SEED [DROP]\n"
    unless defined $seed;
srand($seed);
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	Proto => 'udp') or die "slowproxy: udp: $!\n";
open my $log, '>>', $logfile or die "slowproxy: $logfile: $!\n";
$log->autoflush(1);
open my $fh, '>', "$portfile.tmp" or die "slowproxy: $portfile.tmp: $!\n";
print $fh $srv->sockport, "\n";
close $fh;
rename "$portfile.tmp", $portfile or die "slowproxy: rename: $!\n";
$SIG{TERM} = $SIG{INT} = $SIG{HUP} = sub { exit 0 };

# qname - the question's name from a DNS message (RFC 1035 4.1.2).
sub qname {
	my ($m) = @_;
	my ($off, @l) = (12);
	while ($off < length $m) {
		my $n = ord substr($m, $off, 1);
		last if $n == 0 || $n >= 64;
		push @l, substr($m, $off + 1, $n);
		$off += $n + 1;
	}
	return join('.', @l);
}

my $sel = IO::Select->new($srv);
my %up;		# upstream socket -> client address
my @held;	# [due time, client address, answer]
my $buf;
while (1) {
	@held = sort { $a->[0] <=> $b->[0] } @held;
	my $wait = @held ? $held[0][0] - time : undef;
	$wait = 0 if defined $wait && $wait < 0;
	for my $s ($sel->can_read($wait)) {
		if ($s == $srv) {
			my $from = $srv->recv($buf, 65535);
			next unless defined $from;
			my $name = qname($buf);
			if (defined $drop && $drop ne '' && $name =~ /$drop/i) {
				print $log "$name dropped\n";
				next;
			}
			print $log "$name forwarded\n";
			my $u = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
			    PeerPort => $upport, Proto => 'udp') or next;
			$u->send($buf);
			$up{$u} = [$u, $from];
			$sel->add($u);
		} else {
			my $c = delete $up{$s};
			$sel->remove($s);
			next unless $c;
			$s->recv($buf, 65535);
			close $s;
			push @held, [time + ($delay + rand($jitter)) / 1000,
			    $c->[1], $buf];
		}
	}
	my $now = time;
	while (@held && $held[0][0] <= $now) {
		my $h = shift @held;
		$srv->send($h->[2], 0, $h->[1]);
	}
}
