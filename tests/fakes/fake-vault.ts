import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { VaultPort } from '@core/vault/vault-port';
import { AppError } from '@core/errors';

/** A real AES-256-GCM vault with an in-memory key, typed against the port; `lock()` makes every use fail. */
export function createFakeVault(): VaultPort & { lock(): void; unlock(): void } {
  const key = randomBytes(32);
  let unlocked = true;
  const guard = () => {
    if (!unlocked) throw new AppError('VAULT_LOCKED', 'the vault is locked; unlock it first');
  };
  return {
    isUnlocked: () => unlocked,
    lock: () => void (unlocked = false),
    unlock: () => void (unlocked = true),
    seal(plaintext, aad) {
      guard();
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(aad));
      const body = Buffer.concat([c.update(plaintext), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    open(sealed, aad) {
      guard();
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
    },
  };
}
