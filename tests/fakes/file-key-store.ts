import fs from 'node:fs';
import type { KeyStore } from '@core/ports';

/**
 * A KeyStore in a JSON file OUTSIDE the data dir, for tests where several processes must share one vault key
 * (crash tests). Test-only: the app never keeps a master key in a file.
 */
export function createFileKeyStore(file: string): KeyStore {
  const read = (): Record<string, string> => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {});
  return {
    kind: 'test-file',
    get: async (a) => read()[a] ?? null,
    set: async (a, v) => fs.writeFileSync(file, JSON.stringify({ ...read(), [a]: v }), { mode: 0o600 }),
    delete: async (a) => {
      const m = read();
      const had = a in m;
      delete m[a];
      fs.writeFileSync(file, JSON.stringify(m));
      return had;
    },
  };
}
