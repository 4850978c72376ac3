import { describe, expect, it } from 'vitest';
import {
  blocksCommit,
  buildCommitRequest,
  classify,
  defaultMatches,
  draftName,
  duplicateMatches,
  formatBytes,
  progressOf,
  suggestLayerId,
  type CommitForm,
} from '../src/upload';
import { roleCan } from '../src/session';
import type { DraftFeature, DraftInfo } from '../src/types';

const point = { type: 'Point' as const, coordinates: [121, 40] };

function draft(index: number, d: Partial<DraftInfo> = {}, props: Record<string, unknown> | null = {}, geometry: DraftFeature['geometry'] = point): DraftFeature {
  return { type: 'Feature', id: index, geometry, properties: props, draft: { index, issues: [], valid: true, outside_liaoning: false, ...d } };
}

describe('upload progress', () => {
  it('is bytes read of the size while processing, whole after', () => {
    expect(progressOf({ status: 'processing', bytes_read: 250, size: 1000, features_read: 7 })).toEqual({ fraction: 0.25, bytes: 250, size: 1000, features: 7 });
    expect(progressOf({ status: 'processing', bytes_read: 0, size: 0, features_read: 0 }).fraction).toBeNull();
    expect(progressOf({ status: 'processing', bytes_read: 2000, size: 1000, features_read: 0 }).fraction).toBe(1);
    expect(progressOf({ status: 'ready', bytes_read: 10, size: 1000, features_read: 3 }).fraction).toBe(1);
  });

  it('formats sizes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(512e6)).toBe('512 MB');
  });
});

describe('draft features', () => {
  it('are named by their name-like properties, else their fid or index', () => {
    expect(draftName(draft(0, {}, { 名称: '锦凌水库', name: 'x' }))).toBe('锦凌水库');
    expect(draftName(draft(0, {}, { NAME: ' Jinling ' }))).toBe('Jinling');
    expect(draftName(draft(0, { fid: 'f-7' }, { other: 1 }))).toBe('f-7');
    expect(draftName(draft(3, {}, null))).toBe('#3');
  });

  it('are classed by what blocks or deserves a look', () => {
    expect(classify(draft(0))).toBe('ok');
    expect(classify(draft(0, {}, {}, null))).toBe('error');
    expect(classify(draft(0, { issues: [{ code: 'x', message: 'm', severity: 'error' }] }))).toBe('error');
    expect(classify(draft(0, { valid: false, invalid_reason: 'Self-intersection' }))).toBe('invalid');
    expect(classify(draft(0, { outside_liaoning: true }))).toBe('warning');
    expect(classify(draft(0, { duplicate_of: 0 }))).toBe('warning');
    expect(classify(draft(0, { issues: [{ code: 'x', message: 'm', severity: 'warning' }] }))).toBe('warning');
  });

  it('block a commit as planmap decides: errors always, invalid geometry unless repaired', () => {
    expect(blocksCommit(draft(0, { valid: false }), false)).toBe(true);
    expect(blocksCommit(draft(0, { valid: false }), true)).toBe(false);
    expect(blocksCommit(draft(0, {}, {}, null), true)).toBe(true);
    expect(blocksCommit(draft(0, { outside_liaoning: true }), false)).toBe(false);
  });
});

describe('project matches', () => {
  it('default to the suggestion, none where there is none', () => {
    const fs = [draft(0, { match: 'reservoir-jinling', match_by: 'name' }), draft(1), draft(5, { match: 'port-dalian', match_by: 'id' })];
    expect(defaultMatches(fs)).toEqual({ '0': 'reservoir-jinling', '1': '', '5': 'port-dalian' });
  });

  it('find projects matched twice', () => {
    expect([...duplicateMatches({ '0': 'a', '1': 'b', '2': 'a', '3': '' })]).toEqual([['a', ['0', '2']]]);
    expect(duplicateMatches({ '0': '', '1': '' }).size).toBe(0);
  });
});

describe('commit requests', () => {
  const layer: CommitForm = { target: 'layer', layerId: ' survey-2026 ', titleZh: ' 实测 ', titleEn: 'Survey', description: '', repair: true, skipInvalid: false, reason: '  field   work ' };

  it('for a layer: id, titles, description only when given, flags and reason', () => {
    expect(buildCommitRequest(layer)).toEqual({
      request: { target: 'layer', layer_id: 'survey-2026', title_zh: '实测', title_en: 'Survey', repair: true, skip_invalid: false, reason: 'field work' },
    });
    expect(buildCommitRequest({ ...layer, description: 'd', reason: '' })).toEqual({
      request: { target: 'layer', layer_id: 'survey-2026', title_zh: '实测', title_en: 'Survey', description: 'd', repair: true, skip_invalid: false },
    });
  });

  it('refuses what planmap would refuse', () => {
    expect(buildCommitRequest({ ...layer, layerId: 'Survey' })).toEqual({ problem: { key: 'commit.err.layerid' } });
    expect(buildCommitRequest({ ...layer, layerId: '1abc' })).toEqual({ problem: { key: 'commit.err.layerid' } });
    expect(buildCommitRequest({ ...layer, layerId: 'a'.repeat(64) })).toEqual({ problem: { key: 'commit.err.layerid' } });
    expect(buildCommitRequest({ ...layer, layerId: 'projects' })).toEqual({ problem: { key: 'commit.err.reserved', vars: { id: 'projects' } } });
    expect(buildCommitRequest({ ...layer, titleEn: ' ' })).toEqual({ problem: { key: 'commit.err.titles' } });
  });

  const projects = (matches: Record<string, string>): CommitForm => ({ target: 'projects', matches, repair: false, skipInvalid: true, reason: 'outline' });

  it('for projects: only the features given a project, keyed by draft index', () => {
    expect(buildCommitRequest(projects({ '0': 'reservoir-jinling', '1': '', '2': ' port-dalian ' }))).toEqual({
      request: { target: 'projects', matches: { '0': 'reservoir-jinling', '2': 'port-dalian' }, repair: false, skip_invalid: true, reason: 'outline' },
    });
    expect(buildCommitRequest(projects({ '0': '', '1': '' }))).toEqual({ problem: { key: 'commit.err.nomatch' } });
    expect(buildCommitRequest(projects({ '0': 'a', '4': 'a' }))).toEqual({ problem: { key: 'commit.err.dupmatch', vars: { project: 'a', features: '#0, #4' } } });
    expect(buildCommitRequest(projects({ x: 'a', '1': 'b' }))).toEqual({ request: { target: 'projects', matches: { '1': 'b' }, repair: false, skip_invalid: true, reason: 'outline' } });
  });

  it('sends only the members planmap knows', () => {
    const known = ['target', 'layer_id', 'title_zh', 'title_en', 'description', 'matches', 'repair', 'skip_invalid', 'reason'];
    for (const f of [layer, projects({ '0': 'a' })]) {
      const r = buildCommitRequest(f);
      if (!('request' in r)) throw new Error('expected a request');
      for (const k of Object.keys(r.request)) expect(known).toContain(k);
    }
  });
});

describe('layer ids from file names', () => {
  it('are lower-case ASCII starting with a letter, and new', () => {
    expect(suggestLayerId('Survey 2026 (final).geojson')).toBe('survey-2026-final');
    expect(suggestLayerId('2026_plots.zip')).toBe('plots');
    expect(suggestLayerId('水库边界.shp.zip')).toBe('shp');
    expect(suggestLayerId('水库.zip')).toBe('upload');
    expect(suggestLayerId('projects.geojson')).toBe('projects-layer');
    expect(suggestLayerId('roads.kml', ['roads', 'roads-2'])).toBe('roads-3');
    expect(suggestLayerId('<img src=x onerror=alert(1)>.zip')).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
  });
});

describe('roles', () => {
  it('admins can do what editors can', () => {
    expect(roleCan('admin', 'editor')).toBe(true);
    expect(roleCan('editor', 'editor')).toBe(true);
    expect(roleCan('editor', 'admin')).toBe(false);
    expect(roleCan(null, 'editor')).toBe(false);
    expect(roleCan('reader', 'editor')).toBe(false);
  });
});
