// Shapes of what planmap's API returns. Fields the server may leave null are
// typed so; every string here may come from an upload and is shown with
// textContent only.
import type { Geometry, Feature, FeatureCollection } from 'geojson';

export type Lang = 'zh' | 'en';

export interface Target {
  metric: string;
  value: number | null;
  unit: string;
  label_zh?: string | null;
  label_en?: string | null;
  note?: string | null;
}

export interface HistoryEntry {
  date: string;
  status: string;
  kind: string;
  note?: string | null;
  source?: string | null;
}

export interface SourceRef {
  title: string;
  url?: string | null;
  date?: string | null;
  note?: string | null;
}

export interface ProjectProps {
  id: string;
  name_zh: string;
  name_en: string;
  section: number;
  item: number;
  clause: string;
  category: string;
  status: string;
  action_zh?: string | null;
  action_en?: string | null;
  targets?: Target[] | null;
  city?: string | null;
  city_zh?: string | null;
  county?: string | null;
  county_zh?: string | null;
  country?: string | null;
  cross_border?: boolean | null;
  location_precision?: string | null;
  uncertainty_km?: number | null;
  location_note?: string | null;
  programme?: string | null;
  count_target?: number | null;
  history?: HistoryEntry[] | null;
  sources?: SourceRef[] | null;
}

export type ProjectFeature = Feature<Geometry | null, ProjectProps> & { id: string };

export interface ProjectCollection extends FeatureCollection<Geometry | null, ProjectProps> {
  features: ProjectFeature[];
  numberMatched?: number;
  numberReturned?: number;
  links?: Link[];
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

export interface Term {
  code: string;
  label_zh: string;
  label_en: string;
  description_en?: string;
  symbol?: string;
}

export interface Vocabularies {
  statuses: Term[];
  categories: Term[];
  precisions: Term[];
}

export interface SectionInfo {
  number: number;
  title_zh: string;
  title_en: string;
  items?: number;
  projects?: number;
  by_status?: Record<string, number>;
}

export interface Clause {
  section: number;
  item: number;
  text: string;
}

export interface CollectionInfo {
  id: string;
  title?: string;
  title_zh?: string;
  attribution?: string;
  kind?: string;
}
