import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, localActor, type CorePorts } from '@core/index';
import { createHandlers } from '@core/handlers/handlers';
import { dispatch } from '@core/handlers/dispatch';
import { contract, type Channel, type Input, type Output } from '@shared/ipc/contract';
import type { Actor } from '@shared/domain/actor';
import type { IpcResult } from '@shared/ipc/result';
import { createMemoryKeyStore } from '../fakes/memory-key-store';

export function tempDir(prefix = 'p1-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real core on a fresh temp data dir, plus an invoke() that goes through dispatch like every transport does.
 * The vault starts uninitialized; use makeReadyCore() for an unlocked one. The key store defaults to memory;
 * the vault's own suite passes the real OS keychain.
 */
export function makeTestCore(ports: CorePorts = {}, dataDir = tempDir()) {
  const core = createCore(
    { dataDir, mode: 'headless', version: '0.0.0-test', localUser: 'tester' },
    { keyStore: createMemoryKeyStore(), ...ports },
  );
  const handlers = createHandlers(core);
  const admin: Actor = localActor(core.config, 'ipc');
  async function invoke<C extends Channel>(channel: C, input: Input<C>, actor: Actor = admin): Promise<IpcResult<Output<C>>> {
    const r = await dispatch(handlers, channel, input, { actor }, core.logger);
    // Every successful output must satisfy its schema: this is what catches a secret leaking into a response.
    if (r.ok) contract[channel].output.parse(r.value);
    return r as IpcResult<Output<C>>;
  }
  return {
    core,
    handlers,
    admin,
    invoke,
    dataDir,
    close: () => {
      core.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function unwrap<T>(r: IpcResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export function count(db: { prepare(sql: string): { get(): unknown } }, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** makeTestCore with the vault initialized and unlocked. */
export async function makeReadyCore(ports: CorePorts = {}, dataDir = tempDir()) {
  const t = makeTestCore(ports, dataDir);
  await t.core.vault.initializeWithKeychain(t.admin);
  return t;
}
