import { describe, expect, it } from 'vitest';
import { highlightClause } from '../src/clause';

const TEXT = '积极推进风电、太阳能发电等可再生能源项目建设。推进红沿河核电1号机组竣工投产,建成500千伏辽中输变电工程。';

describe('clause highlighting', () => {
  it('marks the verbatim clause inside the item text', () => {
    const h = highlightClause(TEXT, '推进红沿河核电1号机组竣工投产');
    expect(h.found).toBe(true);
    expect(h.segments.filter((s) => s.mark).map((s) => s.text)).toEqual(['推进红沿河核电1号机组竣工投产']);
    expect(h.segments.map((s) => s.text).join('')).toBe(TEXT);
  });

  it('marks each part of an excerpt that leaves words out with an ellipsis', () => {
    const h = highlightClause(TEXT, '推进红沿河核电…竣工投产');
    expect(h.found).toBe(true);
    expect(h.segments.filter((s) => s.mark).map((s) => s.text)).toEqual(['推进红沿河核电', '竣工投产']);
    expect(h.segments.map((s) => s.text).join('')).toBe(TEXT);
  });

  it('says so when the clause is not in the text', () => {
    const h = highlightClause(TEXT, '建设猴山水库');
    expect(h.found).toBe(false);
    expect(h.segments).toEqual([{ text: TEXT, mark: false }]);
  });

  it('needs the parts in order', () => {
    expect(highlightClause(TEXT, '竣工投产…风电').found).toBe(false);
  });

  it('marks the clause when it is the whole text', () => {
    expect(highlightClause('甲乙丙', '甲乙丙').segments).toEqual([{ text: '甲乙丙', mark: true }]);
  });
});
