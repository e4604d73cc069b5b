import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '@shared/domain/actor';
import type { AuditService } from '../audit/audit-service';
import type { Migration } from '../db/database';
import type { EventBus } from '../events/event-bus';
import { AppError } from '../errors';
import type { Clock, KeyStore, Logger } from '../ports';
import { openV1 } from './envelope';
import { deriveKey, KdfParamsSchema, newKdfParams, type KdfCost, type KdfParams } from './kdf';
import { accountOf, rotatedKeychainAccount, wrapKek, type VaultService, type VaultStatus } from './vault-service';
import type { Meta, ScratchVault, VaultStore } from './vault-store';

/**
 * The vault backup file. Never change the meaning of an existing format byte: add a new one.
 *
 *   [magic "P1VBAK" + 0x00 + format 0x01: 8 bytes][header length: u32 BE][header: JSON][SHA-256 of all before: 32]
 *   [body: AES-256-GCM ciphertext][tag: 16]
 *
 * header = {format, createdAt, app, installationId, kdf: scrypt params + salt, nonce, check}. The body key is the
 * scrypt key of the admin's backup passphrase; `check` (a known plaintext under that key, its own nonce) tells a
 * wrong passphrase apart from a damaged file; the header digest tells a damaged header apart from a wrong passphrase
 * (it guards against accidents only: the AAD is what authenticates). The body's AAD is everything before it, so every
 * byte of the file is authenticated. body plaintext = [master key: 32 bytes][SQLite database file: an online backup of the live db].
 */
const MAGIC = Buffer.from([0x50, 0x31, 0x56, 0x42, 0x41, 0x4b, 0x00, 0x01]); // "P1VBAK\0" + format 1
const TAG_LEN = 16;
const NONCE_LEN = 12;
const DIGEST_LEN = 32;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const MAX_HEADER = 16 * 1024;
const CHECK_PLAINTEXT = Buffer.from('provenanceone-backup-check');
export const BACKUP_EXTENSION = '.p1vault';

type Header = { format: 1; createdAt: string; app: string; installationId: string; kdf: KdfParams; nonce: string; check: string };

function gcmSeal(key: Buffer, nonce: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

function gcmOpen(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < TAG_LEN) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_LEN)), d.final()]);
  } catch {
    return null;
  }
}

const notABackup = (why: string) =>
  new AppError('INVALID_INPUT', `this file is not a usable ProvenanceOne vault backup (${why}); choose the .p1vault file that Export backup produced`, 'backup');
const damaged = () =>
  new AppError('INTEGRITY_FAILED', 'the backup file is damaged or truncated (its integrity check failed); nothing was restored. Use another copy of the backup');

export async function encryptBackup(
  kek: Buffer,
  dbBytes: Buffer,
  passphrase: string,
  info: { app: string; installationId: string; createdAt: string },
  cost?: KdfCost,
): Promise<Buffer> {
  const kdf = newKdfParams(cost);
  const key = await deriveKey(passphrase, kdf);
  try {
    const checkNonce = randomBytes(NONCE_LEN);
    const nonce = randomBytes(NONCE_LEN);
    const header: Header = {
      format: 1,
      ...info,
      kdf,
      nonce: nonce.toString('base64'),
      check: Buffer.concat([checkNonce, gcmSeal(key, checkNonce, CHECK_PLAINTEXT, MAGIC)]).toString('base64'),
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(headerBytes.length);
    const head = Buffer.concat([MAGIC, len, headerBytes]);
    const aad = Buffer.concat([head, sha256(head)]);
    return Buffer.concat([aad, gcmSeal(key, nonce, Buffer.concat([kek, dbBytes]), aad)]);
  } finally {
    key.fill(0);
  }
}

/** Decrypts a backup or throws: not a backup (400), wrong passphrase (403), damaged (INTEGRITY_FAILED). */
export async function decryptBackup(file: Buffer, passphrase: string): Promise<{ header: Header; kek: Buffer; dbBytes: Buffer }> {
  if (file.length < MAGIC.length + 4 || !file.subarray(0, MAGIC.length - 1).equals(MAGIC.subarray(0, MAGIC.length - 1))) {
    throw notABackup('it does not start like one');
  }
  if (file[MAGIC.length - 1] !== MAGIC[MAGIC.length - 1]) throw notABackup(`format ${file[MAGIC.length - 1]} is newer than this app: update the app`);
  const headerLen = file.readUInt32BE(MAGIC.length);
  const headEnd = MAGIC.length + 4 + headerLen;
  const bodyStart = headEnd + DIGEST_LEN;
  if (headerLen > MAX_HEADER || bodyStart + TAG_LEN > file.length) throw damaged();
  if (!sha256(file.subarray(0, headEnd)).equals(file.subarray(headEnd, bodyStart))) throw damaged();
  let header: Header;
  try {
    const raw = JSON.parse(file.subarray(MAGIC.length + 4, headEnd).toString('utf8')) as Header;
    const kdf = KdfParamsSchema.parse(raw.kdf);
    if (raw.format !== 1 || typeof raw.nonce !== 'string' || typeof raw.check !== 'string') throw new Error('fields');
    header = { ...raw, kdf };
  } catch {
    throw damaged();
  }
  if (header.kdf.N > 2 ** 20) throw damaged(); // refuse a header that would make us allocate gigabytes
  const key = await deriveKey(passphrase, header.kdf);
  try {
    const check = Buffer.from(header.check, 'base64');
    if (!gcmOpen(key, check.subarray(0, NONCE_LEN), check.subarray(NONCE_LEN), MAGIC)) {
      throw new AppError('FORBIDDEN', 'wrong backup passphrase: nothing was restored. Enter the passphrase typed when the backup was exported', 'passphrase');
    }
    const body = gcmOpen(key, Buffer.from(header.nonce, 'base64'), file.subarray(bodyStart), file.subarray(0, bodyStart));
    if (!body || body.length < 32) throw damaged();
    return { header, kek: body.subarray(0, 32), dbBytes: body.subarray(32) };
  } finally {
    key.fill(0);
  }
}

export type Protection = { mode: 'keychain' } | { mode: 'passphrase'; passphrase: string };

/**
 * Export and restore of the whole vault + metadata (the database). Restore does not swap files under the open
 * connection: it validates the backup completely in a scratch copy, then replaces the contents of every table of the
 * live database in ONE transaction (so every service and prepared statement keeps working, and any failure restores
 * nothing), then re-adopts the backup's master key, now protected by this machine's keychain or a new passphrase.
 *
 * Both are admin actions on the whole installation: each takes the actor and checks vault.manage (the vault's own
 * gate) before it reads a byte.
 */
export function createVaultBackup(deps: {
  store: Pick<VaultStore, 'snapshotTo' | 'openScratch' | 'replaceAllFrom'>;
  dataDir: string;
  vault: VaultService;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
  keyStore: KeyStore;
  migrations: readonly Migration[];
  bus: EventBus;
  logger: Logger;
  appVersion: string;
}) {
  const { store, vault, audit, clock } = deps;
  const scratch = (kind: string) => path.join(deps.dataDir, `.${kind}-${randomUUID()}.db`);
  const removeScratch = (file: string) => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
  };

  async function exportBackup(passphrase: string, actor: Actor): Promise<{ fileName: string; data: Buffer; createdAt: string }> {
    vault.internals.manage(actor);
    return vault.exclusive(async () => {
      const m = vault.internals.meta();
      const held = vault.internals.currentKek();
      if (!m) throw new AppError('PRECONDITION_FAILED', 'the vault is not set up yet; there is nothing to back up');
      if (!held) throw new AppError('VAULT_LOCKED', 'the vault is locked: unlock it to export a backup');
      // A copy: a lock (or auto-lock) during the awaits below zeroes the held key, and must not zero the backup's.
      const kek = Buffer.from(held);
      const tmp = scratch('backup');
      let dbBytes: Buffer;
      try {
        // SQLite's online backup: a consistent snapshot while the app keeps running. It holds only ciphertext.
        await store.snapshotTo(tmp);
        dbBytes = fs.readFileSync(tmp);
      } finally {
        removeScratch(tmp);
      }
      const createdAt = clock.now().toISOString();
      let data: Buffer;
      try {
        data = await encryptBackup(kek, dbBytes, passphrase, { app: deps.appVersion, installationId: m.installation_id, createdAt }, vault.internals.kdfCost);
      } finally {
        kek.fill(0);
      }
      audit.record({
        workspaceId: null,
        action: 'vault.backup_exported',
        actor,
        target: { type: 'vault', id: m.installation_id, name: m.mode },
        details: { bytes: data.length },
      });
      return { fileName: `provenanceone-vault-${createdAt.slice(0, 19).replaceAll(':', '-')}${BACKUP_EXTENSION}`, data, createdAt };
    });
  }

  /** Opens the decrypted database copy, brings it to this app's schema and proves the key opens all of it. */
  function validateScratch(file: string, kek: Buffer): { sdb: ScratchVault; meta: Meta } {
    const sdb = store.openScratch(file);
    try {
      if (!sdb.intact()) throw damaged();
      try {
        sdb.migrate(deps.migrations);
      } catch (e) {
        throw new AppError('PRECONDITION_FAILED', e instanceof Error ? e.message : 'the backup database could not be upgraded');
      }
      const meta = sdb.meta();
      if (!meta) throw damaged();
      openV1(kek, meta.kek_check, 'kek-check');
      for (const r of sdb.dataKeys()) {
        openV1(kek, r.wrapped, `dek:${r.id}`).fill(0);
      }
      return { sdb, meta };
    } catch (e) {
      sdb.close();
      throw e instanceof AppError && e.code !== 'INTEGRITY_FAILED' ? e : damaged();
    }
  }

  async function restoreBackup(file: Buffer, passphrase: string, protect: Protection, actor: Actor): Promise<VaultStatus> {
    vault.internals.manage(actor);
    return vault.exclusive(async () => {
      const { header, kek, dbBytes } = await decryptBackup(file, passphrase);
      const tmp = scratch('restore');
      let newAccount: string | null = null;
      const before = vault.internals.meta();
      try {
        fs.writeFileSync(tmp, dbBytes, { mode: 0o600 });
        const { sdb, meta } = validateScratch(tmp, kek);
        try {
          // Re-protect the restored master key on THIS machine before anything of the live vault changes.
          if (protect.mode === 'keychain') {
            newAccount = rotatedKeychainAccount(meta.installation_id);
            await deps.keyStore.set(newAccount, kek.toString('base64'));
            sdb.protectWithKeychain(newAccount);
          } else {
            const params = newKdfParams(vault.internals.kdfCost);
            const wk = await deriveKey(protect.passphrase, params);
            try {
              sdb.protectWithPassphrase(JSON.stringify(params), wrapKek(wk, kek, meta.kek_id, meta.installation_id));
            } finally {
              wk.fill(0);
            }
          }
          // One self-contained file for ATTACH.
          sdb.settle();
        } finally {
          sdb.close();
        }

        store.replaceAllFrom(tmp, ({ meta: m, tables }) => {
          // The restored rows must open with the key we hold, or the transaction rolls back.
          openV1(kek, m.kek_check, 'kek-check');
          audit.record({
            workspaceId: null,
            action: 'vault.backup_restored',
            actor,
            target: { type: 'vault', id: m.installation_id, name: m.mode },
            details: { backupCreatedAt: header.createdAt, tables, protectedBy: protect.mode, replacedInstallation: before?.installation_id ?? null },
          });
        });
      } catch (e) {
        if (newAccount) await deps.keyStore.delete(newAccount).catch(() => false);
        throw e;
      } finally {
        removeScratch(tmp);
      }

      vault.forget();
      vault.internals.adoptKek(Buffer.from(kek), vault.internals.meta()!, true);
      kek.fill(0);
      // The replaced vault's keychain entry protected data that no longer exists here.
      if (before?.mode === 'keychain') {
        const old = accountOf(before);
        if (old !== newAccount) await deps.keyStore.delete(old).catch(() => false);
      }
      vault.internals.changed();
      deps.bus.emit('workspaces:changed', { workspaceId: '' });
      deps.logger.log('info', 'vault restored from backup', { installation: header.installationId });
      return vault.status();
    });
  }

  return { exportBackup, restoreBackup };
}
export type VaultBackup = ReturnType<typeof createVaultBackup>;
