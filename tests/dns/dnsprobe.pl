#!/usr/bin/perl
# dnsprobe.pl - send DNS queries, print the header and answer of each reply.
# Needs only perl-base (Debian "Priority: required"), so the DNS tests need
# no dig.
#
#   perl dnsprobe.pl [-t] [-e SIZE] [-w SEC] HOST PORT NAME [TYPE]
#   perl dnsprobe.pl [-t] [-e SIZE] [-w SEC] HOST PORT NAME TYPE NAME TYPE...
#
#   -t        over TCP (default UDP), one connection per query
#   -e SIZE   add an EDNS0 OPT record with this UDP buffer size
#   -w SEC    how long to wait for each answer (default 2, may be fractional)
#   TYPE      A, AAAA, MX, NS, SOA, TXT, CNAME, PTR, ANY or a number (def. A)
#
# One line per query, in order, e.g.
#   rcode=NOERROR aa=1 tc=0 an=1 ns=1 ar=2 size=97 MX:10:mail.mx-ok.lab.
# i.e. the header, then one token per answer RR: A:ADDR, AAAA:ADDR,
# MX:PREF:HOST, CNAME:NAME, NS:NAME, PTR:NAME, SOA:MNAME, TXT:"..." (spaces as
# _), TYPEnn:LEN for others. "timeout" when nothing came in time, "refused"
# when the port is closed (ICMP unreachable / TCP RST).
# Exit status: 0 if every query got a reply, 2 if one timed out or was
# refused, 1 on a usage or protocol error.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(AF_INET6 inet_ntop);
use Errno qw(ECONNREFUSED);

my ($tcp, $edns, $wait) = (0, 0, 2);
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift @ARGV;
	if ($o eq '-t') { $tcp = 1 }
	elsif ($o eq '-e') { $edns = shift @ARGV }
	elsif ($o eq '-w') { $wait = shift @ARGV }
	else { die "dnsprobe: unknown option $o\n" }
}
die "usage: dnsprobe.pl [-t] [-e SIZE] [-w SEC] HOST PORT NAME [TYPE] [NAME TYPE]...\n"
	if @ARGV < 3;
my ($host, $port, @q) = @ARGV;
push @q, 'A' if @q % 2;
my %types = (A => 1, NS => 2, CNAME => 5, SOA => 6, PTR => 12, MX => 15,
	TXT => 16, AAAA => 28, ANY => 255);
my @rcodes = qw(NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED YXDOMAIN
	YXRRSET NXRRSET NOTAUTH NOTZONE);

my $udp;
my $status = 0;
while (@q) {
	my ($name, $type) = splice @q, 0, 2;
	my $qtype = $type =~ /^\d+$/ ? $type : $types{uc $type};
	die "dnsprobe: unknown type $type\n" unless defined $qtype;
	my $r = ask($name, $qtype);
	$status = 2 if $r =~ /^(timeout|refused)/;
	print "$r\n";
}
exit $status;

sub ask {
	my ($name, $qtype) = @_;
	my $id = int(rand(65536));
	my $q = pack('n6', $id, 0, 1, 0, 0, $edns ? 1 : 0);
	(my $n = $name) =~ s/\.$//;
	for my $label (split /\./, $n) {
		die "dnsprobe: bad label in $name\n"
			if length($label) == 0 || length($label) > 63;
		$q .= pack('C', length $label) . $label;
	}
	$q .= pack('C n n', 0, $qtype, 1);
	$q .= pack('C n n N n', 0, 41, $edns, 0, 0) if $edns;
	my $buf = '';
	if ($tcp) {
		my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
			Proto => 'tcp', Timeout => $wait)
			or return $! == ECONNREFUSED ? 'refused' : 'timeout';
		my $sel = IO::Select->new($s);
		$s->syswrite(pack('n', length $q) . $q) or return 'refused';
		my $need;
		while (1) {
			$sel->can_read($wait) or return 'timeout';
			my $r = $s->sysread($buf, 65537, length $buf);
			return 'refused' unless $r;
			$need = unpack('n', $buf) if !defined $need && length $buf >= 2;
			last if defined $need && length($buf) >= $need + 2;
		}
		$buf = substr($buf, 2, $need);
	} else {
		$udp ||= IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
			Proto => 'udp') or die "dnsprobe: socket: $!\n";
		my $sel = IO::Select->new($udp);
		$udp->send($q) or return $! == ECONNREFUSED ? 'refused' : 'timeout';
		while (1) {
			$sel->can_read($wait) or return 'timeout';
			defined $udp->recv($buf, 65535)
				or return $! == ECONNREFUSED ? 'refused' : 'timeout';
			last if length $buf >= 12 && unpack('n', $buf) == $id;
		}
	}
	die "dnsprobe: short answer\n" if length $buf < 12;
	my (undef, $flags, $qd, $an, $ns, $ar) = unpack('n6', $buf);
	my $rc = $flags & 0xf;
	my $out = sprintf 'rcode=%s aa=%d tc=%d an=%d ns=%d ar=%d size=%d',
		$rcodes[$rc] // $rc, ($flags >> 10) & 1, ($flags >> 9) & 1,
		$an, $ns, $ar, length $buf;
	my $off = 12;
	for (1 .. $qd) { (undef, $off) = dname($buf, $off); $off += 4 }
	for (1 .. $an) {
		last if $off >= length $buf;
		my $owner;
		($owner, $off) = dname($buf, $off);
		my ($t, undef, undef, $len) = unpack('n n N n', substr($buf, $off, 10));
		$off += 10;
		my $rd = $off;
		$off += $len;
		my $tok;
		if ($t == 1) { $tok = 'A:' . join('.', unpack('C4', substr($buf, $rd, 4))) }
		elsif ($t == 28) { $tok = 'AAAA:' . inet_ntop(AF_INET6, substr($buf, $rd, 16)) }
		elsif ($t == 15) {
			$tok = 'MX:' . unpack('n', substr($buf, $rd, 2)) . ':' . (dname($buf, $rd + 2))[0];
		}
		elsif ($t == 5 || $t == 2 || $t == 12 || $t == 6) {
			my %tn = (5 => 'CNAME', 2 => 'NS', 12 => 'PTR', 6 => 'SOA');
			$tok = "$tn{$t}:" . (dname($buf, $rd))[0];
		}
		elsif ($t == 16) {
			(my $txt = substr($buf, $rd + 1, unpack('C', substr($buf, $rd, 1)))) =~ s/\s/_/g;
			$tok = "TXT:\"$txt\"";
		}
		else { $tok = "TYPE$t:$len" }
		$out .= " $tok";
	}
	return $out;
}

# dname(BUF, OFF) - (the name at OFF with a trailing dot, offset after it)
sub dname {
	my ($buf, $off) = @_;
	my ($name, $end, $hops) = ('', undef, 0);
	while (1) {
		die "dnsprobe: bad name\n" if $off >= length($buf) || ++$hops > 128;
		my $l = unpack('C', substr($buf, $off, 1));
		if (($l & 0xc0) == 0xc0) {
			$end //= $off + 2;
			$off = unpack('n', substr($buf, $off, 2)) & 0x3fff;
		} elsif ($l == 0) {
			$end //= $off + 1;
			last;
		} else {
			$name .= substr($buf, $off + 1, $l) . '.';
			$off += $l + 1;
		}
	}
	return ($name eq '' ? '.' : $name, $end);
}
