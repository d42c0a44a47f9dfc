import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** The backend in development (`npm start`); in production it serves `dist` itself, same origin. */
const BACKEND = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      output: {
        // Libraries change less often than the board: separate chunks stay cached across releases.
        manualChunks: (id) => {
          // The Vue wrapper too: in `vendor` it would import `charts` statically and put ApexCharts
          // on the first paint's path; the views load it lazily instead.
          if (id.includes('/node_modules/apexcharts/') || id.includes('/node_modules/vue3-apexcharts/'))
            return 'charts';
          if (id.includes('/node_modules/')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  // The tree-shaken ApexCharts entries must share one pre-bundled core, or chart types registered
  // by `apexcharts/bar` are lost in the dev server ("chart type bar is not registered").
  optimizeDeps: {
    include: ['apexcharts/core', 'apexcharts/bar', 'apexcharts/rangeArea', 'apexcharts/features/keyboard'],
  },
  server: {
    proxy: {
      '/api': BACKEND,
      '/socket.io': { target: BACKEND, ws: true },
    },
  },
});
