import { describe, expect, it } from 'vitest';
import { MESSAGES, t, termLabel, sectionTitle, projectName, otherName, cityName, type MessageKey } from '../src/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('has every key in both languages, none empty', () => {
    const zh = Object.keys(MESSAGES.zh).sort();
    const en = Object.keys(MESSAGES.en).sort();
    expect(en).toEqual(zh);
    for (const lang of ['zh', 'en'] as const) {
      for (const [k, v] of Object.entries(MESSAGES[lang])) expect(v.trim(), `${lang}:${k}`).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const k of Object.keys(MESSAGES.zh) as MessageKey[]) {
      expect(placeholders(MESSAGES.en[k]), k).toEqual(placeholders(MESSAGES.zh[k]));
    }
  });

  it('looks messages up and fills placeholders', () => {
    expect(t('zh', 'nav.list')).toBe('列表');
    expect(t('en', 'nav.list')).toBe('List');
    expect(t('en', 'list.summary', { inView: 3, total: 10 })).toBe('3 in view of 10 matching');
    expect(t('zh', 'list.summary', { inView: 3, total: 10 })).toBe('视图内 3 项,筛选结果共 10 项');
    // a missing variable is left visible rather than dropped
    expect(t('en', 'detail.section')).toBe('Section {n}');
  });

  it('does not treat variables as patterns', () => {
    expect(t('en', 'detail.notfound', { id: '$& {n} <b>' })).toBe('No project “$& {n} <b>”.');
  });

  const statuses = [{ code: 'ongoing', label_zh: '持续推进', label_en: 'ongoing' }];
  it('labels vocabulary terms and shows unknown codes as they are', () => {
    expect(termLabel(statuses, 'ongoing', 'zh')).toBe('持续推进');
    expect(termLabel(statuses, 'ongoing', 'en')).toBe('ongoing');
    expect(termLabel(statuses, 'mystery', 'en')).toBe('mystery');
    expect(termLabel(statuses, null, 'en')).toBe('');
    expect(termLabel([{ code: 'x', label_zh: '某', label_en: '' }], 'x', 'en')).toBe('某');
  });

  it('finds section titles and names in the chosen language, falling back to the other', () => {
    const sections = [{ number: 7, title_zh: '基础设施', title_en: 'Infrastructure' }];
    expect(sectionTitle(sections, 7, 'zh')).toBe('基础设施');
    expect(sectionTitle(sections, 7, 'en')).toBe('Infrastructure');
    expect(sectionTitle(sections, 8, 'en')).toBe('');
    expect(projectName({ name_zh: '大连港', name_en: 'Port of Dalian' }, 'en')).toBe('Port of Dalian');
    expect(projectName({ name_zh: '大连港', name_en: '' }, 'en')).toBe('大连港');
    expect(otherName({ name_zh: '大连港', name_en: 'Port of Dalian' }, 'zh')).toBe('Port of Dalian');
    expect(otherName({ name_zh: '大连港', name_en: '' }, 'en')).toBe('');
    expect(cityName({ city: 'Dalian', city_zh: '大连市' }, 'zh')).toBe('大连市');
    expect(cityName({ city: null, city_zh: null }, 'zh')).toBe('');
  });
});
