#!/usr/bin/env python3
# explain-mkset.py - (re)build tests/data/explain/replies.tsv from the
# bounce corpus of the Sisimai project (BSD 2-clause; github.com/sisimai/
# rb-sisimai, set-of-emails/maildir/bsd/*.eml, real bounces with the
# addresses anonymised) and Sisimai's own expected reasons for them
# (test/public/{lhost,rhost,rfc3464}*.rb). Only RFC 3464 bounces are used:
# the Diagnostic-Code of each failed recipient, paired with Sisimai's
# reason for that recipient when the counts agree. The labels are
# Sisimai's, not ours, so the set is not tuned to listscrub.
#
# usage: explain-mkset.py SISIMAI_CHECKOUT > tests/data/explain/replies.tsv
import email, email.policy, re, sys, os, glob

root = sys.argv[1]
# Sisimai reason -> our category (None: not used, the reason says nothing
# about who is at fault in a way listscrub models).
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

rows = []
for rb in sorted(glob.glob(os.path.join(root, 'test/public/*.rb'))):
    base = os.path.basename(rb)[:-3]
    if not re.match(r'(lhost|rhost)-|rfc3464$', base) or 'test' in base:
        continue
    for idx, ents in expected(rb).items():
        eml = 'set-of-emails/maildir/bsd/%s-%s.eml' % (base, idx)
        p = os.path.join(root, eml)
        if not os.path.exists(p):
            continue
        msg = email.message_from_binary_file(open(p, 'rb'),
            policy=email.policy.compat32)
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
            cat = CAT.get(reason)
            if cat is None:
                continue
            typ, _, text = d.partition(';')
            if typ.strip().lower() != 'smtp' or not rx_code.search(text):
                continue
            text = text.strip()
            if '\t' in text or len(text) > 1000:
                continue
            first = text[:1]
            # A 4xx reply never condemns the address: a recipient reason
            # with a 4xx code is temporary (a full mailbox stays full). A
            # sender-side reason stays policy (the sender's, if passing).
            if (first == '4' or (not first.isdigit() and st.startswith('4'))) \
                    and cat in ('not_found', 'disabled'):
                cat = 'temporary'
            rows.append((cat, reason, text, eml))
seen = set()
print("# replies.tsv - real reply lines from RFC 3464 bounces, labelled by")
print("# Sisimai (github.com/sisimai/rb-sisimai, BSD 2-clause), built by")
print("# contrib/bench/explain-mkset.py. Columns: category, Sisimai reason,")
print("# Diagnostic-Code text, source (path in rb-sisimai 5.1.0p3).")
print("# category: not_found, disabled, full (the recipient), policy (the")
print("# sender), temporary, other (a permanent refusal of the message).")
for r in rows:
    if r[2] in seen:
        continue
    seen.add(r[2])
    print('\t'.join(r))
