// The coordinate reference systems an uploader can declare. Liaoning lies
// between 118.8°E and 125.8°E, so the Gauss-Kruger 3-degree zones that
// matter are 39-42 (central meridians 117°E-126°E). EPSG numbers each
// datum's zones in two series: with the zone number prefixed to the easting
// ("zone 41", false easting 41 500 000 m) and without it ("CM 123E", false
// easting 500 000 m).
import type { Lang } from './types';

export interface CRSOption {
  /** What the upload form sends as "crs"; '' lets planmap detect it. */
  value: string;
  label_zh: string;
  label_en: string;
  /** The optgroup it is listed under. */
  group: 'auto' | 'geographic' | 'gk-zone' | 'gk-cm' | 'web' | 'shifted';
}

/** 3-degree Gauss-Kruger zones covering Liaoning (117°E-126°E). */
export const LIAONING_GK_ZONES = [39, 40, 41, 42] as const;

interface Datum {
  zh: string;
  en: string;
  geographic: number;
  /** EPSG code of 3-degree zone 25 (prefixed), and of CM 75°E (not prefixed). */
  zone25: number;
  cm75: number;
}

export const DATUMS: Datum[] = [
  { zh: 'CGCS2000', en: 'CGCS2000', geographic: 4490, zone25: 4513, cm75: 4534 },
  { zh: '西安1980', en: 'Xian 1980', geographic: 4610, zone25: 2349, cm75: 2370 },
  { zh: '北京1954', en: 'Beijing 1954', geographic: 4214, zone25: 2401, cm75: 2422 },
];

/** EPSG code of a 3-degree zone with its number prefixed to the easting. */
export function gkZoneEPSG(d: Datum, zone: number): number {
  return d.zone25 + (zone - 25);
}

/** EPSG code of the same zone named by its central meridian (no prefix). */
export function gkCMEPSG(d: Datum, zone: number): number {
  return d.cm75 + (zone * 3 - 75) / 3;
}

export function crsOptions(): CRSOption[] {
  const out: CRSOption[] = [{ value: '', label_zh: '自动识别(.prj、文件中的声明或默认)', label_en: 'Detect (.prj, the file’s own declaration, or the default)', group: 'auto' }];
  out.push(
    { value: 'EPSG:4490', label_zh: 'CGCS2000 经纬度(EPSG:4490)', label_en: 'CGCS2000 longitude/latitude (EPSG:4490)', group: 'geographic' },
    { value: 'EPSG:4326', label_zh: 'WGS 84 经纬度(EPSG:4326)', label_en: 'WGS 84 longitude/latitude (EPSG:4326)', group: 'geographic' },
  );
  for (const d of DATUMS) {
    if (d.geographic !== 4490) {
      out.push({ value: `EPSG:${d.geographic}`, label_zh: `${d.zh} 经纬度(EPSG:${d.geographic})`, label_en: `${d.en} longitude/latitude (EPSG:${d.geographic})`, group: 'geographic' });
    }
  }
  for (const d of DATUMS) {
    for (const z of LIAONING_GK_ZONES) {
      const code = gkZoneEPSG(d, z);
      out.push({
        value: `EPSG:${code}`,
        label_zh: `${d.zh} 高斯-克吕格3度带 第${z}带(带号前缀,中央经线${z * 3}°E,EPSG:${code})`,
        label_en: `${d.en} / 3-degree Gauss-Kruger zone ${z} (zone prefix, CM ${z * 3}°E, EPSG:${code})`,
        group: 'gk-zone',
      });
    }
  }
  for (const d of DATUMS) {
    for (const z of LIAONING_GK_ZONES) {
      const code = gkCMEPSG(d, z);
      out.push({
        value: `EPSG:${code}`,
        label_zh: `${d.zh} 高斯-克吕格3度带 中央经线${z * 3}°E(无带号,EPSG:${code})`,
        label_en: `${d.en} / 3-degree Gauss-Kruger CM ${z * 3}°E (no zone prefix, EPSG:${code})`,
        group: 'gk-cm',
      });
    }
  }
  out.push(
    { value: 'EPSG:3857', label_zh: 'Web墨卡托(EPSG:3857)', label_en: 'Web Mercator (EPSG:3857)', group: 'web' },
    { value: 'GCJ-02', label_zh: 'GCJ-02 火星坐标(高德、腾讯)', label_en: 'GCJ-02 (Amap/Gaode, Tencent)', group: 'shifted' },
    { value: 'BD-09', label_zh: 'BD-09 百度坐标', label_en: 'BD-09 (Baidu)', group: 'shifted' },
  );
  return out;
}

export const CRS_GROUPS: Record<CRSOption['group'], { zh: string; en: string }> = {
  auto: { zh: '自动', en: 'Automatic' },
  geographic: { zh: '经纬度', en: 'Longitude/latitude' },
  'gk-zone': { zh: '高斯-克吕格3度带(带号前缀)', en: 'Gauss-Kruger 3-degree zones, with zone prefix' },
  'gk-cm': { zh: '高斯-克吕格3度带(无带号)', en: 'Gauss-Kruger 3-degree zones, no zone prefix' },
  web: { zh: '网络地图', en: 'Web maps' },
  shifted: { zh: '加偏坐标', en: 'Shifted coordinates' },
};

export function crsLabel(o: CRSOption, lang: Lang): string {
  return lang === 'zh' ? o.label_zh : o.label_en;
}

/** Encodings the form offers; '' leaves detection to planmap. */
export const ENCODINGS = ['', 'GBK', 'UTF-8'] as const;
