import { resolve } from 'node:path';
import zlib from 'node:zlib';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const alias = { '@shared': resolve('shared'), '@core': resolve('electron/core') };

/**
 * Brotli copies of the renderer's scripts and styles next to them: the headless console serves those (@fastify/static
 * preCompressed) to a browser that accepts br, so a first load moves a quarter of the bytes through its network stack.
 */
const precompress = (): Plugin => ({
  name: 'precompress-renderer',
  apply: 'build',
  // After Vite's own generateBundle hooks: they still rewrite chunks there (the preload markers of dynamic imports),
  // and a copy compressed before that would ship code that fails at run time (`__VITE_PRELOAD__ is not defined`).
  generateBundle: {
    order: 'post',
    handler(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css)$/.test(file.fileName)) continue;
        const source = file.type === 'chunk' ? file.code : file.source;
        const br = zlib.brotliCompressSync(source, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
        this.emitFile({ type: 'asset', fileName: `${file.fileName}.br`, source: br });
      }
    },
  },
});

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      // Native and Node-only deps stay require()s; the headless console runs the same bundle under plain Node.
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('electron/main/index.ts'), headless: resolve('electron/headless/index.ts') },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be one CommonJS file that requires nothing but electron.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    resolve: { alias: { '@shared': resolve('shared') } },
    plugins: [react(), precompress()],
    build: { outDir: resolve('out/renderer'), minify: true, rollupOptions: { input: resolve('renderer/index.html') } },
  },
});
