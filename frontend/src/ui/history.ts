// The "Edit history" section of the detail panel: every version of the
// feature with who, when and why; the changes a version made against the
// one before it (properties old -> new, geometry changed or not), with the
// other geometry drawn dashed on the map; and, for admins, a rollback.
// Property names and values may come from an upload: they go in as text.
import type { Geometry } from 'geojson';
import { el, clear, append } from '../dom';
import { t, type MessageKey } from '../i18n';
import { diffProperties, formatValue, geometryChanged } from '../diff';
import type { Session } from '../session';
import type { FeatureVersion, Lang } from '../types';

export interface HistoryCallbacks {
  /** Draw a geometry dashed beside the current one; null clears it. */
  showGeometry(g: Geometry | null): void;
  /** The feature changed (a rollback): read it again. */
  changed(): Promise<void> | void;
}

const OPS = ['create', 'replace', 'patch', 'delete', 'rollback', 'import'];

export function opLabel(op: string, lang: Lang): string {
  return OPS.includes(op) ? t(lang, `history.op.${op}` as MessageKey) : op;
}

export function formatWhen(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** Which version's geometry the map shows for a selected version: its own when it differs from the current one, else the one before it. */
export function comparisonVersion(versions: FeatureVersion[], selected: number): FeatureVersion | null {
  const i = versions.findIndex((v) => v.version === selected);
  if (i < 0) return null;
  const current = versions[0];
  const v = versions[i];
  if (i > 0 && geometryChanged(v.geometry, current.geometry)) return v;
  return versions[i + 1] ?? null;
}

export class HistoryView {
  private collection = 'projects';
  private fid: string | null = null;
  private versions: FeatureVersion[] | null = null;
  private error = '';
  private loading = false;
  private open = false;
  private selected: number | null = null;
  private rollbackOf: number | null = null;
  private message: ((lang: Lang) => string) | null = null;
  private messageError = false;
  private busy = false;
  private root: HTMLElement | null = null;
  private lang: Lang = 'zh';

  constructor(
    private session: Session,
    private cb: HistoryCallbacks,
  ) {}

  /** Renders the section for a feature at the end of container. */
  mount(container: HTMLElement, collection: string, fid: string, lang: Lang): void {
    if (fid !== this.fid || collection !== this.collection) this.reset(collection, fid);
    this.lang = lang;
    this.root = el('section', { class: 'detail-section history', 'data-testid': 'history' });
    container.append(this.root);
    this.render();
  }

  /** Forgets the feature (the detail closed or shows another). */
  reset(collection = 'projects', fid: string | null = null): void {
    const hadGeometry = this.selected !== null;
    this.collection = collection;
    this.fid = fid;
    this.versions = null;
    this.error = '';
    this.open = false;
    this.selected = null;
    this.rollbackOf = null;
    this.message = null;
    if (hadGeometry) this.cb.showGeometry(null);
  }

  private async load(): Promise<void> {
    if (!this.fid || this.loading) return;
    const fid = this.fid;
    this.loading = true;
    this.render();
    try {
      const res = await this.session.send<{ versions: FeatureVersion[] | null }>(
        'GET',
        `/collections/${encodeURIComponent(this.collection)}/items/${encodeURIComponent(fid)}/history`,
      );
      if (fid !== this.fid) return;
      this.versions = [...(res.versions ?? [])].sort((a, b) => b.version - a.version);
      this.error = '';
    } catch (e) {
      if (fid !== this.fid) return;
      this.error = (e as Error).message;
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private select(version: number | null): void {
    this.selected = version === this.selected ? null : version;
    this.rollbackOf = null;
    this.message = null;
    const shown = this.selected !== null && this.versions ? comparisonVersion(this.versions, this.selected) : null;
    this.cb.showGeometry(shown?.geometry ?? null);
    this.render();
    this.root?.querySelector('[data-testid="history-diff"]')?.scrollIntoView({ block: 'nearest' });
  }

  private async rollback(version: number, reason: string): Promise<void> {
    if (!this.fid || this.busy) return;
    this.busy = true;
    this.render();
    try {
      await this.session.send('POST', `/collections/${encodeURIComponent(this.collection)}/items/${encodeURIComponent(this.fid)}/rollback`, {
        json: { version, reason },
      });
      this.message = (l) => t(l, 'history.rollback.done', { n: version });
      this.messageError = false;
      this.selected = null;
      this.rollbackOf = null;
      this.cb.showGeometry(null);
      this.versions = null;
      this.busy = false;
      await this.cb.changed();
      await this.load();
      return;
    } catch (e) {
      const msg = (e as Error).message;
      this.message = (l) => t(l, 'history.rollback.failed', { msg });
      this.messageError = true;
    }
    this.busy = false;
    this.render();
  }

  private render(): void {
    const root = this.root;
    if (!root) return;
    const lang = this.lang;
    clear(root);
    const details = el('details', { class: 'history-box' });
    details.open = this.open;
    details.append(el('summary', { 'data-testid': 'history-toggle' }, el('h3', null, t(lang, 'history.title'))));
    details.addEventListener('toggle', () => {
      if (details.open === this.open) return;
      this.open = details.open;
      if (this.open && !this.versions && !this.loading) void this.load();
    });
    root.append(details);
    if (this.message) details.append(el('p', { class: this.messageError ? 'form-error' : 'notice ok', role: 'status', 'data-testid': 'history-message' }, this.message(lang)));
    if (this.loading) {
      details.append(el('p', { class: 'note' }, t(lang, 'loading')));
      return;
    }
    if (this.error) {
      details.append(el('p', { class: 'form-error' }, t(lang, 'history.error', { msg: this.error })));
      return;
    }
    const versions = this.versions;
    if (!versions) return;
    if (!versions.length) {
      details.append(el('p', { class: 'note', 'data-testid': 'history-empty' }, t(lang, 'history.none')));
      return;
    }
    const ol = el('ol', { class: 'versions', 'data-testid': 'history-list' });
    versions.forEach((v, i) => ol.append(this.renderVersion(v, versions[i + 1] ?? null, i === 0)));
    details.append(ol);
  }

  private renderVersion(v: FeatureVersion, prev: FeatureVersion | null, current: boolean): HTMLElement {
    const lang = this.lang;
    const chosen = this.selected === v.version;
    const li = el('li', { class: chosen ? 'version selected' : 'version', 'data-version': v.version, 'data-testid': 'history-version' });
    append(
      li,
      el(
        'div',
        { class: 'v-head' },
        el('strong', null, t(lang, 'history.version', { n: v.version })),
        ' ',
        el('span', { class: 'v-op' }, opLabel(v.op, lang)),
        current ? el('span', { class: 'badge' }, t(lang, 'history.current')) : null,
      ),
      el('div', { class: 'v-meta' }, t(lang, 'history.by', { who: v.changed_by, when: formatWhen(v.changed_at, lang) })),
      v.reason ? el('div', { class: 'v-reason' }, t(lang, 'history.reason', { reason: v.reason })) : null,
      typeof v.upload_id === 'number' ? el('div', { class: 'v-meta' }, t(lang, 'history.upload', { n: v.upload_id })) : null,
      el(
        'button',
        { type: 'button', class: 'link-button', 'aria-expanded': chosen ? 'true' : 'false', 'data-testid': 'history-show', onclick: () => this.select(v.version) },
        t(lang, 'history.show'),
      ),
    );
    if (chosen) li.append(this.renderDiff(v, prev, current));
    return li;
  }

  private renderDiff(v: FeatureVersion, prev: FeatureVersion | null, current: boolean): HTMLElement {
    const lang = this.lang;
    const box = el('div', { class: 'diff', 'data-testid': 'history-diff' });
    if (!prev) {
      box.append(el('p', { class: 'note' }, t(lang, 'history.diff.first')));
    } else {
      box.append(el('p', { class: 'diff-title' }, t(lang, 'history.diff.title', { n: v.version, prev: prev.version })));
      const changes = diffProperties(prev.properties, v.properties);
      if (!changes.length) box.append(el('p', { class: 'note' }, t(lang, 'history.diff.none')));
      else {
        const tbody = el('tbody');
        for (const c of changes) {
          tbody.append(
            el(
              'tr',
              { class: `diff-${c.kind}`, 'data-key': c.key, 'data-testid': 'diff-row' },
              el('th', { scope: 'row' }, c.key),
              el('td', { class: 'old' }, c.kind === 'added' ? t(lang, 'history.diff.added') : formatValue(c.old)),
              el('td', { class: 'new' }, c.kind === 'removed' ? t(lang, 'history.diff.removed') : formatValue(c.new)),
            ),
          );
        }
        box.append(
          el(
            'table',
            { class: 'diff-table' },
            el('thead', null, el('tr', null, el('th', { scope: 'col' }, t(lang, 'history.diff.key')), el('th', { scope: 'col' }, t(lang, 'history.diff.old')), el('th', { scope: 'col' }, t(lang, 'history.diff.new')))),
            tbody,
          ),
        );
      }
      const moved = geometryChanged(prev.geometry, v.geometry);
      box.append(el('p', { class: moved ? 'geom-changed' : 'geom-same', 'data-testid': 'diff-geometry', 'data-changed': moved ? 'true' : 'false' }, t(lang, moved ? 'history.geom.changed' : 'history.geom.same')));
    }
    const shown = this.versions ? comparisonVersion(this.versions, v.version) : null;
    if (shown) {
      box.append(el('p', { class: 'caption', 'data-testid': 'history-map-note' }, t(lang, shown.geometry ? 'history.map' : 'history.map.nogeom', { n: shown.version })));
    }
    if (!current && this.session.can('admin')) box.append(this.renderRollback(v));
    return box;
  }

  private renderRollback(v: FeatureVersion): HTMLElement {
    const lang = this.lang;
    if (this.rollbackOf !== v.version) {
      return el(
        'button',
        {
          type: 'button',
          class: 'danger',
          'data-testid': 'rollback',
          onclick: () => {
            this.rollbackOf = v.version;
            this.message = null;
            this.render();
            this.root?.querySelector<HTMLInputElement>('[data-testid="rollback-reason"]')?.focus();
          },
        },
        t(lang, 'history.rollback'),
      );
    }
    const id = `rollback-reason-${v.version}`;
    const input = el('input', { type: 'text', id, maxlength: 500, required: true, 'data-testid': 'rollback-reason' });
    const err = el('p', { class: 'form-error', role: 'alert' });
    const form = el(
      'form',
      { class: 'rollback-form', 'data-testid': 'rollback-form' },
      el('label', { for: id }, t(lang, 'history.rollback.reason')),
      input,
      err,
      el(
        'div',
        { class: 'buttons' },
        el('button', { type: 'submit', class: 'danger', disabled: this.busy, 'data-testid': 'rollback-confirm' }, t(lang, 'history.rollback.confirm')),
        el(
          'button',
          {
            type: 'button',
            onclick: () => {
              this.rollbackOf = null;
              this.render();
            },
          },
          t(lang, 'auth.cancel'),
        ),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const reason = input.value.trim();
      if (!reason) {
        err.textContent = t(lang, 'history.rollback.needreason');
        input.focus();
        return;
      }
      void this.rollback(v.version, reason);
    });
    return form;
  }
}
