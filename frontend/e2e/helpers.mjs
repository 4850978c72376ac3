// Helpers for the end-to-end tests: build and start planmap, start Chromium,
// read the API. Nothing here downloads anything: planmap is built from this
// checkout with the local Go toolchain, and the browser is Debian's chromium.
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(FRONTEND, '..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** A fresh temporary folder that the unprivileged postgres user can enter (planmap runs its database as postgres when run as root). */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function checkBuilt() {
  const index = path.join(FRONTEND, 'dist', 'index.html');
  if (!fs.existsSync(index) || !fs.readFileSync(index, 'utf8').includes('/assets/')) {
    throw new Error('frontend/dist is not built: run `npm run build` in frontend/ before `npm run e2e`');
  }
}

/** Builds planmap from the checkout (with the built front end embedded) into dir. */
export function buildPlanmap(dir) {
  const bin = path.join(dir, 'planmap');
  execFileSync('go', ['build', '-o', bin, './cmd/planmap'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  return bin;
}

/** Starts `planmap serve` on a free port with a fresh data dir; resolves with its URL once /readyz answers 200. */
export async function startPlanmap(bin, base) {
  const dataDir = path.join(base, 'data');
  fs.mkdirSync(dataDir, { mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    cwd: base,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (b) => {
    log += b;
    if (log.length > 200_000) log = log.slice(-100_000);
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`planmap printed no "serving on" line in 120 s\n${out}\n${log}`)), 120_000);
    child.stdout.on('data', (b) => {
      out += b;
      const m = /serving on (http:\/\/\S+?)\/?(\s|$)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`planmap exited with ${code} before serving\n${out}\n${log}`));
    });
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`planmap at ${url} never became ready\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    child,
    dataDir,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 30_000));
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export async function launchBrowser(base) {
  const userDataDir = path.join(base, 'chromium-profile');
  fs.mkdirSync(userDataDir);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
    locale: 'zh-CN',
  });
  return context;
}

/**
 * The body of url as planmap sends it to a browser, content-encoded (not
 * decompressed): its size in bytes. For requests whose body the page's
 * network events do not show, such as the MapLibre worker's script.
 */
export function encodedBodySize(url, acceptEncoding = 'gzip, deflate, br, zstd') {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
      let n = 0;
      res.on('data', (b) => (n += b.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export async function apiJSON(base, p) {
  const r = await fetch(new URL(p, base), { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** The ids of the projects the API returns for a query string, all pages. */
export async function apiFeatures(base, query) {
  const q = new URLSearchParams(query);
  q.set('limit', '10000');
  const fc = await apiJSON(base, `/collections/projects/items?${q}`);
  return fc.features;
}

export const idsOf = (features) => features.map((f) => String(f.id)).sort();

/** Waits until the app has loaded its data and the map has drawn it. */
export async function settle(page) {
  await page.waitForFunction(() => window.__planmap !== undefined, null, { timeout: 30_000 });
  await page.evaluate(() => window.__planmap.ready);
  await page.evaluate(() => window.__planmap.whenIdle());
}

/** RFC 4180 CSV parser (independent of the app's). */
export function parseCSV(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [],
    field = '',
    q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Runs a planmap subcommand against a running planmap's embedded database
 * (same --data-dir), with input on stdin; returns stdout.
 */
export function planmapCLI(bin, server, args, input = '') {
  return execFileSync(bin, [...args, '--data-dir', server.dataDir], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
}

/** A ZIP archive of files ({name: Buffer}), stored without compression, as Shapefile bundles are sent. */
export function makeZip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Whether a command is on the PATH. */
export function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
