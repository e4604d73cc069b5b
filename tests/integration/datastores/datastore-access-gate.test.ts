import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roleAllows, scopesAllow, type Operation } from '@shared/access/policy';
import type { Actor } from '@shared/domain/actor';
import { count, makeReadyCore, tempDir } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';

/**
 * One home for authorization: every datastore service method that reads or changes data checks the POLICY table
 * itself (handlers only parse and call), so it is called here directly, as every transport calls it. Each is
 * called by a viewer, by a read-only API key, by a user with no role in the workspace, and by an admin of another
 * workspace naming their own workspace with this one's datastore; each is refused exactly where POLICY says so,
 * and a refusal changes nothing. The completeness check at the end fails as soon as a method is added to
 * `core.datastores` (every datastore service's methods, side by side) without being listed here.
 */

type T = Awaited<ReturnType<typeof makeReadyCore>>;
let t: T;
let ws: string;
let otherWs: string;
let dsId: string;
let file: string;
let dir: string;

beforeEach(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  otherWs = t.core.workspaces.create('Elsewhere', t.admin).id;
  dsId = (await t.core.datastores.create(t.admin, { workspaceId: ws, name: 'Gated' })).id;
  await t.core.datastores.putText(t.admin, { workspaceId: ws, datastoreId: dsId, key: 'seed.txt', content: 'seed' });
  dir = tempDir('p1-gate-');
  file = path.join(dir, 'drop.bin');
  fs.writeFileSync(file, 'dropped');
});
afterEach(() => {
  t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One call of a method, as `actor`, naming workspace `w`. */
type Call = (actor: Actor, w: string) => Promise<unknown> | unknown;
type Checked = { op: Operation; call: Call };

const ds = () => t.core.datastores;

/** Every method that reads or changes data, with the POLICY operation that must gate it (a row per kind of call). */
const CHECKED: Record<string, Checked[]> = {
  create: [
    { op: 'datastore.create', call: (a, w) => ds().create(a, { workspaceId: w, name: 'gate-new' }) },
    // A folder of one's own choosing is a filesystem permission: admin only (the managed folder is everyone's who may create).
    { op: 'datastore.manage_folder', call: (a, w) => ds().create(a, { workspaceId: w, name: 'gate-folder', backend: { type: 'filesystem', path: path.join(dir, 'chosen') } }) },
  ],
  list: [{ op: 'datastore.list', call: (a, w) => ds().list(a, { workspaceId: w }) }],
  get: [{ op: 'datastore.list', call: (a, w) => ds().get(a, w, dsId) }],
  remove: [{ op: 'datastore.delete', call: (a, w) => ds().remove(a, w, dsId, true) }],
  test: [{ op: 'datastore.object_write', call: (a, w) => ds().test(a, w, dsId) }],
  reattach: [{ op: 'datastore.manage_folder', call: (a, w) => ds().reattach(a, w, dsId) }],
  usage: [{ op: 'datastore.list', call: (a, w) => ds().usage(a, w) }],
  listObjects: [{ op: 'datastore.object_read', call: (a, w) => ds().listObjects(a, { workspaceId: w, datastoreId: dsId }) }],
  head: [{ op: 'datastore.object_read', call: (a, w) => ds().head(a, w, dsId, 'seed.txt') }],
  read: [
    {
      op: 'datastore.object_read',
      call: async (a, w) => {
        const { stream } = await ds().read(a, w, dsId, 'seed.txt');
        stream.destroy();
      },
    },
  ],
  preview: [{ op: 'datastore.object_read', call: (a, w) => ds().preview(a, w, dsId, 'seed.txt') }],
  putStream: [{ op: 'datastore.object_write', call: (a, w) => ds().putStream(a, w, dsId, 'gate/stream.txt', Readable.from([Buffer.from('x')])) }],
  putText: [{ op: 'datastore.object_write', call: (a, w) => ds().putText(a, { workspaceId: w, datastoreId: dsId, key: 'gate/text.txt', content: 'x' }) }],
  uploadFromPath: [{ op: 'datastore.object_write', call: (a, w) => ds().uploadFromPath(a, { workspaceId: w, datastoreId: dsId, key: 'gate/drop.bin', path: file }) }],
  deleteObject: [{ op: 'datastore.object_write', call: (a, w) => ds().deleteObject(a, w, dsId, 'seed.txt') }],
  putResumable: [
    {
      op: 'datastore.object_write',
      call: (a, w) => ds().putResumable(a, { workspaceId: w, datastoreId: dsId, key: 'gate/resumable.bin', body: Readable.from([Buffer.from('x')]), length: 1, fingerprint: 'gate-fingerprint-0123456789', offset: 0 }),
    },
  ],
  uploadStatus: [{ op: 'datastore.object_write', call: (a, w) => ds().uploadStatus(a, { workspaceId: w, datastoreId: dsId, key: 'gate/resumable.bin', size: 1, fingerprint: 'gate-fingerprint-0123456789' }) }],
  createUploadUrl: [{ op: 'datastore.object_write', call: (a, w) => ds().createUploadUrl(a, { workspaceId: w, datastoreId: dsId, key: 'gate/url.txt', contentType: 'text/plain' }) }],
  runStorageStep: [
    { op: 'datastore.object_write', call: (a, w) => ds().runStorageStep(a, { action: 'put', workspaceId: w, datastoreId: dsId, key: 'gate/step.txt', content: 'x' }) },
    { op: 'datastore.object_read', call: (a, w) => ds().runStorageStep(a, { action: 'get', workspaceId: w, datastoreId: dsId, key: 'seed.txt' }) },
  ],
  saveAs: [{ op: 'datastore.object_read', call: (a, w) => ds().saveAs(a, w, dsId, 'seed.txt') }],
};

/** Bound to the actor rather than to a POLICY row: tested below on their own terms. */
const OWN_UPLOADS_ONLY = ['cancelUpload'] as const;

/** Methods with no caller to check, each with why. */
const INTERNAL: Record<string, string> = {
  recover: 'crash recovery when the vault is unlocked: no caller, and it only removes bytes no row points at, in folders carrying their datastore’s mark',
  close: 'shutdown of the core: aborts uploads and closes backends',
  setLocalApiUrl: 'wiring by the HTTP server: where filesystem upload URLs point',
  setUploadEndpointStarter: "wiring by the desktop shell: how to start its loopback upload endpoint on demand",
  sweepResumableUploads: 'housekeeping (on resumable-upload calls and at vault unlock): drops expired resume records and aborts their S3 uploads; no caller',
  putWithUploadToken: 'no actor: the HMAC-signed token is the grant (its refusals: datastore-http.test.ts); minting one is createUploadUrl, checked above',
};

/** What a call came to: 'ok', or the code of the error it was refused with. */
async function outcome(call: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

/** What a refused call must not have changed. */
const snapshot = () => ({
  datastores: count(t.core.db, 'datastores'),
  objects: count(t.core.db, 'datastore_objects'),
  pending: count(t.core.db, 'datastore_pending_uploads'),
  audit: count(t.core.db, 'audit_events'),
});

describe('datastore services: one home for authorization', () => {
  /** Methods that act on the workspace named rather than on a datastore: an admin elsewhere may use them there. */
  const WORKSPACE_WIDE = new Set(['create', 'list', 'usage']);
  const principals: Array<{ name: string; actor: (as: ReturnType<typeof roleActors>) => Actor; allows: (op: Operation) => boolean; names: 'this' | 'own' }> = [
    { name: 'a viewer', actor: (as) => as('viewer', ws), allows: (op) => roleAllows('viewer', op), names: 'this' },
    {
      name: 'a datastores:read API key',
      actor: () => {
        const k = t.core.apiKeys.create({ workspaceId: ws, name: 'gate-read', scopes: ['datastores:read'] }, t.admin);
        return { kind: 'apiKey', id: k.id, name: k.name, origin: '127.0.0.1' };
      },
      allows: (op) => scopesAllow(['datastores:read'], op),
      names: 'this',
    },
    { name: 'a user with no role in the workspace', actor: (as) => as('admin', otherWs, 'outsider'), allows: () => false, names: 'this' },
    { name: 'an admin of another workspace, naming theirs', actor: (as) => as('admin', otherWs, 'foreign-admin'), allows: () => false, names: 'own' },
  ];

  it.each(principals.map((p) => [p.name, p] as const))('%s is refused exactly where POLICY says so, and a refusal changes nothing', async (_name, p) => {
    const actor = p.actor(roleActors(t.core));
    const w = p.names === 'this' ? ws : otherWs;
    const results: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const [method, rows] of Object.entries(CHECKED)) {
      if (p.names === 'own' && WORKSPACE_WIDE.has(method)) continue;
      for (const row of rows) {
        const before = snapshot();
        const got = await outcome(() => row.call(actor, w));
        const allowed = p.allows(row.op);
        (results[method] ??= []).push(got === 'FORBIDDEN' ? 'refused' : allowed ? 'allowed' : `not refused (${got})`);
        (expected[method] ??= []).push(allowed ? 'allowed' : 'refused');
        if (got === 'FORBIDDEN') expect(snapshot(), `${method} changed data although it was refused`).toEqual(before);
      }
    }
    expect(results).toEqual(expected);
  });

  it('only the actor who started an upload can cancel it', async () => {
    const as = roleActors(t.core);
    const body = new Readable({ read() {} });
    body.push(Buffer.alloc(64 * 1024));
    // The upload is registered under its id before putStream returns.
    const running = ds().putStream(t.admin, ws, dsId, 'gate/slow.bin', body, { uploadId: 'gate-upload' });
    for (const actor of [as('viewer', ws), as('editor', ws, 'another-editor'), as('admin', otherWs, 'outsider')]) {
      expect(ds().cancelUpload(actor, 'gate-upload')).toEqual({ cancelled: false });
    }
    body.push(Buffer.alloc(64 * 1024));
    body.push(null);
    await expect(running).resolves.toMatchObject({ key: 'gate/slow.bin', size: 128 * 1024 });
    expect(ds().cancelUpload(t.admin, 'gate-upload')).toEqual({ cancelled: false }); // over: nothing left to cancel
  });

  it('lists every method of the datastore services: checked, bound to its own caller, or internal with a reason', () => {
    const methods = Object.entries(t.core.datastores)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    const listed = [...Object.keys(CHECKED), ...OWN_UPLOADS_ONLY, ...Object.keys(INTERNAL)].sort();
    expect(methods).toEqual(listed);
    for (const reason of Object.values(INTERNAL)) expect(reason.length).toBeGreaterThan(10);
  });
});
