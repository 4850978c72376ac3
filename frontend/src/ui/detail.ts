// The detail panel of one project: names, section and item, the verbatim
// clause marked inside its item's full text, the 2012 action, the status
// history as a timeline, targets, location precision, sources and the
// feature's GeoJSON link. Every data string is set as text.
import { el, clear, safeHref, isExternal } from '../dom';
import { t, termLabel, sectionTitle, projectName, otherName, cityName, formatNumber } from '../i18n';
import { highlightClause } from '../clause';
import { featureURL } from '../api';
import { statusColor, symbolCanvas } from '../symbols';
import { isApproximate } from '../filter';
import type { Clause, Lang, ProjectFeature, SectionInfo, Vocabularies } from '../types';

export interface DetailCallbacks {
  close(): void;
  select(id: string): void;
}

export interface DetailData {
  lang: Lang;
  vocab: Vocabularies;
  sections: SectionInfo[];
  clauses: Clause[] | null;
  all: ProjectFeature[];
}

function statusChip(vocab: Vocabularies, status: string, lang: Lang): HTMLElement {
  const chip = el('span', { class: 'chip', 'data-status': status }, termLabel(vocab.statuses, status, lang));
  chip.style.setProperty('--chip', statusColor(status));
  return chip;
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return el('section', { class: 'detail-section' }, el('h3', null, title), ...children);
}

export function renderDetail(root: HTMLElement, f: ProjectFeature | null, d: DetailData, cb: DetailCallbacks, missingId?: string): void {
  clear(root);
  const { lang, vocab } = d;
  const close = el('button', { type: 'button', class: 'close', 'aria-label': t(lang, 'detail.close'), 'data-testid': 'detail-close', onclick: () => cb.close() }, '×');
  if (!f) {
    root.append(el('div', { class: 'detail-head' }, close), el('p', { class: 'notice' }, t(lang, 'detail.notfound', { id: missingId ?? '' })));
    return;
  }
  const p = f.properties;
  const cat = vocab.categories.find((c) => c.code === p.category);
  const titleId = 'detail-title';
  root.setAttribute('aria-labelledby', titleId);

  root.append(
    el(
      'div',
      { class: 'detail-head' },
      el('div', { class: 'detail-names' }, el('h2', { id: titleId, 'data-testid': 'detail-name' }, projectName(p, lang)), el('p', { class: 'other-name' }, otherName(p, lang))),
      close,
    ),
    el(
      'p',
      { class: 'detail-tags' },
      statusChip(vocab, p.status, lang),
      el('span', { class: 'tag' }, symbolCanvas(cat?.symbol ?? '', p.status, isApproximate(p)), termLabel(vocab.categories, p.category, lang)),
    ),
    el(
      'p',
      { class: 'detail-section-ref', 'data-testid': 'detail-section' },
      el('strong', null, `${t(lang, 'detail.section', { n: p.section })} ${t(lang, 'detail.item', { n: p.item })}`),
      ' ',
      sectionTitle(d.sections, p.section, lang),
    ),
  );

  // The clause inside its item's full text.
  const clause = d.clauses?.find((c) => c.section === p.section && c.item === p.item);
  const quote = el('blockquote', { class: 'clause-text', lang: 'zh-CN', 'data-testid': 'clause-text' });
  let caption: HTMLElement;
  if (clause) {
    const h = highlightClause(clause.text, p.clause);
    for (const s of h.segments) quote.append(s.mark ? el('mark', { 'data-testid': 'clause-mark' }, s.text) : document.createTextNode(s.text));
    caption = el('p', { class: 'caption' }, t(lang, 'detail.clause.caption', { section: p.section, item: p.item }));
    if (!h.found) {
      caption = el('p', { class: 'caption warn' }, t(lang, 'detail.clause.notfound'), ' ', el('q', { lang: 'zh-CN' }, p.clause));
    }
  } else {
    // Without the item's text (still loading, or unavailable) the clause is shown on its own, marked.
    quote.append(el('mark', { 'data-testid': 'clause-mark' }, p.clause));
    caption = el('p', { class: 'caption' }, d.clauses ? '' : t(lang, 'loading'));
  }
  root.append(section(t(lang, 'detail.clause'), quote, caption));

  const action = lang === 'zh' ? p.action_zh || p.action_en : p.action_en || p.action_zh;
  const actionOther = lang === 'zh' ? p.action_en : p.action_zh;
  if (action) {
    root.append(section(t(lang, 'detail.action'), el('p', null, action), actionOther && actionOther !== action ? el('p', { class: 'other-name' }, actionOther) : null));
  }

  // Status history as a timeline.
  const history = [...(p.history ?? [])].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (history.length) {
    const ol = el('ol', { class: 'timeline', 'data-testid': 'timeline' });
    for (const h of history) {
      const kind = h.kind === 'plan_target' || h.kind === 'reported' ? t(lang, `detail.history.${h.kind}`) : h.kind;
      ol.append(
        el(
          'li',
          { class: `tl-${h.kind === 'reported' ? 'reported' : 'plan'}` },
          el('time', { datetime: /^\d{4}-\d{2}-\d{2}$/.test(h.date) ? h.date : null }, h.date),
          ' ',
          statusChip(vocab, h.status, lang),
          ' ',
          el('span', { class: 'tl-kind' }, kind),
          h.note ? el('p', { class: 'tl-note' }, h.note) : null,
          h.source ? el('p', { class: 'tl-source' }, h.source) : null,
        ),
      );
    }
    root.append(section(t(lang, 'detail.history'), ol));
  }

  const targets = p.targets ?? [];
  if (targets.length) {
    const tbody = el('tbody');
    for (const tg of targets) {
      const label = (lang === 'zh' ? tg.label_zh || tg.label_en : tg.label_en || tg.label_zh) || tg.metric;
      const value = typeof tg.value === 'number' ? formatNumber(tg.value, lang) : '';
      tbody.append(el('tr', null, el('th', { scope: 'row' }, label), el('td', null, `${value} ${tg.unit ?? ''}`.trim()), el('td', { class: 'note' }, tg.note ?? '')));
    }
    root.append(section(t(lang, 'detail.targets'), el('table', { class: 'targets' }, tbody)));
  }

  // Location and its precision.
  const dl = el('dl', { class: 'location', 'data-testid': 'location' });
  const place = [cityName(p, lang), (lang === 'zh' ? p.county_zh || p.county : p.county || p.county_zh) || '', p.country && p.country !== 'CN' ? p.country : '']
    .filter(Boolean)
    .join(' · ');
  const row = (k: string, v: Node | string | null) => (v ? [el('dt', null, k), el('dd', null, v)] : []);
  dl.append(
    ...row(t(lang, 'detail.place'), place + (p.cross_border ? ` (${t(lang, 'detail.crossborder')})` : '')),
    ...row(
      t(lang, 'detail.precision'),
      `${termLabel(vocab.precisions, p.location_precision, lang)}${typeof p.uncertainty_km === 'number' ? ', ' + t(lang, 'detail.uncertainty', { km: formatNumber(p.uncertainty_km, lang) }) : ''}`,
    ),
    ...row(t(lang, 'detail.note'), p.location_note ?? null),
  );
  root.append(section(t(lang, 'detail.location'), f.geometry ? null : el('p', { class: 'notice' }, t(lang, 'detail.nogeom')), dl));

  // Programme membership and progress.
  if (p.programme) {
    const parent = d.all.find((x) => x.id === p.programme);
    root.append(
      section(
        t(lang, 'detail.programme'),
        el('button', { type: 'button', class: 'link-button', onclick: () => cb.select(p.programme as string) }, parent ? projectName(parent.properties, lang) : p.programme),
      ),
    );
  }
  if (typeof p.count_target === 'number' && p.count_target > 0) {
    const members = d.all.filter((x) => x.properties.programme === f.id);
    const sited = members.filter((x) => x.geometry).length;
    const ul = el('ul', { class: 'members' });
    for (const m of members) ul.append(el('li', null, el('button', { type: 'button', class: 'link-button', onclick: () => cb.select(m.id) }, projectName(m.properties, lang))));
    root.append(
      section(
        t(lang, 'detail.memberlist'),
        progressBar(sited, p.count_target),
        el('p', { 'data-testid': 'programme-progress' }, t(lang, 'detail.members', { sited, target: p.count_target })),
        members.length ? ul : null,
      ),
    );
  }

  const sources = p.sources ?? [];
  const sl = el('ul', { class: 'sources' });
  for (const s of sources) {
    const href = safeHref(s.url);
    const title = s.title || s.url || '';
    const link = href
      ? el('a', { href, ...(isExternal(href) ? { target: '_blank', rel: 'noopener noreferrer external' } : {}) }, title)
      : el('span', null, title);
    sl.append(el('li', null, link, s.date ? el('span', { class: 'date' }, ` (${s.date})`) : null, s.note ? el('p', { class: 'note' }, s.note) : null));
  }
  root.append(section(t(lang, 'detail.sources'), sources.length ? sl : el('p', { class: 'note' }, t(lang, 'detail.nosources'))));

  root.append(
    el(
      'p',
      { class: 'detail-foot' },
      el('a', { href: featureURL(f.id), type: 'application/geo+json', 'data-testid': 'geojson-link' }, t(lang, 'detail.geojson')),
      el('code', { class: 'fid' }, f.id),
    ),
  );
}

export function progressBar(value: number, max: number): HTMLElement {
  const bar = el('progress', { max: String(max), value: String(Math.min(value, max)) }, `${value}/${max}`);
  return bar;
}
