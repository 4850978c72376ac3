// Client-side filtering with the same meaning as the API's filters
// (GET /collections/projects/items): values of one facet are alternatives
// (OR), facets combine (AND); q matches a substring of the Chinese or English
// name, ignoring case; city matches the English name ignoring case or the
// Chinese name exactly. Faceted counts count each facet's options under
// every other filter.
import type { Filters } from './state';
import type { ProjectFeature } from './types';
import { bboxIntersects, geometryBBox, type BBox } from './geo';

export type Facet = 'section' | 'status' | 'category' | 'city';
export const FACETS: Facet[] = ['section', 'status', 'category', 'city'];

export interface FacetCounts {
  section: Map<number, number>;
  status: Map<string, number>;
  category: Map<string, number>;
  city: Map<string, number>;
}

function matchesFacet(p: ProjectFeature['properties'], f: Filters, facet: Facet): boolean {
  switch (facet) {
    case 'section':
      return f.sections.length === 0 || f.sections.includes(p.section);
    case 'status':
      return f.statuses.length === 0 || f.statuses.includes(p.status);
    case 'category':
      return f.categories.length === 0 || f.categories.includes(p.category);
    case 'city': {
      if (f.cities.length === 0) return true;
      const en = (p.city ?? '').toLowerCase();
      const zh = p.city_zh ?? '';
      return f.cities.some((c) => (en !== '' && c.toLowerCase() === en) || (zh !== '' && c === zh));
    }
  }
}

export function matchesText(p: ProjectFeature['properties'], q: string): boolean {
  const t = q.trim().toLowerCase();
  if (!t) return true;
  return (p.name_zh ?? '').toLowerCase().includes(t) || (p.name_en ?? '').toLowerCase().includes(t);
}

/** Whether a project passes every filter, or every filter but one facet's. */
export function matches(feature: ProjectFeature, f: Filters, except?: Facet): boolean {
  const p = feature.properties;
  for (const facet of FACETS) {
    if (facet !== except && !matchesFacet(p, f, facet)) return false;
  }
  return matchesText(p, f.q);
}

export function applyFilters(features: ProjectFeature[], f: Filters): ProjectFeature[] {
  return features.filter((x) => matches(x, f));
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** For each facet, how many projects each option would match with the other facets' filters (and q) in force. */
export function facetCounts(features: ProjectFeature[], f: Filters): FacetCounts {
  const out: FacetCounts = { section: new Map(), status: new Map(), category: new Map(), city: new Map() };
  for (const x of features) {
    const p = x.properties;
    if (!matchesText(p, f.q)) continue;
    const ok: Record<Facet, boolean> = {
      section: matchesFacet(p, f, 'section'),
      status: matchesFacet(p, f, 'status'),
      category: matchesFacet(p, f, 'category'),
      city: matchesFacet(p, f, 'city'),
    };
    const others = (facet: Facet) => FACETS.every((o) => o === facet || ok[o]);
    if (others('section')) bump(out.section, p.section);
    if (others('status')) bump(out.status, p.status);
    if (others('category')) bump(out.category, p.category);
    if (others('city') && p.city) bump(out.city, p.city);
  }
  return out;
}

/** Projects whose geometry's box overlaps the view box (the API's bbox filter); projects without geometry are left out. */
export function inView(features: ProjectFeature[], view: BBox): ProjectFeature[] {
  return features.filter((x) => {
    const b = geometryBBox(x.geometry);
    return b !== null && bboxIntersects(b, view);
  });
}

/** Display order: section, item, then id. */
export function compareProjects(a: ProjectFeature, b: ProjectFeature): number {
  const pa = a.properties,
    pb = b.properties;
  return pa.section - pb.section || pa.item - pb.item || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface ProgrammeProgress {
  id: string;
  sited: number;
  members: number;
  target: number;
}

/** For each programme (a project with count_target): members with a geometry whose programme is its id, over count_target. */
export function programmeProgress(features: ProjectFeature[]): ProgrammeProgress[] {
  const out: ProgrammeProgress[] = [];
  for (const f of features) {
    const target = f.properties.count_target;
    if (typeof target !== 'number' || !(target > 0)) continue;
    const members = features.filter((m) => m.properties.programme === f.id);
    out.push({ id: f.id, members: members.length, sited: members.filter((m) => m.geometry !== null).length, target });
  }
  return out;
}

/** Counts per section and status, for the overview chart. */
export function sectionStatusMatrix(features: ProjectFeature[]): Map<number, Map<string, number>> {
  const m = new Map<number, Map<string, number>>();
  for (const f of features) {
    const p = f.properties;
    let row = m.get(p.section);
    if (!row) m.set(p.section, (row = new Map()));
    bump(row, p.status);
  }
  return m;
}

/** Approximate: anything not placed at its exact site. */
export function isApproximate(p: ProjectFeature['properties']): boolean {
  return !!p.location_precision && p.location_precision !== 'site';
}
