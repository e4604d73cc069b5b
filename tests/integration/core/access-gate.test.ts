import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import { POLICY, SCOPES, roleAllows, type Operation, type Scope } from '@shared/access/policy';
import { AppError } from '@core/errors';
import { makeReadyCore } from '../../helpers/test-core';

/**
 * One home for authorization: every method of these services that reads or changes data checks the caller itself,
 * whatever transport (IPC, REST, the console, the scheduler, a future CLI) calls it. Each method is called directly
 * (no handler in between) with a viewer, an editor, an actor that has no role in the workspace (an admin of another
 * one) and an API key without a granting scope, and must be refused exactly where POLICY refuses, changing nothing;
 * where POLICY allows, the same call must pass the gate.
 *
 * Completeness: every function-valued member of each service object (and every member object holding functions,
 * like the vault's `internals`) is listed here, as checked, open or internal with a reason. A new method that is in
 * none of the lists fails the test, so it cannot ship without a decision about its gate.
 */

let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let other: string;
let viewer: Actor;
let editor: Actor;
let outsider: Actor;
let target: { id: string; username: string };
let n = 0;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  other = t.core.workspaces.create('Elsewhere', t.admin).id;
  const user = async (role: Role, workspaceId: string): Promise<Actor> => {
    const u = await t.core.users.create({ workspaceId, username: `${role}-${++n}`, password: PASSWORD, role }, t.admin);
    return { kind: 'user', id: u.id, name: u.username, origin: '127.0.0.1' };
  };
  viewer = await user('viewer', ws);
  editor = await user('editor', ws);
  // An admin, but of another workspace only: workspace isolation says nothing here.
  outsider = await user('admin', other);
  const v = await t.core.users.create({ workspaceId: ws, username: 'target-user', password: PASSWORD, role: 'viewer' }, t.admin);
  target = { id: v.id, username: v.username };
});
afterAll(() => t.close());

const keys = new Map<string, Actor>();
/** A real API key of the workspace holding exactly `scopes`. */
function keyWith(scopes: readonly Scope[]): Actor {
  const label = [...scopes].sort().join(',');
  let actor = keys.get(label);
  if (!actor) {
    const k = t.core.apiKeys.create({ workspaceId: ws, name: `key ${++n}`, scopes: [...scopes] }, t.admin);
    actor = { kind: 'apiKey', id: k.id, name: k.name, origin: '192.0.2.1' };
    keys.set(label, actor);
  }
  return actor;
}

/** Every scope except `admin` and those that grant `op`. */
const scopesWithout = (op: Operation): Scope[] => SCOPES.filter((s) => s !== 'admin' && !(POLICY[op].scopes as readonly string[]).includes(s));

// Fixtures, made by the admin before each call, so an allowed call can consume them.
let fixture = 0;
const newSecret = (name = `s-${++fixture}`) => t.core.secrets.create({ workspaceId: ws, name, value: 'v1' }, t.admin);
const newRotatedSecret = () => {
  const s = newSecret();
  return t.core.secrets.rotate({ workspaceId: ws, id: s.id, value: 'v2' }, t.admin);
};

/** `prepare` makes the call's fixtures (as the admin) and returns the call itself, made as `actor`. */
type Gated = { op: Operation; prepare: () => (actor: Actor) => unknown };

/** A call with no fixture of its own. */
const gate = (op: Operation, call: (actor: Actor) => unknown): Gated => ({ op, prepare: () => call });

/** A fresh secret (made by the admin) for each call, so an allowed call can consume it. */
const onSecret = (op: Operation, call: (id: string, actor: Actor) => unknown, make: () => { id: string } = newSecret): Gated => ({
  op,
  prepare: () => {
    const { id } = make();
    return (a) => call(id, a);
  },
});

/** Methods that check the caller: each refuses where POLICY refuses (in the Default workspace, which is `ws`). */
const CHECKED: Record<string, Gated> = {
  'workspaces.create': gate('workspace.create', (a) => t.core.workspaces.create(`w-${++fixture}`, a)),
  'workspaces.rename': gate('workspace.rename', (a) => t.core.workspaces.rename(ws, 'Default', a)),
  'audit.list': gate('audit.read', (a) => t.core.audit.list({ workspaceId: ws }, a)),
  'audit.exportLog': gate('audit.read', (a) => t.core.audit.exportLog({ workspaceId: ws, format: 'csv' }, a)),
  'settings.update': gate('settings.manage', (a) => t.core.settings.update({ restApi: { port: 4999 } }, a)),
  'users.list': gate('user.manage', (a) => t.core.users.list({ workspaceId: ws }, a)),
  'users.create': gate('user.manage', (a) => t.core.users.create({ workspaceId: ws, username: `new-${++fixture}`, password: PASSWORD, role: 'viewer' }, a)),
  'users.update': gate('user.manage', (a) => t.core.users.update({ workspaceId: ws, id: target.id, role: 'viewer' }, a)),
  'users.remove': gate('user.manage', (a) => t.core.users.remove({ workspaceId: ws, id: target.id }, a)),
  'apiKeys.create': gate('apikey.manage', (a) => t.core.apiKeys.create({ workspaceId: ws, name: `k-${++fixture}`, scopes: ['audit:read'] }, a)),
  'apiKeys.list': gate('apikey.manage', (a) => t.core.apiKeys.list({ workspaceId: ws }, a)),
  'apiKeys.remove': {
    op: 'apikey.manage',
    prepare: () => {
      const k = t.core.apiKeys.create({ workspaceId: ws, name: `k-${++fixture}`, scopes: ['audit:read'] }, t.admin);
      return (a) => t.core.apiKeys.remove({ workspaceId: ws, id: k.id }, a);
    },
  },
  'vault.initializeWithKeychain': gate('vault.manage', (a) => t.core.vault.initializeWithKeychain(a)),
  'vault.initializeWithPassphrase': gate('vault.manage', (a) => t.core.vault.initializeWithPassphrase('a new vault passphrase', a)),
  'vault.unlockWithKeychain': gate('vault.manage', (a) => t.core.vault.unlockWithKeychain(a)),
  'vault.unlockWithPassphrase': gate('vault.manage', (a) => t.core.vault.unlockWithPassphrase('a vault passphrase', a)),
  'vault.unlock': gate('vault.manage', (a) => t.core.vault.unlock(a)),
  'vault.lock': gate('vault.manage', (a) => t.core.vault.lock(a)),
  'vault.rotateMasterKey': gate('vault.manage', (a) => t.core.vault.rotateMasterKey(a)),
  'vault.rotateDataKey': gate('vault.manage', (a) => t.core.vault.rotateDataKey(a)),
  'vault.setAutoLock': gate('vault.manage', (a) => t.core.vault.setAutoLock(1, a)),
  'vaultBackup.exportBackup': gate('vault.manage', (a) => t.core.vaultBackup.exportBackup('a backup passphrase', a)),
  'vaultBackup.restoreBackup': gate('vault.manage', (a) => t.core.vaultBackup.restoreBackup(Buffer.from('not a backup'), 'x', { mode: 'keychain' }, a)),
  'secrets.create': gate('secret.write', (a) => t.core.secrets.create({ workspaceId: ws, name: `c-${++fixture}`, value: 'v' }, a)),
  'secrets.list': gate('secret.list', (a) => t.core.secrets.list({ workspaceId: ws }, a)),
  'secrets.get': onSecret('secret.list', (id, a) => t.core.secrets.get(ws, id, a)),
  'secrets.update': onSecret('secret.write', (id, a) => t.core.secrets.update({ workspaceId: ws, id, description: 'changed' }, a)),
  'secrets.rotate': onSecret('secret.rotate', (id, a) => t.core.secrets.rotate({ workspaceId: ws, id, value: 'v2' }, a)),
  'secrets.rollback': onSecret('secret.rollback', (id, a) => t.core.secrets.rollback({ workspaceId: ws, id, version: 1 }, a), newRotatedSecret),
  'secrets.remove': onSecret('secret.write', (id, a) => t.core.secrets.remove({ workspaceId: ws, id }, a)),
  'secrets.reveal': onSecret('secret.reveal', (id, a) => t.core.secrets.reveal(ws, id, a)),
};

/** Methods that answer every caller, each only with what that caller may see (asserted below). */
const OPEN: Record<string, string> = {
  'workspaces.list': 'answers only the workspaces the caller holds a grant in',
  'session.info': "describes only the caller's own grants (the first screen, before sign-in too)",
  'session.me': "describes only the caller's own grants in one workspace (GET /me)",
  'settings.view': 'not secret (a switch and a port); every signed-in screen shows it',
  'vault.status': 'the setup and unlock screens need it before anyone is signed in',
  'vault.checkKeychain': 'the setup screen asks before anyone is signed in whether the keychain can be chosen; it reads an account never written',
  'users.login': 'sign-in: the caller has no credential yet (throttled and audited)',
};

/** The system's own methods: no transport reaches them with a caller's input. */
const INTERNAL: Record<string, string> = {
  'workspaces.get': 'the transports resolve x-workspace-id with it before any check',
  'workspaces.ensureDefault': 'start-up creates the Default workspace',
  'workspaces.defaultWorkspace': 'where installation-wide acts are checked; the transports default to it',
  'audit.record': "services append their events inside their own checked transactions",
  'audit.withAudit': 'a change and its event in one transaction, for services after their own check',
  'audit.latest': "a target's last event, read by services after their own check (a secret's last access)",
  'audit.catchUp': 'brings the lookup index up to date; returns nothing',
  'settings.get': 'the REST server runner reads the switch and port',
  'settings.reportRestStatus': 'the REST server runner reports where it listens',
  'users.roleIn': "the access service's grant resolver",
  'users.authenticate': 'the REST edge turns a bearer token into an actor before any check',
  'apiKeys.registerOwnerKey': 'start-up registers PROVENANCE_ADMIN_API_KEY',
  'apiKeys.authenticate': 'the REST edge turns a presented key into an actor before any check',
  'apiKeys.scopesIn': "the access service's grant resolver",
  'vault.isUnlocked': 'VaultPort: services ask it after their own check',
  'vault.seal': 'VaultPort: services seal values after their own check',
  'vault.open': 'VaultPort: services open values after their own check',
  'vault.lockIfIdle': 'the scheduler auto-locks an idle passphrase vault',
  'vault.exclusive': 'serializes key-changing actions (backup and restore use it after their check)',
  'vault.forget': 'process shutdown drops the keys from memory',
  'vault.internals': 'raw pieces and the gate for backup/restore, never exposed over a transport',
  'secrets.rotationJob': 'the scheduler rotates due secrets as the system actor',
  'secrets.readForRuntime': "core code uses a secret on the admin's behalf, after its own service's check",
  'references.set': 'written by services inside their own checked transactions',
  'references.clearFrom': 'written by services inside their own checked transactions',
  'references.clearTo': 'written by services inside their own checked transactions',
  'references.onTargetRemoved': 'composition-root wiring: how a referrer lets go of a target deleted with force',
  'references.referencesTo': 'read by services after their own check (a secret or connection detail)',
  'access.allowed': 'the gate itself',
  'access.assert': 'the gate itself',
  'access.grantFor': 'the gate itself',
  'access.registerResolver': 'wiring at start-up',
};

const services = () =>
  ({
    workspaces: t.core.workspaces,
    audit: t.core.audit,
    settings: t.core.settings,
    users: t.core.users,
    apiKeys: t.core.apiKeys,
    session: t.core.session,
    vault: t.core.vault,
    vaultBackup: t.core.vaultBackup,
    secrets: t.core.secrets,
    references: t.core.references,
    access: t.core.access,
  }) as Record<string, object>;

/** Every member that is a function, or an object holding functions (a sub-API such as `internals`). */
function membersOf(service: object): string[] {
  const holdsFunctions = (v: unknown) => v !== null && typeof v === 'object' && Object.values(v).some((x) => typeof x === 'function');
  return Object.entries(service)
    .filter(([, v]) => typeof v === 'function' || holdsFunctions(v))
    .map(([k]) => k);
}

/** Everything persisted that a refused call must leave alone (the audit log may gain a denied event). */
function state(): Record<string, string> {
  const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
  const tables = ['workspaces', 'users', 'memberships', 'api_keys', 'settings', 'secrets', 'secret_versions', 'vault_meta', 'vault_data_keys', 'resource_references', 'signing_keys'];
  return Object.fromEntries([['vault status', digest(t.core.vault.status())], ...tables.map((x) => [x, digest(t.core.db.prepare(`SELECT * FROM ${x} ORDER BY rowid`).all())])]);
}

async function outcome(call: () => unknown): Promise<'ok' | string> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? e.code : `unexpected ${String(e)}`;
  }
}

describe('access gate in the services', () => {
  it('lists every member of every service as checked, open or internal', () => {
    const listed = new Set([...Object.keys(CHECKED), ...Object.keys(OPEN), ...Object.keys(INTERNAL)]);
    const found = Object.entries(services()).flatMap(([name, svc]) => membersOf(svc).map((m) => `${name}.${m}`));
    expect(found.filter((m) => !listed.has(m)), 'members with no gate decision: add them to CHECKED, OPEN or INTERNAL').toEqual([]);
    expect([...listed].filter((m) => !found.includes(m)), 'listed members that no longer exist').toEqual([]);
    for (const m of Object.keys(CHECKED)) expect(OPEN[m] ?? INTERNAL[m], m).toBeUndefined();
  });

  describe.each(Object.entries(CHECKED))('%s', (_name, row) => {
    const cases: Array<[string, () => Actor, boolean]> = [
      ['a viewer', () => viewer, roleAllows('viewer', row.op)],
      ['an editor', () => editor, roleAllows('editor', row.op)],
      ['an admin of another workspace only', () => outsider, false],
      ['an API key without a granting scope', () => keyWith(scopesWithout(row.op)), false],
    ];
    // An API key whose scopes grant the operation passes the same gate (admin-only surfaces grant to no scope).
    if (POLICY[row.op].scopes.length > 0) cases.push(['an API key with a granting scope', () => keyWith(POLICY[row.op].scopes), true]);

    it.each(cases)(`${row.op}: %s`, async (_who, actor, allowed) => {
      const who = actor();
      const call = row.prepare();
      if (allowed) {
        expect(await outcome(() => call(who))).toBe('ok');
        return;
      }
      const before = state();
      expect(await outcome(() => call(who))).toBe('FORBIDDEN');
      expect(state()).toEqual(before);
    });
  });

  it('open methods tell each caller only what it holds', async () => {
    const ids = (list: Array<{ id: string }>) => list.map((w) => w.id);
    expect(ids(t.core.workspaces.list(viewer))).toEqual([ws]);
    expect(ids(t.core.workspaces.list(outsider))).toEqual([other]);
    expect(ids(t.core.workspaces.list(keyWith(['audit:read'])))).toEqual([ws]);
    expect(t.core.session.info(outsider).roles).toEqual({ [other]: 'admin' });
    expect(t.core.session.info(viewer).roles).toEqual({ [ws]: 'viewer' });
    expect(t.core.session.me(outsider, ws)).toMatchObject({ role: null, scopes: null });
    expect(t.core.session.me(keyWith(['audit:read']), ws)).toMatchObject({ role: null, scopes: ['audit:read'] });
    const anonymous: Actor = { kind: 'anonymous', id: 'anonymous', name: 'anonymous', origin: '192.0.2.9' };
    expect(t.core.session.info(anonymous).roles).toEqual({});
    expect(t.core.workspaces.list(anonymous)).toEqual([]);
    expect(Object.keys(t.core.settings.view())).toEqual(['restApi']);
    expect(t.core.vault.status().state).toBe('unlocked');
    expect(await outcome(() => t.core.users.login(target.username, 'not the password', '192.0.2.9'))).toBe('UNAUTHENTICATED');
  });
});
