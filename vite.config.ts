import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Builds the renderer (renderer/ → dist/renderer). Relative asset paths (`base: './'`) so the same build
 * is served by Electron's app:// protocol and by the browser bridge.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es' },
});
