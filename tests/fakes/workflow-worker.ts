/**
 * A second (and third) app process for the workflow scheduler and interrupted-run tests: the real core on a shared
 * data dir (key from the shared file key store), its clock fixed at `now`. Started by tests/helpers/core-worker.ts.
 * - mode 'schedule': on "go" runs the scheduler `ticks` times, waits until it executes nothing, and reports what its
 *   logger saw go wrong (messages only, never values).
 * - mode 'hang': its `http` kind never ends; on "go" it starts `workflowId` and reports `inStep` once the hanging
 *   step runs (the test then SIGKILLs it mid-run).
 */
import readline from 'node:readline';
import { createCore, localActor } from '@core/index';
import type { Logger } from '@core/ports';
import { createFileKeyStore } from './file-key-store';

const cfg = JSON.parse(process.env.CORE_WORKER ?? '{}') as {
  dataDir: string;
  keyDir: string;
  now: string;
  mode: 'schedule' | 'hang';
  ticks?: number;
  workspaceId?: string;
  workflowId?: string;
};
const problems: string[] = [];
const logger: Logger = {
  log: (level, message) => {
    if (level === 'warn' || level === 'error') problems.push(message);
  },
};
const core = createCore(
  { dataDir: cfg.dataDir, mode: 'headless', version: 'worker', localUser: 'worker' },
  { keyStore: createFileKeyStore(cfg.keyDir), clock: { now: () => new Date(cfg.now) }, logger, busyTimeoutMs: 30_000 },
);
if (cfg.mode === 'hang') {
  core.runs.internal.steps.replace({
    kind: 'http',
    references: () => ({}),
    run: (_config, ctx) => {
      // Reported after the runner's next batch of step transitions is written (it is queued before this call).
      setImmediate(() => console.log(JSON.stringify({ done: true, inStep: true, runId: ctx.runId })));
      return new Promise(() => {});
    },
  });
}
await core.start();
const rl = readline.createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true, pid: process.pid, unlocked: core.vault.isUnlocked() }));
for await (const line of rl) {
  if (line.trim() !== 'go') continue;
  if (cfg.mode === 'hang') {
    core.runs.start(localActor(core.config), { workspaceId: cfg.workspaceId!, id: cfg.workflowId! });
    continue; // reported by the step; the test kills this process
  }
  for (let i = 0; i < (cfg.ticks ?? 1); i++) await core.scheduler.runDue();
  await core.runs.internal.idle();
  console.log(JSON.stringify({ done: true, problems }));
  break;
}
core.close();
process.exit(0);
