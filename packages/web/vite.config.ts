import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { nhsukLocalFonts } from './scripts/nhsuk-fonts.ts';
import { precompress } from './scripts/precompress.ts';

/** The CareWeave server the dev server proxies to (`npm start` in another terminal). */
const api = process.env.CAREWEAVE_API ?? 'http://127.0.0.1:8080';
const here = path.dirname(fileURLToPath(import.meta.url));

/** The NHS.UK stylesheet refers to its icons at /assets/images/…: ship them beside it. */
function nhsukImages(): Plugin {
  const source = path.resolve(here, '../../node_modules/nhsuk-frontend/dist/nhsuk/assets/images');
  return {
    name: 'careweave-nhsuk-images',
    apply: 'build',
    writeBundle(options) {
      fs.cpSync(source, path.join(options.dir ?? path.join(here, 'dist'), 'assets', 'images'), { recursive: true });
    },
  };
}

export default defineConfig({
  plugins: [react(), nhsukImages(), nhsukLocalFonts(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // nhsuk-frontend ships minified CSS with old-IE hacks (`@media screen\0`) that lightningcss
    // cannot parse; it is minified already, and ours is small.
    cssMinify: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(['/fhir', '/api', '/auth', '/.well-known', '/healthz'].map((p) => [p, api])),
  },
});
