import { z } from 'zod';
import {
  VaultAutoLockSchema,
  VaultBackupFileSchema,
  VaultExportBackupSchema,
  VaultInitializeSchema,
  VaultRestoreBackupSchema,
  VaultRotateMasterKeySchema,
  VaultStatusSchema,
  VaultUnlockSchema,
} from '../domain/vault';

/** Vault channels. Status is readable by everyone; every other channel needs the `vault.manage` operation. */
export const vaultContract = {
  'vault:status': { input: z.undefined(), output: VaultStatusSchema },
  'vault:initialize': { input: VaultInitializeSchema, output: VaultStatusSchema },
  'vault:unlock': { input: VaultUnlockSchema, output: VaultStatusSchema },
  'vault:lock': { input: z.undefined(), output: VaultStatusSchema },
  'vault:rotateMasterKey': { input: VaultRotateMasterKeySchema, output: VaultStatusSchema },
  'vault:rotateDataKey': { input: z.undefined(), output: VaultStatusSchema },
  'vault:setAutoLock': { input: VaultAutoLockSchema, output: VaultStatusSchema },
  'vault:exportBackup': { input: VaultExportBackupSchema, output: VaultBackupFileSchema },
  'vault:restoreBackup': { input: VaultRestoreBackupSchema, output: VaultStatusSchema },
} as const;
