import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The SPA builds into the `userflare` package, which ships it and serves it under `/dashboard/`.
 * Asset URLs are relative to the `<base href>` the server writes into index.html, so the same build
 * serves `/dashboard/` and a namespace's `/ns/<id>/dashboard/`.
 */
export default defineConfig({
  base: './',
  plugins: [react(), tailwindcss()],
  resolve: { conditions: ['userflare-source'] },
  build: {
    outDir: fileURLToPath(new URL('../userflare/dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // No inline script or style may reach the page (its CSP forbids both); no source maps shipped.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
