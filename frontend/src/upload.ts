// The upload workflow's pure logic: progress, how a draft feature is
// classed and named, default project matches, and the commit request the
// form builds. No DOM and no fetch here, so it is unit-tested as it is.
import type { DraftFeature, DraftInfo, Upload } from './types';

/** A layer id as planmap accepts it (domain.LayerIDPattern). */
export const LAYER_ID = /^[a-z][a-z0-9_-]{0,62}$/;
/** Collection ids a layer may not take. */
export const RESERVED_IDS = ['projects', 'programmes'];

export interface Progress {
  /** 0..1 while the size is known, else null. */
  fraction: number | null;
  bytes: number;
  size: number;
  features: number;
}

export function progressOf(u: Pick<Upload, 'bytes_read' | 'size' | 'features_read' | 'status'>): Progress {
  const size = Math.max(0, Number(u.size) || 0);
  const bytes = Math.max(0, Number(u.bytes_read) || 0);
  let fraction: number | null = size > 0 ? Math.min(1, bytes / size) : null;
  if (u.status !== 'processing' && u.status !== undefined) fraction = 1;
  return { fraction, bytes: Math.min(bytes, size || bytes), size, features: Math.max(0, Number(u.features_read) || 0) };
}

/** Bytes as "12.3 MB" (decimal units, like file managers). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

const NAME_KEYS = ['name_zh', '名称', '项目名称', 'name', 'NAME', 'Name', 'name_en', 'title', 'TITLE'];

/** A name for a draft feature: its first non-empty name-like property, else its fid, else "#index". */
export function draftName(f: Pick<DraftFeature, 'properties' | 'draft'>): string {
  const p = f.properties ?? {};
  for (const k of NAME_KEYS) {
    const v = p[k];
    if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') return String(v).trim();
  }
  if (f.draft.fid) return f.draft.fid;
  return `#${f.draft.index}`;
}

export type DraftClass = 'error' | 'invalid' | 'warning' | 'ok';

export function issuesOf(d: DraftInfo, severity?: string) {
  const all = d.issues ?? [];
  return severity ? all.filter((i) => i.severity === severity) : all;
}

/** How a feature is drawn and listed: errors first, then invalid geometry, then anything to look at. */
export function classify(f: Pick<DraftFeature, 'geometry' | 'draft'>): DraftClass {
  const d = f.draft;
  if (!f.geometry || issuesOf(d, 'error').length) return 'error';
  if (d.valid === false) return 'invalid';
  if (issuesOf(d, 'warning').length || d.outside_liaoning || (d.duplicate_of !== undefined && d.duplicate_of !== null)) return 'warning';
  return 'ok';
}

/** Whether a commit would leave the feature out (or refuse, without skip_invalid), as planmap decides. */
export function blocksCommit(f: Pick<DraftFeature, 'geometry' | 'draft'>, repair: boolean): boolean {
  const c = classify(f);
  return c === 'error' || (c === 'invalid' && !repair);
}

/** The suggested project of every feature ('' for none), keyed by draft index as the commit request takes it. */
export function defaultMatches(features: Pick<DraftFeature, 'draft'>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of features) out[String(f.draft.index)] = f.draft.match ?? '';
  return out;
}

/** Pairs of draft indexes matched to the same project, which planmap refuses. */
export function duplicateMatches(matches: Record<string, string>): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const [idx, pid] of Object.entries(matches)) {
    if (!pid) continue;
    by.set(pid, [...(by.get(pid) ?? []), idx]);
  }
  for (const [pid, xs] of [...by]) if (xs.length < 2) by.delete(pid);
  return by;
}

export interface LayerForm {
  target: 'layer';
  layerId: string;
  titleZh: string;
  titleEn: string;
  description: string;
}

export interface ProjectsForm {
  target: 'projects';
  /** draft index -> project id, '' for "none". */
  matches: Record<string, string>;
}

export type CommitForm = (LayerForm | ProjectsForm) & { repair: boolean; skipInvalid: boolean; reason: string };

export interface CommitRequest {
  target: 'layer' | 'projects';
  layer_id?: string;
  title_zh?: string;
  title_en?: string;
  description?: string;
  matches?: Record<string, string>;
  repair: boolean;
  skip_invalid: boolean;
  reason?: string;
}

/** A problem with the form, as a message key and its variables. */
export interface FormProblem {
  key: 'commit.err.layerid' | 'commit.err.titles' | 'commit.err.nomatch' | 'commit.err.dupmatch' | 'commit.err.reserved';
  vars?: Record<string, string | number>;
}

/**
 * The body of POST /uploads/{id}/commit for a filled-in form, or the first
 * problem that planmap would refuse it for. Only the members planmap knows
 * are sent (it rejects unknown ones); "none" matches are left out, so those
 * features are not written.
 */
export function buildCommitRequest(form: CommitForm): { request: CommitRequest } | { problem: FormProblem } {
  const reason = form.reason.replace(/\s+/g, ' ').trim();
  const common = { repair: form.repair, skip_invalid: form.skipInvalid, ...(reason ? { reason } : {}) };
  if (form.target === 'layer') {
    const id = form.layerId.trim();
    if (!LAYER_ID.test(id)) return { problem: { key: 'commit.err.layerid' } };
    if (RESERVED_IDS.includes(id)) return { problem: { key: 'commit.err.reserved', vars: { id } } };
    const titleZh = form.titleZh.trim();
    const titleEn = form.titleEn.trim();
    if (!titleZh || !titleEn) return { problem: { key: 'commit.err.titles' } };
    const description = form.description.trim();
    return {
      request: { target: 'layer', layer_id: id, title_zh: titleZh, title_en: titleEn, ...(description ? { description } : {}), ...common },
    };
  }
  const matches: Record<string, string> = {};
  for (const [idx, pid] of Object.entries(form.matches)) {
    if (!/^\d+$/.test(idx)) continue;
    const p = pid.trim();
    if (p) matches[idx] = p;
  }
  if (!Object.keys(matches).length) return { problem: { key: 'commit.err.nomatch' } };
  const dup = duplicateMatches(matches);
  if (dup.size) {
    const [pid, idxs] = [...dup][0];
    return { problem: { key: 'commit.err.dupmatch', vars: { project: pid, features: idxs.map((i) => '#' + i).join(', ') } } };
  }
  return { request: { target: 'projects', matches, ...common } };
}

/** A layer id proposed from a file name: lower-case ASCII, digits, '-' and '_', starting with a letter. */
export function suggestLayerId(filename: string, taken: string[] = []): string {
  const stem = filename.replace(/\.[^.]*$/, '').toLowerCase();
  let id = stem
    .normalize('NFKD')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-$/, '')
    .slice(0, 50);
  if (!id) id = 'upload';
  if (RESERVED_IDS.includes(id)) id = `${id}-layer`;
  let out = id;
  for (let n = 2; taken.includes(out); n++) out = `${id}-${n}`;
  return out;
}
