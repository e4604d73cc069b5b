// `npm run serve -- [--data-dir DIR] [--port N]`: the headless console. Builds once if there is no build yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

if (!fs.existsSync('out/main/headless.js') || !fs.existsSync('out/renderer/index.html')) {
  const b = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
spawnSync('node', ['scripts/native-abi.mjs', 'node'], { stdio: 'inherit' });
await import('../out/main/headless.js');
