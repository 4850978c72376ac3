import { describe, expect, it } from 'vitest';
import { canonicalJSON, diffProperties, formatValue, geometryChanged, sameValue } from '../src/diff';

describe('property diff', () => {
  it('lists added, removed and changed properties by name', () => {
    const before = { name: 'a', status: 'proposed', uncertainty_km: 30, same: 1 };
    const after = { name: 'a', status: 'completed', location_note: 'surveyed', same: 1 };
    expect(diffProperties(before, after)).toEqual([
      { key: 'location_note', kind: 'added', new: 'surveyed' },
      { key: 'status', kind: 'changed', old: 'proposed', new: 'completed' },
      { key: 'uncertainty_km', kind: 'removed', old: 30 },
    ]);
  });

  it('treats null like absent, as a merge patch does', () => {
    expect(diffProperties({ a: null, b: 1 }, { b: 1 })).toEqual([]);
    expect(diffProperties({ a: 1 }, { a: null })).toEqual([{ key: 'a', kind: 'removed', old: 1 }]);
    expect(diffProperties(null, { a: 0 })).toEqual([{ key: 'a', kind: 'added', new: 0 }]);
    expect(diffProperties({ a: false }, undefined)).toEqual([{ key: 'a', kind: 'removed', old: false }]);
  });

  it('compares nested values by content, whatever the key order', () => {
    expect(diffProperties({ t: [{ a: 1, b: 2 }] }, { t: [{ b: 2, a: 1 }] })).toEqual([]);
    expect(diffProperties({ t: [1, 2] }, { t: [2, 1] })).toHaveLength(1);
    expect(sameValue({ x: { y: 1, z: [1] } }, { x: { z: [1], y: 1 } })).toBe(true);
    expect(canonicalJSON(undefined)).toBe('null');
  });

  it('does not confuse numbers and strings', () => {
    expect(diffProperties({ a: 1 }, { a: '1' })).toEqual([{ key: 'a', kind: 'changed', old: 1, new: '1' }]);
  });

  it('keeps hostile keys and values as data', () => {
    const k = '<img src=x onerror=alert(1)>';
    expect(diffProperties({}, { [k]: '<script>x</script>' })).toEqual([{ key: k, kind: 'added', new: '<script>x</script>' }]);
  });

  it('tells whether the geometry changed', () => {
    const p = { type: 'Point' as const, coordinates: [121, 40] };
    expect(geometryChanged(p, { type: 'Point', coordinates: [121, 40] })).toBe(false);
    expect(geometryChanged(p, { type: 'Point', coordinates: [121, 40.0001] })).toBe(true);
    expect(geometryChanged(p, null)).toBe(true);
    expect(geometryChanged(null, undefined)).toBe(false);
  });

  it('formats values as one line of text', () => {
    expect(formatValue('a')).toBe('a');
    expect(formatValue(null)).toBe('');
    expect(formatValue(12.5)).toBe('12.5');
    expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
    expect(formatValue('x'.repeat(400))).toHaveLength(300);
  });
});
