// Differences between two versions of a feature: which properties changed
// (old -> new) and whether the geometry did. Values are compared by their
// JSON with object keys sorted, so {a,b} equals {b,a}.
import type { Geometry } from 'geojson';

export type Props = Record<string, unknown>;

export interface PropChange {
  key: string;
  kind: 'added' | 'removed' | 'changed';
  old?: unknown;
  new?: unknown;
}

/** JSON with object keys sorted; undefined becomes null. */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(sortKeys(v)) ?? 'null';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v === undefined ? null : v;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJSON(a) === canonicalJSON(b);
}

/**
 * The properties that differ from before to after, sorted by name. A key
 * missing on one side, or null there, counts as absent: a merge patch
 * removes a property by setting it to null.
 */
export function diffProperties(before: Props | null | undefined, after: Props | null | undefined): PropChange[] {
  const a = before ?? {};
  const b = after ?? {};
  const has = (o: Props, k: string) => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== null && o[k] !== undefined;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: PropChange[] = [];
  for (const key of keys) {
    const inA = has(a, key);
    const inB = has(b, key);
    if (!inA && !inB) continue;
    if (inA && !inB) out.push({ key, kind: 'removed', old: a[key] });
    else if (!inA && inB) out.push({ key, kind: 'added', new: b[key] });
    else if (!sameValue(a[key], b[key])) out.push({ key, kind: 'changed', old: a[key], new: b[key] });
  }
  return out;
}

export function geometryChanged(a: Geometry | null | undefined, b: Geometry | null | undefined): boolean {
  return !sameValue(a ?? null, b ?? null);
}

/** A property value as one line of text: strings as they are, anything else as JSON. */
export function formatValue(v: unknown, max = 300): string {
  let s: string;
  if (v === undefined || v === null) s = '';
  else if (typeof v === 'string') s = v;
  else s = JSON.stringify(v) ?? String(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
