import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles a TypeScript entry of ours (with the @core/@shared aliases) into one ES module at `outFile` (relative to
 * the project root) with rolldown, vite's bundler, and returns its absolute path. Packages stay external and resolve
 * from node_modules, like the built app. The benches load the core this way, and tests that must run core code in a
 * real child process (to SIGKILL it) too.
 */
export async function bundleForNode(entry, outFile) {
  const { build } = await import('rolldown');
  const file = path.resolve(root, outFile);
  await build({
    input: path.resolve(root, entry),
    cwd: root,
    platform: 'node',
    resolve: { alias: { '@shared': path.join(root, 'shared'), '@core': path.join(root, 'electron/core') } },
    external: (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('@core') && !id.startsWith('@shared'),
    // One file: dynamic imports (the lazily loaded S3 backend) are inlined.
    output: { file, format: 'esm', codeSplitting: false },
    write: true,
    logLevel: 'silent',
  });
  return file;
}
