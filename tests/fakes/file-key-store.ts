import fs from 'node:fs';
import path from 'node:path';
import type { KeyStore } from '@core/ports';

/**
 * A KeyStore two test processes can share (the OS keychain is per session and the memory one per process). It
 * lives in its own temp dir, outside the data dir the canary scans read. Tests only.
 */
export function createFileKeyStore(dir: string): KeyStore {
  const file = (account: string) => path.join(dir, `${account.replace(/[^\w.-]/g, '_')}.key`);
  return {
    kind: 'test-file',
    get: async (a) => (fs.existsSync(file(a)) ? fs.readFileSync(file(a), 'utf8') : null),
    set: async (a, v) => fs.writeFileSync(file(a), v, { mode: 0o600 }),
    delete: async (a) => {
      const had = fs.existsSync(file(a));
      fs.rmSync(file(a), { force: true });
      return had;
    },
  };
}
