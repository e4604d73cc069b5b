import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A random, unmistakable value to plant as a secret/credential and then hunt for. */
export const canary = (label = 'canary'): string => `${label}-${randomBytes(12).toString('hex')}`;

/** The forms a leaked value could take on disk: as is, base64, base64url, hex, UTF-16LE. */
function forms(value: string): Buffer[] {
  const b = Buffer.from(value, 'utf8');
  return [b, Buffer.from(b.toString('base64')), Buffer.from(b.toString('base64url')), Buffer.from(b.toString('hex')), Buffer.from(value, 'utf16le')];
}

/**
 * Every file under `dir` (database, -wal, -shm, logs, preference files, temp files) that contains any canary in
 * any of those forms. Tests assert this is empty. Extra roots (e.g. os.tmpdir() scratch dirs) can be passed.
 */
export function scanForCanaries(canaries: readonly string[], ...roots: string[]): Array<{ file: string; canary: string }> {
  const hits: Array<{ file: string; canary: string }> = [];
  const needles = canaries.map((c) => ({ c, fs: forms(c) }));
  const walk = (p: string) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    if (st.isDirectory()) return fs.readdirSync(p).forEach((e) => walk(path.join(p, e)));
    if (!st.isFile()) return;
    const data = fs.readFileSync(p);
    for (const n of needles) if (n.fs.some((f) => data.includes(f))) hits.push({ file: p, canary: n.c });
  };
  roots.forEach(walk);
  return hits;
}

/** Same hunt in arbitrary text (responses, logs captured in memory, audit rows as JSON). */
export function textContainsCanary(text: string, canaries: readonly string[]): string | null {
  for (const c of canaries) if (forms(c).some((f) => text.includes(f.toString()))) return c;
  return null;
}
