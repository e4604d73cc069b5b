import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeReadyCore, tempDir, unwrap } from '../../helpers/test-core';
import { canary } from '../../helpers/canary';

// "Save as…" of the desktop app: the OS dialog is a port (Electron's dialog in the shell); here it answers with a
// path in a temp folder, or null as a cancelled dialog does.
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((f) => f()));

async function setup(answer: (o: { defaultName: string }) => string | null) {
  const asked: string[] = [];
  const t = await makeReadyCore({ chooseSavePath: async (o) => (asked.push(o.defaultName), answer(o)) });
  const out = tempDir();
  cleanup.push(() => t.close(), () => fs.rmSync(out, { recursive: true, force: true }));
  const ws = t.core.workspaces.defaultWorkspace().id;
  const ds = unwrap(await t.invoke('datastores:create', { workspaceId: ws, name: 'Reports' }));
  return { t, ws, ds, out, asked };
}

describe('save an object as a file (desktop)', () => {
  it('writes the decrypted bytes to the chosen path, offering the key\'s last segment as the name', async () => {
    let target = '';
    const { t, ws, ds, out, asked } = await setup(() => target);
    target = path.join(out, 'q3.csv');
    const content = `id,value\n1,${canary('save-as')}\n`;
    unwrap(await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: 'reports/2026/q3.csv', content }));
    const r = unwrap(await t.invoke('datastores:objects:saveAs', { workspaceId: ws, datastoreId: ds.id, key: 'reports/2026/q3.csv' }));
    expect(r).toEqual({ saved: true, path: target, size: Buffer.byteLength(content) });
    expect(asked).toEqual(['q3.csv']);
    const saved = fs.readFileSync(target);
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    // Only the file itself: no temp file left beside it.
    expect(fs.readdirSync(out)).toEqual(['q3.csv']);
  });

  it('a cancelled dialog writes nothing', async () => {
    const { t, ws, ds, out } = await setup(() => null);
    unwrap(await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: 'a.txt', content: 'x' }));
    expect(unwrap(await t.invoke('datastores:objects:saveAs', { workspaceId: ws, datastoreId: ds.id, key: 'a.txt' }))).toEqual({ saved: false, path: null, size: 1 });
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a folder that cannot be written gets an error that says what to do, and leaves nothing behind', async () => {
    let target = '';
    const { t, ws, ds, out } = await setup(() => target);
    // A regular file where the folder should be: refused for every user, root included.
    fs.writeFileSync(path.join(out, 'not-a-folder'), '');
    target = path.join(out, 'not-a-folder', 'a.txt');
    unwrap(await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: 'a.txt', content: 'x' }));
    const r = await t.invoke('datastores:objects:saveAs', { workspaceId: ws, datastoreId: ds.id, key: 'a.txt' });
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('choose a folder you can write to') } });
    expect(fs.readdirSync(out)).toEqual(['not-a-folder']);
  });

  it('a missing object is NOT_FOUND before any dialog opens; the console (no dialog) is told to use Download', async () => {
    const { t, ws, ds, asked } = await setup(() => '/nowhere');
    expect(await t.invoke('datastores:objects:saveAs', { workspaceId: ws, datastoreId: ds.id, key: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(asked).toEqual([]);
    const headless = await makeReadyCore();
    cleanup.push(() => headless.close());
    const hws = headless.core.workspaces.defaultWorkspace().id;
    const hds = unwrap(await headless.invoke('datastores:create', { workspaceId: hws, name: 'R' }));
    unwrap(await headless.invoke('datastores:objects:putText', { workspaceId: hws, datastoreId: hds.id, key: 'a.txt', content: 'x' }));
    expect(await headless.invoke('datastores:objects:saveAs', { workspaceId: hws, datastoreId: hds.id, key: 'a.txt' })).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION_FAILED', message: expect.stringContaining('use Download') },
    });
  });
});
