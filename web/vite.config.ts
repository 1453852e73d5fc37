import { defineConfig } from 'vite';

// Preact through the automatic JSX runtime: no framework plugin needed. Everything is bundled (no CDN), so the
// dashboard works offline; fonts are the system's.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200, sourcemap: false },
});
