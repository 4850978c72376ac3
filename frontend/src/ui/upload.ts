// The upload panel for GIS staff: choose a file and what to declare about
// it, follow its processing, read the validation report, look through the
// draft's features (drawn on the map beside the matched projects), match
// them to projects, and commit or discard the draft.
//
// Everything in a draft came from an uploaded file: attribute names and
// values, file names, issue messages quoting them. All of it goes in as
// text through el().
import { el, clear, append } from '../dom';
import { t, formatNumber, projectName, type MessageKey } from '../i18n';
import { crsOptions, crsLabel, CRS_GROUPS, ENCODINGS, type CRSOption } from '../crs';
import {
  blocksCommit,
  buildCommitRequest,
  classify,
  defaultMatches,
  draftName,
  formatBytes,
  issuesOf,
  progressOf,
  suggestLayerId,
  type CommitForm,
} from '../upload';
import { formatValue } from '../diff';
import type { Session } from '../session';
import type { CollectionInfo, CommitResult, DraftCollection, DraftFeature, Lang, ProjectFeature, Upload } from '../types';

/** The most draft features the panel loads for the list and the map. */
export const MAX_DRAFT = 5000;
const PAGE = 1000;
const LIST_STEP = 200;
const POLL_MS = 400;
const ACCEPT = '.geojson,.json,.zip,.kml,.kmz,.gpkg,.csv,application/geo+json,application/json,application/zip,application/vnd.google-earth.kml+xml,application/vnd.google-earth.kmz,text/csv';

export interface UploadCallbacks {
  projects(): ProjectFeature[];
  collections(): CollectionInfo[];
  /** Draw the draft and the current geometry of the projects it matches; fit the map to it when fit is true. */
  showDraft(features: DraftFeature[], matched: string[], fit: boolean): void;
  clearDraft(): void;
  hoverDraft(idx: number | null): void;
  fitDraft(idx?: number): void;
  committed(result: CommitResult): Promise<void> | void;
  /** Open a project's detail. */
  select(id: string): void;
}

type Stage = 'form' | 'sending' | 'processing' | 'failed' | 'draft' | 'done';

export class UploadPanel {
  private lang: Lang = 'zh';
  private stage: Stage = 'form';
  private upload: Upload | null = null;
  private features: DraftFeature[] = [];
  private total = 0;
  private shown = LIST_STEP;
  private sent = { loaded: 0, total: 0 };
  /** The last message, made in the language shown when it is drawn. */
  private message: ((lang: Lang) => string) | null = null;
  private messageError = false;
  private recent: Upload[] | null = null;
  private token = 0;
  private hovered: number | null = null;
  private busy = false;
  private active = false;
  /** Projects the last commit wrote, to open from the result. */
  private updated: string[] = [];

  // The choose-a-file form, kept across renders (a file input cannot be refilled).
  private fileInput = el('input', { type: 'file', id: 'up-file', accept: ACCEPT, 'data-testid': 'upload-file' });
  private crs = '';
  private encoding = '';
  private correct = false;

  // The commit form.
  private form: CommitForm = this.emptyForm();

  constructor(
    private root: HTMLElement,
    private session: Session,
    private cb: UploadCallbacks,
  ) {
    this.fileInput.addEventListener('change', () => {
      this.message = null;
      this.render(this.lang);
    });
  }

  private emptyForm(): CommitForm {
    return { target: 'layer', layerId: '', titleZh: '', titleEn: '', description: '', repair: false, skipInvalid: false, reason: '' };
  }

  /** The panel became visible or hidden; the draft stays on the map only while it is shown. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (!active) {
      this.cb.clearDraft();
      return;
    }
    if (this.stage === 'draft') this.drawDraft(false);
    if (this.session.can('editor') && this.stage === 'form') void this.loadRecent();
  }

  /** The account changed: a signed-out visitor sees no editing UI and no draft. */
  sessionChanged(): void {
    if (!this.session.can('editor')) {
      this.token++;
      this.stage = 'form';
      this.upload = null;
      this.features = [];
      this.recent = null;
      this.message = null;
      this.updated = [];
      this.cb.clearDraft();
    } else if (this.active && this.stage === 'form') void this.loadRecent();
    this.render(this.lang);
  }

  /** The map's pointer is over draft feature idx (or none). */
  setHover(idx: number | null): void {
    if (idx === this.hovered) return;
    const prev = this.root.querySelector(`[data-testid="draft-row"][data-idx="${this.hovered}"]`);
    prev?.classList.remove('hover');
    this.hovered = idx;
    if (idx === null) return;
    const row = this.root.querySelector<HTMLElement>(`[data-testid="draft-row"][data-idx="${idx}"]`);
    if (row) {
      row.classList.add('hover');
      row.scrollIntoView({ block: 'nearest' });
    }
  }

  // ---------- actions ----------

  private async loadRecent(): Promise<void> {
    try {
      const res = await this.session.send<{ uploads: Upload[] }>('GET', '/uploads?limit=10');
      this.recent = res.uploads ?? [];
    } catch {
      this.recent = [];
    }
    if (this.stage === 'form') this.render(this.lang);
  }

  private async send(): Promise<void> {
    const file = this.fileInput.files?.[0];
    if (!file) {
      this.setMessage((l) => t(l, 'upload.needfile'), true);
      return;
    }
    const token = ++this.token;
    this.stage = 'sending';
    this.sent = { loaded: 0, total: file.size };
    this.message = null;
    this.render(this.lang);
    try {
      const u = await this.session.uploadFile(file, { crs: this.crs, encoding: this.encoding, correct: this.correct }, (loaded, total) => {
        if (token !== this.token) return;
        this.sent = { loaded, total };
        this.updateProgress();
      });
      if (token !== this.token) return;
      this.fileInput.value = '';
      await this.follow(u, token);
    } catch (e) {
      if (token !== this.token) return;
      this.stage = 'form';
      this.setMessage((l) => t(l, 'upload.error', { msg: (e as Error).message }), true);
    }
  }

  /** Shows an upload: polls it while it is processed, then opens its draft. */
  private async follow(u: Upload, token: number): Promise<void> {
    this.upload = u;
    this.features = [];
    this.total = 0;
    this.form = this.emptyForm();
    this.stage = 'processing';
    this.render(this.lang);
    while (token === this.token && this.upload?.status === 'processing') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (token !== this.token) return;
      try {
        this.upload = await this.session.send<Upload>('GET', `/uploads/${u.id}`);
      } catch (e) {
        this.stage = 'failed';
        this.setMessage((l) => t(l, 'upload.error', { msg: (e as Error).message }), true);
        return;
      }
      this.updateProgress();
    }
    if (token !== this.token || !this.upload) return;
    const status = this.upload.status;
    if (status === 'failed') {
      this.stage = 'failed';
      this.render(this.lang);
      return;
    }
    if (status !== 'ready') {
      this.stage = 'done';
      this.setMessage((l) => t(l, `upload.status.${status}` as MessageKey), false);
      return;
    }
    await this.loadDraft(token);
  }

  private async loadDraft(token: number): Promise<void> {
    const u = this.upload;
    if (!u) return;
    const features: DraftFeature[] = [];
    let total = 0;
    try {
      for (let offset = 0; offset < MAX_DRAFT; offset += PAGE) {
        const page = await this.session.send<DraftCollection>('GET', `/uploads/${u.id}/features?limit=${PAGE}&offset=${offset}`);
        if (token !== this.token) return;
        features.push(...(page.features ?? []));
        total = page.numberMatched ?? features.length;
        if (features.length >= total || !page.features?.length) break;
      }
    } catch (e) {
      this.stage = 'failed';
      this.setMessage((l) => t(l, 'upload.error', { msg: (e as Error).message }), true);
      return;
    }
    this.features = features;
    this.total = total;
    this.shown = LIST_STEP;
    const matches = defaultMatches(features);
    const taken = this.cb.collections().map((c) => c.id);
    const stem = u.filename.replace(/\.[^.]*$/, '');
    this.form = {
      target: (u.summary?.matched_projects ?? 0) > 0 ? 'projects' : 'layer',
      matches,
      layerId: suggestLayerId(u.filename, taken),
      titleZh: stem,
      titleEn: stem,
      description: '',
      repair: false,
      skipInvalid: false,
      reason: '',
    } as CommitForm;
    this.stage = 'draft';
    this.message = null;
    this.render(this.lang);
    if (this.active) this.drawDraft(true);
  }

  private matchesOf(): Record<string, string> {
    const f = this.form as CommitForm & { matches?: Record<string, string> };
    if (!f.matches) f.matches = defaultMatches(this.features);
    return f.matches;
  }

  private drawDraft(fit: boolean): void {
    const matches = this.matchesOf();
    const matched = [...new Set(Object.values(matches).filter(Boolean))];
    this.cb.showDraft(this.features, matched, fit);
  }

  private async commit(): Promise<void> {
    const u = this.upload;
    if (!u || this.busy) return;
    const built = buildCommitRequest({ ...this.form, matches: this.matchesOf() } as CommitForm);
    if ('problem' in built) {
      this.setMessage((l) => t(l, built.problem.key, built.problem.vars), true);
      return;
    }
    this.busy = true;
    this.setMessage((l) => t(l, 'commit.busy'), false);
    try {
      const result = await this.session.send<CommitResult>('POST', `/uploads/${u.id}/commit`, { json: built.request });
      this.updated = result.target === 'projects' ? [...new Set(Object.values(built.request.matches ?? {}))] : [];
      this.busy = false;
      this.token++;
      this.stage = 'done';
      this.upload = { ...u, status: 'committed' };
      this.features = [];
      this.cb.clearDraft();
      this.setMessage(
        (l) =>
          `${t(l, 'commit.done', { written: result.written, skipped: result.skipped, repaired: result.repaired })} ${
            result.target === 'layer' ? t(l, 'commit.done.layer', { id: result.layer_id ?? '' }) : t(l, 'commit.done.projects')
          }`,
        false,
      );
      await this.cb.committed(result);
    } catch (e) {
      this.busy = false;
      this.setMessage((l) => t(l, 'commit.failed', { msg: (e as Error).message }), true);
    }
  }

  private async discard(): Promise<void> {
    const u = this.upload;
    if (!u || this.busy) return;
    this.busy = true;
    try {
      await this.session.send('DELETE', `/uploads/${u.id}`);
      this.token++;
      this.stage = 'done';
      this.upload = { ...u, status: 'discarded' };
      this.features = [];
      this.cb.clearDraft();
      this.busy = false;
      this.setMessage((l) => t(l, 'commit.discarded'), false);
    } catch (e) {
      this.busy = false;
      this.setMessage((l) => t(l, 'commit.failed', { msg: (e as Error).message }), true);
    }
  }

  private open(u: Upload): void {
    const token = ++this.token;
    this.message = null;
    void this.follow(u, token);
  }

  private startOver(): void {
    this.token++;
    this.updated = [];
    // What was declared belongs to the last file.
    this.crs = '';
    this.encoding = '';
    this.correct = false;
    this.stage = 'form';
    this.upload = null;
    this.features = [];
    this.message = null;
    this.cb.clearDraft();
    this.render(this.lang);
    void this.loadRecent();
  }

  private setMessage(msg: (lang: Lang) => string, error: boolean): void {
    this.message = msg;
    this.messageError = error;
    this.render(this.lang);
  }

  // ---------- rendering ----------

  render(lang: Lang): void {
    this.lang = lang;
    const root = this.root;
    const scroll = root.scrollTop;
    clear(root);
    root.append(el('h2', null, t(lang, 'upload.title')));
    if (!this.session.can('editor')) {
      root.append(el('p', { class: 'notice', 'data-testid': 'upload-signin' }, t(lang, 'upload.signin')));
      return;
    }
    switch (this.stage) {
      case 'form':
        this.renderForm();
        break;
      case 'sending':
      case 'processing':
        this.renderProgress();
        break;
      case 'failed':
        this.renderFailed();
        break;
      case 'draft':
        this.renderDraft();
        break;
      case 'done':
        this.renderDone();
        break;
    }
    root.scrollTop = scroll;
  }

  private messageEl(): HTMLElement | null {
    if (!this.message) return null;
    return el('p', { class: this.messageError ? 'form-error' : 'notice ok', role: this.messageError ? 'alert' : 'status', 'data-testid': 'upload-message' }, this.message(this.lang));
  }

  private renderForm(): void {
    const lang = this.lang;
    const crsSelect = el('select', { id: 'up-crs', 'data-testid': 'upload-crs' });
    const groups = new Map<CRSOption['group'], HTMLOptGroupElement>();
    for (const o of crsOptions()) {
      let g = groups.get(o.group);
      if (!g) {
        g = el('optgroup', { label: lang === 'zh' ? CRS_GROUPS[o.group].zh : CRS_GROUPS[o.group].en });
        groups.set(o.group, g);
        crsSelect.append(g);
      }
      g.append(el('option', { value: o.value, selected: o.value === this.crs }, crsLabel(o, lang)));
    }
    crsSelect.addEventListener('change', () => (this.crs = crsSelect.value));
    const encSelect = el('select', { id: 'up-enc', 'data-testid': 'upload-encoding' });
    for (const e of ENCODINGS) encSelect.append(el('option', { value: e, selected: e === this.encoding }, e || t(lang, 'upload.encoding.auto')));
    encSelect.addEventListener('change', () => (this.encoding = encSelect.value));
    const correct = el('input', { type: 'checkbox', id: 'up-correct', checked: this.correct, 'data-testid': 'upload-correct' });
    correct.addEventListener('change', () => (this.correct = correct.checked));
    const form = el(
      'form',
      { class: 'upload-form', 'data-testid': 'upload-form' },
      el('p', { class: 'note' }, t(lang, 'upload.intro')),
      el('label', { for: 'up-file' }, t(lang, 'upload.file')),
      this.fileInput,
      el('label', { for: 'up-crs' }, t(lang, 'upload.crs')),
      crsSelect,
      el('label', { for: 'up-enc' }, t(lang, 'upload.encoding')),
      encSelect,
      el('label', { class: 'check' }, correct, t(lang, 'upload.correct')),
      this.messageEl(),
      el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'primary', 'data-testid': 'upload-send' }, t(lang, 'upload.send'))),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    this.root.append(form, this.renderRecent());
  }

  private renderRecent(): HTMLElement {
    const lang = this.lang;
    const box = el('section', { class: 'recent', 'data-testid': 'upload-recent' }, el('h3', null, t(lang, 'upload.recent')));
    if (this.recent === null) {
      box.append(el('p', { class: 'note' }, t(lang, 'loading')));
      return box;
    }
    if (!this.recent.length) {
      box.append(el('p', { class: 'note' }, t(lang, 'upload.recent.none')));
      return box;
    }
    const ul = el('ul', { class: 'recent-list' });
    for (const u of this.recent) {
      const openable = u.status === 'ready' || u.status === 'processing' || u.status === 'failed';
      ul.append(
        el(
          'li',
          { 'data-upload': u.id },
          el('span', { class: 'rid' }, `#${u.id}`),
          ' ',
          el('span', { class: 'fname' }, u.filename),
          ' ',
          el('span', { class: `ustatus s-${u.status}` }, t(lang, `upload.status.${u.status}` as MessageKey)),
          ' ',
          el('span', { class: 'note' }, u.created_by),
          openable ? el('button', { type: 'button', class: 'link-button', onclick: () => this.open(u) }, t(lang, 'upload.open')) : null,
        ),
      );
    }
    box.append(ul);
    return box;
  }

  private renderProgress(): void {
    const box = el('div', { class: 'progress-box', 'data-testid': 'upload-progress' });
    box.append(el('p', { class: 'fname' }, this.upload?.filename ?? this.fileInput.files?.[0]?.name ?? ''));
    box.append(el('progress', { max: '1', value: '0', 'data-testid': 'upload-progress-bar' }), el('p', { class: 'progress-text', 'aria-live': 'polite', 'data-testid': 'upload-progress-text' }));
    this.root.append(box);
    this.updateProgress();
  }

  /** Updates the bar and its words in place, so polling does not rebuild the panel. */
  private updateProgress(): void {
    const bar = this.root.querySelector<HTMLProgressElement>('[data-testid="upload-progress-bar"]');
    const text = this.root.querySelector<HTMLElement>('[data-testid="upload-progress-text"]');
    if (!bar || !text) return;
    const lang = this.lang;
    if (this.stage === 'sending') {
      const { loaded, total } = this.sent;
      if (total > 0) bar.value = Math.min(1, loaded / total);
      else bar.removeAttribute('value');
      text.textContent = t(lang, 'upload.sending', { sent: formatBytes(loaded), size: formatBytes(total) });
      return;
    }
    const u = this.upload;
    if (!u) return;
    const p = progressOf(u);
    if (p.fraction === null) bar.removeAttribute('value');
    else bar.value = p.fraction;
    bar.dataset.bytes = String(p.bytes);
    bar.dataset.size = String(p.size);
    text.textContent = t(lang, 'upload.processing', { read: formatBytes(p.bytes), size: formatBytes(p.size), n: formatNumber(p.features, lang) });
  }

  private renderFailed(): void {
    const lang = this.lang;
    const u = this.upload;
    append(
      this.root,
      el('p', { class: 'fname' }, u?.filename ?? ''),
      u?.error ? el('p', { class: 'form-error', role: 'alert', 'data-testid': 'upload-failed' }, t(lang, 'upload.failed', { msg: u.error })) : null,
      this.messageEl(),
      el('div', { class: 'buttons' }, el('button', { type: 'button', onclick: () => this.startOver() }, t(lang, 'upload.another'))),
    );
  }

  private renderDone(): void {
    const lang = this.lang;
    const byId = new Map(this.cb.projects().map((p) => [p.id, p]));
    const updated = this.updated.length
      ? el(
          'ul',
          { class: 'members', 'data-testid': 'commit-updated' },
          ...this.updated.map((id) => {
            const p = byId.get(id);
            return el('li', null, el('button', { type: 'button', class: 'link-button', 'data-id': id, onclick: () => this.cb.select(id) }, p ? projectName(p.properties, lang) : id));
          }),
        )
      : null;
    append(
      this.root,
      el('p', { class: 'fname' }, this.upload?.filename ?? ''),
      this.messageEl(),
      updated,
      el('div', { class: 'buttons' }, el('button', { type: 'button', class: 'primary', 'data-testid': 'upload-another', onclick: () => this.startOver() }, t(lang, 'upload.another'))),
    );
  }

  private renderDraft(): void {
    this.root.append(this.renderReport(), this.renderList(), this.renderCommit());
  }

  private renderReport(): HTMLElement {
    const lang = this.lang;
    const u = this.upload as Upload;
    const r = u.result ?? {};
    const s = u.summary;
    const box = el('section', { class: 'report', 'data-testid': 'report', 'data-upload': u.id }, el('h3', null, t(lang, 'report.title')));
    const dl = el('dl', { class: 'kv' });
    const row = (k: string, ...v: (Node | string | null)[]) => dl.append(el('dt', null, k), el('dd', null, ...v));
    row(t(lang, 'report.file'), el('span', { 'data-testid': 'report-filename' }, u.filename), ` (${formatBytes(u.size)})`);
    if (r.Format) row(t(lang, 'report.format'), el('span', { 'data-testid': 'report-format' }, r.Format));
    const crs = r.CRS ?? {};
    const crsText = [crs.Name, crs.EPSG ? `EPSG:${crs.EPSG}` : ''].filter(Boolean).join(' · ') || (s?.srid ? `EPSG:${s.srid}` : '');
    const source = crs.Source ? (['prj', 'geojson-crs', 'gpkg', 'declared', 'assumed', 'format'].includes(crs.Source) ? t(lang, `crs.source.${crs.Source}` as MessageKey) : crs.Source) : '';
    row(
      t(lang, 'report.crs'),
      el('span', { 'data-testid': 'report-crs' }, crsText),
      source ? el('span', { class: 'note', 'data-testid': 'report-crs-source', 'data-source': crs.Source ?? '' }, ` (${t(lang, 'report.crs.how')}: ${source})`) : null,
      crs.Warning ? el('span', { class: 'warn-text' }, ` ${crs.Warning}`) : null,
    );
    if (r.Encoding) row(t(lang, 'report.encoding'), el('span', { 'data-testid': 'report-encoding' }, r.Encoding));
    const fields = r.Fields ?? [];
    if (fields.length) {
      const fl = el('span', { class: 'fields', 'data-testid': 'report-fields' });
      fields.forEach((f, i) => append(fl, i ? ', ' : '', el('code', null, f.Name), f.Type ? el('span', { class: 'note' }, ` ${f.Type}`) : null));
      row(t(lang, 'report.fields'), fl);
    }
    const layers = r.Layers ?? [];
    if (layers.length > 1) row(t(lang, 'report.layers'), layers.map((l) => l.Name ?? '').join(', '));
    box.append(dl);
    if (s) {
      const counts = el('ul', { class: 'counts', 'data-testid': 'report-counts', 'aria-label': t(lang, 'report.counts') });
      const keys = ['features', 'valid', 'invalid', 'no_geometry', 'outside_liaoning', 'duplicates', 'with_errors', 'warnings', 'matched_projects'] as const;
      for (const k of keys) {
        const n = Number(s[k]) || 0;
        const bad = n > 0 && ['invalid', 'no_geometry', 'outside_liaoning', 'duplicates', 'with_errors', 'warnings'].includes(k);
        counts.append(
          el('li', { class: bad ? 'bad' : '', 'data-key': k, 'data-value': n, 'data-testid': `count-${k}` }, el('span', { class: 'n' }, formatNumber(n, lang)), el('span', { class: 'k' }, t(lang, `sum.${k}` as MessageKey))),
        );
      }
      box.append(counts);
    }
    const fileIssues = (r.Issues ?? []).filter((is) => is.Feature === undefined || is.Feature === null || is.Feature < 0);
    box.append(el('h4', null, t(lang, 'report.issues')));
    if (!fileIssues.length) box.append(el('p', { class: 'note' }, t(lang, 'report.noissues')));
    else {
      const ul = el('ul', { class: 'issues', 'data-testid': 'report-issues' });
      for (const is of fileIssues) ul.append(this.issueEl(is.Severity ?? '', is.Field ?? '', is.Message ?? is.Code ?? '', is.Layer ?? ''));
      box.append(ul);
    }
    return box;
  }

  private issueEl(severity: string, field: string, message: string, layer = ''): HTMLElement {
    const lang = this.lang;
    const sev = severity === 'error' ? 'draft.sev.error' : severity === 'warning' ? 'draft.sev.warning' : 'draft.sev.info';
    return el(
      'li',
      { class: `issue sev-${severity === 'error' || severity === 'warning' ? severity : 'info'}`, 'data-severity': severity },
      el('span', { class: 'sev' }, t(lang, sev)),
      ' ',
      layer ? el('span', { class: 'note' }, `${layer}: `) : null,
      field ? el('code', { class: 'field' }, field) : null,
      field ? ': ' : null,
      message,
    );
  }

  private renderList(): HTMLElement {
    const lang = this.lang;
    const box = el('section', { class: 'draft', 'data-testid': 'draft' });
    box.append(
      el(
        'div',
        { class: 'draft-head' },
        el('h3', null, t(lang, 'draft.title')),
        el('button', { type: 'button', class: 'link-button', 'data-testid': 'draft-fit', onclick: () => this.cb.fitDraft() }, t(lang, 'draft.fit')),
      ),
    );
    const key = el(
      'ul',
      { class: 'draft-key' },
      el('li', null, el('span', { class: 'key-draft', 'aria-hidden': 'true' }), t(lang, 'draft.key.draft')),
      el('li', null, el('span', { class: 'key-error', 'aria-hidden': 'true' }), t(lang, 'draft.key.error')),
      el('li', null, el('span', { class: 'key-match', 'aria-hidden': 'true' }), t(lang, 'draft.key.match')),
    );
    box.append(key);
    const n = Math.min(this.shown, this.features.length);
    box.append(el('p', { class: 'summary' }, t(lang, 'draft.showing', { shown: n, total: this.total })));
    if (this.total > this.features.length) box.append(el('p', { class: 'notice' }, t(lang, 'draft.truncated', { n: this.features.length })));
    const projects = [...this.cb.projects()].sort((a, b) => projectName(a.properties, lang).localeCompare(projectName(b.properties, lang), lang === 'zh' ? 'zh-CN' : 'en'));
    const byId = new Map(projects.map((p) => [p.id, p]));
    const ul = el('ul', { class: 'draft-list', 'data-testid': 'draft-list' });
    for (const f of this.features.slice(0, n)) ul.append(this.renderRow(f, projects, byId));
    box.append(ul);
    if (n < this.features.length) {
      box.append(
        el(
          'button',
          {
            type: 'button',
            class: 'link-button',
            onclick: () => {
              this.shown += LIST_STEP;
              this.render(this.lang);
            },
          },
          t(lang, 'draft.more'),
        ),
      );
    }
    return box;
  }

  private renderRow(f: DraftFeature, projects: ProjectFeature[], byId: Map<string, ProjectFeature>): HTMLElement {
    const lang = this.lang;
    const d = f.draft;
    const cls = classify(f);
    const li = el('li', { class: `draft-row cls-${cls}`, 'data-idx': d.index, 'data-class': cls, 'data-testid': 'draft-row' });
    li.addEventListener('mouseenter', () => this.cb.hoverDraft(d.index));
    li.addEventListener('mouseleave', () => this.cb.hoverDraft(null));
    li.addEventListener('focusin', () => this.cb.hoverDraft(d.index));
    const flags = el('span', { class: 'flags' });
    if (!f.geometry) flags.append(el('span', { class: 'flag bad', 'data-flag': 'nogeom' }, t(lang, 'draft.nogeom')));
    if (d.outside_liaoning) flags.append(el('span', { class: 'flag warn', 'data-flag': 'outside' }, t(lang, 'draft.outside')));
    if (d.duplicate_of !== undefined && d.duplicate_of !== null) flags.append(el('span', { class: 'flag warn', 'data-flag': 'duplicate' }, t(lang, 'draft.duplicate', { n: d.duplicate_of })));
    li.append(
      el(
        'div',
        { class: 'row-head' },
        el('span', { class: 'idx' }, `#${d.index}`),
        ' ',
        el('button', { type: 'button', class: 'link-button name', 'data-testid': 'draft-name', disabled: !f.geometry, onclick: () => this.cb.fitDraft(d.index) }, draftName(f)),
        ' ',
        flags,
      ),
    );
    const issues = issuesOf(d);
    if (issues.length) {
      const ul = el('ul', { class: 'issues' });
      for (const is of issues) ul.append(this.issueEl(is.severity, is.field ?? '', is.message || is.code));
      li.append(ul);
    }
    if (d.valid === false) li.append(el('p', { class: 'invalid', 'data-testid': 'draft-invalid' }, t(lang, 'draft.invalid', { reason: d.invalid_reason ?? '' })));

    // The project match: a select when committing to projects, else the suggestion as words.
    const suggested = d.match ? byId.get(d.match) : undefined;
    const suggestion = d.match
      ? el(
          'span',
          { class: 'note suggestion', 'data-testid': 'draft-suggestion', 'data-match': d.match },
          t(lang, 'draft.match.suggested', { name: suggested ? projectName(suggested.properties, lang) : d.match }),
          d.match_by === 'id' || d.match_by === 'name' ? ` (${t(lang, `draft.match.by.${d.match_by}` as MessageKey)})` : '',
        )
      : null;
    if (this.form.target === 'projects') {
      const id = `match-${d.index}`;
      const matches = this.matchesOf();
      const current = matches[String(d.index)] ?? '';
      const sel = el('select', { id, 'data-testid': 'match-select', 'data-idx': d.index, disabled: blocksCommit(f, this.form.repair) && !f.geometry });
      sel.append(el('option', { value: '', selected: current === '' }, t(lang, 'draft.match.none')));
      for (const p of projects) {
        const label = projectName(p.properties, lang) + (p.geometry ? '' : ' ∅');
        sel.append(el('option', { value: p.id, selected: p.id === current }, label));
      }
      if (current && !byId.has(current)) sel.append(el('option', { value: current, selected: true }, current));
      sel.addEventListener('change', () => {
        matches[String(d.index)] = sel.value;
        this.drawDraft(false);
      });
      li.append(el('div', { class: 'match' }, el('label', { for: id }, t(lang, 'draft.match')), sel, suggestion));
    } else if (suggestion) li.append(el('div', { class: 'match' }, suggestion));

    // Every attribute, as text.
    const props = Object.entries(f.properties ?? {});
    const attrs = el('details', { class: 'attrs' }, el('summary', null, `${t(lang, 'draft.attrs')} (${props.length})`));
    if (props.length) {
      const tbody = el('tbody');
      for (const [k, v] of props) tbody.append(el('tr', null, el('th', { scope: 'row' }, k), el('td', null, formatValue(v))));
      attrs.append(el('table', { class: 'attr-table', 'data-testid': 'draft-attrs' }, tbody));
    } else attrs.append(el('p', { class: 'note' }, t(lang, 'draft.noattrs')));
    li.append(attrs);
    return li;
  }

  private renderCommit(): HTMLElement {
    const lang = this.lang;
    const f = this.form;
    const box = el('section', { class: 'commit', 'data-testid': 'commit' }, el('h3', null, t(lang, 'commit.title')));
    const radio = (value: 'layer' | 'projects', key: MessageKey) => {
      const r = el('input', { type: 'radio', name: 'commit-target', value, id: `ct-${value}`, checked: f.target === value, 'data-testid': `target-${value}` });
      r.addEventListener('change', () => {
        if (!r.checked) return;
        this.form = { ...this.form, target: value } as CommitForm;
        this.message = null;
        this.render(this.lang);
      });
      return el('label', { class: 'check', for: `ct-${value}` }, r, t(lang, key));
    };
    box.append(el('fieldset', { class: 'targets' }, el('legend', null, t(lang, 'commit.target')), radio('layer', 'commit.target.layer'), radio('projects', 'commit.target.projects')));
    const text = (id: string, key: MessageKey, value: string, set: (v: string) => void, attrs: Record<string, string | number | boolean> = {}) => {
      const input = el('input', { type: 'text', id, value, ...attrs });
      input.value = value;
      input.addEventListener('input', () => set(input.value));
      return [el('label', { for: id }, t(lang, key)), input];
    };
    if (f.target === 'layer') {
      const lf = f;
      box.append(
        el(
          'div',
          { class: 'layer-fields' },
          ...text('c-layer-id', 'commit.layerid', lf.layerId, (v) => (lf.layerId = v), { 'data-testid': 'commit-layer-id', pattern: '[a-z][a-z0-9_\\-]{0,62}', maxlength: 63, spellcheck: false }),
          el('p', { class: 'caption' }, t(lang, 'commit.layerid.hint')),
          ...text('c-title-zh', 'commit.title_zh', lf.titleZh, (v) => (lf.titleZh = v), { 'data-testid': 'commit-title-zh', lang: 'zh-CN' }),
          ...text('c-title-en', 'commit.title_en', lf.titleEn, (v) => (lf.titleEn = v), { 'data-testid': 'commit-title-en', lang: 'en' }),
          ...text('c-desc', 'commit.description', lf.description, (v) => (lf.description = v), { 'data-testid': 'commit-description' }),
        ),
      );
    } else {
      const matched = Object.values(this.matchesOf()).filter(Boolean).length;
      box.append(el('p', { class: 'note' }, t(lang, 'commit.matches'), ' ', el('strong', { 'data-testid': 'commit-matched' }, String(matched))));
    }
    const check = (id: string, key: MessageKey, value: boolean, set: (v: boolean) => void) => {
      const c = el('input', { type: 'checkbox', id, checked: value, 'data-testid': id });
      c.addEventListener('change', () => {
        set(c.checked);
        this.render(this.lang);
      });
      return el('label', { class: 'check', for: id }, c, t(lang, key));
    };
    box.append(
      check('commit-repair', 'commit.repair', f.repair, (v) => (this.form.repair = v)),
      check('commit-skip', 'commit.skip', f.skipInvalid, (v) => (this.form.skipInvalid = v)),
    );
    if (this.features.length >= this.total && !f.skipInvalid) {
      const blocked = this.features.filter((x) => blocksCommit(x, f.repair)).length;
      if (blocked) box.append(el('p', { class: 'notice', 'data-testid': 'commit-blocked' }, t(lang, 'commit.blocked', { n: blocked })));
    }
    box.append(...text('c-reason', 'commit.reason', f.reason, (v) => (this.form.reason = v), { 'data-testid': 'commit-reason', maxlength: 500, placeholder: t(lang, 'commit.reason.placeholder') }));
    box.append(
      this.messageEl() ?? el('span'),
      el(
        'div',
        { class: 'buttons' },
        el('button', { type: 'button', class: 'primary', disabled: this.busy, 'data-testid': 'commit-submit', onclick: () => void this.commit() }, t(lang, 'commit.submit')),
        el('button', { type: 'button', class: 'danger', disabled: this.busy, 'data-testid': 'discard', onclick: () => void this.discard() }, t(lang, 'commit.discard')),
      ),
    );
    return box;
  }
}

// What the app needs of the upload logic once the screens are loaded: it draws the draft and names its features.
export { classify, draftName } from '../upload';
