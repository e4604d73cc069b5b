// One file (a little over 400 lines): every write path (create, rotate, rollback, the scheduled rotation) seals
// through the same `addVersion` in its own transaction with its audit row, and the reveal's audit-first rule sits
// beside them; the SQL is in secret-store.ts.
import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import {
  GENERATOR_ALPHABETS,
  SECRET_MAX_BYTES,
  SECRET_VERSIONS_KEPT,
  type Generator,
  type Secret,
  type SecretCreate,
  type SecretDetail,
  type SecretReveal,
  type SecretUpdate,
  type SecretValue,
  type SecretValueType,
  type SecretVersion,
} from '@shared/domain/secret';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import { pageCursor } from '../db/cursor';
import { retryWhenBusy } from '../db/storage-errors';
import { AppError, conflict, invalid, notFound } from '../errors';
import type { EventBus } from '../events/event-bus';
import type { Clock, Logger } from '../ports';
import type { ReferenceIndex } from '../references/reference-index';
import type { Job } from '../scheduler/scheduler';
import type { VaultPort } from '../vault/vault-port';
import type { SecretRecord, SecretStore } from './secret-store';

type Row = SecretRecord;

/** The AAD every version is sealed under: a ciphertext only opens for the secret and version it was written for. */
export const secretAad = (id: string, version: number) => `secret:${id}:v${version}`;

/** The secrets list's cursor: the name of the last secret shown (the list is by name). */
const cursor = pageCursor('secrets', z.string().min(1).max(1000));

const DAY_MS = 86_400_000;
const addDays = (at: Date, days: number) => new Date(at.getTime() + days * DAY_MS).toISOString();

const toSecret = (r: Row): Secret => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  description: r.description,
  valueType: r.value_type,
  version: r.version,
  generator: r.generator ? (JSON.parse(r.generator) as Generator) : null,
  rotation: r.rotation_days ? { everyDays: r.rotation_days, nextRotationAt: r.next_rotation_at, dueSince: r.rotation_due_since } : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastRotatedAt: r.last_rotated_at,
});

/** A random value from the generator's alphabet; randomInt draws without modulo bias. */
export function generateValue(g: Generator): string {
  const alphabet = GENERATOR_ALPHABETS[g.alphabet];
  let out = '';
  for (let i = 0; i < g.length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** The stored plaintext form: UTF-8 text, or compact JSON for objects. Size is checked here, once. */
function encode(value: SecretValue): { bytes: Buffer; type: SecretValueType } {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(JSON.stringify(value), 'utf8');
  if (bytes.length > SECRET_MAX_BYTES) {
    bytes.fill(0);
    throw new AppError('PAYLOAD_TOO_LARGE', `value is larger than ${SECRET_MAX_BYTES / 1024} KiB: secrets hold credentials, store files in a datastore`, 'value');
  }
  return { bytes, type: typeof value === 'string' ? 'string' : 'json' };
}

function decode(bytes: Buffer, type: SecretValueType): SecretValue {
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return type === 'string' ? text : (JSON.parse(text) as SecretValue);
}

export type SecretServiceDeps = {
  store: SecretStore;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  audit: Pick<AuditService, 'record' | 'latest'>;
  access: Pick<AccessService, 'assert' | 'allowed'>;
  vault: VaultPort;
  references: Pick<ReferenceIndex, 'referencesTo' | 'clearTo'>;
  /** Who the scheduler acts as. */
  systemActor: Actor;
};

/**
 * Secrets: write-only values in the vault, metadata in the secret store. A value leaves this service only through
 * `reveal`, which writes `secret.accessed` in the same transaction as the decrypt, so no audit row means no value.
 * Values never go into logs, errors, audit details or any other output.
 *
 * Who may call what: every user-facing method takes the actor and checks it first (POLICY: secret.list, .write,
 * .rotate, .rollback, .reveal). Internal, for the system only: `rotationJob` (the scheduler, acting as the system
 * actor) and `readForRuntime` (core code using a secret on the admin's behalf, e.g. a connection's credential after
 * the connection service's own check); no transport reaches them.
 */
export function createSecretService(deps: SecretServiceDeps) {
  const { store, clock, bus, audit, access, vault, references, systemActor } = deps;

  function row(workspaceId: string, id: string): Row {
    // Ids are compared byte for byte: a UUID in other case is another (unknown) secret, as the docs say.
    const r = store.find(workspaceId, id);
    if (!r) throw notFound(`secret ${id} in this workspace`);
    return r;
  }

  const changed = (r: { workspace_id: string; id: string }) => bus.emit('secrets:changed', { workspaceId: r.workspace_id, id: r.id });

  /**
   * Seals `bytes` as the next version, keeps the newest SECRET_VERSIONS_KEPT and restarts the schedule. Must run
   * inside the caller's transaction, together with its audit row.
   */
  function addVersion(r: Row, bytes: Buffer, type: SecretValueType, source: SecretVersion['source'], actor: Actor, now: Date, restoredFrom: number | null = null): Row {
    const version = r.version + 1;
    let ciphertext: Buffer;
    try {
      ciphertext = vault.seal(bytes, secretAad(r.id, version));
    } finally {
      bytes.fill(0);
    }
    const at = now.toISOString();
    store.insertVersion({
      secret_id: r.id,
      version,
      workspace_id: r.workspace_id,
      value_type: type,
      ciphertext,
      source,
      restored_from: restoredFrom,
      created_at: at,
      created_by: actor.name,
    });
    store.pruneVersions(r.id, version - SECRET_VERSIONS_KEPT);
    const next = r.rotation_days ? addDays(now, r.rotation_days) : null;
    const rotatedAt = source === 'create' ? r.last_rotated_at : at;
    store.setCurrentVersion({ id: r.id, version, value_type: type, updated_at: at, last_rotated_at: rotatedAt, next_rotation_at: next });
    return { ...r, version, value_type: type, updated_at: at, last_rotated_at: rotatedAt, next_rotation_at: next, rotation_due_since: null };
  }

  function create(input: SecretCreate, actor: Actor): Secret {
    access.assert(actor, input.workspaceId, 'secret.write');
    const { bytes, type } = encode(input.value ?? generateValue(input.generate!));
    const now = clock.now();
    const at = now.toISOString();
    const id = randomUUID();
    const created = store.transaction(() => {
      if (store.idByName(input.workspaceId, input.name)) {
        bytes.fill(0);
        throw conflict(`a secret named "${input.name}" already exists in this workspace`, 'name');
      }
      const days = input.rotation?.everyDays ?? null;
      const base: Row = {
        id,
        workspace_id: input.workspaceId,
        name: input.name,
        description: input.description ?? '',
        value_type: type,
        version: 0,
        generator: input.generate ? JSON.stringify(input.generate) : null,
        rotation_days: days,
        next_rotation_at: null,
        rotation_due_since: null,
        created_at: at,
        updated_at: at,
        last_rotated_at: null,
      };
      store.insert(base);
      const r = addVersion(base, bytes, type, 'create', actor, now);
      audit.record({
        workspaceId: r.workspace_id,
        action: 'secret.created',
        actor,
        target: { type: 'secret', id, name: r.name },
        details: { version: r.version, valueType: type, generated: r.generator !== null, rotationEveryDays: days },
      });
      return r;
    });
    changed(created);
    return toSecret(created);
  }

  function list(q: { workspaceId: string; search?: string; limit?: number; cursor?: string }, actor: Actor): { items: Secret[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'secret.list');
    const limit = q.limit ?? 50;
    const after = q.cursor === undefined ? undefined : cursor.decode(q.workspaceId, q.cursor);
    // Anywhere in the name, ignoring case (secret-store.ts: the trigram index from 3 characters, a scan below that).
    const rows = store.page({ workspaceId: q.workspaceId, search: q.search?.trim() || undefined, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(toSecret), nextCursor: rows.length > limit ? cursor.encode(q.workspaceId, page[page.length - 1]!.name) : null };
  }

  function get(workspaceId: string, id: string, actor: Actor): SecretDetail {
    access.assert(actor, workspaceId, 'secret.list');
    const r = row(workspaceId, id);
    const versions = store.versions(id).map((v) => ({
      version: v.version,
      valueType: v.value_type,
      source: v.source,
      restoredFrom: v.restored_from,
      createdAt: v.created_at,
      createdBy: v.created_by,
    }));
    // Last access comes from the audit log itself, the one record of reveals.
    const last = audit.latest({ workspaceId, action: 'secret.accessed', targetId: id });
    return {
      secret: toSecret(r),
      versions,
      references: references.referencesTo({ type: 'secret', id }),
      lastAccess: last ? { at: last.at, actorName: last.actor.name, origin: last.origin } : null,
    };
  }

  function update(input: SecretUpdate, actor: Actor): Secret {
    access.assert(actor, input.workspaceId, 'secret.write');
    const updated = store.transaction(() => {
      const before = row(input.workspaceId, input.id);
      const next = { ...before };
      const fields: string[] = [];
      if (input.name !== undefined && input.name !== before.name) {
        const other = store.idByName(input.workspaceId, input.name);
        if (other && other !== before.id) throw conflict(`a secret named "${input.name}" already exists in this workspace`, 'name');
        next.name = input.name;
        fields.push('name');
      }
      if (input.description !== undefined && input.description !== before.description) {
        next.description = input.description;
        fields.push('description');
      }
      if (input.rotation !== undefined && (input.rotation?.everyDays ?? null) !== before.rotation_days) {
        next.rotation_days = input.rotation?.everyDays ?? null;
        // A new schedule counts from now; removing it clears any "rotation due" mark.
        next.next_rotation_at = next.rotation_days ? addDays(clock.now(), next.rotation_days) : null;
        next.rotation_due_since = null;
        fields.push('rotation');
      }
      if (fields.length === 0) return before;
      next.updated_at = clock.now().toISOString();
      store.updateMeta(next);
      audit.record({
        workspaceId: next.workspace_id,
        action: 'secret.updated',
        actor,
        target: { type: 'secret', id: next.id, name: next.name },
        details: { fields, ...(fields.includes('name') ? { from: before.name } : {}), rotationEveryDays: next.rotation_days },
      });
      return next;
    });
    changed(updated);
    return toSecret(updated);
  }

  function rotate(input: { workspaceId: string; id: string; value?: SecretValue }, actor: Actor): Secret {
    access.assert(actor, input.workspaceId, 'secret.rotate');
    const rotated = store.transaction(() => {
      const r = row(input.workspaceId, input.id);
      if (input.value === undefined && !r.generator) throw invalid('value is required: this secret is not generated by the app', 'value');
      const { bytes, type } = encode(input.value ?? generateValue(JSON.parse(r.generator!) as Generator));
      const next = addVersion(r, bytes, type, 'rotate', actor, clock.now());
      audit.record({
        workspaceId: r.workspace_id,
        action: 'secret.rotated',
        actor,
        target: { type: 'secret', id: r.id, name: r.name },
        details: { version: next.version, previousVersion: r.version, generated: input.value === undefined },
      });
      return next;
    });
    changed(rotated);
    return toSecret(rotated);
  }

  /** Makes a kept version current again, as a new version (its AAD names the new version number). */
  function rollback(input: { workspaceId: string; id: string; version: number }, actor: Actor): Secret {
    access.assert(actor, input.workspaceId, 'secret.rollback');
    const rolled = store.transaction(() => {
      const r = row(input.workspaceId, input.id);
      if (input.version === r.version) throw invalid(`version ${input.version} is already the current one`, 'version');
      const old = store.version(r.id, input.version);
      if (!old) throw invalid(`version ${input.version} is not kept (only the last ${SECRET_VERSIONS_KEPT} are); pick one from the versions list`, 'version');
      const bytes = vault.open(old.ciphertext, secretAad(r.id, old.version));
      const next = addVersion(r, bytes, old.value_type, 'rollback', actor, clock.now(), old.version);
      audit.record({
        workspaceId: r.workspace_id,
        action: 'secret.rolled_back',
        actor,
        target: { type: 'secret', id: r.id, name: r.name },
        details: { restoredVersion: old.version, version: next.version, previousVersion: r.version },
      });
      return next;
    });
    changed(rolled);
    return toSecret(rolled);
  }

  function remove(input: { workspaceId: string; id: string; force?: boolean }, actor: Actor): { id: string; deleted: true } {
    access.assert(actor, input.workspaceId, 'secret.write');
    const r = store.transaction(() => {
      const r = row(input.workspaceId, input.id);
      const refs = references.referencesTo({ type: 'secret', id: r.id });
      if (refs.length > 0 && !input.force) {
        const names = refs.map((x) => `${x.fromType} "${x.fromName ?? x.fromId}"`).join(', ');
        throw conflict(`secret "${r.name}" is used by ${names}: change those first, or delete with force to clear the references`, 'force');
      }
      store.delete(r.id);
      // A forced delete clears the references to it in the same transaction.
      references.clearTo({ type: 'secret', id: r.id }, actor);
      audit.record({
        workspaceId: r.workspace_id,
        action: 'secret.deleted',
        actor,
        target: { type: 'secret', id: r.id, name: r.name },
        details: { forced: Boolean(input.force), clearedReferences: refs.map((x) => ({ type: x.fromType, id: x.fromId, name: x.fromName })) },
      });
      return r;
    });
    changed(r);
    return { id: r.id, deleted: true };
  }

  /**
   * The only way a value leaves the core. The `secret.accessed` row is written first and the decrypt runs in the
   * same transaction: if the row cannot be written, nothing is decrypted; if the decrypt fails, the row rolls back
   * and a failure row is written instead. There is no parameter to skip the audit.
   */
  function reveal(workspaceId: string, id: string, actor: Actor): SecretReveal {
    if (!access.allowed(actor, workspaceId, 'secret.reveal')) {
      const r = store.find(workspaceId, id);
      if (r) tryRecordFailure(r, actor, 'denied', 'FORBIDDEN');
      access.assert(actor, workspaceId, 'secret.reveal');
    }
    try {
      return revealTx(workspaceId, id, actor);
    } catch (e) {
      const r = store.find(workspaceId, id);
      if (r) tryRecordFailure(r, actor, 'failure', e instanceof AppError ? e.code : 'INTERNAL');
      throw e;
    }
  }

  // The hot path the benchmark holds to its floor: one prepared read (store.currentSealed) and the audit row in one
  // transaction opened by the store's prebuilt wrapper.
  const revealTx = (workspaceId: string, id: string, actor: Actor): SecretReveal =>
    store.transaction(() => {
      const c = store.currentSealed(workspaceId, id);
      if (!c) throw notFound(`secret ${id} in this workspace`);
      if (c.version === null || c.value_type === null || c.ciphertext === null) {
        throw new AppError('INTEGRITY_FAILED', 'the current version of this secret is missing; roll back to a kept version or rotate it');
      }
      audit.record({
        workspaceId,
        action: 'secret.accessed',
        actor,
        target: { type: 'secret', id: c.id, name: c.name },
        details: { version: c.version },
      });
      const value = decode(vault.open(c.ciphertext, secretAad(c.id, c.version)), c.value_type);
      return { value, valueType: c.value_type, version: c.version };
    });

  function tryRecordFailure(r: Row, actor: Actor, outcome: 'failure' | 'denied', reason: string): void {
    try {
      audit.record({ workspaceId: r.workspace_id, action: 'secret.accessed', actor, outcome, target: { type: 'secret', id: r.id, name: r.name }, details: { reason } });
    } catch {
      deps.logger.log('error', 'could not record a failed secret reveal', { secretId: r.id });
    }
  }

  /**
   * Claims and handles the oldest due schedule, in one IMMEDIATE transaction: the write lock is taken before the
   * row is read, so two ticks (or two processes on one data dir) can never both rotate it. A generated secret is
   * rotated; any other is marked "rotation due" (its next_rotation_at cleared until someone rotates it). While the
   * vault is locked, generated secrets wait.
   */
  function handleOneDue(now: Date): Row | null {
    return store.immediate((): Row | null => {
      const r = store.oldestDue(now.toISOString(), vault.isUnlocked());
      if (!r) return null;
      const target = { type: 'secret', id: r.id, name: r.name };
      if (r.generator) {
        const { bytes, type } = encode(generateValue(JSON.parse(r.generator) as Generator));
        const next = addVersion(r, bytes, type, 'scheduled', systemActor, now);
        audit.record({
          workspaceId: r.workspace_id,
          action: 'secret.rotated',
          actor: systemActor,
          target,
          details: { version: next.version, previousVersion: r.version, scheduled: true, generated: true, dueAt: r.next_rotation_at },
        });
        return next;
      }
      store.markDue(r.id);
      audit.record({ workspaceId: r.workspace_id, action: 'secret.updated', actor: systemActor, target, details: { rotationDue: true, dueAt: r.next_rotation_at } });
      return r;
    });
  }

  const rotationJob: Job = {
    name: 'secrets.rotation',
    async tick(now) {
      for (;;) {
        // Another process may hold the write lock past the busy timeout: wait for it without blocking the event loop
        // (the claim is one IMMEDIATE transaction, so a busy attempt changed nothing).
        const r = await retryWhenBusy(() => handleOneDue(now), {
          onBusy: (attempt) => deps.logger.log('debug', 'secrets rotation: database busy, waiting', { attempt }),
        });
        if (!r) return;
        changed(r);
        // Yield between rows: a long catch-up after a restart must not freeze the app.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };

  /**
   * Runtime injection (the docs: "the platform injects the value at runtime"): the current value for core code
   * that uses it on the admin's behalf, e.g. a connection whose credential is kept as this secret. Never reachable
   * over IPC or REST; the audited way for a person to see a value is reveal().
   */
  function readForRuntime(workspaceId: string, id: string): string {
    const current = row(workspaceId, id);
    const v = store.version(current.id, current.version);
    if (!v) throw new AppError('INTEGRITY_FAILED', 'the current version of this secret is missing; roll back to a kept version or rotate it');
    const value = decode(vault.open(v.ciphertext, secretAad(current.id, v.version)), v.value_type);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  return {
    // User-facing: each checks the actor first.
    create,
    list,
    get,
    update,
    rotate,
    rollback,
    remove,
    reveal,
    // Internal (see above).
    rotationJob,
    readForRuntime,
  };
}
export type SecretService = ReturnType<typeof createSecretService>;
