import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the CLI (electron/cli/index.ts) to out/cli/provenanceone.js with rolldown, vite's bundler, as `npm run build`
 * does for the app. Packages stay external (node_modules). Code splitting keeps the in-process core (--data-dir mode,
 * a lazy import) in its own chunks, so the REST path parses and loads none of it: no core, no better-sqlite3, no AWS
 * SDK on `exec`'s way to the child. `outDir` other than out/cli: tests build their own copy (test files run in parallel).
 */
export async function buildCli(outDir = path.join(root, 'out/cli')) {
  const { build } = await import('rolldown');
  fs.rmSync(outDir, { recursive: true, force: true });
  await build({
    input: { provenanceone: path.join(root, 'electron/cli/index.ts') },
    cwd: root,
    platform: 'node',
    resolve: { alias: { '@shared': path.join(root, 'shared'), '@core': path.join(root, 'electron/core') } },
    external: (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('@core') && !id.startsWith('@shared'),
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    write: true,
    logLevel: 'silent',
  });
  return path.join(outDir, 'provenanceone.js');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
