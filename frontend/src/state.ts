// The whole view lives in the query string: filters, the selected project,
// the language, the open panel and the map's centre and zoom. parseState and
// serializeState are inverse for every canonical state, so a link reproduces
// the view and back/forward restore it.
import type { Lang } from './types';

/** Which panel the side column (or, on a phone, the area under the map) shows. */
export type Panel = 'list' | 'filters' | 'overview' | 'upload';
export const PANELS: Panel[] = ['list', 'filters', 'overview', 'upload'];

export interface MapView {
  lng: number;
  lat: number;
  zoom: number;
}

export interface Filters {
  sections: number[];
  statuses: string[];
  categories: string[];
  cities: string[];
  q: string;
}

export interface AppState extends Filters {
  lang: Lang;
  selected: string | null;
  panel: Panel;
  view: MapView | null;
  /** Uploaded layers shown over the map, by collection id. */
  overlays: string[];
}

export const SECTION_COUNT = 13;
export const MAX_Q = 200;
const MAX_LIST = 50;
const CODE = /^[\p{L}\p{N}_.\- ]{1,80}$/u;
const ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const LAYER = /^[a-z][a-z0-9_-]{0,62}$/;

export function defaultState(): AppState {
  return {
    lang: 'zh',
    sections: [],
    statuses: [],
    categories: [],
    cities: [],
    q: '',
    selected: null,
    panel: 'list',
    view: null,
    overlays: [],
  };
}

function splitList(v: string | null): string[] {
  if (!v) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function uniqSorted<T>(xs: T[], cmp?: (a: T, b: T) => number): T[] {
  return [...new Set(xs)].sort(cmp).slice(0, MAX_LIST);
}

function parseView(v: string | null): MapView | null {
  if (!v) return null;
  const parts = v.split(',');
  if (parts.length !== 3) return null;
  const [lng, lat, zoom] = parts.map(Number);
  if (![lng, lat, zoom].every(Number.isFinite)) return null;
  if (lng < -180 || lng > 180 || lat < -85 || lat > 85 || zoom < 0 || zoom > 22) return null;
  return { lng: round(lng, 4), lat: round(lat, 4), zoom: round(zoom, 2) };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** Reads a state from a query string ("?a=b" or "a=b"); unknown or malformed values fall back to defaults. */
export function parseState(search: string): AppState {
  const p = new URLSearchParams(search);
  const s = defaultState();
  const lang = p.get('lang');
  if (lang === 'en' || lang === 'zh') s.lang = lang;
  s.sections = uniqSorted(
    splitList(p.get('section'))
      .filter((x) => /^\d{1,2}$/.test(x))
      .map(Number)
      .filter((n) => n >= 1 && n <= SECTION_COUNT),
    (a, b) => a - b,
  );
  s.statuses = uniqSorted(splitList(p.get('status')).filter((x) => CODE.test(x)));
  s.categories = uniqSorted(splitList(p.get('category')).filter((x) => CODE.test(x)));
  s.cities = uniqSorted(splitList(p.get('city')).filter((x) => CODE.test(x)));
  s.q = normalizeQuery(p.get('q') ?? '');
  const id = p.get('id');
  if (id && ID.test(id)) s.selected = id;
  const panel = p.get('panel');
  if (panel && (PANELS as string[]).includes(panel)) s.panel = panel as Panel;
  s.view = parseView(p.get('map'));
  s.overlays = uniqSorted(splitList(p.get('layers')).filter((x) => LAYER.test(x)));
  return s;
}

export function normalizeQuery(q: string): string {
  return q.replace(/\s+/g, ' ').trim().slice(0, MAX_Q);
}

/** Writes the canonical query string (without "?"); default values are left out except lang. */
export function serializeState(s: AppState): string {
  const p = new URLSearchParams();
  p.set('lang', s.lang);
  if (s.sections.length) p.set('section', uniqSorted(s.sections, (a, b) => a - b).join(','));
  if (s.statuses.length) p.set('status', uniqSorted(s.statuses).join(','));
  if (s.categories.length) p.set('category', uniqSorted(s.categories).join(','));
  if (s.cities.length) p.set('city', uniqSorted(s.cities).join(','));
  const q = normalizeQuery(s.q);
  if (q) p.set('q', q);
  if (s.selected) p.set('id', s.selected);
  if (s.panel !== 'list') p.set('panel', s.panel);
  if (s.overlays.length) p.set('layers', uniqSorted(s.overlays).join(','));
  if (s.view) {
    p.set('map', [round(s.view.lng, 4), round(s.view.lat, 4), round(s.view.zoom, 2)].join(','));
  }
  return p.toString().replace(/%2C/g, ',');
}

/** The filter part of a state, for comparing whether a change needs a re-filter. */
export function filtersOf(s: Filters): Filters {
  return { sections: s.sections, statuses: s.statuses, categories: s.categories, cities: s.cities, q: s.q };
}

export function sameFilters(a: Filters, b: Filters): boolean {
  return JSON.stringify(filtersOf(a)) === JSON.stringify(filtersOf(b));
}

/** The API query for the same filters, as GET /collections/projects/items takes it. */
export function apiQuery(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.sections.length) p.set('section', f.sections.join(','));
  if (f.statuses.length) p.set('status', f.statuses.join(','));
  if (f.categories.length) p.set('category', f.categories.join(','));
  if (f.cities.length) p.set('city', f.cities.join(','));
  if (f.q) p.set('q', f.q);
  return p;
}

export function toggle<T>(xs: T[], x: T): T[] {
  return xs.includes(x) ? xs.filter((y) => y !== x) : [...xs, x];
}
