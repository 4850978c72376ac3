// The MapLibre map: an offline style drawn from planmap's own basemap
// collections, and the projects styled by status (colour) and category
// (symbol). Labels are drawn in the browser with the font the page ships
// (Noto Sans SC, files under /assets/; see fonts.ts): the style has no glyphs
// URL, so no request ever leaves the page's origin, and no label depends on
// the machine's fonts. No label is handed to the map before the font subsets
// its text needs have loaded (see fonts.ts and LABEL_LAYERS).
//
// The project sources get their data once (projectmap.ts); a filter change
// only sets feature state, which every project layer reads (ON), so the map
// draws it in its next frame without re-tiling anything.
import {
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type ExpressionSpecification,
  type GeoJSONSource,
  type LayerSpecification,
  type Map as MLMap,
  type MapGeoJSONFeature,
  type StyleSpecification,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection, Geometry, Polygon } from 'geojson';
import type { Lang, ProjectFeature } from './types';
import { geometryBBox, unionBBox, type BBox } from './geo';
import { SHIPPED_FAMILY } from './fonts';
import { CLUSTER_MAX_ZOOM } from './cluster';
import { ICON_SIZE, STATUS_COLORS, UNKNOWN_COLOR, drawSymbol, parseIconId, statusColor, symbolOf } from './symbols';

setWorkerUrl(workerUrl);

export const LIAONING: BBox = [118.8, 38.7, 125.8, 43.5];
export const BASEMAP_LAYERS = ['land', 'liaoning', 'provinces', 'border', 'rivers', 'cities'] as const;
export type BasemapId = (typeof BASEMAP_LAYERS)[number];
/**
 * The basemap layers without labels: the map reads them as planmap's own
 * vector tiles (OGC API - Tiles, basemapTiles), so that its worker parses the
 * few tiles of the view instead of indexing and cutting whole GeoJSON
 * layers; a first load was 90-160 ms sooner so. The labelled ones (rivers,
 * cities) stay GeoJSON, handed over once their names' font faces have
 * loaded (see fonts.ts): a canvas draws a label only once.
 */
export const BASEMAP_UNLABELLED = ['land', 'liaoning', 'provinces', 'border'] as const satisfies readonly BasemapId[];

/** A basemap layer's vector tiles on this origin; the tile's layer is named after the collection. */
export function basemapTiles(id: BasemapId): string {
  const origin = typeof location === 'undefined' ? '' : location.origin;
  return `${origin}/collections/${encodeURIComponent(id)}/tiles/WebMercatorQuad/{z}/{y}/{x}`;
}

export const SEA = '#b7d0e3';
/**
 * Every label's font: the shipped family (MapLibre draws with the CSS family
 * list "Noto Sans SC, sans-serif"; a character no shipped subset covers comes
 * from the browser's fonts). Only the regular weight is shipped, so cluster
 * counts are regular too.
 */
const FONT = [SHIPPED_FAMILY];

/**
 * The layers that draw text. The basemap's labels and the cluster counts are
 * drawn from the start: their sources get data only once the font subsets for
 * it have loaded. The projects' names reach the map with the projects (their
 * source, proj-names, is filled with the others so that the map tiles it at
 * once), so that layer starts hidden and showLabels() shows it when the
 * subsets for every project name have loaded.
 */
export const LABEL_LAYERS = ['river-labels', 'city-labels', 'proj-labels', 'proj-cluster-count'] as const;
export type LabelLayer = (typeof LABEL_LAYERS)[number];
const hidden = { visibility: 'none' as const };

/** The project layers that a pointer or the list can pick. */
export const PROJECT_LAYERS = ['proj-poly-fill', 'proj-line', 'proj-point'];

/** The sources of the project layers that follow the filters through feature state. */
export const PROJECT_SOURCES = ['proj-points', 'proj-clusters', 'proj-lines', 'proj-polygons', 'proj-halos'] as const;

/**
 * Whether a project feature is drawn: its feature state says so (see
 * projectmap.ts). A feature that is not drawn is still in the map's tiles,
 * so what a pointer or a query finds is checked with isDrawn.
 */
const ON: ExpressionSpecification = ['boolean', ['feature-state', 'on'], false];
/**
 * The value when the feature is drawn, else 0: a project layer's opacity, or
 * its lines' width or its circles' size, so that a feature that is off draws
 * no pixels at all.
 */
const whenOn = (v: unknown, off: unknown = 0): ExpressionSpecification => ['case', ON, v, off] as ExpressionSpecification;

/** Whether a feature a query or a pointer found in a project layer is drawn. */
export function isDrawn(f: { state?: Record<string, unknown> } | undefined): boolean {
  return f?.state?.on === true;
}

/**
 * The point layers draw the copy of each point made for the tile's zoom
 * (band 0 to CLUSTER_MAX_ZOOM, then one band for every deeper zoom): the
 * copy's state says whether the point is drawn as itself at that zoom or
 * counted in a cluster. Tiles have whole zooms, which is what clustering
 * follows too.
 */
const POINT_BAND: ExpressionSpecification = ['==', ['get', 'band'], ['min', ['floor', ['zoom']], CLUSTER_MAX_ZOOM + 1]];
const CLUSTER_BAND: ExpressionSpecification = ['==', ['get', 'band'], ['floor', ['zoom']]];

const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

function statusColorExpr(): ExpressionSpecification {
  const m: (string | ExpressionSpecification)[] = [];
  for (const [k, v] of Object.entries(STATUS_COLORS)) m.push(k, v);
  return ['match', ['get', 'status'], ...m, UNKNOWN_COLOR] as unknown as ExpressionSpecification;
}

function labelExpr(lang: Lang): ExpressionSpecification {
  const first = lang === 'zh' ? 'name_zh' : 'name_en';
  const second = lang === 'zh' ? 'name_en' : 'name_zh';
  return [
    'format',
    ['coalesce', ['get', first], ['get', second], ''],
    {},
    '\n',
    {},
    ['coalesce', ['get', second], ''],
    { 'font-scale': 0.78 },
  ] as ExpressionSpecification;
}

function riverLabelExpr(lang: Lang): ExpressionSpecification {
  const first = lang === 'zh' ? 'name_zh' : 'name_en';
  const second = lang === 'zh' ? 'name_en' : 'name_zh';
  return ['coalesce', ['get', first], ['get', second], ''] as ExpressionSpecification;
}


/** A polygon approximating a circle of radius km around [lon, lat]. */
export function circlePolygon(lon: number, lat: number, km: number, steps = 64): Polygon {
  const ring: [number, number][] = [];
  const dLat = km / 110.574;
  const dLon = km / (111.32 * Math.cos((lat * Math.PI) / 180));
  for (let i = 0; i <= steps; i++) {
    const a = (i / steps) * 2 * Math.PI;
    ring.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  ring[steps] = ring[0];
  return { type: 'Polygon', coordinates: [ring] };
}

function basemapLayers(lang: Lang): LayerSpecification[] {
  return [
    { id: 'sea', type: 'background', paint: { 'background-color': SEA } },
    { id: 'land', type: 'fill', source: 'land', 'source-layer': 'land', paint: { 'fill-color': '#ece8df', 'fill-outline-color': '#c9c1b2' } },
    // No antialiasing outline: liaoning-line draws the edge, and the fill is drawn in software on many machines.
    { id: 'liaoning-fill', type: 'fill', source: 'liaoning', 'source-layer': 'liaoning', paint: { 'fill-color': '#fbf9f4', 'fill-antialias': false } },
    {
      id: 'rivers',
      type: 'line',
      source: 'rivers',
      paint: { 'line-color': '#6fa3cf', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.8, 10, 2.5] },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    {
      id: 'provinces',
      type: 'line',
      source: 'provinces',
      'source-layer': 'provinces',
      paint: { 'line-color': '#a39481', 'line-width': 1, 'line-dasharray': [4, 2] },
    },
    {
      id: 'liaoning-line',
      type: 'line',
      source: 'liaoning',
      'source-layer': 'liaoning',
      paint: { 'line-color': '#8c7b66', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 1.2, 10, 2.5] },
    },
    {
      id: 'border',
      type: 'line',
      source: 'border',
      'source-layer': 'border',
      paint: { 'line-color': '#7d4e8c', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 1.5, 10, 3], 'line-dasharray': [3, 1, 1, 1] },
    },
    {
      id: 'river-labels',
      type: 'symbol',
      source: 'rivers',
      minzoom: 6.5,
      layout: {
        'symbol-placement': 'line',
        'text-field': riverLabelExpr(lang),
        'text-font': FONT,
        'text-size': 11,
        'symbol-spacing': 300,
      },
      paint: { 'text-color': '#3f76a8', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
    },
  ];
}

function projectLayers(): LayerSpecification[] {
  const color = statusColorExpr();
  const approx: ExpressionSpecification = ['==', ['get', 'approx'], true];
  const exact: ExpressionSpecification = ['!=', ['get', 'approx'], true];
  const clusterRadius: ExpressionSpecification = ['step', ['get', 'point_count'], 13, 5, 16, 10, 20, 25, 25];
  return [
    { id: 'hl-glow-fill', type: 'fill', source: 'highlight', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#ffd43b', 'fill-opacity': 0.35 } },
    {
      id: 'hl-glow-line',
      type: 'line',
      source: 'highlight',
      filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'line-color': '#ffd43b', 'line-width': 11, 'line-opacity': 0.85, 'line-blur': 1 },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    { id: 'proj-halo-fill', type: 'fill', source: 'proj-halos', minzoom: CLUSTER_MAX_ZOOM + 1, paint: { 'fill-color': color, 'fill-opacity': whenOn(0.07) } },
    {
      id: 'proj-halo-line',
      type: 'line',
      source: 'proj-halos',
      minzoom: CLUSTER_MAX_ZOOM + 1,
      paint: { 'line-color': color, 'line-width': whenOn(1.2), 'line-opacity': 0.75, 'line-dasharray': [3, 2] },
    },
    { id: 'proj-poly-fill', type: 'fill', source: 'proj-polygons', paint: { 'fill-color': color, 'fill-opacity': whenOn(['case', approx, 0.12, 0.28]) } },
    { id: 'proj-poly-line', type: 'line', source: 'proj-polygons', filter: exact, paint: { 'line-color': color, 'line-width': whenOn(2) } },
    {
      id: 'proj-poly-line-approx',
      type: 'line',
      source: 'proj-polygons',
      filter: approx,
      paint: { 'line-color': color, 'line-width': whenOn(2), 'line-dasharray': [2, 2] },
    },
    {
      id: 'proj-line-band',
      type: 'line',
      source: 'proj-lines',
      filter: approx,
      paint: {
        'line-color': color,
        'line-width': ['interpolate', ['linear'], ['zoom'], 5, whenOn(10), 10, whenOn(18)],
        'line-opacity': 0.22,
      },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    {
      id: 'proj-line-casing',
      type: 'line',
      source: 'proj-lines',
      paint: { 'line-color': '#ffffff', 'line-width': whenOn(['match', ['get', 'category'], 'expressway', 7, 'railway', 6, 5]) },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    {
      id: 'proj-line',
      type: 'line',
      source: 'proj-lines',
      paint: { 'line-color': color, 'line-width': whenOn(['match', ['get', 'category'], 'expressway', 4.5, 'railway', 3.5, 3]) },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    {
      id: 'proj-line-rail',
      type: 'line',
      source: 'proj-lines',
      filter: ['==', ['get', 'category'], 'railway'],
      paint: { 'line-color': '#ffffff', 'line-width': whenOn(1.2), 'line-dasharray': [3, 3] },
    },
    {
      // One feature per cluster and count; the one whose count is the cluster's under the filters is on.
      id: 'proj-cluster',
      type: 'circle',
      source: 'proj-clusters',
      filter: CLUSTER_BAND,
      // Off, a cluster has no size (nothing drawn, nothing under the pointer); size and stroke width as the cities'
      // circles have them (data-driven), the two layers share one shader.
      paint: {
        'circle-color': '#34495e',
        'circle-opacity': 0.88,
        'circle-radius': whenOn(clusterRadius),
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': whenOn(2),
      },
    },
    {
      id: 'proj-cluster-count',
      type: 'symbol',
      source: 'proj-clusters',
      filter: CLUSTER_BAND,
      // The counts that are off stay in the tiles: they must not push other labels away.
      layout: { 'text-field': ['to-string', ['get', 'point_count']], 'text-font': FONT, 'text-size': 12.5, 'text-allow-overlap': true, 'text-ignore-placement': true },
      paint: { 'text-color': '#ffffff', 'text-opacity': whenOn(1) },
    },
    {
      id: 'hl-ring',
      type: 'circle',
      source: 'highlight',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 17, 'circle-color': '#ffd43b', 'circle-opacity': 0.55, 'circle-stroke-color': '#e67700', 'circle-stroke-width': 2 },
    },
    {
      id: 'proj-point',
      type: 'symbol',
      source: 'proj-points',
      filter: POINT_BAND,
      layout: {
        'icon-image': ['get', 'icon'],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'icon-size': ['interpolate', ['linear'], ['zoom'], 5, 0.85, 10, 1.1],
      },
      paint: { 'icon-opacity': whenOn(1) },
    },
  ];
}

function cityLayers(lang: Lang): LayerSpecification[] {
  return [
    {
      id: 'cities',
      type: 'circle',
      source: 'cities',
      paint: {
        'circle-radius': ['case', ['==', ['get', 'capital'], true], 5, 3.5],
        'circle-color': '#ffffff',
        'circle-stroke-color': '#333333',
        'circle-stroke-width': ['case', ['==', ['get', 'capital'], true], 2.5, 1.5],
      },
    },
    {
      id: 'city-labels',
      type: 'symbol',
      source: 'cities',
      layout: {
        'text-field': labelExpr(lang),
        'text-font': FONT,
        'text-size': ['case', ['==', ['get', 'capital'], true], 14, 12.5],
        'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
        'text-radial-offset': 0.6,
        'text-justify': 'auto',
        'text-padding': 1,
      },
      paint: { 'text-color': '#222222', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
    },
    {
      // The projects' names, from a source of their own: the layer's filter names the projects that pass
      // (projectmap.ts), so that labels of projects filtered out take no room from others. Changing it
      // re-tiles only this source, and only when the layer is shown (from zoom 9).
      id: 'proj-labels',
      type: 'symbol',
      source: 'proj-names',
      filter: ['in', ['get', 'id'], ['literal', []]],
      minzoom: CLUSTER_MAX_ZOOM + 1,
      layout: {
        ...hidden,
        'text-field': riverLabelExpr(lang),
        'text-font': FONT,
        'text-size': 11,
        'text-offset': [0, 1.3],
        'text-anchor': 'top',
        'text-optional': true,
        'text-max-width': 10,
      },
      paint: { 'text-color': '#333333', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
    },
  ];
}

export function buildStyle(lang: Lang): StyleSpecification {
  const geo = (extra: object = {}) => ({ type: 'geojson' as const, data: empty(), ...extra });
  return {
    version: 8,
    name: 'planmap offline',
    // The map asks its worker for the tiles of its sources in this order: the labelled ones first, since their
    // tiles wait on the page for glyphs and icons, which it draws while the worker goes on with the others.
    sources: {
      cities: geo(),
      rivers: geo(),
      'proj-points': geo({ promoteId: 'key' }),
      'proj-clusters': geo({ promoteId: 'key' }),
      'proj-names': geo(),
      'proj-lines': geo({ promoteId: 'key' }),
      'proj-polygons': geo({ promoteId: 'key' }),
      'proj-halos': geo({ promoteId: 'key' }),
      highlight: geo(),
      ...Object.fromEntries(BASEMAP_UNLABELLED.map((id) => [id, { type: 'vector' as const, tiles: [basemapTiles(id)], minzoom: 0, maxzoom: 14 }])),
    },
    // The draft's and the edit history's layers are added when first needed (ensureEditingLayers).
    layers: [...basemapLayers(lang), ...projectLayers(), ...cityLayers(lang)],
  };
}

// ---------- drafts, history and uploaded layers ----------

/** The draft layers a pointer can pick. */
export const DRAFT_LAYERS = ['draft-fill', 'draft-line', 'draft-point'];
export const DRAFT_COLOR = '#f76707';
export const DRAFT_ERROR_COLOR = '#e03131';
export const MATCH_COLOR = '#0c8599';
export const HISTORY_COLOR = '#862e9c';

const isPoint: ExpressionSpecification = ['==', ['geometry-type'], 'Point'];
const isPolygon: ExpressionSpecification = ['==', ['geometry-type'], 'Polygon'];
const notPoint: ExpressionSpecification = ['!=', ['geometry-type'], 'Point'];
const hovered: ExpressionSpecification = ['boolean', ['feature-state', 'hover'], false];
const draftColor: ExpressionSpecification = ['match', ['get', 'cls'], ['error', 'invalid'], DRAFT_ERROR_COLOR, DRAFT_COLOR];

function draftLayers(): LayerSpecification[] {
  return [
    // The matched projects' current geometry, under the draft.
    { id: 'dm-fill', type: 'fill', source: 'draft-match', filter: isPolygon, paint: { 'fill-color': MATCH_COLOR, 'fill-opacity': 0.18 } },
    {
      id: 'dm-casing',
      type: 'line',
      source: 'draft-match',
      filter: notPoint,
      paint: { 'line-color': '#ffffff', 'line-width': 8 },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    {
      id: 'dm-line',
      type: 'line',
      source: 'draft-match',
      filter: notPoint,
      paint: { 'line-color': MATCH_COLOR, 'line-width': 4.5 },
      layout: { 'line-cap': 'round', 'line-join': 'round' },
    },
    {
      id: 'dm-point',
      type: 'circle',
      source: 'draft-match',
      filter: isPoint,
      paint: { 'circle-radius': 15, 'circle-color': MATCH_COLOR, 'circle-opacity': 0.2, 'circle-stroke-color': MATCH_COLOR, 'circle-stroke-width': 4 },
    },
    { id: 'draft-fill', type: 'fill', source: 'draft', filter: isPolygon, paint: { 'fill-color': draftColor, 'fill-opacity': ['case', hovered, 0.4, 0.14] } },
    {
      id: 'draft-line',
      type: 'line',
      source: 'draft',
      filter: notPoint,
      paint: { 'line-color': draftColor, 'line-width': ['case', hovered, 5, 2.5], 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'draft-point',
      type: 'circle',
      source: 'draft',
      filter: isPoint,
      paint: {
        'circle-radius': ['case', hovered, 9, 6],
        'circle-color': draftColor,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ];
}

function historyLayers(): LayerSpecification[] {
  return [
    { id: 'hist-fill', type: 'fill', source: 'hist-old', filter: isPolygon, paint: { 'fill-color': HISTORY_COLOR, 'fill-opacity': 0.1 } },
    { id: 'hist-line', type: 'line', source: 'hist-old', filter: notPoint, paint: { 'line-color': HISTORY_COLOR, 'line-width': 3, 'line-dasharray': [2, 2] } },
    {
      id: 'hist-point',
      type: 'circle',
      source: 'hist-old',
      filter: isPoint,
      paint: { 'circle-radius': 10, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': HISTORY_COLOR, 'circle-stroke-width': 3 },
    },
  ];
}

/** Splits multi-geometries so the geometry-type filters see Point, LineString or Polygon. */
function flatten(g: Geometry): Geometry[] {
  switch (g.type) {
    case 'MultiPoint':
      return g.coordinates.map((c) => ({ type: 'Point', coordinates: c }));
    case 'MultiLineString':
      return g.coordinates.map((c) => ({ type: 'LineString', coordinates: c }));
    case 'MultiPolygon':
      return g.coordinates.map((c) => ({ type: 'Polygon', coordinates: c }));
    case 'GeometryCollection':
      return g.geometries.flatMap(flatten);
    default:
      return [g];
  }
}

export interface DraftMapFeature {
  idx: number;
  cls: string;
  geometry: Geometry | null;
}

/**
 * Adds the sources and layers of an upload's draft and of an older version's
 * geometry, on top of the others, the first time one is drawn: a planner who
 * does neither does not have the map load and tile them.
 */
export function ensureEditingLayers(map: MLMap): void {
  if (map.getSource('draft')) return;
  const geo = (extra: object = {}) => ({ type: 'geojson' as const, data: empty(), ...extra });
  map.addSource('draft-match', geo());
  map.addSource('draft', geo({ promoteId: 'idx' }));
  map.addSource('hist-old', geo());
  for (const l of [...draftLayers(), ...historyLayers()]) map.addLayer(l);
}

/** The draft on the map: only its index and class travel with the geometry, never its (uploaded) attributes. */
export function setDraft(map: MLMap, features: DraftMapFeature[], matched: { id: string; geometry: Geometry | null }[]): void {
  const draft: FeatureCollection = {
    type: 'FeatureCollection',
    features: features.filter((f) => f.geometry).map((f) => ({ type: 'Feature', geometry: f.geometry as Geometry, properties: { idx: f.idx, cls: f.cls } })),
  };
  const match: FeatureCollection = {
    type: 'FeatureCollection',
    features: matched.filter((m) => m.geometry).flatMap((m) => flatten(m.geometry as Geometry).map((g) => ({ type: 'Feature' as const, geometry: g, properties: { id: m.id } }))),
  };
  if (!map.getSource('draft') && !draft.features.length && !match.features.length) return;
  ensureEditingLayers(map);
  map.removeFeatureState({ source: 'draft' });
  (map.getSource('draft') as GeoJSONSource | undefined)?.setData(draft);
  (map.getSource('draft-match') as GeoJSONSource | undefined)?.setData(match);
}

export function setDraftHover(map: MLMap, prev: number | null, next: number | null): void {
  if (!map.getSource('draft')) return;
  if (prev !== null) map.setFeatureState({ source: 'draft', id: prev }, { hover: false });
  if (next !== null) map.setFeatureState({ source: 'draft', id: next }, { hover: true });
}

/** An older version's geometry, drawn dashed beside the current one; null clears it. */
export function setHistoryGeometry(map: MLMap, g: Geometry | null): void {
  if (!g && !map.getSource('hist-old')) return;
  ensureEditingLayers(map);
  const fc: FeatureCollection = { type: 'FeatureCollection', features: g ? flatten(g).map((x) => ({ type: 'Feature', geometry: x, properties: {} })) : [] };
  (map.getSource('hist-old') as GeoJSONSource | undefined)?.setData(fc);
}

export function fitGeometries(map: MLMap, geoms: (Geometry | null)[], animate = true): void {
  const b = unionBBox(geoms.map((g) => geometryBBox(g)));
  if (!b) return;
  map.fitBounds(
    [
      [b[0], b[1]],
      [b[2], b[3]],
    ],
    { padding: 60, maxZoom: 13, animate },
  );
}

const OVERLAY_COLORS = ['#0b7285', '#5f3dc4', '#a61e4d', '#2b8a3e', '#d9480f', '#364fc7'];

export function overlayColor(i: number): string {
  return OVERLAY_COLORS[((i % OVERLAY_COLORS.length) + OVERLAY_COLORS.length) % OVERLAY_COLORS.length];
}

export const overlayLayerIds = (id: string) => [`ov-${id}-fill`, `ov-${id}-line`, `ov-${id}-point`];

/**
 * Shows an uploaded layer from planmap's own vector tiles, under the
 * projects; the tile URL is on this origin. Hides it when visible is false.
 */
export function showOverlay(map: MLMap, id: string, color: string, visible: boolean, bounds?: BBox | null): void {
  const src = `ov-${id}`;
  const [fill, line, point] = overlayLayerIds(id);
  if (!visible) {
    for (const l of [fill, line, point]) if (map.getLayer(l)) map.setLayoutProperty(l, 'visibility', 'none');
    return;
  }
  if (!map.getSource(src)) {
    const b = bounds && bounds.every(Number.isFinite) ? bounds : undefined;
    map.addSource(src, {
      type: 'vector',
      tiles: [`${location.origin}/collections/${encodeURIComponent(id)}/tiles/WebMercatorQuad/{z}/{y}/{x}`],
      minzoom: 0,
      maxzoom: 16,
      ...(b ? { bounds: [Math.max(-180, b[0]), Math.max(-85, b[1]), Math.min(180, b[2]), Math.min(85, b[3])] as [number, number, number, number] } : {}),
    });
    const before = map.getLayer('hl-glow-fill') ? 'hl-glow-fill' : undefined;
    map.addLayer({ id: fill, type: 'fill', source: src, 'source-layer': id, filter: isPolygon, paint: { 'fill-color': color, 'fill-opacity': 0.22 } }, before);
    map.addLayer({ id: line, type: 'line', source: src, 'source-layer': id, filter: notPoint, paint: { 'line-color': color, 'line-width': 1.8 } }, before);
    map.addLayer(
      {
        id: point,
        type: 'circle',
        source: src,
        'source-layer': id,
        filter: isPoint,
        paint: { 'circle-radius': 5, 'circle-color': color, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 },
      },
      before,
    );
  }
  for (const l of [fill, line, point]) map.setLayoutProperty(l, 'visibility', 'visible');
}

/** Drops an overlay's layers and source, so that it is read again from planmap next time. */
export function removeOverlay(map: MLMap, id: string): void {
  for (const l of overlayLayerIds(id)) if (map.getLayer(l)) map.removeLayer(l);
  if (map.getSource(`ov-${id}`)) map.removeSource(`ov-${id}`);
}

export interface MapViewOptions {
  container: HTMLElement;
  lang: Lang;
  center?: [number, number];
  zoom?: number;
}

/** Draws project icons on demand, when a layer first asks for one. */
function installIconFactory(map: MLMap): void {
  map.setMissingStyleImageResolver((id: string) => {
    const parsed = parseIconId(id);
    if (!parsed || map.hasImage(id)) return;
    const ratio = 2;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = ICON_SIZE * ratio;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const [shape, mark] = symbolOf(parsed.symbol);
    drawSymbol(ctx, shape, mark, statusColor(parsed.status), parsed.hollow, ratio);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
    map.addImage(id, { width: canvas.width, height: canvas.height, data: new Uint8Array(data.data.buffer) }, { pixelRatio: ratio });
  });
}

export function createMap(opts: MapViewOptions): MLMap {
  const map = new MapLibreMap({
    container: opts.container,
    style: buildStyle(opts.lang),
    bounds: opts.center ? undefined : (LIAONING as [number, number, number, number]),
    fitBoundsOptions: { padding: 20 },
    center: opts.center,
    zoom: opts.zoom,
    minZoom: 3,
    maxZoom: 16,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    // MapLibre uses this only for its default font stack; our labels name the shipped family themselves.
    localIdeographFontFamily: `${SHIPPED_FAMILY}, sans-serif`,
    cancelPendingTileRequestsWhileZooming: false,
    // Labels appear without fading in. MapLibre fades them only once the map has first gone idle, and this
    // map goes idle once before its data has arrived: every label of the first load would then cost further
    // frames, each 100-250 ms where WebGL is drawn in software.
    fadeDuration: 0,
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.enable();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  installIconFactory(map);
  return map;
}

/**
 * Holds back the map's drawing until its first complete view: until `ready`
 * has settled (the app has handed the map all its data), every source's
 * tiles for the view are made and their labels placed, the map goes on
 * requesting and placing tiles in its frames but draws nothing (the page
 * shows the map box's background colour, SEA). It wraps the map's renderer
 * (`map.painter.render`) and reads whether the frame's label placement is
 * done (`_placementDirty`, as maplibre-gl 6.17 names it).
 * Drawing a frame costs 70-300 ms of the page's thread where WebGL is drawn
 * in software; a load would otherwise draw about ten partial frames (the sea
 * alone, then the basemap, then the projects, ...), each of which also holds
 * back the data, fonts and tiles still on their way. After timeoutMs the map
 * draws whatever it has.
 */
export function drawWhenComplete(map: MLMap, ready: Promise<unknown>, timeoutMs = 8000): void {
  const painter = map.painter;
  const draw = painter?.render;
  // A MapLibre without this renderer hook draws as it always has.
  if (typeof draw !== 'function') return;
  let handedOver = false;
  const release = () => {
    if (painter.render !== draw) painter.render = draw;
    map.triggerRepaint();
  };
  // Set by the frame before it draws: its label placement needs another frame (as it does in the frame that first
  // places the labels of new tiles).
  const placing = () => (map as unknown as { _placementDirty?: boolean })._placementDirty === true;
  painter.render = function (this: typeof painter, ...args: Parameters<typeof draw>) {
    // map.loaded(): the style and every source with its tiles for this view are loaded (asked in the frame, after the
    // map has asked for the tiles it needs).
    if (!handedOver || !map.loaded() || placing()) return;
    painter.render = draw;
    draw.apply(this, args);
  };
  const handed = () => {
    handedOver = true;
    map.triggerRepaint();
  };
  ready.then(handed, handed);
  setTimeout(release, timeoutMs);
}

export function setBasemap(map: MLMap, id: BasemapId, data: FeatureCollection): void {
  (map.getSource(id) as GeoJSONSource | undefined)?.setData(data);
}

export function setHighlight(map: MLMap, features: ProjectFeature[]): void {
  const fc: FeatureCollection = {
    type: 'FeatureCollection',
    features: features.filter((f) => f.geometry).map((f) => ({ type: 'Feature', geometry: f.geometry as Geometry, properties: { id: f.id } })),
  };
  (map.getSource('highlight') as GeoJSONSource | undefined)?.setData(fc);
}

/** Shows label layers that start hidden, once the font subsets for their text have loaded. */
export function showLabels(map: MLMap, layers: readonly LabelLayer[]): void {
  for (const l of layers) if (map.getLayer(l) && map.getLayoutProperty(l, 'visibility') === 'none') map.setLayoutProperty(l, 'visibility', 'visible');
}

export function setMapLanguage(map: MLMap, lang: Lang): void {
  map.setLayoutProperty('city-labels', 'text-field', labelExpr(lang));
  map.setLayoutProperty('river-labels', 'text-field', riverLabelExpr(lang));
  map.setLayoutProperty('proj-labels', 'text-field', riverLabelExpr(lang));
}

export function viewBBox(map: MLMap): BBox {
  const b = map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}

export function fitFeatures(map: MLMap, features: ProjectFeature[], animate = true): void {
  const b = unionBBox(features.map((f) => geometryBBox(f.geometry)));
  if (!b) return;
  map.fitBounds(
    [
      [b[0], b[1]],
      [b[2], b[3]],
    ],
    { padding: 40, maxZoom: 11, animate },
  );
}

/** The project id of a rendered feature under the pointer, if any. */
export function projectIdOf(f: MapGeoJSONFeature | undefined): string | null {
  const id = f?.properties?.id;
  return typeof id === 'string' ? id : null;
}
