/**
 * A second (and third) app process for the concurrent-saves test: the real core on a shared data dir. On "go" it
 * saves the given workflow `saves` times as fast as it can (each save a new version) and prints the versions it got
 * and every error code it met (never a value).
 */
import readline from 'node:readline';
import { createCore, localActor } from '@core/index';
import { AppError } from '@core/errors';
import { createMemoryKeyStore } from './memory-key-store';

const cfg = JSON.parse(process.env.CORE_WORKER ?? '{}') as { dataDir: string; workspaceId: string; id: string; saves: number; label: string };
const core = createCore({ dataDir: cfg.dataDir, mode: 'headless', version: 'worker', localUser: `worker-${cfg.label}` }, { keyStore: createMemoryKeyStore() });
const actor = localActor(core.config);
const rl = readline.createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true, pid: process.pid }));
for await (const line of rl) {
  if (line.trim() !== 'go') continue;
  const versions: number[] = [];
  const errors: string[] = [];
  for (let i = 0; i < cfg.saves; i++) {
    try {
      const current = core.workflows.get({ workspaceId: cfg.workspaceId, id: cfg.id }, actor);
      const saved = core.workflows.update({ workspaceId: cfg.workspaceId, id: cfg.id, definition: { ...current.definition, description: `${cfg.label} ${i}` } }, actor);
      versions.push(saved.version);
    } catch (e) {
      errors.push(e instanceof AppError ? e.code : e instanceof Error ? e.name : 'unknown');
    }
    // Let the other process in between saves.
    await new Promise((r) => setImmediate(r));
  }
  console.log(JSON.stringify({ done: true, versions, errors }));
  break;
}
core.close();
process.exit(0);
