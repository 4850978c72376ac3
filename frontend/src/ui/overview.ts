// The overview: projects per section by status (a plain SVG chart),
// programme progress, and export of the current selection.
import { el, svg, clear } from '../dom';
import { t, termLabel, sectionTitle, projectName } from '../i18n';
import { programmeProgress, sectionStatusMatrix } from '../filter';
import { statusColor } from '../symbols';
import { progressBar } from './detail';
import type { Lang, ProjectFeature, SectionInfo, Vocabularies } from '../types';

export interface OverviewCallbacks {
  toggleSection(n: number): void;
  select(id: string): void;
  exportGeoJSON(): void;
  exportCSV(): void;
}

export interface OverviewData {
  lang: Lang;
  vocab: Vocabularies;
  sections: SectionInfo[];
  /** All projects (for programme progress). */
  all: ProjectFeature[];
  /** Projects matching every filter but the section filter (the chart). */
  chartFeatures: ProjectFeature[];
  /** Projects matching every filter (the export). */
  selection: ProjectFeature[];
  chosenSections: number[];
}

export function sectionChart(d: OverviewData, cb: OverviewCallbacks): SVGSVGElement {
  const { lang, vocab } = d;
  const matrix = sectionStatusMatrix(d.chartFeatures);
  const numbers = d.sections.length ? d.sections.map((s) => s.number) : [...matrix.keys()].sort((a, b) => a - b);
  const statusOrder = vocab.statuses.length ? vocab.statuses.map((s) => s.code) : [...new Set(d.chartFeatures.map((f) => f.properties.status))];
  for (const f of d.chartFeatures) if (!statusOrder.includes(f.properties.status)) statusOrder.push(f.properties.status);
  const max = Math.max(1, ...numbers.map((n) => [...(matrix.get(n)?.values() ?? [])].reduce((a, b) => a + b, 0)));
  const rowH = 22,
    labelW = 34,
    width = 320,
    barW = width - labelW - 34;
  const height = numbers.length * rowH + 4;
  const root = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': t(lang, 'overview.chart'),
    'data-testid': 'section-chart',
  });
  numbers.forEach((n, i) => {
    const row = matrix.get(n) ?? new Map<string, number>();
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    const y = i * rowH + 2;
    const title = `${t(lang, 'detail.section', { n })} ${sectionTitle(d.sections, n, lang)}: ${t(lang, 'count.projects', { n: total })}`;
    const g = svg('g', {
      class: 'chart-row' + (d.chosenSections.includes(n) ? ' chosen' : ''),
      tabindex: 0,
      role: 'button',
      'aria-pressed': d.chosenSections.includes(n) ? 'true' : 'false',
      'aria-label': title,
      'data-section': n,
      'data-total': total,
    });
    g.addEventListener('click', () => cb.toggleSection(n));
    g.addEventListener('keydown', (e: Event) => {
      const k = (e as KeyboardEvent).key;
      if (k === 'Enter' || k === ' ') {
        e.preventDefault();
        cb.toggleSection(n);
      }
    });
    g.append(svg('title', null, title));
    g.append(svg('rect', { class: 'row-bg', x: 0, y, width, height: rowH - 2 }));
    g.append(svg('text', { x: labelW - 6, y: y + rowH / 2 + 2, 'text-anchor': 'end', class: 'chart-label' }, String(n)));
    let x = labelW;
    for (const s of statusOrder) {
      const c = row.get(s) ?? 0;
      if (!c) continue;
      const w = (c / max) * barW;
      const r = svg('rect', { x, y: y + 3, width: Math.max(w, 1), height: rowH - 8, 'data-status': s, 'data-count': c });
      r.style.fill = statusColor(s);
      r.append(svg('title', null, `${termLabel(vocab.statuses, s, lang)}: ${c}`));
      g.append(r);
      x += w;
    }
    g.append(svg('text', { x: x + 4, y: y + rowH / 2 + 2, class: 'chart-count' }, String(total)));
    root.append(g);
  });
  return root;
}

export function renderOverview(root: HTMLElement, d: OverviewData, cb: OverviewCallbacks): void {
  clear(root);
  const { lang, vocab } = d;
  const key = el('ul', { class: 'chart-key' });
  for (const s of vocab.statuses) {
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.backgroundColor = statusColor(s.code);
    key.append(el('li', null, sw, termLabel(vocab.statuses, s.code, lang)));
  }
  root.append(
    el('h2', null, t(lang, 'overview.title')),
    el('section', { class: 'ov-chart' }, el('h3', null, t(lang, 'overview.chart')), sectionChart(d, cb), key, el('p', { class: 'caption' }, t(lang, 'overview.chart.caption'))),
  );

  const progress = programmeProgress(d.all);
  if (progress.length) {
    const ul = el('ul', { class: 'programmes', 'data-testid': 'programmes' });
    for (const pr of progress) {
      const f = d.all.find((x) => x.id === pr.id);
      const name = f ? projectName(f.properties, lang) : pr.id;
      ul.append(
        el(
          'li',
          { 'data-programme': pr.id, 'data-sited': pr.sited, 'data-target': pr.target },
          el('button', { type: 'button', class: 'link-button', onclick: () => cb.select(pr.id) }, t(lang, 'overview.programme.progress', { name, sited: pr.sited, target: pr.target })),
          progressBar(pr.sited, pr.target),
        ),
      );
    }
    root.append(el('section', null, el('h3', null, t(lang, 'overview.programmes')), ul));
  }

  root.append(
    el(
      'section',
      { class: 'export' },
      el('h3', null, t(lang, 'overview.export')),
      el('p', { 'data-testid': 'export-count' }, t(lang, 'overview.export.count', { n: d.selection.length })),
      el(
        'div',
        { class: 'buttons' },
        el('button', { type: 'button', 'data-testid': 'export-geojson', onclick: () => cb.exportGeoJSON() }, t(lang, 'overview.export.geojson')),
        el('button', { type: 'button', 'data-testid': 'export-csv', onclick: () => cb.exportCSV() }, t(lang, 'overview.export.csv')),
      ),
    ),
  );
}
