import fs from 'node:fs';
import path from 'node:path';

/**
 * The data dir is 0700 and every file in it 0600 (Signal's ensureFilePermissions): credentials are encrypted,
 * but metadata (names, audit trail) is still nobody else's business on a shared workstation.
 */
export function ensureDataDir(dataDir: string): void {
  if (!path.isAbsolute(dataDir)) throw new Error(`data dir must be an absolute path: ${dataDir}`);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
}

export function tightenPermissions(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      fs.chmodSync(p, 0o700);
      tightenPermissions(p);
    } else if (entry.isFile()) {
      fs.chmodSync(p, 0o600);
    }
  }
}

/** Creates (or opens) a file with 0600 before anything else can create it with looser bits. */
export function touchPrivate(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}
