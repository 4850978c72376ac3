import { describe, expect, it } from 'vitest';
import { applyFilters, facetCounts, inView, matches, programmeProgress, sectionStatusMatrix, compareProjects } from '../src/filter';
import { defaultState, type Filters } from '../src/state';
import { FEATURES } from './fixtures';

const none: Filters = defaultState();
const ids = (fs: { id: string }[]) => fs.map((f) => f.id).sort();

describe('filtering', () => {
  it('keeps everything without filters', () => {
    expect(applyFilters(FEATURES, none)).toHaveLength(FEATURES.length);
  });

  it('ORs values within a facet and ANDs facets', () => {
    expect(ids(applyFilters(FEATURES, { ...none, sections: [7] }))).toEqual(['airport-shenyang', 'rail-shendan', 'reservoir-houshan']);
    expect(ids(applyFilters(FEATURES, { ...none, sections: [7], statuses: ['under_construction', 'proposed'] }))).toEqual(['rail-shendan', 'reservoir-houshan']);
    expect(ids(applyFilters(FEATURES, { ...none, sections: [2, 7], statuses: ['under_construction'] }))).toEqual(['port-dalian', 'rail-shendan']);
    expect(ids(applyFilters(FEATURES, { ...none, sections: [7], categories: ['port'] }))).toEqual([]);
  });

  it('matches a city by its English name in any case or its Chinese name', () => {
    expect(ids(applyFilters(FEATURES, { ...none, cities: ['dalian'] }))).toEqual(['park-changxing', 'port-dalian']);
    expect(ids(applyFilters(FEATURES, { ...none, cities: ['丹东市'] }))).toEqual(['rail-shendan', 'reservoir-houshan']);
    // a project without a city never matches a city filter
    expect(applyFilters(FEATURES, { ...none, cities: ['Dalian'] }).some((f) => !f.properties.city)).toBe(false);
  });

  it('searches Chinese and English names, ignoring case', () => {
    // 临港 in the park's name holds 港 too
    expect(ids(applyFilters(FEATURES, { ...none, q: '港' }))).toEqual(['park-changxing', 'port-dalian', 'port-yingkou', 'programme-ports']);
    expect(ids(applyFilters(FEATURES, { ...none, q: 'port of' }))).toEqual(['port-dalian', 'port-yingkou']);
    expect(ids(applyFilters(FEATURES, { ...none, q: 'RESERVOIR' }))).toEqual(['reservoir-houshan']);
    expect(ids(applyFilters(FEATURES, { ...none, q: 'no such thing' }))).toEqual([]);
  });

  it('can leave one facet out', () => {
    const f = { ...none, sections: [7], statuses: ['ongoing'] };
    const port = FEATURES.find((x) => x.id === 'port-yingkou')!;
    expect(matches(port, f)).toBe(false);
    expect(matches(port, f, 'section')).toBe(true);
    expect(matches(port, f, 'status')).toBe(false);
  });
});

describe('faceted counts', () => {
  it('counts every option without filters', () => {
    const c = facetCounts(FEATURES, none);
    expect(c.section.get(2)).toBe(6);
    expect(c.section.get(7)).toBe(3);
    expect(c.status.get('ongoing')).toBe(5);
    expect(c.city.get('Dalian')).toBe(2);
    expect(c.city.has('')).toBe(false);
  });

  it('counts each facet under the other filters only', () => {
    const f = { ...none, sections: [7], statuses: ['under_construction'] };
    const c = facetCounts(FEATURES, f);
    // sections: counted with status = under_construction
    expect(c.section.get(2)).toBe(1);
    expect(c.section.get(7)).toBe(1);
    // statuses: counted with section = 7, so choosing another status shows what it would add
    expect(c.status.get('under_construction')).toBe(1);
    expect(c.status.get('proposed')).toBe(1);
    expect(c.status.get('preparatory')).toBe(1);
    expect(c.status.get('ongoing')).toBeUndefined();
    // categories and cities: counted with both
    expect([...c.category.entries()]).toEqual([['railway', 1]]);
    expect([...c.city.entries()]).toEqual([['Dandong', 1]]);
  });

  it('agrees with filtering: each option count equals the size of the result with that option chosen alone', () => {
    const base = { ...none, sections: [2, 7], q: '' };
    const c = facetCounts(FEATURES, base);
    for (const [status, n] of c.status) {
      expect(applyFilters(FEATURES, { ...base, statuses: [status] })).toHaveLength(n);
    }
    for (const [city, n] of c.city) {
      expect(applyFilters(FEATURES, { ...base, cities: [city] })).toHaveLength(n);
    }
  });

  it('applies the search text to every facet', () => {
    const c = facetCounts(FEATURES, { ...none, q: 'port' });
    expect(c.section.get(2)).toBe(3);
    expect(c.section.get(7)).toBe(1); // the "airport"
    const d = facetCounts(FEATURES, { ...none, q: 'port of' });
    expect(d.section.get(2)).toBe(2);
    expect(d.section.get(7)).toBeUndefined();
  });
});

describe('view, order and programmes', () => {
  it('keeps projects whose box overlaps the view, and drops those without geometry', () => {
    expect(ids(inView(FEATURES, [121, 39, 122, 40]))).toEqual(['park-changxing', 'port-dalian']);
    // the railway's box overlaps even though its ends are outside
    expect(ids(inView(FEATURES, [123.8, 40.8, 124.0, 41.0]))).toEqual(['rail-shendan']);
    expect(inView(FEATURES, [100, 0, 101, 1])).toEqual([]);
  });

  it('orders by section, item, then id', () => {
    expect([...FEATURES].sort(compareProjects).map((f) => f.id).slice(0, 3)).toEqual(['park-changxing', 'park-unplaced', 'port-dalian']);
  });

  it('counts sited members of each programme over its target', () => {
    expect(programmeProgress(FEATURES)).toEqual([
      { id: 'programme-parks', members: 2, sited: 1, target: 42 },
      { id: 'programme-ports', members: 1, sited: 1, target: 4 },
    ]);
  });

  it('tallies projects per section and status', () => {
    const m = sectionStatusMatrix(FEATURES);
    expect(m.get(7)?.get('under_construction')).toBe(1);
    expect(m.get(2)?.get('ongoing')).toBe(5);
  });
});
