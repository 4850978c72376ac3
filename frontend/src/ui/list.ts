// The list beside the map: the filtered projects in the map's view, then
// those without a place on the map. Hover and focus highlight on the map;
// arrow keys move between entries.
import { el, clear } from '../dom';
import { t, termLabel, projectName, cityName } from '../i18n';
import type { Lang, ProjectFeature, Vocabularies } from '../types';
import { symbolCanvas } from '../symbols';
import { isApproximate } from '../filter';

export interface ListCallbacks {
  select(id: string): void;
  hover(id: string | null): void;
  fitAll(): void;
}

export class ProjectList {
  private items = new Map<string, HTMLElement>();
  private hovered: string | null = null;
  private selected: string | null = null;
  private ids: string[] = [];

  constructor(
    readonly root: HTMLElement,
    private cb: ListCallbacks,
  ) {
    root.addEventListener('keydown', (e) => this.onKey(e));
  }

  render(lang: Lang, vocab: Vocabularies, inView: ProjectFeature[], unmapped: ProjectFeature[], total: number): void {
    const focusedId = (document.activeElement as HTMLElement | null)?.closest?.('[data-id]')?.getAttribute('data-id') ?? null;
    clear(this.root);
    this.items.clear();
    this.ids = [];
    const head = el(
      'div',
      { class: 'list-head' },
      el('h2', { id: 'list-title' }, t(lang, 'list.title')),
      el('p', { class: 'summary', 'data-testid': 'list-summary' }, t(lang, 'list.summary', { inView: inView.length, total })),
      el('button', { type: 'button', class: 'link-button', onclick: () => this.cb.fitAll() }, t(lang, 'list.fit')),
    );
    this.root.append(head);
    const ul = el('ul', { class: 'project-list', 'aria-labelledby': 'list-title', 'data-testid': 'project-list' });
    if (inView.length === 0) ul.append(el('li', { class: 'empty' }, t(lang, 'list.empty')));
    for (const f of inView) ul.append(this.entry(lang, vocab, f));
    this.root.append(ul);
    if (unmapped.length) {
      const ul2 = el('ul', { class: 'project-list unmapped', 'aria-label': t(lang, 'list.unmapped'), 'data-testid': 'unmapped-list' });
      for (const f of unmapped) ul2.append(this.entry(lang, vocab, f));
      this.root.append(el('h3', { class: 'unmapped-title' }, t(lang, 'list.unmapped')), ul2);
    }
    this.setHover(this.hovered);
    this.setSelected(this.selected, false);
    if (focusedId) this.items.get(focusedId)?.focus({ preventScroll: true });
  }

  private entry(lang: Lang, vocab: Vocabularies, f: ProjectFeature): HTMLElement {
    const p = f.properties;
    const cat = vocab.categories.find((c) => c.code === p.category);
    const meta = [`${p.section}.${p.item}`, cityName(p, lang), termLabel(vocab.statuses, p.status, lang)].filter(Boolean).join(' · ');
    const btn = el(
      'button',
      { type: 'button', class: 'entry', 'data-id': f.id, 'data-testid': 'list-entry' },
      symbolCanvas(cat?.symbol ?? '', p.status, isApproximate(p)),
      el('span', { class: 'entry-text' }, el('span', { class: 'entry-name' }, projectName(p, lang)), el('span', { class: 'entry-meta' }, meta)),
    );
    btn.addEventListener('click', () => this.cb.select(f.id));
    btn.addEventListener('mouseenter', () => this.cb.hover(f.id));
    btn.addEventListener('mouseleave', () => this.cb.hover(null));
    btn.addEventListener('focus', () => this.cb.hover(f.id));
    btn.addEventListener('blur', () => this.cb.hover(null));
    this.items.set(f.id, btn);
    this.ids.push(f.id);
    return el('li', null, btn);
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    const id = target.getAttribute?.('data-id');
    if (!id) return;
    const i = this.ids.indexOf(id);
    let j = -1;
    if (e.key === 'ArrowDown') j = Math.min(this.ids.length - 1, i + 1);
    else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = this.ids.length - 1;
    if (j >= 0) {
      e.preventDefault();
      this.items.get(this.ids[j])?.focus();
    }
  }

  setHover(id: string | null): void {
    if (this.hovered) this.items.get(this.hovered)?.classList.remove('hover');
    this.hovered = id;
    if (id) this.items.get(id)?.classList.add('hover');
  }

  setSelected(id: string | null, scroll = true): void {
    if (this.selected) {
      const old = this.items.get(this.selected);
      old?.classList.remove('selected');
      old?.removeAttribute('aria-current');
    }
    this.selected = id;
    if (!id) return;
    const node = this.items.get(id);
    if (node) {
      node.classList.add('selected');
      node.setAttribute('aria-current', 'true');
      if (scroll) node.scrollIntoView({ block: 'nearest' });
    }
  }

  focus(id: string | null): boolean {
    const node = id ? this.items.get(id) : undefined;
    if (node) {
      node.focus();
      return true;
    }
    return false;
  }

  /** The ids in display order, for tests. */
  shownIds(): string[] {
    return [...this.ids];
  }
}
