import { afterEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { SHIPPED_FAMILY, SHIPPED_FONT, distinctChars, loadShippedFont } from '../src/fonts';
import { LABEL_LAYERS, buildStyle } from '../src/mapview';

const g = globalThis as { document?: unknown };

function fakeDocument(load: (font: string, text: string) => Promise<unknown>) {
  const calls: [string, string][] = [];
  g.document = {
    fonts: {
      load: (font: string, text: string) => {
        calls.push([font, text]);
        return load(font, text);
      },
    },
  };
  return calls;
}

afterEach(() => {
  delete g.document;
  vi.useRealTimers();
});

describe('the shipped font', () => {
  it('collects each character of the label texts once, without whitespace, and skips what is not a string', () => {
    expect(distinctChars(['沈阳市', 'Shenyang', '沈阳 市\n', null, undefined, 42, { name: '大' }])).toBe('沈阳市Shenyag');
    expect(distinctChars(['😀a😀'])).toBe('😀a');
    expect(distinctChars([])).toBe('');
  });

  it('asks the browser to load the subsets for exactly those characters, in the regular weight of the shipped family', async () => {
    const calls = fakeDocument(async () => []);
    expect(await loadShippedFont(['大连市', 'Dalian', '大连'])).toBe(true);
    expect(calls).toEqual([[SHIPPED_FONT, '大连市Dalin']]);
    expect(SHIPPED_FONT).toBe('400 16px "Noto Sans SC"');
  });

  it('reports a failed or slow load as false rather than waiting for ever or throwing', async () => {
    fakeDocument(() => Promise.reject(new DOMException('404', 'NetworkError')));
    expect(await loadShippedFont(['沈阳'])).toBe(false);
    vi.useFakeTimers();
    fakeDocument(() => new Promise(() => {}));
    const slow = loadShippedFont(['沈阳'], 500);
    await vi.advanceTimersByTimeAsync(500);
    expect(await slow).toBe(false);
  });

  it('loads nothing without text or without the Font Loading API', async () => {
    const calls = fakeDocument(async () => []);
    expect(await loadShippedFont(['', ' \n'])).toBe(false);
    expect(calls).toEqual([]);
    delete g.document;
    expect(await loadShippedFont(['沈阳'])).toBe(false);
  });

  it('names the shipped family in every text layer of the style, which has no glyph server and starts the projects\' labels hidden', () => {
    const style = buildStyle('zh');
    expect(style.glyphs).toBeUndefined();
    const texts = style.layers.filter((l) => l.type === 'symbol' && (l.layout as Record<string, unknown> | undefined)?.['text-field'] !== undefined);
    expect(texts.map((l) => l.id).sort()).toEqual([...LABEL_LAYERS].sort());
    for (const l of texts) {
      const layout = l.layout as Record<string, unknown>;
      expect(layout['text-font'], l.id).toEqual([SHIPPED_FAMILY]);
      expect(layout.visibility, l.id).toBe(l.id === 'proj-labels' ? 'none' : undefined);
    }
  });

  it('is declared by the page: the fontsource CSS the app imports names the family, its woff2 subsets and their unicode ranges', () => {
    const main = fs.readFileSync(path.join(__dirname, '..', 'src', 'main.ts'), 'utf8');
    expect(main).toMatch(/import '@fontsource\/noto-sans-sc\/400\.css';/);
    const css = fs.readFileSync(path.join(__dirname, '..', 'node_modules', '@fontsource', 'noto-sans-sc', '400.css'), 'utf8');
    const faces = css.split('@font-face').slice(1);
    expect(faces.length).toBeGreaterThan(90);
    for (const f of faces) {
      expect(f).toContain(`font-family: '${SHIPPED_FAMILY}'`);
      expect(f).toMatch(/url\(\.\/files\/[^)]+\.woff2\) format\('woff2'\)/);
      expect(f).toMatch(/unicode-range: U\+/);
    }
    // The licence the page ships with it.
    const licence = fs.readFileSync(path.join(__dirname, '..', 'LICENSE-fonts.md'), 'utf8');
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'node_modules', '@fontsource', 'noto-sans-sc', 'package.json'), 'utf8'));
    expect(licence).toContain(`@fontsource/noto-sans-sc ${pkg.version}`);
    expect(licence).toContain('SIL OPEN FONT LICENSE Version 1.1');
  });
});
