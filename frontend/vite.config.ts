import { defineConfig } from 'vitest/config';

// The Go server serves dist/ at / and its files under /assets/.
// `npm run dev` proxies the API to a running planmap (PLANMAP_URL, default http://127.0.0.1:8080).
const api = process.env.PLANMAP_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
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
