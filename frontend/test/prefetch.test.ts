import { afterEach, describe, expect, it, vi } from 'vitest';

const g = globalThis as Record<string, unknown>;
const saved = { window: g.window, location: g.location, document: g.document, fetch: g.fetch };

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete g[k];
    else g[k] = v;
  }
  vi.resetModules();
});

/** A page at http://planmap.test/ whose fetch answers from bodies (by path and query); every request is recorded. */
function fakePage(bodies: Record<string, unknown>, status: Record<string, number> = {}) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fontLoads: string[] = [];
  g.window = {};
  g.location = new URL('http://planmap.test/?lang=zh');
  g.document = { fonts: { load: async (_font: string, text: string) => (fontLoads.push(text), []) } };
  g.fetch = async (input: string | URL, init?: RequestInit) => {
    const u = new URL(String(input), 'http://planmap.test/');
    const key = u.pathname + u.search;
    requests.push({ url: key, init });
    const code = status[key] ?? 200;
    return new Response(JSON.stringify(code === 200 ? bodies[key] ?? {} : { message: 'broken' }), { status: code });
  };
  return { requests, fontLoads };
}

describe('the first load requests started before the app runs (prefetch.ts)', () => {
  it('asks for every answer the first load needs once, as api.ts asks, and hands each over once', async () => {
    const page = fakePage({ '/plan/sections': { sections: [{ section: 1 }] } });
    const { FIRST_LOAD, takeStarted, ACCEPT } = await import('../src/prefetch');
    expect(page.requests.map((r) => r.url).sort()).toEqual([...FIRST_LOAD].sort());
    for (const r of page.requests) expect(r.init).toMatchObject({ headers: { Accept: ACCEPT }, credentials: 'same-origin' });
    expect(FIRST_LOAD).toContain('/collections/rivers/items?limit=10000');
    expect(FIRST_LOAD).not.toContain('/collections/land/items?limit=10000');
    const started = takeStarted('/plan/sections');
    expect(await started?.json).toEqual({ sections: [{ section: 1 }] });
    expect(takeStarted('/plan/sections')).toBeUndefined();
  });

  it('loads the font subsets for the names of projects, cities and rivers as soon as they arrive', async () => {
    const page = fakePage({
      '/collections/cities/items?limit=10000': { features: [{ properties: { name_zh: '沈阳市', name_en: 'Shenyang' } }] },
      '/collections/projects/items?limit=1000': { features: [{ properties: { name_zh: '大连港', name_en: 'Dalian port' } }] },
      '/collections/land/items?limit=10000': { features: [{ properties: { name_zh: '陆地' } }] },
    });
    await import('../src/prefetch');
    await vi.waitFor(() => expect(page.fontLoads.length).toBe(3));
    expect(page.fontLoads).toContain('0123456789沈阳市Shenyag');
    expect(page.fontLoads).toContain('0123456789大连港Dalinport');
    expect(page.fontLoads.join('')).not.toContain('陆');
  });

  it('is what api.ts reads the first time, and the network after that; an error answer is reported as before', async () => {
    const page = fakePage({ '/plan/vocabularies': { statuses: [{ code: 'planned' }] } }, { '/plan/clauses': 500 });
    const api = await import('../src/api');
    const n = page.requests.length;
    expect((await api.getVocabularies()).statuses).toEqual([{ code: 'planned' }]);
    expect(page.requests.length).toBe(n);
    await api.getVocabularies();
    expect(page.requests.length).toBe(n + 1);
    await expect(api.getClauses()).rejects.toThrow('/plan/clauses: 500');
    await expect(api.getClauses()).rejects.toThrow('broken');
  });

  it('starts nothing outside a browser page', async () => {
    const { takeStarted, FIRST_LOAD } = await import('../src/prefetch');
    expect(FIRST_LOAD.map((p) => takeStarted(p))).toEqual(FIRST_LOAD.map(() => undefined));
  });
});
