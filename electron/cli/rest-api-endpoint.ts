import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './cli-error';

/** Same folder the app uses (electron/core/config.ts defaultDataDir, kept in step; the CLI must not load the core for it). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PROVENANCE_DATA_DIR) return path.resolve(env.PROVENANCE_DATA_DIR);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'ProvenanceOne');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'ProvenanceOne');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'ProvenanceOne');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The REST API's base URL: PROVENANCE_URL, else the running app's record in the data dir (`rest-api.json`, written
 * by the app when its REST API listens; a record whose process is gone is ignored). Only loopback http URLs.
 */
export function restBaseUrl(env: NodeJS.ProcessEnv, dataDir: string): string {
  let url = env.PROVENANCE_URL;
  if (!url) {
    const file = path.join(dataDir, 'rest-api.json');
    let record: { url?: unknown; pid?: unknown } | null = null;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as { url?: unknown; pid?: unknown };
    } catch {
      record = null;
    }
    if (!record || typeof record.url !== 'string' || (typeof record.pid === 'number' && !alive(record.pid))) {
      throw new CliError(
        'UNREACHABLE',
        `no running ProvenanceOne app found for ${dataDir} (start it, set PROVENANCE_URL, or use --data-dir DIR to work without it)`,
      );
    }
    url = record.url;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('USAGE', 'PROVENANCE_URL is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError('USAGE', 'PROVENANCE_URL must be an http(s) URL');
  return parsed.origin;
}
