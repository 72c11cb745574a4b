#!/usr/bin/python3
# xlsx_check.py XLSX EXPECT - read a workbook back with the standard
# library only (zipfile, xml) and compare it with what the writer meant
# (tests/unit/t_xlsxbook.c writes EXPECT). One line per check on standard
# output: "ok DESC" or "not ok DESC: DETAIL"; the C test turns them into
# TAP. EXPECT lines, tab-separated:
#   sheets  NAME|NAME|...           the sheet names, in order
#   cell    SHEET ROW COL HEX       text of a data cell (0-based; UTF-8 hex)
#   action  SHEET ROW COL ACTION    status cell coloured for ACTION
#   filter  SHEET REF               autofilter range, e.g. A1:G4
#   number  SHEET REF VALUE         a numeric cell (Summary)
#   text    SHEET REF TEXT          a text cell (Summary)
#   last    SHEET ROWNUM            the last row element's r (big sheets:
#                                   only the end of the part is parsed)
#   chartbelow SHEET                the chart's top-left anchor is below
#                                   the sheet's last cell (no overlap)
# Cell text is decoded as Excel does: _xHHHH_ is the character U+HHHH
# (ECMA-376 Part 1, 22.9.2.19).
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
      'pr': 'http://schemas.openxmlformats.org/package/2006/relationships'}
M = '{%s}' % NS['m']
COLORS = {'keep': 'C6EFCE', 'review': 'FFEB9C', 'remove': 'FFC7CE',
          'retry_later': 'DDEBF7'}
results = []


def check(cond, desc, detail=''):
    results.append(('ok ' if cond else 'not ok ') + desc +
                   ('' if cond else ': ' + detail))


def unescape(s):
    return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), s)


def col_of(ref):
    n = 0
    for ch in re.match(r'[A-Z]+', ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def row_of(ref):
    return int(re.search(r'[0-9]+', ref).group(0)) - 1


def main():
    z = zipfile.ZipFile(sys.argv[1])
    exp = [l.rstrip('\n').split('\t') for l in open(sys.argv[2], encoding='utf-8')]
    wbx = ET.fromstring(z.read('xl/workbook.xml'))
    rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
    target = {r.get('Id'): r.get('Target') for r in rels}
    sheets = []
    for s in wbx.find('m:sheets', NS):
        sheets.append((s.get('name'),
                       'xl/' + target[s.get('{%s}id' % NS['r'])]))
    part = dict(sheets)
    names = [n for n, _ in sheets]
    bigs = {e[1] for e in exp if e[0] == 'last'}

    # styles: cellXfs index -> fill colour (RRGGBB)
    st = ET.fromstring(z.read('xl/styles.xml'))
    fills = []
    for f in st.find('m:fills', NS):
        fg = f.find('m:patternFill/m:fgColor', NS)
        fills.append(fg.get('rgb')[-6:] if fg is not None and fg.get('rgb') else None)
    xf_fill = [fills[int(x.get('fillId', '0'))] for x in st.find('m:cellXfs', NS)]

    cells, types, styles, roots = {}, {}, {}, {}
    for name, p in sheets:
        if name in bigs:
            continue
        root = ET.fromstring(z.read(p))
        roots[name] = root
        for c in root.iter(M + 'c'):
            key = (name, row_of(c.get('r')), col_of(c.get('r')))
            t = c.get('t')
            types[key] = t
            styles[key] = int(c.get('s', '0'))
            if t == 'inlineStr':
                cells[key] = unescape(''.join(x.text or '' for x in c.iter(M + 't')))
            elif c.find('m:v', NS) is not None:
                cells[key] = c.find('m:v', NS).text

    want_cells = {}
    for e in exp:
        if e[0] == 'sheets':
            check(names == e[1].split('|'), 'sheet names and order',
                  '%r' % names)
        elif e[0] == 'cell':
            want_cells[(e[1], int(e[2]), int(e[3]))] = bytes.fromhex(e[4]).decode('utf-8')
        elif e[0] == 'action':
            key = (e[1], int(e[2]), int(e[3]))
            fill = xf_fill[styles.get(key, 0)]
            check(fill == COLORS[e[4]], '%s row %s: status cell coloured for %s'
                  % (e[1], int(e[2]) + 1, e[4]), 'fill %r' % fill)
        elif e[0] == 'filter':
            af = roots[e[1]].find('m:autoFilter', NS)
            check(af is not None and af.get('ref') == e[2],
                  '%s: autofilter %s' % (e[1], e[2]),
                  'got %r' % (af.get('ref') if af is not None else None))
            pane = roots[e[1]].find('m:sheetViews/m:sheetView/m:pane', NS)
            check(pane is not None and pane.get('ySplit') == '1' and
                  pane.get('state') == 'frozen' and pane.get('xSplit') is None,
                  '%s: header row frozen' % e[1],
                  'pane %r' % (pane.attrib if pane is not None else None))
            check(roots[e[1]].find('m:cols', NS) is not None,
                  '%s: column widths set' % e[1])
        elif e[0] == 'number':
            key = (e[1], row_of(e[2]), col_of(e[2]))
            check(types.get(key) in (None, 'n') and key in cells and
                  float(cells[key]) == float(e[3]),
                  '%s!%s is the number %s' % (e[1], e[2], e[3]),
                  'got %r (type %r)' % (cells.get(key), types.get(key)))
        elif e[0] == 'text':
            key = (e[1], row_of(e[2]), col_of(e[2]))
            check(cells.get(key) == e[3], '%s!%s is "%s"' % (e[1], e[2], e[3]),
                  'got %r' % cells.get(key))
        elif e[0] == 'chartbelow':
            used = max((k[1] for k in cells if k[0] == e[1]), default=-1)
            rp = part[e[1]].replace('worksheets/', 'worksheets/_rels/') + '.rels'
            drawing = [r.get('Target') for r in ET.fromstring(z.read(rp))
                       if r.get('Target', '').endswith('.xml') and
                       'drawing' in r.get('Target')]
            top = None
            if drawing:
                dx = z.read('xl/' + drawing[0].replace('../', '')).decode('utf-8')
                m = re.search(r'<xdr:from><xdr:col>[0-9]+</xdr:col>'
                              r'<xdr:colOff>[0-9]+</xdr:colOff><xdr:row>([0-9]+)'
                              r'</xdr:row>', dx)
                top = int(m.group(1)) if m else None
            check(top is not None and top > used,
                  '%s: the chart starts below the last cell (row %d)'
                  % (e[1], used + 1), 'chart from row %r' %
                  (top + 1 if top is not None else None))
        elif e[0] == 'last':
            with z.open(part[e[1]]) as f:
                tail = b''
                rows = 0
                while True:
                    b = f.read(1 << 20)
                    if not b:
                        break
                    rows += (tail[-4:] + b).count(b'<row ')
                    tail = (tail + b)[-65536:]
            last = re.findall(rb'<row r="([0-9]+)"', tail)
            check(last and int(last[-1]) == int(e[2]) and rows == int(e[2]),
                  '%s: %s rows, the last is row %s' % (e[1], rows, e[2]),
                  'last %r' % (last[-1:] if last else None))

    data = {k for k in cells if k[0] in {w[0] for w in want_cells}}
    got = {k: v for k, v in cells.items() if k in data and v != ''}
    bad = [k for k in set(got) | set(want_cells) if got.get(k) != want_cells.get(k)]
    bad.sort()
    check(not bad, 'every data cell reads back as written (%d cells)' % len(want_cells),
          '; '.join('%s!R%dC%d got %r want %r' % (k[0], k[1] + 1, k[2] + 1,
                    (got.get(k) or '')[:40], (want_cells.get(k) or '')[:40])
                    for k in bad[:5]))
    nonstr = [k for k in data if k in types and cells.get(k) and types[k] != 'inlineStr']
    check(not nonstr, 'every data cell is an inline string (t="inlineStr")',
          '%r' % sorted(nonstr)[:5])
    charts = [n for n in z.namelist() if n.startswith('xl/charts/chart')]
    check(len(charts) == 1, 'one chart part', '%r' % charts)
    if charts:
        cx = z.read(charts[0]).decode('utf-8')
        check('Summary!$B$2:$B$7' in cx and 'Summary!$A$2:$A$7' in cx and
              '<c:pieChart>' in cx,
              'the chart is a pie of Summary!$B$2:$B$7 named by $A$2:$A$7')
    for r in results:
        print(r)


main()
