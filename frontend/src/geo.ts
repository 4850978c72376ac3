// Small geometry helpers: bounding boxes and representative points.
import type { Geometry, Position } from 'geojson';

export type BBox = [number, number, number, number]; // minLon, minLat, maxLon, maxLat

function eachPosition(g: Geometry, fn: (p: Position) => void): void {
  switch (g.type) {
    case 'Point':
      fn(g.coordinates);
      break;
    case 'MultiPoint':
    case 'LineString':
      g.coordinates.forEach(fn);
      break;
    case 'MultiLineString':
    case 'Polygon':
      g.coordinates.forEach((r) => r.forEach(fn));
      break;
    case 'MultiPolygon':
      g.coordinates.forEach((p) => p.forEach((r) => r.forEach(fn)));
      break;
    case 'GeometryCollection':
      g.geometries.forEach((c) => eachPosition(c, fn));
      break;
  }
}

/** The bounding box of a geometry, or null for a null or empty geometry. */
export function geometryBBox(g: Geometry | null | undefined): BBox | null {
  if (!g) return null;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  eachPosition(g, (p) => {
    const [x, y] = p;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  });
  return minX === Infinity ? null : [minX, minY, maxX, maxY];
}

/** Whether two boxes overlap (touching counts), as PostGIS's && operator decides. */
export function bboxIntersects(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

export function unionBBox(boxes: (BBox | null)[]): BBox | null {
  let out: BBox | null = null;
  for (const b of boxes) {
    if (!b) continue;
    out = out ? [Math.min(out[0], b[0]), Math.min(out[1], b[1]), Math.max(out[2], b[2]), Math.max(out[3], b[3])] : [...b];
  }
  return out;
}

/** A point that stands for the geometry: the point itself, or its box's centre. */
export function representativePoint(g: Geometry | null | undefined): [number, number] | null {
  if (!g) return null;
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
  const b = geometryBBox(g);
  return b ? [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] : null;
}

/**
 * Web-Mercator pixels per kilometre at zoom 0 for 512-pixel tiles, at a latitude.
 * At zoom z a circle of r km is r * pxPerKmAtZoom0 * 2^z pixels wide.
 */
export function pxPerKmAtZoom0(lat: number): number {
  const metresPerPixelAtEquator = 40075016.686 / 512;
  return 1000 / (metresPerPixelAtEquator * Math.cos((lat * Math.PI) / 180));
}

export type GeomKind = 'point' | 'line' | 'polygon' | 'none';

export function geomKind(g: Geometry | null | undefined): GeomKind {
  if (!g) return 'none';
  switch (g.type) {
    case 'Point':
    case 'MultiPoint':
      return 'point';
    case 'LineString':
    case 'MultiLineString':
      return 'line';
    case 'Polygon':
    case 'MultiPolygon':
      return 'polygon';
    default:
      return 'none';
  }
}
