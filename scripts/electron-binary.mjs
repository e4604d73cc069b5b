// Makes sure Electron's binary is present before `npm start`. npm 11 skips install scripts that package.json's
// `allowScripts` does not allow, and this package denies Electron's (its download must not run in CI or on machines
// without network), so a plain `npm install && npm start` has the npm wrapper but no binary. Electron's own installer
// (node_modules/electron/install.js) fetches it; it does nothing while ELECTRON_SKIP_BINARY_DOWNLOAD is set, so that
// variable is removed for this one call. Dependencies are injected so the decision logic is unit-tested.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The binary's path when it is installed, else null (reads electron's path.txt afresh: no module cache). */
export function installedElectronBinary() {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    const pathFile = path.join(dir, 'path.txt');
    if (!fs.existsSync(pathFile)) return null;
    const bin = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Runs Electron's own installer; resolves to its exit status (null when it could not start or timed out). */
export function runElectronInstaller() {
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const r = spawnSync(process.execPath, [require.resolve('electron/install.js')], { stdio: 'inherit', env, timeout: 15 * 60_000 });
  return r.error ? null : r.status;
}

/**
 * True when the binary is (now) there. Prints one line before downloading and, when it fails, what to do.
 * deps: { binary(): string|null, install(): number|null, log(line), error(line) }
 */
export function ensureElectronBinary(deps) {
  if (deps.binary()) return true;
  deps.log("Electron's binary is not installed yet (npm skips its install script here): downloading it with Electron's own installer…");
  const status = deps.install();
  if (status === 0 && deps.binary()) return true;
  deps.error(
    `Could not download the Electron binary (${status === null ? 'the installer did not run to the end' : `installer exit code ${status}`}). ` +
      'Check the network or proxy (HTTPS_PROXY, ELECTRON_MIRROR) and run `npm start` again, or use the headless console meanwhile: npm run serve',
  );
  return false;
}
