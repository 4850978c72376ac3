#!/usr/bin/python3
"""The plan's own cut of the shipped font.

The page's text and the map's labels are drawn in Noto Sans SC, which
@fontsource/noto-sans-sc ships as 101 unicode-range subsets of about
35 KB. The plan's names and texts use about a thousand Chinese characters,
spread over some thirty of those subsets, so a first load fetched two dozen
font files and laid the page out again as each one arrived.

This script cuts one font of exactly the characters that planmap's own
texts use (the interface strings, the geodata, the plan and its clause
index; Latin letters and digits too, which fontsource spreads over several
subsets) out of the same subset files, unchanged glyph for glyph, and
writes:

  src/assets/noto-sans-sc-plan.woff2   the font
  src/plan-font.css                    its @font-face, family 'Noto Sans SC',
                                       unicode-range = exactly its characters

vite.config.ts takes these characters out of the fontsource faces' ranges,
so that every character has one face: the plan's characters come from the
one file, and any other character (an uploaded layer's title, say) from
fontsource's subsets as before.

    /usr/bin/python3 frontend/fonts/plan_font.py          # write both files
    /usr/bin/python3 frontend/fonts/plan_font.py --check  # the files agree with the texts and each other

Needs Debian's python3-fonttools and python3-brotli. Run it again when a
text gains a character: --check (run by .ci/test) fails until then.
"""
import argparse
import glob
import io
import os
import re
import sys

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

FRONTEND = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(FRONTEND)
FONTSOURCE = os.path.join(FRONTEND, 'node_modules', '@fontsource', 'noto-sans-sc')
FONT_OUT = os.path.join(FRONTEND, 'src', 'assets', 'noto-sans-sc-plan.woff2')
CSS_OUT = os.path.join(FRONTEND, 'src', 'plan-font.css')

# planmap's own texts.
SOURCES = [
    'frontend/src/i18n.ts',
    'geodata/*.json',
    'geodata/*.geojson',
    'geodata/basemap/*.geojson',
    'seeds/*.txt',
    'seeds/*.json',
]


def wanted():
    """The code points of the texts in SOURCES (but line breaks and other control characters), and the two spaces."""
    cps = {0x20, 0xA0}
    for pattern in SOURCES:
        paths = sorted(glob.glob(os.path.join(ROOT, pattern)))
        if not paths:
            sys.exit(f'plan_font: no file matches {pattern}')
        for p in paths:
            with open(p, encoding='utf-8') as f:
                cps |= {ord(c) for c in f.read() if c.isprintable()}
    return cps


def parse_range(text):
    """A CSS unicode-range value as a set of code points."""
    cps = set()
    for part in text.split(','):
        part = part.strip()
        if not part.upper().startswith('U+'):
            raise ValueError(f'not a unicode-range item: {part!r}')
        a, _, b = part[2:].partition('-')
        cps |= set(range(int(a, 16), int(b or a, 16) + 1))
    return cps


def format_range(cps):
    """Code points as a CSS unicode-range value, runs joined."""
    out, run = [], None
    for cp in sorted(cps):
        if run and cp == run[1] + 1:
            run[1] = cp
            continue
        if run:
            out.append(run)
        run = [cp, cp]
    if run:
        out.append(run)
    return ','.join(f'U+{a:X}' if a == b else f'U+{a:X}-{b:X}' for a, b in out)


def fontsource_faces():
    """(woff2 file, code points) for each face of fontsource's 400.css."""
    try:
        with open(os.path.join(FONTSOURCE, '400.css'), encoding='utf-8') as f:
            css = f.read()
    except FileNotFoundError:
        sys.exit(f'plan_font: no {os.path.relpath(FONTSOURCE, ROOT)}/400.css; run npm ci in frontend/ first')
    faces = []
    for body in re.findall(r'@font-face\s*{(.*?)}', css, re.S):
        url = re.search(r"url\(\./files/([^)]+\.woff2)\)", body).group(1)
        faces.append((url, parse_range(re.search(r'unicode-range:\s*([^;]+);', body).group(1))))
    return faces


def build(cps):
    """The woff2 bytes of the font of exactly cps, cut from fontsource's subsets."""
    # A character in the ranges of several faces is drawn by the browser from
    # the last one declared that has its glyph: take it from that one.
    parts, taken = [], set()
    for url, cover in reversed(fontsource_faces()):
        if not cover & cps - taken:
            continue
        font = TTFont(os.path.join(FONTSOURCE, 'files', url))
        take = (cover & cps & set(font.getBestCmap())) - taken
        if not take:
            continue
        taken |= take
        stamps = (font['head'].created, font['head'].modified)
        opts = subset.Options()
        opts.layout_features = ['*']
        opts.name_IDs = ['*']
        opts.notdef_outline = True
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=take)
        sub.subset(font)
        font.flavor = None
        font.recalcTimestamp = False
        buf = io.BytesIO()
        font.save(buf)
        buf.seek(0)
        parts.append(buf)
    if not parts:
        sys.exit('plan_font: no fontsource subset covers the texts')
    merged = Merger().merge(parts)
    # The same texts give the same bytes: the sources' timestamps, not now.
    merged['head'].created, merged['head'].modified = stamps
    merged.recalcTimestamp = False
    merged.flavor = 'woff2'
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def font_cps(path):
    return set(TTFont(path).getBestCmap())


def css_text(cps):
    return (
        '/* Generated by frontend/fonts/plan_font.py: Noto Sans SC (OFL-1.1, from @fontsource/noto-sans-sc),\n'
        '   cut to the characters of planmap\'s own texts. Do not edit; run the script again. */\n'
        '@font-face {\n'
        "  font-family: 'Noto Sans SC';\n"
        '  font-style: normal;\n'
        '  font-display: swap;\n'
        '  font-weight: 400;\n'
        "  src: url(./assets/noto-sans-sc-plan.woff2) format('woff2');\n"
        f'  unicode-range: {format_range(cps)};\n'
        '}\n'
    )


def css_cps(path):
    with open(path, encoding='utf-8') as f:
        css = f.read()
    m = re.search(r'unicode-range:\s*([^;]+);', css)
    if not m:
        raise ValueError(f'{path}: no unicode-range')
    return parse_range(m.group(1))


def check():
    need = wanted()
    problems = []
    try:
        in_font = font_cps(FONT_OUT)
        in_css = css_cps(CSS_OUT)
    except (OSError, ValueError) as e:
        sys.exit(f'plan_font --check: {e}')
    if missing := need - in_font:
        problems.append(f'{len(missing)} characters of the texts are not in the font, e.g. {"".join(map(chr, sorted(missing)[:10]))}')
    if in_font != in_css:
        problems.append(f'the font and its unicode-range differ by {len(in_font ^ in_css)} code points')
    if extra := in_font - need:
        problems.append(f'{len(extra)} characters in the font that no text uses, e.g. {"".join(map(chr, sorted(extra)[:10]))}')
    if problems:
        print('plan_font --check: ' + '; '.join(problems) + '. Run /usr/bin/python3 frontend/fonts/plan_font.py.', file=sys.stderr)
        sys.exit(1)
    print(f'plan_font --check: {len(need)} characters, font and unicode-range agree with the texts')


def main():
    # fontTools walks sets of glyph names, whose order follows Python's
    # string hashing: fix it, so that the same texts give the same bytes.
    if os.environ.get('PYTHONHASHSEED') != '0':
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, 'PYTHONHASHSEED': '0'})
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--check', action='store_true', help='check the written files instead of writing them')
    args = ap.parse_args()
    if args.check:
        check()
        return
    need = wanted()
    data = build(need)
    os.makedirs(os.path.dirname(FONT_OUT), exist_ok=True)
    with open(FONT_OUT, 'wb') as f:
        f.write(data)
    got = font_cps(FONT_OUT)
    if got != need:
        sys.exit(f'plan_font: the font has {len(got)} characters, the texts {len(need)}')
    with open(CSS_OUT, 'w', encoding='utf-8') as f:
        f.write(css_text(got))
    print(f'plan_font: {len(got)} characters, {len(data)} bytes -> {os.path.relpath(FONT_OUT, ROOT)}, {os.path.relpath(CSS_OUT, ROOT)}')


if __name__ == '__main__':
    main()
