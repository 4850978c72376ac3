// UI text in Chinese and English. Vocabulary labels (statuses, categories,
// precisions) and section titles come from the API in both languages.
import type { Lang, SectionInfo, Term } from './types';

const zh = {
  'app.title': '辽宁老工业基地振兴2012年工作方案 · 项目地图',
  'app.short': '振兴项目地图',
  'skip': '跳到项目列表',
  'lang.switch': 'English',
  'lang.switch.label': 'Switch to English',
  'nav.panels': '面板',
  'nav.filters': '筛选',
  'nav.list': '列表',
  'nav.overview': '概览',
  'nav.map': '地图',
  'filters.title': '筛选',
  'filters.section': '方案章节',
  'filters.status': '进展状态',
  'filters.category': '项目类别',
  'filters.city': '城市',
  'filters.q': '搜索名称',
  'filters.q.placeholder': '中文或英文名称',
  'filters.clear': '清除筛选',
  'filters.count': '{n}项',
  'filters.none': '(无)',
  'list.title': '项目',
  'list.summary': '视图内 {inView} 项,筛选结果共 {total} 项',
  'list.empty': '当前视图内没有符合条件的项目。',
  'list.unmapped': '未上图的项目(计划总体任务、未定位)',
  'list.fit': '缩放至全部结果',
  'detail.close': '关闭',
  'detail.section': '第{n}部分',
  'detail.item': '第{n}条',
  'detail.clause': '方案原文',
  'detail.clause.caption': '第{section}部分第{item}条全文,标亮处为本项目条款',
  'detail.clause.notfound': '条款未能在该条全文中逐字找到:',
  'detail.action': '2012年工作要求',
  'detail.history': '进展记录',
  'detail.history.plan_target': '方案目标',
  'detail.history.reported': '实际报道',
  'detail.targets': '目标',
  'detail.location': '位置',
  'detail.precision': '定位精度',
  'detail.uncertainty': '误差约 ±{km} 公里',
  'detail.place': '所在地',
  'detail.crossborder': '跨境',
  'detail.note': '定位说明',
  'detail.nogeom': '该项目没有地图位置。',
  'detail.sources': '资料来源',
  'detail.nosources': '除方案原文外无其他来源。',
  'detail.geojson': '本项目的GeoJSON',
  'detail.programme': '所属总体任务',
  'detail.members': '已定位 {sited} 个,目标 {target} 个',
  'detail.memberlist': '成员项目',
  'detail.notfound': '未找到项目“{id}”。',
  'overview.title': '概览',
  'overview.chart': '各部分项目数(按进展状态)',
  'overview.chart.caption': '符合当前其他筛选条件的项目;点击柱条按章节筛选。',
  'overview.programmes': '总体任务进度',
  'overview.programme.progress': '{name}:已定位 {sited} / {target}',
  'overview.export': '导出当前结果',
  'overview.export.geojson': '导出 GeoJSON',
  'overview.export.csv': '导出 CSV',
  'overview.export.count': '共 {n} 项',
  'legend.title': '图例',
  'legend.status': '进展状态(颜色)',
  'legend.category': '项目类别(符号)',
  'legend.geometry': '图形',
  'legend.line': '铁路、高速公路等线状工程',
  'legend.rail': '铁路',
  'legend.approxline': '线外浅色宽带:大致走向',
  'legend.polygon': '园区、新区等范围(虚线边:大致范围)',
  'legend.cluster': '密集项目的聚合(数字为项目数)',
  'legend.precise': '实心符号:精确位置',
  'legend.approx': '空心符号:大致位置;放大后虚线圈表示定位误差范围',
  'legend.city': '地级市政府驻地',
  'legend.border': '国界',
  'legend.province': '省界',
  'legend.river': '河流',
  'map.label': '项目地图',
  'map.attribution': '地图数据',
  'loading': '正在加载…',
  'error.load': '数据加载失败:{msg}',
  'count.projects': '{n} 个项目',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'app.title': 'Liaoning 2012 revitalization work plan · project map',
  'app.short': 'Plan project map',
  'skip': 'Skip to the project list',
  'lang.switch': '中文',
  'lang.switch.label': '切换到中文',
  'nav.panels': 'Panels',
  'nav.filters': 'Filters',
  'nav.list': 'List',
  'nav.overview': 'Overview',
  'nav.map': 'Map',
  'filters.title': 'Filters',
  'filters.section': 'Plan section',
  'filters.status': 'Status',
  'filters.category': 'Category',
  'filters.city': 'City',
  'filters.q': 'Search names',
  'filters.q.placeholder': 'Chinese or English name',
  'filters.clear': 'Clear filters',
  'filters.count': '{n}',
  'filters.none': '(none)',
  'list.title': 'Projects',
  'list.summary': '{inView} in view of {total} matching',
  'list.empty': 'No matching project in this view.',
  'list.unmapped': 'Not on the map (programmes, unplaced)',
  'list.fit': 'Zoom to all results',
  'detail.close': 'Close',
  'detail.section': 'Section {n}',
  'detail.item': 'item {n}',
  'detail.clause': 'The plan’s text',
  'detail.clause.caption': 'Full text of section {section}, item {item}; the project’s clause is highlighted',
  'detail.clause.notfound': 'The clause was not found verbatim in the item’s text:',
  'detail.action': 'What the plan asked for in 2012',
  'detail.history': 'Status history',
  'detail.history.plan_target': 'plan target',
  'detail.history.reported': 'reported',
  'detail.targets': 'Targets',
  'detail.location': 'Location',
  'detail.precision': 'Precision',
  'detail.uncertainty': 'within about ±{km} km',
  'detail.place': 'Place',
  'detail.crossborder': 'cross-border',
  'detail.note': 'Location note',
  'detail.nogeom': 'This project has no place on the map.',
  'detail.sources': 'Sources',
  'detail.nosources': 'No source besides the plan’s text.',
  'detail.geojson': 'This project as GeoJSON',
  'detail.programme': 'Part of programme',
  'detail.members': '{sited} of {target} sited',
  'detail.memberlist': 'Members',
  'detail.notfound': 'No project “{id}”.',
  'overview.title': 'Overview',
  'overview.chart': 'Projects per section, by status',
  'overview.chart.caption': 'Projects matching the other filters; click a bar to filter by section.',
  'overview.programmes': 'Programme progress',
  'overview.programme.progress': '{name}: {sited} of {target} sited',
  'overview.export': 'Export the current selection',
  'overview.export.geojson': 'Download GeoJSON',
  'overview.export.csv': 'Download CSV',
  'overview.export.count': '{n} projects',
  'legend.title': 'Legend',
  'legend.status': 'Status (colour)',
  'legend.category': 'Category (symbol)',
  'legend.geometry': 'Shapes',
  'legend.line': 'Railways, expressways and other lines',
  'legend.rail': 'Railway',
  'legend.approxline': 'Wide pale band: approximate route',
  'legend.polygon': 'Parks, new areas and other zones (dashed edge: approximate)',
  'legend.cluster': 'Cluster of nearby projects (number of projects)',
  'legend.precise': 'Solid symbol: exact site',
  'legend.approx': 'Hollow symbol: approximate location; from zoom 9 a dashed circle shows the uncertainty',
  'legend.city': 'Prefecture seat',
  'legend.border': 'National border',
  'legend.province': 'Provincial boundary',
  'legend.river': 'River',
  'map.label': 'Project map',
  'map.attribution': 'Map data',
  'loading': 'Loading…',
  'error.load': 'Could not load the data: {msg}',
  'count.projects': '{n} projects',
};

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { zh, en };

/** The message for key in lang, with {name} placeholders filled in. */
export function t(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const msg = MESSAGES[lang]?.[key] ?? MESSAGES.zh[key] ?? key;
  if (!vars) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A vocabulary term's label; an unknown code is shown as it is. */
export function termLabel(terms: Term[] | undefined, code: string | null | undefined, lang: Lang): string {
  if (!code) return '';
  const term = terms?.find((x) => x.code === code);
  if (!term) return code;
  return (lang === 'zh' ? term.label_zh : term.label_en) || term.label_en || term.label_zh || code;
}

export function sectionTitle(sections: SectionInfo[], n: number, lang: Lang): string {
  const s = sections.find((x) => x.number === n);
  if (!s) return '';
  return (lang === 'zh' ? s.title_zh : s.title_en) || s.title_zh || s.title_en;
}

/** A project's name in the chosen language, falling back to the other. */
export function projectName(p: { name_zh?: string | null; name_en?: string | null }, lang: Lang): string {
  return (lang === 'zh' ? p.name_zh || p.name_en : p.name_en || p.name_zh) || '';
}

export function otherName(p: { name_zh?: string | null; name_en?: string | null }, lang: Lang): string {
  const a = projectName(p, lang);
  const b = lang === 'zh' ? p.name_en : p.name_zh;
  return b && b !== a ? b : '';
}

export function cityName(p: { city?: string | null; city_zh?: string | null }, lang: Lang): string {
  return (lang === 'zh' ? p.city_zh || p.city : p.city || p.city_zh) || '';
}

export function formatNumber(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 2 }).format(n);
}
