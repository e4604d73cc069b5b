import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestServerController } from '@core/http/rest-server-controller';
import { createCore } from '@core/index';
import { createHandlers } from '@core/handlers/handlers';
import { makeTestCore, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function desktopCore() {
  const t = makeTestCore();
  t.core.close();
  // Same data dir, desktop mode: REST is off until the admin turns it on.
  const core = createCore({ dataDir: t.dataDir, mode: 'desktop', version: 't', localUser: 'tester' }, { keyStore: createMemoryKeyStore() });
  const handlers = createHandlers(core);
  cleanups.push(() => t.close());
  cleanups.push(() => core.close());
  return { core, handlers, admin: t.admin };
}

describe('desktop REST server follows the setting', () => {
  it('is off by default, starts on the chosen port when enabled, and stops when disabled', async () => {
    const { core, handlers, admin } = desktopCore();
    const ctl = createRestServerController(core, handlers);
    cleanups.push(() => ctl.stop());
    await ctl.start();
    expect(core.settings.view().restApi).toMatchObject({ enabled: false, alwaysOn: false, baseUrl: null });

    const port = await freePort();
    core.settings.update({ restApi: { enabled: true, port } }, admin);
    await ctl.settled();
    const view = core.settings.view().restApi;
    expect(view.baseUrl).toBe(`http://127.0.0.1:${port}`);
    const r = await fetch(`${view.baseUrl}/workspaces`);
    expect(r.status).toBe(401); // served, and REST needs a credential
    // Local clients (the provenanceone CLI) find it through its record in the data dir: private, removed on stop.
    const record = path.join(core.config.dataDir, 'rest-api.json');
    expect(JSON.parse(fs.readFileSync(record, 'utf8'))).toEqual({ url: view.baseUrl, pid: process.pid });
    expect(fs.statSync(record).mode & 0o777).toBe(0o600);
    // REST only: the console bridge is not part of the desktop server.
    expect((await fetch(`${view.baseUrl}/ipc/session:info`, { method: 'POST' })).status).toBe(404);

    core.settings.update({ restApi: { enabled: false } }, admin);
    await ctl.settled();
    expect(core.settings.view().restApi.baseUrl).toBeNull();
    expect(fs.existsSync(record)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    expect(core.audit.list({ workspaceId: core.workspaces.defaultWorkspace().id, action: 'settings.updated' }, admin).items).toHaveLength(2);
  });

  it('reports a port that is taken instead of failing silently', async () => {
    const { core, handlers, admin } = desktopCore();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as net.AddressInfo).port;
    const ctl = createRestServerController(core, handlers);
    cleanups.push(() => ctl.stop());
    await ctl.start();
    core.settings.update({ restApi: { enabled: true, port } }, admin);
    await ctl.settled();
    expect(core.settings.view().restApi).toMatchObject({ baseUrl: null, problem: `port ${port} is already in use; choose another port` });
  });
});

describe('settings channels', () => {
  it('only an admin may change settings; anyone signed in may read them', async () => {
    const t = makeTestCore();
    cleanups.push(() => t.close());
    const as = roleActors(t.core);
    const ws = t.core.workspaces.defaultWorkspace().id;
    const viewer = as('viewer', ws);
    expect(unwrap(await t.invoke('settings:get', undefined, viewer)).restApi.enabled).toBe(false);
    const denied = await t.invoke('settings:update', { restApi: { enabled: true } }, viewer);
    expect(denied).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(t.core.settings.get().restApi.enabled).toBe(false);
    const ok = unwrap(await t.invoke('settings:update', { restApi: { enabled: true, port: 5000 } }, as('admin', ws)));
    expect(ok.restApi).toMatchObject({ enabled: true, port: 5000, alwaysOn: true });
  });
});
