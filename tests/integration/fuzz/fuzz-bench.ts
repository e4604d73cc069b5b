// One file (~460 lines): seeding, canaries, harvesting and the per-case checks share one server and the state every
// case reads and updates (pools, canaries, which value each secret holds); split, that state would be passed around.
import { SEED } from './fuzz-config';
import fs from 'node:fs';
import path from 'node:path';
import type { KeyStore } from '@core/ports';
import type { TestOutcomeReport } from '@core/connections/connection-tester';
import { hashPassword, verifyPassword, type PasswordHasher } from '@core/identity/password-hasher';
import { OAUTH_PROVIDERS } from '@shared/domain/oauth';
import type { Actor } from '@shared/domain/actor';
import { HTTP_STATUS } from '@shared/ipc/result';
import { dispatch } from '@core/handlers/dispatch';
import { canary, textContainsCanary } from '../../helpers/canary';
import { startTestServer } from '../../helpers/test-server';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { tempDir } from '../../helpers/test-core';
import { ID_KINDS, VICTIM_PASSWORD, type IdKind, type Pools } from './fuzz-pools';
import { insertWorkflow } from '../workflows/run-fixture';
import { knownDefect, type KnownDefect } from './known-defects';
import { judge, type Expectation, type Violation } from './fuzz-invariants';
import { send, type WireRequest, type WireResponse } from './wire-client';
import { createDbDigest } from './db-digest';
import { S3RVER_CREDS, startS3rver } from '../../helpers/s3rver';

/**
 * The fuzz suite's bench: a real core behind the real loopback server (console bridge, REST, streams), seeded with
 * canaries (secret values, connection credentials, OAuth client secrets, an S3 secret key, API keys, JWTs, the
 * signing and master keys, and the write-only canaries the fuzz itself sends) and with principals of different
 * strengths. `exercise` sends one request (`dispatchCase` makes one call through dispatch) and judges the answer by
 * the invariants of issue 14 (fuzz-invariants.ts): never 5xx, no canary, nothing changed on a 4xx; the app's log
 * lines written meanwhile are hunted for canaries too. What it learns from successes (ids, cursors, which canary a
 * secret now holds) steers later cases. `afterBatch` checks that /health answers 200 within 1 s, that the vault still
 * locks, unlocks and opens, and that the audit rows written since hold no canary.
 *
 * Ports replaced, each so a generated value cannot leave the machine or take seconds: the connection tester
 * (answers from the credential, no network), the password hasher (scrypt with a small N), the vault's KDF cost,
 * openExternal (no browser), and the key store (memory, recording what it holds as canaries).
 */

const FAST_KDF = { N: 2 ** 12, r: 8, p: 1 };
const CHEAP_SCRYPT = { N: 2 ** 10, r: 8, p: 1, keyLength: 32, saltLength: 16 };

/** scrypt with a small cost: the real hash format and checks, at a price the fuzz can pay per request. */
function cheapHasher(): PasswordHasher {
  let dummy: Promise<string> | null = null;
  return {
    hash: (p) => hashPassword(p, CHEAP_SCRYPT),
    verify: verifyPassword,
    dummyHash: () => (dummy ??= hashPassword('unknown user dummy password', CHEAP_SCRYPT)),
  };
}

/** A memory key store that also remembers every value it was given (the master keys), to hunt for them. */
function recordingKeyStore(seen: Set<string>): KeyStore {
  const inner = createMemoryKeyStore();
  return { ...inner, kind: 'memory', set: async (a, v) => (seen.add(v), inner.set(a, v)) };
}

/** The live tester replaced: an outcome chosen by the credential's last character, so every outcome is reached. */
async function fakeTester(req: { credential: string }): Promise<TestOutcomeReport> {
  const outcomes = ['valid', 'invalid_credential', 'rate_limited', 'unreachable', 'valid', 'insufficient_scope', 'provider_error'] as const;
  const outcome = outcomes[(req.credential.charCodeAt(req.credential.length - 1) || 0) % outcomes.length]!;
  return {
    outcome,
    ok: outcome === 'valid',
    message: `fake tester: ${outcome}`,
    httpStatus: outcome === 'valid' ? 200 : outcome === 'rate_limited' ? 429 : outcome === 'unreachable' ? null : 401,
    latencyMs: 1,
    retryAfterSeconds: outcome === 'rate_limited' ? 30 : null,
    endpoint: 'GET http://127.0.0.1:9/fake',
  };
}

/** A REST credential the fuzz sends: its headers, and its label in reports and KNOWN entries. */
export type Principal = { label: 'owner key' | 'viewer JWT' | 'scoped key' | 'none'; headers: Array<[string, string]> };

export async function startFuzzBench() {
  const sandbox = tempDir('p1-fuzz-sandbox-');
  fs.writeFileSync(path.join(sandbox, 'upload-me.txt'), 'a file the fuzz may upload from a path\n');
  const keyValues = new Set<string>();
  /** The app's log since the last case: every line is hunted for canaries too. */
  const logLines: string[] = [];
  const ownerKey = canary('owner-key');
  const s = await startTestServer(
    { PROVENANCE_ADMIN_API_KEY: ownerKey },
    {
      ready: true,
      ports: {
        keyStore: recordingKeyStore(keyValues),
        connectionTester: fakeTester,
        passwordHasher: cheapHasher(),
        vaultKdf: FAST_KDF,
        openExternal: () => {},
        logger: { log: (level, message, fields) => void logLines.push(JSON.stringify([level, message, fields])) },
        oauthFlowTimeoutMs: 60_000,
      },
    },
  );
  const { core } = s;
  const admin = s.admin;
  const defaultWs = core.workspaces.defaultWorkspace().id;
  const otherWs = core.workspaces.create('Fuzz other team', admin).id;

  /** Canaries: values no response may carry (except a permitted reveal of its own secret). */
  const canaries = new Map<string, string>([
    [ownerKey, 'owner key'],
    [s.consoleToken, 'console token'],
  ]);
  /** Plants a canary under a label: reports name the label, never the value. */
  const plant = (label: string, ...values: string[]) => values.forEach((v) => canaries.set(v, label));
  /** Secret id → the canaries its value holds (what a reveal of that id may return). */
  const secretValues = new Map<string, string[]>();
  /** Connection id → the canaries its credential holds, and the secrets it keeps them in (what connections:credential may return). */
  const connectionValues = new Map<string, { values: string[]; secretIds: string[] }>();
  const pools: Pools = {
    workspace: [defaultWs, otherWs],
    secret: [],
    connection: [],
    datastore: [],
    user: [],
    apiKey: [],
    oauthApp: [],
    flow: [],
    workflow: [],
    run: [],
    objectKey: ['reports/2026-05-01.csv', 'a/b/c.txt', 'café/ﬁle.txt', 'spaces and %25 percent.txt'],
    objectRef: [],
    username: ['fuzz-victim-1', 'fuzz-victim-2', 'fuzz-viewer', 'FUZZ-VIEWER', 'nobody'],
    password: [VICTIM_PASSWORD],
    writeOnly: Array.from({ length: 16 }, () => canary('written')),
    cursor: [],
    sandbox,
  };
  /** Principals' own ids: the fuzz never targets them, so each principal keeps working through the whole run. */
  const protectedIds = new Set<string>();
  const uploadTokens: Array<{ datastoreId: string; token: string; contentType: string }> = [];

  const login = async (username: string, password: string): Promise<string> => {
    const r = await send(s.port, { method: 'POST', path: '/auth/login', headers: [['content-type', 'application/json']], body: JSON.stringify({ username, password }) });
    if (r.kind !== 'response' || r.status !== 200) throw new Error(`fuzz bench: sign-in of ${username} failed`);
    return (r.json as { token: string }).token;
  };

  plant('a write-only value the fuzz sent', ...pools.writeOnly);

  // ---- principals ----
  const viewerPassword = canary('viewer-pw');
  const viewer = await core.users.create({ workspaceId: defaultWs, username: 'fuzz-viewer', password: viewerPassword, role: 'viewer' }, admin);
  const viewerJwt = await login('fuzz-viewer', viewerPassword);
  const scoped = core.apiKeys.create({ workspaceId: defaultWs, name: 'fuzz scoped key', scopes: ['secrets:read', 'connections:write', 'datastores:read'] }, admin);
  const hiddenPassword = canary('hidden-admin-pw');
  const hidden = await core.users.create({ workspaceId: defaultWs, username: 'fuzz-hidden-admin', password: hiddenPassword, role: 'admin' }, admin);
  const hiddenJwt = await login('fuzz-hidden-admin', hiddenPassword);
  for (const id of [viewer.id, scoped.id, hidden.id]) protectedIds.add(id);
  plant('the viewer\'s password', viewerPassword);
  plant('the viewer\'s JWT', viewerJwt);
  plant('the scoped API key', scoped.key);
  plant('a hidden admin\'s password', hiddenPassword);
  plant('a hidden admin\'s JWT', hiddenJwt);
  const principals: Principal[] = [
    { label: 'owner key', headers: [['x-api-key', ownerKey]] },
    { label: 'viewer JWT', headers: [['authorization', `Bearer ${viewerJwt}`]] },
    { label: 'scoped key', headers: [['x-api-key', scoped.key]] },
    { label: 'none', headers: [] },
  ];
  const viewerActor: Actor = { kind: 'user', id: viewer.id, name: 'fuzz-viewer', origin: '127.0.0.1' };
  const scopedActor: Actor = { kind: 'apiKey', id: scoped.id, name: 'fuzz scoped key', origin: '127.0.0.1' };

  // ---- victims: what the fuzz may change and delete ----
  for (const [i, role] of (['viewer', 'editor'] as const).entries()) {
    pools.user.push((await core.users.create({ workspaceId: defaultWs, username: `fuzz-victim-${i + 1}`, password: VICTIM_PASSWORD, role }, admin)).id);
  }
  const victimKey = core.apiKeys.create({ workspaceId: defaultWs, name: 'fuzz victim key', scopes: ['audit:read'] }, admin);
  pools.apiKey.push(victimKey.id);
  plant('an API key', victimKey.key);

  // ---- canaries in both workspaces ----
  // An S3 datastore is created only once its bucket answers (the create checks it): the bucket lives on an s3rver
  // that is stopped right after, so the fuzz meets an S3 datastore whose endpoint no longer answers, as before.
  const s3rver = await startS3rver();
  await s3rver.createBucket('fuzz-bucket');
  for (const ws of [defaultWs, otherWs]) {
    const text = canary('secret-text');
    const a = core.secrets.create({ workspaceId: ws, name: `fuzz text ${ws.slice(0, 4)}`, value: text }, admin);
    const rotated = canary('secret-rotated');
    core.secrets.rotate({ workspaceId: ws, id: a.id, value: rotated }, admin);
    secretValues.set(a.id, [rotated, text]);
    const nested = canary('secret-json');
    const b = core.secrets.create({ workspaceId: ws, name: `fuzz json ${ws.slice(0, 4)}`, value: { token: nested, deeper: { list: [nested] } } }, admin);
    secretValues.set(b.id, [nested]);
    const g = core.secrets.create({ workspaceId: ws, name: `fuzz generated ${ws.slice(0, 4)}`, generate: { length: 40, alphabet: 'alphanumeric' } }, admin);
    const generated = core.secrets.reveal(ws, g.id, admin).value as string;
    secretValues.set(g.id, [generated]);
    plant('a seeded secret value', text, rotated, nested, generated);
    pools.secret.push(a.id, b.id, g.id);

    const credential = canary('conn-credential');
    const appKey = canary('conn-appkey');
    const dd = { site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' };
    const direct = core.connections.create({ workspaceId: ws, name: `fuzz datadog ${ws.slice(0, 4)}`, provider: 'datadog', authType: 'apikey', credential, credentialFields: { applicationKey: appKey }, settings: dd }, admin).id;
    const bySecret = core.connections.create({ workspaceId: ws, name: `fuzz by secret ${ws.slice(0, 4)}`, provider: 'datadog', authType: 'apikey', credentialSecretId: a.id, settings: dd }, admin).id;
    connectionValues.set(direct, { values: [credential, appKey], secretIds: [] });
    connectionValues.set(bySecret, { values: [], secretIds: [a.id] });
    pools.connection.push(
      direct,
      bySecret,
      core.connections.create({ workspaceId: ws, name: `fuzz okta ${ws.slice(0, 4)}`, provider: 'okta', authType: 'oauth2', settings: { orgUrl: 'https://127.0.0.1:9' } }, admin).id,
    );
    plant('a connection credential', credential, appKey);

    for (const provider of OAUTH_PROVIDERS) {
      const clientSecret = canary(`client-secret-${provider}`);
      pools.oauthApp.push(
        core.oauth.apps.create({ workspaceId: ws, provider, clientId: `fuzz-${provider}`, clientSecret, scopes: ['openid'], settings: { baseUrl: 'http://127.0.0.1:9/oauth2/default' } }, admin).id,
      );
      plant('an OAuth client secret', clientSecret);
    }
    pools.flow.push((await core.oauth.flows.start({ workspaceId: ws, name: `fuzz flow ${ws.slice(0, 4)}`, provider: 'okta', settings: { orgUrl: 'https://127.0.0.1:9' } }, admin)).flowId);

    const fsStore = await core.datastores.create(admin, { workspaceId: ws, name: `fuzz files ${ws.slice(0, 4)}` });
    for (const key of [...pools.objectKey]) {
      await core.datastores.putText(admin, { workspaceId: ws, datastoreId: fsStore.id, key, content: `content of ${key}\n`, contentType: 'text/plain' });
      pools.objectRef.push({ workspaceId: ws, datastoreId: fsStore.id, key });
    }
    const s3Secret = canary('s3-secret');
    const s3 = await core.datastores.create(admin, {
      workspaceId: ws,
      name: `fuzz s3 ${ws.slice(0, 4)}`,
      backend: { type: 's3', endpoint: s3rver.endpoint, region: 'us-east-1', bucket: 'fuzz-bucket', accessKeyId: S3RVER_CREDS.accessKeyId, secretAccessKey: s3Secret, forcePathStyle: true },
    });
    plant('an S3 secret access key', s3Secret);
    pools.datastore.push(fsStore.id, s3.id);
    // A workflow using that workspace's connection, secret and datastore (its references make deletes need force).
    pools.workflow.push(
      core.workflows.create(
        {
          workspaceId: ws,
          definition: {
            name: `fuzz workflow ${ws.slice(0, 4)}`,
            steps: [
              { id: 'read', kind: 'storage', config: { action: 'get', datastoreId: fsStore.id, key: 'reports/2026-05-01.csv' } },
              { id: 'call', kind: 'http', needs: ['read'], config: { connectionId: pools.connection.at(-3)!, method: 'POST', path: '/api', headers: { 'X-Token': { $secret: a.id } }, body: '{{ steps.read.output.fileContent }}' } },
              { id: 'shape', kind: 'transform', needs: ['call'], config: { expression: 'steps.call.output.items' } },
            ],
          },
        },
        admin,
      ).id,
    );
    // A workflow of transform steps (no network, no vault) and one finished run of it, for the run routes.
    const wf = insertWorkflow(core, ws, { name: `fuzz runs ${ws.slice(0, 4)}`, inputs: { label: 'x' }, steps: [{ id: 'a', kind: 'transform', config: { expression: 'inputs.label' } }] });
    pools.workflow.push(wf);
    pools.run.push(core.runs.start(admin, { workspaceId: ws, id: wf }).id);
    await core.runs.internal.idle();
    for (const contentType of ['application/octet-stream', 'text/plain']) {
      const u = await core.datastores.createUploadUrl(admin, { workspaceId: ws, datastoreId: fsStore.id, key: `uploads/${contentType.replace('/', '-')}.bin`, contentType, maxBytes: 4096 });
      uploadTokens.push({ datastoreId: fsStore.id, token: new URL(u.url).pathname.split('/').pop()!, contentType });
    }
  }
  await s3rver.stop();

  // ---- keys that never leave the process ----
  const signing = core.db.prepare('SELECT sealed FROM signing_keys').get() as { sealed: Buffer };
  const signingKey = core.vault.open(signing.sealed, 'identity:jwt-signing-key');
  plant('the JWT signing key', signingKey.toString('hex'), signingKey.toString('base64'), signingKey.toString('base64url'));
  plant('a vault master key', ...keyValues);
  /** A value sealed at start: the vault must still open it after every batch (rotations included). */
  const probe = canary('vault-probe');
  const probeSealed = core.vault.seal(Buffer.from(probe), 'fuzz:probe');
  plant('a value sealed by the vault', probe);

  // ---- the database digest ----
  const { digest, changedTables } = createDbDigest(core.db);

  // ---- harvesting: ids and cursors from answers make later cases reach further ----
  const POOL_CAP = 60;
  function remember(kind: keyof Pools, value: unknown): void {
    if (typeof value !== 'string' || value === '' || protectedIds.has(value) || kind === 'sandbox') return;
    const list = pools[kind] as string[];
    if (list.includes(value)) return;
    list.push(value);
    // Keep the seeded entries (the first ones) and the newest ones.
    if (list.length > POOL_CAP) list.splice(8, 1);
  }
  /**
   * After a successful create or rotate of a secret: the write-only canaries its value held become what a permitted
   * reveal of that secret may return (earlier versions included, for rollbacks).
   */
  function noteSecretValue(channel: string | undefined, input: unknown, answer: unknown): void {
    if (channel !== 'secrets:create' && channel !== 'secrets:rotate') return;
    const value = (input as { value?: unknown } | undefined)?.value;
    if (value === undefined) return;
    const text = JSON.stringify(value) ?? '';
    const written = pools.writeOnly.filter((c) => text.includes(c));
    const id = channel === 'secrets:rotate' ? (input as { id?: unknown }).id : (answer as { id?: unknown } | undefined)?.id;
    if (!written.length || typeof id !== 'string') return;
    secretValues.set(id, [...new Set([...(secretValues.get(id) ?? []), ...written])]);
  }

  /** After a successful write of an object: it exists, in its datastore and workspace (for coherent cases). */
  function noteObject(channel: string, input: unknown): void {
    const i = input as { workspaceId?: unknown; datastoreId?: unknown; key?: unknown; action?: unknown } | undefined;
    const wrote = channel === 'datastores:objects:putText' || (channel === 'datastores:storageStep' && i?.action === 'put');
    if (!wrote || typeof i?.workspaceId !== 'string' || typeof i.datastoreId !== 'string' || typeof i.key !== 'string') return;
    pools.objectRef.push({ workspaceId: i.workspaceId, datastoreId: i.datastoreId, key: i.key });
    if (pools.objectRef.length > POOL_CAP) pools.objectRef.splice(8, 1);
  }

  /** Learns ids, cursors and keys from a successful JSON answer of a channel. */
  /**
   * After a successful create or update of a connection: the write-only canaries its credential held, and the
   * secrets it names, become what a permitted connections:credential of that connection may return.
   */
  function noteConnectionValue(channel: string | undefined, input: unknown, answer: unknown): void {
    if (channel !== 'connections:create' && channel !== 'connections:update') return;
    const text = JSON.stringify(input) ?? '';
    const written = pools.writeOnly.filter((c) => text.includes(c));
    const secretIds = [...secretValues.keys()].filter((sid) => text.includes(sid));
    const id = channel === 'connections:update' ? (input as { id?: unknown } | undefined)?.id : (answer as { id?: unknown } | undefined)?.id;
    if ((!written.length && !secretIds.length) || typeof id !== 'string') return;
    const known = connectionValues.get(id) ?? { values: [], secretIds: [] };
    connectionValues.set(id, { values: [...new Set([...known.values, ...written])], secretIds: [...new Set([...known.secretIds, ...secretIds])] });
  }
  /** What an answer of `channel` about `id` may carry: a permitted reveal its secret's value, a credential its connection's. */
  function revealable(channel: string | null | undefined, id: string | undefined): string[] {
    if (id === undefined) return [];
    if (channel === 'secrets:reveal') return secretValues.get(id) ?? [];
    if (channel !== 'connections:credential') return [];
    const c = connectionValues.get(id);
    return c ? [...c.values, ...c.secretIds.flatMap((sid) => secretValues.get(sid) ?? [])] : [];
  }

  function harvest(channel: string, json: unknown): void {
    if (!json || typeof json !== 'object') return;
    const v = json as Record<string, unknown>;
    const domain = channel.split(':')[0]!;
    const kind: IdKind | null =
      channel === 'workflows:run'
        ? 'run'
        : ((
            { secrets: 'secret', connections: 'connection', datastores: 'datastore', users: 'user', apiKeys: 'apiKey', oauthApps: 'oauthApp', workflows: 'workflow', runs: 'run' } as Record<string, IdKind>
          )[domain] ?? null);
    if (typeof v.nextCursor === 'string') remember('cursor', v.nextCursor);
    if (typeof v.flowId === 'string') remember('flow', v.flowId);
    if (channel.startsWith('datastores:objects')) {
      for (const item of Array.isArray(v.items) ? v.items : []) remember('objectKey', (item as { key?: unknown }).key);
      return;
    }
    if (!kind) return;
    remember(kind, v.id);
    const secret = v.secret as { id?: unknown } | undefined;
    if (secret) remember('secret', secret.id);
    for (const item of Array.isArray(v.items) ? v.items.slice(0, 5) : []) remember(kind, (item as { id?: unknown }).id);
  }

  // ---- invariants ----
  const knownHits = new Map<string, number>();
  /** Answers per route and status: how deep the generated cases reach (FUZZ_STATS=1 prints them). */
  const statuses = new Map<string, Map<string, number>>();
  /** Violations that are not known defects: the first one fails the case. */
  function report(route: string, violations: Violation[], context: unknown): void {
    const unknown: Violation[] = [];
    for (const v of violations) {
      const k: KnownDefect | null = knownDefect(route, v, context);
      if (k) knownHits.set(k.name, (knownHits.get(k.name) ?? 0) + 1);
      else unknown.push(v);
    }
    if (unknown.length) throw new Error(`${route}: ${unknown.map((v) => `[${v.invariant}] ${v.detail}`).join('; ')}`);
  }

  /** The label of the first canary in `text` that is not in `allowed`, or null. */
  function scan(text: string, allowed: readonly string[]): string | null {
    const hunted = [...canaries.keys()].filter((c) => !allowed.includes(c));
    const found = textContainsCanary(text, hunted);
    return found === null ? null : (canaries.get(found) ?? 'a canary');
  }

  /** Sends one request and checks every invariant on its answer. Returns the answer for the caller's own checks. */
  async function exercise(req: WireRequest, expect: Expectation, channel?: string): Promise<WireResponse> {
    // A HEAD has nothing to stream: it answers at once or not at all.
    return observe(() => send(s.port, req, req.method === 'HEAD' ? 2_000 : 15_000), expect, channel, { req });
  }

  /**
   * One call through dispatch, the entry point behind every transport (Electron IPC included), judged like an HTTP
   * answer: the envelope's status is HTTP_STATUS of its code, its text the envelope as JSON.
   */
  async function dispatchCase(channel: unknown, input: unknown, actor: Actor, expect: Expectation): Promise<WireResponse> {
    return observe(
      async () => {
        const r = await dispatch(s.handlers, channel, input, { actor }, core.logger);
        return { kind: 'response', status: r.ok ? 200 : HTTP_STATUS[r.error.code], headers: {}, text: JSON.stringify(r), json: r };
      },
      expect,
      typeof channel === 'string' ? channel : undefined,
      { input, actor: actor.kind },
    );
  }

  /** The channel input a case carried: dispatch's own, the bridge's `{input}`, or a REST body with the path's id. */
  function inputOf(context: Record<string, unknown>, enveloped: boolean): unknown {
    if ('input' in context) return context.input;
    const req = context.req as { body?: unknown; params?: Record<string, string> } | undefined;
    try {
      const body = typeof req?.body === 'string' ? (JSON.parse(req.body) as Record<string, unknown>) : {};
      return enveloped ? body?.input : { ...body, id: req?.params?.id };
    } catch {
      return undefined;
    }
  }

  /** Runs one case and checks every invariant on its answer (see the top of this file). */
  async function observe(run: () => Promise<WireResponse>, expect: Expectation, channel: string | undefined, context: Record<string, unknown>): Promise<WireResponse> {
    const before = digest();
    const vaultBefore = core.vault.status().state;
    const res = await run();
    // A run a case started executes in the background: it ends before the tables are compared, so its writes are
    // never mistaken for a later case's.
    await core.runs.internal.idle();
    const counts = statuses.get(expect.route) ?? new Map<string, number>();
    const key = res.kind === 'response' ? String(res.status) : 'none';
    counts.set(key, (counts.get(key) ?? 0) + 1);
    statuses.set(expect.route, counts);
    const logged = logLines.splice(0).join('\n');
    const violations = judge(res, expect, {
      leaked: (text, allowed) => scan(text, allowed),
      changedTables: () => changedTables(before, digest()),
      vaultWent: () => (core.vault.status().state === vaultBefore ? null : core.vault.status().state),
    });
    const inLog = scan(logged, []);
    if (inLog) violations.push({ invariant: 'canary', detail: `${inLog} is in the app log` });
    if (res.kind === 'response' && res.status >= 200 && res.status < 300 && channel) {
      const enveloped = 'input' in context || expect.envelope === 'bridge';
      const answer = enveloped ? (res.json as { value?: unknown } | undefined)?.value : res.json;
      const input = inputOf(context, enveloped);
      harvest(channel, answer);
      noteSecretValue(channel, input, answer);
      noteConnectionValue(channel, input, answer);
      noteObject(channel, input);
    }
    report(expect.route, violations, { ...context, res });
    return res;
  }

  /**
   * After every batch: /health answers 200 within 1 s, and the vault still works: it unlocks (a batch may have
   * locked it on purpose), locks, unlocks again from the keychain, and opens what it sealed at start.
   */
  let auditSeen = 0;
  async function afterBatch(label: string): Promise<void> {
    const t0 = performance.now();
    const health = await send(s.port, { method: 'GET', path: '/health', headers: [] }, 1_000);
    const ms = performance.now() - t0;
    if (health.kind !== 'response' || health.status !== 200 || ms > 1_000) {
      throw new Error(`${label}: /health did not answer 200 within 1 s after the batch (${health.kind === 'response' ? health.status : health.error}, ${Math.round(ms)} ms)`);
    }
    if (core.vault.status().state === 'locked') await core.vault.unlockWithKeychain(admin);
    core.vault.lock(admin);
    await core.vault.unlockWithKeychain(admin);
    if (core.vault.open(probeSealed, 'fuzz:probe').toString() !== probe) throw new Error(`${label}: the vault no longer opens what it sealed`);
    // The audit rows the batch wrote: details never hold a secret value, and neither does any other column.
    const rows = core.db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq').all(auditSeen) as Array<{ seq: number }>;
    if (rows.length) auditSeen = rows[rows.length - 1]!.seq;
    const inAudit = scan(JSON.stringify(rows), []);
    if (inAudit) throw new Error(`${label}: ${inAudit} is in the audit log`);
    plant('a vault master key', ...keyValues);
  }

  return {
    ...s,
    defaultWs,
    otherWs,
    pools,
    principals,
    viewerJwt,
    viewerActor,
    scopedActor,
    uploadTokens,
    secretValues,
    canaries,
    protectedIds,
    knownHits,
    statuses,
    digest,
    changedTables,
    scan,
    report,
    harvest,
    noteSecretValue,
    revealable,
    exercise,
    dispatchCase,
    afterBatch,
    idKinds: ID_KINDS,
    async stop() {
      await s.stop();
      fs.rmSync(sandbox, { recursive: true, force: true });
    },
  };
}
export type FuzzBench = Awaited<ReturnType<typeof startFuzzBench>>;

/** The end of a fuzz file: the status counts when FUZZ_STATS is set, the known defects hit, then the bench stops. */
export async function stopFuzzBench(b: FuzzBench | undefined): Promise<void> {
  if (!b) return;
  if (process.env.FUZZ_STATS) {
    for (const [route, counts] of b.statuses) console.info(`${route}: ${[...counts].sort().map(([k, n]) => `${k}×${n}`).join(' ')}`);
  }
  if (b.knownHits.size) console.info(`fuzz (seed ${SEED}): known defects hit: ${[...b.knownHits].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  await b.stop();
}
