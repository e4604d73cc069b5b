// One file (over 400 lines) on purpose: every method shares the unlocked key state this factory's closure holds (the
// master key, the unwrapped data keys, the last use) and the `exclusive` queue; split apart, that state would have to
// be exposed to other modules. Its SQL is in vault-store.ts, backup and restore in vault-backup.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import { AppError } from '../errors';
import type { Clock, KeyStore, Logger } from '../ports';
import { envelopeKeyId, openV1, sealV1 } from './envelope';
import { belowDefault, DEFAULT_KDF, deriveKey, newKdfParams, parseKdf, type KdfCost, type KdfParams } from './kdf';
import type { VaultPort } from './vault-port';
import { KEYCHAIN_REASON_UNKNOWN, KeychainUnavailableError } from './keytar-key-store';
import type { Meta, VaultMode, VaultStore } from './vault-store';
import type { SettingsStore } from '../settings/settings-store';
import type { WorkspaceService } from '../workspaces/workspace-service';

export type { Meta, VaultMode } from './vault-store';

export type VaultState = 'uninitialized' | 'locked' | 'unlocked';
export type VaultStatus = {
  state: VaultState;
  mode: VaultMode | null;
  keyStore: string;
  /** Passphrase mode locks itself after this many minutes without vault use; 0 = never. */
  autoLockMinutes: number;
  kdf: KdfCost | null;
  createdAt: string | null;
  rotatedAt: string | null;
  /** Whether the key store answered the last time it was asked (null: not asked yet); `reason` in plain words. */
  keychain: KeychainCheck | null;
};
export type KeychainCheck = { available: boolean; reason: string | null };

/** The account the availability check reads: never written, so a reachable keychain answers "nothing here". */
export const KEYCHAIN_PROBE_ACCOUNT = 'availability-check';

const KEK_CHECK_PLAINTEXT = Buffer.from('provenanceone-master-key-check');
/** The account of vaults created before keychain_account existed (and of the first key of every installation). */
export const keychainAccount = (installationId: string) => `master-key:${installationId}`;
/** A fresh account per master key, so a rotation can hold old and new key side by side until the commit. */
export const rotatedKeychainAccount = (installationId: string) => `master-key:${installationId}:${randomUUID()}`;
export const accountOf = (m: Pick<Meta, 'keychain_account' | 'installation_id'>) => m.keychain_account ?? keychainAccount(m.installation_id);

export const AUTO_LOCK_SETTING = 'vault.auto_lock_minutes';
export const DEFAULT_AUTO_LOCK_MINUTES = 15;

const wrapAad = (installationId: string) => `kek-wrap:${installationId}`;
/** The master key wrapped by a passphrase-derived key; envelope v1 with the KEK id as key id. */
export const wrapKek = (wrappingKey: Buffer, kek: Buffer, kekId: string, installationId: string) =>
  sealV1(wrappingKey, kekId, kek, wrapAad(installationId));
export const kekCheck = (kek: Buffer, kekId: string) => sealV1(kek, kekId, KEK_CHECK_PLAINTEXT, 'kek-check');
export const wrapDek = (kek: Buffer, kekId: string, dekId: string, dek: Buffer) => sealV1(kek, kekId, dek, `dek:${dekId}`);

const AUTO_LOCK_ACTOR: Actor = { kind: 'system', id: 'system', name: 'ProvenanceOne', origin: 'auto-lock' };

const wrongPassphrase = () =>
  new AppError('FORBIDDEN', 'wrong vault passphrase: nothing was changed. Check the passphrase (it is case-sensitive) and try again', 'passphrase');

/**
 * The vault: envelope encryption under a master key (KEK) that never touches the disk in plaintext.
 *
 * - The KEK (256-bit) lives in the OS keychain (KeyStore port) under vault_meta.keychain_account, or, in passphrase
 *   mode, in vault_meta.wrapped_kek wrapped by an scrypt key whose parameters and salt sit beside it (vault_meta.kdf).
 * - Data keys (DEKs, 256-bit) are stored wrapped by the KEK (envelope v1, AAD "dek:<id>"); values are sealed
 *   with the active DEK. Rotating the master key re-wraps DEKs only; values stay as they are.
 * - State: uninitialized → locked → unlocked. While locked, seal/open throw VAULT_LOCKED; metadata elsewhere
 *   stays readable. Unlocked keys live only in this process's memory and are zeroed on lock.
 * - Key-changing admin actions run one at a time (`exclusive`), because they await the keychain or scrypt between
 *   reading and writing vault_meta.
 *
 * Who may call what: the vault is installation-wide, so its admin actions (set up, unlock, lock, rotate, auto-lock)
 * take the actor and need `vault.manage` in the Default workspace (the one every administrator administers); the
 * check comes before anything else, so a refused call changes nothing and waits for nothing. `status` is open to
 * every caller: the UI needs it to pick the setup or unlock screen before anyone is signed in; so is `checkKeychain`
 * (the setup screen's "can the keychain be used here?", a read of an account that is never written). `seal`, `open` and
 * `isUnlocked` (the VaultPort every service uses after its own check), `lockIfIdle` (the scheduler), `exclusive`,
 * `forget` (shutdown) and `internals` (backup/restore) are internal: no transport reaches them.
 */
export function createVaultService(deps: {
  store: VaultStore;
  /** The auto-lock minutes live in the app's settings table. */
  settings: Pick<SettingsStore, 'get' | 'put'>;
  keyStore: KeyStore;
  clock: Clock;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert'>;
  workspaces: Pick<WorkspaceService, 'defaultWorkspace'>;
  bus?: EventBus;
  logger?: Logger;
  /** scrypt cost for new wraps; tests of "raise the parameters later" pass a higher one. */
  kdfCost?: KdfCost;
}) {
  const { store, keyStore, clock, audit } = deps;
  /** The gate of every admin action: vault.manage in the Default workspace. */
  const manage = (actor: Actor) => deps.access.assert(actor, deps.workspaces.defaultWorkspace().id, 'vault.manage');
  const kdfCost = deps.kdfCost ?? DEFAULT_KDF;
  let kek: Buffer | null = null;
  const deks = new Map<string, Buffer>();
  let activeDekId: string | null = null;
  let lastUse = 0;
  let keychainCheck: KeychainCheck | null = null;

  /** Remembers what a key store call said about its reachability; other errors say nothing about it. */
  function noteKeychain(e: unknown): void {
    if (e instanceof KeychainUnavailableError) keychainCheck = { available: false, reason: e.reason };
    else if (e instanceof AppError && e.code === 'KEYCHAIN_UNAVAILABLE') keychainCheck = { available: false, reason: KEYCHAIN_REASON_UNKNOWN };
  }

  /**
   * Asks the key store whether it answers at all (a read of an account never written), so the setup screen can
   * pre-select what works and say why the keychain cannot be chosen. Never throws; reads no key.
   */
  async function checkKeychain(): Promise<KeychainCheck> {
    try {
      await keyStore.get(KEYCHAIN_PROBE_ACCOUNT);
      keychainCheck = { available: true, reason: null };
    } catch (e) {
      keychainCheck = { available: false, reason: KEYCHAIN_REASON_UNKNOWN };
      noteKeychain(e);
    }
    return keychainCheck;
  }

  const meta = (): Meta | undefined => store.meta();
  const requireMeta = (): Meta => {
    const m = meta();
    if (!m) throw new AppError('PRECONDITION_FAILED', 'the vault is not set up yet: choose the OS keychain or a passphrase on the setup screen');
    return m;
  };

  function autoLockMinutes(): number {
    const value = deps.settings.get(AUTO_LOCK_SETTING);
    const n = value !== undefined ? Number(value) : DEFAULT_AUTO_LOCK_MINUTES;
    return Number.isInteger(n) && n >= 0 ? n : DEFAULT_AUTO_LOCK_MINUTES;
  }

  function status(): VaultStatus {
    const m = meta();
    let kdf: KdfCost | null = null;
    if (m?.mode === 'passphrase' && m.kdf) {
      const k = JSON.parse(m.kdf) as KdfParams;
      kdf = { N: k.N, r: k.r, p: k.p };
    }
    return {
      state: !m ? 'uninitialized' : kek ? 'unlocked' : 'locked',
      mode: m?.mode ?? null,
      keyStore: keyStore.kind,
      autoLockMinutes: autoLockMinutes(),
      kdf,
      createdAt: m?.created_at ?? null,
      rotatedAt: m?.rotated_at ?? null,
      keychain: keychainCheck,
    };
  }

  const changed = () => {
    const s = status();
    deps.bus?.emit('vault:changed', { state: s.state, mode: s.mode });
  };

  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  const locked = () =>
    new AppError('VAULT_LOCKED', 'the vault is locked: unlock it (Settings → Vault) to use secrets and credentials');

  /** Zeroes and drops every key held in memory. */
  function forget(): void {
    kek?.fill(0);
    deks.forEach((k) => k.fill(0));
    kek = null;
    deks.clear();
    activeDekId = null;
  }

  /**
   * Holds `key` as the unlocked master key after checking it against the stored check value and unwrapping every
   * data key. All or nothing: a tampered check value or data key leaves the vault locked with INTEGRITY_FAILED.
   */
  function adoptKek(key: Buffer, m: Meta, knownGood = false): void {
    try {
      openV1(key, m.kek_check, 'kek-check');
    } catch {
      if (knownGood) {
        throw new AppError('INTEGRITY_FAILED', 'the vault key check value was altered; the vault stays locked. Restore the vault from a backup');
      }
      throw new AppError('FORBIDDEN', 'that master key does not open this vault (wrong passphrase or a different keychain entry)');
    }
    const rows = store.dataKeys();
    const next = new Map<string, Buffer>();
    let active: string | null = null;
    try {
      for (const r of rows) {
        next.set(r.id, openV1(key, r.wrapped, `dek:${r.id}`));
        if (r.active) active = r.id;
      }
    } catch {
      next.forEach((k) => k.fill(0));
      throw new AppError('INTEGRITY_FAILED', 'a wrapped data key of the vault was altered; the vault stays locked. Restore the vault from a backup');
    }
    forget();
    next.forEach((v, k) => deks.set(k, v));
    activeDekId = active;
    kek = key;
    lastUse = clock.now().getTime();
  }

  function newDataKey(key: Buffer, kekId: string, now: string): { id: string; dek: Buffer } {
    const id = randomUUID();
    const dek = randomBytes(32);
    store.addActiveDataKey(id, wrapDek(key, kekId, id, dek), kekId, now);
    return { id, dek };
  }

  const insertMeta = (row: Omit<Meta, 'rotated_at'>): void => store.insertMeta(row);

  /**
   * First run, keychain mode: a new KEK goes into the OS keychain first; only then is the vault recorded in the
   * database, so a crash in between leaves an uninitialized vault (and an unused keychain entry), never a vault
   * whose key is lost.
   */
  async function initializeWithKeychain(actor: Actor): Promise<VaultStatus> {
    manage(actor);
    return exclusive(async () => {
      if (meta()) throw new AppError('CONFLICT', 'the vault is already set up');
      const installationId = randomUUID();
      const key = randomBytes(32);
      const account = keychainAccount(installationId);
      try {
        await keyStore.set(account, key.toString('base64'));
      } catch (e) {
        noteKeychain(e);
        throw e;
      }
      keychainCheck = { available: true, reason: null };
      const kekId = randomUUID();
      const now = clock.now().toISOString();
      store.transaction(() => {
        if (meta()) throw new AppError('CONFLICT', 'the vault is already set up');
        insertMeta({
          installation_id: installationId,
          mode: 'keychain',
          kek_id: kekId,
          kek_check: kekCheck(key, kekId),
          kdf: null,
          wrapped_kek: null,
          keychain_account: account,
          created_at: now,
        });
        newDataKey(key, kekId, now);
        audit.record({ workspaceId: null, action: 'vault.initialized', actor, target: { type: 'vault', id: installationId, name: 'keychain' } });
      });
      adoptKek(key, meta()!);
      changed();
      return status();
    });
  }

  /** First run, passphrase mode: the KEK is stored only wrapped by the scrypt key of the passphrase. */
  async function initializeWithPassphrase(passphrase: string, actor: Actor): Promise<VaultStatus> {
    manage(actor);
    return exclusive(async () => {
      if (meta()) throw new AppError('CONFLICT', 'the vault is already set up');
      const installationId = randomUUID();
      const key = randomBytes(32);
      const kekId = randomUUID();
      const params = newKdfParams(kdfCost);
      const wrappingKey = await deriveKey(passphrase, params);
      const now = clock.now().toISOString();
      try {
        store.transaction(() => {
          if (meta()) throw new AppError('CONFLICT', 'the vault is already set up');
          insertMeta({
            installation_id: installationId,
            mode: 'passphrase',
            kek_id: kekId,
            kek_check: kekCheck(key, kekId),
            kdf: JSON.stringify(params),
            wrapped_kek: wrapKek(wrappingKey, key, kekId, installationId),
            keychain_account: null,
            created_at: now,
          });
          newDataKey(key, kekId, now);
          audit.record({ workspaceId: null, action: 'vault.initialized', actor, target: { type: 'vault', id: installationId, name: 'passphrase' } });
        });
      } finally {
        wrappingKey.fill(0);
      }
      adoptKek(key, meta()!);
      changed();
      return status();
    });
  }

  /** Keychain mode: fetch the KEK from the OS keychain. */
  async function unlockWithKeychain(actor: Actor): Promise<VaultStatus> {
    manage(actor);
    return keychainUnlock(actor);
  }

  function keychainUnlock(actor: Actor): Promise<VaultStatus> {
    return exclusive(async () => {
      const m = requireMeta();
      if (kek) return status();
      if (m.mode !== 'keychain') throw new AppError('PRECONDITION_FAILED', 'this vault is protected by a passphrase: unlock it with the passphrase', 'passphrase');
      const stored = await keyStore.get(accountOf(m));
      if (!stored) {
        throw new AppError(
          'KEYCHAIN_UNAVAILABLE',
          'the vault master key is not in this OS keychain (a different user or machine?). Restore a vault backup, or unlock on the machine that created it',
        );
      }
      adoptKek(Buffer.from(stored, 'base64'), m);
      audit.record({ workspaceId: null, action: 'vault.unlocked', actor, target: { type: 'vault', id: m.installation_id, name: m.mode } });
      changed();
      return status();
    });
  }

  /** Unwraps the KEK with the passphrase; a wrong one is audited (vault.unlock_failed) and changes nothing else. */
  async function unwrapWithPassphrase(m: Meta, passphrase: string, actor: Actor): Promise<Buffer> {
    if (m.mode !== 'passphrase' || !m.wrapped_kek) {
      throw new AppError('PRECONDITION_FAILED', 'this vault is protected by the OS keychain, not a passphrase');
    }
    const wrappingKey = await deriveKey(passphrase, parseKdf(m.kdf));
    try {
      return openV1(wrappingKey, m.wrapped_kek, wrapAad(m.installation_id));
    } catch {
      audit.record({
        workspaceId: null,
        action: 'vault.unlock_failed',
        actor,
        target: { type: 'vault', id: m.installation_id, name: m.mode },
        outcome: 'failure',
        details: { reason: 'wrong passphrase' },
      });
      throw wrongPassphrase();
    } finally {
      wrappingKey.fill(0);
    }
  }

  async function unlockWithPassphrase(passphrase: string, actor: Actor): Promise<VaultStatus> {
    manage(actor);
    return passphraseUnlock(passphrase, actor);
  }

  function passphraseUnlock(passphrase: string, actor: Actor): Promise<VaultStatus> {
    return exclusive(async () => {
      const m = requireMeta();
      if (kek) return status();
      const key = await unwrapWithPassphrase(m, passphrase, actor);
      // The re-wrap below awaits scrypt; a lock meanwhile zeroes the held key, so it wraps this copy.
      const copy = Buffer.from(key);
      adoptKek(key, m, true);
      const params = parseKdf(m.kdf);
      let rewrapped: KdfCost | null = null;
      if (belowDefault(params, kdfCost)) {
        // Stored parameters older than today's default: re-wrap now, while the passphrase is at hand.
        const fresh = newKdfParams(kdfCost);
        const wk = await deriveKey(passphrase, fresh);
        try {
          store.rewrapPassphrase(m.kek_id, JSON.stringify(fresh), wrapKek(wk, copy, m.kek_id, m.installation_id));
        } finally {
          wk.fill(0);
        }
        rewrapped = { N: fresh.N, r: fresh.r, p: fresh.p };
      }
      copy.fill(0);
      audit.record({
        workspaceId: null,
        action: 'vault.unlocked',
        actor,
        target: { type: 'vault', id: m.installation_id, name: m.mode },
        details: rewrapped ? { kdfUpgradedTo: rewrapped } : {},
      });
      changed();
      return status();
    });
  }

  /** Unlock by whatever protects this vault: the keychain, or the passphrase given. */
  async function unlock(actor: Actor, passphrase?: string): Promise<VaultStatus> {
    manage(actor);
    const m = requireMeta();
    if (m.mode === 'keychain') return keychainUnlock(actor);
    if (kek) return status();
    if (passphrase === undefined || passphrase === '') {
      throw new AppError('INVALID_INPUT', 'passphrase: enter the vault passphrase', 'passphrase');
    }
    return passphraseUnlock(passphrase, actor);
  }

  function lock(actor: Actor): VaultStatus {
    manage(actor);
    return lockNow(actor, 'manual');
  }

  function lockNow(actor: Actor, reason: 'manual' | 'idle'): VaultStatus {
    const m = meta();
    if (kek && m) {
      forget();
      audit.record({ workspaceId: null, action: 'vault.locked', actor, target: { type: 'vault', id: m.installation_id, name: m.mode }, details: { reason } });
      changed();
    }
    return status();
  }

  /** The meta row and a COPY of the master key: a lock during the caller's awaits zeroes the held key, not this one. */
  function requireUnlocked(): { m: Meta; key: Buffer } {
    const m = requireMeta();
    if (!kek) throw locked();
    return { m, key: Buffer.from(kek) };
  }

  /**
   * Master-key rotation: a new KEK, every data key re-wrapped under it in ONE transaction with the new check value
   * and the audit row. Keychain mode stores the new KEK under a new account before the transaction and deletes the
   * old account only after the commit, so at every instant the key the database names is in the keychain.
   * Passphrase mode asks for the passphrase again (and re-salts).
   */
  async function rotateMasterKey(actor: Actor, passphrase?: string): Promise<VaultStatus> {
    manage(actor);
    return exclusive(async () => {
      const { m, key } = requireUnlocked();
      const newKek = randomBytes(32);
      const newKekId = randomUUID();
      let newAccount: string | null = null;
      let kdf: string | null = null;
      let wrapped: Buffer | null = null;
      if (m.mode === 'keychain') {
        newAccount = rotatedKeychainAccount(m.installation_id);
        await keyStore.set(newAccount, newKek.toString('base64'));
      } else {
        if (!passphrase) throw new AppError('INVALID_INPUT', 'passphrase: enter the vault passphrase to rotate the master key', 'passphrase');
        (await unwrapWithPassphrase(m, passphrase, actor)).fill(0);
        const params = newKdfParams(kdfCost);
        const wk = await deriveKey(passphrase, params);
        kdf = JSON.stringify(params);
        wrapped = wrapKek(wk, newKek, newKekId, m.installation_id);
        wk.fill(0);
      }
      const now = clock.now().toISOString();
      try {
        store.transaction(() => {
          const current = meta();
          if (!current || current.kek_id !== m.kek_id) throw new AppError('CONFLICT', 'the master key changed meanwhile; try again');
          const rows = store.dataKeys();
          for (const r of rows) {
            const dek = openV1(key, r.wrapped, `dek:${r.id}`);
            store.rewrapDataKey(r.id, wrapDek(newKek, newKekId, r.id, dek), newKekId);
            dek.fill(0);
          }
          store.replaceMasterKey({ kekId: newKekId, kekCheck: kekCheck(newKek, newKekId), keychainAccount: newAccount, kdf, wrappedKek: wrapped, rotatedAt: now });
          audit.record({
            workspaceId: null,
            action: 'vault.key_rotated',
            actor,
            target: { type: 'vault', id: m.installation_id, name: m.mode },
            details: { rotated: 'master', dataKeysRewrapped: rows.length },
          });
        });
      } catch (e) {
        key.fill(0);
        newKek.fill(0);
        if (newAccount) await keyStore.delete(newAccount).catch(() => false);
        throw e;
      }
      key.fill(0);
      // Locked meanwhile (Lock now, auto-lock): stay locked; the next unlock finds the new key.
      if (kek) adoptKek(newKek, meta()!, true);
      else newKek.fill(0);
      if (m.mode === 'keychain') {
        try {
          await keyStore.delete(accountOf(m));
        } catch {
          deps.logger?.log('warn', 'old vault master key could not be removed from the OS keychain', { installation: m.installation_id });
        }
      }
      changed();
      return status();
    });
  }

  /** A new active data key: new values use it; old values keep opening with their own (still wrapped) keys. */
  async function rotateDataKey(actor: Actor): Promise<VaultStatus> {
    manage(actor);
    return exclusive(async () => {
      const { m, key } = requireUnlocked();
      const created = store.transaction(() => {
        const k = newDataKey(key, m.kek_id, clock.now().toISOString());
        audit.record({
          workspaceId: null,
          action: 'vault.key_rotated',
          actor,
          target: { type: 'vault', id: m.installation_id, name: m.mode },
          details: { rotated: 'data', dataKeyId: k.id },
        });
        return k;
      });
      key.fill(0);
      if (kek) {
        deks.set(created.id, created.dek);
        activeDekId = created.id;
      }
      changed();
      return status();
    });
  }

  function setAutoLock(minutes: number, actor: Actor): VaultStatus {
    manage(actor);
    store.transaction(() => {
      deps.settings.put(AUTO_LOCK_SETTING, String(minutes));
      audit.record({ workspaceId: null, action: 'settings.updated', actor, target: { type: 'setting', id: AUTO_LOCK_SETTING, name: 'vault auto-lock' }, details: { minutes } });
    });
    changed();
    return status();
  }

  /** Scheduler job: passphrase mode locks itself after the configured idle time (idle = no seal/open/unlock). */
  function lockIfIdle(now: Date): boolean {
    if (!kek) return false;
    const m = meta();
    if (m?.mode !== 'passphrase') return false;
    const minutes = autoLockMinutes();
    if (minutes === 0 || now.getTime() - lastUse < minutes * 60_000) return false;
    lockNow(AUTO_LOCK_ACTOR, 'idle');
    return true;
  }

  const port: VaultPort = {
    isUnlocked: () => kek !== null,
    seal(plaintext, aad) {
      if (!kek || !activeDekId) throw locked();
      lastUse = clock.now().getTime();
      return sealV1(deks.get(activeDekId)!, activeDekId, plaintext, aad);
    },
    open(sealed, aad) {
      if (!kek) throw locked();
      const keyId = envelopeKeyId(sealed);
      const dek = deks.get(keyId);
      if (!dek) throw new AppError('INTEGRITY_FAILED', 'a stored value was sealed with a data key this vault does not have; restore it from a backup');
      lastUse = clock.now().getTime();
      return openV1(dek, sealed, aad, keyId);
    },
  };

  return {
    // Open to every caller (see above).
    status,
    checkKeychain,
    // User-facing admin actions: each checks vault.manage first.
    initializeWithKeychain,
    initializeWithPassphrase,
    unlockWithKeychain,
    unlockWithPassphrase,
    unlock,
    lock,
    rotateMasterKey,
    rotateDataKey,
    setAutoLock,
    // Internal: the VaultPort for services that checked their own operation, the scheduler, shutdown, backup.
    ...port,
    lockIfIdle,
    exclusive,
    /** Process shutdown: keys leave memory; not an admin action, so not audited. */
    forget,
    /** For the vault capability (backup/restore): the raw pieces and its gate, never exposed over IPC. */
    internals: { meta, adoptKek, newDataKey, currentKek: () => kek, keyStore, changed, kdfCost, manage },
  };
}
export type VaultService = ReturnType<typeof createVaultService>;
