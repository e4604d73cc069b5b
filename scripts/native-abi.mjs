// Keeps the native modules (better-sqlite3, keytar) built for the runtime about to use them.
// `node`: Node's ABI (tests, `npm run serve`); `electron`: Electron's ABI (`npm start`), via electron-builder.
// The current ABI is remembered in node_modules/.native-abi so each switch rebuilds once, not every run.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureElectronBinary, installedElectronBinary, runElectronInstaller } from './electron-binary.mjs';

const target = process.argv[2];
if (target !== 'node' && target !== 'electron') {
  console.error('usage: node scripts/native-abi.mjs node|electron');
  process.exit(2);
}
const marker = path.join('node_modules', '.native-abi');
const current = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : 'node';
const run = (cmd) => execSync(cmd, { stdio: 'inherit' });

if (target === 'node') {
  if (current !== 'node') {
    console.log('Rebuilding native modules for Node…');
    run('npm rebuild better-sqlite3 keytar');
  }
  fs.writeFileSync(marker, 'node\n');
} else {
  const ok = ensureElectronBinary({
    binary: installedElectronBinary,
    install: runElectronInstaller,
    log: (line) => console.log(line),
    error: (line) => console.error(line),
  });
  if (!ok) process.exit(1);
  if (current !== 'electron') {
    console.log("Rebuilding native modules for Electron's ABI…");
    run('npx electron-builder install-app-deps');
  }
  fs.writeFileSync(marker, 'electron\n');
}
