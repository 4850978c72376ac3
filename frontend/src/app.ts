// The controller: holds the state, keeps it in the URL, and tells the map,
// the filters, the list, the detail panel and the overview what to show.
import type { Map as MLMap, MapLayerMouseEvent, MapMouseEvent } from 'maplibre-gl';
import type { Feature, Geometry } from 'geojson';
import { getClauses, getCollections, getJSON, getLayer, getProjects, getSections, getVocabularies } from './api';
import { el, clear } from './dom';
import { applyFilters, compareProjects, facetCounts, inView, matches, type Facet, type FacetCounts } from './filter';
import { t, projectName } from './i18n';
import {
  BASEMAP_LAYERS,
  BASEMAP_UNLABELLED,
  DRAFT_LAYERS,
  type BasemapId,
  PROJECT_LAYERS,
  createMap,
  drawWhenComplete,
  fitFeatures,
  fitGeometries,
  isDrawn,
  overlayColor,
  overlayLayerIds,
  removeOverlay,
  setDraft,
  setDraftHover,
  setHistoryGeometry,
  showOverlay,
  projectIdOf,
  setBasemap,
  setHighlight,
  setMapLanguage,
  showLabels,
  viewBBox,
} from './mapview';
import { ProjectMap } from './projectmap';
import { loadShippedFont } from './fonts';
import { parseState, round, sameFilters, serializeState, toggle, normalizeQuery, type AppState, type Panel } from './state';
import { exportName, toCSV, toGeoJSON } from './export';
import { FilterPanel } from './ui/filters';
import { ProjectList } from './ui/list';
import { renderDetail } from './ui/detail';
import { renderOverview } from './ui/overview';
import { renderLegend } from './ui/legend';
import { Session } from './session';
import { AuthControl } from './ui/auth';
import { layerTitle, renderFeatureInfo, renderOverlays } from './ui/overlays';
import type { BBox } from './geo';
import type { Clause, CollectionInfo, CommitResult, DraftFeature, Lang, ProjectFeature, SectionInfo, Vocabularies } from './types';

type HistoryMode = 'push' | 'replace' | 'none';

// The upload screens and the edit history are loaded when first needed (an
// editor signs in, a detail opens), so a planner's first load neither
// fetches nor parses them.
type UploadModule = typeof import('./ui/upload');
type UploadPanel = InstanceType<UploadModule['UploadPanel']>;
type HistoryView = InstanceType<(typeof import('./ui/history'))['HistoryView']>;

function $(id: string): HTMLElement {
  const n = document.getElementById(id);
  if (!n) throw new Error(`index.html lacks #${id}`);
  return n;
}

/** What the cluster counts write on the map. */
const CLUSTER_DIGITS = '0123456789';

/** What the project layers write on the map: names in both languages and cluster counts. */
function projectLabelTexts(projects: ProjectFeature[]): string[] {
  return [CLUSTER_DIGITS, ...projects.flatMap((f) => [f.properties.name_zh, f.properties.name_en])];
}

export class App {
  state: AppState;
  readonly map: MLMap;
  all: ProjectFeature[] = [];
  byId = new Map<string, ProjectFeature>();
  vocab: Vocabularies = { statuses: [], categories: [], precisions: [] };
  sections: SectionInfo[] = [];
  clauses: Clause[] | null = null;
  collections: CollectionInfo[] = [];
  filtered: ProjectFeature[] = [];
  counts: FacetCounts | null = null;
  /** Milliseconds the last filter change took to update the list and hand the map its data. */
  lastUpdateMs = 0;
  loaded = false;
  readonly ready: Promise<void>;

  private hovered: string | null = null;
  private lastPush = { kind: '', at: 0 };
  /** Resolves when the map's style is loaded: its sources exist and can take data. */
  private styleLoaded: Promise<void>;
  private filters: FilterPanel;
  private list: ProjectList;
  private detailEl = $('detail');
  private overviewEl = $('overview-panel');
  private tooltip = $('tooltip');
  private returnFocus: string | null = null;
  readonly session = new Session();
  private auth: AuthControl;
  private uploadModule: UploadModule | null = null;
  private upload: UploadPanel | null = null;
  private uploadLoading: Promise<void> | null = null;
  private history: HistoryView | null = null;
  private historyLoading: Promise<void> | null = null;
  /** Counts detail renders, so that a history section loaded late goes only into the detail it was meant for. */
  private detailRenders = 0;
  private projects: ProjectMap;
  /** The ids the highlight source holds. */
  private highlighted = '';
  /** The overview panel was not drawn for the current state (it is drawn when shown). */
  private overviewStale = true;
  private draft: DraftFeature[] = [];
  private draftHover: number | null = null;
  /** Uploaded layers changed in this page: their tiles are revalidated rather than taken from the HTTP cache. */
  private changedLayers = new Set<string>();
  private overlayColors = new Map<string, string>();
  /** Overlays whose map layers have been added. */
  private overlaysAdded = new Set<string>();

  constructor() {
    this.state = parseState(location.search);
    this.applyLangToPage();
    const v = this.state.view;
    this.map = createMap({
      container: $('map'),
      lang: this.state.lang,
      center: v ? [v.lng, v.lat] : undefined,
      zoom: v ? v.zoom : undefined,
    });
    // Data goes to the map as soon as its sources exist, not after its first complete render ('load'),
    // so that the worker tiles it while the map is still starting.
    this.styleLoaded = new Promise((resolve) => this.map.once('style.load', () => resolve()));
    this.filters = new FilterPanel($('filters-panel'), {
      toggle: (facet, value) => this.toggleFacet(facet, value),
      setQuery: (q) => this.setQuery(q),
      clear: () => this.update({ sections: [], statuses: [], categories: [], cities: [], q: '' }, 'push'),
    });
    this.list = new ProjectList($('list-panel'), {
      select: (id) => this.select(id, true),
      hover: (id) => this.setHover(id, 'list'),
      fitAll: () => fitFeatures(this.map, this.filtered),
    });
    this.projects = new ProjectMap(this.map);
    this.auth = new AuthControl($('auth'), this.session);
    this.session.onChange(() => this.onSessionChange());
    this.map.setTransformRequest((url) => {
      // Tiles of a layer this page changed are revalidated (ETag), not read from the HTTP cache.
      const m = /\/collections\/([^/]+)\/tiles\//.exec(url);
      if (m && this.changedLayers.has(decodeURIComponent(m[1]))) return { url, cache: 'no-cache' };
      return { url };
    });
    this.wireChrome();
    this.wireMap();
    window.addEventListener('popstate', () => this.onPopState());
    this.ready = this.load();
    // The map draws its first frame once it has all its data and has tiled it (see drawWhenComplete).
    drawWhenComplete(this.map, this.ready);
  }

  // ---------- loading ----------

  private async load(): Promise<void> {
    this.setStatus(t(this.state.lang, 'loading'));
    this.auth.render(this.state.lang);
    void this.session.restore();
    const noVocab: Vocabularies = { statuses: [], categories: [], precisions: [] };
    // The cluster counts' digits (in the subset the page's own text loads first) must be loaded before the map gets
    // the projects: asked for now, they are there by the time the projects are.
    const digits = loadShippedFont([CLUSTER_DIGITS]);
    const basemap = this.loadBasemap();
    getClauses()
      .then((c) => {
        this.clauses = c;
        if (this.state.selected) this.renderDetailPanel(false);
      })
      .catch(() => {
        this.clauses = [];
        if (this.state.selected) this.renderDetailPanel(false);
      });
    try {
      const [projects, sections, vocab] = await Promise.all([getProjects(), getSections().catch(() => []), getVocabularies().catch(() => noVocab)]);
      this.all = projects;
      this.byId = new Map(projects.map((f) => [f.id, f]));
      this.sections = sections;
      this.vocab = vocab;
    } catch (e) {
      this.setStatus(t(this.state.lang, 'error.load', { msg: (e as Error).message }), true);
      throw e;
    }
    // The projects' labels are shown once the font subsets for every name have loaded (see fonts.ts).
    const labelFont = loadShippedFont(projectLabelTexts(this.all));
    await Promise.all([this.styleLoaded, digits]);
    this.loaded = true;
    // The map's worker gets the projects before the page builds its panels, so that both go on at once.
    this.projects.setProjects(this.all, this.vocab.categories);
    this.buildTexts();
    this.refreshFilters();
    // Uploaded layers the URL names: the collections may have arrived while the map was still loading.
    this.refreshOverlays();
    this.renderDetailPanel(false);
    this.renderPanels();
    this.upload?.render(this.state.lang);
    this.setStatus('');
    await labelFont;
    showLabels(this.map, ['proj-labels']);
    await basemap;
  }

  private async loadBasemap(): Promise<void> {
    const collections = getCollections()
      .then(async (cs) => {
        this.collections = cs;
        this.renderAttribution();
        await this.styleLoaded;
        this.refreshOverlays();
      })
      .catch(() => undefined);
    // The labelled layers (cities, rivers) are GeoJSON, handed to the map once its style has loaded and their names'
    // font faces have too (see fonts.ts); the others are the map's own vector tiles (mapview.ts BASEMAP_UNLABELLED).
    const tiled = new Set<BasemapId>(BASEMAP_UNLABELLED);
    await Promise.all([
      collections,
      ...BASEMAP_LAYERS.filter((id) => !tiled.has(id)).map((id) =>
        getLayer(id)
          .then(async (fc) => {
            const names = fc.features.flatMap((f) => [f.properties?.name_zh, f.properties?.name_en]);
            await Promise.all([names.length ? loadShippedFont(names) : null, this.styleLoaded]);
            setBasemap(this.map, id, fc);
          })
          .catch((e) => console.warn(`basemap layer ${id}:`, (e as Error).message)),
      ),
    ]);
  }

  // ---------- state and URL ----------

  /** Changes the state, writes it to the URL and updates what depends on the change. */
  update(patch: Partial<AppState>, mode: HistoryMode, kind = ''): void {
    const prev = this.state;
    this.state = { ...prev, ...patch };
    this.writeURL(mode, kind);
    this.afterChange(prev);
  }

  private writeURL(mode: HistoryMode, kind: string): void {
    if (mode === 'none') return;
    const url = `${location.pathname}?${serializeState(this.state)}${location.hash}`;
    if (url === `${location.pathname}${location.search}${location.hash}`) return;
    const now = performance.now();
    // Typing in the search box makes one history entry, not one per pause.
    const coalesce = kind !== '' && kind === this.lastPush.kind && now - this.lastPush.at < 2000;
    if (mode === 'push' && !coalesce) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
    if (mode === 'push') this.lastPush = { kind, at: now };
  }

  private afterChange(prev: AppState): void {
    const s = this.state;
    if (s.lang !== prev.lang) {
      this.applyLangToPage();
      if (this.loaded) {
        setMapLanguage(this.map, s.lang);
        this.buildTexts();
      }
    }
    if (!this.loaded) return;
    if (s.lang !== prev.lang || !sameFilters(s, prev)) this.refreshFilters();
    if (s.selected !== prev.selected || s.lang !== prev.lang) this.renderDetailPanel(s.selected !== prev.selected);
    if (s.panel !== prev.panel) this.renderPanels();
    if (s.lang !== prev.lang) {
      this.auth.render(s.lang);
      this.upload?.render(s.lang);
    }
    if (s.lang !== prev.lang || s.overlays.join() !== prev.overlays.join()) this.refreshOverlays();
  }

  private onPopState(): void {
    const next = parseState(location.search);
    const prev = this.state;
    this.state = next;
    this.afterChange(prev);
    const v = next.view;
    if (v) {
      const c = this.map.getCenter();
      if (Math.abs(c.lng - v.lng) > 1e-4 || Math.abs(c.lat - v.lat) > 1e-4 || Math.abs(this.map.getZoom() - v.zoom) > 0.01) {
        this.map.jumpTo({ center: [v.lng, v.lat], zoom: v.zoom });
      }
    }
  }

  private toggleFacet(facet: Facet, value: string | number): void {
    const s = this.state;
    switch (facet) {
      case 'section':
        return this.update({ sections: toggle(s.sections, value as number).sort((a, b) => a - b) }, 'push');
      case 'status':
        return this.update({ statuses: toggle(s.statuses, value as string).sort() }, 'push');
      case 'category':
        return this.update({ categories: toggle(s.categories, value as string).sort() }, 'push');
      case 'city':
        return this.update({ cities: toggle(s.cities, value as string).sort() }, 'push');
    }
  }

  private setQuery(q: string): void {
    const n = normalizeQuery(q);
    if (n !== this.state.q) this.update({ q: n }, 'push', 'q');
  }

  select(id: string | null, fromUser: boolean): void {
    if (id === this.state.selected) {
      if (id && fromUser) this.focusDetail();
      return;
    }
    if (id && fromUser) this.returnFocus = id;
    this.update({ selected: id }, 'push');
    if (id && fromUser) {
      const f = this.byId.get(id);
      // Bring a project into view when it is outside it (picked from a programme's members, say).
      if (f?.geometry) {
        const shown = inView([f], viewBBox(this.map)).length > 0;
        if (!shown) fitFeatures(this.map, [f]);
      }
    }
  }

  // ---------- rendering ----------

  private applyLangToPage(): void {
    const lang: Lang = this.state.lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t(lang, 'app.title');
    $('app-title').textContent = t(lang, 'app.title');
    const btn = $('lang-toggle');
    btn.textContent = t(lang, 'lang.switch');
    btn.setAttribute('aria-label', t(lang, 'lang.switch.label'));
    btn.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
    for (const tab of document.querySelectorAll<HTMLElement>('[data-tab]')) {
      tab.textContent = t(lang, `nav.${tab.dataset.tab as Panel}`);
    }
    $('map').setAttribute('aria-label', t(lang, 'map.label'));
    $('skip-link').textContent = t(lang, 'skip');
    $('tabs').setAttribute('aria-label', t(lang, 'nav.panels'));
    this.renderAttribution();
  }

  /** Rebuilds everything that holds words: filters, legend (the list, detail and overview render from scratch anyway). */
  private buildTexts(): void {
    this.filters.build(this.state.lang, this.vocab, this.sections, this.all, this.state);
    renderLegend($('legend'), this.state.lang, this.vocab);
  }

  private refreshFilters(): void {
    const t0 = performance.now();
    this.filtered = applyFilters(this.all, this.state);
    this.counts = facetCounts(this.all, this.state);
    this.filters.update(this.state.lang, this.state, this.counts);
    this.projects.show(new Set(this.filtered.map((f) => f.id)));
    this.renderList();
    // The overview (chart, programmes, export) is drawn when it is shown.
    if (this.state.panel === 'overview') this.renderOverviewPanel();
    else this.overviewStale = true;
    this.refreshHighlight();
    this.lastUpdateMs = performance.now() - t0;
  }

  private renderList(): void {
    if (!this.loaded) return;
    const shown = inView(this.filtered, viewBBox(this.map)).sort(compareProjects);
    const unmapped = this.filtered.filter((f) => !f.geometry).sort(compareProjects);
    this.list.render(this.state.lang, this.vocab, shown, unmapped, this.filtered.length);
    this.list.setSelected(this.state.selected, false);
  }

  private renderOverviewPanel(): void {
    const s = this.state;
    this.overviewStale = false;
    renderOverview(
      this.overviewEl,
      {
        lang: s.lang,
        vocab: this.vocab,
        sections: this.sections,
        all: this.all,
        chartFeatures: this.all.filter((f) => matches(f, s, 'section')),
        selection: this.filtered,
        chosenSections: s.sections,
      },
      {
        toggleSection: (n) => this.toggleFacet('section', n),
        select: (id) => this.select(id, true),
        exportGeoJSON: () => this.download(toGeoJSON(this.filtered), 'application/geo+json', 'geojson'),
        exportCSV: () => this.download(toCSV(this.filtered), 'text/csv;charset=utf-8', 'csv'),
      },
    );
  }

  private renderDetailPanel(focus: boolean): void {
    const id = this.state.selected;
    const open = !!id && this.loaded;
    this.detailEl.hidden = !open;
    document.body.classList.toggle('detail-open', open);
    const render = ++this.detailRenders;
    if (!open || !id) {
      clear(this.detailEl);
      this.history?.reset();
      this.list.setSelected(null);
      this.refreshHighlight();
      if (focus && this.returnFocus) {
        if (!this.list.focus(this.returnFocus)) this.map.getCanvas().focus();
        this.returnFocus = null;
      }
      return;
    }
    const f = this.byId.get(id) ?? null;
    renderDetail(
      this.detailEl,
      f,
      { lang: this.state.lang, vocab: this.vocab, sections: this.sections, clauses: this.clauses, all: this.all },
      { close: () => this.select(null, true), select: (x) => this.select(x, true) },
      id,
    );
    if (f) this.mountHistory(render, f.id);
    else this.history?.reset();
    this.list.setSelected(id);
    this.refreshHighlight();
    if (focus) this.focusDetail();
  }

  /** The detail's "Edit history" section: its code is loaded with the first detail opened. */
  private mountHistory(render: number, id: string): void {
    if (this.history) {
      this.history.mount(this.detailEl, 'projects', id, this.state.lang);
      return;
    }
    this.historyLoading ??= import('./ui/history').then(
      (m) => {
        this.history = new m.HistoryView(this.session, {
          showGeometry: (g) => this.showHistoryGeometry(g),
          changed: () => this.reloadProjects(),
        });
      },
      (e) => {
        this.historyLoading = null;
        console.warn('edit history:', (e as Error).message);
      },
    );
    void this.historyLoading.then(() => {
      // Still the same detail: add the section it lacks.
      if (render === this.detailRenders && this.state.selected === id && this.history) this.history.mount(this.detailEl, 'projects', id, this.state.lang);
    });
  }

  private focusDetail(): void {
    const h = this.detailEl.querySelector<HTMLElement>('h2') ?? this.detailEl;
    h.setAttribute('tabindex', '-1');
    h.focus({ preventScroll: true });
  }

  private renderPanels(): void {
    const panel = this.state.panel;
    document.body.dataset.panel = panel;
    for (const tab of document.querySelectorAll<HTMLElement>('[data-tab]')) {
      tab.setAttribute('aria-pressed', tab.dataset.tab === panel ? 'true' : 'false');
    }
    // The side column shows filters or the overview; the list column is always there on a wide screen.
    $('filters-panel').classList.toggle('active', panel === 'list' || panel === 'filters');
    this.overviewEl.classList.toggle('active', panel === 'overview');
    $('upload-panel').classList.toggle('active', panel === 'upload');
    $('list-panel').classList.toggle('active', panel === 'list');
    this.upload?.setActive(panel === 'upload' && this.loaded);
    if (panel === 'upload') this.loadUpload();
    if (panel === 'overview' && this.overviewStale) this.renderOverviewPanel();
    // The map's container changes size with the panels on a narrow screen; MapLibre's own resize observer follows it.
  }

  /** Loads the upload screens (for an editor, or for the upload panel's "sign in" notice) and shows them. */
  private loadUpload(): void {
    this.uploadLoading ??= import('./ui/upload').then(
      (m) => {
        this.uploadModule = m;
        this.upload = new m.UploadPanel($('upload-panel'), this.session, {
          projects: () => this.all,
          collections: () => this.collections,
          showDraft: (features, matched, fit) => this.showDraft(features, matched, fit),
          clearDraft: () => this.showDraft([], [], false),
          hoverDraft: (idx) => this.setDraftHover(idx),
          fitDraft: (idx) => this.fitDraft(idx),
          committed: (r) => this.afterCommit(r),
          select: (id) => this.select(id, true),
        });
        this.upload.render(this.state.lang);
        this.upload.setActive(this.state.panel === 'upload' && this.loaded);
      },
      (e) => {
        this.uploadLoading = null;
        console.warn('upload screens:', (e as Error).message);
      },
    );
  }

  private renderAttribution(): void {
    const box = document.getElementById('attribution');
    if (!box) return;
    clear(box);
    const texts = [
      ...new Set(
        this.collections
          .filter((c) => (BASEMAP_LAYERS as readonly string[]).includes(c.id) && c.attribution)
          .flatMap((c) => String(c.attribution).split(/\s+·\s+|\s*;\s*/))
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    if (!texts.length) return;
    box.append(el('span', { class: 'attr-label' }, `${t(this.state.lang, 'map.attribution')}: `));
    texts.forEach((s, i) => box.append(i ? ' · ' : '', el('span', { class: 'attr' }, s)));
  }

  private refreshHighlight(): void {
    if (!this.loaded) return;
    const ids = [this.state.selected, this.hovered].filter((x): x is string => !!x);
    // The map's worker re-tiles the highlight for new data: only when it changed.
    const key = ids.join('\n');
    if (key === this.highlighted) return;
    this.highlighted = key;
    setHighlight(
      this.map,
      [...new Set(ids)].map((id) => this.byId.get(id)).filter((f): f is ProjectFeature => !!f),
    );
  }

  private setHover(id: string | null, from: 'list' | 'map'): void {
    if (id === this.hovered) return;
    this.hovered = id;
    if (from === 'map') this.list.setHover(id);
    this.refreshHighlight();
  }

  private setStatus(msg: string, error = false): void {
    const s = $('status');
    s.textContent = msg;
    s.classList.toggle('error', error);
    s.hidden = msg === '';
  }

  private download(text: string, type: string, ext: string): void {
    const blob = new Blob([text], { type });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    const s = this.state;
    const stem = [s.sections.length ? 's' + s.sections.join('-') : '', s.statuses.join('-'), s.categories.join('-'), s.cities.join('-')].filter(Boolean).join('_') || 'all';
    a.download = exportName(stem, ext);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  // ---------- events ----------

  private wireChrome(): void {
    $('lang-toggle').addEventListener('click', () => this.update({ lang: this.state.lang === 'zh' ? 'en' : 'zh' }, 'push'));
    for (const tab of document.querySelectorAll<HTMLElement>('[data-tab]')) {
      tab.addEventListener('click', () => this.update({ panel: tab.dataset.tab as Panel }, 'push'));
    }
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.state.selected) {
        e.preventDefault();
        this.select(null, true);
      }
    });
    this.renderPanels();
  }

  private wireMap(): void {
    const map = this.map;
    map.on('moveend', () => {
      const c = map.getCenter();
      const view = { lng: round(c.lng, 4), lat: round(c.lat, 4), zoom: round(map.getZoom(), 2) };
      const v = this.state.view;
      if (!v || v.lng !== view.lng || v.lat !== view.lat || v.zoom !== view.zoom) {
        this.state = { ...this.state, view };
        this.writeURL('replace', '');
      }
      this.renderList();
    });
    // The project layers hold every project; those the filters leave out are there but not drawn (isDrawn).
    const projectAt = (e: MapMouseEvent): string | null => projectIdOf(map.queryRenderedFeatures(e.point, { layers: PROJECT_LAYERS }).find(isDrawn));
    const leave = () => {
      map.getCanvas().style.cursor = '';
      this.setHover(null, 'map');
      this.tooltip.hidden = true;
    };
    map.on('mousemove', (e: MapMouseEvent) => {
      const id = projectAt(e);
      if (!id) {
        if (this.hovered !== null) leave();
        return;
      }
      map.getCanvas().style.cursor = 'pointer';
      this.setHover(id, 'map');
      const f = this.byId.get(id);
      if (f) {
        this.tooltip.textContent = projectName(f.properties, this.state.lang);
        this.tooltip.hidden = false;
        this.tooltip.style.left = `${e.point.x + 12}px`;
        this.tooltip.style.top = `${e.point.y + 12}px`;
      }
    });
    map.on('mouseout', () => {
      if (this.hovered !== null) leave();
    });
    map.on('click', (e: MapMouseEvent) => {
      const id = projectAt(e);
      if (id) this.select(id, true);
    });
    map.on('click', 'proj-cluster', (e: MapLayerMouseEvent) => {
      const f = e.features?.find(isDrawn) as Feature | undefined;
      const clusterId = f?.properties?.cluster_id;
      if (typeof clusterId !== 'number' || f?.geometry.type !== 'Point') return;
      const zoom = this.projects.expansionZoom(clusterId);
      map.easeTo({ center: f.geometry.coordinates as [number, number], zoom: Math.min(zoom, 16) });
    });
    map.on('mouseenter', 'proj-cluster', () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', 'proj-cluster', () => (map.getCanvas().style.cursor = ''));

    // The draft: the pointer over a feature marks it in the list, and the other way round.
    map.on('mousemove', DRAFT_LAYERS, (e: MapLayerMouseEvent) => {
      const idx = e.features?.[0]?.properties?.idx;
      if (typeof idx !== 'number') return;
      map.getCanvas().style.cursor = 'pointer';
      this.setDraftHover(idx);
      this.upload?.setHover(idx);
      const f = this.draft.find((x) => x.draft.index === idx);
      if (f && this.uploadModule) {
        this.tooltip.textContent = `#${idx} ${this.uploadModule.draftName(f)}`;
        this.tooltip.hidden = false;
        this.tooltip.style.left = `${e.point.x + 12}px`;
        this.tooltip.style.top = `${e.point.y + 12}px`;
      }
    });
    map.on('mouseleave', DRAFT_LAYERS, () => {
      map.getCanvas().style.cursor = '';
      this.setDraftHover(null);
      this.upload?.setHover(null);
      this.tooltip.hidden = true;
    });

    // A feature of an uploaded layer: its attributes, read from the API.
    map.on('click', (e: MapMouseEvent) => {
      const layers = this.state.overlays.filter((id) => this.overlaysAdded.has(id)).flatMap(overlayLayerIds);
      if (!layers.length) return;
      if (map.queryRenderedFeatures(e.point, { layers: PROJECT_LAYERS }).some(isDrawn)) return;
      const draftLayers = DRAFT_LAYERS.filter((l) => map.getLayer(l));
      if (draftLayers.length && map.queryRenderedFeatures(e.point, { layers: draftLayers }).length) return;
      const hit = map.queryRenderedFeatures(e.point, { layers })[0];
      if (!hit) return;
      const layer = String(hit.layer.id).replace(/^ov-/, '').replace(/-(fill|line|point)$/, '');
      const fid = hit.properties?.fid;
      if (typeof fid !== 'string' && typeof fid !== 'number') return;
      void this.showFeatureInfo(layer, String(fid));
    });
  }

  // ---------- accounts, uploads, history and overlays ----------

  private onSessionChange(): void {
    const editor = this.session.can('editor');
    const tab = document.querySelector<HTMLElement>('[data-tab="upload"]');
    if (tab) tab.hidden = !editor;
    if (editor) this.loadUpload();
    this.upload?.sessionChanged();
    // Rollback buttons appear or go.
    if (this.state.selected) this.renderDetailPanel(false);
  }

  private showDraft(features: DraftFeature[], matched: string[], fit: boolean): void {
    this.draft = features;
    this.draftHover = null;
    if (!this.loaded) return;
    const geoms = matched.map((id) => ({ id, geometry: this.byId.get(id)?.geometry ?? null }));
    const classify = this.uploadModule?.classify ?? (() => '');
    setDraft(
      this.map,
      features.map((f) => ({ idx: f.draft.index, cls: classify(f), geometry: f.geometry })),
      geoms,
    );
    if (fit) this.fitDraft();
  }

  private fitDraft(idx?: number): void {
    const fs = idx === undefined ? this.draft : this.draft.filter((f) => f.draft.index === idx);
    fitGeometries(this.map, fs.map((f) => f.geometry));
  }

  private setDraftHover(idx: number | null): void {
    if (idx === this.draftHover) return;
    if (this.loaded && this.map.getSource('draft')) setDraftHover(this.map, this.draftHover, idx);
    this.draftHover = idx;
  }

  private showHistoryGeometry(g: Geometry | null): void {
    if (this.loaded) setHistoryGeometry(this.map, g);
    if (g) {
      const cur = this.state.selected ? this.byId.get(this.state.selected)?.geometry ?? null : null;
      const view = viewBBox(this.map);
      const b = [g, cur].filter(Boolean) as Geometry[];
      // Bring both into view when the older one is outside it.
      if (!inView(b.map((x) => ({ type: 'Feature', id: 'x', geometry: x, properties: {} }) as unknown as ProjectFeature), view).length || b.length > 1) fitGeometries(this.map, b);
    }
  }

  /** Reads the projects again after a write, and shows them. */
  async reloadProjects(): Promise<void> {
    const projects = await getProjects();
    await loadShippedFont(projectLabelTexts(projects));
    this.all = projects;
    this.byId = new Map(projects.map((f) => [f.id, f]));
    this.highlighted = ''; // a highlighted project's geometry may have changed
    this.projects.setProjects(projects, this.vocab.categories);
    this.refreshFilters();
    this.renderDetailPanel(false);
  }

  private async afterCommit(r: CommitResult): Promise<void> {
    if (r.target === 'layer' && r.layer_id) {
      const id = r.layer_id;
      this.changedLayers.add(id);
      if (this.overlaysAdded.has(id)) {
        removeOverlay(this.map, id);
        this.overlaysAdded.delete(id);
      }
      this.collections = await getCollections().catch(() => this.collections);
      const overlays = [...new Set([...this.state.overlays, id])].sort();
      this.update({ overlays }, 'push');
      this.refreshOverlays();
      this.zoomToLayer(id);
    } else {
      await this.reloadProjects();
    }
  }

  private uploadLayers(): CollectionInfo[] {
    return this.collections.filter((c) => c.kind === 'upload');
  }

  /** Shows the overlays the state names and lists them all in the overlay control. */
  private refreshOverlays(): void {
    const layers = this.uploadLayers();
    layers.forEach((c, i) => {
      if (!this.overlayColors.has(c.id)) this.overlayColors.set(c.id, overlayColor(i));
    });
    renderOverlays($('overlays'), this.state.lang, layers, this.state.overlays, this.overlayColors, {
      toggle: (id, on) => {
        const overlays = on ? [...new Set([...this.state.overlays, id])].sort() : this.state.overlays.filter((x) => x !== id);
        this.update({ overlays }, 'push');
      },
      zoom: (id) => {
        if (!this.state.overlays.includes(id)) this.update({ overlays: [...this.state.overlays, id].sort() }, 'push');
        this.zoomToLayer(id);
      },
    });
    if (!this.loaded && !this.map.loaded()) return;
    for (const c of layers) {
      const on = this.state.overlays.includes(c.id);
      if (!on && !this.overlaysAdded.has(c.id)) continue;
      showOverlay(this.map, c.id, this.overlayColors.get(c.id) ?? overlayColor(0), on, this.extentOf(c));
      if (on) this.overlaysAdded.add(c.id);
    }
    if (!this.state.overlays.length) $('feature-info').hidden = true;
  }

  private extentOf(c: CollectionInfo): BBox | null {
    const b = c.extent?.spatial?.bbox?.[0];
    return b && b.length >= 4 ? [b[0], b[1], b[2], b[3]] : null;
  }

  private zoomToLayer(id: string): void {
    const c = this.collections.find((x) => x.id === id);
    const b = c ? this.extentOf(c) : null;
    if (!b) return;
    this.map.fitBounds(
      [
        [b[0], b[1]],
        [b[2], b[3]],
      ],
      { padding: 60, maxZoom: 13 },
    );
  }

  private async showFeatureInfo(layer: string, fid: string): Promise<void> {
    const box = $('feature-info');
    const c = this.collections.find((x) => x.id === layer);
    try {
      const f = await getJSON<{ properties?: Record<string, unknown> | null }>(`/collections/${encodeURIComponent(layer)}/items/${encodeURIComponent(fid)}`);
      renderFeatureInfo(box, this.state.lang, c ? layerTitle(c, this.state.lang) : layer, fid, f.properties ?? null, () => (box.hidden = true));
    } catch (e) {
      console.warn(`feature ${layer}/${fid}:`, (e as Error).message);
    }
  }

  // ---------- read-only hooks for tests ----------

  /** Ids of the projects the map's sources hold switched on (drawn, alone or in a cluster) now. */
  mapSourceIds(): Promise<string[]> {
    return this.projects.drawnIds();
  }

  /** Resolves when the map has drawn everything it was given. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.map.once('idle', () => resolve());
      this.map.triggerRepaint();
    });
  }
}
