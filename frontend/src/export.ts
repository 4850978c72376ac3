// Export of the current selection as GeoJSON and CSV, built in the browser.
import type { ProjectFeature } from './types';
import { representativePoint } from './geo';

export const CSV_COLUMNS = [
  'id',
  'name_zh',
  'name_en',
  'section',
  'item',
  'category',
  'status',
  'city',
  'city_zh',
  'county',
  'county_zh',
  'country',
  'location_precision',
  'uncertainty_km',
  'programme',
  'geometry_type',
  'lon',
  'lat',
  'clause',
  'action_zh',
  'action_en',
  'location_note',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF,
 * quotes doubled. Text that a spreadsheet would run as a formula (starting
 * with = + - @, tab or CR) gets a leading apostrophe; numbers are written as
 * they are.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') {
    s = Number.isFinite(v) ? String(v) : '';
  } else if (typeof v === 'boolean') {
    s = v ? 'true' : 'false';
  } else {
    s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  }
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csvRow(values: unknown[]): string {
  return values.map(csvField).join(',');
}

/** CSV with a header row, CRLF line ends and a UTF-8 byte order mark so spreadsheets read the Chinese text. */
export function toCSV(features: ProjectFeature[]): string {
  const lines = [csvRow([...CSV_COLUMNS])];
  for (const f of features) {
    const p = f.properties;
    const pt = representativePoint(f.geometry);
    const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      id: f.id,
      name_zh: p.name_zh,
      name_en: p.name_en,
      section: p.section,
      item: p.item,
      category: p.category,
      status: p.status,
      city: p.city,
      city_zh: p.city_zh,
      county: p.county,
      county_zh: p.county_zh,
      country: p.country,
      location_precision: p.location_precision,
      uncertainty_km: p.uncertainty_km,
      programme: p.programme,
      geometry_type: f.geometry?.type ?? '',
      lon: pt ? Math.round(pt[0] * 1e6) / 1e6 : null,
      lat: pt ? Math.round(pt[1] * 1e6) / 1e6 : null,
      clause: p.clause,
      action_zh: p.action_zh,
      action_en: p.action_en,
      location_note: p.location_note,
    };
    lines.push(csvRow(CSV_COLUMNS.map((c) => row[c])));
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** An RFC 7946 FeatureCollection of the features as the API gave them. */
export function toGeoJSON(features: ProjectFeature[]): string {
  return JSON.stringify(
    {
      type: 'FeatureCollection',
      features: features.map((f) => ({ type: 'Feature', id: f.id, geometry: f.geometry, properties: f.properties })),
    },
    null,
    1,
  );
}

/** Parses CSV text (RFC 4180) into rows; used by the tests to check the round trip. */
export function parseCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // handled by \n
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A file name for the export, from the filters, safe on every file system. */
export function exportName(stem: string, ext: string): string {
  const safe = stem.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'selection';
  return `planmap-${safe}.${ext}`;
}
