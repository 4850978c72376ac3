// The shipped font first (its @font-face rules; see fonts.ts): fontsource's subsets, then the plan's own cut of the
// font, whose characters the build takes out of the subsets (vite.config.ts); then the page's styles.
import '@fontsource/noto-sans-sc/400.css';
import './plan-font.css';
import './styles.css';
import { App } from './app';
import { serializeState } from './state';

const app = new App();

// A small read-only hook for the end-to-end tests and for debugging.
Object.defineProperty(window, '__planmap', {
  value: Object.freeze({
    map: app.map,
    ready: app.ready,
    state: () => JSON.parse(JSON.stringify(app.state)),
    query: () => serializeState(app.state),
    filteredIds: () => app.filtered.map((f) => f.id).sort(),
    listIds: () => [...document.querySelectorAll<HTMLElement>('[data-testid="project-list"] [data-id]')].map((n) => n.dataset.id as string),
    unmappedIds: () => [...document.querySelectorAll<HTMLElement>('[data-testid="unmapped-list"] [data-id]')].map((n) => n.dataset.id as string),
    mapSourceIds: () => app.mapSourceIds(),
    whenIdle: () => app.whenIdle(),
    lastUpdateMs: () => app.lastUpdateMs,
  }),
});
