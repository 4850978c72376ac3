import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, csvRow, exportName, parseCSV, toCSV, toGeoJSON } from '../src/export';
import { FEATURES, project } from './fixtures';

describe('CSV escaping', () => {
  it('leaves plain text and numbers alone', () => {
    expect(csvField('大连港')).toBe('大连港');
    expect(csvField(42)).toBe('42');
    expect(csvField(-5.5)).toBe('-5.5');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(true)).toBe('true');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('中文,逗号')).toBe('"中文,逗号"');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('joins a row', () => {
    expect(csvRow(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"');
  });
});

describe('CSV export', () => {
  it('has a BOM, a header, CRLF line ends and one row per project', () => {
    const csv = toCSV(FEATURES);
    expect(csv.startsWith('\uFEFFid,name_zh,name_en,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCSV(csv);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(FEATURES.length + 1);
    const dalian = rows.find((r) => r[0] === 'port-dalian')!;
    const col = (name: string) => dalian[CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])];
    expect(col('name_zh')).toBe('大连港');
    expect(col('lon')).toBe('121.9');
    expect(col('lat')).toBe('39.05');
    expect(col('geometry_type')).toBe('Point');
    const unplaced = rows.find((r) => r[0] === 'programme-parks')!;
    expect(unplaced[CSV_COLUMNS.indexOf('lon')]).toBe('');
  });

  it('round-trips hostile text through a CSV parser', () => {
    const nasty = 'He said "no",\r\nthen =1+1, <script>alert(1)</script>';
    const rows = parseCSV(toCSV([project('x', { name_en: nasty, clause: '条款,含"引号"' })]));
    expect(rows).toHaveLength(2);
    expect(rows[1][CSV_COLUMNS.indexOf('name_en')]).toBe(nasty);
    expect(rows[1][CSV_COLUMNS.indexOf('clause')]).toBe('条款,含"引号"');
    expect(rows[1]).toHaveLength(CSV_COLUMNS.length);
  });

  it('uses the centre of the box for lines and polygons', () => {
    const rows = parseCSV(toCSV(FEATURES.filter((f) => f.id === 'rail-shendan')));
    expect(rows[1][CSV_COLUMNS.indexOf('lon')]).toBe('123.9');
    expect(rows[1][CSV_COLUMNS.indexOf('lat')]).toBe('40.95');
  });
});

describe('GeoJSON export', () => {
  it('is a FeatureCollection of the features as given', () => {
    const fc = JSON.parse(toGeoJSON(FEATURES.slice(0, 2)));
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f: { id: string }) => f.id)).toEqual(['port-dalian', 'port-yingkou']);
    expect(fc.features[0].geometry).toEqual({ type: 'Point', coordinates: [121.9, 39.05] });
    expect(fc.features[0].properties.name_zh).toBe('大连港');
  });

  it('names the file safely', () => {
    expect(exportName('s7_ongoing', 'csv')).toBe('planmap-s7_ongoing.csv');
    expect(exportName('../../etc/passwd', 'geojson')).toBe('planmap-etc-passwd.geojson');
    expect(exportName('', 'csv')).toBe('planmap-selection.csv');
  });
});
