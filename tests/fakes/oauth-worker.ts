/**
 * A second app process for the cross-process tests: the real core on a shared data dir (key from the shared file
 * key store), started by tests/helpers/oauth-worker.ts through jiti. It waits for "go" on stdin, then either fires
 * `callers` concurrent getAccessToken calls and prints a JSON summary, or ("single") one call (used for kill -9).
 */
import readline from 'node:readline';
import { createCore } from '@core/index';
import { createFileKeyStore } from './file-key-store';

const cfg = JSON.parse(process.env.OAUTH_WORKER ?? '{}') as { dataDir: string; keyDir: string; connectionId: string; callers: number };
const core = createCore(
  { dataDir: cfg.dataDir, mode: 'headless', version: 'worker', localUser: 'worker' },
  { keyStore: createFileKeyStore(cfg.keyDir), oauthRefreshPolicy: { baseDelayMs: 5, maxDelayMs: 50, attempts: 3 } },
);
await core.start();
const rl = readline.createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true, pid: process.pid }));
for await (const line of rl) {
  if (line.trim() !== 'go') continue;
  const results = await Promise.allSettled(Array.from({ length: cfg.callers }, () => core.oauth.tokens.internal.getAccessToken(cfg.connectionId)));
  const tokens = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code ?? 'unknown'] : []));
  // Token values never leave the worker: only how many distinct ones it saw.
  console.log(JSON.stringify({ done: true, ok: results.length - errors.length, errors, distinctTokens: tokens.size }));
  break;
}
core.close();
process.exit(0);
