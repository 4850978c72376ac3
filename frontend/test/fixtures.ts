import type { ProjectFeature, ProjectProps } from '../src/types';
import type { Geometry } from 'geojson';

export function project(id: string, props: Partial<ProjectProps>, geometry: Geometry | null = { type: 'Point', coordinates: [123, 41] }): ProjectFeature {
  return {
    type: 'Feature',
    id,
    geometry,
    properties: {
      id,
      name_zh: props.name_zh ?? id,
      name_en: props.name_en ?? id,
      section: 1,
      item: 1,
      clause: '',
      category: 'park',
      status: 'ongoing',
      city: null,
      city_zh: null,
      location_precision: 'site',
      uncertainty_km: null,
      programme: null,
      count_target: null,
      ...props,
    },
  };
}

/** A small plan: two sections, three statuses, four cities, one programme. */
export const FEATURES: ProjectFeature[] = [
  project('port-dalian', { name_zh: '大连港', name_en: 'Port of Dalian', section: 2, item: 5, category: 'port', status: 'under_construction', city: 'Dalian', city_zh: '大连市' }, { type: 'Point', coordinates: [121.9, 39.05] }),
  project('port-yingkou', { name_zh: '营口港', name_en: 'Port of Yingkou', section: 2, item: 5, category: 'port', status: 'ongoing', city: 'Yingkou', city_zh: '营口市', programme: 'programme-ports' }, { type: 'Point', coordinates: [122.1, 40.3] }),
  project('park-changxing', { name_zh: '长兴岛临港工业区', name_en: 'Changxing Island industrial zone', section: 2, item: 5, category: 'park', status: 'ongoing', city: 'Dalian', city_zh: '大连市', programme: 'programme-parks', location_precision: 'district', uncertainty_km: 8 }, { type: 'Polygon', coordinates: [[[121.4, 39.55], [121.55, 39.55], [121.55, 39.65], [121.4, 39.65], [121.4, 39.55]]] }),
  project('rail-shendan', { name_zh: '沈丹客运专线', name_en: 'Shenyang-Dandong passenger railway', section: 7, item: 2, category: 'railway', status: 'under_construction', city: 'Dandong', city_zh: '丹东市' }, { type: 'LineString', coordinates: [[123.4, 41.8], [124.4, 40.1]] }),
  project('reservoir-houshan', { name_zh: '猴山水库', name_en: 'Houshan Reservoir', section: 7, item: 4, category: 'reservoir', status: 'proposed', city: 'Dandong', city_zh: '丹东市', location_precision: 'city', uncertainty_km: 30 }, { type: 'Point', coordinates: [124.1, 40.4] }),
  project('airport-shenyang', { name_zh: '沈阳桃仙机场第二跑道', name_en: 'Shenyang Taoxian airport second runway', section: 7, item: 1, category: 'airport', status: 'preparatory', city: 'Shenyang', city_zh: '沈阳市' }, { type: 'Point', coordinates: [123.49, 41.64] }),
  project('programme-parks', { name_zh: '沿海经济带42个园区', name_en: '42 parks of the coastal belt', section: 2, item: 5, category: 'park', status: 'ongoing', count_target: 42, location_precision: 'region' }, null),
  project('programme-ports', { name_zh: '四个亿吨大港', name_en: 'Four 100-million-tonne ports', section: 2, item: 5, category: 'port', status: 'ongoing', count_target: 4, location_precision: 'region' }, null),
  project('park-unplaced', { name_zh: '未定位园区', name_en: 'Unplaced park', section: 2, item: 5, category: 'park', status: 'ongoing', programme: 'programme-parks', location_precision: 'region' }, null),
];
