// The projects on the map. Their sources get data once, when the projects
// are loaded (and again after an edit); a filter change only switches
// features on and off through feature state ({on: true}), which every
// project layer reads (mapview.ts) and which MapLibre applies in its next
// frame on the page's own thread: nothing is sent to its worker and no tile
// is made again, so a filter change is drawn in one frame, and an uploaded
// layer shown beside the projects is left alone.
//
// Points are clustered once for all projects (cluster.ts). The points
// source holds a copy of each point per zoom band (0 to CLUSTER_MAX_ZOOM,
// then one for deeper zooms), and the clusters source one feature per
// cluster and possible count; the filters switch on the point copies drawn
// as themselves and, for each cluster with two or more projects passing,
// the feature with that count. The projects' names are a source of their
// own, filtered with a layer filter (labels that are off would still take
// room from others): it is re-tiled only when labels are shown (zoom 9 on).
import type { GeoJSONSource, Map as MLMap } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import type { ProjectFeature, Term } from './types';
import { isApproximate } from './filter';
import { geomKind } from './geo';
import { iconId } from './symbols';
import { CLUSTER_MAX_ZOOM, buildClusters, expansionZoom, viewAt, type ClusterInput, type Clustering } from './cluster';
import { PROJECT_SOURCES, circlePolygon } from './mapview';

type ProjectSource = (typeof PROJECT_SOURCES)[number];

/** The deepest band: every zoom above CLUSTER_MAX_ZOOM. */
const TOP_BAND = CLUSTER_MAX_ZOOM + 1;

export interface ProjectData {
  points: FeatureCollection;
  clusters: FeatureCollection;
  lines: FeatureCollection;
  polygons: FeatureCollection;
  halos: FeatureCollection;
  names: FeatureCollection;
  clustering: Clustering;
  /** Per cluster node with two or more projects: how many distinct projects it holds. */
  clusterSizes: Map<number, number>;
  /** Ids of the line, polygon and halo features (each keyed by its project's id). */
  lineIds: string[];
  polygonIds: string[];
  haloIds: string[];
}

const collection = (features: Feature[] = []): FeatureCollection => ({ type: 'FeatureCollection', features });

/** A point copy's key: the point (one per position of a project) and its zoom band. */
export const pointKey = (part: number, band: number) => `p${part}z${band}`;
/** A cluster feature's key: the cluster, the count it shows and the zoom band it is drawn at. */
export const clusterKey = (node: number, count: number, zoom: number) => `c${node}n${count}z${zoom}`;

/** The positions of a point or multi-point geometry. */
function positions(g: Geometry): [number, number][] {
  if (g.type === 'Point') return [[g.coordinates[0], g.coordinates[1]]];
  if (g.type === 'MultiPoint') return g.coordinates.map((c) => [c[0], c[1]]);
  return [];
}

/** The sources' data for the projects, with the properties the style reads. */
export function projectData(features: ProjectFeature[], categories: Term[]): ProjectData {
  const symbolOfCategory = new Map(categories.map((c) => [c.code, c.symbol ?? '']));
  const points: Feature[] = [];
  const names: Feature[] = [];
  const lines: Feature[] = [];
  const polygons: Feature[] = [];
  const halos: Feature[] = [];
  const parts: ClusterInput[] = [];
  const partProps: Record<string, unknown>[] = [];
  for (const f of features) {
    const kind = geomKind(f.geometry);
    if (kind === 'none' || !f.geometry) continue;
    const p = f.properties;
    const approx = isApproximate(p);
    const props = {
      key: f.id,
      id: f.id,
      status: p.status,
      category: p.category,
      approx,
      icon: iconId(symbolOfCategory.get(p.category) || 'default', p.status, approx),
    };
    if (kind === 'point') {
      for (const [lon, lat] of positions(f.geometry)) {
        if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
        parts.push({ id: f.id, lon, lat });
        partProps.push(props);
        names.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { id: f.id, name_zh: p.name_zh, name_en: p.name_en } });
      }
      const km = p.uncertainty_km;
      if (approx && typeof km === 'number' && km > 0 && f.geometry.type === 'Point') {
        const [lon, lat] = f.geometry.coordinates;
        halos.push({ type: 'Feature', geometry: circlePolygon(lon, lat, km), properties: props });
      }
    } else if (kind === 'line') lines.push({ type: 'Feature', geometry: f.geometry, properties: props });
    else polygons.push({ type: 'Feature', geometry: f.geometry, properties: props });
  }
  parts.forEach((part, i) => {
    const geometry: Point = { type: 'Point', coordinates: [part.lon, part.lat] };
    for (let band = 0; band <= TOP_BAND; band++) points.push({ type: 'Feature', geometry, properties: { ...partProps[i], key: pointKey(i, band), band } });
  });
  const clustering = buildClusters(parts);
  const clusters: Feature[] = [];
  const clusterSizes = new Map<number, number>();
  for (const node of clustering.nodes) {
    const size = new Set(node.points.map((i) => parts[i].id)).size;
    if (size >= 2) clusterSizes.set(node.index, size);
  }
  for (let z = 0; z <= CLUSTER_MAX_ZOOM; z++) {
    for (const n of clustering.byZoom[z] ?? []) {
      const size = clusterSizes.get(n);
      if (!size) continue;
      const node = clustering.nodes[n];
      const geometry: Point = { type: 'Point', coordinates: [node.lon, node.lat] };
      // A node can stand at several zooms; its cluster features carry the band of each.
      for (let k = 2; k <= size; k++) {
        clusters.push({ type: 'Feature', geometry, properties: { key: clusterKey(n, k, z), band: z, cluster_id: clusterId(n, z), point_count: k } });
      }
    }
  }
  return {
    points: collection(points),
    clusters: collection(clusters),
    lines: collection(lines),
    polygons: collection(polygons),
    halos: collection(halos),
    names: collection(names),
    clustering,
    clusterSizes,
    lineIds: lines.map((f) => String(f.properties?.id)),
    polygonIds: polygons.map((f) => String(f.properties?.id)),
    haloIds: halos.map((f) => String(f.properties?.id)),
  };
}

/** A cluster's id on the map: its node and the zoom it is drawn at. */
const clusterId = (node: number, zoom: number) => node * 32 + zoom;
const nodeOfClusterId = (id: number) => Math.floor(id / 32);

/** The features to switch on, per source, for the projects that pass the filters. */
export function featuresOn(data: ProjectData, shown: ReadonlySet<string>): Record<ProjectSource, Set<string>> {
  const on: Record<ProjectSource, Set<string>> = {
    'proj-points': new Set(),
    'proj-clusters': new Set(),
    'proj-lines': new Set(data.lineIds.filter((id) => shown.has(id))),
    'proj-polygons': new Set(data.polygonIds.filter((id) => shown.has(id))),
    'proj-halos': new Set(data.haloIds.filter((id) => shown.has(id))),
  };
  for (let z = 0; z <= CLUSTER_MAX_ZOOM; z++) {
    const view = viewAt(data.clustering, z, shown);
    for (const i of view.points) on['proj-points'].add(pointKey(i, z));
    for (const c of view.clusters) on['proj-clusters'].add(clusterKey(c.node, c.count, z));
  }
  data.clustering.points.forEach((p, i) => shown.has(p.id) && on['proj-points'].add(pointKey(i, TOP_BAND)));
  return on;
}

export class ProjectMap {
  private data: ProjectData | null = null;
  private shown: ReadonlySet<string> = new Set();
  /** The features switched on now, per source. */
  private on = new Map<ProjectSource, Set<string>>();
  private labelIds = '';

  constructor(private map: MLMap) {}

  /** Gives the map the projects (all of them; show() picks those drawn). */
  setProjects(features: ProjectFeature[], categories: Term[]): void {
    const d = projectData(features, categories);
    this.data = d;
    const set = (id: string, fc: FeatureCollection) => (this.map.getSource(id) as GeoJSONSource | undefined)?.setData(fc);
    for (const s of PROJECT_SOURCES) if (this.map.getSource(s)) this.map.removeFeatureState({ source: s });
    this.on.clear();
    this.labelIds = '';
    set('proj-points', d.points);
    set('proj-clusters', d.clusters);
    set('proj-lines', d.lines);
    set('proj-polygons', d.polygons);
    set('proj-halos', d.halos);
    set('proj-names', d.names);
    this.show(this.shown);
  }

  /** Draws the projects whose ids are in shown, and no others. */
  show(shown: ReadonlySet<string>): void {
    this.shown = shown;
    if (!this.data) return;
    const next = featuresOn(this.data, shown);
    for (const source of PROJECT_SOURCES) {
      const before = this.on.get(source) ?? new Set<string>();
      const after = next[source];
      for (const key of before) if (!after.has(key)) this.map.setFeatureState({ source, id: key }, { on: false });
      for (const key of after) if (!before.has(key)) this.map.setFeatureState({ source, id: key }, { on: true });
      this.on.set(source, after);
    }
    const ids = [...new Set(this.data.clustering.points.map((p) => p.id).filter((id) => shown.has(id)))].sort();
    const key = ids.join('\n');
    if (key !== this.labelIds && this.map.getLayer('proj-labels')) {
      this.labelIds = key;
      this.map.setFilter('proj-labels', ['in', ['get', 'id'], ['literal', ids]]);
    }
  }

  /** The zoom a click on a cluster goes to: where its projects that pass stop sharing a cluster. */
  expansionZoom(clusterIdOnMap: number): number {
    if (!this.data) return CLUSTER_MAX_ZOOM + 1;
    return expansionZoom(this.data.clustering, nodeOfClusterId(clusterIdOnMap), this.shown);
  }

  /** Ids of the projects the map's sources hold with their features switched on (read back from the map). */
  async drawnIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const source of ['proj-points', 'proj-lines', 'proj-polygons']) {
      const data = (await (this.map.getSource(source) as GeoJSONSource).getData()) as { features?: Feature[] };
      for (const f of data.features ?? []) {
        const p = f.properties ?? {};
        if (typeof p.id !== 'string' || (source === 'proj-points' && p.band !== TOP_BAND)) continue;
        if (this.map.getFeatureState({ source, id: String(p.key) }).on === true) ids.add(p.id);
      }
    }
    return [...ids].sort();
  }
}
