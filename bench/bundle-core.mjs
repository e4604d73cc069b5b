import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the core (TypeScript, @core/@shared aliases) into out/bench/core.mjs with rolldown (vite's bundler) and
 * imports it. Packages stay external and resolve from node_modules, like the built app.
 */
export async function loadCore() {
  const { build } = await import('rolldown');
  const file = path.join(root, 'out', 'bench', 'core.mjs');
  await build({
    input: path.join(root, 'bench', 'core-entry.ts'),
    cwd: root,
    platform: 'node',
    resolve: { alias: { '@shared': path.join(root, 'shared'), '@core': path.join(root, 'electron/core') } },
    external: (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('@core') && !id.startsWith('@shared'),
    // One file: dynamic imports (the lazily loaded S3 backend) are inlined.
    output: { file, format: 'esm', codeSplitting: false },
    write: true,
    logLevel: 'silent',
  });
  return import(file);
}
