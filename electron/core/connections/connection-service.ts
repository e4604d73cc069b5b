// One file (~590 lines): CRUD, the live test and credential use share the seal / credential-field / status helpers
// of one factory; the pure draft checks live in connection-draft-checks.ts and all SQL in connection-store.ts.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import {
  KEY_PASSPHRASE_FIELD,
  PROVIDER_CATALOG,
  isEncryptedPem,
  normalizeSettings,
  settingsIssues,
  type AuthType,
  type Connection,
  type ConnectionCreate,
  type ConnectionDetail,
  type ConnectionListQuery,
  type ConnectionStatus,
  type ConnectionSummary,
  type ConnectionTestDraft,
  type ConnectionTestResult,
  type ConnectionUpdate,
  type Provider,
} from '@shared/domain/connection';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { ReferenceIndex } from '../references/reference-index';
import type { VaultPort } from '../vault/vault-port';
import type { Clock, Logger } from '../ports';
import { AppError, conflict, invalid, notFound } from '../errors';
import { pageCursor } from '../db/cursor';
import type { ConnectionTester } from './connection-tester';
import type { ConnectionChanges, ConnectionStore, StoredConnection, StoredCredentialField } from './connection-store';
import { createDetailOpeningMemo, type DetailOpeningMemo } from './detail-opening-memo';
import { checkAuthType, checkCredential, checkKeyPair, firstIssue, passphraseAfter, planFields, type FieldChange } from './connection-draft-checks';

/** A stored connection as the core sees it (no credential: that is fetched through a credential source). */
export type ConnectionRecord = Connection;

/**
 * Where the credential a connection authenticates with comes from, per auth type. apikey / serviceaccount read
 * the stored credential; oauth2 is plugged in by the OAuth capability (an access-token provider that refreshes as
 * needed). A source throws AppError when it cannot produce one (vault locked, not authorized yet, …).
 */
export type CredentialSource = (connection: ConnectionRecord) => Promise<string>;

/** Reads a vault secret's current value, for connections whose credential is kept as a secret. */
export type SecretReader = (workspaceId: string, secretId: string) => string | Promise<string>;

export const credentialAad = (id: string) => `connection:${id}:credential`;
/** Each credential field is sealed on its own, bound to its connection and key (a value cannot be moved to another field). */
export const credentialFieldAad = (id: string, key: string) => `connection:${id}:credential:${key}`;

export const PAUSED_MESSAGE = 'connection is paused: resume it (Pause/Resume, or PATCH {"status":"active"}) before using it';
/** The connection's credential (or a credential field) was a vault secret that has been deleted with force. */
export const SECRET_DELETED_MESSAGE = 'the vault secret holding this credential was deleted: choose another secret or enter the credential again (Update credentials)';
const NOT_AUTHORIZED = 'not authorized yet: click Authorize to complete the OAuth consent flow';
/** The connections list's cursor: the last connection's sort key, [lower-cased name, id]. */
const cursor = pageCursor('connections', z.tuple([z.string().max(1000), z.string().min(1).max(100)]));
/** How many status changes the detail view shows. */
const HISTORY_LIMIT = 100;

type SealedField = { sealed: Buffer | null; secretId: string | null } | null;

const toSummary = (c: StoredConnection): ConnectionSummary => ({
  id: c.id,
  name: c.name,
  provider: c.provider,
  authType: c.authType,
  status: c.status,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  statusChangedAt: c.statusChangedAt,
  ...(c.status === 'error' && c.lastErrorCode === 'not_authorized' ? { awaitingAuthorization: true as const } : {}),
});

const toConnection = (c: StoredConnection, fields: readonly StoredCredentialField[]): Connection => ({
  ...toSummary(c),
  workspaceId: c.workspaceId,
  settings: c.settings,
  hasCredential: c.credentialSealed !== null || c.credentialSecretId !== null,
  credentialSecretId: c.credentialSecretId,
  storedCredentialFields: Object.fromEntries(fields.map((f) => [f.key, { secretId: f.secretId }])),
  lastError: c.lastErrorCode ? { code: c.lastErrorCode, message: c.lastErrorMessage ?? '', at: c.lastErrorAt ?? c.updatedAt } : null,
  lastTest: c.lastTest,
});

export type ConnectionServiceDeps = {
  store: ConnectionStore;
  clock: Clock;
  logger: Logger;
  access: Pick<AccessService, 'assert' | 'allowed'>;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  references: Pick<ReferenceIndex, 'set' | 'clearFrom' | 'clearTo' | 'referencesTo'>;
  vault: VaultPort;
  tester: ConnectionTester;
  /** Present once the secrets capability is wired; without it, secret-backed credentials cannot be read. */
  readSecret?: SecretReader;
  /** Which detail-view openings were already recorded; the default keeps 5 000 for 30 minutes on `clock`. */
  openings?: DetailOpeningMemo;
};

/**
 * Connections: stored credentials for the 12 integrations. Credentials are sealed by the vault under the AAD
 * `connection:<id>:credential` and never leave the core except to the provider during a test or a run.
 * Status is platform-managed: active ⇄ paused by the admin; active → error when a test (or an OAuth refresh) finds
 * the credential invalid; error → active after a valid test only (new credentials alone change nothing: untested).
 *
 * Authorization lives here, not in the transports: every top-level method takes the acting principal and checks the
 * POLICY operation first, so IPC, REST, the console and any later caller pass the same gate. `internal` holds what
 * trusted core code (the OAuth capability, run steps, wiring) calls on the system's behalf: no access check there,
 * and it is never reachable from a transport. tests/integration/connections/connection-access-gate.test.ts fails
 * when a method is added to either side without being listed.
 */
export function createConnectionService(deps: ConnectionServiceDeps) {
  const { store, clock, access, audit, bus, references, vault, tester, logger } = deps;

  /** Only providers with credential fields can have rows: the others (OAuth included) skip the lookup. */
  const fieldRows = (id: string, provider: Provider): StoredCredentialField[] => (PROVIDER_CATALOG[provider].credentialFields ? store.credentialFields(id) : []);

  const sources = new Map<AuthType, CredentialSource>();
  /** Openings of the detail view whose connection.accessed is already recorded (see detail()). */
  const openings = deps.openings ?? createDetailOpeningMemo(clock);

  async function storedCredential(c: ConnectionRecord): Promise<string> {
    if (c.credentialSecretId) {
      if (!deps.readSecret) throw new AppError('UNAVAILABLE', 'this connection keeps its credential in a vault secret, and the secrets vault is not available yet');
      return deps.readSecret(c.workspaceId, c.credentialSecretId);
    }
    const stored = store.get(c.workspaceId, c.id);
    if (!stored) throw notFound('connection');
    if (!stored.credentialSealed) throw new AppError('PRECONDITION_FAILED', 'this connection has no credential: click Update credentials');
    return vault.open(stored.credentialSealed, credentialAad(c.id)).toString('utf8');
  }
  /** The values of the credential fields that are set, for a test or a run; opened only for that use. */
  async function storedCredentialFields(c: ConnectionRecord): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const f of fieldRows(c.id, c.provider)) {
      if (f.secretId) {
        if (!deps.readSecret) throw new AppError('UNAVAILABLE', `this connection keeps its ${f.key} in a vault secret, and the secrets vault is not available yet`);
        out[f.key] = await deps.readSecret(c.workspaceId, f.secretId);
      } else if (f.sealed) out[f.key] = vault.open(f.sealed, credentialFieldAad(c.id, f.key)).toString('utf8');
    }
    return out;
  }

  sources.set('apikey', storedCredential);
  sources.set('serviceaccount', storedCredential);
  sources.set('oauth2', async () => {
    throw new AppError('PRECONDITION_FAILED', NOT_AUTHORIZED);
  });

  function row(workspaceId: string, id: string): StoredConnection {
    const r = store.get(workspaceId, id);
    // A deleted id and an id from another workspace look the same: the docs' "connection not found".
    if (!r) throw notFound('connection');
    return r;
  }

  const seal = (id: string, credential: string) => vault.seal(Buffer.from(credential, 'utf8'), credentialAad(id));

  /** Seals the values among `changes` (before any transaction: a locked vault refuses and nothing is written). */
  function sealFields(id: string, changes: Map<string, FieldChange>): Map<string, SealedField> {
    const out = new Map<string, SealedField>();
    for (const [key, c] of changes) {
      if (c === null) out.set(key, null);
      else if ('value' in c) out.set(key, { sealed: vault.seal(Buffer.from(c.value, 'utf8'), credentialFieldAad(id, key)), secretId: null });
      else out.set(key, { sealed: null, secretId: c.secretId });
    }
    return out;
  }

  function writeFields(id: string, sealed: Map<string, SealedField>): void {
    for (const [key, v] of sealed) {
      if (v === null) store.deleteCredentialField(id, key);
      else store.putCredentialField(id, { key, sealed: v.sealed, secretId: v.secretId });
    }
  }

  /** Re-derives the connection's references to vault secrets (its credential and any credential field) from its rows. */
  function syncReferences(workspaceId: string, id: string, name: string): void {
    references.clearFrom({ type: 'connection', id });
    const r = store.get(workspaceId, id);
    if (!r) return;
    const targets = new Set<string>();
    if (r.credentialSecretId) targets.add(r.credentialSecretId);
    for (const f of fieldRows(id, r.provider)) if (f.secretId) targets.add(f.secretId);
    for (const secretId of targets) references.set(workspaceId, { type: 'connection', id, name }, { type: 'secret', id: secretId });
  }

  /** A stored field's current value when it is sealed here; undefined when it is a vault secret, null when not set. */
  function currentFieldValue(id: string, fields: readonly StoredCredentialField[], key: string): string | null | undefined {
    const f = fields.find((x) => x.key === key);
    if (!f) return null;
    if (f.secretId || !f.sealed) return undefined;
    return vault.open(f.sealed, credentialFieldAad(id, key)).toString('utf8');
  }

  function recordStatus(r: StoredConnection, to: ConnectionStatus, reason: string, actor: Actor, now: string): void {
    if (r.status === to) return;
    store.update(r.id, { status: to, statusChangedAt: now });
    store.addStatusChange({ connectionId: r.id, workspaceId: r.workspaceId, at: now, from: r.status, to, reason, actor: actor.name });
    r.status = to;
    r.statusChangedAt = now;
  }

  const lastError = (error: { code: string; message: string } | null, now: string): ConnectionChanges => ({
    lastErrorCode: error?.code ?? null,
    lastErrorMessage: error?.message ?? null,
    lastErrorAt: error ? now : null,
  });

  const changed = (workspaceId: string, id: string) => bus.emit('connections:changed', { workspaceId, id });

  function list(q: ConnectionListQuery, actor: Actor): { items: ConnectionSummary[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'connection.list');
    const limit = q.limit ?? 100;
    let after: { lowerName: string; id: string } | undefined;
    if (q.cursor !== undefined) {
      const [lowerName, id] = cursor.decode(q.workspaceId, q.cursor);
      after = { lowerName, id };
    }
    const rows = store.list({ workspaceId: q.workspaceId, provider: q.provider, status: q.status, nameContains: q.q?.trim(), after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > limit && last ? cursor.encode(q.workspaceId, [last.name.toLowerCase(), last.id]) : null };
  }

  function get(workspaceId: string, id: string): Connection {
    const r = row(workspaceId, id);
    return toConnection(r, fieldRows(r.id, r.provider));
  }

  /**
   * The detail record a person reads: recorded as connection.accessed (high risk), per the docs. With an `openingId`
   * (one opening of the desktop's detail view) the access is recorded once per opening and actor: a reload of the
   * same opening is not recorded again while the memo remembers it. The access check always comes first, and the
   * first read of an opening is always recorded (the memo only learns of an opening once its record is committed).
   */
  function detail(workspaceId: string, id: string, actor: Actor, openingId?: string): ConnectionDetail {
    access.assert(actor, workspaceId, 'connection.read_detail');
    const openingKey = openingId === undefined ? null : JSON.stringify([actor.kind, actor.id, workspaceId, id, openingId]);
    const recorded = openingKey !== null && openings.seen(openingKey);
    const out = store.transaction(() => {
      const r = row(workspaceId, id);
      if (!recorded) audit.record({ workspaceId, action: 'connection.accessed', actor, target: { type: 'connection', id, name: r.name } });
      return {
        ...toConnection(r, fieldRows(r.id, r.provider)),
        statusHistory: store.statusHistory(id, HISTORY_LIMIT),
        referencedBy: references.referencesTo({ type: 'connection', id }).map((x) => ({ type: x.fromType, id: x.fromId, name: x.fromName })),
      };
    });
    if (openingKey !== null && !recorded) openings.remember(openingKey);
    return out;
  }

  function assertNameFree(workspaceId: string, name: string, exceptId?: string): void {
    const other = store.idByName(workspaceId, name);
    if (other !== undefined && other !== exceptId) throw conflict(`a connection named "${name}" already exists in this workspace; choose another name`, 'name');
  }

  function create(input: ConnectionCreate, actor: Actor): Connection {
    access.assert(actor, input.workspaceId, 'connection.create');
    checkAuthType(input.provider, input.authType);
    const entry = PROVIDER_CATALOG[input.provider];
    const credential = checkCredential(input.provider, input.credential, input.credentialSecretId);
    if (entry.authType !== 'oauth2' && credential === undefined && !input.credentialSecretId) {
      throw invalid(`credential (${entry.credential?.label ?? 'credential'}) is required for ${entry.label}`, 'credential');
    }
    const settings = normalizeSettings(input.provider, input.settings ?? {});
    firstIssue(settingsIssues(input.provider, settings));
    const fieldChanges = planFields(input.provider, input.credentialFields ?? {}, input.credentialFieldSecretIds ?? {}, []);
    checkKeyPair(input.provider, credential, passphraseAfter(fieldChanges.get(KEY_PASSPHRASE_FIELD), () => null));
    assertNameFree(input.workspaceId, input.name);

    const id = randomUUID();
    // Sealed before the transaction: a locked vault refuses here, and nothing has been written.
    const sealed = credential === undefined ? null : seal(id, credential);
    const sealedFields = sealFields(id, fieldChanges);
    const now = clock.now().toISOString();
    const oauthPending = entry.authType === 'oauth2';
    const status: ConnectionStatus = oauthPending ? 'error' : 'active';
    const created = store.transaction(() => {
      store.insert({
        id,
        workspaceId: input.workspaceId,
        name: input.name,
        provider: input.provider,
        authType: input.authType,
        status,
        settings,
        credentialSealed: sealed,
        credentialSecretId: input.credentialSecretId ?? null,
        lastErrorCode: oauthPending ? 'not_authorized' : null,
        lastErrorMessage: oauthPending ? NOT_AUTHORIZED : null,
        lastErrorAt: oauthPending ? now : null,
        lastTest: null,
        createdAt: now,
        updatedAt: now,
        statusChangedAt: now,
      });
      store.addStatusChange({
        connectionId: id,
        workspaceId: input.workspaceId,
        at: now,
        from: null,
        to: status,
        reason: oauthPending ? 'created; waiting for OAuth authorization' : 'created',
        actor: actor.name,
      });
      writeFields(id, sealedFields);
      syncReferences(input.workspaceId, id, input.name);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'connection.created',
        actor,
        target: { type: 'connection', id, name: input.name },
        details: {
          provider: input.provider,
          authType: input.authType,
          settings: Object.keys(settings),
          // Not named credential…: the audit service redacts such keys (`credentialStored` was always "[redacted]").
          authStored: sealed !== null || !!input.credentialSecretId,
          // Names only, as list values: a detail key naming a credential would be redacted by the audit service.
          ...(sealedFields.size > 0 ? { setFields: [...sealedFields.keys()].map((k) => `credentialFields.${k}`) } : {}),
        },
      });
      return get(input.workspaceId, id);
    });
    changed(input.workspaceId, id);
    return created;
  }

  function update(input: ConnectionUpdate, actor: Actor): Connection {
    access.assert(actor, input.workspaceId, 'connection.update');
    const current = row(input.workspaceId, input.id);
    const provider = current.provider;
    const fields: string[] = [];
    if (
      input.name === undefined &&
      input.status === undefined &&
      input.settings === undefined &&
      input.credential === undefined &&
      input.credentialSecretId === undefined &&
      input.credentialFields === undefined &&
      input.credentialFieldSecretIds === undefined
    ) {
      throw invalid('send at least one of name, status, settings, credential, credentialSecretId, credentialFields or credentialFieldSecretIds');
    }
    if (input.name !== undefined && input.name !== current.name) {
      assertNameFree(input.workspaceId, input.name, current.id);
      fields.push('name');
    }
    let settings: Record<string, string> | undefined;
    if (input.settings !== undefined) {
      const merged: Record<string, string> = { ...current.settings };
      for (const [k, v] of Object.entries(input.settings)) {
        if (v === null || v.trim() === '') delete merged[k];
        else merged[k] = v;
      }
      settings = normalizeSettings(provider, merged);
      firstIssue(settingsIssues(provider, settings));
      fields.push(...Object.keys(input.settings).map((k) => `settings.${k}`));
    }
    const credential = checkCredential(provider, input.credential, input.credentialSecretId);
    if (input.credentialSecretId === null && !current.credentialSealed && credential === undefined && current.authType !== 'oauth2') {
      throw invalid('removing credentialSecretId would leave the connection without a credential: send a credential too', 'credentialSecretId');
    }
    const currentFields = fieldRows(current.id, provider);
    const fieldChanges = planFields(provider, input.credentialFields ?? {}, input.credentialFieldSecretIds ?? {}, currentFields);
    if (PROVIDER_CATALOG[provider].credential?.format === 'pem') {
      const storedPassphrase = () => currentFieldValue(current.id, currentFields, KEY_PASSPHRASE_FIELD);
      // A passphrase belongs to the key it decrypts: a new unencrypted key drops the stored one.
      if (credential !== undefined && !isEncryptedPem(credential) && !fieldChanges.has(KEY_PASSPHRASE_FIELD) && currentFields.some((f) => f.key === KEY_PASSPHRASE_FIELD)) {
        fieldChanges.set(KEY_PASSPHRASE_FIELD, null);
      }
      const passphraseChange = fieldChanges.get(KEY_PASSPHRASE_FIELD);
      if (credential !== undefined) checkKeyPair(provider, credential, passphraseAfter(passphraseChange, storedPassphrase));
      else if (passphraseChange !== undefined && typeof input.credentialSecretId !== 'string' && current.credentialSealed) {
        // Only the passphrase changes: it must (still) open the stored key.
        checkKeyPair(provider, vault.open(current.credentialSealed, credentialAad(current.id)).toString('utf8'), passphraseAfter(passphraseChange, storedPassphrase));
      }
    }
    if (credential !== undefined) fields.push('credential');
    if (input.credentialSecretId !== undefined) fields.push('credentialSecretId');
    fields.push(...[...fieldChanges.keys()].map((k) => `credentialFields.${k}`));
    const removedFields = [...fieldChanges].filter(([, c]) => c === null).map(([k]) => k);
    if (input.status === 'active' && current.status === 'error') {
      throw new AppError('PRECONDITION_FAILED', 'this connection is in error: update its credentials or run a test to bring it back to active', 'status');
    }
    const sealed = credential === undefined ? undefined : seal(current.id, credential);
    const sealedFields = sealFields(current.id, fieldChanges);

    const result = store.transaction(() => {
      const r = row(input.workspaceId, input.id);
      const now = clock.now().toISOString();
      const edits: ConnectionChanges = {};
      if (input.name !== undefined) edits.name = input.name;
      if (settings !== undefined) edits.settings = settings;
      // A credential is either sealed here or a vault secret: setting one clears the other.
      if (sealed !== undefined) Object.assign(edits, { credentialSealed: sealed, credentialSecretId: null });
      if (input.credentialSecretId) Object.assign(edits, { credentialSecretId: input.credentialSecretId, credentialSealed: null });
      else if (input.credentialSecretId === null) edits.credentialSecretId = null;
      // Written before the references are re-derived from the stored rows.
      store.update(r.id, edits);
      writeFields(r.id, sealedFields);
      syncReferences(r.workspaceId, r.id, input.name ?? r.name);
      // New credentials leave the status and the last error as they are: an untested credential is not known to
      // work, so only the next test (the desktop runs one right after saving) turns error → active, or keeps error.
      if (input.status === 'paused' && r.status !== 'paused') {
        recordStatus(r, 'paused', 'paused', actor, now);
        fields.push('status');
      } else if (input.status === 'active' && r.status === 'paused') {
        // Resuming with new, untested credentials keeps the last failure: a test decides.
        const stillFailing = r.lastErrorCode;
        recordStatus(r, stillFailing ? 'error' : 'active', stillFailing ? 'resumed; the last test or refresh failed' : 'resumed', actor, now);
        fields.push('status');
      }
      store.update(r.id, { updatedAt: now });
      if (fields.length > 0) {
        audit.record({
          workspaceId: r.workspaceId,
          action: 'connection.updated',
          actor,
          target: { type: 'connection', id: r.id, name: input.name ?? r.name },
          details: { changed: fields, ...(input.status ? { status: r.status } : {}), ...(removedFields.length > 0 ? { removed: removedFields.map((k) => `credentialFields.${k}`) } : {}) },
        });
      }
      return get(r.workspaceId, r.id);
    });
    changed(input.workspaceId, input.id);
    return result;
  }

  function remove(workspaceId: string, id: string, force: boolean, actor: Actor): { id: string; deleted: true } {
    access.assert(actor, workspaceId, 'connection.delete');
    store.transaction(() => {
      const r = row(workspaceId, id);
      const referrers = references.referencesTo({ type: 'connection', id });
      if (referrers.length > 0 && !force) {
        const who = referrers.map((x) => `${x.fromType} "${x.fromName ?? x.fromId}"`).join(', ');
        throw conflict(
          `connection "${r.name}" is referenced by ${who}; those will fail with "connection not found" once it is deleted. Update them first, or delete with force to confirm`,
          'force',
        );
      }
      store.delete(id);
      references.clearFrom({ type: 'connection', id });
      // A forced delete clears the references to it too (workflow steps), as a secret's does.
      references.clearTo({ type: 'connection', id }, actor);
      audit.record({
        workspaceId,
        action: 'connection.deleted',
        actor,
        target: { type: 'connection', id, name: r.name },
        details: { provider: r.provider, force, referencedBy: referrers.map((x) => `${x.fromType}:${x.fromId}`) },
      });
    });
    changed(workspaceId, id);
    return { id, deleted: true };
  }

  async function credentialOf(c: ConnectionRecord): Promise<string> {
    const source = sources.get(c.authType);
    if (!source) throw new AppError('INTERNAL', `no credential source for ${c.authType}`);
    return source(c);
  }

  async function runTest(provider: Provider, settings: Record<string, string>, credential: string, credentialFields: Record<string, string>): Promise<ConnectionTestResult> {
    const report = await tester({ provider, settings, credential, credentialFields });
    const result = { ...report, testedAt: clock.now().toISOString() };
    logger.log('info', 'connection tested', { provider, outcome: result.outcome, httpStatus: result.httpStatus, latencyMs: result.latencyMs });
    return result;
  }

  /** Live test of a stored connection. Records the result; an invalid credential puts an active connection in error. */
  async function test(workspaceId: string, id: string, actor: Actor): Promise<ConnectionTestResult> {
    access.assert(actor, workspaceId, 'connection.test');
    const c = get(workspaceId, id);
    const credential = await credentialOf(c);
    const result = await runTest(c.provider, c.settings, credential, await storedCredentialFields(c));
    store.transaction(() => {
      const r = row(workspaceId, id); // it may have been deleted while the provider answered
      const now = result.testedAt;
      store.update(id, { lastTest: result, updatedAt: now });
      if (result.outcome === 'invalid_credential') {
        store.update(id, lastError({ code: result.outcome, message: result.message }, now));
        if (r.status === 'active') recordStatus(r, 'error', `test: ${result.message}`, actor, now);
      } else if (result.outcome === 'valid') {
        store.update(id, lastError(null, now));
        if (r.status === 'error') recordStatus(r, 'active', 'test: credential valid', actor, now);
      }
      audit.record({
        workspaceId,
        action: 'connection.tested',
        actor,
        target: { type: 'connection', id, name: r.name },
        outcome: result.ok ? 'success' : 'failure',
        details: { outcome: result.outcome, httpStatus: result.httpStatus, latencyMs: result.latencyMs, status: r.status },
      });
    });
    changed(workspaceId, id);
    return result;
  }

  /** "Test before saving": validates the draft like create does, runs the live test, stores nothing but the audit event. */
  async function testDraft(input: ConnectionTestDraft, actor: Actor): Promise<ConnectionTestResult> {
    // Testing a draft sends a credential nobody stored yet: it takes both the test and the create permission.
    access.assert(actor, input.workspaceId, 'connection.test');
    access.assert(actor, input.workspaceId, 'connection.create');
    checkAuthType(input.provider, input.authType);
    const entry = PROVIDER_CATALOG[input.provider];
    if (entry.authType === 'oauth2') throw new AppError('PRECONDITION_FAILED', `${entry.label} is tested during its OAuth consent flow: save the connection and click Authorize`);
    const credential = checkCredential(input.provider, input.credential, undefined);
    if (credential === undefined) throw invalid(`credential (${entry.credential?.label ?? 'credential'}) is required to test ${entry.label}`, 'credential');
    const settings = normalizeSettings(input.provider, input.settings ?? {});
    firstIssue(settingsIssues(input.provider, settings));
    const fieldChanges = planFields(input.provider, input.credentialFields ?? {}, {}, []);
    checkKeyPair(input.provider, credential, passphraseAfter(fieldChanges.get(KEY_PASSPHRASE_FIELD), () => null));
    const fields: Record<string, string> = {};
    for (const [k, c] of fieldChanges) if (c && 'value' in c) fields[k] = c.value;
    const result = await runTest(input.provider, settings, credential, fields);
    audit.record({
      workspaceId: input.workspaceId,
      action: 'connection.tested',
      actor,
      target: { type: 'connection', id: 'unsaved', name: `${entry.label} (before saving)` },
      outcome: result.ok ? 'success' : 'failure',
      details: { provider: input.provider, outcome: result.outcome, httpStatus: result.httpStatus, latencyMs: result.latencyMs, draft: true },
    });
    return result;
  }

  /**
   * THE way other code (runs, workflow steps, the OAuth capability's callers) obtains a usable credential:
   * refuses a paused connection ("connection is paused"), answers "connection not found" for a deleted one.
   */
  async function credentialFor(workspaceId: string, id: string): Promise<{ connection: ConnectionRecord; credential: string; credentialFields: Record<string, string> }> {
    const c = get(workspaceId, id);
    if (c.status === 'paused') throw new AppError('PRECONDITION_FAILED', PAUSED_MESSAGE);
    return { connection: c, credential: await credentialOf(c), credentialFields: await storedCredentialFields(c) };
  }

  /**
   * A vault secret this connection used was deleted with force (the reference index calls this inside the secret's
   * delete transaction): the pointer to it goes, the connection records why and an active one turns `error`, so it
   * never stays `active` with a credential that no longer exists. A paused connection stays paused (the admin paused
   * it), with the same last error.
   */
  function detachSecret(workspaceId: string, id: string, secretId: string, actor: Actor): void {
    const r = store.get(workspaceId, id);
    if (!r) return;
    const now = clock.now().toISOString();
    const fields: string[] = [];
    if (r.credentialSecretId === secretId) {
      store.update(id, { credentialSecretId: null });
      fields.push('credentialSecretId');
    }
    for (const f of fieldRows(id, r.provider)) {
      if (f.secretId !== secretId) continue;
      store.deleteCredentialField(id, f.key);
      fields.push(`credentialFieldSecretIds.${f.key}`);
    }
    if (fields.length === 0) return;
    store.update(id, lastError({ code: 'SECRET_DELETED', message: SECRET_DELETED_MESSAGE }, now));
    if (r.status === 'active') recordStatus(r, 'error', 'its vault secret was deleted', actor, now);
    store.update(id, { updatedAt: now });
    syncReferences(workspaceId, id, r.name);
    audit.record({
      workspaceId,
      action: 'connection.updated',
      actor,
      target: { type: 'connection', id, name: r.name },
      // `cause`, not a key naming a secret: the audit redacts such keys (and an id is not secret material).
      details: { changed: fields, reason: 'vault secret deleted', cause: { type: 'secret', id: secretId }, status: r.status },
    });
    // After the deleting transaction commits, the UI refetches: a push now only tells it to look.
    queueMicrotask(() => changed(workspaceId, id));
  }

  /**
   * A connection's credential handed to a local program the caller runs (the CLI's `exec`): POLICY `connection.use`,
   * then the credential through credentialFor (a paused connection is refused), then `connection.used` (medium).
   * Fail-closed: the credential is returned only after its audit row is written; a denied call is recorded too.
   */
  async function useCredential(workspaceId: string, id: string, actor: Actor): Promise<{ credential: string; credentialFields: Record<string, string> }> {
    if (!access.allowed(actor, workspaceId, 'connection.use')) {
      const r = store.get(workspaceId, id);
      if (r) {
        try {
          audit.record({ workspaceId, action: 'connection.used', actor, outcome: 'denied', target: { type: 'connection', id: r.id, name: r.name }, details: { use: 'credential' } });
        } catch {
          logger.log('error', 'could not record a refused connection use', { connectionId: r.id });
        }
      }
      access.assert(actor, workspaceId, 'connection.use');
    }
    const { connection, credential, credentialFields } = await credentialFor(workspaceId, id);
    audit.record({
      workspaceId,
      action: 'connection.used',
      actor,
      target: { type: 'connection', id: connection.id, name: connection.name },
      details: { provider: connection.provider, use: 'credential' },
    });
    return { credential, credentialFields };
  }

  /** Records a health change the OAuth capability found: sets or clears the last error and moves the status. */
  function markHealth(workspaceId: string, id: string, error: { code: string; message: string } | null, reason: string, actor: Actor): Connection {
    const c = store.transaction(() => {
      const r = row(workspaceId, id);
      const now = clock.now().toISOString();
      store.update(id, lastError(error, now));
      if (error && r.status === 'active') recordStatus(r, 'error', reason, actor, now);
      else if (!error && r.status === 'error') recordStatus(r, 'active', reason, actor, now);
      store.update(id, { updatedAt: now });
      return get(workspaceId, id);
    });
    changed(workspaceId, id);
    return c;
  }

  return {
    list,
    detail,
    create,
    update,
    remove,
    test,
    testDraft,
    useCredential,
    /**
     * For trusted core code only, never for a transport: no access check. The caller either acts as the system
     * (token refresh, scheduler), uses a connection on behalf of an already-authorized run, or has checked the
     * user's permission itself (the OAuth consent flow checks connection.create / connection.update when it starts).
     */
    internal: {
      /** The stored record, not audited: for the OAuth capability (settings, status, name) and run steps. */
      get,
      credentialFor,
      /** Throws the CONFLICT a create would, before a consent flow starts for a name that is taken. */
      assertNameFree: (workspaceId: string, name: string) => assertNameFree(workspaceId, name),
      /** A refresh failed: last error set, active → error. */
      markError: (workspaceId: string, id: string, error: { code: string; message: string }, actor: Actor) => markHealth(workspaceId, id, error, error.message, actor),
      /** Consent succeeded: last error cleared, error → active. */
      markHealthy: (workspaceId: string, id: string, reason: string, actor: Actor) => markHealth(workspaceId, id, null, reason, actor),
      /** A vault secret it used was deleted with force (the reference index's detacher for 'connection'). */
      detachSecret,
      /** The OAuth capability registers its access-token provider here ('oauth2'). */
      registerCredentialSource: (authType: AuthType, source: CredentialSource) => void sources.set(authType, source),
    },
  };
}
export type ConnectionService = ReturnType<typeof createConnectionService>;
