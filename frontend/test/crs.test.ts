import { describe, expect, it } from 'vitest';
import { CRS_GROUPS, DATUMS, ENCODINGS, LIAONING_GK_ZONES, crsLabel, crsOptions, gkCMEPSG, gkZoneEPSG } from '../src/crs';

describe('declared CRS options', () => {
  const opts = crsOptions();
  const values = opts.map((o) => o.value);

  it('starts with detection and has no duplicates', () => {
    expect(opts[0].value).toBe('');
    expect(new Set(values).size).toBe(values.length);
  });

  it('numbers CGCS2000 3-degree zones 39-42: prefixed from EPSG:4513 (zone 25), by meridian from EPSG:4534 (75°E)', () => {
    const cgcs = DATUMS[0];
    expect(LIAONING_GK_ZONES.map((z) => gkZoneEPSG(cgcs, z))).toEqual([4527, 4528, 4529, 4530]);
    expect(LIAONING_GK_ZONES.map((z) => gkCMEPSG(cgcs, z))).toEqual([4548, 4549, 4550, 4551]);
    for (const code of [4527, 4528, 4529, 4530, 4548, 4549, 4550, 4551]) expect(values).toContain(`EPSG:${code}`);
  });

  it('covers Liaoning (118.8°E-125.8°E) with the zones listed, central meridians 117°E-126°E', () => {
    const cms = LIAONING_GK_ZONES.map((z) => z * 3);
    expect(cms).toEqual([117, 120, 123, 126]);
    for (const lon of [118.8, 121, 123.4, 125.8]) expect(cms.some((cm) => Math.abs(lon - cm) <= 1.5)).toBe(true);
  });

  it('has the Xian 1980 and Beijing 1954 series and geographic systems', () => {
    // Xian 1980 / 3-degree GK zone 41 = 2365, CM 123E = 2386; Beijing 1954 zone 41 = 2417, CM 123E = 2438.
    for (const code of [4610, 2363, 2366, 2384, 2387, 4214, 2415, 2418, 2436, 2439]) expect(values).toContain(`EPSG:${code}`);
    expect(values).toContain('EPSG:4490');
    expect(values).toContain('EPSG:4326');
    expect(values).toContain('EPSG:3857');
  });

  it('offers the shifted web-map systems by the names planmap reads', () => {
    expect(values).toContain('GCJ-02');
    expect(values).toContain('BD-09');
    expect(crsLabel(opts.find((o) => o.value === 'GCJ-02')!, 'en')).toMatch(/Amap|Gaode/);
    expect(crsLabel(opts.find((o) => o.value === 'BD-09')!, 'zh')).toMatch(/百度/);
  });

  it('labels every option and group in both languages', () => {
    for (const o of opts) {
      expect(o.label_zh.trim()).not.toBe('');
      expect(o.label_en.trim()).not.toBe('');
      expect(CRS_GROUPS[o.group]).toBeDefined();
    }
    const z41 = opts.find((o) => o.value === 'EPSG:4529')!;
    expect(crsLabel(z41, 'en')).toContain('zone 41');
    expect(crsLabel(opts.find((o) => o.value === 'EPSG:4550')!, 'en')).toContain('CM 123°E');
    expect(ENCODINGS).toEqual(['', 'GBK', 'UTF-8']);
  });
});
