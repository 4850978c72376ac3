// The filter panel: free-text search and four facets (section, status,
// category, city), each option with its count under the other filters.
import { el, clear } from '../dom';
import { t, termLabel, sectionTitle } from '../i18n';
import type { FacetCounts, Facet } from '../filter';
import type { AppState } from '../state';
import type { Lang, ProjectFeature, SectionInfo, Vocabularies } from '../types';
import { statusColor, symbolCanvas } from '../symbols';

export interface FilterCallbacks {
  toggle(facet: Facet, value: string | number): void;
  setQuery(q: string): void;
  clear(): void;
}

interface Option {
  facet: Facet;
  value: string | number;
  input: HTMLInputElement;
  count: HTMLElement;
  row: HTMLElement;
}

export class FilterPanel {
  readonly root: HTMLElement;
  private options: Option[] = [];
  private search!: HTMLInputElement;
  private debounce = 0;

  constructor(
    root: HTMLElement,
    private cb: FilterCallbacks,
  ) {
    this.root = root;
  }

  /** Rebuilds the panel, for a new language or vocabulary. */
  build(lang: Lang, vocab: Vocabularies, sections: SectionInfo[], all: ProjectFeature[], state: AppState): void {
    clear(this.root);
    this.options = [];
    const searchId = 'filter-q';
    this.search = el('input', {
      id: searchId,
      type: 'search',
      placeholder: t(lang, 'filters.q.placeholder'),
      autocomplete: 'off',
      spellcheck: 'false',
      'data-testid': 'search',
    });
    this.search.value = state.q;
    this.search.addEventListener('input', () => {
      window.clearTimeout(this.debounce);
      this.debounce = window.setTimeout(() => this.cb.setQuery(this.search.value), 180);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        window.clearTimeout(this.debounce);
        this.cb.setQuery(this.search.value);
      }
    });

    const head = el(
      'div',
      { class: 'filters-head' },
      el('label', { for: searchId, class: 'search-label' }, t(lang, 'filters.q')),
      this.search,
      el('button', { type: 'button', class: 'link-button', 'data-testid': 'clear-filters', onclick: () => this.cb.clear() }, t(lang, 'filters.clear')),
    );
    this.root.append(head);

    const sectionValues = sections.length ? sections.map((s) => s.number) : [...new Set(all.map((f) => f.properties.section))].sort((a, b) => a - b);
    this.root.append(
      this.group(lang, 'section', t(lang, 'filters.section'), sectionValues.map((n) => ({ value: n, label: `${n}. ${sectionTitle(sections, n, lang) || ''}` })), true),
    );

    const statusCodes = vocab.statuses.length ? vocab.statuses.map((s) => s.code) : [...new Set(all.map((f) => f.properties.status))].sort();
    this.root.append(
      this.group(
        lang,
        'status',
        t(lang, 'filters.status'),
        statusCodes.map((code) => ({
          value: code,
          label: termLabel(vocab.statuses, code, lang),
          swatch: (() => {
            const s = el('span', { class: 'swatch', 'aria-hidden': 'true' });
            s.style.backgroundColor = statusColor(code);
            return s;
          })(),
        })),
        true,
      ),
    );

    const categoryCodes = vocab.categories.length ? vocab.categories.map((c) => c.code) : [...new Set(all.map((f) => f.properties.category))].sort();
    this.root.append(
      this.group(
        lang,
        'category',
        t(lang, 'filters.category'),
        categoryCodes.map((code) => ({
          value: code,
          label: termLabel(vocab.categories, code, lang),
          swatch: symbolCanvas(vocab.categories.find((c) => c.code === code)?.symbol ?? '', 'none', false),
        })),
        false,
      ),
    );

    const cities = new Map<string, string>();
    for (const f of all) {
      const p = f.properties;
      if (p.city && !cities.has(p.city)) cities.set(p.city, p.city_zh || p.city);
    }
    const cityList = [...cities.entries()]
      .map(([en, zh]) => ({ value: en, label: lang === 'zh' ? zh : en }))
      .sort((a, b) => a.label.localeCompare(b.label, lang === 'zh' ? 'zh-CN' : 'en'));
    this.root.append(this.group(lang, 'city', t(lang, 'filters.city'), cityList, false));
  }

  private group(
    lang: Lang,
    facet: Facet,
    title: string,
    items: { value: string | number; label: string; swatch?: HTMLElement }[],
    open: boolean,
  ): HTMLElement {
    const list = el('ul', { class: 'options', role: 'list' });
    for (const it of items) {
      const id = `f-${facet}-${String(it.value).replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const input = el('input', { type: 'checkbox', id, value: String(it.value), 'data-facet': facet });
      input.addEventListener('change', () => this.cb.toggle(facet, it.value));
      const count = el('span', { class: 'count' });
      const row = el('li', { class: 'option' }, input, el('label', { for: id }, it.swatch ?? null, el('span', { class: 'option-label' }, it.label), count));
      this.options.push({ facet, value: it.value, input, count, row });
      list.append(row);
    }
    const details = el('details', { class: 'facet', 'data-facet': facet }, el('summary', null, title), list);
    details.open = open;
    void lang;
    return details;
  }

  /** Updates checked states and counts in place, keeping focus where it is. */
  update(lang: Lang, state: AppState, counts: FacetCounts): void {
    if (document.activeElement !== this.search && this.search.value !== state.q) this.search.value = state.q;
    for (const o of this.options) {
      let checked = false;
      let n = 0;
      switch (o.facet) {
        case 'section':
          checked = state.sections.includes(o.value as number);
          n = counts.section.get(o.value as number) ?? 0;
          break;
        case 'status':
          checked = state.statuses.includes(o.value as string);
          n = counts.status.get(o.value as string) ?? 0;
          break;
        case 'category':
          checked = state.categories.includes(o.value as string);
          n = counts.category.get(o.value as string) ?? 0;
          break;
        case 'city':
          checked = state.cities.includes(o.value as string);
          n = counts.city.get(o.value as string) ?? 0;
          break;
      }
      o.input.checked = checked;
      o.count.textContent = t(lang, 'filters.count', { n });
      o.row.classList.toggle('zero', n === 0 && !checked);
      o.row.dataset.count = String(n);
    }
    // Show how many options of a closed group are chosen.
    for (const d of this.root.querySelectorAll<HTMLDetailsElement>('details.facet')) {
      const chosen = d.querySelectorAll('input:checked').length;
      d.classList.toggle('active', chosen > 0);
      d.dataset.chosen = String(chosen);
    }
  }
}
