import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * Bundles a TypeScript entry (with the @core/@shared aliases) into out/test-bundles/<name>.mjs, so a test can run
 * core code in a real child process (e.g. to SIGKILL it). Packages stay external and resolve from node_modules.
 */
export async function bundleForNode(entry: string, name: string): Promise<string> {
  const { build } = await import('rolldown');
  const file = path.join(root, 'out', 'test-bundles', `${name}.mjs`);
  await build({
    input: path.resolve(entry),
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
