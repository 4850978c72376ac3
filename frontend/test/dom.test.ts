// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { el, safeHref } from '../src/dom';
import { renderDetail } from '../src/ui/detail';
import { project } from './fixtures';

const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';

describe('text only, never HTML', () => {
  it('puts strings in as text', () => {
    const p = el('p', { title: XSS }, XSS);
    expect(p.querySelector('img, script')).toBeNull();
    expect(p.textContent).toBe(XSS);
    expect(p.getAttribute('title')).toBe(XSS);
  });

  it('refuses event handler and style attributes', () => {
    expect(() => el('p', { onclick: 'alert(1)' } as never)).toThrow();
    expect(() => el('p', { style: 'color:red' })).toThrow();
  });

  it('allows only http(s) and same-origin links', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeNull();
    expect(safeHref('vbscript:x')).toBeNull();
    expect(safeHref('')).toBeNull();
    expect(safeHref('https://example.org/a?b=c')).toBe('https://example.org/a?b=c');
    expect(safeHref('/collections/projects/items/x')).toMatch(/^http:\/\/localhost(:\d+)?\/collections\/projects\/items\/x$/);
    const a = el('a', { href: 'javascript:alert(1)' }, 'x');
    expect(a.hasAttribute('href')).toBe(false);
  });

  it('renders a project whose every string is hostile without making a single element from it', () => {
    const f = project(
      'xss',
      {
        name_zh: XSS,
        name_en: XSS,
        clause: XSS,
        action_zh: XSS,
        action_en: XSS,
        location_note: XSS,
        city: XSS,
        city_zh: XSS,
        county: XSS,
        status: XSS,
        category: XSS,
        targets: [{ metric: XSS, value: 1, unit: XSS, label_zh: XSS, label_en: XSS, note: XSS }],
        history: [{ date: XSS, status: XSS, kind: XSS, note: XSS, source: XSS }],
        sources: [
          { title: XSS, url: 'javascript:window.__pwned=1', date: XSS, note: XSS },
          { title: 'ok', url: 'https://example.org/report', date: '2013-01-01', note: '' },
        ],
      },
      null,
    );
    const root = document.createElement('div');
    renderDetail(
      root,
      f,
      {
        lang: 'en',
        vocab: { statuses: [], categories: [], precisions: [] },
        sections: [{ number: 1, title_zh: XSS, title_en: XSS }],
        clauses: [{ section: 1, item: 1, text: 'before ' + XSS + ' after' }],
        all: [f],
      },
      { close: () => {}, select: () => {} },
    );
    expect(root.querySelector('img, script, iframe, object')).toBeNull();
    expect(root.textContent).toContain(XSS);
    const links = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links).not.toContain('javascript:window.__pwned=1');
    expect(links).toContain('https://example.org/report');
    expect(links.some((h) => h?.endsWith('/collections/projects/items/xss'))).toBe(true);
    for (const n of root.querySelectorAll('*')) {
      for (const attr of n.getAttributeNames()) expect(attr.startsWith('on'), attr).toBe(false);
    }
    expect(root.querySelector('mark')?.textContent).toBe(XSS);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
