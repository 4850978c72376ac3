// Reads planmap's own API. Every URL is resolved against this page's origin
// and a link that points elsewhere is never followed.
import type { FeatureCollection } from 'geojson';
import { layerURL, request, takeStarted } from './prefetch';
import type { Clause, CollectionInfo, ProjectCollection, ProjectFeature, SectionInfo, Vocabularies } from './types';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function sameOrigin(href: string): URL {
  const u = new URL(href, location.href);
  if (u.origin !== location.origin) throw new ApiError(`refusing to follow a link to another origin: ${u.origin}`, 0);
  return u;
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const u = sameOrigin(path);
  // The first load's requests were started before the app ran (prefetch.ts), and read when they were ok.
  const early = signal ? undefined : takeStarted(u.pathname + u.search);
  const res = await (early?.response ?? request(u, signal));
  if (early && res.ok) return (await early.json) as T;
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { message?: string };
      if (body && typeof body.message === 'string') msg += `: ${body.message}`;
    } catch {
      /* not JSON */
    }
    throw new ApiError(`${u.pathname}: ${msg}`, res.status);
  }
  return (await res.json()) as T;
}

/** All projects, following the next links when the server pages. */
export async function getProjects(signal?: AbortSignal): Promise<ProjectFeature[]> {
  const out: ProjectFeature[] = [];
  let next: string | null = '/collections/projects/items?limit=1000';
  for (let pages = 0; next && pages < 100; pages++) {
    const page: ProjectCollection = await getJSON<ProjectCollection>(next, signal);
    for (const f of page.features ?? []) out.push(normalizeFeature(f));
    const link = page.links?.find((l) => l.rel === 'next');
    next = link ? link.href : null;
  }
  return out;
}

/** Makes a feature's id a string and fills the properties the UI relies on. */
export function normalizeFeature(f: ProjectFeature): ProjectFeature {
  const p = f.properties ?? ({} as ProjectFeature['properties']);
  const id = String(f.id ?? p.id ?? '');
  return {
    type: 'Feature',
    id,
    geometry: f.geometry ?? null,
    properties: {
      ...p,
      id,
      name_zh: p.name_zh ?? '',
      name_en: p.name_en ?? '',
      section: Number(p.section) || 0,
      item: Number(p.item) || 0,
      clause: p.clause ?? '',
      category: p.category ?? '',
      status: p.status ?? '',
    },
  };
}

export function getSections(signal?: AbortSignal): Promise<SectionInfo[]> {
  return getJSON<{ sections: SectionInfo[] }>('/plan/sections', signal).then((r) => r.sections ?? []);
}

export function getVocabularies(signal?: AbortSignal): Promise<Vocabularies> {
  return getJSON<Partial<Vocabularies>>('/plan/vocabularies', signal).then((v) => ({
    statuses: v.statuses ?? [],
    categories: v.categories ?? [],
    precisions: v.precisions ?? [],
  }));
}

export function getClauses(signal?: AbortSignal): Promise<Clause[]> {
  return getJSON<{ clauses: Clause[] }>('/plan/clauses', signal).then((r) => r.clauses ?? []);
}

export function getCollections(signal?: AbortSignal): Promise<CollectionInfo[]> {
  return getJSON<{ collections: CollectionInfo[] }>('/collections', signal).then((r) => r.collections ?? []);
}

export { layerURL };

/** Every feature of a (basemap) collection, in one answer. */
export function getLayer(id: string, signal?: AbortSignal): Promise<FeatureCollection> {
  return getJSON<FeatureCollection>(layerURL(id), signal);
}

export function featureURL(id: string): string {
  return `/collections/projects/items/${encodeURIComponent(id)}`;
}
