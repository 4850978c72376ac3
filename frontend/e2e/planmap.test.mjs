// End-to-end tests of the map front end in real headless Chromium against a
// real planmap (built from this checkout, with its own PostGIS). Expects
// frontend/dist to be built (`npm run build`). Screenshots go to a temporary
// folder whose path is printed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, apiFeatures, apiJSON, buildPlanmap, checkBuilt, encodedBodySize, idsOf, launchBrowser, parseCSV, settle, startPlanmap, tempDir } from './helpers.mjs';
import { describeGIS } from './gis.mjs';

let base, server, context, shots, bin;
const timings = {};
const pageErrors = [];

function track(page) {
  page.on('pageerror', (e) => pageErrors.push(`${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  return page;
}

async function shot(page, name) {
  const file = path.join(shots, name);
  await page.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
  return file;
}

async function newPage(p = '/', viewport) {
  const page = track(await context.newPage());
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(new URL(p, server.url).href);
  await settle(page);
  return page;
}

const url = (page) => new URL(page.url());
const idle = (page) => page.evaluate(() => window.__planmap.whenIdle());
const hook = (page, name, ...args) => page.evaluate(([n, a]) => window.__planmap[n](...a), [name, args]);

/** The current map bounds as the API's bbox parameter. */
async function mapBBox(page) {
  return page.evaluate(() => {
    const b = window.__planmap.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(',');
  });
}

/** Checks that the app's filtered set, the map's sources and the list show what the API answers for query. */
async function assertMatchesAPI(page, query) {
  const expected = await apiFeatures(server.url, query);
  assert.ok(expected.length > 0, `the API has projects for ${query}`);
  assert.deepEqual(await hook(page, 'filteredIds'), idsOf(expected), `filtered set = API for ${query}`);
  assert.deepEqual(
    await hook(page, 'mapSourceIds'),
    idsOf(expected.filter((f) => f.geometry)),
    `map sources = API features with geometry for ${query}`,
  );
  const bbox = await mapBBox(page);
  const inView = await apiFeatures(server.url, `${query}&bbox=${bbox}`);
  assert.deepEqual([...(await hook(page, 'listIds'))].sort(), idsOf(inView), `list = API for ${query}&bbox=${bbox}`);
  assert.deepEqual(
    [...(await hook(page, 'unmappedIds'))].sort(),
    idsOf(expected.filter((f) => !f.geometry)),
    `"not on the map" list = API features without geometry for ${query}`,
  );
  return expected;
}

/**
 * Project features drawn on the map now: unclustered ids, cluster sizes. The
 * project layers hold every project and draw the features whose state is
 * {on: true} (src/projectmap.ts); the others are in the tiles but not drawn.
 */
async function rendered(page) {
  return page.evaluate(() => {
    const map = window.__planmap.map;
    const ids = new Set();
    const clusters = new Map();
    for (const f of map.queryRenderedFeatures({ layers: ['proj-point', 'proj-line', 'proj-poly-fill', 'proj-cluster'] })) {
      if (f.state?.on !== true) continue;
      if (f.properties.cluster_id !== undefined) clusters.set(f.properties.cluster_id, f.properties.point_count);
      else ids.add(f.properties.id);
    }
    return { ids: [...ids].sort(), clustered: [...clusters.values()].reduce((a, b) => a + b, 0) };
  });
}

// One planmap and one browser for the planner's tests and then the GIS staff's (gis.mjs).
before(async () => {
  checkBuilt();
  base = tempDir('planmap-e2e-');
  shots = tempDir('planmap-shots-');
  bin = buildPlanmap(base);
  server = await startPlanmap(bin, base);
  context = await launchBrowser(base);
  console.log(`planmap: ${server.url}  screenshots: ${shots}`);
});

after(async () => {
  await context?.close().catch(() => {});
  await server?.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true, maxRetries: 3 });
});

describe('planmap front end', { timeout: 600_000 }, () => {
  after(() => console.log('timings (ms):', JSON.stringify(timings)));

  it('loads with no request outside the planmap origin, draws the basemap with labels and shows the attribution', async () => {
    const origin = new URL(server.url).origin;
    const requests = [];
    const onRequest = (r) => requests.push(r.url());
    context.on('request', onRequest);
    const sizes = [];
    const page = track(await context.newPage());
    // Bytes on the wire (bodies as sent, gzipped where planmap gzips, plus headers) and the same bodies decoded.
    page.on('requestfinished', (r) =>
      sizes.push(
        Promise.all([r.sizes(), r.response()]).then(async ([s, res]) => ({
          // The MapLibre worker's script is fetched for the worker, whose body the page's events do not count: as planmap sends it.
          wire: s.responseHeadersSize + (s.responseBodySize || (res?.status() === 200 && /^https?:/.test(r.url()) ? await encodedBodySize(r.url()) : 0)),
          decoded: res ? (await res.body().catch(() => Buffer.alloc(0))).length : 0,
          gzip: /gzip/.test((res && (await res.allHeaders())['content-encoding']) || ''),
          asset: new URL(r.url()).pathname.startsWith('/assets/'),
          font: /\.woff2$/.test(new URL(r.url()).pathname),
        })),
      ),
    );
    // Without the server's Content-Security-Policy, so that a request to another origin would really be made (and seen here)
    // rather than blocked by the browser before it starts; blocked attempts are checked in the next test.
    await page.route(`${server.url}/`, async (route) => {
      const res = await route.fetch();
      const headers = { ...res.headers() };
      delete headers['content-security-policy'];
      await route.fulfill({ response: res, headers });
    });
    const t0 = Date.now();
    await page.goto(server.url + '/');
    await settle(page);
    timings.firstLoadIdle = Date.now() - t0;
    context.off('request', onRequest);
    const got = await Promise.all(sizes);
    timings.firstLoadBytes = got.reduce((a, b) => a + b.wire, 0);
    timings.firstLoadBytesDecoded = got.reduce((a, b) => a + b.decoded, 0);
    timings.firstLoadRequests = got.length;
    timings.firstLoadGzipped = got.filter((x) => x.gzip).length;
    assert.ok(timings.firstLoadBytes < 1.5e6, `the first load transfers ${timings.firstLoadBytes} bytes, within the 1.5 MB budget`);
    // (woff2 fonts are compressed already, and sent as they are)
    assert.ok(got.filter((x) => x.asset && !x.font && x.decoded > 10_000).every((x) => x.gzip), 'large assets arrive gzipped');

    const outside = requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin);
    assert.deepEqual(outside, [], 'every request stays on the planmap origin');
    // The recording works: it saw the app's own requests.
    for (const p of ['/assets/', '/collections/projects/items', '/collections/land/tiles/WebMercatorQuad/', '/collections/cities/items', '/plan/sections']) {
      assert.ok(requests.some((u) => u.includes(p)), `a request for ${p} was recorded`);
    }

    // The basemap and its labels are drawn (labels need no glyph server).
    const drawn = await page.evaluate(() => {
      const m = window.__planmap.map;
      const q = (layer) => m.queryRenderedFeatures({ layers: [layer] }).length;
      return { land: q('land'), liaoning: q('liaoning-line'), cities: q('cities'), labels: q('city-labels'), border: q('border'), glyphs: m.getStyle().glyphs ?? null };
    });
    assert.ok(drawn.land > 0 && drawn.liaoning > 0 && drawn.border > 0, JSON.stringify(drawn));
    assert.equal(drawn.cities, 14, 'the 14 prefecture seats are drawn');
    assert.ok(drawn.labels >= 10, `city labels are drawn (${drawn.labels})`);
    assert.equal(drawn.glyphs, null, 'the style names no glyph server');

    // Attribution: every basemap collection's attribution is shown.
    const { collections } = await apiJSON(server.url, '/collections');
    const attribution = await page.textContent('[data-testid="attribution"]');
    for (const c of collections.filter((c) => c.kind === 'basemap' && c.attribution)) {
      for (const part of c.attribution.split(' · ')) assert.ok(attribution.includes(part.trim()), `attribution shows "${part}" of ${c.id}`);
    }
    // Unfiltered: everything the API has.
    await assertMatchesAPI(page, '');
    // The legend explains approximate locations.
    if (!(await page.isVisible('[data-testid="legend-approx"]'))) await page.click('.legend-box > summary');
    assert.ok(await page.isVisible('[data-testid="legend-approx"]'));
    await shot(page, '01-load.png');
    await page.close();
  });

  it('runs under a Content-Security-Policy without unsafe-inline, and nothing tries to leave the origin', async () => {
    const page = track(await context.newPage());
    // The server's own policy; where it sends none, a strict one stands in.
    const strict = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'";
    let policy = '';
    await page.route(`${server.url}/`, async (route) => {
      const res = await route.fetch();
      policy = res.headers()['content-security-policy'] || strict;
      await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': policy } });
    });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(server.url + '/');
    await settle(page);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
    assert.match(policy, /connect-src 'self'/);
    assert.deepEqual(await page.evaluate(() => window.__violations), [], `no violation of ${policy}`);
    assert.ok((await hook(page, 'mapSourceIds')).length > 0, 'the map drew projects under the policy');
    const labels = await page.evaluate(() => window.__planmap.map.queryRenderedFeatures({ layers: ['city-labels'] }).length);
    assert.ok(labels >= 10, 'labels drawn under the policy');
    await page.close();
  });

  it('ships its own font: labels and text in Noto Sans SC from planmap, only the subsets the text needs', async () => {
    const origin = new URL(server.url).origin;
    const fonts = [];
    const page = track(await context.newPage());
    page.on('response', (r) => {
      if (r.request().resourceType() === 'font' || /\.woff2?$/.test(new URL(r.url()).pathname)) fonts.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
    });
    await page.goto(`${server.url}/?lang=zh`);
    await settle(page);
    // (a) font files come from planmap's /assets/, as font/woff2
    assert.ok(fonts.length > 0, 'the page loaded font files');
    for (const f of fonts) {
      assert.equal(new URL(f.url).origin, origin, `${f.url} is on planmap's origin`);
      assert.match(new URL(f.url).pathname, /^\/assets\/noto-sans-sc-[\w-]+\.woff2$/);
      assert.equal(f.status, 200, f.url);
      assert.equal(f.type, 'font/woff2', `${f.url} is served as font/woff2`);
    }
    // (b) the shipped family has loaded what the labels need, and only a part of its subsets
    const { cities } = { cities: (await apiJSON(server.url, '/collections/cities/items?limit=100')).features };
    const names = cities.map((c) => c.properties.name_zh + c.properties.name_en).join('');
    const state = await page.evaluate((text) => {
      const faces = [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Noto Sans SC');
      const count = (s) => faces.filter((f) => f.status === s).length;
      const m = window.__planmap.map;
      return {
        total: faces.length,
        loaded: count('loaded'),
        error: count('error'),
        labels: document.fonts.check('400 16px "Noto Sans SC"', text),
        uiFont: getComputedStyle(document.body).fontFamily,
        textFont: m.getLayoutProperty('city-labels', 'text-font'),
        visible: ['city-labels', 'river-labels', 'proj-labels', 'proj-cluster-count'].map((l) => m.getLayoutProperty(l, 'visibility') ?? 'visible'),
      };
    }, names);
    assert.ok(state.total > 90, `the page declares the font's subsets (${state.total})`);
    assert.ok(state.loaded > 0 && state.error === 0, `subsets loaded: ${JSON.stringify(state)}`);
    assert.ok(state.loaded < state.total / 2, `only the subsets the text needs loaded (${state.loaded} of ${state.total})`);
    assert.equal(state.labels, true, 'every character of the city labels is loaded in Noto Sans SC');
    assert.match(state.uiFont, /^"?Noto Sans SC"?,/);
    assert.deepEqual(state.textFont, ['Noto Sans SC']);
    assert.deepEqual(state.visible, ['visible', 'visible', 'visible', 'visible'], 'every label layer is shown (the projects\' once the font for their names has loaded)');
    timings.fontFiles = fonts.length;
    // (c) the labels, as drawn
    const shenyang = cities.find((c) => c.properties.name_zh === '沈阳市');
    await page.evaluate(async (center) => {
      window.__planmap.map.jumpTo({ center, zoom: 7.5 });
      await window.__planmap.whenIdle();
    }, shenyang.geometry.coordinates);
    await shot(page, '01b-font-labels.png');
    await page.close();

    // Without any CJK font on the system (fontconfig sees only DejaVu), labels are still drawn as Chinese
    // characters from the shipped font; with the font files answered 404 they come out as boxes.
    const fcdir = tempDir('planmap-fontconfig-');
    fs.writeFileSync(
      path.join(fcdir, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n  <dir>/usr/share/fonts/truetype/dejavu</dir>\n  <cachedir>${fcdir}/cache</cachedir>\n</fontconfig>\n`,
    );
    const bare = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, FONTCONFIG_FILE: path.join(fcdir, 'fonts.conf') } });
    try {
      const analyse = await bare.newPage(); // about:blank, to decode screenshots
      const render = async (block) => {
        const ctx = await bare.newContext({ viewport: { width: 900, height: 600 }, locale: 'zh-CN' });
        const p = await ctx.newPage();
        p.on('pageerror', (e) => pageErrors.push(`no-CJK page: ${e.message}`));
        if (block) await p.route(/\.woff2$/, (r) => r.fulfill({ status: 404, body: '' }));
        await p.goto(`${server.url}/?lang=zh`);
        await settle(p);
        const faces = await p.evaluate(() => [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Noto Sans SC').map((f) => f.status));
        await shot(p, block ? '01d-no-cjk-font-blocked.png' : '01c-no-cjk-shipped-font.png');
        // Only one label, large and centred, on the plain background.
        const clip = await p.evaluate(async (center) => {
          const m = window.__planmap.map;
          for (const l of m.getStyle().layers) if (l.id !== 'sea' && l.id !== 'city-labels') m.setLayoutProperty(l.id, 'visibility', 'none');
          m.setFilter('city-labels', ['==', ['get', 'name_zh'], '沈阳市']);
          m.setLayoutProperty('city-labels', 'text-field', ['get', 'name_zh']);
          m.setLayoutProperty('city-labels', 'text-size', 48);
          m.setLayoutProperty('city-labels', 'text-variable-anchor', ['center']);
          m.setLayoutProperty('city-labels', 'text-radial-offset', 0);
          m.jumpTo({ center, zoom: 7 });
          await window.__planmap.whenIdle();
          const r = m.getCanvas().getBoundingClientRect();
          return { x: r.left + r.width / 2 - 150, y: r.top + r.height / 2 - 60, width: 300, height: 120 };
        }, shenyang.geometry.coordinates);
        const png = await p.screenshot({ clip, path: path.join(shots, block ? '01f-label-blocked.png' : '01e-label-shipped.png') });
        await ctx.close();
        const pixels = await analyse.evaluate(async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.width;
          c.height = img.height;
          const g = c.getContext('2d');
          g.drawImage(img, 0, 0);
          const { data, width, height } = g.getImageData(0, 0, c.width, c.height);
          const ink = (x, y) => x >= 0 && y >= 0 && x < width && y < height && 0.299 * data[(y * width + x) * 4] + 0.587 * data[(y * width + x) * 4 + 1] + 0.114 * data[(y * width + x) * 4 + 2] < 110;
          let n = 0, x0 = width, x1 = -1, y0 = height, y1 = -1;
          for (let y = 0; y < height; y++)
            for (let x = 0; x < width; x++)
              if (ink(x, y)) {
                n++;
                x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
              }
          if (!n) return { ink: 0 };
          // Three equal cells across the ink, one per character of 沈阳市; how unlike is the most alike pair,
          // each compared at its best offset (within 3 px) to the other: 0 when they are the same box.
          const w = Math.floor((x1 - x0 + 1) / 3);
          const cell = (k) => ({ x: x0 + k * w, y: y0 });
          const distance = (a, b) => {
            let best = 1;
            for (let dy = -3; dy <= 3; dy++)
              for (let dx = -3; dx <= 3; dx++) {
                let d = 0, u = 0;
                for (let y = 0; y <= y1 - y0; y++)
                  for (let x = 0; x < w; x++) {
                    const ia = ink(a.x + x, a.y + y), ib = ink(b.x + x + dx, b.y + y + dy);
                    if (ia !== ib) d++;
                    if (ia || ib) u++;
                  }
                best = Math.min(best, u ? d / u : 0);
              }
            return best;
          };
          const [a, b, c3] = [0, 1, 2].map(cell);
          return { ink: n, box: [x0, y0, x1, y1], alike: Math.min(distance(a, b), distance(b, c3), distance(a, c3)) };
        }, png.toString('base64'));
        return { faces, pixels };
      };
      const shipped = await render(false);
      const blocked = await render(true);
      timings.labelGlyphDistance = { shipped: shipped.pixels.alike, blocked: blocked.pixels.alike };
      assert.ok(shipped.faces.includes('loaded') && !shipped.faces.includes('error'), `shipped subsets loaded: ${shipped.faces.filter((s) => s !== 'unloaded')}`);
      assert.ok(blocked.faces.includes('error') && !blocked.faces.includes('loaded'), `blocked subsets failed: ${blocked.faces.filter((s) => s !== 'unloaded')}`);
      // The control: with its font blocked, this browser has nothing to draw 沈阳市 with but boxes, all alike.
      assert.ok(blocked.pixels.ink > 200, `the blocked label left ink (boxes): ${JSON.stringify(blocked.pixels)}`);
      assert.ok(blocked.pixels.alike < 0.15, `without the shipped font the three characters are the same box: ${JSON.stringify(blocked.pixels)}`);
      // With the shipped font: three different glyphs.
      assert.ok(shipped.pixels.ink > 200, `the label is drawn: ${JSON.stringify(shipped.pixels)}`);
      assert.ok(shipped.pixels.alike > 0.3, `with the shipped font the three characters differ: ${JSON.stringify(shipped.pixels)}`);
    } finally {
      await bare.close();
      fs.rmSync(fcdir, { recursive: true, force: true });
    }
  });

  let page;
  let sectionSeven;
  it('filters by section 7, then by a status, and shows what the API answers', async () => {
    page = await newPage('/?lang=zh');
    await page.check('#f-section-7');
    await idle(page);
    assert.equal(url(page).searchParams.get('section'), '7');
    sectionSeven = await assertMatchesAPI(page, 'section=7');

    // Faceted counts: each status option counts the projects of section 7 with that status.
    const counts = await page.$$eval('[data-facet="status"] .option', (rows) => rows.map((r) => [r.querySelector('input').value, Number(r.dataset.count)]));
    for (const [status, n] of counts) {
      const api = await apiJSON(server.url, `/collections/projects/items?section=7&status=${status}&limit=1`);
      assert.equal(n, api.numberMatched, `count of status ${status} under section 7`);
    }
    // …and each section counts the projects of all statuses, since only the section facet is set.
    const sec = await page.$$eval('[data-facet="section"] .option', (rows) => rows.map((r) => [r.querySelector('input').value, Number(r.dataset.count)]));
    for (const [n, c] of sec) {
      const api = await apiJSON(server.url, `/collections/projects/items?section=${n}&limit=1`);
      assert.equal(c, api.numberMatched, `count of section ${n}`);
    }

    const status = counts.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])[0][0];
    const t = await page.evaluate(async (sel) => {
      const map = window.__planmap.map;
      const sources = [...new Set(map.getStyle().layers.filter((l) => l.id.startsWith('proj-') && l.source).map((l) => l.source))];
      const drawnIds = () =>
        [...new Set(map.queryRenderedFeatures({ layers: ['proj-point', 'proj-line', 'proj-poly-fill'] }).filter((f) => f.state?.on === true).map((f) => f.properties.id))].sort();
      const before = drawnIds();
      // the first frame drawn after the click with every project source loaded (a source given new data is loading until its tiles are redone)
      const drawn = new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), 10_000);
        const onRender = () => {
          if (!sources.every((s) => map.isSourceLoaded(s))) return;
          map.off('render', onRender);
          clearTimeout(timer);
          resolve({ at: performance.now(), ids: drawnIds() });
        };
        map.on('render', onRender);
      });
      const t0 = performance.now();
      document.querySelector(sel).click();
      const sync = performance.now() - t0;
      const frame = await drawn;
      const render = frame ? frame.at - t0 : null;
      await window.__planmap.whenIdle();
      return { sync, render, idle: performance.now() - t0, before, first: frame?.ids ?? null, filtered: window.__planmap.filteredIds() };
    }, `#f-status-${status}`);
    // That first frame already shows the change: only projects of the new filters, and not what was drawn before.
    assert.ok(t.first, 'the map drew a frame after the filter change');
    assert.deepEqual(t.first.filter((id) => !t.filtered.includes(id)), [], 'the first frame after the change draws only projects that pass the filters');
    assert.notDeepEqual(t.first, t.before, 'the first frame after the change differs from the one before');
    timings.filterChangeSync = Math.round(t.sync);
    timings.filterChangeToMapFrame = Math.round(t.render);
    timings.filterChangeToIdle = Math.round(t.idle);
    assert.equal(url(page).searchParams.get('status'), status);
    const expected = await assertMatchesAPI(page, `section=7&status=${status}`);

    // What the map draws: zoom to all results, then every feature is drawn, as itself or inside a cluster.
    await page.click('.list-head .link-button');
    await page.waitForTimeout(400);
    await idle(page);
    const r = await rendered(page);
    const withGeom = expected.filter((f) => f.geometry);
    const points = withGeom.filter((f) => f.geometry.type === 'Point');
    const others = withGeom.filter((f) => f.geometry.type !== 'Point');
    const drawnPoints = r.ids.filter((id) => points.some((p) => p.id === id));
    assert.ok(r.ids.every((id) => withGeom.some((f) => f.id === id)), `only matching projects are drawn: ${r.ids}`);
    assert.deepEqual(r.ids.filter((id) => others.some((f) => f.id === id)), idsOf(others), 'every line and polygon is drawn');
    assert.equal(drawnPoints.length + r.clustered, points.length, 'every point is drawn, alone or in a cluster');
    await assertMatchesAPI(page, `section=7&status=${status}`);
    await shot(page, '02-filtered.png');
  });

  it('highlights in the list what the pointer is over on the map, and on the map what it is over in the list', async () => {
    // A drawn project whose pixel is not under the legend or another panel.
    const target = await page.evaluate(() => {
      const map = window.__planmap.map;
      const canvas = map.getCanvas();
      const rect = canvas.getBoundingClientRect();
      for (const f of map.queryRenderedFeatures({ layers: ['proj-point', 'proj-line'] })) {
        if (f.state?.on !== true) continue;
        const g = f.geometry;
        const coords = g.type === 'Point' ? [g.coordinates] : g.type === 'LineString' ? g.coordinates : g.coordinates.flat();
        for (const c of coords) {
          const p = map.project(c);
          const x = rect.left + p.x,
            y = rect.top + p.y;
          if (p.x < 5 || p.y < 5 || p.x > rect.width - 5 || p.y > rect.height - 5) continue;
          if (document.elementFromPoint(x, y) !== canvas) continue;
          const hit = map.queryRenderedFeatures([p.x, p.y], { layers: ['proj-point', 'proj-line'] }).find((h) => h.state?.on === true);
          if (hit?.properties.id === f.properties.id) return { id: f.properties.id, x, y };
        }
      }
      return null;
    });
    assert.ok(target, 'a project on the map to point at');
    await page.mouse.move(target.x, target.y);
    await page.waitForSelector(`[data-testid="list-entry"][data-id="${target.id}"].hover`, { timeout: 5000 });
    assert.equal(await page.isVisible('#tooltip'), true, 'a tooltip names the project');
    await page.mouse.move(5, 5);
    await page.waitForSelector(`[data-testid="list-entry"][data-id="${target.id}"]:not(.hover)`, { timeout: 5000 });

    const other = (await hook(page, 'listIds')).at(-1);
    await page.hover(`[data-testid="list-entry"][data-id="${other}"]`);
    const highlighted = await page.evaluate(async () => {
      const data = await window.__planmap.map.getSource('highlight').getData();
      return data.features.map((f) => f.properties.id);
    });
    assert.deepEqual(highlighted, [other]);
    await page.mouse.move(5, 5);
  });

  let chosen;
  it('opens a detail with the verbatim clause highlighted inside its item', async () => {
    const { clauses } = await apiJSON(server.url, '/plan/clauses');
    const inList = await hook(page, 'listIds');
    chosen = sectionSeven.filter((f) => inList.includes(String(f.id))).sort((a, b) => (b.properties.history?.length ?? 0) - (a.properties.history?.length ?? 0))[0];
    assert.ok(chosen, 'a project of the list to open');
    const p = chosen.properties;
    await page.click(`[data-testid="list-entry"][data-id="${chosen.id}"]`);
    await page.waitForSelector('[data-testid="detail"]:not([hidden])');
    assert.equal(url(page).searchParams.get('id'), chosen.id);
    assert.equal(await page.textContent('[data-testid="detail-name"]'), p.name_zh);

    const item = clauses.find((c) => c.section === p.section && c.item === p.item);
    assert.ok(item, 'the clause index has the item');
    const quote = await page.textContent('[data-testid="clause-text"]');
    assert.equal(quote, item.text, 'the item text is shown verbatim');
    const marks = await page.$$eval('[data-testid="clause-mark"]', (ms) => ms.map((m) => m.textContent));
    assert.ok(marks.length > 0, 'the clause is marked');
    assert.equal(marks.join('…'), p.clause.split(/…+/).join('…'), 'the marked text is the clause, verbatim');
    assert.ok(item.text.includes(marks[0]));

    assert.equal(await page.$$eval('[data-testid="timeline"] li', (li) => li.length), (p.history ?? []).length, 'one timeline entry per history entry');
    assert.ok((await page.textContent('[data-testid="detail-section"]')).includes(`第${p.section}部分`));
    const href = await page.getAttribute('[data-testid="geojson-link"]', 'href');
    assert.equal(new URL(href, server.url).href, `${server.url}/collections/projects/items/${encodeURIComponent(chosen.id)}`);
    const one = await apiJSON(server.url, href);
    assert.equal(one.id, chosen.id);
    await shot(page, '03-detail.png');

    // Esc closes it and gives the focus back to the list entry.
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="detail"]', { state: 'hidden' });
    assert.equal(url(page).searchParams.get('id'), null);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), chosen.id);
    await page.click(`[data-testid="list-entry"][data-id="${chosen.id}"]`);
    await page.waitForSelector('[data-testid="detail"]:not([hidden])');
  });

  it('switches to English and back', async () => {
    const { statuses } = await apiJSON(server.url, '/plan/vocabularies');
    await page.click('[data-testid="lang-toggle"]');
    await idle(page);
    assert.equal(url(page).searchParams.get('lang'), 'en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('[data-testid="detail-name"]'), chosen.properties.name_en);
    const labels = await page.$$eval('[data-facet="status"] .option-label', (ls) => ls.map((l) => l.textContent));
    assert.deepEqual(labels, statuses.map((s) => s.label_en));
    const entry = await page.textContent(`[data-testid="list-entry"][data-id="${chosen.id}"] .entry-name`);
    assert.equal(entry, chosen.properties.name_en);
    const mapLabel = await page.evaluate(() => JSON.stringify(window.__planmap.map.getLayoutProperty('city-labels', 'text-field')));
    assert.ok(mapLabel.indexOf('name_en') < mapLabel.indexOf('name_zh'), 'map labels put English first');
    await shot(page, '04-english.png');

    await page.click('[data-testid="lang-toggle"]');
    assert.equal(url(page).searchParams.get('lang'), 'zh');
    assert.equal(await page.textContent('[data-testid="detail-name"]'), chosen.properties.name_zh);
    assert.deepEqual(
      await page.$$eval('[data-facet="status"] .option-label', (ls) => ls.map((l) => l.textContent)),
      statuses.map((s) => s.label_zh),
    );
    await page.click('[data-testid="lang-toggle"]');
    assert.equal(url(page).searchParams.get('lang'), 'en');
  });

  it('reproduces the same view from a shared URL', async () => {
    const shared = page.url();
    const before = {
      state: await hook(page, 'state'),
      list: await hook(page, 'listIds'),
      filtered: await hook(page, 'filteredIds'),
      center: await page.evaluate(() => window.__planmap.map.getCenter().toArray()),
      zoom: await page.evaluate(() => window.__planmap.map.getZoom()),
    };
    const other = await newPage(shared);
    assert.deepEqual(await hook(other, 'state'), before.state);
    assert.deepEqual(await hook(other, 'filteredIds'), before.filtered);
    assert.deepEqual(await hook(other, 'listIds'), before.list);
    const center = await other.evaluate(() => window.__planmap.map.getCenter().toArray());
    assert.ok(Math.abs(center[0] - before.center[0]) < 1e-3 && Math.abs(center[1] - before.center[1]) < 1e-3, `${center} ≈ ${before.center}`);
    assert.ok(Math.abs((await other.evaluate(() => window.__planmap.map.getZoom())) - before.zoom) < 0.02);
    assert.equal(await other.textContent('[data-testid="detail-name"]'), chosen.properties.name_en);
    assert.ok(await other.isChecked('#f-section-7'));
    assert.equal(other.url(), shared);
    await shot(other, '05-shared.png');
    await other.close();
  });

  it('exports the current selection as GeoJSON and CSV', async () => {
    const query = `section=7&status=${url(page).searchParams.get('status')}`;
    const expected = await apiFeatures(server.url, query);
    await page.click('[data-testid="tab-overview"]');
    await page.waitForSelector('[data-testid="export-geojson"]');

    const [dl1] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-geojson"]')]);
    assert.match(dl1.suggestedFilename(), /^planmap-.*\.geojson$/);
    const fc = JSON.parse(fs.readFileSync(await dl1.path(), 'utf8'));
    assert.equal(fc.type, 'FeatureCollection');
    assert.deepEqual(idsOf(fc.features), idsOf(expected));
    for (const f of expected) {
      const got = fc.features.find((g) => g.id === f.id);
      assert.deepEqual(got.geometry, f.geometry, `geometry of ${f.id}`);
      assert.deepEqual(got.properties, f.properties, `properties of ${f.id}`);
    }

    const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    assert.match(dl2.suggestedFilename(), /^planmap-.*\.csv$/);
    const text = fs.readFileSync(await dl2.path(), 'utf8');
    assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 byte order mark for spreadsheets');
    const rows = parseCSV(text);
    const head = rows[0];
    assert.deepEqual(head.slice(0, 3), ['id', 'name_zh', 'name_en']);
    assert.equal(rows.length, expected.length + 1);
    for (const f of expected) {
      const row = rows.find((r) => r[0] === f.id);
      assert.ok(row, `CSV row for ${f.id}`);
      assert.equal(row.length, head.length);
      assert.equal(row[head.indexOf('name_zh')], f.properties.name_zh);
      assert.equal(row[head.indexOf('clause')], f.properties.clause);
      assert.equal(Number(row[head.indexOf('section')]), f.properties.section);
    }

    // Programme progress agrees with the server's count.
    const { programmes } = await apiJSON(server.url, '/plan/programmes');
    const shown = await page.$$eval('[data-testid="programmes"] li', (lis) => lis.map((li) => [li.dataset.programme, Number(li.dataset.sited), Number(li.dataset.target)]));
    assert.deepEqual(
      shown.sort(),
      programmes.map((p) => [p.id, p.sited, p.count_target]).sort(),
    );
    await shot(page, '06-overview.png');
  });

  it('goes back and forward through filter changes', async () => {
    const p = await newPage('/?lang=zh');
    await p.check('#f-section-7');
    await idle(p);
    await p.check('#f-status-ongoing');
    await idle(p);
    assert.equal(url(p).searchParams.get('status'), 'ongoing');
    assert.deepEqual(await hook(p, 'filteredIds'), idsOf(await apiFeatures(server.url, 'section=7&status=ongoing')));

    await p.goBack();
    await idle(p);
    assert.equal(url(p).searchParams.get('status'), null);
    assert.equal(url(p).searchParams.get('section'), '7');
    assert.equal(await p.isChecked('#f-status-ongoing'), false);
    assert.equal(await p.isChecked('#f-section-7'), true);
    await assertMatchesAPI(p, 'section=7');

    await p.goBack();
    await idle(p);
    assert.equal(url(p).searchParams.get('section'), null);
    assert.equal(await p.isChecked('#f-section-7'), false);
    assert.deepEqual(await hook(p, 'filteredIds'), idsOf(await apiFeatures(server.url, '')));

    await p.goForward();
    await idle(p);
    assert.equal(url(p).searchParams.get('section'), '7');
    await assertMatchesAPI(p, 'section=7');
    await p.goForward();
    await idle(p);
    await assertMatchesAPI(p, 'section=7&status=ongoing');
    await p.close();
  });

  it('searches by Chinese and English name and moves through the list by keyboard', async () => {
    const p = await newPage('/?lang=zh');
    await p.focus('[data-testid="search"]');
    await p.keyboard.type('港');
    await p.keyboard.press('Enter');
    await idle(p);
    assert.equal(url(p).searchParams.get('q'), '港');
    await assertMatchesAPI(p, `q=${encodeURIComponent('港')}`);
    await p.fill('[data-testid="search"]', 'reservoir');
    await p.keyboard.press('Enter');
    await idle(p);
    await assertMatchesAPI(p, 'q=reservoir');

    const ids = await hook(p, 'listIds');
    assert.ok(ids.length >= 2, 'at least two reservoirs in view');
    await p.focus(`[data-testid="list-entry"][data-id="${ids[0]}"]`);
    await p.keyboard.press('ArrowDown');
    assert.equal(await p.evaluate(() => document.activeElement?.dataset?.id), ids[1]);
    await p.keyboard.press('Enter');
    await p.waitForSelector('[data-testid="detail"]:not([hidden])');
    assert.equal(url(p).searchParams.get('id'), ids[1]);
    await p.keyboard.press('Escape');
    await p.waitForSelector('[data-testid="detail"]', { state: 'hidden' });
    assert.equal(await p.evaluate(() => document.activeElement?.dataset?.id), ids[1]);
    // The filters are plain checkboxes: Space toggles the focused one.
    await p.focus('#f-section-7');
    await p.keyboard.press('Space');
    await idle(p);
    await assertMatchesAPI(p, 'section=7&q=reservoir');
    await p.close();
  });

  it('fits a phone-sized screen', async () => {
    const p = await newPage('/?lang=zh&section=7', { width: 390, height: 844 });
    const layout = await p.evaluate(() => {
      const box = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
      return { scrollWidth: document.documentElement.scrollWidth, map: box('#map'), list: box('#list-panel') };
    });
    assert.ok(layout.scrollWidth <= 390, `no sideways scrolling (${layout.scrollWidth})`);
    assert.ok(layout.map.width >= 380 && layout.map.height > 250, JSON.stringify(layout.map));
    assert.ok(layout.list.top >= layout.map.bottom - 1 && layout.list.height > 200, JSON.stringify(layout.list));
    await shot(p, '07-phone.png');
    const first = (await hook(p, 'listIds'))[0];
    await p.click(`[data-testid="list-entry"][data-id="${first}"]`);
    await p.waitForSelector('[data-testid="detail"]:not([hidden])');
    const d = await p.evaluate(() => document.querySelector('[data-testid="detail"]').getBoundingClientRect().toJSON());
    assert.ok(d.width >= 389 && d.height >= 800, `the detail covers the screen: ${JSON.stringify(d)}`);
    await shot(p, '08-phone-detail.png');
    await p.click('[data-testid="detail-close"]');
    await p.waitForSelector('[data-testid="detail"]', { state: 'hidden' });
    await p.click('[data-testid="tab-filters"]');
    assert.ok(await p.isVisible('#f-section-7'));
    await p.close();
  });

  it('shows hostile strings from the data as text and never runs them', async () => {
    const p = track(await context.newPage());
    const xss = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>"'`;
    await p.route(/\/collections\/projects\/items\?/, async (route) => {
      const res = await route.fetch();
      const fc = await res.json();
      for (const f of fc.features) {
        const q = f.properties;
        q.name_zh = q.name_zh + xss;
        q.name_en = q.name_en + xss;
        q.location_note = xss;
        q.action_zh = xss;
        q.sources = [{ title: xss, url: 'javascript:window.__pwned=1', date: xss, note: xss }];
        q.history = (q.history ?? []).map((h) => ({ ...h, note: xss, source: xss }));
      }
      await route.fulfill({ response: res, json: fc });
    });
    await p.goto(`${server.url}/?lang=zh`);
    await settle(p);
    // hover a list entry (the map highlights it), then open it
    const first = (await hook(p, 'listIds'))[0];
    await p.hover(`[data-testid="list-entry"][data-id="${first}"]`);
    await p.click(`[data-testid="list-entry"][data-id="${first}"]`);
    await p.waitForSelector('[data-testid="detail"]:not([hidden])');
    await p.waitForTimeout(300);
    assert.equal(await p.evaluate(() => window.__pwned), undefined, 'no injected script ran');
    assert.equal(await p.$$eval('#list-panel img, #detail img, #list-panel script, #detail script', (n) => n.length), 0);
    assert.ok((await p.textContent('[data-testid="detail-name"]')).includes('<script>'), 'the string is shown as text');
    assert.equal(await p.$$eval('#detail a[href^="javascript:"]', (n) => n.length), 0, 'no javascript: link');
    await p.close();
  });

  it('raised no page errors', () => {
    assert.deepEqual(
      pageErrors.filter((e) => !/GL Driver Message|WebGL/.test(e)),
      [],
    );
  });
});

describeGIS(() => ({ server, bin, context, shots }));
