// Vite build of the web console: web/ is the root, the bundle goes to web/dist, which the server
// serves at `/` (src/api/routes/console.ts). `npm run dev:web` proxies API calls to a local server.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const apiTarget = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/v2', '/simulator', '/replay', '/console/api', '/healthz'].map((p) => [p, apiTarget])),
  },
});
