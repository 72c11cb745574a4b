#!/bin/sh
# gen-list.sh - write a synthetic mailing list for the benchmark to stdout.
#
#   contrib/bench/gen-list.sh [ROWS] [SEED] [distinct] > list.csv
#
# ROWS data rows (default 1,000,000) under the header
# "First Name,Last Name,Email,Phone,Company,Signup Date", LF line ends.
# The mix is meant to look like a real CRM export, not to be pretty:
#   - about 55% of addresses at big free-mail providers, the rest at
#     company domains drawn (skewed, like real lists) from ~50,000 names;
#   - about 1% IDN company domains (müller-..., café-..., ...);
#   - about 5% duplicates of an earlier address, a third of them differing
#     only in case;
#   - about 0.5% invalid cells (no @, two dots, a space, a trailing dot);
#   - about 10% quoted company names with a comma ("Smith, Jones & Co");
#   - phones in +CC form, dates as YYYY-MM-DD.
# With "distinct" every row is a valid address at a domain of its own
# (ROWS rows, ROWS distinct domains, ~2% IDN; no duplicates, no invalid
# cells): the worst case for the per-domain checks.
# The same ROWS and SEED always give the same file (awk's srand(SEED)).
# Plain POSIX awk (mawk is fine); no other tools.
rows=${1:-1000000}
seed=${2:-1}
distinct=0
case ${3:-} in
'') ;;
distinct) distinct=1 ;;
*) seed=x ;;
esac
case $rows$seed in
*[!0-9]*)
	echo "usage: $0 [ROWS] [SEED] [distinct]" >&2
	exit 2
	;;
esac
exec awk -v rows="$rows" -v seed="$seed" -v distinct="$distinct" '
BEGIN {
	srand(seed)
	nf = split("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Carlos Maria Ahmed Fatima Wei Mei Hiroshi Yuki Lukas Anna Jonas Sofia Mateo Lucia Olu Amara Ivan Olga Raj Priya Kofi Ama Sean Niamh Lars Ingrid Pierre Camille Marco Giulia Noah Emma", first, " ")
	nl = split("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Taylor Moore Jackson Martin Lee Okafor Nwosu Chen Wang Tanaka Sato Mueller Schmidt Weber Rossi Russo Dubois Laurent Silva Santos Kowalski Nowak Ivanov Petrov Sharma Patel Mensah Boateng Murphy Kelly Larsen Berg Nakamura Kim Park", last, " ")
	# free-mail providers, weighted by position (earlier = more common)
	np = split("gmail.com gmail.com gmail.com gmail.com yahoo.com yahoo.com outlook.com hotmail.com hotmail.com aol.com icloud.com live.com msn.com gmx.de web.de yahoo.co.uk hotmail.co.uk orange.fr free.fr libero.it mail.ru yandex.ru qq.com 163.com naver.com uol.com.br comcast.net verizon.net att.net btinternet.com t-online.de protonmail.com googlemail.com wp.pl seznam.cz", prov, " ")
	na = split("north south east west blue green red silver golden bright clear swift prime apex summit harbor river lake stone oak pine cedar maple iron copper urban rural metro global local first next smart true pure bold quiet happy lucky sunny rapid steady solid open fair royal grand little big old new alpha omega nova astro terra aqua", wa, " ")
	nb = split("tech labs works systems solutions media design studio group partners logistics foods farms builders motors health care dental legal finance capital ventures consulting software digital analytics marketing events travel tours homes realty supply trading imports textiles print paper bikes coffee bakery brewing wines garden pets sports fitness yoga clinic", wb, " ")
	nt = split("com com com net org co.uk de fr io biz", tld, " ")
	ni = split("müller bücher café straße zürich göteborg señor köln łódź 東京", idn, " ")
	nc = split("Inc.|LLC|Ltd|GmbH|& Co|& Sons|Partners|Group", corp, "|")
	ndom = 50000
	ring = 100000
	print "First Name,Last Name,Email,Phone,Company,Signup Date"
	for (i = 1; i <= rows; i++) {
		f = first[int(rand() * nf) + 1]
		l = last[int(rand() * nl) + 1]
		r = rand()
		if (distinct) {
			# one domain per row: words, the row number, a TLD
			d = wa[int(rand() * na) + 1] wb[int(rand() * nb) + 1] i "." tld[int(rand() * nt) + 1]
			if (rand() < 0.02) d = idn[int(rand() * ni) + 1] "-" d
			e = tolower(f) "." tolower(l) "@" d
		} else if (i > 100 && r < 0.05) {
			# duplicate of an earlier address
			m = (i - 1 < ring) ? i - 1 : ring
			e = seen[(i - 1 - int(rand() * m)) % ring]
			if (rand() < 0.33) e = toupper(substr(e, 1, 1)) substr(e, 2)
		} else if (r < 0.055) {
			k = int(rand() * 4)
			if (k == 0) e = tolower(f) "." tolower(l) i "." prov[1]
			else if (k == 1) e = tolower(f) ".." tolower(l) i "@" prov[2]
			else if (k == 2) e = tolower(f) " " tolower(l) i "@" prov[3]
			else e = tolower(f) i "@" prov[4] "."
		} else {
			lp = tolower(f) "." tolower(l) i
			if (rand() < 0.3) lp = tolower(substr(f, 1, 1)) tolower(l) i
			if (rand() < 0.55) d = prov[int(rand() * rand() * np) + 1]
			else {
				# skewed pick of one of ndom company domains
				x = int(ndom * rand() * rand())
				if (rand() < 0.5) x = int(rand() * ndom)
				d = wa[x % na + 1] wb[int(x / na) % nb + 1]
				d = d ((x >= na * nb) ? int(x / (na * nb)) : "") "." tld[x % nt + 1]
				if (rand() < 0.02) d = idn[x % ni + 1] "-" d
			}
			e = lp "@" d
		}
		seen[i % ring] = e
		if (rand() < 0.10)
			company = "\"" l ", " corp[int(rand() * nc) + 1] "\""
		else
			company = l " " wb[int(rand() * nb) + 1]
		phone = sprintf("+%d %03d %04d", 1 + int(rand() * 98), int(rand() * 1000), int(rand() * 10000))
		date = sprintf("%04d-%02d-%02d", 2019 + int(rand() * 6), 1 + int(rand() * 12), 1 + int(rand() * 28))
		printf "%s,%s,%s,%s,%s,%s\n", f, l, e, phone, company, date
	}
}'
