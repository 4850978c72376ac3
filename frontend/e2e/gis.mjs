// End-to-end tests of the GIS-staff screens in headless Chromium, run by
// planmap.test.mjs against the same planmap after the planner's tests: sign
// in, upload, read the draft and its report, see it on the map, commit to a
// new layer and to projects, then, as an admin, read a project's history and
// roll it back. Uploaded attribute names, values and the file name carry
// script payloads that must never run.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { apiJSON, hasCommand, makeZip, planmapCLI, settle, tempDir } from './helpers.mjs';

const EDITOR = { username: 'gis.editor', password: 'editor-password-2026' };
const ADMIN = { username: 'gis.admin', password: 'admin-password-2026!' };
// Each payload would set window.__pwned (or open a dialog) if it were ever parsed as HTML.
const XSS_VALUE = `<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>`;
const XSS_KEY = `<img src=x onerror=window.__pwned=3>`;
const XSS_FILE = `<img src=x onerror=window.__pwned=4>`; // no "/" so it survives as a file name

let shots, server, context, bin, page, target;
const pageErrors = [];
const dialogs = [];
const timings = {};

async function shot(p, name) {
  const file = path.join(shots, name);
  await p.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
}

const idle = (p) => p.evaluate(() => window.__planmap.whenIdle());

/** GET as the signed-in browser (editor-only resources). */
const pageJSON = (p, url) =>
  p.evaluate(async (u) => {
    const r = await fetch(u, { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(`${u}: ${r.status} ${await r.text()}`);
    return r.json();
  }, url);

/** A square polygon of side 2d around [lon, lat]. */
function square(lon, lat, d) {
  return { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
}

function geojsonFile(name, features) {
  return { name, mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })) };
}

async function signIn(p, who) {
  await p.click('[data-testid="auth-button"]');
  await p.fill('[data-testid="auth-username"]', who.username);
  await p.fill('[data-testid="auth-password"]', who.password);
  await p.click('[data-testid="auth-submit"]');
  await p.waitForFunction((u) => document.querySelector('[data-testid="auth-button"]')?.textContent?.includes(u), who.username);
}

async function signOut(p) {
  await p.click('[data-testid="auth-button"]');
  await p.click('[data-testid="auth-signout"]');
  await p.waitForFunction(() => !document.querySelector('[data-testid="auth-button"]')?.textContent?.includes('gis.'));
}

/** Chooses a file in the upload panel and waits for its draft; returns the upload as the API has it. */
async function uploadAndWait(p, file, opts = {}) {
  await p.waitForSelector('[data-testid="upload-form"]');
  await p.setInputFiles('[data-testid="upload-file"]', file);
  if (opts.crs) await p.selectOption('[data-testid="upload-crs"]', opts.crs);
  if (opts.encoding) await p.selectOption('[data-testid="upload-encoding"]', opts.encoding);
  if (opts.shot) await shot(p, opts.shot);
  // Record the progress bar, which a small file passes through quickly.
  await p.evaluate(() => {
    window.__progress = [];
    const panel = document.getElementById('upload-panel');
    const obs = new MutationObserver(() => {
      const bar = panel.querySelector('[data-testid="upload-progress-bar"]');
      const text = panel.querySelector('[data-testid="upload-progress-text"]')?.textContent;
      if (bar && text) window.__progress.push(text);
    });
    obs.observe(panel, { subtree: true, childList: true, characterData: true });
  });
  const t0 = Date.now();
  await p.click('[data-testid="upload-send"]');
  await p.waitForSelector('[data-testid="report"], [data-testid="upload-failed"], [data-testid="upload-message"]', { timeout: 60_000 });
  if (!(await p.$('[data-testid="report"]'))) assert.fail(`the upload did not become a draft: ${await p.textContent('#upload-panel')}`);
  timings[`draft:${file.name.slice(-8)}`] = Date.now() - t0;
  assert.ok((await p.evaluate(() => window.__progress.length)) > 0, 'a progress bar was shown');
  const id = Number(await p.getAttribute('[data-testid="report"]', 'data-upload'));
  assert.ok(id > 0, 'the report names its upload');
  const u = await pageJSON(p, `/uploads/${id}`);
  assert.equal(u.status, 'ready');
  return u;
}

/** The report's counts as shown, by summary key. */
async function shownCounts(p) {
  return p.$$eval('[data-testid="report-counts"] li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.key, Number(li.dataset.value)])));
}

/** Draft features drawn now: distinct draft indexes, and matched-project shapes. */
async function drawnDraft(p) {
  return p.evaluate(() => {
    const m = window.__planmap.map;
    const idx = new Set(m.queryRenderedFeatures({ layers: ['draft-fill', 'draft-line', 'draft-point'] }).map((f) => f.properties.idx));
    const matched = m.queryRenderedFeatures({ layers: ['dm-fill', 'dm-line', 'dm-point'] }).length;
    return { idx: [...idx].sort((a, b) => a - b), matched };
  });
}

/** The screen position of a point of the map, in page coordinates. */
async function screenPoint(p, lonlat) {
  return p.evaluate((ll) => {
    const m = window.__planmap.map;
    const r = m.getCanvas().getBoundingClientRect();
    const pt = m.project(ll);
    return { x: r.left + pt.x, y: r.top + pt.y };
  }, lonlat);
}

async function assertNothingRan(p, where) {
  assert.equal(await p.evaluate(() => window.__pwned), undefined, `no payload ran (${where})`);
  assert.deepEqual(dialogs, [], `no dialog opened (${where})`);
  const made = await p.$$eval('#upload-panel img, #upload-panel script, #detail img, #detail script, #feature-info img, #feature-info script, #overlays img', (n) => n.length);
  assert.equal(made, 0, `no element was made from uploaded strings (${where})`);
}

/** The GIS tests; env() gives the running planmap, its binary, the browser context and the screenshot folder. */
export function describeGIS(env) {
describe('GIS staff: sign-in, uploads, drafts, commits, history and rollback', { timeout: 600_000 }, () => {
  before(async () => {
    ({ server, bin, context, shots } = env());
    // Accounts through the CLI, on the running planmap's own database.
    planmapCLI(bin, server, ['user', 'add', EDITOR.username, '--role', 'editor'], EDITOR.password + '\n');
    planmapCLI(bin, server, ['user', 'add', ADMIN.username, '--role', 'admin'], ADMIN.password + '\n');
    // A reservoir with a point: the upload gives it a boundary by name.
    const fc = await apiJSON(server.url, '/collections/projects/items?limit=1000');
    target = fc.features
      .filter((f) => f.geometry?.type === 'Point' && /水库/.test(f.properties.name_zh) && f.properties.name_zh.length >= 3)
      .filter((f, _, all) => all.filter((g) => g.properties.name_zh.includes(f.properties.name_zh)).length === 1)[0];
    assert.ok(target, 'a reservoir placed by a point');
  });

  after(async () => {
    await page?.close().catch(() => {});
    console.log('GIS timings (ms):', JSON.stringify(timings));
  });

  it('shows anonymous visitors no editing UI, and signs an editor in', async () => {
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(`console: ${m.text()}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    // Without the Content-Security-Policy, so that a payload parsed as HTML would really run: the test is of the code, not of the policy.
    await page.route(/\/(\?.*)?$/, async (route) => {
      const res = await route.fetch();
      const headers = { ...res.headers() };
      delete headers['content-security-policy'];
      await route.fulfill({ response: res, headers });
    });
    const seen = [];
    page.on('request', (r) => seen.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/?lang=zh`);
    await settle(page);
    assert.equal(await page.isVisible('[data-testid="tab-upload"]'), false, 'no upload tab for visitors');
    assert.ok(!seen.includes('/auth/session'), 'a visitor who never signed in makes no session request');
    assert.equal(await page.textContent('[data-testid="auth-button"]'), '登录');

    // A wrong password is refused with the server's message.
    await page.click('[data-testid="auth-button"]');
    await page.fill('[data-testid="auth-username"]', EDITOR.username);
    await page.fill('[data-testid="auth-password"]', 'wrong-password-0000');
    await page.click('[data-testid="auth-submit"]');
    await page.waitForSelector('[data-testid="auth-error"]:not(:empty)');
    await page.click('[data-testid="auth-button"]');

    await signIn(page, EDITOR);
    assert.match(await page.textContent('[data-testid="auth-button"]'), /gis\.editor.*编辑/);
    assert.equal(await page.isVisible('[data-testid="tab-upload"]'), true, 'editors get the upload tab');
    await page.click('[data-testid="tab-upload"]');
    await page.waitForSelector('[data-testid="upload-form"]');
    assert.equal(new URL(page.url()).searchParams.get('panel'), 'upload');
    // The declared-CRS choices include both Gauss-Kruger series of zones 39-42 and the shifted systems.
    const crs = await page.$$eval('[data-testid="upload-crs"] option', (os) => os.map((o) => o.value));
    for (const c of ['', 'EPSG:4490', 'EPSG:4527', 'EPSG:4530', 'EPSG:4548', 'EPSG:4551', 'EPSG:4326', 'EPSG:3857', 'GCJ-02', 'BD-09', 'EPSG:4610', 'EPSG:4214', 'EPSG:2365', 'EPSG:2417']) {
      assert.ok(crs.includes(c), `CRS option ${c}`);
    }
  });

  let layerUpload;
  it('uploads a GeoJSON, reports it as the API does, and draws the draft beside the matched project', async () => {
    const [lon, lat] = target.geometry.coordinates;
    const file = geojsonFile('survey-2026.geojson', [
      { type: 'Feature', properties: { 名称: target.properties.name_zh, 面积: 12.5 }, geometry: square(lon, lat, 0.01) },
      { type: 'Feature', properties: { 名称: XSS_VALUE, [XSS_KEY]: XSS_VALUE, note: '<script>window.__pwned=5</script>' }, geometry: square(lon + 0.05, lat + 0.03, 0.008) },
    ]);
    layerUpload = await uploadAndWait(page, file, { crs: 'EPSG:4490', shot: '10-upload-form.png' });

    // The report says what GET /uploads/{id} says.
    const s = layerUpload.summary;
    assert.deepEqual(await shownCounts(page), {
      features: s.features,
      valid: s.valid,
      invalid: s.invalid,
      no_geometry: s.no_geometry,
      outside_liaoning: s.outside_liaoning,
      duplicates: s.duplicates,
      with_errors: s.with_errors,
      warnings: s.warnings,
      matched_projects: s.matched_projects,
    });
    assert.equal(s.features, 2);
    assert.equal(s.matched_projects, 1);
    assert.match(await page.textContent('[data-testid="report-crs"]'), /4490/);
    assert.equal(await page.getAttribute('[data-testid="report-crs-source"]', 'data-source'), layerUpload.result.CRS.Source);
    assert.equal(await page.textContent('[data-testid="report-filename"]'), 'survey-2026.geojson');

    // The list: one row per feature, the suggestion on the matching one, hostile strings as text.
    const draft = await pageJSON(page, `/uploads/${layerUpload.id}/features`);
    const rows = await page.$$eval('[data-testid="draft-row"]', (rs) => rs.map((r) => Number(r.dataset.idx)));
    assert.deepEqual(rows, draft.features.map((f) => f.draft.index));
    const matched = draft.features.find((f) => f.draft.match === target.id);
    assert.ok(matched, 'the API suggests the reservoir');
    assert.equal(await page.getAttribute(`[data-testid="draft-row"][data-idx="${matched.draft.index}"] [data-testid="draft-suggestion"]`, 'data-match'), target.id);
    const hostile = draft.features.find((f) => f !== matched);
    await page.click(`[data-testid="draft-row"][data-idx="${hostile.draft.index}"] .attrs summary`);
    const attrs = await page.textContent(`[data-testid="draft-row"][data-idx="${hostile.draft.index}"] [data-testid="draft-attrs"]`);
    assert.ok(attrs.includes(XSS_KEY) && attrs.includes(XSS_VALUE), 'hostile names and values are shown as text');
    assert.equal(await page.textContent(`[data-testid="draft-row"][data-idx="${hostile.draft.index}"] [data-testid="draft-name"]`), XSS_VALUE);

    // The map: both draft features, and the matched project's current point.
    await idle(page);
    const drawn = await drawnDraft(page);
    assert.deepEqual(drawn.idx, draft.features.map((f) => f.draft.index).sort((a, b) => a - b), 'every draft feature is drawn');
    assert.ok(drawn.matched > 0, 'the matched project is highlighted');

    // Hover links the list and the map, both ways.
    await page.hover(`[data-testid="draft-row"][data-idx="${matched.draft.index}"]`);
    assert.equal(await page.evaluate((i) => window.__planmap.map.getFeatureState({ source: 'draft', id: i }).hover, matched.draft.index), true);
    const c = hostile.geometry.coordinates[0];
    const pt = await screenPoint(page, [(c[0][0] + c[2][0]) / 2, (c[0][1] + c[2][1]) / 2]);
    await page.mouse.move(pt.x, pt.y);
    await page.waitForSelector(`[data-testid="draft-row"][data-idx="${hostile.draft.index}"].hover`, { timeout: 5000 });
    await shot(page, '11-draft.png');
    await page.mouse.move(5, 300);
    await assertNothingRan(page, 'draft');
  });

  it('commits the draft to a new layer, which the map offers as an overlay', async () => {
    await page.check('[data-testid="target-layer"]');
    await page.fill('[data-testid="commit-layer-id"]', 'survey-e2e');
    await page.fill('[data-testid="commit-title-zh"]', '水库实测边界');
    await page.fill('[data-testid="commit-title-en"]', 'Surveyed reservoir outlines');
    await page.fill('[data-testid="commit-reason"]', 'e2e survey');
    await page.click('[data-testid="commit-submit"]');
    await page.waitForSelector('[data-testid="upload-another"]');
    assert.match(await page.textContent('[data-testid="upload-message"]'), /2/);

    const coll = await apiJSON(server.url, '/collections/survey-e2e');
    assert.equal(coll.kind, 'upload');
    assert.equal(coll.title_zh, '水库实测边界');
    const items = await apiJSON(server.url, '/collections/survey-e2e/items');
    assert.equal(items.features.length, 2);
    assert.ok(items.features.some((f) => f.properties[XSS_KEY] === XSS_VALUE), 'the hostile attributes are stored as they were');
    assert.equal((await pageJSON(page, `/uploads/${layerUpload.id}`)).status, 'committed');

    // The overlay: listed, switched on, in the URL, drawn from planmap's tiles.
    await page.waitForSelector('[data-testid="overlay-toggle"][data-layer="survey-e2e"]:checked');
    assert.equal(new URL(page.url()).searchParams.get('layers'), 'survey-e2e');
    await page.waitForFunction(() => window.__planmap.map.queryRenderedFeatures({ layers: ['ov-survey-e2e-fill'] }).length > 0, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => window.__planmap.map.queryRenderedFeatures({ layers: ['draft-fill', 'draft-line', 'draft-point'] }).length), 0, 'the draft is gone');
    await shot(page, '12-commit-layer.png');

    // The hostile feature's attributes, opened from the map, are text.
    const hostile = items.features.find((f) => f.properties[XSS_KEY]);
    const ring = hostile.geometry.coordinates[0];
    await idle(page);
    const pt = await screenPoint(page, [(ring[0][0] + ring[2][0]) / 2, (ring[0][1] + ring[2][1]) / 2]);
    await page.mouse.click(pt.x, pt.y);
    await page.waitForSelector('[data-testid="info-attrs"]');
    const info = await page.textContent('[data-testid="info-attrs"]');
    assert.ok(info.includes(XSS_KEY) && info.includes(XSS_VALUE));
    await assertNothingRan(page, 'layer feature attributes');
    await page.click('[data-testid="info-close"]');
    await page.uncheck('[data-testid="overlay-toggle"][data-layer="survey-e2e"]');
    assert.equal(new URL(page.url()).searchParams.get('layers'), null);
  });

  let projectUpload;
  it('uploads a zipped GBK Shapefile in Gauss-Kruger zone 41 and commits it to the matched project', async () => {
    const [lon, lat] = target.geometry.coordinates;
    const features = [
      { type: 'Feature', properties: { 名称: target.properties.name_zh, 备注: '实测' }, geometry: square(lon, lat, 0.012) },
      { type: 'Feature', properties: { 名称: XSS_VALUE.slice(0, 60), 备注: '<script>window.__pwned=6</script>' }, geometry: square(lon - 0.05, lat - 0.03, 0.006) },
    ];
    let file;
    if (hasCommand('ogr2ogr')) {
      const dir = tempDir('planmap-shp-');
      fs.writeFileSync(path.join(dir, 'in.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
      execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GBK', '-t_srs', 'EPSG:4529', path.join(dir, 'outline.shp'), path.join(dir, 'in.geojson')], { stdio: 'pipe' });
      const parts = {};
      for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) {
        const f = path.join(dir, `outline.${ext}`);
        if (fs.existsSync(f)) parts[`outline.${ext}`] = fs.readFileSync(f);
      }
      file = { name: `${XSS_FILE}.zip`, mimeType: 'application/zip', buffer: makeZip(parts) };
      fs.rmSync(dir, { recursive: true, force: true });
    } else {
      console.log('ogr2ogr not found: the Shapefile part uploads GeoJSON instead');
      file = geojsonFile(`${XSS_FILE}.geojson`, features);
    }
    await page.click('[data-testid="upload-another"]');
    projectUpload = await uploadAndWait(page, file);
    const s = projectUpload.summary;
    assert.deepEqual(await shownCounts(page), {
      features: s.features,
      valid: s.valid,
      invalid: s.invalid,
      no_geometry: s.no_geometry,
      outside_liaoning: s.outside_liaoning,
      duplicates: s.duplicates,
      with_errors: s.with_errors,
      warnings: s.warnings,
      matched_projects: s.matched_projects,
    });
    assert.equal(s.matched_projects, 1, 'the GBK name matched the project');
    if (file.name.endsWith('.zip')) {
      assert.equal(projectUpload.result.CRS.EPSG, 4529);
      assert.match(await page.textContent('[data-testid="report-crs"]'), /4529/);
      assert.equal(await page.getAttribute('[data-testid="report-crs-source"]', 'data-source'), 'prj');
      assert.match(await page.textContent('[data-testid="report-encoding"]'), /GBK|GB18030|CP936/i);
    }
    assert.equal(await page.textContent('[data-testid="report-filename"]'), file.name, 'the file name is shown as text');

    // Target "projects" is preselected; each select defaults to the suggestion, "none" elsewhere.
    assert.equal(await page.isChecked('[data-testid="target-projects"]'), true);
    const draft = await pageJSON(page, `/uploads/${projectUpload.id}/features`);
    for (const f of draft.features) {
      assert.equal(await page.inputValue(`[data-testid="match-select"][data-idx="${f.draft.index}"]`), f.draft.match ?? '');
    }
    await idle(page);
    const drawn = await drawnDraft(page);
    assert.equal(drawn.idx.length, 2);
    assert.ok(drawn.matched > 0);
    await shot(page, '13-draft-projects.png');

    const before = await apiJSON(server.url, `/collections/projects/items/${target.id}`);
    assert.equal(before.geometry.type, 'Point');
    await page.fill('[data-testid="commit-reason"]', 'surveyed outline');
    await page.click('[data-testid="commit-submit"]');
    await page.waitForSelector('[data-testid="commit-updated"]');
    const after = await apiJSON(server.url, `/collections/projects/items/${target.id}`);
    assert.equal(after.geometry.type, 'Polygon', 'the project now has the uploaded outline');
    const xs = after.geometry.coordinates[0].map((c) => c[0]);
    assert.ok(Math.abs(Math.min(...xs) - (lon - 0.012)) < 1e-5 && Math.abs(Math.max(...xs) - (lon + 0.012)) < 1e-5, `outline where it was drawn: ${xs}`);
    assert.equal(after.properties.location_precision, 'site');
    // The app re-read the projects: its polygon is drawn.
    await idle(page);
    assert.ok(await page.evaluate((id) => window.__planmap.map.queryRenderedFeatures({ layers: ['proj-poly-fill'] }).some((f) => f.properties.id === id && f.state?.on === true), target.id));
    await shot(page, '14-commit-projects.png');
    await assertNothingRan(page, 'project commit');
  });

  it('shows the history with its diff, and lets an admin (not an editor) roll back', async () => {
    await page.click(`[data-testid="commit-updated"] [data-id="${target.id}"]`);
    await page.waitForSelector('[data-testid="detail"]:not([hidden])');
    assert.ok((await page.textContent('[data-testid="location"]')).includes(XSS_FILE), 'the note naming the file is text');
    await page.click('[data-testid="history-toggle"]');
    await page.waitForSelector('[data-testid="history-list"]');
    const hist = await apiJSON(server.url, `/collections/projects/items/${target.id}/history`);
    assert.deepEqual(
      await page.$$eval('[data-testid="history-version"]', (vs) => vs.map((v) => Number(v.dataset.version))),
      hist.versions.map((v) => v.version),
    );
    const [newest, older] = hist.versions;
    assert.equal(newest.upload_id, projectUpload.id);
    await page.click(`[data-testid="history-version"][data-version="${older.version}"] [data-testid="history-show"]`);
    assert.equal(await page.$$eval('[data-testid="rollback"]', (b) => b.length), 0, 'an editor cannot roll back');

    await signOut(page);
    assert.equal(await page.isVisible('[data-testid="tab-upload"]'), false);
    await signIn(page, ADMIN);
    assert.match(await page.textContent('[data-testid="auth-button"]'), /管理员/);
    await page.waitForSelector('[data-testid="history-list"]');

    // The newest version against the one before: what the upload changed, and the old point dashed on the map.
    await page.click(`[data-testid="history-version"][data-version="${newest.version}"] [data-testid="history-show"]`);
    await page.waitForSelector('[data-testid="history-diff"]');
    const rows = await page.$$eval('[data-testid="diff-row"]', (rs) => Object.fromEntries(rs.map((r) => [r.dataset.key, [r.querySelector('.old').textContent, r.querySelector('.new').textContent]])));
    assert.equal(rows.location_precision?.[1], 'site');
    assert.ok(rows.location_note?.[1].includes(XSS_FILE), 'the diff shows the hostile file name as text');
    assert.equal(await page.getAttribute('[data-testid="diff-geometry"]', 'data-changed'), 'true');
    await idle(page);
    const hist0 = await page.evaluate(async () => {
      const m = window.__planmap.map;
      const data = await m.getSource('hist-old').getData();
      return { types: data.features.map((f) => f.geometry.type), drawn: m.queryRenderedFeatures({ layers: ['hist-point', 'hist-line'] }).length };
    });
    assert.deepEqual(hist0.types, ['Point'], 'the old point is drawn beside the new outline');
    assert.ok(hist0.drawn > 0);
    await shot(page, '15-history.png');
    await assertNothingRan(page, 'history diff');

    // Roll back to the version before the upload.
    await page.click(`[data-testid="history-version"][data-version="${older.version}"] [data-testid="history-show"]`);
    await page.click('[data-testid="rollback"]');
    await page.fill('[data-testid="rollback-reason"]', 'wrong reservoir outline');
    await page.click('[data-testid="rollback-confirm"]');
    await page.waitForSelector('[data-testid="history-message"]');
    await page.waitForSelector(`[data-testid="history-version"][data-version="${newest.version + 1}"]`);
    const back = await apiJSON(server.url, `/collections/projects/items/${target.id}`);
    assert.deepEqual(back.geometry, target.geometry, 'the old point is back');
    const hist2 = await apiJSON(server.url, `/collections/projects/items/${target.id}/history`);
    assert.equal(hist2.versions[0].op, 'rollback');
    assert.equal(hist2.versions[0].changed_by, ADMIN.username);
    assert.match(hist2.versions[0].reason, /wrong reservoir outline/);
    await idle(page);
    await shot(page, '16-rollback.png');
    await assertNothingRan(page, 'rollback');

    // The same screens in English.
    await page.click('[data-testid="lang-toggle"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.textContent('[data-testid="history-toggle"]'), 'Edit history');
    assert.equal(await page.textContent('[data-testid="history-message"]'), `Rolled back to version ${older.version}.`);
    assert.match(await page.textContent('[data-testid="auth-button"]'), /gis\.admin \(admin\)/);
    assert.equal(await page.textContent('[data-testid="tab-upload"]'), 'Upload');
    assert.match(await page.textContent('[data-testid="upload-panel"] h2'), /Upload data/);
    await shot(page, '17-english.png');
  });

  it('raised no page errors', () => {
    assert.deepEqual(
      // The one 401 is the wrong password tried on purpose.
      pageErrors.filter((e) => !/GL Driver Message|WebGL/.test(e) && !/status of 401/.test(e)),
      [],
    );
  });
});
}
