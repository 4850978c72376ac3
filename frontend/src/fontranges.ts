// CSS unicode-range values, for the build (vite.config.ts): the plan's own
// cut of the shipped font (src/plan-font.css, made by fonts/plan_font.py)
// takes its characters out of fontsource's subsets, so that each character
// has exactly one face. The browser then fetches one file for every
// character of the plan and its names, and a subset file only for a
// character outside them. (With two faces for one character, the later
// rule would draw it, but document.fonts.load would fetch both.)

/** A unicode-range value ("U+4E00,U+4E07-4E08") as a set of code points. */
export function parseUnicodeRange(value: string): Set<number> {
  const cps = new Set<number>();
  for (const raw of value.split(',')) {
    const part = raw.trim();
    const m = /^U\+([0-9a-f]{1,6})(?:-([0-9a-f]{1,6}))?$/i.exec(part);
    if (!m) throw new Error(`not a unicode-range item: ${JSON.stringify(part)}`);
    const a = parseInt(m[1], 16);
    const b = m[2] === undefined ? a : parseInt(m[2], 16);
    if (b < a) throw new Error(`unicode-range item ends before it starts: ${part}`);
    for (let cp = a; cp <= b; cp++) cps.add(cp);
  }
  return cps;
}

/** Code points as a unicode-range value, consecutive ones joined into runs; "" for none. */
export function formatUnicodeRange(cps: Iterable<number>): string {
  const sorted = [...new Set(cps)].sort((x, y) => x - y);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const a = sorted[i].toString(16).toUpperCase();
    out.push(i === j ? `U+${a}` : `U+${a}-${sorted[j].toString(16).toUpperCase()}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The unicode-range of the first @font-face rule in css. */
export function faceRange(css: string): Set<number> {
  const m = /unicode-range:\s*([^;}]+)/.exec(css);
  if (!m) throw new Error('no unicode-range in the @font-face rule');
  return parseUnicodeRange(m[1]);
}

/**
 * Takes the code points of `remove` out of every @font-face rule's
 * unicode-range in css, dropping a rule (and its comment) left with none.
 * A rule without a unicode-range would cover every character, and is an
 * error.
 */
export function withoutCodePoints(css: string, remove: ReadonlySet<number>): string {
  return css.replace(/(\/\*[^*]*\*\/\s*)?@font-face\s*{[^}]*}\s*/g, (rule) => {
    const m = /unicode-range:\s*([^;}]+)/.exec(rule);
    if (!m) throw new Error('an @font-face rule without a unicode-range would cover every character');
    const kept = [...parseUnicodeRange(m[1])].filter((cp) => !remove.has(cp));
    if (kept.length === 0) return '';
    return rule.replace(m[0], `unicode-range: ${formatUnicodeRange(kept)}`);
  });
}
