import { defineConfig } from 'vite';

/**
 * React via esbuild's automatic JSX runtime (no Babel plugin needed). The dev server proxies
 * /api to a running `fiberstack up` (FIBERSTACK_API, default http://127.0.0.1:8000).
 */
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-router', '@tanstack/react-query'],
          charts: ['uplot'],
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.FIBERSTACK_API ?? 'http://127.0.0.1:8000' },
  },
});
