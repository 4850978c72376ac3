import { describe, expect, it } from 'vitest';
import { apiQuery, defaultState, parseState, serializeState, toggle, type AppState } from '../src/state';

describe('state <-> URL', () => {
  it('the default state writes only the language', () => {
    expect(serializeState(defaultState())).toBe('lang=zh');
    expect(parseState('')).toEqual(defaultState());
  });

  it('round-trips a full state', () => {
    const s: AppState = {
      lang: 'en',
      sections: [2, 7],
      statuses: ['ongoing', 'under_construction'],
      categories: ['port', 'railway'],
      cities: ['Dalian', '丹东市'],
      q: '港 Port',
      selected: 'port-dalian',
      panel: 'overview',
      view: { lng: 122.3456, lat: 40.1234, zoom: 7.25 },
      overlays: ['survey-2026', 'a_plots'],
    };
    const qs = serializeState(s);
    expect(qs).toBe(
      'lang=en&section=2,7&status=ongoing,under_construction&category=port,railway&city=Dalian,%E4%B8%B9%E4%B8%9C%E5%B8%82&q=%E6%B8%AF+Port&id=port-dalian&panel=overview&layers=a_plots,survey-2026&map=122.3456,40.1234,7.25',
    );
    expect(parseState('?' + qs)).toEqual({ ...s, overlays: ['a_plots', 'survey-2026'] });
    expect(serializeState(parseState(qs))).toBe(qs);
  });

  it('writes lists in one canonical order, without duplicates', () => {
    const a = serializeState({ ...defaultState(), sections: [7, 2, 7], statuses: ['ongoing', 'completed'] });
    const b = serializeState({ ...defaultState(), sections: [2, 7], statuses: ['completed', 'ongoing'] });
    expect(a).toBe(b);
    expect(parseState(a).sections).toEqual([2, 7]);
  });

  it('ignores malformed values instead of failing', () => {
    const s = parseState('lang=fr&section=0,14,x,3,3&status=<script>&id=a%20b&panel=nope&map=500,1,2&q=' + 'x'.repeat(500));
    expect(s.lang).toBe('zh');
    expect(s.sections).toEqual([3]);
    expect(s.statuses).toEqual([]);
    expect(s.selected).toBeNull();
    expect(s.panel).toBe('list');
    expect(s.view).toBeNull();
    expect(s.q.length).toBe(200);
    expect(parseState('layers=ok-1,Bad,1x,<b>,ok-1').overlays).toEqual(['ok-1']);
    expect(parseState('panel=upload').panel).toBe('upload');
  });

  it('rounds the map view and keeps it valid', () => {
    const s = parseState('map=122.123456,40.987654,7.256');
    expect(s.view).toEqual({ lng: 122.1235, lat: 40.9877, zoom: 7.26 });
    expect(parseState('map=1,2').view).toBeNull();
    expect(parseState('map=NaN,2,3').view).toBeNull();
  });

  it('normalizes the search text', () => {
    expect(parseState('q=%20%20港口%20%20 %20').q).toBe('港口');
    expect(serializeState({ ...defaultState(), q: '  a   b ' })).toBe('lang=zh&q=a+b');
  });

  it('builds the API query for the same filters', () => {
    const s = parseState('section=7,2&status=ongoing&city=Dalian&q=港&id=x&map=1,2,3&lang=en');
    expect(apiQuery(s).toString()).toBe('section=2%2C7&status=ongoing&city=Dalian&q=%E6%B8%AF');
    expect(apiQuery(defaultState()).toString()).toBe('');
  });

  it('toggles values in and out of a list', () => {
    expect(toggle([1, 2], 3)).toEqual([1, 2, 3]);
    expect(toggle([1, 2, 3], 2)).toEqual([1, 3]);
  });
});
