// The web console: React + Vite, built to apps/web/dist, which the gateway serves at `/`.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@mlops/client': here('../../libs/client/src/index.ts') } },
  build: { outDir: here('dist'), emptyOutDir: true, sourcemap: true },
  // `vite dev` on :5173 talks to the gateway of `tools/platform.sh up`.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
