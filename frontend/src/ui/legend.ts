// The map legend: status colours, category symbols, what lines, zones and
// clusters look like, how approximate locations are drawn, and the basemap.
import { el, svg, clear } from '../dom';
import { t, termLabel } from '../i18n';
import { statusColor, symbolCanvas } from '../symbols';
import type { Lang, Vocabularies } from '../types';

function sample(...children: SVGElement[]): SVGSVGElement {
  return svg('svg', { class: 'sample', viewBox: '0 0 28 16', width: 28, height: 16, 'aria-hidden': 'true' }, ...children);
}

function line(color: string, width: number, dash?: string): SVGElement {
  const l = svg('line', { x1: 2, y1: 8, x2: 26, y2: 8 });
  l.style.stroke = color;
  l.style.strokeWidth = String(width);
  l.style.strokeLinecap = dash ? 'butt' : 'round';
  if (dash) l.style.strokeDasharray = dash;
  return l;
}

export function renderLegend(root: HTMLElement, lang: Lang, vocab: Vocabularies): void {
  // A language switch keeps the legend open or closed as the user left it.
  const prev = root.querySelector<HTMLDetailsElement>('details.legend-box');
  const prevCats = root.querySelector<HTMLDetailsElement>('details.legend-sub');
  clear(root);
  const details = el('details', { class: 'legend-box' });
  // Open where the map has room for it; a click or Enter opens it anywhere.
  const map = document.getElementById('map');
  details.open = prev ? prev.open : (map?.clientWidth ?? 0) >= 900 && (map?.clientHeight ?? 0) >= 640;
  details.append(el('summary', null, t(lang, 'legend.title')));

  const statuses = el('ul', { class: 'legend-list' });
  for (const s of vocab.statuses) {
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.backgroundColor = statusColor(s.code);
    statuses.append(el('li', null, sw, termLabel(vocab.statuses, s.code, lang)));
  }
  details.append(el('h4', null, t(lang, 'legend.status')), statuses);

  const cats = el('ul', { class: 'legend-list two-col' });
  for (const c of vocab.categories) cats.append(el('li', null, symbolCanvas(c.symbol ?? '', 'none', false), termLabel(vocab.categories, c.code, lang)));
  const catBox = el('details', { class: 'legend-sub' }, el('summary', null, t(lang, 'legend.category')), cats);
  catBox.open = prevCats?.open ?? false;

  const poly = svg('rect', { x: 3, y: 2, width: 22, height: 12 });
  poly.style.fill = 'rgba(28,111,201,0.28)';
  poly.style.stroke = statusColor('ongoing');
  poly.style.strokeWidth = '2';
  const cluster = svg('circle', { cx: 14, cy: 8, r: 7 });
  cluster.style.fill = '#34495e';
  const clusterN = svg('text', { x: 14, y: 11, 'text-anchor': 'middle', class: 'legend-n' }, '5');
  const halo = svg('circle', { cx: 14, cy: 8, r: 7 });
  halo.style.fill = 'rgba(28,111,201,0.08)';
  halo.style.stroke = statusColor('ongoing');
  halo.style.strokeDasharray = '3 2';

  const shapes = el(
    'ul',
    { class: 'legend-list' },
    el('li', null, symbolCanvas('industry', 'ongoing', false), t(lang, 'legend.precise')),
    el('li', { 'data-testid': 'legend-approx' }, symbolCanvas('industry', 'ongoing', true), sample(halo), t(lang, 'legend.approx')),
    el('li', null, sample(line('#ffffff', 7), line(statusColor('under_construction'), 4.5)), t(lang, 'legend.line')),
    el('li', null, sample(line(statusColor('under_construction'), 3.5), line('#ffffff', 1.2, '3 3')), t(lang, 'legend.rail')),
    el('li', null, sample(line('rgba(28,111,201,0.22)', 12), line('#ffffff', 6), line(statusColor('ongoing'), 3.5)), t(lang, 'legend.approxline')),
    el('li', null, sample(poly), t(lang, 'legend.polygon')),
    el('li', null, sample(cluster, clusterN), t(lang, 'legend.cluster')),
  );
  details.append(el('h4', null, t(lang, 'legend.geometry')), shapes, catBox);

  const city = svg('circle', { cx: 14, cy: 8, r: 4 });
  city.style.fill = '#ffffff';
  city.style.stroke = '#333333';
  city.style.strokeWidth = '1.5';
  const base = el(
    'ul',
    { class: 'legend-list' },
    el('li', null, sample(city), t(lang, 'legend.city')),
    el('li', null, sample(line('#7d4e8c', 2, '6 2 2 2')), t(lang, 'legend.border')),
    el('li', null, sample(line('#a39481', 1, '4 2')), t(lang, 'legend.province')),
    el('li', null, sample(line('#6fa3cf', 2)), t(lang, 'legend.river')),
  );
  details.append(el('h4', null, t(lang, 'map.label')), base);
  root.append(details);
}
