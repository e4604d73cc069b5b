import { z } from 'zod';
import { PASSPHRASE_MIN_LENGTH } from './vault.catalog';

export const VaultStateSchema = z.enum(['uninitialized', 'locked', 'unlocked']);
export const VaultModeSchema = z.enum(['keychain', 'passphrase']);

/** What anyone may know about the vault: never a key, never a passphrase. */
export const VaultStatusSchema = z.object({
  state: VaultStateSchema,
  mode: VaultModeSchema.nullable(),
  /** Where a keychain-mode master key lives: 'keychain' (OS keychain via keytar) or another KeyStore kind. */
  keyStore: z.string(),
  autoLockMinutes: z.number().int().min(0),
  kdf: z.object({ N: z.number().int(), r: z.number().int(), p: z.number().int() }).nullable(),
  createdAt: z.string().nullable(),
  rotatedAt: z.string().nullable(),
  /**
   * Whether the OS keychain answered when last asked (asked on every status read before setup; null: not asked).
   * `reason` says in plain words why it cannot be used, for the setup screen beside the disabled option.
   */
  keychain: z.object({ available: z.boolean(), reason: z.string().nullable() }).nullable(),
});
export type VaultStatusDto = z.infer<typeof VaultStatusSchema>;

export * from './vault.catalog';
/** A passphrase the admin chooses now (setup, restore): long enough to resist guessing at scrypt speed. */
export const NewPassphraseSchema = z
  .string()
  .min(PASSPHRASE_MIN_LENGTH, `use at least ${PASSPHRASE_MIN_LENGTH} characters`)
  .max(1024, 'use at most 1024 characters');
/** A passphrase the admin types to prove knowledge (unlock): any length, compared only through scrypt. */
export const PassphraseSchema = z.string().min(1, 'enter the passphrase').max(1024, 'use at most 1024 characters');

export const VaultInitializeSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('keychain') }),
  z.strictObject({ mode: z.literal('passphrase'), passphrase: NewPassphraseSchema }),
]);
export const VaultUnlockSchema = z.strictObject({ passphrase: PassphraseSchema.optional() }).optional();
export const VaultRotateMasterKeySchema = z.strictObject({ passphrase: PassphraseSchema.optional() }).optional();
export const VaultAutoLockSchema = z.strictObject({ minutes: z.number().int().min(0).max(24 * 60) });

/** Backups travel as base64 in the JSON envelope; 64 MiB of file at most. */
const BackupDataSchema = z.string().min(1, 'choose a backup file').max(90 * 1024 * 1024, 'the backup file is too large').base64('the backup file must be sent as base64');
export const VaultExportBackupSchema = z.strictObject({ passphrase: NewPassphraseSchema });
export const VaultBackupFileSchema = z.object({ fileName: z.string(), data: z.string(), bytes: z.number().int(), createdAt: z.string() });
export const VaultRestoreBackupSchema = z.strictObject({
  data: BackupDataSchema,
  passphrase: PassphraseSchema,
  protect: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('keychain') }),
    z.strictObject({ mode: z.literal('passphrase'), passphrase: NewPassphraseSchema }),
  ]),
});
