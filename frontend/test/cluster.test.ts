import { describe, expect, it } from 'vitest';
import { CLUSTER_MAX_ZOOM, CLUSTER_RADIUS_PX, buildClusters, expansionZoom, viewAt, type ClusterInput } from '../src/cluster';
import { clusterKey, featuresOn, pointKey, projectData } from '../src/projectmap';
import { FEATURES, project } from './fixtures';

/** Screen pixels between two positions at zoom z (MapLibre's 512-pixel world). */
function px(a: { lon: number; lat: number }, b: { lon: number; lat: number }, z: number): number {
  const merc = (p: { lon: number; lat: number }) => {
    const s = Math.sin((p.lat * Math.PI) / 180);
    return [p.lon / 360 + 0.5, 0.5 - (0.25 * Math.log((1 + s) / (1 - s))) / Math.PI];
  };
  const [ax, ay] = merc(a);
  const [bx, by] = merc(b);
  return Math.hypot(ax - bx, ay - by) * 512 * 2 ** z;
}

/** A deterministic scatter of points over Liaoning, some of them in tight groups. */
function scatter(n: number): ClusterInput[] {
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const out: ClusterInput[] = [];
  for (let i = 0; i < n; i++) {
    const group = i % 5 === 0 ? 0 : i % 7 === 0 ? 1 : -1;
    const [lon, lat] = group === 0 ? [121.6 + rand() * 0.05, 38.9 + rand() * 0.05] : group === 1 ? [123.4 + rand() * 0.2, 41.8 + rand() * 0.2] : [119 + rand() * 6.5, 39 + rand() * 4];
    out.push({ id: `p${i}`, lon, lat });
  }
  return out;
}

describe('clusters of project points', () => {
  const points = scatter(120);
  const c = buildClusters(points);

  it('puts every point in exactly one node at every zoom', () => {
    for (let z = 0; z <= CLUSTER_MAX_ZOOM; z++) {
      const seen = c.byZoom[z].flatMap((n) => c.nodes[n].points).sort((a, b) => a - b);
      expect(seen, `zoom ${z}`).toEqual(points.map((_, i) => i));
    }
  });

  it('places a cluster at the centre of its points, joins only points near each other, and nests deeper clusters', () => {
    for (let z = 0; z <= CLUSTER_MAX_ZOOM; z++) {
      for (const n of c.byZoom[z]) {
        const node = c.nodes[n];
        if (node.points.length < 2) continue;
        // Each level gathers within the radius of a seed; a cluster's points lie within twice the radius of its centre.
        for (const i of node.points) expect(px(node, points[i], z)).toBeLessThanOrEqual(2 * CLUSTER_RADIUS_PX + 1e-6);
        // Its children are the nodes one zoom deeper, and hold the same points.
        if (node.zoom === z) expect(node.children.flatMap((ch) => c.nodes[ch].points).sort((a, b) => a - b)).toEqual([...node.points].sort((a, b) => a - b));
      }
      // No two nodes left apart at a zoom were within the radius of each other when they were made.
      const alone = c.byZoom[z].map((n) => c.nodes[n]).filter((n) => n.zoom === CLUSTER_MAX_ZOOM + 1);
      for (let i = 0; i < alone.length; i++) for (let j = i + 1; j < alone.length; j++) expect(px(alone[i], alone[j], z)).toBeGreaterThan(CLUSTER_RADIUS_PX);
    }
  });

  it('clusters two points closer than the radius and keeps them apart once they are farther', () => {
    const two = buildClusters([
      { id: 'a', lon: 122, lat: 40 },
      { id: 'b', lon: 122.05, lat: 40 },
    ]);
    for (let z = 0; z <= CLUSTER_MAX_ZOOM; z++) {
      const d = px({ lon: 122, lat: 40 }, { lon: 122.05, lat: 40 }, z);
      expect(two.byZoom[z].length, `zoom ${z}, ${d.toFixed(1)} px apart`).toBe(d <= CLUSTER_RADIUS_PX ? 1 : 2);
    }
    const top = two.nodes[two.byZoom[0][0]];
    expect(top.lon).toBeCloseTo(122.025, 6);
    expect(top.lat).toBeCloseTo(40, 6);
  });

  it('counts only the projects that pass, draws a lone one as itself and none as nothing', () => {
    const all = new Set(points.map((p) => p.id));
    const z = 5;
    const full = viewAt(c, z, all);
    expect(full.clusters.reduce((a, k) => a + k.count, 0) + full.points.length).toBe(points.length);
    // Keep one project of each cluster and every second lone point.
    const keep = new Set<string>();
    for (const n of c.byZoom[z]) {
      const node = c.nodes[n];
      if (node.points.length >= 2) keep.add(points[node.points[0]].id);
      else if (node.points[0] % 2 === 0) keep.add(points[node.points[0]].id);
    }
    const v = viewAt(c, z, keep);
    expect(v.clusters).toEqual([]);
    expect(v.points.map((i) => points[i].id).sort()).toEqual([...keep].sort());
    expect(viewAt(c, z, new Set())).toEqual({ clusters: [], points: [] });
    // Above the clustered zooms every passing point is drawn as itself.
    expect(viewAt(c, CLUSTER_MAX_ZOOM + 1, all).points.length).toBe(points.length);
  });

  it('zooms a click on a cluster to where its passing projects part', () => {
    const pts: ClusterInput[] = [
      { id: 'a', lon: 122, lat: 40 },
      { id: 'b', lon: 122.3, lat: 40 },
      { id: 'c', lon: 122.31, lat: 40 },
    ];
    const k = buildClusters(pts);
    const all = new Set(['a', 'b', 'c']);
    const z0 = k.byZoom[3][0];
    expect(k.byZoom[3].length).toBe(1);
    // a parts from b and c first; b and c only much deeper.
    const partAB = Array.from({ length: CLUSTER_MAX_ZOOM + 1 }, (_, z) => z).find((z) => k.byZoom[z].length > 1)!;
    expect(expansionZoom(k, z0, all)).toBe(partAB);
    const bc = new Set(['b', 'c']);
    const deep = expansionZoom(k, z0, bc);
    expect(deep).toBeGreaterThan(partAB);
    for (let z = partAB; z < deep; z++) expect(viewAt(k, z, bc).clusters.map((x) => x.count)).toEqual([2]);
    expect(viewAt(k, deep, bc).clusters).toEqual([]);
  });

  it('ignores positions that are not numbers', () => {
    const k = buildClusters([
      { id: 'a', lon: NaN, lat: 40 },
      { id: 'b', lon: 122, lat: 40 },
    ]);
    expect(k.byZoom[0].map((n) => k.nodes[n].points)).toEqual([[1]]);
  });
});

describe('the projects on the map', () => {
  const categories = [{ code: 'port', label_zh: '港口', label_en: 'Port', symbol: 'anchor' }];

  it('splits projects into point copies per zoom band, clusters, lines, polygons, halos and names', () => {
    const d = projectData(FEATURES, categories);
    const points = FEATURES.filter((f) => f.geometry?.type === 'Point');
    expect(d.points.features.length).toBe(points.length * (CLUSTER_MAX_ZOOM + 2));
    expect(d.names.features.map((f) => f.properties?.id).sort()).toEqual(points.map((f) => f.id).sort());
    expect(d.lineIds).toEqual(['rail-shendan']);
    expect(d.polygonIds).toEqual(['park-changxing']);
    // Halos for approximate points with an uncertainty (the polygon's uncertainty is drawn by its own outline).
    expect(d.haloIds).toEqual(['reservoir-houshan']);
    const keys = d.points.features.map((f) => f.properties?.key);
    expect(new Set(keys).size).toBe(keys.length);
    const port = d.points.features.find((f) => f.properties?.id === 'port-dalian');
    expect(port?.properties).toMatchObject({ status: 'under_construction', category: 'port', approx: false, icon: 'sym|anchor|under_construction|s' });
  });

  it('switches on what passes, one cluster feature per cluster with its count, and nothing else', () => {
    // Three ports within a few hundred metres of each other and one far away.
    const near = [0, 1, 2].map((i) => project(`port-${i}`, { category: 'port', status: 'ongoing' }, { type: 'Point', coordinates: [121.6 + i * 0.002, 38.9] }));
    const far = project('far', { category: 'port' }, { type: 'Point', coordinates: [124.5, 42.5] });
    const d = projectData([...near, far], categories);
    const on = featuresOn(d, new Set(['port-0', 'port-1', 'far']));
    // From zoom 3 (the map's least) the far one is farther than the cluster radius.
    for (let z = 3; z <= CLUSTER_MAX_ZOOM; z++) {
      // The three near ports share one cluster at every clustered zoom: two of them pass.
      const clusters = [...on['proj-clusters']].filter((k) => k.endsWith(`z${z}`));
      expect(clusters.length, `zoom ${z}`).toBe(1);
      expect(clusters[0]).toMatch(/n2z\d+$/);
      expect(on['proj-points'].has(pointKey(3, z))).toBe(true);
      for (const i of [0, 1, 2]) expect(on['proj-points'].has(pointKey(i, z))).toBe(false);
    }
    for (const i of [0, 1, 3]) expect(on['proj-points'].has(pointKey(i, CLUSTER_MAX_ZOOM + 1))).toBe(true);
    expect(on['proj-points'].has(pointKey(2, CLUSTER_MAX_ZOOM + 1))).toBe(false);
    // Every cluster feature switched on exists in the data, with the count its key names.
    const byKey = new Map(d.clusters.features.map((f) => [f.properties?.key, f.properties]));
    for (const k of on['proj-clusters']) {
      const p = byKey.get(k);
      expect(p, k).toBeDefined();
      expect(k).toBe(clusterKey(Number(/^c(\d+)/.exec(k)![1]), p!.point_count, p!.band));
    }
    // One passing project in the cluster: drawn as itself.
    const one = featuresOn(d, new Set(['port-2']));
    expect(one['proj-clusters'].size).toBe(0);
    expect(on['proj-lines'].size + one['proj-points'].size).toBe(CLUSTER_MAX_ZOOM + 2);
  });
});
