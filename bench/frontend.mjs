#!/usr/bin/env node
// The map front end's speed budget, measured (not a pass/fail test):
//
//   first load at most 1.5 MB transferred; the map interactive within 2 s on
//   localhost in headless Chromium; a filter change updates map and list
//   within 100 ms with the plan's data, and within 300 ms with 20,000
//   features in an uploaded layer shown.
//
// Usage, from the repository root, after the front end is built:
//
//   (cd frontend && npm run build) && node bench/frontend.mjs [--runs N] [--rounds N] [--features N]
//
// --runs: cold first loads (5); --rounds: rounds of the 10 filter changes per
// scenario (3); --features: polygons in the uploaded layer (20000).
// PLANMAP_BIN=path runs an already built planmap instead of building one.
//
// It builds planmap from this checkout (go build), starts `planmap serve` on
// a free port with a fresh data directory, adds an editor and an API token
// with the CLI, uploads a generated GeoJSON of 20,000 small polygons inside
// Liaoning through POST /uploads and commits it as a new layer, then drives
// Debian's Chromium (CHROMIUM_PATH overrides; never downloaded) through
// playwright-core with the end-to-end tests' flags and prints a markdown
// table. It stops what it started and removes its temporary folders.
//
// What is measured:
//   first load   N cold loads (each a fresh browser context: empty cache) of /,
//                after one unmeasured warm-up load. Bytes: every response as
//                sent (headers plus the body content-encoded, as
//                CDP Network.loadingFinished encodedDataLength counts it; the
//                MapLibre worker's script and the worker's own requests,
//                which the page's network events do not show, by fetching
//                them again with the browser's Accept-Encoding).
//                Interactive: from navigation start to the map's first
//                `idle` after the app's data has been handed to it
//                (window.__planmap.ready), with the basemap, projects and
//                labels drawn.
//   filter       10 different filter changes (section and status checkboxes,
//                clicked as a user would), repeated over rounds, on a page
//                whose map is idle. List: from the click to the first
//                animation frame after it (the list's DOM is rebuilt
//                synchronously in the click; that frame paints it). Map: from
//                the click to the end of the first frame that draws the
//                projects the map settles on (compared, by what a query of
//                the project layers finds in the frame, with the map once
//                idle), among the frames in which every source of the
//                project layers is loaded: a source given new data or a
//                layer filter is loading until its tiles are made again; a
//                feature-state change needs no loading and is drawn in the
//                next frame. The settled map must draw no project the
//                filters leave out (else the run fails); changes that left
//                the map's projects as they were (outside the view) are
//                counted. Idle: to the map's next `idle`: every tile, label
//                placement and fade done (no budget).
//   filter + 20k the same with the uploaded layer shown as an overlay
//                (?layers=bench-20k), drawn from planmap's vector tiles.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'frontend');
const helpers = await import(new URL('../frontend/e2e/helpers.mjs', import.meta.url).href);
const { CHROMIUM, CHROMIUM_ARGS, apiJSON, buildPlanmap, checkBuilt, encodedBodySize, planmapCLI, startPlanmap, tempDir } = helpers;
const { chromium } = createRequire(path.join(FRONTEND, 'package.json'))('playwright-core');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 5); // cold first loads
const ROUNDS = arg('rounds', 3); // rounds of 10 filter changes per scenario
const FEATURES = arg('features', 20_000);
const DEADLINE_MS = 290_000; // the whole run, build included
const LAYER = 'bench-20k';
const BUDGET = { bytes: 1.5e6, interactive: 2000, filterPlan: 100, filterLayer: 300 };

const started = Date.now();
const loadStart = os.loadavg();
const log = (...a) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

// ---------- setup and cleanup ----------

let base, server, browser;
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (base) fs.rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  })();
  return cleaning;
}
const watchdog = setTimeout(async () => {
  console.error(`bench/frontend.mjs: still running after ${DEADLINE_MS / 1000} s; stopping`);
  await cleanup();
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await cleanup();
    process.exit(130);
  });
}

// ---------- the uploaded layer ----------

/** A small deterministic PRNG (mulberry32). */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygons(pt, polygons) {
  return polygons.some((rings) => inRing(pt, rings[0]) && !rings.slice(1).some((h) => inRing(pt, h)));
}

/** n small squares (about 600 m across) whose corners all lie inside Liaoning's outline, as planmap serves it. */
async function liaoningSquares(n) {
  const fc = await apiJSON(server.url, '/collections/liaoning/items?limit=10000');
  const polygons = fc.features.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : []));
  const all = polygons.flatMap((p) => p[0]);
  const [minX, minY, maxX, maxY] = [Math.min(...all.map((c) => c[0])), Math.min(...all.map((c) => c[1])), Math.max(...all.map((c) => c[0])), Math.max(...all.map((c) => c[1]))];
  const rand = rng(20_000);
  const d = 0.003;
  const features = [];
  while (features.length < n) {
    const x = minX + rand() * (maxX - minX);
    const y = minY + rand() * (maxY - minY);
    const ring = [
      [x - d, y - d],
      [x + d, y - d],
      [x + d, y + d],
      [x - d, y + d],
      [x - d, y - d],
    ].map(([a, b]) => [Math.round(a * 1e6) / 1e6, Math.round(b * 1e6) / 1e6]);
    if (!ring.slice(0, 4).every((c) => inPolygons(c, polygons))) continue;
    const i = features.length;
    features.push({ type: 'Feature', properties: { plot: `P${String(i).padStart(5, '0')}`, kind: ['farm', 'forest', 'built'][i % 3], area_ha: Math.round(rand() * 5000) / 100 }, geometry: { type: 'Polygon', coordinates: [ring] } });
  }
  return { type: 'FeatureCollection', features };
}

async function api(method, p, token, body, headers = {}) {
  const r = await fetch(new URL(p, server.url), { method, body, headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, ...headers } });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Uploads n squares through POST /uploads as an editor with an API token, waits for the draft and commits it to a new layer. */
async function uploadLayer(bin, n) {
  planmapCLI(bin, server, ['user', 'add', 'bench.editor', '--role', 'editor'], 'bench-editor-password\n');
  const token = planmapCLI(bin, server, ['token', 'create', 'bench.editor', '--name', 'bench-frontend']).trim();
  const fc = await liaoningSquares(n);
  const form = new FormData();
  form.append('correct', 'false');
  form.append('file', new Blob([JSON.stringify(fc)], { type: 'application/geo+json' }), `${LAYER}.geojson`);
  const t0 = Date.now();
  let u = await api('POST', '/uploads', token, form);
  while (u.status !== 'ready') {
    if (u.status === 'failed') throw new Error(`the upload failed: ${u.error ?? JSON.stringify(u)}`);
    if (Date.now() - t0 > 150_000) throw new Error(`the upload is still ${u.status} after 150 s`);
    await new Promise((r) => setTimeout(r, 500));
    u = await api('GET', `/uploads/${u.id}`, token);
  }
  const ready = Date.now() - t0;
  const res = await api('POST', `/uploads/${u.id}/commit`, token, JSON.stringify({ target: 'layer', layer_id: LAYER, title_zh: '基准测试地块', title_en: 'Benchmark plots', reason: 'bench/frontend.mjs' }), {
    'Content-Type': 'application/json',
  });
  const layer = await apiJSON(server.url, `/collections/${LAYER}/items?limit=1`);
  return { ready, committed: Date.now() - t0, features: layer.numberMatched ?? res.features ?? n };
}

// ---------- the browser ----------

// Records when the app has handed the map its data (window.__planmap.ready) and the map's first idle after that:
// a repaint is asked for then, so that an idle comes even if the map had already drawn everything.
const RECORDER = `(() => {
  const rec = (window.__bench = { readyAt: null, interactiveAt: null, shownAt: null, error: null });
  const poll = () => {
    const pm = window.__planmap;
    if (!pm) return void setTimeout(poll, 1);
    pm.ready.then(() => {
      rec.readyAt = performance.now();
      pm.map.once('idle', () => {
        rec.interactiveAt = performance.now();
        // The frame that puts the map on screen is read back after idle: the next animation frame starts once it is.
        requestAnimationFrame(() => { rec.shownAt = performance.now(); });
      });
      pm.map.triggerRepaint();
    }, (e) => { rec.error = String(e); });
  };
  poll();
})();`;

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  await page.addInitScript(RECORDER);
  return { context, page };
}

/** Resolves with the time (ms from navigation start) of the map's first idle after the app was ready. */
async function interactive(page) {
  return (await interactiveAndShown(page)).interactiveAt;
}

/** The map's first idle after the app was ready, and the next animation frame (the complete map on screen). */
async function interactiveAndShown(page) {
  await page.waitForFunction(() => window.__bench && (window.__bench.error || window.__bench.shownAt !== null), null, { timeout: 60_000, polling: 20 });
  const { error, interactiveAt, shownAt } = await page.evaluate(() => window.__bench);
  if (error) throw new Error(`the app failed to load: ${error}`);
  return { interactiveAt, shownAt };
}

// Which of the project features a query found are drawn (written out in each page function below, which
// runs in the page): the app's project layers hold every project and draw those whose feature state is
// {on: true} (frontend/src/projectmap.ts); where no feature has that state (an app that gives its sources
// only what it draws), every feature found is drawn.

/** What the map shows, to check that a load drew its data. */
const drawn = (page) =>
  page.evaluate((layer) => {
    const m = window.__planmap.map;
    const onlyDrawn = (fs) => (fs.some((f) => f.state && 'on' in f.state) ? fs.filter((f) => f.state.on === true) : fs);
    const q = (ls, keep = (fs) => fs) => keep(m.queryRenderedFeatures({ layers: ls.filter((l) => m.getLayer(l)) })).length;
    return {
      land: q(['land']),
      projects: q(['proj-point', 'proj-line', 'proj-poly-fill', 'proj-cluster'], onlyDrawn),
      labels: q(['city-labels']),
      overlay: q([`ov-${layer}-fill`, `ov-${layer}-line`]),
    };
  }, LAYER);

async function coldLoad(query = '/') {
  const { context, page } = await newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = new Map();
    const cdpSeen = new Set();
    let cdpBytes = 0;
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => {
      const u = urls.get(e.requestId) ?? '';
      if (/^(data|blob):/.test(u)) return;
      cdpSeen.add(u);
      cdpBytes += e.encodedDataLength;
    });
    const all = [];
    context.on('requestfinished', (r) => {
      if (!/^(data|blob):/.test(r.url())) all.push(r);
    });
    await page.goto(new URL(query, server.url).href);
    const { interactiveAt: ms, shownAt } = await interactiveAndShown(page);
    const shown = await drawn(page);
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
    // Requests the page's network events did not show (the worker's script and its requests): headers as Playwright saw them, the body as planmap sends it.
    let extra = 0;
    for (const r of all.filter((r) => !cdpSeen.has(r.url()))) {
      const s = await r.sizes().catch(() => ({ responseHeadersSize: 0 }));
      extra += s.responseHeadersSize + (await encodedBodySize(r.url()));
    }
    const origin = new URL(server.url).origin;
    const fonts = all.filter((r) => /\.woff2$/.test(new URL(r.url()).pathname));
    return {
      ms,
      shownMs: shownAt,
      bytes: cdpBytes + extra,
      requests: all.length,
      fonts: fonts.length,
      offOrigin: all.filter((r) => new URL(r.url()).origin !== origin).length,
      shown,
    };
  } finally {
    await context.close();
  }
}

/** Clicks a filter checkbox and times the list and the map; runs in the page. */
async function timeClick(page, selector) {
  return page.evaluate(async (sel) => {
    const map = window.__planmap.map;
    const onlyDrawn = (fs) => (fs.some((f) => f.state && 'on' in f.state) ? fs.filter((f) => f.state.on === true) : fs);
    // Every source a project layer draws from (read before the click: the style is serialised).
    const PROJECT_LAYERS = ['proj-point', 'proj-line', 'proj-poly-fill', 'proj-cluster'];
    const SRC = [...new Set(map.getStyle().layers.filter((l) => l.id.startsWith('proj-') && l.source).map((l) => l.source))];
    // The project features a frame draws: those switched on, unclustered ones by id, clusters by position and count.
    const drawnNow = () => {
      const ids = new Set();
      const clusters = new Set();
      for (const f of onlyDrawn(map.queryRenderedFeatures({ layers: PROJECT_LAYERS }))) {
        if (f.properties.cluster_id !== undefined) clusters.add(`${f.properties.cluster_id}:${f.properties.point_count}`);
        else ids.add(f.properties.id);
      }
      return { ids: [...ids].sort(), clusters: [...clusters].sort() };
    };
    const key = (d) => JSON.stringify(d);
    const before = key(drawnNow());
    // Every frame drawn from the click until the map is idle in which every project source is loaded, and what it drew.
    const frames = [];
    const onRender = () => {
      if (!SRC.every((s) => map.isSourceLoaded(s))) return;
      const at = performance.now();
      frames.push({ at, shown: key(drawnNow()) });
    };
    map.on('render', onRender);
    const listBefore = JSON.stringify(window.__planmap.listIds());
    const t0 = performance.now();
    document.querySelector(sel).click();
    const sync = performance.now() - t0;
    const list = await new Promise((r) => requestAnimationFrame(() => r(performance.now() - t0)));
    const listChanged = JSON.stringify(window.__planmap.listIds()) !== listBefore;
    const settled = await Promise.race([window.__planmap.whenIdle().then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    const idle = performance.now() - t0;
    map.off('render', onRender);
    // The map is drawn when a frame draws what the map settles on.
    const final = key(drawnNow());
    const first = settled ? frames.find((f) => f.shown === final) : undefined;
    const passing = new Set(window.__planmap.filteredIds());
    const wrong = JSON.parse(final).ids.filter((id) => !passing.has(id));
    return { sync, list, map: first ? first.at - t0 : null, idle, update: window.__planmap.lastUpdateMs(), listChanged, wrong, changed: final !== before };
  }, selector);
}

/** Ten filter changes that end where they began: facets with the most projects first. */
async function filterChanges(page) {
  const options = (facet) =>
    page.$$eval(`[data-facet="${facet}"] .option`, (rows) =>
      rows
        .map((r) => ({ id: r.querySelector('input')?.id, n: Number(r.dataset.count) }))
        .filter((o) => o.id && o.n > 0)
        .sort((a, b) => b.n - a.n)
        .map((o) => `#${CSS.escape(o.id)}`),
    );
  const [s1, s2, s3] = await options('section');
  const [a, b] = await options('status');
  if (!s3 || !b) throw new Error('the filter panel has too few sections or statuses to change');
  // on/off sequence: each click gives a state not seen before in the round, the last returns to none.
  return [s1, a, s2, a, s3, s1, b, s2, s3, b];
}

let unchangedMaps = 0;

async function filterRun(query) {
  const { context, page } = await newPage();
  try {
    await page.goto(new URL(query, server.url).href);
    await interactive(page);
    await page.evaluate(() => window.__planmap.whenIdle());
    const shown = await drawn(page);
    const changes = await filterChanges(page);
    const samples = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const sel of changes) {
        const s = await timeClick(page, sel);
        if (s.map === null) throw new Error(`the map did not draw the change ${sel} within 10 s`);
        if (s.wrong.length) throw new Error(`after ${sel} the map draws projects the filters leave out: ${s.wrong.join(', ')}`);
        if (!s.changed) unchangedMaps++;
        samples.push(s);
      }
    }
    return { samples, shown };
  } finally {
    await context.close();
  }
}

// ---------- report ----------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const max = (xs) => Math.max(...xs);
const ms = (x) => `${Math.round(x)} ms`;
const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;

function row(measure, budget, xs, fmt, limit) {
  const m = median(xs);
  const hi = max(xs);
  const met = limit === undefined ? '—' : hi <= limit ? 'yes' : m <= limit ? `median yes, max no` : 'no';
  return `| ${measure} | ${budget} | ${fmt(m)} | ${fmt(hi)} | ${met} |`;
}

function cpuModel() {
  try {
    return /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  } catch {
    return os.cpus()[0]?.model ?? '?';
  }
}

// ---------- main ----------

try {
  checkBuilt();
  base = tempDir('planmap-bench-fe-');
  // PLANMAP_BIN: an already built planmap (to compare builds); by default this checkout is built.
  const bin = process.env.PLANMAP_BIN ? path.resolve(process.env.PLANMAP_BIN) : (log('building planmap'), buildPlanmap(base));
  log('starting planmap');
  server = await startPlanmap(bin, base);
  log(`planmap at ${server.url}; uploading ${FEATURES} polygons`);
  const up = await uploadLayer(bin, FEATURES);
  log(`layer ${LAYER}: ${up.features} features, draft ready in ${up.ready} ms, committed at ${up.committed} ms`);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const version = browser.version();

  log('warm-up load');
  await coldLoad('/');
  const loads = [];
  for (let i = 0; i < RUNS; i++) {
    const l = await coldLoad('/');
    if (!(l.shown.land > 0 && l.shown.projects > 0 && l.shown.labels > 0)) throw new Error(`load ${i} did not draw its data: ${JSON.stringify(l.shown)}`);
    loads.push(l);
    log(`cold load ${i + 1}/${RUNS}: ${l.bytes} bytes, ${l.requests} requests (${l.fonts} font files), interactive at ${Math.round(l.ms)} ms, on screen at ${Math.round(l.shownMs)} ms`);
  }

  log(`filter changes, plan data: ${ROUNDS} x 10`);
  const plan = await filterRun('/?lang=zh');
  log(`filter changes with the ${FEATURES}-feature layer shown: ${ROUNDS} x 10`);
  const layer = await filterRun(`/?lang=zh&layers=${LAYER}`);
  if (!(layer.shown.overlay > 0)) log(`WARNING: the uploaded layer was not drawn: ${JSON.stringify(layer.shown)}; the last rows measure the plan's data alone`);
  const unchanged = [...plan.samples, ...layer.samples].filter((s) => !s.listChanged).length;

  const loadEnd = os.loadavg();
  const f2 = (xs) => xs.map((x) => x.toFixed(2)).join(' ');
  const lines = [
    `## Front end speed budget (bench/frontend.mjs)`,
    ``,
    `${new Date().toISOString()} · ${os.cpus().length} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpuModel()} · load average at start ${f2(loadStart)}, at end ${f2(loadEnd)} · Chromium ${version} headless (SwiftShader) · Node ${process.version}`,
    ``,
    `| measure | budget | median | max | met? |`,
    `|---|---|---|---|---|`,
    row(`first load: transferred (${RUNS} cold loads)`, '1.5 MB', loads.map((l) => l.bytes), mb, BUDGET.bytes),
    row('first load: requests', '—', loads.map((l) => l.requests), String),
    row('first load: font files', '—', loads.map((l) => l.fonts), String),
    row('first load: navigation → map interactive', '2 s', loads.map((l) => l.ms), ms, BUDGET.interactive),
    row('first load: navigation → complete map on screen (the frame after idle)', '—', loads.map((l) => l.shownMs), ms),
    row(`filter change, plan data (${plan.samples.length}): list`, '100 ms', plan.samples.map((s) => s.list), ms, BUDGET.filterPlan),
    row('filter change, plan data: map drawn', '100 ms', plan.samples.map((s) => s.map), ms, BUDGET.filterPlan),
    row('filter change, plan data: map idle', '—', plan.samples.map((s) => s.idle), ms),
    row(`filter change, ${FEATURES} uploaded features shown (${layer.samples.length}): list`, '300 ms', layer.samples.map((s) => s.list), ms, BUDGET.filterLayer),
    row(`filter change, ${FEATURES} uploaded features shown: map drawn`, '300 ms', layer.samples.map((s) => s.map), ms, BUDGET.filterLayer),
    row(`filter change, ${FEATURES} uploaded features shown: map idle`, '—', layer.samples.map((s) => s.idle), ms),
    ``,
    `Requests outside planmap's origin: ${loads.reduce((a, l) => a + l.offOrigin, 0)}. ` +
      `Filter work inside the click (filters, counts, list, map data handed over; lastUpdateMs): median ${ms(median(plan.samples.map((s) => s.update)))} plan, ${ms(median(layer.samples.map((s) => s.update)))} with the layer. ` +
      `Uploaded layer: ${up.features} features, draft ready ${(up.ready / 1000).toFixed(1)} s after POST /uploads; ${layer.shown.overlay} of its features drawn in the opening view. ` +
      (unchanged ? `${unchanged} filter changes left the list as it was (a change outside the view). ` : '') +
      (unchangedMaps ? `${unchangedMaps} filter changes left the map's projects as they were. ` : '') +
      `Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ];
  console.log(lines.join('\n'));
  await cleanup();
  clearTimeout(watchdog);
} catch (e) {
  console.error(e?.stack ?? e);
  await cleanup();
  process.exit(1);
}
