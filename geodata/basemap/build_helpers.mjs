// Helper steps for geodata/basemap/build.sh (planmap).
// Plain Node.js (>= 18), no dependencies. Each step reads and writes GeoJSON.
//   node build_helpers.mjs landprep   IN OUT MIN_ISLAND_KM2
//   node build_helpers.mjs assign     IN OUT
//   node build_helpers.mjs cutborder  BORDER_IN LAND_IN OUT MAX_GAP_KM
//   node build_helpers.mjs cities     OUT
//   node build_helpers.mjs normalize  FILE [fill-holes]
//   node build_helpers.mjs verify     BASEMAP_DIR
import fs from 'node:fs';
import path from 'node:path';

const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const write = (f, obj) => fs.writeFileSync(f, JSON.stringify(obj));
const KM_PER_DEG = 111.32;

function features(gj) {
  if (gj.type === 'FeatureCollection') return gj.features;
  if (gj.type === 'GeometryCollection') return gj.geometries.map((g) => ({ type: 'Feature', properties: {}, geometry: g }));
  if (gj.type === 'Feature') return [gj];
  return [{ type: 'Feature', properties: {}, geometry: gj }];
}
function polygonsOf(g) {
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}
function linesOf(g) {
  if (!g) return [];
  if (g.type === 'LineString') return [g.coordinates];
  if (g.type === 'MultiLineString') return g.coordinates;
  return [];
}
// ring area in km2 (equirectangular at the ring's mean latitude; fine for this frame)
function ringAreaKm2(r) {
  let a = 0, lat = 0;
  for (const p of r) lat += p[1];
  lat /= r.length;
  for (let i = 0; i < r.length - 1; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return Math.abs(a) / 2 * KM_PER_DEG * KM_PER_DEG * Math.cos(lat * Math.PI / 180);
}
// distance in km between lon/lat points (equirectangular)
function distKm(a, b) {
  const k = Math.cos(((a[1] + b[1]) / 2) * Math.PI / 180);
  const dx = (a[0] - b[0]) * k, dy = a[1] - b[1];
  return Math.sqrt(dx * dx + dy * dy) * KM_PER_DEG;
}
function segDistKm(p, a, b) {
  const k = Math.cos(p[1] * Math.PI / 180);
  const px = p[0] * k, py = p[1], ax = a[0] * k, ay = a[1], bx = b[0] * k, by = b[1];
  const dx = bx - ax, dy = by - ay;
  const L = dx * dx + dy * dy;
  let t = L ? ((px - ax) * dx + (py - ay) * dy) / L : 0;
  t = Math.max(0, Math.min(1, t));
  const qx = ax + t * dx - px, qy = ay + t * dy - py;
  return Math.sqrt(qx * qx + qy * qy) * KM_PER_DEG;
}
// grid index of segments, for nearest-distance queries
class SegIndex {
  constructor(cell = 0.05) { this.cell = cell; this.map = new Map(); }
  key(i, j) { return i + ',' + j; }
  add(a, b, tag) {
    const c = this.cell;
    const i0 = Math.floor(Math.min(a[0], b[0]) / c), i1 = Math.floor(Math.max(a[0], b[0]) / c);
    const j0 = Math.floor(Math.min(a[1], b[1]) / c), j1 = Math.floor(Math.max(a[1], b[1]) / c);
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) {
      const k = this.key(i, j);
      if (!this.map.has(k)) this.map.set(k, []);
      this.map.get(k).push([a, b, tag]);
    }
  }
  addRings(rings, tag) { for (const r of rings) for (let i = 0; i < r.length - 1; i++) this.add(r[i], r[i + 1], tag); }
  // nearest segment (optionally restricted by tag predicate) within maxRings cells
  nearest(p, accept = () => true, maxRings = 40) {
    const c = this.cell, i0 = Math.floor(p[0] / c), j0 = Math.floor(p[1] / c);
    let best = { d: Infinity, tag: null };
    for (let r = 0; r <= maxRings; r++) {
      for (let i = i0 - r; i <= i0 + r; i++) for (let j = j0 - r; j <= j0 + r; j++) {
        if (Math.max(Math.abs(i - i0), Math.abs(j - j0)) !== r) continue;
        const segs = this.map.get(this.key(i, j));
        if (!segs) continue;
        for (const [a, b, tag] of segs) {
          if (!accept(tag)) continue;
          const d = segDistKm(p, a, b);
          if (d < best.d) best = { d, tag };
        }
      }
      // a cell ring r away is at least (r-1)*cell away
      if (best.d < (r) * c * KM_PER_DEG * Math.cos(p[1] * Math.PI / 180)) break;
    }
    return best;
  }
}

// pointInRing: even-odd ray casting
function pointInRing(p, r) {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const xi = r[i][0], yi = r[i][1], xj = r[j][0], yj = r[j][1];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < (xj - xi) * (p[1] - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function pointInPolygonGeom(p, g) {
  for (const poly of polygonsOf(g)) {
    if (!pointInRing(p, poly[0])) continue;
    let inHole = false;
    for (const h of poly.slice(1)) if (pointInRing(p, h)) { inHole = true; break; }
    if (!inHole) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// landprep: drop all interior rings (lakes, reservoirs, river polygons: the land
// layer is a land mask) and drop islands smaller than MIN_ISLAND_KM2.
function landprep(inFile, outFile, minKm2) {
  const gj = read(inFile);
  let holes = 0, islands = 0;
  for (const f of features(gj)) {
    const polys = [];
    for (const poly of polygonsOf(f.geometry)) {
      holes += poly.length - 1;
      if (ringAreaKm2(poly[0]) < minKm2) { islands++; continue; }
      polys.push([poly[0]]);
    }
    f.geometry = polys.length ? { type: 'MultiPolygon', coordinates: polys } : null;
  }
  gj.features = features(gj).filter((f) => f.geometry);
  write(outFile, gj);
  console.error(`landprep: removed ${holes} interior rings and ${islands} islands < ${minKm2} km2`);
}

// assign: input = mosaic of OSM China land x NE admin-1 provinces (mapshaper -union).
// Pieces of land that no NE province covers (the OSM coastline lies seaward of the
// NE one: reclaimed land, islands) are given to the nearest NE-covered piece's province.
function assign(inFile, outFile) {
  const gj = read(inFile);
  const fs_ = features(gj).filter((f) => f.geometry && f.properties.A3 === 'CHN');
  const idx = new SegIndex(0.05);
  for (const f of fs_) if (f.properties.iso_3166_2) idx.addRings(polygonsOf(f.geometry).flat(), f.properties);
  const out = [];
  let moved = 0;
  for (const f of fs_) {
    const p = f.properties;
    if (!p.iso_3166_2) {
      // nearest: test up to 60 vertices of the piece
      const verts = polygonsOf(f.geometry).flat(2);
      const step = Math.max(1, Math.floor(verts.length / 60));
      let best = { d: Infinity, tag: null };
      for (let i = 0; i < verts.length; i += step) {
        const r = idx.nearest(verts[i]);
        if (r.d < best.d) best = r;
      }
      if (!best.tag) { console.error('assign: no province found for a piece'); continue; }
      Object.assign(p, { name: best.tag.name, name_zh: best.tag.name_zh, name_en: best.tag.name_en, iso_3166_2: best.tag.iso_3166_2 });
      p.assigned_km = Math.round(best.d * 10) / 10;
      moved++;
    }
    out.push({ type: 'Feature', properties: { iso_3166_2: p.iso_3166_2, name_zh: p.name_zh, name_en: p.name_en }, geometry: f.geometry });
  }
  write(outFile, { type: 'FeatureCollection', features: out });
  console.error(`assign: ${out.length} pieces, ${moved} assigned to the nearest province`);
}

// cutborder: the China-DPRK shared edge of the OSM country polygons (with territorial
// waters) continues out to sea. Keep it only while it runs between the two countries'
// land: walking in from the sea end, drop vertices farther than MAX_GAP_KM from the
// land of either country.
function cutborder(borderFile, landFile, outFile, maxGapKm) {
  const land = features(read(landFile));
  const idx = new SegIndex(0.05);
  for (const f of land) idx.addRings(polygonsOf(f.geometry).flat(), f.properties.A3);
  const lines = features(read(borderFile)).flatMap((f) => linesOf(f.geometry));
  const near = (p) => idx.nearest(p, (t) => t === 'CHN').d <= maxGapKm && idx.nearest(p, (t) => t === 'PRK').d <= maxGapKm;
  const out = [];
  for (const l of lines) {
    // trim from both ends while a vertex is not between the two countries
    let a = 0, b = l.length - 1;
    while (a < b && !near(l[a])) a++;
    while (b > a && !near(l[b])) b--;
    const kept = l.slice(a, b + 1);
    if (kept.length >= 2) out.push(kept);
    console.error(`cutborder: line of ${l.length} vertices -> kept ${kept.length} (${kept[0]} .. ${kept[kept.length - 1]})`);
  }
  write(outFile, { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiLineString', coordinates: out } }] });
}

// ---------------------------------------------------------------------------
// The 14 prefecture-level city seats of Liaoning (GB/T 2260 codes 210100..211400).
// No openly licensed Natural Earth populated-places file is available from the
// npm registry, so every position is a city centre from general knowledge and is
// flagged approximate (see README.md).
const SEATS = [
  ['210100', '沈阳市', 'Shenyang', 123.4315, 41.8057, true],
  ['210200', '大连市', 'Dalian', 121.6440, 38.9210],
  ['210300', '鞍山市', 'Anshan', 122.9946, 41.1087],
  ['210400', '抚顺市', 'Fushun', 123.9570, 41.8800],
  ['210500', '本溪市', 'Benxi', 123.7660, 41.2940],
  ['210600', '丹东市', 'Dandong', 124.3830, 40.1250],
  ['210700', '锦州市', 'Jinzhou', 121.1270, 41.0950],
  ['210800', '营口市', 'Yingkou', 122.2350, 40.6670],
  ['210900', '阜新市', 'Fuxin', 121.6700, 42.0210],
  ['211000', '辽阳市', 'Liaoyang', 123.1730, 41.2730],
  ['211100', '盘锦市', 'Panjin', 122.0700, 41.1200],
  ['211200', '铁岭市', 'Tieling', 123.8440, 42.2900],
  ['211300', '朝阳市', 'Chaoyang', 120.4500, 41.5760],
  ['211400', '葫芦岛市', 'Huludao', 120.8370, 40.7110],
];
function cities(outFile) {
  const fsOut = SEATS.map(([code, zh, en, lon, lat, capital]) => ({
    type: 'Feature',
    id: 'city-' + code,
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: {
      id: 'city-' + code,
      name_zh: zh,
      name_en: en,
      kind: 'city_seat',
      admin_code: code,
      capital: !!capital,
      approximate: true,
      source: 'planmap: city centre, approximate (general knowledge)',
    },
  }));
  write(outFile, { type: 'FeatureCollection', features: fsOut });
}

// normalize: Multi* geometry types throughout (one geometry type per file, for typed
// PostGIS columns), optional removal of interior rings, Feature.id = properties.id,
// properties in a fixed order, one feature per line.
function normalize(file, fillHoles) {
  const gj = read(file);
  const order = ['id', 'name_zh', 'name_en', 'kind', 'source'];
  const out = features(gj).map((f) => {
    let g = f.geometry;
    if (g.type === 'LineString') g = { type: 'MultiLineString', coordinates: [g.coordinates] };
    if (g.type === 'Polygon') g = { type: 'MultiPolygon', coordinates: [g.coordinates] };
    if (fillHoles && g.type === 'MultiPolygon') g = { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => [p[0]]) };
    const props = {};
    for (const k of order) if (k in f.properties) props[k] = f.properties[k];
    for (const k of Object.keys(f.properties)) if (!(k in props)) props[k] = f.properties[k];
    return { type: 'Feature', id: props.id, geometry: g, properties: props };
  });
  const text = '{"type":"FeatureCollection","features":[\n' + out.map((f) => JSON.stringify(f)).join(',\n') + '\n]}\n';
  fs.writeFileSync(file, text);
}

// ---------------------------------------------------------------------------
function bboxOf(gj) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); return; }
    for (const x of c) visit(x);
  };
  for (const f of gj.features) if (f.geometry) visit(f.geometry.coordinates);
  return b;
}
function maxDecimals(gj) {
  let m = 0;
  const visit = (c) => {
    if (typeof c === 'number') { const s = String(c); const i = s.indexOf('.'); if (i >= 0) m = Math.max(m, s.length - i - 1); return; }
    for (const x of c) visit(x);
  };
  for (const f of gj.features) if (f.geometry) visit(f.geometry.coordinates);
  return m;
}
function verify(dir) {
  const files = ['land', 'liaoning', 'border', 'provinces', 'rivers', 'cities'];
  let ok = true, total = 0;
  const fail = (m) => { ok = false; console.log('FAIL ' + m); };
  const data = {};
  for (const name of files) {
    const f = path.join(dir, name + '.geojson');
    const size = fs.statSync(f).size; total += size;
    const gj = read(f); data[name] = gj;
    const b = bboxOf(gj);
    console.log(`${name}.geojson: ${size} bytes, ${gj.features.length} features, ${gj.features[0].geometry.type}, bbox ${b.map((x) => x.toFixed(3)).join(',')}, max decimals ${maxDecimals(gj)}`);
    if (b[0] < 117.5 || b[1] < 38 || b[2] > 126.5 || b[3] > 44) fail(`${name}: outside the frame`);
    if (maxDecimals(gj) > 5) fail(`${name}: more than 5 decimals`);
    const types = new Set(gj.features.map((ft) => ft.geometry.type));
    if (types.size !== 1) fail(`${name}: mixed geometry types ${[...types]}`);
    for (const ft of gj.features) {
      const p = ft.properties || {};
      for (const k of ['id', 'name_zh', 'name_en', 'kind', 'source']) if (!p[k]) fail(`${name}: feature without ${k}`);
      if (ft.id !== p.id) fail(`${name}: Feature.id != properties.id`);
    }
  }
  console.log(`total: ${total} bytes`);
  const chn = data.land.features.find((f) => f.properties.id === 'land-CHN');
  const ln = data.liaoning.features[0];
  for (const c of data.cities.features) {
    const p = c.geometry.coordinates;
    const onLand = pointInPolygonGeom(p, chn.geometry);
    const inLn = pointInPolygonGeom(p, ln.geometry);
    console.log(`  ${c.properties.name_en.padEnd(9)} ${p.join(',')}  on China land: ${onLand}  in Liaoning: ${inLn}`);
    if (!onLand || !inLn) fail(`${c.properties.name_en} not on land / not in Liaoning`);
  }
  // no DPRK land inside Liaoning (river islands such as Huangjinping stay DPRK)
  const prk = data.land.features.find((f) => f.properties.id === 'land-PRK');
  let prkTested = 0;
  for (const poly of polygonsOf(prk.geometry)) {
    const r = poly[0];
    const c = [r.reduce((s, q) => s + q[0], 0) / r.length, r.reduce((s, q) => s + q[1], 0) / r.length];
    if (!pointInRing(c, r)) continue;
    prkTested++;
    if (pointInPolygonGeom(c, ln.geometry)) fail(`DPRK land at ${c} inside Liaoning`);
  }
  console.log(`  ${prkTested} DPRK land parts tested: none inside Liaoning unless FAIL above`);
  // Yalu check: Dandong seat to the border line distance, and the border near Sinuiju
  const bl = data.border.features.flatMap((f) => linesOf(f.geometry));
  const dd = data.cities.features.find((c) => c.properties.name_en === 'Dandong').geometry.coordinates;
  let dmin = Infinity;
  for (const l of bl) for (let i = 0; i < l.length - 1; i++) dmin = Math.min(dmin, segDistKm(dd, l[i], l[i + 1]));
  console.log(`  Dandong seat to China-DPRK border: ${dmin.toFixed(2)} km`);
  console.log(ok ? 'verify: all checks passed' : 'verify: FAILED');
  if (!ok) process.exitCode = 1;
}

const [cmd, ...args] = process.argv.slice(2);
const steps = {
  landprep: () => landprep(args[0], args[1], Number(args[2])),
  assign: () => assign(args[0], args[1]),
  cutborder: () => cutborder(args[0], args[1], args[2], Number(args[3])),
  cities: () => cities(args[0]),
  normalize: () => normalize(args[0], args[1] === 'fill-holes'),
  verify: () => verify(args[0]),
};
if (!steps[cmd]) { console.error('unknown step ' + cmd); process.exit(2); }
steps[cmd]();
