// The first load's API requests, started as soon as the page's HTML has been
// read: this module is a script of its own in index.html, ahead of the app,
// so the requests are on their way while the browser still fetches and runs
// the app and MapLibre (about 1 MB of script). api.ts takes each answer once
// (takeStarted); a later request for the same URL goes to the network again.
//
// The label font's subsets for the names these answers carry are asked for
// as soon as they arrive (see fonts.ts), so that the map can be handed the
// labels without waiting for them later.
//
// The module imports only fonts.ts (which imports nothing), so that it runs
// as soon as it has arrived.
import { loadShippedFont } from './fonts';

/** What every API request of the page accepts. */
export const ACCEPT = 'application/json, application/geo+json';

/** A basemap collection, every feature in one answer. */
export function layerURL(id: string): string {
  return `/collections/${encodeURIComponent(id)}/items?limit=10000`;
}

/** The basemap collections the first view draws as GeoJSON (the labelled ones; the others are vector tiles, mapview.ts BASEMAP_UNLABELLED). */
const BASEMAP = ['rivers', 'cities'];

/** What the first load asks for (app.ts load), by path and query as api.ts names them. */
export const FIRST_LOAD = [
  '/collections/projects/items?limit=1000',
  '/plan/vocabularies',
  '/plan/sections',
  ...BASEMAP.map(layerURL),
  '/collections',
  '/plan/clauses',
];

/** An API request as api.ts makes it. */
export function request(url: string | URL, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { headers: { Accept: ACCEPT }, signal, credentials: 'same-origin' });
}

/** The answers whose features' names the map draws, and the cluster counts' digits (app.ts). */
const LABELLED = new Set([FIRST_LOAD[0], layerURL('rivers'), layerURL('cities')]);
const DIGITS = '0123456789';

/** A request started here: its response, and its body read as JSON when the response is ok. */
export interface Started {
  response: Promise<Response>;
  json: Promise<unknown>;
}

const started = new Map<string, Started>();

/** A request this module started, once: path and query as in FIRST_LOAD. */
export function takeStarted(pathAndQuery: string): Started | undefined {
  const r = started.get(pathAndQuery);
  started.delete(pathAndQuery);
  return r;
}

function names(body: unknown): unknown[] {
  const features = (body as { features?: { properties?: Record<string, unknown> | null }[] } | null)?.features;
  return Array.isArray(features) ? features.flatMap((f) => [f.properties?.name_zh, f.properties?.name_en]) : [];
}

if (typeof window !== 'undefined' && typeof fetch === 'function' && location.protocol.startsWith('http')) {
  for (const p of FIRST_LOAD) {
    const response = request(p);
    const json = response.then((r) => (r.ok ? r.json() : undefined));
    // A failure is reported to whoever takes the answer (api.ts), not as an unhandled rejection.
    json.catch(() => undefined);
    if (LABELLED.has(p)) void json.then((b) => loadShippedFont([DIGITS, ...names(b)]), () => undefined);
    started.set(p, { response, json });
  }
}
