// Vite build of the console: root web/, output web/dist, relative base so the build works in any
// folder, ES module workers (the engine worker uses top-level await and imports).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No data: URLs: the CSP (default-src 'self') would block inlined icons.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  worker: {
    format: 'es',
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: ['..'] },
  },
});
