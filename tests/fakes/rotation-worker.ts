/**
 * A second (and third) app process for the scheduled-rotation test: the real core on a shared data dir (key from
 * the shared file key store), its clock fixed at `now`. Started by tests/helpers/core-worker.ts through jiti. On
 * "go" it runs the scheduler `ticks` times and prints what its logger saw go wrong (never a value: only messages)
 * and how many times the rotation claim was turned away busy and retried.
 */
import readline from 'node:readline';
import { createCore } from '@core/index';
import type { Logger } from '@core/ports';
import { createFileKeyStore } from './file-key-store';

const cfg = JSON.parse(process.env.CORE_WORKER ?? '{}') as { dataDir: string; keyDir: string; now: string; ticks: number };
const problems: string[] = [];
let busyRetries = 0;
const logger: Logger = {
  log: (level, message) => {
    if (level === 'warn' || level === 'error') problems.push(message);
    else if (message.startsWith('secrets rotation: database busy')) busyRetries += 1;
  },
};
const core = createCore(
  { dataDir: cfg.dataDir, mode: 'headless', version: 'worker', localUser: 'worker' },
  // A long busy timeout: a claim that waits for the other process's write lock waits inside SQLite, so any retry
  // the rotation job logs is a claim that failed at once (a read snapshot it had to throw away), never a slow machine.
  { keyStore: createFileKeyStore(cfg.keyDir), clock: { now: () => new Date(cfg.now) }, logger, busyTimeoutMs: 30_000 },
);
await core.start();
const rl = readline.createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true, pid: process.pid, unlocked: core.vault.isUnlocked() }));
for await (const line of rl) {
  if (line.trim() !== 'go') continue;
  for (let i = 0; i < cfg.ticks; i++) await core.scheduler.runDue();
  console.log(JSON.stringify({ done: true, problems, busyRetries }));
  break;
}
core.close();
process.exit(0);
