// Clusters of dense project points, made once for all projects and then
// only counted under the filters.
//
// The map used to let MapLibre cluster the filtered points (a clustered
// GeoJSON source): every filter change handed the source new data, and
// MapLibre's worker clustered and tiled it again before the map could draw
// the change. Here the points are clustered once, with the same greedy pass
// (supercluster's, which MapLibre uses: from the deepest clustered zoom up,
// each point not yet taken gathers the points and clusters within the
// radius around it, placed at their weighted centre), over every project.
// A filter change then decides, per cluster, how many of its projects pass:
// two or more are drawn as the cluster with that count; one is drawn as
// itself, where it is; none, nothing. The map shows that through feature
// state (see projectmap.ts), which it draws in the next frame without
// re-tiling anything.
//
// So clusters stay where they are when the filters change, and a cluster
// counts the projects that pass among those that are near each other, at
// that zoom, in the whole plan.

/** Points are clustered at zooms 0 to CLUSTER_MAX_ZOOM; above it every point is drawn as itself. */
export const CLUSTER_MAX_ZOOM = 8;
/** Points closer than this, in screen pixels at a cluster's zoom, join it (MapLibre's clusterRadius). */
export const CLUSTER_RADIUS_PX = 40;
/** MapLibre's world is 512 pixels wide at zoom 0. */
const WORLD_PX = 512;

/** One point to cluster: a project's id and a position (a multi-point project gives one per position). */
export interface ClusterInput {
  id: string;
  lon: number;
  lat: number;
}

/** A group of points at one zoom: a cluster (two or more points) or a point on its own. */
export interface ClusterNode {
  /** Index in Clustering.nodes; the cluster's id on the map. */
  index: number;
  zoom: number;
  lon: number;
  lat: number;
  /** Indices of the input points it holds. */
  points: number[];
  /** The nodes one zoom deeper it was made of (none at CLUSTER_MAX_ZOOM). */
  children: number[];
}

export interface Clustering {
  points: ClusterInput[];
  nodes: ClusterNode[];
  /** byZoom[z]: the nodes at zoom z (0..CLUSTER_MAX_ZOOM), every point in exactly one. */
  byZoom: number[][];
}

const lngX = (lon: number) => lon / 360 + 0.5;
function latY(lat: number): number {
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}
const xLng = (x: number) => (x - 0.5) * 360;
const yLat = (y: number) => (360 * Math.atan(Math.exp(((180 - y * 360) * Math.PI) / 180))) / Math.PI - 90;

interface Work {
  x: number;
  y: number;
  n: number;
  node: number;
  taken: boolean;
}

/** Clusters the points at every zoom from CLUSTER_MAX_ZOOM up to 0. */
export function buildClusters(points: ClusterInput[], maxZoom = CLUSTER_MAX_ZOOM, radiusPx = CLUSTER_RADIUS_PX): Clustering {
  const nodes: ClusterNode[] = [];
  const byZoom: number[][] = [];
  // One zoom deeper than the deepest clustered one, every point is its own node.
  let level: Work[] = [];
  points.forEach((p, i) => {
    if (!Number.isFinite(p.lon) || !Number.isFinite(p.lat)) return;
    const index = nodes.length;
    nodes.push({ index, zoom: maxZoom + 1, lon: p.lon, lat: p.lat, points: [i], children: [] });
    level.push({ x: lngX(p.lon), y: latY(p.lat), n: 1, node: index, taken: false });
  });
  for (let z = maxZoom; z >= 0; z--) {
    const r = radiusPx / (WORLD_PX * 2 ** z);
    const grid = new Map<string, number[]>();
    const cell = (x: number, y: number) => `${Math.floor(x / r)},${Math.floor(y / r)}`;
    level.forEach((w, i) => {
      const k = cell(w.x, w.y);
      const c = grid.get(k);
      if (c) c.push(i);
      else grid.set(k, [i]);
    });
    const within = (w: Work): number[] => {
      const cx = Math.floor(w.x / r);
      const cy = Math.floor(w.y / r);
      const out: number[] = [];
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (const j of grid.get(`${cx + dx},${cy + dy}`) ?? []) {
            const o = level[j];
            if ((o.x - w.x) ** 2 + (o.y - w.y) ** 2 <= r * r) out.push(j);
          }
      return out.sort((a, b) => a - b);
    };
    const next: Work[] = [];
    const here: number[] = [];
    for (const w of level) {
      if (w.taken) continue;
      w.taken = true;
      const near = within(w).filter((j) => !level[j].taken);
      if (near.length === 0) {
        // Alone at this zoom: the same node goes up a level.
        next.push({ ...w, taken: false });
        here.push(w.node);
        continue;
      }
      let wx = w.x * w.n;
      let wy = w.y * w.n;
      let n = w.n;
      const members = [w];
      for (const j of near) {
        const o = level[j];
        o.taken = true;
        wx += o.x * o.n;
        wy += o.y * o.n;
        n += o.n;
        members.push(o);
      }
      const index = nodes.length;
      const x = wx / n;
      const y = wy / n;
      nodes.push({
        index,
        zoom: z,
        lon: xLng(x),
        lat: yLat(y),
        points: members.flatMap((m) => nodes[m.node].points),
        children: members.map((m) => m.node),
      });
      next.push({ x, y, n, node: index, taken: false });
      here.push(index);
    }
    byZoom[z] = here;
    level = next;
  }
  return { points, nodes, byZoom };
}

/** What the map draws at one zoom under the filters. */
export interface ClusterView {
  /** Clusters drawn, each with how many of its projects pass the filters (two or more). */
  clusters: { node: number; count: number }[];
  /** Input points drawn as themselves. */
  points: number[];
}

/** The distinct ids among the node's points that pass. */
function passing(c: Clustering, node: ClusterNode, shown: ReadonlySet<string>): Set<string> {
  const ids = new Set<string>();
  for (const i of node.points) {
    const id = c.points[i].id;
    if (shown.has(id)) ids.add(id);
  }
  return ids;
}

/** Which clusters (with their counts) and which points the map draws at zoom z, given the projects that pass the filters. */
export function viewAt(c: Clustering, z: number, shown: ReadonlySet<string>): ClusterView {
  const out: ClusterView = { clusters: [], points: [] };
  if (z > CLUSTER_MAX_ZOOM || !c.byZoom[z]) {
    c.points.forEach((p, i) => shown.has(p.id) && out.points.push(i));
    return out;
  }
  for (const n of c.byZoom[z]) {
    const node = c.nodes[n];
    const ids = passing(c, node, shown);
    if (ids.size >= 2) out.clusters.push({ node: n, count: ids.size });
    else for (const i of node.points) if (shown.has(c.points[i].id)) out.points.push(i);
  }
  return out;
}

/**
 * The zoom at which a cluster's passing projects no longer share one
 * cluster (what a click on it zooms to): the first deeper zoom at which they
 * lie in two or more nodes, or CLUSTER_MAX_ZOOM + 1.
 */
export function expansionZoom(c: Clustering, node: number, shown: ReadonlySet<string>): number {
  let n = c.nodes[node];
  if (!n) return CLUSTER_MAX_ZOOM + 1;
  for (;;) {
    if (n.children.length === 0) return n.zoom + 1;
    const withShown = n.children.filter((ch) => passing(c, c.nodes[ch], shown).size > 0);
    if (withShown.length !== 1) return n.zoom + 1;
    n = c.nodes[withShown[0]];
    if (n.zoom > CLUSTER_MAX_ZOOM || n.points.length < 2) return n.zoom;
  }
}
