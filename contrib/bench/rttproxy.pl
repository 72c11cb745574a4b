#!/usr/bin/perl
# rttproxy.pl - a TCP forwarder that adds a round-trip time: every chunk
# read from either side is passed on DELAY/2 milliseconds later, in order,
# so a connection through it behaves like one over a WAN link of DELAY ms
# RTT. The TCP handshake's round trip is modelled too: nothing reaches the
# client before 1.5 x DELAY after its connect (handshake, then the
# server's first bytes). Bandwidth is not limited. Needs only
# perl-base. For contrib/bench/smtp.sh; no test depends on it.
#
#   perl rttproxy.pl LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT DELAY_MS PIDFILE
#
# Runs until killed; writes its pid to PIDFILE once listening.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);
use Errno qw(EAGAIN EWOULDBLOCK EINTR);

my ($listen, $up, $rtt, $pidfile) = @ARGV;
die "usage: rttproxy.pl LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT DELAY_MS PIDFILE\n"
    unless defined $pidfile;
my $half = $rtt / 2000.0;
my $srv = IO::Socket::INET->new(LocalAddr => $listen, Listen => 512,
	ReuseAddr => 1, Proto => 'tcp') or die "rttproxy: $listen: $!\n";
$srv->blocking(0);
open my $fh, '>', "$pidfile.tmp" or die "rttproxy: $pidfile.tmp: $!\n";
print $fh "$$\n";
close $fh;
rename "$pidfile.tmp", $pidfile or die "rttproxy: rename: $!\n";
$SIG{TERM} = $SIG{INT} = $SIG{HUP} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';

my $sel = IO::Select->new($srv);
# Per socket: its peer, and the chunks due to be written to it:
# [[due, bytes], ...]; a chunk of undef bytes is the peer's end of file.
my (%peer, %queue, %out, %floor);

sub close_pair {
	my ($s) = @_;
	my @pair = grep { defined } ($s, $peer{$s});
	for my $x (@pair) {
		$sel->remove($x);
		delete $queue{$x};
		delete $out{$x};
		delete $floor{$x};
		delete $peer{$x};
		close $x;
	}
}

while (1) {
	my $now = time;
	my $next = $now + 1;
	# write every chunk that is due, in order
	for my $k (keys %queue) {
		my $q = $queue{$k};
		my $s = $out{$k};
		while (@$q && $q->[0][0] <= $now) {
			my $c = shift @$q;
			if (!defined $c->[1]) {
				shutdown($s, 1);
				next;
			}
			my $off = 0;
			while ($off < length $c->[1]) {
				my $n = syswrite($s, $c->[1], length($c->[1]) - $off,
				    $off);
				if (!defined $n) {
					next if $! == EINTR;
					if ($! == EAGAIN || $! == EWOULDBLOCK) {
						# Not a bandwidth model: wait for room.
						my $w = IO::Select->new($s);
						$w->can_write(1);
						next;
					}
					last;
				}
				$off += $n;
			}
		}
		$next = $q->[0][0] if @$q && $q->[0][0] < $next;
	}
	my $wait = $next - time;
	$wait = 0 if $wait < 0;
	for my $s ($sel->can_read($wait)) {
		if ($s == $srv) {
			while (my $c = $srv->accept) {
				my $u = IO::Socket::INET->new(PeerAddr => $up,
				    Proto => 'tcp');
				if (!$u) {
					close $c;
					next;
				}
				$c->blocking(0);
				$u->blocking(0);
				$peer{$c} = $u;
				$peer{$u} = $c;
				$queue{$c} = [];
				$queue{$u} = [];
				$out{$c} = $c;
				$out{$u} = $u;
				$floor{$c} = time + 3 * $half;
				$sel->add($c, $u);
			}
			next;
		}
		my $p = $peer{$s};
		next unless defined $p;
		my $buf;
		my $due = time + $half;
		$due = $floor{$p} if ($floor{$p} // 0) > $due;
		my $n = sysread($s, $buf, 65536);
		next if !defined $n && ($! == EAGAIN || $! == EINTR);
		if (!$n) {
			# the end (or an error) reaches the other side late too
			push @{$queue{$p}}, [$due, undef];
			$sel->remove($s);
			next;
		}
		push @{$queue{$p}}, [$due, $buf];
	}
	# a pair whose both sides ended and were flushed is done
	my @done;
	for my $k (keys %queue) {
		my $s = $out{$k};
		my $p = $peer{$s};
		next unless defined $p;
		next if $sel->exists($s) || $sel->exists($p);
		next if @{$queue{$k}} || @{$queue{$p} // []};
		push @done, $s;
	}
	for my $s (@done) {
		close_pair($s) if exists $peer{$s};
	}
}
