import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { AuditService } from '../audit/audit-service';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import type { Clock, KeyStore } from '../ports';
import { envelopeKeyId, openV1, sealV1 } from './envelope';
import type { VaultPort } from './vault-port';

export type VaultState = 'uninitialized' | 'locked' | 'unlocked';
export type VaultMode = 'keychain' | 'passphrase';
export type VaultStatus = { state: VaultState; mode: VaultMode | null; keyStore: string };

type Meta = {
  installation_id: string;
  mode: VaultMode;
  kek_id: string;
  kek_check: Buffer;
  kdf: string | null;
  wrapped_kek: Buffer | null;
};

const KEK_CHECK_PLAINTEXT = Buffer.from('provenanceone-master-key-check');
export const keychainAccount = (installationId: string) => `master-key:${installationId}`;

/**
 * The vault: envelope encryption under a master key (KEK) that never touches the disk in plaintext.
 *
 * - The KEK (256-bit) lives in the OS keychain (KeyStore port), one account per installation.
 * - Data keys (DEKs, 256-bit) are stored wrapped by the KEK (envelope v1, AAD "dek:<id>"); values are sealed
 *   with the active DEK. Rotating the master key re-wraps DEKs only; values stay as they are.
 * - State: uninitialized → locked → unlocked. While locked, seal/open throw VAULT_LOCKED; metadata elsewhere
 *   stays readable. Unlocked keys live only in this process's memory and are zeroed on lock.
 */
export function createVaultService(deps: { db: Db; keyStore: KeyStore; clock: Clock; audit: Pick<AuditService, 'record'> }) {
  const { db, keyStore, clock, audit } = deps;
  let kek: Buffer | null = null;
  const deks = new Map<string, Buffer>();
  let activeDekId: string | null = null;

  const meta = (): Meta | undefined => db.prepare('SELECT * FROM vault_meta WHERE id = 1').get() as Meta | undefined;

  function status(): VaultStatus {
    const m = meta();
    return { state: !m ? 'uninitialized' : kek ? 'unlocked' : 'locked', mode: m?.mode ?? null, keyStore: keyStore.kind };
  }

  const locked = () =>
    new AppError('VAULT_LOCKED', 'the vault is locked: unlock it (Settings → Vault) to use secrets and credentials');

  function loadDataKeys(key: Buffer): void {
    const rows = db.prepare('SELECT id, wrapped, active FROM vault_data_keys').all() as Array<{ id: string; wrapped: Buffer; active: number }>;
    deks.clear();
    for (const r of rows) {
      deks.set(r.id, openV1(key, r.wrapped, `dek:${r.id}`));
      if (r.active) activeDekId = r.id;
    }
  }

  /** Holds `key` as the unlocked master key after checking it against the stored check value. */
  function adoptKek(key: Buffer, m: Meta): void {
    try {
      openV1(key, m.kek_check, 'kek-check');
    } catch {
      throw new AppError('FORBIDDEN', 'that master key does not open this vault (wrong passphrase or a different keychain entry)');
    }
    loadDataKeys(key);
    kek = key;
  }

  function newDataKey(key: Buffer, kekId: string, now: string): string {
    const id = randomUUID();
    const dek = randomBytes(32);
    db.prepare('UPDATE vault_data_keys SET active = 0 WHERE active = 1').run();
    db.prepare('INSERT INTO vault_data_keys (id, wrapped, kek_id, active, created_at) VALUES (?, ?, ?, 1, ?)').run(
      id,
      sealV1(key, kekId, dek, `dek:${id}`),
      kekId,
      now,
    );
    return id;
  }

  /**
   * First run, keychain mode: a new KEK goes into the OS keychain first; only then is the vault recorded in the
   * database, so a crash in between leaves an uninitialized vault (and an unused keychain entry), never a vault
   * whose key is lost.
   */
  async function initializeWithKeychain(actor: Actor): Promise<VaultStatus> {
    if (meta()) throw new AppError('CONFLICT', 'the vault is already set up');
    const installationId = randomUUID();
    const key = randomBytes(32);
    await keyStore.set(keychainAccount(installationId), key.toString('base64'));
    const kekId = randomUUID();
    const now = clock.now().toISOString();
    db.transaction(() => {
      if (meta()) throw new AppError('CONFLICT', 'the vault is already set up');
      db.prepare(
        'INSERT INTO vault_meta (id, installation_id, mode, kek_id, kek_check, created_at) VALUES (1, ?, ?, ?, ?, ?)',
      ).run(installationId, 'keychain', kekId, sealV1(key, kekId, KEK_CHECK_PLAINTEXT, 'kek-check'), now);
      newDataKey(key, kekId, now);
      audit.record({ workspaceId: null, action: 'vault.initialized', actor, target: { type: 'vault', id: installationId, name: 'keychain' } });
    })();
    adoptKek(key, meta()!);
    return status();
  }

  /** Keychain mode: fetch the KEK from the OS keychain. */
  async function unlockWithKeychain(actor: Actor): Promise<VaultStatus> {
    const m = meta();
    if (!m) throw new AppError('PRECONDITION_FAILED', 'the vault is not set up yet');
    if (kek) return status();
    if (m.mode !== 'keychain') throw new AppError('PRECONDITION_FAILED', 'this vault is protected by a passphrase: unlock it with the passphrase');
    const stored = await keyStore.get(keychainAccount(m.installation_id));
    if (!stored) {
      throw new AppError(
        'KEYCHAIN_UNAVAILABLE',
        'the vault master key is not in this OS keychain (a different user or machine?). Restore a vault backup, or unlock on the machine that created it',
      );
    }
    adoptKek(Buffer.from(stored, 'base64'), m);
    audit.record({ workspaceId: null, action: 'vault.unlocked', actor, target: { type: 'vault', id: m.installation_id, name: m.mode } });
    return status();
  }

  /** Zeroes and drops every key held in memory. */
  function forget(): void {
    kek?.fill(0);
    deks.forEach((k) => k.fill(0));
    kek = null;
    deks.clear();
    activeDekId = null;
  }

  function lock(actor: Actor): VaultStatus {
    const m = meta();
    if (kek && m) {
      forget();
      audit.record({ workspaceId: null, action: 'vault.locked', actor, target: { type: 'vault', id: m.installation_id, name: m.mode } });
    }
    return status();
  }

  const port: VaultPort = {
    isUnlocked: () => kek !== null,
    seal(plaintext, aad) {
      if (!kek || !activeDekId) throw locked();
      return sealV1(deks.get(activeDekId)!, activeDekId, plaintext, aad);
    },
    open(sealed, aad) {
      if (!kek) throw locked();
      const dek = deks.get(envelopeKeyId(sealed));
      if (!dek) throw new AppError('INTEGRITY_FAILED', 'a stored value was sealed with a data key this vault does not have; restore it from a backup');
      return openV1(dek, sealed, aad);
    },
  };

  return {
    ...port,
    status,
    initializeWithKeychain,
    unlockWithKeychain,
    lock,
    /** Process shutdown: keys leave memory; not an admin action, so not audited. */
    forget,
    /** For the vault capability (passphrase mode, key rotation, backup): the raw pieces, never exposed over IPC. */
    internals: { meta, adoptKek, newDataKey, currentKek: () => kek, keyStore },
  };
}
export type VaultService = ReturnType<typeof createVaultService>;
