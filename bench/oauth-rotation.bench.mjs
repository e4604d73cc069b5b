// Runs bench/oauth-rotation.bench.ts (the real core, TypeScript through jiti with the tsconfig aliases).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(process.execPath, [path.join(root, 'node_modules/jiti/lib/jiti-cli.mjs'), path.join(root, 'bench/oauth-rotation.bench.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, JITI_ALIAS: JSON.stringify({ '@core': path.join(root, 'electron/core'), '@shared': path.join(root, 'shared') }) },
});
process.exit(r.status ?? 1);
