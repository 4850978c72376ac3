import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { faceRange, formatUnicodeRange, parseUnicodeRange, withoutCodePoints } from '../src/fontranges';
import { SHIPPED_FAMILY } from '../src/fonts';

const root = path.join(__dirname, '..');
const fontsourceCSS = () => fs.readFileSync(path.join(root, 'node_modules', '@fontsource', 'noto-sans-sc', '400.css'), 'utf8');
const faces = (css: string) => css.split('@font-face').slice(1);

describe('unicode-range values', () => {
  it.each([
    ['U+4E00', [0x4e00]],
    ['U+4e07-4e09', [0x4e07, 0x4e08, 0x4e09]],
    ['U+41, U+1F600-1F601', [0x41, 0x1f600, 0x1f601]],
  ])('parses %s', (value, cps) => {
    expect([...parseUnicodeRange(value)].sort((a, b) => a - b)).toEqual(cps);
  });

  it.each(['', 'U+', '4E00', 'U+4E09-4E07', 'U+4E00?'])('refuses %j', (value) => {
    expect(() => parseUnicodeRange(value)).toThrow();
  });

  it('writes runs, and reads back what it wrote', () => {
    const cps = [0x4e0a, 0x41, 0x4e09, 0x4e0b, 0x4e0d, 0x41];
    expect(formatUnicodeRange(cps)).toBe('U+41,U+4E09-4E0B,U+4E0D');
    expect(formatUnicodeRange([])).toBe('');
    expect(parseUnicodeRange(formatUnicodeRange(cps))).toEqual(new Set(cps));
  });
});

describe('the plan cut of the font takes its characters out of the subsets', () => {
  const css = `/* a */
@font-face {
  font-family: 'Noto Sans SC';
  src: url(./files/a.woff2) format('woff2');
  unicode-range: U+4E00-4E03,U+4E10;
}

/* b */
@font-face {
  font-family: 'Noto Sans SC';
  src: url(./files/b.woff2) format('woff2');
  unicode-range: U+4E05;
}
`;

  it('narrows a rule and drops one left empty, with its comment and file', () => {
    const out = withoutCodePoints(css, new Set([0x4e01, 0x4e05]));
    expect(out).toContain('unicode-range: U+4E00,U+4E02-4E03,U+4E10;');
    expect(out).not.toContain('b.woff2');
    expect(out).not.toContain('/* b */');
    expect(faces(out)).toHaveLength(1);
  });

  it('leaves a rule alone when none of its characters go', () => {
    expect(faces(withoutCodePoints(css, new Set([0x20])))).toHaveLength(2);
  });

  it('refuses a rule without a unicode-range, which would cover every character', () => {
    expect(() => withoutCodePoints("@font-face { font-family: 'X'; src: url(x.woff2); }", new Set([1]))).toThrow(/unicode-range/);
  });

  it('on fontsource: every character keeps exactly one face, the plan keeps its own', () => {
    const plan = faceRange(fs.readFileSync(path.join(root, 'src', 'plan-font.css'), 'utf8'));
    expect(plan.size).toBeGreaterThan(500);
    const before = fontsourceCSS();
    const after = withoutCodePoints(before, plan);
    const union = (c: string) => faces(c).reduce((s, f) => new Set([...s, ...faceRange(f)]), new Set<number>());
    const kept = union(after);
    for (const cp of plan) expect(kept.has(cp), `U+${cp.toString(16)} still in a subset`).toBe(false);
    // Nothing is lost: what the subsets covered is covered by them or by the plan's face.
    for (const cp of union(before)) expect(kept.has(cp) || plan.has(cp), `U+${cp.toString(16)} lost`).toBe(true);
    for (const f of faces(after)) expect(f).toContain(`font-family: '${SHIPPED_FAMILY}'`);
  });

  it('the plan face is the shipped family, from a file under src/assets/', () => {
    const css = fs.readFileSync(path.join(root, 'src', 'plan-font.css'), 'utf8');
    expect(faces(css)).toHaveLength(1);
    expect(css).toContain(`font-family: '${SHIPPED_FAMILY}'`);
    expect(css).toMatch(/src: url\(\.\/assets\/noto-sans-sc-plan\.woff2\) format\('woff2'\)/);
    expect(fs.statSync(path.join(root, 'src', 'assets', 'noto-sans-sc-plan.woff2')).size).toBeGreaterThan(50_000);
  });

  it('covers every character of the interface strings', () => {
    const plan = faceRange(fs.readFileSync(path.join(root, 'src', 'plan-font.css'), 'utf8'));
    const i18n = fs.readFileSync(path.join(root, 'src', 'i18n.ts'), 'utf8');
    const missing = [...new Set(i18n)].filter((c) => /\P{Cc}/u.test(c) && !plan.has(c.codePointAt(0)!));
    expect(missing.join(''), 'run /usr/bin/python3 frontend/fonts/plan_font.py').toBe('');
  });
});
