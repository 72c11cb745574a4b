#!/usr/bin/env python3
# explain-mkset.py - (re)build tests/data/explain/replies.tsv from the
# public material of the Sisimai project (BSD 2-clause; github.com/sisimai/
# rb-sisimai at 5.1.0p3): real bounces with the addresses anonymised
# (set-of-emails/maildir/bsd/*.eml), Sisimai's own expected reason for
# each failed recipient (test/public/{lhost,rhost,rfc3464}*.rb), and the
# provider replies that Sisimai quotes, with the provider's page named,
# in its remote-host tables (lib/sisimai/rhost/*.rb comments). The labels
# are Sisimai's, mapped to our categories by CAT below, never ours: the
# set is not tuned to listscrub.
#
# Rows come in four parts, always in this order, so that a rebuild keeps
# the lines of an earlier part where they were (the held-out part of
# contrib/bench/explain.sh is every 5th line, by position):
#   1. dsn   - RFC 3464 bounces: the Diagnostic-Code of each failed
#              recipient, paired with Sisimai's reason when the counts
#              agree (the reasons of the first version of this script).
#   2. dsn+  - the same bounces, reasons added later (MORE_CAT).
#   3. text  - free-text bounces (qmail, Exim, Sendmail, Gmail, Yahoo ...):
#              the remote server's reply lines in the human-readable part,
#              paired with Sisimai's reasons when the counts agree and each
#              reply code is the one Sisimai found.
#   4. rhost - provider replies quoted in lib/sisimai/rhost/*.rb (Google's
#              "Gmail SMTP errors and codes", Yahoo's, Apple's, GoDaddy's,
#              Orange/La Poste's pages ...), labelled by the reason of the
#              table they are quoted in.
#   5. pages - contrib/bench/explain-pages.tsv: replies quoted on public
#              pages (Google's and Yahoo's help pages, hosting help desks,
#              public bounce pastes), each with its URL. The label there is
#              the page's own meaning for the reply; the category follows
#              it: the recipient does not exist -> not_found; disabled,
#              inactive, closed -> disabled; full, over quota -> full; the
#              sender's IP, domain, authentication or content -> policy;
#              a 4xx about neither, or "try again" -> temporary; the
#              message itself (size, loop, header, protocol) -> other.
#   With a second argument, a go-sisimai checkout (github.com/sisimai/
#   go-sisimai at ed142ded, BSD 2-clause), parts 1 and 3 are run on its
#   newer copy of the bounces with its expected reasons (fact/*_test.go,
#   the public lists), between parts 4 and 5.
# Duplicated reply texts are kept once (the first).
#
# usage: explain-mkset.py SISIMAI_CHECKOUT [GO_SISIMAI_CHECKOUT] \
#            > tests/data/explain/replies.tsv
import email, email.policy, re, sys, os, glob

root = sys.argv[1]
# Sisimai reason -> our category (a reason not listed is not used: it says
# nothing about who is at fault in a way listscrub models, e.g. filtered,
# onhold, undefined, vacation).
#   not_found, disabled, full: the recipient; policy: the sender side;
#   temporary: retry; other: a permanent refusal of the message itself.
CAT = {
    'userunknown': 'not_found', 'suspend': 'disabled',
    'mailboxfull': 'full',
    'blocked': 'policy', 'badreputation': 'policy', 'requireptr': 'policy',
    'authfailure': 'policy', 'spamdetected': 'policy',
    'policyviolation': 'policy', 'rejected': 'policy',
    'norelaying': 'policy', 'securityerror': 'policy',
    'notcompliantrfc': 'policy', 'virusdetected': 'policy',
    'speeding': 'temporary', 'toomanyconn': 'temporary',
    'systemfull': 'temporary',
    'mesgtoobig': 'other', 'contenterror': 'other', 'exceedlimit': 'other',
}
# Added in the second version (parts 2-4 use CAT and these).
#   hasmoved (5.1.6 "no forwarding address") and hostunknown (the domain
#   has no mail host) make the address undeliverable: not_found.
#   expired, networkerror, systemerror: temporary with a 4xx; with a 5xx
#   the server refused the message (a loop, a broken host): other.
#   mailererror and syntaxerror refuse the message or the command: other.
MORE_CAT = {
    'hasmoved': 'not_found', 'hostunknown': 'not_found',
    'expired': 'temporary', 'networkerror': 'temporary',
    'systemerror': 'temporary',
    'mailererror': 'other', 'syntaxerror': 'other',
}
TEMP_OR_OTHER = ('expired', 'networkerror', 'systemerror')
ALL_CAT = dict(CAT, **MORE_CAT)
rx_ent = re.compile(r"\['([0-9.]*)',\s*'(\d*)',\s*'([a-z]+)',\s*(true|false)\]")
rx_idx = re.compile(r"^\s*'(\d+)'\s*=>")
rx_code = re.compile(r"\b[245]\d\d\b|\b[245]\.\d{1,3}\.\d{1,3}\b")

def expected(rb):
    out, cur = {}, None
    for line in open(rb, encoding='utf-8'):
        m = rx_idx.match(line)
        if m:
            cur = m.group(1)
            out[cur] = []
        if cur is not None:
            out[cur] += rx_ent.findall(line)
    return out

def category(reason, text, st, table):
    """Our category for Sisimai's reason, or None."""
    cat = table.get(reason)
    if cat is None:
        return None
    first = text[:1]
    four = first == '4' or (not first.isdigit() and st.startswith('4'))
    # A 4xx reply never condemns the address: a recipient reason with a
    # 4xx code is temporary (a full mailbox stays full). A sender-side
    # reason stays policy (the sender's, if passing).
    if four and cat in ('not_found', 'disabled'):
        cat = 'temporary'
    if reason in TEMP_OR_OTHER and not four:
        cat = 'other'
    return cat

rx_go = re.compile(r'\{"(\d+)",\s*(\d+),\s*"([0-9.]*)",\s*"(\d*)",\s*'
    r'"([a-z]+)",\s*(true|false)')

def expected_go(test):
    """go-sisimai's fact/NN-NAME_test.go: the public list only."""
    out = {}
    txt = open(test, encoding='utf-8').read()
    a = txt.find('publiclist')
    b = txt.find('EngineTest', a)
    if a < 0 or b < 0:
        return out
    for lab, i, st, code, reason, hard in rx_go.findall(txt[a:b]):
        out.setdefault(lab, []).append((int(i), (st, code, reason, hard)))
    return {k: [e for _, e in sorted(v)] for k, v in out.items()}

def tests_rb(top):
    for rb in sorted(glob.glob(os.path.join(top, 'test/public/*.rb'))):
        base = os.path.basename(rb)[:-3]
        if re.match(r'(lhost|rhost)-|rfc3464$', base) and 'test' not in base:
            yield base, expected(rb)

def tests_go(top):
    for t in sorted(glob.glob(os.path.join(top, 'fact/*_test.go'))):
        base = re.sub(r'^\d+-|_test\.go$', '', os.path.basename(t))
        if re.match(r'(lhost|rhost)-|rfc3464$', base):
            yield base, expected_go(t)

def bounces(top=None, tests=tests_rb, tag=''):
    """(source, message, expected entries) of every bounce."""
    top = top or root
    for base, exp in tests(top):
        for idx, ents in exp.items():
            eml = 'set-of-emails/maildir/bsd/%s-%s.eml' % (base, idx)
            p = os.path.join(top, eml)
            if not os.path.exists(p):
                continue
            msg = email.message_from_binary_file(open(p, 'rb'),
                policy=email.policy.compat32)
            yield tag + eml, msg, ents

def dsn_rows(table, only_new, src=None):
    rows = []
    for eml, msg, ents in (src or bounces()):
        diags = []
        for part in msg.walk():
            if part.get_content_type() != 'message/delivery-status':
                continue
            pl = part.get_payload()
            if not isinstance(pl, list):
                continue
            for blk in pl[1:]:
                act = (blk.get('Action') or '').strip().lower()
                d = blk.get('Diagnostic-Code')
                if act not in ('failed', 'delayed') or d is None:
                    continue
                d = ' '.join(str(d).split())
                diags.append((d, (blk.get('Status') or '').strip()))
        if len(diags) != len(ents):
            continue
        for (d, st), (dsn, code, reason, hard) in zip(diags, ents):
            if only_new and reason not in MORE_CAT:
                continue
            typ, _, text = d.partition(';')
            if typ.strip().lower() != 'smtp' or not rx_code.search(text):
                continue
            text = text.strip()
            if '\t' in text or len(text) > 1000:
                continue
            cat = category(reason, text, st, table)
            if cat is not None:
                rows.append((cat, reason, text, eml))
    return rows

# Where the quoted original message starts in a free-text bounce.
rx_copy = re.compile(r'^\s*(-{2,}.*(below this line|copy of the message|'
    r'original message|unsent message|message follows|returned message)|'
    r'Return-Path:|Received:)', re.I | re.M)
# A reply: a 4xx/5xx code after a line start or "said:", "]:", "host ...:".
rx_reply = re.compile(r'(?:^|said:|\]:|\):|>:|: )\s*([45]\d\d)([ -])'
    r'(?=\S)', re.M)

def body_text(msg):
    out = []
    for part in msg.walk():
        if part.get_content_maintype() != 'text' or \
                part.get_content_subtype() not in ('plain', 'html'):
            continue
        raw = part.get_payload(decode=True)
        if raw is None:
            continue
        cs = part.get_content_charset() or 'utf-8'
        try:
            t = raw.decode(cs, 'replace')
        except LookupError:
            t = raw.decode('utf-8', 'replace')
        if part.get_content_subtype() == 'html':
            t = re.sub(r'<br\s*/?>', '\n', t, flags=re.I)
            t = re.sub(r'<[^>]*>', '', t)
        out.append(t)
        break               # the first text part is the report
    return '\n'.join(out)

def replies(text):
    """The reply texts in a free-text bounce, in order."""
    m = rx_copy.search(text)
    if m:
        text = text[:m.start()]
    lines = text.replace('\r', '').split('\n')
    out = []
    i = 0
    while i < len(lines):
        m = rx_reply.search(lines[i])
        if not m:
            i += 1
            continue
        code = m.group(1)
        parts = [lines[i][m.start(1):].strip()]
        i += 1
        # A multi-line reply: following lines that start with the code.
        while i < len(lines) and re.match(r'\s*' + code + r'[ -]', lines[i]):
            parts.append(lines[i].strip())
            i += 1
        out.append((code, ' '.join(' '.join(parts).split())))
    return out

def text_rows(table, src=None):
    rows = []
    for eml, msg, ents in (src or bounces()):
        if any(p.get_content_type() == 'message/delivery-status'
               for p in msg.walk()):
            continue
        reps = replies(body_text(msg))
        # Drop the echo of a command transcript (354, 250 are not 4xx/5xx
        # and never match); keep one reply per recipient.
        if not reps or len(reps) != len(ents):
            continue
        for (code, text), (dsn, rcode, reason, hard) in zip(reps, ents):
            if rcode == '' or rcode != code or len(text) > 1000 or \
                    '\t' in text or not rx_code.search(text):
                continue
            cat = category(reason, text, dsn, table)
            if cat is not None:
                rows.append((cat, reason, text, eml))
    return rows

rx_reason = re.compile(r"^\s*'([a-z]+)'\s*=>\s*\[")
rx_bullet = re.compile(r"^\s*#\s*-\s+([45]\d\d[ -].*)$")
rx_cont = re.compile(r"^\s*#\s{2,}(\S.*)$")

def rhost_rows(table):
    rows = []
    for rb in sorted(glob.glob(os.path.join(root, 'lib/sisimai/rhost/*.rb'))):
        rel = os.path.relpath(rb, root)
        reason, cur = None, None
        def flush():
            if cur is None or reason is None:
                return
            text = ' '.join(' '.join(cur).split())
            cat = category(reason, text, '', table)
            if cat is not None and not '\t' in text and len(text) <= 1000:
                rows.append((cat, reason, text, rel))
        for line in open(rb, encoding='utf-8'):
            m = rx_reason.match(line)
            if m:
                flush(); cur = None
                reason = m.group(1)
                continue
            m = rx_bullet.match(line)
            if m:
                flush()
                cur = [m.group(1)]
                continue
            m = rx_cont.match(line)
            if m and cur is not None and not m.group(1).startswith('- '):
                cur.append(m.group(1))
                continue
            flush(); cur = None
        flush()
    return rows

rows = dsn_rows(CAT, False) + dsn_rows(ALL_CAT, True) + \
    text_rows(ALL_CAT) + rhost_rows(ALL_CAT)
if len(sys.argv) > 2:
    go, tag = sys.argv[2], 'go-sisimai:'
    rows += dsn_rows(ALL_CAT, False, bounces(go, tests_go, tag)) + \
        text_rows(ALL_CAT, bounces(go, tests_go, tag))
pages = os.path.join(os.path.dirname(os.path.abspath(__file__)),
    'explain-pages.tsv')
for line in open(pages, encoding='utf-8'):
    line = line.rstrip('\n')
    if line and not line.startswith('#'):
        cat, label, text, url = line.split('\t')
        rows.append((cat, label, text, url))
seen = set()
print("# replies.tsv - real reply lines from public bounces and provider")
print("# pages, labelled by Sisimai (github.com/sisimai/rb-sisimai 5.1.0p3,")
print("# BSD 2-clause), built by contrib/bench/explain-mkset.py (it says")
print("# which parts and how the labels map). Columns: category, Sisimai")
print("# reason, reply text, source (path in rb-sisimai 5.1.0p3: a bounce")
print("# in set-of-emails/, or lib/sisimai/rhost/*.rb, which quotes the")
print("# provider's page it names; go-sisimai:PATH, the same in go-sisimai")
print("# ed142ded; or the URL of a page, from contrib/bench/explain-pages.tsv,")
print("# labelled there by the page's meaning). category: not_found, disabled, full")
print("# (the recipient), policy (the sender), temporary, other (a")
print("# permanent refusal of the message).")
for r in rows:
    if r[2] in seen:
        continue
    seen.add(r[2])
    print('\t'.join(r))
