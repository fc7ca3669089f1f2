import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The ops console, built into dist/console next to the compiled apps: the api serves it at /console
 * (apps/api/src/console), and the Dockerfile's runtime stage already copies dist/.
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  // Preact's JSX runtime, without a framework plugin: the console needs no fast refresh.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    // Nothing inline: the api serves the page with a CSP that allows only its own files.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npx vite console` for work on the page: API calls go to the api of `npm start`.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
