// @vitest-environment happy-dom
// The GIS screens render uploaded names and values as text, never as HTML.
import { describe, expect, it, vi } from 'vitest';
import { HistoryView, comparisonVersion } from '../src/ui/history';
import { UploadPanel } from '../src/ui/upload';
import { AuthControl } from '../src/ui/auth';
import { renderFeatureInfo, renderOverlays } from '../src/ui/overlays';
import type { Session } from '../src/session';
import type { DraftFeature, FeatureVersion, Upload } from '../src/types';
import { project } from './fixtures';

const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
const KEY = '<img src=x onerror=alert(1)>';

function fakeSession(role: string | null, answers: (method: string, path: string, body?: unknown) => unknown): Session {
  return {
    info: role ? { username: XSS, role, via: 'session', csrf_token: 't' } : null,
    can: (r: string) => (role === 'admin' ? true : role === 'editor' ? r === 'editor' : false),
    send: vi.fn(async (method: string, path: string, opts?: { json?: unknown }) => answers(method, path, opts?.json)),
    onChange: () => undefined,
    signIn: vi.fn(),
    signOut: vi.fn(),
    restore: vi.fn(),
    uploadFile: vi.fn(),
  } as unknown as Session;
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const noMarkup = (root: HTMLElement) => root.querySelectorAll('img, script').length;

const versions: FeatureVersion[] = [
  {
    version: 2,
    op: 'patch',
    properties: { name_zh: 'x', location_note: XSS, [KEY]: XSS },
    geometry: { type: 'Polygon', coordinates: [[[121, 40], [121.1, 40], [121.1, 40.1], [121, 40]]] },
    changed_by: XSS,
    changed_at: '2026-11-26T07:00:00Z',
    reason: XSS,
    upload_id: 3,
  },
  { version: 1, op: 'import', properties: { name_zh: 'x', location_note: 'old' }, geometry: { type: 'Point', coordinates: [121, 40] }, changed_by: 'planmap', changed_at: '2026-11-25T07:00:00Z', reason: 'state before the first edit' },
];

describe('history', () => {
  it('shows versions, a diff and the older geometry, all as text; only admins get a rollback', async () => {
    const shown: unknown[] = [];
    const session = fakeSession('admin', () => ({ versions }));
    const view = new HistoryView(session, { showGeometry: (g) => shown.push(g), changed: () => undefined });
    const root = document.createElement('div');
    view.mount(root, 'projects', 'p1', 'en');
    const details = root.querySelector('details') as HTMLDetailsElement;
    details.open = true;
    details.dispatchEvent(new Event('toggle'));
    await tick();
    await tick();
    expect(root.querySelectorAll('[data-testid="history-version"]')).toHaveLength(2);
    (root.querySelector('[data-version="2"] [data-testid="history-show"]') as HTMLElement).click();
    const rows = [...root.querySelectorAll('[data-testid="diff-row"]')].map((r) => (r as HTMLElement).dataset.key);
    expect(rows).toEqual([KEY, 'location_note'].sort());
    expect(root.textContent).toContain(XSS);
    expect(root.querySelector('[data-testid="diff-geometry"]')?.getAttribute('data-changed')).toBe('true');
    // The newest version is the current one: the map shows the one before it.
    expect(shown.at(-1)).toEqual(versions[1].geometry);
    expect(root.querySelector('[data-testid="rollback"]')).toBeNull();
    (root.querySelector('[data-version="1"] [data-testid="history-show"]') as HTMLElement).click();
    expect(shown.at(-1)).toEqual(versions[1].geometry);
    expect(root.querySelector('[data-testid="rollback"]')).not.toBeNull();
    expect(noMarkup(root)).toBe(0);
  });

  it('rolls back with the reason given, and refuses an empty one', async () => {
    const calls: [string, string, unknown][] = [];
    const session = fakeSession('admin', (m, p, body) => {
      calls.push([m, p, body]);
      return { versions };
    });
    const changed = vi.fn();
    const view = new HistoryView(session, { showGeometry: () => undefined, changed });
    const root = document.createElement('div');
    view.mount(root, 'projects', 'p 1', 'zh');
    const details = root.querySelector('details') as HTMLDetailsElement;
    details.open = true;
    details.dispatchEvent(new Event('toggle'));
    await tick();
    (root.querySelector('[data-version="1"] [data-testid="history-show"]') as HTMLElement).click();
    (root.querySelector('[data-testid="rollback"]') as HTMLElement).click();
    const form = root.querySelector('[data-testid="rollback-form"]') as HTMLFormElement;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(calls.filter((c) => c[0] === 'POST')).toHaveLength(0);
    (root.querySelector('[data-testid="rollback-reason"]') as HTMLInputElement).value = 'wrong outline';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    await tick();
    expect(calls.find((c) => c[0] === 'POST')).toEqual(['POST', '/collections/projects/items/p%201/rollback', { version: 1, reason: 'wrong outline' }]);
    expect(changed).toHaveBeenCalled();
  });

  it('editors and visitors see no rollback', async () => {
    for (const role of ['editor', null]) {
      const view = new HistoryView(fakeSession(role, () => ({ versions })), { showGeometry: () => undefined, changed: () => undefined });
      const root = document.createElement('div');
      view.mount(root, 'projects', 'p1', 'en');
      const details = root.querySelector('details') as HTMLDetailsElement;
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
      await tick();
      (root.querySelector('[data-version="1"] [data-testid="history-show"]') as HTMLElement).click();
      expect(root.querySelector('[data-testid="rollback"]')).toBeNull();
    }
  });

  it('compares with the version before when the chosen one is the current geometry', () => {
    expect(comparisonVersion(versions, 2)?.version).toBe(1);
    expect(comparisonVersion(versions, 1)?.version).toBe(1);
    expect(comparisonVersion(versions, 9)).toBeNull();
  });
});

describe('upload panel', () => {
  const upload: Upload = {
    id: 7,
    created_by: XSS,
    created_at: '2026-11-26T07:00:00Z',
    filename: `${KEY}.geojson`,
    size: 2048,
    status: 'ready',
    bytes_read: 2048,
    features_read: 2,
    result: { Format: 'geojson', CRS: { EPSG: 4490, Name: 'CGCS2000', Source: 'declared' }, Encoding: 'UTF-8', Fields: [{ Name: KEY, Type: 'string' }], Issues: [{ Feature: -1, Field: KEY, Code: 'x', Message: XSS, Severity: 'warning' }] },
    summary: { features: 2, valid: 1, invalid: 1, no_geometry: 0, outside_liaoning: 1, duplicates: 0, with_errors: 0, warnings: 1, matched_projects: 1, srid: 4490 },
  };
  const features: DraftFeature[] = [
    { type: 'Feature', id: 0, geometry: { type: 'Point', coordinates: [121, 40] }, properties: { 名称: '猴山水库' }, draft: { index: 0, issues: [], valid: true, outside_liaoning: false, match: 'reservoir-houshan', match_by: 'name' } },
    {
      type: 'Feature',
      id: 1,
      geometry: { type: 'Polygon', coordinates: [[[121, 40], [121.1, 40], [121, 40.1], [121.1, 40.1], [121, 40]]] },
      properties: { 名称: XSS, [KEY]: XSS },
      draft: { index: 1, issues: [{ field: KEY, code: 'c', message: XSS, severity: 'warning' }], valid: false, invalid_reason: XSS, outside_liaoning: true },
    },
  ];

  async function openDraft(role: string) {
    const posts: unknown[] = [];
    const session = fakeSession(role, (m, p, body) => {
      if (m === 'POST') {
        posts.push(body);
        return { target: 'projects', written: 1, skipped: 1, repaired: 0 };
      }
      if (p.includes('/features')) return { type: 'FeatureCollection', features, numberMatched: 2, numberReturned: 2 };
      if (p.startsWith('/uploads?')) return { uploads: [upload] };
      return upload;
    });
    const drawn: unknown[] = [];
    const committed = vi.fn();
    const root = document.createElement('div');
    const panel = new UploadPanel(root, session, {
      projects: () => [project('reservoir-houshan', { name_zh: '猴山水库', name_en: 'Houshan Reservoir' })],
      collections: () => [],
      showDraft: (fs, matched) => drawn.push([fs.length, matched]),
      clearDraft: () => undefined,
      hoverDraft: () => undefined,
      fitDraft: () => undefined,
      committed,
      select: () => undefined,
    });
    panel.render('zh');
    panel.setActive(true);
    await tick();
    (root.querySelector('[data-upload="7"] button') as HTMLElement).click();
    for (let i = 0; i < 5; i++) await tick();
    return { root, drawn, posts, committed };
  }

  it('reports, lists and matches a hostile draft without making markup of it', async () => {
    const { root, drawn } = await openDraft('editor');
    expect(root.querySelector('[data-testid="report"]')).not.toBeNull();
    expect(root.querySelector('[data-testid="count-outside_liaoning"]')?.getAttribute('data-value')).toBe('1');
    expect(root.querySelector('[data-testid="report-issues"]')?.textContent).toContain(XSS);
    expect(root.querySelector('[data-testid="report-filename"]')?.textContent).toBe(`${KEY}.geojson`);
    const rows = root.querySelectorAll('[data-testid="draft-row"]');
    expect(rows).toHaveLength(2);
    expect(rows[1].textContent).toContain(XSS);
    expect(rows[1].getAttribute('data-class')).toBe('invalid');
    expect(rows[1].querySelector('[data-flag="outside"]')).not.toBeNull();
    // Matches default to the suggestions; the draft is drawn with the matched project.
    expect((root.querySelector('[data-testid="match-select"][data-idx="0"]') as HTMLSelectElement).value).toBe('reservoir-houshan');
    expect((root.querySelector('[data-testid="match-select"][data-idx="1"]') as HTMLSelectElement).value).toBe('');
    expect(drawn.at(-1)).toEqual([2, ['reservoir-houshan']]);
    expect(root.querySelector('[data-testid="commit-blocked"]')).not.toBeNull();
    expect(noMarkup(root)).toBe(0);
  });

  it('commits the chosen matches with the flags and reason', async () => {
    const { root, posts, committed } = await openDraft('admin');
    const skip = root.querySelector('[data-testid="commit-skip"]') as HTMLInputElement;
    skip.checked = true;
    skip.dispatchEvent(new Event('change'));
    const reason = root.querySelector('[data-testid="commit-reason"]') as HTMLInputElement;
    reason.value = 'surveyed';
    reason.dispatchEvent(new Event('input'));
    (root.querySelector('[data-testid="commit-submit"]') as HTMLElement).click();
    for (let i = 0; i < 3; i++) await tick();
    expect(posts).toEqual([{ target: 'projects', matches: { '0': 'reservoir-houshan' }, repair: false, skip_invalid: true, reason: 'surveyed' }]);
    expect(committed).toHaveBeenCalled();
    expect(root.querySelector('[data-testid="commit-updated"]')?.textContent).toContain('猴山水库');
  });

  it('shows visitors no upload form', () => {
    const root = document.createElement('div');
    const panel = new UploadPanel(root, fakeSession(null, () => null), {
      projects: () => [],
      collections: () => [],
      showDraft: () => undefined,
      clearDraft: () => undefined,
      hoverDraft: () => undefined,
      fitDraft: () => undefined,
      committed: () => undefined,
      select: () => undefined,
    });
    panel.render('en');
    expect(root.querySelector('[data-testid="upload-form"]')).toBeNull();
    expect(root.querySelector('[data-testid="upload-signin"]')).not.toBeNull();
  });
});

describe('overlays, feature attributes and the account button', () => {
  it('are text only', () => {
    const root = document.createElement('div');
    renderOverlays(root, 'zh', [{ id: 'survey', title: XSS, title_zh: XSS, kind: 'upload', numberOfFeatures: 2 }], ['survey'], new Map(), { toggle: () => undefined, zoom: () => undefined });
    expect(root.textContent).toContain(XSS);
    expect((root.querySelector('[data-testid="overlay-toggle"]') as HTMLInputElement).checked).toBe(true);
    const info = document.createElement('div');
    renderFeatureInfo(info, 'en', XSS, XSS, { [KEY]: XSS, n: 1 }, () => undefined);
    expect(info.textContent).toContain(KEY);
    const auth = document.createElement('div');
    new AuthControl(auth, fakeSession('editor', () => null)).render('en');
    expect(auth.textContent).toContain(XSS);
    for (const r of [root, info, auth]) expect(noMarkup(r)).toBe(0);
  });
});
