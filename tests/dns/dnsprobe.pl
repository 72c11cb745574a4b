#!/usr/bin/perl
# dnsprobe.pl - send one DNS query and print the header of the answer.
# Needs only perl-base (Debian "Priority: required"), so the DNS tests can
# check the server without dig.
#
#   perl dnsprobe.pl [-t] [-e SIZE] [-w SECONDS] HOST PORT NAME [TYPE]
#
#   -t        over TCP (default UDP)
#   -e SIZE   add an EDNS0 OPT record with this UDP buffer size
#   -w SEC    how long to wait for the answer (default 2, may be fractional)
#   TYPE      A, AAAA, MX, NS, SOA, TXT, CNAME, ANY or a number (default A)
#
# Prints one line and exits 0:
#   rcode=NOERROR aa=1 tc=0 an=1 ns=1 ar=3 size=88
# Prints "timeout" and exits 2 when nothing arrives in time; exits 1 on any
# other error (message on stderr).
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($tcp, $edns, $wait) = (0, 0, 2);
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift @ARGV;
	if ($o eq '-t') { $tcp = 1 }
	elsif ($o eq '-e') { $edns = shift @ARGV }
	elsif ($o eq '-w') { $wait = shift @ARGV }
	else { die "dnsprobe: unknown option $o\n" }
}
die "usage: dnsprobe.pl [-t] [-e SIZE] [-w SEC] HOST PORT NAME [TYPE]\n" if @ARGV < 3;
my ($host, $port, $name, $type) = @ARGV;
$type = 'A' unless defined $type;
my %types = (A => 1, NS => 2, CNAME => 5, SOA => 6, PTR => 12, MX => 15,
	TXT => 16, AAAA => 28, ANY => 255);
my $qtype = $type =~ /^\d+$/ ? $type : $types{uc $type};
die "dnsprobe: unknown type $type\n" unless defined $qtype;
my @rcodes = qw(NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED YXDOMAIN
	YXRRSET NXRRSET NOTAUTH NOTZONE);

my $id = int(rand(65536));
my $q = pack('n6', $id, 0, 1, 0, 0, $edns ? 1 : 0);
$name =~ s/\.$//;
for my $label (split /\./, $name) {
	die "dnsprobe: bad label in $name\n" if length($label) == 0 || length($label) > 63;
	$q .= pack('C', length $label) . $label;
}
$q .= pack('C n n', 0, $qtype, 1);
$q .= pack('C n n N n', 0, 41, $edns, 0, 0) if $edns;

my $s = IO::Socket::INET->new(
	PeerAddr => $host, PeerPort => $port,
	Proto => $tcp ? 'tcp' : 'udp', Timeout => $wait,
) or do { print "timeout\n"; exit 2 };
my $sel = IO::Select->new($s);
my $buf = '';
if ($tcp) {
	$s->syswrite(pack('n', length $q) . $q) or die "dnsprobe: send: $!\n";
	my $need;
	while (1) {
		$sel->can_read($wait) or do { print "timeout\n"; exit 2 };
		my $n = $s->sysread($buf, 65537, length $buf);
		die "dnsprobe: connection closed\n" unless $n;
		$need = unpack('n', $buf) if !defined $need && length $buf >= 2;
		last if defined $need && length($buf) >= $need + 2;
	}
	$buf = substr($buf, 2, $need);
} else {
	$s->send($q) or die "dnsprobe: send: $!\n";
	while (1) {
		$sel->can_read($wait) or do { print "timeout\n"; exit 2 };
		defined $s->recv($buf, 65535) or do { print "timeout\n"; exit 2 };
		last if length $buf >= 12 && unpack('n', $buf) == $id;
	}
}
die "dnsprobe: short answer\n" if length $buf < 12;
my ($rid, $flags, $qd, $an, $ns, $ar) = unpack('n6', $buf);
my $rc = $flags & 0xf;
printf "rcode=%s aa=%d tc=%d an=%d ns=%d ar=%d size=%d\n",
	$rcodes[$rc] // $rc, ($flags >> 10) & 1, ($flags >> 9) & 1,
	$an, $ns, $ar, length $buf;
exit 0;
