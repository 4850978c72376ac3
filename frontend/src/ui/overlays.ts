// The uploaded layers a planner can lay over the map, and the attributes of
// a feature of one of them. Titles and attributes come from uploads and
// the uploader's form: text only.
import { el, clear } from '../dom';
import { t, formatNumber } from '../i18n';
import { formatValue } from '../diff';
import type { CollectionInfo, Lang } from '../types';

export interface OverlayCallbacks {
  toggle(id: string, on: boolean): void;
  zoom(id: string): void;
}

export function layerTitle(c: CollectionInfo, lang: Lang): string {
  return (lang === 'zh' ? c.title_zh || c.title : c.title || c.title_zh) || c.id;
}

export function renderOverlays(root: HTMLElement, lang: Lang, layers: CollectionInfo[], on: string[], colors: Map<string, string>, cb: OverlayCallbacks): void {
  const prev = root.querySelector<HTMLDetailsElement>('details');
  clear(root);
  root.hidden = layers.length === 0;
  if (!layers.length) return;
  const details = el('details', { class: 'legend-box overlays-box', 'data-testid': 'overlays' });
  details.open = prev ? prev.open : on.length > 0;
  details.append(el('summary', null, `${t(lang, 'overlays.title')} (${layers.length})`));
  const ul = el('ul', { class: 'legend-list overlay-list' });
  for (const c of layers) {
    const id = `ov-toggle-${c.id}`;
    const box = el('input', { type: 'checkbox', id, checked: on.includes(c.id), 'data-testid': 'overlay-toggle', 'data-layer': c.id });
    box.addEventListener('change', () => cb.toggle(c.id, box.checked));
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.backgroundColor = colors.get(c.id) ?? '#888';
    const n = typeof c.numberOfFeatures === 'number' ? el('span', { class: 'count' }, t(lang, 'overlays.count', { n: formatNumber(c.numberOfFeatures, lang) })) : null;
    ul.append(
      el(
        'li',
        { 'data-layer': c.id },
        box,
        el('label', { for: id }, sw, ' ', layerTitle(c, lang)),
        n,
        el('button', { type: 'button', class: 'link-button', 'aria-label': `${t(lang, 'overlays.zoom')}: ${layerTitle(c, lang)}`, onclick: () => cb.zoom(c.id) }, '⤢'),
      ),
    );
  }
  details.append(ul);
  root.append(details);
}

/** The attributes of one feature of an uploaded layer. */
export function renderFeatureInfo(root: HTMLElement, lang: Lang, layer: string, fid: string, props: Record<string, unknown> | null, close: () => void): void {
  clear(root);
  root.hidden = false;
  const entries = Object.entries(props ?? {});
  const tbody = el('tbody');
  for (const [k, v] of entries) tbody.append(el('tr', null, el('th', { scope: 'row' }, k), el('td', null, formatValue(v))));
  root.append(
    el(
      'div',
      { class: 'info-head' },
      el('h3', null, t(lang, 'info.title')),
      el('button', { type: 'button', class: 'close', 'aria-label': t(lang, 'info.close'), 'data-testid': 'info-close', onclick: close }, '×'),
    ),
    el('p', { class: 'note' }, layer, ' · ', el('code', null, fid)),
    entries.length ? el('table', { class: 'attr-table', 'data-testid': 'info-attrs' }, tbody) : el('p', { class: 'note' }, t(lang, 'draft.noattrs')),
  );
}
