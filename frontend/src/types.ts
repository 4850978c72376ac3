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
  description?: string;
  numberOfFeatures?: number;
  extent?: { spatial?: { bbox?: number[][] } };
}

// ---------- accounts, uploads and history ----------

export type Role = 'editor' | 'admin';

export interface SessionInfo {
  username: string;
  role: Role | string;
  via: string;
  csrf_token?: string;
}

export type UploadStatus = 'processing' | 'ready' | 'failed' | 'committed' | 'discarded';

export interface UploadSummary {
  features: number;
  valid: number;
  invalid: number;
  no_geometry: number;
  outside_liaoning: number;
  duplicates: number;
  with_errors: number;
  warnings: number;
  matched_projects: number;
  srid: number;
}

export interface FileIssue {
  Feature?: number;
  Layer?: string;
  Field?: string;
  Code?: string;
  Message?: string;
  Severity?: string;
}

export interface UploadCRS {
  EPSG?: number;
  Name?: string;
  Source?: string;
  Warning?: string;
}

export interface UploadResult {
  Format?: string;
  CRS?: UploadCRS;
  Encoding?: string;
  Fields?: { Name: string; Type: string }[] | null;
  Layers?: { Name?: string; CRS?: UploadCRS; Encoding?: string; Geometry?: string }[] | null;
  Issues?: FileIssue[] | null;
  Features?: number;
  Errors?: number;
}

export interface Upload {
  id: number;
  created_by: string;
  created_at: string;
  updated_at?: string;
  filename: string;
  size: number;
  status: UploadStatus;
  options?: { crs?: string; encoding?: string; correct?: boolean };
  bytes_read: number;
  features_read: number;
  result?: UploadResult | null;
  summary?: UploadSummary | null;
  error?: string;
  commit?: { request?: unknown; result?: CommitResult; by?: string } | null;
}

export interface DraftIssue {
  field?: string;
  code: string;
  message: string;
  severity: string;
}

export interface DraftInfo {
  index: number;
  layer?: string;
  fid?: string;
  issues: DraftIssue[] | null;
  valid: boolean | null;
  invalid_reason?: string;
  outside_liaoning: boolean;
  duplicate_of?: number | null;
  match?: string;
  match_by?: string;
}

export interface DraftFeature {
  type: 'Feature';
  id: number;
  geometry: Geometry | null;
  properties: Record<string, unknown> | null;
  draft: DraftInfo;
}

export interface DraftCollection {
  type: 'FeatureCollection';
  features: DraftFeature[];
  numberMatched: number;
  numberReturned: number;
}

export interface CommitResult {
  target: 'layer' | 'projects';
  layer_id?: string;
  written: number;
  skipped: number;
  repaired: number;
}

export interface FeatureVersion {
  collection?: string;
  id?: string;
  version: number;
  op: string;
  properties: Record<string, unknown> | null;
  geometry: Geometry | null;
  changed_by: string;
  changed_at: string;
  reason: string;
  upload_id?: number | null;
}
