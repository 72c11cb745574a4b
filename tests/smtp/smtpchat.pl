#!/usr/bin/perl
# smtpchat.pl - a plain SMTP client for the test harness (perl-base only).
# usage: smtpchat.pl [-P PORT] [-p] [-w SEC] HOST[:PORT] CMD...
# Reads the banner, sends each CMD (CRLF added) and prints what happened:
#   "S: <line>" every server line, "C: <cmd>" every command sent,
#   "EOF" when the server closed, "TIMEOUT" after SEC s (default 5) without
#   a complete reply, "REFUSED" / "ERROR <why>" when the connection failed.
# -p: the banner is read, the first CMD is sent alone and answered, then
# all the others go in ONE write and their replies are read in order
# (RFC 2920 pipelining). A CMD "sleep:SEC" waits SEC s instead of sending.
# Exit: 0 (whatever the replies), 2 refused/failed connect.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($port, $pipe, $wait) = (25, 0, 5);
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift;
	if ($o eq '-P') { $port = shift }
	elsif ($o eq '-p') { $pipe = 1 }
	elsif ($o eq '-w') { $wait = shift }
	else { die "usage: smtpchat.pl [-P PORT] [-p] [-w SEC] HOST[:PORT] CMD...\n" }
}
my $host = shift or die "usage: smtpchat.pl [-P PORT] [-p] [-w SEC] HOST[:PORT] CMD...\n";
($host, $port) = ($1, $2) if $host =~ /^(.*):(\d+)$/;
$| = 1;
my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
	Proto => 'tcp', Timeout => $wait);
if (!$s) {
	print $! =~ /refused/i ? "REFUSED\n" : "ERROR $!\n";
	exit 2;
}
binmode $s;
my $sel = IO::Select->new($s);
my $buf = '';
my $closed = 0;

# one complete reply (all its lines); returns 0 on EOF/timeout
sub reply {
	my $end = time + $wait;
	for (;;) {
		while ($buf =~ s/^([^\n]*)\n//) {
			my $l = $1;
			$l =~ s/\r$//;
			print "S: $l\n";
			return 1 if $l !~ /^\d{3}-/;
		}
		if ($closed) { print "EOF\n"; return 0 }
		my $left = $end - time;
		if ($left <= 0 || !$sel->can_read($left)) { print "TIMEOUT\n"; return 0 }
		my $n = sysread($s, my $chunk, 65536);
		if (!$n) { $closed = 1; next }
		$buf .= $chunk;
	}
}

sub send_cmds {
	my $out = join '', map { "$_\r\n" } @_;
	print "C: $_\n" for @_;
	local $SIG{PIPE} = 'IGNORE';
	syswrite($s, $out) or do { print "ERROR write: $!\n"; return 0 };
	return 1;
}

exit 0 unless reply();
my @cmds = @ARGV;
if ($pipe && @cmds) {
	my $first = shift @cmds;
	send_cmds($first) && reply() or exit 0;
	send_cmds(@cmds) or exit 0;
	for (@cmds) { reply() or last }
} else {
	for my $c (@cmds) {
		if ($c =~ /^sleep:([\d.]+)$/) { select undef, undef, undef, $1; next }
		send_cmds($c) && reply() or last;
	}
}
# whatever else the server sent, unasked (e.g. after STARTTLS), or sends
# within 0.2 s
if (!$closed && $sel->can_read(0.2)) {
	my $n = sysread($s, my $chunk, 65536);
	if ($n) { $buf .= $chunk } else { $closed = 1 }
}
print "S: $_\n" for map { s/\r$//r } split /\n/, $buf;
print "EOF\n" if $closed;
exit 0;
