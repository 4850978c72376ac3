import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { faceRange, withoutCodePoints } from './src/fontranges.ts';

/**
 * The shipped font's CSS (@fontsource/noto-sans-sc) names a woff2 file and a
 * woff fallback for every subset; every browser planmap supports reads woff2,
 * so the fallbacks are dropped before Vite resolves the URLs, and only the
 * woff2 files are built into dist/assets/ (and into the Go binary).
 *
 * The characters of the plan's own cut of the font (src/plan-font.css, see
 * fonts/plan_font.py) are taken out of the subsets' unicode-ranges, so that
 * each of them has one face, the plan's (see src/fontranges.ts); a subset
 * left with no character is dropped with its file.
 */
function shippedFont(): Plugin {
  const planCSS = fileURLToPath(new URL('./src/plan-font.css', import.meta.url));
  let plan: Set<number> | null = null;
  return {
    name: 'planmap-shipped-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]@fontsource[\\/][^?]*\.css(\?|$)/.test(id)) return null;
      plan ??= faceRange(fs.readFileSync(planCSS, 'utf8'));
      const woff2 = code.replace(/,\s*url\([^)]*\.woff\)\s*format\(['"]?woff['"]?\)/g, '');
      return { code: withoutCodePoints(woff2, plan), map: null };
    },
  };
}

/**
 * The first load's API requests (src/prefetch.ts) start before the app's
 * script has arrived and run: prefetch.ts is an entry of its own, and its
 * script goes first in the page's head. (The scripts of index.html are
 * bundled into one entry, which runs only after MapLibre has.) The app
 * imports the same module, so it runs once.
 */
function earlyRequests(): Plugin {
  return {
    name: 'planmap-early-requests',
    apply: 'build',
    config: () => ({ build: { rolldownOptions: { input: { index: 'index.html', prefetch: 'src/prefetch.ts' } } } }),
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const entry = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'prefetch');
        if (!entry) throw new Error('planmap-early-requests: no prefetch entry in the bundle');
        return [{ tag: 'script', attrs: { type: 'module', crossorigin: true, src: `/${entry.fileName}` }, injectTo: 'head-prepend' }];
      },
    },
  };
}

// The Go server serves dist/ at / and its files under /assets/.
// `npm run dev` proxies the API to a running planmap (PLANMAP_URL, default http://127.0.0.1:8080).
const api = process.env.PLANMAP_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [shippedFont(), earlyRequests()],
  build: {
    // Font files stay files, even the smallest: the map fetches them (connect-src 'self' has no data:).
    assetsInlineLimit: (file) => (/\.woff2?$/.test(file) ? false : undefined),
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // MapLibre in a chunk of its own, so an app change does not make browsers fetch it again.
        codeSplitting: { groups: [{ name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ }] },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(['/collections', '/plan', '/readyz', '/healthz', '/api', '/conformance', '/auth', '/uploads', '/admin', '/tileMatrixSets'].map((p) => [p, api])),
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
