import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import {
  KEY_PASSPHRASE_FIELD,
  PROVIDER_CATALOG,
  credentialFieldIssues,
  credentialIssue,
  isEncryptedPem,
  keyPassphraseIssue,
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
  type StatusChange,
} from '@shared/domain/connection';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { ReferenceIndex } from '../references/reference-index';
import type { VaultPort } from '../vault/vault-port';
import type { Clock, Logger } from '../ports';
import { AppError, conflict, invalid, notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { ConnectionTester } from './connection-tester';
import { privateKeyIssue } from './http-connection-tester';

type Row = {
  id: string;
  workspace_id: string;
  name: string;
  provider: Provider;
  auth_type: AuthType;
  status: ConnectionStatus;
  settings: string;
  credential_sealed: Buffer | null;
  credential_secret_id: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: string | null;
  last_test: string | null;
  created_at: string;
  updated_at: string;
  status_changed_at: string;
};

type FieldRow = { key: string; sealed: Buffer | null; secret_id: string | null };

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

/** What an update does to one credential field: set it (sealed value or vault secret), or remove it (null). */
type FieldChange = { value: string } | { secretId: string } | null;
export const PAUSED_MESSAGE = 'connection is paused: resume it (Pause/Resume, or PATCH {"status":"active"}) before using it';
const NOT_AUTHORIZED = 'not authorized yet: click Authorize to complete the OAuth consent flow';

const toSummary = (r: Row): ConnectionSummary => ({
  id: r.id,
  name: r.name,
  provider: r.provider,
  authType: r.auth_type,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  statusChangedAt: r.status_changed_at,
});

const toConnection = (r: Row, fields: readonly FieldRow[]): Connection => ({
  ...toSummary(r),
  workspaceId: r.workspace_id,
  settings: JSON.parse(r.settings) as Record<string, string>,
  hasCredential: r.credential_sealed !== null || r.credential_secret_id !== null,
  credentialSecretId: r.credential_secret_id,
  storedCredentialFields: Object.fromEntries(fields.map((f) => [f.key, { secretId: f.secret_id }])),
  lastError: r.last_error_code ? { code: r.last_error_code, message: r.last_error_message ?? '', at: r.last_error_at ?? r.updated_at } : null,
  lastTest: r.last_test ? (JSON.parse(r.last_test) as ConnectionTestResult) : null,
});

export type ConnectionServiceDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  references: Pick<ReferenceIndex, 'set' | 'clearFrom' | 'referencesTo'>;
  vault: VaultPort;
  tester: ConnectionTester;
  /** Present once the secrets capability is wired; without it, secret-backed credentials cannot be read. */
  readSecret?: SecretReader;
};

/**
 * Connections: stored credentials for the 12 integrations. Credentials are sealed by the vault under the AAD
 * `connection:<id>:credential` and never leave the core except to the provider during a test or a run.
 * Status is platform-managed: active ⇄ paused by the admin; active → error when a test (or an OAuth refresh) finds
 * the credential invalid; error → active after a valid test or new credentials.
 */
export function createConnectionService(deps: ConnectionServiceDeps) {
  const { db, clock, audit, bus, references, vault, tester, logger } = deps;

  const byId = db.prepare('SELECT * FROM connections WHERE id = ? AND workspace_id = ?');
  const insertHistory = db.prepare(
    'INSERT INTO connection_status_history (connection_id, workspace_id, at, from_status, to_status, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  const fieldsOfId = db.prepare('SELECT key, sealed, secret_id FROM connection_credential_fields WHERE connection_id = ? ORDER BY key');
  const putField = db.prepare('INSERT OR REPLACE INTO connection_credential_fields (connection_id, key, sealed, secret_id) VALUES (?, ?, ?, ?)');
  const deleteField = db.prepare('DELETE FROM connection_credential_fields WHERE connection_id = ? AND key = ?');

  /** Only providers with credential fields can have rows: the others (OAuth included) skip the lookup. */
  const fieldRows = (id: string, provider: Provider): FieldRow[] => (PROVIDER_CATALOG[provider].credentialFields ? (fieldsOfId.all(id) as FieldRow[]) : []);

  const sources = new Map<AuthType, CredentialSource>();

  async function storedCredential(c: ConnectionRecord): Promise<string> {
    if (c.credentialSecretId) {
      if (!deps.readSecret) throw new AppError('UNAVAILABLE', 'this connection keeps its credential in a vault secret, and the secrets vault is not available yet');
      return deps.readSecret(c.workspaceId, c.credentialSecretId);
    }
    const row = byId.get(c.id, c.workspaceId) as Row | undefined;
    if (!row) throw notFound('connection');
    if (!row.credential_sealed) throw new AppError('PRECONDITION_FAILED', 'this connection has no credential: click Update credentials');
    return vault.open(row.credential_sealed, credentialAad(c.id)).toString('utf8');
  }
  /** The values of the credential fields that are set, for a test or a run; opened only for that use. */
  async function storedCredentialFields(c: ConnectionRecord): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const f of fieldRows(c.id, c.provider)) {
      if (f.secret_id) {
        if (!deps.readSecret) throw new AppError('UNAVAILABLE', `this connection keeps its ${f.key} in a vault secret, and the secrets vault is not available yet`);
        out[f.key] = await deps.readSecret(c.workspaceId, f.secret_id);
      } else if (f.sealed) out[f.key] = vault.open(f.sealed, credentialFieldAad(c.id, f.key)).toString('utf8');
    }
    return out;
  }

  sources.set('apikey', storedCredential);
  sources.set('serviceaccount', storedCredential);
  sources.set('oauth2', async () => {
    throw new AppError('PRECONDITION_FAILED', NOT_AUTHORIZED);
  });

  function row(workspaceId: string, id: string): Row {
    const r = byId.get(id, workspaceId) as Row | undefined;
    // A deleted id and an id from another workspace look the same: the docs' "connection not found".
    if (!r) throw notFound('connection');
    return r;
  }

  const seal = (id: string, credential: string) => vault.seal(Buffer.from(credential, 'utf8'), credentialAad(id));

  function firstIssue(issues: Array<{ field: string; message: string }>): void {
    const i = issues[0];
    if (i) throw invalid(i.message, i.field);
  }

  function checkAuthType(provider: Provider, authType: AuthType): void {
    const entry = PROVIDER_CATALOG[provider];
    if (entry.authType !== authType) throw invalid(`authType for ${entry.label} must be ${entry.authType}`, 'authType');
  }

  /** Checks a draft's credential part; returns the credential to seal, if any. */
  function checkCredential(provider: Provider, credential: string | undefined, secretId: string | null | undefined): string | undefined {
    const entry = PROVIDER_CATALOG[provider];
    if (entry.authType === 'oauth2') {
      if (credential !== undefined) throw invalid(`${entry.label} uses OAuth 2.0: do not send a credential, authorize the connection instead`, 'credential');
      if (secretId) throw invalid(`${entry.label} uses OAuth 2.0: its tokens are stored by the consent flow`, 'credentialSecretId');
      return undefined;
    }
    if (credential !== undefined && secretId) throw invalid('send either credential or credentialSecretId, not both', 'credential');
    if (credential !== undefined) {
      const issue = credentialIssue(provider, credential);
      if (issue) throw invalid(issue.message, issue.field);
      return credential.trim();
    }
    return undefined;
  }

  /**
   * Checks the credential fields of a draft and says what to do with each. `current` holds the fields already stored
   * (none when creating). A blank or null value removes a field; a field is either a value or a vault secret.
   */
  function planFields(
    provider: Provider,
    literal: Readonly<Record<string, string | null>>,
    refs: Readonly<Record<string, string | null>>,
    current: readonly FieldRow[],
  ): Map<string, FieldChange> {
    const entry = PROVIDER_CATALOG[provider];
    firstIssue(credentialFieldIssues(provider, literal));
    const known = (entry.credentialFields ?? []).map((f) => f.key);
    for (const key of Object.keys(refs)) {
      if (!known.includes(key)) {
        throw invalid(`credentialFieldSecretIds.${key} is not a credential field of ${entry.label}; ${known.length ? `expected one of: ${known.join(', ')}` : `${entry.label} has none`}`, `credentialFieldSecretIds.${key}`);
      }
    }
    const changes = new Map<string, FieldChange>();
    for (const [key, v] of Object.entries(literal)) {
      // Keys are trimmed like the credential; a passphrase is kept exactly as typed (its spaces may be part of it).
      if (v !== null && v.trim() !== '') changes.set(key, { value: key === KEY_PASSPHRASE_FIELD ? v : v.trim() });
      else if (current.some((f) => f.key === key)) changes.set(key, null);
    }
    for (const [key, id] of Object.entries(refs)) {
      const both = changes.get(key);
      if (id !== null && both && 'value' in both) throw invalid(`send either credentialFields.${key} or credentialFieldSecretIds.${key}, not both`, `credentialFields.${key}`);
      if (id !== null) changes.set(key, { secretId: id });
      else if (!changes.has(key) && current.some((f) => f.key === key)) changes.set(key, null);
    }
    return changes;
  }

  /**
   * A PEM private key and its passphrase must open together before anything is stored (nothing is written otherwise).
   * `key` / `passphrase` are the values the connection would have after the change; `undefined` means "kept in a
   * vault secret", which is only read at use time (as for any secret-backed credential), so it cannot be checked here.
   */
  function checkKeyPair(provider: Provider, key: string | undefined, passphrase: string | null | undefined): void {
    if (PROVIDER_CATALOG[provider].credential?.format !== 'pem' || key === undefined) return;
    // A secret-backed passphrase is there but unknown: only its presence can be checked now.
    const shape = keyPassphraseIssue(provider, key, passphrase === undefined ? 'kept in a vault secret' : (passphrase ?? undefined));
    if (shape) throw invalid(shape.message, shape.field);
    if (passphrase === undefined && isEncryptedPem(key)) return;
    const issue = privateKeyIssue(key, passphrase ?? undefined);
    if (issue) throw invalid(issue.message, issue.field);
  }

  /** Seals the values among `changes` (before any transaction: a locked vault refuses and nothing is written). */
  function sealFields(id: string, changes: Map<string, FieldChange>): Map<string, { sealed: Buffer | null; secretId: string | null } | null> {
    const out = new Map<string, { sealed: Buffer | null; secretId: string | null } | null>();
    for (const [key, c] of changes) {
      if (c === null) out.set(key, null);
      else if ('value' in c) out.set(key, { sealed: vault.seal(Buffer.from(c.value, 'utf8'), credentialFieldAad(id, key)), secretId: null });
      else out.set(key, { sealed: null, secretId: c.secretId });
    }
    return out;
  }

  function writeFields(id: string, sealed: Map<string, { sealed: Buffer | null; secretId: string | null } | null>): void {
    for (const [key, v] of sealed) {
      if (v === null) deleteField.run(id, key);
      else putField.run(id, key, v.sealed, v.secretId);
    }
  }

  /** Re-derives the connection's references to vault secrets (its credential and any credential field) from its rows. */
  function syncReferences(workspaceId: string, id: string, name: string): void {
    references.clearFrom({ type: 'connection', id });
    const r = byId.get(id, workspaceId) as Row | undefined;
    if (!r) return;
    const targets = new Set<string>();
    if (r.credential_secret_id) targets.add(r.credential_secret_id);
    for (const f of fieldRows(id, r.provider)) if (f.secret_id) targets.add(f.secret_id);
    for (const secretId of targets) references.set(workspaceId, { type: 'connection', id, name }, { type: 'secret', id: secretId });
  }

  /** A stored field's current value when it is sealed here; undefined when it is a vault secret, null when not set. */
  function currentFieldValue(id: string, fields: readonly FieldRow[], key: string): string | null | undefined {
    const f = fields.find((x) => x.key === key);
    if (!f) return null;
    if (f.secret_id || !f.sealed) return undefined;
    return vault.open(f.sealed, credentialFieldAad(id, key)).toString('utf8');
  }

  /** The passphrase a change leaves in place, in checkKeyPair's terms. */
  function passphraseAfter(change: FieldChange | undefined, current: () => string | null | undefined): string | null | undefined {
    if (change === undefined) return current();
    if (change === null) return null;
    return 'value' in change ? change.value : undefined;
  }

  function recordStatus(r: Row, to: ConnectionStatus, reason: string, actor: Actor, now: string): void {
    if (r.status === to) return;
    db.prepare('UPDATE connections SET status = ?, status_changed_at = ? WHERE id = ?').run(to, now, r.id);
    insertHistory.run(r.id, r.workspace_id, now, r.status, to, reason, actor.name);
    r.status = to;
    r.status_changed_at = now;
  }

  function setLastError(id: string, error: { code: string; message: string } | null, now: string): void {
    db.prepare('UPDATE connections SET last_error_code = ?, last_error_message = ?, last_error_at = ? WHERE id = ?').run(
      error?.code ?? null,
      error?.message ?? null,
      error ? now : null,
      id,
    );
  }

  const changed = (workspaceId: string, id: string) => bus.emit('connections:changed', { workspaceId, id });

  function list(q: ConnectionListQuery): { items: ConnectionSummary[]; nextCursor: string | null } {
    const limit = q.limit ?? 100;
    const where = ['workspace_id = @workspaceId'];
    const params: Record<string, unknown> = { workspaceId: q.workspaceId, limit: limit + 1 };
    if (q.provider) {
      where.push('provider = @provider');
      params.provider = q.provider;
    }
    if (q.status) {
      where.push('status = @status');
      params.status = q.status;
    }
    if (q.q && q.q.trim() !== '') {
      where.push("name LIKE @q ESCAPE '\\' COLLATE NOCASE");
      params.q = `%${q.q.trim().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    }
    if (q.cursor !== undefined) {
      const key = decodeCursor(q.cursor);
      let after: [string, string];
      try {
        after = JSON.parse(String(key)) as [string, string];
        if (!Array.isArray(after) || typeof after[0] !== 'string' || typeof after[1] !== 'string') throw new Error('shape');
      } catch {
        throw invalid('cursor is not valid; start again without it', 'cursor');
      }
      where.push('(lower(name) > @afterName OR (lower(name) = @afterName AND id > @afterId))');
      params.afterName = after[0];
      params.afterId = after[1];
    }
    const rows = db.prepare(`SELECT * FROM connections WHERE ${where.join(' AND ')} ORDER BY lower(name), id LIMIT @limit`).all(params) as Row[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(JSON.stringify([last.name.toLowerCase(), last.id])) : null,
    };
  }

  function history(id: string): StatusChange[] {
    return (
      db.prepare('SELECT at, from_status, to_status, reason, actor FROM connection_status_history WHERE connection_id = ? ORDER BY seq DESC LIMIT 100').all(id) as Array<{
        at: string;
        from_status: ConnectionStatus | null;
        to_status: ConnectionStatus;
        reason: string;
        actor: string;
      }>
    ).map((h) => ({ at: h.at, from: h.from_status, to: h.to_status, reason: h.reason, actor: h.actor }));
  }

  function get(workspaceId: string, id: string): Connection {
    const r = row(workspaceId, id);
    return toConnection(r, fieldRows(r.id, r.provider));
  }

  /** The detail record a person reads: recorded as connection.accessed (high risk), per the docs. */
  function detail(workspaceId: string, id: string, actor: Actor): ConnectionDetail {
    return db.transaction(() => {
      const r = row(workspaceId, id);
      audit.record({ workspaceId, action: 'connection.accessed', actor, target: { type: 'connection', id, name: r.name } });
      return {
        ...toConnection(r, fieldRows(r.id, r.provider)),
        statusHistory: history(id),
        referencedBy: references.referencesTo({ type: 'connection', id }).map((x) => ({ type: x.fromType, id: x.fromId, name: x.fromName })),
      };
    })();
  }

  function assertNameFree(workspaceId: string, name: string, exceptId?: string): void {
    const other = db.prepare('SELECT id FROM connections WHERE workspace_id = ? AND name = ? COLLATE NOCASE').get(workspaceId, name) as { id: string } | undefined;
    if (other && other.id !== exceptId) throw conflict(`a connection named "${name}" already exists in this workspace; choose another name`, 'name');
  }

  function create(input: ConnectionCreate, actor: Actor): Connection {
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
    const created = db.transaction(() => {
      db.prepare(
        `INSERT INTO connections (id, workspace_id, name, provider, auth_type, status, settings, credential_sealed, credential_secret_id,
           last_error_code, last_error_message, last_error_at, last_test, created_at, updated_at, status_changed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
      ).run(
        id,
        input.workspaceId,
        input.name,
        input.provider,
        input.authType,
        status,
        JSON.stringify(settings),
        sealed,
        input.credentialSecretId ?? null,
        oauthPending ? 'not_authorized' : null,
        oauthPending ? NOT_AUTHORIZED : null,
        oauthPending ? now : null,
        now,
        now,
        now,
      );
      insertHistory.run(id, input.workspaceId, now, null, status, oauthPending ? 'created; waiting for OAuth authorization' : 'created', actor.name);
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
          credentialStored: sealed !== null || !!input.credentialSecretId,
          // Names only, as list values: a detail key naming a credential would be redacted by the audit service.
          ...(sealedFields.size > 0 ? { setFields: [...sealedFields.keys()].map((k) => `credentialFields.${k}`) } : {}),
        },
      });
      return get(input.workspaceId, id);
    })();
    changed(input.workspaceId, id);
    return created;
  }

  function update(input: ConnectionUpdate, actor: Actor): Connection {
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
      const merged: Record<string, string> = JSON.parse(current.settings) as Record<string, string>;
      for (const [k, v] of Object.entries(input.settings)) {
        if (v === null || v.trim() === '') delete merged[k];
        else merged[k] = v;
      }
      settings = normalizeSettings(provider, merged);
      firstIssue(settingsIssues(provider, settings));
      fields.push(...Object.keys(input.settings).map((k) => `settings.${k}`));
    }
    const credential = checkCredential(provider, input.credential, input.credentialSecretId);
    if (input.credentialSecretId === null && !current.credential_sealed && credential === undefined && current.auth_type !== 'oauth2') {
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
      else if (passphraseChange !== undefined && typeof input.credentialSecretId !== 'string' && current.credential_sealed) {
        // Only the passphrase changes: it must (still) open the stored key.
        checkKeyPair(provider, vault.open(current.credential_sealed, credentialAad(current.id)).toString('utf8'), passphraseAfter(passphraseChange, storedPassphrase));
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
    const newCredential = credential !== undefined || typeof input.credentialSecretId === 'string' || [...fieldChanges.values()].some((c) => c !== null);

    const result = db.transaction(() => {
      const r = row(input.workspaceId, input.id);
      const now = clock.now().toISOString();
      if (input.name !== undefined) db.prepare('UPDATE connections SET name = ? WHERE id = ?').run(input.name, r.id);
      if (settings !== undefined) db.prepare('UPDATE connections SET settings = ? WHERE id = ?').run(JSON.stringify(settings), r.id);
      if (sealed !== undefined) db.prepare('UPDATE connections SET credential_sealed = ?, credential_secret_id = NULL WHERE id = ?').run(sealed, r.id);
      if (input.credentialSecretId) db.prepare('UPDATE connections SET credential_secret_id = ?, credential_sealed = NULL WHERE id = ?').run(input.credentialSecretId, r.id);
      else if (input.credentialSecretId === null) db.prepare('UPDATE connections SET credential_secret_id = NULL WHERE id = ?').run(r.id);
      writeFields(r.id, sealedFields);
      syncReferences(r.workspace_id, r.id, input.name ?? r.name);
      // New credentials clear the last error: the old one is what failed, and error → active per the docs.
      if (newCredential) {
        setLastError(r.id, null, now);
        if (r.status === 'error') recordStatus(r, 'active', 'new credentials', actor, now);
      }
      if (input.status === 'paused' && r.status !== 'paused') {
        recordStatus(r, 'paused', 'paused', actor, now);
        fields.push('status');
      } else if (input.status === 'active' && r.status === 'paused') {
        const stillFailing = (db.prepare('SELECT last_error_code FROM connections WHERE id = ?').get(r.id) as { last_error_code: string | null }).last_error_code;
        recordStatus(r, stillFailing ? 'error' : 'active', stillFailing ? 'resumed; the last test or refresh failed' : 'resumed', actor, now);
        fields.push('status');
      }
      db.prepare('UPDATE connections SET updated_at = ? WHERE id = ?').run(now, r.id);
      if (fields.length > 0) {
        audit.record({
          workspaceId: r.workspace_id,
          action: 'connection.updated',
          actor,
          target: { type: 'connection', id: r.id, name: input.name ?? r.name },
          details: { changed: fields, ...(input.status ? { status: r.status } : {}), ...(removedFields.length > 0 ? { removed: removedFields.map((k) => `credentialFields.${k}`) } : {}) },
        });
      }
      return get(r.workspace_id, r.id);
    })();
    changed(input.workspaceId, input.id);
    return result;
  }

  function remove(workspaceId: string, id: string, force: boolean, actor: Actor): { id: string; deleted: true } {
    db.transaction(() => {
      const r = row(workspaceId, id);
      const referrers = references.referencesTo({ type: 'connection', id });
      if (referrers.length > 0 && !force) {
        const who = referrers.map((x) => `${x.fromType} "${x.fromName ?? x.fromId}"`).join(', ');
        throw conflict(
          `connection "${r.name}" is referenced by ${who}; those will fail with "connection not found" once it is deleted. Update them first, or delete with force to confirm`,
          'force',
        );
      }
      db.prepare('DELETE FROM connections WHERE id = ?').run(id);
      references.clearFrom({ type: 'connection', id });
      audit.record({
        workspaceId,
        action: 'connection.deleted',
        actor,
        target: { type: 'connection', id, name: r.name },
        details: { provider: r.provider, force, referencedBy: referrers.map((x) => `${x.fromType}:${x.fromId}`) },
      });
    })();
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
    const c = get(workspaceId, id);
    const credential = await credentialOf(c);
    const result = await runTest(c.provider, c.settings, credential, await storedCredentialFields(c));
    db.transaction(() => {
      const r = row(workspaceId, id); // it may have been deleted while the provider answered
      const now = result.testedAt;
      db.prepare('UPDATE connections SET last_test = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(result), now, id);
      if (result.outcome === 'invalid_credential') {
        setLastError(id, { code: result.outcome, message: result.message }, now);
        if (r.status === 'active') recordStatus(r, 'error', `test: ${result.message}`, actor, now);
      } else if (result.outcome === 'valid') {
        setLastError(id, null, now);
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
    })();
    changed(workspaceId, id);
    return result;
  }

  /** "Test before saving": validates the draft like create does, runs the live test, stores nothing but the audit event. */
  async function testDraft(input: ConnectionTestDraft, actor: Actor): Promise<ConnectionTestResult> {
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

  /** For the OAuth capability: a refresh failed (→ error) or consent succeeded (→ active). */
  function markError(workspaceId: string, id: string, error: { code: string; message: string }, actor: Actor): Connection {
    const c = db.transaction(() => {
      const r = row(workspaceId, id);
      const now = clock.now().toISOString();
      setLastError(id, error, now);
      if (r.status === 'active') recordStatus(r, 'error', error.message, actor, now);
      db.prepare('UPDATE connections SET updated_at = ? WHERE id = ?').run(now, id);
      return get(workspaceId, id);
    })();
    changed(workspaceId, id);
    return c;
  }

  function markHealthy(workspaceId: string, id: string, reason: string, actor: Actor): Connection {
    const c = db.transaction(() => {
      const r = row(workspaceId, id);
      const now = clock.now().toISOString();
      setLastError(id, null, now);
      if (r.status === 'error') recordStatus(r, 'active', reason, actor, now);
      db.prepare('UPDATE connections SET updated_at = ? WHERE id = ?').run(now, id);
      return get(workspaceId, id);
    })();
    changed(workspaceId, id);
    return c;
  }

  return {
    list,
    get,
    detail,
    create,
    update,
    remove,
    test,
    testDraft,
    credentialFor,
    markError,
    markHealthy,
    /** The OAuth capability registers its access-token provider here ('oauth2'). */
    registerCredentialSource: (authType: AuthType, source: CredentialSource) => void sources.set(authType, source),
  };
}
export type ConnectionService = ReturnType<typeof createConnectionService>;
