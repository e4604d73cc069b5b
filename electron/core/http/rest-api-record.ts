import fs from 'node:fs';
import path from 'node:path';

/** `<dataDir>/rest-api.json`: where this data dir's running app serves its REST API, for local clients (the CLI). */
export const REST_API_RECORD = 'rest-api.json';

export type RestApiRecord = { url: string; pid: number };

/**
 * Written (0600, atomically: a reader never sees half a file) when the REST API listens, removed on a clean stop.
 * A record left by a crashed process names a pid that is gone; readers check that (the CLI does) before trusting it.
 * Never fatal: the API works without it, a client then needs PROVENANCE_URL.
 */
export function writeRestApiRecord(dataDir: string, url: string, pid = process.pid): void {
  const file = path.join(dataDir, REST_API_RECORD);
  const tmp = `${file}.${pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify({ url, pid } satisfies RestApiRecord), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/** Removes the record if it is still this process's (another process on the data dir may have written its own since). */
export function removeRestApiRecord(dataDir: string, pid = process.pid): void {
  const file = path.join(dataDir, REST_API_RECORD);
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RestApiRecord>;
    if (record.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // No record, or not ours to judge: leave it.
  }
}
